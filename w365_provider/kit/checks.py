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

from w365_provider.kit.spec import Spec
from w365_provider.kit.types import is_unknown

__all__ = ["Fail", "Rules", "validate"]

Fail = Callable[[str, str], None]
"""Reports one broken rule: ``fail(property, reason)``."""

Rules = Callable[[Mapping[str, Any], Fail], None]
"""A resource's own rules: ``rules(props, fail)``."""


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
