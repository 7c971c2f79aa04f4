"""Climate: hourly air temperature and global horizontal irradiance for one 365-day year.

Three sources give the same table (a :class:`pandas.DataFrame` of 8760 rows, index
``hour`` = hour of the year 0…8759, hour 0 = 1 Jan 00:00–01:00, columns ``T_air`` in °C
and ``ghi`` in W/m², hourly means; ``df.attrs`` holds ``latitude_deg``, ``source`` and
``name``):

* :func:`preset` — deterministic synthetic weather (``helsinki``, ``berlin``,
  ``strasbourg``) calibrated to the monthly statistics of docs/reference-study.md §8: monthly
  mean air temperature and mean daily irradiation are met exactly, the standard deviation of the
  daily means within each month and the mean daily temperature range to a few percent.
* :func:`read_epw` — EnergyPlus weather files as published (8 header lines, 35
  comma-separated fields per hourly record).
* :func:`read_try` — DWD test reference years (.dat, TRY 2010 and TRY 2015/2017/2045).

``df.attrs`` also holds ``longitude_deg`` and ``utc_offset_h`` (the clock of the rows):
EPW LOCATION fields 8 and 9; DWD TRY: the header position, CET (UTC+1); presets: the
station of their statistics, local standard time.

Solar geometry, irradiance decomposition and transposition come from pvlib (Holmgren,
W.F., Hansen, C.W. and Mikofski, M.A. (2018), *J. Open Source Software* 3(29): 884):
:func:`solar_position` (NREL SPA), :func:`clear_sky_hourly` (Haurwitz),
:func:`sky_components` (Erbs), :func:`tilted_irradiance` (isotropic sky).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib

from gshp.errors import InputError, Problem

HOURS = 8760
DAYS = 365
#: Days in each month of a 365-day year.
MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
#: Index of the month (0…11) of every day of the year.
DAY_MONTH = np.repeat(np.arange(12), MONTH_DAYS)
#: Index of the month (0…11) of every hour of the year.
HOUR_MONTH = np.repeat(DAY_MONTH, 24)

#: Reference study §8 statistics: T mean (°C), daily range (K), sd of daily means (K),
#: GHI (kWh/m²/d).
PRESET_STATS: dict[str, dict] = {
    "helsinki": dict(
        latitude_deg=60.32,  # Helsinki-Vantaa (IWEC station)
        longitude_deg=24.97,
        utc_offset_h=2.0,  # EET
        T_mean=[-3.9, -5.7, -1.0, 3.7, 9.9, 14.0, 16.7, 15.8, 10.2, 5.9, -1.3, -3.0],
        T_range=[6.4, 6.2, 4.6, 8.0, 10.2, 8.1, 10.1, 8.4, 7.5, 5.7, 3.8, 3.7],
        T_sd=[5.1, 4.9, 2.4, 2.6, 3.0, 2.9, 2.8, 2.7, 2.3, 2.5, 4.6, 4.0],
        ghi=[0.25, 0.91, 1.87, 3.58, 5.31, 5.74, 5.44, 4.02, 2.35, 1.12, 0.31, 0.12],
    ),
    "berlin": dict(
        latitude_deg=52.38,  # Potsdam (DWD TRY 2010 region 4)
        longitude_deg=13.06,
        utc_offset_h=1.0,  # CET
        T_mean=[1.0, 1.9, 4.7, 9.2, 14.1, 16.7, 19.0, 18.6, 14.3, 9.5, 4.1, 0.9],
        T_range=[5.1, 5.1, 8.4, 10.9, 10.6, 10.8, 9.8, 9.9, 8.6, 7.4, 5.2, 4.1],
        T_sd=[5.1, 3.9, 3.5, 3.8, 3.8, 3.5, 3.2, 3.0, 3.0, 3.5, 3.8, 3.9],
        ghi=[0.70, 1.06, 2.33, 4.56, 5.32, 5.81, 5.05, 4.33, 3.07, 1.86, 0.74, 0.41],
    ),
    "strasbourg": dict(
        latitude_deg=48.58,  # Strasbourg (statistics: DWD TRY 2010 region 12, Mannheim)
        longitude_deg=7.75,
        utc_offset_h=1.0,  # CET
        T_mean=[2.4, 3.6, 7.1, 10.6, 15.6, 18.1, 20.1, 20.2, 15.7, 11.0, 5.7, 3.1],
        T_range=[5.5, 7.2, 11.3, 9.7, 10.2, 11.0, 10.9, 10.2, 8.5, 9.1, 6.0, 5.4],
        T_sd=[4.5, 4.5, 3.1, 3.2, 3.3, 3.5, 3.0, 2.9, 2.2, 2.8, 3.0, 4.1],
        ghi=[0.80, 1.41, 3.14, 3.32, 4.63, 5.91, 5.33, 4.58, 2.86, 2.15, 0.91, 0.66],
    ),
}
PRESETS = tuple(PRESET_STATS)


# ------------------------------------------------------------------------------------
# Solar geometry (pvlib)
# ------------------------------------------------------------------------------------

#: Calendar year in which the 365-day weather table is placed for solar geometry (any
#: non-leap year; the sun's position repeats to within 0.01° from year to year).
SOLAR_YEAR = 2019


def site(weather) -> tuple[float, float, float]:
    """Latitude (°N), longitude (°E) and UTC offset of the clock (h) of a weather table.

    Read from ``weather.attrs`` (``latitude_deg``, ``longitude_deg``, ``utc_offset_h``).
    A table without a longitude is placed on the meridian of its time zone (solar time =
    clock time, 15° per hour); one without a time zone uses the zone of its longitude
    (rounded to the hour).
    """
    a = weather.attrs
    return _site(a["latitude_deg"], a.get("longitude_deg"), a.get("utc_offset_h"))


def _site(lat, lon, tz):
    if lon is None and tz is None:
        lon, tz = 0.0, 0.0
    elif lon is None:
        lon = 15.0 * float(tz)
    elif tz is None:
        tz = float(round(float(lon) / 15.0))
    return float(lat), float(lon), float(tz)


def hour_midpoints(utc_offset_h: float = 0.0) -> pd.DatetimeIndex:
    """Middle of each hour of the 365-day year (8760 time stamps, local standard time).

    Hour k of the weather table is the interval [k, k+1) h after 1 January 00:00 of the
    clock of UTC offset ``utc_offset_h`` (EPW and DWD TRY label it by its end, hour k+1);
    its mean sun is taken at k + 0.5 h, as in pvlib's examples for hourly data.
    """
    tz = dt.timezone(dt.timedelta(hours=float(utc_offset_h)))
    return pd.date_range(f"{SOLAR_YEAR}-01-01 00:30", periods=HOURS, freq="h", tz=tz)


def solar_position(latitude_deg, longitude_deg=None, utc_offset_h=None) -> pd.DataFrame:
    """Sun position at the middle of every hour of the year (pvlib, NREL SPA).

    Reda, I. and Andreas, A. (2004), *Solar position algorithm for solar radiation
    applications*, Solar Energy 76: 577–589, as :func:`pvlib.solarposition.get_solarposition`.

    Parameters
    ----------
    latitude_deg, longitude_deg : float
        Site (°N, °E). Longitude None → the time zone's meridian (see :func:`site`).
    utc_offset_h : float
        Offset of the weather's clock from UTC (h, e.g. 1 for CET).

    Returns
    -------
    pandas.DataFrame
        8760 rows indexed by :func:`hour_midpoints`; pvlib's columns (``zenith``,
        ``apparent_zenith``, ``azimuth`` (° from north, east = 90), …).
    """
    lat, lon, tz = _site(latitude_deg, longitude_deg, utc_offset_h)
    return pvlib.solarposition.get_solarposition(hour_midpoints(tz), lat, lon)


def hourly_mean_cos_zenith(latitude_deg, longitude_deg=None, utc_offset_h=None):
    """Cosine of the solar zenith angle at the middle of every hour (8760 values, ≥ 0)."""
    z = solar_position(latitude_deg, longitude_deg, utc_offset_h)["zenith"].to_numpy()
    return np.maximum(np.cos(np.radians(z)), 0.0)


def clear_sky_hourly(latitude_deg, longitude_deg=None, utc_offset_h=None):
    """Hourly clear-sky GHI (W/m², 8760 values), Haurwitz, B. (1945), *J. Meteorology*
    2: 154–166, as :func:`pvlib.clearsky.haurwitz` at the middle of every hour."""
    sp = solar_position(latitude_deg, longitude_deg, utc_offset_h)
    return pvlib.clearsky.haurwitz(sp["apparent_zenith"])["ghi"].to_numpy(dtype=np.float64)


# ------------------------------------------------------------------------------------
# Synthetic weather
# ------------------------------------------------------------------------------------


def _ar1(rng, n, rho):
    """Standard-normal AR(1) series of length n with lag-1 correlation rho."""
    e = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = e[0]
    s = math.sqrt(1.0 - rho * rho)
    for i in range(1, n):
        x[i] = rho * x[i - 1] + s * e[i]
    return x


def _monthly_climatology(values):
    """Smooth daily climatology (365 values) whose monthly means equal ``values``.

    Periodic linear interpolation between mid-month points, then corrected month by
    month (a few sweeps) so each month's mean is exact.
    """
    values = np.asarray(values, dtype=np.float64)
    mid = np.cumsum(MONTH_DAYS) - MONTH_DAYS / 2.0
    days = np.arange(DAYS) + 0.5
    anchors = values.copy()
    for _ in range(30):
        xp = np.concatenate([mid - DAYS, mid, mid + DAYS])
        clim = np.interp(days, xp, np.tile(anchors, 3))
        err = values - _month_mean_daily(clim)
        anchors += err
        if np.max(np.abs(err)) < 1e-9:
            break
    return clim


def _month_mean_daily(daily):
    return np.bincount(DAY_MONTH, weights=daily, minlength=12) / MONTH_DAYS


def _month_sd_daily(daily):
    m = _month_mean_daily(daily)
    dev = daily - m[DAY_MONTH]
    return np.sqrt(np.bincount(DAY_MONTH, weights=dev * dev, minlength=12) / MONTH_DAYS)


def _diurnal_shape(hour):
    """Zero-mean diurnal temperature shape of unit peak-to-peak, max 15 h, min 5 h.

    Two harmonics (a common approximation of the diurnal cycle, e.g. Parton & Logan
    1981 in spirit); the second harmonic makes the morning rise steeper than the
    evening fall.
    """
    w = 2.0 * np.pi * (np.asarray(hour, dtype=np.float64) + 0.5) / 24.0
    s = np.cos(w - 2.0 * np.pi * 15.0 / 24.0) + 0.25 * np.cos(2.0 * w - 2.0 * np.pi * 9.0 / 12.0)
    grid = 2.0 * np.pi * (np.arange(240) / 10.0 + 0.5) / 24.0
    g = np.cos(grid - 2.0 * np.pi * 15.0 / 24.0) + 0.25 * np.cos(
        2.0 * grid - 2.0 * np.pi * 9.0 / 12.0
    )
    return s / (g.max() - g.min())


def synthetic_year(stats: dict, seed: int = 0, name: str = "synthetic") -> pd.DataFrame:
    """Deterministic synthetic hourly weather calibrated to monthly statistics.

    Method (a simple stochastic weather generator in the spirit of Richardson 1981,
    *Water Resour. Res.* 17: 182–190):

    1. daily clearness weights: AR(1) Gaussian (lag-1 ρ = 0.5) through a logistic map;
       hourly GHI = weight × clear-sky profile (Haurwitz) of that day, scaled month by
       month so the monthly irradiation is exact, never above 1.05 × clear sky;
    2. daily mean temperature: a smooth climatology with exact monthly means plus an
       AR(1) anomaly (ρ = 0.7), correlated with the clearness anomaly (+0.4 in
       April–September: sunny days are warm; −0.4 otherwise: clear winter days are
       cold), scaled per month so the standard deviation of daily means matches;
    3. daily range = monthly mean range × (0.55 + 0.45 × relative clearness), imposed
       with a two-harmonic diurnal shape; hourly values are linearly interpolated
       between consecutive days' means so there is no jump at midnight, then the
       monthly means and standard deviations are restored by two correction sweeps.

    Parameters
    ----------
    stats : dict
        ``latitude_deg``, optional ``longitude_deg`` and ``utc_offset_h`` (see
        :func:`site`); 12-value lists ``T_mean`` (°C), ``T_range`` (K), ``T_sd`` (K),
        ``ghi`` (kWh/m²/day).
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    pandas.DataFrame
        8760 rows, columns ``T_air`` (°C) and ``ghi`` (W/m²).
    """
    rng = np.random.default_rng(seed)
    lat = float(stats["latitude_deg"])
    lon = stats.get("longitude_deg")
    tz = stats.get("utc_offset_h")
    T_mean = np.asarray(stats["T_mean"], dtype=np.float64)
    T_range = np.asarray(stats["T_range"], dtype=np.float64)
    T_sd = np.asarray(stats["T_sd"], dtype=np.float64)
    ghi_month = np.asarray(stats["ghi"], dtype=np.float64) * 1000.0 / 24.0  # W/m² mean

    # --- irradiance -----------------------------------------------------------------
    clear = clear_sky_hourly(lat, lon, tz)
    z_kt = _ar1(rng, DAYS, 0.5)
    weight = 1.0 / (1.0 + np.exp(-(0.4 + 1.3 * z_kt)))  # 0…1 daily clearness weight
    ghi = clear * np.repeat(weight, 24)
    cap = 1.05 * clear
    for _ in range(50):
        month_mean = np.bincount(HOUR_MONTH, weights=ghi, minlength=12) / (MONTH_DAYS * 24)
        factor = np.where(month_mean > 0, ghi_month / np.maximum(month_mean, 1e-12), 1.0)
        ghi = np.minimum(ghi * factor[HOUR_MONTH], cap)
        if np.max(np.abs(factor - 1.0)) < 1e-10:
            break
    daily_ghi = ghi.reshape(DAYS, 24).mean(axis=1)
    daily_clear = clear.reshape(DAYS, 24).mean(axis=1)
    kt_rel = daily_ghi / np.maximum(daily_clear, 1e-9)
    kt_rel = kt_rel / np.maximum(_month_mean_daily(kt_rel)[DAY_MONTH], 1e-9)

    # --- daily mean temperature -----------------------------------------------------
    clim = _monthly_climatology(T_mean)
    summer = (DAY_MONTH >= 3) & (DAY_MONTH <= 8)
    c = np.where(summer, 0.4, -0.4)
    z_T = c * z_kt + np.sqrt(1.0 - c * c) * _ar1(rng, DAYS, 0.7)

    # --- daily range and hourly assembly ---------------------------------------------
    rng_day = T_range[DAY_MONTH] * (0.55 + 0.45 * kt_rel)
    rng_day *= (T_range / _month_mean_daily(rng_day))[DAY_MONTH]
    shape = np.tile(_diurnal_shape(np.arange(24)), DAYS)
    hours = np.arange(HOURS) + 0.5
    centres = np.arange(DAYS) * 24.0 + 12.0

    scale = T_sd.copy()
    for _ in range(6):
        anomaly = z_T - _month_mean_daily(z_T)[DAY_MONTH]
        anomaly = anomaly / np.maximum(_month_sd_daily(anomaly)[DAY_MONTH], 1e-12)
        daily = clim + scale[DAY_MONTH] * anomaly
        # periodic interpolation of daily means, then the diurnal cycle
        base = np.interp(
            hours,
            np.concatenate([[centres[-1] - HOURS], centres, [centres[0] + HOURS]]),
            np.concatenate([[daily[-1]], daily, [daily[0]]]),
        )
        T = base + np.repeat(rng_day, 24) * shape
        Th = T.reshape(DAYS, 24)
        sd_now = _month_sd_daily(Th.mean(axis=1))
        scale = scale * T_sd / np.maximum(sd_now, 1e-9)
        range_now = _month_mean_daily(Th.max(axis=1) - Th.min(axis=1))
        rng_day = rng_day * (T_range / np.maximum(range_now, 1e-9))[DAY_MONTH]
    T_daily = T.reshape(DAYS, 24).mean(axis=1)
    offset = T_mean - _month_mean_daily(T_daily)
    T = T + offset[HOUR_MONTH]

    df = pd.DataFrame(
        {"T_air": T, "ghi": ghi}, index=pd.RangeIndex(HOURS, name="hour"), dtype=np.float64
    )
    df.attrs.update(
        latitude_deg=lat,
        longitude_deg=None if lon is None else float(lon),
        utc_offset_h=None if tz is None else float(tz),
        source="synthetic",
        name=name,
        seed=int(seed),
    )
    return df


def preset(name: str, seed: int = 0) -> pd.DataFrame:
    """Synthetic weather of a built-in preset (reference study §8), deterministic for a seed.

    Parameters
    ----------
    name : {'helsinki', 'berlin', 'strasbourg'}
    seed : int
        Seed of the day-to-day variation; the monthly statistics hold for every seed.

    Returns
    -------
    pandas.DataFrame
        8760 hourly rows, ``T_air`` (°C), ``ghi`` (W/m²); attrs ``latitude_deg``,
        ``longitude_deg``, ``utc_offset_h`` of the station of the statistics (Helsinki:
        24.97° E, UTC+2; Berlin/Potsdam: 13.06° E, UTC+1; Strasbourg: 7.75° E, UTC+1).
    """
    key = str(name).lower()
    if key not in PRESET_STATS:
        raise InputError.single("climate.preset", name, f"one of {', '.join(PRESETS)}")
    return synthetic_year(PRESET_STATS[key], seed=seed, name=key)


def monthly_statistics(df: pd.DataFrame) -> pd.DataFrame:
    """Monthly statistics of an hourly table, in the form of the reference study §8.

    Returns a DataFrame indexed by month 1…12 with ``T_mean`` (°C), ``T_range`` (K, mean
    daily max − min), ``T_sd`` (K, sd of daily means within the month, population) and
    ``ghi`` (kWh/m²/day).
    """
    T = df["T_air"].to_numpy().reshape(DAYS, 24)
    g = df["ghi"].to_numpy().reshape(DAYS, 24)
    daily = T.mean(axis=1)
    out = pd.DataFrame(
        {
            "T_mean": _month_mean_daily(daily),
            "T_range": _month_mean_daily(T.max(axis=1) - T.min(axis=1)),
            "T_sd": _month_sd_daily(daily),
            "ghi": _month_mean_daily(g.sum(axis=1)) / 1000.0,
        },
        index=pd.RangeIndex(1, 13, name="month"),
    )
    return out


# ------------------------------------------------------------------------------------
# Readers
# ------------------------------------------------------------------------------------


def _table(T, ghi, latitude, source, name, longitude=None, utc_offset_h=None):
    df = pd.DataFrame(
        {"T_air": np.asarray(T, dtype=np.float64), "ghi": np.asarray(ghi, dtype=np.float64)},
        index=pd.RangeIndex(HOURS, name="hour"),
    )
    df.attrs.update(
        latitude_deg=latitude,
        longitude_deg=longitude,
        utc_offset_h=utc_offset_h,
        source=source,
        name=name,
    )
    return df


def _check_calendar(path, months, days, hours, lines, problems, hour_base):
    """Check rows run through a 365-day year in order; return indices to keep.

    Drops 29 February (leap-year files) and reports rows out of order.
    """
    months = np.asarray(months)
    days = np.asarray(days)
    keep = ~((months == 2) & (days == 29))
    idx = np.nonzero(keep)[0]
    if idx.size != HOURS:
        problems.append(
            Problem(
                "records",
                f"{idx.size} hourly records (after removing 29 February)",
                "a whole year: 8760 records (8784 in a leap year)",
            )
        )
        return idx
    exp_m = HOUR_MONTH + 1
    day_in_month = np.concatenate([np.arange(1, d + 1) for d in MONTH_DAYS])
    exp_d = np.repeat(day_in_month, 24)
    exp_h = np.tile(np.arange(24) + hour_base, DAYS)
    bad = np.nonzero(
        (months[idx] != exp_m) | (days[idx] != exp_d) | (np.asarray(hours)[idx] != exp_h)
    )[0]
    for b in bad[:5]:
        i = idx[b]
        problems.append(
            Problem(
                f"line {lines[i]}",
                f"month {months[i]} day {days[i]} hour {hours[i]}",
                f"expected month {exp_m[b]} day {exp_d[b]} hour {exp_h[b]} "
                "(hourly records of one year, in order)",
            )
        )
    return idx


def read_epw(path) -> pd.DataFrame:
    """Read an EnergyPlus weather file (.epw) as published.

    Format (EnergyPlus *Auxiliary Programs*, "Weather Converter Program", EPW data
    dictionary): 8 header lines (LOCATION, DESIGN CONDITIONS, TYPICAL/EXTREME PERIODS,
    GROUND TEMPERATURES, HOLIDAYS/DAYLIGHT SAVINGS, COMMENTS 1, COMMENTS 2, DATA
    PERIODS), then one record per hour with 35 comma-separated fields: year, month, day,
    hour (1…24, the hour *ending* at that time), minute, data source flags, dry bulb
    temperature (°C, field 7), …, global horizontal radiation (Wh/m² over the
    preceding hour, field 14), … . LOCATION gives latitude in its 7th field. Leap-year
    files (8784 records) lose 29 February. Missing values (dry bulb 99.9, GHI 9999) are
    errors.

    Returns
    -------
    pandas.DataFrame
        8760 rows, ``T_air`` (°C), ``ghi`` (W/m², hourly mean = Wh/m² per hour);
        attrs ``latitude_deg``, ``name`` (city), ``source`` (the path).
    """
    path = Path(path)
    text = read_text_any(path, "a readable EPW file")
    lines = text.splitlines()
    problems: list[Problem] = []
    if len(lines) < 9 or not lines[0].upper().startswith("LOCATION"):
        raise InputError.single(
            f"{path}, line 1",
            lines[0][:40] if lines else "empty file",
            "an EPW file: 8 header lines starting with 'LOCATION,...'",
        )
    loc = lines[0].split(",")
    latitude = None
    city = loc[1].strip() if len(loc) > 1 else ""
    try:
        latitude = float(loc[6])
        if not -90.0 <= latitude <= 90.0:
            raise ValueError
    except (IndexError, ValueError):
        problems.append(Problem("line 1", lines[0][:60], "LOCATION with latitude (°) as field 7"))
    if not lines[7].upper().startswith("DATA PERIODS"):
        problems.append(Problem("line 8", lines[7][:40], "the 'DATA PERIODS' header line"))
    months, days, hours, T, G, line_no = [], [], [], [], [], []
    for k, line in enumerate(lines[8:], start=9):
        if not line.strip():
            continue
        f = line.split(",")
        if len(f) < 35:
            problems.append(Problem(f"line {k}", f"{len(f)} fields", "35 comma-separated fields"))
            if len(problems) > 10:
                break
            continue
        try:
            mo, dy, hr = int(f[1]), int(f[2]), int(float(f[3]))
            t, g = float(f[6]), float(f[13])
        except ValueError:
            problems.append(
                Problem(
                    f"line {k}",
                    ",".join(f[:7])[:50],
                    "numbers in month, day, hour, dry bulb (field 7) and GHI (field 14)",
                )
            )
            if len(problems) > 10:
                break
            continue
        if not -70.0 <= t <= 70.0:
            problems.append(Problem(f"line {k}, dry bulb (field 7)", t, "°C in [-70, 70]"))
        if not 0.0 <= g <= 1500.0:
            problems.append(
                Problem(f"line {k}, global horizontal (field 14)", g, "Wh/m² in [0, 1500]")
            )
        months.append(mo)
        days.append(dy)
        hours.append(hr)
        T.append(t)
        G.append(g)
        line_no.append(k)
    if problems:
        raise InputError(problems[:10], source=str(path))
    idx = _check_calendar(path, months, days, hours, line_no, problems, hour_base=1)
    if problems:
        raise InputError(problems, source=str(path))
    T = np.asarray(T)[idx]
    G = np.asarray(G)[idx]
    return _table(T, G, latitude, str(path), city, *_epw_longitude_zone(loc))


#: Column order of DWD TRY 2015/2017/2045 data rows.
TRY_COLUMNS_2017 = "RW HW MM DD HH t p WR WG N x RF B D A E IL".split()
#: Column order of DWD TRY 2010/2011 data rows.
TRY_COLUMNS_2010 = "RG IS MM DD HH N WR WG t p x RF B D A E IL".split()


def lambert_to_latlon(easting_m, northing_m):
    """ETRS89 Lambert conformal conic (EPSG:3034) → latitude, longitude (°).

    The projection of the DWD TRY 2015/2017 headers (``Rechtswert``, ``Hochwert``):
    standard parallels 35° and 65° N, origin 52° N 10° E, false easting 4 000 km,
    false northing 2 800 km, GRS80 ellipsoid. Inverse by Snyder, J.P. (1987), *Map
    Projections — A Working Manual*, USGS PP 1395, eqs. 15-1…15-11, 7-9.
    """
    a = 6378137.0
    f = 1.0 / 298.257222101
    e = math.sqrt(2 * f - f * f)
    p1, p2, p0, l0 = map(math.radians, (35.0, 65.0, 52.0, 10.0))

    def m(p):
        return math.cos(p) / math.sqrt(1 - (e * math.sin(p)) ** 2)

    def t(p):
        s = e * math.sin(p)
        return math.tan(math.pi / 4 - p / 2) / ((1 - s) / (1 + s)) ** (e / 2)

    n = (math.log(m(p1)) - math.log(m(p2))) / (math.log(t(p1)) - math.log(t(p2)))
    F = m(p1) / (n * t(p1) ** n)
    rho0 = a * F * t(p0) ** n
    x = easting_m - 4000000.0
    y = rho0 - (northing_m - 2800000.0)
    rho = math.copysign(math.hypot(x, y), n)
    tt = (rho / (a * F)) ** (1 / n)
    theta = math.atan2(x, y)
    phi = math.pi / 2 - 2 * math.atan(tt)
    for _ in range(20):
        s = e * math.sin(phi)
        phi_new = math.pi / 2 - 2 * math.atan(tt * ((1 - s) / (1 + s)) ** (e / 2))
        if abs(phi_new - phi) < 1e-13:
            phi = phi_new
            break
        phi = phi_new
    return math.degrees(phi), math.degrees(theta / n + l0)


def _header_value(header, key):
    for line in header:
        if line.strip().lower().startswith(key.lower()) and ":" in line:
            m = re.search(r":\s*(-?\d+(?:\.\d+)?)", line)
            if m:
                return float(m.group(1))
    return None


def _header_latitude(header):
    """Latitude from a TRY header: 'Lage: 52°23'N …' (TRY 2010) or Rechtswert/Hochwert."""
    for line in header:
        m = re.search(r"(\d+(?:\.\d+)?)\s*°\s*(\d+(?:\.\d+)?)?\s*'?\s*N", line)
        if m and ("lage" in line.lower() or "breite" in line.lower()):
            return float(m.group(1)) + (float(m.group(2)) / 60.0 if m.group(2) else 0.0)
    rw = _header_value(header, "Rechtswert")
    hw = _header_value(header, "Hochwert")
    if rw is not None and hw is not None:
        return lambert_to_latlon(rw, hw)[0]
    return None


