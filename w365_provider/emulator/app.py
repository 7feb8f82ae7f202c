"""HTTP layer: the Graph URL tree, auth, the error envelope, the request log, faults, control routes.

Handlers are thin: they read the request, call :class:`~.models.GraphBackend`, and render
the result. Graph requests go through :class:`GraphApp` (a raw ASGI app, so that a fault can
cut a connection mid-response); ``/_emulator/...`` control routes are Starlette endpoints.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import models, query
from .config import REQUEST_LOG_SIZE, EmulatorConfig
from .errors import BadRequest, Forbidden, GraphError, MethodNotAllowed, NotFound, Unauthorized
from .faults import FaultRuleError, FaultSet
from .models import GraphBackend, render
from .store import Store

log = logging.getLogger("w365_provider.emulator")

JSON_CONTENT_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WWW_AUTHENTICATE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    'client_id="00000003-0000-0000-c000-000000000000"'
)
#: Context path (after ``$metadata#``) of each entity set.
CONTEXT_PATHS = {
    "provisioningPolicies": "deviceManagement/virtualEndpoint/provisioningPolicies",
    "galleryImages": "deviceManagement/virtualEndpoint/galleryImages",
    "deviceImages": "deviceManagement/virtualEndpoint/deviceImages",
    "onPremisesConnections": "deviceManagement/virtualEndpoint/onPremisesConnections",
    "userSettings": "deviceManagement/virtualEndpoint/userSettings",
    "groups": "groups",
}


# --------------------------------------------------------------------------- request + responses
@dataclass
class Call:
    """One routed Graph request, as handlers see it."""

    version: str
    keys: list[str]
    pairs: list[tuple[str, str]]
    body: Any
    origin: str  # "http://host:port"
    path: str  # canonical path, e.g. "/v1.0/groups"
    include_unknown: bool
    page_size: int


Handler = Callable[[GraphBackend, Call], Response]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, headers=headers, media_type=JSON_CONTENT_TYPE)


def no_content() -> Response:
    return Response(status_code=204)


def error_body(err: GraphError, request_id: str, client_request_id: str) -> dict[str, Any]:
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
        raise Unauthorized(models.TOKEN_MISSING_MSG, headers={"WWW-Authenticate": WWW_AUTHENTICATE})
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(models.TOKEN_MISSING_MSG, headers={"WWW-Authenticate": WWW_AUTHENTICATE})
    if hmac.compare_digest(token.encode(), config.token.encode()):
        return
    if config.read_only_token and hmac.compare_digest(token.encode(), config.read_only_token.encode()):
        if control or method.upper() not in READ_METHODS:
            raise Forbidden(models.READ_ONLY_TOKEN_MSG)
        return
    raise Unauthorized(models.TOKEN_INVALID_MSG, headers={"WWW-Authenticate": WWW_AUTHENTICATE})


# --------------------------------------------------------------------------- handlers
def _context(call: Call, entity_set: str, *, entity: bool, select: list[str] | None = None) -> str:
    path = CONTEXT_PATHS[entity_set]
    if select:
        path += "(" + ",".join(select) + ")"
    return f"{call.origin}/{call.version}/$metadata#{path}" + ("/$entity" if entity else "")


def _options(call: Call, entity_set: str, allowed: frozenset[str]) -> query.QueryOptions:
    etype = models.ENTITY_TYPES[entity_set]
    return query.parse(
        call.pairs,
        allowed=allowed,
        type_name=etype.name,
        selectable=models.select_names(entity_set, call.version),
        filterable=models.filter_names(entity_set, call.version),
        expandable=etype.navigation,
    )


def _render(call: Call, entity_set: str, entity: dict[str, Any], opts: query.QueryOptions | None = None) -> dict[str, Any]:
    return render(
        entity_set,
        entity,
        version=call.version,
        include_unknown=call.include_unknown,
        select=opts.select if opts else None,
        expand=opts.expand if opts else (),
    )


def list_handler(entity_set: str) -> Handler:
    def handler(backend: GraphBackend, call: Call) -> Response:
        opts = _options(call, entity_set, query.COLLECTION_OPTIONS)
        entities = [e for e in backend.list(entity_set) if query.matches(e, opts.filter)]
        chunk, after = query.page(entities, opts, call.page_size)
        body: dict[str, Any] = {"@odata.context": _context(call, entity_set, entity=False, select=opts.select)}
        if opts.count:
            body["@odata.count"] = len(entities)
        body["value"] = [_render(call, entity_set, e, opts) for e in chunk]
        if after is not None:
            body["@odata.nextLink"] = query.next_link(call.origin + call.path, call.pairs, after)
        return json_response(200, body)

    return handler


def get_handler(entity_set: str) -> Handler:
    def handler(backend: GraphBackend, call: Call) -> Response:
        opts = _options(call, entity_set, query.ITEM_OPTIONS)
        entity = backend.get(entity_set, call.keys[-1])
        body = {"@odata.context": _context(call, entity_set, entity=True, select=opts.select)}
        body.update(_render(call, entity_set, entity, opts))
        return json_response(200, body)

    return handler


def create_handler(entity_set: str, create: Callable[[GraphBackend, Any, str], dict[str, Any]]) -> Handler:
    def handler(backend: GraphBackend, call: Call) -> Response:
        entity = create(backend, call.body, call.version)
        body = {"@odata.context": _context(call, entity_set, entity=True)}
        body.update(_render(call, entity_set, entity))
        location = f"{call.origin}{call.path}/{quote(entity['id'], safe='')}"
        return json_response(201, body, {"Location": location})

    return handler


def keyed_handler(action: Callable[[GraphBackend, str, Any, str], None]) -> Handler:
    """PATCH / assign style: ``action(backend, id, body, version)`` then 204."""

    def handler(backend: GraphBackend, call: Call) -> Response:
        action(backend, call.keys[-1], call.body, call.version)
        return no_content()

    return handler


def delete_handler(delete: Callable[[GraphBackend, str], None]) -> Handler:
    def handler(backend: GraphBackend, call: Call) -> Response:
        delete(backend, call.keys[-1])
        return no_content()

    return handler


def run_health_checks(backend: GraphBackend, call: Call) -> Response:
    backend.run_health_checks(call.keys[-1])
    return no_content()


def policy_assignments_nav(backend: GraphBackend, call: Call) -> Response:
    backend.get("provisioningPolicies", call.keys[-1])  # 404 first for an unknown policy
    raise BadRequest(models.ASSIGNMENTS_NAV_UNSUPPORTED_MSG)


def user_setting_assignments(backend: GraphBackend, call: Call) -> Response:
    setting = backend.get("userSettings", call.keys[-1])
    values = render("userSettings", setting, version=call.version, expand=("assignments",))["assignments"]
    context = f"{call.origin}/{call.version}/$metadata#deviceManagement/virtualEndpoint/userSettings('{setting['id']}')/assignments"
    return json_response(200, {"@odata.context": context, "value": values})


# --------------------------------------------------------------------------- URL tree
@dataclass
class Node:
    """A URL segment: allowed methods, fixed children and an optional ``{id}`` child."""

    methods: dict[str, Handler] = field(default_factory=dict)
    children: dict[str, Node] = field(default_factory=dict)
    item: Node | None = None

    def child(self, segment: str) -> Node | None:
        for name, node in self.children.items():
            if name.lower() == segment.lower():
                return node
        return None


def _collection(entity_set: str, *, create: Any = None, update: Any = None, delete: Any = None,
                item_children: dict[str, Node] | None = None) -> Node:
    methods: dict[str, Handler] = {"GET": list_handler(entity_set)}
    if create is not None:
        methods["POST"] = create_handler(entity_set, create)
    item_methods: dict[str, Handler] = {"GET": get_handler(entity_set)}
    if update is not None:
        item_methods["PATCH"] = keyed_handler(update)
    if delete is not None:
        item_methods["DELETE"] = delete_handler(delete)
    return Node(methods=methods, item=Node(methods=item_methods, children=item_children or {}))


GRAPH_TREE = Node(
    children={
        "deviceManagement": Node(
            children={
                "virtualEndpoint": Node(
                    children={
                        "provisioningPolicies": _collection(
                            "provisioningPolicies",
                            create=GraphBackend.create_policy,
                            update=GraphBackend.update_policy,
                            delete=GraphBackend.delete_policy,
                            item_children={
                                "assign": Node(methods={"POST": keyed_handler(GraphBackend.assign_policy)}),
                                "assignments": Node(methods={"GET": policy_assignments_nav}),
                            },
                        ),
                        "galleryImages": _collection("galleryImages"),
                        "deviceImages": _collection(
                            "deviceImages", create=GraphBackend.create_device_image, delete=GraphBackend.delete_device_image
                        ),
                        "onPremisesConnections": _collection(
                            "onPremisesConnections",
                            create=GraphBackend.create_connection,
                            update=GraphBackend.update_connection,
                            delete=GraphBackend.delete_connection,
                            item_children={"runHealthChecks": Node(methods={"POST": run_health_checks})},
                        ),
                        "userSettings": _collection(
                            "userSettings",
                            create=GraphBackend.create_user_setting,
                            update=GraphBackend.update_user_setting,
                            delete=GraphBackend.delete_user_setting,
                            item_children={
                                "assign": Node(methods={"POST": keyed_handler(GraphBackend.assign_user_setting)}),
                                "assignments": Node(methods={"GET": user_setting_assignments}),
                            },
                        ),
                    }
                )
            }
        ),
        "groups": _collection("groups", create=GraphBackend.create_group, delete=GraphBackend.delete_group),
    }
)

_KEY_IN_PARENS = re.compile(r"^([A-Za-z]+)\('(.*)'\)$")


def resolve(segments: list[str]) -> tuple[Node, list[str]]:
    """Walk the URL tree; unknown segments answer as Graph does (400 BadRequest)."""
    node, keys = GRAPH_TREE, []
    for segment in segments:
        parens = _KEY_IN_PARENS.match(segment)
        if parens and (child := node.child(parens.group(1))) is not None and child.item is not None:
            node = child.item
            keys.append(parens.group(2).replace("''", "'"))
            continue
        child = node.child(segment)
        if child is not None:
            node = child
        elif node.item is not None:
            node = node.item
            keys.append(segment)
        else:
            raise BadRequest(models.SEGMENT_NOT_FOUND_MSG.format(segment=segment))
    return node, keys


# --------------------------------------------------------------------------- the Graph ASGI app
@dataclass
class EmulatorState:
    config: EmulatorConfig
    backend: GraphBackend
    faults: FaultSet = field(default_factory=FaultSet)
    requests: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=REQUEST_LOG_SIZE))


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
            raise BadRequest(models.INVALID_VERSION_MSG.format(version=""))
        version = unquote(raw_segments[0])
        if version not in models.VERSIONS:
            raise BadRequest(models.INVALID_VERSION_MSG.format(version=version))
        node, keys = resolve([unquote(s) for s in raw_segments[1:]])
        handler = node.methods.get(method)
        if handler is None:
            raise MethodNotAllowed(models.METHOD_NOT_ALLOWED_MSG, headers={"Allow": ", ".join(sorted(node.methods))})
        body: Any = None
        if method in ("POST", "PATCH", "PUT"):
            raw = await request.body()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise BadRequest(models.INVALID_JSON_MSG) from None
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
        return handler(self.state.backend, call)

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


# --------------------------------------------------------------------------- control routes
def _control_error(request: Request, err: GraphError) -> Response:
    request_id = str(uuid.uuid4())
    client_request_id = request.headers.get("client-request-id") or request_id
    response = error_response(err, request_id, client_request_id)
    response.headers.update(graph_headers(request_id, client_request_id))
    return response


def control(state: EmulatorState, fn: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """Wrap a control endpoint: full token required, Graph error envelope on failure."""

    async def endpoint(request: Request) -> Response:
        try:
            check_token(request.headers.get("authorization"), request.method, state.config, control=True)
            result: Response = await fn(request)
            return result
        except GraphError as err:
            return _control_error(request, err)

    return endpoint


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise BadRequest(models.INVALID_JSON_MSG) from None


def control_routes(state: EmulatorState) -> list[Route]:
    async def health(request: Request) -> Response:
        return json_response(200, {"status": "ok"})

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            body = await _json(request)
            try:
                state.faults.replace(body.get("rules") if isinstance(body, dict) else None)
            except FaultRuleError as exc:
                raise BadRequest(f"Invalid fault rule: {exc}") from None
        elif request.method == "DELETE":
            state.faults.clear()
            return no_content()
        return json_response(200, {"rules": state.faults.describe()})

    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            state.requests.clear()
            return no_content()
        return json_response(200, {"requests": list(state.requests)})

    async def reset(request: Request) -> Response:
        state.backend.reset()
        state.faults.clear()
        return no_content()

    async def unknown(request: Request) -> Response:
        raise NotFound(f"Unknown emulator control route '{request.url.path}'.")

    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/faults", control(state, faults), methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/requests", control(state, requests), methods=["GET", "DELETE"]),
        Route("/_emulator/reset", control(state, reset), methods=["POST"]),
        Route("/_emulator/{rest:path}", control(state, unknown)),
    ]


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
    store = Store(db)
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
