"""Turn what msgraph-sdk and httpx raise into facts (``Failure``) and into our errors.

msgraph-sdk raises ``ODataError`` (a kiota ``APIError``) for any 4xx/5xx answer, a plain
``APIError`` when the error body cannot be parsed, and lets httpx's transport errors through
unwrapped. ``classify`` reads the status, Graph's code and message, the request-id and
``Retry-After`` from any of them; ``to_graph_error`` builds the exception the caller sees.
"""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

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
    unreachable: bool = False
    """Nothing answers at the Graph root: connection refused, host unknown or unreachable."""

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
    if isinstance(exc, httpx.ConnectError) and _unreachable_cause(exc):  # nothing sent, nobody there
        return Failure(status=None, message=unreachable_message(exc), unreachable=True)
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


_UNREACHABLE_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL})


def _unreachable_cause(exc: BaseException) -> BaseException | None:
    """The refused connection or failed name lookup behind ``exc`` (its cause chain), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return current
        if isinstance(current, OSError) and current.errno in _UNREACHABLE_ERRNOS:
            return current
        current = current.__cause__ or current.__context__
    return None


def unreachable_message(exc: BaseException) -> str:
    """One paragraph for a Graph that does not answer: the root, the API version, the cause
    and, for a loopback root, how to start the local emulator."""
    url = _request_url(exc)
    cause = _unreachable_cause(exc)
    what = "its host name was not found" if isinstance(cause, socket.gaierror) else "the connection was refused"
    if url is None:
        return f"Graph cannot be reached: {what} ({_transport_message(exc)})"
    parts = urlsplit(url)
    segments = [seg for seg in parts.path.split("/") if seg]
    version = segments[0] if segments else "?"
    root = f"{parts.scheme}://{parts.netloc}/{version}"
    text = f"Graph at {root} (API version {version}) cannot be reached: {what} ({_transport_message(exc)})."
    if parts.hostname in ("127.0.0.1", "localhost", "::1"):
        port = parts.port or (443 if parts.scheme == "https" else 80)
        text += (
            f" Nothing listens on {parts.hostname}:{port}: start the local Graph emulator (`make run` starts it "
            f"on port 8765), or run `python -m w365_provider.emulator --port {port}`, or fix w365:graphUrl."
        )
    else:
        text += " Check w365:graphUrl (or W365_GRAPH_URL), the network and the proxy settings."
    return text


def _request_url(exc: BaseException) -> str | None:
    try:
        request = exc.request  # type: ignore[attr-defined]  # httpx.RequestError; raises if unset
    except (AttributeError, RuntimeError):
        return None
    return None if request is None else str(request.url)
