"""Heat pumps: the substations' booster heat pumps and the station's ground-source heat pump.

Booster heat pumps (substations)
--------------------------------
:func:`booster_cops` gives the seasonal COP of the space-heating and DHW boosters and the
seasonal EER of the space-cooling boosters as functions of the network supply temperature,
with the power-law lift model described there. Parameters live in a float64 array built
by :func:`default_booster_params`; its layout is given by the ``BP_*`` index constants.

Units: SI inside (W, K, kg/s, J/(kg·K)); temperatures in °C at the interfaces.
"""

from __future__ import annotations

import math
import tomllib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numba
import numpy as np

from gshp.errors import MISSING, InputError, Problem
from gshp.jit import kernel_jit

# ---------------------------------------------------------------------------------------
# Booster heat pumps of the substations
# ---------------------------------------------------------------------------------------

#: Index of the seasonal space-heating COP at the reference network temperature (–).
BP_SH_COP_REF = 0
#: Index of the space-heating supply (sink outlet) temperature (°C).
BP_SH_T_SINK = 1
#: Index of the space-heating lift exponent b (–), COP ∝ lift**(-b).
BP_SH_EXP = 2
#: Index of the seasonal DHW COP at the reference network temperature (–).
BP_DHW_COP_REF = 3
#: Index of the DHW sink outlet temperature (°C).
BP_DHW_T_SINK = 4
#: Index of the DHW lift exponent b (–).
BP_DHW_EXP = 5
#: Index of the seasonal space-cooling EER at the reference cooling network temperature (–).
BP_SC_EER_REF = 6
#: Index of the chilled-water supply temperature of space cooling (°C).
BP_SC_T_CHILLED = 7
#: Index of the space-cooling lift exponent b (–).
BP_SC_EXP = 8
#: Index of the reference network supply temperature in heating (°C).
BP_T_REF_HEATING = 9
#: Index of the reference network supply temperature in cooling (°C).
BP_T_REF_COOLING = 10
#: Index of the smallest lift used in the model (K); smaller lifts are raised to it.
BP_LIFT_MIN = 11
#: Index of the upper limit of any COP/EER (–).
BP_COP_MAX = 12
#: Length of the booster parameter array.
BP_SIZE = 13

#: COP(8 °C)/COP(20 °C) the default exponents are calibrated to (space heating and DHW).
BOOSTER_COP_RATIO_8_20 = 0.876


def default_booster_params(
    cop_sh_ref: float = 5.30,
    cop_dhw_ref: float = 3.75,
    eer_sc_ref: float = 4.70,
    t_sh_sink_C: float = 33.0,
    t_dhw_sink_C: float = 45.0,
    t_sc_chilled_C: float = 18.0,
    t_ref_heating_C: float = 20.0,
    t_ref_cooling_C: float = 25.0,
    cop_ratio_8_20: float = BOOSTER_COP_RATIO_8_20,
    lift_min_K: float = 3.0,
    cop_max: float = 12.0,
) -> np.ndarray:
    """Parameter array of the booster model, calibrated to table R5 of docs/reference-study.md §7.

    Reference values (network 20 °C in heating, 25 °C in cooling): SCOP space heating
    5.30 (R5: 5.2–5.4 over the three climates), SCOP DHW 3.75 (R5: 3.7–3.8), SEER space
    cooling 4.70 (R5: 4.5–4.9; 4.70 is the only single value within 0.2 of all three).

    The lift exponents ``b`` of space heating and DHW are set so that
    COP(network 8 °C)/COP(network 20 °C) = ``cop_ratio_8_20`` (default 0.876): with
    about 60 % of the heating+DHW booster electricity falling in November–March in
    Berlin, this gives the ≈ 8.5 % rise of booster electricity the reference study
    reports for the variable setpoint strategy (0.6 × (1/0.876 − 1) ≈ 0.085).
    ``b = ln(ratio) / ln(lift_20 / lift_8)`` with lift = T_sink − T_network, i.e.
    b = 0.202 for space heating (lifts 13 K → 25 K) and 0.338 for DHW (25 K → 37 K).
    The space-cooling exponent is taken equal to the space-heating one (the same
    reversible machine).

    Returns
    -------
    numpy.ndarray, float64, shape (BP_SIZE,)
        Indexed by the module constants ``BP_*``.
    """
    p = np.zeros(BP_SIZE, dtype=np.float64)
    lift_sh_ref = t_sh_sink_C - t_ref_heating_C
    lift_dhw_ref = t_dhw_sink_C - t_ref_heating_C
    b_sh = math.log(cop_ratio_8_20) / math.log(lift_sh_ref / (t_sh_sink_C - 8.0))
    b_dhw = math.log(cop_ratio_8_20) / math.log(lift_dhw_ref / (t_dhw_sink_C - 8.0))
    p[BP_SH_COP_REF] = cop_sh_ref
    p[BP_SH_T_SINK] = t_sh_sink_C
    p[BP_SH_EXP] = b_sh
    p[BP_DHW_COP_REF] = cop_dhw_ref
    p[BP_DHW_T_SINK] = t_dhw_sink_C
    p[BP_DHW_EXP] = b_dhw
    p[BP_SC_EER_REF] = eer_sc_ref
    p[BP_SC_T_CHILLED] = t_sc_chilled_C
    p[BP_SC_EXP] = b_sh
    p[BP_T_REF_HEATING] = t_ref_heating_C
    p[BP_T_REF_COOLING] = t_ref_cooling_C
    p[BP_LIFT_MIN] = lift_min_K
    p[BP_COP_MAX] = cop_max
    return p


@kernel_jit()
def _lift_power_law(cop_ref, lift, lift_ref, b, lift_min, cop_max):
    """COP = COP_ref · (lift/lift_ref)**(−b), lift floored at lift_min, COP in [1, cop_max]."""
    if lift < lift_min:
        lift = lift_min
    if lift_ref < lift_min:
        lift_ref = lift_min
    cop = cop_ref * (lift / lift_ref) ** (-b)
    if cop > cop_max:
        cop = cop_max
    if cop < 1.0:
        cop = 1.0
    return cop


