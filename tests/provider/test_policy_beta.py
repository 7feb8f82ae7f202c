"""The beta surface against the emulator's /beta: Frontline shared and Reserve, version refusals on
v1.0, the Prefer header, the code owning the whole policy, and "Apply to existing Cloud PCs"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from tests.unit.rules_cases import ENTRA_CONN, G1, G2, PLAN, valid
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.errors import GraphError
from w365_provider.provisioning_policy import ProvisioningPolicyProvider

from .conftest import FAST, POLICIES, SNAPSHOT, checked

Calls = Callable[[], list[tuple[str, str]]]
WEST = [{"domain_join_type": "azureADJoin", "region_name": "westeurope"}]
SHARED_ASSIGNMENT = {"group_id": G1, "service_plan_id": PLAN, "allotment_display_name": "Shift A", "allotment_licenses_count": 5}


def beta(emu: EmulatorProcess) -> ProvisioningPolicyProvider:
    raw = {"w365:graphUrl": emu.graph_url.replace("/v1.0", "/beta"), "w365:graphToken": emu.token}
    raw.update({f"w365:{k}": v for k, v in FAST.items()})
    provider = ProvisioningPolicyProvider()
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="w365")))
    return provider


@pytest.fixture
def on_beta(emu: EmulatorProcess) -> ProvisioningPolicyProvider:
    return beta(emu)


def failures(provider: ProvisioningPolicyProvider, news: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in provider.check({}, {"__provider": "p", **news}).failures]



def frontline_shared(**changes: Any) -> dict[str, Any]:
    base = {"provisioning_type": "sharedByEntraGroup", "assignments": [SHARED_ASSIGNMENT],
            "user_settings_persistence_configuration": {"user_settings_persistence_enabled": True},
            "cloud_pc_naming_template": "FLS-%RAND:8%"}  # fmt: skip
    return valid(**{**base, **changes})


@pytest.mark.parametrize(
    ("news", "prop", "message"),
    [
        (valid(provisioning_type="sharedByUser"), "provisioning_type", "'sharedByUser' is a beta value of Microsoft Graph"),
        (valid(user_experience_type="cloudPc"), "user_experience_type", "is a beta property of Microsoft Graph"),
        (valid(scope_ids=["0"]), "scope_ids", "is a beta property of Microsoft Graph; the Graph root uses v1.0"),
        (valid(assignments=[{"group_id": G1, "allotment_licenses_count": 2}]), "assignments",
         "entry 0: allotment_licenses_count is a beta property"),
        (valid(domain_join_configurations=[{"domain_join_type": "azureADJoin", "region_name": "automatic",
                                            "region_group": "europe"}]),
         "domain_join_configurations", "entry 0: region_group 'europe' is a beta value"),
        (valid(apply_to_existing_cloud_pcs={}), "apply_to_existing_cloud_pcs", "needs Microsoft Graph's beta API"),
    ],
)  # fmt: skip
def test_beta_only_is_refused_on_v1_naming_the_property_and_the_switch(
    news: dict[str, Any], prop: str, message: str, provider: ProvisioningPolicyProvider, calls: Calls
) -> None:
    found = failures(provider, news)
    assert any(p == prop and message in r and "set w365:graphUrl to Graph's beta root" in r for p, r in found), found
    assert calls() == []


@pytest.mark.parametrize(
    ("news", "prop", "message"),
    [
        (valid(user_experience_type="cloudApp"), "user_experience_type", "cloudApp (Cloud Apps) needs provisioning_type sharedByEntraGroup"),
        (valid(user_settings_persistence_configuration={"user_settings_persistence_enabled": True}),
         "user_settings_persistence_configuration", "is only for provisioning_type sharedByEntraGroup (Frontline shared), not dedicated (Enterprise)"),
        (valid(autopilot_configuration={"device_preparation_profile_id": PLAN, "application_timeout_in_minutes": 20,
                                        "on_failure_device_access_denied": False}),
         "autopilot_configuration", "application_timeout_in_minutes must be 30 to 360 minutes (got 20)"),
        (valid(autopilot_configuration={"device_preparation_profile_id": PLAN}), "autopilot_configuration",
         "application_timeout_in_minutes is required (30 to 360 minutes)"),
        (frontline_shared(assignments=[{"group_id": G1, "service_plan_id": PLAN}]), "assignments",
         "a sharedByEntraGroup policy (Frontline shared) needs allotment_display_name"),
        (valid(provisioning_type="reserve", assignments=[{"group_id": G1}]), "assignments",
         f"group {G1}: a reserve policy needs service_plan_id"),
        (valid(assignments=[{"group_id": G1, "allotment_display_name": "A"}]), "assignments",
         "allotment_display_name only apply to sharedByEntraGroup policies (Frontline shared), not dedicated (Enterprise)"),
        (valid(apply_to_existing_cloud_pcs={"reserve_percentage": 120}), "apply_to_existing_cloud_pcs",
         "reserve_percentage must be 0 to 99 (got 120)"),
        (valid(user_experience_type="fullDesktop"), "user_experience_type", "must be one of cloudPc, cloudApp"),
    ],
)  # fmt: skip
def test_beta_rules_are_checked_before_any_graph_call(
    news: dict[str, Any], prop: str, message: str, on_beta: ProvisioningPolicyProvider, calls: Calls
) -> None:
    found = failures(on_beta, news)
    assert any(p == prop and message in r for p, r in found), found
    assert calls() == []


def test_shared_is_warned_as_deprecated(provider: ProvisioningPolicyProvider, capsys: pytest.CaptureFixture[str]) -> None:
    checked(provider, valid(provisioning_type="shared", assignments=[{"group_id": G1, "service_plan_id": PLAN}]))
    err = capsys.readouterr().err
    assert "provisioning_type shared (Frontline dedicated) is deprecated" in err and "use sharedByUser" in err


def test_frontline_shared_is_created_and_reads_back_without_drift(on_beta: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls) -> None:
    inputs = checked(on_beta, frontline_shared(user_experience_type="cloudApp", scope_ids=["0", "7"]))
    created = on_beta.create(inputs)
    assert calls() == [SNAPSHOT, ("POST", "/"), ("POST", f"/{created.id}/assign")]  # the process's one snapshot
    read = on_beta.read(created.id, created.outs)
    assert read.inputs == inputs  # the Prefer header brings sharedByEntraGroup back as itself
    assert read.outs["provisioning_type"] == "sharedByEntraGroup" and read.outs["scope_ids"] == ["0", "7"]
    status, raw = emu.graph("GET", f"{POLICIES}/{created.id}", version="beta")
    assert status == 200 and raw is not None and raw["provisioningType"] == "unknownFutureValue"  # without the header


def test_reserve_and_frontline_dedicated_are_created(on_beta: ProvisioningPolicyProvider) -> None:
    for kind in ("reserve", "sharedByUser"):
        inputs = checked(on_beta, valid(display_name=kind, provisioning_type=kind, assignments=[{"group_id": G2, "service_plan_id": PLAN}]))
        created = on_beta.create(inputs)
        assert on_beta.read(created.id, created.outs).inputs == inputs


def test_out_of_band_changes_to_unset_properties_are_found_and_reverted(
    on_beta: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls
) -> None:
    inputs = checked(on_beta, valid())
    created = on_beta.create(inputs)
    changed = {"enableSingleSignOn": True, "cloudPcNamingTemplate": "OOB-%RAND:5%", "scopeIds": ["0", "9"]}
    assert emu.graph("PATCH", f"{POLICIES}/{created.id}", changed, version="beta")[0] == 204
    assert emu.graph("POST", f"{POLICIES}/{created.id}/assign", {"assignments": [{"target": {"groupId": G1}}]})[0] == 204
    emu.clear_requests()
    read = on_beta.read(created.id, created.outs)
    assert read.inputs == {**inputs, "enable_single_sign_on": True, "cloud_pc_naming_template": "OOB-%RAND:5%",
                           "scope_ids": ["0", "9"], "assignments": [{"group_id": G1}]}  # fmt: skip
    emu.clear_requests()
    on_beta.update(created.id, read.outs, inputs)
    assert calls() == [("PATCH", f"/{created.id}"), ("POST", f"/{created.id}/assign")]
    assert on_beta.read(created.id, created.outs).inputs == inputs


def _apply_calls(emu: EmulatorProcess) -> list[dict[str, Any]]:
    return [r for r in emu.requests() if r["path"].endswith("/apply")]


def test_region_change_with_apply_calls_apply_once(on_beta: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls) -> None:
    option = {"reserve_percentage": 10, "force_user_logoff": True}
    inputs = checked(on_beta, valid(domain_join_configurations=WEST, apply_to_existing_cloud_pcs=option))
    created = on_beta.create(inputs)
    assert _apply_calls(emu) == []  # never on create
    on_beta.update(created.id, created.outs, inputs)
    assert _apply_calls(emu) == []  # never on a no-op
    emu.clear_requests()
    news = checked(on_beta, {**inputs, "domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": "northeurope"}],
                             "enable_single_sign_on": True}, inputs)  # fmt: skip
    updated = on_beta.update(created.id, created.outs, news)
    assert [c for c in calls() if c[0] != "GET"] == [("PATCH", f"/{created.id}"), ("POST", f"/{created.id}/apply")]
    assert calls()[0][0] == "GET"  # read first: see the retry below
    assert updated.outs["apply_to_existing_cloud_pcs"] == option


def test_region_change_without_apply_calls_nothing_more(on_beta: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls) -> None:
    inputs = checked(on_beta, valid(domain_join_configurations=WEST))
    created = on_beta.create(inputs)
    emu.clear_requests()
    news = checked(on_beta, {**inputs, "domain_join_configurations": [{"domain_join_type": "azureADJoin", "on_premises_connection_id": ENTRA_CONN}]}, inputs)
    on_beta.update(created.id, created.outs, news)
    assert calls() == [("PATCH", f"/{created.id}")]


def test_failed_apply_fails_the_step_and_the_next_up_retries_it(on_beta: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls) -> None:
    inputs = checked(on_beta, valid(apply_to_existing_cloud_pcs={}))
    created = on_beta.create(inputs)
    news = checked(on_beta, {**inputs, "enable_single_sign_on": True}, inputs)
    emu.set_faults([{"method": "POST", "path": r"/apply$", "status": 400, "times": 1}])
    emu.clear_requests()
    with pytest.raises(GraphError, match="apply singleSignOn of provisioning policy 'Engineering'"):
        on_beta.update(created.id, created.outs, news)
    emu.clear_requests()
    retried = on_beta.update(created.id, created.outs, news)  # the engine kept the old state: the same step again
    assert [c for c in calls() if c[0] != "GET"] == [("POST", f"/{created.id}/apply")]  # the update is not redone
    bodies = [r for r in emu.requests() if r["path"].endswith("/apply")]
    assert len(bodies) == 1
    assert retried.outs["enable_single_sign_on"] is True
    assert on_beta.read(created.id, retried.outs).inputs == news
