"""`gshp validate`: the quick validation runs here and fails the suite when a check fails."""

from __future__ import annotations

import math
import re

import pytest

import gshp.validation as V
from gshp.cli import main
from gshp.validation import core
from gshp.validation import heatpump as vhp


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("validation")
    rc = main(["validate", "--quick", "-q", "-o", str(out)])
    return rc, out, (out / "validation.md").read_text(encoding="utf-8")


def test_quick_validation_passes(quick_report):
    rc, _, text = quick_report
    failed = [line for line in text.splitlines() if "**FAIL**" in line]
    assert rc == 0 and not failed, "validation checks out of tolerance:\n" + "\n".join(failed)


def test_report_renders_summary_figures_and_references(quick_report):
    _, out, text = quick_report
    assert text.startswith("# gshp validation report")
    header = "| check | quantity | reference [source] | gshp | reference value | difference |"
    assert header in text
    # every check family of the quick subset has rows in the summary
    for check in ("1 aggregation", "2 g-function", "3 Beier sandbox", "4 heat pump",
                  "5 district", "7 determinism", "7 energy balance"):  # fmt: skip
        assert f"| {check} |" in text, check
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
    assert len(figures) >= 3
    for f in figures:
        p = out / f
        assert p.is_file() and 5_000 < p.stat().st_size < 400_000, f
    assert "## References" in text and "Beier, R.A., Smith, M.D., Spitler" in text
    # no half-written temporary file left behind
    assert not list(out.glob(".validation_*"))


def test_beier_row_beats_ibpsa(quick_report):
    _, _, text = quick_report
    row = next(line for line in text.splitlines() if "RMSE mean fluid temperature" in line)
    value = float(row.split("|")[4].split()[0])
    assert value < 0.28


def test_a_failing_check_gives_exit_code_1(tmp_path, monkeypatch):
    monkeypatch.setattr(V.run, "QUICK", ("heatpump",))  # gshp.validation.run: the checks run
    monkeypatch.setitem(vhp.BANDS, 35.0, (5.5, 6.0))  # no real machine reaches this
    rc = main(["validate", "--quick", "-q", "-o", str(tmp_path)])
    assert rc == 1
    assert "**FAIL**" in (tmp_path / "validation.md").read_text(encoding="utf-8")


def test_missing_cases_folder_is_an_input_error(tmp_path, capsys):
    rc = main(["validate", "--quick", "-q", "-o", str(tmp_path), "--cases", str(tmp_path)])
    assert rc == 2
    assert "--cases" in capsys.readouterr().err


def test_bad_jobs_is_an_input_error(tmp_path):
    assert main(["validate", "--quick", "-o", str(tmp_path), "--jobs", "0"]) == 2


def test_row_tolerances():
    ok, tol = core.within(4.70, 4.90, 0.2)  # exactly on the limit after rounding
    assert ok and tol == "± 0.2"
    assert not core.within(4.69, 4.90, 0.2)[0]
    assert core.within(102.0, 100.0, 0.05, rel=True)[0]
    assert not core.within(106.0, 100.0, 0.05, rel=True)[0]
    assert core.at_most(0.2, 0.28)[0] and not core.at_most(0.3, 0.28)[0]
    r = core.Row("x", "q", "ref", "Beier2011", 0.215, 0.28, "K", "≤ 0.28", True)
    assert r.status == "pass" and r.diff == pytest.approx(-0.065)
    assert core.Row("x", "q", "ref", "c", 1.0).status == "info"
    assert math.isnan(core.Row("x", "q", "ref", "c", 1.0).diff)


def test_carnot_fraction_is_physical():
    # an ideal machine has fraction 1; a real one between 0.35 and 0.65
    t_h, t_c = 35.0 + 273.15, -3.0 + 273.15
    assert vhp.carnot_fraction(t_h / (t_h - t_c), 0.0, 35.0) == pytest.approx(1.0)


def test_sensitivity_variants_are_valid_cases_that_change_one_thing():
    """Every one-at-a-time variant of the study is a valid case differing from the shipped
    one only in its own fields (field names drift with the case model)."""
    from gshp.config import load_case
    from gshp.validation import study

    base = load_case(V.default_cases_dir() / "berlin.toml")
    burial = study.network_burial_field(base)
    vs = study.variants(burial)
    assert {v.parameter for v in vs} >= {
        "tank charging band", "coil UA", "heat-exchanger UA", "compressor map"
    }  # fmt: skip
    flat0 = _flat(base.to_dict())
    for v in vs:
        ov = v.overrides(base)
        changed = _flat(base.replace(**ov).to_dict())
        diff = {k for k in flat0.keys() | changed.keys() if flat0.get(k) != changed.get(k)}
        assert diff and diff <= set(ov), (v.label, diff)


def _flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out
