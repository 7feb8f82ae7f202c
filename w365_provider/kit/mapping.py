"""Pulumi properties <-> Graph JSON, and the one canonical form of inputs, derived from a spec.

The spec is the only place that knows Graph's names: ``to_graph`` and ``from_graph`` walk its
rows (nested objects and lists included), ``normalize`` applies each row's type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from w365_provider.kit.spec import Fill, Spec
from w365_provider.kit.types import is_unknown

__all__ = ["drop_none", "from_graph", "normalize", "to_graph"]


def to_graph(spec: Spec, props: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """Graph JSON for the properties ``names`` of ``props`` (``None`` becomes JSON null)."""
    body: dict[str, Any] = {}
    for name in names:
        prop = spec.by_name[name]
        assert prop.graph is not None, f"{name} has no Graph name"
        value = props.get(name)
        body[prop.graph] = None if value is None else prop.type.to_graph(value)
    return body


def from_graph(spec: Spec, body: Mapping[str, Any]) -> dict[str, Any]:
    """Pulumi properties from an object's Graph JSON: the id, then every property Graph gave a
    value (``None`` dropped, nested keys the spec does not know left out). Not normalized."""
    props: dict[str, Any] = {spec.id_name: body.get("id")}
    for prop in spec:
        if prop.graph is None or prop.action:
            continue
        value = body.get(prop.graph)
        if value is not None:
            props[prop.name] = prop.type.from_graph(value)
    return props


def normalize(spec: Spec, props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` in one canonical form, so equal intents compare equal.

    Drops ``None`` (also inside nested values), applies each property's type (GUIDs lower-cased,
    enums spelled as Graph does, lists sorted where order means nothing) and, when ``props``
    are inputs (they hold a required property), fills the defaults marked ``Fill.NORMALIZE``.
    Unknown values and properties the spec does not know are kept as they are.
    """
    out: dict[str, Any] = {}
    for name, value in props.items():
        if value is None:
            continue
        value = drop_none(value)
        prop = spec.get(name)
        out[name] = value if prop is None or is_unknown(value) else prop.type.normalize(value)
    if any(name in out for name in spec.required):
        for prop in spec:
            if prop.fill is Fill.NORMALIZE:
                out.setdefault(prop.name, prop.default)
    return out


def fill_check_defaults(spec: Spec, inputs: dict[str, Any]) -> dict[str, Any]:
    """``inputs`` with the defaults marked ``Fill.CHECK`` (create-only values, so that writing
    Graph's default out later does not replace the object)."""
    for prop in spec:
        if prop.fill is Fill.CHECK:
            inputs.setdefault(prop.name, prop.default)
    return inputs


def drop_none(value: Any) -> Any:
    """``value`` without ``None`` values in nested dicts (list items are kept)."""
    if isinstance(value, Mapping) and not is_unknown(value):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value
