"""Which uncertain input matters: Sobol' and Morris sensitivity designs and indices (SALib).

The inputs are the variables of an ``[uncertainty]`` table (an ``UncertaintySpec`` of
:mod:`gshp.config.uncertainty`: ``variables``, each with ``path``, ``dist``, ``params`` and
``ppf(u)``; ``samples``; ``seed``). Any object with those attributes works.

One definition of the distributions
    SALib is asked for designs in the unit hypercube only (every input ``uniform(0, 1)``:
    its probability level); each column is then mapped to physical values by the variable's
    own ``ppf`` (scipy.stats, :mod:`gshp.config.uncertainty`). SALib's own non-uniform
    distributions take other parameters than the case file (``lognorm`` the mean and sd of
    the logarithm, ``triang`` the peak as a fraction of the range, ``truncnorm`` the bounds
    before the moments), so a second parameterisation would be a second place to get them
    wrong. Sobol' indices are invariant under a monotone map of each input, so the indices
    are those of the physical model; Morris' elementary effects are reported per step in
    probability (see below).

Sobol' (Saltelli 2010, Sobol' 2001)
    ``design(spec, "sobol", N)``: SALib's Saltelli/Sobol' sample (scrambled Sobol'
    sequence of ``scipy.stats.qmc``, seeded with ``spec.seed``, ``calc_second_order=False``),
    N a power of two, N·(D+2) model runs for D inputs. A probability level at exactly 0 or 1
    (possible in the 30-bit sequence) is moved to the middle of its 2⁻³⁰ cell so that
    unbounded distributions stay finite. ``analyse`` gives the first-order index S1 (the
    share of the response variance the input explains alone) and the total index ST (alone
    and through all its interactions), each with the half-width of its bootstrap confidence
    interval (seeded with ``spec.seed``).

Morris (Morris 1991, Campolongo et al. 2007)
    ``design(spec, "morris", r)``: r one-at-a-time trajectories on a grid of p = 4 levels,
    r·(D+1) runs. Level k of p is mapped to the probability (k + ½)/p, the middle of the
    k-th of p equally probable bins (0.125, 0.375, 0.625, 0.875), so an unbounded
    distribution is never asked for its 0 or 1 quantile and every level stands for the same
    share of the prior. A Morris step (Δ = p/(2(p−1)) levels) then always moves an input by
    half its probability range (from 0.125 to 0.625 or from 0.375 to 0.875). ``analyse``
    reports ``mu_star`` (the mean absolute change of the response for such a step, in the
    response's units: the screening measure), ``mu`` (the same with signs: effects of both
    signs cancel), ``sigma`` (their spread: non-linearity or interactions) and
    ``mu_star_conf`` (bootstrap half-width).

Choice (:func:`choose_method`)
    Sobol' when the run budget allows N·(D+2) runs with N ≥ 64 (:data:`MIN_SOBOL_N`; below
    that the bootstrap intervals on ST are typically as wide as the indices themselves),
    else Morris, which ranks D inputs with r·(D+1) runs for r of 10–50.

References: A. Saltelli et al. (2010), Variance based sensitivity analysis of model output,
Comput. Phys. Commun. 181:259–270, doi:10.1016/j.cpc.2009.09.018; I. M. Sobol' (2001),
Math. Comput. Simul. 55:271–280; M. D. Morris (1991), Technometrics 33:161–174;
F. Campolongo, J. Cariboni, A. Saltelli (2007), Environ. Model. Softw. 22:1509–1518;
J. Herman, W. Usher (2017), SALib, J. Open Source Softw. 2(9), doi:10.21105/joss.00097.
"""

from __future__ import annotations

import io
import math

import numpy as np
import xarray as xr

from gshp.errors import InputError

METHODS = ("sobol", "morris")
"""Sensitivity methods: Sobol' indices (variance-based) or Morris screening."""
MIN_SOBOL_N = 64
"""Smallest Sobol' base sample N for which :func:`choose_method` picks Sobol'."""
MORRIS_LEVELS = 4
"""Levels of the Morris grid (p)."""
MORRIS_DELTA = MORRIS_LEVELS / (2 * (MORRIS_LEVELS - 1))
"""Morris step in grid units (SALib's delta): half the probability range after the
level mapping (:func:`design`)."""
CONF_LEVEL = 0.95
"""Confidence level of the bootstrap intervals."""
NUM_RESAMPLES = 1000
"""Bootstrap resamples for the confidence intervals."""
_SHOWN_UNITS = {"degC": "°C", "degree_Celsius": "°C"}
"""Units as shown on the chart."""
_EDGE = 2.0**-31
"""A Sobol' probability level at exactly 0 or 1 is moved by this much (half a 2⁻³⁰ cell)."""


