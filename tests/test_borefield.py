"""Borefield: aggregation parity with pygfunction, interior physics, energy, validation."""

from __future__ import annotations

import math
import types
from pathlib import Path

import numpy as np
import pygfunction as gt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gshp.config.borefield import read_coordinates_file
from gshp.errors import InputError
from gshp.physics.borefield import (
    Borefield,
    borefield_advance,
    borefield_inlet_for_heat,
    borefield_outlet_coeffs,
    borefield_stored_heat,
    borefield_wall_heat,
    cj_step,
)
from gshp.physics.borefield import gfunction as gfn
from gshp.validation.beier import beier_response, read_beier, simulate_beier


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("gcache")


@pytest.fixture(scope="module")
def single(cache):
    return Borefield.from_params(coordinates_m=[(0.0, 0.0)], T_undisturbed_C=10.0, cache_dir=cache)


# ----------------------------------------------------------------------- aggregation
def test_claesson_javed_parity_with_pygfunction(cache):
    """10 000 steps of random loads: wall temperature equal to pygfunction's to 1e-9 K."""
    dt, n = 3600.0, 12000
    bf = Borefield.from_params(n_x=2, n_y=2, spacing_m=6.0, T_undisturbed_C=10.0, cache_dir=cache)
    lo = gt.load_aggregation.ClaessonJaved(dt, n * dt)
    g, _ = bf.gfunction(lo.get_times_for_simulation())
    g_d = g / (2 * np.pi * bf.k_s)
    lo.initialize(g_d)
    bk = bf.kernel_setup(dt, n)
    assert np.allclose(bk.dg, lo.get_thermal_response_factor_increment(), rtol=0, atol=1e-15)
    rng = np.random.default_rng(7)
    q = rng.normal(0.0, 30.0, n) + 10.0 * np.sin(np.arange(n) * 2 * np.pi / 8760)
    q_cells = np.zeros_like(bk.q_cells)
    worst = 0.0
    for i in range(n):
        lo.next_time_step((i + 1) * dt)
        lo.set_current_load(q[i])
        ref = lo.temporal_superposition()
        mine = cj_step(bk.dg, bk.inv_w, q_cells, q[i])
        worst = max(worst, abs(ref - mine))
    assert worst < 1e-9
    assert abs(ref) > 0.1  # the comparison is not trivially between zeros


# ----------------------------------------------------------------------- g-function
def test_cylinder_source_limits():
    Fo = np.array([1e-4, 1e-3])
    assert np.allclose(gfn.g_ics(Fo), 2 * np.sqrt(Fo / np.pi) - Fo / 2, rtol=2e-3)
    Fo = np.array([1e3, 1e5])
    diff = gfn.g_ics(Fo) - gfn.g_ils(Fo)  # O(ln(Fo)/Fo) as Fo -> infinity
    assert np.all(diff > 0) and np.all(diff < np.log(4 * Fo) / (2 * Fo))
    assert np.all(np.diff(gfn.g_ics(np.geomspace(1e-3, 1e4, 30))) > 0)


def test_gfunction_cache_and_long_times(cache, single):
    t = gfn.time_claesson_javed(3600.0, 20 * 8760 * 3600.0)
    g1, hit1 = single.gfunction(t)
    g2, hit2 = single.gfunction(t)
    assert hit2 and np.array_equal(g1, g2)
    assert not hit1 or True  # may already be cached by another test
    assert np.all(np.diff(g1) > 0)
    # long times: pygfunction's own g-function (the cylinder correction has vanished)
    ref = gt.gfunction.gFunction(
        [gt.boreholes.Borehole(single.H, single.D, single.r_b, 0, 0)],
        single.alpha,
        time=t[-5:],
        boundary_condition="UBWT",
    ).gFunc
    assert np.allclose(g1[-5:], ref, rtol=1e-3)
    files = list(Path(cache).glob("g_*.npy"))
    assert files and not list(Path(cache).glob(".g_*"))


def test_cache_key_changes_with_inputs():
    a = gfn.cache_key(gfn._canon({"H": 100.0, "t": np.array([1.0, 2.0])}))
    b = gfn.cache_key(gfn._canon({"H": 100.0 + 1e-9, "t": np.array([1.0, 2.0])}))
    assert a != b


# ----------------------------------------------------------------------- interior
def _steady_Rb_eff(bf, m_total):
    bk = bf.kernel_setup(60.0, 10)
    bk.params[0] = 1e12  # dt -> infinity: steady state
    bk.params[7] = 0.0  # fixed wall temperature
    bk.dg[:] = 0.0
    t_out, q, t_w, t_fm = borefield_advance(*bk, bf.T0 + 10.0, m_total)
    return (t_fm - t_w) / (-q / (bf.n_boreholes * bf.H))