@kernel_jit()
def booster_cops(T_network_C, params):
    """Seasonal COP/EER of the substations' booster heat pumps at a network supply temperature.

    Model: a power law of the temperature lift of the secondary fluids,

        COP = COP_ref · (ΔT_lift / ΔT_lift,ref) ** (−b),

    with ΔT_lift = T_sink,out − T_network for heating (space heating 33 °C, DHW 45 °C)
    and ΔT_lift = T_network − T_chilled for space cooling (chilled water 18 °C). The
    form ``COP = a · ΔT_lift ** (−b)`` with ΔT_lift = sink outlet − source inlet is the
    empirical correlation of Arpagaus et al. (2018) for the COP of real heat pumps
    across products (they fit b = 0.76 on high-temperature heat pumps of lifts
    30–100 K). Here ``COP_ref`` is calibrated to the reference study's seasonal
    values (reference study, R5) and ``b`` to its reported +8.5 % booster electricity under
    the variable strategy (see :func:`default_booster_params`): b ≈ 0.20 (space
    heating and cooling) and ≈ 0.34 (DHW).

    Why not a fixed Carnot efficiency: with η_C constant, COP ∝ T_sink/ΔT_lift and
    lowering the network from 20 °C to 8 °C cuts the space-heating COP by a third
    (lifts between refrigerant temperatures 23 → 35 K with 5 K approaches) to a half
    (secondary-fluid lifts 13 → 25 K), i.e. +30 % to +55 % booster electricity in
    Berlin, four to six times what the reference study reports. Real small-lift
    water-to-water machines do not follow that: their Carnot
    (exergy) efficiency falls as the lift shrinks (fixed built-in volume ratio of scroll
    compressors → over-compression at low pressure ratios; fixed heat-exchanger
    approach temperatures and auxiliaries weigh more), see Jensen et al. (2018) and
    Winandy et al. (2002). The calibrated law implies η_C ≈ 0.22 at a 13 K lift and
    ≈ 0.38 at 25 K for space heating, consistent with that trend. Honest caveat: the
    exponent is calibrated to one reported sensitivity (Berlin, +8.5 %), not fitted to
    machine test data; published generic fits (Staffell et al. 2012; Ruhnau et al.
    2019) give a stronger dependence (COP(8 °C)/COP(20 °C) ≈ 0.75–0.8).

    The lift is floored at ``params[BP_LIFT_MIN]`` (K) and the result limited to
    [1, ``params[BP_COP_MAX]``].

    Parameters
    ----------
    T_network_C : float
        Network supply temperature at the substation (°C).
    params : numpy.ndarray, float64
        From :func:`default_booster_params` (layout ``BP_*``).

    Returns
    -------
    cop_sh, cop_dhw, eer_sc : float
        Seasonal COP of space heating and of DHW, seasonal EER of space cooling (–).

    References
    ----------
    Arpagaus, C., Bless, F., Uhlmann, M., Schiffmann, J., Bertsch, S.S. (2018). High
    temperature heat pumps: market overview, state of the art, research status,
    refrigerants, and application potentials. Energy 152, 985–1010.
    Jensen, J.K., Ommen, T., Reinholdt, L., Markussen, W.B., Elmegaard, B. (2018). Heat
    pump COP, part 2: generalized COP estimation of heat pump processes. 13th IIR
    Gustav Lorentzen Conference, Valencia.
    Winandy, E., Saavedra, C., Lebrun, J. (2002). Experimental analysis and simplified
    modelling of a hermetic scroll refrigeration compressor. Appl. Therm. Eng. 22, 107–120.
    """
    lift_min = params[BP_LIFT_MIN]
    cop_max = params[BP_COP_MAX]
    t_ref_h = params[BP_T_REF_HEATING]
    t_sh = params[BP_SH_T_SINK]
    cop_sh = _lift_power_law(
        params[BP_SH_COP_REF],
        t_sh - T_network_C,
        t_sh - t_ref_h,
        params[BP_SH_EXP],
        lift_min,
        cop_max,
    )
    t_dhw = params[BP_DHW_T_SINK]
    cop_dhw = _lift_power_law(
        params[BP_DHW_COP_REF],
        t_dhw - T_network_C,
        t_dhw - t_ref_h,
        params[BP_DHW_EXP],
        lift_min,
        cop_max,
    )
    t_ch = params[BP_SC_T_CHILLED]
    eer_sc = _lift_power_law(
        params[BP_SC_EER_REF],
        T_network_C - t_ch,
        params[BP_T_REF_COOLING] - t_ch,
        params[BP_SC_EXP],
        lift_min,
        cop_max,
    )
    return cop_sh, cop_dhw, eer_sc


# ---------------------------------------------------------------------------------------
# Compressor maps (EN 12900 / AHRI 540 ten-coefficient polynomials)
# ---------------------------------------------------------------------------------------

MAPS_DIR = Path(__file__).parents[1] / "data" / "compressors"

#: Accepted units of the map files and their conversion to SI, as (scale, offset):
#: SI = scale * value + offset. Temperatures convert °C → map unit with the inverse.
_TEMPERATURE_UNITS = {"degC": (1.0, 0.0), "degF": (5.0 / 9.0, -32.0 * 5.0 / 9.0)}
_CAPACITY_UNITS = {"W": 1.0, "kW": 1000.0, "Btu/h": 0.29307107017}
_POWER_UNITS = {"W": 1.0, "kW": 1000.0}
_MASS_FLOW_UNITS = {"kg/s": 1.0, "kg/h": 1.0 / 3600.0, "lbm/h": 0.45359237 / 3600.0, "g/s": 1e-3}

from gshp.physics.water import CP_WATER  # noqa: E402  (condenser water; one value everywhere)


def polynomial_en12900(c, S, D):
    """EN 12900 / AHRI 540 ten-coefficient compressor polynomial.

    X = C1 + C2·S + C3·D + C4·S² + C5·S·D + C6·D² + C7·S³ + C8·D·S² + C9·S·D² + C10·D³,
    S evaporating and D condensing dew-point temperature, in the map's own units.

    References: EN 12900:2013 Refrigerant compressors — rating conditions, tolerances and
    presentation of manufacturer's performance data; ANSI/AHRI Standard 540-2020.
    """
    S = np.asarray(S, dtype=np.float64)
    D = np.asarray(D, dtype=np.float64)
    return (
        c[0]
        + c[1] * S
        + c[2] * D
        + c[3] * S * S
        + c[4] * S * D
        + c[5] * D * D
        + c[6] * S**3
        + c[7] * D * S * S
        + c[8] * S * D * D
        + c[9] * D**3
    )


def _clamp_to_polygon(x, y, px, py):
    """Clamp points (x, y) into the polygon (px, py): inside points are kept, outside points
    move to the nearest point of the boundary. Returns (xc, yc, outside)."""
    x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    xc, yc, out = _clamp_points(
        x.ravel(), y.ravel(), np.asarray(px, dtype=np.float64), np.asarray(py, dtype=np.float64)
    )
    return xc.reshape(x.shape), yc.reshape(x.shape), out.reshape(x.shape) > 0.0


