""""Apply to existing Cloud PCs": Graph's beta ``apply`` action on a provisioning policy.

A change of region (the network) or single sign-on reaches only Cloud PCs provisioned
afterwards, unless the policy's ``apply`` action runs
(https://learn.microsoft.com/graph/api/cloudpcprovisioningpolicy-apply?view=graph-rest-beta,
"Apply to existing Cloud PCs" in https://learn.microsoft.com/windows-365/enterprise/create-provisioning-policy).
``policySettings`` names what changed: ``region``, ``singleSignOn``, or both
(``region,singleSignOn``: ``cloudPcPolicySettingType`` is a flags enum), so one call per policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from w365_provider.graph.client import GraphRuntime
from w365_provider.kit import drift

from .spec import SPEC

__all__ = ["REGION", "SINGLE_SIGN_ON", "apply", "apply_body", "changed_settings"]

REGION, SINGLE_SIGN_ON = "region", "singleSignOn"


def changed_settings(olds: Mapping[str, Any], desired: Mapping[str, Any]) -> list[str]:
    """What an update from ``olds`` (outputs: Graph's values) to ``desired`` changes that existing
    Cloud PCs only get through ``apply``: ``region`` (the network), ``singleSignOn``."""
    if not olds:
        return []
    found = []
    joins = desired.get("domain_join_configurations")
    if joins is not None and drift.project(olds.get("domain_join_configurations"), joins) != joins:
        found.append(REGION)
    if bool(olds.get("enable_single_sign_on")) != bool(desired.get("enable_single_sign_on")):
        found.append(SINGLE_SIGN_ON)
    return found


def apply_body(settings: list[str], options: Mapping[str, Any]) -> dict[str, Any]:
    """The body of ``POST .../apply`` for ``settings`` and the program's options."""
    body: dict[str, Any] = {"policySettings": ",".join(settings)}
    if options.get("reserve_percentage") is not None:
        body["reservePercentage"] = int(options["reserve_percentage"])  # the engine passes numbers as floats
    if options.get("force_user_logoff") is not None:
        body["isForceUserLogoffEnabled"] = bool(options["force_user_logoff"])
    return body


async def apply(rt: GraphRuntime, policy_id: str, name: str, settings: list[str], options: Mapping[str, Any]) -> None:
    """``POST .../provisioningPolicies/{id}/apply`` (beta; 204). Idempotent: applying the same
    settings twice leaves Cloud PCs as once."""
    url = f"{rt.settings.graph_url}/deviceManagement/virtualEndpoint/provisioningPolicies/{policy_id}/apply"
    await rt.send(
        "POST", lambda client: SPEC.item(client, policy_id).assign.with_url(url),
        operation=f"apply {' and '.join(settings)} of {SPEC.noun} '{name}' ({policy_id}) to existing Cloud PCs",
        body=apply_body(settings, options), idempotent=True,
    )  # fmt: skip
