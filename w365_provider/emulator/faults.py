"""Fault rules for ``/_emulator/faults``: throttling, errors, latency and dropped connections.

A rule matches a Graph request by method (optional, ``*`` = any) and by a regular expression
searched in the URL path (optional). The first matching rule with ``times`` left is applied
and its ``times`` decremented; a rule without ``times`` applies until cleared.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from .errors import GraphError, code_for_status

RULE_FIELDS = frozenset({"method", "path", "status", "retry_after", "times", "latency_ms", "drop", "code", "message"})
DROP_MODES = ("before", "after")

FAULT_MESSAGES = {
    429: "Too many requests. Retry after the number of seconds in the Retry-After header.",
    503: "The service is temporarily unavailable. Retry after the number of seconds in the Retry-After header.",
    504: "The request timed out in the gateway.",
}


class FaultRuleError(ValueError):
    """A fault rule that can't be used (answered 400 by the control route)."""


@dataclass
class FaultRule:
    method: str | None = None
    path: str | None = None
    status: int | None = None
    retry_after: float | None = None
    times: int | None = None
    latency_ms: int = 0
    drop: str | None = None
    code: str | None = None
    message: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> FaultRule:
        if not isinstance(raw, dict):
            raise FaultRuleError("each rule must be a JSON object")
        unknown = set(raw) - RULE_FIELDS
        if unknown:
            raise FaultRuleError(f"unknown rule fields: {sorted(unknown)}")
        rule = cls(**raw)
        if rule.method is not None and not isinstance(rule.method, str):
            raise FaultRuleError("method must be a string")
        if rule.path is not None:
            try:
                re.compile(rule.path)
            except (re.error, TypeError) as exc:
                raise FaultRuleError(f"path is not a valid regular expression: {exc}") from None
        if rule.status is not None and (not isinstance(rule.status, int) or not 400 <= rule.status <= 599):
            raise FaultRuleError("status must be an integer from 400 to 599")
        if rule.retry_after is not None and (not isinstance(rule.retry_after, int | float) or rule.retry_after < 0):
            raise FaultRuleError("retry_after must be a number of seconds >= 0")
        if rule.times is not None and (not isinstance(rule.times, int) or rule.times < 1):
            raise FaultRuleError("times must be an integer >= 1 (omit it for 'until cleared')")
        if not isinstance(rule.latency_ms, int | float) or rule.latency_ms < 0:
            raise FaultRuleError("latency_ms must be a number >= 0")
        if rule.drop is not None and rule.drop not in DROP_MODES:
            raise FaultRuleError("drop must be 'before' or 'after'")
        if rule.drop is not None and rule.status is not None:
            raise FaultRuleError("a rule either drops the connection or answers a status, not both")
        if rule.status is None and rule.drop is None and not rule.latency_ms:
            raise FaultRuleError("a rule needs status, drop or latency_ms")
        return rule

    def matches(self, method: str, path: str) -> bool:
        if self.method not in (None, "*") and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None

    def error(self) -> GraphError:
        """The Graph error this rule answers with (only for rules with a status)."""
        assert self.status is not None
        headers = {}
        retry_after = self.retry_after
        if retry_after is None and self.status in (429, 503):
            retry_after = 1
        if retry_after is not None:
            headers["Retry-After"] = f"{retry_after:g}"
        message = self.message or FAULT_MESSAGES.get(self.status) or HTTPStatus(self.status).phrase
        return GraphError(message, status=self.status, code=self.code or code_for_status(self.status), headers=headers)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in sorted(RULE_FIELDS)}


class FaultSet:
    """The active rules; thread-safe."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def replace(self, raw_rules: Any) -> None:
        if not isinstance(raw_rules, list):
            raise FaultRuleError("'rules' must be a list")
        rules = [FaultRule.parse(r) for r in raw_rules]
        with self._lock:
            self._rules = rules

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first matching rule with uses left (its ``times`` decremented), or None."""
        with self._lock:
            for rule in self._rules:
                if rule.times == 0 or not rule.matches(method, path):
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return rule
        return None

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.to_dict() for r in self._rules]