@numba.njit(cache=True)
def _clamp_points(x, y, px, py):
    """:func:`_clamp_point` over the points of two 1-D arrays."""
    xc = np.empty_like(x)
    yc = np.empty_like(y)
    out = np.empty_like(x)
    for k in range(x.shape[0]):
        xc[k], yc[k], out[k] = _clamp_point(x[k], y[k], px, py)
    return xc, yc, out


@dataclass(frozen=True)
class CompressorMap:
    """One compressor's EN 12900 map with its units, rating conditions and envelope.

    Coefficients are kept in the units of the source; :meth:`evaluate` converts to SI.
    ``envelope_S_C`` / ``envelope_D_C`` are the vertices (°C) of the operating envelope
    in the (evaporating, condensing) dew-point plane.
    """

    id: str
    model: str
    manufacturer: str
    refrigerant: str
    source: str
    superheat_K: float
    subcooling_K: float
    units: dict
    capacity: tuple
    power: tuple
    mass_flow: tuple | None
    envelope_S_C: tuple
    envelope_D_C: tuple
    swept_volume_m3: float | None = None
    path: str = ""

    def _to_map_T(self, T_C):
        scale, offset = _TEMPERATURE_UNITS[self.units["temperature"]]
        return (np.asarray(T_C, dtype=np.float64) - offset) / scale

    def clamp(self, S_C, D_C):
        """Clamp (S, D) in °C into the envelope: (S_clamped, D_clamped, outside flag)."""
        return _clamp_to_polygon(S_C, D_C, self.envelope_S_C, self.envelope_D_C)

    def evaluate(self, S_C, D_C, clamp=True):
        """Refrigerating capacity (W), electric power (W) and envelope flag at (S, D) °C.

        Outside the envelope the polynomials are evaluated at the nearest envelope point
        (clamping, never extrapolation) and the flag is True.
        """
        if clamp:
            S_C, D_C, out = self.clamp(S_C, D_C)
        else:
            out = np.zeros(np.broadcast(S_C, D_C).shape, dtype=bool)
        s, d = self._to_map_T(S_C), self._to_map_T(D_C)
        q = polynomial_en12900(self.capacity, s, d) * _CAPACITY_UNITS[self.units["capacity"]]
        p = polynomial_en12900(self.power, s, d) * _POWER_UNITS[self.units["power"]]
        return q, p, out

    def mass_flow_kg_s(self, S_C, D_C):
        """Refrigerant mass flow (kg/s) at (S, D) °C, clamped to the envelope; None if absent."""
        if self.mass_flow is None:
            return None
        S_C, D_C, _ = self.clamp(S_C, D_C)
        s, d = self._to_map_T(S_C), self._to_map_T(D_C)
        return polynomial_en12900(self.mass_flow, s, d) * _MASS_FLOW_UNITS[self.units["mass_flow"]]


def list_compressor_maps() -> list[str]:
    """Ids of the compressor maps shipped with gshp."""
    return sorted(p.stem for p in MAPS_DIR.glob("*.toml"))


def load_compressor_map(name_or_path: str) -> CompressorMap:
    """Load and validate a compressor map: a shipped id or a path to a TOML map file.

    Checks: ten numeric coefficients for capacity and power (mass flow optional), known
    units, rating superheat/subcooling present, an envelope polygon of at least three
    vertices, and positive capacity and power everywhere inside the envelope. All problems
    are collected into one :class:`~gshp.errors.InputError`.
    """
    p = Path(name_or_path)
    if not p.suffix and (MAPS_DIR / f"{name_or_path}.toml").exists():
        p = MAPS_DIR / f"{name_or_path}.toml"
    allowed = f"a shipped map id ({', '.join(list_compressor_maps())}) or an existing .toml file"
    if "\x00" in str(name_or_path) or not p.exists():
        raise InputError.single("heat_pump.compressor", name_or_path, allowed)
    if not p.is_file():
        raise InputError.single(
            f"heat_pump.compressor {p}", "a folder", f"a compressor map file: {allowed}"
        )
    try:
        with open(p, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError.single(str(p), str(exc), "a valid TOML compressor map") from None
    except UnicodeDecodeError as exc:
        raise InputError.single(
            str(p), f"not UTF-8 text (byte {exc.start})", "a TOML compressor map"
        ) from None
    except OSError as exc:
        raise InputError.single(
            str(p), f"unreadable ({exc.strerror})", "a readable TOML compressor map"
        ) from None
    src = str(p)
    problems: list[Problem] = []

    def need(table, key, where, kind=str):
        if key not in table:
            problems.append(Problem(where, MISSING, f"required ({kind.__name__})"))
            return None
        v = table[key]
        if kind is float and isinstance(v, int | float) and not isinstance(v, bool):
            return float(v)
        if not isinstance(v, kind):
            problems.append(Problem(where, v, f"must be a {kind.__name__}"))
            return None
        return v

    ident = need(raw, "id", "id") or p.stem
    model = need(raw, "model", "model")
    refrigerant = need(raw, "refrigerant", "refrigerant")
    source = need(raw, "source", "source")
    rating = raw.get("rating", {})
    sh = need(rating, "superheat_K", "rating.superheat_K", float)
    sc = need(rating, "subcooling_K", "rating.subcooling_K", float)
    units = raw.get("units", {})
    allowed = {
        "temperature": _TEMPERATURE_UNITS,
        "capacity": _CAPACITY_UNITS,
        "power": _POWER_UNITS,
        "mass_flow": _MASS_FLOW_UNITS,
    }
    for key, table in allowed.items():
        if key == "mass_flow" and "mass_flow" not in raw.get("coefficients", {}):
            continue
        u = units.get(key, MISSING)
        if u not in table:
            problems.append(Problem(f"units.{key}", u, f"one of {', '.join(table)}"))
    coefs = raw.get("coefficients", {})
    got = {}
    for key in ("capacity", "power", "mass_flow"):
        if key not in coefs:
            if key != "mass_flow":
                problems.append(Problem(f"coefficients.{key}", MISSING, "ten numbers C1..C10"))
            continue
        c = coefs[key]
        ok = (
            isinstance(c, list)
            and len(c) == 10
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in c)
            and all(math.isfinite(v) for v in c)
        )
        if not ok:
            problems.append(Problem(f"coefficients.{key}", c, "ten finite numbers C1..C10"))
        else:
            got[key] = tuple(float(v) for v in c)
    env = raw.get("envelope", {})
    es, ed = env.get("evaporating_C", MISSING), env.get("condensing_C", MISSING)
    env_ok = (
        isinstance(es, list)
        and isinstance(ed, list)
        and len(es) == len(ed) >= 3
        and all(isinstance(v, int | float) and math.isfinite(v) for v in es + ed)
    )
    if not env_ok:
        problems.append(
            Problem(
                "envelope",
                {"evaporating_C": es, "condensing_C": ed},
                "two lists of equal length >= 3 (polygon vertices, °C)",
            )
        )
    if problems:
        raise InputError(problems, source=src)
    cmap = CompressorMap(
        id=ident,
        model=model,
        manufacturer=str(raw.get("manufacturer", "")),
        refrigerant=refrigerant,
        source=source,
        superheat_K=sh,
        subcooling_K=sc,
        units={k: units[k] for k in allowed if k in units},
        capacity=got["capacity"],
        power=got["power"],
        mass_flow=got.get("mass_flow"),
        envelope_S_C=tuple(float(v) for v in es),
        envelope_D_C=tuple(float(v) for v in ed),
        swept_volume_m3=raw.get("swept_volume_m3"),
        path=src,
    )
    # Physical inside the envelope: sample a grid and keep the points inside.
    ss = np.linspace(min(es), max(es), 41)
    dd = np.linspace(min(ed), max(ed), 41)
    S, D = np.meshgrid(ss, dd, indexing="ij")
    _, _, out = cmap.clamp(S, D)
    q, pw, _ = cmap.evaluate(S[~out], D[~out], clamp=False)
    for name, arr in (("capacity", q), ("power", pw)):
        if arr.size and np.min(arr) <= 0.0:
            k = int(np.argmin(arr))
            problems.append(
                Problem(
                    f"coefficients.{name}",
                    f"{arr[k]:.4g} W at S={S[~out][k]:.1f} °C, D={D[~out][k]:.1f} °C",
                    "must be positive everywhere inside the envelope",
                )
            )
    if problems:
        raise InputError(problems, source=src)
    return cmap


