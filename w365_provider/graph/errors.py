"""Turn what msgraph-sdk and httpx raise into facts (``Failure``) and into our errors.

msgraph-sdk raises ``ODataError`` (a kiota ``APIError``) for any 4xx/5xx answer, a plain
``APIError`` when the error body cannot be parsed, and lets httpx's transport errors through
unwrapped. ``classify`` reads the status, Graph's code and message, the request-id and
``Retry-After`` from any of them; ``to_graph_error`` builds the exception the caller sees.
"""

from __future__ import annotations

from dataclasses import dataclass

from w365_provider.errors import (
    GraphError,
    GraphNotFoundError,
    GraphThrottledError,
    GraphTransportError,
)

__all__ = ["Failure", "classify", "to_graph_error"]

_THROTTLED = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Failure:
    """One failed send, as facts: HTTP status (``None`` without an answer) and Graph's details."""

    status: int | None
    code: str | None = None
    message: str | None = None
    request_id: str | None = None
    retry_after: str | None = None
    ambiguous: bool = False
    """The request may have been processed although no success came back."""
    permanent: bool = False
    """A transport failure that another attempt cannot fix."""

    @property
    def summary(self) -> str:
        """A short description for logs: status and code, or the transport message."""
        if self.status is None:
            return self.message or "no answer"
        return f"HTTP {self.status} {self.code or ''}".strip()


def classify(exc: BaseException) -> Failure | None:
    """Facts about a failed Graph call, or ``None`` if ``exc`` is not a Graph/HTTP failure."""
    # Imported here: only a process that sent a request needs them (the program process and
    # the provider's start-up do not).
    import httpx
    from kiota_abstractions.api_error import APIError

    if isinstance(exc, APIError):
        status = exc.response_status_code
        headers = exc.response_headers or {}
        code = message = request_id = None
        main = getattr(exc, "error", None)
        if main is not None:
            code = main.code
            message = main.message
            inner = getattr(main, "inner_error", None)
            if inner is not None:
                request_id = inner.request_id
        if message is None:
            message = exc.message
        request_id = request_id or _header(headers, "request-id")
        return Failure(
            status=status,
            code=code,
            message=message,
            request_id=request_id,
            retry_after=_header(headers, "retry-after"),
            ambiguous=status is not None and status >= 500,
        )
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL)):  # a bug or bad URL
        return Failure(status=None, message=_transport_message(exc), permanent=True)
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):  # nothing sent
        return Failure(status=None, message=_transport_message(exc))
    if isinstance(exc, httpx.TransportError):
        return Failure(status=None, message=_transport_message(exc), ambiguous=True)
    return None


def to_graph_error(failure: Failure, operation: str, attempts: int) -> GraphError:
    """The exception for ``failure``, naming ``operation`` and the number of sends."""
    cls: type[GraphError]
    if failure.status is None:
        cls = GraphTransportError
    elif failure.status == 404:
        cls = GraphNotFoundError
    elif failure.status in _THROTTLED:
        cls = GraphThrottledError
    else:
        cls = GraphError
    return cls(
        operation,
        status=failure.status,
        code=failure.code,
        message=failure.message,
        request_id=failure.request_id,
        attempts=attempts,
    )


def _header(headers: object, name: str) -> str | None:
    get = getattr(headers, "get", None)
    if get is None:
        return None
    value = get(name)
    if value is None and isinstance(headers, dict):  # a plain dict is case-sensitive
        for key, val in headers.items():
            if str(key).lower() == name:
                return str(val)
    return None if value is None else str(value)


def _transport_message(exc: BaseException) -> str:
    text = str(exc) or "no details"
    return f"{type(exc).__name__}: {text}"
