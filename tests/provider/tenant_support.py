"""Helpers for the provider tests of user settings, network connections and organization settings."""

from __future__ import annotations

from typing import Any, TypeVar

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.kit.provider import SpecProvider

from .conftest import FAST

P = TypeVar("P", bound=SpecProvider)
VE = "/deviceManagement/virtualEndpoint"


def configured(cls: type[P], emu: EmulatorProcess, token: str | None = None, **config: str) -> P:
    """A provider of ``cls`` configured like the engine does it (fast retries)."""
    raw = {"w365:graphUrl": emu.graph_url, "w365:graphToken": token or emu.token}
    raw.update({f"w365:{k}": v for k, v in {**FAST, **config}.items()})
    provider = cls()
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="w365")))
    return provider


def beta_url(emu: EmulatorProcess) -> str:
    """The emulator's Graph root on beta (``w365:graphUrl`` decides the version)."""
    return emu.url + "/beta"


def snapshot(entity_set: str, version: str = "v1.0") -> tuple[str, str]:
    """The one list of ids and names (``$select=id,displayName``) a provider process makes
    before its first create of ``entity_set`` (ownership), as ``calls`` shows it."""
    return ("GET", f"{version}:/{entity_set}")


def checked(provider: SpecProvider, news: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, Any]:
    """``check`` of ``news``; asserts there are no failures."""
    result = provider.check(olds or {}, {"__provider": "p", **news})
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return {k: v for k, v in result.inputs.items() if k != "__provider"}


def calls(emu: EmulatorProcess) -> list[tuple[str, str]]:
    """The Graph requests since the last clear: (method, version + path below virtualEndpoint)."""
    out = []
    for r in emu.requests():
        version, _, rest = r["path"].lstrip("/").partition("/")
        out.append((r["method"], f"{version}:{rest.removeprefix(VE.lstrip('/'))}"))
    return out
