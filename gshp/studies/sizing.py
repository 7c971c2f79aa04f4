"""Borefield sizing on the full coupled simulation (docs/reference-study.md §6).

Finds the smallest borefield of a case — number of boreholes in a growing rectangle, or
length per borehole in the case's layout — that keeps the borefield fluid within given
limits over the whole simulated life while the circulation pump runs, and optionally keeps
the buildings' unmet heat below a bound. The case is a whole station (the ground load
follows the field) or a borefield alone driven by a ground load file (``kind =
"borefield"``, :mod:`gshp.station.borefield_only`).

Which temperature is limited (``criterion``, case field ``sizing.criterion``):

* ``mean`` (default): the mean fluid temperature (inlet + outlet)/2, the convention of
  EED, GHEtool and the ASHRAE method (which moves a heat-pump entering limit to the mean
  fluid by half the fluid's temperature change);
* ``inlet``: the fluid entering the boreholes (the coldest point of the loop in heating,
  where freezing starts);
* ``outlet``: the fluid leaving them (what reaches the evaporator; GHEDesigner's and the
  Ahmadfard & Bernier benchmark's heat pump entering fluid temperature).

docs/sizing.md describes the method for designers.

How often (``check``, ``sizing.check``): ``hourly`` (default) on hourly means of the steps
with the pump running, as the peers whose step is an hour; ``step`` at every time step
(stricter: the step's peaks count). The fluid must in any case stay above its freezing
point at the inlet at every step.

Method
------
1. The base case's first year is simulated at the search step; its hourly ground
   load feeds a classical first estimate (:func:`ashrae_length`, the ASHRAE handbook
   three-pulse method of Kavanaugh & Rafferty with the field's g-function in place of
   the temperature penalty, after Ahmadfard & Bernier 2019). The estimate seeds the
   search.
2. Bracketing search (exponential steps from the seed, then bisection) on the full
   coupled simulation at a coarse step (``search_step_s``, default 900 s).
3. The answer is re-checked at the case's own time step by the same search started at
   the coarse answer with unit steps, so that the size returned holds the limits at the
   case's step and the next smaller size violates them there.

The limits are checked on the borefield's monthly fluid extremes that every run
accumulates (``T_<point>_<check>_<min|max>``, :mod:`gshp.station.components.borefield`),
so that monthly limits hold in their month.

Growing rule (``vary="boreholes"``, rectangle layouts only): the spacing is kept and the
field is an n_x × n_y rectangle whose aspect ratio n_x/n_y stays within a factor 1.5 of
the case's; for every borehole count only the rectangle closest to the case's aspect
ratio is kept (:func:`rectangle_sequence`). The search runs over this list, so "one step
smaller" is the previous rectangle in it. ``vary="length"`` keeps the layout and changes
the length of every borehole in steps of ``length_step_m``.

Monotonicity of the constraints in the size is assumed (a larger field is never
worse); rectangles of different shape make this only approximately true.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from gshp.config import Case, load_case
from gshp.errors import InputError, Problem
from gshp.station.components.borefield import FLUID_POINTS, MONTHLY, monthly_name

MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
ASPECT_TOLERANCE = 1.5
"""Largest factor between a candidate rectangle's aspect ratio and the case's."""
HOUR_S = 3600.0
MONTH_S = 730.0 * HOUR_S
PULSE_H_S = 6.0 * HOUR_S
CRITERIA = tuple(FLUID_POINTS)
CHECKS = ("hourly", "step")
CRITERION_TEXT = {
    "mean": "mean fluid temperature (inlet + outlet)/2",
    "inlet": "borefield inlet temperature",
    "outlet": "borefield outlet temperature",
}
CHECK_TEXT = {"hourly": "hourly means while the pump runs", "step": "every time step"}


class SizingInfeasible(InputError):
    """The limits cannot be met by any field in the allowed range (CLI exit code 2)."""


# --------------------------------------------------------------------------- limits


def parse_limit(text, where: str):
    """Parse a temperature limit: one value, or 12 comma-separated monthly values (°C).

    Returns a tuple of 12 floats, or None for ``None``/empty input. Raises InputError
    naming ``where`` otherwise.
    """
    if text is None:
        return None
    if isinstance(text, (int, float)):
        values = [float(text)]
    elif isinstance(text, str):
        parts = [p.strip() for p in text.split(",")]
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise InputError.single(
                where, text, "one temperature in °C or 12 comma-separated monthly values"
            ) from None
    else:
        try:
            values = [float(v) for v in text]
        except (TypeError, ValueError):
            raise InputError.single(
                where, text, "one temperature in °C or 12 monthly values"
            ) from None
    if len(values) == 1:
        values = values * 12
    if len(values) != 12:
        raise InputError.single(where, text, f"one value or 12 monthly values (got {len(values)})")
    bad = [v for v in values if not (math.isfinite(v) and -60.0 <= v <= 100.0)]
    if bad:
        raise InputError.single(where, bad[0], "a temperature between −60 and 100 °C")
    return tuple(values)


# --------------------------------------------------------------------------- candidates


def rectangle_sequence(n_x: int, n_y: int, n_max: int, tolerance: float = ASPECT_TOLERANCE):
    """Rectangles (n_x, n_y) of growing borehole count that keep the aspect ratio.

    Every rectangle with aspect ratio within a factor ``tolerance`` of ``n_x/n_y`` and at
    most ``n_max`` boreholes is a candidate; for each borehole count the one closest to
    the case's aspect ratio (in log ratio; ties: fewer columns) is kept. The case's own
    rectangle is always in the list. Returns a list sorted by count.
    """
    r = n_x / n_y
    lt = math.log(tolerance) + 1e-12
    best: dict[int, tuple[float, int, int]] = {}
    for ny in range(1, n_max + 1):
        for nx in range(1, n_max // ny + 1):
            dev = abs(math.log(nx / ny / r))
            if dev > lt:
                continue
            n = nx * ny
            cand = (dev, nx, ny)
            if n not in best or cand < best[n]:
                best[n] = cand
    seq = [(v[1], v[2]) for _, v in sorted(best.items())]
    if n_x * n_y <= n_max and (n_x, n_y) not in seq:  # pragma: no cover - exact aspect
        seq.append((n_x, n_y))
        seq.sort(key=lambda s: s[0] * s[1])
    return seq


# --------------------------------------------------------------------------- one run


@dataclass
class Evaluation:
    """Outcome of one simulation of a candidate field."""

    size: float
    n_boreholes: int
    n_x: int
    n_y: int
    length_m: float
    time_step_s: int
    feasible: bool
    worst: str
    margin: float
    year: int
    month: int
    T_fluid_min_C: float
    T_fluid_max_C: float
    unmet_max_kWh: float
    wall_s: float
    checks: dict = field(default_factory=dict)


def run_monthly(prep):
    """Run a prepared case month by month; monthly step extremes and sums.

    Uses :func:`gshp.station.kernel.run_kernel` in chunks of one calendar month, reading and
    resetting the kernel's yearly extreme/shortfall accumulators after each chunk.
    The time-series accumulators are filled too; prepare the case with
    ``simulation.output_resolution = "monthly"`` to keep them small.
    Returns a dict of (n_years, 12) arrays: the borefield's monthly fluid extremes by
    their names (``T_fluid_mean_hourly_min`` …, °C, ±inf in a month the pump never ran),
    ``unmet_kWh`` (heating + cooling the buildings did not get: unmet_heat_year +
    unmet_cooling_year, the boosters outside their source range or capacity), and
    ``T_freeze_C``.
    """
    if prep.n_out > 100_000:
        raise ValueError("run_monthly: prepare the case with a monthly or daily output")
    from gshp.station.kernel import run_kernel
    from gshp.station.prepare import initial_state, kernel_buffers
    from gshp.station.records import NONFINITE_NAMES, STATUS_OK, yearly

    n_years = prep.n_years
    acc = kernel_buffers(prep)
    status = acc.status
    st = initial_state(prep)
    par = prep.params
    steps_per_day = par.clock.steps_per_day
    steps_per_year = par.clock.steps_per_year
    rows = {name: yearly(acc, name) for name in ("unmet_heat_year", "unmet_cooling_year")}
    unmet = np.zeros((n_years, 12))
    for y in range(n_years):
        k = y * steps_per_year
        for m in range(12):
            for col in rows.values():
                col[y] = 0.0
            k1 = k + MONTH_DAYS[m] * steps_per_day
            run_kernel(k, k1, par, st, acc)
            if status[0] != STATUS_OK:
                var = NONFINITE_NAMES[int(status[2])]
                raise FloatingPointError(
                    f"case {prep.case.name}: non-finite {var} at step {int(status[1])} "
                    f"(year {y + 1}, {MONTHS[m]})"
                )
            unmet[y, m] = (rows["unmet_heat_year"][y] + rows["unmet_cooling_year"][y]) / 3.6e6
            k = k1
    monthly = acc.borefield.monthly.reshape(n_years, 12, len(MONTHLY))
    out = {v.name: monthly[:, :, i].copy() for i, v in enumerate(MONTHLY)}
    return dict(out, unmet_kWh=unmet, T_freeze_C=float(prep.info["T_freeze_C"]))


def monthly_summary(ds) -> dict:
    """The summary of :func:`run_monthly` from a result Dataset (a borefield-only run,
    or any result with the monthly fluid extremes): NaN extremes (no pump) as ±inf."""
    out = {}
    for v in MONTHLY:
        x = np.asarray(ds[v.name].values, dtype=float)
        out[v.name] = np.where(np.isnan(x), np.inf if v.aggregation == "min" else -np.inf, x)
    n_years = out[MONTHLY[0].name].shape[0]
    return dict(out, unmet_kWh=np.zeros((n_years, 12)),
                T_freeze_C=float(ds.attrs["station_T_freeze_C"]))  # fmt: skip


def check_limits(res: dict, t_min_C, t_max_C, max_unmet_kWh, criterion="mean",
                 check="hourly"):  # fmt: skip
    """Margins of every constraint in a monthly run summary (:func:`run_monthly`).

    Constraints: the fluid temperature of ``criterion`` (mean, inlet, outlet) at
    ``check`` (hourly means or steps, while the pump runs) ≥ ``t_min_C[month]`` and ≤
    ``t_max_C[month]`` (°C; either may be None), yearly unmet heating + cooling ≤
    ``max_unmet_kWh`` (kWh per year; None: no bound), and no step with the borefield
    inlet below the fluid's freezing point.

    Returns (feasible, worst, checks): ``checks`` maps each constraint's name
    (``min_fluid_temperature``, ``max_fluid_temperature``, ``unmet_kWh_per_year``,
    ``freezing``) to (margin, year, month) — the smallest margin (K, or kWh for the unmet
    heat; negative = violated) and where it occurs (1-based year and month); ``worst`` is
    the name with the smallest margin.
    """
    checks = {}
    if t_min_C is not None:
        m = res[monthly_name(criterion, check, "min")] - np.asarray(t_min_C)[None, :]
        y, mo = np.unravel_index(np.argmin(m), m.shape)
        checks["min_fluid_temperature"] = (float(m[y, mo]), int(y) + 1, int(mo) + 1)
    if t_max_C is not None:
        m = np.asarray(t_max_C)[None, :] - res[monthly_name(criterion, check, "max")]
        y, mo = np.unravel_index(np.argmin(m), m.shape)
        checks["max_fluid_temperature"] = (float(m[y, mo]), int(y) + 1, int(mo) + 1)
    if max_unmet_kWh is not None:
        per_year = res["unmet_kWh"].sum(axis=1)
        y = int(np.argmax(per_year))
        mo = int(np.argmax(res["unmet_kWh"][y]))
        checks["unmet_kWh_per_year"] = (float(max_unmet_kWh - per_year[y]), y + 1, mo + 1)
    m = res["T_bhe_in_step_min"] - res["T_freeze_C"]
    y, mo = np.unravel_index(np.argmin(m), m.shape)
    margin = float(m[y, mo])
    checks["freezing"] = (margin if math.isfinite(margin) else math.inf, int(y) + 1, int(mo) + 1)
    worst = min(checks, key=lambda k: checks[k][0])
    feasible = all(v[0] >= 0.0 for v in checks.values())
    return feasible, worst, checks


# --------------------------------------------------------------------------- estimate


def ashrae_length(
    q_ground_W,
    g_func,
    k_s: float,
    R_b: float,
    T_g_C: float,
    t_min_C: float | None,
    t_max_C: float | None,
    m_cp_W_K: float,
    years: float,
    criterion: str = "mean",
):
    """Total borehole length (m) by the ASHRAE three-pulse method with a field g-function.

    Kavanaugh & Rafferty (2014), ASHRAE Handbook — HVAC Applications (2019) ch. 35:
    the fluid temperature is the sum of three ground-load pulses — the annual mean
    ``q_y`` over the design life, the peak monthly mean ``q_m`` over one month and the
    peak hourly load ``q_h`` over 6 h — plus ``q_h·R_b``:

        L = [q_y·g(t_f) + (q_m − q_y)·g(t_1) + (q_h − q_m)·g(t_2)] / (2π k_s)
            + q_h·R_b,   all divided by (T_g − T_m),

    with t_f = life + 1 month + 6 h, t_1 = 1 month + 6 h, t_2 = 6 h. The field's
    g-function replaces the ASHRAE temperature penalty (Ahmadfard & Bernier 2019,
    Renew. Sust. Energy Rev. 110). The method limits the mean fluid T_m; a limit on the
    outlet or the inlet is moved to the mean fluid by half the fluid's temperature change
    at the peak hourly load: in heating the outlet lies above the mean and the inlet
    below it, T_m = T_lim − q_h/(2 m c_p) (outlet), T_lim + q_h/(2 m c_p) (inlet); in
    cooling the mirror image.

    Parameters
    ----------
    q_ground_W : array (8760,) — hourly ground load of one year, W (+ extracted)
    g_func : callable ``g(times_s) -> array`` — the field g-function (-)
    k_s : ground conductivity, W/(m·K); R_b : effective borehole resistance, m·K/W
    T_g_C : undisturbed ground temperature, °C
    t_min_C, t_max_C : outlet limits (°C) or None
    m_cp_W_K : total fluid capacity rate of the field, W/K
    years : design life, years
    criterion : "mean", "inlet" or "outlet": which fluid temperature the limits apply to

    Returns (L_heating, L_cooling) in m; 0 when that side has no load or no limit,
    inf when the limit cannot be met (limit beyond the ground temperature).
    """
    q = np.nan_to_num(np.asarray(q_ground_W, dtype=float))
    t2 = PULSE_H_S
    t1 = MONTH_S + t2
    tf = years * 8760.0 * HOUR_S + t1
    g = np.asarray(g_func(np.array([t2, t1, tf])), dtype=float)
    months = np.repeat(np.arange(12), [d * 24 for d in MONTH_DAYS])
    monthly = np.bincount(months, weights=q, minlength=12) / np.bincount(months, minlength=12)
    q_y = float(q.mean())
    out = []
    for sign, limit in ((1.0, t_min_C), (-1.0, t_max_C)):
        qs = sign * q  # + in the direction that drives the fluid toward the limit
        q_h = float(qs.max())
        q_m = float((sign * monthly).max())
        if limit is None or q_h <= 0.0:
            out.append(0.0)
            continue
        q_ys = sign * q_y
        num = (q_ys * g[2] + (q_m - q_ys) * g[1] + (q_h - q_m) * g[0]) / (
            2.0 * math.pi * k_s
        ) + q_h * R_b
        shift = {"mean": 0.0, "outlet": -1.0, "inlet": 1.0}[criterion]
        T_m = limit + shift * sign * q_h / (2.0 * m_cp_W_K)
        den = sign * (T_g_C - T_m)
        out.append(max(num, 0.0) / den if den > 0.0 else math.inf)
    return out[0], out[1]


# --------------------------------------------------------------------------- result


@dataclass
class SizingResult:
    """Outcome of :func:`size` (sizes at the case's own time step unless noted)."""

    case_name: str
    vary: str
    n_boreholes: int
    n_x: int | None
    n_y: int | None
    length_m: float
    total_length_m: float
    binding_constraint: str
    binding_margin: float
    binding_year: int
    binding_month: int
    smaller: dict | None
    ashrae_n_boreholes: int | None
    ashrae_length_m: float | None
    ashrae_total_length_m: float
    limits: dict
    years: int
    time_step_s: int
    search_step_s: int
    n_simulations: int
    wall_time_s: float
    evaluations: list = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        return json.loads(json.dumps(d, default=_json_num, allow_nan=True))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def summary(self) -> str:
        """Readable report."""
        if self.vary == "boreholes":
            size = (
                f"{self.n_boreholes} boreholes ({self.n_x} × {self.n_y}) of "
                f"{self.length_m:g} m = {self.total_length_m:g} m"
            )
            est = (
                f"{self.ashrae_n_boreholes} boreholes"
                if self.ashrae_n_boreholes is not None
                else "beyond the range"
            )
        else:
            size = (
                f"{self.length_m:g} m per borehole × {self.n_boreholes} = {self.total_length_m:g} m"
            )
            est = (
                f"{self.ashrae_length_m:g} m per borehole"
                if self.ashrae_length_m is not None
                else "beyond the range"
            )
        unit = "kWh" if self.binding_constraint.startswith("unmet") else "K"
        when = f"year {self.binding_year}" + (
            f", {MONTHS[self.binding_month - 1]}" if self.binding_month else ""
        )
        lim = self.limits
        limit_text = {
            "min_fluid_temperature": "lower limit",
            "max_fluid_temperature": "upper limit",
            "unmet_kWh_per_year": "bound on the yearly unmet heat",
            "freezing": "freezing point at the inlet",
        }.get(self.binding_constraint, self.binding_constraint)
        lines = [
            f"{self.case_name}: smallest borefield {size}",
            f"  criterion: {lim.get('temperature', '')}",
            f"  binding: {self.binding_constraint} ({limit_text}; margin "
            f"{self.binding_margin:+.3g} {unit}) in {when}",
        ]
        if self.smaller is not None:
            s = self.smaller
            lines.append(
                f"  one step smaller ({s['n_boreholes']} × {s['length_m']:g} m) violates "
                f"{s['worst']} by {-s['margin']:.3g} in year {s['year']}"
                + (f", {MONTHS[s['month'] - 1]}" if s["month"] else "")
            )
        lines.append(f"  ASHRAE first estimate: {est} (total {self.ashrae_total_length_m:.0f} m)")
        lines.append(
            f"  {self.n_simulations} simulations of {self.years} years (search at "
            f"{self.search_step_s} s, check at {self.time_step_s} s) in "
            f"{self.wall_time_s:.1f} s"
        )
        return "\n".join(lines)


def _json_num(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    raise TypeError(type(o))


# --------------------------------------------------------------------------- search


def bracket_search(feasible, x0: int, x_min: int, x_max: int, step0: int = 1):
    """Smallest integer x in [x_min, x_max] with ``feasible(x)`` (assumed monotone).

    Exponential steps from ``x0`` (doubling from ``step0``) until the answer is
    bracketed, then bisection. ``feasible`` is called at most once per x. Returns
    (x or None if even x_max fails, dict x → bool of every evaluation).
    """
    known: dict[int, bool] = {}

    def ev(x):
        if x not in known:
            known[x] = bool(feasible(x))
        return known[x]

    x0 = min(max(int(x0), x_min), x_max)
    step = max(int(step0), 1)
    ev(x0)
    while True:
        good = [x for x, v in known.items() if v]
        hi = min(good) if good else None
        bad = [x for x, v in known.items() if not v and (hi is None or x < hi)]
        lo = max(bad) if bad else None
        if hi is not None and lo is not None:
            if hi - lo <= 1:
                return hi, known
            ev((lo + hi) // 2)
        elif hi is None:
            if lo >= x_max:
                return None, known
            ev(min(x_max, lo + step))
            step *= 2
        else:
            if hi <= x_min:
                return hi, known
            ev(max(x_min, hi - step))
            step *= 2


# --------------------------------------------------------------------------- driver


def size(
    case,
    *,
    t_min_C=None,
    t_max_C=None,
    vary: str = "boreholes",
    years: int | None = None,
    max_unmet_kWh: float | None = None,
    max_size: float | None = None,
    min_size: float | None = None,
    length_step_m: float = 1.0,
    search_step_s: int = 900,
    criterion: str | None = None,
    check: str | None = None,
    progress=None,
) -> SizingResult:
    """Smallest borefield of ``case`` holding the fluid-temperature limits.

    Parameters
    ----------
    case : Case or path of a case file (a station, or a borefield-only case)
    t_min_C, t_max_C : float, 12 monthly floats, or "v" / "v1,…,v12" strings (°C)
        Limits on the fluid temperature of ``criterion``; None: the case's
        ``sizing.T_fluid_min_C`` / ``T_fluid_max_C`` (none there: not limited).
    criterion : "mean" (inlet + outlet)/2, "inlet" or "outlet"; None: the case's
        ``sizing.criterion`` (default "mean", the EED/GHEtool convention)
    check : "hourly" (hourly means while the pump runs) or "step"; None: the case's
        ``sizing.check`` (default "hourly")
    vary : "boreholes" (rectangle grown at the same spacing, see
        :func:`rectangle_sequence`) or "length" (length per borehole, layout kept)
    years : overrides ``simulation.years`` (design life)
    max_unmet_kWh : bound on the yearly unmet heating + cooling (the buildings' demand the
        boosters could not serve, not the supply deficit), kWh/year
    max_size, min_size : range of the search, boreholes or m per borehole. Defaults:
        boreholes 1 … max(4 × case, 100); length 20 m … min(4 × case, 2000) m.
    length_step_m : resolution of the length search, m
    search_step_s : station step used during the search (the answer is re-checked at
        the case's own step; a borefield-only case is searched at its own step)
    progress : callable(str), optional — receives one line per simulation

    Raises
    ------
    InputError
        bad arguments; :class:`SizingInfeasible` (an InputError) when no field in the
        range holds the limits.
    """
    t_start = time.perf_counter()
    sp = search_setup(case, t_min_C=t_min_C, t_max_C=t_max_C, vary=vary, years=years,
                      max_unmet_kWh=max_unmet_kWh, max_size=max_size, min_size=min_size,
                      length_step_m=length_step_m, search_step_s=search_step_s,
                      criterion=criterion, check=check)  # fmt: skip
    ev_ = Evaluator(sp, max_unmet_kWh, progress)
    est_total, est_x = _estimate(sp, progress)
    # coarse bracketing search, then the answer re-checked at the case's own step
    x0 = est_x if est_x is not None else sp.x_base
    span = max(1, sp.x_max - sp.x_min)
    coarse, _ = bracket_search(
        lambda x: ev_(x, sp.search_step).feasible, x0, sp.x_min, sp.x_max,
        step0=max(1, min(span // 4, int(0.15 * max(x0, 1)))),
    )  # fmt: skip
    seed = coarse if coarse is not None else sp.x_max
    fine, _ = bracket_search(lambda x: ev_(x, sp.case_step).feasible, seed, sp.x_min, sp.x_max, 1)
    if fine is None:
        raise _infeasible(sp.case, ev_.cache[(sp.x_max, sp.case_step)], sp.describe, sp.x_max)
    return _result(sp, ev_, fine, est_total, est_x, max_unmet_kWh, t_start)


@dataclass
class Search:
    """What a sizing search works with (:func:`search_setup`): the case and its copy with
    monthly output (``base``), the criterion, check and parsed monthly limits, the steps, and
    the candidate fields (``overrides(x)``, ``describe(x)`` → (n, n_x, n_y, length_m),
    indices ``x_min`` … ``x_max``, the case's own ``x_base``)."""

    case: Case
    base: Case
    vary: str
    criterion: str
    check: str
    t_min: tuple | None
    t_max: tuple | None
    ground_only: bool
    case_step: int
    search_step: int
    overrides: object
    describe: object
    x_min: int
    x_max: int
    x_base: int

    def limits(self, max_unmet_kWh=None) -> dict:
        return dict(
            min_fluid_C=list(self.t_min) if self.t_min is not None else None,
            max_fluid_C=list(self.t_max) if self.t_max is not None else None,
            max_unmet_kWh_per_year=max_unmet_kWh,
            criterion=self.criterion,
            check=self.check,
            temperature=f"{CRITERION_TEXT[self.criterion]}, {CHECK_TEXT[self.check]}",
        )


def search_setup(case, *, t_min_C=None, t_max_C=None, vary="boreholes", years=None,
                 max_unmet_kWh=None, max_size=None, min_size=None, length_step_m=1.0,
                 search_step_s=900, criterion=None, check=None) -> Search:  # fmt: skip
    """The checked arguments of a sizing search (:func:`size`,
    :func:`gshp.studies.confidence.size_confidence`): the case's ``[sizing]`` fills what is
    not given; every bad argument together in one :class:`InputError`."""
    if not isinstance(case, Case):
        case = load_case(case)
    sz = case.sizing
    criterion = sz.criterion if criterion is None else criterion
    check = sz.check if check is None else check
    if t_min_C is None and t_max_C is None:
        t_min_C, t_max_C = sz.T_fluid_min_C, sz.T_fluid_max_C
    t_min, t_max = _check_size_args(
        case, t_min_C, t_max_C, vary, max_unmet_kWh, search_step_s, length_step_m,
        criterion, check,
    )  # fmt: skip
    over = {"simulation.output_resolution": "monthly"}
    if years is not None:
        over["simulation.years"] = years
    base = case.replace(**over)
    ground_only = case.kind == "borefield"
    case_step = base.simulation.time_step_s
    overrides, describe, x_min, x_max, x_base = _candidates(
        case.borefield, vary, max_size, min_size, length_step_m
    )
    return Search(
        case=case, base=base, vary=vary, criterion=criterion, check=check, t_min=t_min,
        t_max=t_max, ground_only=ground_only, case_step=case_step,
        search_step=case_step if ground_only else min(int(search_step_s), 900),
        overrides=overrides, describe=describe, x_min=x_min, x_max=x_max, x_base=x_base,
    )  # fmt: skip


class Evaluator:
    """One simulation of candidate field ``x`` at step ``dt`` (cached), checked against the
    limits: ``Evaluator(search, max_unmet_kWh, progress)(x, dt)`` → :class:`Evaluation`."""

    def __init__(self, sp: Search, max_unmet_kWh=None, progress=None):
        self.sp, self.max_unmet_kWh, self.progress = sp, max_unmet_kWh, progress
        self.cache: dict[tuple[int, int], Evaluation] = {}
        self.evaluations: list[Evaluation] = []

    def __call__(self, x: int, dt: int) -> Evaluation:
        if (x, dt) in self.cache:
            return self.cache[(x, dt)]
        from gshp.station.borefield_only import simulate_borefield
        from gshp.station.prepare import prepare

        sp = self.sp
        t0 = time.perf_counter()
        c = sp.base.replace(**{**sp.overrides(x), "simulation.time_step_s": dt})
        res = monthly_summary(simulate_borefield(c)) if sp.ground_only else run_monthly(prepare(c))
        ok, name, checks = check_limits(res, sp.t_min, sp.t_max, self.max_unmet_kWh,
                                        sp.criterion, sp.check)  # fmt: skip
        margin, yr, mo = checks[name]
        n, nx, ny, h = sp.describe(x)
        ev = Evaluation(
            size=x, n_boreholes=n, n_x=nx, n_y=ny, length_m=h, time_step_s=dt, feasible=ok,
            worst=name, margin=margin, year=yr, month=mo,
            T_fluid_min_C=float(np.min(res[monthly_name(sp.criterion, sp.check, "min")])),
            T_fluid_max_C=float(np.max(res[monthly_name(sp.criterion, sp.check, "max")])),
            unmet_max_kWh=float(res["unmet_kWh"].sum(axis=1).max()),
            wall_s=time.perf_counter() - t0, checks=checks,
        )  # fmt: skip
        self.cache[(x, dt)] = ev
        self.evaluations.append(ev)
        if self.progress is not None:
            self.progress(f"  {n:>4} boreholes × {h:g} m at {dt} s: "
                          f"{'holds' if ok else 'fails'} ({name} {margin:+.3g}) "
                          f"[{ev.wall_s:.1f} s]")  # fmt: skip
        return ev


def _estimate(sp: Search, progress=None):
    """The ASHRAE first estimate from the base case's first-year ground load (one 1-year
    simulation at the search step): (total length m, candidate index or None)."""
    from gshp.studies.simulate import simulate

    t0 = time.perf_counter()
    ds1 = simulate(
        sp.base,
        keep_implausible=True,  # an undersized base field is what sizing starts from
        **{
            "simulation.years": 1,
            "simulation.time_step_s": sp.search_step,
            "simulation.output_resolution": "hourly",
        },
    )
    q_year1 = np.asarray(ds1["Q_ground"].values, dtype=float)
    T_g = float(json.loads(ds1.attrs["borefield"])["T_undisturbed_C"])
    est = _first_estimate(sp.base, q_year1, T_g, sp.t_min, sp.t_max, sp.describe, sp.x_min,
                          sp.x_max, sp.overrides, sp.criterion)  # fmt: skip
    if progress is not None:
        progress(f"  ASHRAE first estimate: {est[0]:.0f} m in all "
                 f"[{time.perf_counter() - t0:.1f} s, one 1-year simulation]")  # fmt: skip
    return est


def _result(sp: Search, ev_: Evaluator, fine, est_total, est_x, max_unmet_kWh, t_start):
    """The :class:`SizingResult` of a finished search (answer ``fine``)."""
    ev = ev_.cache[(fine, sp.case_step)]
    n, nx, ny, h = sp.describe(fine)
    smaller = None
    if (fine - 1, sp.case_step) in ev_.cache:
        smaller = asdict(ev_.cache[(fine - 1, sp.case_step)])
    binding = smaller["worst"] if smaller else ev.worst
    b_margin, b_year, b_month = ev.checks[binding]
    est_n = est_h = None
    if est_x is not None:
        en, _, _, eh = sp.describe(est_x)
        est_n, est_h = (en, None) if sp.vary == "boreholes" else (None, eh)
    return SizingResult(
        case_name=sp.case.name, vary=sp.vary, n_boreholes=n, n_x=nx, n_y=ny, length_m=h,
        total_length_m=round(n * h, 6), binding_constraint=binding, binding_margin=b_margin,
        binding_year=b_year, binding_month=b_month, smaller=smaller,
        ashrae_n_boreholes=est_n, ashrae_length_m=est_h, ashrae_total_length_m=est_total,
        limits=sp.limits(max_unmet_kWh), years=sp.base.simulation.years,
        time_step_s=sp.case_step, search_step_s=sp.search_step,
        n_simulations=len(ev_.evaluations) + 1, wall_time_s=time.perf_counter() - t_start,
        evaluations=[asdict(e) for e in ev_.evaluations],
    )  # fmt: skip


def _check_size_args(case, t_min_C, t_max_C, vary, max_unmet_kWh, search_step_s, length_step_m,
                     criterion="mean", check="hourly"):  # fmt: skip
    """Parsed monthly limits ``(t_min, t_max)`` of :func:`size`; every bad argument
    together in one :class:`InputError`."""
    problems = []
    if criterion not in CRITERIA:
        problems.append(Problem("--criterion", criterion, "'mean', 'inlet' or 'outlet'"))
    if check not in CHECKS:
        problems.append(Problem("--check", check, "'hourly' or 'step'"))
    if case.kind == "borefield" and max_unmet_kWh is not None:
        problems.append(Problem("--max-unmet-kwh", max_unmet_kWh,
                                "no bound on unmet heat in a borefield-only case (it has no "
                                "buildings)"))  # fmt: skip
    t_min = _limit_arg(t_min_C, "--min-fluid-temp", problems)
    t_max = _limit_arg(t_max_C, "--max-fluid-temp", problems)
    if vary not in ("boreholes", "length"):
        problems.append(Problem("--vary", vary, "'boreholes' or 'length'"))
    if t_min_C is None and t_max_C is None and max_unmet_kWh is None:
        problems.append(
            Problem(
                "--min-fluid-temp/--max-fluid-temp",
                None,
                "at least one limit (or --max-unmet-kwh)",
            )
        )
    if t_min is not None and t_max is not None:
        if any(lo >= hi for lo, hi in zip(t_min, t_max, strict=True)):
            problems.append(
                Problem("--min-fluid-temp", list(t_min), "below --max-fluid-temp in every month")
            )
    if max_unmet_kWh is not None and not (max_unmet_kWh >= 0 and math.isfinite(max_unmet_kWh)):
        problems.append(Problem("--max-unmet-kwh", max_unmet_kWh, "a number ≥ 0 (kWh/year)"))
    if search_step_s not in (60, 90, 100, 150, 180, 225, 300, 450, 900):
        problems.append(
            Problem("--search-step", search_step_s, "a station step dividing 900 s (60 … 900)")
        )
    if not (length_step_m > 0):
        problems.append(Problem("--length-step", length_step_m, "a length > 0 m"))
    bf = case.borefield
    if vary == "boreholes" and bf.layout != "rectangle":
        problems.append(
            Problem(
                "--vary",
                "boreholes",
                f"needs borefield.layout = 'rectangle' (case has {bf.layout!r}); use --vary length",
            )
        )
    if problems:
        raise InputError(problems)
    return t_min, t_max


def _candidates(bf, vary, max_size, min_size, length_step_m):
    """Candidate field sizes of :func:`size`, indexed by an integer x: returns
    ``(overrides, describe, x_min, x_max, x_base)`` — the case overrides of size x, its
    (n_boreholes, n_x, n_y, length_m), the search range and the index nearest the case."""
    for name, v in (("--max-size", max_size), ("--min-size", min_size)):
        if v is not None and not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            raise InputError.single(
                name, v, "a finite number > 0 (boreholes, or m per borehole with --vary length)"
            )
    if vary == "boreholes":
        n0 = bf.n_boreholes
        hi_n = int(max_size) if max_size is not None else max(4 * n0, 100)
        lo_n = int(min_size) if min_size is not None else 1
        if hi_n < max(lo_n, 1):
            raise InputError.single("--max-size", max_size, f"at least --min-size ({lo_n})")
        seq = [s for s in rectangle_sequence(bf.n_x, bf.n_y, hi_n) if s[0] * s[1] >= lo_n]
        if not seq:
            raise InputError.single("--max-size", hi_n, "room for at least one rectangle")

        def overrides(x):
            nx, ny = seq[x]
            return {"borefield.n_x": nx, "borefield.n_y": ny}

        def describe(x):
            nx, ny = seq[x]
            return nx * ny, nx, ny, bf.length_m

        x_min, x_max = 0, len(seq) - 1
        counts = np.array([a * b for a, b in seq])
        x_base = int(np.searchsorted(counts, n0))
        x_base = min(x_base, x_max)
    else:
        h0 = bf.length_m
        hi_h = float(max_size) if max_size is not None else min(4 * h0, 2000.0)
        lo_h = float(min_size) if min_size is not None else 20.0
        if not (0 < lo_h < hi_h <= 2000.0):
            raise InputError.single(
                "--max-size", max_size, f"a length in ({lo_h:g}, 2000] m above --min-size"
            )
        x_min = int(math.ceil(lo_h / length_step_m))
        x_max = int(math.floor(hi_h / length_step_m))

        def length_of(x):
            return round(x * length_step_m, 6)

        def overrides(x):
            return {"borefield.length_m": length_of(x)}

        def describe(x):
            nx = bf.n_x if bf.layout == "rectangle" else None
            ny = bf.n_y if bf.layout == "rectangle" else None
            return bf.n_boreholes, nx, ny, length_of(x)

        x_base = min(max(int(round(h0 / length_step_m)), x_min), x_max)
    return overrides, describe, x_min, x_max, x_base


def _infeasible(case, ev, describe, x_max):
    """The :class:`SizingInfeasible` error when even the largest field fails."""
    n, nx, ny, h = describe(x_max)
    what = {
        "min_fluid_temperature": "--min-fluid-temp",
        "max_fluid_temperature": "--max-fluid-temp",
        "unmet_kWh_per_year": "--max-unmet-kwh",
        "freezing": "borefield.fluid (freezing point)",
    }.get(ev.worst, ev.worst)
    month = f", {MONTHS[ev.month - 1]}" if ev.month else ""
    return SizingInfeasible(
        [
            Problem(
                what,
                f"{ev.worst} missed by {-ev.margin:.3g} in year {ev.year}{month}",
                f"limits unmet even at the largest allowed field ({n} boreholes × "
                f"{h:g} m); relax the limits or raise --max-size",
            )
        ],
        source=f"gshp size {case.name}",
    )


def _limit_arg(value, where, problems):
    try:
        return parse_limit(value, where)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def _first_estimate(base, q, T_g, t_min, t_max, describe, x_min, x_max, overrides,
                    criterion="mean"):  # fmt: skip
    """ASHRAE estimate: (total length m, candidate index x or None if beyond x_max)."""
    from gshp.physics.borefield import Borefield

    k_s = base.borefield.ground.conductivity_W_mK
    heating_month = int(np.argmax(_monthly_mean(q)))
    cooling_month = int(np.argmin(_monthly_mean(q)))
    lim_lo = t_min[heating_month] if t_min is not None else None
    lim_hi = t_max[cooling_month] if t_max is not None else None
    per_bh_flow = base.borefield.flow_per_borehole_kg_s
    # Iterate: the g-function and the flow depend on the field found.
    x = None
    total = math.nan
    trial = base
    for _ in range(8):
        bf = Borefield.from_config(trial.borefield)
        L_h, L_c = ashrae_length(
            q,
            lambda t, bf=bf: bf.gfunction(t)[0],
            k_s,
            bf.R_b_eff,
            T_g,
            lim_lo,
            lim_hi,
            bf.n_boreholes * per_bh_flow * bf.cp,
            base.simulation.years,
            criterion,
        )
        total = max(L_h, L_c)
        if not math.isfinite(total):
            return total, None
        new_x = _index_for_total(total, describe, x_min, x_max)
        if new_x is None or new_x == x:
            x = new_x
            break
        x = new_x
        trial = base.replace(**overrides(x))
    return float(total), x


def _index_for_total(total, describe, x_min, x_max):
    """Smallest candidate index whose total length reaches ``total`` (None: beyond)."""
    lo, hi = x_min, x_max
    n, _, _, h = describe(hi)
    if n * h < total:
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        n, _, _, h = describe(mid)
        if n * h >= total:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _monthly_mean(q):
    q = np.nan_to_num(np.asarray(q, dtype=float))
    months = np.repeat(np.arange(12), [d * 24 for d in MONTH_DAYS])
    return np.bincount(months, weights=q, minlength=12) / np.bincount(months, minlength=12)


__all__ = [
    "size",
    "SizingResult",
    "SizingInfeasible",
    "Evaluation",
    "ashrae_length",
    "bracket_search",
    "check_limits",
    "parse_limit",
    "rectangle_sequence",
    "run_monthly",
]
