"""The Graph client of a process: one background event loop, clients built lazily on it.

msgraph-sdk is async and its connection pool belongs to the event loop that first used it,
while Pulumi calls provider methods synchronously from up to four gRPC worker threads. So each
process has ONE daemon thread running an event loop; every ``GraphServiceClient`` (one per
distinct ``Settings``) and its credential are built on that loop and only used there. Worker
threads hand coroutines to it with ``GraphRuntime.run``.

Usage::

    rt = runtime(settings)
    policy = rt.run(rt.send("GET", lambda c: c.device_management.virtual_endpoint
                            .provisioning_policies.by_cloud_pc_provisioning_policy_id(pid),
                            operation=f"read provisioning policy {pid}",
                            query={"$expand": "assignments"}))

``send``, ``list`` and ``create`` speak plain JSON (dicts with Graph's camelCase names) through
the SDK's request builders and request adapter, so auth, middleware and ``ODataError`` mapping
come from msgraph-sdk while no value is lost to model parsing (an enum member the SDK does not
know would become ``None``). They apply the retry rules of ``retry.py``; kiota's own
RetryHandler is removed from the middleware because it re-sends POSTs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from w365_provider.errors import ConfigurationError, GraphError
from w365_provider.graph import retry

if TYPE_CHECKING:
    from kiota_abstractions.base_request_builder import BaseRequestBuilder
    from msgraph import GraphServiceClient

    from w365_provider.settings import Settings

__all__ = ["GraphRuntime", "Locate", "azure_credential", "runtime", "shutdown"]

T = TypeVar("T")
Locate = Callable[["GraphServiceClient"], "BaseRequestBuilder"]
"""Picks the request builder (the URL) from the client, e.g. ``lambda c: c.device_management...``."""

PREFER_UNKNOWN_ENUM_MEMBERS = "include-unknown-enum-members"
"""Sent on beta: https://learn.microsoft.com/graph/best-practices-concept#handling-future-members-in-evolvable-enumerations"""

IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "PATCH", "DELETE"})


