"""The checks a spec's table can express, applied to (normalized) inputs, before any Graph call.

Per property: required, then its type's rules (text, length, forbidden characters, pattern,
enum members, GUID form, nested objects and their required and unknown keys, list entries).
A resource adds the rules the table cannot express (``Rules``: its ``rules.py``). Unknown
values (preview) are skipped. Each broken rule is one ``CheckFailure(property, reason)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi.dynamic import CheckFailure

from w365_provider.kit.spec import BETA, Property, Spec
from w365_provider.kit.types import Enum, ListOf, Object, ValueType, is_unknown

__all__ = ["SWITCH_TO_BETA", "Fail", "Rules", "check_beta_entity", "check_versions", "validate"]

Fail = Callable[[str, str], None]
"""Reports one broken rule: ``fail(property, reason)``."""

Rules = Callable[[Mapping[str, Any], Fail], None]
"""A resource's own rules: ``rules(props, fail)``."""

SWITCH_TO_BETA = (
    "; to use it, set w365:graphUrl to Graph's beta root (https://graph.microsoft.com/beta, or the "
    "emulator's http://127.0.0.1:8765/beta)"
)
"""How to switch, appended to the refusal of a beta-only property, value or resource against v1.0."""


def validate(spec: Spec, props: Mapping[str, Any], rules: Rules | None = None) -> list[CheckFailure]:
    """Every rule broken by (normalized) ``props``: the table's, then the resource's."""
    failures: list[CheckFailure] = []

    def fail(prop: str, reason: str) -> None:
        failures.append(CheckFailure(prop, reason))

    for prop in spec:
        if not prop.is_input:
            continue
        value = props.get(prop.name)
        if value is None:
            if prop.required:
                fail(prop.name, "is required")
            continue
        if not is_unknown(value):
            prop.type.check(value, lambda reason, name=prop.name: fail(name, reason))
    if rules is not None:
        rules(props, fail)
    return failures


def check_versions(spec: Spec, props: Mapping[str, Any], version: str, fail: Fail, switch: str = "") -> None:
    """Refuse what Graph's ``version`` does not have: a property (or nested key) only in beta,
    or a beta-only enum member. ``switch`` completes the reason with how to use beta."""
    if version == BETA:
        return
    for prop in spec:
        value = props.get(prop.name)
        if value is None or is_unknown(value):
            continue
        _versioned(prop, value, version, lambda reason, name=prop.name: fail(name, reason + switch), "")


def check_beta_entity(spec: Spec, version: str, fail: Fail, switch: str = SWITCH_TO_BETA) -> None:
    """Refuse a resource whose whole Graph entity exists only in beta when Graph's ``version``
    is not beta (one failure, not one per property)."""
    if version != BETA:
        fail("", f"{spec.graph_type} ({spec.noun}) exists only in Microsoft Graph's beta API; "
                 f"the Graph root uses {version}{switch}")  # fmt: skip


def _versioned(prop: Property, value: Any, version: str, report: Callable[[str], None], where: str) -> None:
    if version not in prop.versions:
        what = "a beta property of Microsoft Graph" if prop.graph else "needs Microsoft Graph's beta API"
        report(f"{where}is {what}; the Graph root uses {version}".replace("is needs", "needs"))
        return
    _versioned_value(prop.type, value, version, report, where)


def _versioned_value(kind: ValueType, value: Any, version: str, report: Callable[[str], None], where: str) -> None:
    if isinstance(kind, Enum) and isinstance(value, str) and value in kind.beta_only:
        report(f"{where}{value!r} is a beta value of Microsoft Graph; the Graph root uses {version}")
    elif isinstance(kind, ListOf) and isinstance(value, list):
        for index, item in enumerate(value):
            label = f"{where}entry {index}: " if isinstance(kind.item, Object) else where
            _versioned_value(kind.item, item, version, report, label)
    elif isinstance(kind, Object) and isinstance(value, Mapping):
        for field in kind.fields:
            item = value.get(field.name)
            if item is not None and not is_unknown(item):
                _versioned(field, item, version, report, f"{where}{field.name} ")