# ---------------------------------------------------------------------------------------
# The machine: compressor + evaporator + condenser (effectiveness–NTU)
# ---------------------------------------------------------------------------------------

#: Default UA rule: UA = rated heating capacity / this temperature difference (K), for
#: both evaporator and condenser. With it the rating point B0/W35 has a mean temperature
#: difference of ≈ 3 K in the evaporator and ≈ 4 K in the condenser (evaporating ≈ −5 °C,
#: condensing ≈ 38 °C), typical of brine-to-water plate heat exchangers.
UA_RULE_DT_K = 4.0
#: Largest displacement ratio per compressor when the number of compressors is chosen.
MAX_DISPLACEMENT_RATIO = 1.1
#: Specific heat of the brine used for the EN 14511 rating (reference water–glycol 30 %).
RATING_BRINE_CP = 3915.0

_BISECT_ITERS = 60


def effectiveness_phase_change(UA_W_K, C_W_K):
    """ε = 1 − exp(−NTU), NTU = UA/C, of a heat exchanger whose other side changes phase
    (C_r = 0). Incropera & DeWitt, Fundamentals of Heat and Mass Transfer, eq. 11.36."""
    C = np.asarray(C_W_K, dtype=np.float64)
    return -np.expm1(-np.asarray(UA_W_K, dtype=np.float64) / C)


@numba.njit(cache=True)
def _poly10(c, S, D):
    """EN 12900 polynomial, scalar (see :func:`polynomial_en12900`)."""
    return (
        c[0]
        + S * (c[1] + S * (c[3] + S * c[6]))
        + D * (c[2] + D * (c[5] + D * c[9]))
        + S * D * (c[4] + S * c[7] + D * c[8])
    )


@numba.njit(cache=True)
def _clamp_point(x, y, px, py):
    """Scalar version of :func:`_clamp_to_polygon`: (x', y', 1.0 if moved else 0.0).

    The even-odd inside test runs first; the nearest boundary point is searched only for
    points outside (inside, the point is returned unchanged either way)."""
    n = px.shape[0]
    inside = False
    for i in range(n):
        x1 = px[i]
        y1 = py[i]
        j = i + 1 if i + 1 < n else 0
        x2 = px[j]
        y2 = py[j]
        if (y1 > y) != (y2 > y):
            if x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                inside = not inside
    if inside:
        return x, y, 0.0
    best = 1e300
    bx = x
    by = y
    for i in range(n):
        x1 = px[i]
        y1 = py[i]
        j = i + 1 if i + 1 < n else 0
        x2 = px[j]
        y2 = py[j]
        ex = x2 - x1
        ey = y2 - y1
        t = ((x - x1) * ex + (y - y1) * ey) / (ex * ex + ey * ey)
        t = min(max(t, 0.0), 1.0)
        qx = x1 + t * ex
        qy = y1 + t * ey
        d2 = (x - qx) ** 2 + (y - qy) ** 2
        if d2 < best:
            best = d2
            bx = qx
            by = qy
    if best <= 1e-18:
        return x, y, 0.0
    return bx, by, 1.0


@numba.njit(cache=True)
def _map_eval(cq, cp, conv, px, py, S_C, D_C):
    """Capacity (W), power (W) and envelope flag at (S, D) °C, clamped to the envelope.
    conv = [temperature scale, temperature offset, capacity→W, power→W]."""
    s, d, out = _clamp_point(S_C, D_C, px, py)
    s = (s - conv[1]) / conv[0]
    d = (d - conv[1]) / conv[0]
    return _poly10(cq, s, d) * conv[2], _poly10(cp, s, d) * conv[3], out


@numba.njit(cache=True)
def _bisect_evaporator(cq, cp, conv, px, py, scale, Ts, Ke, Tc):
    """T_e (°C) with scale·Q_map(T_e, T_c) = K_e·(T_s − T_e): bisection on [T_s − 100, T_s].

    Stops as soon as the midpoint equals an end of the bracket (adjacent floats): every
    further halving would leave the returned midpoint unchanged, so the result is the same
    to the bit as running all ``_BISECT_ITERS`` halvings."""
    lo = Ts - 100.0
    hi = Ts
    for _ in range(_BISECT_ITERS):
        Te = 0.5 * (lo + hi)
        if Te == lo or Te == hi:
            break
        q, p, o = _map_eval(cq, cp, conv, px, py, Te, Tc)
        if scale * q - Ke * (Ts - Te) > 0.0:
            hi = Te
        else:
            lo = Te
    return 0.5 * (lo + hi)