def _epw_longitude_zone(loc):
    """Longitude (°E) and time zone (h from UTC) of an EPW LOCATION line's fields 8, 9
    (None where absent or out of range)."""
    out = []
    for i, lim in ((7, 180.0), (8, 14.0)):
        try:
            v = float(loc[i])
            out.append(v if -lim <= v <= lim else None)
        except (IndexError, ValueError):
            out.append(None)
    return out


def _header_longitude(header):
    """Longitude from a TRY header: 'Lage: … 6°58'O' (TRY 2010) or Rechtswert/Hochwert."""
    for line in header:
        m = re.search(r"(\d+(?:\.\d+)?)\s*°\s*(\d+(?:\.\d+)?)?\s*'?\s*[OE]\b", line)
        if m and ("lage" in line.lower() or "länge" in line.lower()):
            return float(m.group(1)) + (float(m.group(2)) / 60.0 if m.group(2) else 0.0)
    rw = _header_value(header, "Rechtswert")
    hw = _header_value(header, "Hochwert")
    if rw is not None and hw is not None:
        return lambert_to_latlon(rw, hw)[1]
    return None


def try_position_problem(path) -> Problem | None:
    """Why the header of the TRY file ``path`` gives no position (no ``Lage:`` line with
    a latitude, no ``Rechtswert``/``Hochwert``), or None when it gives one or the file is
    no TRY file (its other problems are reported by :func:`read_try`).

    Reads the header only (up to the ``***`` line): used by the case check, which knows
    whether ``climate.latitude_deg`` replaces the file's position.
    """
    try:
        lines = read_text_any(Path(path), "a readable TRY file").splitlines()
    except InputError:
        return None
    star = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("***")), None)
    if star is None or lines[0].upper().startswith("LOCATION"):
        return None
    if _header_latitude(lines[:star]) is not None:
        return None
    return Problem(
        f"climate.weather_file {path}, header (lines 1–{star + 1})",
        "no position",
        "a 'Lage: 52°23'N …' line (TRY 2010) or 'Rechtswert'/'Hochwert' lines (TRY "
        "2015/2045) giving the site's position, or climate.latitude_deg in the case",
    )


