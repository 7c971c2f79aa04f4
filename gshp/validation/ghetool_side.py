"""GHEtool side of the side-by-side comparison: a standalone script, JSON in → JSON out.

Run by the interpreter of a separate virtual environment holding GHEtool 2.4.0 (see
``gshp/data/validation/ghetool/requirements.txt``); it imports only the standard library,
numpy and GHEtool, never gshp::

    GHETOOL_PYTHON ghetool_side.py [IN.json | -] [-o OUT.json]

Input (one JSON object; lengths in m, temperatures in °C, loads in kW)::

    {"op": "temperatures" | "size",
     "field": {"n_x": 2, "n_y": 2, "spacing_m": 6.0, "H_m": 100.0, "D_m": 4.0,
               "r_b_m": 0.075},
     "ground": {"k_s_W_mK": 1.8, "volumetric_heat_capacity_J_m3K": 2.0736e6,
                "T_g_C": 17.5},
     "R_b_mK_W": 0.13,                # effective borehole resistance R_b*, constant
     "load": {"extraction_kW": [...], "injection_kW": [...]},   # 8760 or 8760·years rows
     "years": 10,
     "limits": {"Tf_min_C": -1.0, "Tf_max_C": 36.0},            # on the MEAN fluid temperature
     "H_init_m": 100.0,               # optional, start of GHEtool's sizing iteration
     "return_hourly": false}          # optional: add the full hourly series

Conventions. GHEtool's "extraction" (formerly "baseload heating") is heat taken from the
ground, its "injection" ("cooling") heat put into it, both ≥ 0 in kW (kWh/h). The fluid
temperature ``Tf`` of GHEtool is the mean fluid temperature (inlet + outlet)/2:
``Tf = Tb + q·R_b*/(N·H)`` with ``q`` the net injection (GHEtool ``Borefield``
``_calculate_temperature_profile``). The ground temperature is uniform (GHEtool
``GroundFluxTemperature`` with zero flux, as GHEtool's own validation scripts use).

Operations:

* ``temperatures`` — ``Borefield.calculate_temperatures(H, hourly=True)`` (GHEtool's L4,
  hourly load aggregation): per calendar month of a 365-day year (dims year × month) the
  minimum, maximum and mean of the hourly mean fluid temperature and the mean borehole wall
  temperature; with ``return_hourly`` also ``Tf_C`` and ``Tb_C`` hour by hour.
* ``size`` — ``Borefield.size(H_init, L4_sizing=True)``: the length per borehole for
  which the hourly mean fluid temperature stays within the limits, GHEtool's
  ``limiting_quadrant`` (1, 2: the maximum limit binds; 3, 4: the minimum) and the extremes
  of the mean fluid temperature at that length. GHEtool 2.4.0 sizes on the mean fluid
  temperature only (sizing on the inlet or outlet temperature came in later versions):
  limits on the heat-pump side are converted before (as GHEtool's own validation scripts
  do: T_mean limit = outlet limit ± ΔT_peak/2).

Output: ``{"ok": true, "ghetool_version": ..., ...}``; on bad input or a GHEtool failure
``{"ok": false, "error": "one line"}`` and exit code 2 (input) or 1 (GHEtool).
"""

from __future__ import annotations

import contextlib
import json
import math
import sys

HOURS_PER_YEAR = 8760
DAYS_PER_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class BadInput(ValueError):
    """Input JSON that does not describe a case this script can run."""


def _number(obj, key, where, lo=None, hi=None, integer=False):
    if key not in obj:
        raise BadInput(f"{where}.{key}: missing")
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise BadInput(f"{where}.{key}: {v!r} is not a finite number")
    if integer and int(v) != v:
        raise BadInput(f"{where}.{key}: {v!r} is not a whole number")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise BadInput(f"{where}.{key}: {v!r} outside [{lo}, {hi}]")
    return int(v) if integer else float(v)


