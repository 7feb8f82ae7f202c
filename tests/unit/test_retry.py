"""The retry policy: what is retried, how long it waits, and the error left afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from kiota_abstractions.api_error import APIError
from msgraph.generated.models.o_data_errors.inner_error import InnerError
from msgraph.generated.models.o_data_errors.main_error import MainError
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from tests.reliability import record
from w365_provider.errors import (
    GraphError,
    GraphNotFoundError,
    GraphThrottledError,
    GraphTransportError,
)
from w365_provider.graph.errors import classify
from w365_provider.graph.retry import RetryPolicy, call, create, parse_retry_after

POLICY = RetryPolicy(max_attempts=4, min_delay=0.5, max_delay=30.0, backoff=1.0, jitter=0.0)
NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


def odata(status: int, code: str = "X", retry_after: str | None = None, request_id: str = "rid-1") -> ODataError:
    exc = ODataError()
    exc.error = MainError(code=code, message=f"message {status}", inner_error=InnerError(request_id=request_id))
    exc.response_status_code = status
    headers = {"request-id": request_id}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    exc.response_headers = httpx.Headers(headers)
    return exc


class Script:
    """An async callable that raises or returns the scripted outcomes in order."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    async def __call__(self) -> Any:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[float]]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    result = asyncio.run(fn(*args, sleep=sleep, **kwargs))
    return result, waits


# -- Retry-After and delays -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2", 2.0), (" 0 ", 0.0), ("1.5", 1.5), ("-3", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_parse_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after(format_datetime(NOW + timedelta(seconds=7), usegmt=True), NOW) == 7.0
    assert parse_retry_after(format_datetime(NOW - timedelta(seconds=7), usegmt=True), NOW) == 0.0


def test_delay_honours_retry_after_with_floor_and_cap() -> None:
    assert POLICY.delay(1, "3", NOW) == 3.0
    assert POLICY.delay(1, "0", NOW) == 0.5  # floor: Graph's Retry-After 0 is not a busy loop
    assert POLICY.delay(1, "600", NOW) == 30.0  # cap


def test_delay_backs_off_without_retry_after() -> None:
    assert [POLICY.delay(n) for n in (1, 2, 3, 4, 5, 6)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0]
    jittery = RetryPolicy(backoff=1.0, jitter=0.5, min_delay=0.0)
    assert all(1.0 <= jittery.delay(1) <= 1.5 for _ in range(50))


# -- idempotent calls -----------------------------------------------------------------------


def test_429_twice_then_success_waits_as_told() -> None:
    send = Script(odata(429, "TooManyRequests", "2"), odata(429, "TooManyRequests", "3"), {"ok": True})
    result, waits = run(call, send, operation="read p", policy=POLICY)
    assert result == {"ok": True}
    assert send.calls == 3 and waits == [2.0, 3.0]


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_throttling_statuses_are_retried(status: int) -> None:
    send = Script(odata(status, retry_after="1"), "done")
    assert run(call, send, operation="op", policy=POLICY)[0] == "done"


def test_retries_are_bounded_and_the_error_says_what_failed() -> None:
    send = Script(*[odata(503, "ServiceUnavailable", "1", request_id=f"r{i}") for i in range(4)])
    with pytest.raises(GraphThrottledError) as info:
        run(call, send, operation="update provisioning policy 'HR' (p1)", policy=POLICY)
    assert send.calls == 4
    err = info.value
    assert (err.status, err.code, err.request_id, err.attempts) == (503, "ServiceUnavailable", "r3", 4)
    assert str(err).startswith("update provisioning policy 'HR' (p1) failed after 4 attempts: HTTP 503 ServiceUnavailable")
    assert "(request-id r3)" in str(err)


@pytest.mark.parametrize(("status", "cls"), [(400, GraphError), (403, GraphError), (404, GraphNotFoundError)])
def test_client_errors_fail_at_once(status: int, cls: type[GraphError]) -> None:
    send = Script(odata(status, "BadRequest"))
    with pytest.raises(cls) as info:
        run(call, send, operation="op", policy=POLICY)
    assert send.calls == 1 and info.value.attempts == 1 and info.value.status == status