def problem(spec) -> dict:
    """The SALib problem of ``spec``: names are the variables' dotted paths (file order);
    every input is ``unif`` on [0, 1], its probability level (the physical values come from
    each variable's ``ppf``, see the module's docstring)."""
    names = [v.path for v in spec.variables]
    if not names:
        raise InputError.single("uncertainty", "no variables", "at least one uncertain input")
    d = len(names)
    return {
        "num_vars": d,
        "names": names,
        "bounds": [[0.0, 1.0]] * d,
        "dists": ["unif"] * d,
        "groups": None,
    }


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise InputError.single("method", method, "one of " + ", ".join(METHODS))
    return method


def runs(spec, method: str, n: int) -> int:
    """Model runs of a design: N·(D+2) for Sobol' (first-order and total indices), r·(D+1)
    for Morris."""
    d = len(spec.variables)
    return n * (d + 2) if _check_method(method) == "sobol" else n * (d + 1)


def choose_method(spec, budget: int | None = None) -> str:
    """The method for ``budget`` model runs (default ``spec.samples``): "sobol" when they
    allow a Sobol' design with N ≥ :data:`MIN_SOBOL_N`, i.e. budget ≥ 64·(D+2); else "morris"."""
    budget = spec.samples if budget is None else budget
    return "sobol" if budget >= MIN_SOBOL_N * (len(spec.variables) + 2) else "morris"