@numba.njit(cache=True)
def _solve_point(cq, cp, conv, px, py, scale, Ts, Ke, Tk, Kc):
    """Nested bisection (outer T_c on [T_k, T_k + 100], inner T_e), each stopped once its
    bracket is two adjacent floats (same result as the full ``_BISECT_ITERS`` halvings)."""
    lo_c = Tk
    hi_c = Tk + 100.0
    for _ in range(_BISECT_ITERS):
        Tc = 0.5 * (lo_c + hi_c)
        if Tc == lo_c or Tc == hi_c:
            break
        Te = _bisect_evaporator(cq, cp, conv, px, py, scale, Ts, Ke, Tc)
        q, p, o = _map_eval(cq, cp, conv, px, py, Te, Tc)
        if scale * (q + p) - Kc * (Tc - Tk) > 0.0:
            lo_c = Tc
        else:
            hi_c = Tc
    Tc = 0.5 * (lo_c + hi_c)
    Te = _bisect_evaporator(cq, cp, conv, px, py, scale, Ts, Ke, Tc)
    q, p, o = _map_eval(cq, cp, conv, px, py, Te, Tc)
    return Te, Tc, scale * q, scale * p, o


@numba.njit(cache=True)
def _solve_many(cq, cp, conv, px, py, scale, Ts, Ke, Tk, Kc, out):
    """:func:`_solve_point` at every point."""
    for i in range(Ts.shape[0]):
        Te, Tc, Qe, P, o = _solve_point(cq, cp, conv, px, py, scale, Ts[i], Ke[i], Tk[i], Kc[i])
        out[i, 0] = Te
        out[i, 1] = Tc
        out[i, 2] = Qe
        out[i, 3] = P
        out[i, 4] = o


def _map_arrays(cmap):
    t_scale, t_off = _TEMPERATURE_UNITS[cmap.units["temperature"]]
    conv = np.array(
        [
            t_scale,
            t_off,
            _CAPACITY_UNITS[cmap.units["capacity"]],
            _POWER_UNITS[cmap.units["power"]],
        ]
    )
    return (
        np.array(cmap.capacity, dtype=np.float64),
        np.array(cmap.power, dtype=np.float64),
        conv,
        np.array(cmap.envelope_S_C, dtype=np.float64),
        np.array(cmap.envelope_D_C, dtype=np.float64),
    )


def solve_cycle(cmap, scale, T_source_in_C, K_evap_W_K, T_sink_ref_C, K_cond_W_K):
    """Evaporating and condensing temperatures of the machine (vectorised fixed point).

    Unknowns T_e, T_c (dew points, °C). Equations:

        Q_e = scale · Q_map(T_e, T_c) = K_e · (T_source_in − T_e)        (evaporator)
        Q_c = Q_e + P = K_c · (T_c − T_sink_ref),  P = scale · P_map(T_e, T_c)  (condenser)

    with K = ε·C the effectiveness–NTU conductances (Incropera & DeWitt, ch. 11); superheat
    and desuperheating zones are lumped into the two-phase zones. No shell heat loss: the
    electric power of a suction-gas-cooled hermetic scroll ends up in the refrigerant, so
    Q_c = Q_e + P exactly. Outside the envelope the map is evaluated at the clamped point
    (flag set). Solved by nested bisection (inner T_e for given T_c, outer T_c), 60
    halvings each: temperatures to ≈ 1e-13 K.

    Returns
    -------
    T_e, T_c, Q_e, P, Q_c, clamped : numpy arrays (°C, °C, W, W, W, bool)
    """
    Ts, Ke, Tk, Kc = (
        np.ascontiguousarray(a, dtype=np.float64).ravel()
        for a in np.broadcast_arrays(
            np.asarray(T_source_in_C, float),
            np.asarray(K_evap_W_K, float),
            np.asarray(T_sink_ref_C, float),
            np.asarray(K_cond_W_K, float),
        )
    )
    shape = np.broadcast(
        np.asarray(T_source_in_C),
        np.asarray(K_evap_W_K),
        np.asarray(T_sink_ref_C),
        np.asarray(K_cond_W_K),
    ).shape
    res = np.empty((Ts.shape[0], 5))
    cq, cp, conv, px, py = _map_arrays(cmap)
    _solve_many(cq, cp, conv, px, py, float(scale), Ts, Ke, Tk, Kc, res)
    Te, Tc, Qe, P = (res[:, k].reshape(shape) for k in range(4))
    out = res[:, 4].reshape(shape) > 0.5
    return Te, Tc, Qe, P, Qe + P, out


@dataclass(frozen=True)
class Rating:
    """Steady operating point of the machine (W, °C)."""

    heating_W: float
    evaporator_W: float
    power_W: float
    cop: float
    T_evap_C: float
    T_cond_C: float
    source_flow_kg_s: float
    sink_flow_kg_s: float
    clamped: bool


