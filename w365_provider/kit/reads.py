"""Coalesced reads: a refresh reads a whole entity set in a few list pages, not one GET per object.

Per provider object (the engine deserializes the provider once per process, and a process lives
for one engine command), per entity set:

- The first read of a set is one GET of its own (``steps.get_confirmed``): a command that reads a
  single object (``--target``) never pays for a list of the whole tenant.
- From the second read on (concurrent or successive), reads are served from ONE paged list with
  the read's own query options (``$expand=assignments`` for provisioning policies and user
  settings: Graph's list supports it, see
  https://learn.microsoft.com/graph/api/virtualendpoint-list-provisioningpolicies and
  https://learn.microsoft.com/graph/api/virtualendpoint-list-usersettings). Reads that arrive
  while the list is on its way wait for that same list (one future on the Graph loop).
- An object missing from the list is read with its own GET, and reported gone only when Graph
  answers 404 twice (the rule of ``get_confirmed``): a list that missed it cannot drop it.
- The list is used while it is fresh: taken less than ``FRESH_SECONDS`` ago and no write went
  through the runtime since it was started (any request other than a GET, sent or being sent,
  by any resource of the process: ``watch``). Otherwise the next read lists again.
- When the list fails (a permission the single GET does not need, a page that keeps failing),
  the set goes back to one GET per read for the rest of the process.

A singleton (organization settings: one request builder for the collection and the object) is
always read with its own GET.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from w365_provider.errors import GraphError
from w365_provider.graph.client import GraphRuntime
from w365_provider.kit.spec import Spec
from w365_provider.kit.steps import Sleep, get_confirmed

__all__ = ["FRESH_SECONDS", "Reads", "listable", "reads_of", "watch", "writes"]

FRESH_SECONDS = 30.0
"""How long a list serves reads (one command's burst of reads; every write ends it sooner)."""

Listed = dict[str, dict[str, Any]]
"""The objects of one list, by id."""

_WRITES = "_w365_writes"
_watch_lock = threading.Lock()


def writes(rt: GraphRuntime) -> int:
    """How many times a write started or ended through ``rt`` (only grows)."""
    return int(rt.__dict__.get(_WRITES, 0))


def _wrote(rt: GraphRuntime) -> None:
    rt.__dict__[_WRITES] = writes(rt) + 1  # on the Graph loop only: no race


def watch(rt: GraphRuntime) -> GraphRuntime:
    """Make every write through ``rt`` (``send`` other than GET, ``create``) count in ``writes``,
    when it starts and when it ends (a list taken while a write is on its way is not kept)."""
    with _watch_lock:
        if _WRITES in rt.__dict__:
            return rt
        send, create = rt.send, rt.create

        async def watched_send(method: str, at: Any, **kwargs: Any) -> Any:
            if method.upper() == "GET":
                return await send(method, at, **kwargs)
            _wrote(rt)
            try:
                return await send(method, at, **kwargs)
            finally:
                _wrote(rt)

        async def watched_create(*args: Any, **kwargs: Any) -> Any:
            _wrote(rt)
            try:
                return await create(*args, **kwargs)
            finally:
                _wrote(rt)

        rt.__dict__["send"], rt.__dict__["create"] = watched_send, watched_create
        rt.__dict__[_WRITES] = 0
    return rt


def listable(spec: Spec) -> bool:
    """Whether ``spec``'s objects come from a collection (a singleton's builder is its own)."""
    return spec.collection is not spec.item


@dataclass
class _Listing:
    writes: int
    started: float
    future: asyncio.Future[Listed]


@dataclass
class Reads:
    """The reads of one provider object (one process) for one entity set."""

    spec: Spec
    clock: Callable[[], float] = time.monotonic
    fresh_seconds: float = FRESH_SECONDS
    _seen: int = 0
    _listing: _Listing | None = None
    _broken: bool = False
    lists: list[float] = field(default_factory=list)
    """When each list was started (for tests and the benchmark)."""

    async def read(self, rt: GraphRuntime, object_id: str, *, sleep: Sleep = asyncio.sleep) -> Any:
        """The object's Graph JSON; ``None`` when Graph answered 404 to two GETs of it."""
        self._seen += 1
        if self._seen > 1 and not self._broken and listable(self.spec):
            listed = await self._listed(rt)
            if listed is not None and object_id in listed:
                return listed[object_id]
        return await get_confirmed(rt, self.spec, object_id, sleep=sleep)

    async def _listed(self, rt: GraphRuntime) -> Listed | None:
        listing = self._listing
        if listing is None or listing.writes != writes(rt) or self.clock() - listing.started >= self.fresh_seconds:
            listing = self._listing = self._start(rt)
        try:
            return await asyncio.shield(listing.future)
        except GraphError:
            self._broken = True
            return None

    def _start(self, rt: GraphRuntime) -> _Listing:
        started = self.clock()
        self.lists.append(started)
        future = asyncio.ensure_future(self._list(rt))
        future.add_done_callback(lambda done: done.cancelled() or done.exception())  # never "never retrieved"
        return _Listing(writes(rt), started, future)

    async def _list(self, rt: GraphRuntime) -> Listed:
        spec = self.spec
        found = await rt.list(spec.collection, operation=f"list {spec.plural}", query=dict(spec.read_query) or None)
        return {item["id"]: item for item in found if isinstance(item.get("id"), str)}


def reads_of(owner: Any, spec: Spec) -> Reads:
    """The reads ``owner`` (a provider object, ``GraphProvider.kept``) keeps for ``spec``'s entity set."""
    found: Reads = owner.kept(f"reads_{spec.graph_type}", lambda: Reads(spec))
    return found
