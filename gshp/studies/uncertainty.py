"""Uncertainty propagation: a case's [uncertainty] inputs sampled, every sample simulated
on the sweep runner, the yearly indicators of each sample and their quantiles in one
Dataset (docs/uncertainty.md).

1. :func:`sample_matrix`: ``n`` points of a scrambled Sobol' sequence (or a Latin
   hypercube), scipy.stats.qmc, seeded by ``uncertainty.seed``, mapped through each
   input's inverse distribution function. Drawn once, in the calling process: the samples
   do not depend on the number of jobs or on the backend. The first 2^k Sobol' points of
   a larger sample are the 2^k-point sample (a re-run with more samples reuses the
   finished ones).
2. :func:`run_samples`: each row is a case (the base case with the row's values set),
   run by :func:`gshp.studies.runner.run_cases` (one process, a process pool, or Dask).
   Where a sample ran, its result is reduced to its yearly indicators
   (:func:`indicators`) and sealed as the sweep's per-case files are (the input key of
   :func:`gshp.studies.sweep.input_key` and a checksum; :func:`seal_indicators`); with an
   output file they are kept in ``<output stem>.samples/<case hash>.json`` and a re-run
   skips the samples whose file is there and valid.
3. The indicators of every sample along ``sample``, the sampled inputs as variables
   (named by their path, attribute ``path``), and the quantiles (:data:`QUANTILES`) of
   every indicator on a ``quantile`` dimension (``<indicator>_quantile``).
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import xarray as xr

from gshp.config import Case, case_from_dict, case_hash
from gshp.config.uncertainty import TAIL, UncertaintySpec, check_samples
from gshp.errors import InputError
from gshp.studies.runner import CaseResult, run_cases

QUANTILES = (0.1, 0.5, 0.9)
"""The quantiles of every indicator (P10, P50, P90)."""
SAMPLE_DIR_SUFFIX = ".samples"


class AllSamplesFailed(RuntimeError):
    """Every sample failed at run time (no indicators to combine; CLI exit code 1)."""


# ---------------------------------------------------------------------------- sampling


def sample_matrix(spec: UncertaintySpec, n: int | None = None) -> np.ndarray:
    """``n`` samples (default ``spec.samples``) of the inputs: an (n, d) array of physical
    values, one column per variable in the order of the file.

    Sobol' (``spec.method = "sobol"``): the first n points of a scrambled Sobol' sequence
    (Owen scrambling, seeded), so a sample of n points is the start of one of 2n points.
    ``"lhs"``: a Latin hypercube (seeded). The uniform numbers are kept in [TAIL,
    1 − TAIL] (:data:`gshp.config.uncertainty.TAIL`) before each variable's ``ppf``.
    """
    from scipy.stats import qmc

    n = spec.samples if n is None else n
    prob = check_samples(n, "samples")
    if prob:
        raise InputError([prob])
    d = len(spec.variables)
    rng = np.random.default_rng(spec.seed)
    if spec.method == "lhs":
        u = qmc.LatinHypercube(d, rng=rng).random(n)
    else:
        u = qmc.Sobol(d, scramble=True, rng=rng).random_base2(int(math.log2(n)))
    u = np.clip(u, TAIL, 1.0 - TAIL)
    return np.column_stack([v.ppf(u[:, j]) for j, v in enumerate(spec.variables)])


# ---------------------------------------------------------------------------- indicators


INDICATORS = {
    "T_fluid_min": (
        "degC",
        "yearly minimum of the hourly mean fluid temperature "
        "(inlet + outlet)/2 while the pump runs",
    ),
    "T_fluid_max": (
        "degC",
        "yearly maximum of the hourly mean fluid temperature "
        "(inlet + outlet)/2 while the pump runs",
    ),
    "T_criterion_min": ("degC", "yearly minimum of the sizing criterion's fluid temperature"),
    "T_criterion_max": ("degC", "yearly maximum of the sizing criterion's fluid temperature"),
    "scop": ("1", "seasonal COP of the GSHP (condenser heat / electricity), per year"),
    "electricity": ("kW h", "electricity per year"),
    "electricity_lifetime": ("kW h", "electricity over the simulated years"),
    "ground_drift": ("K", "borehole wall mean temperature, last year − first year"),
    "limits_hold": (
        "1",
        "1 when the fluid of the sizing criterion stays within the [sizing] "
        "limits in every month of every year, else 0",
    ),
}
"""The per-sample indicators: name → (units, long name)."""


def has_sizing(case: Case) -> bool:
    """Whether the case's [sizing] table says anything (limits, or not the defaults)."""
    from gshp.config.sizing import SizingConfig

    return case.sizing != SizingConfig()