@dataclass(frozen=True)
class HeatPump:
    """A ground-source heat pump: n identical compressors (one map, scaled displacement)
    with an evaporator and a condenser of given UA.

    ``scale = n_compressors × displacement_ratio`` multiplies the map's capacity and power
    (positive-displacement machines: both proportional to the swept volume at equal
    evaporating and condensing temperatures, EN 12900 scaling within a series).
    """

    cmap: CompressorMap
    rated_heating_W: float
    n_compressors: int
    displacement_ratio: float
    evaporator_UA_W_K: float
    condenser_UA_W_K: float
    condenser_flow_kg_s: float
    UA_rule: str = ""

    @property
    def scale(self) -> float:
        return self.n_compressors * self.displacement_ratio

    @classmethod
    def from_config(cls, cfg) -> HeatPump:
        """Build from ``case.heat_pump`` (attributes ``compressor``,
        ``rated_heating_capacity_kW``, ``n_compressors``, ``condenser_flow_kg_s``,
        ``evaporator_UA_W_K``, ``condenser_UA_W_K``)."""
        return cls.build(
            compressor=cfg.compressor,
            rated_heating_capacity_kW=cfg.rated_heating_capacity_kW,
            n_compressors=getattr(cfg, "n_compressors", None),
            condenser_flow_kg_s=getattr(cfg, "condenser_flow_kg_s", None),
            evaporator_UA_W_K=getattr(cfg, "evaporator_UA_W_K", None),
            condenser_UA_W_K=getattr(cfg, "condenser_UA_W_K", None),
        )

    @classmethod
    def build(
        cls,
        compressor: str,
        rated_heating_capacity_kW: float,
        n_compressors: int | None = None,
        condenser_flow_kg_s: float | None = None,
        evaporator_UA_W_K: float | None = None,
        condenser_UA_W_K: float | None = None,
    ) -> HeatPump:
        """Scale the compressor map so the heating capacity at B0/W35 (EN 14511: brine
        3 K, water 5 K temperature difference) equals the rated capacity.

        UA defaults: rated heating capacity / 4 K (``UA_RULE_DT_K``) for each exchanger.
        Condenser flow default: rated capacity over 5 K of water. The total displacement
        factor is found by root finding; ``n_compressors`` None → the smallest number with a
        displacement ratio ≤ 1.1 per compressor.
        """
        cmap = load_compressor_map(compressor)
        problems = []
        q_rated = float(rated_heating_capacity_kW) * 1000.0
        if not (q_rated > 0.0 and math.isfinite(q_rated)):
            problems.append(
                Problem("heat_pump.rated_heating_capacity_kW", rated_heating_capacity_kW, "> 0")
            )
        for name, v in (
            ("n_compressors", n_compressors),
            ("condenser_flow_kg_s", condenser_flow_kg_s),
            ("evaporator_UA_W_K", evaporator_UA_W_K),
            ("condenser_UA_W_K", condenser_UA_W_K),
        ):
            if v is not None and not (v > 0 and math.isfinite(v)):
                problems.append(Problem(f"heat_pump.{name}", v, "> 0 or omitted"))
        if problems:
            raise InputError(problems)
        rule = []
        ua_e = evaporator_UA_W_K
        if ua_e is None:
            ua_e = q_rated / UA_RULE_DT_K
            rule.append(f"evaporator UA = rated capacity / {UA_RULE_DT_K:g} K")
        ua_c = condenser_UA_W_K
        if ua_c is None:
            ua_c = q_rated / UA_RULE_DT_K
            rule.append(f"condenser UA = rated capacity / {UA_RULE_DT_K:g} K")
        m_c = condenser_flow_kg_s or q_rated / (CP_WATER * 5.0)

        def heating_at(scale):
            hp = cls(cmap, q_rated, 1, scale, float(ua_e), float(ua_c), m_c)
            return hp.rating(0.0, 35.0).heating_W

        lo, hi = 1e-3, 1.0
        while heating_at(lo) > q_rated:  # a very small machine: widen the bracket down
            lo, hi = lo / 4.0, lo
            if lo < 1e-12:
                raise InputError.single(
                    "heat_pump.rated_heating_capacity_kW",
                    rated_heating_capacity_kW,
                    "reachable with the compressor map and heat exchangers (too small)",
                )
        while heating_at(hi) < q_rated:
            lo, hi = hi, hi * 4.0
            if hi > 1e6:
                raise InputError.single(
                    "heat_pump.rated_heating_capacity_kW",
                    rated_heating_capacity_kW,
                    "reachable with the compressor map and heat exchangers",
                )
        from scipy.optimize import brentq

        scale = brentq(lambda s: heating_at(s) - q_rated, lo, hi, xtol=1e-12, rtol=1e-12)
        n = n_compressors or max(1, math.ceil(scale / MAX_DISPLACEMENT_RATIO - 1e-12))
        return cls(
            cmap,
            q_rated,
            int(n),
            scale / n,
            float(ua_e),
            float(ua_c),
            float(m_c),
            UA_rule="; ".join(rule),
        )

    def scaling_info(self) -> dict:
        """Compressor map, scaling and rated point B0/W35 (the result's ``heat_pump``
        attribute, JSON)."""
        r = self.rating(0.0, 35.0)
        m = self.cmap
        return {
            "compressor": m.id,
            "model": f"{m.manufacturer} {m.model}",
            "refrigerant": m.refrigerant,
            "n_compressors": int(self.n_compressors),
            "displacement_ratio": float(self.displacement_ratio),
            "map_scale": float(self.scale),
            "rated_heating_kW": float(self.rated_heating_W) / 1e3,
            "evaporator_UA_W_K": float(self.evaporator_UA_W_K),
            "condenser_UA_W_K": float(self.condenser_UA_W_K),
            "condenser_flow_kg_s": float(self.condenser_flow_kg_s),
            "B0W35_heating_kW": float(r.heating_W) / 1e3,
            "B0W35_power_kW": float(r.power_W) / 1e3,
            "B0W35_cop": float(r.cop),
        }

    def rating(
        self,
        source_in_C: float,
        sink_out_C: float,
        source_dT_K: float = 3.0,
        sink_dT_K: float = 5.0,
        brine_cp_J_kgK: float = RATING_BRINE_CP,
    ) -> Rating:
        """Heating capacity, evaporator load, power and COP at EN 14511 brine-to-water
        conditions: brine inlet ``source_in_C`` cooled by 3 K, water heated by 5 K to
        ``sink_out_C``; the flows are those giving these differences (fixed point on flows).

        Reference: EN 14511-2:2018, Table 5 (brine-to-water standard rating conditions).
        """
        m_s = 0.78 * self.rated_heating_W / (brine_cp_J_kgK * source_dT_K)
        m_w = self.rated_heating_W / (CP_WATER * sink_dT_K)
        for _ in range(200):
            K_e = effectiveness_phase_change(self.evaporator_UA_W_K, m_s * brine_cp_J_kgK)
            K_e = K_e * m_s * brine_cp_J_kgK
            C_w = m_w * CP_WATER
            K_c = effectiveness_phase_change(self.condenser_UA_W_K, C_w) * C_w
            Te, Tc, Qe, P, Qc, out = solve_cycle(
                self.cmap, self.scale, source_in_C, K_e, sink_out_C - sink_dT_K, K_c
            )
            m_s_new = float(Qe) / (brine_cp_J_kgK * source_dT_K)
            m_w_new = float(Qc) / (CP_WATER * sink_dT_K)
            done = abs(m_s_new - m_s) <= 1e-12 * m_s and abs(m_w_new - m_w) <= 1e-12 * m_w
            m_s, m_w = m_s_new, m_w_new
            if done:
                break
        return Rating(
            heating_W=float(Qc),
            evaporator_W=float(Qe),
            power_W=float(P),
            cop=float(Qc / P),
            T_evap_C=float(Te),
            T_cond_C=float(Tc),
            source_flow_kg_s=m_s,
            sink_flow_kg_s=m_w,
            clamped=bool(out),
        )


# ---------------------------------------------------------------------------------------
# Performance table for the time loop and its compiled lookup
# ---------------------------------------------------------------------------------------


