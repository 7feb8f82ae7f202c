"""Emulator defaults shared by the CLI, the app and the launcher."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Bearer token accepted by a locally started emulator unless ``--token`` says otherwise.
DEFAULT_TOKEN = "w365-emulator-token"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Seconds a new device image stays ``pending`` (and a new connection's health check runs).
DEFAULT_IMAGE_READY_SECONDS = 3.0
#: Page size of collections when the caller sends no ``$top``.
DEFAULT_PAGE_SIZE = 100
#: How many Graph requests the request log keeps (oldest dropped first).
REQUEST_LOG_SIZE = 20_000
#: Largest request body accepted (Graph's 4 MB request limit); larger ones are answered 413.
MAX_BODY_BYTES = 4 * 1024 * 1024
#: Deepest JSON nesting accepted in a request body; deeper ones are answered 400.
MAX_JSON_DEPTH = 100


def default_db_path() -> Path:
    """``${XDG_DATA_HOME:-~/.local/share}/w365-emulator/graph.db`` (outside the repository)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "w365-emulator" / "graph.db"


@dataclass(frozen=True)
class EmulatorConfig:
    """Settings of one emulator instance."""

    token: str = DEFAULT_TOKEN
    read_only_token: str | None = None
    image_ready_seconds: float = DEFAULT_IMAGE_READY_SECONDS
    page_size: int = DEFAULT_PAGE_SIZE
    app_only: bool = False
    """The token stands for an app-only sign-in (a service principal): Graph refuses to create or
    update Azure network connections for it."""
    health_check_seconds: float | None = None
    """Seconds an Azure network connection's health checks run (default: ``image_ready_seconds``)."""