def read_try(path) -> pd.DataFrame:
    """Read a DWD test reference year (.dat) as published.

    Format (DWD/BBSR, *Handbuch Ortsgenaue Testreferenzjahre*, 2017, and the TRY 2010
    *Handbuch*, 2011): free-text header lines (``Koordinatensystem``, ``Rechtswert``,
    ``Hochwert``, ``Hoehenlage`` …), a line of column names and a line beginning with
    ``***``; then one whitespace-separated row per hour with MM DD HH (HH = 1…24, the
    hour ending at that time, CET). TRY 2015/2017/2045 columns ``RW HW MM DD HH t p WR
    WG N x RF B D A E IL``; TRY 2010 ``RG IS MM DD HH N WR WG t p x RF B D A E IL``. The
    column-name line before ``***`` is used when present. ``t`` is air temperature (°C),
    ``B`` direct and ``D`` diffuse horizontal irradiance (W/m², hourly means); GHI =
    B + D. Some published files repeat their first hourly record (an extra row with the
    same MM DD HH as the next one): the duplicate is dropped. TRY 2010 and 2015 files
    begin with a record of 31 December, hour 24, of the previous year: it is dropped.
    Headers may be UTF-8 or latin-1 (:func:`read_text_any`). Leap-year files lose
    29 February. Latitude: from a ``Lage`` line (TRY 2010) or from Rechtswert/Hochwert
    (Lambert conformal conic, :func:`lambert_to_latlon`).

    Returns
    -------
    pandas.DataFrame
        8760 rows, ``T_air`` (°C), ``ghi`` (W/m²); attrs ``latitude_deg`` (None if the
        header gives no position).
    """
    path = Path(path)
    lines = read_text_any(path, "a readable TRY file").splitlines()
    star = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("***")), None)
    if star is None:
        raise InputError.single(
            str(path), "no '***' line", "a DWD TRY .dat file: header ending with a '***' line"
        )
    header = lines[:star]
    columns = None
    for ln in reversed(header):
        toks = ln.split()
        if {"MM", "DD", "HH"} <= set(toks):
            columns = toks
            break
    if columns is None:
        columns = TRY_COLUMNS_2017 if _header_value(header, "Rechtswert") else TRY_COLUMNS_2010
    missing = [c for c in ("MM", "DD", "HH", "t", "B", "D") if c not in columns]
    if missing:
        raise InputError.single(
            f"{path}, line {star}", " ".join(columns), f"column names including {missing}"
        )
    ci = {c: columns.index(c) for c in ("MM", "DD", "HH", "t", "B", "D")}
    problems: list[Problem] = []
    rows, line_no = [], []
    for k, ln in enumerate(lines[star + 1 :], start=star + 2):
        toks = ln.split()
        if not toks:
            continue
        if len(toks) != len(columns):
            problems.append(Problem(f"line {k}", f"{len(toks)} columns", f"{len(columns)} columns"))
        else:
            try:
                rows.append([float(toks[ci[c]]) for c in ("MM", "DD", "HH", "t", "B", "D")])
                line_no.append(k)
            except ValueError:
                problems.append(Problem(f"line {k}", ln.strip()[:50], "numbers in every column"))
        if len(problems) >= 10:
            break
    if problems:
        raise InputError(problems, source=str(path))
    a = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
    if len(a) >= 2 and np.array_equal(a[0, :3], a[1, :3]):
        a = a[1:]
        line_no = line_no[1:]
    prev_year = len(a) >= 2 and np.array_equal(a[0, :3], (12, 31, 24))
    if prev_year and np.array_equal(a[1, :3], (1, 1, 1)):
        # TRY 2010/2015 files begin with the last hour of the previous year (31 Dec,
        # hour 24) so that interpolation can start at 0:00; the year proper follows
        a = a[1:]
        line_no = line_no[1:]
    for j, (lo, hi, what) in enumerate(
        [(-70.0, 70.0, "t (°C)"), (0.0, 1400.0, "B (W/m²)"), (0.0, 1000.0, "D (W/m²)")], start=3
    ):
        # written so that NaN (a 'nan' field parses as a float) is out of range too
        bad = np.nonzero(~((a[:, j] >= lo) & (a[:, j] <= hi)))[0]
        for b in bad[:3]:
            problems.append(
                Problem(f"line {line_no[b]}, {what}", a[b, j], f"a number in [{lo}, {hi}]")
            )
    if problems:
        raise InputError(problems, source=str(path))
    idx = _check_calendar(
        path, a[:, 0].astype(int), a[:, 1].astype(int), a[:, 2].astype(int), line_no, problems, 1
    )
    if problems:
        raise InputError(problems, source=str(path))
    a = a[idx]
    name = path.stem
    lon = _header_longitude(header)
    return _table(a[:, 3], a[:, 4] + a[:, 5], _header_latitude(header), str(path), name, lon, 1.0)