class PerformanceTable(NamedTuple):
    """Machine performance over (source inlet, sink) temperatures, float64 arrays.

    ``q_cond``, ``q_evap``, ``power``, ``clamped`` have shape (n, m) = (len(t_source),
    len(t_sink)); q_cond = q_evap + power exactly. ``clamped`` is 1.0 where the compressor
    ran outside its envelope (map evaluated at the clamped point). ``t_evap``, ``t_cond``
    (°C) are the solved refrigerant temperatures and ``t_water_in`` the condenser water
    inlet temperature (°C).
    """

    t_source: np.ndarray
    t_sink: np.ndarray
    q_cond: np.ndarray
    q_evap: np.ndarray
    power: np.ndarray
    clamped: np.ndarray
    t_evap: np.ndarray
    t_cond: np.ndarray
    t_water_in: np.ndarray


def performance_table(
    hp: HeatPump,
    source_in_C,
    sink_C,
    m_source_kg_s: float,
    cp_source_J_kgK: float,
    coil_effectiveness: float | None = None,
    m_sink_kg_s: float | None = None,
    cache_dir=None,
    use_cache: bool = True,
) -> PerformanceTable:
    """Tabulate Q_cond, Q_evap and P over a grid, at the case's flows (set-up time).

    Evaporator: source fluid (borefield) at ``m_source_kg_s``, ``cp_source_J_kgK``,
    K_e = ε_e·C_s with ε_e = 1 − exp(−UA_e/C_s). Condenser water at ``m_sink_kg_s``
    (default: the machine's condenser flow), K_c = ε_c·C_w.

    Sink axis: the condenser water inlet temperature; or, with ``coil_effectiveness`` ε_k,
    the tank temperature around an immersed coil in the closed condenser loop
    (ε_k = Q/(C_w·(T_water,coil in − T_tank))). In steady state the loop behaves as one
    exchanger between condensing refrigerant and tank with
    1/ε_eff = 1/ε_c + 1/ε_k − 1, Q_c = ε_eff·C_w·(T_c − T_tank); the condenser water inlet
    temperature is then T_tank + Q_c/(ε_k·C_w) − Q_c/C_w (returned as ``t_water_in``).

    The solved grid is cached by a hash of every input of the solve (map coefficients,
    envelope, scale, grid, conductances), in memory and in the g-function disk cache
    (``cache_dir``, default :func:`gshp.io.diskcache.default_cache_dir`); ``use_cache=False``
    solves it again.
    """
    ts = np.ascontiguousarray(source_in_C, dtype=np.float64)
    tk = np.ascontiguousarray(sink_C, dtype=np.float64)
    problems = []
    if ts.ndim != 1 or ts.size < 2 or np.any(np.diff(ts) <= 0):
        problems.append(Problem("source_in_C", ts, "1-D, at least 2, strictly increasing"))
    if tk.ndim != 1 or tk.size < 2 or np.any(np.diff(tk) <= 0):
        problems.append(Problem("sink_C", tk, "1-D, at least 2, strictly increasing"))
    if not (m_source_kg_s > 0 and math.isfinite(m_source_kg_s)):
        problems.append(Problem("borefield total flow (kg/s)", m_source_kg_s, "> 0"))
    if not (cp_source_J_kgK > 0 and math.isfinite(cp_source_J_kgK)):
        problems.append(Problem("borefield fluid cp (J/(kg·K))", cp_source_J_kgK, "> 0"))
    if coil_effectiveness is not None and not (0.0 < coil_effectiveness <= 1.0):
        problems.append(Problem("coil_effectiveness", coil_effectiveness, "in (0, 1]"))
    m_w = hp.condenser_flow_kg_s if m_sink_kg_s is None else float(m_sink_kg_s)
    if not (m_w > 0 and math.isfinite(m_w)):
        problems.append(Problem("m_sink_kg_s", m_sink_kg_s, "> 0"))
    if problems:
        raise InputError(problems)
    C_s = m_source_kg_s * cp_source_J_kgK
    C_w = m_w * CP_WATER
    eps_e = float(effectiveness_phase_change(hp.evaporator_UA_W_K, C_s))
    eps_c = float(effectiveness_phase_change(hp.condenser_UA_W_K, C_w))
    eps = (
        eps_c
        if coil_effectiveness is None
        else 1.0 / (1.0 / eps_c + 1.0 / coil_effectiveness - 1.0)
    )
    S, K = np.meshgrid(ts, tk, indexing="ij")
    Te, Tc, Qe, P, out = _cached_cycle_grid(
        hp, ts, tk, eps_e * C_s, eps * C_w, cache_dir=cache_dir, use_cache=use_cache
    )
    Qc = Qe + P
    if coil_effectiveness is None:
        t_win = K.copy()
    else:
        t_win = K + Qc / (coil_effectiveness * C_w) - Qc / C_w
    c = np.ascontiguousarray
    return PerformanceTable(
        ts.copy(),
        tk.copy(),
        c(Qc),
        c(Qe),
        c(P),
        c(out.astype(np.float64)),
        c(Te),
        c(Tc),
        c(t_win),
    )


#: Version of the cycle solve stored in the cache key (raise it when the solve changes).
_SOLVE_SCHEME = 1
#: Solved grids kept in memory (the cases of a sweep share them), most recent last.
_GRID_MEMORY: OrderedDict = OrderedDict()
_GRID_MEMORY_SIZE = 32


def _cached_cycle_grid(hp, ts, tk, K_e, K_c, *, cache_dir=None, use_cache=True):
    """:func:`solve_cycle` over the grid source ``ts`` × sink ``tk`` (°C) with scalar
    conductances K_e, K_c (W/K): (T_e, T_c, Q_e, P, clamped), from the memory or disk
    cache when solved before.

    The key is exact (floats as hex): the cached arrays are the solve's own, bit for bit.
    """
    cq, cp, conv, px, py = _map_arrays(hp.cmap)
    key_inputs = {
        "scheme": _SOLVE_SCHEME,
        "iters": _BISECT_ITERS,
        "map": [cq, cp, conv, px, py],
        "scale": float(hp.scale),
        "t_source": ts,
        "t_sink": tk,
        "K_e": float(K_e),
        "K_c": float(K_c),
    }
    from gshp.io.diskcache import cached_path, load_array, save_array

    path = cached_path("hp", key_inputs, cache_dir)
    shape = (5, ts.size, tk.size)
    res = None
    if use_cache:
        res = _GRID_MEMORY.get(path.name)
        if res is not None:
            _GRID_MEMORY.move_to_end(path.name)
        else:
            res = load_array(path, shape, what="heat pump table")
    if res is None:
        S, K = np.meshgrid(ts, tk, indexing="ij")
        Te, Tc, Qe, P, _, out = solve_cycle(hp.cmap, hp.scale, S, K_e, K, K_c)
        res = np.stack([Te, Tc, Qe, P, out.astype(np.float64)])
        if use_cache:
            save_array(path, res, what="heat pump table")
    if use_cache and path.name not in _GRID_MEMORY:
        res.setflags(write=False)
        _GRID_MEMORY[path.name] = res
        while len(_GRID_MEMORY) > _GRID_MEMORY_SIZE:
            _GRID_MEMORY.popitem(last=False)
    return res[0].copy(), res[1].copy(), res[2].copy(), res[3].copy(), res[4] > 0.5


