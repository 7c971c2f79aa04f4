"""U′ of buried pipes and pipe pairs (gshp.physics.network.heat_loss), soil temperature and
hydraulics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gshp.physics.network import heat_loss as hl
from gshp.physics.network import hydraulics as hy
from gshp.physics.network import soil


def test_buried_pipe_matches_cengel_example_3_17():
    # Çengel, Heat Transfer (2nd ed.), Example 3-17 "Heat loss from buried steam pipes":
    # 30 m of 10 cm pipe, centre 50 cm deep, surface 80 °C, ground 10 °C, k = 0.9 W/(m·K):
    # S = 2πL/ln(4z/D) = 62.9 m, Q = 3963 W.
    R = hl.soil_resistance(0.5, 0.05, 0.9)
    Q = 30.0 * (80.0 - 10.0) / R
    assert Q == pytest.approx(3963.0, rel=0.02)
    R_simple = hl.soil_resistance(0.5, 0.05, 0.9, exact=False)
    assert 30.0 * 70.0 / R_simple == pytest.approx(3963.0, rel=0.001)


def test_exact_shape_factor_is_arccosh_and_tends_to_the_log_form():
    z, r, lam = 1.2, 0.0625, 1.5
    assert hl.soil_resistance(z, r, lam) == pytest.approx(
        math.log(z / r + math.sqrt((z / r) ** 2 - 1)) / (2 * math.pi * lam), rel=1e-12
    )
    deep = hl.soil_resistance(100.0, r, lam)
    assert deep == pytest.approx(hl.soil_resistance(100.0, r, lam, exact=False), rel=1e-6)


def _line_sources_surface_T(q1, q2, z, D, r, lam, n=720):
    """Mean soil temperature rise on each pipe's circumference from two line sources and
    their images (surface isothermal at T_s = 0)."""
    src = [(0.0, -z, q1), (D, -z, q2)]
    out = []
    for cx, cy, _ in src:
        ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
        x = cx + r * np.cos(ang)
        y = cy + r * np.sin(ang)
        T = np.zeros(n)
        for sx, sy, q in src:
            d_src = np.hypot(x - sx, y - sy)
            d_img = np.hypot(x - sx, y + sy)
            T += q / (2 * np.pi * lam) * np.log(d_img / d_src)
        out.append(T.mean())
    return out


@settings(max_examples=30, deadline=None)
@given(
    q1=st.floats(-40, 40),
    q2=st.floats(-40, 40),
    z=st.floats(0.8, 2.5),
    D=st.floats(0.3, 1.0),
    lam=st.floats(0.8, 2.5),
)
def test_pair_formula_reproduces_the_image_method_superposition(q1, q2, z, D, lam):
    r = 0.07
    T1, T2 = _line_sources_surface_T(q1, q2, z, D, r, lam)
    # soil-only resistances of the line-source model: ln(2z/r)/(2πλ)
    R = hl.soil_resistance(z, r, lam, exact=False)
    Rm = hl.mutual_resistance(z, D, lam)
    p1, p2 = hl.pair_heat_loss(T1, T2, 0.0, R, R, Rm)
    scale = max(abs(q1), abs(q2), 1.0)
    assert abs(p1 - q1) < 0.02 * scale
    assert abs(p2 - q2) < 0.02 * scale
    # and the exact shape factor differs from the line source by less than 2 %
    assert hl.soil_resistance(z, r, lam) == pytest.approx(R, rel=0.02)


def test_pair_coupling_is_the_pair_formula_rearranged():
    R1, R2, Rm = 0.47, 0.52, 0.19
    U1, w1, U2, w2 = hl.pair_coupling(R1, R2, Rm)
    T1, T2, Ts = 20.0, 15.5, 6.0
    q1, q2 = hl.pair_heat_loss(T1, T2, Ts, R1, R2, Rm)
    assert U1 * (T1 - Ts - w1 * (T2 - Ts)) == pytest.approx(q1, rel=1e-12)
    assert U2 * (T2 - Ts - w2 * (T1 - Ts)) == pytest.approx(q2, rel=1e-12)
    Us, Ua = hl.pair_symmetric_U(R1, Rm)
    qa, _ = hl.pair_heat_loss(T1, T2, Ts, R1, R1, Rm)
    assert Us * ((T1 + T2) / 2 - Ts) + Ua * (T1 - T2) / 2 == pytest.approx(qa, rel=1e-12)
    # a neighbour at the same temperature shields the pipe: less loss than alone
    q_alone = (T1 - Ts) / R1
    q_same, _ = hl.pair_heat_loss(T1, T1, Ts, R1, R1, Rm)
    assert 0 < q_same < q_alone


def test_reference_pe_pipe_U_is_in_the_range_of_the_issue():
    # PE100 SDR11 125 mm, 1.2 m deep, 0.4 m apart, soil 1–2 W/(m·K): U′ 1–2.2 W/(m·K)
    for lam in (1.0, 1.5, 2.0):
        R = hl.pipe_resistance(0.1022, 0.125, 0.4, 1.2, lam)
        Rm = hl.mutual_resistance(1.2, 0.4, lam)
        U_pair = 1.0 / (R + Rm)
        assert 0.9 < U_pair < 2.2
        assert 1.0 / R < 3.5


def test_insulated_pipe_loses_little():
    # DN100 steel 114.3 mm in 200 mm casing (PUR λ = 0.026): catalogue U′ ≈ 0.25–0.33
    R = hl.pipe_resistance(0.1071, 0.1143, 50.0, 1.0, 1.5, 0.04285, 0.026)
    assert 0.2 < 1.0 / R < 0.35
    R_pe = hl.pipe_resistance(0.0900, 0.110, 0.4, 1.0, 1.5)
    assert 1.0 / R < (1.0 / R_pe) / 5.0


def test_kusuda_profile_damps_and_delays_with_depth():
    t = np.arange(365 * 24) * 3600.0
    air = 8.0 - 10.0 * np.cos(2 * np.pi * (t - 20 * 86400) / (365 * 86400))
    m, amp, t0 = soil.air_harmonic(air, 3600.0)
    assert m == pytest.approx(8.0, abs=1e-6)
    assert amp == pytest.approx(10.0, rel=1e-6)
    assert t0 / 86400 == pytest.approx(20.0, abs=0.05)
    a = 0.7e-6
    d = soil.damping_depth(a)
    T = soil.soil_temperature_series(air, 3600.0, 1.2, a)
    assert T.mean() == pytest.approx(8.0, abs=1e-3)
    assert (T.max() - T.min()) / 2 == pytest.approx(10.0 * math.exp(-1.2 / d), rel=1e-3)
    lag_days = (np.argmin(T) * 3600.0 + 1800.0) / 86400 - 20.0
    assert lag_days == pytest.approx(1.2 / d / (2 * np.pi) * 365, abs=0.1)
    deep = soil.soil_temperature_series(air, 3600.0, 30.0, a)
    assert np.ptp(deep) < 0.01


def test_friction_factor_laminar_and_turbulent():
    assert hy.friction_factor(1000.0, 1e-4) == pytest.approx(0.064)
    # Haaland vs Colebrook–White at Re = 1e5, smooth: f = 0.0180
    assert hy.friction_factor(1e5, 7e-5) == pytest.approx(0.0180, rel=0.02)
    f = [hy.friction_factor(Re, 1e-4) for Re in np.linspace(1500, 5000, 50)]
    assert all(np.isfinite(f))


def test_sizing_rule_picks_the_smallest_pipe_within_the_gradient():
    for m in (0.5, 2.0, 6.0, 12.0):
        d_in, d_out = hy.size_pipe(m, 150.0)
        assert hy.pressure_gradient(m, d_in) <= 150.0
        sizes = hy.pe_sizes()
        k = [s[1] for s in sizes].index(d_out)
        if k > 0:
            assert hy.pressure_gradient(m, sizes[k - 1][0]) > 150.0
    assert hy.size_pipe(3.0, 100.0)[0] >= hy.size_pipe(3.0, 200.0)[0]
