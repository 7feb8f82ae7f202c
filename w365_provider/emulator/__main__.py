"""Command line: ``python -m w365_provider.emulator --host 127.0.0.1 --port 0 --db PATH``.

Prints exactly one line ``listening on http://HOST:PORT`` on stdout once it accepts requests.
SIGTERM / Ctrl-C shut it down gracefully.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
import sys

import uvicorn

from .app import create_app
from .config import DEFAULT_HOST, DEFAULT_IMAGE_READY_SECONDS, DEFAULT_PORT, DEFAULT_TOKEN, EmulatorConfig, default_db_path


class _QuietDrops(logging.Filter):
    """Hide the server's note about responses a drop fault cut on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


def _exit_cleanly(signum: int, frame: object) -> None:
    """uvicorn re-raises SIGTERM after its graceful shutdown; end with status 0 instead."""
    raise SystemExit(0)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m w365_provider.emulator", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST, help="interface to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port; 0 picks a free one (default %(default)s)")
    parser.add_argument(
        "--db",
        default=None,
        help=f"SQLite database file, or :memory: for a throwaway instance (default {default_db_path()})",
    )
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="accepted bearer token (default %(default)s)")
    parser.add_argument("--read-only-token", default=None, help="a bearer token that may read but not write")
    parser.add_argument(
        "--image-ready-seconds",
        type=float,
        default=DEFAULT_IMAGE_READY_SECONDS,
        help="seconds a new device image stays pending (default %(default)s)",
    )
    parser.add_argument(
        "--health-check-seconds", type=float, default=None,
        help="seconds an Azure network connection's health checks run (default: --image-ready-seconds)",
    )
    parser.add_argument(
        "--app-only", action="store_true",
        help="the token is an app-only sign-in: Azure network connections can't be created or updated",
    )
    parser.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    return parser.parse_args(argv)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = EmulatorConfig(
        token=args.token, read_only_token=args.read_only_token, image_ready_seconds=args.image_ready_seconds,
        app_only=args.app_only, health_check_seconds=args.health_check_seconds,
    )
    db = args.db or str(default_db_path())
    app = create_app(config, db)
    sock = _bind(args.host, args.port)
    port = sock.getsockname()[1]
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level, access_log=False, lifespan="on"))
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())

    async def serve() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started:
            print(f"listening on http://{shown_host}:{port}", flush=True)
        await task

    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        asyncio.run(serve())
    except SystemExit as done:
        return int(done.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
