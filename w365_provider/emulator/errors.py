"""Graph error types: each carries only wire facts (HTTP status and Graph error code).

The routes turn any :class:`GraphError` into the Graph error envelope
``{"error": {"code", "message", "innerError": {...}}}``.
"""

from __future__ import annotations


class GraphError(Exception):
    """An error that Microsoft Graph would answer with ``status`` and ``code``."""

    status: int = 500
    code: str = "InternalServerError"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.headers: dict[str, str] = dict(headers or {})


class BadRequest(GraphError):
    status, code = 400, "BadRequest"


class Unauthorized(GraphError):
    status, code = 401, "InvalidAuthenticationToken"


class Forbidden(GraphError):
    status, code = 403, "Forbidden"


class NotFound(GraphError):
    """404 for Cloud PC (Intune-backed) entities."""

    status, code = 404, "ResourceNotFound"


class DirectoryNotFound(GraphError):
    """404 for directory objects (``/groups``), which use the ``Request_`` code family."""

    status, code = 404, "Request_ResourceNotFound"


class MethodNotAllowed(GraphError):
    status, code = 405, "BadRequest"


class PayloadTooLarge(GraphError):
    """413 for a request body over Graph's request size limit (code: observed wording, see FIDELITY.md)."""

    status, code = 413, "BadRequest"


class TooManyRequests(GraphError):
    status, code = 429, "TooManyRequests"


class ServiceUnavailable(GraphError):
    status, code = 503, "ServiceUnavailable"


class GatewayTimeout(GraphError):
    status, code = 504, "GatewayTimeout"


#: Graph error code used for an injected fault of a given status.
FAULT_CODES: dict[int, str] = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Forbidden",
    404: "ResourceNotFound",
    409: "Conflict",
    412: "PreconditionFailed",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


def code_for_status(status: int) -> str:
    """The Graph error code the emulator uses for an injected ``status``."""
    return FAULT_CODES.get(status, "UnknownError")