def parse(payload: dict) -> dict:
    """Check the input and return it normalised (BadInput naming the field otherwise)."""
    import numpy as np

    if not isinstance(payload, dict):
        raise BadInput("input: a JSON object expected")
    op = payload.get("op")
    if op not in ("temperatures", "size"):
        raise BadInput(f"op: {op!r}, allowed 'temperatures' or 'size'")
    for sec in ("field", "ground", "load", "limits"):
        if not isinstance(payload.get(sec), dict):
            raise BadInput(f"{sec}: missing or not an object")
    f, g, lim = payload["field"], payload["ground"], payload["limits"]
    out = {
        "op": op,
        "n_x": _number(f, "n_x", "field", 1, 1000, integer=True),
        "n_y": _number(f, "n_y", "field", 1, 1000, integer=True),
        "spacing_m": _number(f, "spacing_m", "field", 0.5, 100),
        "H_m": _number(f, "H_m", "field", 1, 2000),
        "D_m": _number(f, "D_m", "field", 0, 500),
        "r_b_m": _number(f, "r_b_m", "field", 0.01, 0.5),
        "k_s": _number(g, "k_s_W_mK", "ground", 0.05, 20),
        "rho_c": _number(g, "volumetric_heat_capacity_J_m3K", "ground", 1e5, 1e7),
        "T_g": _number(g, "T_g_C", "ground", -50, 100),
        "R_b": _number(payload, "R_b_mK_W", "input", 1e-4, 5),
        "years": _number(payload, "years", "input", 1, 100, integer=True),
        "Tf_min": _number(lim, "Tf_min_C", "limits", -100, 100),
        "Tf_max": _number(lim, "Tf_max_C", "limits", -100, 200),
        "H_init": float(payload.get("H_init_m", 100.0)),
        "return_hourly": bool(payload.get("return_hourly", False)),
    }
    if out["Tf_min"] >= out["Tf_max"]:
        raise BadInput(f"limits: Tf_min_C {out['Tf_min']} must be below Tf_max_C {out['Tf_max']}")
    n_ok = (HOURS_PER_YEAR, HOURS_PER_YEAR * out["years"])
    for key in ("extraction_kW", "injection_kW"):
        try:
            a = np.asarray(payload["load"].get(key), dtype=float)
        except (TypeError, ValueError) as exc:
            raise BadInput(f"load.{key}: not a list of numbers ({exc})") from None
        if a.ndim != 1 or a.size not in n_ok:
            raise BadInput(f"load.{key}: {a.size} values, allowed {n_ok[0]} or {n_ok[1]} (hourly)")
        if not np.all(np.isfinite(a)) or np.any(a < 0):
            i = int(np.flatnonzero(~np.isfinite(a) | (a < 0))[0])
            raise BadInput(f"load.{key}[{i}]: {a[i]!r}, allowed a finite number ≥ 0 (kW)")
        out[key] = a
    if out["extraction_kW"].size != out["injection_kW"].size:
        raise BadInput("load: extraction_kW and injection_kW differ in length")
    return out


def borefield(c: dict):
    """GHEtool's Borefield for the normalised input ``c``."""
    from GHEtool import (
        Borefield,
        GroundFluxTemperature,
        HourlyGeothermalLoad,
        HourlyGeothermalLoadMultiYear,
    )

    bf = Borefield()
    bf.ground_data = GroundFluxTemperature(
        k_s=c["k_s"], T_g=c["T_g"], volumetric_heat_capacity=c["rho_c"], flux=0
    )
    bf.create_rectangular_borefield(
        c["n_x"], c["n_y"], c["spacing_m"], c["spacing_m"], c["H_m"], c["D_m"], c["r_b_m"]
    )
    bf.set_Rb(c["R_b"])  # constant R_b* (use_constant_Rb = True)
    bf.set_min_avg_fluid_temperature(c["Tf_min"])
    bf.set_max_avg_fluid_temperature(c["Tf_max"])
    if c["extraction_kW"].size == HOURS_PER_YEAR:
        load = HourlyGeothermalLoad(
            extraction_load=c["extraction_kW"],
            injection_load=c["injection_kW"],
            simulation_period=c["years"],
        )
    else:
        load = HourlyGeothermalLoadMultiYear(
            extraction_load=c["extraction_kW"], injection_load=c["injection_kW"]
        )
    bf.load = load
    return bf


