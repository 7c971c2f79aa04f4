"""Ground-source heat pump: compressor maps, machine, performance table and lookup."""

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gshp.errors import InputError
from gshp.io.diskcache import read_cached
from gshp.physics.heatpump import (
    CP_WATER,
    HeatPump,
    _map_arrays,
    _map_eval,
    effectiveness_phase_change,
    hp_envelope_flag,
    hp_lookup,
    list_compressor_maps,
    load_compressor_map,
    performance_table,
    summary,
)

REF = "copeland_zh45k4e_r134a"
M_SRC = 35 * 0.3  # Berlin-like borefield flow, kg/s
CP_SRC = 3915.0


@pytest.fixture(scope="module")
def hp96():
    return HeatPump.build(REF, 96.0)


@pytest.fixture(scope="module")
def table(hp96):
    ts = np.arange(-10.0, 25.01, 2.5)
    tk = np.arange(15.0, 55.01, 2.5)
    return performance_table(hp96, ts, tk, M_SRC, CP_SRC)


def test_shipped_maps_are_real_and_documented():
    ids = list_compressor_maps()
    assert len(ids) >= 2
    refrigerants = set()
    for i in ids:
        m = load_compressor_map(i)
        assert m.model and m.source and "github.com/thermocycle" in m.source
        refrigerants.add(m.refrigerant)
        # compiled evaluation equals the numpy one, inside and outside the envelope
        S = np.array([-8.0, 0.0, 5.0, 40.0, -30.0])
        D = np.array([30.0, 40.0, 55.0, 10.0, 80.0])
        q, p, out = m.evaluate(S, D)
        arrs = _map_arrays(m)
        for k in range(S.size):
            qq, pp, oo = _map_eval(*arrs, S[k], D[k])
            assert qq == pytest.approx(q[k], rel=1e-12)
            assert pp == pytest.approx(p[k], rel=1e-12)
            assert bool(oo) == bool(out[k])
        assert out[3] and out[4] and not out[1]
    assert len(refrigerants) >= 2


def test_clamping_never_extrapolates():
    m = load_compressor_map(REF)
    q_far, p_far, out = m.evaluate(40.0, 10.0)
    Sb, Db, _ = m.clamp(40.0, 10.0)
    q_b, p_b, out_b = m.evaluate(Sb, Db, clamp=False)
    assert out and q_far == pytest.approx(q_b) and p_far == pytest.approx(p_b)
    # the raw polynomial would differ a lot there
    q_raw, _, _ = m.evaluate(40.0, 10.0, clamp=False)
    assert abs(q_raw - q_far) > 0.2 * q_far


def _write_map(tmp_path, text):
    src = load_compressor_map(REF).path
    base = open(src, encoding="utf-8").read()
    p = tmp_path / "bad.toml"
    p.write_text(text(base), encoding="utf-8")
    return str(p)


def test_bad_maps_get_clear_errors(tmp_path):
    # missing power coefficients
    p = _write_map(tmp_path, lambda b: b.replace("\npower = [", "\npower_missing = ["))
    with pytest.raises(InputError, match=r"coefficients\.power"):
        load_compressor_map(p)
    # nine coefficients
    p = _write_map(tmp_path, lambda b: b.replace("[26806, ", "["))
    with pytest.raises(InputError, match=r"coefficients\.capacity.*ten"):
        load_compressor_map(p)
    # unknown units
    p = _write_map(tmp_path, lambda b: b.replace('capacity = "Btu/h"', 'capacity = "hp"'))
    with pytest.raises(InputError, match=r"units\.capacity.*'hp'"):
        load_compressor_map(p)
    # negative capacity inside the envelope
    p = _write_map(tmp_path, lambda b: b.replace("[26806, ", "[-90000, "))
    with pytest.raises(InputError, match=r"positive everywhere inside the envelope"):
        load_compressor_map(p)
    # unknown id
    with pytest.raises(InputError, match=r"heat_pump\.compressor"):
        load_compressor_map("no_such_compressor")


