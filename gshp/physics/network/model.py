"""Assemble a network (tree + design flows) into per-pipe constants and kernel state.

:func:`pipe_design_flows` gives each trench's design flow: the peak over the year of the
sum of the flows of the substations downstream of it (their actual coincidence, no
simultaneity factor needed). :func:`build_network` sizes the pipes left without
diameters (:func:`gshp.physics.network.hydraulics.size_pipe`), computes each pipe's resistances
and U′ (:mod:`gshp.physics.network.heat_loss`), the design pressure drops along every path, and
initialises the plug-flow state (:mod:`gshp.physics.network.plugflow`) full of water at a given
temperature.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gshp.physics.network import heat_loss, hydraulics
from gshp.physics.network.plugflow import DEFAULT_CAPACITY, decay_rate, pipe_init, pipe_setup
from gshp.physics.network.topology import Tree


@dataclass
class NetworkModel:
    """A network ready for the kernel (arrays per pipe in topological order)."""

    tree: Tree
    inner_diameter_m: np.ndarray
    outer_diameter_m: np.ndarray
    length_m: np.ndarray
    design_flow_kg_s: np.ndarray
    R_pipe_mK_W: np.ndarray  # each pipe alone (wall + insulation + soil)
    R_mutual_mK_W: np.ndarray
    U_self_W_mK: np.ndarray  # with the neighbour's effective soil temperature
    U_pair_W_mK: np.ndarray  # both pipes at one temperature (symmetric problem)
    weight: np.ndarray  # (2n,) neighbour weight
    decay_rate_1_s: np.ndarray  # (2n,)
    pressure_gradient_Pa_m: np.ndarray
    path_pressure_drop_Pa: np.ndarray  # supply + return from the plant to each node
    volume_m3: float
    # kernel state
    par: np.ndarray
    fs: np.ndarray
    ring: np.ndarray
    buf: np.ndarray

    @property
    def n_pipes(self) -> int:
        return self.tree.n_pipes

    def kernel_arrays(self) -> tuple:
        """``(par, fs, ring, buf, parent, building_pipe, downstream, weight)``."""
        t = self.tree
        return (
            self.par,
            self.fs,
            self.ring,
            self.buf,
            np.ascontiguousarray(t.parent, dtype=np.int64),
            np.ascontiguousarray(t.building_pipe, dtype=np.int64),
            np.ascontiguousarray(t.downstream),
            np.ascontiguousarray(self.weight),
        )

    def fill(self, T_C: float) -> None:
        """Fill every pipe with water at ``T_C`` (°C), keeping its constants."""
        for j in range(2 * self.n_pipes):
            pipe_init(self.par, self.fs, self.ring, self.buf, j, self.par[j, 0],
                      self.decay_rate_1_s[j], self.par[j, 5], float(T_C))  # fmt: skip

    def summary(self) -> list[dict]:
        """One dict per trench (for result attributes and reports)."""
        out = []
        for i, r in enumerate(self.tree.records):
            out.append(
                dict(
                    id=r["id"],
                    upstream=r["upstream"],
                    downstream=r["downstream"],
                    length_m=float(self.length_m[i]),
                    inner_diameter_m=round(float(self.inner_diameter_m[i]), 5),
                    outer_diameter_m=round(float(self.outer_diameter_m[i]), 5),
                    design_flow_kg_s=round(float(self.design_flow_kg_s[i]), 4),
                    pressure_gradient_Pa_m=round(float(self.pressure_gradient_Pa_m[i]), 2),
                    U_self_W_mK=round(float(self.U_self_W_mK[i]), 4),
                    neighbour_weight=round(float(self.weight[i]), 4),
                    U_pair_W_mK=round(float(self.U_pair_W_mK[i]), 4),
                    buildings=int(r["buildings"]),
                )
            )
        return out


def pipe_design_flows(tree: Tree, building_flows) -> np.ndarray:
    """Design flow of each trench (kg/s): the peak over time of the sum of the flows of
    the substations downstream of it. ``building_flows``: (n_buildings, n_times)."""
    f = np.asarray(building_flows, dtype=float)
    return (tree.downstream.astype(float) @ f).max(axis=1)


def build_network(
    tree: Tree,
    design_flow_kg_s,
    dt_s: float,
    T_initial_C: float,
    soil_conductivity_W_mK: float,
    max_gradient_Pa_m: float = 150.0,
    rho: float = hydraulics.RHO,
    cp: float = 4186.0,
    capacity: int = DEFAULT_CAPACITY,
) -> NetworkModel:
    """Size, characterise and initialise the pipes of ``tree`` (see module docstring)."""
    n = tree.n_pipes
    flows = np.asarray(design_flow_kg_s, dtype=float)
    d_in = np.empty(n)
    d_out = np.empty(n)
    L = tree.lengths()
    R = np.empty(n)
    Rm = np.empty(n)
    for i, r in enumerate(tree.records):
        if r.get("inner_diameter_m") is None:
            d_in[i], d_out[i] = hydraulics.size_pipe(flows[i], max_gradient_Pa_m)
        else:
            d_in[i], d_out[i] = r["inner_diameter_m"], r["outer_diameter_m"]
        t_ins = r.get("insulation_thickness_m", 0.0) or 0.0
        R[i] = heat_loss.pipe_resistance(
            d_in[i],
            d_out[i],
            r["wall_conductivity_W_mK"],
            r["depth_m"],
            soil_conductivity_W_mK,
            insulation_thickness_m=t_ins,
            insulation_conductivity_W_mK=r.get("insulation_conductivity_W_mK", 0.026),
        )
        Rm[i] = heat_loss.mutual_resistance(r["depth_m"], r["spacing_m"], soil_conductivity_W_mK)
    U_s, w_s, U_r, w_r = heat_loss.pair_coupling(R, R, Rm)
    U_pair = 1.0 / (R + Rm)
    weight = np.concatenate([w_s, w_r])
    U_all = np.concatenate([U_s, U_r])
    k = np.array([decay_rate(U_all[j], d_in[j % n], rho, cp) for j in range(2 * n)])
    grad = np.array([hydraulics.pressure_gradient(flows[i], d_in[i]) for i in range(n)])
    paths = tree.critical_paths()
    path_dp = np.array([2.0 * sum(grad[j] * L[j] for j in p) for p in paths])
    area = math.pi * 0.25 * d_in**2
    volume = float(2.0 * np.sum(area * L))
    par, fs, ring, buf = pipe_setup(2 * n, capacity)
    for j in range(2 * n):
        i = j % n
        pipe_init(par, fs, ring, buf, j, rho * area[i] * L[i], k[j], float(dt_s), T_initial_C)
    return NetworkModel(
        tree=tree,
        inner_diameter_m=d_in,
        outer_diameter_m=d_out,
        length_m=L,
        design_flow_kg_s=flows,
        R_pipe_mK_W=R,
        R_mutual_mK_W=Rm,
        U_self_W_mK=U_s,
        U_pair_W_mK=U_pair,
        weight=weight,
        decay_rate_1_s=k,
        pressure_gradient_Pa_m=grad,
        path_pressure_drop_Pa=path_dp,
        volume_m3=volume,
        par=par,
        fs=fs,
        ring=ring,
        buf=buf,
    )


def critical_pressure_drop(model: NetworkModel, substation_pressure_drop_Pa: float) -> float:
    """Pump head at design flow (Pa): the largest supply + return pipe pressure drop from
    the plant to a node with substations, plus one substation's pressure drop."""
    with_b = [i for i, r in enumerate(model.tree.records) if r["buildings"] > 0]
    worst = max((model.path_pressure_drop_Pa[i] for i in with_b), default=0.0)
    return float(worst + substation_pressure_drop_Pa)
