"""Plug-flow pipe (gshp.physics.network.plugflow): delay, steady state, energy, zero flow, and
agreement with an independent exact reference for random flow histories."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gshp.physics.network.plugflow import (
    FS_MERGES,
    pipe_inflow,
    pipe_init,
    pipe_mean_temperature,
    pipe_outflow,
    pipe_pair_outflow,
    pipe_profile,
    pipe_setup,
    pipe_step,
    pipe_stored,
    pipes_are_twins,
)

DT = 180.0


def make(M, k, T0, capacity=64):
    s = pipe_setup(1, capacity)
    pipe_init(*s, 0, M, k, DT, T0)
    return s


def run(s, flows, T_in, T_s):
    out = np.empty(len(flows))
    gain = np.empty(len(flows))
    for n, (m, ti, ts) in enumerate(zip(flows, T_in, T_s, strict=True)):
        out[n], gain[n] = pipe_step(*s, 0, m, ti, ts)
    return out, gain


# ---- independent exact reference: every water label followed through the steps ----------


def _gauss(n=10):
    x, w = np.polynomial.legendre.leggauss(n)
    return x, w


class Reference:
    """Exact plug flow by labels: label ``c`` (kg) enters when the cumulative inflow passes
    ``c`` and leaves when it passes ``c + M``; labels ``c < 0`` are the initial water."""

    def __init__(self, M, k, T0, flows, T_in, T_s):
        self.M, self.k, self.T0 = M, k, T0
        self.m = np.asarray(flows, float)
        self.Ti = np.asarray(T_in, float)
        self.Ts = np.asarray(T_s, float)
        self.C = np.concatenate([[0.0], np.cumsum(self.m * DT)])

    def _time_of(self, c):
        """Time at which the cumulative inflow reaches ``c`` (> 0)."""
        j = int(np.searchsorted(self.C, c, side="right")) - 1
        while self.m[j] <= 0:
            j -= 1
        return j, j * DT + (c - self.C[j]) / self.m[j]

    def _evolve(self, T, t0, t1):
        n = int(t0 // DT)
        t = t0
        while t < t1 - 1e-12:
            end = min((n + 1) * DT, t1)
            T = self.Ts[n] + (T - self.Ts[n]) * math.exp(-self.k * (end - t))
            t = end
            n += 1
        return T

    def exit_T(self, c):
        _, t_x = self._time_of(c + self.M)
        if c < 0:
            return self._evolve(self.T0, 0.0, t_x)
        j, t_e = self._time_of(c)
        return self._evolve(self.Ti[j], t_e, t_x)

    def outlet(self, n):
        lo, hi = self.C[n] - self.M, self.C[n + 1] - self.M
        if hi <= lo:
            return np.nan
        cuts = [lo, hi] + [c for c in self.C if lo < c < hi] + ([0.0] if lo < 0 < hi else [])
        cuts = sorted(set(cuts))
        x, w = _gauss()
        tot = 0.0
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            cs = 0.5 * (a + b) + 0.5 * (b - a) * x
            tot += 0.5 * (b - a) * sum(wi * self.exit_T(c) for wi, c in zip(w, cs, strict=True))
        return tot / (hi - lo)


# ---- tests ---------------------------------------------------------------------------------


def test_steady_state_outlet_is_the_analytic_exponential():
    M, k, m = 600.0, 7e-5, 1.7  # ~100 m of DN125 at 0.15 m/s
    s = make(M, k, 12.0)
    out, _ = run(s, [m] * 300, [20.0] * 300, [6.0] * 300)
    U_L_over_mc = k * M / m  # = U′L/(ṁc) with k = U′/(ρcA), M = ρAL
    expected = 6.0 + (20.0 - 6.0) * math.exp(-U_L_over_mc)
    assert abs(out[-1] - expected) < 1e-9
    assert abs(out[-50] - expected) < 1e-9


@pytest.mark.parametrize("m", [0.9, 2.0, 3.3333, 11.0])
def test_step_leaves_after_exactly_V_over_Vdot_without_exchange(m):
    M = 700.0
    s = make(M, 0.0, 0.0)
    n = 60
    out, _ = run(s, [m] * n, [1.0] * n, [0.0] * n)
    delay = M / m  # s
    t_end = DT * np.arange(1, n + 1)
    t_start = t_end - DT
    # exact plug flow: the outlet over each step is the fraction of it after the delay
    expected = np.clip((t_end - delay) / DT, 0.0, 1.0)
    np.testing.assert_allclose(out, expected, atol=1e-12)
    assert np.all(out[t_end <= delay] == 0.0)
    assert out[t_start >= delay].min() == pytest.approx(1.0, abs=1e-12)


def test_pulse_is_transported_unchanged_without_exchange():
    M, m = 500.0, 2.5  # delay 200 s = 1.11 steps
    s = make(M, 0.0, 0.0)
    T_in = np.zeros(40)
    T_in[5] = 1.0
    out, _ = run(s, [m] * 40, T_in, [0.0] * 40)
    # the pulse's energy arrives in full, spread over the steps its delay straddles
    assert out.sum() == pytest.approx(1.0, abs=1e-12)
    first = int(np.argmax(out > 0))
    assert first * DT == pytest.approx(5 * DT + DT * (M / m // DT), abs=DT)
    assert np.count_nonzero(out > 1e-15) == 2


def test_zero_flow_holds_the_water_and_relaxes_towards_the_soil():
    M, k = 400.0, 1e-4
    s = make(M, k, 20.0)
    out, gain = run(s, [0.0] * 50, [99.0] * 50, [5.0] * 50)
    expected = 5.0 + 15.0 * math.exp(-k * 50 * DT)
    assert pipe_mean_temperature(s[0], s[1], 0) == pytest.approx(expected, abs=1e-10)
    assert out[-1] == pytest.approx(expected, abs=1e-10)  # the water at the outlet end
    # the heat lost to the soil is exactly the drop of stored energy (nothing flowed)
    assert gain.sum() * DT == pytest.approx(M * (expected - 20.0), rel=1e-11)


def test_energy_closes_over_1e5_random_steps():
    rng = np.random.default_rng(7)
    M, k = 800.0, 6e-5
    s = make(M, k, 10.0)
    E0 = pipe_stored(*s, 0)
    n = 100_000
    kind = rng.integers(0, 4, n)
    flows = np.where(kind == 0, 0.0, np.where(kind == 1, 3.0, rng.uniform(0.05, 12.0, n)))
    T_in = rng.uniform(0.0, 35.0, n)
    T_s = rng.uniform(-2.0, 18.0, n)
    out, gain = run(s, flows, T_in, T_s)
    advected = np.sum(flows * DT * (T_in - out))
    exchanged = np.sum(gain * DT)
    stored = pipe_stored(*s, 0) - E0
    throughput = np.sum(flows * DT * (np.abs(T_in) + np.abs(out))) + np.sum(np.abs(gain)) * DT
    assert abs(advected + exchanged - stored) / throughput < 1e-9
    # and the running sum the step keeps agrees with the recomputed stored energy
    assert pipe_mean_temperature(s[0], s[1], 0) * M == pytest.approx(pipe_stored(*s, 0), rel=1e-9)
    assert s[1][0, FS_MERGES] == 0


@settings(max_examples=25, deadline=None)
@given(
    flows=st.lists(
        st.one_of(st.just(0.0), st.just(1.3), st.floats(0.2, 9.0)), min_size=5, max_size=25
    ),
    seed=st.integers(0, 10_000),
    k=st.sampled_from([0.0, 2e-5, 8e-5, 1e-3]),
)
def test_random_histories_match_the_exact_label_reference(flows, seed, k):
    rng = np.random.default_rng(seed)
    n = len(flows)
    T_in = rng.uniform(0.0, 30.0, n)
    T_s = rng.uniform(0.0, 15.0, n)
    M = 450.0
    s = make(M, k, 11.0)
    out, _ = run(s, flows, T_in, T_s)
    ref = Reference(M, k, 11.0, flows, T_in, T_s)
    for j in range(n):
        if flows[j] > 0:
            assert out[j] == pytest.approx(ref.outlet(j), abs=1e-9), j


@settings(max_examples=30, deadline=None)
@given(
    flows=st.lists(
        st.one_of(st.just(0.0), st.just(1.3), st.floats(0.01, 12.0)), min_size=3, max_size=30
    ),
    seed=st.integers(0, 10_000),
    k=st.sampled_from([0.0, 8e-5, 5e-3]),
    capacity=st.sampled_from([3, 64]),
)
def test_twin_pipes_stepped_as_a_pair_match_two_single_pipes_to_the_bit(flows, seed, k, capacity):
    # supply and return pipe of a trench: same mass, decay and flows, other temperatures;
    # 300 steps reach the frame's renormalisation at k = 5e-3, capacity 3 the merges
    flows = (flows * (300 // len(flows) + 1))[:300]
    rng = np.random.default_rng(seed)
    T_in = rng.uniform(0.0, 35.0, (len(flows), 2))
    T_s = rng.uniform(-2.0, 18.0, (len(flows), 2))
    M = 450.0
    pair = pipe_setup(2, capacity)
    single = pipe_setup(2, capacity)
    for s in (pair, single):
        pipe_init(*s, 0, M, k, DT, 11.0)
        pipe_init(*s, 1, M, k, DT, 16.0)
    for n, m in enumerate(flows):
        inv = 1.0 / m if m > 0.0 else 0.0
        assert pipes_are_twins(pair[0], pair[2], 0, 1)
        pipe_pair_outflow(*pair, 0, 1, m, inv, T_s[n, 0], T_s[n, 1])
        pipe_outflow(*single, 0, m, inv, T_s[n, 0])
        pipe_outflow(*single, 1, m, inv, T_s[n, 1])
        for i in (0, 1):
            got = pipe_inflow(*pair, i, m, inv, T_in[n, i], T_s[n, i])
            assert got == pipe_inflow(*single, i, m, inv, T_in[n, i], T_s[n, i]), (n, i)
    for a, b in zip(pair, single, strict=True):
        np.testing.assert_array_equal(a, b)


def test_pipes_with_other_decay_rates_are_not_twins():
    s = pipe_setup(2, 8)
    pipe_init(*s, 0, 450.0, 8e-5, DT, 11.0)
    pipe_init(*s, 1, 450.0, 9e-5, DT, 11.0)
    assert not pipes_are_twins(s[0], s[2], 0, 1)
    pipe_init(*s, 1, 450.0, 8e-5, DT, 11.0)
    assert pipes_are_twins(s[0], s[2], 0, 1)
    pipe_step(*s, 0, 1.0, 20.0, 5.0)  # one pipe alone moves its ring: no longer twins
    assert not pipes_are_twins(s[0], s[2], 0, 1)


def test_fast_flow_passes_water_through_within_one_step():
    # ṁΔt = 4 M: three quarters of the step's inflow leaves after exactly M/ṁ
    M, k, m = 100.0, 2e-4, 4 * 100.0 / DT
    s = make(M, k, 10.0)
    out, _ = run(s, [m] * 3, [30.0] * 3, [5.0] * 3)
    assert out[-1] == pytest.approx(5.0 + 25.0 * math.exp(-k * M / m), abs=1e-12)
    ref = Reference(M, k, 10.0, [m] * 3, [30.0] * 3, [5.0] * 3)
    assert out[0] == pytest.approx(ref.outlet(0), abs=1e-9)


def test_full_buffer_mixes_energy_exactly():
    M, k = 2000.0, 5e-5
    s = make(M, k, 10.0, capacity=4)
    flows = [0.3] * 30  # residence 37 steps, capacity 4
    T_in = np.linspace(10, 30, 30)
    E0 = pipe_stored(*s, 0)
    out, gain = run(s, flows, T_in, [5.0] * 30)
    assert s[1][0, FS_MERGES] > 0
    balance = np.sum(0.3 * DT * (T_in - out)) + gain.sum() * DT - (pipe_stored(*s, 0) - E0)
    assert abs(balance) < 1e-9 * np.sum(0.3 * DT * T_in)


def test_long_run_renormalises_the_frame_without_loss_of_accuracy():
    M, k, m = 300.0, 5e-3, 2.0  # f = exp(−0.9) per step: P underflows without renormalising
    s = make(M, k, 10.0)
    out, _ = run(s, [m] * 2000, [20.0] * 2000, [4.0] * 2000)
    assert out[-1] == pytest.approx(4.0 + 16.0 * math.exp(-k * M / m), abs=1e-9)
    assert s[1][0, 0] > 1e-101


def test_profile_decays_along_the_pipe_at_steady_state():
    M, k, m = 600.0, 1e-4, 1.0
    s = make(M, k, 8.0)
    run(s, [m] * 100, [20.0] * 100, [5.0] * 100)
    x = np.empty(5)
    T = np.empty(5)
    pipe_profile(*s, 0, 5, x, T)
    # position x (fraction of mass from the outlet): the water there is (1 − x)·M/ṁ old
    expected = 5.0 + 15.0 * np.exp(-k * (1.0 - x) * M / m)
    np.testing.assert_allclose(T, expected, atol=1e-9)


@pytest.mark.parametrize("m", [2.5e-4, 5e-5, 1.3e-4])
def test_tiny_flow_for_months_stays_bounded_and_closes_energy(m):
    # issue 25 item 10: an all-zero network load left only the minimum flow, a few
    # grams per step through a 32 kg pipe; the front parcel stayed partial step after
    # step and its decay factor, updated by a recurrence that doubled its round-off each
    # step, overflowed within months (non-finite Q_network)
    M, k, dt, n = 32.283, 8.0555e-4, 900.0, 6000
    s = pipe_setup(1, 64)
    pipe_init(*s, 0, M, k, dt, 15.0)
    E0 = pipe_stored(*s, 0)
    T_in = 15.0 + 5.0 * np.sin(np.arange(n) / 96.0)
    T_s = 12.0
    out = np.empty(n)
    gain = np.empty(n)
    for i in range(n):
        out[i], gain[i] = pipe_step(*s, 0, m, T_in[i], T_s)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(gain))
    assert out.min() >= T_s - 1e-9 and out.max() <= T_in.max() + 1e-9
    assert T_s - 1e-9 <= pipe_mean_temperature(s[0], s[1], 0) <= T_in.max() + 1e-9
    balance = np.sum(m * dt * (T_in - out)) + gain.sum() * dt - (pipe_stored(*s, 0) - E0)
    assert abs(balance) < 1e-9 * M * 20.0
