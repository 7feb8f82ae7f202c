"""Forms Graph accepts besides the current ones: the deprecated single-connection properties of a
provisioning policy, beta's deprecated connection ``type``; and the URLs no reference page
documents: ``…/assignments/{id}`` and the ``/$count`` segment (FIDELITY.md rules 56–61)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.emulator_support import CONNECTIONS, POLICIES, USER_SETTINGS, policy_body
from w365_provider.emulator import EmulatorProcess, models, seed

HYBRID, ENTRA = seed.CONNECTION_HYBRID_WEU, seed.CONNECTION_ENTRA_EUS
DEPRECATED = ("onPremisesConnectionId", "domainJoinConfiguration")
POLICY_TYPE = "microsoft.graph.cloudPcProvisioningPolicy"


def bad_request(answer: tuple[int, Any], message: str) -> None:
    status, body = answer
    assert status == 400, body
    assert (body["error"]["code"], body["error"]["message"]) == ("BadRequest", message)


def single(**deprecated: Any) -> dict[str, Any]:
    """A create body that names its network only through deprecated properties."""
    return policy_body(domainJoinConfigurations=..., **deprecated)


def joins(emu: EmulatorProcess, policy_id: str) -> list[dict[str, Any]]:
    status, body = emu.graph("GET", f"{POLICIES}/{policy_id}")
    assert status == 200, body
    return [{k: v for k, v in c.items() if v is not None} for c in body["domainJoinConfigurations"]]


@pytest.mark.parametrize("version", ["v1.0", "beta"])
@pytest.mark.parametrize(("connection", "join_type"), [(HYBRID, "hybridAzureADJoin"), (ENTRA, "azureADJoin")])
def test_on_premises_connection_id_alone_becomes_the_one_domain_join(
    emu: EmulatorProcess, version: str, connection: str, join_type: str
) -> None:
    status, created = emu.graph("POST", POLICIES, single(onPremisesConnectionId=connection), version=version)
    assert status == 201, created
    assert joins(emu, created["id"]) == [{"domainJoinType": join_type, "onPremisesConnectionId": connection}]
    assert not set(DEPRECATED) & set(created)  # never returned: both schemas dropped them


def test_domain_join_configuration_alone_becomes_the_list_and_type_is_its_old_name(emu: EmulatorProcess) -> None:
    old = {"type": "hybridAzureADJoin", "onPremisesConnectionId": HYBRID}
    status, created = emu.graph("POST", POLICIES, single(domainJoinConfiguration=old))
    assert status == 201, created
    assert joins(emu, created["id"]) == [{"domainJoinType": "hybridAzureADJoin", "onPremisesConnectionId": HYBRID}]


def test_the_current_property_wins_over_the_deprecated_ones(emu: EmulatorProcess) -> None:
    body = policy_body(onPremisesConnectionId=HYBRID, domainJoinConfiguration={"domainJoinType": "hybridAzureADJoin",
                       "onPremisesConnectionId": HYBRID}, windowsSettings={"language": "de-DE"})  # fmt: skip
    status, created = emu.graph("POST", POLICIES, body)
    assert status == 201, created
    assert joins(emu, created["id"]) == [{"domainJoinType": "azureADJoin", "regionName": "westeurope"}]
    assert created["windowsSetting"] == {"locale": "en-US"}


def test_windows_settings_language_becomes_the_locale_and_beta_returns_it_empty(emu: EmulatorProcess) -> None:
    status, created = emu.graph("POST", POLICIES, policy_body(windowsSetting=..., windowsSettings={"language": "fr-FR"}))
    assert status == 201 and created["windowsSetting"] == {"locale": "fr-FR"} and "windowsSettings" not in created
    beta = emu.graph("GET", f"{POLICIES}/{created['id']}", version="beta")[1]
    assert beta["windowsSettings"] is None and beta["windowsSetting"] == {"locale": "fr-FR"}  # "stopped returning data"


def test_patch_with_the_single_connection_replaces_the_domain_joins(emu: EmulatorProcess) -> None:
    policy_id = emu.graph("POST", POLICIES, policy_body())[1]["id"]
    assert emu.graph("PATCH", f"{POLICIES}/{policy_id}", {"onPremisesConnectionId": HYBRID}, version="beta")[0] == 204
    assert joins(emu, policy_id) == [{"domainJoinType": "hybridAzureADJoin", "onPremisesConnectionId": HYBRID}]


def test_deprecated_forms_are_checked_like_the_current_ones(emu: EmulatorProcess) -> None:
    unknown = "00000000-0000-4000-8000-00000000beef"
    bad_request(emu.graph("POST", POLICIES, single(onPremisesConnectionId=unknown)),
                models.CONNECTION_NOT_FOUND_MSG.format(id=unknown))  # fmt: skip
    bad_request(emu.graph("POST", POLICIES, single(onPremisesConnectionId=7)),
                models.INVALID_VALUE_MSG.format(value=7, type="Edm.String"))  # fmt: skip
    bad_request(emu.graph("POST", POLICIES, single(domainJoinConfiguration={"type": "azureADJoin", "colour": "red"})),
                models.UNKNOWN_PROPERTY_MSG.format(name="colour", type="microsoft.graph.cloudPcDomainJoinConfiguration"))
    both = [{"domainJoinType": "azureADJoin", "type": "hybridAzureADJoin", "regionName": "westeurope"}]
    bad_request(emu.graph("POST", POLICIES, policy_body(domainJoinConfigurations=both)),
                models.DOMAIN_JOIN_TYPE_MISMATCH_MSG.format(current="azureADJoin", deprecated="hybridAzureADJoin"))
    assert emu.graph("GET", POLICIES)[1]["value"] == []  # nothing was written


def test_a_disabled_persistence_configuration_is_accepted_on_a_dedicated_policy(emu: EmulatorProcess) -> None:
    off = {"userSettingsPersistenceEnabled": False, "userSettingsPersistenceStorageSizeCategory": "fourGB"}
    status, created = emu.graph("POST", POLICIES, policy_body(userSettingsPersistenceConfiguration=off), version="beta")
    assert status == 201 and created["userSettingsPersistenceConfiguration"] == off
    on = {"userSettingsPersistenceConfiguration": {**off, "userSettingsPersistenceEnabled": True}}
    bad_request(emu.graph("PATCH", f"{POLICIES}/{created['id']}", on, version="beta"), models.PERSISTENCE_REQUIRES_SHARED_MSG)


@pytest.mark.parametrize("owner_path", [POLICIES, USER_SETTINGS])
def test_an_assignment_by_id_is_read_as_its_list_is(emu: EmulatorProcess, owner_path: str) -> None:
    """A user setting's assignments are contained: the list and each one by its id. A policy's are
    refused through the navigation property, the list (rule 36) and each one alike."""
    body = policy_body() if owner_path == POLICIES else {"displayName": "Setting"}
    owner = emu.graph("POST", owner_path, body)[1]["id"]
    assignment = f"{owner}_{seed.GROUP_FINANCE}"
    assert emu.graph("POST", f"{owner_path}/{owner}/assign", {"assignments": [{"target": {"groupId": seed.GROUP_FINANCE}}]})[0] == 204
    for version in ("v1.0", "beta"):
        status, answer = emu.graph("GET", f"{owner_path}/{owner}/assignments/{assignment.upper()}", version=version)
        if owner_path == POLICIES:
            bad_request((status, answer), models.ASSIGNMENTS_NAV_UNSUPPORTED_MSG)
            continue
        listed = emu.graph("GET", f"{owner_path}/{owner}/assignments", version=version)[1]["value"]
        assert status == 200 and {k: v for k, v in answer.items() if k != "@odata.context"} == listed[0], answer
        assert answer["@odata.context"].endswith(f"/assignments/$entity") and answer["id"] == assignment
        status, answer = emu.graph("GET", f"{owner_path}/{owner}/assignments/{owner}_{seed.GROUP_PILOT_USERS}", version=version)
        assert status == 404 and answer["error"]["code"] == "ResourceNotFound", answer
        assert answer["error"]["message"] == models.RESOURCE_NOT_FOUND_MSG and "request-id" in answer["error"]["innerError"]
    status, answer = emu.graph("GET", f"{owner_path}/{seed.GROUP_FINANCE}/assignments/{assignment}")
    assert status == 404 and seed.GROUP_FINANCE in answer["error"]["message"]  # the unknown owner's own 404
    assert emu.graph("DELETE", f"{owner_path}/{owner}/assignments/{assignment}")[0] == 405


@pytest.mark.parametrize("path", [POLICIES, USER_SETTINGS, CONNECTIONS])
def test_count_is_a_query_option_not_a_path_segment(emu: EmulatorProcess, path: str) -> None:
    emu.graph("POST", POLICIES, policy_body())
    emu.graph("POST", USER_SETTINGS, {"displayName": "Setting"})
    status, page = emu.graph("GET", f"{path}?$count=true&$top=1")
    assert status == 200 and page["@odata.count"] >= 1 and len(page["value"]) == 1
    assert "@odata.count" not in emu.graph("GET", path)[1]
    for version in ("v1.0", "beta"):
        bad_request(emu.graph("GET", f"{path}/$count", version=version), models.SEGMENT_NOT_FOUND_MSG.format(segment="$count"))


def test_beta_connection_type_is_the_old_name_of_connection_type(emu: EmulatorProcess) -> None:
    body = {"displayName": "Entra", "type": "azureADJoin", "subscriptionId": "s", "resourceGroupId": "/subscriptions/s/resourceGroups/r",
            "virtualNetworkId": "/v", "subnetId": "/v/subnets/a"}  # fmt: skip
    status, created = emu.graph("POST", CONNECTIONS, body, version="beta")
    assert status == 201 and (created["connectionType"], created["type"], created["managedBy"]) == (
        "azureADJoin", "azureADJoin", "windows365")
    v1 = emu.graph("GET", f"{CONNECTIONS}/{created['id']}")[1]
    assert v1["connectionType"] == "azureADJoin" and not {"type", "managedBy"} & set(v1)
    bad_request(emu.graph("POST", CONNECTIONS, body), models.UNKNOWN_PROPERTY_MSG.format(
        name="type", type="microsoft.graph.cloudPcOnPremisesConnection"))  # fmt: skip
    bad_request(emu.graph("POST", CONNECTIONS, {**body, "connectionType": "hybridAzureADJoin"}, version="beta"),
                models.CONNECTION_TYPE_ALIAS_MSG.format(current="hybridAzureADJoin", deprecated="azureADJoin"))


def test_a_hybrid_connection_needs_its_join_account_but_not_the_password(emu: EmulatorProcess) -> None:
    body = {"displayName": "Hybrid", "connectionType": "hybridAzureADJoin", "subscriptionId": "s",
            "resourceGroupId": "/subscriptions/s/resourceGroups/r", "virtualNetworkId": "/v", "subnetId": "/v/subnets/a",
            "adDomainName": "corp.example.com"}  # fmt: skip
    bad_request(emu.graph("POST", CONNECTIONS, body), models.HYBRID_CONNECTION_DOMAIN_MSG.format(name="adDomainUsername"))
    status, created = emu.graph("POST", CONNECTIONS, {**body, "adDomainUsername": "svc"})
    assert status == 201 and created["adDomainName"] == "corp.example.com", created