def test_reference_gshp_96kW_rating(hp96):
    r35 = hp96.rating(0.0, 35.0)
    r55 = hp96.rating(0.0, 55.0)
    assert 4.3 <= r35.cop <= 5.0
    assert 2.8 <= r55.cop <= 3.3
    assert abs(r35.heating_W - 96e3) <= 0.10 * 96e3
    assert not r35.clamped and not r55.clamped
    # EN 14511 temperature differences at the solved flows
    assert r35.evaporator_W == pytest.approx(r35.source_flow_kg_s * 3915.0 * 3.0, rel=1e-9)
    assert r35.heating_W == pytest.approx(r35.sink_flow_kg_s * CP_WATER * 5.0, rel=1e-9)
    assert r35.heating_W == pytest.approx(r35.evaporator_W + r35.power_W, rel=1e-12)
    assert r35.T_evap_C < -3.0 and r35.T_cond_C > 35.0


@pytest.mark.parametrize("cid", ["copeland_zrd42kce_r407c", "copeland_zh21k4e_r134a"])
def test_other_maps_scale_to_rated_capacity(cid):
    hp = HeatPump.build(cid, 135.0, n_compressors=4)
    r = hp.rating(0.0, 35.0)
    assert r.heating_W == pytest.approx(135e3, rel=1e-6)
    assert hp.n_compressors == 4 and hp.displacement_ratio > 1.0
    assert 3.8 <= r.cop <= 5.5


def test_from_config_and_summary():
    cfg = SimpleNamespace(
        compressor=REF,
        rated_heating_capacity_kW=96.0,
        n_compressors=None,
        condenser_flow_kg_s=None,
        evaporator_UA_W_K=None,
        condenser_UA_W_K=None,
    )
    hp = HeatPump.from_config(cfg)
    assert hp.displacement_ratio <= 1.1 and hp.n_compressors >= 1
    assert hp.condenser_flow_kg_s == pytest.approx(96e3 / (CP_WATER * 5.0))
    text = summary(hp)
    assert "Scaling" in text and "ZH45K4E" in text and "B0/W35" in text
    with pytest.raises(InputError, match="evaporator_UA_W_K"):
        HeatPump.build(REF, 96.0, evaporator_UA_W_K=-1.0)


def test_table_energy_balance_and_heat_exchangers(hp96, table):
    t = table
    assert np.all(t.q_evap > 0) and np.all(t.power > 0)
    np.testing.assert_allclose(t.q_cond, t.q_evap + t.power, rtol=1e-9, atol=0)
    C_s = M_SRC * CP_SRC
    C_w = hp96.condenser_flow_kg_s * CP_WATER
    eps_e = effectiveness_phase_change(hp96.evaporator_UA_W_K, C_s)
    eps_c = effectiveness_phase_change(hp96.condenser_UA_W_K, C_w)
    S, K = np.meshgrid(t.t_source, t.t_sink, indexing="ij")
    np.testing.assert_allclose(t.q_evap, eps_e * C_s * (S - t.t_evap), rtol=1e-9)
    np.testing.assert_allclose(t.q_cond, eps_c * C_w * (t.t_cond - K), rtol=1e-9)


def test_cop_trends_everywhere_in_table(table):
    cop = table.q_cond / table.power
    assert np.all(np.diff(cop, axis=0) > 0.0)  # rises with source temperature
    assert np.all(np.diff(cop, axis=1) < 0.0)  # falls with sink temperature


def test_cop_trends_on_wide_grid_with_clamping(hp96):
    # The station's wide grid: part of it lies outside the compressor envelope. The COP
    # trends hold between every pair of neighbouring nodes inside the envelope; clamped
    # nodes are flagged and bounded (the map is never extrapolated).
    ts = np.arange(-20.0, 40.01, 2.0)
    tk = np.arange(0.0, 60.01, 2.0)
    t = performance_table(hp96, ts, tk, M_SRC, CP_SRC, coil_effectiveness=0.7)
    assert t.clamped.any() and not t.clamped.all()
    np.testing.assert_allclose(t.q_cond, t.q_evap + t.power, rtol=1e-9)
    cop = t.q_cond / t.power
    ok = t.clamped == 0.0
    both0 = ok[1:, :] & ok[:-1, :]
    both1 = ok[:, 1:] & ok[:, :-1]
    assert both0.sum() > 200 and both1.sum() > 200
    assert np.all(np.diff(cop, axis=0)[both0] > 0.0)
    assert np.all(np.diff(cop, axis=1)[both1] < 0.0)
    # clamped COPs stay within the envelope's range of COPs
    assert cop[~ok].min() >= 0.95 * cop[ok].min() and cop[~ok].max() <= 1.05 * cop[ok].max()


