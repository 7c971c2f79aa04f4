"""The per-step functions run without numba's reference-counting runtime (gshp.jit).

With the runtime, every array a compiled call receives or reads from a record is counted
in and out by out-of-line calls; in the station kernel that bookkeeping cost more than
half of the time of a 20-year case. These tests keep it out: the kernel's LLVM code must
not call the runtime, the step functions must be compiled by :func:`gshp.jit.kernel_jit`,
and an allocation in such a function must fail to compile.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from numba import njit
from numba.core.registry import CPUDispatcher

from gshp.jit import kernel_jit

ROOT = Path(__file__).resolve().parents[1]


def _compiled_modules():
    """Every module of ``gshp.station`` with compiled functions, and every module of
    ``gshp.physics`` that compiles with :func:`gshp.jit.kernel_jit` (the physics the
    kernel calls; physics that runs once per case before the loop, such as the building
    and DHW models, may use plain ``njit``). Found by walking the packages, so that a new
    component or kernel module is covered without a list."""
    import gshp.physics
    import gshp.station

    names = []
    for pkg in (gshp.station, gshp.physics):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            mod = importlib.import_module(info.name)
            own = [
                o
                for o in vars(mod).values()
                if isinstance(o, CPUDispatcher) and o.py_func.__module__ == info.name
            ]
            if own and (pkg is gshp.station or getattr(mod, "kernel_jit", None) is kernel_jit):
                names.append(info.name)
    return names


KERNEL_MODULES = _compiled_modules()
#: compiled functions that run once per case before the loop (solvers, test helpers) and allocate
NOT_PER_STEP = {
    "gshp.physics.tank._simulate",
    "gshp.physics.borefield.model._run",
    *(f"gshp.physics.heatpump.{n}" for n in (
        "_clamp_points", "_poly10", "_clamp_point", "_map_eval", "_bisect_evaporator",
        "_solve_point", "_solve_many")),
}  # fmt: skip


def test_the_kernel_and_its_components_are_among_the_checked_modules():
    for name in ("gshp.station.kernel", "gshp.station.components.tank",
                 "gshp.station.components.network", "gshp.physics.borefield.kernel"):  # fmt: skip
        assert name in KERNEL_MODULES


def _runtime_calls(ir: str) -> int:
    return sum(ir.count(name) for name in ("NRT_incref", "NRT_decref", "NRT_MemInfo_alloc"))


def _dispatchers(module_name):
    mod = importlib.import_module(module_name)
    for name, obj in vars(mod).items():
        if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == module_name:
            yield f"{module_name}.{name}", obj


@pytest.mark.parametrize("module_name", KERNEL_MODULES)
def test_step_functions_are_compiled_without_the_runtime(module_name):
    found = dict(_dispatchers(module_name))
    assert found, f"no compiled functions found in {module_name}"
    with_runtime = [
        name
        for name, f in found.items()
        if name not in NOT_PER_STEP and f.targetoptions.get("_nrt", True) is not False
    ]
    assert not with_runtime, (
        f"compiled with numba's runtime (use gshp.jit.kernel_jit): {with_runtime}"
    )


class _Record(NamedTuple):
    a: np.ndarray
    b: np.ndarray


def _callee(r, i):
    return r.a[i] + r.b[i]


def _caller(r, n):
    s = 0.0
    for i in range(n):
        s += _callee_jit(r, i % r.a.size)
    return s


_callee_jit = njit(_callee)


def test_runtime_calls_are_detected_in_llvm_code():
    """Control: the same loop with the runtime does count references (so the scan of the
    kernel's code below can fail)."""
    r = _Record(np.ones(3), np.ones(3))
    with_rt = njit(_caller)
    without = njit(_nrt=False)(_caller)
    assert with_rt(r, 5) == without(r, 5) == 10.0
    assert _runtime_calls(next(iter(with_rt.inspect_llvm().values()))) > 0
    assert _runtime_calls(next(iter(without.inspect_llvm().values()))) == 0


def _cached_object_code(dispatcher) -> list[bytes]:
    """The machine code numba cached for ``dispatcher`` (its ``.nbc`` files)."""
    folder = Path(dispatcher._cache._cache_path)
    stem = dispatcher._cache._cache_file._index_name.removesuffix(".nbi")  # numba's naming
    return [p.read_bytes() for p in folder.glob(f"{stem}.*.nbc")]


def test_station_kernel_code_has_no_runtime_calls(tmp_path):
    """The station kernel's machine code for a real case calls no runtime function: the
    object code numba caches for it names none of ``NRT_*`` (the symbols a call of the
    runtime links to). The check reads the code the runs use (compiled once, or loaded
    from the cache) instead of compiling a second copy. It can fail: the cached code of a
    small function that allocates names them."""
    from gshp.config import load_case
    from gshp.station import kernel as station
    from gshp.station.prepare import initial_state, kernel_buffers, prepare

    prep = prepare(load_case(ROOT / "cases" / "berlin.toml").replace(**{"simulation.years": 1}))
    station.run_kernel(0, 0, prep.params, initial_state(prep), kernel_buffers(prep))
    codes = _cached_object_code(station.run_kernel)
    assert codes, "no cached machine code of run_kernel"
    assert all(b"NRT_" not in code for code in codes)
    # the control: an allocating function's cached code names the runtime
    (tmp_path / "alloc.py").write_text(
        "import numpy as np\nfrom numba import njit\n\n@njit(cache=True)\n"
        "def f(n):\n    return np.zeros(n).sum()\n"
    )
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import alloc; alloc.f(3); "
        "import glob; print(sum(open(p, 'rb').read().count(b'NRT_') for p in "
        f"glob.glob({str(tmp_path / 'cache')!r} + '/**/*.nbc', recursive=True)))"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout  # fmt: skip
    assert int(out.strip()) > 0


@kernel_jit()
def _allocates(n):
    return np.zeros(n).sum()


def test_allocation_in_a_kernel_function_does_not_compile():
    with pytest.raises(Exception, match="NRT required|Only accept returning of array passed"):
        _allocates(3)