class _LoopThread:
    """A daemon thread running one asyncio event loop forever."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._main, name="w365-graph-loop", daemon=True)
        self.thread.start()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError(
                "GraphRuntime.run() was called from the Graph event-loop thread, where it would "
                "deadlock; await the coroutine there instead"
            )
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        if not self.thread.is_alive():
            self.loop.close()


_lock = threading.Lock()
_loop_thread: _LoopThread | None = None
_runtimes: dict[Settings, GraphRuntime] = {}


def runtime(settings: Settings) -> GraphRuntime:
    """The process-wide ``GraphRuntime`` for ``settings`` (created on first use)."""
    global _loop_thread
    with _lock:
        if _loop_thread is None:
            _loop_thread = _LoopThread()
        found = _runtimes.get(settings)
        if found is None:
            found = _runtimes[settings] = GraphRuntime(settings, _loop_thread)
        return found


def shutdown() -> None:
    """Close every client and stop the loop thread (tests; a provider process just exits)."""
    global _loop_thread
    with _lock:
        loop_thread, runtimes = _loop_thread, list(_runtimes.values())
        _loop_thread = None
        _runtimes.clear()
    if loop_thread is None:
        return
    for rt in runtimes:
        try:
            asyncio.run_coroutine_threadsafe(rt.aclose(), loop_thread.loop).result(timeout=10)
        except Exception:  # noqa: BLE001 - best effort while shutting down
            pass
    loop_thread.stop()


class GraphRuntime:
    """Runs Graph calls for one ``Settings`` on the process's event loop."""

    def __init__(self, settings: Settings, loop_thread: _LoopThread) -> None:
        self.settings = settings
        self._loop_thread = loop_thread
        self._client: GraphServiceClient | None = None
        self._closers: list[Callable[[], Awaitable[Any]]] = []

    # -- running -------------------------------------------------------------------------

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the Graph loop and wait for its result (from any other thread)."""
        future = self._loop_thread.submit(coro)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    @property
    def policy(self) -> retry.RetryPolicy:
        """The retry policy from the settings."""
        return self.settings.retry

    # -- calls (coroutines: run them with ``run`` or await them on the loop) ------------------

    async def send(
        self,
        method: str,
        at: Locate,
        *,
        operation: str,
        body: Any = None,
        query: dict[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one JSON request with the retry rules; returns the parsed body or ``None``.

        GET/PUT/PATCH/DELETE are retried; a POST only with ``idempotent=True`` (an action that
        replaces a whole set, such as ``assign``). A create goes through ``create`` instead.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        if not idempotent:
            policy = retry.RetryPolicy(max_attempts=1)
        else:
            policy = self.policy
        try:
            return await retry.call(
                lambda: self._send_once(method, at, body, query), operation=operation, policy=policy
            )
        except GraphError as exc:
            raise self._explained(exc)

    async def list(self, at: Locate, *, operation: str, query: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """GET a collection, following ``@odata.nextLink`` to the end; returns every item."""
        items: list[dict[str, Any]] = []
        page = await self.send("GET", at, operation=operation, query=query)
        while True:
            items.extend((page or {}).get("value") or [])
            next_link = (page or {}).get("@odata.nextLink")
            if not next_link:
                return items
            page = await self.send("GET", _raw_url(at, next_link), operation=operation)

    async def create(
        self,
        at: Locate,
        body: dict[str, Any],
        *,
        operation: str,
        find: Callable[[], Awaitable[dict[str, Any] | None]],
    ) -> tuple[dict[str, Any], bool]:
        """POST ``body`` to create an object without ever making a duplicate.

        After an ambiguous failure ``find`` looks the object up first (see ``retry.create``).
        Returns ``(object, recovered)``.
        """
        try:
            return await retry.create(
                lambda: self._send_once("POST", at, body, None),
                find,
                operation=operation,
                policy=self.policy,
            )
        except GraphError as exc:
            raise self._explained(exc)

    async def aclose(self) -> None:
        """Close the HTTP client and credential (on the loop)."""
        closers, self._closers, self._client = self._closers, [], None
        for close in closers:
            try:
                await close()
            except Exception:  # noqa: BLE001 - best effort
                pass

    # -- internals -----------------------------------------------------------------------

    def _explained(self, exc: GraphError) -> GraphError:
        """``exc`` with a note on a refused token (401): where it came from and how a rotated
        one reaches refresh and destroy. The token itself is never named."""
        if exc.status == 401 and self.settings.graph_token is not None and not getattr(exc, "_w365_explained", False):
            exc._w365_explained = True  # type: ignore[attr-defined]
            exc.add_note(
                f"Graph refused the bearer token from {self.settings.token_source or 'the settings'}. If it was "
                "rotated, give the new one in W365_GRAPH_TOKEN (it wins in the provider) or as the secret "
                "w365:graphToken; refresh and destroy see a new w365:graphToken only when the program runs "
                "(--run-program, which scripts/pulumi sets through PULUMI_RUN_PROGRAM)."
            )
        return exc

    async def _send_once(self, method: str, at: Locate, body: Any, query: dict[str, str] | None) -> Any:
        from kiota_abstractions.method import Method
        from kiota_abstractions.request_information import RequestInformation
        from msgraph.generated.models.o_data_errors.o_data_error import ODataError

        builder = at(self._get_client())
        info = RequestInformation(Method(method), builder.url_template, dict(builder.path_parameters))
        for name, value in (query or {}).items():
            info.query_parameters["%24" + name[1:] if name.startswith("$") else name] = value
        info.headers.try_add("Accept", "application/json")
        if self.settings.api_version == "beta":
            # evolvable enum members (sharedByUser, newer region groups) come back as themselves
            info.headers.try_add("Prefer", PREFER_UNKNOWN_ENUM_MEMBERS)
        if body is not None:
            info.set_stream_content(json.dumps(body).encode("utf-8"), "application/json")
        try:
            raw = await builder.request_adapter.send_primitive_async(info, "bytes", {"XXX": ODataError})
        except Exception as exc:
            _raise_if_auth_failure(exc, self.settings)
            raise
        if not raw:
            return None
        return json.loads(raw)

    def _get_client(self) -> GraphServiceClient:
        if self._client is None:
            self._client = self._build_client()
        return self._client

    def _build_client(self) -> GraphServiceClient:
        """Build the client on the loop thread: httpx pool, middleware without RetryHandler, auth."""
        import httpx
        from kiota_http.kiota_client_factory import KiotaClientFactory
        from kiota_http.middleware import RetryHandler
        from msgraph import GraphRequestAdapter, GraphServiceClient
        from msgraph_core import GraphClientFactory
        from msgraph_core.middleware import GraphTelemetryHandler

        settings = self.settings
        settings.check_auth()
        timeout = httpx.Timeout(settings.timeout_seconds, connect=min(10.0, settings.timeout_seconds))
        http = httpx.AsyncClient(timeout=timeout, http2=True)
        middleware = [m for m in KiotaClientFactory.get_default_middleware(None) if not isinstance(m, RetryHandler)]
        middleware.append(GraphTelemetryHandler())
        http = GraphClientFactory.create_with_custom_middleware(middleware, client=http)
        self._closers.append(http.aclose)
        adapter = GraphRequestAdapter(self._auth_provider(), client=http)
        adapter.base_url = settings.graph_url
        return GraphServiceClient(request_adapter=adapter)

    def _auth_provider(self) -> Any:
        from kiota_abstractions.authentication import BaseBearerTokenAuthenticationProvider

        settings = self.settings
        if settings.graph_token is not None:
            return BaseBearerTokenAuthenticationProvider(_StaticToken(settings.graph_token, settings.graph_host))
        from kiota_authentication_azure.azure_identity_authentication_provider import (
            AzureIdentityAuthenticationProvider,
        )

        credential = azure_credential(settings)
        self._closers.append(credential.close)
        token_source: Any = _TenantCredential(credential, settings.tenant_id) if settings.tenant_id else credential
        return AzureIdentityAuthenticationProvider(
            token_source, scopes=settings.scopes, allowed_hosts=[settings.graph_host]
        )


def azure_credential(settings: Settings, env: Mapping[str, str] | None = None) -> Any:
    """The async azure-identity credential that signs in to Graph when no token is given.

    In a GitHub Actions job that may request OIDC tokens (``permissions: id-token: write``) and
    names its app registration (``AZURE_CLIENT_ID``) and tenant (``w365:tenantId`` or
    ``AZURE_TENANT_ID``): ``github_oidc.github_actions_credential``, which asks GitHub for a new
    assertion on every Entra token request, so a deployment longer than the GitHub token's five
    minutes keeps signing in. Anywhere else: ``DefaultAzureCredential`` (environment, workload
    identity, managed identity, Azure CLI ...), allowed to ask for ``w365:tenantId``'s tokens.
    """
    from w365_provider import github_oidc

    env = os.environ if env is None else env
    client_id = env.get("AZURE_CLIENT_ID")
    tenant_id = settings.tenant_id or env.get("AZURE_TENANT_ID")
    if github_oidc.available(env) and client_id and tenant_id:
        return github_oidc.github_actions_credential(tenant_id, client_id, env=env)
    from azure.identity.aio import DefaultAzureCredential

    kwargs: dict[str, Any] = {}
    if settings.tenant_id:
        kwargs["additionally_allowed_tenants"] = [settings.tenant_id]
    return DefaultAzureCredential(**kwargs)


class _StaticToken:
    """kiota ``AccessTokenProvider`` handing out one fixed bearer token, to the Graph host only."""

    def __init__(self, token: str, host: str) -> None:
        from kiota_abstractions.authentication import AllowedHostsValidator

        self._token = token
        self._hosts = AllowedHostsValidator([host])

    def __repr__(self) -> str:
        return "_StaticToken(<hidden>)"

    async def get_authorization_token(self, uri: str, additional_authentication_context: dict[str, Any] | None = None) -> str:
        return self._token if self._hosts.is_url_host_valid(uri) else ""

    def get_allowed_hosts_validator(self) -> Any:
        return self._hosts


class _TenantCredential:
    """Asks an async azure-identity credential for tokens of one tenant."""

    def __init__(self, inner: Any, tenant_id: str) -> None:
        self._inner = inner
        self._tenant_id = tenant_id

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        kwargs.setdefault("tenant_id", self._tenant_id)
        return await self._inner.get_token(*scopes, **kwargs)

    async def close(self) -> None:
        await self._inner.close()


def _raw_url(at: Locate, url: str) -> Locate:
    """A ``Locate`` for an absolute URL (``@odata.nextLink``) on the same builder type."""
    return lambda client: at(client).with_url(url)  # type: ignore[attr-defined,no-any-return]


def _raise_if_auth_failure(exc: BaseException, settings: Settings) -> None:
    """Turn a failure to get a token into a ``ConfigurationError`` that says what to set."""
    try:
        from azure.core.exceptions import ClientAuthenticationError
    except ImportError:  # pragma: no cover - azure-core is a dependency
        return
    if isinstance(exc, ClientAuthenticationError):
        raise ConfigurationError(
            f"could not get a token for {settings.graph_host} from azure-identity: {exc.message} "
            "(set AZURE_* variables, use workload identity, or log in with the Azure CLI)"
        ) from exc

