"""Counting Graph requests from the emulator's request log (``GET /_emulator/requests``)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_POLICIES = re.compile(r"/provisioningPolicies(?:/(?P<id>[^/]+))?(?P<action>/assign)?/?$", re.IGNORECASE)


def kind(request: dict[str, Any]) -> str:
    """``POST`` (create), ``assign``, ``GET`` (one policy), ``LIST``, ``PATCH``, ``DELETE`` or ``other``."""
    match = _POLICIES.search(request.get("path", ""))
    method = request.get("method", "")
    if not match:
        return "other"
    if match.group("action"):
        return "assign"
    if match.group("id") is None:
        return "LIST" if method == "GET" else method
    return method


def summarize(requests: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"total": n, "kinds": {...}, "errors": n}`` (errors: status 0 or >= 400)."""
    kinds = Counter(kind(r) for r in requests)
    errors = sum(1 for r in requests if not (200 <= int(r.get("status") or 0) < 400))
    return {"total": len(requests), "kinds": dict(sorted(kinds.items())), "errors": errors}


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
