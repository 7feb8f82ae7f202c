"""What ``w365 export`` writes for one kind of object, derived from the resource's spec.

A kind is a registration: the stack config section, the resource's spec (Graph's names and
types, which properties are inputs), how Graph JSON is observed (the provider's ``observe``)
and the section's entry model (which keys a stack file has). From these, ``entry`` turns one
Graph object into a stack-file entry: every input the section has a key for, in Graph's own
names, with ``adopt: <id>``; a value the program's schema cannot express (an enum member it does
not know, a property it does not manage) is left out and said so in a comment. What is the
kind's own (references to other sections, such as a policy's image and groups) is its
``refine`` hook. A new resource with a spec and a config section is exported by adding one
``Kind`` to ``KINDS`` (see ``registry.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from w365_provider.kit.spec import Mutability, Property, Spec
from w365_provider.kit.types import ListOf, Object, ValueType

if TYPE_CHECKING:
    from w365_provider.export.document import Context

__all__ = ["Entry", "Kind", "LeftOut", "entry", "slug"]


class LeftOut(Exception):
    """The whole object cannot be written in the stack file's schema (the reason is the message)."""


@dataclass
class Entry:
    """One exported entry: its section key, its stack-file value (camelCase keys), comment
    lines above it and comments at the end of some of its keys' lines."""

    key: str
    value: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    after: dict[str, str] = field(default_factory=dict)
    left_out: int = 0
    """How many values of the object the file leaves out (each has a note)."""
    label: str = ""
    """The object in a note: ``provisioning policy 'Sales' (<id>)``."""

    def leave_out(self, what: str) -> None:
        """Note a value of the object the stack file does not hold."""
        self.notes.append(f"left out: {what}")
        self.left_out += 1


