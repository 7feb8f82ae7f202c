"""Problems of a stack config, each as ``<YAML path>: <rule>`` in the words of the stack file.

``from_validation_error`` turns pydantic's errors into such lines: the path uses the keys the
user wrote (``w365:policies.sales.cloudPcNamingTemplate``), union tags are left out, and an
unknown key or enum value comes with the closest valid ones ("did you mean").
``from_check_failures`` does the same for the resources' own rules (``CheckFailure`` with a
snake_case property), so both read alike.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError

from w365_provider.config.model import GUID_PATTERN, KEY_PATTERN, NOT_BLANK_PATTERN

__all__ = ["NAMESPACE", "Problem", "describe", "from_check_failures", "from_validation_error", "known_keys", "path_text", "suggest"]

NAMESPACE = "w365"

HINTS: dict[str, str] = {
    "domainJoinConfigurations": "a list such as [{domainJoinType: azureADJoin, regionName: automatic}]",
    "assignments": f"a list of {NAMESPACE}:groups keys (or {{group, servicePlanId}} mappings)",
    "type": "gallery (a gallery image looked up by sku) or custom (uploaded from an Azure managed image)",
}
"""What a key holds, added to "is required" and wrong-type messages."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One problem: where (a path from the section name down) and what rule it breaks."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{path_text(self.path)}: {self.reason}"


