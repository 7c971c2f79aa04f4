"""Run several cases: in-process, in parallel processes (joblib), or on Dask distributed.

Every case is independent and deterministic, so the results do not depend on the number of
jobs or on the backend. A case that fails is reported with its error; the others go on. A
worker process that dies (``kill -9``, the out-of-memory killer) costs only the case it
was running. Progress (:class:`Progress`): on a terminal, one bar per case (years
simulated) plus an overall bar of finished cases; when standard error is not a terminal (a
log file, CI, a batch system), plain lines without escape codes: one per finished case and,
for a long case, one every few simulated years. Worker processes report their years over
their pipe to the parent.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
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
    wall_s: float | None = None  # wall time of the case where it ran (set-up included), s

    @property
    def ok(self) -> bool:
        return self.error is None


KILL_CASE_ENV = "GSHP_TEST_KILL_CASE"
"""Test hook: a worker process (never the main process) that starts the case of this name
kills itself with SIGKILL, to test runs that survive a killed worker deterministically."""


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
    if (
        os.environ.get(KILL_CASE_ENV) == case.name and multiprocessing.parent_process() is not None
    ):  # test hook: this worker process dies as the out-of-memory killer would kill it
        import signal

        os.kill(os.getpid(), signal.SIGKILL)

    def progress(done, total):
        if progress_queue is not None:
            try:
                progress_queue.put((index, done, total))
            except (OSError, EOFError, BrokenPipeError):
                pass  # the progress display went away: the case goes on

    t0 = time.perf_counter()
    progress(0, case.simulation.years)  # the case starts: its rate is timed from here
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ds = fn(case, progress=progress)
            if finish is not None:
                ds = finish(case, ds)
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
    res.wall_s = time.perf_counter() - t0
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
        Parallel worker processes (spawned, each with its own pipe); 1 runs in this
        process; ≤ 0 means one per CPU core.
    progress : bool
        Show progress on standard error (:class:`Progress`): bars on a terminal, plain
        lines in a log file or pipe.
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
        ``finish(case, Dataset) -> object`` run where the case ran (the worker process), e.g.
        to write its file there; its return value is the ``dataset`` of the CaseResult.
        Writing in the workers spares the main process receiving (pickling) the whole
        time series. It may raise :class:`CaseFailed` with a message.

    A worker process that dies (killed by a signal, out of memory) does not stop the run:
    only the case it was running fails ("worker died (killed or out of memory …)"); the
    other cases run on (the queued ones in a fresh worker process, on Dask on the other
    workers).
    """
    cases = list(cases)
    results: list[CaseResult | None] = [None] * len(cases)
    if not cases:
        return []
    if progress and not kernel_cached():
        print(
            "gshp: compiling the simulation kernel with numba (first run after an install "
            "or update, a few minutes; cached afterwards) …",
            file=sys.stderr,
            flush=True,
        )
    bars = Progress(cases, progress)
    try:
        if scheduler:
            iterator = _dask_iter(cases, scheduler, simulate_fn, keep_implausible, jobs, finish)
        elif jobs == 1 or len(cases) == 1:
            iterator = (
                _run_one(i, c, bars, simulate_fn, keep_implausible, finish)
                for i, c in enumerate(cases)
            )
        else:
            iterator = _pool_iter(cases, jobs, simulate_fn, keep_implausible, finish, bars)
        for index, res in iterator:
            results[index] = res
            if on_result is not None:
                on_result(res)
            bars.finished(index, res)
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


def lost_message(detail: str = "") -> str:
    """The error of a case whose worker process died under it (no traceback)."""
    detail = f"; {detail}" if detail else ""
    return (
        f"worker died (killed or out of memory{detail}) while running this case; the "
        "other cases are not affected and the finished ones are kept — run this one "
        "again (with fewer --jobs if memory is short)"
    )


def _signal_detail(exitcode) -> str:
    import signal

    if exitcode is not None and exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


# ---------------------------------------------------------------------------- process pool


