"""Value types of a spec's properties: what a value must be, its one canonical form, its Graph form.

Each type knows three things about a value, so no resource re-solves them:

- ``check(value, report)``: the rules the table can express (type, non-empty, length,
  forbidden characters, a pattern, enum members, GUID form, required keys of an object,
  unknown keys). ``report(reason)`` records one broken rule; the caller names the property.
- ``normalize(value)``: one canonical form, so equal intents compare equal (GUIDs lower-cased,
  enum members spelled as Graph spells them, lists sorted where order means nothing).
- ``to_graph`` / ``from_graph``: nested keys snake_case <-> Graph's camelCase.

Values not known yet (an unresolved ``Output`` during preview) pass every method untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pulumi.output import Unknown

if TYPE_CHECKING:
    from w365_provider.kit.spec import Property

__all__ = [
    "GUID",
    "Adopt",
    "Bool",
    "Enum",
    "Guid",
    "Int",
    "ListOf",
    "Object",
    "Report",
    "Str",
    "ValueType",
    "is_unknown",
]

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
GUID_EXAMPLE = "00000000-0000-0000-0000-000000000000"

Report = Callable[[str], None]
"""Records one broken rule of the value being checked: ``report(reason)``."""


def is_unknown(value: Any) -> bool:
    """True for a value not known yet (an input that is an unresolved Output during preview)."""
    return isinstance(value, Unknown)


class ValueType:
    """The base: any value, kept as it is."""

    graph_type: str = ""
    """Graph's name of the type (``String``, ``cloudPcDomainJoinConfiguration`` ...)."""

    def check(self, value: Any, report: Report) -> None:
        """Report every rule ``value`` (known, not ``None``) breaks."""

    def normalize(self, value: Any) -> Any:
        """``value`` in its canonical form."""
        return value

    def to_graph(self, value: Any) -> Any:
        """``value`` as Graph JSON."""
        return value

    def from_graph(self, value: Any) -> Any:
        """A Graph JSON value as a Pulumi value."""
        return value

    def describe(self) -> str:
        """The type in a few words, for documentation and the coverage table."""
        return self.graph_type or "any"


@dataclass(frozen=True)
class Str(ValueType):
    """Text. ``expect`` completes "must be ..." for a value that is not text; ``blank`` is the
    reason for empty text when ``non_empty``; ``echo`` adds the value given to both."""

    non_empty: bool = False
    max_length: int | None = None
    forbidden: str = ""
    pattern: re.Pattern[str] | None = None
    pattern_reason: str = ""
    expect: str = "a string"
    blank: str = "must not be empty"
    echo: bool = False
    graph_type: str = "String"

    def check(self, value: Any, report: Report) -> None:
        got = f" (got {value!r})" if self.echo else ""
        if not isinstance(value, str):
            report(f"must be {self.expect}{got}")
            return
        if self.non_empty and not value.strip():
            report(self.blank + got)
            return
        found = sorted({c for c in value if c in self.forbidden})
        if found:
            report(f"must not contain any of {' '.join(self.forbidden)} (found {' '.join(found)})")
        if self.max_length is not None and len(value) > self.max_length:
            report(f"must be at most {self.max_length} characters (is {len(value)})")
        if self.pattern is not None and not self.pattern.match(value):
            report(f"{self.pattern_reason} (got {value!r})")


@dataclass(frozen=True)
class Bool(ValueType):
    """True or false."""

    graph_type: str = "Boolean"

    def check(self, value: Any, report: Report) -> None:
        if not isinstance(value, bool):
            report("must be true or false")


@dataclass(frozen=True)
class Adopt(ValueType):
    """The provider's ``adopt`` input: ``true`` (take over the one object of the display name),
    ``false``, or an object's Graph id (take over exactly that object)."""

    graph_type: str = "Boolean or String (GUID)"

    def check(self, value: Any, report: Report) -> None:
        if not isinstance(value, bool) and not (isinstance(value, str) and GUID.match(value)):
            report(f"must be true or false, or an object's Graph id like {GUID_EXAMPLE} (got {value!r})")

    def normalize(self, value: Any) -> Any:
        return value.lower() if isinstance(value, str) and GUID.match(value) else value


@dataclass(frozen=True)
class Int(ValueType):
    """A whole number."""

    graph_type: str = "Int32"

    def check(self, value: Any, report: Report) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            report("must be a whole number")

    def normalize(self, value: Any) -> Any:
        """The engine passes numbers as floats (protobuf): ``5.0`` is ``5``."""
        return int(value) if isinstance(value, float) and value.is_integer() else value

    def to_graph(self, value: Any) -> Any:
        """Graph's Int32 refuses ``5.0``: send whole numbers as integers."""
        return self.normalize(value)


