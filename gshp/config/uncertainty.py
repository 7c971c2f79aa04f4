"""[uncertainty]: uncertain inputs of a case, as distributions of case-file fields.

::

    [uncertainty]
    samples = 256            # default; a power of two
    seed = 1                 # default
    method = "sobol"         # default (scrambled Sobol' points); or "lhs" (Latin hypercube)
    "borefield.ground.conductivity_W_mK" = { dist = "normal", mean = 2.2, sd = 0.25 }
    "borefield.ground.T_undisturbed_C"   = { dist = "uniform", low = 9.3, high = 10.3 }
    "borefield.grout.conductivity_W_mK"  = { dist = "triangular", low = 1.4, mode = 1.8,
                                              high = 2.0 }

Every other key is a quoted dotted path to a number field of the case (the names of
``gshp check --reference``) with an inline table: ``dist`` and its parameters
(:data:`DISTRIBUTIONS`). The table is checked when the case loads (every problem in one
:class:`~gshp.errors.InputError`, field ``uncertainty."<path>"``) and kept out of the
deterministic case: it is ``Case.uncertainty`` (an :class:`UncertaintySpec`), not part of
:func:`gshp.config.case_hash` nor of :meth:`gshp.config.Case.to_dict`.

Distributions (scipy.stats; ``lognormal``'s ``mean`` and ``sd`` are those of the variable
itself, not of its logarithm):

==============  ==============================  =====================================
dist            parameters                      values
==============  ==============================  =====================================
normal          mean, sd > 0                    every real number
lognormal       mean > 0, sd > 0                > 0
uniform         low < high                      [low, high]
triangular      low ≤ mode ≤ high, low < high   [low, high]
truncnormal     mean, sd > 0, low < high        [low, high]
==============  ==============================  =====================================

The sampler (:func:`gshp.studies.uncertainty.sample_matrix`) keeps the uniform numbers in
[:data:`TAIL`, 1 − :data:`TAIL`], so an unbounded distribution is cut 6 standard
deviations out (a change of its moments below 1e-7); the check that every value lies in
the field's allowed range uses those same end points.

Nothing here imports numpy or scipy at module level (``gshp check`` and ``--help`` start
fast); :meth:`Variable.ppf` imports scipy.stats when it is called.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
from dataclasses import dataclass, field
from statistics import NormalDist

from gshp.errors import MISSING, Problem

DISTRIBUTIONS = {
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "truncnormal": ("mean", "sd", "low", "high"),
}
"""The distributions and their parameters, in the order they are written."""
METHODS = ("sobol", "lhs")
SETTINGS = ("samples", "seed", "method")
"""The keys of [uncertainty] that are not paths."""
DEFAULT_SAMPLES = 256
DEFAULT_SEED = 1
MAX_SAMPLES = 2**20
TAIL = 1e-9
"""Smallest probability of a tail the sampler draws from (unbounded distributions end
at their TAIL and 1 − TAIL quantiles: about ±6 standard deviations of a normal)."""
STATION_ONLY = ("climate", "district", "network", "tank", "heat_pump", "controls", "dry_cooler")


@dataclass(frozen=True)
class Variable:
    """One uncertain input: the case-file field ``path`` and its distribution."""

    path: str
    dist: str
    params: dict = field(hash=False)
    unit: str = ""

    def ppf(self, u):
        """The values at probabilities ``u`` (uniform numbers in (0, 1), an array): the
        inverse of the distribution function (scipy.stats)."""
        import numpy as np

        return np.asarray(self.frozen().ppf(np.asarray(u, dtype=float)), dtype=float)

    def frozen(self):
        """The scipy.stats frozen distribution."""
        from scipy import stats

        p = self.params
        if self.dist == "normal":
            return stats.norm(loc=p["mean"], scale=p["sd"])
        if self.dist == "lognormal":
            sigma, mu = _lognormal(p["mean"], p["sd"])
            return stats.lognorm(s=sigma, scale=math.exp(mu))
        if self.dist == "uniform":
            return stats.uniform(loc=p["low"], scale=p["high"] - p["low"])
        if self.dist == "triangular":
            width = p["high"] - p["low"]
            return stats.triang(c=(p["mode"] - p["low"]) / width, loc=p["low"], scale=width)
        if self.dist == "truncnormal":
            a = (p["low"] - p["mean"]) / p["sd"]
            b = (p["high"] - p["mean"]) / p["sd"]
            return stats.truncnorm(a, b, loc=p["mean"], scale=p["sd"])
        raise AssertionError(self.dist)  # pragma: no cover - checked when parsed

    def bounds(self) -> tuple[float, float]:
        """The smallest and largest value the sampler can give (the TAIL quantiles of an
        unbounded distribution, the ends of a bounded one)."""
        p = self.params
        if self.dist == "normal":
            z = NormalDist().inv_cdf(1 - TAIL)
            return p["mean"] - z * p["sd"], p["mean"] + z * p["sd"]
        if self.dist == "lognormal":
            z = NormalDist().inv_cdf(1 - TAIL)
            sigma, mu = _lognormal(p["mean"], p["sd"])
            return math.exp(mu - z * sigma), math.exp(mu + z * sigma)
        return p["low"], p["high"]

    def describe(self) -> str:
        """``normal(mean=2.2, sd=0.25)``."""
        args = ", ".join(f"{k}={self.params[k]:g}" for k in DISTRIBUTIONS[self.dist])
        return f"{self.dist}({args})"

    def to_dict(self) -> dict:
        return {"dist": self.dist, **self.params}


@dataclass(frozen=True)
class UncertaintySpec:
    """A case's [uncertainty] table: the sampling settings and the uncertain inputs in
    the order of the file."""

    samples: int = DEFAULT_SAMPLES
    seed: int = DEFAULT_SEED
    method: str = "sobol"
    variables: tuple[Variable, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(v.path for v in self.variables)

    def to_dict(self) -> dict:
        """The table as read from TOML (``parse_uncertainty`` of it gives an equal spec)."""
        out: dict = {"samples": self.samples, "seed": self.seed, "method": self.method}
        out.update({v.path: v.to_dict() for v in self.variables})
        return out


def _lognormal(mean: float, sd: float) -> tuple[float, float]:
    """(σ, μ) of the logarithm of a lognormal variable of mean ``mean`` and standard
    deviation ``sd``: σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2."""
    s2 = math.log1p((sd / mean) ** 2)
    return math.sqrt(s2), math.log(mean) - 0.5 * s2


# ---------------------------------------------------------------------------- parsing


@functools.cache
def _leaf_fields(case_cls) -> dict:
    """Every field's dotted path → its metadata (sections walked, records not) of the case
    class ``case_cls`` (:class:`gshp.config.Case`; passed in: this module is imported by
    the case module)."""
    from gshp.config.fields import fields_of

    out = {}

    def walk(cls, prefix):
        for f in fields_of(cls):
            if f.metadata.get("kind") == "section":
                walk(f.metadata["section"], prefix + f.name + ".")
            else:
                out[prefix + f.name] = f.metadata

    walk(case_cls, "")
    return out


def is_power_of_two(n) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n >= 1 and n & (n - 1) == 0


def samples_allowed(n) -> str:
    """What a sample count is told (with the powers of two around it)."""
    text = f"a power of two from 2 to {MAX_SAMPLES}"
    if isinstance(n, int | float) and not isinstance(n, bool) and 2 < n < MAX_SAMPLES:
        lo = 2 ** int(math.floor(math.log2(n)))
        text += f" (e.g. {lo} or {2 * lo}): Sobol' points are balanced in powers of two"
    return text


def check_samples(n, where: str) -> Problem | None:
    """A Problem unless ``n`` is a power of two in [2, MAX_SAMPLES]."""
    if not is_power_of_two(n) or not 2 <= n <= MAX_SAMPLES:
        return Problem(where, n, samples_allowed(n))
    return None


def _flatten(table: dict, prefix: str = "") -> dict:
    """Paths written as nested tables (unquoted dotted keys) → quoted dotted paths; a
    table with ``dist`` (or of anything but tables) ends a path."""
    out = {}
    for key, value in table.items():
        path = prefix + str(key)
        if (
            isinstance(value, dict)
            and value
            and "dist" not in value
            and all(isinstance(v, dict) for v in value.values())
        ):
            out.update(_flatten(value, path + "."))
        else:
            out[path] = value
    return out


def parse_uncertainty(table, case) -> UncertaintySpec:
    """The [uncertainty] table of ``case`` (as read from TOML) as an :class:`UncertaintySpec`.

    Raises
    ------
    InputError
        Every problem at once: a setting out of range, an unknown path (with the closest
        field), a path that is not a number field or not in this kind of case, a missing,
        unknown or bad distribution parameter, a distribution reaching outside the field's
        allowed range.
    """
    from gshp.errors import InputError

    problems = uncertainty_problems(table, case)
    if problems:
        raise InputError(problems, source=str(case.source) if case.source else None)
    return _build(table, type(case))


def uncertainty_problems(table, case) -> list[Problem]:
    """The problems of an [uncertainty] table (empty: it is valid)."""
    problems: list[Problem] = []
    p = problems.append
    if not isinstance(table, dict):
        return [Problem("uncertainty", table, "a table: [uncertainty]")]
    samples = table.get("samples", DEFAULT_SAMPLES)
    prob = check_samples(samples, "uncertainty.samples")
    if prob:
        p(prob)
    seed = table.get("seed", DEFAULT_SEED)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        p(Problem("uncertainty.seed", seed, "a whole number ≥ 0 (the same seed, the same samples)"))
    method = table.get("method", "sobol")
    if method not in METHODS:
        p(
            Problem(
                "uncertainty.method",
                method,
                "'sobol' (scrambled Sobol' points, default) or 'lhs' (Latin hypercube)",
            )
        )
    paths = _flatten({k: v for k, v in table.items() if k not in SETTINGS})
    if not paths:
        p(
            Problem(
                "uncertainty",
                "no uncertain input",
                'at least one "section.field" = { dist = ..., ... }, e.g. '
                '"borefield.ground.conductivity_W_mK" = { dist = "normal", mean = 2.2, '
                "sd = 0.25 }",
            )
        )
    fields = _leaf_fields(type(case))
    kind = getattr(case, "kind", "station")
    for path, spec in paths.items():
        where = f'uncertainty."{path}"'
        meta = fields.get(path)
        if meta is None:
            p(_unknown_path(path, where, fields))
            continue
        top = path.split(".", 1)[0]
        if kind == "borefield" and top in STATION_ONLY:
            p(
                Problem(
                    where,
                    spec,
                    "a field of a borefield-only case ([simulation], "
                    "[borefield], [pumps], [ground_load], [sizing]); for its loads use "
                    "ground_load.scale",
                )
            )
            continue
        if kind == "station" and top == "ground_load":
            p(
                Problem(
                    where,
                    spec,
                    "a field of a station case; a station computes its "
                    "ground load (for the loads use district.heating_scale, "
                    "district.cooling_scale, district.dhw_scale)",
                )
            )
            continue
        if meta["kind"] != "float" or meta["choices"]:
            what = "a whole number" if meta["kind"] == "int" else f"a {meta['kind']} field"
            p(
                Problem(
                    where,
                    path,
                    f"a number field (a real value with a range); this one is "
                    f"{what}: vary it with a sweep (gshp sweep)",
                )
            )
            continue
        problems.extend(_distribution_problems(path, spec, where, meta))
    return problems


def _unknown_path(path, where, fields) -> Problem:
    sections = {q.rsplit(".", 1)[0] for q in fields if "." in q}
    if path in sections:
        return Problem(where, "a section", "a field, not a whole section: give section.field")
    hint = difflib.get_close_matches(path, list(fields), n=1, cutoff=0.6)
    if not hint:  # the field's own name, e.g. "conductivity_W_mK" or "T_undisturbed_C"
        tail = path.rsplit(".", 1)[-1]
        ends = [q for q in fields if q.rsplit(".", 1)[-1] == tail]
        hint = ends[:1]
    allowed = (
        f"unknown case-file field; did you mean '{hint[0]}'?"
        if hint
        else "unknown case-file field: a dotted path such as "
        "'borefield.ground.conductivity_W_mK' (see `gshp check --reference`)"
    )
    return Problem(where, path, allowed)


def _number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _distribution_problems(path, spec, where, meta) -> list[Problem]:
    """The problems of one input's inline table (``{dist = ..., ...}``)."""
    if not isinstance(spec, dict):
        return [
            Problem(
                where,
                spec,
                "an inline table with dist and its parameters, e.g. "
                '{ dist = "normal", mean = 2.2, sd = 0.25 }',
            )
        ]
    dists = ", ".join(f"'{d}' ({', '.join(ps)})" for d, ps in DISTRIBUTIONS.items())
    dist = spec.get("dist", MISSING)
    if dist not in DISTRIBUTIONS:
        hint = difflib.get_close_matches(str(dist), list(DISTRIBUTIONS), n=1, cutoff=0.6)
        mean = f"did you mean '{hint[0]}'? " if hint and dist is not MISSING else ""
        return [Problem(f"{where}.dist", dist, f"{mean}one of {dists}")]
    names = DISTRIBUTIONS[dist]
    problems = []
    for key in spec:
        if key != "dist" and key not in names:
            hint = difflib.get_close_matches(str(key), names, n=1, cutoff=0.5)
            also = f"did you mean '{hint[0]}'? " if hint else ""
            problems.append(
                Problem(
                    f"{where}.{key}",
                    spec[key],
                    f"unknown parameter; {also}{dist} takes {', '.join(names)}",
                )
            )
    for key in names:
        if key not in spec:
            problems.append(
                Problem(f"{where}.{key}", MISSING, f"required by {dist} ({', '.join(names)})")
            )
        elif not _number(spec[key]):
            problems.append(Problem(f"{where}.{key}", spec[key], "a finite number"))
    if problems:
        return problems
    v = {k: float(spec[k]) for k in names}
    unit = f" [{meta['unit']}]" if meta["unit"] else ""
    if "sd" in v and v["sd"] <= 0:
        problems.append(Problem(f"{where}.sd", spec["sd"], "a standard deviation > 0"))
    if dist == "lognormal" and v["mean"] <= 0:
        problems.append(
            Problem(f"{where}.mean", spec["mean"], "a mean > 0 (a lognormal variable is positive)")
        )
    if "low" in v and v["low"] >= v["high"]:
        problems.append(Problem(f"{where}.low", spec["low"], f"below high ({spec['high']}){unit}"))
    if dist == "triangular" and not problems and not v["low"] <= v["mode"] <= v["high"]:
        problems.append(
            Problem(
                f"{where}.mode",
                spec["mode"],
                f"within [low, high] = [{v['low']:g}, {v['high']:g}]{unit}",
            )
        )
    if dist == "truncnormal" and not problems:
        nd = NormalDist(v["mean"], v["sd"])
        if nd.cdf(v["high"]) - nd.cdf(v["low"]) < 1e-6:
            problems.append(
                Problem(
                    where,
                    spec,
                    "a truncated normal whose [low, high] holds "
                    "some of its probability (mean within a few sd of it)",
                )
            )
    if problems:
        return problems
    var = Variable(path, dist, v, meta["unit"])
    lo_v, hi_v = var.bounds()
    from gshp.config.fields import _in_range, _range_text

    bad = [x for x in (lo_v, hi_v) if not _in_range(x, meta)]
    if bad:
        rng = _range_text(meta)
        if dist in ("normal", "lognormal"):
            fix = f'use dist = "truncnormal" with low and high {rng} (e.g. {_suggest(v, meta)})'
            reach = f"reaches {bad[0]:.4g}{unit} (its 1e-9 tail)"
        else:
            fix = f"give low and high {rng}"
            reach = f"reaches {bad[0]:.4g}{unit}"
        problems.append(
            Problem(
                where,
                var.describe(),
                f"a distribution within the field's allowed range {rng}{unit}; "
                f"this one {reach}: {fix}",
            )
        )
    return problems


