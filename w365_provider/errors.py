"""The exceptions this package raises, in one tree.

    W365Error                     anything this package raises on purpose
    ├── ConfigurationError        settings missing or inconsistent (graph URL, token, tenant)
    ├── ValidationError           inputs that break a rule, found before any call to Graph
    ├── NoMatchingImageError      no gallery image matches a publisher, offer and sku pattern
    ├── NoMatchingServicePlanError  no Cloud PC size (service plan) has the display name asked for
    └── GraphError                a Graph call failed: what was tried, status, code, request-id
        ├── GraphThrottledError   429/503/504 still returned after the retries ran out
        ├── GraphNotFoundError    404: the object is not there
        ├── GraphTransportError   no HTTP answer: connection refused or dropped, timeout
        ├── GraphConflictError    Graph's state forbids the call (for example, a name
        │                         that matches more than one policy)
        ├── ImageFailedError      a custom image's upload ended ``failed`` (errorCode says why)
        └── HealthCheckFailedError  an Azure network connection's health check failed (names the check)

Messages never hold a credential or a token: they name the operation, Graph's error code,
its message and its request-id, which is what Microsoft support asks for.

To add an error (for example ``ImageFailedError`` for a custom image whose upload failed),
subclass the closest class here and list it in ``__all__`` and in ``w365_provider.__init__``.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "GraphConflictError",
    "GraphError",
    "GraphNotFoundError",
    "GraphThrottledError",
    "GraphTransportError",
    "HealthCheckFailedError",
    "ImageFailedError",
    "NoMatchingImageError",
    "NoMatchingServicePlanError",
    "ValidationError",
    "W365Error",
]


class W365Error(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigurationError(W365Error):
    """The provider settings are missing or inconsistent."""


class ValidationError(W365Error):
    """An input breaks a rule; raised before anything is written to Graph."""

    def __init__(self, property_name: str, reason: str) -> None:
        super().__init__(f"{property_name}: {reason}")
        self.property_name = property_name
        self.reason = reason


class GraphError(W365Error):
    """A call to Microsoft Graph failed.

    ``operation`` says what was being done (``"create provisioning policy 'HR'"``),
    ``status`` is the HTTP status (``None`` when no answer came), ``code`` and ``message`` are
    Graph's ``error.code`` and ``error.message``, ``request_id`` is Graph's request-id and
    ``attempts`` how many times the call was sent.
    """

    def __init__(
        self,
        operation: str,
        *,
        status: int | None = None,
        code: str | None = None,
        message: str | None = None,
        request_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.attempts = attempts
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [f"{self.operation} failed"]
        if self.attempts > 1:
            parts[0] += f" after {self.attempts} attempts"
        answer = []
        if self.status is not None:
            answer.append(f"HTTP {self.status}")
        if self.code:
            answer.append(self.code)
        text = ": " + " ".join(answer) if answer else ""
        if self.message:
            text += f" - {self.message}" if answer else f": {self.message}"
        if self.request_id:
            text += f" (request-id {self.request_id})"
        return parts[0] + text


class GraphThrottledError(GraphError):
    """Graph kept answering 429, 503 or 504 until the retries ran out."""


class GraphNotFoundError(GraphError):
    """Graph answered 404: the object does not exist (any more)."""


class GraphTransportError(GraphError):
    """No HTTP answer: the connection failed, was dropped, or timed out."""


class GraphConflictError(GraphError):
    """Graph's current state does not allow the call as asked."""


class ImageFailedError(GraphError):
    """A custom device image's upload ended ``failed`` (or never got ready); ``code`` is Graph's
    ``errorCode`` and ``message`` says what it means."""


class HealthCheckFailedError(GraphError):
    """An Azure network connection's health checks ended ``failed``: ``message`` names the
    failing check, its error and Graph's recommended action."""


class NoMatchingImageError(W365Error):
    """No gallery image matches the publisher, offer and sku pattern asked for."""


class NoMatchingServicePlanError(W365Error):
    """No Cloud PC size (service plan, or Frontline service plan) has the display name asked for;
    the message names the closest ones."""
