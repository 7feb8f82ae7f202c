"""Control routes ``/_emulator/...``: health, fault rules, the request log, reset (not Graph).

They answer in Graph's error envelope and need the full token (except ``health``); they are
never logged and never faulted.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import BadRequest, GraphError, NotFound
from .faults import FaultRuleError
from .messages import INVALID_JSON_MSG
from .people_control import people_routes
from .wire import check_token, error_response, graph_headers, json_response, no_content

if TYPE_CHECKING:
    from .app import EmulatorState


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
        raise BadRequest(INVALID_JSON_MSG) from None


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
        *people_routes(state, control, _json),
        Route("/_emulator/{rest:path}", control(state, unknown)),
    ]
