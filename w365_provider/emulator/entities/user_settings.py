"""``userSettings``: Cloud PC user settings (local admin, reset, restore points), assignable to groups.

Graph reference:
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpcusersetting?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/virtualendpoint-post-usersettings?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpcusersetting-update?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpcusersetting-delete?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpcusersetting-assign?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpcusersetting?view=graph-rest-beta (beta properties)
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response

from ..errors import BadRequest
from ..routing import Call, Node
from ..schema import EntityType, EnumType, Prop, bool_prop, enum_prop, int_prop, now_iso, render, require, string_prop, writable_properties
from ..wire import json_response
from .assignments import USER_SETTING_ASSIGNMENT, assignment_item, assignment_targets, find_assignment
from .base import EntitySet, keyed_handler

RESTORE_FREQUENCY = EnumType(
    "microsoft.graph.cloudPcRestorePointFrequencyType",
    ("default", "fourHours", "sixHours", "twelveHours", "sixteenHours", "twentyFourHours", "unknownFutureValue"),
)
PROVISIONING_SOURCE_TYPE = EnumType("microsoft.graph.cloudPcProvisioningSourceType", (), ("image", "snapshot", "unknownFutureValue"))

FREQUENCY_HOURS_MSG = "The frequencyInHours value '{value}' is not supported. Supported values are 4, 6, 12, 16 and 24."
FREQUENCY_MISMATCH_MSG = "frequencyType '{kind}' and frequencyInHours '{hours}' don't match."
HOURS = {"fourHours": 4, "sixHours": 6, "twelveHours": 12, "sixteenHours": 16, "twentyFourHours": 24, "default": 12}


def check_restore_points(data: dict[str, Any]) -> None:
    """``frequencyInHours`` (beta) is 4, 6, 12, 16 or 24, and agrees with ``frequencyType``
    (https://learn.microsoft.com/en-us/graph/api/resources/cloudpcrestorepointsetting?view=graph-rest-beta)."""
    setting = data.get("restorePointSetting") or {}
    hours, kind = setting.get("frequencyInHours"), setting.get("frequencyType")
    if hours is None:
        return
    if hours not in (4, 6, 12, 16, 24):
        raise BadRequest(FREQUENCY_HOURS_MSG.format(value=hours))
    if kind is not None and HOURS.get(kind) != hours:
        raise BadRequest(FREQUENCY_MISMATCH_MSG.format(kind=kind, hours=hours))


USER_SETTING = EntityType(
    "microsoft.graph.cloudPcUserSetting",
    {
        "id": string_prop(read_only=True),
        "displayName": string_prop(nullable=False),
        "localAdminEnabled": bool_prop(),
        "resetEnabled": bool_prop(),
        "restorePointSetting": Prop(
            "object",
            fields={
                "frequencyType": enum_prop(RESTORE_FREQUENCY),
                "userRestoreEnabled": bool_prop(),
                "frequencyInHours": int_prop(beta=True),
            },
            type_name="microsoft.graph.cloudPcRestorePointSetting",
        ),
        "createdDateTime": string_prop(read_only=True),
        "lastModifiedDateTime": string_prop(read_only=True),
        "selfServiceEnabled": bool_prop(beta=True),
        "crossRegionDisasterRecoverySetting": Prop("object", beta=True),
        "notificationSetting": Prop(
            "object",
            beta=True,
            fields={"restartPromptsDisabled": bool_prop()},
            type_name="microsoft.graph.cloudPcNotificationSetting",
        ),
        "provisioningSourceType": enum_prop(PROVISIONING_SOURCE_TYPE, beta=True),
    },
    navigation=("assignments",),
)


class UserSettings(EntitySet):
    """CRUD, ``assign`` and ``GET {id}/assignments``; assignments also via ``$expand``."""

    name = "userSettings"
    entity_type = USER_SETTING
    navigation_types = {"assignments": USER_SETTING_ASSIGNMENT}

    def routes(self) -> Node:
        node = self.collection(
            create=self.create,
            update=self.update,
            delete=self.delete,
            actions={
                "assign": {"POST": keyed_handler(self.assign)},
                "assignments": {"GET": self.handle_assignments},
            },
        )
        assert node.item is not None
        node.item.children["assignments"].item = assignment_item(self.get, self.read_assignment)
        return node

    def create(self, body: Any, version: str) -> dict[str, Any]:
        data = writable_properties(USER_SETTING, body, version)
        require(data, ("displayName",))
        check_restore_points(data)
        now = now_iso(self.backend.clock())
        setting: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "localAdminEnabled": False,
            "resetEnabled": False,
            "restorePointSetting": {"frequencyType": "default", "userRestoreEnabled": False},
            "createdDateTime": now,
            "lastModifiedDateTime": now,
            **data,
            "assignments": [],
        }
        with self.store.transaction():
            return self.store.insert(self.name, setting)

    def update(self, setting_id: str, body: Any, version: str) -> None:
        data = writable_properties(USER_SETTING, body, version)
        check_restore_points(data)
        with self.store.transaction():
            merged = {**self.require(setting_id), **data}
            merged["lastModifiedDateTime"] = now_iso(self.backend.clock())
            self.store.update(self.name, merged)

    def delete(self, setting_id: str) -> None:
        with self.store.transaction():
            self.require(setting_id)
            self.store.delete(self.name, setting_id)

    def assign(self, setting_id: str, body: Any, version: str) -> None:
        """Replace the whole set of assignments; ids ``{settingId}_{groupId}`` with a ``createdDateTime``."""
        with self.store.transaction():
            setting = self.require(setting_id)
            targets = assignment_targets(self.store, body, version)
            now = now_iso(self.backend.clock())
            setting["assignments"] = [
                {"id": f"{setting['id']}_{t['groupId']}", "createdDateTime": now, "target": t} for t in targets
            ]
            self.store.update(self.name, setting)

    def read_assignment(self, call: Call, setting: dict[str, Any], assignment_id: str) -> Response:
        """One assignment of the setting's ``assignments`` (contained, so addressable by its id)."""
        rendered = render(USER_SETTING, setting, version=call.version, expand=("assignments",),
                          navigation=self.navigation_types)  # fmt: skip
        assignment = find_assignment(rendered["assignments"], assignment_id)
        context = f"{call.origin}/{call.version}/$metadata#{self.context_path}('{setting['id']}')/assignments/$entity"
        return json_response(200, {"@odata.context": context, **assignment})

    def handle_assignments(self, call: Call) -> Response:
        setting = self.get(call.keys[-1])
        rendered = render(
            USER_SETTING, setting, version=call.version, expand=("assignments",), navigation=self.navigation_types
        )
        context = f"{call.origin}/{call.version}/$metadata#{self.context_path}('{setting['id']}')/assignments"
        return json_response(200, {"@odata.context": context, "value": rendered["assignments"]})
