"""Inputs that passed `gshp check` and then failed the run, or changed the results
silently (issue 25, item 8 and the two items after it): NaN in a DWD TRY file, a TRY
file without its position, a borehole resistance override of 1e-12 m·K/W."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from gshp.cli import main

ROOT = Path(__file__).resolve().parents[1]
WEATHER = ROOT / "tests" / "data" / "weather"
TRY2010 = "TRY2010_05_Jahr.dat.gz"


def try_file(folder: Path, edit=None) -> tuple[Path, list[str]]:
    """The published TRY 2010 (Essen) in ``folder/wx``, lines passed through ``edit``."""
    lines = gzip.open(WEATHER / TRY2010, "rt", encoding="utf-8").read().splitlines()
    if edit is not None:
        lines = edit(lines)
    (folder / "wx").mkdir(exist_ok=True)
    p = folder / "wx" / "essen.dat"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p, lines


def case_file(folder: Path, climate='weather_file = "wx/essen.dat"', extra=None) -> Path:
    text = (ROOT / "cases" / "berlin.toml").read_text(encoding="utf-8")
    text = text.replace('[climate]\npreset = "berlin"', f"[climate]\n{climate}")
    for old, new in (extra or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    p = folder / "case.toml"
    p.write_text(text, encoding="utf-8")
    return p


def check(capsys, path) -> tuple[int, str]:
    code = main(["check", str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def _first_data_line(lines) -> int:
    """0-based index of the first hourly row (1 January, hour 1)."""
    star = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("***"))
    return star + 2  # the 31 December hour-24 record comes first


def _set_column(lines, i, col, value):
    toks = lines[i].split()
    toks[col] = value
    lines[i] = "  ".join(toks)
    return lines


# TRY 2010 columns: RG IS MM DD HH N WR WG t p x RF W B D IK A E IL
T_COL, B_COL = 8, 13


@pytest.mark.parametrize(("col", "what"), [(T_COL, "t (°C)"), (B_COL, "B (W/m²)")])
def test_nan_in_a_try_file_fails_check_with_file_and_line(tmp_path, capsys, col, what):
    holder = {}

    def edit(lines):
        i = _first_data_line(lines) + 12  # 1 January, hour 13: B > 0 at noon
        holder["line"] = i + 1
        return _set_column(lines, i, col, "nan")

    p, _ = try_file(tmp_path, edit)
    code, text = check(capsys, case_file(tmp_path))
    assert code == 2, text
    assert str(p) in text and f"line {holder['line']}, {what}" in text and "nan" in text
    assert "Traceback" not in text


def test_try_file_without_position_fails_check(tmp_path, capsys):
    def edit(lines):
        return [ln for ln in lines if not ln.startswith("Lage:")]

    p, _ = try_file(tmp_path, edit)
    code, text = check(capsys, case_file(tmp_path))
    assert code == 2, text
    assert str(p) in text and "no position" in text and "Lage:" in text
    # the case may give the position itself
    code, text = check(capsys, case_file(tmp_path, 'weather_file = "wx/essen.dat"\n'
                                                   "latitude_deg = 51.4"))  # fmt: skip
    assert code == 0, text


def test_published_try_file_passes_check(tmp_path, capsys):
    try_file(tmp_path)
    code, text = check(capsys, case_file(tmp_path))
    assert code == 0, text


def test_tiny_borehole_resistance_override_fails_check(tmp_path, capsys):
    p = case_file(
        tmp_path,
        'preset = "berlin"',
        {"[borefield.ground]": "R_b_override_mK_W = 1e-12\n\n[borefield.ground]"},
    )
    code, text = check(capsys, p)
    assert code == 2, text
    assert "borefield.R_b_override_mK_W" in text and "1e-12" in text and "0.02" in text


def test_override_below_what_the_borehole_can_have_is_an_input_error():
    """Between the check's bound and the lowest R_b* of the borehole: one message naming
    the field and the lowest value, not scipy's brentq error."""
    from gshp.errors import InputError
    from gshp.physics.borefield.model import _override_scale

    with pytest.raises(InputError) as err:
        _override_scale(0.021, 0.12, 0.3, 100.0, 0.35, 3915.0)
    msg = str(err.value)
    assert "borefield.R_b_override_mK_W" in msg and "≥ 0.04" in msg
    assert 0.5 < _override_scale(0.1, 0.12, 0.3, 100.0, 0.35, 3915.0) < 1.0
