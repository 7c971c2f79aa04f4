"""Build gshp/data/validation/ahmadfard_bernier/ from a GHEtool checkout (BSD-3-Clause).

Ahmadfard, M., Bernier, M. (2019). A review of vertical ground heat exchanger sizing tools
including an inter-model comparison. Renew. Sustain. Energy Rev. 110: 247–265.
GHEtool carries the four test cases (hourly ground loads, parameters in its test scripts)
under ``GHEtool/Validation/comparison_with_other_sizing_tools/`` and the tools' published
lengths in ``docs/sources/code/Validation/Comparing_sizingtools_spreadsheet.xlsx``.

Usage (stdlib only; GHEDIR is a GHEtool 2.4.0 work tree)::

    python scripts/ahmadfard_bernier_data.py GHEDIR [OUT]

Writes per test ``<test>_load.csv`` (columns extraction_kW, injection_kW: the whole field's
hourly ground load), ``<test>.toml`` (a gshp borefield-only case) and one
``benchmark.json`` (parameters, limits, the tools' lengths, GHEtool's L4 length).
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

SUB = "GHEtool/Validation/comparison_with_other_sizing_tools"
XLSX = "docs/sources/code/Validation/Comparing_sizingtools_spreadsheet.xlsx"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

# Parameters as in GHEtool's test scripts (tag v2.4.0, testN.py), which follow the paper's
# tables. flow: kg/s per borehole; limits: on the heat pump's entering fluid temperature
# (the borefield OUTLET), °C; R_b: the R_b* imposed on all tools, m·K/W.
CASES = {
    "test1a": dict(
        title="Test 1a: one borehole, balanced synthetic ground load, 10 years",
        n_x=1,
        n_y=1,
        spacing_m=6.0,
        D_m=4.0,
        r_b_m=0.075,
        years=10,
        k_s=1.8,
        rho_c=2073600.0,
        T_g=17.5,
        R_b=0.13,
        rho_f=1052.0,
        cp_f=3795.0,
        mu_f=0.0052,
        k_f=0.48,
        flow=0.44,
        r_in=0.0137,
        r_out=0.0167,
        D_s=0.075 / 2,
        k_g=1.4,
        k_p=0.43,
        T_out_min=0.0,
        T_out_max=35.0,
        ghetool_L4=56.732044011668464,
        sheet="Test1a",
        rows=(6, 22),
        name_col="T",
        level_col="S",
        len_col="X",
        ghetool_sheet_L4=56.7,
    ),
    "test1b": dict(
        title="Test 1b: one borehole, balanced building load (COP/EER applied), 10 years",
        n_x=1,
        n_y=1,
        spacing_m=6.0,
        D_m=4.0,
        r_b_m=0.075,
        years=10,
        k_s=1.8,
        rho_c=2073600.0,
        T_g=17.5,
        R_b=0.13,
        rho_f=1052.0,
        cp_f=3795.0,
        mu_f=0.0052,
        k_f=0.48,
        flow=0.5585,
        r_in=0.0137,
        r_out=0.0167,
        D_s=0.075 / 2,
        k_g=1.4,
        k_p=0.43,
        T_out_min=0.0,
        T_out_max=35.0,
        ghetool_L4=72.52389782010322,
        sheet="Test1b",
        rows=(6, 23),
        name_col="AC",
        level_col="AB",
        len_col="AG",
        ghetool_sheet_L4=72.538,
    ),
    "test2": dict(
        title="Test 2: Shonder et al. (2000) school, 12 × 10 boreholes, 10 years",
        n_x=12,
        n_y=10,
        spacing_m=6.0,
        D_m=3.0,
        r_b_m=0.054,
        years=10,
        k_s=2.25,
        rho_c=2877000.0,
        T_g=12.41,
        R_b=0.113,
        rho_f=1026.0,
        cp_f=4019.0,
        mu_f=0.003377,
        k_f=0.468,
        flow=0.2416667,
        r_in=0.0137,
        r_out=0.0167,
        D_s=0.0471 / 2,
        k_g=1.73,
        k_p=0.45,
        T_out_min=4.4,
        T_out_max=35.0,
        ghetool_L4=84.97960330484824,
        sheet="Test2",
        rows=(6, 22),
        name_col="AD",
        level_col="AC",
        len_col="AN",
        ghetool_sheet_L4=85.0081,
    ),
    "test3": dict(
        title="Test 3: Monzó et al. (2016), 7 × 7 boreholes, cooling dominated, "
        "limit binds in year 1, 10 years",
        n_x=7,
        n_y=7,
        spacing_m=5.0,
        D_m=2.5,
        r_b_m=0.075,
        years=10,
        k_s=2.25,
        rho_c=2592000.0,
        T_g=10.0,
        R_b=0.1,
        rho_f=1026.0,
        cp_f=4019.0,
        mu_f=0.003377,
        k_f=0.468,
        flow=33.1 / 49,
        r_in=0.013,
        r_out=0.0167,
        D_s=0.075 / 2,
        k_g=1.73,
        k_p=0.4,
        T_out_min=0.0,
        T_out_max=35.0,
        ghetool_L4=107.36958044500126,
        sheet="Test3",
        rows=(6, 22),
        name_col="T",
        level_col="S",
        len_col="X",
        ghetool_sheet_L4=107.3782,
    ),
    "test4": dict(
        title="Test 4: 5 × 5 boreholes, high annual imbalance (cooling), 20 years",
        n_x=5,
        n_y=5,
        spacing_m=8.0,
        D_m=4.0,
        r_b_m=0.075,
        years=20,
        k_s=1.9,
        rho_c=2052000.0,
        T_g=15.0,
        R_b=0.2,
        rho_f=1026.0,
        cp_f=4019.0,
        mu_f=0.003377,
        k_f=0.468,
        flow=0.074 * 139.731 / 25,
        r_in=0.013,
        r_out=0.0167,
        D_s=0.083 / 2,
        k_g=0.69,
        k_p=0.4,
        T_out_min=0.0,
        T_out_max=38.0,
        ghetool_L4=119.96843598952158,
        sheet="Test4",
        rows=(6, 22),
        name_col="AC",
        level_col="AB",
        len_col="AG",
        ghetool_sheet_L4=119.9958,
    ),
}


def read_load(path: Path):
    """GHEtool's CSV: header 'Cooling<sep>Heating', kW; test1b uses ';' and decimal ','."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    sep = ";" if ";" in lines[0] else ","
    head = [h.strip() for h in lines[0].split(sep)]
    assert head == ["Cooling", "Heating"], head
    inj, ext = [], []
    for ln in lines[1:]:
        if not ln.strip():
            continue
        a, b = (float(x.replace(",", ".") if sep == ";" else x) for x in ln.split(sep))
        inj.append(a)
        ext.append(b)
    assert len(ext) == 8760 and min(ext) >= 0 and min(inj) >= 0
    return ext, inj


