"""Start, stop and drive an emulator process (for tests, benchmarks and the run script).

Usage::

    with EmulatorProcess(image_ready_seconds=0.2) as emu:
        status, body = emu.graph("GET", "/deviceManagement/virtualEndpoint/galleryImages")
        emu.set_faults([{"method": "POST", "path": "provisioningPolicies$", "status": 429, "times": 2}])

Control calls use plain ``urllib``; this is tooling, not the provider.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from typing import Any

from .config import DEFAULT_TOKEN

_LISTENING = re.compile(r"^listening on (http://\S+)\s*$")


def _call(
    method: str, url: str, token: str | None, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, Any, dict[str, str]]:
    """One HTTP call; returns (status, parsed JSON body or None, response headers)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, got = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as err:
        status, raw, got = err.code, err.read(), dict(err.headers)
    parsed = None
    if raw:
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
    return status, parsed, got


def ensure_running(url: str, token: str) -> bool:
    """True when ``GET {url}/_emulator/health`` answers 200."""
    try:
        status, _, _ = _call("GET", url.rstrip("/") + "/_emulator/health", token, timeout=2)
    except (OSError, urllib.error.URLError):
        return False
    return status == 200


class EmulatorProcess:
    """An emulator running as ``sys.executable -m w365_provider.emulator``."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | os.PathLike[str] = ":memory:",
        token: str = DEFAULT_TOKEN,
        read_only_token: str | None = None,
        image_ready_seconds: float | None = None,
        extra_args: tuple[str, ...] | list[str] = (),
    ) -> None:
        self.host = host
        self.port = port
        self.db = str(db)
        self.token = token
        self.read_only_token = read_only_token
        self.image_ready_seconds = image_ready_seconds
        self.extra_args = tuple(extra_args)
        self.url = ""
        self.process: subprocess.Popen[str] | None = None
        self._stderr: Any = None
        self._reader: threading.Thread | None = None

    @property
    def graph_url(self) -> str:
        return self.url + "/v1.0"

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "w365_provider.emulator", "--host", self.host, "--port", str(self.port),
               "--db", self.db, "--token", self.token]
        if self.read_only_token is not None:
            cmd += ["--read-only-token", self.read_only_token]
        if self.image_ready_seconds is not None:
            cmd += ["--image-ready-seconds", str(self.image_ready_seconds)]
        return cmd + list(self.extra_args)

    def start(self, timeout: float = 30) -> EmulatorProcess:
        """Start the process and wait for its ``listening on`` line."""
        if self.process is not None and self.process.poll() is None:
            return self
        self.url = ""
        self._stderr = tempfile.TemporaryFile(mode="w+")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.PIPE, stderr=self._stderr, text=True, env=env
        )
        found = threading.Event()
        stdout = self.process.stdout
        assert stdout is not None

        def read() -> None:  # keep draining stdout so the child never blocks on it
            for line in stdout:
                match = _LISTENING.match(line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()
            found.set()

        self._reader = threading.Thread(target=read, name="emulator-stdout", daemon=True)
        self._reader.start()
        if not found.wait(timeout) or not self.url:
            self.stop(kill=True)
            raise RuntimeError(f"emulator did not start within {timeout}s: {self.stderr()}")
        return self

    def stderr(self) -> str:
        """What the process wrote to stderr so far."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        text: str = self._stderr.read()
        return text

    def stop(self, kill: bool = False) -> None:
        """SIGTERM (or SIGKILL with ``kill=True``) and wait for the process to exit."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self._reader is not None:
            self._reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self.process = None

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- control API
    def _control(self, method: str, path: str, body: Any = None) -> Any:
        status, parsed, _ = _call(method, self.url + path, self.token, body)
        if status >= 400:
            raise RuntimeError(f"{method} {path} failed with {status}: {parsed}")
        return parsed

    def requests(self) -> list[dict[str, Any]]:
        """The logged Graph requests, oldest first."""
        result: list[dict[str, Any]] = self._control("GET", "/_emulator/requests")["requests"]
        return result

    def clear_requests(self) -> None:
        self._control("DELETE", "/_emulator/requests")

    def set_faults(self, rules: list[dict[str, Any]]) -> None:
        """Replace the fault rules (see ``FIDELITY.md`` for the fields)."""
        self._control("POST", "/_emulator/faults", {"rules": rules})

    def clear_faults(self) -> None:
        self._control("DELETE", "/_emulator/faults")

    def fail_health_checks(self, fail: dict[str, dict[str, Any]]) -> None:
        """Make these Azure network connection health checks fail (name -> errorType, recommendedAction ...)."""
        self._control("POST", "/_emulator/healthChecks", {"fail": fail})

    def clear_health_faults(self) -> None:
        self._control("DELETE", "/_emulator/healthChecks")

    def reset(self) -> None:
        """Empty the state (keeping the seeded catalogue) and clear the fault rules."""
        self._control("POST", "/_emulator/reset")

    def people(self) -> dict[str, Any]:
        """The people document: users, group members, licences bought, timings (see ``people.py``)."""
        result: dict[str, Any] = self._control("GET", "/_emulator/people")
        return result

    def set_people(self, document: dict[str, Any], *, patch: bool = False) -> dict[str, Any]:
        """Replace the people document (``patch=True``: change the parts given); returns the new one."""
        result: dict[str, Any] = self._control("PATCH" if patch else "PUT", "/_emulator/people", document)
        return result

    def seed_people(self, users: int | None = None, groups: int = 20, seed: int = 365) -> dict[str, Any]:
        """A generated tenant of ``users`` people in ``groups`` nested groups; no ``users``: the seeded one."""
        body = {} if users is None else {"users": users, "groups": groups, "seed": seed}
        result: dict[str, Any] = self._control("POST", "/_emulator/people/seed", body)
        return result

    def fresh(self) -> "EmulatorProcess":
        """Reset the state, clear the fault rules and the request log; returns self (for fixtures)."""
        self.reset()
        self.clear_faults()
        self.clear_requests()
        return self

    def graph(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        version: str = "v1.0",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any] | None]:
        """A raw Graph call with the token; ``path`` like ``/groups`` or an absolute URL (a nextLink)."""
        url = path if path.startswith(("http://", "https://")) else f"{self.url}/{version}/{path.lstrip('/')}"
        url = url.replace(" ", "%20")
        status, parsed, _ = _call(method, url, self.token, body, headers)
        return status, parsed


__all__ = ["EmulatorProcess", "ensure_running"]
