"""``/groups/{id}/members`` and ``/groups/{id}/transitiveMembers``, with their type casts.

Members are kept on the group's stored body (``members``: user and group ids, never rendered);
they are set through the control API. A group inside a group makes its members transitive.

Graph reference:
- [members] https://learn.microsoft.com/en-us/graph/api/group-list-members?view=graph-rest-1.0
- [transitive] https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers?view=graph-rest-1.0
  (the ``/microsoft.graph.user`` cast returns users only; ``$select`` and ``$top`` 1–999)
- [cast] https://learn.microsoft.com/en-us/graph/query-parameters#filter-using-odata-cast
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from .. import query
from ..routing import Call, Node
from ..schema import render
from ..membership import groups_by_id, member_ids, transitive_members
from ..wire import json_response

if TYPE_CHECKING:
    from .base import EntitySet

#: Query options the member lists take (``$count``/``$filter`` need advanced queries on Graph).
MEMBER_OPTIONS = frozenset({"$select", "$top", "$skiptoken"})
USER_TYPE = "#microsoft.graph.user"
GROUP_TYPE = "#microsoft.graph.group"
#: Cast segments: the SDK writes ``graph.user``, documents write ``microsoft.graph.user``.
CASTS = {"microsoft.graph.user": "user", "graph.user": "user", "microsoft.graph.group": "group", "graph.group": "group"}


def graft_member_routes(root: Node, users: EntitySet) -> None:
    """Hang ``members`` and ``transitiveMembers`` (and their casts) below ``/groups/{id}``."""
    groups_node = root.child("groups")
    assert groups_node is not None and groups_node.item is not None
    for name, transitive in (("members", False), ("transitiveMembers", True)):
        node = Node(methods={"GET": _handler(users, transitive, None)})
        for segment, cast in CASTS.items():
            node.children[segment] = Node(methods={"GET": _handler(users, transitive, cast)})
        groups_node.item.children[name] = node


def _handler(users: EntitySet, transitive: bool, cast: str | None) -> Any:
    def handle(call: Call) -> Response:
        return _list_members(users, call, transitive=transitive, cast=cast)

    return handle


def _list_members(users: EntitySet, call: Call, *, transitive: bool, cast: str | None) -> Response:
    store = users.store
    groups_set = users.backend.entity_set("groups")
    with store.transaction():
        group = groups_set.require(call.keys[-1])
        groups = groups_by_id(store)
        if transitive:
            user_ids, group_ids = transitive_members(groups, group["id"])
        else:
            direct = member_ids(group)
            user_ids = [m for m in direct if m.lower() not in groups]
            group_ids = [groups[m.lower()]["id"] for m in direct if m.lower() in groups]
        people = {u["id"].lower(): u for u in store.list("users")}
    items: list[tuple[str, dict[str, Any]]] = []
    if cast in (None, "user"):
        items += [("user", people[u.lower()]) for u in user_ids if u.lower() in people]
    if cast in (None, "group"):
        items += [("group", groups[g.lower()]) for g in group_ids]
    return _page(users, groups_set, call, items, cast)


def _page(users: EntitySet, groups_set: EntitySet, call: Call, items: list[tuple[str, dict[str, Any]]], cast: str | None) -> Response:
    types = {"user": users.entity_type, "group": groups_set.entity_type}
    selectable: set[str] = set()
    for kind in ("user", "group") if cast is None else (cast,):
        selectable |= types[kind].select_names(call.version)
    opts = query.parse(
        call.pairs, allowed=MEMBER_OPTIONS, type_name="microsoft.graph." + (cast or "directoryObject"),
        selectable=selectable, filterable=set(), expandable=(),
    )  # fmt: skip
    positioned = [(kind, {**entity, "_seq": i}) for i, (kind, entity) in enumerate(items, 1)]
    chunk, after = query.page([e for _, e in positioned], opts, call.page_size)
    kinds = {id(e): k for k, e in positioned}
    value = []
    for entity in chunk:
        kind = kinds[id(entity)]
        rendered = render(types[kind], entity, version=call.version, include_unknown=call.include_unknown,
                          select=_select_for(opts.select, types[kind].select_names(call.version)))  # fmt: skip
        value.append(rendered if cast else {"@odata.type": USER_TYPE if kind == "user" else GROUP_TYPE, **rendered})
    entity_set = {"user": "users", "group": "groups", None: "directoryObjects"}[cast]
    select = "(" + ",".join(opts.select) + ")" if opts.select else ""
    body: dict[str, Any] = {"@odata.context": f"{call.origin}/{call.version}/$metadata#{entity_set}{select}", "value": value}
    if after is not None:
        body["@odata.nextLink"] = query.next_link(call.origin + call.path, call.pairs, after)
    return json_response(200, body)


def _select_for(select: list[str] | None, names: Iterable[str]) -> list[str] | None:
    """A mixed list's ``$select`` applies to each type with the properties it has."""
    if select is None:
        return None
    known = set(names)
    return [s for s in select if s in known]
