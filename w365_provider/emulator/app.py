"""HTTP layer: the Graph ASGI app (auth, request log, faults, routing) and the app factory.

Handlers are thin: the URL tree (:mod:`routing`, built from the entity sets) maps a request to a
handler of an entity set, which renders the result. Graph requests go through
:class:`GraphApp` (a raw ASGI app, so that a fault can cut a connection mid-response);
``/_emulator/...`` control routes are in :mod:`control`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Coroutine, Iterable
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
from .control import ControlApp
from .entities import TABLES
from .errors import BadRequest, GraphError, MethodNotAllowed, NotFound
from .faults import FaultRule, FaultSet
from .messages import INVALID_VERSION_MSG, METHOD_NOT_ALLOWED_MSG, RESOURCE_NOT_FOUND_MSG
from .models import GraphBackend
from .routing import Call, Node, resolve
from .schema import VERSIONS
from .store import Store
from .wire import JSON_CONTENT_TYPE, ClientGone, check_token, error_response, graph_headers, parse_json, read_body

log = logging.getLogger("w365_provider.emulator")
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT"})


class LateCommits:
    """Writes that ``commit_late_ms`` faults run after the answer; reset and shutdown cancel them."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, commit: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(commit)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()


@dataclass
class EmulatorState:
    config: EmulatorConfig
    backend: GraphBackend
    faults: FaultSet = field(default_factory=FaultSet)
    requests: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=REQUEST_LOG_SIZE))
    late_commits: LateCommits = field(default_factory=LateCommits)
    tree: Node = field(init=False)

    def __post_init__(self) -> None:
        self.tree = self.backend.tree()

    def reset(self) -> None:
        """Back to the seeded catalogue: no entities of ours, no fault rules, no pending late commits."""
        self.late_commits.cancel()
        self.backend.reset()
        self.faults.clear()


@dataclass
class Exchange:
    """One Graph request in flight: the request, its ids, its request-log entry and its body."""

    request: Request
    method: str
    request_id: str
    client_request_id: str
    entry: dict[str, Any]
    body: bytes | None = None

    @classmethod
    def start(cls, request: Request) -> Exchange:
        request_id = str(uuid.uuid4())
        client_request_id = request.headers.get("client-request-id") or request_id
        method = request.method.upper()
        entry: dict[str, Any] = {
            "method": method,
            "path": request.scope["path"],
            "query": unquote(request.scope.get("query_string", b"").decode("latin-1")),
            "status": 0,
            "time": time.time(),
            "request_id": request_id,
            "client_request_id": client_request_id,
        }
        return cls(request, method, request_id, client_request_id, entry)

    def error(self, err: GraphError) -> Response:
        return error_response(err, self.request_id, self.client_request_id)


