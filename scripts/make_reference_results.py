"""Store short runs of the reference cases as the bit-identity baseline of the tests.

``tests/test_reference_results.py`` compares every stored variable exactly (bit for bit)
with a fresh run on a platform like the one that wrote the baseline (the same
:func:`platform_fingerprint`: CPU model as LLVM sees it, C library, numpy, numba,
llvmlite); elsewhere the last bits of ``exp``/``expm1`` and of LLVM's code differ and the
test compares the means of the run (see the test). Two sets: the network as one mixed
node (``network.model = "lumped"``, the model the first baseline was made with) in
``reference_results/``, and the default buried pipes (``"pipes"``) in
``reference_results_pipes/``. Run this script only when a change is *meant* to alter
the results, and say so in the commit message:

    python scripts/make_reference_results.py [lumped|pipes]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gshp.studies.simulate import VOLATILE_ATTRS, simulate

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "reference_results"
OUT_PIPES = ROOT / "tests" / "data" / "reference_results_pipes"
FOLDERS = {"lumped": OUT, "pipes": OUT_PIPES}
CASES = ("helsinki", "berlin", "strasbourg", "berlin_variable_setpoint")
OVERRIDES = {"simulation.years": 2, "simulation.output_resolution": "daily"}


PLATFORM_KEY = "_platform"


def platform_fingerprint() -> str:
    """What decides the last bit of a run besides the code: machine, the CPU LLVM compiles
    for, the C library (libm), numpy, numba and llvmlite versions."""
    import platform

    import llvmlite
    import llvmlite.binding as llvm
    import numba

    libc = "-".join(platform.libc_ver())
    return (
        f"{platform.machine()} {llvm.get_host_cpu_name()} {libc} numpy {np.__version__} "
        f"numba {numba.__version__} llvmlite {llvmlite.__version__}"
    )


def reference_overrides(model: str = "lumped") -> dict:
    """The overrides every stored baseline run uses (also read by the test)."""
    return dict(OVERRIDES, **{"network.model": model})


def run(name: str, model: str = "lumped"):
    return simulate(ROOT / "cases" / f"{name}.toml", **reference_overrides(model))


def arrays(ds) -> dict:
    """Every numeric data variable of a result, as plain arrays."""
    out = {}
    for k, v in ds.data_vars.items():
        if k in VOLATILE_ATTRS or v.dtype.kind not in "fiub":
            continue
        out[k] = np.asarray(v.values)
    return out


def main(models=("lumped", "pipes")) -> None:
    for model in models:
        out = FOLDERS[model]
        out.mkdir(parents=True, exist_ok=True)
        for name in CASES:
            data = arrays(run(name, model))
            data[PLATFORM_KEY] = np.array(platform_fingerprint())
            np.savez_compressed(out / f"{name}.npz", **data)
            print("wrote", out / f"{name}.npz")


if __name__ == "__main__":
    import sys

    main(tuple(sys.argv[1:]) or ("lumped", "pipes"))
