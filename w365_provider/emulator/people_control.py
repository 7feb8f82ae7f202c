"""Control routes for the people side: ``/_emulator/people`` (GET, PUT, PATCH) and ``/_emulator/people/seed``.

Not Graph: a test or a demo sets users, group members, licences bought and the provisioning timings
here (see ``people.py`` for the document), then watches Cloud PCs appear through Graph.

- ``GET /_emulator/people``: the current document.
- ``PUT /_emulator/people``: replace it; ``PATCH``: change parts of it (both answer with the new document).
- ``POST /_emulator/people/seed`` ``{"users": 500, "groups": 20, "seed": 365}``: replace it with a
  generated tenant (``people_seed.generate_people``); ``{}`` restores the seeded one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from . import people, people_seed
from .errors import BadRequest
from .wire import json_response

if TYPE_CHECKING:
    from .app import EmulatorState

Endpoint = Callable[[Request], Awaitable[Response]]
MAX_GENERATED_USERS = 100_000


def people_routes(state: EmulatorState, read_json: Callable[[Request], Awaitable[Any]]) -> dict[str, dict[str, Endpoint]]:
    """The endpoints by route name and method (the control app checks the token and wraps errors)."""
    backend = state.backend

    async def document(request: Request) -> Response:
        if request.method == "PUT":
            people.replace(backend, await read_json(request))
        elif request.method == "PATCH":
            people.patch(backend, await read_json(request))
        return json_response(200, people.export(backend.store))

    async def generate(request: Request) -> Response:
        body = await read_json(request)
        if not isinstance(body, dict) or set(body) - {"users", "groups", "seed"}:
            raise BadRequest("people seed: the body takes users, groups and seed (numbers), or {} for the seeded tenant")
        if not body:
            doc = people_seed.DEFAULT_PEOPLE
        else:
            users, groups, seed_value = body.get("users", 500), body.get("groups", 20), body.get("seed", 365)
            for name, value, top in (("users", users, MAX_GENERATED_USERS), ("groups", groups, 1000), ("seed", seed_value, None)):
                if not isinstance(value, int) or isinstance(value, bool) or value < (1 if name != "seed" else 0) or (top and value > top):
                    raise BadRequest(f"people seed: {name} must be a whole number" + (f" from 1 to {top}" if top else ""))
            doc = people_seed.generate_people(users, groups, seed_value)
        people.replace(backend, doc)
        return json_response(200, people.export(backend.store))

    return {
        "people": {"GET": document, "PUT": document, "PATCH": document},
        "people/seed": {"POST": generate},
    }