def path_text(path: Sequence[str | int]) -> str:
    """``("policies", "sales", "domainJoinConfigurations", 0)`` -> ``w365:policies.sales.domainJoinConfigurations[0]``."""
    text = f"{NAMESPACE}:{path[0]}" if path else NAMESPACE
    for part in path[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def describe(value: Any) -> str:
    """A value as a user would say it: ``the text 'x'``, ``a list``, ``the number 3``."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def known_keys(section: Mapping[str, Any], wrong: str) -> str:
    """The end of a "not a key of" message: the keys of ``section`` and the closest to
    ``wrong`` (the message's opening parenthesis is the caller's)."""
    if not section:
        return "none are defined)"
    close = suggest(wrong, section)
    return "known: " + ", ".join(section) + (f"); did you mean {close[0]!r}?" if close else ")")


def suggest(value: str, known: Iterable[str], n: int = 1) -> list[str]:
    """The known names closest to ``value`` (a case-insensitive match first)."""
    known = list(known)
    lowered = [k for k in known if k.lower() == value.lower()]
    if lowered:
        return lowered[:n]
    by_lower = {k.lower(): k for k in known}
    return [by_lower[m] for m in difflib.get_close_matches(value.lower(), list(by_lower), n=n, cutoff=0.6)]


# -- walking the model along an error's location ---------------------------------------------------


def _strip(tp: Any) -> tuple[Any, list[Any]]:
    """``Annotated[X | None, ...]`` -> ``(X, metadata)``."""
    metadata: list[Any] = []
    while True:
        if get_origin(tp) is Annotated:
            args = get_args(tp)
            tp, metadata = args[0], metadata + list(args[1:])
            continue
        if get_origin(tp) in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp, metadata


def _tag_of(member: Any) -> str | None:
    inner, metadata = _strip(member)
    for item in metadata:
        if isinstance(item, Tag):
            return item.tag
    if isinstance(inner, type) and issubclass(inner, BaseModel) and "type" in inner.model_fields:
        args = get_args(inner.model_fields["type"].annotation)
        return str(args[0]) if args else None
    return None


def _field(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    return None


def _walk(root: Any, loc: Sequence[str | int]) -> tuple[Path, Any, Any]:
    """The user's path for ``loc`` (union tags and ``[key]`` left out), the model holding its last
    key, and the type found there."""
    path: list[str | int] = []
    tp, parent = root, None
    for part in loc:
        inner, _ = _strip(tp)
        origin = get_origin(inner)
        if part == "[key]":
            continue
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            parent, tp = inner, _field(inner, str(part))
            path.append(part)
        elif origin is dict:
            tp = get_args(inner)[1]
            path.append(part)
        elif origin is list:
            tp = get_args(inner)[0]
            path.append(part)
        elif origin in (Union, types.UnionType):
            tp = next((m for m in get_args(inner) if _tag_of(m) == part), None)
        else:
            path.append(part)
            tp = None
    return tuple(path), parent, tp


def _models_in(tp: Any) -> list[type[BaseModel]]:
    inner, _ = _strip(tp)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return [inner]
    return [m for arg in get_args(inner) for m in _models_in(arg)]


def _nested_home(parent: type[BaseModel], key: str) -> str | None:
    """The key of ``parent`` under which ``key`` is a known key (``regionName`` -> ``domainJoinConfigurations``)."""
    for name, info in parent.model_fields.items():
        for model in _models_in(info.annotation):
            if any((i.alias or n) == key for n, i in model.model_fields.items()):
                return info.alias or name
    return None


def _literal_values(tp: Any) -> tuple[str, ...]:
    inner, _ = _strip(tp)
    return tuple(str(a) for a in get_args(inner)) if get_origin(inner) is Literal else ()


# -- messages ----------------------------------------------------------------------------------


def _hint(path: Path) -> str:
    key = next((p for p in reversed(path) if isinstance(p, str)), "")
    return HINTS.get(key, "")


def _pattern_reason(pattern: str, value: Any) -> str:
    if pattern == GUID_PATTERN:
        return f"must be an object id (GUID), got {value!r}"
    if pattern == KEY_PATTERN:
        return (
            f"key {value!r} must start with a letter or digit and hold only letters, digits, '.', '_' and '-' "
            "(it becomes the Pulumi resource name)"
        )
    if pattern == NOT_BLANK_PATTERN:
        return "must not be blank"
    return f"must match {pattern}, got {value!r}"


def _one(error: Mapping[str, Any], root: Any) -> Problem:
    kind, loc, value, ctx = error["type"], tuple(error["loc"]), error.get("input"), error.get("ctx") or {}
    path, parent, tp = _walk(root, loc)
    hint = _hint(path)
    if kind == "missing":
        return Problem(path, "is required" + (f": {hint}" if hint else ""))
    if kind == "extra_forbidden":
        known = [info.alias or name for name, info in (parent.model_fields.items() if parent else [])]
        close = suggest(str(path[-1]), known)
        home = _nested_home(parent, str(path[-1])) if parent and not close else None
        if close:
            tail = f"did you mean {close[0]!r}?"
        elif home:
            tail = f"it belongs inside {home}"
        else:
            tail = f"known keys: {', '.join(known)}"
        return Problem(path, f"unknown key; {tail}")
    if kind == "literal_error":
        allowed = _literal_values(tp)
        close = suggest(str(value), allowed) if isinstance(value, str) else []
        tail = f"; did you mean {close[0]!r}?" if close else ""
        return Problem(path, f"must be one of {', '.join(allowed)}, got {value!r}{tail}")
    if kind == "union_tag_invalid":
        tags = [t.strip("'") for t in str(ctx.get("expected_tags", "")).split(", ")]
        close = suggest(str(ctx.get("tag")), tags)
        tail = f"; did you mean {close[0]!r}?" if close else ""
        return Problem((*path, "type"), f"must be {HINTS['type']}, got {ctx.get('tag')!r}{tail}")
    if kind == "union_tag_not_found":
        if isinstance(value, Mapping):
            return Problem((*path, "type"), f"is required: {HINTS['type']}")
        return Problem(path, f"must be a mapping, got {describe(value)}")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if path and path[-1] == "assignments" or (len(path) > 1 and path[-2] == "assignments"):
            return Problem(path, f"must be a {NAMESPACE}:groups key or a {{group, servicePlanId}} mapping, "
                                 f"got {describe(value)}")  # fmt: skip
        return Problem(path, f"must be a mapping, got {describe(value)}")
    if kind == "list_type":
        what = hint or "a list"
        return Problem(path, f"must be {what}, got {describe(value)}")
    if kind == "too_short":
        return Problem(path, "must not be empty" + (f": {hint}" if hint else ""))
    if kind in ("string_type", "string_sub_type"):
        return Problem(path, f"must be text, got {describe(value)}")
    if kind == "string_too_short":
        return Problem(path, "must not be empty")
    if kind == "string_pattern_mismatch":
        if loc and loc[-1] == "[key]":
            return Problem(path[:-1], _pattern_reason(str(ctx.get("pattern")), path[-1]))
        return Problem(path, _pattern_reason(str(ctx.get("pattern")), value))
    if kind in ("bool_type", "bool_parsing"):
        return Problem(path, f"must be true or false, got {describe(value)}")
    message = str(error.get("msg", kind))
    return Problem(path, message.removeprefix("Value error, "))


def from_validation_error(error: ValidationError, root: Any) -> list[Problem]:
    """Every problem in ``error`` (raised while validating ``root``), in the order found."""
    return [_one(e, root) for e in error.errors(include_url=False)]


_ENTRY = re.compile(r"^entry (\d+): ")


def from_check_failures(
    failures: Iterable[Any], where: Path, names: Mapping[str, str], skip: Iterable[str] = ()
) -> list[Problem]:
    """A resource's ``CheckFailure`` list (``.property`` snake_case, ``.reason``) as problems under
    ``where``. ``names`` maps the resource's snake_case names to the stack file's keys; they are
    translated in the reason too. ``entry N:`` in a reason becomes the list index of the path."""
    skipped = set(skip)
    found: list[Problem] = []
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b") if names else None
    for failure in failures:
        prop = str(failure.property)
        if prop in skipped:
            continue
        reason = str(failure.reason)
        path: Path = (*where, names.get(prop, prop))
        match = _ENTRY.match(reason)
        if match:
            path, reason = (*path, int(match.group(1))), reason[match.end() :]
        if pattern is not None:
            reason = pattern.sub(lambda m: names[m.group(1)], reason)
        problem = Problem(path, reason)
        if problem not in found:
            found.append(problem)
    return found
