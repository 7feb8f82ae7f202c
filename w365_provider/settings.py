"""Provider settings: where Graph is and how to authenticate, read at run time.

Sources, first match wins:

| setting        | stack config (namespace ``w365``) | environment          | default                            |
| -------------- | --------------------------------- | -------------------- | ---------------------------------- |
| Graph root     | ``w365:graphUrl``                 | ``W365_GRAPH_URL``   | ``https://graph.microsoft.com/v1.0``, only when no other ``w365:`` provider key is set |
| tenant         | ``w365:tenantId``                 | ``W365_TENANT_ID``   | none (azure-identity decides)      |
| bearer token   | ``w365:graphToken`` (secret)      | ``W365_GRAPH_TOKEN`` | none                               |
| HTTP timeout   | ``w365:timeoutSeconds``           |                      | 60                                 |
| retries        | ``w365:retryMaxAttempts``, ``w365:retryMinDelaySeconds``, ``w365:retryMaxDelaySeconds``, ``w365:retryMaxTotalSeconds`` | | see ``RetryPolicy`` |

The token is the one exception to "config first": in the provider process ``W365_GRAPH_TOKEN``
wins over ``w365:graphToken``, because on ``refresh`` and ``destroy`` the engine hands the
provider the config stored in state with the provider, not the stack's current config; the
environment is the one source that is always current (see ``docs/reliability.md``).

Settings fail closed (``from_stack_config``): every key of the ``w365`` namespace must be a
provider setting (``PROVIDER_SETTINGS``: the above, and the timeouts some resources read) or a section of the program
(``w365_provider.stack_config.SECTIONS``); an unknown key is refused with the closest known
one. Microsoft Graph is the default only when no ``w365:`` provider key is set at all, so a
stack whose ``w365:graphUrl`` is missing or misspelt never reaches Microsoft Graph by default. A token stored in plain
text in the stack config is refused where that can be seen (the program).

Authentication: with a bearer token (the local emulator, or a token obtained elsewhere) that
token is sent as is, and only to the Graph host. Without one, the Graph host must be Microsoft
Graph and azure-identity's ``DefaultAzureCredential`` gets tokens (``AZURE_*`` environment
variables, workload identity for CI OIDC, Azure CLI ...).

Settings live only in memory. In the dynamic provider they come from ``configure()`` in the
provider process; in a Pulumi program from ``pulumi.Config("w365")``. They refuse to be
pickled, so a token cannot reach Pulumi state by accident.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import urlsplit

from w365_provider.errors import ConfigurationError
from w365_provider.graph.retry import RetryPolicy

__all__ = [
    "DEFAULT_GRAPH_URL",
    "PROGRAM_SECTIONS",
    "PROVIDER_KEYS",
    "PROVIDER_SETTINGS",
    "Settings",
    "check_keys",
    "check_program_config",
    "check_stack_config",
    "known_keys",
    "program_config",
]

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

SETTING_KEYS = (
    "graphUrl", "tenantId", "graphToken", "timeoutSeconds",
    "retryMaxAttempts", "retryMinDelaySeconds", "retryMaxDelaySeconds", "retryMaxTotalSeconds",
)  # fmt: skip
"""The keys ``Settings`` reads (namespace ``w365``)."""

PROVIDER_SETTINGS: dict[str, tuple[str, str]] = {
    "graphUrl": ("uri", f"Graph root with its version segment (/v1.0 or /beta); default {DEFAULT_GRAPH_URL} only when no other w365 provider key is set."),
    "tenantId": ("text", "Microsoft Entra tenant for tokens (azure-identity)."),
    "graphToken": ("secret", "A bearer token sent as is (an emulator); set it as a secret: pulumi config set --secret w365:graphToken."),
    "timeoutSeconds": ("number", "Timeout of one HTTP request to Graph (default 60)."),
    "retryMaxAttempts": ("number", "Attempts per Graph call on throttling and transient errors."),
    "retryMinDelaySeconds": ("number", "Shortest wait between attempts."),
    "retryMaxDelaySeconds": ("number", "Longest wait between attempts."),
    "retryMaxTotalSeconds": ("number", "Longest time one Graph call may spend retrying."),
    "deviceImageTimeoutMinutes": ("number", "How long a custom image upload may stay pending (default 180); DeviceImage."),
    "healthCheckTimeoutMinutes": ("number", "How long an Azure network connection's health checks may run (default 60); NetworkConnection."),
    "healthCheckPollSeconds": ("number", "First wait between health-check status reads (default 1); NetworkConnection."),
}  # fmt: skip
"""Every provider key of the ``w365`` namespace: kind (``uri``, ``text``, ``secret``, ``number``)
and description. The one list: ``check_keys`` accepts these, and the stack file's JSON Schema
(``config/schema.py``) is generated from it. ``SETTING_KEYS`` are read by ``Settings``; the
others by the resource that uses them (``req.config`` in its provider)."""

PROVIDER_KEYS = tuple(PROVIDER_SETTINGS)
"""Every provider key of the ``w365`` namespace (the keys of ``PROVIDER_SETTINGS``)."""

# config key -> environment variable
_ENV = {"graphUrl": "W365_GRAPH_URL", "tenantId": "W365_TENANT_ID", "graphToken": "W365_GRAPH_TOKEN"}


PROGRAM_SECTIONS = ("groups", "images", "policies", "userSettings", "networkConnections", "organizationSettings")
"""The sections of the program's stack config (``w365:groups`` ...), read by ``w365_provider.config``
(which takes them from here). Kept in this pydantic-free module: the provider process and a
program that declares its resources in code check keys without loading the config model."""


def program_sections() -> tuple[str, ...]:
    """The sections of the program's stack config (``PROGRAM_SECTIONS``)."""
    return PROGRAM_SECTIONS