def test_coil_loop_is_consistent(hp96):
    eps_k = 0.6
    t = performance_table(hp96, [0.0, 10.0], [20.0, 40.0], M_SRC, CP_SRC, coil_effectiveness=eps_k)
    C_w = hp96.condenser_flow_kg_s * CP_WATER
    T_out = t.t_water_in + t.q_cond / C_w  # condenser water outlet = coil inlet
    tank = np.broadcast_to(t.t_sink, t.q_cond.shape)
    np.testing.assert_allclose(t.q_cond, eps_k * C_w * (T_out - tank), rtol=1e-9)
    eps_c = effectiveness_phase_change(hp96.condenser_UA_W_K, C_w)
    np.testing.assert_allclose(t.q_cond, eps_c * C_w * (t.t_cond - t.t_water_in), rtol=1e-9)
    # a coil between condenser and tank costs capacity at the same tank temperature
    direct = performance_table(hp96, [0.0, 10.0], [20.0, 40.0], M_SRC, CP_SRC)
    assert np.all(t.q_cond < direct.q_cond)


def test_lookup_nodes_and_clamping(table):
    t = table
    i, j = 3, 5
    qc, qe, p, cl = hp_lookup(
        t.t_source, t.t_sink, t.q_cond, t.q_evap, t.power, t.t_source[i], t.t_sink[j]
    )
    assert (qe, p, cl) == (t.q_evap[i, j], t.power[i, j], 0.0)
    assert qc == pytest.approx(t.q_cond[i, j], rel=1e-14)
    qc, qe, p, cl = hp_lookup(t.t_source, t.t_sink, t.q_cond, t.q_evap, t.power, -50.0, 99.0)
    assert cl == 1.0 and qe == t.q_evap[0, -1] and p == t.power[0, -1]
    assert hp_envelope_flag(t.t_source, t.t_sink, t.clamped, 0.0, 30.0) == 0.0


@settings(max_examples=100, deadline=None)
@given(x=st.floats(-15.0, 30.0), y=st.floats(10.0, 60.0), a=st.floats(-3, 3), b=st.floats(-3, 3))
def test_lookup_balance_and_bilinear_exactness(table, x, y, a, b):
    t = table
    qc, qe, p, cl = hp_lookup(t.t_source, t.t_sink, t.q_cond, t.q_evap, t.power, x, y)
    assert qc == qe + p
    inside = t.t_source[0] <= x <= t.t_source[-1] and t.t_sink[0] <= y <= t.t_sink[-1]
    assert cl == (0.0 if inside else 1.0)
    # bilinear interpolation reproduces a bilinear function exactly
    S, K = np.meshgrid(t.t_source, t.t_sink, indexing="ij")
    f = 1000.0 + a * S + b * K + 0.1 * S * K
    g = np.ascontiguousarray(f)
    _, v, _, _ = hp_lookup(t.t_source, t.t_sink, g, g, g, x, y)
    xc = min(max(x, t.t_source[0]), t.t_source[-1])
    yc = min(max(y, t.t_sink[0]), t.t_sink[-1])
    assert v == pytest.approx(1000.0 + a * xc + b * yc + 0.1 * xc * yc, rel=1e-12, abs=1e-9)


