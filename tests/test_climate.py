"""Climate presets and weather-file readers."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gshp.errors import InputError
from gshp.physics import climate


@pytest.mark.parametrize("name", climate.PRESETS)
@pytest.mark.parametrize("seed", [0, 7])
def test_preset_matches_design_statistics(name, seed):
    df = climate.preset(name, seed=seed)
    ref = climate.PRESET_STATS[name]
    s = climate.monthly_statistics(df)
    assert len(df) == 8760 and list(df.columns) == ["T_air", "ghi"]
    np.testing.assert_allclose(s.T_mean, ref["T_mean"], atol=0.3)
    np.testing.assert_allclose(s.ghi, ref["ghi"], rtol=0.05)
    np.testing.assert_allclose(s.T_sd, ref["T_sd"], rtol=0.25)
    np.testing.assert_allclose(s.T_range, ref["T_range"], rtol=0.25)
    assert df.attrs["latitude_deg"] == ref["latitude_deg"]


def test_preset_deterministic_and_seeded():
    a = climate.preset("berlin", seed=3)
    b = climate.preset("berlin", seed=3)
    c = climate.preset("berlin", seed=4)
    assert a.equals(b)
    assert np.max(np.abs(a.T_air.to_numpy() - c.T_air.to_numpy())) > 1.0


def test_irradiance_follows_solar_geometry():
    df = climate.preset("helsinki")
    clear = climate.clear_sky_hourly(60.32, 24.97, 2.0)
    g = df.ghi.to_numpy()
    assert np.all(g[clear == 0.0] == 0.0)  # dark when the sun is down
    assert np.all(g <= 1.05 * clear + 1e-9)
    # noon is brighter than 9 h on average; June days much longer than December days
    daily = g.reshape(365, 24)
    assert daily[:, 12].mean() > daily[:, 9].mean()
    assert (daily[151:181] > 0).sum(axis=1).mean() > 2 * (daily[334:365] > 0).sum(axis=1).mean()


def test_daily_cycle_peaks_in_afternoon():
    T = climate.preset("berlin").T_air.to_numpy().reshape(365, 24)
    profile = (T - T.mean(axis=1, keepdims=True)).mean(axis=0)
    assert 13 <= int(np.argmax(profile)) <= 16
    assert 3 <= int(np.argmin(profile)) <= 7


def test_sun_at_solstices_and_solar_noon():
    # highest sun of 21 June / 21 December: 90° − |latitude − declination| (±23.44°)
    lat = 52.38
    z = climate.solar_position(lat, 13.06, 1.0)["zenith"].to_numpy().reshape(365, 24)
    assert z[171].min() == pytest.approx(lat - 23.44, abs=0.6)  # hourly sampling
    assert z[354].min() == pytest.approx(lat + 23.44, abs=0.3)
    # clock time is not solar time: at 13.06° E on CET solar noon is ~12:08 (+ equation
    # of time); on the meridian of the zone (15° E) the sun is as high at 11:30 as at 12:30
    # within the equation of time; 30° further west the noon hour shifts by 2 h
    cz_cet = climate.hourly_mean_cos_zenith(lat, 13.06, 1.0).reshape(365, 24)
    cz_west = climate.hourly_mean_cos_zenith(lat, 13.06 - 30.0, 1.0).reshape(365, 24)
    noon = np.argmax(cz_cet[150:200], axis=1)
    assert np.all((noon == 11) | (noon == 12))
    assert np.all(np.argmax(cz_west[150:200], axis=1) - noon == 2)
    # a table without longitude sits on its zone's meridian
    assert climate._site(lat, None, 1.0) == (lat, 15.0, 1.0)
    assert climate._site(lat, 13.06, None) == (lat, 13.06, 1.0)


def test_tilted_irradiance_matches_pvlib_on_a_published_epw(tmp_path):
    """Our chain (reader, site, Erbs, isotropic sky) against pvlib's own, written as
    pvlib's documentation does it, on the Amsterdam IWEC file: pvlib labels each record by
    the start of its hour, the sun is taken at the middle, with the LOCATION's longitude
    and time zone."""
    import gzip

    import pandas as pd
    import pvlib

    src = Path(__file__).parent / "data" / "weather" / "NLD_Amsterdam062400_IWEC.epw.gz"
    p = tmp_path / "ams.epw"
    p.write_bytes(gzip.decompress(src.read_bytes()))
    ours = climate.read_epw(p)
    assert ours.attrs["longitude_deg"] == pytest.approx(4.77)
    assert ours.attrs["utc_offset_h"] == 1.0
    sky = climate.sky_components(ours)

    data, meta = pvlib.iotools.read_epw(p, coerce_year=2019)
    data.index = data.index + pd.Timedelta("30min")
    loc = pvlib.location.Location(meta["latitude"], meta["longitude"], tz=meta["TZ"])
    sp = loc.get_solarposition(data.index)
    split = pvlib.irradiance.erbs(data["ghi"], sp["zenith"], data.index)
    for tilt, az in [(30.0, 180.0), (45.0, 90.0), (45.0, 270.0), (90.0, 90.0), (90.0, 180.0)]:
        ref = pvlib.irradiance.get_total_irradiance(
            tilt, az, sp["zenith"], sp["azimuth"], split["dni"], data["ghi"], split["dhi"],
            albedo=0.2, model="isotropic",
        )["poa_global"].fillna(0.0).to_numpy()  # fmt: skip
        mine = climate.tilted_irradiance(sky, tilt, az - 180.0)
        assert mine.sum() == pytest.approx(ref.sum(), rel=1e-9)
        np.testing.assert_allclose(mine, ref, atol=1e-6)
    # physics: a south plane at 30° gathers more over the year than the horizontal, an
    # east and a west plane within a few percent of each other; no negative irradiance
    south = climate.tilted_irradiance(sky, 30.0, 0.0).sum()
    east = climate.tilted_irradiance(sky, 45.0, -90.0).sum()
    west = climate.tilted_irradiance(sky, 45.0, 90.0).sum()
    assert south > 1.05 * ours["ghi"].sum()
    assert abs(east / west - 1.0) < 0.1
    assert climate.tilted_irradiance(sky, 60.0, 30.0).min() >= 0.0


def test_lambert_inverse_matches_published_point():
    # a published TRY 2015 file of grid point 4162500/2733500 is named
    # TRY_513564124162: latitude 51.3564, longitude 12.4162
    lat, lon = climate.lambert_to_latlon(4162500, 2733500)
    assert lat == pytest.approx(51.3564, abs=2e-3)
    assert lon == pytest.approx(12.4162, abs=2e-3)


def test_unknown_preset():
    with pytest.raises(InputError, match="climate.preset"):
        climate.preset("paris")


# ----------------------------------------------------------------------------------
# Files written in the published formats
# ----------------------------------------------------------------------------------


def _calendar(leap=False):
    mdays = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    for m, nd in enumerate(mdays, start=1):
        for d in range(1, nd + 1):
            for h in range(1, 25):
                yield m, d, h


def write_epw(path, T, G, leap=False, lat=52.47):
    head = [
        f"LOCATION,Berlin,BE,DEU,IWEC Data,103840,{lat},13.40,1.0,49.0",
        "DESIGN CONDITIONS,0",
        "TYPICAL/EXTREME PERIODS,0",
        "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        "COMMENTS 1,synthetic",
        "COMMENTS 2,test",
        "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
    ]
    rows = []
    for k, (m, d, h) in enumerate(_calendar(leap)):
        i = k if not leap else k
        t = T[i % len(T)]
        g = G[i % len(G)]
        rows.append(
            f"1999,{m},{d},{h},60,C9C9C9C9*0?9?9?9?9?9?9?9A7A7B8B8A7*0*0E8*0*0,{t:.1f},"
            f"-5.0,80,101300,0,1415,300,{g:.0f},0,0,0,0,0,0,200,3.0,8,8,20.0,77777,9,"
            "999999999,0,0.0,0,88,0.000,0.0,0.0"
        )
    path.write_text("\n".join(head + rows) + "\n", encoding="latin-1")


def write_try(path, T, B, D, duplicate_first=False, leap=False):
    head = [
        "Koordinatensystem : Lambert konform konisch",
        "Rechtswert        : 4162500 Meter",
        "Hochwert          : 2733500 Meter",
        "Hoehenlage        : 120 Meter ueber NN",
        "Erstellung des Datensatzes im Mai 2016",
        "",
        "Art des TRY       : mittleres Jahr",
        "Bezugszeitraum    : 1995-2012",
        "",
        "     RW      HW MM DD HH     t    p  WR   WG N    x  RF    B    D   A    E IL",
        "***",
    ]
    rows = []
    for k, (m, d, h) in enumerate(_calendar(leap)):
        rows.append(
            f"4162500 2733500 {m:2d} {d:2d} {h:2d} {T[k % len(T)]:5.1f} 1006 245  0.5 7  3.5"
            f"  85 {B[k % len(B)]:4.0f} {D[k % len(D)]:4.0f} 291 -281  0"
        )
    if duplicate_first:
        rows.insert(0, rows[0])
    path.write_text("\n".join(head + rows) + "\n", encoding="latin-1")


def test_read_epw_roundtrip(tmp_path):
    ref = climate.preset("berlin")
    p = tmp_path / "x.epw"
    write_epw(p, ref.T_air.round(1).to_numpy(), ref.ghi.round(0).to_numpy())
    df = climate.read_epw(p)
    assert len(df) == 8760
    np.testing.assert_allclose(df.T_air, ref.T_air.round(1), atol=1e-9)
    np.testing.assert_allclose(df.ghi, ref.ghi.round(0), atol=1e-9)
    assert df.attrs["latitude_deg"] == pytest.approx(52.47)
    assert climate.read_weather_file(p).equals(df)


def test_read_epw_leap_year_drops_29_february(tmp_path):
    n = 8784
    T = np.arange(n) * 0.001
    p = tmp_path / "leap.epw"
    write_epw(p, T, np.zeros(n), leap=True)
    df = climate.read_epw(p)
    assert len(df) == 8760
    # 1 March 00:00 follows 28 February 23:00 directly (24 leap hours skipped)
    assert df.T_air.iloc[59 * 24] == pytest.approx(round(T[60 * 24], 1))


def test_read_try_with_duplicated_first_hour(tmp_path):
    ref = climate.preset("strasbourg")
    B = np.round(0.6 * ref.ghi.to_numpy())
    D = np.round(ref.ghi.to_numpy()) - B
    p = tmp_path / "TRY2015_513564124162_Jahr.dat"
    write_try(p, ref.T_air.round(1).to_numpy(), B, D, duplicate_first=True)
    df = climate.read_try(p)
    assert len(df) == 8760
    np.testing.assert_allclose(df.T_air, ref.T_air.round(1), atol=1e-9)
    np.testing.assert_allclose(df.ghi, B + D, atol=1e-9)
    assert df.attrs["latitude_deg"] == pytest.approx(51.356, abs=0.01)
    assert climate.read_weather_file(p).equals(df)


def test_read_try_leap_year(tmp_path):
    p = tmp_path / "leap.dat"
    write_try(p, np.zeros(8784), np.zeros(8784), np.zeros(8784), leap=True)
    assert len(climate.read_try(p)) == 8760


def test_malformed_files_name_file_and_line(tmp_path):
    ref = climate.preset("berlin")
    p = tmp_path / "bad.epw"
    write_epw(p, ref.T_air.to_numpy(), ref.ghi.to_numpy())
    lines = p.read_text().splitlines()
    lines[8 + 100] = lines[8 + 100].replace(",", ";", 10)
    p.write_text("\n".join(lines))
    with pytest.raises(InputError, match=r"bad.epw: line 109"):
        climate.read_epw(p)
    # truncated file
    write_epw(p, ref.T_air.to_numpy(), ref.ghi.to_numpy())
    p.write_text("\n".join(p.read_text().splitlines()[:5000]))
    with pytest.raises(InputError, match="8760"):
        climate.read_epw(p)
    q = tmp_path / "bad.dat"
    write_try(q, np.zeros(8760), np.zeros(8760), np.zeros(8760))
    tl = q.read_text().splitlines()
    tl[11 + 5] = tl[11 + 5].replace(" 0.0 ", " x.y ", 1)
    q.write_text("\n".join(tl))
    with pytest.raises(InputError, match=r"bad.dat: line 17"):
        climate.read_try(q)
    r = tmp_path / "nothing.dat"
    r.write_text("hello\nworld\n")
    with pytest.raises(InputError, match="nothing.dat"):
        climate.read_weather_file(r)


def test_try_rows_out_of_order(tmp_path):
    q = tmp_path / "swap.dat"
    write_try(q, np.zeros(8760), np.zeros(8760), np.zeros(8760))
    tl = q.read_text().splitlines()
    tl[11 + 30], tl[11 + 31] = tl[11 + 31], tl[11 + 30]
    q.write_text("\n".join(tl))
    with pytest.raises(InputError, match="line 42"):
        climate.read_try(q)


@settings(max_examples=15, deadline=None)
@given(st.floats(-60, 60), st.sampled_from(climate.PRESETS), st.integers(0, 2**31 - 1))
def test_fuzz_geometry_and_seeds(lat, name, seed):
    cz = climate.hourly_mean_cos_zenith(lat, 10.0, 1.0)
    assert np.all((cz >= 0) & (cz <= 1))
    # annual sum of extraterrestrial-shaped clear sky is finite and positive
    assert climate.clear_sky_hourly(lat, 10.0, 1.0).sum() > 0
    df = climate.preset(name, seed=seed)
    s = climate.monthly_statistics(df)
    np.testing.assert_allclose(s.T_mean, climate.PRESET_STATS[name]["T_mean"], atol=0.3)
    np.testing.assert_allclose(s.ghi, climate.PRESET_STATS[name]["ghi"], rtol=0.05)
    np.testing.assert_allclose(s.T_sd, climate.PRESET_STATS[name]["T_sd"], rtol=0.25)
