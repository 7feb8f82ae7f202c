"""Provider methods called directly against a real emulator process over HTTP.

Each test starts from a reset emulator (seeded catalogue, no faults, empty request log) and a
provider configured the way the engine does it: ``configure()`` with stack config.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.graph import shutdown
from w365_provider.provisioning_policy import ProvisioningPolicyProvider

POLICIES = "/deviceManagement/virtualEndpoint/provisioningPolicies"

FAST = {"retryMaxAttempts": "5", "retryMinDelaySeconds": "0.01", "retryMaxDelaySeconds": "0.2"}
"""Retry timings that keep fault tests fast (waits are capped at 0.2 s)."""

SNAPSHOT = ("GET", "/")
"""The one list of ids and names a provider process makes before its first create (ownership)."""


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    with EmulatorProcess() as emu:
        yield emu
    shutdown()


_CURRENT: list[EmulatorProcess] = []


@pytest.fixture
def emu(emulator_process: EmulatorProcess) -> EmulatorProcess:
    fresh = emulator_process.fresh()
    _CURRENT[:] = [fresh]
    return fresh


def logged() -> int:
    """How many requests the current emulator has logged (before a ``check``)."""
    return sum(len(emu.requests()) for emu in _CURRENT)


def forget_check_reads(before: int) -> None:
    """``check`` reads Graph for the people warning when a policy's assignments change
    (``impact.policy_warnings``), and only reads. When the log held nothing before the check and
    the check added only reads, clear it, so a test counts the calls of the step it is about
    (``test_policy_people_warning.py`` tests the reads themselves)."""
    for emu in _CURRENT:
        made = [r["method"] for r in emu.requests()[before:]]
        if before == 0 and all(method == "GET" for method in made):
            emu.clear_requests()


def checked(provider: Any, news: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, Any]:
    """``check`` of ``news`` as the engine calls it; asserts there are no failures and forgets
    the people warning's reads (see ``forget_check_reads``); returns the checked inputs."""
    before = logged()
    result = provider.check(olds or {}, {"__provider": "p", **news})
    forget_check_reads(before)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return {k: v for k, v in result.inputs.items() if k != "__provider"}


def configured(emu: EmulatorProcess, **config: str) -> ProvisioningPolicyProvider:
    """A provider configured like the engine does: stack config in the ``w365`` namespace."""
    raw = {"w365:graphUrl": emu.graph_url, "w365:graphToken": emu.token}
    raw.update({f"w365:{k}": v for k, v in config.items()})
    provider = ProvisioningPolicyProvider()
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="w365")))
    return provider


@pytest.fixture
def provider(emu: EmulatorProcess) -> ProvisioningPolicyProvider:
    return configured(emu, **FAST)


@pytest.fixture
def calls(emu: EmulatorProcess) -> Callable[[], list[tuple[str, str]]]:
    """The Graph requests since the last clear, as (method, path after the policies root)."""

    def get() -> list[tuple[str, str]]:
        out = []
        for r in emu.requests():
            path = r["path"].split(POLICIES, 1)[-1] or "/"
            out.append((r["method"], path))
        return out

    return get


@pytest.fixture
def policies(emu: EmulatorProcess) -> Callable[[], list[dict[str, Any]]]:
    """Every policy in the emulator. These reads are logged too: take ``calls()`` first."""

    def get() -> list[dict[str, Any]]:
        status, body = emu.graph("GET", POLICIES + "?$expand=assignments")
        assert status == 200, body
        assert body is not None
        return list(body["value"])

    return get