def _solve_point_all_halvings(cq, cp, conv, px, py, scale, Ts, Ke, Tk, Kc, iters=60):
    """The nested bisection with every one of its 60 halvings (no early stop), in Python:
    the reference the compiled solve must reproduce bit for bit."""

    def inner(Tc):
        lo, hi = Ts - 100.0, Ts
        for _ in range(iters):
            Te = 0.5 * (lo + hi)
            q, p, o = _map_eval(cq, cp, conv, px, py, Te, Tc)
            if scale * q - Ke * (Ts - Te) > 0.0:
                hi = Te
            else:
                lo = Te
        return 0.5 * (lo + hi)

    lo_c, hi_c = Tk, Tk + 100.0
    for _ in range(iters):
        Tc = 0.5 * (lo_c + hi_c)
        Te = inner(Tc)
        q, p, o = _map_eval(cq, cp, conv, px, py, Te, Tc)
        if scale * (q + p) - Kc * (Tc - Tk) > 0.0:
            lo_c = Tc
        else:
            hi_c = Tc
    Tc = 0.5 * (lo_c + hi_c)
    Te = inner(Tc)
    q, p, o = _map_eval(cq, cp, conv, px, py, Te, Tc)
    return Te, Tc, scale * q, scale * p, o


def test_cycle_solve_stops_early_without_changing_a_bit(hp96):
    """The compiled solve stops a bisection once its bracket is two adjacent floats; the
    result must equal the full 60 halvings exactly (inside, outside and on the envelope)."""
    from gshp.physics.heatpump import solve_cycle

    cq, cp, conv, px, py = _map_arrays(hp96.cmap)
    K_e, K_c = 2.0e4, 1.6e4
    pts = [(-15.0, 5.0), (-3.0, 20.0), (0.0, 30.0), (0.3, 35.0), (7.5, 48.0), (30.0, 60.0),
           (-20.0, 58.0), (12.0, 0.0)]  # fmt: skip
    Ts = np.array([p[0] for p in pts])
    Tk = np.array([p[1] for p in pts])
    Te, Tc, Qe, P, Qc, out = solve_cycle(hp96.cmap, hp96.scale, Ts, K_e, Tk, K_c)
    assert out.any() and not out.all()  # both regimes covered
    for k, (s, w) in enumerate(pts):
        ref = _solve_point_all_halvings(cq, cp, conv, px, py, hp96.scale, s, K_e, w, K_c)
        got = (Te[k], Tc[k], Qe[k], P[k], float(out[k]))
        assert got == ref, (s, w, got, ref)


def test_performance_table_cache_is_exact(hp96, tmp_path):
    """Solved once, then read from memory and from disk: identical arrays; different
    inputs give a different cache file."""
    import gshp.physics.heatpump as H

    ts = np.arange(-5.0, 10.01, 5.0)
    tk = np.arange(20.0, 50.01, 10.0)
    H._GRID_MEMORY.clear()  # other tests may have solved the same grid
    fresh = performance_table(hp96, ts, tk, M_SRC, CP_SRC, use_cache=False)
    first = performance_table(hp96, ts, tk, M_SRC, CP_SRC, cache_dir=tmp_path)
    files = sorted(tmp_path.glob("hp_*.npy"))
    assert len(files) == 1 and not list(tmp_path.glob(".*tmp"))
    memory = performance_table(hp96, ts, tk, M_SRC, CP_SRC, cache_dir=tmp_path)
    H._GRID_MEMORY.clear()
    disk = performance_table(hp96, ts, tk, M_SRC, CP_SRC, cache_dir=tmp_path)
    for t in (first, memory, disk):
        for f in fresh._fields:
            a, b = getattr(fresh, f), getattr(t, f)
            assert a.dtype == b.dtype and np.array_equal(a, b), f
    memory.q_cond[0, 0] = -1.0  # callers get their own arrays
    assert performance_table(hp96, ts, tk, M_SRC, CP_SRC, cache_dir=tmp_path).q_cond[0, 0] > 0
    performance_table(hp96, ts, tk, M_SRC * 1.01, CP_SRC, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("hp_*.npy"))) == 2
    # an unreadable cache file is solved again (and replaced)
    H._GRID_MEMORY.clear()
    files[0].write_bytes(b"not an array")
    with pytest.warns(UserWarning, match="heat pump table cache file .* is unreadable"):
        again = performance_table(hp96, ts, tk, M_SRC, CP_SRC, cache_dir=tmp_path)
    assert np.array_equal(again.q_cond, fresh.q_cond)
    assert read_cached(files[0]).shape == (5, ts.size, tk.size)
