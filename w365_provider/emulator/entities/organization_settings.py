"""``organizationSettings``: the tenant's Windows 365 organization settings, a singleton (beta only).

Graph reference:
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpcorganizationsettings?view=graph-rest-beta
- https://learn.microsoft.com/en-us/graph/api/cloudpcorganizationsettings-get?view=graph-rest-beta
- https://learn.microsoft.com/en-us/graph/api/cloudpcorganizationsettings-update?view=graph-rest-beta

GET and PATCH only (no create, no delete); v1.0 has no such segment (400). The seeded values
are Graph's defaults.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..errors import BadRequest
from ..messages import SEGMENT_NOT_FOUND_MSG
from ..routing import Call, Node
from ..schema import BETA, EntityType, EnumType, Prop, bool_prop, enum_prop, render, string_prop, writable_properties
from ..wire import json_response, no_content
from .base import EntitySet

SINGLETON_ID = "a7b8b1a4-6f0b-4e1c-9b6a-3c1d2e4f5a60"
"""The id the emulated tenant's settings have."""

OS_VERSION = EnumType("microsoft.graph.cloudPcOperatingSystem", ("windows10", "windows11", "unknownFutureValue"))
USER_ACCOUNT_TYPE = EnumType("microsoft.graph.cloudPcUserAccountType", ("standardUser", "administrator", "unknownFutureValue"))

ORGANIZATION_SETTINGS = EntityType(
    "microsoft.graph.cloudPcOrganizationSettings",
    {
        "id": string_prop(read_only=True),
        "enableMEMAutoEnroll": bool_prop(beta=True),
        "enableSingleSignOn": bool_prop(beta=True),
        "osVersion": enum_prop(OS_VERSION, beta=True),
        "userAccountType": enum_prop(USER_ACCOUNT_TYPE, beta=True),
        "windowsSettings": Prop(
            "object", beta=True, fields={"language": string_prop()}, type_name="microsoft.graph.cloudPcWindowsSettings"
        ),
    },
)

DEFAULTS: dict[str, Any] = {
    "id": SINGLETON_ID,
    "enableMEMAutoEnroll": False,
    "enableSingleSignOn": False,
    "osVersion": "windows11",
    "userAccountType": "standardUser",
    "windowsSettings": {"language": "en-US"},
}


class OrganizationSettings(EntitySet):
    """The singleton: ``GET`` and ``PATCH`` on ``/deviceManagement/virtualEndpoint/organizationSettings`` (beta)."""

    name = "organizationSettings"
    entity_type = ORGANIZATION_SETTINGS

    def seed(self, *, first: bool) -> None:
        if first or self.store.get(self.name, SINGLETON_ID) is None:
            self.store.upsert(self.name, dict(DEFAULTS))

    def routes(self) -> Node:
        return Node(methods={"GET": self.handle_get_one, "PATCH": self.handle_patch})

    def current(self, call: Call) -> dict[str, Any]:
        if call.version != BETA:
            raise BadRequest(SEGMENT_NOT_FOUND_MSG.format(segment=self.name))
        return self.get(SINGLETON_ID)

    def handle_get_one(self, call: Call) -> Response:
        entity = self.current(call)
        body = {"@odata.context": f"{call.origin}/{call.version}/$metadata#{self.context_path}/$entity"}
        body.update(render(ORGANIZATION_SETTINGS, entity, version=call.version))
        return json_response(200, body)

    def handle_patch(self, call: Call) -> Response:
        self.current(call)
        data = writable_properties(ORGANIZATION_SETTINGS, call.body, call.version)
        with self.store.transaction():
            self.store.update(self.name, {**self.require(SINGLETON_ID), **data})
        return no_content()
