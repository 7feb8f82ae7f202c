"""Graph steps every resource shares: read (a 404 confirmed before it counts), look up by name,
list the ids per name, and delete (404 is done; transient failures retried within a bound).

Each step is a coroutine on the Graph loop (``GraphRuntime.run`` runs it from an engine thread)
and names its operation the way errors and the admin center do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from w365_provider.errors import GraphError, GraphNotFoundError
from w365_provider.graph.client import GraphRuntime, Locate
from w365_provider.kit.spec import Spec

__all__ = ["Sleep", "delete_object", "get_confirmed", "ids_by_name", "list_named", "locate"]

Sleep = Callable[[float], Awaitable[None]]

Refused = Callable[[GraphError], Awaitable[bool]]
"""Called when Graph refuses a DELETE with 400/409; returns False when the object is gone (done),
True to try again after the wait (the resource settled what was in the way)."""


def locate(spec: Spec, object_id: str) -> Locate:
    """The request builder of one object of ``spec``'s collection."""
    return lambda client: spec.item(client, object_id)


async def get_confirmed(rt: GraphRuntime, spec: Spec, object_id: str, *, sleep: Sleep = asyncio.sleep) -> Any:
    """GET one object; ``None`` only when Graph answers 404 twice, a short wait apart.

    A single 404 can be spurious (a replica that has not seen the object yet); reporting the
    object gone on it would drop it from state and make the next ``up`` create a duplicate.
    """
    query = dict(spec.read_query) or None
    operation = f"read {spec.noun} {object_id}"
    for attempt in (1, 2):
        try:
            return await rt.send("GET", locate(spec, object_id), operation=operation, query=query)
        except GraphNotFoundError:
            if attempt == 2:
                return None
            await sleep(rt.policy.min_delay)
    return None  # pragma: no cover - the loop returns


async def list_named(rt: GraphRuntime, spec: Spec, name: str) -> list[dict[str, Any]]:
    """Objects named exactly ``name`` (Graph's filter, when used, is applied again here)."""
    query: dict[str, str] = {}
    if spec.filter_by_name:
        query["$filter"] = "displayName eq '{}'".format(name.replace("'", "''"))
    query.update(spec.read_query)
    found = await rt.list(spec.collection, operation=f"look up {spec.plural} named '{name}'", query=query or None)
    return [item for item in found if item.get("displayName") == name]


async def ids_by_name(rt: GraphRuntime, spec: Spec) -> dict[str, set[str]]:
    """Every object's id, by display name: one paged list of ``id`` and ``displayName``."""
    found = await rt.list(
        spec.collection, operation=f"list {spec.plural} (ids and names)", query={"$select": "id,displayName"}
    )
    ids: dict[str, set[str]] = {}
    for item in found:
        if isinstance(item.get("id"), str):
            ids.setdefault(str(item.get("displayName")), set()).add(item["id"])
    return ids


async def delete_object(
    rt: GraphRuntime, spec: Spec, object_id: str, name: str, *, refused: Refused | None = None,
    sleep: Sleep = asyncio.sleep,
) -> None:  # fmt: skip
    """DELETE one object; 404 counts as done.

    Sent again, after the retry policy's wait and at most ``max_attempts`` times in all, when
    the answer was a 5xx that the Graph call did not retry itself (a 500: the call retries only
    what ``retry.RETRYABLE_STATUSES`` names), or a 400/409 that ``refused`` settles.
    """
    policy = rt.policy
    operation = f"delete {spec.noun} '{name}' ({object_id})"
    attempt = 0
    while True:
        attempt += 1
        try:
            await rt.send("DELETE", locate(spec, object_id), operation=operation)
            return
        except GraphNotFoundError:
            return
        except GraphError as exc:
            if attempt >= policy.max_attempts:
                raise
            if _transient(exc):
                pass
            elif exc.status in (400, 409) and refused is not None:
                if not await refused(exc):
                    return
            else:
                raise
        await sleep(policy.delay(attempt))


def _transient(exc: GraphError) -> bool:
    """A server error the call sent once only (it retries the others itself)."""
    return exc.status is not None and exc.status >= 500 and exc.attempts == 1
