"""Do the borefield fluid temperatures of a result stay within design limits?

:func:`limits_verdict` compares the monthly fluid extremes of a result
(``T_<which>_<check>_<min|max>``, dims (year, month), °C, ±inf in months the borefield
pump never ran) with a lower and an upper limit of 12 monthly values (as
:func:`gshp.studies.sizing.parse_limit` returns them) and says which limit binds, where
and by how much. Results written before those variables existed only have the yearly
extremes of the outlet at every step (``T_bhe_out_min`` / ``T_bhe_out_max``, dim year):
the verdict then uses them against the strictest monthly limit and says so.

Used by ``gshp report`` (summary sentence) and by sizing (the same criterion).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gshp.errors import InputError

CRITERIA = {"mean": "fluid_mean", "inlet": "bhe_in", "outlet": "bhe_out"}
"""``criterion`` → the ``which`` part of the variable names."""
CHECKS = ("hourly", "step")
CRITERION_TEXT = {
    "mean": "Mean fluid temperature",
    "inlet": "Borefield inlet temperature",
    "outlet": "Borefield outlet temperature",
}
CHECK_TEXT = {"hourly": "hourly means", "step": "every time step"}
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")  # fmt: skip


@dataclass(frozen=True)
class LimitMargin:
    """How one limit fares: the tightest month over the run.

    ``margin_K`` = extreme − limit for the lower limit, limit − extreme for the upper one
    (negative: violated; +inf: the pump never ran). ``month`` is 1–12, or None when only
    yearly extremes were available.
    """

    limit: str  # "lower" or "upper"
    limit_C: float  # the limit in the binding month (the strictest one without months)
    extreme_C: float  # lowest (lower limit) or highest (upper limit) fluid temperature
    margin_K: float
    year: int
    month: int | None
    varies: bool = False  # the limit's 12 monthly values differ


@dataclass(frozen=True)
class Verdict:
    """The result of :func:`limits_verdict`.

    ``holds``: every month within both limits. ``binding``, ``year``, ``month``,
    ``margin_K``, ``extreme_C``: those of the limit with the smallest margin (the most
    violated, or the closest). ``lower`` / ``upper``: each limit's margin (None when not
    given). ``criterion`` / ``check``: what was compared; ``fallback`` is True when the
    result lacked the monthly extremes and the yearly outlet extremes at every step were
    used instead (then ``criterion`` = "outlet" and ``check`` = "step").
    """

    holds: bool
    binding: str
    year: int
    month: int | None
    margin_K: float
    extreme_C: float
    criterion: str
    check: str
    lower: LimitMargin | None
    upper: LimitMargin | None
    fallback: bool = False
    requested: tuple[str, str] = ("mean", "hourly")

    def sentence(self) -> str:
        """The verdict in one sentence, e.g. "Mean fluid temperature (hourly means)
        stays within 0.0 … 25.0 °C: lowest 1.3 °C in year 20, February (margin 1.3 K)"."""
        what = f"{CRITERION_TEXT[self.criterion]} ({CHECK_TEXT[self.check]})"
        lo, hi = self.lower, self.upper
        if (lo is not None and lo.varies) or (hi is not None and hi.varies):
            within = "within the monthly limits"
        elif lo is not None and hi is not None:
            within = f"within {_num(lo.limit_C)} … {_num(hi.limit_C)} °C"
        elif lo is not None:
            within = f"above {_num(lo.limit_C)} °C"
        else:
            within = f"below {_num(hi.limit_C)} °C"
        b = lo if self.binding == "lower" else hi
        if not np.isfinite(b.margin_K):
            return f"{what}: no month with the borefield pump running, nothing to check."
        if self.holds:
            head = f"{what} stays {within}"
        else:
            side = "falls below the lower" if self.binding == "lower" else "rises above the upper"
            head = f"{what} {side} limit"
            head += "" if b.varies else f" ({_num(b.limit_C)} °C)"
        word = "lowest" if self.binding == "lower" else "highest"
        when = f"year {self.year}" + (f", {MONTH_NAMES[self.month - 1]}" if self.month else "")
        against = f"limit {_num(b.limit_C)} °C, " if b.varies else ""
        text = (
            f"{head}: {word} {_num(self.extreme_C)} °C in {when} "
            f"({against}margin {_num(self.margin_K)} K)"
        )
        if self.fallback:
            req = f"{CRITERION_TEXT[self.requested[0]].lower()}, {CHECK_TEXT[self.requested[1]]}"
            text += (
                f". This result has no monthly fluid extremes ({req}): the yearly extremes "
                "of the borefield outlet at every step were compared with the strictest "
                "monthly limit"
            )
        return text + "."


