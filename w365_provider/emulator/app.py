"""HTTP layer: the Graph ASGI app (auth, request log, faults, routing) and the app factory.

Handlers are thin: the URL tree (:mod:`routing`, built from the entity sets) maps a request to a
handler of an entity set, which renders the result. Graph requests go through
:class:`GraphApp` (a raw ASGI app, so that a fault can cut a connection mid-response);
``/_emulator/...`` control routes are in :mod:`control`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .config import REQUEST_LOG_SIZE, EmulatorConfig
from .control import control_routes
from .entities import TABLES
from .errors import BadRequest, GraphError, MethodNotAllowed
from .faults import FaultSet
from .messages import INVALID_JSON_MSG, INVALID_VERSION_MSG, METHOD_NOT_ALLOWED_MSG
from .models import GraphBackend
from .routing import Call, Node, resolve
from .schema import VERSIONS
from .store import Store
from .wire import JSON_CONTENT_TYPE, check_token, error_response, graph_headers

log = logging.getLogger("w365_provider.emulator")


@dataclass
class EmulatorState:
    config: EmulatorConfig
    backend: GraphBackend
    faults: FaultSet = field(default_factory=FaultSet)
    requests: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=REQUEST_LOG_SIZE))
    tree: Node = field(init=False)

    def __post_init__(self) -> None:
        self.tree = self.backend.tree()


class GraphApp:
    """Serves ``/v1.0/...`` and ``/beta/...``; every request is logged."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        request_id = str(uuid.uuid4())
        client_request_id = request.headers.get("client-request-id") or request_id
        method = scope["method"].upper()
        entry: dict[str, Any] = {
            "method": method,
            "path": scope["path"],
            "query": unquote(scope.get("query_string", b"").decode("latin-1")),
            "status": 0,
            "time": time.time(),
            "request_id": request_id,
            "client_request_id": client_request_id,
        }
        drop: str | None = None
        response: Response | None
        try:
            response, drop = await self._dispatch(request, method, request_id, client_request_id)
        except GraphError as err:
            response = error_response(err, request_id, client_request_id)
        except Exception:  # an emulator bug: answer like Graph would, and keep the trace
            log.exception("unhandled error for %s %s", method, scope["path"])
            err = GraphError("An internal server error occurred in the emulator.")
            response = error_response(err, request_id, client_request_id)
        if response is not None:
            response.headers.update(graph_headers(request_id, client_request_id))
        entry["status"] = 0 if drop else (response.status_code if response else 0)
        if drop:
            entry["dropped"] = drop
            if response is not None:
                entry["executed_status"] = response.status_code
        self.state.requests.append(entry)
        if drop:
            await self._send_cut(response, send)
        else:
            assert response is not None
            await response(scope, receive, send)

    async def _dispatch(
        self, request: Request, method: str, request_id: str, client_request_id: str
    ) -> tuple[Response | None, str | None]:
        """Auth, then faults, then the request itself; returns the response and the drop mode."""
        check_token(request.headers.get("authorization"), method, self.state.config)
        rule = self.state.faults.take(method, request.url.path)
        if rule is not None:
            if rule.latency_ms:
                await asyncio.sleep(rule.latency_ms / 1000)
            if rule.drop == "before":
                return None, "before"
            if rule.status is not None:
                raise rule.error()
        try:
            response = await self._execute(request, method)
        except GraphError as err:
            response = error_response(err, request_id, client_request_id)
        return response, (rule.drop if rule is not None else None)

    async def _execute(self, request: Request, method: str) -> Response:
        raw_path = request.scope.get("raw_path") or quote(request.scope["path"]).encode()
        raw_segments = [s for s in raw_path.decode("latin-1").split("?", 1)[0].split("/") if s]
        if not raw_segments:
            raise BadRequest(INVALID_VERSION_MSG.format(version=""))
        version = unquote(raw_segments[0])
        if version not in VERSIONS:
            raise BadRequest(INVALID_VERSION_MSG.format(version=version))
        node, keys = resolve(self.state.tree, [unquote(s) for s in raw_segments[1:]])
        handler = node.methods.get(method)
        if handler is None:
            raise MethodNotAllowed(METHOD_NOT_ALLOWED_MSG, headers={"Allow": ", ".join(sorted(node.methods))})
        body: Any = None
        if method in ("POST", "PATCH", "PUT"):
            raw = await request.body()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise BadRequest(INVALID_JSON_MSG) from None
        pairs = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        prefer = request.headers.get("prefer", "")
        call = Call(
            version=version,
            keys=keys,
            pairs=pairs,
            body=body,
            origin=f"{request.url.scheme}://{request.url.netloc}",
            path="/" + "/".join(raw_segments),
            include_unknown="include-unknown-enum-members" in prefer.lower(),
            page_size=self.state.config.page_size,
        )
        return handler(call)

    @staticmethod
    async def _send_cut(response: Response | None, send: Send) -> None:
        """Send the status line, headers with a Content-Length, and only part of the body.

        Returning without completing the response makes the ASGI server close the
        connection, so the client sees a protocol/connection error.
        """
        body = response.body if response is not None and response.body else b""
        status = response.status_code if response is not None and body else 200
        declared = len(body) if body else 64
        headers = [(b"content-type", JSON_CONTENT_TYPE.encode()), (b"content-length", str(declared).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": bytes(body[: len(body) // 2]), "more_body": True})


class RequestIdHeaders:
    """ASGI wrapper: make sure every response carries ``request-id`` (control routes, 405s)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_ids(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"request-id" not in names:
                    request_id = str(uuid.uuid4()).encode()
                    headers.append((b"request-id", request_id))
                    if b"client-request-id" not in names:
                        client = dict(scope.get("headers", [])).get(b"client-request-id", request_id)
                        headers.append((b"client-request-id", client))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_ids)


def create_app(config: EmulatorConfig, db: str | Path) -> RequestIdHeaders:
    """The emulator's ASGI app over the SQLite database ``db`` (``:memory:`` for a throwaway one)."""
    store = Store(db, TABLES)
    backend = GraphBackend(store, image_ready_seconds=config.image_ready_seconds)
    backend.seed()
    state = EmulatorState(config=config, backend=backend)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        yield
        store.close()

    routes: Iterable[Route] = [*control_routes(state), Route("/{path:path}", GraphApp(state))]
    app = Starlette(routes=list(routes), lifespan=lifespan)
    app.state.emulator = state
    return RequestIdHeaders(app)
