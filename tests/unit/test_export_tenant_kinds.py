"""`w365 export` of the tenant resources without Graph: user settings with their groups, Azure
network connections (the domain-join password never written: a placeholder comment with the
`pulumi config set --secret` command), a policy's join through an exported connection by key,
and the organization settings singleton (no adopt: the resource takes the one object over)."""

from __future__ import annotations

from typing import Any

import yaml

from w365_provider.config.stack import stack_config_problems
from w365_provider.export.document import Context, Tenant, build
from w365_provider.export.kinds import Entry
from w365_provider.export.registry import KINDS, _joins_by_key
from w365_provider.export.run import _secrets, _settle

G1 = "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e01"
SUB = "0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
RG = f"/subscriptions/{SUB}/resourceGroups/rg"
HYBRID = "a1b2c3d4-0000-4000-8000-000000000001"
ENTRA = "a1b2c3d4-0000-4000-8000-000000000002"
SETTING = "0a2847c0-662a-4440-a0a7-37cc064dbf62"
KIND = {kind.section: kind for kind in KINDS}


def connection(object_id: str, name: str, kind: str) -> dict[str, Any]:
    body = {"id": object_id, "displayName": name, "connectionType": kind, "subscriptionId": SUB,
            "subscriptionName": "Contoso", "resourceGroupId": RG, "virtualNetworkId": f"{RG}/providers/n/v",
            "subnetId": f"{RG}/providers/n/v/subnets/s", "healthCheckStatus": "passed", "adDomainPassword": None,
            "healthCheckStatusDetail": {"startDateTime": "2025-01-01T00:00:00Z"}, "type": kind, "scopeIds": ["0"]}  # fmt: skip
    if kind == "hybridAzureADJoin":
        body |= {"adDomainName": "corp.contoso.com", "adDomainUsername": "svc-join"}
    return body


def tenant() -> Tenant:
    setting = {"id": SETTING, "displayName": "Engineering users", "localAdminEnabled": True, "resetEnabled": False,
               "restorePointSetting": {"frequencyType": "sixHours", "userRestoreEnabled": True},
               "createdDateTime": "2025-01-01T00:00:00Z",
               "assignments": [{"id": "a", "target": {"groupId": G1}}]}  # fmt: skip
    return Tenant({
        "networkConnections": [connection(HYBRID, "Corp hybrid", "hybridAzureADJoin"),
                               connection(ENTRA, "Entra only", "azureADJoin")],
        "userSettings": [setting],
        "organizationSettings": [{"id": "a7b8b1a4-6f0b-4e1c-9b6a-3c1d2e4f5a60", "osVersion": "windows11",
                                  "userAccountType": "standardUser", "enableMEMAutoEnroll": True,
                                  "windowsSettings": {"language": "en-GB"}}],
    }, groups={G1: "Sales Team"})  # fmt: skip


def sections() -> dict[str, Any]:
    kinds = [KIND[name] for name in ("networkConnections", "userSettings", "organizationSettings")]
    ctx = Context(tenant())
    built = build(kinds, ctx)
    _settle(built, ctx, keep_images=False, secrets=_secrets(kinds))
    return built


def test_a_hybrid_connection_is_exported_without_its_password_and_says_how_to_set_it() -> None:
    found = sections()["networkConnections"]
    hybrid, entra = found.entries["corp-hybrid"], found.entries["entra-only"]
    assert hybrid.value == {
        "displayName": "Corp hybrid", "connectionType": "hybridAzureADJoin", "subscriptionId": SUB,
        "resourceGroupId": RG, "virtualNetworkId": f"{RG}/providers/n/v", "subnetId": f"{RG}/providers/n/v/subnets/s",
        "adDomainName": "corp.contoso.com", "adDomainUsername": "svc-join", "adopt": HYBRID,
    }  # fmt: skip
    assert hybrid.notes == ["adDomainPassword: not exported (a secret); set it before `pulumi up` with: pulumi config "
                            "set --secret --path 'w365:networkConnections.corp-hybrid.adDomainPassword' <the join "
                            "account's password>"]  # fmt: skip
    assert entra.notes == [] and "adDomainName" not in entra.value  # no password for Entra join
    assert hybrid.left_out == 0 and found.footer == []


def test_the_file_passes_the_stack_checks_once_the_password_is_set() -> None:
    raw = {name: {k: e.value for k, e in s.entries.items()} for name, s in sections().items() if not s.singleton}
    assert any("corp-hybrid.adDomainPassword" in line for line in stack_config_problems(raw))
    raw["networkConnections"]["corp-hybrid"]["adDomainPassword"] = {"secure": "v1:abc"}
    raw["organizationSettings"] = sections()["organizationSettings"].entries["organization-settings"].value
    problems = stack_config_problems(raw)
    assert all(line.startswith("w365:policies: is not set") for line in problems), problems  # no policy here


def test_user_settings_name_their_groups_by_key_and_adopt_by_id() -> None:
    found = sections()
    assert found["userSettings"].entries["engineering-users"].value == {
        "displayName": "Engineering users", "localAdminEnabled": True, "resetEnabled": False,
        "restorePointSetting": {"frequencyType": "sixHours", "userRestoreEnabled": True},
        "assignments": ["sales-team"], "adopt": SETTING,
    }  # fmt: skip
    assert found["userSettings"].entries["engineering-users"].notes == []  # audit fields are not settings
    assert found["groups"].entries["sales-team"].value == {"objectId": G1}


def test_organization_settings_are_one_entry_without_adopt() -> None:
    found = sections()["organizationSettings"]
    assert found.singleton and list(found.entries.values())[0].value == {
        "osVersion": "windows11", "userAccountType": "standardUser", "enableMEMAutoEnroll": True,
        "windowsSettings": {"language": "en-GB"},
    }  # fmt: skip


def test_a_policy_joined_through_an_exported_connection_names_it_by_key() -> None:
    kinds = [KIND["networkConnections"], KIND["policies"]]
    ctx = Context(tenant())
    built = build(kinds[:1], ctx)
    joins = {"domainJoinConfigurations": [{"onPremisesConnectionId": HYBRID.upper(), "domainJoinType": "hybridAzureADJoin"}]}
    entry = Entry("p", {**joins})
    _joins_by_key(ctx, entry)
    assert entry.value["domainJoinConfigurations"] == [{"domainJoinType": "hybridAzureADJoin", "networkConnection": "corp-hybrid"}]
    other = Entry("q", {"domainJoinConfigurations": [{"onPremisesConnectionId": G1, "domainJoinType": "azureADJoin"}]})
    _joins_by_key(ctx, other)
    assert other.value["domainJoinConfigurations"] == [{"onPremisesConnectionId": G1, "domainJoinType": "azureADJoin"}]
    assert list(built["networkConnections"].entries) == ["corp-hybrid", "entra-only"]
    assert yaml.safe_load(yaml.safe_dump(entry.value)) == entry.value
