"""Provider settings: where Graph is and how to authenticate, read at run time.

Sources, first match wins:

| setting        | stack config (namespace ``w365``) | environment          | default                            |
| -------------- | --------------------------------- | -------------------- | ---------------------------------- |
| Graph root     | ``w365:graphUrl``                 | ``W365_GRAPH_URL``   | ``https://graph.microsoft.com/v1.0`` |
| tenant         | ``w365:tenantId``                 | ``W365_TENANT_ID``   | none (azure-identity decides)      |
| bearer token   | ``w365:graphToken`` (secret)      | ``W365_GRAPH_TOKEN`` | none                               |
| HTTP timeout   | ``w365:timeoutSeconds``           |                      | 60                                 |
| retries        | ``w365:retryMaxAttempts``, ``w365:retryMinDelaySeconds``, ``w365:retryMaxDelaySeconds`` | | see ``RetryPolicy`` |

Authentication: with a bearer token (the local emulator, or a token obtained elsewhere) that
token is sent as is, and only to the Graph host. Without one, the Graph host must be Microsoft
Graph and azure-identity's ``DefaultAzureCredential`` gets tokens (``AZURE_*`` environment
variables, workload identity for CI OIDC, Azure CLI ...).

Settings live only in memory. In the dynamic provider they come from ``configure()`` in the
provider process; in a Pulumi program from ``pulumi.Config("w365")``. They refuse to be
pickled, so a token cannot reach Pulumi state by accident.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import urlsplit

from w365_provider.errors import ConfigurationError
from w365_provider.graph.retry import RetryPolicy

__all__ = ["DEFAULT_GRAPH_URL", "Settings"]

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
NAMESPACE = "w365"

MICROSOFT_GRAPH_HOSTS = frozenset(
    {
        "graph.microsoft.com",
        "graph.microsoft.us",
        "dod-graph.microsoft.us",
        "microsoftgraph.chinacloudapi.cn",
    }
)
"""Hosts of Microsoft Graph (global and national clouds) that azure-identity tokens are for."""

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
"""Hosts that may be reached over plain http (a local emulator)."""

# config key -> environment variable
_ENV = {"graphUrl": "W365_GRAPH_URL", "tenantId": "W365_TENANT_ID", "graphToken": "W365_GRAPH_TOKEN"}


@dataclass(frozen=True)
class Settings:
    """Where Graph is and how to reach it. Build with one of the ``from_*`` helpers."""

    graph_url: str = DEFAULT_GRAPH_URL
    """Graph root including the version segment, without a trailing slash."""
    tenant_id: str | None = None
    """Entra tenant to get tokens from; ``None`` lets azure-identity decide."""
    graph_token: str | None = field(default=None, repr=False)
    """A bearer token to send as is (emulator); ``None`` to use azure-identity."""
    timeout_seconds: float = 60.0
    """Timeout of one HTTP request."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        url = (self.graph_url or "").strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"w365:graphUrl must be an http(s) URL, got {url!r}")
        if not parts.path.strip("/"):
            raise ConfigurationError(
                f"w365:graphUrl must include the version segment, for example {DEFAULT_GRAPH_URL}"
            )
        if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
            raise ConfigurationError(
                f"w365:graphUrl {url} uses plain http; that is allowed only for a local emulator "
                "(localhost, 127.0.0.1, ::1)"
            )
        if self.timeout_seconds <= 0:
            raise ConfigurationError("w365:timeoutSeconds must be positive")
        object.__setattr__(self, "graph_url", url)
        object.__setattr__(self, "tenant_id", (self.tenant_id or "").strip() or None)
        object.__setattr__(self, "graph_token", (self.graph_token or "").strip() or None)

    # -- derived -------------------------------------------------------------------------

    @property
    def api_version(self) -> str:
        """The Graph API version the root names: ``beta`` when its last path segment is ``beta``,
        else ``v1.0`` (``w365:graphUrl`` ends in ``/v1.0`` or ``/beta``)."""
        return "beta" if urlsplit(self.graph_url).path.rstrip("/").rsplit("/", 1)[-1] == "beta" else "v1.0"

    @property
    def graph_host(self) -> str:
        """Host name of the Graph root."""
        return urlsplit(self.graph_url).hostname or ""

    @property
    def is_microsoft_graph(self) -> bool:
        """True when the root is Microsoft Graph itself, not an emulator."""
        return self.graph_host in MICROSOFT_GRAPH_HOSTS

    @property
    def scopes(self) -> list[str]:
        """OAuth scopes for azure-identity: ``https://<graph host>/.default``."""
        return [f"https://{self.graph_host}/.default"]

    def check_auth(self) -> None:
        """Raise ``ConfigurationError`` when no way to authenticate to this Graph root exists."""
        if self.graph_token is None and not self.is_microsoft_graph:
            raise ConfigurationError(
                f"w365:graphUrl {self.graph_url} is not Microsoft Graph, so azure-identity cannot get "
                "a token for it; set the secret config w365:graphToken or W365_GRAPH_TOKEN"
            )

    def __repr__(self) -> str:
        token = "set" if self.graph_token else "none"
        return (
            f"Settings(graph_url={self.graph_url!r}, tenant_id={self.tenant_id!r}, graph_token={token}, "
            f"timeout_seconds={self.timeout_seconds}, retry={self.retry!r})"
        )

    def __reduce__(self) -> NoReturn:
        raise TypeError("Settings may hold a token and are never pickled; build them at run time")

    # -- constructors --------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Settings:
        """Settings from config values (keys ``graphUrl`` or ``w365:graphUrl`` ...) and ``env``.

        ``env`` defaults to ``os.environ``; pass ``{}`` to ignore the environment.
        """
        env = os.environ if env is None else env

        def pick(key: str) -> Any:
            for name in (f"{NAMESPACE}:{key}", key):
                value = values.get(name)
                if value is not None and value != "":
                    return value
            var = _ENV.get(key)
            if var and env.get(var):
                return env[var]
            return None

        defaults = RetryPolicy()
        try:
            retry = RetryPolicy(
                max_attempts=_number(pick("retryMaxAttempts"), defaults.max_attempts, "retryMaxAttempts", int),
                min_delay=_number(pick("retryMinDelaySeconds"), defaults.min_delay, "retryMinDelaySeconds", float),
                max_delay=_number(pick("retryMaxDelaySeconds"), defaults.max_delay, "retryMaxDelaySeconds", float),
            )
        except ValueError as exc:
            raise ConfigurationError(f"w365 retry settings: {exc}") from None
        return cls(
            graph_url=str(pick("graphUrl") or DEFAULT_GRAPH_URL),
            tenant_id=_text(pick("tenantId")),
            graph_token=_text(pick("graphToken")),
            timeout_seconds=_number(pick("timeoutSeconds"), 60.0, "timeoutSeconds", float),
            retry=retry,
        )

    @classmethod
    def from_configure_request(cls, req: Any, env: Mapping[str, str] | None = None) -> Settings:
        """Settings in the dynamic provider process, from ``ResourceProvider.configure(req)``.

        The engine hands dynamic providers the whole stack config with secrets decrypted.
        """
        keys = (
            "graphUrl", "tenantId", "graphToken", "timeoutSeconds",
            "retryMaxAttempts", "retryMinDelaySeconds", "retryMaxDelaySeconds",
        )  # fmt: skip
        values = {key: req.config.get(f"{NAMESPACE}:{key}") for key in keys}
        return cls.from_mapping(values, env)

    @classmethod
    def from_pulumi_config(cls, config: Any = None, env: Mapping[str, str] | None = None) -> Settings:
        """Settings in a Pulumi program, from ``pulumi.Config("w365")`` (or the one given)."""
        if config is None:
            import pulumi

            config = pulumi.Config(NAMESPACE)
        keys = (
            "graphUrl", "tenantId", "graphToken", "timeoutSeconds",
            "retryMaxAttempts", "retryMinDelaySeconds", "retryMaxDelaySeconds",
        )  # fmt: skip
        return cls.from_mapping({key: config.get(key) for key in keys}, env)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


def _number(value: Any, default: Any, key: str, kind: type) -> Any:
    if value is None:
        return default
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"w365:{key} must be a number, got {value!r}") from None
