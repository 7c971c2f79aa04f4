"""User load files read with pandas: delimiters, decimal marks, units, time stamps, leap
years, the tool's own CSV export, and clear file:line:column messages."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gshp.errors import InputError
from gshp.physics import district as D

H = np.arange(8760)
HEAT_KW = 10.0 + (H % 24) / 4.0  # a daily ramp: 10 … 15.75 kW


def _write(path, header, rows, sep=",", decimal="."):
    def fmt(x):
        s = f"{x:g}" if isinstance(x, float) else str(x)
        return s.replace(".", decimal) if isinstance(x, float) else s

    path.write_text(header + "\n" + "\n".join(sep.join(fmt(x) for x in r) for r in rows) + "\n")
    return path


def _heat_sum_Wh(ds):
    return float(ds.Q_space_heating.sum()) * D.DT_S / 3600.0


def test_semicolon_and_decimal_comma_read_like_commas(tmp_path):
    rows = [(float(q), 0.5, 1.25, 3.5) for q in HEAT_KW]
    a = D.read_load_file(
        _write(tmp_path / "a.csv", "Q_space_heating_kW,Q_space_cooling_kW,Q_dhw_kW,T_air_C", rows),
        "demands",
    )
    b = D.read_load_file(
        _write(tmp_path / "b.csv", "Q_space_heating_kW;Q_space_cooling_kW;Q_dhw_kW;T_air_C",
               rows, sep=";", decimal=","),
        "demands",
    )  # fmt: skip
    c = D.read_load_file(
        _write(tmp_path / "c.csv", "Q_space_heating_kW\tQ_space_cooling_kW\tQ_dhw_kW\tT_air_C",
               rows, sep="\t", decimal=","),
        "demands",
    )  # fmt: skip
    for ds in (b, c):
        for v in a.data_vars:
            np.testing.assert_array_equal(ds[v].values, a[v].values)
    # energy is conserved from hourly kW to 15-min W
    assert _heat_sum_Wh(a) == pytest.approx(HEAT_KW.sum() * 1e3)
    assert float(a.Q_dhw.mean()) == pytest.approx(1250.0)


@pytest.mark.parametrize(
    "header, scale",
    [
        ("Q_space_heating_W,Q_space_cooling_W,Q_dhw_W", 1e3),
        ("Q_space_heating_MW,Q_space_cooling_MW,Q_dhw_MW", 1e-3),
        ("Q_space_heating [kW],Q_space_cooling (kW),Q_dhw [kW]", 1.0),
    ],
)
def test_units_in_the_header(tmp_path, header, scale):
    rows = [(float(q) * scale, 0.0, 1.0 * scale) for q in HEAT_KW]
    ds = D.read_load_file(_write(tmp_path / "u.csv", header, rows), "demands", weather=_wx())
    assert _heat_sum_Wh(ds) == pytest.approx(HEAT_KW.sum() * 1e3, rel=1e-9)
    assert float(ds.Q_dhw.max()) == pytest.approx(1e3)


def _wx():
    from gshp.physics import climate

    return climate.preset("berlin")


def _stamps(leap, step_min, end=False):
    import pandas as pd

    year = 2024 if leap else 2023
    t = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq=f"{step_min}min",
                      inclusive="right" if end else "left")  # fmt: skip
    return [s.strftime("%Y-%m-%d %H:%M") for s in t]


@pytest.mark.parametrize("leap", [False, True])
@pytest.mark.parametrize("step_min", [60, 15])
@pytest.mark.parametrize("stamped", ["time", "none", "end"])
def test_row_counts_time_stamps_and_leap_years(tmp_path, leap, step_min, stamped):
    stamps = _stamps(leap, step_min, end=stamped == "end")
    n = len(stamps)
    assert n == {(False, 60): 8760, (True, 60): 8784, (False, 15): 35040,
                 (True, 15): 35136}[(leap, step_min)]  # fmt: skip
    # the heating load marks the day of year: 29 February (day 59 of a leap year) = 999 kW
    day = np.arange(n) // (1440 // step_min)
    q = np.where(leap & (day == 59), 999.0, 1.0 + (day - (leap & (day > 59))) % 7)
    lead = [(s,) if stamped != "none" else () for s in stamps]
    rows = [a + (float(x), 0.0, 0.0) for a, x in zip(lead, q, strict=True)]
    head = ("time," if stamped != "none" else "") + "Q_space_heating_kW,Q_space_cooling_kW,Q_dhw_kW"
    ds = D.read_load_file(_write(tmp_path / "t.csv", head, rows), "demands", weather=_wx())
    got = ds.Q_space_heating.values.reshape(365, 96)[:, 0] / 1e3
    np.testing.assert_array_equal(got, 1.0 + np.arange(365) % 7)  # 29 Feb dropped


def test_time_stamps_out_of_order_named(tmp_path):
    stamps = _stamps(False, 60)
    stamps[100], stamps[101] = stamps[101], stamps[100]
    rows = [(s, 1.0, 0.0, 0.0) for s in stamps]
    p = _write(tmp_path / "o.csv", "time,Q_space_heating_kW,Q_space_cooling_kW,Q_dhw_kW", rows)
    with pytest.raises(InputError, match=r"o.csv: line 102, column 1 \(time\)"):
        D.read_load_file(p, "demands", weather=_wx())


def test_own_csv_export_reads_back(tmp_path):
    """`gshp loads --format csv` writes a file that is a valid load_file as it is."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "gshp.cli", "loads", str(root / "cases" / "berlin.toml"),
         "--format", "csv", "-o", str(out)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    back = D.read_load_file(out / "berlin_loads.csv", "demands")
    from gshp.config import load_case

    ref = D.district_loads(load_case(root / "cases" / "berlin.toml"))
    assert set(ref.data_vars) <= set(back.data_vars)
    for v in ref.data_vars:  # the export keeps 6 significant digits
        np.testing.assert_allclose(back[v].values, ref[v].values, rtol=1e-5, atol=1e-3)


