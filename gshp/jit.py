"""The compiler options of the per-step (kernel) functions.

Every function the station kernel calls in its time loop is compiled with
:func:`kernel_jit`: numba in nopython mode, cached on disk, and **without numba's
reference-counted runtime (NRT)**. These functions never allocate; they only read and
write arrays the caller owns. With the runtime on, numba counts references of each array
it passes, reads from a record or receives as an argument — an out-of-line call per
array, twice per non-inlined call and per record access. In the 3.5 million steps of a
20-year case that bookkeeping took more than half of the kernel's time (measured with
``benchmarks/bench_station.py``: Helsinki 20 y with the buried pipes, 3.2 s → 1.25 s,
results identical to the bit). Without the runtime an allocation in such a function is
a compile error, which also keeps the per-step work allocation-free (tested in
``tests/test_kernel_jit.py``).

``_nrt`` is numba's own target option (``numba.core.options.TargetOptions``); it is used
here and nowhere else, so that a change of numba's spelling has one place to follow.
"""

from __future__ import annotations

from numba import njit


def kernel_jit(**options):
    """``numba.njit(cache=True, _nrt=False, **options)`` (``inline``, ``error_model``)."""
    return njit(cache=True, _nrt=False, **options)
