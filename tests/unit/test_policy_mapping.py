"""Mapping between Pulumi properties and Graph JSON, normalization and planning (pure)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from tests.unit.rules_cases import G1, G2, GALLERY, HYBRID_CONN
from w365_provider import provisioning_policy as pp
from w365_provider.errors import GraphConflictError

CONN = HYBRID_CONN

GRAPH_POLICY: dict[str, Any] = {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#deviceManagement/virtualEndpoint/provisioningPolicies/$entity",
    "id": "p1",
    "displayName": "HR",
    "description": None,
    "imageId": GALLERY,
    "imageDisplayName": "Windows 11 Enterprise + Microsoft 365 Apps 24H2",
    "imageType": "gallery",
    "provisioningType": "dedicated",
    "domainJoinConfigurations": [
        {"domainJoinType": "hybridAzureADJoin", "onPremisesConnectionId": CONN.upper(), "regionName": None, "regionGroup": None}
    ],
    "enableSingleSignOn": True,
    "localAdminEnabled": False,
    "windowsSetting": {"locale": "en-US"},
    "cloudPcNamingTemplate": "CPC-%USERNAME:4%-%RAND:5%",
    "microsoftManagedDesktop": {"managedType": "notManaged", "profile": None},
    "autopatch": None,
    "gracePeriodInHours": 2,
    "cloudPcGroupDisplayName": None,
    "alternateResourceUrl": None,
    "futureProperty": {"a": 1},
    "assignments": [
        {"id": f"p1_{G2}", "target": {"@odata.type": "#microsoft.graph.cloudPcManagementGroupAssignmentTarget", "groupId": G2, "servicePlanId": None}},
        {"id": f"p1_{G1}", "target": {"@odata.type": "#microsoft.graph.cloudPcManagementGroupAssignmentTarget", "groupId": G1}},
    ],
}


def test_from_graph_is_snake_case_normalized_and_drops_nulls() -> None:
    props = pp.policy_from_graph(GRAPH_POLICY)
    assert props == {
        "policy_id": "p1",
        "display_name": "HR",
        "image_id": GALLERY,
        "image_display_name": "Windows 11 Enterprise + Microsoft 365 Apps 24H2",
        "image_type": "gallery",
        "provisioning_type": "dedicated",
        "domain_join_configurations": [{"domain_join_type": "hybridAzureADJoin", "on_premises_connection_id": CONN}],
        "enable_single_sign_on": True,
        "local_admin_enabled": False,
        "windows_setting": {"locale": "en-US"},
        "cloud_pc_naming_template": "CPC-%USERNAME:4%-%RAND:5%",
        "microsoft_managed_desktop": {"managed_type": "notManaged"},
        "grace_period_in_hours": 2,
        "assignments": [{"group_id": G1}, {"group_id": G2}],
    }


def test_to_graph_uses_graph_names_everywhere() -> None:
    props = {
        "display_name": "HR",
        "domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": "westeurope", "region_group": "europeUnion"}],
        "windows_setting": {"locale": "de-DE"},
        "microsoft_managed_desktop": {"managed_type": "starterManaged", "profile": "p"},
        "autopatch": {"autopatch_group_id": G1},
        "description": None,
    }
    assert pp.policy_to_graph(props, list(props)) == {
        "displayName": "HR",
        "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "westeurope", "regionGroup": "europeUnion"}],
        "windowsSetting": {"locale": "de-DE"},
        "microsoftManagedDesktop": {"managedType": "starterManaged", "profile": "p"},
        "autopatch": {"autopatchGroupId": G1},
        "description": None,  # explicit null clears the property
    }


def test_round_trip() -> None:
    props = pp.policy_from_graph(GRAPH_POLICY)
    names = [n for n in pp.SENT_ON_CREATE if n in props]
    again = pp.policy_from_graph({"id": "p1", **pp.policy_to_graph(props, names)})
    assert {k: again[k] for k in names} == {k: props[k] for k in names}


def test_assignments_body() -> None:
    assert pp.assignments_to_graph([{"group_id": G1}, {"group_id": G2, "service_plan_id": G1}]) == {
        "assignments": [
            {"target": {"@odata.type": "#microsoft.graph.cloudPcManagementGroupAssignmentTarget", "groupId": G1}},
            {"target": {"@odata.type": "#microsoft.graph.cloudPcManagementGroupAssignmentTarget", "groupId": G2, "servicePlanId": G1}},
        ]
    }
    assert pp.assignments_to_graph([]) == {"assignments": []}


def test_assignment_group_falls_back_to_the_assignment_id() -> None:
    assert pp.assignments_from_graph([{"id": f"p1_{G1}", "target": {}}]) == [{"group_id": G1}]


def test_normalize() -> None:
    raw = {
        "display_name": "HR",
        "image_id": "ABCDEF01-0000-4000-8000-00000000000A",
        "image_type": "Custom",
        "description": None,
        "domain_join_configurations": [{"domain_join_type": "AZUREADJOIN", "on_premises_connection_id": CONN.upper(), "region_group": None}],
        "assignments": [{"group_id": G2.upper(), "service_plan_id": None}, {"group_id": G1}],
        "microsoft_managed_desktop": {"managed_type": "STARTERmanaged"},
    }
    assert pp.normalize(raw) == {
        "display_name": "HR",
        "image_id": "abcdef01-0000-4000-8000-00000000000a",  # custom image ids are GUIDs
        "image_type": "custom",
        "domain_join_configurations": [{"domain_join_type": "azureADJoin", "on_premises_connection_id": CONN}],
        "assignments": [{"group_id": G1}, {"group_id": G2}],
        "microsoft_managed_desktop": {"managed_type": "starterManaged"},
        "provisioning_type": "dedicated",
    }


def test_normalize_keeps_unknowns_and_gallery_ids() -> None:
    unknown = Unknown()
    out = pp.normalize({"display_name": unknown, "image_id": GALLERY, "assignments": [{"group_id": unknown}, {"group_id": G1}]})
    assert out["display_name"] is unknown
    assert out["image_id"] == GALLERY
    assert out["assignments"] == [{"group_id": unknown}, {"group_id": G1}]  # not sortable yet, kept in order
    assert pp.normalize({"assignments": unknown})["assignments"] is unknown


def test_project_and_observed_inputs_follow_what_the_program_manages() -> None:
    observed = pp.policy_from_graph(GRAPH_POLICY)
    observed["domain_join_configurations"][0]["region_group"] = "europeUnion"  # derived by Graph
    managed = {
        "display_name": "HR",
        "domain_join_configurations": [{"domain_join_type": "hybridAzureADJoin", "on_premises_connection_id": CONN}],
        "microsoft_managed_desktop": {"managed_type": "notManaged"},
        "assignments": [{"group_id": G1}, {"group_id": G2}],
        "adopt": True,
        "description": "gone in Graph",
    }
    inputs = pp.observed_inputs(observed, managed)
    # description is null in Graph now; the naming template and single sign-on the program never
    # set are not Graph's defaults, so they show as inputs (the code owns the whole policy)
    owned_strays = {"cloud_pc_naming_template": "CPC-%USERNAME:4%-%RAND:5%", "enable_single_sign_on": True}
    assert inputs == {**{k: v for k, v in managed.items() if k != "description"}, **owned_strays}
    assert pp.matches(observed, {k: v for k, v in managed.items() if k != "description"})
    assert not pp.matches(observed, managed)


def test_observed_inputs_show_out_of_band_changes() -> None:
    observed = pp.policy_from_graph({**GRAPH_POLICY, "displayName": "HR (renamed)", "assignments": []})
    inputs = pp.observed_inputs(observed, {"display_name": "HR", "assignments": [{"group_id": G1}]})
    owned_strays = {"cloud_pc_naming_template": "CPC-%USERNAME:4%-%RAND:5%", "enable_single_sign_on": True}
    assert inputs == {"display_name": "HR (renamed)", "assignments": [], **owned_strays}


def test_observed_inputs_leave_graph_defaults_and_absent_beta_properties_out() -> None:
    defaults = {**GRAPH_POLICY, "enableSingleSignOn": False, "cloudPcNamingTemplate": None,
                "microsoftManagedDesktop": {"managedType": "notManaged", "profile": ""}, "scopeIds": ["0"],
                "userExperienceType": "cloudPc", "autopilotConfiguration": None}
    observed = pp.policy_from_graph(defaults)
    assert pp.observed_inputs(observed, {"display_name": "HR"}) == {"display_name": "HR", "assignments": observed["assignments"]}
    assert pp.observed_inputs(pp.policy_from_graph({**defaults, "assignments": []}), {"display_name": "HR"}) == {
        "display_name": "HR"
    }
    tagged = pp.policy_from_graph({**defaults, "assignments": [], "scopeIds": ["0", "7"]})
    assert pp.observed_inputs(tagged, {"display_name": "HR"}) == {"display_name": "HR", "scope_ids": ["0", "7"]}


def _applied() -> dict[str, Any]:
    """The inputs last written for GRAPH_POLICY."""
    observed = pp.policy_from_graph(GRAPH_POLICY)
    return {k: observed[k] for k in ("display_name", "image_id", "image_type", "domain_join_configurations",
                                     "provisioning_type", "enable_single_sign_on", "cloud_pc_naming_template",
                                     "assignments")}


def _olds(**changes: Any) -> dict[str, Any]:
    applied = {**_applied(), **changes.pop("applied", {})}
    return {**pp.outputs(pp.policy_from_graph(GRAPH_POLICY), applied), **changes}


def test_plan_description_only() -> None:
    olds = _olds()
    desired = {**_applied(), "description": "new"}
    assert pp.plan_update(olds, desired) == (["description"], [], None)


def test_plan_nothing_when_only_graph_derived_values_differ() -> None:
    olds = _olds(domain_join_configurations=[{"domain_join_type": "hybridAzureADJoin", "on_premises_connection_id": CONN, "region_group": "europeUnion"}])
    assert pp.plan_update(olds, _applied()) == ([], [], None)


def test_plan_assignments_changed_or_removed() -> None:
    olds = _olds()
    desired = {**_applied(), "assignments": [{"group_id": G1}]}
    assert pp.plan_update(olds, desired) == ([], [], [{"group_id": G1}])
    unmanaged = {k: v for k, v in _applied().items() if k != "assignments"}
    assert pp.plan_update(olds, unmanaged)[2] == []  # managed before, now removed: unassign


def test_plan_clears_properties_the_program_stopped_setting() -> None:
    olds = _olds(description="old", applied={"description": "old"})
    desired = {k: v for k, v in _applied().items() if k not in ("description", "enable_single_sign_on")}
    patch, cleared, _ = pp.plan_update(olds, desired)
    assert patch == [] and cleared == ["description", "enable_single_sign_on"]


def test_plan_reverts_what_the_program_never_set() -> None:
    olds = _olds(applied={}, scope_ids=["0", "7"], windows_setting={"locale": "de-DE"})
    desired = {k: v for k, v in _applied().items() if k not in ("enable_single_sign_on", "cloud_pc_naming_template", "assignments")}
    patch, cleared, assignments = pp.plan_update(olds, desired)
    assert patch == []
    assert cleared == ["enable_single_sign_on", "windows_setting", "cloud_pc_naming_template", "scope_ids"]
    assert assignments == []  # groups assigned out of band are unassigned
    on_v1 = _olds(applied={}, enable_single_sign_on=False, cloud_pc_naming_template=None, assignments=[])
    assert pp.plan_update(on_v1, desired) == ([], [], None)  # scope_ids absent (v1.0): nothing to revert


def test_plan_refuses_a_change_graph_cannot_make() -> None:
    olds = _olds()
    with pytest.raises(GraphConflictError, match="provisioning_type cannot change after the policy is created"):
        pp.plan_update(olds, {**_applied(), "provisioning_type": "shared"})


def test_outputs_carry_every_graph_property_and_last_applied() -> None:
    observed = pp.policy_from_graph(GRAPH_POLICY)
    outs = pp.outputs(observed, {"display_name": "HR", "adopt": True})
    provider_only = {"apply_to_existing_cloud_pcs"}  # an input of the provider alone, not given here: no output
    assert (set(pp.OUTPUTS) - provider_only) | {pp.LAST_APPLIED} == set(outs)
    assert outs["policy_id"] == "p1" and outs["image_display_name"].startswith("Windows 11")
    assert outs["adopt"] is True and outs[pp.LAST_APPLIED] == {"display_name": True, "adopt": True}


def test_last_applied_keeps_the_shape_not_the_values() -> None:
    applied = {"description": "secret-ish text", "assignments": [{"group_id": G1}],
               "domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": "westeurope"}]}
    outs = pp.outputs(pp.policy_from_graph(GRAPH_POLICY), applied)
    assert outs[pp.LAST_APPLIED] == {
        "description": True, "assignments": [{"group_id": True}],
        "domain_join_configurations": [{"domain_join_type": True, "region_name": True}],
    }


def test_reprovision_warning() -> None:
    olds = {"display_name": "HR", "image_id": GALLERY, "enable_single_sign_on": False, "description": "a"}
    assert pp.reprovision_warning({}, olds) is None
    assert pp.reprovision_warning(olds, {**olds, "description": "b"}) is None
    text = pp.reprovision_warning(olds, {**olds, "image_id": "A_B_C", "enable_single_sign_on": True})
    assert text is not None
    assert "image (image_id), single sign-on (enable_single_sign_on)" in text
    assert "existing Cloud PCs keep their old settings until they are reprovisioned" in text
    assert pp.reprovision_warning(olds, {**olds, "image_id": Unknown()}) is None
    turned_on = pp.reprovision_warning({"display_name": "HR"}, {"display_name": "HR", "enable_single_sign_on": True})
    assert turned_on is not None and "single sign-on" in turned_on
