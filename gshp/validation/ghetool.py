"""GHEtool side by side: gshp's driver of GHEtool, run in its own interpreter.

GHEtool (Peere et al., https://github.com/wouterpeere/GHEtool, BSD-3-Clause) pins other
versions of pygfunction and numpy than gshp and, from 2.4.1, pulls torch; it therefore
lives in its own virtual environment (``gshp/data/validation/ghetool/requirements.txt``,
docs/validation/README.md) and gshp talks to it through a subprocess and JSON:
:func:`run_ghetool` sends a request to :mod:`~gshp.validation.ghetool_side` (a standalone
script that imports only the standard library, numpy and GHEtool) and returns its answer.

The GHEtool interpreter is, in this order: the ``--ghetool-python PATH`` option of
``gshp validate``, the environment variable ``GSHP_GHETOOL_PYTHON``, or the current
interpreter when it can import GHEtool. Without one, the section is skipped with
:data:`SKIP_LINE`.

Also here: the Ahmadfard & Bernier (2019) sizing benchmark packaged in
``gshp/data/validation/ahmadfard_bernier/`` (:func:`benchmark`, :func:`benchmark_payload`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

from gshp.errors import InputError

ENV_VAR = "GSHP_GHETOOL_PYTHON"
SIDE_SCRIPT = Path(__file__).with_name("ghetool_side.py")
SETUP_DOC = "docs/validation/README.md, section 'GHEtool side by side'"
SKIP_LINE = f"GHEtool side by side: skipped — no GHEtool interpreter (see {SETUP_DOC})"
DEFAULT_TIMEOUT_S = 900.0
"""A 120-borehole field sized on 10 years of hourly load takes about a minute."""


class GhetoolError(RuntimeError):
    """The GHEtool side failed: one message (its JSON error, a timeout or a crash)."""


def find_interpreter(explicit: str | os.PathLike | None = None) -> str | None:
    """The GHEtool interpreter: ``explicit`` (``--ghetool-python``), ``$GSHP_GHETOOL_PYTHON``
    or the current interpreter when it imports GHEtool; None when there is none.

    Raises InputError when ``explicit`` or the environment variable names no executable file.
    """
    for where, value in (("--ghetool-python", explicit), (ENV_VAR, os.environ.get(ENV_VAR))):
        if value:
            p = Path(value).expanduser()
            if not (p.is_file() and os.access(p, os.X_OK)):
                raise InputError.single(
                    where,
                    str(value),
                    f"an executable Python interpreter of an environment with GHEtool 2.4 "
                    f"(see {SETUP_DOC})",
                )
            return str(p)
    if importlib.util.find_spec("GHEtool") is not None:
        return sys.executable
    return None


def run_ghetool(
    op: str, payload: dict, python: str | None = None, timeout: float = DEFAULT_TIMEOUT_S
) -> dict:
    """Run the GHEtool side script on one request and return its JSON answer.

    ``op`` is ``"temperatures"`` or ``"size"``; ``payload`` the rest of the request (see
    :mod:`gshp.validation.ghetool_side`: field, ground, R_b_mK_W, load, years, limits;
    numpy arrays are accepted for the load). ``python`` defaults to
    :func:`find_interpreter`. Raises :class:`GhetoolError` with one line on any failure.
    """
    python = python or find_interpreter()
    if python is None:
        raise GhetoolError(SKIP_LINE)
    request = json.dumps({**payload, "op": op}, default=_jsonable)
    try:
        proc = subprocess.run(
            [python, str(SIDE_SCRIPT), "-"],
            input=request,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GhetoolError(f"GHEtool side script ({op}): no answer within {timeout:g} s") from None
    except OSError as exc:
        raise GhetoolError(f"GHEtool side script: cannot run {python}: {exc}") from None
    lines = proc.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        answer = None
    if not isinstance(answer, dict):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise GhetoolError(
            f"GHEtool side script ({op}): exit code {proc.returncode}, no JSON answer ({tail})"
        )
    if not answer.get("ok"):
        raise GhetoolError(f"GHEtool side script ({op}): {answer.get('error', 'failed')}")
    return answer


def _jsonable(obj):
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def payload_from_borefield(bf, extraction_kW, injection_kW, years: int, Tf_min_C: float,
                           Tf_max_C: float, R_b_mK_W: float | None = None) -> dict:  # fmt: skip
    """A GHEtool request for a gshp ``[borefield]`` (``gshp.config.BorefieldConfig``).

    GHEtool takes a rectangular field and a constant R_b*: ``R_b_mK_W`` or the case's
    ``R_b_override_mK_W``. Limits are on the mean fluid temperature (GHEtool 2.4.0).
    """
    if bf.layout != "rectangle":
        raise InputError.single("borefield.layout", bf.layout, "'rectangle' for GHEtool")
    rb = R_b_mK_W if R_b_mK_W is not None else bf.R_b_override_mK_W
    if rb is None:
        raise InputError.single(
            "borefield.R_b_override_mK_W", None, "a constant R_b* for the GHEtool side"
        )
    return {
        "field": {"n_x": bf.n_x, "n_y": bf.n_y, "spacing_m": bf.spacing_m,
                  "H_m": bf.length_m, "D_m": bf.buried_depth_m, "r_b_m": bf.radius_m},
        "ground": {"k_s_W_mK": bf.ground.conductivity_W_mK,
                   "volumetric_heat_capacity_J_m3K": bf.ground.volumetric_heat_capacity_J_m3K,
                   "T_g_C": bf.ground.T_undisturbed_C},
        "R_b_mK_W": rb,
        "load": {"extraction_kW": extraction_kW, "injection_kW": injection_kW},
        "years": int(years),
        "limits": {"Tf_min_C": Tf_min_C, "Tf_max_C": Tf_max_C},
    }  # fmt: skip


# --- the Ahmadfard & Bernier (2019) benchmark -------------------------------------------


def benchmark_dir():
    """The packaged benchmark folder (README, benchmark.json, loads, case files)."""
    return resources.files("gshp").joinpath("data/validation/ahmadfard_bernier")


def benchmark() -> dict:
    """benchmark.json: per test (test1a, test1b, test2, test3, test4) its parameters,
    limits, the published tools' lengths and GHEtool's L4 length as its repository states."""
    return json.loads(benchmark_dir().joinpath("benchmark.json").read_text(encoding="utf-8"))


def benchmark_load(key: str):
    """(extraction_kW, injection_kW) hourly arrays of one test's field load."""
    import numpy as np

    text = benchmark_dir().joinpath(f"{key}_load.csv").read_text(encoding="utf-8")
    data = np.loadtxt(text.splitlines(), delimiter=",", skiprows=1)
    return data[:, 1], data[:, 2]


