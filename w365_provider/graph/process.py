"""The dynamic provider's process: it ends with the engine, and our errors read as one paragraph.

How the engine runs a Python dynamic provider (Pulumi 3.27x): it starts the bundled launcher
``pulumi-resource-pulumi-python``, a ``/bin/sh`` script that runs ``python -u -m pulumi.dynamic``
as its child (no ``exec``), with a pipe from the engine on stdin and in its own process group.
When the engine is killed (``kill -9``, a cancelled CI job) nothing stops the provider: the shell
is re-parented and keeps waiting, and the Python process keeps its gRPC port open for ever.

``supervise()`` (called by ``GraphProvider.configure``, once per process, in the provider
process only) starts one daemon thread that ends the process as soon as the engine is gone:

- when stdin is a pipe, it blocks reading it: the engine holds the only write end, so
  end-of-file means the engine has exited (no polling, no cost while it waits);
- otherwise it checks once a second whether the process or its launcher was re-parented;
- on Linux, ``PR_SET_PDEATHSIG`` also ends it when the launcher itself dies.

The work in flight is dropped with it: nobody is left to record its result, and the next
``pulumi refresh`` (``scripts/recover``) settles what reached Graph.

It also makes the normal end quick. At the end of every command the engine interrupts the
provider and waits for it to exit, and the interpreter's last garbage collections walk every
object of msgraph-sdk, kiota, httpx and azure-core: about 0.1 s on each command. ``supervise()``
has them skipped (``gc.freeze()`` at exit): the process holds nothing that needs them (Graph
clients are not closed at exit, their sockets end with the process), and Python does not
promise finalizers at exit anyway.

``short_errors()`` makes the provider report this package's errors (``W365Error``) as their
message alone: the dynamic-provider server of the pulumi SDK sends the engine the whole Python
traceback of any exception, which buries a configuration or Graph error in frames.
"""

from __future__ import annotations

import atexit
import gc
import os
import signal
import stat
import sys
import threading
import time
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["engine_gone", "in_provider_process", "short_errors", "supervise"]

LAUNCHER = "pulumi-resource-pulumi-python"
"""The engine's launcher script for Python dynamic providers (the provider's parent)."""

POLL_SECONDS = 1.0
"""How often the re-parenting check runs when stdin is not the engine's pipe."""

_started = False
_lock = threading.Lock()


def in_provider_process() -> bool:
    """True in the dynamic-provider server (``python -m pulumi.dynamic``), not in a program."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return getattr(spec, "name", None) == "pulumi.dynamic.__main__"


def supervise(*, force: bool = False, exit_: Callable[[int], Any] = os._exit) -> bool:
    """Start the watch on the engine (once per process). Returns True if it was started now.

    Outside the provider process it does nothing unless ``force`` (tests).
    """
    global _started
    with _lock:
        if _started or not (force or in_provider_process()):
            return False
        _started = True
    _set_parent_death_signal()
    atexit.register(gc.freeze)  # runs after the handlers registered later: the last thing before exit
    parent = os.getppid()
    grandparent = _ppid_of(parent) if _is_launcher(parent) else None
    if _stdin_is_pipe():
        threading.Thread(target=_wait_for_eof, args=(exit_,), name="w365-engine-pipe", daemon=True).start()
    threading.Thread(
        target=_poll_parents, args=(parent, grandparent, exit_), name="w365-engine-watch", daemon=True
    ).start()
    return True


def engine_gone(parent: int, grandparent: int | None, *, getppid: Callable[[], int] = os.getppid,
                ppid_of: Callable[[int], int | None] | None = None) -> bool:
    """True when this process (or its launcher) no longer has the parent it started with."""
    if getppid() != parent:
        return True
    if grandparent is None:
        return False
    now = (ppid_of or _ppid_of)(parent)
    return now is not None and now != grandparent


def _wait_for_eof(exit_: Callable[[int], Any]) -> None:
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    exit_(0)


def _poll_parents(parent: int, grandparent: int | None, exit_: Callable[[int], Any]) -> None:
    while not engine_gone(parent, grandparent):
        time.sleep(POLL_SECONDS)
    exit_(0)


def _stdin_is_pipe() -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(0).st_mode)
    except OSError:
        return False


def _ppid_of(pid: int) -> int | None:
    """The parent of ``pid`` from ``/proc`` (Linux); ``None`` when it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # pid (comm) state ppid ...; comm may hold spaces and parentheses
    fields = data[data.rfind(b")") + 2:].split()
    return int(fields[1]) if len(fields) > 1 else None


def _is_launcher(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return LAUNCHER.encode() in f.read()
    except OSError:
        return False


def _set_parent_death_signal() -> None:
    """Linux: SIGTERM this process when its parent (the launcher) dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):  # no libc prctl: the other watches remain
        pass


# -- errors ------------------------------------------------------------------------------------


class _ShortTraceback:
    """Stands in for the ``traceback`` module in the SDK's provider server: ``format_exc`` gives
    a ``W365Error`` as its message (and notes) only, anything else as the full traceback."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        from w365_provider.errors import W365Error

        exc = sys.exc_info()[1]
        if isinstance(exc, W365Error):
            return describe(exc)
        return str(self._real.format_exc(limit, chain))


def describe(exc: BaseException) -> str:
    """``exc`` as one paragraph: its message, then its notes."""
    notes = " ".join(str(n) for n in getattr(exc, "__notes__", ()) or ())
    return f"{exc} {notes}".strip()


def short_errors(module: ModuleType | None = None) -> bool:
    """Make the provider server report ``W365Error`` without a traceback (once per process).

    ``module`` is the server module (default: ``__main__`` in the provider process). Returns
    True when it was changed now.
    """
    if module is None:
        if not in_provider_process():
            return False
        module = sys.modules["__main__"]
    current = getattr(module, "traceback", None)
    if current is None or isinstance(current, _ShortTraceback):
        return False
    module.traceback = _ShortTraceback(traceback)  # type: ignore[attr-defined]
    return True
