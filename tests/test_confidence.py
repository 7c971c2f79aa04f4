"""Sizing to a confidence (``gshp size … --confidence``, issue 28): the smallest field whose
limits hold in a share of the [uncertainty] samples, on borefield-only cases."""

from __future__ import annotations

import json

import pytest
from test_borefield_only import annual, write_case, write_load

from gshp.cli import main
from gshp.config import load_case
from gshp.errors import InputError
from gshp.studies.confidence import order_statistic_ranks, size_confidence
from gshp.studies.sizing import size

UNCERTAIN = """
[uncertainty]
samples = 16
seed = 3
"borefield.ground.T_undisturbed_C" = { dist = "normal", mean = 10.0, sd = 0.6 }
"""


@pytest.fixture()
def field(tmp_path):
    ext, inj = annual(10.0, 4.0)  # extraction-dominated: the lower limit binds in winter
    write_load(tmp_path / "load.csv", ext, inj)
    return write_case(tmp_path, years=2, n_x=2, n_y=2, extra=UNCERTAIN)


def test_p90_field_is_at_least_the_deterministic_and_p50_close_to_it(field):
    kw = dict(t_min_C=0.0, vary="length", min_size=40, max_size=400)
    det = size(load_case(field), **kw)
    p90 = size_confidence(field, confidence=0.9, **kw)
    p50 = size_confidence(field, confidence=0.5, **kw)
    assert p90.length_m >= det.length_m and p90.length_m > p50.length_m
    # symmetric input, response nearly linear in T_undisturbed: the median field is the
    # deterministic one within a few metres
    assert abs(p50.length_m - det.length_m) <= 0.05 * det.length_m
    assert p90.share_holding >= 0.9 and p90.n_samples == 16
    lo, hi = p90.interval["low"], p90.interval["high"]
    assert lo <= p90.length_m and (hi is None or hi >= p90.length_m)
    # the same samples at every size: the share grows with the field
    full = [s for s in p90.shares if s["samples"] == 16]  # sizes run with every sample
    assert len(full) >= 3
    shares = [s["share"] for s in full]
    lengths = [s["length_m"] for s in full]
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    assert [shares[i] for i in order] == sorted(shares)
    assert "holds in" in p90.summary() and "borefield.ground.T_undisturbed_C" in p90.summary()


def test_order_statistic_ranks_bound_the_quantile():
    lo, hi = order_statistic_ranks(128, 0.9)
    assert lo < 0.9 * 128 < hi <= 128
    assert order_statistic_ranks(16, 0.9)[1] > 16  # too few samples for an upper bound


def test_cli_confidence_json_and_messages(field, capsys, tmp_path):
    argv = ["size", str(field), "--vary", "length", "--min-fluid-temp=0", "--min-size", "40",
            "--max-size", "400", "--confidence", "0.75", "--samples", "8", "--json"]  # fmt: skip
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["confidence"] == 0.75 and out["n_samples"] == 8 and out["share_holding"] >= 0.75
    assert out["limits"]["criterion"] == "mean"
    # a case without [uncertainty]: one message, exit 2
    plain = tmp_path / "plain.toml"
    plain.write_text(field.read_text().split("[uncertainty]")[0])
    assert main(["size", str(plain), "--vary", "length", "--min-fluid-temp=0",
                 "--confidence", "0.9"]) == 2  # fmt: skip
    assert "[uncertainty]" in capsys.readouterr().err
    with pytest.raises(InputError, match="between 0 and 1"):
        size_confidence(field, confidence=1.5, t_min_C=0.0, vary="length")
