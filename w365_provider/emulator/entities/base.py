"""What every entity set shares: reads, not-found, rendering and the list/get/create/update/delete routes.

A new entity set is one module with one :class:`EntitySet` subclass: its name (the URL segment
and the table), where it hangs in the URL tree, its entity type, its own rules as methods, and
:meth:`EntitySet.routes` naming which writes and actions it has. Add the class to
``ENTITY_SETS`` in ``entities/__init__.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol
from urllib.parse import quote

from starlette.responses import Response

from .. import query
from ..errors import BadRequest, GraphError, NotFound
from ..messages import NOT_FOUND_MSG, SEGMENT_NOT_FOUND_MSG
from ..routing import Call, Handler, Node
from ..schema import BETA, EntityType, render
from ..store import Store
from ..wire import json_response, no_content

#: Parent segments of the Cloud PC entity sets.
VIRTUAL_ENDPOINT = ("deviceManagement", "virtualEndpoint")

Create = Callable[[Any, str], dict[str, Any]]
Update = Callable[[str, Any, str], None]
Delete = Callable[[str], None]


class Backend(Protocol):
    """What an entity set sees of the backend that holds it (see :class:`~..models.GraphBackend`)."""

    store: Store
    image_ready_seconds: float
    clock: Callable[[], float]
    app_only: bool
    health_check_seconds: float | None
    health_faults: dict[str, dict[str, Any]]

    def entity_set(self, name: str) -> EntitySet: ...


class EntitySet:
    """One Graph entity set over one table of the store."""

    #: URL segment and table name, e.g. ``provisioningPolicies``.
    name: ClassVar[str]
    #: URL segments above the collection.
    parent: ClassVar[tuple[str, ...]] = VIRTUAL_ENDPOINT
    entity_type: ClassVar[EntityType]
    #: Types of the navigation properties, for ``$expand``.
    navigation_types: ClassVar[Mapping[str, EntityType]] = {}

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    @property
    def store(self) -> Store:
        return self.backend.store

    @property
    def context_path(self) -> str:
        """The path after ``$metadata#`` in ``@odata.context``."""
        return "/".join((*self.parent, self.name))

    # ----------------------------------------------------------------- hooks
    def seed(self, *, first: bool) -> None:
        """Write seeded entities; ``first`` is true for a new database (and after a reset)."""

    def materialize(self, entity: dict[str, Any]) -> dict[str, Any]:
        """Apply time-based transitions and computed fields to a stored entity before it is read."""
        return entity

    def not_found(self, entity_id: str) -> GraphError:
        return NotFound(NOT_FOUND_MSG.format(type=self.entity_type.short_name, id=entity_id))

    def routes(self) -> Node:
        """The URL subtree of this set; read-only unless a subclass names its writes."""
        return self.collection()

    def graft(self, root: Node) -> None:
        """Add routes below another set's items once the tree is built (``/groups/{id}/members``)."""

    # ----------------------------------------------------------------- reads
    def list(self) -> list[dict[str, Any]]:
        with self.store.transaction():
            return [self.materialize(e) for e in self.store.list(self.name)]

    def get(self, entity_id: str) -> dict[str, Any]:
        with self.store.transaction():
            return self.materialize(self.require(entity_id))

    def require(self, entity_id: str) -> dict[str, Any]:
        """The stored entity, or this set's 404."""
        entity = self.store.get(self.name, entity_id)
        if entity is None:
            raise self.not_found(entity_id)
        return entity

    # ----------------------------------------------------------------- wire form
    def render(
        self, call: Call, entity: dict[str, Any], opts: query.QueryOptions | None = None, expand: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        return render(
            self.entity_type,
            entity,
            version=call.version,
            include_unknown=call.include_unknown,
            select=opts.select if opts else None,
            expand=opts.expand if opts else expand,
            navigation=self.navigation_types,
        )

    def context(self, call: Call, *, entity: bool, select: list[str] | None = None) -> str:
        path = self.context_path
        if select:
            path += "(" + ",".join(select) + ")"
        return f"{call.origin}/{call.version}/$metadata#{path}" + ("/$entity" if entity else "")

    def options(self, call: Call, allowed: frozenset[str]) -> query.QueryOptions:
        etype = self.entity_type
        return query.parse(
            call.pairs,
            allowed=allowed,
            type_name=etype.name,
            selectable=etype.select_names(call.version),
            filterable=etype.filter_names(call.version),
            expandable=etype.navigation,
        )

    # ----------------------------------------------------------------- routes
    def beta_only_collection(self) -> Node:
        """A read-only collection that exists on beta only: list and get answer there; on v1.0
        the segment is unknown (400 "Resource not found for the segment ...")."""
        node = self.collection()
        node.methods["GET"] = self._on_beta(node.methods["GET"])
        assert node.item is not None
        node.item.methods["GET"] = self._on_beta(node.item.methods["GET"])
        return node

    def _on_beta(self, handler: Handler) -> Handler:
        def handle(call: Call) -> Response:
            if call.version != BETA:
                raise BadRequest(SEGMENT_NOT_FOUND_MSG.format(segment=self.name))
            return handler(call)

        return handle

    def collection(
        self,
        *,
        create: Create | None = None,
        update: Update | None = None,
        delete: Delete | None = None,
        actions: dict[str, dict[str, Handler]] | None = None,
    ) -> Node:
        """GET (+ POST) on the collection, GET (+ PATCH, DELETE) on an item, and item ``actions``."""
        methods: dict[str, Handler] = {"GET": self.handle_list}
        if create is not None:
            methods["POST"] = self.create_handler(create)
        item_methods: dict[str, Handler] = {"GET": self.handle_get}
        if update is not None:
            item_methods["PATCH"] = keyed_handler(update)
        if delete is not None:
            item_methods["DELETE"] = delete_handler(delete)
        children = {name: Node(methods=handlers) for name, handlers in (actions or {}).items()}
        return Node(methods=methods, item=Node(methods=item_methods, children=children, not_found=self.not_found))

    def handle_list(self, call: Call) -> Response:
        opts = self.options(call, query.COLLECTION_OPTIONS)
        entities = [e for e in self.list() if query.matches(e, opts.filter)]
        chunk, after = query.page(entities, opts, call.page_size)
        body: dict[str, Any] = {"@odata.context": self.context(call, entity=False, select=opts.select)}
        if opts.count:
            body["@odata.count"] = len(entities)
        body["value"] = [self.render(call, e, opts) for e in chunk]
        if after is not None:
            body["@odata.nextLink"] = query.next_link(call.origin + call.path, call.pairs, after)
        return json_response(200, body)

    def handle_get(self, call: Call) -> Response:
        opts = self.options(call, query.ITEM_OPTIONS)
        entity = self.get(call.keys[-1])
        body = {"@odata.context": self.context(call, entity=True, select=opts.select)}
        body.update(self.render(call, entity, opts))
        return json_response(200, body)

    def create_handler(self, create: Create) -> Handler:
        def handler(call: Call) -> Response:
            entity = create(call.body, call.version)
            body = {"@odata.context": self.context(call, entity=True)}
            body.update(self.render(call, entity))
            location = f"{call.origin}{call.path}/{quote(entity['id'], safe='')}"
            return json_response(201, body, {"Location": location})

        return handler


def keyed_handler(action: Update) -> Handler:
    """PATCH / assign style: ``action(id, body, version)`` then 204."""

    def handler(call: Call) -> Response:
        action(call.keys[-1], call.body, call.version)
        return no_content()

    return handler


def delete_handler(delete: Delete) -> Handler:
    def handler(call: Call) -> Response:
        delete(call.keys[-1])
        return no_content()

    return handler


def fold_alias(
    body: Any, deprecated: str, current: str, mismatch: str, convert: Callable[[Any], Any] = lambda value: value
) -> Any:
    """``body`` with its deprecated key folded into the current one: the deprecated value (through
    ``convert``) stands in when the current key is not sent; both sent and different is a 400
    (``mismatch`` formatted with ``current`` and ``deprecated``). Anything else is returned as is."""
    if not isinstance(body, dict) or deprecated not in body:
        return body
    body = dict(body)
    old = convert(body.pop(deprecated))
    new = body.get(current)
    if new is None:
        body[current] = old
    elif old is not None and old != new:
        raise BadRequest(mismatch.format(current=new, deprecated=old))
    return body
