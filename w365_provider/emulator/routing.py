"""The Graph URL tree: nodes with their methods, and how a path is walked to a node.

Each entity set (``entities/…``) builds its own subtree (collection, item, actions); the tree is
assembled from all of them in :meth:`~.models.GraphBackend.tree`. Unknown segments answer as
Graph does (400 ``BadRequest`` "Resource not found for the segment …").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from .errors import BadRequest, GraphError, NotFound
from .messages import RESOURCE_NOT_FOUND_MSG, SEGMENT_NOT_FOUND_MSG


@dataclass
class Call:
    """One routed Graph request, as handlers see it."""

    version: str
    keys: list[str]
    pairs: list[tuple[str, str]]
    body: Any
    origin: str  # "http://host:port"
    path: str  # canonical path, e.g. "/v1.0/groups"
    include_unknown: bool
    page_size: int


Handler = Callable[[Call], Response]


@dataclass
class Node:
    """A URL segment: allowed methods, fixed children and an optional ``{id}`` child.

    An ``{id}`` node knows how its entity set answers an unknown id (``not_found``).
    """

    methods: dict[str, Handler] = field(default_factory=dict)
    children: dict[str, Node] = field(default_factory=dict)
    item: Node | None = None
    not_found: Callable[[str], GraphError] | None = None

    def child(self, segment: str) -> Node | None:
        for name, node in self.children.items():
            if name.lower() == segment.lower():
                return node
        return None

    def mount(self, segments: tuple[str, ...], node: Node) -> None:
        """Place ``node`` at ``segments`` below this node, creating the plain segments between."""
        parent = self
        for segment in segments[:-1]:
            parent = parent.children.setdefault(segment, Node())
        parent.children[segments[-1]] = node


@dataclass
class Target:
    """Where a path leads: the node, the keys met on the way (``{id}`` segments), and its 404."""

    node: Node
    keys: list[str]
    owner: Node | None = None  # the last ``{id}`` node on the way

    def not_found(self) -> GraphError:
        """What Graph answers when the addressed entity doesn't exist."""
        if self.owner is not None and self.owner.not_found is not None and self.keys:
            return self.owner.not_found(self.keys[-1])
        return NotFound(RESOURCE_NOT_FOUND_MSG)


_KEY_IN_PARENS = re.compile(r"^([A-Za-z]+)\('(.*)'\)$")


#: OData's ``/$count`` path segment. No reference page of these entity sets documents it (their list
#: pages name ``$select``, ``$filter``, ``$expand``), so it is an unknown segment, not an entity id.
COUNT_SEGMENT = "$count"


def resolve(root: Node, segments: list[str]) -> Target:
    """Walk the URL tree; unknown segments (and ``$count``) answer as Graph does (400)."""
    target = Target(root, [])
    for segment in segments:
        node = target.node
        if segment.lower() == COUNT_SEGMENT and node.child(segment) is None:
            raise BadRequest(SEGMENT_NOT_FOUND_MSG.format(segment=segment))
        parens = _KEY_IN_PARENS.match(segment)
        if parens and (child := node.child(parens.group(1))) is not None and child.item is not None:
            target.node = target.owner = child.item
            target.keys.append(parens.group(2).replace("''", "'"))
            continue
        child = node.child(segment)
        if child is not None:
            target.node = child
        elif node.item is not None:
            target.node = target.owner = node.item
            target.keys.append(segment)
        else:
            raise BadRequest(SEGMENT_NOT_FOUND_MSG.format(segment=segment))
    return target
