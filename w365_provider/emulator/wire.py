"""What every Graph exchange shares on the wire: request bodies, JSON, the error envelope, headers, auth.

Sources: https://learn.microsoft.com/en-us/graph/errors (envelope, status codes, headers) and
https://learn.microsoft.com/en-us/graph/permissions-reference (read vs read-write permissions).
"""

from __future__ import annotations

import hmac
import json
import re
from contextlib import aclosing
from datetime import datetime, timezone
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from .config import MAX_BODY_BYTES, MAX_JSON_DEPTH, EmulatorConfig
from .errors import BadRequest, Forbidden, GraphError, PayloadTooLarge, Unauthorized
from .messages import (
    BODY_TOO_LARGE_MSG,
    INVALID_JSON_MSG,
    JSON_TOO_DEEP_MSG,
    READ_ONLY_TOKEN_MSG,
    TOKEN_INVALID_MSG,
    TOKEN_MISSING_MSG,
)

JSON_CONTENT_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WWW_AUTHENTICATE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    'client_id="00000003-0000-0000-c000-000000000000"'
)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, headers=headers, media_type=JSON_CONTENT_TYPE)


def no_content() -> Response:
    return Response(status_code=204)


def error_body(err: GraphError, request_id: str, client_request_id: str) -> dict[str, Any]:
    """Graph's error envelope: ``{"error": {"code", "message", "innerError": {...}}}``."""
    date = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return {
        "error": {
            "code": err.code,
            "message": err.message,
            "innerError": {"date": date, "request-id": request_id, "client-request-id": client_request_id},
        }
    }


def error_response(err: GraphError, request_id: str, client_request_id: str) -> Response:
    return json_response(err.status, error_body(err, request_id, client_request_id), err.headers)


def graph_headers(request_id: str, client_request_id: str) -> dict[str, str]:
    """The headers Graph sets on every response."""
    diagnostic = json.dumps({"ServerInfo": {"DataCenter": "Emulator", "Slice": "E", "Ring": "0", "ScaleUnit": "000"}})
    return {
        "request-id": request_id,
        "client-request-id": client_request_id,
        "x-ms-ags-diagnostic": diagnostic,
        "Cache-Control": "no-cache",
        "OData-Version": "4.0",
    }


def check_token(authorization: str | None, method: str, config: EmulatorConfig, *, control: bool = False) -> None:
    """401 without a valid bearer token; 403 when the read-only token tries to write (or to control)."""
    if not authorization:
        raise Unauthorized(TOKEN_MISSING_MSG, headers={"WWW-Authenticate": WWW_AUTHENTICATE})
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(TOKEN_MISSING_MSG, headers={"WWW-Authenticate": WWW_AUTHENTICATE})
    if hmac.compare_digest(token.encode(), config.token.encode()):
        return
    if config.read_only_token and hmac.compare_digest(token.encode(), config.read_only_token.encode()):
        if control or method.upper() not in READ_METHODS:
            raise Forbidden(READ_ONLY_TOKEN_MSG)
        return
    raise Unauthorized(TOKEN_INVALID_MSG, headers={"WWW-Authenticate": WWW_AUTHENTICATE})


# --------------------------------------------------------------------------- request bodies
#: A body past this many bytes is no longer drained (the connection is closed after the 413).
DRAIN_LIMIT = 16 * MAX_BODY_BYTES
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


class ClientGone(Exception):
    """The client closed the connection before its request body arrived (nothing is executed)."""


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The whole request body; 413 past ``limit`` bytes, after draining the rest so the client reads it."""
    chunks: list[bytes] = []
    size = 0
    try:
        async with aclosing(request.stream()) as stream:
            async for chunk in stream:
                size += len(chunk)
                if size <= limit:
                    chunks.append(chunk)
                elif size > DRAIN_LIMIT:
                    break
    except ClientDisconnect:
        raise ClientGone() from None
    if size > limit:
        raise PayloadTooLarge(BODY_TOO_LARGE_MSG)
    return b"".join(chunks)


def json_depth(raw: bytes, stop_after: int) -> int:
    """How deep objects and arrays nest in ``raw`` (brackets inside strings don't count).

    Counting stops once the depth passes ``stop_after``, so a hostile body costs one scan.
    """
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop_after:
                break
        else:
            depth -= 1
    return deepest


def parse_json(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON request body: ``None`` when empty, 400 when malformed or nested deeper than ``max_depth``."""
    if not raw.strip():
        return None
    if json_depth(raw, max_depth) > max_depth:
        raise BadRequest(JSON_TOO_DEEP_MSG.format(max=max_depth))
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest(INVALID_JSON_MSG) from None
