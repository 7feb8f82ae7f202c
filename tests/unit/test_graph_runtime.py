"""The process-wide event loop: shared by threads, guarded against re-entry, cached per settings."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.unit.test_github_oidc import github  # noqa: F401 - the stand-in for GitHub's token endpoint
from w365_provider.graph import client
from w365_provider.settings import Settings


@pytest.fixture(autouse=True)
def fresh_loop() -> Iterator[None]:
    client.shutdown()
    yield
    client.shutdown()


def settings(token: str = "t") -> Settings:
    return Settings.from_mapping({"graphUrl": "http://127.0.0.1:9/v1.0", "graphToken": token}, env={})


def test_one_runtime_per_settings_and_one_loop_per_process() -> None:
    a, b = client.runtime(settings()), client.runtime(settings())
    c = client.runtime(settings("other"))
    assert a is b and a is not c
    assert a._loop_thread is c._loop_thread


def test_worker_threads_share_the_loop_concurrently() -> None:
    rt = client.runtime(settings())
    seen: set[int] = set()
    running = 0
    peak = 0

    async def work(i: int) -> int:
        nonlocal running, peak
        seen.add(threading.get_ident())
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        running -= 1
        return i * 2

    with ThreadPoolExecutor(max_workers=4) as pool:  # the engine's four gRPC workers
        results = list(pool.map(lambda i: rt.run(work(i)), range(8)))
    assert results == [i * 2 for i in range(8)]
    assert len(seen) == 1  # every coroutine ran on the one loop thread
    assert peak >= 4  # and they overlapped


def test_run_from_the_loop_thread_raises_instead_of_deadlocking() -> None:
    rt = client.runtime(settings())

    async def inner() -> int:
        return 1

    async def outer() -> str:
        try:
            rt.run(inner())
        except RuntimeError as exc:
            return str(exc)
        return "no error"

    assert "would deadlock" in rt.run(outer())


def test_timeout_cancels() -> None:
    rt = client.runtime(settings())
    with pytest.raises(TimeoutError):
        rt.run(asyncio.sleep(5), timeout=0.05)


def test_client_is_built_lazily_and_without_kiota_retry() -> None:
    from kiota_http.middleware import RetryHandler

    rt = client.runtime(settings())
    assert rt._client is None

    async def build() -> object:
        return rt._get_client()

    graph_client = rt.run(build())
    assert graph_client.request_adapter.base_url == "http://127.0.0.1:9/v1.0"
    transport = graph_client.request_adapter._http_client._transport
    handlers = []
    node = transport.pipeline._first_middleware
    while node is not None:
        handlers.append(type(node).__name__)
        node = getattr(node, "next", None)
    assert handlers and not any(name == RetryHandler.__name__ for name in handlers)


def test_emulator_url_without_token_fails_when_the_client_is_built() -> None:
    from w365_provider.errors import ConfigurationError

    rt = client.runtime(Settings.from_mapping({"graphUrl": "http://127.0.0.1:9/v1.0"}, env={}))

    async def build() -> object:
        return rt._get_client()

    with pytest.raises(ConfigurationError):
        rt.run(build())


def test_microsoft_graph_uses_default_azure_credential_for_its_host_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.identity.aio import DefaultAzureCredential

    monkeypatch.delenv("ACTIONS_ID_TOKEN_REQUEST_URL", raising=False)  # not a GitHub job with id-token
    from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider

    rt = client.runtime(Settings.from_mapping({"tenantId": "contoso.onmicrosoft.com"}, env={}))

    async def build() -> object:
        return rt._auth_provider()

    auth = rt.run(build())
    assert isinstance(auth, AzureIdentityAuthenticationProvider)
    token_provider = auth.access_token_provider
    assert token_provider._scopes == ["https://graph.microsoft.com/.default"]
    assert token_provider.get_allowed_hosts_validator().get_allowed_hosts() == ["graph.microsoft.com"]
    tenant_credential = token_provider._credentials
    assert isinstance(tenant_credential, client._TenantCredential)
    assert isinstance(tenant_credential._inner, DefaultAzureCredential)


TENANT = "00000000-0000-0000-0000-0000000de7e1"
APP = "00000000-0000-0000-0000-0000000c11e1"


def test_in_a_github_job_each_entra_token_uses_a_fresh_github_assertion(
    github: tuple[dict[str, str], list[dict[str, str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitHub's endpoint is a stand-in on 127.0.0.1; Entra's token request is recorded, never sent."""
    from azure.core.credentials import AccessTokenInfo
    from azure.identity.aio import ClientAssertionCredential

    env, seen = github
    for name, value in {**env, "AZURE_CLIENT_ID": APP, "AZURE_TENANT_ID": "ignored-tenant"}.items():
        monkeypatch.setenv(name, value)
    rt = client.runtime(Settings.from_mapping({"tenantId": TENANT}, env={}))
    auth = rt.run(_auth_provider(rt))
    tenant_credential = auth.access_token_provider._credentials
    assert isinstance(tenant_credential, client._TenantCredential)
    credential = tenant_credential._inner
    assert isinstance(credential, ClientAssertionCredential)
    assert credential._client._tenant_id == TENANT and credential._client._client_id == APP
    assert credential.close in rt._closers
    exchanged: list[tuple[str, str | None]] = []

    async def exchange(scopes: object, assertion: str, **kwargs: object) -> AccessTokenInfo:
        exchanged.append((assertion, kwargs.get("tenant_id")))  # type: ignore[arg-type]
        return AccessTokenInfo(f"entra-{len(exchanged)}", int(time.time()) + 1)  # about to expire

    credential._client.obtain_token_by_jwt_assertion = exchange

    async def tokens() -> list[str]:
        provider = auth.access_token_provider
        return [await provider.get_authorization_token("https://graph.microsoft.com/v1.0/deviceManagement")
                for _ in range(2)] + [await provider.get_authorization_token("https://elsewhere.example/x")]  # fmt: skip

    assert rt.run(tokens()) == ["entra-1", "entra-2", ""]
    assert [assertion for assertion, _ in exchanged] == ["github-jwt-1", "github-jwt-2"]
    assert len(seen) == 2 and all(s["auth"] == "bearer request-token" for s in seen)