def benchmark_payload(key: str, H_m: float = 100.0) -> dict:
    """GHEtool request for test ``key``: the published R_b*, the outlet limits converted to
    mean-fluid limits with the peak ΔT/2 (as GHEtool's own validation scripts do)."""
    b = benchmark()[key]
    ext, inj = benchmark_load(key)
    f = b["field"]
    return {
        "field": {**f, "H_m": H_m},
        "ground": b["ground"],
        "R_b_mK_W": b["R_b_mK_W"],
        "load": {"extraction_kW": ext, "injection_kW": inj},
        "years": b["years"],
        "limits": {
            "Tf_min_C": b["limits_mean_fluid_C"]["min"],
            "Tf_max_C": b["limits_mean_fluid_C"]["max"],
        },  # fmt: skip
    }


# --- the report section -------------------------------------------------------------

#: GHEtool's L4 length from the side script must match the number GHEtool's repository
#: asserts (tag v2.4.0) to this relative tolerance: it checks the bridge (units, signs,
#: limits), not GHEtool.
REPO_TOL = 0.01
QUICK_TESTS = ("test1a",)


def run(ctx):
    """Section 8: GHEtool (own interpreter) on the Ahmadfard & Bernier (2019) benchmark.

    Rows: GHEtool's L4 length through :func:`run_ghetool` against the length GHEtool's
    repository states (pass within 1 %), and shown beside the published tools' range
    (info). Without a GHEtool interpreter: no rows and :data:`SKIP_LINE`.
    The gshp borefield-only runs of the same cases are added beside these rows.
    """
    from gshp.validation.core import Row, Section, fmt, markdown_table, within

    sec = Section("ghetool", "8. GHEtool side by side: Ahmadfard & Bernier (2019) sizing")
    python = find_interpreter(getattr(ctx, "ghetool_python", None))
    if python is None:
        sec.note = SKIP_LINE
        sec.text.append(SKIP_LINE + ".")  # printed once, by gshp validate (Section.note)
        return sec
    bench = benchmark()
    keys = QUICK_TESTS if ctx.quick else tuple(bench)
    table = []
    version = "?"
    for key in keys:
        b = bench[key]
        ctx.say(f"  GHEtool L4 sizing of {key} ...")
        a = run_ghetool("size", benchmark_payload(key), python=python)
        version = a["ghetool_version"]
        L, repo, t = a["length_m"], b["ghetool_L4_repo_m"], b["tools_length_m"]
        ok, tol = within(L, repo, REPO_TOL, rel=True)
        sec.rows.append(
            Row("8 GHEtool", f"{key}: GHEtool L4 length per borehole (m)",
                "GHEtool repository, v2.4.0 test script", "GHEtool", L, repo, "m", tol, ok,
                digits=2)
        )  # fmt: skip
        sec.rows.append(
            Row("8 GHEtool", f"{key}: GHEtool L4 length vs the tools' mean (m)",
                f"{t['n']} tools, {t['min']:.1f}–{t['max']:.1f} m", "AB2019", L, t["mean"],
                "m", "— (range shown)", None, digits=1)
        )  # fmt: skip
        table.append([key, b["title"].split(":", 1)[1].strip(), fmt(L, 2), fmt(repo, 2),
                      f"{t['min']:.1f} / {t['mean']:.1f} / {t['max']:.1f}",
                      a["binding_limit"]])  # fmt: skip
    sec.text += [
        f"GHEtool {version} runs in its own interpreter ({SETUP_DOC}); gshp sends each test "
        "case of Ahmadfard & Bernier (2019) (`gshp/data/validation/ahmadfard_bernier/`) "
        "to `gshp/validation/ghetool_side.py` and GHEtool sizes it with its hourly (L4) "
        "method on the mean fluid temperature, R_b* imposed, the heat pump's entering-"
        "temperature limits converted to mean-fluid limits with the peak ΔT/2 as GHEtool's "
        "own validation scripts do. The 'gshp' column of these rows is GHEtool's length; "
        "the first row of each test checks the bridge against the length GHEtool's "
        "repository asserts.",
        "",
        markdown_table(
            [
                "test",
                "case",
                "GHEtool L4 (m)",
                "GHEtool repository (m)",
                "tools min / mean / max (m)",
                "limit that binds",
            ],
            table,
            left=2,
        ),  # fmt: skip
    ]
    return sec


if __name__ == "__main__":  # pragma: no cover - maintenance: GHEtool on the benchmark
    py = find_interpreter(sys.argv[1] if len(sys.argv) > 1 else None)
    for k, v in benchmark().items():
        a = run_ghetool("size", benchmark_payload(k), python=py)
        t = v["tools_length_m"]
        print(f"{k}: GHEtool {a['ghetool_version']} L4 {a['length_m']:.3f} m (repo "
              f"{v['ghetool_L4_repo_m']:.3f}); tools {t['min']:.1f}–{t['max']:.1f} m, "
              f"mean {t['mean']:.1f}; binds {a['binding_limit']}", flush=True)  # fmt: skip
