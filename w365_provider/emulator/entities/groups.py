"""``/groups``: Entra groups, the targets of assignments (seeded, creatable, deletable).

Graph reference:
- https://learn.microsoft.com/en-us/graph/api/resources/group?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/group-post-groups?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/group-delete?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/group-get?view=graph-rest-1.0 (directory 404 wording)
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from .. import seed
from ..errors import DirectoryNotFound, GraphError
from ..routing import Node
from ..schema import EntityType, Prop, bool_prop, now_iso, require, string_prop, writable_properties
from .base import EntitySet

GROUP_NOT_FOUND_MSG = "Resource '{id}' does not exist or one of its queried reference-property objects are not present."

GROUP = EntityType(
    "microsoft.graph.group",
    {
        "id": string_prop(read_only=True),
        "displayName": string_prop(nullable=False),
        "description": string_prop(),
        "mailEnabled": bool_prop(),
        "mailNickname": string_prop(),
        "securityEnabled": bool_prop(),
        "groupTypes": Prop("strings"),
        "visibility": string_prop(),
        "isAssignableToRole": bool_prop(),
        "createdDateTime": string_prop(read_only=True),
    },
)


def _nickname(display_name: str) -> str:
    """A ``mailNickname`` derived from the display name (real Graph requires it; see FIDELITY.md)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", display_name).strip("-").lower()
    return slug[:64] or "group"


class Groups(EntitySet):
    """Security groups; only ``displayName`` is required (more lenient than Graph, see FIDELITY.md)."""

    name = "groups"
    parent = ()
    entity_type = GROUP

    def seed(self, *, first: bool) -> None:
        if first:
            for group in seed.GROUPS:
                self.store.upsert(self.name, dict(group))

    def not_found(self, entity_id: str) -> GraphError:
        """Directory objects answer with the ``Request_`` code family."""
        return DirectoryNotFound(GROUP_NOT_FOUND_MSG.format(id=entity_id))

    def routes(self) -> Node:
        return self.collection(create=self.create, delete=self.delete)

    def create(self, body: Any, version: str) -> dict[str, Any]:
        data = writable_properties(GROUP, body, version)
        require(data, ("displayName",))
        group = {
            "id": str(uuid.uuid4()),
            "description": None,
            "mailEnabled": False,
            "mailNickname": _nickname(data["displayName"]),
            "securityEnabled": True,
            "groupTypes": [],
            "visibility": None,
            "isAssignableToRole": False,
            "createdDateTime": now_iso(self.backend.clock()),
            **data,
        }
        with self.store.transaction():
            return self.store.insert(self.name, group)

    def delete(self, group_id: str) -> None:
        with self.store.transaction():
            self.require(group_id)
            self.store.delete(self.name, group_id)