def indicators(case: Case, ds: xr.Dataset) -> xr.Dataset:
    """The yearly indicators of one result (see :data:`INDICATORS`): the fluid's yearly
    extremes from the monthly extremes ``T_fluid_mean_hourly_min/max`` (and the sizing
    criterion's, when the case has a [sizing] table), the GSHP's SCOP (a station), the
    electricity (``E_total``; a borefield-only case: its pump's ``E_pump_borefield``) and
    the drift of the borehole wall."""
    from gshp.station.components.borefield import monthly_name

    def attrs(name, **extra):
        units, long_name = INDICATORS[name]
        return dict(units=units, long_name=long_name, **extra)

    out = {}
    for ext, red in (("min", "min"), ("max", "max")):
        src = f"T_fluid_mean_hourly_{ext}"
        out[f"T_fluid_{ext}"] = (
            "year",
            getattr(ds[src], red)("month").values,
            attrs(f"T_fluid_{ext}", gshp_source=src),
        )
    sz = case.sizing
    if has_sizing(case):
        for ext in ("min", "max"):
            src = monthly_name(sz.criterion, sz.check, ext)
            vals = getattr(ds[src], ext)("month").values
            out[f"T_criterion_{ext}"] = (
                "year",
                vals,
                attrs(
                    f"T_criterion_{ext}", gshp_source=src, criterion=sz.criterion, check=sz.check
                ),
            )
        if sz.T_fluid_min_C is not None or sz.T_fluid_max_C is not None:
            lo = ds[monthly_name(sz.criterion, sz.check, "min")].values
            hi = ds[monthly_name(sz.criterion, sz.check, "max")].values
            ok = True
            if sz.T_fluid_min_C is not None:
                ok = ok and bool(np.all(np.isnan(lo) | (lo >= sz.T_fluid_min_C)))
            if sz.T_fluid_max_C is not None:
                ok = ok and bool(np.all(np.isnan(hi) | (hi <= sz.T_fluid_max_C)))
            out["limits_hold"] = (
                (),
                np.int32(ok),
                attrs(
                    "limits_hold",
                    T_fluid_min_C=_attr(sz.T_fluid_min_C),
                    T_fluid_max_C=_attr(sz.T_fluid_max_C),
                ),
            )
    if case.kind == "station":
        out["scop"] = ("year", ds["scop_gshp"].values, attrs("scop", gshp_source="scop_gshp"))
        src = "E_total"
    else:
        src = "E_pump_borefield"
    e = ds[src].values.astype(float)
    out["electricity"] = ("year", e, attrs("electricity", gshp_source=src))
    out["electricity_lifetime"] = (
        (),
        float(e.sum()),
        attrs("electricity_lifetime", gshp_source=src),
    )
    wall = ds["T_borehole_wall_mean"].values
    out["ground_drift"] = (
        (),
        float(wall[-1] - wall[0]),
        attrs("ground_drift", gshp_source="T_borehole_wall_mean"),
    )
    res = xr.Dataset(out, coords=dict(year=("year", ds["year"].values)))
    res["year"].attrs = dict(long_name="simulation year", units="1")
    res.attrs = dict(case_kind=case.kind)
    return res


def _attr(x):
    return "none" if x is None else float(x)


class SealIndicators:
    """``finish`` step of a sample, run where it ran: its indicators (:func:`indicators`)
    as the bytes of a small JSON file sealed with the sample's input key and a checksum
    (:func:`seal_indicators`; the parent writes them, so workers need no shared file
    system)."""

    def __init__(self, keys: dict):
        self.keys = keys

    def __call__(self, case, ds: xr.Dataset) -> bytes:
        return seal_indicators(indicators(case, ds), self.keys[case.name])


def seal_indicators(ds: xr.Dataset, key: str) -> bytes:
    """A per-sample file: the indicators (``Dataset.to_dict``), the sample's input key
    (:func:`gshp.studies.sweep.input_key`) and the SHA-256 of both, as JSON. Floats are
    written with Python's shortest round-trip repr, so a file read back gives the same
    numbers bit for bit. (JSON rather than NetCDF: a sample's indicators are a few dozen
    numbers, and opening an HDF5 file costs about 0.2 s, more than a borefield-only run.)"""
    body = {"indicators": ds.to_dict(data="list"), "input_key": key}
    text = json.dumps(body, sort_keys=True, allow_nan=True, default=_plain)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return json.dumps(
        {"body": body, "sha256": digest}, sort_keys=True, allow_nan=True, default=_plain
    ).encode()


