"""The Azure network connection's own Graph steps, on top of the kit's generic provider.

Graph calls (each retried per ``graph/retry.py``):

- create: the sign-in is checked first (app-only is refused before any write); POST; then
  ``runHealthChecks`` and GETs of the status until a verdict. Failed checks delete the new
  connection again and fail the step naming the check, its error and the recommended action.
- adopt (``adopt``: true or a Graph id): one list by display name, or one GET of the id; then as
  an update, the password not sent (Graph never returns it, so the code's is taken as the one).
- read: GET; 404 means the connection is gone. The password is write-only in Graph: it is kept
  from the last write (a secret output), never read.
- update: one PATCH of the changed properties; after a change of the network or the domain,
  the health checks again.
- delete: DELETE; refused while a provisioning policy uses the connection, with a message that
  names the policies (one list of policies, only then).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import ConfigureRequest, ReadResult

from w365_provider.errors import GraphConflictError, GraphError
from w365_provider.graph.client import GraphRuntime
from w365_provider.kit import steps
from w365_provider.kit.checks import Fail
from w365_provider.kit.provider import SpecProvider

from . import rules as connection_rules
from .health import DEFAULT_TIMEOUT_MINUTES, POLL_FIRST, run_health_checks
from .signin import require_delegated
from .spec import CHECKED_ON_CHANGE, PASSWORD, SPEC

__all__ = ["NetworkConnectionProvider", "policies_using"]


class NetworkConnectionProvider(SpecProvider):
    """Dynamic provider for ``NetworkConnection`` (pickled empty; see ``GraphProvider``)."""

    spec = SPEC
    rolled_back = "The new connection {id} was deleted again, so nothing was left behind."

    def configure(self, req: ConfigureRequest) -> None:
        """Settings as for every Graph provider, plus how long and how often to poll health checks."""
        super().configure(req)
        minutes = req.config.get("w365:healthCheckTimeoutMinutes")
        poll = req.config.get("w365:healthCheckPollSeconds")
        self._timeout = float(minutes) * 60 if minutes else DEFAULT_TIMEOUT_MINUTES * 60
        self._poll = float(poll) if poll else POLL_FIRST

    def rules(self, props: Mapping[str, Any], fail: Fail) -> None:
        connection_rules.rules(props, fail)

    def outputs(self, observed: Mapping[str, Any], applied: Mapping[str, Any]) -> dict[str, Any]:
        """Graph's values, and the password as last written (Graph never returns it)."""
        outs = super().outputs(observed, applied)
        password = applied.get(PASSWORD)
        outs[PASSWORD] = password if isinstance(password, str) else None
        return outs

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """GET the connection; the password stays as last written."""
        result = super().read(id_, props)
        if result.id and isinstance(props.get(PASSWORD), str):
            result.outs[PASSWORD] = props[PASSWORD]
            if result.inputs is not None:
                result.inputs[PASSWORD] = props[PASSWORD]
        return result

    def same_object(self, body: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
        """Everything but the password (Graph never returns it) after an ambiguous create."""
        return super().same_object(body, {k: v for k, v in desired.items() if k != PASSWORD})

    def adopted(self, found: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
        """Graph never returns the password: an adopted connection is taken to have the one the
        code gives, so adoption does not send it (a later change of it is sent)."""
        olds = super().adopted(found, desired)
        if isinstance(desired.get(PASSWORD), str):
            olds[PASSWORD] = desired[PASSWORD]
        return olds

    async def health(self, rt: GraphRuntime, connection_id: str, label: str) -> dict[str, Any]:
        return await run_health_checks(rt, connection_id, label, timeout=getattr(self, "_timeout", 3600.0),
                                       poll_first=getattr(self, "_poll", POLL_FIRST))  # fmt: skip

    async def create_object(self, rt: GraphRuntime, desired: dict[str, Any]) -> dict[str, Any]:
        await require_delegated(rt, f"create {SPEC.noun} '{desired.get('display_name')}'")
        return await super().create_object(rt, desired)

    async def after_create(
        self, rt: GraphRuntime, created: Mapping[str, Any], observed: dict[str, Any], desired: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Run the health checks and wait for them to pass."""
        body = await self.health(rt, str(created["id"]), f"'{desired['display_name']}'")
        observed["health_check_status"] = body.get("healthCheckStatus")
        return observed

    async def update_object(
        self, rt: GraphRuntime, object_id: str, olds: Mapping[str, Any], desired: dict[str, Any]
    ) -> dict[str, Any]:
        await require_delegated(rt, f"update {SPEC.noun} '{desired.get('display_name')}'")
        return await super().update_object(rt, object_id, olds, desired)

    async def after_patch(
        self, rt: GraphRuntime, object_id: str, patched: list[str], desired: Mapping[str, Any], observed: dict[str, Any]
    ) -> None:
        """After a change of the network or the domain: the health checks again."""
        if set(patched) & set(CHECKED_ON_CHANGE):
            body = await self.health(rt, object_id, f"'{desired['display_name']}'")
            observed["health_check_status"] = body.get("healthCheckStatus")

    async def remove(self, rt: GraphRuntime, object_id: str, name: str, props: Mapping[str, Any]) -> None:
        """DELETE; a refusal because policies use the connection names them."""

        async def refused(exc: GraphError) -> bool:
            users = await policies_using(rt, object_id)
            if not users:
                raise exc
            names = ", ".join(f"'{p.get('displayName')}' ({p.get('id')})" for p in users)
            raise GraphConflictError(
                f"delete {SPEC.noun} '{name}' ({object_id})", status=exc.status, code=exc.code,
                message=f"the provisioning policy {names} still uses it; change or delete the policy first "
                        f"(Graph: {exc.message})", request_id=exc.request_id,
            )  # fmt: skip

        await steps.delete_object(rt, SPEC, object_id, name, refused=refused)


async def policies_using(rt: GraphRuntime, connection_id: str) -> list[dict[str, Any]]:
    """The provisioning policies whose domain join configurations name the connection."""
    found = await rt.list(lambda c: c.device_management.virtual_endpoint.provisioning_policies,
                          operation="look up the provisioning policies that use the connection",
                          query={"$select": "id,displayName,domainJoinConfigurations"})  # fmt: skip
    wanted = connection_id.lower()
    return [p for p in found if any((d.get("onPremisesConnectionId") or "").lower() == wanted
                                    for d in p.get("domainJoinConfigurations") or [])]  # fmt: skip
