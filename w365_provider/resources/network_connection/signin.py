"""Which kind of sign-in a token is: Graph creates and updates Azure network connections only
for a delegated sign-in (a user), never with application permissions
(https://learn.microsoft.com/graph/api/virtualendpoint-post-onpremisesconnections?view=graph-rest-1.0#permissions).

A Microsoft Entra access token is a JWT whose claims say it: ``idtyp: app``, or ``roles``
without ``scp``, is app-only; ``scp`` is delegated. A token that is not a JWT (an emulator's
plain token) says nothing, and Graph decides.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from w365_provider.errors import ConfigurationError
from w365_provider.graph.client import GraphRuntime

__all__ = ["APP_ONLY_MESSAGE", "claims", "is_app_only", "require_delegated"]

APP_ONLY_MESSAGE = (
    "{operation}: Microsoft Graph creates and updates Azure network connections only for a signed-in "
    "user (delegated permission CloudPC.ReadWrite.All), and the token in use is app-only (a service "
    "principal). Sign in as an Intune administrator instead, for example with the Azure CLI: "
    "'az login', then run without AZURE_CLIENT_SECRET / AZURE_FEDERATED_TOKEN_FILE set, so that "
    "azure-identity uses the Azure CLI credential (see docs/stacks.md, Azure network connections)"
)


def claims(token: str) -> dict[str, Any] | None:
    """The claims of a JWT (not verified: only to tell its kind), or ``None``."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        found = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    return found if isinstance(found, dict) else None


def is_app_only(token: str) -> bool:
    """True when ``token`` is a JWT of an app-only sign-in."""
    found = claims(token)
    if found is None:
        return False
    return found.get("idtyp") == "app" or ("roles" in found and "scp" not in found)


async def bearer_token(rt: GraphRuntime) -> str | None:
    """The token Graph requests carry: the configured one, else azure-identity's."""
    if rt.settings.graph_token:
        return rt.settings.graph_token
    client = rt._get_client()  # noqa: SLF001 - the runtime's own client, on its loop
    provider = getattr(client.request_adapter, "_authentication_provider", None)
    tokens = getattr(provider, "access_token_provider", None)
    if tokens is None:
        return None
    token = await tokens.get_authorization_token(rt.settings.graph_url)
    return str(token) if token else None


async def require_delegated(rt: GraphRuntime, operation: str) -> None:
    """Raise ``ConfigurationError`` before any write when the sign-in is app-only."""
    token = await bearer_token(rt)
    if token and is_app_only(token):
        raise ConfigurationError(APP_ONLY_MESSAGE.format(operation=operation))
