"""Graph's type system as the emulator needs it: enums, properties, entity types, input checks, rendering.

Every entity set (``entities/…``) describes its properties with these types; the checks and the
rendering here are OData's and hold for all of them: unknown properties and wrong types are
refused, read-only ones ignored on input, beta-only ones absent from v1.0, evolvable enum members
hidden without ``Prefer: include-unknown-enum-members``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .errors import BadRequest
from .messages import (
    INVALID_JSON_MSG,
    INVALID_VALUE_MSG,
    NULL_NOT_ALLOWED_MSG,
    ODATA_TYPE_MISMATCH_MSG,
    REQUIRED_PROPERTY_MSG,
    UNKNOWN_PROPERTY_MSG,
)

V1 = "v1.0"
BETA = "beta"
VERSIONS = (V1, BETA)


# --------------------------------------------------------------------------- types
@dataclass(frozen=True)
class EnumType:
    """A Graph enum; members after ``unknownFutureValue`` are evolvable (need the Prefer header)."""

    name: str
    v1: tuple[str, ...]
    beta_extra: tuple[str, ...] = ()

    def members(self, version: str) -> tuple[str, ...]:
        return self.v1 + self.beta_extra if version == BETA else self.v1


@dataclass(frozen=True)
class Prop:
    """One property. ``kind``: string, bool, int, enum, strings, object, collection."""

    kind: str
    enum: EnumType | None = None
    fields: Mapping[str, Prop] | None = None  # object / collection item properties; None = free-form
    type_name: str = ""  # complex type name, for messages
    beta: bool = False  # only in beta
    read_only: bool = False  # ignored on input
    nullable: bool = True
    write_only: bool = False  # never returned
    select_only: bool = False  # returned only when named in $select


@dataclass(frozen=True)
class EntityType:
    """An entity type: its properties and its navigation properties (returned only with ``$expand``)."""

    name: str
    props: Mapping[str, Prop]
    navigation: tuple[str, ...] = ()

    def props_for(self, version: str) -> dict[str, Prop]:
        return {k: p for k, p in self.props.items() if version == BETA or not p.beta}

    @property
    def short_name(self) -> str:
        """``cloudPcProvisioningPolicy`` for ``microsoft.graph.cloudPcProvisioningPolicy``."""
        return self.name.rsplit(".", 1)[-1]

    def select_names(self, version: str) -> set[str]:
        """Property names ``$select`` accepts."""
        return set(self.props_for(version)) | set(self.navigation)

    def filter_names(self, version: str) -> set[str]:
        """Primitive properties ``$filter`` may compare with ``eq``."""
        props = self.props_for(version)
        return {k for k, p in props.items() if p.kind in ("string", "bool", "int", "enum") and not p.write_only}


def string_prop(**kw: Any) -> Prop:
    return Prop("string", **kw)


def bool_prop(**kw: Any) -> Prop:
    return Prop("bool", **kw)


def int_prop(**kw: Any) -> Prop:
    return Prop("int", **kw)


def enum_prop(enum: EnumType, **kw: Any) -> Prop:
    return Prop("enum", enum=enum, **kw)


_EDM = {"string": "Edm.String", "bool": "Edm.Boolean", "int": "Edm.Int32", "strings": "Collection(Edm.String)"}


# --------------------------------------------------------------------------- payload checks
def _type_label(prop: Prop) -> str:
    if prop.kind == "enum" and prop.enum is not None:
        return prop.enum.name
    if prop.kind == "collection":
        return f"Collection({prop.type_name})"
    return prop.type_name or _EDM.get(prop.kind, "Edm.Untyped")


def _literal(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _is_valid_scalar(prop: Prop, value: Any, version: str) -> bool:
    if prop.kind == "string":
        return isinstance(value, str)
    if prop.kind == "bool":
        return isinstance(value, bool)
    if prop.kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if prop.kind == "enum":
        assert prop.enum is not None
        return isinstance(value, str) and value in prop.enum.members(version) and value != "unknownFutureValue"
    if prop.kind == "strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return True


def check_value(name: str, prop: Prop, value: Any, version: str) -> Any:
    """Check one input value against its property; return the normalised value."""
    if value is None:
        if not prop.nullable:
            raise BadRequest(NULL_NOT_ALLOWED_MSG.format(name=name, type=_type_label(prop)))
        return None
    bad = BadRequest(INVALID_VALUE_MSG.format(value=_literal(value), type=_type_label(prop)))
    if prop.kind == "object":
        if not isinstance(value, dict):
            raise bad
        return check_object(prop, value, version)
    if prop.kind == "collection":
        if not isinstance(value, list):
            raise bad
        item = Prop("object", fields=prop.fields, type_name=prop.type_name)
        return [check_value(name, item, v, version) for v in value]
    if not _is_valid_scalar(prop, value, version):
        raise bad
    return value


def check_object(prop: Prop, value: dict[str, Any], version: str) -> dict[str, Any]:
    """Check a complex value; unknown keys are refused, ``@odata.*`` annotations dropped."""
    if prop.fields is None:
        return dict(value)
    allowed = {k: p for k, p in prop.fields.items() if version == BETA or not p.beta}
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key.startswith("@odata."):
            continue
        if key not in allowed:
            raise BadRequest(UNKNOWN_PROPERTY_MSG.format(name=key, type=prop.type_name))
        if allowed[key].read_only:
            continue
        out[key] = check_value(key, allowed[key], item, version)
    return out


def check_odata_type(body: Mapping[str, Any], expected: str) -> None:
    """An ``@odata.type`` annotation, when sent, must name ``expected`` (``#`` optional, any case)."""
    value = body.get("@odata.type")
    if value is None:
        return
    if not isinstance(value, str) or value.lstrip("#").lower() != expected.lstrip("#").lower():
        raise BadRequest(ODATA_TYPE_MISMATCH_MSG.format(value=value, expected=expected))


def writable_properties(etype: EntityType, body: Any, version: str) -> dict[str, Any]:
    """The writable properties of a create/update body; read-only ones are ignored."""
    if not isinstance(body, dict):
        raise BadRequest(INVALID_JSON_MSG)
    check_odata_type(body, "#" + etype.name)
    props = etype.props_for(version)
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key.startswith("@odata.") or key in etype.navigation:
            continue
        if key not in props:
            raise BadRequest(UNKNOWN_PROPERTY_MSG.format(name=key, type=etype.name))
        if props[key].read_only:
            continue
        out[key] = check_value(key, props[key], value, version)
    return out


def require(data: Mapping[str, Any], names: Iterable[str]) -> None:
    """Each of ``names`` must be present and not ``""`` (the create page's required properties)."""
    for name in names:
        if name not in data or data[name] == "":
            raise BadRequest(REQUIRED_PROPERTY_MSG.format(name=name))


# --------------------------------------------------------------------------- rendering
def _render_enum(enum: EnumType, value: Any, version: str, include_unknown: bool) -> Any:
    if value is None:
        return None
    members = enum.members(version)
    if value not in members:
        return "unknownFutureValue"
    if "unknownFutureValue" in members and members.index(value) > members.index("unknownFutureValue") and not include_unknown:
        return "unknownFutureValue"
    return value


def _render_value(prop: Prop, value: Any, version: str, include_unknown: bool) -> Any:
    if prop.write_only:
        return None
    if value is None:
        return None
    if prop.kind == "enum":
        assert prop.enum is not None
        return _render_enum(prop.enum, value, version, include_unknown)
    if prop.kind == "object" and prop.fields is not None and isinstance(value, dict):
        return render_fields(prop.fields, value, version, include_unknown)
    if prop.kind == "collection" and prop.fields is not None and isinstance(value, list):
        return [render_fields(prop.fields, v, version, include_unknown) for v in value]
    return value


def render_fields(fields: Mapping[str, Prop], value: dict[str, Any], version: str, include_unknown: bool) -> dict[str, Any]:
    """The wire form of a complex value (or of an entity's properties)."""
    out = {k: v for k, v in value.items() if k.startswith("@odata.")}
    for key, prop in fields.items():
        if prop.beta and version != BETA:
            continue
        out[key] = _render_value(prop, value.get(key), version, include_unknown)
    return out


def render(
    etype: EntityType,
    entity: Mapping[str, Any],
    *,
    version: str,
    include_unknown: bool = False,
    select: list[str] | None = None,
    expand: Iterable[str] = (),
    navigation: Mapping[str, EntityType] | None = None,
) -> dict[str, Any]:
    """The wire form of a stored entity for ``version``.

    Beta-only properties are dropped on v1.0; enum members a version doesn't know, and evolvable
    members without ``Prefer: include-unknown-enum-members``, become ``unknownFutureValue``;
    navigation properties (typed by ``navigation``) appear only when expanded; ``$select``
    always keeps ``id``.
    """
    props = etype.props_for(version)
    if select is None:
        names = [k for k, p in props.items() if not p.select_only]
    else:
        names = ["id"] + [n for n in select if n != "id" and n in props]
    out = {name: _render_value(props[name], entity.get(name), version, include_unknown) for name in names}
    for nav in expand:
        ntype = (navigation or {})[nav]
        out[nav] = [render_fields(ntype.props, item, version, include_unknown) for item in entity.get(nav) or []]
    return out


def now_iso(ts: float | None = None) -> str:
    """An ISO 8601 UTC timestamp with seconds, as Graph writes ``DateTimeOffset`` values."""
    moment = datetime.fromtimestamp(time.time() if ts is None else ts, tz=timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
