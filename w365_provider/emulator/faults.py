"""Fault rules for ``/_emulator/faults``: throttling, errors, latency, dropped connections, late commits.

A rule matches a Graph request by method (optional, ``*`` = any) and by a regular expression
searched in the URL path (optional). The first matching rule with ``times`` left is applied
and its ``times`` decremented; a rule without ``times`` applies until cleared. Every field is
checked when the rules are set: a bad one is refused (400) with a message naming it.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from .errors import GraphError, code_for_status

RULE_FIELDS = frozenset(
    {"method", "path", "status", "retry_after", "times", "latency_ms", "drop", "code", "message", "commit_late_ms"}
)
DROP_MODES = ("before", "after")
#: Upper bounds: a fault that waits longer than this is a typo, not a test.
MAX_LATENCY_MS = 120_000
MAX_COMMIT_LATE_MS = 600_000
MAX_RETRY_AFTER_SECONDS = 3_600

FAULT_MESSAGES = {
    429: "Too many requests. Retry after the number of seconds in the Retry-After header.",
    503: "The service is temporarily unavailable. Retry after the number of seconds in the Retry-After header.",
    504: "The request timed out in the gateway.",
}


class FaultRuleError(ValueError):
    """A fault rule that can't be used (answered 400 by the control route)."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_number(name: str, value: Any, *, maximum: float, unit: str) -> None:
    if not _is_number(value) or not 0 <= value <= maximum:
        raise FaultRuleError(f"'{name}' must be a number of {unit} from 0 to {maximum:g}, not {value!r}")


def _check_optional_string(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise FaultRuleError(f"'{name}' must be a string, not {value!r}")


@dataclass
class FaultRule:
    method: str | None = None
    path: str | None = None
    status: int | None = None
    retry_after: float | None = None
    times: int | None = None
    latency_ms: float = 0
    drop: str | None = None
    code: str | None = None
    message: str | None = None
    commit_late_ms: float | None = None

    @classmethod
    def parse(cls, raw: Any) -> FaultRule:
        if not isinstance(raw, dict):
            raise FaultRuleError("each rule must be a JSON object")
        unknown = set(raw) - RULE_FIELDS
        if unknown:
            raise FaultRuleError(f"unknown rule fields: {sorted(unknown)}")
        rule = cls(**raw)
        rule._check_match()
        rule._check_answer()
        rule._check_timing()
        rule._check_combination()
        return rule

    def _check_match(self) -> None:
        _check_optional_string("method", self.method)
        _check_optional_string("path", self.path)
        if self.path is not None:
            try:
                re.compile(self.path)
            except re.error as exc:
                raise FaultRuleError(f"'path' is not a valid regular expression: {exc}") from None
        if self.times is not None and (isinstance(self.times, bool) or not isinstance(self.times, int) or self.times < 1):
            raise FaultRuleError(f"'times' must be a whole number >= 1 (omit it for 'until cleared'), not {self.times!r}")

    def _check_answer(self) -> None:
        status = self.status
        if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599):
            raise FaultRuleError(f"'status' must be an integer from 400 to 599, not {status!r}")
        if self.retry_after is not None:
            _check_number("retry_after", self.retry_after, maximum=MAX_RETRY_AFTER_SECONDS, unit="seconds")
        if self.drop is not None and self.drop not in DROP_MODES:
            raise FaultRuleError(f"'drop' must be 'before' or 'after', not {self.drop!r}")
        _check_optional_string("code", self.code)
        _check_optional_string("message", self.message)

    def _check_timing(self) -> None:
        _check_number("latency_ms", self.latency_ms, maximum=MAX_LATENCY_MS, unit="milliseconds")
        if self.commit_late_ms is not None:
            _check_number("commit_late_ms", self.commit_late_ms, maximum=MAX_COMMIT_LATE_MS, unit="milliseconds")

    def _check_combination(self) -> None:
        if self.drop is not None and self.status is not None:
            raise FaultRuleError("a rule either drops the connection ('drop') or answers a 'status', not both")
        if self.commit_late_ms is not None:
            if self.drop is not None:
                raise FaultRuleError("'commit_late_ms' already cuts the connection when no 'status' is given; omit 'drop'")
            if self.status is not None and self.status < 500:
                raise FaultRuleError(f"'status' with 'commit_late_ms' must be a 5xx (the write still happens), not {self.status}")
        if self.status is None and self.drop is None and not self.latency_ms and self.commit_late_ms is None:
            raise FaultRuleError("a rule needs 'status', 'drop', 'latency_ms' or 'commit_late_ms'")

    def matches(self, method: str, path: str) -> bool:
        if self.method not in (None, "*") and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None

    @property
    def cuts_connection(self) -> bool:
        """True when the client gets no answer: ``drop: before``, or a late commit without a status."""
        return self.drop == "before" or (self.commit_late_ms is not None and self.status is None)

    @property
    def plain_not_found(self) -> bool:
        """A 404 without ``code``/``message``: answered with the addressed entity's own 404."""
        return self.status == 404 and self.code is None and self.message is None

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
        rules = []
        for index, raw in enumerate(raw_rules):
            try:
                rules.append(FaultRule.parse(raw))
            except FaultRuleError as exc:
                raise FaultRuleError(f"rules[{index}]: {exc}") from None
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