def _suggest(v, meta) -> str:
    """low/high of a truncated normal for a normal ``v`` that leaves the field's range."""
    lo = meta["lo"] if meta["lo"] is not None else v["mean"] - 4 * v["sd"]
    hi = meta["hi"] if meta["hi"] is not None else v["mean"] + 4 * v["sd"]
    lo = max(lo, v["mean"] - 4 * v["sd"])
    hi = min(hi, v["mean"] + 4 * v["sd"])
    if meta["lo_open"] and meta["lo"] is not None and lo <= meta["lo"]:
        lo = meta["lo"] + 0.01 * v["sd"]
    if meta["hi_open"] and meta["hi"] is not None and hi >= meta["hi"]:
        hi = meta["hi"] - 0.01 * v["sd"]
    return f"low = {lo:.4g}, high = {hi:.4g}"


def _build(table: dict, case_cls) -> UncertaintySpec:
    """The spec of a checked table."""
    fields = _leaf_fields(case_cls)
    paths = _flatten({k: v for k, v in table.items() if k not in SETTINGS})
    variables = tuple(
        Variable(
            path,
            spec["dist"],
            {k: float(spec[k]) for k in DISTRIBUTIONS[spec["dist"]]},
            fields[path]["unit"],
        )
        for path, spec in paths.items()
    )
    return UncertaintySpec(
        samples=table.get("samples", DEFAULT_SAMPLES),
        seed=table.get("seed", DEFAULT_SEED),
        method=table.get("method", "sobol"),
        variables=variables,
    )


def replace_samples(spec: UncertaintySpec, n: int) -> UncertaintySpec:
    """``spec`` with another sample count (``-n``)."""
    return dataclasses.replace(spec, samples=n)
