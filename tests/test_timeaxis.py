"""The vectorised CF time axes equal xarray's stamp-by-stamp ``date_range``."""

from __future__ import annotations

import cftime
import pytest
import xarray as xr

from gshp.io.timeaxis import month_start_axis, regular_axis
from gshp.station.assemble import time_axis


@pytest.mark.parametrize(
    ("n", "step_s", "freq"),
    [
        (3 * 8760, 3600, "h"),
        (2 * 365, 86400, "D"),
        (35040, 900, "15min"),
        (5000, 180, "180s"),
        (1000, 60, "60s"),
        (1, 3600, "h"),
    ],
)
def test_regular_axis_equals_date_range(n, step_s, freq):
    ref = xr.date_range("2001-01-01", periods=n, freq=freq, calendar="noleap", use_cftime=True)
    got = regular_axis(n, step_s)
    assert isinstance(got, xr.CFTimeIndex)
    assert got.calendar == "noleap"
    assert list(got) == list(ref)
    assert all(type(a) is cftime.DatetimeNoLeap for a in got[:3])
    if n:
        # no leap day in any year, and the last stamp is where the calendar says
        assert not any((d.month, d.day) == (2, 29) for d in got)
        assert got[-1] == ref[-1]


def test_time_axis_of_each_resolution():
    assert list(time_axis("hourly", 48, 180)) == list(regular_axis(48, 3600))
    assert list(time_axis("step", 20, 180)) == list(regular_axis(20, 180))
    m = time_axis("monthly", 24, 180)
    assert [(d.year, d.month, d.day) for d in m[:13]] == [(2001, k, 1) for k in range(1, 13)] + [
        (2002, 1, 1)
    ]
    assert m is month_start_axis(24)  # cached: cases of a sweep share the axis


def test_regular_axis_rejects_non_positive_step():
    with pytest.raises(ValueError, match="step_s"):
        regular_axis(3, 0)
