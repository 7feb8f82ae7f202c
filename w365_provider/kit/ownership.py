"""Ownership-safe create: a create never takes over an object that existed before it began, and
never leaves a duplicate behind when Graph commits it late.

Per provider process (the engine deserializes the provider once per process, so one provider
object, one ``Ledger`` per entity set):

- Before its first create, one paged list (``$select=id,displayName``) notes the ids each
  display name has: the snapshot. An adoption look-up adds what it saw to it.
- Every id a create of this process made, found or adopted is claimed.
- After an ambiguous failure (a 5xx, a dropped connection, a timeout: Graph may have done the
  create), recovery accepts only an object with the display name and the values sent whose id
  is in neither: it looks repeatedly until the late-commit window has passed since the failure
  (``late_commit_window``: the client timeout plus every wait of the retry policy), so a create
  that Graph finishes late becomes the resource. Only then is the POST sent again; when the
  sends run out, the error says exactly what to do.
- Creates of one display name run one after the other within a process, so one create's new
  object is claimed before another's recovery looks.

Adoption (``adopt=True``) takes over by display name, but refuses, listing the ids, when two
objects share the name, and refuses an object another resource of this process already owns.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

from w365_provider.errors import GraphConflictError, GraphError
from w365_provider.graph.client import GraphRuntime
from w365_provider.kit.drift import matches
from w365_provider.kit.mapping import to_graph
from w365_provider.kit.spec import Spec
from w365_provider.kit.steps import Sleep, ids_by_name, list_named

__all__ = ["Creator", "Ledger", "late_commit_window", "ledger_of"]

Observe = Callable[[Mapping[str, Any]], dict[str, Any]]


def late_commit_window(settings: Any) -> float:
    """Seconds after an ambiguous failure during which Graph may still commit a create: one
    request's timeout plus every wait the retry policy makes between sends (without
    ``Retry-After``). With the defaults (60 s, 6 sends, 2 s doubling, 20 % jitter): 134 s."""
    policy = settings.retry
    waits = sum(
        min(max(policy.backoff * 2 ** (n - 1) * (1 + policy.jitter), policy.min_delay), policy.max_delay)
        for n in range(1, policy.max_attempts)
    )
    return float(settings.timeout_seconds) + waits


@dataclass
class Ledger:
    """What one provider process knows about one entity set: the ids each display name had
    before its first create (``None`` until taken), ids seen by adoption look-ups, and the ids
    its resources own."""

    before: dict[str, set[str]] | None = None
    seen: dict[str, set[str]] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def snapshot(self, take: Callable[[], Awaitable[dict[str, set[str]]]]) -> None:
        """Take the snapshot once (concurrent first creates share the one list)."""
        async with self._lock(""):
            if self.before is None:
                self.before = await take()

    def note(self, name: str, ids: set[str]) -> None:
        """Record ``ids`` as having had ``name`` before this process created anything by it."""
        self.seen.setdefault(name, set()).update(ids)

    def is_new(self, object_id: Any, name: str) -> bool:
        """True for an id neither in the snapshot of ``name``, nor seen by an adoption look-up,
        nor owned by this process."""
        existed = (self.before or {}).get(name, set()) | self.seen.get(name, set())
        return isinstance(object_id, str) and object_id not in existed and object_id not in self.claimed

    def claim(self, object_id: str) -> None:
        """Record ``object_id`` as owned by a resource of this process."""
        self.claimed.add(object_id)

    @asynccontextmanager
    async def creating(self, name: str) -> AsyncIterator[None]:
        """Hold while creating an object named ``name``: one create per name at a time."""
        async with self._lock("name:" + name):
            yield

    def _lock(self, key: str) -> asyncio.Lock:
        found = self._locks.get(key)
        if found is None:
            found = self._locks[key] = asyncio.Lock()
        return found


_ledgers_lock = threading.Lock()


def ledger_of(owner: Any, spec: Spec) -> Ledger:
    """The ledger ``owner`` (a provider object) keeps for ``spec``'s entity set."""
    with _ledgers_lock:
        ledgers: dict[str, Ledger] = owner.__dict__.setdefault("_ledgers", {})
        return ledgers.setdefault(spec.graph_type, Ledger())


