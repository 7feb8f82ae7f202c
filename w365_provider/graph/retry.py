"""What may be retried against Microsoft Graph, and how.

Rules (kiota's own RetryHandler is switched off in ``client.py``; it would re-send a POST):

- Idempotent calls (GET, PATCH, DELETE, PUT, and actions that replace a whole set such as
  ``assign``) are retried on 429, 500, 502, 503 and 504 and on transport failures (timeouts,
  dropped connections), honouring ``Retry-After`` (seconds or an HTTP date). A wait is never
  shorter than ``RetryPolicy.min_delay`` (Graph sometimes sends ``Retry-After: 0``) nor longer
  than ``RetryPolicy.max_delay``; without ``Retry-After`` the wait doubles from
  ``RetryPolicy.backoff``. At most ``RetryPolicy.max_attempts`` sends, and no wait that would
  end after ``RetryPolicy.max_total_seconds`` from the first send.
- Graph unreachable (connection refused, host name not found) is not throttling: one quick
  re-send after ``UNREACHABLE_RETRY_SECONDS`` (a server that is restarting), then the error,
  which names the Graph root, the API version and, for a loopback root, how to start the
  emulator. A create is not re-sent at all.
- A create (POST) is never re-sent blindly. Where the request cannot have been processed (429,
  or the connection was refused before anything was sent) it is re-sent after the wait. After
  an ambiguous failure (timeout, connection dropped, a 5xx after the request went out) the wait
  comes first (the server may still be finishing the request), then the object is looked up
  (``find``); if it is there, it is the result, otherwise the POST is re-sent.
- Anything else (400, 401, 403, 404, 409 ...) fails at once.

The error left after the retries (``w365_provider.errors.GraphError`` and subclasses) names
the operation, the HTTP status, Graph's error code and its request-id.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TypeVar

from w365_provider.graph.errors import Failure, classify, to_graph_error

__all__ = [
    "IDEMPOTENT_RETRYABLE_STATUSES",
    "RETRYABLE_STATUSES",
    "UNREACHABLE_RETRY_SECONDS",
    "RetryPolicy",
    "call",
    "create",
    "parse_retry_after",
]

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

log = logging.getLogger("w365_provider.graph")

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
"""Statuses after which a create may be sent again (``create``: after looking for the object)."""

IDEMPOTENT_RETRYABLE_STATUSES = RETRYABLE_STATUSES | {500}
"""Statuses after which an idempotent call is sent again: a 500 too, since sending a GET,
PATCH, DELETE or ``assign`` twice does no harm."""

UNREACHABLE_RETRY_SECONDS = 0.5
"""The one quick wait before re-sending a call whose connection was refused."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds and timings of retries. Defaults suit Graph; tests pass small values."""

    max_attempts: int = 6
    """Most sends of one call, the first included."""
    min_delay: float = 1.0
    """Shortest wait in seconds; also the floor for ``Retry-After: 0``."""
    max_delay: float = 60.0
    """Longest single wait in seconds; a longer ``Retry-After`` is cut to this."""
    backoff: float = 2.0
    """First wait when Graph sends no ``Retry-After``; doubled on each attempt."""
    jitter: float = 0.2
    """Random extra, as a fraction of the computed wait, added to spread concurrent retries."""
    max_total_seconds: float = 180.0
    """Bound on one call's retrying: no wait is started that would end later than this many
    seconds after the first send (``w365:retryMaxTotalSeconds``)."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.min_delay < 0 or self.max_delay < self.min_delay:
            raise ValueError("need 0 <= min_delay <= max_delay")
        if self.max_total_seconds <= 0:
            raise ValueError("max_total_seconds must be positive")

    def delay(self, attempt: int, retry_after: str | None = None, now: datetime | None = None) -> float:
        """Seconds to wait after failed send number ``attempt`` (1-based)."""
        wanted = parse_retry_after(retry_after, now)
        if wanted is None:
            wanted = self.backoff * (2 ** (attempt - 1))
            wanted += wanted * self.jitter * random.random()
        return min(max(wanted, self.min_delay), self.max_delay)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP date; ``None`` if absent or bad."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max((when - now).total_seconds(), 0.0)


async def call(
    send: Callable[[], Awaitable[T]],
    *,
    operation: str,
    policy: RetryPolicy,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = time.monotonic,
) -> T:
    """Run an idempotent Graph call, retrying throttling, 5xx and transport failures within
    ``policy``'s bounds (attempts and total time); an unreachable Graph gets one quick re-send.

    ``send`` makes one request and returns its result; ``operation`` names the call in errors.
    """
    started = clock()
    attempt = 0
    quick_retry_used = False
    while True:
        attempt += 1
        try:
            return await send()
        except Exception as exc:  # noqa: BLE001 - classified below, re-raised as ours
            failure = classify(exc)
            if failure is None:
                raise
            if failure.unreachable:
                wait = UNREACHABLE_RETRY_SECONDS
                retry_it = not quick_retry_used
                quick_retry_used = True
            else:
                wait = policy.delay(attempt, failure.retry_after)
                retry_it = _retryable(failure, IDEMPOTENT_RETRYABLE_STATUSES)
            in_budget = clock() - started + wait <= policy.max_total_seconds
            if not retry_it or attempt >= policy.max_attempts or not in_budget:
                raise to_graph_error(failure, operation, attempt) from exc
            log.info("%s: %s, retrying in %.1fs", operation, failure.summary, wait)
            await sleep(wait)


async def create(
    post: Callable[[], Awaitable[T]],
    find: Callable[[], Awaitable[T | None]],
    *,
    operation: str,
    policy: RetryPolicy,
    sleep: Sleep = asyncio.sleep,
) -> tuple[T, bool]:
    """Run a non-idempotent create without ever making a duplicate.

    ``post`` sends the create once; ``find`` looks for the object the create would have made
    (``None`` if absent) and is itself an idempotent call. Returns ``(result, recovered)``,
    where ``recovered`` is true when the object was found by ``find`` after an ambiguous
    failure instead of being returned by ``post``.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return await post(), False
        except Exception as exc:  # noqa: BLE001 - classified below, re-raised as ours
            failure = classify(exc)
            if failure is None:
                raise
            waited = False
            if failure.ambiguous:
                # The server may still be finishing the request: give it the wait first, then look.
                if attempt < policy.max_attempts and _retryable(failure):
                    await sleep(policy.delay(attempt, failure.retry_after))
                    waited = True
                log.info("%s: %s; looking for the object before sending again", operation, failure.summary)
                found = await find()
                if found is not None:
                    return found, True
            if not _retryable(failure) or attempt >= policy.max_attempts:
                raise to_graph_error(failure, operation, attempt) from exc
            if not waited:
                wait = policy.delay(attempt, failure.retry_after)
                log.info("%s: %s, sending again in %.1fs", operation, failure.summary, wait)
                await sleep(wait)


def _retryable(failure: Failure, statuses: frozenset[int] = RETRYABLE_STATUSES) -> bool:
    """Whether another send may help: a retryable status, or a transport failure that is
    neither permanent nor an unreachable Graph (refused connection, unknown host)."""
    if failure.status is None:
        return not failure.permanent and not failure.unreachable
    return failure.status in statuses
