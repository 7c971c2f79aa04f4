"""Build the network of a case for the station kernel (Python, once per run).

* The district's loads are shared **evenly** among the substations (the reference
  district's seven buildings are equal in floor area and weather; a load file gives
  totals). Each substation then draws its share through its own booster heat pump, whose
  COP depends on the supply temperature arriving at *its* node.
* A substation's flow is ``ṁ_b = max(|Q_b|/(c·ΔT_design), ṁ_min,b)`` with
  ``ṁ_min,b = min_flow_fraction × ṁ_design,b`` and ``ṁ_design,b`` the peak of its flow at
  the nominal setpoints over the year; each trench's design flow is the peak of the sum
  downstream (:func:`gshp.physics.network.model.pipe_design_flows`), which sizes the pipes left
  without diameters.
* The network is advanced once per 15-min load slot (:data:`NETWORK_STEP_S`): its loads
  and flows are constant over a slot, and each pipe step is exact for that. The station
  takes the slot's return; the supply entering the network over a slot is the station's
  supply predicted at the slot's start, and the station's actual supply over the slot is
  reconciled with it energy-exactly in the next slot (:mod:`gshp.physics.network.kernel`).
* Soil temperature per trench and slot: Kusuda–Achenbach at the trench's depth from the
  climate's air temperature, or constant (:mod:`gshp.physics.network.soil`).
* Network pump: the pressure drop of the critical path at design flow (pipes by
  Darcy–Weisbach + one substation) gives the design power; the kernel scales it with the
  cube of the flow (affinity law), as for the lumped model.
* Booster COPs at a node temperature are interpolated in a table of
  :func:`gshp.physics.heatpump.booster_cops` (0.05 K spacing; interpolation error < 1e-6
  relative), which saves 21 powers per slot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gshp.physics.network import soil
from gshp.physics.network.model import (
    NetworkModel,
    build_network,
    critical_pressure_drop,
    pipe_design_flows,
)
from gshp.physics.network.topology import Tree, tree_from_config

NETWORK_STEP_S = 900.0
COP_TABLE_T0 = -30.0
COP_TABLE_DT = 0.05
COP_TABLE_N = 1801  # −30 … 60 °C


@dataclass
class NetworkSetup:
    """The network of a case, ready for the kernel."""

    tree: Tree
    model: NetworkModel
    n_buildings: int
    m_design_building_kg_s: float
    m_min_building_kg_s: float
    m_design_total_kg_s: float
    T_soil: np.ndarray  # (n_pipes, n_slots) °C
    pump_head_Pa: float
    P_pump_design_W: float
    cop_table: np.ndarray  # (COP_TABLE_N, 3): 1/COP_sh, 1/COP_dhw, 1/EER by node temperature

    def exchange_estimate(self, T_water_C) -> np.ndarray:
        """Heat the pipes gain from the soil (W) per load slot with all their water at
        ``T_water_C`` (scalar or per slot): ``Σ 2·U′_pair·L·(T_soil − T)``, the
        symmetric pair formula (for the automatic season rule and estimates)."""
        mdl = self.model
        UL = 2.0 * mdl.U_pair_W_mK * mdl.length_m  # (n,)
        return UL @ self.T_soil - UL.sum() * np.asarray(T_water_C, dtype=float)

    def attrs(self) -> dict:
        """Summary for the result's attributes."""
        return dict(
            pipes=self.model.summary(),
            volume_m3=round(self.model.volume_m3, 3),
            trench_length_m=float(self.model.length_m.sum()),
            design_flow_per_building_kg_s=round(self.m_design_building_kg_s, 4),
            pump_head_kPa=round(self.pump_head_Pa / 1e3, 2),
            P_pump_design_W=round(self.P_pump_design_W, 1),
            network_step_s=NETWORK_STEP_S,
        )


def booster_cop_table(booster_params) -> np.ndarray:
    """1/COP_sh, 1/COP_dhw, 1/EER of the boosters on the grid
    ``COP_TABLE_T0 + j·COP_TABLE_DT`` (reciprocals: the kernel multiplies)."""
    from gshp.physics.heatpump import booster_cops

    T = COP_TABLE_T0 + COP_TABLE_DT * np.arange(COP_TABLE_N)
    return np.ascontiguousarray(1.0 / np.array([booster_cops(float(t), booster_params) for t in T]))


def soil_temperatures(net_cfg, tree: Tree, T_air_slots, slot_s: float) -> np.ndarray:
    """Soil temperature at each trench's depth for each load slot (°C)."""
    n = tree.n_pipes
    n_slots = np.asarray(T_air_slots).size
    if net_cfg.soil_temperature == "constant":
        T0 = net_cfg.soil_T_C if net_cfg.soil_T_C is not None else float(np.mean(T_air_slots))
        return np.full((n, n_slots), float(T0))
    out = np.empty((n, n_slots))
    for i, r in enumerate(tree.records):
        out[i] = soil.soil_temperature_series(
            T_air_slots, slot_s, r["depth_m"], net_cfg.soil_diffusivity_m2_s
        )
    return out


def prepare_network(case, q_nominal_slots, T_air_slots, T_initial_C, booster_params,
                    cp=4186.0, rho=998.0, slot_s=900.0) -> NetworkSetup:  # fmt: skip
    """Tree, sizes, soil temperatures and initial state of a case's network.

    ``q_nominal_slots``: the district's net network load at the nominal setpoints per
    slot (W, + drawn), which sets the design flows.
    """
    net = case.network
    n_b = case.district.n_buildings
    tree = tree_from_config(net, n_b)
    q_b = np.abs(np.asarray(q_nominal_slots, dtype=float)) / n_b
    m_b = q_b / (cp * net.substation_dT_K)
    m_design_b = max(float(m_b.max()), 1e-3)
    m_min_b = net.min_flow_fraction * m_design_b
    flows_b = np.maximum(m_b, m_min_b)
    # all substations have the same share: the trench's flow is (buildings downstream) × ṁ_b
    n_down = tree.downstream.sum(axis=1).astype(float)
    design = n_down * float(flows_b.max())
    assert np.allclose(design, pipe_design_flows(tree, np.tile(flows_b.max(), (n_b, 1))))
    model = build_network(
        tree,
        design,
        NETWORK_STEP_S,
        T_initial_C,
        net.soil_conductivity_W_mK,
        max_gradient_Pa_m=net.pipe_max_pressure_gradient_Pa_m,
        rho=rho,
        cp=cp,
    )
    head = critical_pressure_drop(model, net.substation_pressure_drop_kPa * 1e3)
    m_total = float(n_b * flows_b.max())
    P_design = m_total / rho * head / case.pumps.efficiency
    return NetworkSetup(
        tree=tree,
        model=model,
        n_buildings=n_b,
        m_design_building_kg_s=m_design_b,
        m_min_building_kg_s=m_min_b,
        m_design_total_kg_s=m_total,
        T_soil=np.ascontiguousarray(soil_temperatures(net, tree, T_air_slots, slot_s)),
        pump_head_Pa=head,
        P_pump_design_W=P_design,
        cop_table=booster_cop_table(booster_params),
    )
