"""Graph's health checks of an Azure network connection: start them, wait for the verdict.

``POST .../runHealthChecks`` starts them (https://learn.microsoft.com/graph/api/cloudpconpremisesconnection-runhealthcheck?view=graph-rest-1.0);
``healthCheckStatus`` goes ``pending``/``running`` -> ``passed``, ``warning``,
``informational`` or ``failed``, and ``healthCheckStatusDetail`` (only with ``$select``) lists
each check with its error and recommended action
(https://learn.microsoft.com/graph/api/resources/cloudpconpremisesconnectionstatusdetail?view=graph-rest-1.0).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Mapping
from typing import Any

from w365_provider.errors import GraphConflictError, HealthCheckFailedError
from w365_provider.graph.client import GraphRuntime
from w365_provider.kit import steps
from w365_provider.kit.steps import Sleep

from .spec import SPEC

__all__ = ["DEFAULT_TIMEOUT_MINUTES", "run_health_checks", "verdict"]

WAITING = ("pending", "running")
DEFAULT_TIMEOUT_MINUTES = 60.0
POLL_FIRST, POLL_MAX, POLL_GROWTH = 1.0, 30.0, 0.1
"""Seconds between status reads: 1 s at first, then a tenth of the time waited so far, at most 30 s."""
SELECT = {"$select": "id,displayName,healthCheckStatus,healthCheckStatusDetail"}


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def verdict(label: str, body: Mapping[str, Any]) -> HealthCheckFailedError | None:
    """The error for a connection whose checks ``failed`` (naming each failed check), or ``None``."""
    if body.get("healthCheckStatus") != "failed":
        return None
    checks = (body.get("healthCheckStatusDetail") or {}).get("healthChecks") or []
    failed = [c for c in checks if c.get("status") == "failed"] or checks
    parts = []
    for check in failed:
        text = f"health check '{check.get('displayName')}' failed"
        if check.get("errorType"):
            text += f" ({check['errorType']})"
        if check.get("additionalDetail"):
            text += f": {check['additionalDetail']}"
        if check.get("recommendedAction"):
            text += f"; recommended action: {check['recommendedAction']}"
        parts.append(text)
    message = "; ".join(parts) or "the health checks failed (Graph named no check)"
    return HealthCheckFailedError(f"health checks of {SPEC.noun} {label}", code="healthCheckFailed", message=message)


async def run_health_checks(
    rt: GraphRuntime, connection_id: str, label: str, *, timeout: float = DEFAULT_TIMEOUT_MINUTES * 60,
    poll_first: float = POLL_FIRST, sleep: Sleep = asyncio.sleep,
) -> dict[str, Any]:  # fmt: skip
    """Start the health checks and poll until they end; progress goes to stderr. Returns the
    last status read; raises ``HealthCheckFailedError`` naming the failed check."""
    what = f"{SPEC.noun} {label}"
    await rt.send("POST", lambda c: SPEC.item(c, connection_id).run_health_checks,
                  operation=f"run the health checks of {what}", idempotent=True)  # fmt: skip
    _say(f"{what}: health checks started")
    started, last_line = time.monotonic(), 0.0
    while True:
        elapsed = time.monotonic() - started
        await sleep(min(poll_first + elapsed * POLL_GROWTH, POLL_MAX))
        body = await rt.send("GET", steps.locate(SPEC, connection_id), operation=f"read the health checks of {what}",
                             query=dict(SELECT))  # fmt: skip
        status = (body or {}).get("healthCheckStatus")
        elapsed = time.monotonic() - started
        if status not in WAITING:
            break
        if elapsed - last_line >= 10 or last_line == 0:
            _say(f"{what}: health checks {status} ({elapsed:.0f} s)")
            last_line = elapsed or 0.001
        if elapsed > timeout:
            raise GraphConflictError(f"health checks of {what}", message=f"still {status} after {elapsed / 60:.1f} "
                                     "minutes (w365:healthCheckTimeoutMinutes)")  # fmt: skip
    failure = verdict(label, body or {})
    if failure is not None:
        _say(f"{what}: {failure.message}")
        raise failure
    _say(f"{what}: health checks {status} ({elapsed:.0f} s)")
    return dict(body or {})
