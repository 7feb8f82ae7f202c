"""Ownership-safe create without Graph: a fake Graph with a fake clock commits creates late,
answers ambiguously and holds same-named objects that existed before; the kit's ``Creator``
(with the real ``retry.create``) must never take one over, never leave a duplicate of a commit
within the window, and say what to do when nothing shows up."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
import pytest

from tests.unit.rules_cases import valid
from w365_provider.errors import GraphConflictError, GraphError, GraphTransportError
from w365_provider.graph import retry
from w365_provider.graph.retry import RetryPolicy
from w365_provider.kit.mapping import to_graph
from w365_provider.kit.ownership import Creator, Ledger, late_commit_window
from w365_provider.resources.provisioning_policy import SPEC, ProvisioningPolicyProvider
from w365_provider.settings import Settings

SETTINGS = Settings(
    graph_url="http://127.0.0.1:9/v1.0", graph_token="t", timeout_seconds=10,
    retry=RetryPolicy(max_attempts=3, min_delay=1, max_delay=4, backoff=1, jitter=0),
)  # fmt: skip
WINDOW = 10 + 1 + 2  # the timeout, then the waits after send 1 (1 s) and send 2 (2 s)
PROVIDER = ProvisioningPolicyProvider()
DESIRED = PROVIDER.check({}, valid()).inputs
DROPPED = httpx.RemoteProtocolError("Server disconnected without sending a response.")


class FakeGraph:
    """Provisioning policies in memory, on a fake clock. ``script`` says what each POST does:
    ``"ok"``, an exception (nothing committed), or ``(exception, seconds)``: the create commits
    that many seconds later although the client got the exception."""

    def __init__(self, script: list[Any], existing: int = 0) -> None:
        self.now = 0.0
        self.script = list(script)
        self.ids = (f"p{i}" for i in itertools.count(1))
        self.objects: list[dict[str, Any]] = [self._new() for _ in range(existing)]
        self.late: list[tuple[float, dict[str, Any]]] = []
        self.posts: list[float] = []
        self.lists: list[tuple[float, dict[str, str] | None]] = []
        self.settings = SETTINGS

    @property
    def policy(self) -> RetryPolicy:
        return SETTINGS.retry

    def _new(self) -> dict[str, Any]:
        return {"id": next(self.ids), **to_graph(SPEC, DESIRED, [n for n in SPEC.sent_on_create if n in DESIRED])}

    def clock(self) -> float:
        self._commit()
        return self.now

    async def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds

    def _commit(self) -> None:
        due = [item for item in self.late if item[0] <= self.now]
        self.objects += [obj for _, obj in due]
        self.late = [item for item in self.late if item[0] > self.now]

    async def create(self, at: Any, body: dict[str, Any], *, operation: str, find: Callable[[], Awaitable[Any]]) -> Any:
        return await retry.create(lambda: self._post(), find, operation=operation, policy=self.policy, sleep=self.sleep)

    async def _post(self) -> dict[str, Any]:
        self.posts.append(self.now)
        outcome = self.script.pop(0)
        if outcome == "ok":
            self.objects.append(self._new())
            return dict(self.objects[-1])
        if isinstance(outcome, tuple):
            error, delay = outcome
            self.late.append((self.now + delay, self._new()))
            raise error
        raise outcome

    async def list(self, at: Any, *, operation: str, query: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        self._commit()
        self.lists.append((self.now, dict(query) if query else None))
        if query and "$select" in query:
            return [{"id": o["id"], "displayName": o["displayName"]} for o in self.objects]
        return [dict(o) for o in self.objects]


def create(graph: FakeGraph, ledger: Ledger | None = None, desired: Mapping[str, Any] = DESIRED) -> tuple[Any, bool]:
    creator = Creator(graph, SPEC, ledger or Ledger(), observe=PROVIDER.observe, clock=graph.clock, sleep=graph.sleep)  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(creator.create(desired))
    finally:
        loop.close()


def test_the_window_is_the_client_timeout_plus_the_retry_waits() -> None:
    assert late_commit_window(SETTINGS) == WINDOW
    assert late_commit_window(Settings(graph_url="http://127.0.0.1:9/v1.0")) == pytest.approx(60 + 2.4 + 4.8 + 9.6 + 19.2 + 38.4)


def test_one_snapshot_before_the_first_create_only() -> None:
    graph, ledger = FakeGraph(["ok", "ok"], existing=1), Ledger()
    create(graph, ledger)
    create(graph, ledger)
    assert graph.lists == [(0.0, {"$select": "id,displayName"})]
    assert ledger.before == {"Engineering": {"p1"}} and ledger.claimed == {"p2", "p3"}


@pytest.mark.parametrize("late", [0.5, 5.0, WINDOW - 2.0])
def test_a_late_commit_within_the_window_becomes_the_resource(late: float) -> None:
    graph = FakeGraph([(DROPPED, late)])
    created, recovered = create(graph)
    assert recovered and created["id"] == "p1"
    assert len(graph.posts) == 1  # never sent again: no duplicate
    assert [o["id"] for o in graph.objects] == ["p1"]
    assert graph.lists[-1][0] >= late  # found by polling, after it committed


def test_a_same_named_object_that_existed_before_is_never_taken_over() -> None:
    graph = FakeGraph([DROPPED, "ok"], existing=1)  # p1 has the same name and the same values
    created, recovered = create(graph)
    assert created["id"] == "p2" and not recovered  # the POST was sent again, p1 untouched
    assert graph.posts[1] >= WINDOW  # only after the window closed: a late commit would have been found
    looks = [t for t, q in graph.lists if q and "$filter" in q]
    assert looks and all(t <= graph.posts[1] for t in looks)


def test_an_object_claimed_by_another_create_of_the_process_is_not_taken() -> None:
    graph, ledger = FakeGraph(["ok", DROPPED, "ok"]), Ledger()
    first, _ = create(graph, ledger)
    second, recovered = create(graph, ledger)
    assert first["id"] == "p1" and second["id"] == "p2" and not recovered


def test_past_the_window_the_step_fails_and_says_what_to_do() -> None:
    graph = FakeGraph([DROPPED, (DROPPED, 100.0), DROPPED])
    with pytest.raises(GraphTransportError) as info:
        create(graph)
    assert len(graph.posts) == 3 and graph.posts[2] - graph.posts[1] >= WINDOW
    [note] = info.value.__notes__
    assert note.startswith(
        "Graph did not confirm the create of provisioning policy 'Engineering', and no new policy of that name "
        f"appeared within {WINDOW} s of the last attempt; Graph may still finish it. Before running `pulumi up` again"
    )
    assert "Devices > Windows 365 > Provisioning policies" in note and "set adopt=True" in note
    assert graph.now >= 3 * WINDOW  # each ambiguous send got its whole window


def test_two_new_identical_objects_are_a_conflict_not_a_guess() -> None:
    graph = FakeGraph([(DROPPED, 1.0)])
    graph.late.append((0.5, graph._new()))  # someone else makes an identical one meanwhile
    with pytest.raises(GraphConflictError, match=r"2 identical provisioning policies named 'Engineering' exist \(p1, p2\)"):
        create(graph)


def test_a_different_new_object_of_the_name_is_not_taken() -> None:
    graph = FakeGraph([DROPPED, "ok"])
    other = {**graph._new(), "imageId": "Publisher_offer_other-sku"}
    graph.objects.append(other)  # made by someone else after the snapshot, with another image
    created, recovered = create(graph, Ledger(before={}))
    assert created["id"] == "p2" and other["id"] == "p1" and not recovered


def test_a_clear_refusal_is_not_looked_up() -> None:
    graph = FakeGraph([httpx.ConnectError("refused"), "ok"])
    created, recovered = create(graph)
    assert created["id"] == "p1" and not recovered and graph.lists == [(0.0, {"$select": "id,displayName"})]


def test_a_500_is_looked_up_for_the_window_then_fails() -> None:
    from tests.unit.test_retry import odata

    graph = FakeGraph([odata(500, "InternalServerError")])
    with pytest.raises(GraphError) as info:
        create(graph)
    assert info.value.status == 500 and len(graph.posts) == 1 and graph.now >= WINDOW
    assert any("no new policy of that name appeared" in note for note in info.value.__notes__)