@pytest.mark.parametrize("arr", ["single_u", "double_u"])
def test_steady_state_matches_pygfunction_effective_resistance(cache, arr):
    bf = Borefield.from_params(
        coordinates_m=[(0.0, 0.0)], T_undisturbed_C=10.0, pipe_arrangement=arr, cache_dir=cache
    )
    assert 0.03 < bf.R_b < 0.3 and bf.R_b_eff >= bf.R_b
    assert _steady_Rb_eff(bf, bf.total_flow_kg_s) == pytest.approx(bf.R_b_eff, rel=5e-3)


def test_R_b_override_is_the_effective_resistance(cache):
    bf = Borefield.from_params(
        coordinates_m=[(0.0, 0.0)], T_undisturbed_C=10.0, R_b_override_mK_W=0.12, cache_dir=cache
    )
    assert bf.R_b_eff == 0.12
    assert _steady_Rb_eff(bf, bf.total_flow_kg_s) == pytest.approx(0.12, rel=5e-3)


def test_affine_coefficients_pure_and_consistent(single):
    bk = single.kernel_setup(180.0, 200)
    m = single.total_flow_kg_s
    for i in range(50):
        borefield_advance(*bk, 4.0 + (i % 7), m if i % 5 else 0.0)
    state = (bk.q_cells.copy(), bk.nodes.copy())
    a, b = borefield_outlet_coeffs(*bk, m)
    a2, b2 = borefield_outlet_coeffs(*bk, m)
    assert (a, b) == (a2, b2)
    assert np.array_equal(state[0], bk.q_cells) and np.array_equal(state[1], bk.nodes)
    assert 0.0 <= b < 1.0
    t_in = borefield_inlet_for_heat(*bk, 3000.0, m)
    t_out, q, _, _ = borefield_advance(*bk, t_in, m)
    assert t_out == pytest.approx(a + b * t_in, abs=1e-10)
    assert q == pytest.approx(3000.0, rel=1e-9)
    assert math.isnan(borefield_inlet_for_heat(*bk, 3000.0, 0.0))


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_energy_balance_closes(single, seed):
    """Σ Q_ground dt = Σ Q_wall dt − ΔE_interior to round-off, pump cycling on/off."""
    rng = np.random.default_rng(seed)
    dt, n = 180.0, 400
    bk = single.kernel_setup(dt, n)
    e0 = borefield_stored_heat(bk.params, bk.nodes, bk.cap)
    sq = sw = 0.0
    throughput = 0.0
    for _ in range(n):
        m = single.total_flow_kg_s * rng.choice([0.0, 0.3, 1.0, 1.7])
        t_out, q, _, _ = borefield_advance(*bk, rng.uniform(-5, 30), m)
        sq += q * dt
        sw += borefield_wall_heat(bk.params, bk.q_cells) * dt
        throughput += abs(q) * dt
    de = borefield_stored_heat(bk.params, bk.nodes, bk.cap) - e0
    assert abs(sq - (sw - de)) <= 1e-9 * throughput


def test_pump_off_ground_recovers(single):
    dt = 180.0
    n_on, n_off = 480, 960
    m = np.r_[np.full(n_on, single.total_flow_kg_s), np.zeros(n_off)]
    heat = np.r_[np.full(n_on, 40.0 * single.H), np.zeros(n_off)]
    ds = single.simulate(np.arange(1, n_on + n_off + 1) * dt, heat_W=heat, mass_flow_kg_s=m)
    tw = ds.T_borehole_wall.values
    assert np.all(np.diff(tw[:n_on]) < 0)  # extraction cools the wall
    assert tw[n_on - 1] < single.T0 - 1.0
    rec = tw[n_on + 5 :]
    assert np.all(np.diff(rec) > 0) and rec[-1] < single.T0  # recovers towards T0
    assert np.all(ds.Q_ground.values[n_on:] == 0.0)
    gap = tw[n_on + 50 :] - ds.T_fluid_mean.values[n_on + 50 :]
    assert np.all(gap > 0) and np.all(np.diff(gap) < 0)  # resting fluid warms behind the wall
    assert gap[-1] < 0.02


def test_more_flow_gives_outlet_closer_to_inlet(single):
    t = np.arange(1, 200) * 180.0
    lo = single.simulate(t, T_in_C=0.0, mass_flow_kg_s=0.5 * single.total_flow_kg_s)
    hi = single.simulate(t, T_in_C=0.0, mass_flow_kg_s=2.0 * single.total_flow_kg_s)
    assert np.all(hi.T_out.values < lo.T_out.values)
    assert np.all(hi.Q_ground.values > lo.Q_ground.values)