def default_n(spec, method: str, budget: int | None = None) -> int:
    """The design size that fits ``budget`` model runs (default ``spec.samples``): the largest
    power of two N with N·(D+2) ≤ budget (Sobol'), or r = budget // (D+1) trajectories
    (Morris); at least 2."""
    budget = spec.samples if budget is None else budget
    d = len(spec.variables)
    if _check_method(method) == "sobol":
        n = budget // (d + 2)
        return max(2, 2 ** int(math.floor(math.log2(n)))) if n >= 2 else 2
    return max(2, budget // (d + 1))


def _check_n(method: str, n) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        allowed = "an integer ≥ 2" + (", a power of two" if method == "sobol" else "")
        raise InputError.single("n", n, allowed)
    if method == "sobol" and n & (n - 1):
        raise InputError.single("n", n, "a power of two (Sobol' base sample N), e.g. 64, 128")
    return int(n)


def _unit_design(spec, method: str, n: int) -> np.ndarray:
    """The design in probability levels, (runs, D): SALib's sample, levels mapped as in the
    module's docstring."""
    import warnings

    prob = problem(spec)
    seed = int(spec.seed)
    if method == "sobol":
        from SALib.sample import sobol

        z = sobol.sample(prob, n, calc_second_order=False, scramble=True, seed=seed)
        return np.clip(z, _EDGE, 1.0 - _EDGE)
    from SALib.sample import morris

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        z = morris.sample(prob, n, num_levels=MORRIS_LEVELS, seed=seed)
    p = MORRIS_LEVELS
    return (z * (p - 1) + 0.5) / p


def _to_physical(spec, u: np.ndarray) -> np.ndarray:
    x = np.empty_like(u)
    for j, v in enumerate(spec.variables):
        x[:, j] = v.ppf(u[:, j])
    return x


def design(spec, method: str = "sobol", n: int | None = None) -> np.ndarray:
    """The sensitivity design of ``spec``: rows are model runs, columns the variables (file
    order) in physical units; identical on every call (seeded with ``spec.seed``).

    Parameters
    ----------
    method : "sobol", "morris" or "auto" (:func:`choose_method` on ``spec.samples``)
    n : Sobol' base sample N (a power of two: N·(D+2) runs) or Morris trajectories r
        (r·(D+1) runs); None: the largest design within ``spec.samples`` runs
        (:func:`default_n`).
    """
    if method == "auto":
        method = choose_method(spec)
    method = _check_method(method)
    n = _check_n(method, default_n(spec, method) if n is None else n)
    return _to_physical(spec, _unit_design(spec, method, n))


def _response(Y, n_runs: int):
    """Y as a float array with its name and units (from a DataArray's attributes)."""
    name = getattr(Y, "name", None)
    attrs = dict(getattr(Y, "attrs", {}) or {})
    y = np.asarray(Y, dtype=float)
    if y.ndim != 1 or y.size != n_runs:
        raise InputError.single(
            "Y",
            f"shape {y.shape}",
            f"one value per model run of the design: shape ({n_runs},)",
        )
    bad = ~np.isfinite(y)
    if bad.any():
        rows = np.flatnonzero(bad)
        shown = ", ".join(str(i) for i in rows[:8]) + (", …" if rows.size > 8 else "")
        raise InputError.single(
            "Y",
            f"{rows.size} of {n_runs} runs without a value (NaN; rows {shown})",
            "a value for every run of the design: the indices need the whole design; "
            "re-run the failed runs (a re-run skips the finished ones) or find why they fail",
        )
    if np.ptp(y) == 0.0:
        raise InputError.single(
            "Y",
            f"{y[0]!r} in all {n_runs} runs",
            "a response that varies over the design (a constant has no sensitivity indices)",
        )
    return y, name, attrs


def _describe(v) -> str:
    params = ", ".join(f"{k}={float(x):g}" for k, x in dict(v.params).items())
    return f"{v.dist}({params})"


def _attrs(units: str, long_name: str) -> dict:
    return {"units": units, "long_name": long_name}


def short_label(path: str) -> str:
    """A readable label of a dotted path: its last two parts
    (``borefield.ground.conductivity_W_mK`` → ``ground.conductivity_W_mK``)."""
    return ".".join(path.split(".")[-2:])


def analyse(spec, method: str, X, Y) -> xr.Dataset:
    """Sensitivity indices of the response ``Y`` (one value per row of ``X``).

    ``X`` must be the design of :func:`design` for this spec and method (checked: the
    rows are regenerated from the spec and compared); ``Y`` a 1-D array or DataArray (its
    name, ``units`` and ``long_name`` are kept). Runs without a value (NaN) are refused,
    with how many. Returns a Dataset with dimension ``input`` (the paths), coordinates
    ``label`` (short) and ``distribution``; for Sobol' ``S1``, ``S1_conf``, ``ST``,
    ``ST_conf`` (dimensionless, ``_conf`` the half-width of the confidence interval); for
    Morris ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf`` (the response's units, per step
    of half the probability range).
    """
    method = _check_method(method)
    d = len(spec.variables)
    x = np.asarray(X, dtype=float)
    per = d + 2 if method == "sobol" else d + 1
    if x.ndim != 2 or x.shape[1] != d or x.shape[0] == 0 or x.shape[0] % per:
        raise InputError.single(
            "X",
            f"shape {x.shape}",
            f"the {method} design of the {d} variables: (n·{per}, {d})",
        )
    n = _check_n(method, x.shape[0] // per)
    z = _unit_design(spec, method, n)
    expected = _to_physical(spec, z)
    if not np.allclose(x, expected, rtol=1e-9, atol=1e-12, equal_nan=False):
        raise InputError.single(
            "X",
            f"{x.shape[0]} rows",
            f"the rows of design(spec, {method!r}, {n}) in their order (same variables, "
            f"seed {spec.seed})",
        )
    y, name, yattrs = _response(Y, x.shape[0])
    prob = problem(spec)
    seed = int(spec.seed)
    units = yattrs.get("units", "")
    paths = prob["names"]
    coords = {
        "input": ("input", paths, {"long_name": "uncertain input (dotted case path)"}),
        "label": ("input", [short_label(p) for p in paths], {"long_name": "short label"}),
        "distribution": (
            "input",
            [_describe(v) for v in spec.variables],
            {"long_name": "prior distribution"},
        ),
    }
    pct = f"{CONF_LEVEL:.0%}"
    if method == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(prob, y, calc_second_order=False, num_resamples=NUM_RESAMPLES,
                           conf_level=CONF_LEVEL, seed=seed)  # fmt: skip
        meta = {
            "S1": "first-order Sobol' index (share of the response variance due to the "
            "input alone)",
            "ST": "total Sobol' index (share due to the input alone and in interactions)",
        }
        data = {}
        for key, long_name in meta.items():
            conf_name = f"half-width of the {pct} bootstrap confidence interval of {key}"
            data[key] = ("input", np.asarray(si[key], float), _attrs("1", long_name))
            data[key + "_conf"] = ("input", np.asarray(si[key + "_conf"], float),
                                   _attrs("1", conf_name))  # fmt: skip
        size = {"base_samples_N": n}
    else:
        from SALib.analyze import morris

        si = morris.analyze(prob, z, y, num_resamples=NUM_RESAMPLES, conf_level=CONF_LEVEL,
                            num_levels=MORRIS_LEVELS, seed=seed)  # fmt: skip
        # SALib divides by the step in grid units; times it: the change of Y per step
        scale = MORRIS_DELTA
        meta = {
            "mu": "mean elementary effect (change of the response for a step of half the "
            "input's probability range; signed)",
            "mu_star": "mean absolute elementary effect (screening measure)",
            "sigma": "standard deviation of the elementary effects (non-linearity or interactions)",
            "mu_star_conf": f"half-width of the {pct} bootstrap confidence interval of mu_star",
        }
        data = {
            key: (
                "input",
                np.asarray(si[key], float) * scale,
                {"units": units, "long_name": long_name},
            )
            for key, long_name in meta.items()
        }
        size = {"trajectories_r": n, "levels": MORRIS_LEVELS}
    attrs = {
        "title": f"{'Sobol' if method == 'sobol' else 'Morris'} sensitivity indices"
        + (f" of {name}" if name else ""),
        "method": method,
        "response": str(name or ""),
        "response_units": units,
        "response_long_name": str(yattrs.get("long_name", "")),
        "runs": int(x.shape[0]),
        **size,
        "seed": seed,
        "conf_level": CONF_LEVEL,
        "num_resamples": NUM_RESAMPLES,
        "sampling": "SALib design in probability levels mapped by each input's ppf",
        "source": "gshp.studies.sensitivity (SALib)",
        "Conventions": "CF-1.10",
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


def bar_chart(ds: xr.Dataset, path=None, title: str | None = None):
    """Bars of the indices of :func:`analyse`, one group per input (short labels): S1 and
    ST with their confidence intervals as error bars (Sobol'), or mu_star ± mu_star_conf
    beside sigma (Morris). Returns the Matplotlib Figure (built without pyplot); written
    atomically to ``path`` (PNG) when given."""
    from matplotlib.figure import Figure

    labels = [str(s) for s in ds["label"].values] if "label" in ds.coords else [
        short_label(str(p)) for p in ds["input"].values]  # fmt: skip
    n = len(labels)
    fig = Figure(figsize=(7.0, 1.2 + 0.55 * n * 1.4), layout="constrained")
    ax = fig.subplots()
    y = np.arange(n)[::-1].astype(float)  # first input on top
    h = 0.38
    if ds.attrs.get("method") == "sobol":
        bars = (("S1", "first order S1", "#4C72B0"), ("ST", "total ST", "#DD8452"))
        xlabel = "Sobol' index (share of the response variance)"
    else:
        bars = (("mu_star", "μ* (mean |effect|)", "#4C72B0"), ("sigma", "σ (spread)", "#8C8C8C"))
        units = str(ds.attrs.get("response_units", ""))
        units = _SHOWN_UNITS.get(units, units)
        xlabel = "effect of a step of half the probability range" + (
            f" ({units})" if units else "")  # fmt: skip
    for k, (key, label, color) in enumerate(bars):
        conf = ds.get(key + "_conf")
        offset = (0.5 - k) * h
        ax.barh(y + offset, ds[key].values, height=h, color=color, label=label,
                xerr=None if conf is None else conf.values,
                error_kw={"ecolor": "black", "capsize": 3, "lw": 1})  # fmt: skip
    ax.set_yticks(y, labels)
    ax.axvline(0.0, color="black", lw=0.8)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    runs_text = f"{ds.attrs.get('runs', '?')} runs"
    if ds.attrs.get("method") == "sobol":
        ax.set_xlim(min(0.0, float((ds["S1"] - ds["S1_conf"]).min())) - 0.02,
                    max(1.0, float((ds["ST"] + ds["ST_conf"]).max())) + 0.02)  # fmt: skip
    if title is None:
        title = ds.attrs.get("title", "Sensitivity indices")
    pct = f"{float(ds.attrs.get('conf_level', CONF_LEVEL)):.0%}"
    ax.set_title(f"{title}\n({runs_text}, error bars: {pct} bootstrap intervals)", fontsize=10)
    if path is not None:
        from gshp.io.fileio import atomic_write_bytes

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        atomic_write_bytes(path, buf.getvalue(), fsync=False)
    return fig
