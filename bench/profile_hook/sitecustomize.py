"""Profile the dynamic-provider process and the program with yappi (every thread, CPU clock)
when ``W365_PROFILE_OUT`` names a directory; used by ``bench/profile.py`` only.

The engine ends the provider process without running exit handlers, so the statistics are
saved every half second (``provider-<pid>.pstat``, ``program-<pid>.pstat``) while the process
runs.
"""

import os
import sys
import threading

_OUT = os.environ.get("W365_PROFILE_OUT")
_ARGV = " ".join(getattr(sys, "orig_argv", []))
_ROLE = "provider" if "pulumi.dynamic" in _ARGV else "program" if "pulumi-language-python-exec" in _ARGV else None
if _OUT and _ROLE:
    import yappi

    yappi.set_clock_type("cpu")
    yappi.start(builtins=False, profile_threads=True)
    _path = os.path.join(_OUT, f"{_ROLE}-{os.getpid()}.pstat")

    def _save_forever() -> None:
        import time

        while True:
            time.sleep(0.5)
            yappi.get_func_stats().save(_path + ".tmp", type="pstat")
            os.replace(_path + ".tmp", _path)

    threading.Thread(target=_save_forever, name="w365-profile", daemon=True).start()