@kernel_jit(inline="always")
def cell(grid, x):
    """Index i and weight w of x in a strictly increasing grid (clamped); flag if outside."""
    n = grid.shape[0]
    out = 0.0
    if x <= grid[0]:
        if x < grid[0]:
            out = 1.0
        return 0, 0.0, out
    if x >= grid[n - 1]:
        if x > grid[n - 1]:
            out = 1.0
        return n - 2, 1.0, out
    # Guess the cell as if the grid were uniform (exact for uniform grids), then walk.
    lo = int((x - grid[0]) / (grid[n - 1] - grid[0]) * (n - 1))
    if lo > n - 2:
        lo = n - 2
    while lo > 0 and grid[lo] > x:
        lo -= 1
    while lo < n - 2 and grid[lo + 1] <= x:
        lo += 1
    return lo, (x - grid[lo]) / (grid[lo + 1] - grid[lo]), out


@kernel_jit(inline="always")
def _bilinear(a, i, wi, j, wj):
    return (1.0 - wi) * ((1.0 - wj) * a[i, j] + wj * a[i, j + 1]) + wi * (
        (1.0 - wj) * a[i + 1, j] + wj * a[i + 1, j + 1]
    )


@kernel_jit(inline="always")
def hp_lookup(t_source, t_sink, q_cond, q_evap, power, T_source_C, T_sink_C):
    """Bilinear lookup of the performance table (allocation-free, for the station kernel).

    Parameters
    ----------
    t_source, t_sink : float64 1-D arrays, strictly increasing (°C)
    q_cond, q_evap, power : float64 2-D arrays (len(t_source), len(t_sink)) (W)
    T_source_C : float — source (borefield outlet) temperature at the evaporator inlet (°C)
    T_sink_C : float — sink temperature of the table's sink axis (°C)

    Returns
    -------
    Q_cond_W, Q_evap_W, P_W, clamped : float
        clamped = 1.0 when (T_source, T_sink) was outside the grid (edges used), else 0.0.
        Q_evap and P are interpolated and Q_cond = Q_evap + P, so the balance holds
        exactly at every point (bilinear interpolation is linear in the table values).
    """
    i, wi, o1 = cell(t_source, T_source_C)
    j, wj, o2 = cell(t_sink, T_sink_C)
    qe = _bilinear(q_evap, i, wi, j, wj)
    p = _bilinear(power, i, wi, j, wj)
    return qe + p, qe, p, max(o1, o2)


@kernel_jit()
def hp_envelope_flag(t_source, t_sink, clamped, T_source_C, T_sink_C):
    """1.0 if any table node of the cell used at (T_source, T_sink) ran outside the
    compressor envelope, else 0.0 (count these steps in the kernel)."""
    i, wi, o1 = cell(t_source, T_source_C)
    j, wj, o2 = cell(t_sink, T_sink_C)
    f = 0.0
    for a in range(2):
        for b in range(2):
            wa = wi if a == 1 else 1.0 - wi
            wb = wj if b == 1 else 1.0 - wj
            if wa * wb > 0.0 and clamped[i + a, j + b] > 0.5:
                f = 1.0
    return f


#: Water outlet temperatures (°C) of the rating table of :func:`summary`: the station's
#: supply range (20–25 °C) and the EN 14511 points W35, W45, W55.
SUMMARY_SINKS_C = (20.0, 25.0, 35.0, 45.0, 55.0)


def summary(hp: HeatPump) -> str:
    """Readable summary: compressor map and source, scaling, rating points and a small
    performance table (COP at EN 14511 flows)."""
    m = hp.cmap
    r35 = hp.rating(0.0, 35.0)
    lines = [
        f"Compressor map: {m.id} — {m.manufacturer} {m.model}, {m.refrigerant}",
        f"  rating: superheat {m.superheat_K:g} K, subcooling {m.subcooling_K:g} K, "
        f"dew-point temperatures; file {m.path}",
        f"  source: {m.source.splitlines()[0]} ...",
        f"Scaling: {hp.n_compressors} × {m.model} at displacement ratio "
        f"{hp.displacement_ratio:.4f} (total {hp.scale:.4f} × map) "
        f"→ {hp.rated_heating_W / 1e3:.1f} kW at B0/W35",
        f"Heat exchangers: evaporator UA {hp.evaporator_UA_W_K:.0f} W/K, condenser UA "
        f"{hp.condenser_UA_W_K:.0f} W/K" + (f" ({hp.UA_rule})" if hp.UA_rule else ""),
        f"Condenser water flow: {hp.condenser_flow_kg_s:.3f} kg/s; no compressor shell loss "
        "(Q_cond = Q_evap + P)",
        f"Rated point B0/W35: heating {r35.heating_W / 1e3:.1f} kW, evaporator "
        f"{r35.evaporator_W / 1e3:.1f} kW, power {r35.power_W / 1e3:.1f} kW, "
        f"COP {r35.cop:.2f} (T_evap {r35.T_evap_C:.1f} °C, T_cond {r35.T_cond_C:.1f} °C)",
        "",
        "EN 14511 ratings (3 K brine, 5 K water): heating kW / COP; W20 and W25 are the",
        "network supply temperatures of the station (heating / cooling setpoints)",
    ]
    sinks = SUMMARY_SINKS_C
    lines.append("  brine in \\ water out " + "".join(f"{f'W{s:g}':>16}" for s in sinks))
    for src in (-5.0, 0.0, 5.0, 10.0):
        cells = []
        for snk in sinks:
            r = hp.rating(src, snk)
            flag = "*" if r.clamped else " "
            cells.append(f"{r.heating_W / 1e3:8.1f} / {r.cop:4.2f}{flag}")
        lines.append(f"  {f'B{src:g}':>20} " + "".join(f"{c:>16}" for c in cells))
    lines.append("  (* = compressor clamped to its envelope)")
    return "\n".join(lines)
