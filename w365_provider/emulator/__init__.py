"""A local Microsoft Graph emulator for the Windows 365 (Cloud PC) endpoints.

Start it with ``python -m w365_provider.emulator --port 0 --db :memory:`` or from Python with
:class:`EmulatorProcess`. Callers authenticate with ``Authorization: Bearer <token>``; the
default token for local use is :data:`DEFAULT_TOKEN`. See ``FIDELITY.md`` for what it emulates.
"""

from .config import DEFAULT_IMAGE_READY_SECONDS, DEFAULT_PORT, DEFAULT_TOKEN, default_db_path
from .launcher import EmulatorProcess, ensure_running

__all__ = [
    "DEFAULT_IMAGE_READY_SECONDS",
    "DEFAULT_PORT",
    "DEFAULT_TOKEN",
    "EmulatorProcess",
    "default_db_path",
    "ensure_running",
]