@dataclass(frozen=True)
class Kind:
    """A kind of Windows 365 object ``w365 export`` reads and writes (a registration)."""

    section: str
    """The stack config section, without ``w365:`` (``policies``)."""
    spec: Spec
    observe: Callable[[Mapping[str, Any]], dict[str, Any]]
    """Graph JSON -> Pulumi values, as the resource's provider reads them (normalized)."""
    keys: Sequence[str]
    """The section entry's keys, in the order the file shows them (the entry model's aliases)."""
    query: Mapping[str, str] = field(default_factory=dict)
    """Query options of the list call (``$expand=assignments``)."""
    singleton: bool = False
    """The tenant has one such object, read with a GET; the section is that one entry."""
    refine: Callable[[Context, Mapping[str, Any], Entry], None] | None = None
    """The kind's own part of an entry (references to other sections); raises ``LeftOut``."""
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Keys never exported (Graph does not return them): key -> what the user fills in
    (``{key}`` in it is the entry's key)."""
    secret_when: Callable[[Mapping[str, Any]], bool] = lambda body: True
    """Whether an object takes the ``secrets`` (a hybrid join connection has a password, others none)."""
    quiet: frozenset[str] = frozenset()
    """Graph properties not worth a comment when present (read-only audit fields, deprecated
    aliases Graph fills from a managed property); nested ones dotted: ``domainJoinConfigurations.type``."""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """Values of unmanaged Graph properties that are Graph's defaults (no comment for them)."""
    name: Callable[[Mapping[str, Any]], str] = lambda body: str(body.get("displayName") or body.get("id"))
    """What names an object in keys and comments."""
    key: Callable[[Mapping[str, Any]], str] | None = None
    """The section key for an object (default: its name as a slug)."""


def slug(text: str) -> str:
    """A section key from a name: lower case, runs of other characters as one ``-``."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return value or "x"


def _meaningful(value: Any) -> bool:
    return value not in (None, "", [], {})


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _checked(prop: Property, value: Any) -> list[str]:
    reasons: list[str] = []
    prop.type.check(value, reasons.append)
    return reasons


def _unmanaged_nested(kind: ValueType, body: Any, where: str, out: list[str], quiet: frozenset[str]) -> None:
    """Keys of nested Graph objects the spec neither maps nor ignores (``where`` names them)."""
    if isinstance(kind, ListOf):
        for index, item in enumerate(body if isinstance(body, list) else []):
            _unmanaged_nested(kind.item, item, f"{where}[{index}]", out, quiet)
        return
    if not isinstance(kind, Object) or not isinstance(body, Mapping):
        return
    known = {f.graph for f in kind.fields}
    for key, value in body.items():
        if key.startswith("@odata") or key in known or not _meaningful(value):
            continue
        if re.sub(r"\[\d+\]", "", f"{where}.{key}") in quiet:
            continue
        why = kind.unmanaged.get(key, "not known to this provider")
        out.append(f"{where}.{key} = {_short(value)} ({why})")
    for prop in kind.fields:
        _unmanaged_nested(prop.type, body.get(prop.graph or ""), f"{where}.{prop.graph}", out, quiet)



def _unmanaged(kind: Kind, body: Mapping[str, Any]) -> list[str]:
    """What Graph holds for the object that no key of the stack file carries."""
    spec = kind.spec
    mapped = {p.graph for p in spec if p.graph}
    out: list[str] = []
    for key, value in body.items():
        if key == "id" or key.startswith("@odata") or key in mapped or key in kind.quiet:
            continue
        if not _meaningful(value) or kind.defaults.get(key, object()) == value:
            continue
        why = spec.unmanaged.get(key, "not known to this provider")
        out.append(f"{key} = {_short(value)} ({why})")
    for prop in spec:
        if prop.graph and prop.is_input and not prop.action:
            _unmanaged_nested(prop.type, body.get(prop.graph), prop.graph, out, kind.quiet)
    return out


def _is_assignments(prop: Property) -> bool:
    """An action property listing groups (``assignments``): exported as ``w365:groups`` keys."""
    kind = prop.type
    return prop.action and isinstance(kind, ListOf) and isinstance(kind.item, Object) and kind.item.field("group_id") is not None


def entry(kind: Kind, ctx: Context, body: Mapping[str, Any], key: str) -> Entry:
    """The stack-file entry for one Graph object of ``kind``; raises ``LeftOut`` when the
    object cannot be written (a required or unchangeable value the schema cannot express)."""
    spec = kind.spec
    observed = kind.observe(body)
    result = Entry(key, {}, label=f"{spec.noun} '{kind.name(body)}' ({body.get('id')})")
    for prop in spec:
        if not prop.is_input or prop.graph is None or prop.action or prop.graph not in kind.keys:
            continue
        value = observed.get(prop.name)
        if value is None or value == "":
            continue
        reasons = _checked(prop, value)
        if reasons:
            what = f"{prop.graph} {'; '.join(reasons)}"
            if prop.required or prop.mutability is Mutability.REPLACE:
                raise LeftOut(f"{what}; the stack file cannot express it")
            result.leave_out(what)
            continue
        result.value[prop.graph] = prop.type.to_graph(value)
    for prop in spec:
        if _is_assignments(prop) and prop.graph in kind.keys and observed.get(prop.name) is not None:
            result.value[str(prop.graph)] = [ctx.group_ref(item) for item in observed[prop.name]]
    for what in _unmanaged(kind, body):
        result.leave_out(what)
    for secret, how in sorted(kind.secrets.items()) if kind.secret_when(body) else ():
        result.notes.append(f"{secret}: not exported (a secret); {how.replace('{key}', key)}")
    if kind.refine is not None:
        kind.refine(ctx, body, result)
    if spec.adoptable and body.get("id"):
        result.value["adopt"] = str(body["id"])
    order = {k: i for i, k in enumerate(kind.keys)}
    result.value = dict(sorted(result.value.items(), key=lambda item: order.get(item[0], len(order))))
    return result
