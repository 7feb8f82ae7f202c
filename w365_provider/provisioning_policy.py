"""Where ``ProvisioningPolicy`` used to live; kept because existing stacks' state names
``w365_provider.provisioning_policy.ProvisioningPolicyProvider`` (the provider is pickled by
reference), and because the stack-config layer checks policies with ``normalize`` and
``validate`` from here.

The resource is in ``w365_provider.resources.provisioning_policy``; this module re-exports it
and the names other code imports (mapping, normalization, rules and planning functions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure

from w365_provider.kit import checks, drift
from w365_provider.kit.spec import LAST_APPLIED
from w365_provider.kit.types import is_unknown
from w365_provider.resources.provisioning_policy import (
    SPEC,
    AssignmentArgs,
    AutopatchArgs,
    DomainJoinConfigurationArgs,
    MicrosoftManagedDesktopArgs,
    ProvisioningPolicy,
    ProvisioningPolicyProvider,
    WindowsSettingArgs,
)
from w365_provider.resources.provisioning_policy.provider import (
    assignments_from_graph,
    assignments_to_graph,
    normalize,
    policy_from_graph,
    policy_to_graph,
)
from w365_provider.resources.provisioning_policy.rules import REPROVISION_WARNED, reprovision_warning, rules

__all__ = [
    "COMPUTED",
    "INPUTS",
    "LAST_APPLIED",
    "OUTPUTS",
    "REPLACE_ON_CHANGES",
    "REPROVISION_WARNED",
    "SENT_ON_CREATE",
    "UPDATABLE",
    "AssignmentArgs",
    "AutopatchArgs",
    "DomainJoinConfigurationArgs",
    "MicrosoftManagedDesktopArgs",
    "ProvisioningPolicy",
    "ProvisioningPolicyProvider",
    "WindowsSettingArgs",
    "_policies",
    "assignments_from_graph",
    "assignments_to_graph",
    "is_unknown",
    "matches",
    "normalize",
    "observed_inputs",
    "outputs",
    "plan_update",
    "policy_from_graph",
    "policy_to_graph",
    "project",
    "reprovision_warning",
    "shape",
    "validate",
]

REQUIRED = SPEC.required
SENT_ON_CREATE = SPEC.sent_on_create
UPDATABLE = SPEC.updatable
REPLACE_ON_CHANGES = list(SPEC.replace_on_changes)
CLEARED_WHEN_REMOVED = SPEC.cleared_when_removed
COMPUTED = SPEC.computed
INPUTS = SPEC.inputs
OUTPUTS = SPEC.outputs
GRAPH_NAMES = dict(SPEC.graph_names)
_policies = SPEC.collection
project = drift.project
shape = drift.shape


def validate(props: Mapping[str, Any], *, regions: bool = True) -> list[CheckFailure]:
    """Every rule broken by (normalized) ``props``; unknown values are skipped. ``regions=False``
    leaves ``region_name`` to the tenant's supported regions (beta: the provider's check)."""
    return checks.validate(SPEC, props, lambda p, fail: rules(p, fail, regions=regions))


def observed_inputs(observed: Mapping[str, Any], managed: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs that would describe ``observed``, for the properties in ``managed``."""
    return drift.observed_inputs(SPEC, observed, managed)


def matches(observed: Mapping[str, Any], managed: Mapping[str, Any]) -> bool:
    """True when Graph's ``observed`` policy has every value the program sets in ``managed``."""
    return drift.matches(SPEC, observed, managed)


def outputs(observed: Mapping[str, Any], applied: Mapping[str, Any]) -> dict[str, Any]:
    """The resource outputs: Graph's values, ``adopt`` and ``last_applied``."""
    return drift.outputs(SPEC, observed, applied)


def plan_update(
    olds: Mapping[str, Any], desired: Mapping[str, Any]
) -> tuple[list[str], list[str], list[dict[str, Any]] | None]:
    """``(patch, cleared, assignments)`` of an update: properties to PATCH with their desired
    value, properties to PATCH back to their default, the assignments to post (``None`` when
    they do not change)."""
    plan = drift.plan_update(SPEC, olds, desired)
    return plan.patch, plan.cleared, plan.actions.get("assignments")
