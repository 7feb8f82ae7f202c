"""The provisioning policy's own Graph steps, on top of the kit's generic provider.

Graph calls (each retried per ``graph/retry.py``):

- check, on beta only: one list of the tenant's ``supportedRegions`` per provider process, when
  a region is new or changed (``tenant_rules``); the people warning's reads when assignments change.
- create: POST; then ``assign`` only when assignments are given. Before the first create of a
  provider process, one list of ids and names (the ownership snapshot, see ``kit/ownership.py``).
  With ``adopt=True``: one list by display name first. If ``assign`` fails, the new policy is
  deleted before the error is raised.
- read: GET ``?$expand=assignments``; a 404 confirmed by a second GET means the policy is gone.
- update: PATCH with only the changed updatable properties; ``assign`` only when the
  assignments changed; a GET afterwards only when the image changed and Graph names it.
- delete: ``assign`` with no assignments when assigned, then DELETE; 404 counts as done.
  A DELETE refused while assignment removal settles, or answered 500, is sent again with
  backoff, no fixed sleep.

Graph does not enforce unique display names and neither does this resource, unless
``adopt=True`` asks to take over a policy of the same name: looking first would cost a Graph
call on every create. A policy that had the name before a create began is never taken over.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.dynamic import CheckFailure, UpdateResult

from w365_provider.errors import ConfigurationError, GraphError, GraphNotFoundError
from w365_provider.graph.client import GraphRuntime
from w365_provider.kit import BETA, LAST_APPLIED, V1, checks, drift, mapping, steps
from w365_provider.kit.checks import Fail
from w365_provider.kit.provider import SpecProvider
from w365_provider.lookups.regions import check_region_name
from w365_provider.lookups.tenant_regions import supported_regions_of, tenant_region_problem
from w365_provider.resources import assignments as shared_assignments

from . import apply as policy_apply
from . import rules as policy_rules
from .spec import ASSIGNMENT, SPEC

__all__ = [
    "ProvisioningPolicyProvider",
    "assignments_from_graph",
    "assignments_to_graph",
    "policy_from_graph",
    "policy_to_graph",
]

LEGACY_MODULE = "w365_provider.provisioning_policy"
"""Where existing stacks' state names the provider class (it is pickled by reference)."""