def monthly(series, years: int) -> dict:
    """Min, max and mean per (year, calendar month of a 365-day year) of an hourly series."""
    import numpy as np

    edges = np.concatenate([[0], np.cumsum(np.array(DAYS_PER_MONTH) * 24)])
    s = np.asarray(series, dtype=float)[: years * HOURS_PER_YEAR].reshape(years, HOURS_PER_YEAR)
    lo = np.empty((years, 12))
    hi = np.empty((years, 12))
    mean = np.empty((years, 12))
    for m in range(12):
        block = s[:, edges[m] : edges[m + 1]]
        lo[:, m], hi[:, m], mean[:, m] = block.min(1), block.max(1), block.mean(1)
    return {"min": lo.tolist(), "max": hi.tolist(), "mean": mean.tolist()}


def temperatures(c: dict, bf=None, H=None) -> dict:
    """GHEtool's hourly (L4) mean fluid and borehole wall temperatures at length ``H``."""
    import numpy as np

    bf = borefield(c) if bf is None else bf
    H = c["H_m"] if H is None else H
    bf.calculate_temperatures(H, hourly=True)
    Tf = np.asarray(bf.results.Tf, dtype=float)
    Tb = np.asarray(bf.results.Tb, dtype=float)
    years = len(Tf) // HOURS_PER_YEAR
    mf, mb = monthly(Tf, years), monthly(Tb, years)
    out = {
        "H_m": float(H),
        "years": years,
        "hours": len(Tf),
        "Tf_min_C": float(Tf.min()),
        "Tf_max_C": float(Tf.max()),
        "monthly": {
            "Tf_min_C": mf["min"],
            "Tf_max_C": mf["max"],
            "Tf_mean_C": mf["mean"],
            "Tb_mean_C": mb["mean"],
        },
    }
    if c["return_hourly"]:
        out["Tf_C"] = Tf.tolist()
        out["Tb_C"] = Tb.tolist()
    return out


def size(c: dict) -> dict:
    """GHEtool's L4 (hourly) sizing on the mean fluid temperature."""
    bf = borefield(c)
    H = float(bf.size(c["H_init"], L4_sizing=True))
    t = temperatures(c, bf, H)
    return {
        "length_m": H,
        "method": "L4",
        "criterion": "mean",
        "limiting_quadrant": int(bf.limiting_quadrant),
        "binding_limit": "max" if bf.limiting_quadrant in (1, 2) else "min",
        "Tf_min_C": t["Tf_min_C"],
        "Tf_max_C": t["Tf_max_C"],
    }


def run(payload: dict) -> dict:
    """The answer to one request (raises BadInput for bad input)."""
    from importlib.metadata import version

    c = parse(payload)
    # GHEtool prints warnings (e.g. a shallow field) on stdout: keep stdout for the JSON.
    with contextlib.redirect_stdout(sys.stderr):
        body = temperatures(c) if c["op"] == "temperatures" else size(c)
    return {"ok": True, "op": c["op"], "ghetool_version": version("GHEtool"), **body}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out_path = None
    if "-o" in argv:
        i = argv.index("-o")
        if i + 1 >= len(argv):
            print(json.dumps({"ok": False, "error": "-o needs a file name"}))
            return 2
        out_path = argv[i + 1]
        del argv[i : i + 2]
    src = argv[0] if argv else "-"
    code = 0
    try:
        if src == "-":
            payload = json.load(sys.stdin)
        else:
            with open(src, encoding="utf-8") as fh:
                payload = json.load(fh)
        answer = run(payload)
    except (json.JSONDecodeError, OSError) as exc:
        answer, code = {"ok": False, "error": f"input {src}: {exc}"}, 2
    except BadInput as exc:
        answer, code = {"ok": False, "error": str(exc)}, 2
    except Exception as exc:  # noqa: BLE001 - GHEtool's own failures, reported as one line
        answer, code = {"ok": False, "error": f"GHEtool failed: {type(exc).__name__}: {exc}"}, 1
    text = json.dumps(answer)
    if out_path:
        with open(out_path, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