def _die_with_parent(parent_pid: int) -> None:
    """Make this process die when its parent dies (Linux: PR_SET_PDEATHSIG), so that a
    ``kill -9`` of ``gshp run`` leaves no worker behind."""
    import signal

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # not Linux: the closed pipe ends the worker
        pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


class _PipeProgress:
    """Progress of a case in a worker process, sent to the parent over its pipe."""

    def __init__(self, conn):
        self.conn = conn

    def put(self, msg):
        self.conn.send(("progress", *msg))


def _worker_main(conn, parent_pid):
    """A worker process: run the cases the parent sends (cloudpickled), one at a time,
    send back progress and each result; stop at an empty message or a closed pipe."""
    import pickle

    _die_with_parent(parent_pid)
    progress = _PipeProgress(conn)
    try:
        while True:
            try:
                data = conn.recv_bytes()
            except EOFError:
                return
            if not data:
                return
            index, case, simulate_fn, keep_implausible, finish = pickle.loads(data)
            _, res = _run_one(index, case, progress, simulate_fn, keep_implausible, finish)
            conn.send_bytes(_dumps(("result", index, res)))
    except (KeyboardInterrupt, BrokenPipeError, EOFError):
        return


def _dumps(obj) -> bytes:
    """Pickle ``obj`` for a worker: cloudpickle (a joblib dependency) also handles
    functions defined in ``__main__``, notebooks or closures."""
    try:
        import cloudpickle
    except ImportError:  # pragma: no cover - older joblib vendors it
        from joblib.externals import cloudpickle
    return cloudpickle.dumps(obj)


def _pool_iter(cases, jobs, simulate_fn, keep_implausible, finish, bars):
    """Cases on a pool of worker processes (spawned, one case at a time each).

    Each worker talks to this process over its own pipe (tasks, progress, results): no
    Manager process. A worker that dies (killed by a signal, out of memory) costs only
    the case it was running, reported with :func:`lost_message`; a fresh worker takes
    over the cases still queued. Workers die with this process (``PR_SET_PDEATHSIG``).
    """
    import pickle
    from collections import deque
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("spawn")
    n_workers = min(jobs if jobs > 0 else (os.cpu_count() or 1), len(cases))
    pending = deque(range(len(cases)))
    workers = {}  # connection -> [process, running index or None]

    def start():
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_worker_main, args=(child_conn, os.getpid()), daemon=True)
        proc.start()
        child_conn.close()
        workers[parent_conn] = [proc, None]

    def assign():
        for conn, slot in workers.items():
            if slot[1] is None and pending:
                i = pending.popleft()
                try:
                    conn.send_bytes(_dumps((i, cases[i], simulate_fn, keep_implausible, finish)))
                except OSError:  # it died while idle: the case waits for a fresh worker
                    pending.appendleft(i)
                    continue
                slot[1] = i

    try:
        for _ in range(n_workers):
            start()
        while pending or any(slot[1] is not None for slot in workers.values()):
            assign()
            sentinels = {slot[0].sentinel: conn for conn, slot in workers.items()}
            for ready in wait([*workers, *sentinels]):
                conn = sentinels.get(ready, ready)
                if conn not in workers:
                    continue  # already handled (pipe and sentinel ready together)
                try:  # progress and results, then end-of-file if the worker is gone
                    while conn.poll():
                        msg = pickle.loads(conn.recv_bytes())
                        if msg[0] == "progress":
                            bars.update(*msg[1:])
                        else:
                            workers[conn][1] = None
                            yield msg[1], msg[2]
                    continue
                except (EOFError, OSError):
                    pass
                # the worker died: only its case is lost, a fresh worker takes the queue
                proc, index = workers.pop(conn)
                proc.join(timeout=5)
                conn.close()
                if index is not None:
                    lost = lost_message(_signal_detail(proc.exitcode))
                    yield index, CaseResult(cases[index].name, error=lost, error_kind="failure")
                if pending:
                    start()
    finally:
        for conn in workers:
            try:
                conn.send_bytes(b"")
            except OSError:
                pass
        for conn, (proc, _) in workers.items():
            proc.join(timeout=2)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=2)
            conn.close()


