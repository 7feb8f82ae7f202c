"""The program's tenant sections: user settings, Azure network connections, organization settings,
and references by key (under Pulumi's mocks; no Graph call); the stack config's problems for them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.rules_cases import G1
from tests.unit.test_program import config, gallery, record_exports, run, stack  # noqa: F401 - fixtures: the catalogue (no Graph call), the exports
from w365_provider.emulator import seed
from w365_provider.stack_config import parse_stack_config, stack_config_problems

SETTING = "pulumi-python:dynamic/w365:UserSetting"
CONNECTION = "pulumi-python:dynamic/w365:NetworkConnection"
ORGANIZATION = "pulumi-python:dynamic/w365:OrganizationSettings"
POLICY = "pulumi-python:dynamic/w365:ProvisioningPolicy"
SUB = "0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
RG = f"/subscriptions/{SUB}/resourceGroups/rg"
VNET = f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet"


def connection(**changes: Any) -> dict[str, Any]:
    return {"displayName": "Corp", "connectionType": "azureADJoin", "subscriptionId": SUB, "resourceGroupId": RG,
            "virtualNetworkId": VNET, "subnetId": f"{VNET}/subnets/a", **changes}  # fmt: skip


def test_local_stack_declares_every_tenant_resource() -> None:
    mocks, outputs = run(stack("local"))
    settings = mocks.of(SETTING)
    assert set(settings) == {"standard", "engineering"}
    assert settings["standard"]["assignments"] == [{"group_id": seed.GROUP_PILOT_USERS}, {"group_id": seed.GROUP_FINANCE}]
    assert settings["engineering"]["notification_setting"] == {"restart_prompts_disabled": True}
    (conn,) = mocks.of(CONNECTION).values()
    assert conn["display_name"] == "W365 Corp network" and conn["connection_type"] == "hybridAzureADJoin"
    (org,) = mocks.of(ORGANIZATION).values()
    assert org["os_version"] == "windows11" and org["windows_settings"] == {"language": "en-US"}
    assert set(outputs["userSettings"]) == {"standard", "engineering"} and set(outputs["networkConnections"]) == {"corp"}


def test_a_policy_names_a_connection_by_key() -> None:
    raw = config(domainJoinConfigurations=[{"domainJoinType": "hybridAzureADJoin", "networkConnection": "corp"}])
    raw["networkConnections"] = {"corp": connection(connectionType="hybridAzureADJoin", adDomainName="corp.example.com",
                                                    adDomainUsername="svc", adDomainPassword={"secure": "v1:x"})}  # fmt: skip
    mocks, _ = run(raw)
    policy = mocks.of(POLICY)["pilot"]
    # the mocks answer a connection with its id as connection_id (see ConnectionMocks)
    assert policy["domain_join_configurations"] == [{"domain_join_type": "hybridAzureADJoin",
                                                     "on_premises_connection_id": "corp-id"}]  # fmt: skip


def test_user_settings_assign_groups_by_key() -> None:
    raw = config()
    raw["userSettings"] = {"std": {"displayName": "Std", "assignments": ["pilot"], "resetEnabled": "true"}}
    mocks, _ = run(raw)
    assert mocks.of(SETTING)["std"]["assignments"] == [{"group_id": G1}]
    assert mocks.of(SETTING)["std"]["reset_enabled"] is True


@pytest.mark.parametrize(
    ("section", "value", "problem"),
    [
        ("userSettings", {"a": {"displayName": "A", "assignments": ["nope"]}},
         "w365:userSettings.a.assignments[0]: 'nope' is not a key of w365:groups"),
        ("userSettings", {"a": {"displayName": "A", "restorePointSetting": {"frequencyType": "hourly"}}},
         "w365:userSettings.a.restorePointSetting.frequencyType: must be one of default"),
        ("userSettings", {"a": {"displayName": "A", "restorePointSetting": {"frequencyType": "fourHours",
                                                                           "frequencyInHours": 6}}},
         "w365:userSettings.a.restorePointSetting: frequencyType fourHours means every 4 hours"),
        ("userSettings", {"a": {"displayName": "A"}, "b": {"displayName": "A"}},
         "w365:userSettings.b.displayName: 'A' is also the name of w365:userSettings.a"),
        ("networkConnections", {"c": connection(connectionType="hybridAzureADJoin")},
         "w365:networkConnections.c.adDomainName: is required for a hybridAzureADJoin connection"),
        ("networkConnections", {"c": connection(subnetId=f"{RG}/x")},
         "w365:networkConnections.c.subnetId: must be a subnet of virtualNetworkId"),
        ("networkConnections", {"c": connection(subscriptionId="x")},
         "w365:networkConnections.c.subscriptionId: must be an object id (GUID)"),
        ("organizationSettings", {"osVersion": "windows12"},
         "w365:organizationSettings.osVersion: must be one of windows10, windows11"),
        ("organizationSettings", {"windowsSetting": {"language": "en-US"}},
         "w365:organizationSettings.windowsSetting: unknown key; did you mean 'windowsSettings'?"),
    ],
)  # fmt: skip
def test_problems_name_their_yaml_path(section: str, value: Any, problem: str) -> None:
    raw = {**config(), section: value}
    found = stack_config_problems(raw)
    assert any(line.startswith(problem) for line in found), found


def test_an_unknown_network_connection_key_is_named() -> None:
    raw = config(domainJoinConfigurations=[{"domainJoinType": "hybridAzureADJoin", "networkConnection": "crop"}])
    raw["networkConnections"] = {"corp": connection()}
    assert "w365:policies.pilot.domainJoinConfigurations[0].networkConnection: 'crop' is not a key of " \
           "w365:networkConnections (known: corp); did you mean 'corp'?" in stack_config_problems(raw)


def test_a_password_must_be_a_secret() -> None:
    raw = {**config(), "networkConnections": {"c": connection(connectionType="hybridAzureADJoin", adDomainName="d.example",
                                                              adDomainUsername="u", adDomainPassword="plain")}}  # fmt: skip
    parse_stack_config(raw)  # read outside the engine: not checked
    with pytest.raises(Exception, match=r"adDomainPassword: must be a secret: pulumi config set --secret --path"):
        parse_stack_config(raw, secret_sections=set())
    assert parse_stack_config(raw, secret_sections={"networkConnections"}).network_connections["c"]
