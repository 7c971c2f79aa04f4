"""Run several cases: in-process, in parallel processes (joblib), or on Dask distributed.

Every case is independent and deterministic, so the results do not depend on the number of
jobs or on the backend. A case that fails is reported with its error; the others go on.
Progress: one bar per case (years simulated) plus an overall bar of finished cases; worker
processes report their years through a multiprocessing queue.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import re
import threading
import traceback
import warnings
from dataclasses import dataclass, field

from gshp.errors import InputError


@dataclass
class CaseResult:
    """Outcome of one case: a Dataset, or an error message."""

    name: str
    dataset: object = None
    error: str | None = None
    error_kind: str | None = None  # "input" (bad input) or "failure" (anything else)
    warnings: list = field(default_factory=list)  # warning messages of the run, once each

    @property
    def ok(self) -> bool:
        return self.error is None


class CaseFailed(Exception):
    """Raised by a ``finish`` step: the case failed with this message (run time)."""


def _run_one(
    index, case, progress_queue=None, simulate_fn=None, keep_implausible=False, finish=None
):
    """Worker: simulate one case (then ``finish`` its Dataset), never raise (errors come
    back as text).

    A physically implausible result (:class:`gshp.io.plausibility.ImplausibleResult`) is a
    failure; with ``keep_implausible`` its flagged Dataset comes back with the error.
    """
    from gshp.io.plausibility import ImplausibleResult
    from gshp.studies.simulate import simulate

    fn = simulate_fn or simulate

    def progress(done, total):
        if progress_queue is not None:
            try:
                progress_queue.put((index, done, total))
            except (OSError, EOFError, BrokenPipeError):
                pass  # the progress display went away: the case goes on

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ds = fn(case, progress=progress)
            if finish is not None:
                ds = finish(ds)
            res = CaseResult(case.name, dataset=ds)
        except ImplausibleResult as exc:
            kept = exc.dataset if keep_implausible else None
            res = CaseResult(case.name, dataset=kept, error=str(exc), error_kind="failure")
        except InputError as exc:
            res = CaseResult(case.name, error=exc.message(), error_kind="input")
        except CaseFailed as exc:
            res = CaseResult(case.name, error=str(exc), error_kind="failure")
        except Exception as exc:  # noqa: BLE001 - one failed case must not lose the others
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            res = CaseResult(case.name, error=detail, error_kind="failure")
    # warnings come back with the result (printed once by the caller, without the
    # source line Python's default display adds)
    res.warnings = list(dict.fromkeys(str(w.message) for w in caught))
    return index, res


def run_cases(
    cases,
    *,
    jobs: int = 1,
    progress: bool = True,
    scheduler: str | None = None,
    on_result=None,
    simulate_fn=None,
    keep_implausible: bool = False,
    finish=None,
) -> list[CaseResult]:
    """Simulate ``cases`` and return their results in the order given.

    Parameters
    ----------
    cases : list of Case
    jobs : int
        Parallel worker processes (joblib/loky); 1 runs in this process; ≤ 0 means one per
        CPU core.
    progress : bool
        Show progress bars (tqdm, on standard error).
    scheduler : str, optional
        Dask distributed scheduler address (``tcp://host:port``) or ``"local"`` for a
        LocalCluster on this machine (``jobs`` worker processes); runs the cases as Dask
        tasks.
    on_result : callable, optional
        ``on_result(CaseResult)`` as each case finishes (e.g. to write its file at once).
    simulate_fn : callable, optional
        Replacement for :func:`gshp.studies.simulate.simulate` (tests, sizing).
    keep_implausible : bool
        Return the flagged Dataset of a physically implausible case with its error.
    finish : callable, optional
        ``finish(Dataset) -> object`` run where the case ran (the worker process), e.g.
        to write its file there; its return value is the ``dataset`` of the CaseResult.
        Writing in the workers spares the main process receiving (pickling) the whole
        time series. It may raise :class:`CaseFailed` with a message.

    A worker process that dies (killed by a signal, out of memory) does not stop the run:
    the cases already finished are returned (and passed to ``on_result``), the cases it
    took down with it are failures whose message says so.
    """
    cases = list(cases)
    results: list[CaseResult | None] = [None] * len(cases)
    if not cases:
        return []
    if progress and not kernel_cached():
        import sys

        print("gshp: compiling the simulation kernel with numba (first run after an install "
              "or update, about 20 s; cached afterwards) …", file=sys.stderr, flush=True)
    bars = _Bars(cases, progress)
    try:
        if scheduler:
            iterator = _dask_iter(cases, scheduler, simulate_fn, keep_implausible, jobs, finish)
            q = None
        elif jobs == 1 or len(cases) == 1:
            iterator = (
                _run_one(i, c, bars, simulate_fn, keep_implausible, finish)
                for i, c in enumerate(cases)
            )
            q = None
        else:
            iterator, q = _joblib_iter(cases, jobs, simulate_fn, keep_implausible, finish)
        listener = bars.listen(q) if q is not None else None
        try:
            for index, res in iterator:
                results[index] = res
                bars.finished(index, res)
                if on_result is not None:
                    on_result(res)
        except WORKER_DIED as exc:
            lost = lost_message(exc)
            for index, case in enumerate(cases):
                if results[index] is None:
                    res = CaseResult(case.name, error=lost, error_kind="failure")
                    results[index] = res
                    bars.finished(index, res)
        finally:
            if listener is not None:
                listener.stop()
    finally:
        bars.close()
    return results  # type: ignore[return-value]


def kernel_cached() -> bool:
    """Whether numba's on-disk cache holds a compiled station kernel for this source
    (numba checks the source file's time stamp); False when it cannot tell."""
    try:
        from gshp.station import kernel as station

        return bool(station.run_kernel._cache._cache_file._load_index())
    except Exception:  # noqa: BLE001 - numba internals: assume a compile is due
        return False


def _worker_died_errors() -> tuple:
    errors = []
    try:
        from joblib.externals.loky.process_executor import (
            BrokenProcessPool,
            TerminatedWorkerError,
        )

        errors += [TerminatedWorkerError, BrokenProcessPool]
    except ImportError:  # pragma: no cover - depends on joblib's layout
        pass
    from concurrent.futures.process import BrokenProcessPool as StdBroken

    errors.append(StdBroken)
    return tuple(errors)


WORKER_DIED = _worker_died_errors()
"""Exceptions that mean a worker process died (signal, out of memory)."""


def lost_message(exc) -> str:
    """The error of a case lost with a dead worker process (no traceback)."""
    found = re.search(r"SIG[A-Z]+", str(exc))
    sig = f" ({found.group(0)})" if found else ""
    return (
        f"a worker process died{sig} before this case finished — killed by a signal or by "
        "the system for lack of memory; the cases already finished are kept, run this "
        "one again (with fewer --jobs if memory is short)"
    )


def _joblib_iter(cases, jobs, simulate_fn, keep_implausible=False, finish=None):
    """Cases on joblib's process pool (loky, reused between runs), one future each.

    A worker that dies fails the futures it takes down with it (loky marks the pool
    broken); each is reported as lost, the others' results come through.
    """
    from concurrent.futures import as_completed

    from joblib.externals.loky import cpu_count, get_reusable_executor

    manager = multiprocessing.Manager()
    q = manager.Queue()
    n_workers = min(jobs if jobs > 0 else cpu_count(), len(cases))
    executor = get_reusable_executor(max_workers=n_workers)
    futures = {}
    for i, c in enumerate(cases):
        futures[executor.submit(_run_one, i, c, q, simulate_fn, keep_implausible, finish)] = i

    def iterate():
        try:
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    yield fut.result()
                except WORKER_DIED as exc:
                    res = CaseResult(cases[i].name, error=lost_message(exc), error_kind="failure")
                    yield i, res
        finally:
            manager.shutdown()

    return iterate(), q


def _dask_iter(cases, scheduler, simulate_fn, keep_implausible=False, jobs=1, finish=None):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - depends on the installation
        raise InputError.single(
            "--scheduler", scheduler, "requires dask.distributed: pip install 'gshp[dask]'"
        ) from None
    if scheduler == "local":
        # one single-threaded worker process per job (≤ 0: one per core), as joblib
        n_workers = jobs if jobs > 0 else (os.cpu_count() or 1)
        cluster = LocalCluster(
            n_workers=min(n_workers, len(cases)), threads_per_worker=1, processes=True,
            dashboard_address=None,
        )  # fmt: skip
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise InputError.single(
                "--scheduler", scheduler, f"a reachable Dask scheduler ({exc})"
            ) from None
        cluster = None
    try:
        futures = {
            client.submit(
                _run_one, i, c, None, simulate_fn, keep_implausible, finish, pure=False
            ): i
            for i, c in enumerate(cases)
        }
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: lose this case only
                yield i, CaseResult(cases[i].name, error=lost_message(exc), error_kind="failure")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Bars:
    """tqdm bars: overall (cases) and one per running case (years)."""

    def __init__(self, cases, enabled):
        self.enabled = enabled
        self.cases = cases
        self.per_case = {}
        self.overall = None
        self._lock = threading.Lock()
        if enabled:
            from tqdm import tqdm

            self._tqdm = tqdm
            if len(cases) > 1:
                self.overall = tqdm(
                    total=len(cases),
                    desc="cases",
                    unit="case",
                    position=0,
                    leave=True,
                    dynamic_ncols=True,
                )

    def _bar(self, index, total):
        bar = self.per_case.get(index)
        if bar is None:
            pos = len(self.per_case) + (1 if self.overall is not None else 0)
            bar = self._tqdm(
                total=total,
                desc=self.cases[index].name,
                unit="year",
                position=pos,
                leave=False,
                dynamic_ncols=True,
            )
            self.per_case[index] = bar
        return bar

    def update(self, index, done, total):
        if not self.enabled:
            return
        with self._lock:
            bar = self._bar(index, total)
            bar.n = done
            bar.refresh()

    def put(self, msg):
        """Progress from a case running in this process (same interface as a queue)."""
        self.update(*msg)

    def listen(self, q):
        if not self.enabled:
            return None
        stop = threading.Event()

        def loop():
            while not stop.is_set():
                try:
                    msg = q.get(timeout=0.2)
                except (queue.Empty, EOFError, OSError, BrokenPipeError):
                    continue
                self.update(*msg)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()

        class _Stop:
            def stop(self_inner):
                stop.set()
                thread.join(timeout=2)

        return _Stop()

    def finished(self, index, res):
        if not self.enabled:
            return
        with self._lock:
            bar = self.per_case.pop(index, None)
            if bar is not None:
                bar.close()
            if self.overall is not None:
                self.overall.update(1)
            if not res.ok:
                self._tqdm.write(f"{res.name}: FAILED — {res.error}")

    def close(self):
        if not self.enabled:
            return
        for bar in self.per_case.values():
            bar.close()
        if self.overall is not None:
            self.overall.close()
