"""The provider process ends with the engine that started it; our errors are one paragraph.

The engine is simulated here by a plain Python process that starts a launcher shell script
named like the real one (``pulumi-resource-pulumi-python``), which runs a Python child without
``exec``, exactly as the engine runs a dynamic provider; the e2e suite repeats it with the real
engine (tests/e2e/test_reliability_engine.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import pytest

from w365_provider.errors import ConfigurationError
from w365_provider.graph import process

CHILD = textwrap.dedent(
    """
    import sys, time
    from w365_provider.graph import process
    process.supervise(force=True)
    print("ready", flush=True)
    time.sleep(120)
    """
)

ENGINE = textwrap.dedent(
    """
    import subprocess, sys, time
    stdin = subprocess.PIPE if sys.argv[2] == "pipe" else subprocess.DEVNULL
    child = subprocess.Popen(["/bin/sh", sys.argv[1]], stdin=stdin, stdout=sys.stdout, start_new_session=True)
    print(child.pid, flush=True)
    time.sleep(120)
    """
)


def pids_below(root: int) -> list[int]:
    """Every live process whose ancestry includes ``root`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            ppid = process._ppid_of(int(entry.name))
            if ppid is not None:
                parents[int(entry.name)] = ppid
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == pid]
        found += kids
        frontier += kids
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("stdin", ["pipe", "devnull"])
def test_provider_exits_within_seconds_after_the_engine_is_killed(tmp_path: Path, stdin: str) -> None:
    launcher = tmp_path / process.LAUNCHER
    child = tmp_path / "child.py"
    child.write_text(CHILD)
    launcher.write_text(f'#!/bin/sh\n"{sys.executable}" -u "{child}" "$@"\n')  # no exec, like the real one
    engine = subprocess.Popen(
        [sys.executable, "-c", ENGINE, str(launcher), stdin], stdout=subprocess.PIPE, text=True
    )
    try:
        assert engine.stdout is not None
        shell = int(engine.stdout.readline())
        assert engine.stdout.readline().strip() == "ready"
        [provider] = [pid for pid in pids_below(shell)]
        engine.send_signal(signal.SIGKILL)
        engine.wait(timeout=10)
        started = time.monotonic()
        while alive(provider) and time.monotonic() - started < 10:
            time.sleep(0.05)
        took = time.monotonic() - started
        assert not alive(provider), f"the provider outlived its engine by {took:.1f}s"
        print(f"provider exited {took:.2f}s after the engine was killed (stdin {stdin})")
        assert took < 5
    finally:
        engine.kill()
        for pid in pids_below(engine.pid):
            os.kill(pid, signal.SIGKILL)


def test_engine_gone_sees_a_new_parent_of_the_process_or_its_launcher() -> None:
    assert not process.engine_gone(10, 5, getppid=lambda: 10, ppid_of=lambda pid: 5)
    assert process.engine_gone(10, 5, getppid=lambda: 1, ppid_of=lambda pid: 5)
    assert process.engine_gone(10, 5, getppid=lambda: 10, ppid_of=lambda pid: 1)
    assert not process.engine_gone(10, None, getppid=lambda: 10, ppid_of=lambda pid: 1)
    assert not process.engine_gone(10, 5, getppid=lambda: 10, ppid_of=lambda pid: None)


def test_supervision_starts_only_in_the_provider_process() -> None:
    assert not process.in_provider_process()
    assert process.supervise() is False  # pytest is not `python -m pulumi.dynamic`


def test_supervision_returns_at_once_and_watches_in_the_background(tmp_path: Path) -> None:
    """``supervise()`` returns while the engine's pipe is still open (the watch waits on it in a
    daemon thread, not in the caller), and the process then ends when the pipe closes."""
    script = "import time; from w365_provider.graph import process; t=time.perf_counter(); " \
             "process.supervise(force=True); print(time.perf_counter()-t, flush=True); time.sleep(60)"  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    line = proc.stdout.readline()  # stdin stays open meanwhile: the pipe watch waits on it
    assert proc.poll() is None  # still running: it returned without the pipe closing
    print(f"supervise() took {float(line) * 1000:.2f} ms")
    proc.stdin.close()  # the engine is gone: the watch ends the process, long before its sleep
    assert proc.wait(timeout=30) == 0


def test_provider_process_ends_without_the_final_collections() -> None:
    """At exit every object is frozen, so the interpreter's last collections (about 0.1 s with
    msgraph-sdk loaded, while the engine waits) skip them; handlers registered before run after."""
    script = textwrap.dedent(
        """
        import atexit, gc
        atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0, flush=True))
        from w365_provider.graph import process
        print("frozen before:", gc.get_freeze_count() > 0, flush=True)
        process.supervise(force=True)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=30)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["frozen before: False", "frozen at exit: True"]


def test_our_errors_reach_the_engine_as_one_paragraph() -> None:
    import traceback

    server = types.SimpleNamespace(traceback=traceback)
    assert process.short_errors(server) is True
    assert process.short_errors(server) is False  # once
    try:
        err = ConfigurationError("w365:graphURL (did you mean w365:graphUrl?) is not a w365 setting")
        err.add_note("Nothing was sent to Graph.")
        raise err
    except ConfigurationError:
        text = server.traceback.format_exc()
    assert text == "w365:graphURL (did you mean w365:graphUrl?) is not a w365 setting Nothing was sent to Graph."
    try:
        {}["bug"]
    except KeyError:
        text = server.traceback.format_exc()
    assert text.startswith("Traceback (most recent call last)") and "KeyError: 'bug'" in text
    assert server.traceback.format_exception is traceback.format_exception  # the rest is the real module