# ---------------------------------------------------------------------------- Dask

DASK_SCHEMES = ("tcp", "tls", "ucx", "inproc", "ws", "wss")
"""Address schemes of a Dask distributed scheduler (``--scheduler``)."""


def check_scheduler(scheduler: str) -> None:
    """An InputError unless ``scheduler`` is ``local`` or ``SCHEME://host:port`` with a
    Dask scheme."""
    import re as _re

    allowed = (
        "'local' (a Dask LocalCluster on this machine) or a Dask scheduler address "
        "tcp://host:port (also " + ", ".join(f"{s}://" for s in DASK_SCHEMES[1:]) + ")"
    )
    if scheduler == "local":
        return
    m = _re.fullmatch(r"([a-z]+)://(\S+)", str(scheduler))
    if not m or m.group(1) not in DASK_SCHEMES:
        raise InputError.single("--scheduler", scheduler, allowed)
    if m.group(1) in ("tcp", "tls", "ws", "wss") and not _re.fullmatch(
        r"[^:/\s]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5}", m.group(2)
    ):
        raise InputError.single("--scheduler", scheduler, allowed + " with a port number")


def _dask_iter(cases, scheduler, simulate_fn, keep_implausible=False, jobs=1, finish=None):
    check_scheduler(scheduler)
    try:
        from dask.distributed import Client, LocalCluster, as_completed
        from distributed import KilledWorker
    except ImportError:  # pragma: no cover - depends on the installation
        raise InputError.single(
            "--scheduler", scheduler, "requires dask.distributed: pip install 'gshp[dask]'"
        ) from None
    if scheduler == "local":
        import dask

        # one single-threaded worker process per job (≤ 0: one per core), as the pool;
        # a case that kills its worker is not retried on the others
        n_workers = jobs if jobs > 0 else (os.cpu_count() or 1)
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            cluster = LocalCluster(
                n_workers=min(n_workers, len(cases)), threads_per_worker=1, processes=True,
                dashboard_address=None,
            )  # fmt: skip
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, ValueError) as exc:
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
            i = futures.pop(fut)
            try:
                res = fut.result()
            except KilledWorker:  # the worker process running it died (each time tried)
                res = i, CaseResult(cases[i].name, error=lost_message(), error_kind="failure")
            except Exception as exc:  # noqa: BLE001 - e.g. not picklable: this case only
                detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                res = i, CaseResult(cases[i].name, error=detail, error_kind="failure")
            fut.release()
            yield res
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def interactive(stream) -> bool:
    """Whether ``stream`` shows progress bars: a terminal, or a Jupyter notebook's output
    (which draws tqdm's bars; its ``isatty()`` is False). Anything else (a file, a pipe,
    CI, a batch system's log) gets plain lines."""
    try:
        if stream.isatty():
            return True
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False
    return type(stream).__module__.startswith("ipykernel")


def headline(res: CaseResult) -> str:
    """One line about a finished case's result: where it was written, the kernel's time,
    the energy balance closure, the mean SCOP and the borefield outlet range (those the
    Dataset has; ``""`` for none)."""
    ds = res.dataset
    attrs = getattr(ds, "attrs", None)
    if attrs is None:
        return ""
    parts = []
    try:
        if "result_path" in attrs:
            parts.append(str(attrs["result_path"]))
        if "kernel_wall_time_s" in attrs:
            parts.append(f"kernel {float(attrs['kernel_wall_time_s']):.2f} s")
        if "energy_balance_closure" in attrs:
            parts.append(f"energy balance closure {float(attrs['energy_balance_closure']):.1e}")
        if "scop_gshp" in ds:
            parts.append(f"SCOP {float(ds['scop_gshp'].mean()):.2f}")
        if "T_bhe_out_min" in ds and "T_bhe_out_max" in ds:
            lo, hi = float(ds["T_bhe_out_min"].min()), float(ds["T_bhe_out_max"].max())
            parts.append(f"BHE out {lo:.1f} to {hi:.1f} °C")
    except (TypeError, ValueError, KeyError):  # a replacement simulate_fn's own result
        pass
    return ", ".join(parts)