def test_gradient_sets_mid_depth_temperature(cache):
    bf = Borefield.from_params(
        coordinates_m=[(0.0, 0.0)],
        T_surface_C=6.0,
        geothermal_gradient_K_m=0.03,
        length_m=100.0,
        buried_depth_m=2.0,
        cache_dir=cache,
    )
    assert bf.T0 == pytest.approx(6.0 + 0.03 * 52.0)


# ----------------------------------------------------------------------- validation data
def test_beier_sandbox_response_test(cache):
    """Beier et al. (2011) sandbox TRT, driven by the measured heater power and flow:
    RMSE of the mean fluid temperature over the 52 h ≤ 0.3 K with the cases' model."""
    rmse, _, meas, sim = beier_response(None, cache)
    assert rmse <= 0.3
    # the fluid warms by ~16 K over the test, and the model follows the measured rise
    assert meas[-1] - meas[0] > 5.0 and abs((sim[-1] - sim[0]) - (meas[-1] - meas[0])) < 0.5


def test_beier_data_ship_with_the_package():
    d = read_beier()
    assert d.shape == (2832, 4) and d[0, 0] == 0.0 and d[-1, 0] == 186360.0  # 52 h


def test_grout_layers_improve_the_first_hours_not_the_steady_state(cache):
    """Radial grout layers (borefield.grout.layers) move grout capacity next to the pipes:
    the first-hour error falls, the end of the test (near steady state) barely moves."""
    one = simulate_beier(None, cache, n_segments=2, grout_layers=1)
    three = simulate_beier(None, cache, n_segments=2, grout_layers=3)
    assert three.first_hour_error() < 0.6 * one.first_hour_error()
    assert three.rmse() < one.rmse() - 0.05
    assert abs(three.mean_sim[-1] - one.mean_sim[-1]) < 0.05


def test_grout_layers_keep_steady_resistance_and_energy(cache):
    """Layers split the grout resistance without changing it: same late fluid
    temperature under a constant load; stored + wall heat = heat injected."""
    kw = dict(coordinates_m=[(0.0, 0.0)], T_undisturbed_C=10.0, cache_dir=cache)
    t = np.arange(1, 1201) * 600.0
    a = Borefield.from_params(**kw).simulate(t, heat_W=-3000.0)
    b = Borefield.from_params(grout_layers=4, **kw).simulate(t, heat_W=-3000.0)
    assert abs(a.T_fluid_mean.values[-1] - b.T_fluid_mean.values[-1]) < 2e-3
    dt = 600.0
    e_in = -b.Q_ground.values.sum() * dt
    e_wall = -b.Q_wall.values.sum() * dt
    assert e_in == pytest.approx(e_wall + b.E_interior.values[-1], rel=1e-9)


# ----------------------------------------------------------------------- bad input
def _where(exc):
    return [p.where for p in exc.value.problems]


def test_bad_geometry_names_the_fields(cache):
    with pytest.raises(InputError) as e:
        Borefield.from_params(
            coordinates_m=[(0, 0), (0.1, 0)], length_m=-5.0, T_undisturbed_C=8.0, cache_dir=cache
        )
    assert "borefield.length_m" in _where(e) and "borefield.coordinates_m" in _where(e)
    with pytest.raises(InputError) as e:
        Borefield.from_params(n_x=3, n_y=2, spacing_m=0.1, radius_m=0.07, T_undisturbed_C=8.0)
    assert "borefield.radius_m" in _where(e)
    with pytest.raises(InputError) as e:
        Borefield.from_params(radius_m=0.05, shank_spacing_m=0.08, T_undisturbed_C=8.0)
    assert "borefield.pipes.shank_spacing_m" in _where(e)
    with pytest.raises(InputError) as e:
        Borefield.from_params(shank_spacing_m=0.03, T_undisturbed_C=8.0)
    assert "overlap" in str(e.value)
    with pytest.raises(InputError) as e:
        Borefield.from_params(pipe_inner_diameter_m=0.04, T_undisturbed_C=8.0)
    assert "borefield.pipes.inner_diameter_m" in _where(e)
    with pytest.raises(InputError) as e:
        Borefield.from_params()
    assert "borefield.ground.T_undisturbed_C" in _where(e)


def test_zero_flow_with_load_is_rejected(single):
    t = np.arange(1, 5) * 180.0
    with pytest.raises(InputError) as e:
        single.simulate(t, heat_W=[0.0, 100.0, 0.0, 0.0], mass_flow_kg_s=[1.0, 0.0, 1.0, 0.0])
    assert "mass_flow_kg_s" in _where(e) and "step 1" in str(e.value)


