"""The Beier et al. (2011) sandbox thermal response test, for validating the borefield.

Beier, R.A., Smith, M.D., Spitler, J.D. (2011). Reference data sets for vertical borehole
ground heat exchanger models and thermal response test analysis. Geothermics 40: 79–85.
The data file (tabular form of the Modelica IBPSA library) has two header lines, then one
row a minute: time (s), inlet and outlet fluid temperature (°C), heater power as a
fraction of 1056 W.
"""

from __future__ import annotations

import numpy as np

from gshp.borefield.model import Borefield
from gshp.errors import InputError

HEATER_W = 1056.0
"""Full heater power of the test, W."""
FLOW_KG_S = 0.197e-3 * 998.0
"""Water flow of the test (0.197 L/s), kg/s."""


def beier_borefield(cache_dir=None, n_segments: int = 2) -> Borefield:
    """The sandbox set-up (README beside the data): R_b* = 0.165 m·K/W as reported, the
    aluminium casing (2 mm, 2.4 MJ/(m³·K)) lumped with the fluid as in IBPSA's model."""
    return Borefield.from_params(
        coordinates_m=[(0.0, 0.0)],
        length_m=18.3,
        buried_depth_m=0.0,
        radius_m=0.063,
        flow_per_borehole_kg_s=FLOW_KG_S,
        R_b_override_mK_W=0.165,
        ground_conductivity_W_mK=2.88,
        ground_volumetric_heat_capacity_J_m3K=2000 * 1275.0,
        T_undisturbed_C=22.09,
        pipe_outer_diameter_m=2 * 0.0167,
        pipe_inner_diameter_m=2 * (0.0167 - 0.003),
        shank_spacing_m=0.053,
        pipe_conductivity_W_mK=0.39,
        grout_conductivity_W_mK=0.73,
        grout_volumetric_heat_capacity_J_m3K=1900 * 2000.0,
        extra_heat_capacity_J_mK=2.4e6 * 2 * np.pi * 0.063 * 0.002,
        fluid_name="water",
        fluid_T_props_C=30.0,
        n_segments=n_segments,
        cache_dir=cache_dir,
    )


def read_beier(path) -> np.ndarray:
    """The measured data: array (n, 4) of time s, T_in °C, T_out °C, power fraction."""
    try:
        d = np.loadtxt(path, skiprows=2)
    except (OSError, ValueError) as exc:
        raise InputError.single(str(path), str(exc), "the Beier sandbox data file") from None
    if d.ndim != 2 or d.shape[1] != 4:
        raise InputError.single(str(path), f"shape {d.shape}", "4 columns")
    return d


def beier_response(path, cache_dir=None, n_segments: int = 2):
    """Drive the standalone borefield with the measured power and flow.

    Returns (rmse_K, time_s, measured_mean_fluid_C, simulated_mean_fluid_C).
    """
    d = read_beier(path)
    bf = beier_borefield(cache_dir, n_segments)
    t = np.arange(60.0, d[-1, 0] + 1.0, 60.0)
    row = np.searchsorted(d[:, 0], t)  # row k holds the power over (t_{k-1}, t_k]
    ds = bf.simulate(t, heat_W=-d[row, 3] * HEATER_W, mass_flow_kg_s=FLOW_KG_S)
    meas = 0.5 * (d[1:, 1] + d[1:, 2])
    sim = ds.T_fluid_mean.values[np.searchsorted(t, d[1:, 0])]
    return float(np.sqrt(np.mean((sim - meas) ** 2))), d[1:, 0], meas, sim
