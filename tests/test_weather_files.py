"""The weather readers on real published files (tests/data/weather, see its README)."""

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from gshp.errors import InputError
from gshp.physics.climate import read_epw, read_try, read_weather_file

DATA = Path(__file__).parent / "data" / "weather"


def unpack(name, folder) -> Path:
    out = Path(folder) / name.removesuffix(".gz")
    with gzip.open(DATA / name, "rb") as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def test_dwd_try_2010_with_previous_year_record(tmp_path):
    p = unpack("TRY2010_05_Jahr.dat.gz", tmp_path)
    raw = p.read_bytes()
    assert b"12  31  24" in raw.splitlines()[38] and "°".encode() in raw  # as published
    df = read_try(p)
    assert len(df) == 8760
    # Essen: "Lage: 51°24'N" (UTF-8 degree sign)
    assert df.attrs["latitude_deg"] == pytest.approx(51.4)
    # first hour of the year is 1 Jan hour 1 (2.1 °C in the file), not 31 Dec hour 24
    assert df.T_air.iloc[0] == pytest.approx(2.1)
    assert 9.0 < df.T_air.mean() < 12.0  # Essen annual mean ~10 °C
    assert 850 < df.ghi.sum() / 1000 < 1100  # kWh/m² a year, Rhine-Ruhr


def test_dwd_try_2015_format(tmp_path):
    p = unpack("TRY2015_40125003010500_Jahr.dat.gz", tmp_path)
    df = read_weather_file(p)
    assert len(df) == 8760
    assert df.T_air.iloc[0] == pytest.approx(-5.7)
    # Rechtswert/Hochwert 4012500/3010500 lies in northern Germany
    assert 53.0 < df.attrs["latitude_deg"] < 55.0
    assert 7.0 < df.T_air.mean() < 11.0


def test_iwec_epw(tmp_path):
    df = read_weather_file(unpack("NLD_Amsterdam062400_IWEC.epw.gz", tmp_path))
    assert len(df) == 8760 and df.attrs["latitude_deg"] == pytest.approx(52.30)
    assert df.attrs["name"] == "AMSTERDAM"
    assert 9.0 < df.T_air.mean() < 11.5


def test_pvgis_tmy_epw(tmp_path):
    df = read_epw(unpack("tmy_45.000_8.000_2005_2023.epw.gz", tmp_path))
    assert len(df) == 8760 and df.attrs["latitude_deg"] == pytest.approx(45.0)
    # more sun at 45° N than in Amsterdam
    ams = read_epw(unpack("NLD_Amsterdam062400_IWEC.epw.gz", tmp_path))
    assert df.ghi.sum() > 1.2 * ams.ghi.sum()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_epw_header_encodings(tmp_path, encoding):
    """A city name with an umlaut in UTF-8 (with or without BOM) or latin-1."""
    text = unpack("NLD_Amsterdam062400_IWEC.epw.gz", tmp_path).read_text(encoding="ascii")
    p = tmp_path / "zurich.epw"
    p.write_text(text.replace("AMSTERDAM", "Zürich", 1), encoding=encoding)
    df = read_weather_file(p)
    assert df.attrs["name"] == "Zürich" and df.attrs["latitude_deg"] == pytest.approx(52.3)


def test_leap_year_epw_from_a_real_file(tmp_path):
    """An actual-year (AMY) file of a leap year: 8784 records; 29 February is dropped."""
    lines = unpack("tmy_45.000_8.000_2005_2023.epw.gz", tmp_path).read_text().splitlines()
    head, rows = lines[:8], lines[8:]
    feb28 = [r for r in rows if r.split(",")[1:3] == ["2", "28"]]
    feb29 = [r.replace(",2,28,", ",2,29,", 1) for r in feb28]
    cut = rows.index(feb28[-1]) + 1
    p = tmp_path / "leap.epw"
    p.write_text("\n".join(head + rows[:cut] + feb29 + rows[cut:]) + "\n")
    df = read_epw(p)
    ref = read_epw(tmp_path / "tmy_45.000_8.000_2005_2023.epw")
    assert len(df) == 8760
    np.testing.assert_array_equal(df.T_air.values, ref.T_air.values)


def test_binary_or_folder_as_weather_file(tmp_path):
    b = tmp_path / "x.dat"
    b.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(InputError, match="binary"):
        read_weather_file(b)
    with pytest.raises(InputError, match="folder"):
        read_weather_file(tmp_path)