def _num(v: float) -> str:
    s = f"{v:.1f}"
    return "0.0" if s == "-0.0" else s.replace("-", "−")


def monthly_extreme_names(criterion: str, check: str) -> tuple[str, str]:
    """Names of the monthly minimum and maximum of ``criterion`` / ``check``."""
    which = CRITERIA[criterion]
    return f"T_{which}_{check}_min", f"T_{which}_{check}_max"


def _limit_array(limit, where):
    if limit is None:
        return None
    a = np.atleast_1d(np.asarray(limit, dtype=float))
    if a.size == 1:
        a = np.repeat(a, 12)
    if a.size != 12 or not np.all(np.isfinite(a)):
        raise InputError.single(where, list(a), "one value or 12 monthly values (°C)")
    return a


def limits_verdict(ds, t_min_C, t_max_C, criterion: str = "mean", check: str = "hourly"):
    """Whether the borefield fluid of one result stays within ``t_min_C`` … ``t_max_C``.

    Parameters
    ----------
    ds : xarray.Dataset
        A result of one case (no ``case`` dimension, or one of length 1).
    t_min_C, t_max_C : 12 floats (°C, January first), a single float, or None
        The lower and upper limit (as :func:`gshp.studies.sizing.parse_limit` returns).
    criterion : {"mean", "inlet", "outlet"}
        Which fluid temperature: (inlet + outlet)/2, the borefield inlet or outlet.
    check : {"hourly", "step"}
        Hourly means over the steps with the pump running, or every such step.

    Returns
    -------
    Verdict or None
        None when neither limit is given.
    """
    if criterion not in CRITERIA:
        raise InputError.single("criterion", criterion, "one of " + ", ".join(CRITERIA))
    if check not in CHECKS:
        raise InputError.single("check", check, "one of " + ", ".join(CHECKS))
    lo = _limit_array(t_min_C, "lower limit")
    hi = _limit_array(t_max_C, "upper limit")
    if lo is None and hi is None:
        return None
    if "case" in ds.dims:
        if ds.sizes["case"] != 1:
            raise InputError.single("result", f"{ds.sizes['case']} cases", "one case")
        ds = ds.isel(case=0)
    years = np.asarray(ds["year"].values).astype(int)
    name_min, name_max = monthly_extreme_names(criterion, check)
    fallback = name_min not in ds or name_max not in ds
    if fallback:
        if "T_bhe_out_min" not in ds or "T_bhe_out_max" not in ds:
            raise InputError.single(
                "result", f"no {name_min} nor T_bhe_out_min", "a result of gshp run"
            )
        t_min = np.asarray(ds["T_bhe_out_min"].values, dtype=float)[:, None]
        t_max = np.asarray(ds["T_bhe_out_max"].values, dtype=float)[:, None]
        lo_m = None if lo is None else np.array([lo.max()])  # the strictest month
        hi_m = None if hi is None else np.array([hi.min()])
        months = None
    else:
        t_min = ds[name_min].transpose("year", "month").values.astype(float)
        t_max = ds[name_max].transpose("year", "month").values.astype(float)
        months = np.asarray(ds["month"].values).astype(int)
        lo_m = None if lo is None else lo[months - 1]
        hi_m = None if hi is None else hi[months - 1]
    # NaN (a year not simulated) never binds; ±inf (pump off) gives an infinite margin
    t_min = np.where(np.isnan(t_min), np.inf, t_min)
    t_max = np.where(np.isnan(t_max), -np.inf, t_max)

    def margin(kind, limits, values):
        if limits is None:
            return None
        m = values - limits[None, :] if kind == "lower" else limits[None, :] - values
        y, k = np.unravel_index(int(np.argmin(m)), m.shape)  # the first of equal minima
        out = LimitMargin(
            limit=kind,
            limit_C=float(limits[k]),
            extreme_C=float(values[y, k]),
            margin_K=float(m[y, k]),
            year=int(years[y]),
            month=None if months is None else int(months[k]),
            varies=bool(np.ptp(lo if kind == "lower" else hi) > 0),
        )
        return out

    lower = margin("lower", lo_m, t_min)
    upper = margin("upper", hi_m, t_max)
    cands = [m for m in (lower, upper) if m is not None]
    b = min(cands, key=lambda m: m.margin_K)
    return Verdict(
        holds=all(m.margin_K >= 0 for m in cands),
        binding=b.limit,
        year=b.year,
        month=b.month,
        margin_K=b.margin_K,
        extreme_C=b.extreme_C,
        criterion="outlet" if fallback else criterion,
        check="step" if fallback else check,
        lower=lower,
        upper=upper,
        fallback=fallback,
        requested=(criterion, check),
    )
