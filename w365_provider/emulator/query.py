"""OData query options as Graph applies them: ``$filter`` (eq), ``$select``, ``$expand``, ``$top``
(page size), ``$skiptoken`` (opaque), ``$count``.

Pages follow insertion order; a ``$skiptoken`` names the last item already returned, so a
page boundary stays correct while other clients create or delete items.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .errors import BadRequest
from .messages import (
    EXPAND_NOT_SUPPORTED_MSG,
    FILTER_INVALID_MSG,
    PROPERTY_NOT_FOUND_MSG,
    QUERY_OPTION_NOT_SUPPORTED_MSG,
    QUERY_OPTION_REPEATED_MSG,
    SKIPTOKEN_INVALID_MSG,
    TOP_INVALID_MSG,
)

COLLECTION_OPTIONS = frozenset({"$filter", "$select", "$expand", "$top", "$skiptoken", "$count"})
ITEM_OPTIONS = frozenset({"$select", "$expand"})


@dataclass
class QueryOptions:
    filter: list[tuple[str, Any]] = field(default_factory=list)
    select: list[str] | None = None
    expand: list[str] = field(default_factory=list)
    top: int | None = None
    after: int | None = None  # from $skiptoken: last seq already returned
    count: bool = False


def parse(
    pairs: Sequence[tuple[str, str]],
    *,
    allowed: frozenset[str],
    type_name: str,
    selectable: set[str],
    filterable: set[str],
    expandable: Sequence[str],
) -> QueryOptions:
    """Parse decoded query pairs; parameters without ``$`` are ignored, as Graph ignores them."""
    seen: dict[str, str] = {}
    for key, value in pairs:
        if not key.startswith("$"):
            continue
        name = key.lower()
        if name not in allowed:
            raise BadRequest(QUERY_OPTION_NOT_SUPPORTED_MSG.format(option=key))
        if name in seen:
            raise BadRequest(QUERY_OPTION_REPEATED_MSG.format(option=key))
        seen[name] = value
    opts = QueryOptions()
    if "$filter" in seen:
        opts.filter = parse_filter(seen["$filter"], filterable, type_name)
    if "$select" in seen:
        opts.select = []
        for name in (s.strip() for s in seen["$select"].split(",")):
            if name not in selectable:
                raise BadRequest(PROPERTY_NOT_FOUND_MSG.format(name=name, type=type_name))
            opts.select.append(name)
    if "$expand" in seen:
        for name in (s.strip() for s in seen["$expand"].split(",")):
            if name not in expandable:
                raise BadRequest(EXPAND_NOT_SUPPORTED_MSG.format(name=name, type=type_name))
            if name not in opts.expand:
                opts.expand.append(name)
    if "$top" in seen:
        raw = seen["$top"]
        if not re.fullmatch(r"\d+", raw) or not 1 <= int(raw) <= 999:
            raise BadRequest(TOP_INVALID_MSG.format(value=raw))
        opts.top = int(raw)
    if "$skiptoken" in seen:
        opts.after = decode_skiptoken(seen["$skiptoken"])
    if "$count" in seen:
        opts.count = seen["$count"].lower() == "true"
    return opts


_CLAUSE_RE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*)\s+eq\s+('(?:[^']|'')*'|true|false|null|-?\d+)\s*$")


def _split_and(expression: str) -> list[str]:
    """Split on `` and `` outside string literals."""
    parts, current, quoted, i = [], [], False, 0
    lower = expression.lower()
    while i < len(expression):
        ch = expression[i]
        if ch == "'":
            quoted = not quoted
        if not quoted and lower.startswith(" and ", i):
            parts.append("".join(current))
            current, i = [], i + 5
            continue
        current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def parse_filter(expression: str, filterable: set[str], type_name: str) -> list[tuple[str, Any]]:
    """``prop eq literal [and prop eq literal ...]``; anything else is refused."""
    clauses = []
    for part in _split_and(expression):
        match = _CLAUSE_RE.match(part)
        if match is None:
            raise BadRequest(FILTER_INVALID_MSG.format(clause=part.strip()))
        name, literal = match.groups()
        if name not in filterable:
            raise BadRequest(PROPERTY_NOT_FOUND_MSG.format(name=name, type=type_name))
        value: Any
        if literal.startswith("'"):
            value = literal[1:-1].replace("''", "'")
        elif literal in ("true", "false"):
            value = literal == "true"
        elif literal == "null":
            value = None
        else:
            value = int(literal)
        clauses.append((name, value))
    return clauses


def matches(entity: dict[str, Any], clauses: list[tuple[str, Any]]) -> bool:
    """String comparison is case-insensitive (as for directory objects; assumption elsewhere)."""
    for name, wanted in clauses:
        actual = entity.get(name)
        if isinstance(wanted, str) and isinstance(actual, str):
            if actual.lower() != wanted.lower():
                return False
        elif actual != wanted or type(actual) is not type(wanted):
            return False
    return True


def encode_skiptoken(after: int) -> str:
    raw = json.dumps({"after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_skiptoken(token: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
        if not isinstance(after, int):
            raise ValueError(after)
        return after
    except (ValueError, KeyError, TypeError):
        raise BadRequest(SKIPTOKEN_INVALID_MSG.format(value=token)) from None


def page(
    entities: list[dict[str, Any]], opts: QueryOptions, default_size: int
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of ``entities`` (already filtered, in ``_seq`` order) and the next token, if any."""
    if opts.after is not None:
        entities = [e for e in entities if e["_seq"] > opts.after]
    size = opts.top or default_size
    chunk = entities[:size]
    more = len(entities) > size
    return chunk, (chunk[-1]["_seq"] if more and chunk else None)


def next_link(base: str, pairs: Sequence[tuple[str, str]], after: int) -> str:
    """``base`` plus the original query options with ``$skiptoken`` replaced."""
    kept = [(k, v) for k, v in pairs if k.lower() != "$skiptoken"]
    kept.append(("$skiptoken", encode_skiptoken(after)))
    query = "&".join(f"{quote(k, safe='$')}={quote(v, safe=',()')}" for k, v in kept)
    return f"{base}?{query}"