def normalize(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs in one canonical form, so equal intents compare equal.

    Drops ``None`` (also inside nested values), lower-cases GUIDs (a custom image id too),
    spells enums as Graph does, sorts assignments by group id and defaults
    ``provisioning_type`` to ``dedicated``. Unknown values are kept as they are.
    """
    return policy_rules.normalize_extra(mapping.normalize(SPEC, props))


def policy_to_graph(props: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """Graph JSON for the properties ``names`` of ``props`` (``None`` becomes JSON null)."""
    return mapping.to_graph(SPEC, props, names)


def assignments_to_graph(assignments: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The body of ``POST .../assign`` for ``assignments`` (replaces the whole set)."""
    return shared_assignments.to_graph(ASSIGNMENT, assignments)


def assignments_from_graph(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Assignments as Pulumi values from the ``assignments`` Graph returns with ``$expand``."""
    return shared_assignments.from_graph(ASSIGNMENT, items)


def policy_from_graph(body: Mapping[str, Any]) -> dict[str, Any]:
    """Pulumi properties (normalized, ``None`` dropped) from a policy's Graph JSON."""
    props = mapping.from_graph(SPEC, body)
    if "assignments" in body:
        props["assignments"] = assignments_from_graph(body.get("assignments") or [])
    return normalize(props)


class ProvisioningPolicyProvider(SpecProvider):
    """Dynamic provider for ``ProvisioningPolicy`` (pickled empty; see ``GraphProvider``)."""

    spec = SPEC
    left_behind = (
        "The new {noun} {id} could not be deleted again ({error}); delete it by hand or run again with adopt=True."
    )

    # -- what the table cannot say ---------------------------------------------------------

    def api_version(self) -> str:
        """The Graph version ``w365:graphUrl`` names (``v1.0`` when the settings cannot be read:
        the run itself reports that)."""
        try:
            return self.settings().api_version
        except ConfigurationError:
            return V1

    def rules(self, props: Mapping[str, Any], fail: Fail) -> None:
        """On beta, regions are the tenant's list's (``tenant_rules``); on v1.0 the documented list's."""
        version = self.api_version()
        policy_rules.rules(props, fail, regions=version != BETA)
        checks.check_versions(SPEC, props, version, fail, checks.SWITCH_TO_BETA)

    def tenant_rules(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[CheckFailure]:
        """On beta, each new or changed ``region_name`` against the tenant's supported regions
        (one Graph read per provider process; the documented list, with a warning, when that
        read fails). Unchanged regions are not looked at, so a no-op preview reads nothing."""
        changed = policy_rules.changed_regions(olds, news) if self.api_version() == BETA else []
        if not changed:
            return []
        regions, warning = supported_regions_of(self).get(self.settings())
        if warning:
            print(warning, file=sys.stderr, flush=True)
        failures = []
        for where, region in changed:
            reason = check_region_name(region) if regions is None else tenant_region_problem(region, regions)
            if reason is not None:
                failures.append(CheckFailure("domain_join_configurations", f"{where}: region_name {reason}"))
        return failures

    def warning(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> str | None:
        """Deprecation and reprovisioning warnings, then the effect on people when the
        assignments change (``impact.policy_warnings``: Graph is read only then, so a no-op
        preview makes no request). Never fails a preview: an error becomes a note."""
        found = [policy_rules.deprecation_warning(news), policy_rules.reprovision_warning(olds, news)]
        found += self.people_warnings(olds, news)
        return "\n".join(w for w in found if w) or None

    def people_warnings(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """One line per policy with assigned members who get no Cloud PC from it (unlicensed,
        already covered by an earlier-assigned policy, or short of Frontline licences)."""
        if ((olds or {}).get("assignments") or []) == (news.get("assignments") or []):
            return []  # unchanged: the analysis is not even loaded (the provider's start-up)
        try:
            from w365_provider.impact import policy_warnings

            return policy_warnings(self.settings(), olds, news, reads=self._tenant_reads())
        except Exception as exc:  # noqa: BLE001 - a warning must never fail a preview
            name = news.get(SPEC.name_property) or olds.get(SPEC.name_property)
            return [f"note: {SPEC.noun} '{name}': the effect on people was not checked ({type(exc).__name__}: {exc})"]

    def _tenant_reads(self) -> Any:
        """The process's shared reads of the tenant for the people warnings (``impact.TenantReads``)."""
        from w365_provider.impact.warnings import TenantReads

        return self.kept("people_reads", TenantReads)

    def normalize(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return normalize(props)

    def observe(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return policy_from_graph(body)

    # -- extra Graph steps -----------------------------------------------------------------

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """The kit's update, then "Apply to existing Cloud PCs" when the program asks for it and
        region or single sign-on changed (one ``apply`` call; never on create or a no-op).

        A failed apply fails the step, and the engine keeps the old state, so the next ``up``
        asks for the same update again. That is why, on this path only, the policy is read first
        and the PATCH planned against what Graph holds: after a failed apply Graph already has
        the new values, so the retry sends no PATCH, only the ``apply``."""
        desired = self.inputs_of(news)
        settings = policy_apply.changed_settings(olds, desired)
        if not settings or desired.get("apply_to_existing_cloud_pcs") is None:
            return super().update(id_, olds, news)
        rt = self._runtime()
        current = rt.run(steps.get_confirmed(rt, SPEC, id_))
        if current is not None:  # Graph's values, with what the state knows of the inputs last written
            observed = self.outputs(self.observe(current), olds.get(LAST_APPLIED) or self.inputs_of(olds))
            olds = {**olds, **observed}
        result = super().update(id_, olds, news)
        name = str(desired.get(SPEC.name_property) or id_)
        rt.run(policy_apply.apply(rt, id_, name, settings, desired["apply_to_existing_cloud_pcs"]))
        return result

    async def after_create(
        self, rt: GraphRuntime, created: Mapping[str, Any], observed: dict[str, Any], desired: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Assign the new policy when assignments are given."""
        wanted = desired.get("assignments") or []
        if wanted and drift.project(observed.get("assignments") or [], wanted) != wanted:
            await assign(rt, observed["policy_id"], str(desired["display_name"]), wanted)
        observed["assignments"] = list(wanted) if wanted else observed.get("assignments") or []
        return observed

    async def write_action(self, rt: GraphRuntime, object_id: str, label: str, name: str, value: Any) -> None:
        """Assignments changed: assign the whole new set."""
        await assign(rt, object_id, label, value)

    async def after_patch(
        self, rt: GraphRuntime, object_id: str, patched: list[str], desired: Mapping[str, Any], observed: dict[str, Any]
    ) -> None:
        """When the image changed and the program leaves its name to Graph, read the new name."""
        if {"image_id", "image_type"} & set(patched) and "image_display_name" not in desired:
            refreshed = await steps.get_confirmed(rt, SPEC, object_id)
            if refreshed is not None:
                observed["image_display_name"] = policy_from_graph(refreshed).get("image_display_name")

    async def remove(self, rt: GraphRuntime, object_id: str, name: str, props: Mapping[str, Any]) -> None:
        """Unassign when assigned, then DELETE, polling while Graph still sees assignments."""
        unassigned = False
        if props.get("assignments"):
            try:
                await assign(rt, object_id, name, [])
            except GraphNotFoundError:
                return
            unassigned = True

        async def refused(_exc: GraphError) -> bool:
            nonlocal unassigned
            if not unassigned:  # assigned out of band since the last refresh?
                current = await steps.get_confirmed(rt, SPEC, object_id)
                if current is None:
                    return False
                if current.get("assignments"):
                    await assign(rt, object_id, name, [])
                unassigned = True
            return True

        await steps.delete_object(rt, SPEC, object_id, name, refused=refused)


ProvisioningPolicyProvider.__module__ = LEGACY_MODULE


async def assign(rt: GraphRuntime, policy_id: str, name: str, assignments: Sequence[Mapping[str, Any]]) -> None:
    """``POST .../assign``: replace the policy's assignments with ``assignments``."""
    what = "unassign" if not assignments else f"assign {len(assignments)} group(s) to"
    await rt.send(
        "POST", lambda client: SPEC.item(client, policy_id).assign,
        operation=f"{what} {SPEC.noun} '{name}' ({policy_id})",
        body=assignments_to_graph(assignments), idempotent=True,
    )  # fmt: skip
