"""``w365_provider.github_oidc``: a fresh GitHub OIDC token for every Entra token request.

A stand-in for GitHub's token endpoint listens on 127.0.0.1 and hands out numbered tokens; the
Entra side of azure-identity's credential is replaced by a recorder, so no request leaves the
machine.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.credentials import AccessTokenInfo

from w365_provider import github_oidc
from w365_provider.errors import ConfigurationError


@pytest.fixture
def github() -> Iterator[tuple[dict[str, str], list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append({"path": self.path, "auth": self.headers.get("Authorization", "")})
            if self.headers.get("Authorization") != "bearer request-token":
                self.send_response(401)
                self.end_headers()
                return
            body = json.dumps({"value": f"github-jwt-{len(seen)}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "ACTIONS_ID_TOKEN_REQUEST_URL": f"http://127.0.0.1:{server.server_address[1]}/token?api-version=2.0",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token",
    }
    try:
        yield env, seen
    finally:
        server.shutdown()
        server.server_close()


def test_each_request_gets_a_new_token_for_the_entra_audience(github: tuple[dict[str, str], list[dict[str, str]]]) -> None:
    env, seen = github
    assert github_oidc.available(env)
    assert github_oidc.request_github_id_token(env=env) == "github-jwt-1"
    assert github_oidc.request_github_id_token(env=env) == "github-jwt-2"
    assert seen[0] == {"path": "/token?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange",
                       "auth": "bearer request-token"}  # fmt: skip


def test_without_the_id_token_permission_the_error_says_what_to_add() -> None:
    assert not github_oidc.available({})
    with pytest.raises(ConfigurationError, match="permissions: id-token: write"):
        github_oidc.request_github_id_token(env={})
    with pytest.raises(ConfigurationError, match="id-token: write"):
        github_oidc.github_actions_credential("tenant", "client", env={})


def test_a_refused_request_is_a_clear_error_without_the_token(github: tuple[dict[str, str], list[dict[str, str]]]) -> None:
    env, _ = github
    bad = {**env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "wrong-secret-value"}
    with pytest.raises(ConfigurationError) as info:
        github_oidc.request_github_id_token(env=bad)
    assert "HTTP Error 401" in str(info.value) and "wrong-secret-value" not in str(info.value)


def test_the_credential_asks_github_again_for_every_entra_token(
    github: tuple[dict[str, str], list[dict[str, str]]],
) -> None:
    """Entra tokens that expire at once force a new token request each time: each uses a new assertion."""
    env, _ = github
    credential = github_oidc.github_actions_credential("tenant-id", "client-id", env=env)
    assertions: list[str] = []

    async def exchange(scopes: Any, assertion: str, **kwargs: Any) -> AccessTokenInfo:
        assertions.append(assertion)
        return AccessTokenInfo(f"entra-{len(assertions)}", int(time.time()) + 1)  # about to expire

    credential._client.obtain_token_by_jwt_assertion = exchange  # the Entra endpoint, recorded

    async def three_tokens() -> list[str]:
        try:
            return [(await credential.get_token("https://graph.microsoft.com/.default")).token for _ in range(3)]
        finally:
            await credential.close()

    tokens = asyncio.run(three_tokens())
    assert tokens == ["entra-1", "entra-2", "entra-3"]
    assert assertions == ["github-jwt-1", "github-jwt-2", "github-jwt-3"]
