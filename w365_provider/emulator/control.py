"""Control routes ``/_emulator/...``: health, fault rules, the request log, reset (not Graph).

They answer in Graph's error envelope (https://learn.microsoft.com/en-us/graph/errors): the full
token is needed (except for ``health``), an unknown route is 404, a method a route doesn't have
is 405 with an ``Allow`` header. They are never logged and never faulted.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .entities.on_premises_connections import HEALTH_CHECKS
from .errors import BadRequest, GraphError, MethodNotAllowed, NotFound
from .faults import FaultRuleError
from .messages import METHOD_NOT_ALLOWED_MSG
from .people_control import people_routes
from .wire import ClientGone, check_token, error_response, graph_headers, json_response, no_content, parse_json, read_body

if TYPE_CHECKING:
    from .app import EmulatorState

PREFIX = "/_emulator/"
#: The route that answers without a token.
OPEN_ROUTES = frozenset({"health"})

Endpoint = Callable[[Request], Awaitable[Response]]


class ControlApp:
    """ASGI app for everything under ``/_emulator/``."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.routes: dict[str, dict[str, Endpoint]] = {
            "health": {"GET": self.health, "HEAD": self.health},
            "faults": {"GET": self.get_faults, "POST": self.set_faults, "DELETE": self.clear_faults},
            "requests": {"GET": self.get_requests, "DELETE": self.clear_requests},
            "reset": {"POST": self.reset},
            "healthChecks": {"GET": self.get_health_faults, "POST": self.set_health_faults,
                             "DELETE": self.clear_health_faults},
            **people_routes(state, _json),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.dispatch(request)
        except ClientGone:
            return  # nobody is listening
        except GraphError as err:
            response = _error(request, err)
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> Response:
        """Auth (unless open), then the route (404), then the method (405)."""
        name = request.url.path[len(PREFIX):]
        if name not in OPEN_ROUTES:
            check_token(request.headers.get("authorization"), request.method, self.state.config, control=True)
        methods = self.routes.get(name)
        if methods is None:
            raise NotFound(f"Unknown emulator control route '{request.url.path}'.")
        endpoint = methods.get(request.method.upper())
        if endpoint is None:
            raise MethodNotAllowed(METHOD_NOT_ALLOWED_MSG, headers={"Allow": ", ".join(sorted(methods))})
        return await endpoint(request)

    async def health(self, request: Request) -> Response:
        return json_response(200, {"status": "ok"})

    async def get_faults(self, request: Request) -> Response:
        return json_response(200, {"rules": self.state.faults.describe()})

    async def set_faults(self, request: Request) -> Response:
        body = await _json(request)
        try:
            self.state.faults.replace(body.get("rules") if isinstance(body, dict) else None)
        except FaultRuleError as exc:
            raise BadRequest(f"Invalid fault rule: {exc}") from None
        return await self.get_faults(request)

    async def clear_faults(self, request: Request) -> Response:
        self.state.faults.clear()
        return no_content()

    async def get_requests(self, request: Request) -> Response:
        return json_response(200, {"requests": list(self.state.requests)})

    async def clear_requests(self, request: Request) -> Response:
        self.state.requests.clear()
        return no_content()

    async def get_health_faults(self, request: Request) -> Response:
        return json_response(200, {"fail": self.state.backend.health_faults})

    async def set_health_faults(self, request: Request) -> Response:
        """``{"fail": {"<check name>": {"errorType": ..., "recommendedAction": ..., "additionalDetail": ...}}}``:
        health checks that end from now on fail these checks (until cleared or reset)."""
        body = await _json(request)
        fail = body.get("fail") if isinstance(body, dict) else None
        if not isinstance(fail, dict) or not all(isinstance(k, str) and isinstance(v, dict) for k, v in fail.items()):
            raise BadRequest("'fail' must map health check names to objects of error details")
        unknown = sorted(set(fail) - set(HEALTH_CHECKS))
        if unknown:
            raise BadRequest(f"unknown health checks {unknown}; known: {', '.join(HEALTH_CHECKS)}")
        self.state.backend.health_faults.clear()
        self.state.backend.health_faults.update(fail)
        return await self.get_health_faults(request)

    async def clear_health_faults(self, request: Request) -> Response:
        self.state.backend.health_faults.clear()
        return no_content()

    async def reset(self, request: Request) -> Response:
        self.state.reset()
        return no_content()


def _error(request: Request, err: GraphError) -> Response:
    request_id = str(uuid.uuid4())
    client_request_id = request.headers.get("client-request-id") or request_id
    response = error_response(err, request_id, client_request_id)
    response.headers.update(graph_headers(request_id, client_request_id))
    return response


async def _json(request: Request) -> Any:
    """The JSON body of a control call (same size and nesting limits as Graph requests); ``{}`` when empty."""
    body = parse_json(await read_body(request))
    return {} if body is None else body