@dataclass
class Creator:
    """Creates objects of ``spec`` for one provider process, by the rules above."""

    rt: GraphRuntime
    spec: Spec
    ledger: Ledger
    observe: Observe
    usable: Callable[[Mapping[str, Any]], bool] = lambda body: True
    same: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] | None = None
    """``same(graph_object, desired)``: whether the object is what a create of ``desired`` makes
    (default: it has every value the create sends)."""
    clock: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep

    async def create(self, desired: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """POST the object for ``desired`` (inputs); returns ``(Graph's object, recovered)``."""
        spec = self.spec
        name = str(desired[spec.name_property])
        operation = f"{spec.create_verb} {spec.noun} '{name}'"
        await self.ledger.snapshot(lambda: ids_by_name(self.rt, spec))
        window = late_commit_window(self.rt.settings)
        looked: list[bool] = []

        async def find() -> dict[str, Any] | None:
            looked.append(True)
            return await self.recover(name, desired, window)

        body = to_graph(spec, desired, [n for n in spec.sent_on_create if n in desired])
        async with self.ledger.creating(name):
            try:
                created, recovered = await self.rt.create(spec.collection, body, operation=operation, find=find)
            except GraphError as exc:
                if looked:
                    exc.add_note(self.advice(name, window))
                raise
            self.ledger.claim(created["id"])
        return created, recovered

    async def recover(self, name: str, desired: Mapping[str, Any], window: float) -> dict[str, Any] | None:
        """After an ambiguous failure: the object a create of ``desired`` made, looked for until
        ``window`` seconds have passed; ``None`` when none appeared."""
        deadline = self.clock() + window
        _say(f"{self.spec.noun} '{name}': Graph did not confirm the {self.spec.create_verb}; looking for the new "
             f"{self.spec.short} for up to {window:.0f} s before sending it again")  # fmt: skip
        attempt = 0
        while True:
            attempt += 1
            found = [
                body for body in await list_named(self.rt, self.spec, name)
                if self.ledger.is_new(body.get("id"), name) and self.usable(body)
                and self.is_same(body, desired)
            ]  # fmt: skip
            if len(found) > 1:
                raise self._identical(name, found)
            if found:
                return found[0]
            now = self.clock()
            if now >= deadline:
                return None
            await self.sleep(min(self.rt.policy.delay(attempt), deadline - now))

    def is_same(self, body: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
        """Whether Graph's ``body`` is what a create of ``desired`` makes."""
        if self.same is not None:
            return self.same(body, desired)
        return matches(self.spec, self.observe(body), desired)

    async def adoptable(self, name: str, desired: Mapping[str, Any]) -> dict[str, Any] | None:
        """The one object named ``name`` to take over, ``None`` when there is none it can become.

        Refuses when two objects share the name, or when a resource of this process owns it."""
        spec = self.spec
        existing = await list_named(self.rt, spec, name)
        self.ledger.note(name, {body["id"] for body in existing if isinstance(body.get("id"), str)})
        if len(existing) > 1:
            ids = ", ".join(str(body.get("id")) for body in existing)
            raise GraphConflictError(
                f"adopt {spec.noun} '{name}'",
                message=f"{len(existing)} {spec.short_plural} have this name ({ids}); rename all but one",
            )
        fits = [
            body for body in existing
            if all(self.observe(body).get(n) == desired[n] for n in spec.replace_on_changes if n in desired)
        ]  # fmt: skip
        if not fits:
            return None
        if fits[0]["id"] in self.ledger.claimed:
            raise GraphConflictError(
                f"adopt {spec.noun} '{name}'",
                message=f"{fits[0]['id']} is already managed by another resource of this stack",
            )
        self.ledger.claim(fits[0]["id"])
        return fits[0]

    def _identical(self, name: str, found: list[dict[str, Any]]) -> GraphConflictError:
        spec = self.spec
        ids = ", ".join(str(body.get("id")) for body in found)
        then = ", then run again with adopt=True" if spec.adoptable else " and run again"
        return GraphConflictError(
            f"{spec.create_verb} {spec.noun} '{name}'",
            message=f"the {spec.create_verb} may have gone through, and {len(found)} identical {spec.plural} named "
            f"'{name}' exist ({ids}); delete the extra ones{then}",
        )

    def advice(self, name: str, window: float) -> str:
        """What to do when Graph never confirmed a create and nothing new appeared in time."""
        spec = self.spec
        keep = ", or set adopt=True on this resource to take it over" if spec.adoptable else ""
        return (
            f"Graph did not confirm the {spec.create_verb} of {spec.noun} '{name}', and no new {spec.short} of that "
            f"name appeared within {window:.0f} s of the last attempt; Graph may still finish it. Before running "
            f"`pulumi up` again, look for {spec.plural} named '{name}' in {spec.admin_center}: if one appeared "
            f"that no stack manages, delete it{keep}."
        )


def _say(line: str) -> None:
    """A progress line: the engine shows a dynamic provider's stderr."""
    print(line, file=sys.stderr, flush=True)
