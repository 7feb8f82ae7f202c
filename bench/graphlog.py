"""Counting Graph requests from the emulator's request log (``GET /_emulator/requests``)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_SETS = re.compile(
    r"/(?P<set>provisioningPolicies|userSettings|onPremisesConnections)(?:/(?P<id>[^/]+))?(?P<action>/[A-Za-z]+)?/?$",
    re.IGNORECASE,
)


def entity_set(request: dict[str, Any]) -> str:
    """The entity set a request went to (``provisioningPolicies`` ...), or ``other``."""
    match = _SETS.search(request.get("path", ""))
    return match.group("set") if match else "other"


def kind(request: dict[str, Any]) -> str:
    """``POST`` (create), ``assign``, ``runHealthChecks``, ``GET`` (one object), ``LIST``, ``PATCH``,
    ``DELETE`` or ``other``."""
    match = _SETS.search(request.get("path", ""))
    method = request.get("method", "")
    if not match:
        return "other"
    if match.group("action"):
        return match.group("action")[1:]
    if match.group("id") is None:
        return "LIST" if method == "GET" else method
    return method


def summarize(requests: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"total": n, "kinds": {...}, "sets": {set: n}, "errors": n}`` (errors: status 0 or >= 400)."""
    kinds = Counter(kind(r) for r in requests)
    sets = Counter(entity_set(r) for r in requests)
    errors = sum(1 for r in requests if not (200 <= int(r.get("status") or 0) < 400))
    return {"total": len(requests), "kinds": dict(sorted(kinds.items())), "sets": dict(sorted(sets.items())),
            "errors": errors}  # fmt: skip


def span_seconds(requests: list[dict[str, Any]]) -> float | None:
    """Seconds from the first to the last logged request (None without two timestamps)."""
    times = sorted(t for t in (_time(r) for r in requests) if t is not None)
    if len(times) < 2:
        return None
    return times[-1] - times[0]


def _time(request: dict[str, Any]) -> float | None:
    value = request.get("time")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        from datetime import datetime

        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None