def known_keys() -> tuple[str, ...]:
    """Every key the ``w365`` namespace may hold: provider settings and program sections."""
    return (*PROVIDER_KEYS, *program_sections())


def check_keys(config: Mapping[str, Any]) -> None:
    """Refuse any ``w365:`` key of ``config`` (full stack config, namespaced keys) that is
    neither a provider setting nor a program section, naming the closest known key."""
    known = known_keys()
    unknown = sorted(k.split(":", 1)[1] for k in config if k.startswith(f"{NAMESPACE}:") and k.split(":", 1)[1] not in known)
    if not unknown:
        return
    described = [_describe_unknown(key, known) for key in unknown]
    subject = described[0] if len(described) == 1 else ", ".join(described[:-1]) + " and " + described[-1]
    verb = "is not a w365 setting" if len(described) == 1 else "are not w365 settings"
    removal = "; ".join(f"pulumi config rm {NAMESPACE}:{key}" for key in unknown)
    raise ConfigurationError(
        f"{subject} {verb}, and nothing runs with a key it does not know (a misspelt provider key "
        f"could send the run to the wrong Graph). The w365 namespace holds the provider settings "
        f"({', '.join(PROVIDER_KEYS)}) and the program's sections ({', '.join(program_sections())}); "
        f"rename the key, or remove it ({removal})."
    )


