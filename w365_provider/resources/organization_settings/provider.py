"""The organization settings' own Graph steps: a singleton is never created nor deleted.

Graph calls (each retried per ``graph/retry.py``):

- create: one GET, then one PATCH of the properties the program sets that differ (the settings
  always exist; no PATCH when none differs, so an exported stack takes them over without a write);
- read: GET; update: one PATCH of the changed properties;
- delete: no Graph call at all: the resource stops managing the settings and leaves the tenant
  as it is (a note says so).

The entity exists only in Graph beta: with a ``w365:graphUrl`` on v1.0 the resource is refused
at preview, with how to switch. Its requests always go to the beta root of that host.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckResult

from w365_provider.graph.client import GraphRuntime
from w365_provider.kit import checks, mapping, steps
from w365_provider.kit.provider import SpecProvider

from .spec import SPEC

__all__ = ["DELETE_NOTE", "SINGLETON_ID", "OrganizationSettingsProvider"]

SINGLETON_ID = "organizationSettings"
"""The resource id (Graph's singleton has no id of its own that the program needs)."""
DELETE_NOTE = (
    "note: organization settings: removing OrganizationSettings stops managing the tenant's Windows 365 "
    "organization settings and leaves them as they are (Graph has no delete for them)"
)


class OrganizationSettingsProvider(SpecProvider):
    """Dynamic provider for ``OrganizationSettings`` (pickled empty; see ``GraphProvider``)."""

    spec = SPEC
    creates = False

    def rules(self, props: Mapping[str, Any], fail: checks.Fail) -> None:
        """The organization settings exist only in Graph beta: refused at preview against v1.0."""
        checks.check_beta_entity(SPEC, self.api_version(), fail)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """The table's checks; on the first preview, the note of what a delete does."""
        if not self.inputs_of(olds):
            print(DELETE_NOTE, file=sys.stderr, flush=True)
        return super().check(olds, news)

    async def create_object(self, rt: GraphRuntime, desired: dict[str, Any]) -> dict[str, Any]:
        """Take the tenant's settings over: one GET, then one PATCH of what the program sets
        differently (none when the tenant already has it, as after ``w365 export``)."""
        body = await steps.get_confirmed(rt, SPEC, SINGLETON_ID) or {}
        observed = self.observe(body)
        names = [n for n in SPEC.updatable if n in desired and observed.get(n) != desired[n]]
        if names:
            await rt.send("PATCH", steps.locate(SPEC, SINGLETON_ID), operation=f"update {SPEC.noun}",
                          body=mapping.to_graph(SPEC, desired, names))  # fmt: skip
        observed.update({n: desired[n] for n in names})
        observed[SPEC.id_name] = SINGLETON_ID
        return self.outputs(observed, desired)

    def read(self, id_: str, props: dict[str, Any]) -> Any:
        result = super().read(id_, props)
        if result.id:
            result.outs[SPEC.id_name] = SINGLETON_ID
            result.id = SINGLETON_ID
        return result

    def observe(self, body: Mapping[str, Any]) -> dict[str, Any]:
        observed = super().observe(body)
        observed[SPEC.id_name] = SINGLETON_ID
        return observed

    async def remove(self, rt: GraphRuntime, object_id: str, name: str, props: Mapping[str, Any]) -> None:
        """Stop managing: no Graph call; the tenant keeps its settings."""
        print(DELETE_NOTE, file=sys.stderr, flush=True)
