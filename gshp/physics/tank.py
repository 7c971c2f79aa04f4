"""Stratified storage tank with an immersed coil, and the tempering valve.

The tank is a vertical cylinder divided into ``n`` fully mixed layers of equal volume
(the classical multi-node model, Kleinbach, Beckman & Klein 1993, *Solar Energy* 50:155;
TRNSYS Type 4/60). Layer 0 is the bottom, layer ``n - 1`` the top.

Physics of one layer ``i`` over a step (heat capacity ``C`` J/K, water flow ``m`` kg/s
through the tank in the direction of the ports, inflow temperature ``T_in,i`` from the
upstream layer or the inlet port, coil heat ``q_i`` W, loss coefficient ``UA_i`` W/K to the
plant room at ``T_room``)::

    C dT_i/dt = m cp (T_in,i - T_i) + q_i - UA_i (T_i - T_room)

Numerics (module design, documented once here):

* **Exponential integration, layer by layer in the flow direction.** With its inflow
  temperature held at the time-mean outflow of the upstream layer over the step, each
  layer's equation is linear with constant coefficients and is integrated *exactly*:
  ``T_i(dt) = T_eq + (T_i0 - T_eq) exp(-x)``, ``x = (m cp + UA_i) dt / C``, with
  ``T_eq = (m cp T_in,i + q_i + UA_i T_room) / (m cp + UA_i)``. The layer's time-mean
  temperature ``T̄_i = T_eq + (T_i0 - T_eq) (1 - exp(-x)) / x`` is what it sends
  downstream, what it loses to the room, and — for the last layer — the outlet
  temperature ``T_out``. This is the exponential (Rosenbrock/"exact-step") scheme for a
  cascade of mixed tanks. Properties, each tested:

  - exact energy balance: ``ΔE = m cp (T_in - T_out) dt + Q_coil dt - Q_loss dt`` per
    layer and so for the tank, to round-off (the flows telescope exactly);
  - unconditionally stable and monotone for any ``dt`` and ``m``: new and mean
    temperatures are convex combinations of the old temperature and ``T_eq``, and both
    are clamped to that interval, so no layer overshoots by even one ulp; the coil
    exchange ``w_i G (T̄ − T_i)``, explicit in ``T_i``, is sub-stepped where one step
    would carry a layer past the coil mean (:func:`coil_substeps`);
  - the single-layer tank reproduces the analytic exponential solution for any step;
  - in steady state it is exact (``T_i = T_eq``).

* **Buoyancy.** After the flow step every temperature inversion (a layer warmer than the
  one above it) is removed by fully mixing the smallest set of adjacent layers that makes
  the profile non-decreasing upward (pool-adjacent-violators algorithm, in place, O(n)
  amortised). Mixing equal-volume layers conserves energy exactly (the group mean is
  assigned to every member) and cannot leave the group's temperature range.

* **Heat losses** ``loss_UA_W_K`` (whole tank) are shared among the layers by their share
  of the outer surface of a cylinder of the given volume and height: every layer gets its
  part of the side wall, the bottom layer also the bottom disc and the top layer the lid.

* **Coil.** The coil spans layers ``coil_bottom_layer .. coil_top_layer`` (1-based,
  inclusive, from the bottom) and its ``UA`` is spread evenly over them. A given coil heat
  ``Q_coil`` is shared by those UA weights. For fluid flowing through the coil the
  effectiveness ``ε = 1 - exp(-UA / (m cp))`` of a heat exchanger in a bath at uniform
  temperature (Incropera & DeWitt, *Fundamentals of Heat and Mass Transfer*, 6th ed.,
  §11.4, C_r = 0) applies with the UA-weighted mean coil-layer temperature, taken at the
  start of the step.

* **Water** has constant properties: ``cp = 4186 J/(kg·K)``, ``ρ = 998 kg/m³`` (water at
  about 20 °C, within 0.3 % over 5–45 °C), which keeps the energy balance exact.

Kernel-facing functions are ``@numba.njit(cache=True)``, take float64/int64 scalars and
contiguous float64 arrays, allocate nothing and update the state ``T`` in place.

Parameter array layout (``params``, float64): see the ``P_*`` index constants; per-layer
blocks start at ``P_LOSS_UA0`` (loss UA of layer ``i`` at ``P_LOSS_UA0 + i``) and at
``P_LOSS_UA0 + n`` (coil weight of layer ``i``, summing to 1 over the coil layers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numba
import numpy as np

from gshp.errors import InputError, Problem
from gshp.jit import kernel_jit
from gshp.physics.water import CP_WATER, RHO_WATER  # noqa: F401  (re-exported: tank water)

MAX_LAYERS = 100

# --- params index constants -------------------------------------------------------------
P_N = 0
"""Number of layers n (stored as float)."""
P_C_LAYER = 1
"""Heat capacity of one layer, J/K (ρ cp V / n)."""
P_COIL_LO = 2
"""Index (0-based, from the bottom) of the lowest coil layer."""
P_COIL_HI = 3
"""Index (0-based) of the highest coil layer, inclusive."""
P_COIL_UA = 4
"""Total coil UA, W/K."""
P_CP = 5
"""Specific heat of the tank water, J/(kg·K)."""
P_RHO = 6
"""Density of the tank water, kg/m³."""
P_VOLUME = 7
"""Tank volume, m³."""
P_HEIGHT = 8
"""Tank height, m."""
P_LOSS_UA = 9
"""Loss coefficient of the whole tank, W/K."""
P_T_ROOM = 10
"""Plant-room temperature from the configuration, °C (for the caller's convenience)."""
P_AREA = 11
"""Cross-section of the tank, m² (for plug-flow speed m / (ρ A))."""
P_LOSS_UA0 = 16
"""Start of the per-layer loss UA block (n values, W/K); coil weights follow (n values)."""


def n_params(n_layers: int) -> int:
    """Length of the ``params`` array for ``n_layers`` layers."""
    return P_LOSS_UA0 + 2 * n_layers


class TankKernel(NamedTuple):
    """State and parameters of one tank, as arrays for the compiled kernel.

    Attributes
    ----------
    T : ndarray (n,)
        Layer temperatures, °C, layer 0 at the bottom; updated in place by
        :func:`tank_step`.
    params : ndarray
        Parameters, float64, laid out by the ``P_*`` index constants of this module.
    """

    T: np.ndarray
    params: np.ndarray

    @classmethod
    def from_config(cls, cfg, coil_UA_W_K=None, T_initial_C=None, where="tank"):
        """Build a tank from the ``[tank]`` configuration section.

        ``cfg.coil_UA_W_K`` and ``cfg.T_initial_C`` win when given; otherwise the values
        passed here are used (the lead derives them from the heat pump capacity and the
        heating setpoint). Bad values raise :class:`gshp.errors.InputError`.
        """
        ua = cfg.coil_UA_W_K if cfg.coil_UA_W_K is not None else coil_UA_W_K
        t0 = cfg.T_initial_C if cfg.T_initial_C is not None else T_initial_C
        return tank_setup(
            cfg.volume_m3,
            cfg.height_m,
            cfg.n_layers,
            cfg.loss_UA_W_K,
            cfg.coil_bottom_layer,
            cfg.coil_top_layer,
            ua,
            t0,
            T_room_C=cfg.T_room_C,
            where=where,
        )


def _is_real(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def layer_surface_shares(volume_m3: float, height_m: float, n_layers: int) -> np.ndarray:
    """Share of each layer in the outer surface of a vertical cylindrical tank.

    The cylinder of volume ``V`` (m³) and height ``H`` (m) has cross-section ``A = V/H``
    and diameter ``D = sqrt(4A/π)``. Each of the ``n`` equal layers owns ``π D H / n`` of
    side wall; the bottom layer also owns the bottom disc ``A`` and the top layer the lid
    ``A``. Returns the shares (sum 1), bottom first.
    """
    area = volume_m3 / height_m
    diameter = math.sqrt(4.0 * area / math.pi)
    side = math.pi * diameter * height_m / n_layers
    surf = np.full(n_layers, side)
    surf[0] += area
    surf[-1] += area
    return surf / surf.sum()


def tank_setup(
    volume_m3,
    height_m,
    n_layers,
    loss_UA_W_K,
    coil_bottom_layer,
    coil_top_layer,
    coil_UA_W_K,
    T_initial_C,
    T_room_C=20.0,
    where="tank",
) -> TankKernel:
    """Allocate the state and parameter arrays of a stratified tank.

    Parameters
    ----------
    volume_m3 : float
        Water volume, m³ (> 0).
    height_m : float
        Height, m (> 0).
    n_layers : int
        Number of fully mixed layers, 1–100.
    loss_UA_W_K : float
        Heat loss coefficient of the whole tank to the plant room, W/K (≥ 0); shared by
        surface (:func:`layer_surface_shares`).
    coil_bottom_layer, coil_top_layer : int
        Layers spanned by the immersed coil, 1-based from the bottom, inclusive.
    coil_UA_W_K : float
        Coil UA, W/K (≥ 0), spread evenly over the coil layers.
    T_initial_C : float or sequence of n floats
        Initial temperature(s), °C, bottom first; must lie in 0–100 °C.
    T_room_C : float
        Plant-room temperature, °C, stored at ``params[P_T_ROOM]`` for the caller.
    where : str
        Prefix of the field paths in error messages.

    Returns
    -------
    TankKernel

    Raises
    ------
    gshp.errors.InputError
        Listing every bad field with its value and the allowed range.

    References
    ----------
    Kleinbach, E.M., Beckman, W.A., Klein, S.A. (1993). Performance study of
    one-dimensional models for stratified thermal storage tanks. Solar Energy 50:155–166.
    """
    n_layers, T0 = _tank_checked(
        volume_m3, height_m, n_layers, loss_UA_W_K, coil_bottom_layer, coil_top_layer,
        coil_UA_W_K, T_initial_C, T_room_C, where,
    )  # fmt: skip
    params = _tank_params(
        volume_m3, height_m, n_layers, loss_UA_W_K, coil_bottom_layer, coil_top_layer,
        coil_UA_W_K, T_room_C,
    )  # fmt: skip
    return TankKernel(T=np.ascontiguousarray(T0, dtype=np.float64), params=params)


def _tank_checked(
    volume_m3, height_m, n_layers, loss_UA_W_K, coil_bottom_layer, coil_top_layer,
    coil_UA_W_K, T_initial_C, T_room_C, where,
):  # fmt: skip
    """Check the arguments of :func:`tank_setup`; returns ``(n_layers, T0)`` with the
    initial layer temperatures, or raises one :class:`InputError` listing every bad field."""
    problems: list[Problem] = []

    def pos(name, value):
        if not _is_real(value) or not math.isfinite(value) or value <= 0:
            problems.append(Problem(f"{where}.{name}", value, "a finite number > 0"))
            return False
        return True

    def nonneg(name, value):
        if not _is_real(value) or not math.isfinite(value) or value < 0:
            problems.append(Problem(f"{where}.{name}", value, "a finite number >= 0"))
            return False
        return True

    pos("volume_m3", volume_m3)
    pos("height_m", height_m)
    nonneg("loss_UA_W_K", loss_UA_W_K)
    if coil_UA_W_K is None:
        problems.append(Problem(f"{where}.coil_UA_W_K", coil_UA_W_K, "a finite number >= 0 (W/K)"))
    else:
        nonneg("coil_UA_W_K", coil_UA_W_K)
    if T_room_C is not None and not (_is_real(T_room_C) and math.isfinite(T_room_C)):
        problems.append(Problem(f"{where}.T_room_C", T_room_C, "a finite temperature in °C"))

    n_ok = (
        isinstance(n_layers, (int, np.integer))
        and not isinstance(n_layers, bool)
        and 1 <= n_layers <= MAX_LAYERS
    )
    if not n_ok:
        problems.append(
            Problem(f"{where}.n_layers", n_layers, f"an integer from 1 to {MAX_LAYERS}")
        )
    else:
        n_layers = int(n_layers)
        for name, value in (
            ("coil_bottom_layer", coil_bottom_layer),
            ("coil_top_layer", coil_top_layer),
        ):
            if (
                not isinstance(value, (int, np.integer))
                or isinstance(value, bool)
                or not 1 <= value <= n_layers
            ):
                problems.append(
                    Problem(
                        f"{where}.{name}",
                        value,
                        f"an integer layer number from 1 (bottom) to n_layers = {n_layers}",
                    )
                )
                break
        else:
            if coil_bottom_layer > coil_top_layer:
                problems.append(
                    Problem(
                        f"{where}.coil_top_layer",
                        coil_top_layer,
                        f"at least coil_bottom_layer = {coil_bottom_layer}",
                    )
                )

    T0 = None
    if T_initial_C is None:
        problems.append(
            Problem(f"{where}.T_initial_C", T_initial_C, "a temperature from 0 to 100 °C")
        )
    elif _is_real(T_initial_C):
        if not (math.isfinite(T_initial_C) and 0.0 <= T_initial_C <= 100.0):
            problems.append(
                Problem(f"{where}.T_initial_C", T_initial_C, "a temperature from 0 to 100 °C")
            )
        elif n_ok:
            T0 = np.full(n_layers, float(T_initial_C))
    elif isinstance(T_initial_C, (Sequence, np.ndarray)):
        arr = np.asarray(T_initial_C, dtype=float)
        if n_ok and arr.shape != (n_layers,):
            problems.append(
                Problem(
                    f"{where}.T_initial_C",
                    T_initial_C,
                    f"one temperature or a profile of n_layers = {n_layers} values",
                )
            )
        elif not np.all(np.isfinite(arr) & (arr >= 0.0) & (arr <= 100.0)):
            problems.append(
                Problem(f"{where}.T_initial_C", T_initial_C, "temperatures from 0 to 100 °C")
            )
        elif n_ok:
            T0 = arr.copy()
    else:
        problems.append(
            Problem(f"{where}.T_initial_C", T_initial_C, "a temperature from 0 to 100 °C")
        )

    if problems:
        raise InputError(problems)
    return int(n_layers), T0


def _tank_params(
    volume_m3, height_m, n_layers, loss_UA_W_K, coil_bottom_layer, coil_top_layer,
    coil_UA_W_K, T_room_C,
):  # fmt: skip
    """The parameter array of a checked tank (layout: the ``P_*`` constants)."""
    n = n_layers
    params = np.zeros(n_params(n))
    params[P_N] = n
    params[P_C_LAYER] = RHO_WATER * CP_WATER * volume_m3 / n
    params[P_COIL_LO] = coil_bottom_layer - 1
    params[P_COIL_HI] = coil_top_layer - 1
    params[P_COIL_UA] = coil_UA_W_K
    params[P_CP] = CP_WATER
    params[P_RHO] = RHO_WATER
    params[P_VOLUME] = volume_m3
    params[P_HEIGHT] = height_m
    params[P_LOSS_UA] = loss_UA_W_K
    params[P_T_ROOM] = 20.0 if T_room_C is None else T_room_C
    params[P_AREA] = volume_m3 / height_m
    params[P_LOSS_UA0 : P_LOSS_UA0 + n] = loss_UA_W_K * layer_surface_shares(volume_m3, height_m, n)
    n_coil = coil_top_layer - coil_bottom_layer + 1
    w0 = P_LOSS_UA0 + n + coil_bottom_layer - 1
    params[w0 : w0 + n_coil] = 1.0 / n_coil
    # Interior layers must share one loss UA exactly so that tank_step can reuse exp().
    if n > 2:
        params[P_LOSS_UA0 + 1 : P_LOSS_UA0 + n - 1] = params[P_LOSS_UA0 + 1]
    params[P_LOSS_UA0 + n - 1] = params[P_LOSS_UA0]
    return params


# --- compiled per-step functions --------------------------------------------------------


@kernel_jit(inline="always")
def _factors(mcp, ua, dt, C):
    """Step factors of a layer with throughflow ``mcp`` (W/K) and loss ``ua`` (W/K).

    Returns ``(g, f, a_in, inv_a)``: ``g = 1 - exp(-x)``, ``f = g / x`` with
    ``x = (mcp + ua) dt / C``; ``T_eq = a_in T_in + (q + ua T_room) inv_a``. ``a_in`` is
    exactly 1 when ``ua == 0`` so that ``T_eq == T_in`` to the bit without losses or coil.
    ``inv_a == 0`` flags a layer with no flow or loss worth counting: ``x <= 1e-15``, where
    the exchange changes the layer by less than its rounding unit (this also keeps
    denormal flows from overflowing ``1 / a``); it is then treated as a pure heat source.
    """
    a = mcp + ua
    x = a * dt / C
    if x > 1e-15:
        g = -math.expm1(-x)
        f = g / x
        inv_a = 1.0 / a
        a_in = 1.0 if ua == 0.0 else mcp * inv_a
        return g, f, a_in, inv_a
    return 0.0, 1.0, 0.0, 0.0


@kernel_jit(inline="always")
def _layer(T0, T_in, q, ua, T_room, C, dt, g, f, a_in, inv_a):
    """Exact step of one mixed layer with constant inflow; returns (T_end, T_mean).

    Factors from :func:`_factors`; see the module docstring. Both results are clamped to
    the interval spanned by ``T0`` and ``T_eq``.
    """
    if inv_a > 0.0:
        c0 = (q + ua * T_room) * inv_a
        T_eq = a_in * T_in + c0
        T_end = T0 + (T_eq - T0) * g
        # T_mean = T_eq + (T0 - T_eq) f, arranged so that only one multiply-add depends on
        # T_in (the dependency chain from layer to layer sets the cost of a step).
        h = 1.0 - f
        T_mean = (a_in * h) * T_in + (c0 * h + f * T0)
        lo = min(T0, T_eq)
        hi = max(T0, T_eq)
    else:
        # No flow, no loss: a pure heat source, linear in time.
        d = q * dt / C
        T_end = T0 + d
        T_mean = T0 + 0.5 * d
        lo = min(T0, T_end)
        hi = max(T0, T_end)
    T_end = min(max(T_end, lo), hi)
    T_mean = min(max(T_mean, lo), hi)
    return T_end, T_mean


@kernel_jit(inline="always")
def mix_inversions(T):
    """Remove temperature inversions by energy-conserving mixing, in place.

    Scans upward; a layer colder than the mean of the open group below it joins the group,
    and the group then absorbs the layers below it that are warmer than its new mean
    (pool-adjacent-violators). Each final group takes its mean. The result is
    non-decreasing upward (to the rounding of a mean, ~1e-15 K), equals full mixing of
    each unstable group of equal-volume layers, and conserves Σ T up to round-off. Every
    mean is clamped to its group's range, so no layer leaves it. Cost O(n), amortised.

    Parameters
    ----------
    T : ndarray (n,)
        Layer temperatures, °C, bottom first (modified in place).

    Returns
    -------
    int
        Number of layers that were mixed (0 if the profile was already stable).

    References
    ----------
    Kleinbach et al. (1993), Solar Energy 50:155 (mixing of unstable layers);
    Ayer et al. (1955), Ann. Math. Statist. 26:641 (pool-adjacent-violators).
    """
    n = T.shape[0]
    # the usual case, a stable profile: one comparison per layer, no branch per layer
    # (the scan below would change nothing: each layer closes its own block of one)
    unstable = False
    for i in range(1, n):
        unstable |= T[i] < T[i - 1]
    if not unstable:
        return 0
    mixed = 0
    # Open block [j, i-1]: not yet written back; sum s, count c, value range [lo, hi].
    # Layers below j hold final block values (non-decreasing upward).
    j = 0
    s = T[0]
    c = 1.0
    lo = T[0]
    hi = T[0]
    for i in range(1, n + 1):
        if i < n:
            t = T[i]
            if t * c < s:  # colder than the open block's mean: merge (unstable)
                s += t
                c += 1.0
                lo = min(lo, t)
                while j > 0 and T[j - 1] * c > s:  # block below now warmer: merge it
                    j -= 1
                    s += T[j]
                    c += 1.0
                    hi = max(hi, T[j])
                continue
        # Close the open block: write its mean (clamped to its range) to its layers.
        if c > 1.0:
            mean = min(max(s / c, lo), hi)
            for k in range(j, i):
                T[k] = mean
            mixed += i - j
        if i < n:
            j = i
            s = T[i]
            c = 1.0
            lo = T[i]
            hi = T[i]
    return mixed


@kernel_jit(inline="always")
def tank_step(T, params, dt_s, m_flow_kg_s, T_in_C, direction, Q_coil_W, T_room_C, G_coil_W_K=0.0):
    """Advance the tank by one step, in place.

    Parameters
    ----------
    T : ndarray (n,)
        Layer temperatures, °C, bottom first; updated in place.
    params : ndarray
        Parameters from :func:`tank_setup`.
    dt_s : float
        Step, s (> 0; any size — the scheme is unconditionally stable).
    m_flow_kg_s : float
        Water flow through the tank ports, kg/s (≥ 0).
    T_in_C : float
        Temperature of the water entering the inlet port, °C.
    direction : int
        +1 (heating mode): enters the bottom layer, leaves from the top;
        -1 (cooling mode): enters the top layer, leaves from the bottom.
    Q_coil_W : float
        Heat given to the tank through the coil over the step, W (+ heats the tank).
    T_room_C : float
        Plant-room temperature, °C.
    G_coil_W_K : float, optional
        Conductance ``ε·m·c_p`` of the coil fluid stream, W/K. Layer ``i`` of the coil
        receives ``w_i (Q_coil + G (T̄ − T_i))`` with ``w_i`` its UA share and ``T̄`` the
        UA-weighted coil temperature at the start of the step: each layer exchanges in
        proportion to its own temperature difference with the coil fluid (for fluid
        entering at ``T_f`` with ``Q = G (T_f − T̄)`` this is exactly
        ``w_i G (T_f − T_i)``), and the shares still add up to ``Q_coil``. With ``G = 0``
        the heat is shared by UA weight alone.

    Returns
    -------
    T_out_C : float
        Outlet temperature, °C: the time-mean over the step of the outlet layer, defined so
        that ``Δ stored_energy = m cp (T_in - T_out) dt + Q_coil dt - Q_loss dt`` exactly
        (to round-off).
    Q_loss_W : float
        Mean heat loss to the plant room over the step, W (+ = tank loses heat).

    Notes
    -----
    Exponential integration layer by layer in the flow direction, then buoyancy mixing
    (:func:`mix_inversions`); see the module docstring. Monotone: with no coil heat, every
    layer stays within the range of the old temperatures, ``T_in`` and ``T_room``.
    A large ``Q_coil`` in a small tank raises layers as far as physics says; the scheme
    adds no numerical overshoot.
    """
    if not (m_flow_kg_s >= 0.0):
        raise ValueError("tank_step: m_flow_kg_s must be >= 0")
    n_sub, G = coil_substeps(params, dt_s, G_coil_W_K, T.shape[0])
    if n_sub == 1:
        return _tank_substep(T, params, dt_s, m_flow_kg_s, T_in_C, direction, Q_coil_W, T_room_C, G)
    # A step long for the coil exchange: n_sub equal sub-steps, each exact in its energy
    # balance, so their means (outlet, loss) keep the balance of the whole step exact.
    h = dt_s / n_sub
    T_out_sum = 0.0
    Q_loss_sum = 0.0
    for _ in range(n_sub):
        a, b = _tank_substep(T, params, h, m_flow_kg_s, T_in_C, direction, Q_coil_W, T_room_C, G)
        T_out_sum += a
        Q_loss_sum += b
    return T_out_sum / n_sub, Q_loss_sum / n_sub


MAX_COIL_SUBSTEPS = 16
"""Most sub-steps :func:`tank_step` takes for the coil exchange (see :func:`coil_substeps`)."""


@kernel_jit(inline="always")
def coil_substeps(params, dt_s, G_coil_W_K, n):
    """Sub-steps and coil conductance that keep the coil exchange of :func:`tank_step`
    stable; returns ``(n_sub, G)``.

    Layer ``i`` of the coil exchanges ``w_i G (T̄ − T_i)`` with ``T̄`` taken at the start
    of a (sub-)step: an explicit term whose factor ``r = w_i G dt / C`` must stay ≤ 1 for
    the layer to move *towards* ``T̄`` and not past it (``r > 2`` makes the coil layers
    oscillate with growing amplitude: at 180 s a 1 m³ tank with the default coil has
    ``r`` ≈ 1.5 with the heat pump and 2.6 with the cooling bypass, 0.1 m³ ten times more).

    * ``r ≤ 1`` (the usual case): one step, ``G`` unchanged — the step is computed exactly
      as without this check.
    * ``1 < r ≤ 16``: ``ceil(r)`` equal sub-steps, ``G`` unchanged.
    * ``r > 16``: 16 sub-steps with ``G`` reduced to ``r = 1`` per sub-step: the coil
      layers then equalise within each sub-step (the exact factor ``1 − exp(−r)`` is
      within 1e-7 of 1 there); bounded work for any conductance.

    The redistribution adds up to zero over the coil layers in every sub-step, so the coil
    still delivers exactly ``Q_coil`` over the step.
    """
    if not (G_coil_W_K > 0.0):
        return 1, G_coil_W_K
    w0 = P_LOSS_UA0 + n
    w_max = 0.0
    for i in range(int(params[P_COIL_LO]), int(params[P_COIL_HI]) + 1):
        w_max = max(w_max, params[w0 + i])
    r = w_max * G_coil_W_K * dt_s / params[P_C_LAYER]
    if r <= 1.0:
        return 1, G_coil_W_K
    if r <= MAX_COIL_SUBSTEPS:
        return int(math.ceil(r)), G_coil_W_K
    return MAX_COIL_SUBSTEPS, G_coil_W_K * (MAX_COIL_SUBSTEPS / r)


@kernel_jit(inline="always")
def _tank_substep(T, params, dt_s, m_flow_kg_s, T_in_C, direction, Q_coil_W, T_room_C, G_coil_W_K):
    """One exact-exponential flow step and the buoyancy mixing (:func:`tank_step`)."""
    n = T.shape[0]
    C = params[P_C_LAYER]
    mcp = m_flow_kg_s * params[P_CP]
    w0 = P_LOSS_UA0 + n
    T_up = T_in_C if mcp > 0.0 else T_room_C  # the inlet value is unused without flow
    Q_loss = 0.0
    T_bar = coil_temperature(T, params) if G_coil_W_K != 0.0 else 0.0
    # Layers in the flow direction through views (reversed for -1): the loop index is
    # then the layer's position along the flow, with no per-element index arithmetic.
    step = 1 if direction >= 0 else -1
    T_f = T[::step]
    ua_f = params[P_LOSS_UA0 : P_LOSS_UA0 + n][::step]
    w_f = params[w0 : w0 + n][::step]
    # Two-slot cache of the step factors keyed by the layer loss UA: tank_setup gives the
    # end layers one UA and the interior layers another, so expm1 runs at most twice.
    ua_a = ua_f[0]
    g_a, f_a, ain_a, inv_a_a = _factors(mcp, ua_a, dt_s, C)
    ua_b = -1.0
    g_b = f_b = ain_b = inv_a_b = 0.0
    for k in range(n):
        ua = ua_f[k]
        if ua == ua_a:
            g, f, a_in, inv_a = g_a, f_a, ain_a, inv_a_a
        else:
            if ua != ua_b:
                ua_b = ua
                g_b, f_b, ain_b, inv_a_b = _factors(mcp, ua, dt_s, C)
            g, f, a_in, inv_a = g_b, f_b, ain_b, inv_a_b
        T0 = T_f[k]
        q = w_f[k] * (Q_coil_W + G_coil_W_K * (T_bar - T0))
        T_end, T_mean = _layer(T0, T_up, q, ua, T_room_C, C, dt_s, g, f, a_in, inv_a)
        T_f[k] = T_end
        Q_loss += ua * (T_mean - T_room_C)
        T_up = T_mean
    mix_inversions(T)
    return T_up, Q_loss


@kernel_jit()
def stored_energy(T, params):
    """Energy stored in the tank water relative to 0 °C, J: ``C_layer Σ T_i``.

    Reference: definition of sensible heat, ``E = ρ V cp T`` (constant properties).
    """
    s = 0.0
    for i in range(T.shape[0]):
        s += T[i]
    return params[P_C_LAYER] * s


@kernel_jit(inline="always")
def coil_temperature(T, params):
    """UA-weighted mean temperature of the coil layers, °C.

    This is the temperature the coil fluid sees (heat pump sink temperature in heating
    mode). Reference: Incropera & DeWitt, §11.4 (exchanger in a bath, C_r = 0).
    """
    n = T.shape[0]
    w0 = P_LOSS_UA0 + n
    lo = int(params[P_COIL_LO])
    hi = int(params[P_COIL_HI])
    s = 0.0
    for i in range(lo, hi + 1):
        s += params[w0 + i] * T[i]
    return s


@kernel_jit()
def coil_fluid_coeffs(T, params, m_coil_kg_s, cp_coil_J_kgK):
    """Effectiveness and bath temperature of the immersed coil for this step.

    For fluid entering the coil at ``T_fluid_in`` (°C) with flow ``m_coil_kg_s`` (kg/s) and
    specific heat ``cp_coil_J_kgK`` (J/(kg·K)), the heat the fluid gives to the tank is
    ``Q = ε m cp (T_fluid_in - T_coil_mean)`` W (affine in ``T_fluid_in``) and the fluid
    leaves at ``T_fluid_in - Q / (m cp)``. ``ε = 1 - exp(-UA / (m cp))``: the
    effectiveness of an exchanger whose other side is a bath at uniform temperature over
    the step (C_r = 0; Incropera & DeWitt, *Fundamentals of Heat and Mass Transfer*,
    eq. 11.36a). Zero flow gives ``ε = 0``.

    Returns
    -------
    epsilon : float
        Effectiveness, 0–1.
    T_coil_mean : float
        UA-weighted mean coil-layer temperature, °C (:func:`coil_temperature`).
    """
    return coil_effectiveness(params, m_coil_kg_s, cp_coil_J_kgK), coil_temperature(T, params)


@kernel_jit(inline="always")
def coil_effectiveness(params, m_coil_kg_s, cp_coil_J_kgK):
    """``ε = 1 - exp(-UA / (m cp))`` of the coil (0 without flow), see
    :func:`coil_fluid_coeffs`; constant for a constant coil flow, so a caller with one
    flow computes it once."""
    mcp = m_coil_kg_s * cp_coil_J_kgK
    if mcp > 0.0:
        return -math.expm1(-params[P_COIL_UA] / mcp)
    return 0.0


def bypass_effectiveness(params, m_kg_s: float, cp_J_kgK: float, dt_s: float) -> float:
    """Effectiveness of the coil for the cooling bypass at a constant flow, limited so that
    the explicit coupling of tank and borefield stays stable at the step ``dt_s``.

    The bypass heat of a step, ``Q = ε m cp (T_coil − T_bhe_out)``, is taken from the coil
    layers' start-of-step temperature. With ``G = ε m cp`` and ``C_coil`` the heat capacity
    of the coil layers (J/K), the coil temperature moves by the factor ``1 − G dt / C_coil``
    per step (at most; the borefield outlet follows the inlet only partly): above
    ``G dt / C_coil = 1`` the tank overshoots the fluid temperature, above 2 the overshoot
    grows from step to step (a 1 m³ tank at 180 s had 2.6 and went to ±1e308 within days).
    ``ε`` is therefore limited to ``C_coil / (m cp dt)``: at most the coil layers reach the
    fluid temperature within one step, as they would in a step much longer than their time
    constant. Returns :func:`coil_effectiveness` unchanged where it is below that
    (every tank whose coil layers hold more than ``m cp dt``, e.g. the reference cases).
    """
    eps = float(coil_effectiveness(params, m_kg_s, cp_J_kgK))
    mcp_dt = m_kg_s * cp_J_kgK * dt_s
    if mcp_dt <= 0.0:
        return eps
    C_coil = params[P_C_LAYER] * (params[P_COIL_HI] - params[P_COIL_LO] + 1.0)
    return min(eps, float(C_coil / mcp_dt))


@kernel_jit(inline="always")
def tempering_valve(T_tank_out_C, T_return_C, T_setpoint_C, heating):
    """Three-way tempering valve: share of the supply flow taken from the tank.

    Supply ``T_s = x T_tank + (1 - x) T_return`` with ``x`` in [0, 1].

    Heating (``heating = 1``, tank outlet is the warm side): if the return already reaches
    the setpoint, ``x = 0`` (supply = return); if the tank cannot reach it, ``x = 1`` and
    the supply stays below the setpoint; otherwise ``x`` hits the setpoint exactly.
    Cooling (``heating = 0``, tank outlet is the cold side): the same, mirrored (return at
    or below setpoint → ``x = 0``; tank too warm → ``x = 1``, supply above setpoint).

    Reference: mixing energy balance of a thermostatic mixing valve, e.g. Duffie &
    Beckman, *Solar Engineering of Thermal Processes*, 4th ed., §10.10 (tempering valve).

    Returns
    -------
    fraction : float
        ``x``, share of the supply flow coming from the tank.
    T_supply_C : float
        Mixed supply temperature, °C.
    """
    if heating:
        if T_return_C >= T_setpoint_C:
            return 0.0, T_return_C
        if T_tank_out_C <= T_setpoint_C:
            return 1.0, T_tank_out_C
    else:
        if T_return_C <= T_setpoint_C:
            return 0.0, T_return_C
        if T_tank_out_C >= T_setpoint_C:
            return 1.0, T_tank_out_C
    # Here the setpoint lies strictly between return and tank outlet.
    x = (T_setpoint_C - T_return_C) / (T_tank_out_C - T_return_C)
    if x > 1.0:
        x = 1.0
    elif x < 0.0:
        x = 0.0
    return x, T_setpoint_C


@numba.njit(cache=True)
def _simulate(T, params, dt_s, m_flow, T_in, direction, Q_coil, T_room, T_hist, T_out, Q_loss):
    for k in range(m_flow.shape[0]):
        a, b = tank_step(T, params, dt_s, m_flow[k], T_in[k], direction[k], Q_coil[k], T_room[k])
        T_out[k] = a
        Q_loss[k] = b
        if T_hist.shape[0] > 0:
            for i in range(T.shape[0]):
                T_hist[k, i] = T[i]


def simulate_tank(
    tank: TankKernel,
    dt_s: float,
    m_flow_kg_s,
    T_in_C,
    direction=1,
    Q_coil_W=0.0,
    T_room_C=None,
    keep_history: bool = True,
):
    """Run :func:`tank_step` over a series of steps (test and exploration helper).

    Inputs are scalars or arrays of one length (the number of steps); ``tank.T`` is
    updated in place. ``T_room_C`` defaults to ``tank.params[P_T_ROOM]``.

    Returns
    -------
    dict with ``T`` (steps × n, °C, end of each step; empty if not kept), ``T_out_C``,
    ``Q_loss_W`` (per step) and ``E0_J`` / ``E1_J`` (stored energy before and after).
    """
    if T_room_C is None:
        T_room_C = tank.params[P_T_ROOM]
    arrays = [np.atleast_1d(np.asarray(v)) for v in (m_flow_kg_s, T_in_C, direction, Q_coil_W)]
    arrays.append(np.atleast_1d(np.asarray(T_room_C)))
    steps = max(a.shape[0] for a in arrays)
    m, tin, d, q, tr = (np.ascontiguousarray(np.broadcast_to(a, (steps,))) for a in arrays)
    n = tank.T.shape[0]
    hist = np.empty((steps, n) if keep_history else (0, n))
    T_out = np.empty(steps)
    Q_loss = np.empty(steps)
    E0 = stored_energy(tank.T, tank.params)
    _simulate(
        tank.T,
        tank.params,
        float(dt_s),
        m.astype(np.float64),
        tin.astype(np.float64),
        d.astype(np.int64),
        q.astype(np.float64),
        tr.astype(np.float64),
        hist,
        T_out,
        Q_loss,
    )
    E1 = stored_energy(tank.T, tank.params)
    return {"T": hist, "T_out_C": T_out, "Q_loss_W": Q_loss, "E0_J": E0, "E1_J": E1}