def test_transport_errors_are_retried_on_idempotent_calls() -> None:
    send = Script(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"), 1)
    result, waits = run(call, send, operation="op", policy=POLICY)
    assert result == 1 and len(waits) == 3


def test_transport_error_after_retries_is_a_transport_error() -> None:
    send = Script(*[httpx.ConnectError("refused")] * 4)
    with pytest.raises(GraphTransportError, match=r"op failed after 4 attempts: ConnectError: refused"):
        run(call, send, operation="op", policy=POLICY)


def test_permanent_transport_errors_are_not_retried() -> None:
    send = Script(httpx.UnsupportedProtocol("ftp"))
    with pytest.raises(GraphTransportError):
        run(call, send, operation="op", policy=POLICY)
    assert send.calls == 1


def test_unrelated_exceptions_pass_through() -> None:
    send = Script(KeyError("bug"))
    with pytest.raises(KeyError):
        run(call, send, operation="op", policy=POLICY)


def test_unparsable_error_body_still_gives_status() -> None:
    exc = APIError("The server returned an unexpected status code and the error body could not be parsed", 500, {})
    failure = classify(exc)
    assert failure is not None and failure.status == 500 and failure.ambiguous
    assert failure.request_id is None


# -- create (POST): never blindly re-sent ---------------------------------------------------


def test_create_429_is_resent_without_lookup() -> None:
    post, find = Script(odata(429, retry_after="1"), {"id": "new"}), Script()
    (result, recovered), waits = run(create, post, find, operation="create", policy=POLICY)
    assert result == {"id": "new"} and not recovered
    assert post.calls == 2 and find.calls == 0 and waits == [1.0]


def test_create_connection_refused_is_resent_without_lookup() -> None:
    post, find = Script(httpx.ConnectError("refused"), {"id": "new"}), Script()
    (result, _), _ = run(create, post, find, operation="create", policy=POLICY)
    assert result == {"id": "new"} and find.calls == 0


@pytest.mark.parametrize(
    "ambiguous",
    [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("Server disconnected"), httpx.ReadError("reset"), odata(503, retry_after="1"), odata(504)],
)
def test_create_after_ambiguous_failure_finds_the_object(ambiguous: BaseException) -> None:
    post, find = Script(ambiguous), Script({"id": "made-anyway"})
    (result, recovered), waits = run(create, post, find, operation="create", policy=POLICY)
    assert result == {"id": "made-anyway"} and recovered
    assert post.calls == 1 and find.calls == 1
    assert len(waits) == 1  # the server gets time to finish before the lookup


def test_create_after_ambiguous_failure_resends_when_nothing_was_made() -> None:
    post, find = Script(odata(503, retry_after="1"), {"id": "new"}), Script(None)
    (result, recovered), waits = run(create, post, find, operation="create", policy=POLICY)
    assert result == {"id": "new"} and not recovered and post.calls == 2 and find.calls == 1
    assert waits == [1.0]  # one wait, before the lookup; the POST follows it at once


def test_create_500_not_made_is_not_resent() -> None:
    post, find = Script(odata(500, "InternalServerError")), Script(None)
    with pytest.raises(GraphError) as info:
        run(create, post, find, operation="create provisioning policy 'HR'", policy=POLICY)
    assert post.calls == 1 and find.calls == 1 and info.value.status == 500


def test_create_ambiguous_on_the_last_attempt_still_looks_before_failing() -> None:
    post = Script(odata(429, retry_after="1"), odata(429, retry_after="1"), odata(429, retry_after="1"), httpx.ReadTimeout("t"))
    find = Script({"id": "made"})
    (result, recovered), _ = run(create, post, find, operation="create", policy=POLICY)
    assert result == {"id": "made"} and recovered


def test_create_400_fails_at_once() -> None:
    post, find = Script(odata(400, "BadRequest")), Script()
    with pytest.raises(GraphError):
        run(create, post, find, operation="create", policy=POLICY)
    assert post.calls == 1 and find.calls == 0


def test_create_gives_up_after_max_attempts() -> None:
    post, find = Script(*[odata(429, retry_after="1")] * 4), Script()
    with pytest.raises(GraphThrottledError) as info:
        run(create, post, find, operation="create", policy=POLICY)
    assert post.calls == 4 and info.value.attempts == 4


def test_classify_reads_plain_dict_headers_case_insensitively() -> None:
    exc = APIError("x", 429, {"Retry-After": "4", "Request-Id": "q"})  # type: ignore[arg-type]
    failure = classify(exc)
    assert failure is not None and failure.retry_after == "4" and failure.request_id == "q"


# -- 5xx on idempotent calls, the total budget, an unreachable Graph -------------------------


class Clock:
    """A monotonic clock that only the fake sleep (or a test) moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run_timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[float], Clock]:
    clock = Clock()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.now += seconds

    result = asyncio.run(fn(*args, sleep=sleep, clock=clock, **kwargs))
    return result, waits, clock


def refused_error() -> httpx.ConnectError:
    """A real ``ConnectError`` from httpx for a closed loopback port."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{port}/v1.0/deviceManagement/virtualEndpoint/provisioningPolicies")

    try:
        asyncio.run(go())
    except httpx.ConnectError as exc:
        exc.port = port  # type: ignore[attr-defined]
        return exc
    raise AssertionError("the closed port answered")


