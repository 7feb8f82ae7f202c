"""UserSetting's checks at preview: the table's and Graph's documented combinations; no Graph call."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.rules_cases import G1
from w365_provider.kit import checks
from w365_provider.resources.user_setting import SPEC, UserSettingProvider, normalize, validate


def failures(**props: Any) -> list[tuple[str, str]]:
    inputs = normalize({"display_name": "Users", **props})
    return [(f.property, f.reason) for f in validate(inputs)]


def test_a_valid_setting_passes() -> None:
    assert failures(local_admin_enabled=True, restore_point_setting={"frequency_type": "fourhours"},
                    assignments=[{"group_id": G1}]) == []  # fmt: skip


def test_enum_is_spelled_as_graph_does() -> None:
    assert normalize({"restore_point_setting": {"frequency_type": "SIXHOURS"}})["restore_point_setting"] == {
        "frequency_type": "sixHours"
    }


@pytest.mark.parametrize(
    ("props", "prop", "words"),
    [
        ({"display_name": ""}, "display_name", "must not be empty"),
        ({"display_name": "a|b"}, "display_name", "must not contain"),
        ({"restore_point_setting": {"frequency_type": "hourly"}}, "restore_point_setting", "must be one of default"),
        ({"restore_point_setting": {"frequency_in_hours": 5}}, "restore_point_setting", "must be one of 4, 6, 12, 16, 24"),
        ({"restore_point_setting": {"frequency_type": "fourHours", "frequency_in_hours": 6}}, "restore_point_setting",
         "fourHours means every 4 hours"),
        ({"restore_point_setting": {"when": 4}}, "restore_point_setting", "unknown key 'when'"),
        ({"local_admin_enabled": "yes"}, "local_admin_enabled", "must be true or false"),
        ({"cross_region_disaster_recovery_setting": {"disaster_recovery_type": "crossRegion",
                                                    "user_initiated_disaster_recovery_allowed": True}},
         "cross_region_disaster_recovery_setting", "needs disaster_recovery_type premium"),
        ({"cross_region_disaster_recovery_setting": {"disaster_recovery_type": "notConfigured",
                                                    "maintain_cross_region_restore_point_enabled": True}},
         "cross_region_disaster_recovery_setting", "cannot be true while disaster_recovery_type is notConfigured"),
        ({"assignments": [{"group_id": G1}, {"group_id": G1.upper()}]}, "assignments", "assigned more than once"),
        ({"assignments": [{"group_id": "x"}]}, "assignments", "must be a GUID"),
        ({"provisioning_source_type": "disk"}, "provisioning_source_type", "must be one of image, snapshot"),
    ],
)  # fmt: skip
def test_each_rule_names_the_property(props: dict[str, Any], prop: str, words: str) -> None:
    found = failures(**props)
    assert [p for p, _ in found] == [prop], found
    assert words in found[0][1]


def test_agreeing_frequency_type_and_hours_pass() -> None:
    assert failures(restore_point_setting={"frequency_type": "default", "frequency_in_hours": 12}) == []


def beta_refusals(props: dict[str, Any], version: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    checks.check_versions(SPEC, normalize(props), version, lambda prop, reason: found.append((prop, reason)))
    return found


def test_beta_only_properties_are_named() -> None:
    props = {"notification_setting": {"restart_prompts_disabled": True}, "restore_point_setting": {"frequency_in_hours": 4}}
    assert beta_refusals(props, "v1.0") == [
        ("restore_point_setting", "frequency_in_hours is a beta property of Microsoft Graph; the Graph root uses v1.0"),
        ("notification_setting", "is a beta property of Microsoft Graph; the Graph root uses v1.0"),
    ]
    assert beta_refusals(props, "beta") == []
    assert beta_refusals({"local_admin_enabled": True, "restore_point_setting": {"frequency_type": "default"}}, "v1.0") == []


def test_every_property_is_updated_in_place() -> None:
    assert SPEC.replace_on_changes == ()
    assert set(SPEC.updatable) >= {"display_name", "local_admin_enabled", "reset_enabled", "restore_point_setting"}


def test_one_table_for_both_versions() -> None:
    """The Graph root's version decides (as for policies): one provider, one table."""
    assert UserSettingProvider.spec is SPEC
    assert {p.name for p in SPEC} - {p.name for p in SPEC.properties_for("v1.0")} == {
        "self_service_enabled", "cross_region_disaster_recovery_setting", "notification_setting",
        "provisioning_source_type"}  # fmt: skip


def test_v1_schema_is_covered() -> None:
    """Every property of msgraph-sdk's (v1.0) cloudPcUserSetting is in the spec, and no spec
    property claimed for v1.0 is missing from it."""
    from msgraph.generated.models.cloud_pc_restore_point_setting import CloudPcRestorePointSetting
    from msgraph.generated.models.cloud_pc_user_setting import CloudPcUserSetting

    graph = set(CloudPcUserSetting().get_field_deserializers()) - {"@odata.type", "id"}
    ours = {p.graph for p in SPEC.properties_for("v1.0") if p.graph}
    assert graph == ours
    restore = set(CloudPcRestorePointSetting().get_field_deserializers()) - {"@odata.type"}
    nested = SPEC.by_name["restore_point_setting"].type
    assert restore == {f.graph for f in nested.fields if "v1.0" in f.versions}  # type: ignore[attr-defined]