def test_from_config_namespace_and_csv(tmp_path, cache):
    csv = tmp_path / "bh.csv"
    csv.write_text("x_m,y_m\n0,0\n6,0\n0,6\n")
    ns = types.SimpleNamespace
    cfg = ns(
        layout="coordinates",
        n_x=1,
        n_y=1,
        spacing_m=8.0,
        coordinates_m=None,
        coordinates_file=csv,
        points=lambda: read_coordinates_file(csv),  # the config section reads its file
        length_m=80.0,
        buried_depth_m=1.0,
        radius_m=0.07,
        flow_per_borehole_kg_s=0.3,
        R_b_override_mK_W=None,
        ground=ns(
            conductivity_W_mK=2.2,
            volumetric_heat_capacity_J_m3K=2.5e6,
            T_undisturbed_C=None,
            T_surface_C=5.0,
            geothermal_gradient_K_m=0.03,
        ),
        pipes=ns(
            arrangement="single_u",
            outer_diameter_m=0.032,
            inner_diameter_m=0.026,
            shank_spacing_m=0.078,
            conductivity_W_mK=0.35,
            roughness_m=1e-6,
        ),
        grout=ns(conductivity_W_mK=1.8, volumetric_heat_capacity_J_m3K=3.8e6),
        fluid=ns(
            name="MPG", concentration_pct=30.0, cp_J_kgK=3915.0, density_kg_m3=1031.0, T_props_C=5.0
        ),
        gfunction=ns(boundary_condition="UBWT", method="equivalent", cache_dir=cache),
    )
    bf = Borefield.from_config(cfg)
    assert bf.n_boreholes == 3 and bf.cp == 3915.0 and bf.fluid["rho"] == 1031.0
    assert bf.T0 == pytest.approx(5.0 + 0.03 * 41.0)
    csv.write_text("x_m,y_m\n0,0\n6,zz\n")
    with pytest.raises(InputError) as e:
        Borefield.from_config(cfg)
    assert f"{csv}:3" in _where(e)


def test_flow_table_cache_is_exact(tmp_path):
    """The conductance-vs-flow table from memory and from disk equals a fresh one."""
    from gshp.physics.borefield import interior

    kw = dict(coordinates_m=[(0.0, 0.0)], T_undisturbed_C=10.0, cache_dir=tmp_path)
    interior._FLOW_TABLE_MEMORY.clear()  # other tests may have built the same table
    a = Borefield.from_params(**kw).ftab
    assert len(list(tmp_path.glob("ft_*.npy"))) == 1
    interior._FLOW_TABLE_MEMORY.clear()
    b = Borefield.from_params(**kw).ftab
    c = Borefield.from_params(**kw).ftab
    bf = Borefield.from_params(**kw)
    fresh = interior.flow_table(
        bf.m_b_design, bf.pos, bf.n_u, bf.r_in, bf.r_out, bf.r_b, bf.k_s, bf.k_g, bf.k_p,
        bf.roughness, bf.fluid, bf.x_grout, scale=bf.scale, use_cache=False,
    )  # fmt: skip
    for t in (a, b, c):
        assert t.dtype == fresh.dtype and np.array_equal(t, fresh)
    c[:] = 0.0  # callers get their own arrays
    assert np.array_equal(Borefield.from_params(**kw).ftab, fresh)
    d = Borefield.from_params(**kw, grout_conductivity_W_mK=2.0).ftab
    assert len(list(tmp_path.glob("ft_*.npy"))) == 2 and not np.array_equal(d, fresh)


def test_step_coeffs_and_pending_advance_equal_the_separate_calls(single):
    """One pass over the aggregation cells (borefield_step_coeffs + advance with pending)
    gives, step by step, exactly the numbers of the pure coefficients + plain advance —
    also with the flow changed between them and on pump-off steps."""
    from gshp.physics.borefield.kernel import (
        NO_PENDING,
        borefield_advance_pending,
        borefield_step_coeffs,
    )

    m = single.total_flow_kg_s
    ref = single.kernel_setup(180.0, 3000)
    new = single.kernel_setup(180.0, 3000)
    rng = np.random.default_rng(3)
    for i in range(3000):
        flow = 0.0 if i % 7 == 3 else m * (1.0 if i % 11 else 0.5)
        t_in = 5.0 + 3.0 * rng.standard_normal()
        if flow > 0.0:
            a, b = borefield_outlet_coeffs(*ref, flow)
            a2, b2, pending = borefield_step_coeffs(*new, flow)
            assert (a, b) == (a2, b2)
        else:
            pending = NO_PENDING
        advance_flow = flow if i % 13 else (m * 0.7 if flow > 0.0 else 0.0)
        r1 = borefield_advance(*ref, t_in, advance_flow)
        r2 = borefield_advance_pending(*new, t_in, advance_flow, pending)
        assert r1 == r2, i
        assert np.array_equal(ref.q_cells, new.q_cells)
        assert np.array_equal(ref.nodes, new.nodes)