@pytest.mark.parametrize(
    "missing", ["ACTIONS_ID_TOKEN_REQUEST_TOKEN", "AZURE_CLIENT_ID", "tenant"], ids=lambda m: f"no-{m}"
)
def test_without_a_github_token_an_app_or_a_tenant_default_azure_credential_is_kept(
    missing: str, github: tuple[dict[str, str], list[dict[str, str]]]
) -> None:
    from azure.identity.aio import DefaultAzureCredential

    env = {**github[0], "AZURE_CLIENT_ID": APP, "AZURE_TENANT_ID": TENANT}
    env.pop("AZURE_TENANT_ID" if missing == "tenant" else missing)

    async def build() -> object:
        credential = client.azure_credential(Settings.from_mapping({}, env={}), env)
        await credential.close()
        return credential

    assert isinstance(asyncio.run(build()), DefaultAzureCredential)
    assert github[1] == []  # GitHub was not asked


async def _auth_provider(rt: client.GraphRuntime) -> Any:
    return rt._auth_provider()


def test_tenant_is_asked_for_on_every_token() -> None:
    seen: list[dict[str, object]] = []

    class Inner:
        async def get_token(self, *scopes: str, **kwargs: object) -> str:
            seen.append({"scopes": scopes, **kwargs})
            return "t"

    credential = client._TenantCredential(Inner(), "contoso")
    assert asyncio.run(credential.get_token("https://graph.microsoft.com/.default", enable_cae=True)) == "t"
    assert seen == [{"scopes": ("https://graph.microsoft.com/.default",), "enable_cae": True, "tenant_id": "contoso"}]


def test_static_token_goes_to_the_graph_host_only() -> None:
    token = client._StaticToken("secret-token", "127.0.0.1")
    assert asyncio.run(token.get_authorization_token("http://127.0.0.1:9/v1.0/x")) == "secret-token"
    assert asyncio.run(token.get_authorization_token("https://elsewhere.example/v1.0/x")) == ""
    assert "secret-token" not in repr(token)


def test_a_closed_port_fails_fast_and_says_where_graph_was_expected() -> None:
    import socket
    import time

    from w365_provider.errors import GraphTransportError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1.0"
    rt = client.runtime(Settings.from_mapping({"graphUrl": url, "graphToken": "t"}, env={}))
    started = time.monotonic()
    with pytest.raises(GraphTransportError) as info:
        rt.run(rt.send("GET", lambda c: c.device_management.virtual_endpoint.gallery_images, operation="list gallery images"))
    took = time.monotonic() - started
    print(f"closed port: failed after {took:.2f}s")
    assert took < 3  # one quick re-send, not the throttling back-off (default policy: 6 sends over a minute)
    assert info.value.attempts == 2
    assert f"Graph at {url} (API version v1.0) cannot be reached" in str(info.value)
    assert f"python -m w365_provider.emulator --port {port}" in str(info.value)