def dns_error(url: str = "https://graph.contoso.invalid/beta/deviceManagement") -> httpx.ConnectError:
    """A ``ConnectError`` caused by a failed name lookup, built without any DNS query."""
    import socket

    exc = httpx.ConnectError("[Errno -2] Name or service not known", request=httpx.Request("GET", url))
    exc.__cause__ = socket.gaierror(-2, "Name or service not known")
    return exc


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_idempotent_calls_retry_transient_5xx_and_429(status: int) -> None:
    send = Script(odata(status, "Transient"), odata(status, "Transient"), {"ok": 1})
    result, waits = run(call, send, operation="op", policy=POLICY)
    assert result == {"ok": 1} and send.calls == 3 and len(waits) == 2


def test_create_is_never_resent_after_a_500() -> None:
    post, find = Script(odata(500), {"id": "second"}), Script(None)
    with pytest.raises(GraphError):
        run(create, post, find, operation="create", policy=POLICY)
    assert post.calls == 1


def test_retries_stop_within_the_total_budget() -> None:
    policy = RetryPolicy(max_attempts=50, min_delay=1.0, max_delay=60.0, backoff=1.0, jitter=0.0, max_total_seconds=45.0)
    send = Script(*[odata(503, "ServiceUnavailable", "20") for _ in range(50)])
    with pytest.raises(GraphThrottledError) as info:
        run_timed(call, send, operation="read p", policy=policy)
    assert send.calls == 3  # waits of 20 s at t=0 and t=20; a third would end at 60 s > 45 s
    assert info.value.attempts == 3
    for status in (500, 502, 503, 504, 429):
        assert run(call, Script(odata(status), "ok"), operation="op", policy=POLICY)[0] == "ok"
    post, find = Script(odata(500)), Script(None)
    with pytest.raises(GraphError):
        run(create, post, find, operation="create", policy=POLICY)
    assert post.calls == 1
    record(
        "graph-transient-5xx",
        level="unit",
        fault="Graph answers 500, 502, 503, 504 or 429 to a read, PATCH, DELETE or assign.",
        outcome="Re-sent with back-off, honouring Retry-After, within `w365:retryMaxAttempts` and a total of "
        "`w365:retryMaxTotalSeconds` (180 s by default); a create's POST is never re-sent blindly.",
    )


def test_the_budget_counts_the_time_spent_in_sends() -> None:
    policy = RetryPolicy(max_attempts=10, min_delay=1.0, max_delay=5.0, backoff=1.0, jitter=0.0, max_total_seconds=30.0)
    clock = Clock()

    async def slow_timeout() -> Any:
        clock.now += 14.0  # each send times out after 14 s
        raise httpx.ReadTimeout("timed out")

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    with pytest.raises(GraphTransportError) as info:
        asyncio.run(call(slow_timeout, operation="read p", policy=policy, sleep=sleep, clock=clock))
    # t=14 fail, wait 1 -> t=15; t=29 fail, wait 2 would end at 31 > 30: stop
    assert info.value.attempts == 2


def test_timeouts_stay_retried() -> None:
    send = Script(httpx.ConnectTimeout("slow connect"), httpx.ReadTimeout("slow"), "done")
    result, waits, _ = run_timed(call, send, operation="op", policy=POLICY)
    assert result == "done" and len(waits) == 2


def test_refused_connection_is_sent_twice_at_most_and_names_graph() -> None:
    exc = refused_error()
    send = Script(exc, exc, exc, exc)
    with pytest.raises(GraphTransportError) as info:
        run(call, send, operation="list Windows 365 gallery images", policy=POLICY)
    assert send.calls == 2  # one quick re-send, not the throttling back-off
    message = str(info.value)
    port = exc.port  # type: ignore[attr-defined]
    assert f"Graph at http://127.0.0.1:{port}/v1.0 (API version v1.0) cannot be reached" in message
    assert "the connection was refused" in message
    assert "`make run`" in message and f"python -m w365_provider.emulator --port {port}" in message
    assert "\n" not in message


def test_refused_connection_waits_briefly_once() -> None:
    exc = refused_error()
    send = Script(exc, {"ok": True})
    result, waits = run(call, send, operation="op", policy=POLICY)
    assert result == {"ok": True} and waits == [0.5]


def test_unknown_host_is_not_retried_like_throttling() -> None:
    send = Script(*[dns_error()] * 4)
    with pytest.raises(GraphTransportError) as info:
        run(call, send, operation="op", policy=POLICY)
    assert send.calls == 2
    message = str(info.value)
    assert "Graph at https://graph.contoso.invalid/beta (API version beta) cannot be reached" in message
    assert "host name was not found" in message and "emulator" not in message


def test_create_is_not_resent_to_an_unreachable_graph() -> None:
    post, find = Script(refused_error(), {"id": "x"}), Script()
    with pytest.raises(GraphTransportError, match="cannot be reached"):
        run(create, post, find, operation="create provisioning policy 'HR'", policy=POLICY)
    assert post.calls == 1 and find.calls == 0


def test_a_total_budget_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_total_seconds must be positive"):
        RetryPolicy(max_total_seconds=0)
