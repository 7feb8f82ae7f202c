"""Adoption by Graph id (``adopt="<id>"``, what ``w365 export`` writes) against the emulator:
one GET, no write when the code matches Graph, the differences written when it does not, a
clear error for an unknown id or a property that cannot change; adoption by name still refuses
two objects of one name, listing their ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.unit.rules_cases import G1, G2, valid
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.errors import GraphConflictError, GraphNotFoundError
from w365_provider.provisioning_policy import ProvisioningPolicyProvider

from .conftest import POLICIES, checked

Calls = Callable[[], list[tuple[str, str]]]
MISSING = "0f0f0f0f-0000-4000-8000-00000000dead"



def seed_policy(emu: EmulatorProcess, **extra: Any) -> str:
    """A policy made in the portal (straight through Graph), assigned to G1; returns its id."""
    body = {
        "displayName": "Portal policy", "description": "made by hand", "imageId": valid()["image_id"],
        "imageType": "gallery", "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "automatic"}],
        **extra,
    }  # fmt: skip
    status, created = emu.graph("POST", POLICIES, body)
    assert status == 201 and created is not None, created
    target = {"@odata.type": "#microsoft.graph.cloudPcManagementGroupAssignmentTarget", "groupId": G1}
    assert emu.graph("POST", f"{POLICIES}/{created['id']}/assign", {"assignments": [{"target": target}]})[0] == 204
    emu.clear_requests()
    return str(created["id"])


def code_for(policy_id: str, **changes: Any) -> dict[str, Any]:
    given = {"display_name": "Portal policy", "description": "made by hand", "adopt": policy_id.upper(),
             "assignments": [{"group_id": G1}], **changes}  # fmt: skip
    return valid(**given)


def test_adopt_by_id_with_matching_code_is_one_get(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls) -> None:
    policy_id = seed_policy(emu)
    inputs = checked(provider, code_for(policy_id))
    assert inputs["adopt"] == policy_id  # GUIDs are lower-cased like every id
    created = provider.create(inputs)
    assert calls() == [("GET", f"/{policy_id}")]
    assert created.id == policy_id and created.outs["adopt"] == policy_id
    assert created.outs["assignments"] == [{"group_id": G1}]


def test_adopt_by_id_applies_what_differs(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls) -> None:
    policy_id = seed_policy(emu)
    provider.create(checked(provider, code_for(policy_id, description="from code", assignments=[{"group_id": G2}])))
    assert calls() == [("GET", f"/{policy_id}"), ("PATCH", f"/{policy_id}"), ("POST", f"/{policy_id}/assign")]
    _, body = emu.graph("GET", f"{POLICIES}/{policy_id}?$expand=assignments")
    assert body is not None and body["description"] == "from code"
    assert [a["target"]["groupId"] for a in body["assignments"]] == [G2]


def test_adopt_by_unknown_id_names_the_id(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls) -> None:
    with pytest.raises(GraphNotFoundError) as caught:
        provider.create(checked(provider, code_for(MISSING)))
    assert f"Graph has no policy with the id {MISSING} (adopt: {MISSING})" in str(caught.value)
    assert [method for method, _ in calls()] == ["GET", "GET"]  # the 404 confirmed by a second read; nothing created


def test_adopt_by_id_refuses_a_property_that_cannot_change(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls) -> None:
    policy_id = seed_policy(emu, localAdminEnabled=True)
    with pytest.raises(GraphConflictError) as caught:
        provider.create(checked(provider, code_for(policy_id)))
    assert "local_admin_enabled is True in Graph but False in the code" in str(caught.value)
    assert [method for method, _ in calls()] == ["GET"]


def test_adopt_by_name_still_refuses_two_of_one_name(provider: ProvisioningPolicyProvider, emu: EmulatorProcess) -> None:
    first, second = seed_policy(emu), seed_policy(emu)
    with pytest.raises(GraphConflictError) as caught:
        provider.create(checked(provider, code_for(first, adopt=True)))
    assert first in str(caught.value) and second in str(caught.value)