def _describe_unknown(key: str, known: Collection[str]) -> str:
    by_lower = {k.lower(): k for k in known}
    close = difflib.get_close_matches(key.lower(), list(by_lower), n=1, cutoff=0.6)
    if close:
        return f"{NAMESPACE}:{key} (did you mean {NAMESPACE}:{by_lower[close[0]]}?)"
    return f"{NAMESPACE}:{key}"


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
    token_source: str | None = field(default=None, repr=False, compare=False)
    """Where the token came from (``w365:graphToken`` or ``W365_GRAPH_TOKEN``), for the banner."""

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

    def banner(self) -> str:
        """``Graph: <root> (tenant <id>; <how it signs in>)``, printed at the start of a run.

        Never holds the token, only where it came from."""
        tenant = self.tenant_id or "not set"
        if self.graph_token is not None:
            auth = f"token from {self.token_source}" if self.token_source else "bearer token"
        else:
            auth = "azure-identity sign-in"
        return f"Graph: {self.graph_url} (tenant {tenant}; {auth})"

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
    def from_mapping(
        cls,
        values: Mapping[str, Any],
        env: Mapping[str, str] | None = None,
        *,
        prefer_env_token: bool = False,
    ) -> Settings:
        """Settings from config values (keys ``graphUrl`` or ``w365:graphUrl`` ...) and ``env``.

        ``env`` defaults to ``os.environ``; pass ``{}`` to ignore the environment. With
        ``prefer_env_token`` a ``W365_GRAPH_TOKEN`` wins over the config's token (the provider
        process, whose config may be the one stored in state). No key check and no fail-closed
        rule here: that is ``from_stack_config``.
        """
        env = os.environ if env is None else env

        def from_config(key: str) -> Any:
            for name in (f"{NAMESPACE}:{key}", key):
                value = values.get(name)
                if value is not None and value != "":
                    return value
            return None

        def pick(key: str) -> Any:
            found = from_config(key)
            if found is not None:
                return found
            var = _ENV.get(key)
            return env[var] if var and env.get(var) else None

        token, token_source = from_config("graphToken"), f"{NAMESPACE}:graphToken"
        if env.get("W365_GRAPH_TOKEN") and (token is None or prefer_env_token):
            token, token_source = env["W365_GRAPH_TOKEN"], "W365_GRAPH_TOKEN"
        return cls(
            graph_url=str(pick("graphUrl") or DEFAULT_GRAPH_URL),
            tenant_id=_text(pick("tenantId")),
            graph_token=_text(token),
            timeout_seconds=_number(pick("timeoutSeconds"), 60.0, "timeoutSeconds", float),
            retry=_retry_policy(pick),
            token_source=token_source if token else None,
        )

    @classmethod
    def from_stack_config(
        cls,
        config: Mapping[str, Any],
        env: Mapping[str, str] | None = None,
        *,
        secret_keys: Collection[str] | None = None,
        stack: str | None = None,
        prefer_env_token: bool = False,
    ) -> Settings:
        """Settings from a whole stack config (namespaced keys, any namespace), failing closed.

        Refuses an unknown ``w365:`` key (``check_keys``), a missing ``w365:graphUrl`` when
        other provider keys are set, and, when ``secret_keys`` (the config keys stored as
        secrets) is known, a ``w365:graphToken`` stored in plain text. ``stack`` goes into
        the command the error suggests.
        """
        env = os.environ if env is None else env
        check_stack_config(config, env, secret_keys=secret_keys, stack=stack)
        values = {key: config.get(f"{NAMESPACE}:{key}") for key in SETTING_KEYS}
        return cls.from_mapping(values, env, prefer_env_token=prefer_env_token)

    @classmethod
    def from_configure_request(cls, req: Any, env: Mapping[str, str] | None = None) -> Settings:
        """Settings in the dynamic provider process, from ``ResourceProvider.configure(req)``.

        The engine hands dynamic providers the whole stack config with secrets decrypted (on
        ``refresh`` and ``destroy``: the config stored in state, unless the program runs), so
        ``W365_GRAPH_TOKEN`` wins over the config's token here. Whether a value was a secret
        is not in the request, so the plain-text check is the program's.
        """
        raw = getattr(req.config, "_props", None)
        if not isinstance(raw, Mapping):  # not the SDK's Config: read the keys one by one
            raw = {f"{NAMESPACE}:{key}": req.config.get(f"{NAMESPACE}:{key}") for key in SETTING_KEYS}
            raw = {key: value for key, value in raw.items() if value is not None}
        return cls.from_stack_config(raw, env, prefer_env_token=True)

    @classmethod
    def from_pulumi_config(cls, config: Any = None, env: Mapping[str, str] | None = None) -> Settings:
        """Settings in a Pulumi program, from its stack config.

        Without ``config``: the whole stack config of the running program, checked as
        ``from_stack_config`` does (unknown keys, Graph URL, plain-text token). With a
        ``pulumi.Config``-like ``config``: its values for the setting keys, as given.
        """
        if config is not None:
            return cls.from_mapping({key: config.get(key) for key in SETTING_KEYS}, env)
        import pulumi

        all_config, secret_keys = program_config()
        return cls.from_stack_config(all_config, env, secret_keys=secret_keys, stack=pulumi.get_stack())


