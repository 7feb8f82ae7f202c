"""OrganizationSettingsProvider against the emulator: the singleton's GET/PATCH through beta."""

from __future__ import annotations

import pytest

from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.resources.organization_settings import DELETE_NOTE, OrganizationSettingsProvider

from .tenant_support import beta_url, calls, checked, configured

PATH = "/deviceManagement/virtualEndpoint/organizationSettings"


@pytest.fixture
def provider(emu: EmulatorProcess) -> OrganizationSettingsProvider:
    return configured(OrganizationSettingsProvider, emu, graphUrl=beta_url(emu))


def test_create_is_a_get_and_one_patch_and_delete_none(provider: OrganizationSettingsProvider, emu: EmulatorProcess,
                                             capfd: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    inputs = checked(provider, {"os_version": "Windows10", "enable_single_sign_on": True,
                                "windows_settings": {"language": "de-DE"}})  # fmt: skip
    assert DELETE_NOTE in capfd.readouterr().err
    created = provider.create(inputs)
    assert calls(emu) == [("GET", "beta:/organizationSettings"), ("PATCH", "beta:/organizationSettings")]
    status, body = emu.graph("GET", PATH, version="beta")
    assert status == 200 and body["osVersion"] == "windows10" and body["windowsSettings"] == {"language": "de-DE"}
    assert body["userAccountType"] == "standardUser"  # left as the tenant has it
    emu.clear_requests()
    read = provider.read(created.id, created.outs)
    assert read.inputs == {"os_version": "windows10", "enable_single_sign_on": True, "windows_settings": {"language": "de-DE"}}
    provider.update(created.id, read.outs, {**inputs, "os_version": "windows11"})
    assert calls(emu) == [("GET", "beta:/organizationSettings"), ("PATCH", "beta:/organizationSettings")]
    emu.clear_requests()
    provider.delete(created.id, created.outs)
    assert calls(emu) == []
    assert DELETE_NOTE in capfd.readouterr().err
    assert emu.graph("GET", PATH, version="beta")[1]["osVersion"] == "windows11"


def test_create_of_what_the_tenant_has_writes_nothing(provider: OrganizationSettingsProvider,
                                                      emu: EmulatorProcess) -> None:
    """Taking the settings over as exported (what the tenant holds) is one GET and no PATCH."""
    status, body = emu.graph("GET", PATH, version="beta")
    assert status == 200
    as_is = checked(provider, {"os_version": body["osVersion"], "user_account_type": body["userAccountType"],
                               "enable_single_sign_on": body["enableSingleSignOn"]})  # fmt: skip
    emu.clear_requests()
    created = provider.create(as_is)
    assert calls(emu) == [("GET", "beta:/organizationSettings")]
    assert created.outs["os_version"] == body["osVersion"]
    changed = provider.create({**as_is, "user_account_type": "administrator" if body["userAccountType"] ==
                               "standardUser" else "standardUser"})  # fmt: skip
    assert calls(emu)[-1] == ("PATCH", "beta:/organizationSettings")
    assert changed.outs["user_account_type"] != body["userAccountType"]


def test_the_table_checks(provider: OrganizationSettingsProvider) -> None:
    result = provider.check({}, {"os_version": "windows12", "windows_settings": {}})
    assert sorted(f.property for f in result.failures) == ["os_version", "windows_settings"]


def test_v1_has_no_organization_settings(emu: EmulatorProcess) -> None:
    status, body = emu.graph("GET", PATH)
    assert status == 400 and "organizationSettings" in body["error"]["message"]


def test_refused_at_preview_when_the_graph_root_is_v1(emu: EmulatorProcess) -> None:
    provider = configured(OrganizationSettingsProvider, emu)
    result = provider.check({}, {"os_version": "windows11"})
    [failure] = result.failures
    assert "cloudPcOrganizationSettings (organization settings) exists only in Microsoft Graph's beta API" in failure.reason
    assert "the Graph root uses v1.0" in failure.reason and "set w365:graphUrl to Graph's beta root" in failure.reason
    assert emu.requests() == []  # no Graph call