def test_duplicated_unknown_and_missing_columns_in_one_message(tmp_path):
    p = _write(tmp_path / "d.csv", "Q_space_heating_kW,Q_space_heating_W,Q_dhw_kW,Q_foo_kW",
               [(1.0, 1.0, 1.0, 1.0)] * 8760)  # fmt: skip
    with pytest.raises(InputError) as e:
        D.read_load_file(p, "demands")
    msg = str(e.value)
    assert "line 1, column 2: 'Q_space_heating_W'" in msg and "each quantity once" in msg
    assert "line 1, column 4: 'Q_foo_kW'" in msg
    assert "Q_space_cooling_kW" in msg and "3 problems" in msg


def test_absurd_values_rejected_with_line_and_column(tmp_path):
    rows = [(1.0, 0.0, 0.0, 5.0)] * 8760
    rows[9] = (1e12, 0.0, 0.0, 5.0)
    rows[20] = (1.0, 0.0, 0.0, 1e6)
    rows[30] = (1.0, -3.0, 0.0, 5.0)
    rows[40] = (1.0, 0.0, "x", 5.0)
    p = _write(tmp_path / "abs.csv", "Q_space_heating_kW,Q_space_cooling_kW,Q_dhw_kW,T_air_C",
               rows)  # fmt: skip
    with pytest.raises(InputError) as e:
        D.read_load_file(p, "demands")
    msg = str(e.value)
    assert "abs.csv: 4 problems" in msg
    assert "line 11, column 1 (Q_space_heating_kW): 1000000000000.0" in msg
    assert "line 22, column 4 (T_air_C): 1000000.0" in msg
    assert "line 32, column 2 (Q_space_cooling_kW): -3.0" in msg
    assert "line 42, column 3 (Q_dhw_kW): 'x'" in msg


def test_network_kind_and_negative_network_load(tmp_path):
    p = _write(tmp_path / "n.csv", "Q_network_MW;T_air_C", [(-0.0055, 3.0)] * 35040, sep=";")
    ds = D.read_load_file(p, "network")
    assert float(ds.Q_network_net[0]) == pytest.approx(-5500.0)


def test_non_utf8_and_ragged_files_named(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("Q_space_heating_kW,Q_space_cooling_kW,Q_dhw_kW\n# Wärme\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin.csv: line 2, column 4: .*UTF-8"):
        D.read_load_file(p, "demands")
    q = _write(tmp_path / "rag.csv", "Q_space_heating_kW,Q_space_cooling_kW,Q_dhw_kW",
               [(1.0, 0.0, 0.0)] * 5 + [(1.0, 0.0, 0.0, 4.0)] + [(1.0, 0.0, 0.0)] * 8754)
    with pytest.raises(InputError, match=r"rag.csv: line 7: '4 fields' — 3 fields"):
        D.read_load_file(q, "demands")
    r = _write(tmp_path / "short.csv", "Q_network_kW", [(1.0,)] * 100)
    with pytest.raises(InputError, match="8760 hourly"):
        D.read_load_file(r, "network", weather=_wx())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_fuzz_any_bytes_give_input_error_or_dataset(tmp_path, data):
    p = tmp_path / "fuzz.csv"
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    try:
        ds = D.read_load_file(p, "network")
    except InputError as exc:
        assert "fuzz.csv" in str(exc) or "district.load_file" in str(exc)
    else:
        assert ds.Q_network_net.size == D.STEPS


def test_gshp_check_opens_load_and_weather_files(tmp_path, capsys):
    from pathlib import Path

    from gshp.cli import main

    root = Path(__file__).resolve().parents[1]
    base = (root / "cases" / "berlin.toml").read_text()
    loads = _write(tmp_path / "loads.csv", "Q_space_heating_kW;Q_space_cooling_kW;Q_dhw_kW",
                   [(1.0, 0.0, 0.0)] * 8759 + [(1.0, "n/a", 0.0)], sep=";")  # fmt: skip
    case = tmp_path / "withloads.toml"
    case.write_text(base.replace("[district]", f"[district]\nload_file = '{loads.name}'"))
    assert main(["check", str(case)]) == 2
    err = capsys.readouterr().err
    assert "district.load_file" in err and "loads.csv: line 8761, column 2" in err
    assert "Traceback" not in err
    loads.write_text(loads.read_text().replace("n/a", "0,5"))
    assert main(["check", str(case)]) == 0
    assert "1 case(s) valid" in capsys.readouterr().out
