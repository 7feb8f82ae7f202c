"""UserSettingProvider against the emulator: create and assign at the floor, update in place,
drift and repair, adopt, unassign before delete, faults, beta."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.rules_cases import G1, G2
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.resources.user_setting import UserSettingProvider

from .tenant_support import beta_url, calls, checked, configured, snapshot

SETTINGS = "/deviceManagement/virtualEndpoint/userSettings"
SNAPSHOT = snapshot("userSettings")


def valid(**changes: Any) -> dict[str, Any]:
    base = {"display_name": "Engineering users", "local_admin_enabled": True,
            "restore_point_setting": {"frequency_type": "sixHours", "user_restore_enabled": True}}  # fmt: skip
    return {**base, **changes}


@pytest.fixture
def provider(emu: EmulatorProcess) -> UserSettingProvider:
    return configured(UserSettingProvider, emu)


def settings(emu: EmulatorProcess, version: str = "v1.0") -> list[dict[str, Any]]:
    status, body = emu.graph("GET", SETTINGS + "?$expand=assignments", version=version)
    assert status == 200, body
    return list(body["value"])


def test_create_with_assignments_is_post_and_assign(provider: UserSettingProvider, emu: EmulatorProcess) -> None:
    inputs = checked(provider, valid(assignments=[{"group_id": G2}, {"group_id": G1.upper()}]))
    assert calls(emu) == []
    created = provider.create(inputs)
    assert calls(emu) == [SNAPSHOT, ("POST", "v1.0:/userSettings"), ("POST", f"v1.0:/userSettings/{created.id}/assign")]
    assert emu.requests()[0]["query"] == "$select=id,displayName"
    assert created.outs["assignments"] == [{"group_id": G1}, {"group_id": G2}]
    (stored,) = settings(emu)
    assert stored["localAdminEnabled"] is True and stored["restorePointSetting"]["frequencyType"] == "sixHours"
    assert sorted(a["target"]["groupId"] for a in stored["assignments"]) == sorted([G1, G2])


def test_create_unassigned_is_one_post(provider: UserSettingProvider, emu: EmulatorProcess) -> None:
    provider.create(checked(provider, valid()))
    assert calls(emu) == [SNAPSHOT, ("POST", "v1.0:/userSettings")]
    provider.create(checked(provider, valid(display_name="Second")))
    assert calls(emu) == [SNAPSHOT, ("POST", "v1.0:/userSettings"), ("POST", "v1.0:/userSettings")]  # one per process


def test_restore_point_change_is_one_patch(provider: UserSettingProvider, emu: EmulatorProcess) -> None:
    inputs = checked(provider, valid(assignments=[{"group_id": G1}]))
    created = provider.create(inputs)
    emu.clear_requests()
    news = checked(provider, valid(assignments=[{"group_id": G1}],
                                   restore_point_setting={"frequency_type": "twelveHours", "user_restore_enabled": True}))  # fmt: skip
    updated = provider.update(created.id, created.outs, news)
    assert calls(emu) == [("PATCH", f"v1.0:/userSettings/{created.id}")]
    assert updated.outs["restore_point_setting"]["frequency_type"] == "twelveHours"
    assert settings(emu)[0]["restorePointSetting"]["frequencyType"] == "twelveHours"


def test_drift_is_read_and_repaired(provider: UserSettingProvider, emu: EmulatorProcess) -> None:
    inputs = checked(provider, valid(assignments=[{"group_id": G1}]))
    created = provider.create(inputs)
    status, _ = emu.graph("PATCH", f"{SETTINGS}/{created.id}", {"localAdminEnabled": False})
    assert status == 204
    status, _ = emu.graph("POST", f"{SETTINGS}/{created.id}/assign", {"assignments": []})
    assert status == 204
    read = provider.read(created.id, created.outs)
    assert read.inputs["local_admin_enabled"] is False and read.inputs["assignments"] == []
    emu.clear_requests()
    provider.update(created.id, read.outs, inputs)
    assert calls(emu) == [("PATCH", f"v1.0:/userSettings/{created.id}"), ("POST", f"v1.0:/userSettings/{created.id}/assign")]
    (stored,) = settings(emu)
    assert stored["localAdminEnabled"] is True and [a["target"]["groupId"] for a in stored["assignments"]] == [G1]


def test_read_of_a_deleted_setting_is_empty(provider: UserSettingProvider, emu: EmulatorProcess) -> None:
    created = provider.create(checked(provider, valid()))
    assert emu.graph("DELETE", f"{SETTINGS}/{created.id}")[0] == 204
    assert provider.read(created.id, created.outs).id == ""


def test_delete_of_an_assigned_setting_unassigns_first(provider: UserSettingProvider, emu: EmulatorProcess) -> None:
    created = provider.create(checked(provider, valid(assignments=[{"group_id": G1}])))
    emu.clear_requests()
    provider.delete(created.id, created.outs)
    assert calls(emu) == [("POST", f"v1.0:/userSettings/{created.id}/assign"), ("DELETE", f"v1.0:/userSettings/{created.id}")]
    assert settings(emu) == []


def test_adopt_takes_over_by_name(provider: UserSettingProvider, emu: EmulatorProcess) -> None:
    status, body = emu.graph("POST", SETTINGS, {"displayName": "Engineering users", "localAdminEnabled": False})
    assert status == 201
    created = provider.create(checked(provider, valid(adopt=True)))
    assert created.id == body["id"]
    (stored,) = settings(emu)
    assert stored["localAdminEnabled"] is True


@pytest.mark.parametrize("status", [429, 503])
def test_transient_failures_on_create_and_assign(provider: UserSettingProvider, emu: EmulatorProcess, status: int) -> None:
    emu.set_faults([{"method": "POST", "path": r"/userSettings$", "status": status, "retry_after": 0, "times": 1},
                    {"method": "POST", "path": r"/assign$", "status": status, "retry_after": 0, "times": 2}])  # fmt: skip
    created = provider.create(checked(provider, valid(assignments=[{"group_id": G1}])))
    (stored,) = settings(emu)
    assert stored["id"] == created.id and [a["target"]["groupId"] for a in stored["assignments"]] == [G1]


def test_dropped_connection_after_post_leaves_one_setting(provider: UserSettingProvider, emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "POST", "path": r"/userSettings$", "drop": "after", "times": 1}])
    created = provider.create(checked(provider, valid()))
    assert [s["id"] for s in settings(emu)] == [created.id]


def test_beta_properties_go_to_beta(emu: EmulatorProcess) -> None:
    provider = configured(UserSettingProvider, emu, graphUrl=beta_url(emu))
    inputs = checked(provider, valid(notification_setting={"restart_prompts_disabled": True},
                                     restore_point_setting={"frequency_in_hours": 6, "user_restore_enabled": True},
                                     provisioning_source_type="snapshot"))  # fmt: skip
    created = provider.create(inputs)
    assert calls(emu) == [snapshot("userSettings", "beta"), ("POST", "beta:/userSettings")]
    emu.clear_requests()
    read = provider.read(created.id, created.outs)
    assert calls(emu) == [("GET", f"beta:/userSettings/{created.id}")]
    assert read.inputs["notification_setting"] == {"restart_prompts_disabled": True}
    assert read.inputs["restore_point_setting"] == {"frequency_in_hours": 6, "user_restore_enabled": True}


def test_v1_provider_refuses_beta_properties(provider: UserSettingProvider) -> None:
    result = provider.check({}, valid(notification_setting={"restart_prompts_disabled": True},
                                      restore_point_setting={"frequency_in_hours": 6}))  # fmt: skip
    assert [f.property for f in result.failures] == ["restore_point_setting", "notification_setting"]
    assert "frequency_in_hours is a beta property of Microsoft Graph; the Graph root uses v1.0" in result.failures[0].reason
    assert "set w365:graphUrl to Graph's beta root" in result.failures[1].reason  # and how to switch