class GraphApp:
    """Serves ``/v1.0/...`` and ``/beta/...``; every request is logged.

    Order: auth, the request body (size and nesting limits), fault rules, then the request
    itself. A write, once started, always completes: a client that goes away during a
    ``latency_ms`` fault still gets its write done (and no traceback in the log).
    """

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = Exchange.start(Request(scope, receive))
        drop: str | None = None
        response: Response | None
        try:
            response, drop = await self._dispatch(ex)
        except ClientGone:  # nothing was executed and nobody is listening
            ex.entry["client_gone"] = True
            self.state.requests.append(ex.entry)
            return
        except GraphError as err:
            response = ex.error(err)
        except Exception:  # an emulator bug: answer like Graph would, and keep the trace
            log.exception("unhandled error for %s %s", ex.method, scope["path"])
            response = ex.error(GraphError("An internal server error occurred in the emulator."))
        self._log(ex, response, drop)
        if drop:
            await self._send_cut(response, send)
        else:
            assert response is not None
            await response(scope, receive, send)

    def _log(self, ex: Exchange, response: Response | None, drop: str | None) -> None:
        if response is not None:
            response.headers.update(graph_headers(ex.request_id, ex.client_request_id))
        ex.entry["status"] = 0 if drop else (response.status_code if response else 0)
        if drop:
            ex.entry["dropped"] = drop
            if response is not None:
                ex.entry["executed_status"] = response.status_code
        self.state.requests.append(ex.entry)

    async def _dispatch(self, ex: Exchange) -> tuple[Response | None, str | None]:
        """Auth, the body, then faults, then the request itself; returns the response and the drop mode."""
        check_token(ex.request.headers.get("authorization"), ex.method, self.state.config)
        if ex.method in WRITE_METHODS:
            ex.body = await read_body(ex.request)
        rule = self.state.faults.take(ex.method, ex.request.url.path)
        if rule is None:
            return self._respond(ex), None
        return await self._apply_fault(ex, rule)

    async def _apply_fault(self, ex: Exchange, rule: FaultRule) -> tuple[Response | None, str | None]:
        if rule.commit_late_ms is not None:
            self._commit_later(ex, rule.commit_late_ms)
        if rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
            if await ex.request.is_disconnected():
                ex.entry["client_gone"] = True
        if rule.cuts_connection:
            return None, "before"
        if rule.status is not None:
            raise self._fault_error(ex, rule)
        return self._respond(ex), rule.drop

    def _commit_later(self, ex: Exchange, delay_ms: float) -> None:
        """Run the request ``delay_ms`` after it arrived, exactly as it would have run (or not, if invalid)."""
        ex.entry["commit_late_ms"] = delay_ms

        async def commit() -> None:
            await asyncio.sleep(delay_ms / 1000)
            try:
                ex.entry["executed_status"] = self._respond(ex).status_code
            except Exception:  # an emulator bug: keep the trace
                log.exception("late commit of %s %s failed", ex.method, ex.entry["path"])
                ex.entry["executed_status"] = 500
            ex.entry["executed_time"] = time.time()

        self.state.late_commits.start(commit())

    def _fault_error(self, ex: Exchange, rule: FaultRule) -> GraphError:
        """A plain 404 answers as the addressed entity's own 404 would; other statuses as the rule says."""
        if not rule.plain_not_found:
            return rule.error()
        try:
            _, segments, _ = self._path(ex.request)
            return resolve(self.state.tree, segments).not_found()
        except GraphError:
            return NotFound(RESOURCE_NOT_FOUND_MSG)

    def _respond(self, ex: Exchange) -> Response:
        try:
            return self._execute(ex)
        except GraphError as err:
            return ex.error(err)

    @staticmethod
    def _path(request: Request) -> tuple[str, list[str], str]:
        """(version, decoded segments after it, canonical path); 400 for an unknown version."""
        raw_path = request.scope.get("raw_path") or quote(request.scope["path"]).encode()
        raw_segments = [s for s in raw_path.decode("latin-1").split("?", 1)[0].split("/") if s]
        if not raw_segments:
            raise BadRequest(INVALID_VERSION_MSG.format(version=""))
        version = unquote(raw_segments[0])
        if version not in VERSIONS:
            raise BadRequest(INVALID_VERSION_MSG.format(version=version))
        return version, [unquote(s) for s in raw_segments[1:]], "/" + "/".join(raw_segments)

    def _execute(self, ex: Exchange) -> Response:
        version, segments, path = self._path(ex.request)
        target = resolve(self.state.tree, segments)
        handler = target.node.methods.get(ex.method)
        if handler is None:
            raise MethodNotAllowed(METHOD_NOT_ALLOWED_MSG, headers={"Allow": ", ".join(sorted(target.node.methods))})
        request = ex.request
        prefer = request.headers.get("prefer", "")
        call = Call(
            version=version,
            keys=target.keys,
            pairs=parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True),
            body=parse_json(ex.body) if ex.body is not None else None,
            origin=f"{request.url.scheme}://{request.url.netloc}",
            path=path,
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
    backend = GraphBackend(
        store, image_ready_seconds=config.image_ready_seconds, app_only=config.app_only,
        health_check_seconds=config.health_check_seconds,
    )
    backend.seed()
    state = EmulatorState(config=config, backend=backend)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        yield
        state.late_commits.cancel()
        store.close()

    routes: Iterable[Route] = [Route("/_emulator/{rest:path}", ControlApp(state)), Route("/{path:path}", GraphApp(state))]
    app = Starlette(routes=list(routes), lifespan=lifespan)
    app.state.emulator = state
    return RequestIdHeaders(app)