def sheet_cells(xlsx: Path) -> dict:
    """{sheet name: {cell ref: text}} of the spreadsheet (stdlib XML)."""
    z = zipfile.ZipFile(xlsx)
    shared = []
    root = ET.fromstring(z.read("xl/sharedStrings.xml"))
    for si in root.findall("m:si", NS):
        shared.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    names = [s.get("name") for s in wb.find("m:sheets", NS)]
    out = {}
    for i, name in enumerate(names, 1):
        root = ET.fromstring(z.read(f"xl/worksheets/sheet{i}.xml"))
        cells = {}
        for c in root.iter(f"{{{NS['m']}}}c"):
            v = c.find("m:v", NS)
            if v is not None:
                cells[c.get("r")] = shared[int(v.text)] if c.get("t") == "s" else v.text
        out[name] = cells
    return out


def tools(cells: dict, c: dict) -> list:
    """The paper's tools (GHEtool's own rows excluded): level, name, length with imposed R_b
    (6-h peak duration where the sheet has several), m."""
    rows = []
    for r in range(c["rows"][0], c["rows"][1] + 1):
        name = (cells.get(f"{c['name_col']}{r}") or "").strip()
        level = (cells.get(f"{c['level_col']}{r}") or "").strip()
        raw = (cells.get(f"{c['len_col']}{r}") or "").strip()
        if not name or name.startswith("GHEtool"):
            continue
        try:
            length = round(float(raw), 3)
        except ValueError:
            continue  # '----': the tool could not do this test
        rows.append({"level": level, "tool": re.sub(r"\s+", " ", name), "length_m": length})
    return rows


def toml_case(key: str, c: dict) -> str:
    n = c["n_x"] * c["n_y"]
    return f"""# {c["title"]}
# Ahmadfard & Bernier (2019), Renew. Sustain. Energy Rev. 110: 247-265; data from GHEtool
# (BSD-3-Clause), see README.md beside this file. Benchmark limits on the heat pump's
# entering fluid temperature = borefield OUTLET: {c["T_out_min"]:g} to {c["T_out_max"]:g} C,
# over {c["years"]} years. Published lengths: benchmark.json.
kind = "borefield"

[simulation]
years = {c["years"]}
time_step_s = 3600
output_resolution = "hourly"

[ground_load]
file = "{key}_load.csv"
extraction_column = "extraction_kW"
injection_column = "injection_kW"
scale = 1.0
pump = "constant"

[sizing]
criterion = "outlet"          # the benchmark limits the heat pump's entering fluid = outlet
check = "hourly"
T_fluid_min_C = {c["T_out_min"]:g}
T_fluid_max_C = {c["T_out_max"]:g}

[borefield]
layout = "rectangle"
n_x = {c["n_x"]}
n_y = {c["n_y"]}                     # {n} borehole(s)
spacing_m = {c["spacing_m"]:g}
length_m = 100.0              # the unknown of the benchmark (sized)
buried_depth_m = {c["D_m"]:g}
radius_m = {c["r_b_m"]:g}
flow_per_borehole_kg_s = {c["flow"]:.6g}
R_b_override_mK_W = {c["R_b"]:g}      # R_b* imposed on all tools

[borefield.ground]
conductivity_W_mK = {c["k_s"]:g}
volumetric_heat_capacity_J_m3K = {c["rho_c"]:g}
T_undisturbed_C = {c["T_g"]:g}

[borefield.pipes]
arrangement = "single_u"
outer_diameter_m = {2 * c["r_out"]:.4g}
inner_diameter_m = {2 * c["r_in"]:.4g}
shank_spacing_m = {2 * c["D_s"]:.4g}       # between pipe centres
conductivity_W_mK = {c["k_p"]:g}

[borefield.grout]
conductivity_W_mK = {c["k_g"]:g}

[borefield.fluid]
name = "MPG"                  # antifreeze of the benchmark: cp and density as given
concentration_pct = {25.0 if c["cp_f"] < 3900 else 15.0:g}
cp_J_kgK = {c["cp_f"]:g}
density_kg_m3 = {c["rho_f"]:g}
"""