def _years(n) -> str:
    return f"{n} year" if n == 1 else f"{n} years"


class Progress:
    """Progress of :func:`run_cases` on standard error.

    On a terminal (or in a notebook): tqdm bars, an overall one (cases) and one per running
    case (years), each created when its case starts, so that a rate (years per second of
    wall time since the start) is shown only once a year has finished. Elsewhere (a log
    file, a pipe, CI): no bar and no escape codes; one line per finished case
    (``[k/n] name: ok in 12.3 s (20 years); headline``), and for a long case a
    line when :attr:`EVERY_YEARS` years or :attr:`EVERY_S` seconds have passed since its
    last line. Disabled (``enabled=False``): nothing.

    Case progress arrives as ``(index, years_done, n_years)``; ``years_done = 0`` says the
    case started.
    """

    EVERY_YEARS = 5
    """Plain lines: a line for a running case every this many simulated years …"""
    EVERY_S = 30.0
    """… or when this many seconds of wall time have passed since its last line."""

    _NO_RATE = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}]"
    """tqdm's layout before the first unit is done: no rate, no remaining time."""

    def __init__(self, cases, enabled, stream=None):
        self.enabled = enabled
        self.cases = cases
        self.stream = stream if stream is not None else sys.stderr
        self.bars = enabled and interactive(self.stream)
        self.per_case = {}
        self.overall = None
        self.n_done = 0
        self.started = {}  # plain lines: index -> (start time, last line time, last years)
        self._lock = threading.Lock()
        if self.bars:
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
                    file=self.stream,
                    bar_format=self._NO_RATE,
                )

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

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
                file=self.stream,
                bar_format=self._NO_RATE,
            )
            self.per_case[index] = bar
        return bar

    def update(self, index, done, total):
        if not self.enabled:
            return
        with self._lock:
            if self.bars:
                bar = self._bar(index, total)
                bar.n = done
                if done > 0:
                    bar.bar_format = None  # tqdm's own layout, rate included
                bar.refresh()
                return
            now = time.perf_counter()
            if index not in self.started or done == 0:
                self.started[index] = (now, now, 0)
                if done == 0:
                    return
            t0, t_last, last = self.started[index]
            if done >= total or (done - last < self.EVERY_YEARS and now - t_last < self.EVERY_S):
                return
            self.started[index] = (t0, now, done)
            self._line(
                f"{self.cases[index].name}: year {done} of {total} after {now - t0:.1f} s "
                f"({(now - t0) / done:.3g} s/year)"
            )

    def put(self, msg):
        """Progress from a case running in this process (same interface as a queue)."""
        self.update(*msg)

    def finished(self, index, res):
        if not self.enabled:
            return
        with self._lock:
            self.n_done += 1
            if self.bars:
                bar = self.per_case.pop(index, None)
                if bar is not None:
                    bar.close()
                if self.overall is not None:
                    self.overall.bar_format = None
                    self.overall.update(1)
                if not res.ok:
                    self._tqdm.write(f"{res.name}: FAILED — {res.error}", file=self.stream)
                return
            self.started.pop(index, None)
            self._line(self.plain_line(index, res))

    def plain_line(self, index, res) -> str:
        """The line of a finished case (plain mode)."""
        count = f"[{self.n_done}/{len(self.cases)}] " if len(self.cases) > 1 else ""
        wall = f" in {res.wall_s:.1f} s" if res.wall_s is not None else ""
        if not res.ok:
            first, *more = str(res.error).splitlines() or [""]
            return f"{count}{res.name}: FAILED{wall}: {first}{' …' if more else ''}"
        years = _years(self.cases[index].simulation.years)
        head = headline(res)
        return f"{count}{res.name}: ok{wall} ({years})" + (f"; {head}" if head else "")

    def close(self):
        if not self.bars:
            return
        for bar in self.per_case.values():
            bar.close()
        if self.overall is not None:
            self.overall.close()
