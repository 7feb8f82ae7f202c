"""Peak memory of the processes a `pulumi` command starts, read from /proc.

While a command runs, a thread walks the process tree below the CLI's pid every
``interval`` seconds and, for each descendant, reads ``VmHWM`` from ``/proc/PID/status``.
``VmHWM`` is the kernel's own high-water mark of the resident set, so sampling only has to
see a process once near its end to know its true peak; what can be missed is growth in the
last ``interval`` before the engine kills it (the engine kills plugins right after the last
call, so that tail is idle). Only descendants of our own CLI process are read: other
people's `pulumi.dynamic` processes on this machine are never mixed in.

Processes are classified by their command line:

- ``provider``: ``python -m pulumi.dynamic`` (the dynamic-provider gRPC server)
- ``program``: the Python process running the Pulumi program (``pulumi-language-python-exec``)
- ``cli``: the ``pulumi`` CLI itself (the engine, which runs in the CLI process)
- ``other``: the language host, the shell wrapper, ...

It also records each process's CPU time (utime + stime from ``/proc/PID/stat``), as last
sampled, to show which process a command's time goes to.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class ProcInfo:
    pid: int
    kind: str
    cmdline: str
    hwm_kb: int = 0
    start_ticks: int = 0
    cpu_ticks: int = 0


@dataclass
class ProcWatch:
    """Context manager: ``with ProcWatch(pid) as w: ...`` then ``w.peak_mb("provider")``."""

    root_pid: int
    interval: float = 0.05
    procs: dict[int, ProcInfo] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> ProcWatch:
        self._thread = threading.Thread(target=self._loop, name="procwatch", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            ppid = _ppid(int(name))
            if ppid is not None:
                children.setdefault(ppid, []).append(int(name))
        stack = [self.root_pid]
        while stack:
            pid = stack.pop()
            stack.extend(children.get(pid, []))
            info = self.procs.get(pid)
            if info is None:
                cmd = _cmdline(pid)
                if cmd is None:
                    continue
                kind = "cli" if pid == self.root_pid else _kind(cmd)
                info = self.procs[pid] = ProcInfo(pid, kind, cmd, start_ticks=_start_ticks(pid))
            hwm = _hwm_kb(pid)
            if hwm is not None and hwm > info.hwm_kb:
                info.hwm_kb = hwm
            cpu = cpu_ticks(pid)
            if cpu is not None and cpu > info.cpu_ticks:
                info.cpu_ticks = cpu

    def peak_mb(self, kind: str) -> float | None:
        peaks = [p.hwm_kb for p in self.procs.values() if p.kind == kind]
        return max(peaks) / 1024 if peaks else None

    def count(self, kind: str) -> int:
        return sum(1 for p in self.procs.values() if p.kind == kind)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) by kind, as last sampled."""
        out: dict[str, float] = {}
        for p in self.procs.values():
            out[p.kind] = out.get(p.kind, 0.0) + p.cpu_ticks / CLK_TCK
        return out


def _kind(cmd: str) -> str:
    if "-m pulumi.dynamic" in cmd:
        return "provider"
    if "pulumi-language-python-exec" in cmd:
        return "program"
    return "other"


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode(errors="replace")
    except OSError:
        return None


def _stat_fields(pid: int) -> list[str] | None:
    text = _read(f"/proc/{pid}/stat")
    if not text:
        return None
    # the command name is in parentheses and may contain spaces
    return text[text.rfind(")") + 2 :].split()


def _ppid(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def cpu_ticks(pid: int) -> int | None:
    """utime + stime of ``pid`` in clock ticks (None when it is gone)."""
    fields = _stat_fields(pid)
    return int(fields[11]) + int(fields[12]) if fields else None


def _start_ticks(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else 0


def _cmdline(pid: int) -> str | None:
    text = _read(f"/proc/{pid}/cmdline")
    if text is None:
        return None
    return text.replace("\0", " ").strip()


def _hwm_kb(pid: int) -> int | None:
    text = _read(f"/proc/{pid}/status")
    if not text:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def boot_time() -> float:
    """Seconds since the epoch at boot (to turn /proc start ticks into wall time)."""
    for line in (_read("/proc/stat") or "").splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    return time.time() - float((_read("/proc/uptime") or "0").split()[0])