def read_text_any(path, what: str) -> str:
    """A text file's contents: UTF-8 (with or without a byte-order mark), else latin-1.

    Published weather files come in both encodings (DWD TRY 2010 headers write the degree
    sign in UTF-8, older EPW headers in latin-1); an unreadable file is an
    :class:`~gshp.errors.InputError` naming it.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError.single(str(path), "a folder", what) from None
    except OSError as exc:
        raise InputError.single(str(path), "unreadable", f"{what} ({exc.strerror})") from None
    if b"\x00" in data[:4096]:
        raise InputError.single(str(path), "a binary file", what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_weather_file(path) -> pd.DataFrame:
    """Read a weather file by its kind: ``.epw`` → :func:`read_epw`, else TRY if the
    contents have a ``***`` header end, else an EPW if it starts with ``LOCATION``."""
    path = Path(path)
    if path.suffix.lower() == ".epw":
        return read_epw(path)
    head = read_text_any(path, "a readable weather file (EPW or DWD TRY)")[:20000]
    if head.upper().startswith("LOCATION"):
        return read_epw(path)
    if any(ln.lstrip().startswith("***") for ln in head.splitlines()):
        return read_try(path)
    raise InputError.single(
        "climate.weather_file",
        str(path),
        "an EnergyPlus .epw file or a DWD TRY .dat file (header ending with '***')",
        source=str(path),
    )


def weather(climate_cfg, seed: int = 0) -> pd.DataFrame:
    """Hourly weather of a ``[climate]`` config section (preset or weather file).

    ``latitude_deg`` given in the section overrides the preset's or the file's.
    """
    wf = getattr(climate_cfg, "weather_file", None)
    name = getattr(climate_cfg, "preset", None)
    if wf is not None:
        df = read_weather_file(wf)
    elif name is not None:
        df = preset(name, seed=seed)
    else:
        raise InputError.single(
            "climate", "neither preset nor weather_file", "one of climate.preset or weather_file"
        )
    lat = getattr(climate_cfg, "latitude_deg", None)
    if lat is not None:
        df.attrs["latitude_deg"] = float(lat)
    if df.attrs.get("latitude_deg") is None:
        raise InputError.single(
            "climate.latitude_deg",
            None,
            f"a latitude in °; the weather file {wf} gives no position",
        )
    return df


# ------------------------------------------------------------------------------------
# Irradiance on tilted planes (pvlib)
# ------------------------------------------------------------------------------------


def sky_components(weather) -> pd.DataFrame:
    """Sun position and beam/diffuse split of a weather table's hourly GHI.

    Erbs, D.G., Klein, S.A. and Duffie, J.A. (1982), *Solar Energy* 28: 293–302, as
    :func:`pvlib.irradiance.erbs` (DNI and DHI from GHI and the clearness index), with the
    sun at the middle of each hour (:func:`solar_position`, the table's :func:`site`).

    Returns
    -------
    pandas.DataFrame
        8760 rows: ``ghi``, ``dni``, ``dhi`` (W/m²), ``zenith``, ``azimuth`` (°, pvlib
        convention: azimuth from north, east = 90).
    """
    lat, lon, tz = site(weather)
    sp = solar_position(lat, lon, tz)
    ghi = pd.Series(np.asarray(weather["ghi"], dtype=np.float64), index=sp.index)
    doy = sp.index.tz_convert("UTC").day_of_year.to_numpy()  # as pvlib does for times
    split = pvlib.irradiance.erbs(ghi, sp["zenith"], doy)
    return pd.DataFrame(
        {
            "ghi": ghi,
            "dni": split["dni"],
            "dhi": split["dhi"],
            "zenith": sp["zenith"],
            "azimuth": sp["azimuth"],
        }
    )


def tilted_irradiance(sky: pd.DataFrame, tilt_deg, azimuth_deg, albedo=0.2):
    """Hourly irradiance on a tilted plane (W/m², 8760 values), isotropic sky.

    Liu, B.Y.H. and Jordan, R.C. (1963), *Solar Energy* 7: 53–74; Duffie & Beckman (2013)
    eq. 2.15.1 — beam on the plane + isotropic sky diffuse + ground-reflected, as
    :func:`pvlib.irradiance.get_total_irradiance` with ``model='isotropic'``.

    Parameters
    ----------
    sky : DataFrame
        :func:`sky_components` of the weather.
    tilt_deg : float
        Plane tilt from horizontal (°).
    azimuth_deg : float
        Azimuth the plane faces (°; this package's convention 0 = south, −90 = east,
        +90 = west; pvlib's is 180 + this).
    albedo : float
        Ground reflectance (–).
    """
    poa = pvlib.irradiance.get_total_irradiance(
        surface_tilt=float(tilt_deg),
        surface_azimuth=180.0 + float(azimuth_deg),
        solar_zenith=sky["zenith"],
        solar_azimuth=sky["azimuth"],
        dni=sky["dni"],
        ghi=sky["ghi"],
        dhi=sky["dhi"],
        albedo=albedo,
        model="isotropic",
    )
    return np.nan_to_num(poa["poa_global"].to_numpy(dtype=np.float64))
