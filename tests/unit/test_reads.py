"""kit.reads without Graph: writes counted through the runtime, one list shared by concurrent reads,
a list taken while a write was on its way not kept."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from w365_provider.errors import GraphNotFoundError
from w365_provider.graph.client import GraphRuntime
from w365_provider.kit.reads import Reads, listable, watch, writes
from w365_provider.resources.organization_settings.spec import SPEC as ORGANIZATION
from w365_provider.resources.provisioning_policy.spec import SPEC as POLICY


class FakeRuntime(GraphRuntime):
    """Answers from ``objects``; every call is recorded; a list takes ``list_delay`` seconds."""

    def __init__(self, objects: dict[str, dict[str, Any]]) -> None:  # no settings, no loop
        self.objects = objects
        self.calls: list[tuple[str, str]] = []
        self.list_delay = 0.0
        self.during_list: Any = None

    async def send(self, method: str, at: Any, *, operation: str, **kwargs: Any) -> Any:
        self.calls.append((method, operation))
        if method == "GET":
            object_id = operation.rsplit(" ", 1)[-1]
            if object_id not in self.objects:
                raise GraphNotFoundError(operation, status=404)
            return self.objects[object_id]
        if method == "POST" and operation == "fail":
            raise GraphNotFoundError(operation, status=404)
        return None

    async def create(self, at: Any, body: Any, *, operation: str, find: Any) -> Any:
        self.calls.append(("CREATE", operation))
        return {"id": "new"}, False

    async def list(self, at: Any, *, operation: str, query: Any = None) -> list[dict[str, Any]]:
        self.calls.append(("LIST", operation))
        await asyncio.sleep(self.list_delay)
        if self.during_list is not None:
            await self.during_list()
        return list(self.objects.values())

    @property
    def policy(self) -> Any:
        class Policy:
            min_delay = 0.0

        return Policy()


def objects(*ids: str) -> dict[str, dict[str, Any]]:
    return {i: {"id": i, "displayName": f"Policy {i}"} for i in ids}


def test_every_write_counts_when_it_starts_and_when_it_ends() -> None:
    rt = watch(FakeRuntime(objects("a")))
    assert watch(rt) is rt  # once per runtime

    async def go() -> list[int]:
        seen = [writes(rt)]
        await rt.send("GET", None, operation="read a")
        seen.append(writes(rt))
        await rt.send("PATCH", None, operation="update a")
        seen.append(writes(rt))
        with pytest.raises(GraphNotFoundError):
            await rt.send("POST", None, operation="fail")
        seen.append(writes(rt))
        await rt.create(None, {}, operation="create", find=None)
        seen.append(writes(rt))
        return seen

    assert asyncio.run(go()) == [0, 0, 2, 4, 6]


def test_a_singleton_is_never_listed() -> None:
    assert listable(POLICY)
    assert not listable(ORGANIZATION)


def test_concurrent_reads_share_one_list_and_the_first_read_is_its_own_get() -> None:
    rt = watch(FakeRuntime(objects("a", "b", "c", "d")))
    rt.list_delay = 0.05
    reads = Reads(POLICY)

    async def go() -> list[Any]:
        first = await reads.read(rt, "a")
        rest = await asyncio.gather(*(reads.read(rt, i) for i in ("b", "c", "d")))
        return [first, *rest]

    found = asyncio.run(go())
    assert [f["id"] for f in found] == ["a", "b", "c", "d"]
    assert rt.calls == [("GET", "read provisioning policy a"), ("LIST", "list provisioning policies")]


def test_a_list_taken_while_a_write_went_through_serves_no_later_read() -> None:
    rt = watch(FakeRuntime(objects("a", "b")))
    reads = Reads(POLICY)

    async def write() -> None:
        rt.during_list = None
        await rt.send("PATCH", None, operation="update b")

    async def go() -> None:
        await reads.read(rt, "a")
        rt.during_list = write
        await reads.read(rt, "b")  # served by the list that saw the write start
        await reads.read(rt, "a")  # not by that list any more

    asyncio.run(go())
    assert [c[0] for c in rt.calls] == ["GET", "LIST", "PATCH", "LIST"]


def test_an_id_missing_from_the_list_is_gone_after_two_404s_of_its_own() -> None:
    rt = watch(FakeRuntime(objects("a")))
    reads = Reads(POLICY)

    async def go() -> Any:
        await reads.read(rt, "a")
        return await reads.read(rt, "gone")

    assert asyncio.run(go()) is None
    assert rt.calls[1:] == [("LIST", "list provisioning policies"),
                            ("GET", "read provisioning policy gone"), ("GET", "read provisioning policy gone")]  # fmt: skip
