"""The user setting's own Graph steps, on top of the kit's generic provider.

Graph calls (each retried per ``graph/retry.py``):

- create: POST; then ``assign`` only when assignments are given (an ``assign`` failure deletes
  the new setting again). With ``adopt=True``: one list by display name first.
- read: GET ``?$expand=assignments``; 404 means the setting is gone.
- update: one PATCH with only the changed properties; ``assign`` only when assignments changed.
- delete: ``assign`` with no assignments when assigned, then DELETE; 404 counts as done.

Graph's version is the one ``w365:graphUrl`` names, as for every resource: a beta-only
property against v1.0 is refused at preview, naming the property and how to switch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from w365_provider.graph.client import GraphRuntime, Locate
from w365_provider.kit import drift, mapping
from w365_provider.kit.checks import Fail
from w365_provider.kit.provider import SpecProvider
from w365_provider.kit.spec import Spec
from w365_provider.resources import assignments as assigning

from . import rules as setting_rules
from .spec import ASSIGNMENT, SPEC

__all__ = ["UserSettingProvider", "setting_from_graph"]


def setting_from_graph(body: Mapping[str, Any], spec: Spec = SPEC) -> dict[str, Any]:
    """Pulumi properties (normalized, ``None`` dropped) from a user setting's Graph JSON."""
    props = mapping.from_graph(spec, body)
    if "assignments" in body:
        props["assignments"] = assigning.from_graph(ASSIGNMENT, body.get("assignments") or [])
    return mapping.normalize(spec, props)


class UserSettingProvider(SpecProvider):
    """Dynamic provider for ``UserSetting`` (pickled empty; see ``GraphProvider``)."""

    spec = SPEC

    def rules(self, props: Mapping[str, Any], fail: Fail) -> None:
        setting_rules.rules(props, fail)
        self.check_versions(props, fail)

    def observe(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return setting_from_graph(body, self.spec)

    def assign_at(self, object_id: str) -> Locate:
        """Where the ``assign`` action of the setting ``object_id`` is."""
        return lambda client: SPEC.item(client, object_id).assign

    async def after_create(
        self, rt: GraphRuntime, created: Mapping[str, Any], observed: dict[str, Any], desired: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Assign the new setting when assignments are given."""
        wanted = desired.get("assignments") or []
        if wanted and drift.project(observed.get("assignments") or [], wanted) != wanted:
            object_id = observed[self.spec.id_name]
            await assigning.assign(rt, self.spec, self.assign_at(object_id), object_id, str(desired["display_name"]),
                                   ASSIGNMENT, wanted)  # fmt: skip
        observed["assignments"] = list(wanted) if wanted else observed.get("assignments") or []
        return observed

    async def write_action(self, rt: GraphRuntime, object_id: str, label: str, name: str, value: Any) -> None:
        """Assignments changed: assign the whole new set."""
        await assigning.assign(rt, self.spec, self.assign_at(object_id), object_id, label, ASSIGNMENT, value)

    async def remove(self, rt: GraphRuntime, object_id: str, name: str, props: Mapping[str, Any]) -> None:
        """Unassign when assigned, then DELETE."""
        await assigning.remove_assigned(rt, self.spec, self.assign_at(object_id), object_id, name, ASSIGNMENT,
                                        bool(props.get("assignments")))  # fmt: skip

