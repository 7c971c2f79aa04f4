"""Network tree: reference layout, CSV reader, checks, downstream sets, sizing, and the
network kernel's energy balance."""

from __future__ import annotations

import numpy as np
import pytest

from gshp.config import load_case
from gshp.errors import InputError
from gshp.physics.network.kernel import network_flows, network_step
from gshp.physics.network.model import build_network, critical_pressure_drop, pipe_design_flows
from gshp.physics.network.plugflow import pipe_stored
from gshp.physics.network.topology import build_tree, read_pipes_csv, reference_layout

DEFAULTS = dict(
    wall_conductivity_W_mK=0.4,
    insulation_thickness_m=0.0,
    insulation_conductivity_W_mK=0.026,
    depth_m=1.2,
    spacing_m=0.4,
)


def test_reference_layout_is_450_m_with_the_plant_at_one_end():
    tree = build_tree(reference_layout(7), DEFAULTS, 7)
    assert tree.lengths().sum() == pytest.approx(450.0)
    assert tree.root == "plant"
    assert list(tree.parent) == [-1, 0, 1, 2, 3, 4, 5]
    # the first trench carries every building, the last one only the last building
    assert tree.downstream.sum(axis=1).tolist() == [7, 6, 5, 4, 3, 2, 1]


def test_branched_tree_order_and_downstream_sets(tmp_path):
    csv = tmp_path / "net.csv"
    csv.write_text(
        "# a branched network\n"
        "id,upstream,downstream,length_m,buildings,depth_m\n"
        "C,J,C1,40,2,\n"
        "A,plant,J,100,0,1.5\n"
        "B,J,B1,30,1,\n"
        "D,B1,D1,20,1,\n",
        encoding="utf-8",
    )
    tree = build_tree(read_pipes_csv(csv), DEFAULTS, 4)
    ids = [r["id"] for r in tree.records]
    assert ids[0] == "A"  # parents first
    for i, p in enumerate(tree.parent):
        assert p < i
    idx = {r["id"]: i for i, r in enumerate(tree.records)}
    assert tree.downstream[idx["A"]].all()
    assert tree.downstream[idx["B"]].sum() == 2  # B1's building and D1's
    assert tree.records[idx["A"]]["depth_m"] == 1.5
    assert tree.records[idx["C"]]["depth_m"] == 1.2  # default


@pytest.mark.parametrize(
    "body, where, words",
    [
        ("A,plant,N1,abc,7\n", ":2", "length_m: a number"),
        ("A,plant,N1,100,\n", "", "district.n_buildings (7)"),  # buildings do not add up
        ("A,plant,N1,100,3\nB,N2,N1,50,4\n", ":3", "fed by one pipe only"),
        ("A,plant,N1,100,3\nA,N1,N2,50,4\n", ":3", "unique"),
        ("A,plant,N1,-5,7\n", ":2", "> 0"),
        ("A,plant,N1,100,7,0.1\n", ":2", "both inner_diameter_m and outer_diameter_m"),
    ],
)
def test_csv_errors_name_file_and_line(tmp_path, body, where, words):
    csv = tmp_path / "net.csv"
    header = "id,upstream,downstream,length_m,buildings"
    if "0.1" in body:
        header += ",inner_diameter_m"
    csv.write_text(header + "\n" + body, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        build_tree(read_pipes_csv(csv), DEFAULTS, 7)
    msg = str(exc.value)
    assert words in msg
    if where:
        assert f"net.csv{where}" in msg


def test_csv_bad_header(tmp_path):
    csv = tmp_path / "net.csv"
    csv.write_text("id,from,to,length_m\nA,plant,N1,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="net.csv:1"):
        read_pipes_csv(csv)


def test_case_file_pipes_are_checked(tmp_path):
    case = tmp_path / "c.toml"
    case.write_text(
        "[climate]\npreset='berlin'\n[heat_pump]\nrated_heating_capacity_kW=96\n"
        "[network]\n[[network.pipes]]\nid='A'\nupstream='plant'\ndownstream='N1'\n"
        "length_m=100\nbuildings=7\ndepth_m=0.05\ninner_diameter_m=0.1\n"
        "outer_diameter_m=0.125\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"network.pipes\[0\].depth_m"):
        load_case(case)


def test_reference_network_sizes_and_pressure_drop():
    tree = build_tree(reference_layout(7), DEFAULTS, 7)
    rng = np.random.default_rng(1)
    flows = rng.uniform(0.1, 1.5, (7, 500))
    design = pipe_design_flows(tree, flows)
    assert design[0] == pytest.approx(flows.sum(axis=0).max())
    net = build_network(tree, design, 900.0, 20.0, 1.5)
    assert np.all(np.diff(net.inner_diameter_m) <= 0)  # smaller downstream
    assert np.all(net.pressure_gradient_Pa_m <= 150.0)
    dp = critical_pressure_drop(net, 50e3)
    # the last node's path: 2 × Σ gradient × length + substation
    assert dp == pytest.approx(2 * np.sum(net.pressure_gradient_Pa_m * net.length_m) + 50e3)
    assert 1.0 < net.U_pair_W_mK.min() and net.U_pair_W_mK.max() < 2.2


def test_network_step_conserves_energy_and_mixes_returns():
    tree = build_tree(reference_layout(7), DEFAULTS, 7)
    net = build_network(tree, tree.downstream.sum(axis=1) * 1.0, 900.0, 18.0, 1.5)
    par, fs, ring, buf, parent, bpipe, down, w = net.kernel_arrays()
    n = tree.n_pipes
    rng = np.random.default_rng(3)
    m_pipe = np.zeros(n)
    T_node = np.zeros(7)
    work = np.zeros(4 * n)
    E0 = sum(pipe_stored(par, fs, ring, buf, j) for j in range(2 * n)) * 4186.0
    station = subst = pipes = 0.0
    for _ in range(3000):
        m_b = rng.uniform(0.05, 1.0, 7)
        Q_b = rng.uniform(-0.5, 1.0, 7) * m_b * 4186.0 * 5.0
        m_tot = network_flows(m_b, bpipe, parent, m_pipe)
        assert np.allclose(m_pipe, down @ m_b)
        T_sup = rng.uniform(15, 25)
        T_soil = np.full(n, rng.uniform(0, 15))
        T_ret, Q_p = network_step(
            par, fs, ring, buf, parent, bpipe, w, m_pipe, m_b, Q_b, T_soil, T_sup, 4186.0,
            T_node, work,
        )  # fmt: skip
        station += m_tot * 4186.0 * (T_sup - T_ret) * 900.0
        subst += Q_b.sum() * 900.0
        pipes += Q_p * 900.0
    E1 = sum(pipe_stored(par, fs, ring, buf, j) for j in range(2 * n)) * 4186.0
    # station heat = substations − pipes' gain + stored
    assert abs(station - (subst - pipes + (E1 - E0))) < 1e-9 * (abs(station) + abs(subst))