def unseal_indicators(data: bytes, key: str):
    """``(Dataset, None)`` from a per-sample file of this input key with a valid checksum,
    else ``(None, why)``."""
    try:
        doc = json.loads(data)
        body = doc["body"]
        text = json.dumps(body, sort_keys=True, allow_nan=True)
        if hashlib.sha256(text.encode()).hexdigest() != doc["sha256"]:
            return None, "does not match its checksum (changed or damaged since it was written)"
        if body["input_key"] != key:
            return None, (
                "was made from other inputs (case configuration, the content of an "
                "input file, or the gshp version changed)"
            )
        return xr.Dataset.from_dict(body["indicators"]), None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, "is unreadable or not a gshp per-sample file"


def _plain(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(type(x))


# ---------------------------------------------------------------------------- running


def sample_cases(case: Case, paths, X) -> tuple[list, list]:
    """The sample cases: ``[(index, case)]`` of the valid rows and ``[(index,
    CaseResult)]`` of the rows a case check refuses (e.g. a sampled value that breaks a
    rule between fields)."""
    raw = case.to_dict()
    base_dir = case.source.resolve().parent if case.source else None
    from gshp.config import apply_overrides

    width = max(4, len(str(len(X) - 1)))
    valid, invalid = [], []
    for i, row in enumerate(np.asarray(X, dtype=float)):
        name = f"{case.name}_s{i:0{width}d}"
        over = {p: float(x) for p, x in zip(paths, row, strict=True)}
        over["name"] = name
        try:
            c = case_from_dict(apply_overrides(raw, over), base_dir=base_dir, source=case.source)
        except InputError as exc:
            invalid.append((i, CaseResult(name, error=exc.message(), error_kind="input")))
            continue
        valid.append((i, c))
    return valid, invalid


def samples_dir(output) -> Path:
    """The folder of the per-sample files beside the combined file."""
    output = Path(output)
    return output.with_name(output.stem + SAMPLE_DIR_SUFFIX)


def run_samples(
    case: Case,
    paths,
    X,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    output=None,
    progress=None,
    spec: UncertaintySpec | None = None,
    force: bool = False,
    simulate_fn=None,
) -> xr.Dataset:
    """Simulate one case per row of ``X`` (values of the fields ``paths``) and return the
    indicators of every sample and their quantiles.

    Parameters
    ----------
    case : Case
        The base case (its other fields stay as they are).
    paths : sequence of str
        Dotted case-file paths, one per column of ``X``.
    X : array (n, d)
        The sampled values (:func:`sample_matrix`, or any design, e.g. SALib's).
    jobs, scheduler
        As :func:`gshp.studies.runner.run_cases`: processes (1: this one; ≤ 0: one per
        core), or Dask (``"local"`` or ``tcp://host:port``).
    output : path, optional
        The combined NetCDF file, written atomically; the per-sample files go to
        ``<output stem>.samples/`` and a re-run skips the samples whose file is valid.
    progress : bool, optional
        Progress on standard error (default: none).
    spec : UncertaintySpec, optional
        Recorded in the attributes (distributions of the inputs, seed, method).
    force : bool
        Re-run every sample even if its per-sample file is valid.

    Returns
    -------
    xarray.Dataset
        Dimension ``sample`` (and ``year``, ``quantile``); attributes ``samples_reused``,
        ``samples_run`` (counts) and ``failed_samples`` (JSON: name, error). Samples that
        failed have NaN indicators and are left out of the quantiles.
    """
    from gshp.io.fileio import WriteError, atomic_write_bytes
    from gshp.io.results import write_netcdf
    from gshp.studies.sweep import input_key

    paths = tuple(paths)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != len(paths) or X.shape[0] < 1:
        raise InputError.single("X", X.shape, f"an (n, {len(paths)}) array of sampled values")
    valid, invalid = sample_cases(case, paths, X)
    folder = samples_dir(output) if output is not None else None
    if output is not None:
        _check_output(Path(output), folder)
    done: dict = {}
    to_run, keys, hashes, notes = [], {}, {}, {}
    n_reused = 0
    for i, c in valid:
        hashes[c.name] = h = case_hash(c)
        keys[c.name] = key = input_key(c)
        path = folder / f"{h}.json" if folder is not None else None
        if path is not None and not force and path.is_file():
            try:
                ds, why = unseal_indicators(path.read_bytes(), key)
            except OSError as exc:
                ds, why = None, f"is unreadable ({exc.strerror})"
            if ds is not None:
                done[i] = CaseResult(c.name, dataset=ds)
                n_reused += 1
                continue
            notes[c.name] = f"per-sample file {path} {why}; this sample runs again"
        to_run.append((i, c))

    def on_result(res):
        if not res.ok or not isinstance(res.dataset, bytes):
            return
        data = res.dataset
        if folder is not None:
            try:
                atomic_write_bytes(folder / f"{hashes[res.name]}.json", data)
            except WriteError as exc:  # disk full: this sample fails, the others go on
                res.error, res.error_kind, res.dataset = str(exc), "failure", None
                return
        # every sample is combined from its file's content: a resumed run equals a clean one
        res.dataset, _ = unseal_indicators(data, keys[res.name])

    results = run_cases(
        [c for _, c in to_run],
        jobs=jobs,
        progress=bool(progress),
        scheduler=scheduler,
        on_result=on_result,
        simulate_fn=simulate_fn,
        finish=SealIndicators({c.name: keys[c.name] for _, c in to_run}),
    )
    for (i, _), res in zip(to_run, results, strict=True):
        if res.name in notes:
            res.warnings = [notes[res.name], *res.warnings]
        done[i] = res
    done.update(invalid)
    ds = combine(case, paths, X, [done[i] for i in range(len(X))], spec=spec)
    ds.attrs.update(samples_reused=n_reused, samples_run=len(to_run))
    if output is not None:
        write_netcdf(ds, output)
        ds.attrs["result_path"] = str(output)
    return ds


def _check_output(output: Path, folder: Path) -> None:
    from gshp.io.fileio import check_writable_folder

    if output.suffix != ".nc":
        raise InputError.single("--output", str(output), "a NetCDF file name ending in .nc")
    if output.is_dir():
        raise InputError.single("--output", str(output), "a file name, not a folder")
    for where, f in (("--output", output.parent), ("--output (per-sample folder)", folder)):
        why = check_writable_folder(f)
        if why:
            raise InputError.single(where, str(f), f"a writable folder (it {why})")


def combine(case: Case, paths, X, results, spec: UncertaintySpec | None = None) -> xr.Dataset:
    """The samples' indicators along ``sample`` (NaN for a failed sample), the inputs, and
    the quantiles of every indicator (over the finished samples)."""
    from gshp.io.results import cf_metadata

    n = len(results)
    ok = [r for r in results if r.ok]
    if not ok:
        first = results[0].error if results else "no samples"
        if all(r.error_kind == "input" for r in results):
            raise InputError.single("samples", f"{n} invalid", f"valid sampled cases; the "
                                    f"first one's problem: {first}")  # fmt: skip
        raise AllSamplesFailed(f"all {n} samples failed; the first one: {first}")
    template = ok[0].dataset
    years = template["year"].values
    data = {}
    for name, var in template.data_vars.items():
        shape = (n, *var.shape)
        fill = -1 if var.dtype.kind in "iu" else np.nan
        arr = np.full(shape, fill, dtype=np.int32 if var.dtype.kind in "iu" else float)
        for k, r in enumerate(results):
            if r.ok:
                arr[k] = r.dataset[name].values
        attrs = dict(var.attrs)
        if var.dtype.kind in "iu":
            attrs["missing_value"] = np.int32(-1)
        data[name] = (("sample", *var.dims), arr, attrs)
    variables = spec.variables if spec is not None else ()
    by_path = {v.path: v for v in variables}
    from gshp.config import Case
    from gshp.config.uncertainty import _leaf_fields

    fields = _leaf_fields(Case)
    for j, p in enumerate(paths):
        meta = fields.get(p, {})
        attrs = dict(path=p, long_name=f"sampled case-file field {p}")
        if meta.get("unit"):
            attrs["units"] = meta["unit"]
        v = by_path.get(p)
        if v is not None:
            attrs.update(distribution=v.dist, **{f"dist_{k}": x for k, x in v.params.items()})
        data[p] = ("sample", np.asarray(X)[:, j].astype(float), attrs)
    ds = xr.Dataset(
        data,
        coords=dict(
            sample=("sample", np.arange(n, dtype=np.int32), dict(long_name="sample index")),
            year=("year", years, dict(long_name="simulation year", units="1")),
        ),
    )
    ds["sample_ok"] = (
        "sample",
        np.array([int(r.ok) for r in results], dtype=np.int32),
        dict(long_name="1: the sample ran, 0: it failed (NaN indicators)", units="1"),
    )
    ds = add_quantiles(ds, [name for name in template.data_vars])
    failed = [dict(name=r.name, error=r.error) for r in results if not r.ok]
    attrs = dict(
        title=f"gshp uncertainty: {case.name}",
        case_name=case.name,
        case_kind=case.kind,
        case=json.dumps(case.to_dict(), sort_keys=True, default=str),
        uncertainty_paths=json.dumps(list(paths)),
        n_samples=n,
        failed_samples=json.dumps(failed),
        quantiles=json.dumps(list(QUANTILES)),
        Conventions="CF-1.8",
    )
    if spec is not None:
        attrs.update(
            uncertainty=json.dumps(spec.to_dict(), sort_keys=True),
            sampling_method=spec.method,
            sampling_seed=spec.seed,
        )
    if has_sizing(case):
        sz = case.sizing
        attrs.update(
            sizing_criterion=sz.criterion,
            sizing_check=sz.check,
            sizing_T_fluid_min_C=_attr(sz.T_fluid_min_C),
            sizing_T_fluid_max_C=_attr(sz.T_fluid_max_C),
        )
    ds.attrs = attrs
    return cf_metadata(ds)


def add_quantiles(ds: xr.Dataset, names, quantiles=QUANTILES) -> xr.Dataset:
    """``<name>_quantile`` on a ``quantile`` dimension for each indicator: the quantiles
    over ``sample`` of the finished samples (NaN skipped; numpy's default, linear
    interpolation between order statistics)."""
    q = np.asarray(quantiles, dtype=float)
    ds = ds.assign_coords(
        quantile=(
            "quantile",
            q,
            dict(long_name="probability of not exceeding (P10 = 0.1)", units="1"),
        )
    )
    for name in names:
        var = ds[name]
        values = var.values.astype(float)
        if var.dtype.kind in "iu":
            values = np.where(values < 0, np.nan, values)
        qs = np.nanquantile(values, q, axis=0)
        attrs = {k: v for k, v in var.attrs.items() if k != "missing_value"}
        attrs["long_name"] = f"quantiles over the samples of: {var.attrs.get('long_name', name)}"
        attrs["cell_methods"] = "sample: quantile"
        ds[f"{name}_quantile"] = (("quantile", *var.dims[1:]), qs, attrs)
    return ds


# ---------------------------------------------------------------------------- reading


def quantile_table(ds: xr.Dataset, year: int | None = None) -> str:
    """P10/P50/P90 of each indicator, a Markdown table (yearly indicators at ``year``,
    default the last; the fluid extremes also as the lifetime's extreme)."""
    q = list(ds["quantile"].values)
    cols = [f"P{round(100 * x):d}" for x in q]
    yr = int(ds["year"].values[-1]) if year is None else int(year)
    rows = [f"| indicator | unit | {' | '.join(cols)} |", "|---|---|" + "---|" * len(cols)]

    def row(label, unit, values, fmt):
        rows.append(f"| {label} | {unit} | " + " | ".join(fmt.format(v) for v in values) + " |")

    unit_text = {"degC": "°C", "kW h": "MWh", "1": "", "K": "K"}
    for name in INDICATORS:
        if name not in ds:
            continue
        var = ds[f"{name}_quantile"]
        unit = var.attrs.get("units", "")
        scale = 1e-3 if unit == "kW h" else 1.0
        fmt = "{:.2f}" if unit in ("degC", "K", "1") else "{:.1f}"
        if name == "limits_hold":
            continue
        if "year" in var.dims:
            vals = var.sel(year=yr).values * scale
            label = f"{name} (year {yr})"
        else:
            vals = var.values * scale
            label = name
        row(label, unit_text.get(unit, unit), vals, fmt)
    for name, red in (("T_fluid_min", "min"), ("T_fluid_max", "max")):
        if name in ds:
            life = getattr(ds[name], red)("year")
            vals = np.nanquantile(life.values, q)
            row(f"{name} (lifetime {red})", "°C", vals, "{:.2f}")
    if "limits_hold" in ds:
        ok = ds["sample_ok"].values == 1
        share = float(np.mean(ds["limits_hold"].values[ok])) if ok.any() else float("nan")
        rows += ["", f"within the [sizing] limits in {share:.1%} of {int(ok.sum())} samples"]
    return "\n".join(rows)