def build(ghe: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    cells = sheet_cells(ghe / XLSX)
    bench = {}
    for key, c in CASES.items():
        ext, inj = read_load(ghe / SUB / key / f"{key}.csv")
        with open(out / f"{key}_load.csv", "w", encoding="utf-8", newline="\n") as fh:
            fh.write("hour,extraction_kW,injection_kW\n")
            for h, (e, i) in enumerate(zip(ext, inj, strict=True)):
                fh.write(f"{h},{e:.10g},{i:.10g}\n")
        (out / f"{key}.toml").write_text(toml_case(key, c), encoding="utf-8")
        n = c["n_x"] * c["n_y"]
        # GHEtool's conversion of the outlet limits to mean-fluid limits (its testN.py):
        # dT at the larger of the two peak loads, with the total flow.
        dT = max(max(ext), max(inj)) * 1000.0 / (c["cp_f"] * c["flow"] * n)
        ts = tools(cells[c["sheet"]], c)
        lengths = [t["length_m"] for t in ts]
        bench[key] = {
            "title": c["title"],
            "field": {
                "n_x": c["n_x"],
                "n_y": c["n_y"],
                "spacing_m": c["spacing_m"],
                "D_m": c["D_m"],
                "r_b_m": c["r_b_m"],
            },  # fmt: skip
            "ground": {
                "k_s_W_mK": c["k_s"],
                "volumetric_heat_capacity_J_m3K": c["rho_c"],
                "T_g_C": c["T_g"],
            },  # fmt: skip
            "R_b_mK_W": c["R_b"],
            "fluid": {
                "density_kg_m3": c["rho_f"],
                "cp_J_kgK": c["cp_f"],
                "viscosity_Pa_s": c["mu_f"],
                "conductivity_W_mK": c["k_f"],
            },  # fmt: skip
            "flow_per_borehole_kg_s": c["flow"],
            "pipes": {
                "r_in_m": c["r_in"],
                "r_out_m": c["r_out"],
                "D_s_m": c["D_s"],
                "k_pipe_W_mK": c["k_p"],
                "k_grout_W_mK": c["k_g"],
            },  # fmt: skip
            "years": c["years"],
            "limits_outlet_C": {"min": c["T_out_min"], "max": c["T_out_max"]},
            "peak_dT_K": dT,
            "limits_mean_fluid_C": {"min": c["T_out_min"] - dT / 2, "max": c["T_out_max"] + dT / 2},
            "load_file": f"{key}_load.csv",
            "annual_extraction_MWh": sum(ext) / 1000,
            "annual_injection_MWh": sum(inj) / 1000,
            "peak_extraction_kW": max(ext),
            "peak_injection_kW": max(inj),
            "tools_imposed_Rb": ts,
            "tools_length_m": {
                "min": min(lengths),
                "mean": sum(lengths) / len(lengths),
                "max": max(lengths),
                "n": len(lengths),
            },  # fmt: skip
            "ghetool_L4_repo_m": c["ghetool_L4"],
            "ghetool_L4_spreadsheet_m": c["ghetool_sheet_L4"],
        }
    (out / "benchmark.json").write_text(json.dumps(bench, indent=1) + "\n", encoding="utf-8")
    return bench


if __name__ == "__main__":
    root = Path(sys.argv[1])
    dest = Path(sys.argv[2]) if len(sys.argv) > 2 else (
        Path(__file__).resolve().parents[1] / "gshp/data/validation/ahmadfard_bernier")  # fmt: skip
    b = build(root, dest)
    for k, v in b.items():
        t = v["tools_length_m"]
        print(f"{k}: tools {t['min']:.1f}–{t['max']:.1f} m (mean {t['mean']:.1f}, n {t['n']}); "
              f"GHEtool L4 {v['ghetool_L4_repo_m']:.2f} m")  # fmt: skip
