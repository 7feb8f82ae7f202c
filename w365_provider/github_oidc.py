"""Microsoft Entra tokens from GitHub Actions' OIDC tokens, with a fresh assertion per token request.

GitHub's OIDC ID tokens expire about five minutes after they are issued, while a deployment that
uploads a custom image can run for an hour or more. A token file written once
(``AZURE_FEDERATED_TOKEN_FILE``, azure-identity's ``WorkloadIdentityCredential``) goes stale; this
credential instead asks GitHub for a new ID token every time it needs a new Entra token, so it
stays valid for as long as the job may request ID tokens (the job's own lifetime).

How GitHub hands out ID tokens (a job with ``permissions: id-token: write``): ``GET
$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange`` with
``Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`` answers ``{"value": "<JWT>"}``
(https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect).
azure-identity's ``ClientAssertionCredential`` calls its ``func`` "every time it acquires a new
token" (https://learn.microsoft.com/python/api/azure-identity/azure.identity.aio.clientassertioncredential).

Use, where the Graph client picks its credential::

    if github_oidc.available():
        credential = github_oidc.github_actions_credential(tenant_id, client_id)

Nothing here logs or keeps a token.
"""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from w365_provider.errors import ConfigurationError

__all__ = [
    "AUDIENCE",
    "assertion_source",
    "available",
    "github_actions_credential",
    "request_github_id_token",
]

AUDIENCE = "api://AzureADTokenExchange"
"""The audience Microsoft Entra expects in a federated credential's assertion."""

_URL = "ACTIONS_ID_TOKEN_REQUEST_URL"
_TOKEN = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"


def available(env: Mapping[str, str] | None = None) -> bool:
    """True in a GitHub Actions job that may request OIDC ID tokens."""
    env = os.environ if env is None else env
    return bool(env.get(_URL)) and bool(env.get(_TOKEN))


def request_github_id_token(
    audience: str = AUDIENCE, *, env: Mapping[str, str] | None = None, timeout: float = 10.0
) -> str:
    """A new GitHub OIDC ID token for ``audience`` (one request to the runner's token endpoint).

    :raises ConfigurationError: when the job cannot request tokens or the endpoint refuses.
    """
    env = os.environ if env is None else env
    if not available(env):
        raise ConfigurationError(
            "no GitHub OIDC token can be requested: the job needs 'permissions: id-token: write' "
            f"({_URL} and {_TOKEN} are not set; pull requests from forks get none)"
        )
    url = env[_URL]
    url += ("&" if urllib.parse.urlsplit(url).query else "?") + urllib.parse.urlencode({"audience": audience})
    request = urllib.request.Request(url, headers={"Authorization": f"bearer {env[_TOKEN]}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the runner's URL
            body: Any = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"requesting a GitHub OIDC token failed: {type(exc).__name__}: {exc}") from None
    value = body.get("value") if isinstance(body, dict) else None
    if not isinstance(value, str) or not value:
        raise ConfigurationError("the GitHub OIDC token endpoint answered without a token (no 'value')")
    return value


def assertion_source(audience: str = AUDIENCE, *, env: Mapping[str, str] | None = None) -> Callable[[], str]:
    """A callable returning a new GitHub ID token on every call (``ClientAssertionCredential``'s ``func``)."""
    snapshot = dict(os.environ if env is None else env)
    return lambda: request_github_id_token(audience, env=snapshot)


def github_actions_credential(
    tenant_id: str,
    client_id: str,
    *,
    audience: str = AUDIENCE,
    env: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """An async azure-identity credential for the app registration ``client_id`` whose federated
    credential trusts this GitHub job: each Entra token is obtained with a new GitHub ID token.

    ``kwargs`` go to ``azure.identity.aio.ClientAssertionCredential`` (``authority``,
    ``additionally_allowed_tenants``, ``transport`` ...).
    """
    from azure.identity.aio import ClientAssertionCredential

    if not available(os.environ if env is None else env):
        request_github_id_token(audience, env=env)  # raises the explanation
    return ClientAssertionCredential(tenant_id, client_id, assertion_source(audience, env=env), **kwargs)