def check_stack_config(
    config: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    *,
    secret_keys: Collection[str] | None = None,
    stack: str | None = None,
) -> None:
    """The fail-closed rules on a whole stack config, without reading the values: no unknown
    ``w365:`` key, ``w365:graphUrl`` set whenever another provider key is, and (when
    ``secret_keys`` is known) no ``w365:graphToken`` in plain text."""
    env = os.environ if env is None else env
    check_keys(config)
    _require_graph_url(config, env)
    if secret_keys is not None and _present(config.get(f"{NAMESPACE}:graphToken")):
        if f"{NAMESPACE}:graphToken" not in secret_keys:
            raise ConfigurationError(_plaintext_token_message(stack))


def check_program_config() -> None:
    """``check_stack_config`` on the running program's stack config (``program_config``)."""
    import pulumi

    config, secret_keys = program_config()
    check_stack_config(config, secret_keys=secret_keys, stack=pulumi.get_stack())


def program_config() -> tuple[dict[str, Any], set[str]]:
    """The running program's whole stack config and the keys stored as secrets.

    The language host hands both to the program (``PULUMI_CONFIG``,
    ``PULUMI_CONFIG_SECRET_KEYS``); ``pulumi.runtime.set_all_config`` (tests) replaces them.
    """
    from pulumi.runtime import config as runtime_config

    values: dict[str, Any] = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    secret = set(runtime_config.get_config_secret_keys_env())
    secret.update(k for k in values if runtime_config.is_config_secret(k))
    return values, secret


def _require_graph_url(config: Mapping[str, Any], env: Mapping[str, str]) -> None:
    """Fail closed: Microsoft Graph is the default only when no provider key is set at all."""
    if _present(config.get(f"{NAMESPACE}:graphUrl")) or env.get("W365_GRAPH_URL"):
        return
    present = [f"{NAMESPACE}:{key}" for key in PROVIDER_KEYS if _present(config.get(f"{NAMESPACE}:{key}"))]
    if present:
        raise ConfigurationError(
            f"w365:graphUrl is not set although other w365 provider settings are ({', '.join(present)}), "
            "so this run will not guess where Graph is; set w365:graphUrl, for example "
            f"`pulumi config set w365:graphUrl {DEFAULT_GRAPH_URL}` for Microsoft Graph or "
            "`pulumi config set w365:graphUrl http://127.0.0.1:8765/v1.0` for the local emulator."
        )


def _plaintext_token_message(stack: str | None) -> str:
    at = f" --stack {stack}" if stack else ""
    return (
        "w365:graphToken is stored in plain text in the stack config, so it would also be written "
        "unencrypted into the Pulumi state; nothing ran. Store it as a secret instead: "
        f'`pulumi config set --secret w365:graphToken "$(pulumi config get w365:graphToken{at})"{at}` '
        "(or give the token in W365_GRAPH_TOKEN and remove the key)."
    )


def _retry_policy(pick: Any) -> RetryPolicy:
    defaults = RetryPolicy()
    try:
        return RetryPolicy(
            max_attempts=_number(pick("retryMaxAttempts"), defaults.max_attempts, "retryMaxAttempts", int),
            min_delay=_number(pick("retryMinDelaySeconds"), defaults.min_delay, "retryMinDelaySeconds", float),
            max_delay=_number(pick("retryMaxDelaySeconds"), defaults.max_delay, "retryMaxDelaySeconds", float),
            max_total_seconds=_number(
                pick("retryMaxTotalSeconds"), defaults.max_total_seconds, "retryMaxTotalSeconds", float
            ),
        )
    except ValueError as exc:
        raise ConfigurationError(f"w365 retry settings: {exc}") from None


def _present(value: Any) -> bool:
    return value is not None and value != ""


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
