"""What Graph holds, compared with what the program manages: projection for refresh and drift,
the plan of an update, the outputs, and whether an object found by name is the one wanted.

The program manages only the properties and nested keys it sets. ``last_applied`` (an output)
keeps their shape, so a refresh reports as inputs exactly those, as Graph holds them now: a
value Graph derives (a region group) is never drift, a value changed in the portal is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from w365_provider.errors import GraphConflictError
from w365_provider.kit.spec import LAST_APPLIED, Fill, Spec

__all__ = ["Plan", "is_default", "matches", "observed_inputs", "outputs", "plan_update", "project", "shape", "strays"]


def shape(value: Any) -> Any:
    """``value`` with every leaf replaced by ``True``: which properties and nested keys are set.

    That is all ``project`` and ``plan_update`` need of the inputs last written, and the state
    stays small (the engine rewrites the whole state after every step). Not ``None``: the engine
    drops null values from nested objects, and with them the keys."""
    if isinstance(value, Mapping):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return True


def project(observed: Any, managed: Any) -> Any:
    """``observed`` limited to the shape of ``managed``: nested keys the program does not set
    (values Graph derives, such as ``region_group``) are left out."""
    if isinstance(observed, dict) and isinstance(managed, dict):
        return {key: project(value, managed[key]) for key, value in observed.items() if key in managed}
    if isinstance(observed, list) and isinstance(managed, list):
        return [project(item, managed[i]) if i < len(managed) else item for i, item in enumerate(observed)]
    return observed


def observed_inputs(spec: Spec, observed: Mapping[str, Any], managed: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs that would describe ``observed``, for the properties in ``managed``."""
    inputs: dict[str, Any] = {}
    for name, want in managed.items():
        prop = spec.get(name)
        if prop is None or not prop.is_input:
            continue
        if prop.graph is None:
            inputs[name] = want  # the provider's own input: Graph knows nothing of it
        elif observed.get(name) is not None:
            inputs[name] = project(observed[name], want)
        elif prop.absent is not None:
            inputs[name] = prop.absent
    for name in spec.owned:
        if name not in managed and strays(observed.get(name), spec.by_name[name].default):
            inputs[name] = observed[name]  # set out of band: the program's unset means Graph's default
    return inputs


def _meaningful(value: Any) -> Any:
    """``value`` with empty text, lists and objects (and keys holding them) taken as absent."""
    if isinstance(value, Mapping):
        kept = {k: _meaningful(v) for k, v in value.items()}
        kept = {k: v for k, v in kept.items() if v is not None}
        return kept or None
    if isinstance(value, list):
        return [_meaningful(v) for v in value] or None
    return None if value == "" else value


def is_default(value: Any, default: Any) -> bool:
    """True when Graph's ``value`` is its ``default`` (empty text, lists and objects count as absent)."""
    return _meaningful(value) == _meaningful(default)


def strays(value: Any, default: Any) -> bool:
    """True when Graph holds a value (``value``, not absent: a property v1.0 lacks never strays)
    other than its ``default``."""
    return _meaningful(value) is not None and not is_default(value, default)


def matches(spec: Spec, observed: Mapping[str, Any], managed: Mapping[str, Any]) -> bool:
    """True when Graph's ``observed`` object has every value the program sends in ``managed``."""
    return all(
        project(observed.get(name), want) == want for name, want in managed.items() if name in spec.sent_on_create
    )


@dataclass(frozen=True)
class Plan:
    """What an update sends: properties to PATCH with their desired value, properties to PATCH
    back to Graph's default, and the value each action property must be written with."""

    patch: list[str]
    cleared: list[str]
    actions: dict[str, Any]


def plan_update(spec: Spec, olds: Mapping[str, Any], desired: Mapping[str, Any]) -> Plan:
    """Compare the ``desired`` inputs with ``olds`` (outputs, ``last_applied`` among them).

    Raises ``GraphConflictError`` for a change Graph cannot make (a replacement the engine
    should have planned from ``replace_on_changes``).
    """
    managed_before = olds.get(LAST_APPLIED) or {}
    for name in spec.replace_on_changes:
        if name in desired and olds.get(name) is not None and desired[name] != olds.get(name):
            raise GraphConflictError(
                f"update {spec.noun} '{desired.get(spec.name_property)}'",
                message=f"{name} cannot change after the {spec.short} is created ({olds.get(name)!r} -> "
                f"{desired[name]!r}); the {spec.short} must be replaced",
            )
    patch = [n for n in spec.updatable if n in desired and project(olds.get(n), desired[n]) != desired[n]]
    owned = set(spec.owned)
    cleared = [
        name for name, default in spec.cleared_when_removed.items()
        if name not in desired and (
            (name in managed_before and not is_default(olds.get(name), default))
            or (name in owned and strays(olds.get(name), default))
        )
    ]  # fmt: skip
    actions: dict[str, Any] = {}
    for name in spec.actions:
        if name in desired:
            if project(olds.get(name) or [], desired[name]) != desired[name]:
                actions[name] = list(desired[name])
        elif (name in managed_before or name in owned) and olds.get(name):
            actions[name] = spec.by_name[name].absent
    return Plan(patch, cleared, actions)


def outputs(spec: Spec, observed: Mapping[str, Any], applied: Mapping[str, Any]) -> dict[str, Any]:
    """The resource outputs: Graph's values for every output, the provider's own inputs as
    ``applied`` gives them and, when the spec tracks it, ``last_applied`` (the shape of the
    inputs last written, with the provider's own inputs by value)."""
    outs = {name: observed.get(name) for name in spec.outputs}
    for name in spec.outputs:
        prop = spec.get(name)
        if prop is None:
            continue
        if prop.graph is None:
            if name not in applied and prop.fill is Fill.NONE:
                del outs[name]  # an input of the provider the program did not give (a DeviceImage's adopt)
                continue
            value = applied.get(name, prop.default)
            outs[name] = bool(value) if isinstance(prop.default, bool) and not isinstance(value, str) else value
        elif outs[name] is None and prop.absent is not None:
            outs[name] = observed.get(name) or prop.absent
    if spec.track_applied:
        own = {name: outs[name] for name in spec.provider_only if name in applied}
        outs[LAST_APPLIED] = {**shape(applied), **own}
    return outs
