"""Progress output of ``gshp run`` and ``gshp sweep`` (issue 27): plain lines without escape
codes when standard error is not a terminal (log files, pipes, CI), tqdm bars on a
terminal, and no rate before a year has finished."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
FAST = ("--years", "1", "--resolution", "monthly")
RATE = re.compile(r"([\d.]+)\s*(year|case)/s|([\d.]+)\s*s/(year|case)")
"""tqdm's rate: "12.3year/s", or "1.80s/year" below one a second."""


def _rates(text: str) -> list[float]:
    """Every rate shown, in units per second."""
    return [float(a) if a else 1 / float(b) for a, _, b, _ in RATE.findall(text)]


def _env():
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _cases(folder, names):
    """Small cases (Strasbourg, 1 year) named ``names``."""
    text = (ROOT / "cases" / "strasbourg.toml").read_text(encoding="utf-8")
    text = "\n".join(ln for ln in text.splitlines() if not ln.startswith("name ="))
    paths = []
    for name in names:
        p = Path(folder) / f"{name}.toml"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def _plain(text: str) -> None:
    """No escape code, no carriage return, no rate of thousands of years a second."""
    assert "\x1b" not in text, text
    assert "\r" not in text, text
    assert all(rate < 1000 for rate in _rates(text)), text


def test_run_into_a_log_file_writes_one_plain_line_per_case(tmp_path):
    """`gshp run cases > log 2>&1`: one line per finished case, its status, wall time and
    headline (result file, SCOP); no bar, no escape code, no absurd rate."""
    cases = _cases(tmp_path, ["a", "b"])
    log = tmp_path / "log.txt"
    with open(log, "w", encoding="utf-8") as fh:
        r = subprocess.run(
            [sys.executable, "-m", "gshp.cli", "run", *map(str, cases), *FAST, "-j", "1",
             "-o", str(tmp_path / "out")],
            stdout=fh, stderr=subprocess.STDOUT, env=_env(), timeout=600,
        )  # fmt: skip
    text = log.read_text(encoding="utf-8")
    assert r.returncode == 0, text
    _plain(text)
    for k, name in enumerate(["a", "b"], 1):
        lines = [ln for ln in text.splitlines() if re.match(rf"\[\d/2\] {name}: ", ln)]
        assert len(lines) == 1, text
        assert re.fullmatch(
            rf"\[{k}/2\] {name}: ok in [\d.]+ s \(1 year\); \S*{name}\.nc, kernel [\d.]+ s, "
            r"energy balance closure \S+, SCOP [\d.]+, BHE out \S+ to \S+ °C",
            lines[0],
        ), lines[0]
    assert "2 of 2 case(s) done" in text


def test_run_quiet_into_a_pipe_has_no_progress_lines(tmp_path):
    (case,) = _cases(tmp_path, ["a"])
    r = subprocess.run(
        [sys.executable, "-m", "gshp.cli", "run", str(case), *FAST, "-q",
         "-o", str(tmp_path / "out")],
        capture_output=True, text=True, env=_env(), timeout=600,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    _plain(r.stdout + r.stderr)
    assert " ok in " not in r.stdout + r.stderr
    assert r.stderr == ""


def test_sweep_into_a_pipe_writes_one_plain_line_per_case(tmp_path):
    base = _cases(tmp_path, ["base"])[0]
    sweep = tmp_path / "s.toml"
    sweep.write_text(
        f'name = "s"\nbase = "{base.name}"\noutput = "s.nc"\n[grid]\n"borefield.n_x" = [4, 6]\n',
        encoding="utf-8",
    )
    r = subprocess.run(
        [sys.executable, "-m", "gshp.cli", "sweep", str(sweep), *FAST, "--jobs", "1"],
        capture_output=True, text=True, env=_env(), timeout=600,
    )  # fmt: skip
    text = r.stdout + r.stderr
    assert r.returncode == 0, text
    _plain(text)
    done = [ln for ln in r.stderr.splitlines() if re.match(r"\[\d/2\] \S+: ok in ", ln)]
    assert len(done) == 2, r.stderr
    assert all("SCOP" in ln for ln in done), r.stderr


def test_terminal_bar_shows_no_rate_before_a_year(tmp_path):
    """On a terminal the bars stay (escape codes and all), but a rate appears only once a
    year has finished, timed from the case's start: not '22919.69year/s'."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    (case,) = _cases(tmp_path, ["a"])
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "gshp.cli", "run", str(case), *FAST, "-o", str(tmp_path / "o")],
        stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, env=_env(),
    )  # fmt: skip
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.communicate(timeout=600)
    os.close(master)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 0
    frames = [f for f in re.split(r"[\r\n]", text) if "a:" in f and "|" in f]
    assert any(" 0/1 " in f for f in frames), text  # the bar is there from the start
    assert any(" 1/1 " in f for f in frames), text
    for f in frames:
        if " 0/1 " in f:
            assert "/s" not in f and "?" not in f, f  # no rate (not even '?') yet
    rates = _rates(text)
    assert rates and max(rates) < 1000, text


def _fake(name, years):
    return SimpleNamespace(name=name, simulation=SimpleNamespace(years=years))


def test_plain_lines_for_a_long_case_every_few_years():
    """A 20-year case in a log: a line at years 5, 10 and 15 (with the time per year so far,
    never before a year is done), then its finished line; a failed case: one line."""
    from gshp.studies.runner import CaseResult, Progress

    out = io.StringIO()
    prog = Progress([_fake("long", 20), _fake("bad", 1)], True, stream=out)
    assert not prog.bars
    prog.update(0, 0, 20)
    for year in range(1, 21):
        prog.update(0, year, 20)
    prog.finished(0, CaseResult("long", wall_s=12.5))
    prog.update(1, 0, 1)
    prog.finished(1, CaseResult("bad", error="boom\nmore detail", error_kind="failure",
                                wall_s=0.5))  # fmt: skip
    lines = out.getvalue().splitlines()
    assert [ln.split(" after ")[0] for ln in lines[:3]] == [
        "long: year 5 of 20", "long: year 10 of 20", "long: year 15 of 20",
    ]  # fmt: skip
    assert all(ln.endswith(" s/year)") for ln in lines[:3])
    assert lines[3] == "[1/2] long: ok in 12.5 s (20 years)"
    assert lines[4] == "[2/2] bad: FAILED in 0.5 s: boom …"
    assert len(lines) == 5
    # when years are slow, a line at each year once EVERY_S has passed
    out = io.StringIO()
    prog = Progress([_fake("slow", 3)], True, stream=out)
    prog.EVERY_S = 0.0
    prog.update(0, 0, 3)
    prog.update(0, 1, 3)
    prog.update(0, 2, 3)
    prog.update(0, 3, 3)  # the last year: the finished line says it
    assert [ln.split(" after ")[0] for ln in out.getvalue().splitlines()] == [
        "slow: year 1 of 3", "slow: year 2 of 3",
    ]  # fmt: skip


def test_disabled_progress_prints_nothing():
    from gshp.studies.runner import CaseResult, Progress

    out = io.StringIO()
    prog = Progress([_fake("a", 1)], False, stream=out)
    prog.update(0, 0, 1)
    prog.update(0, 1, 1)
    prog.finished(0, CaseResult("a", wall_s=1.0))
    prog.close()
    assert out.getvalue() == ""