@dataclass(frozen=True)
class Enum(ValueType):
    """One of ``members``; matched case-insensitively and stored as Graph spells it.
    ``beta_only``: the members only Graph's beta has (refused against v1.0 by ``checks``)."""

    members: tuple[str, ...] = ()
    graph_type: str = ""
    beta_only: tuple[str, ...] = ()

    def check(self, value: Any, report: Report) -> None:
        if value not in self.members:
            report(f"must be one of {', '.join(self.members)} (got {value!r})")

    def normalize(self, value: Any) -> Any:
        if isinstance(value, str):
            for member in self.members:
                if member.lower() == value.lower():
                    return member
        return value

    def describe(self) -> str:
        return f"{self.graph_type or 'enum'} ({' | '.join(self.members)})"


@dataclass(frozen=True)
class Guid(ValueType):
    """A GUID, lower-cased by normalization."""

    graph_type: str = "String (GUID)"

    def check(self, value: Any, report: Report) -> None:
        if not isinstance(value, str) or not GUID.match(value):
            report(f"must be a GUID like {GUID_EXAMPLE} (got {value!r})")

    def normalize(self, value: Any) -> Any:
        return value.lower() if isinstance(value, str) and GUID.match(value) else value


@dataclass(frozen=True)
class Object(ValueType):
    """A nested Graph object: a dict with snake_case keys, each a ``Property`` of ``fields``.

    ``unmanaged`` lists Graph's properties of the type that the resource deliberately leaves
    alone, each with its reason (the schema-coverage test holds the spec to it).
    """

    fields: tuple[Property, ...] = ()
    graph_type: str = ""
    unmanaged: Mapping[str, str] = field(default_factory=dict)

    def field(self, name: str) -> Property | None:
        """The field named ``name`` (snake_case), or ``None``."""
        return next((f for f in self.fields if f.name == name), None)

    def check(self, value: Any, report: Report) -> None:
        if not isinstance(value, dict):
            report("must be an object (a dict with snake_case keys)")
            return
        if not self.known_keys(value, report):
            return
        for prop in self.fields:
            item = value.get(prop.name)
            if item is None:
                if prop.required:
                    report(f"{prop.name} is required{prop.note}")
                continue
            if not is_unknown(item):
                prop.type.check(item, lambda reason, key=prop.name: report(f"{key} {reason}"))

    def known_keys(self, value: Mapping[str, Any], report: Report) -> bool:
        """True when every key of ``value`` is a field; reports the others."""
        names = [f.name for f in self.fields]
        ok = True
        for key in value:
            if key in names:
                continue
            hint = next((f.name for f in self.fields if f.graph == key), None)
            report(f"unknown key {key!r}" + (f"; did you mean {hint!r}?" if hint else f"; known keys: {', '.join(names)}"))
            ok = False
        return ok

    def normalize(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            prop = self.field(key)
            out[key] = item if prop is None or is_unknown(item) else prop.type.normalize(item)
        return out

    def to_graph(self, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        out = {}
        for key, item in value.items():
            prop = self.field(key)
            out[prop.graph if prop is not None and prop.graph else key] = (
                prop.type.to_graph(item) if prop is not None else item
            )
        return out

    def from_graph(self, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        out = {}
        for prop in self.fields:
            item = value.get(prop.graph) if prop.graph else None
            if item is not None:
                out[prop.name] = prop.type.from_graph(item)
        return out

    def describe(self) -> str:
        return self.graph_type or "object"


@dataclass(frozen=True)
class ListOf(ValueType):
    """A list of ``item`` values. ``min_items`` and ``expect`` ("must be ...") for the list itself;
    ``sort_by`` sorts object items by these keys (order means nothing to Graph); entries are
    named ``entry <i>:`` in reasons when ``label_entries``."""

    item: ValueType = field(default_factory=ValueType)
    min_items: int = 0
    expect: str = "a list"
    sort_by: tuple[str, ...] = ()
    label_entries: bool = False

    def check(self, value: Any, report: Report) -> None:
        if not isinstance(value, list) or len(value) < self.min_items:
            report(f"must be {self.expect}")
            return
        for index, entry in enumerate(value):
            if is_unknown(entry):
                continue
            prefix = f"entry {index}: " if self.label_entries else ""
            self.item.check(entry, lambda reason, p=prefix: report(p + reason))

    def normalize(self, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        out = [item if is_unknown(item) else self.item.normalize(item) for item in value]
        if self.sort_by and _sortable(out, self.sort_by):
            out.sort(key=lambda item: tuple(item.get(key) or "" for key in self.sort_by))
        return out

    def to_graph(self, value: Any) -> Any:
        return [self.item.to_graph(item) for item in value] if isinstance(value, list) else value

    def from_graph(self, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        if isinstance(self.item, Object):
            return [self.item.from_graph(item) for item in value if isinstance(item, Mapping)]
        return [self.item.from_graph(item) for item in value]

    def describe(self) -> str:
        return f"Collection({self.item.describe()})"


def _sortable(items: Sequence[Any], keys: tuple[str, ...]) -> bool:
    """True when every item is a dict whose first sort key is text and whose others are known."""
    first, rest = keys[0], keys[1:]
    return all(
        isinstance(item, dict) and isinstance(item.get(first), str) and not any(is_unknown(item.get(k)) for k in rest)
        for item in items
    )
