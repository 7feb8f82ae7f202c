"""The device image's own Graph steps, on top of the kit's generic provider: waiting for the
upload.

Graph calls (each retried per ``graph/retry.py``):

- create: POST (never re-sent blindly: after an ambiguous failure the image is looked up by its
  display name, version and source first, see ``kit/ownership.py``), then GET until the upload leaves ``pending``: every
  second at first, less often later (at most every 30 s). Progress goes to stderr, which the
  engine shows. On ``failed`` the image is deleted again and ``ImageFailedError`` says why
  (Graph's ``errorCode``, explained); so it is when the upload is still pending after
  ``w365:deviceImageTimeoutMinutes`` (default 180). Nothing is left behind either way.
- read (refresh): GET; a 404 confirmed by a second GET means the image is gone.
- delete: DELETE; 404 counts as done, a 500 is sent again.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import ConfigureRequest

from w365_provider.errors import GraphNotFoundError, ImageFailedError
from w365_provider.graph.client import GraphRuntime
from w365_provider.kit import drift, mapping, steps
from w365_provider.kit.provider import SpecProvider

from .rules import DEFAULT_TIMEOUT_MINUTES, explain, timeout_seconds
from .spec import FAILED, PENDING, READY, SPEC

__all__ = ["DeviceImageProvider", "image_from_graph", "image_to_graph"]

LEGACY_MODULE = "w365_provider.device_image"
"""Where existing stacks' state names the provider class (it is pickled by reference)."""

POLL_FIRST, POLL_MAX, POLL_GROWTH = 1.0, 30.0, 0.1
"""Seconds between status reads: 1 s at first, then a tenth of the time waited so far, at most 30 s."""
REPORT_EVERY = 30.0
"""Seconds between progress lines while the status stays the same."""


def image_to_graph(props: Mapping[str, Any]) -> dict[str, Any]:
    """The create body for the inputs in ``props``."""
    return {SPEC.graph_names[name]: props[name] for name in SPEC.sent_on_create if name in props}


def image_from_graph(body: Mapping[str, Any]) -> dict[str, Any]:
    """Pulumi properties from a device image's Graph JSON (every output, ``None`` when absent)."""
    return drift.outputs(SPEC, mapping.normalize(SPEC, mapping.from_graph(SPEC, body)), {})


class DeviceImageProvider(SpecProvider):
    """Dynamic provider for ``DeviceImage`` (pickled empty; see ``GraphProvider``)."""

    spec = SPEC
    rolled_back = "The image {id} was deleted, so nothing was left behind."
    left_behind = "The image {id} could not be deleted ({error}); delete it by hand."

    def configure(self, req: ConfigureRequest) -> None:
        """Settings as for every Graph provider, plus the upload timeout."""
        super().configure(req)
        self._timeout = timeout_seconds(req.config.get("w365:deviceImageTimeoutMinutes"))

    def usable(self, body: Mapping[str, Any]) -> bool:
        """A failed upload found after an ambiguous create is not the image."""
        return body.get("status") != FAILED

    async def after_create(
        self, rt: GraphRuntime, created: Mapping[str, Any], observed: dict[str, Any], desired: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Wait until the upload is ready (a failed or timed-out upload raises)."""
        name, image_id = str(desired["display_name"]), str(created["id"])
        _report(f"device image '{name}' ({image_id}): upload started from {desired['source_image_resource_id']}")
        timeout = getattr(self, "_timeout", DEFAULT_TIMEOUT_MINUTES * 60)
        return self.observe(await _wait(rt, dict(created), name, timeout=timeout, report=_report))


DeviceImageProvider.__module__ = LEGACY_MODULE


def _report(line: str) -> None:
    """A progress line: the engine shows a dynamic provider's stderr."""
    print(line, file=sys.stderr, flush=True)


async def _wait(
    rt: GraphRuntime, current: dict[str, Any], name: str, *, timeout: float, report: Any,
    clock: Any = time.monotonic, sleep: Any = asyncio.sleep,
) -> dict[str, Any]:  # fmt: skip
    """Poll until the image leaves ``pending``; returns it when ready, raises otherwise."""
    image_id = current["id"]
    start = clock()
    last_report = start
    while current.get("status") == PENDING:
        elapsed = clock() - start
        if elapsed >= timeout:
            raise ImageFailedError(
                f"upload device image '{name}' ({image_id})",
                code="timeout",
                message=f"still {PENDING} after {elapsed / 60:.1f} minutes (w365:deviceImageTimeoutMinutes)",
            )
        await sleep(min(POLL_FIRST + elapsed * POLL_GROWTH, POLL_MAX, timeout - elapsed))
        found = await steps.get_confirmed(rt, SPEC, image_id, sleep=sleep)
        if found is None:
            raise GraphNotFoundError(
                f"upload device image '{name}' ({image_id})", status=404,
                message="the image disappeared while it was uploading (deleted out of band?)",
            )  # fmt: skip
        current = found
        now = clock()
        if current.get("status") == PENDING and now - last_report >= REPORT_EVERY:
            report(f"device image '{name}': upload {PENDING} for {now - start:.0f}s")
            last_report = now
    return _settled(current, name, image_id, clock() - start, report)


def _settled(current: Mapping[str, Any], name: str, image_id: str, waited: float, report: Any) -> dict[str, Any]:
    """The image when its upload is ready; ``ImageFailedError`` (with the reason) otherwise."""
    status = current.get("status")
    if status == READY:
        report(f"device image '{name}': {READY} after {waited:.0f}s ({current.get('operatingSystem')} "
               f"{current.get('osVersionNumber')})")  # fmt: skip
        return dict(current)
    code = current.get("errorCode")
    raise ImageFailedError(
        f"upload device image '{name}' ({image_id})", code=code or status, message=f"status {status}: {explain(code)}"
    )
