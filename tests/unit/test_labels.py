"""The admin center's words for Graph's enum values: pinned, and used by the report and warnings."""

from __future__ import annotations

from w365_provider import labels, report
from w365_provider.resources.provisioning_policy import SPEC, rules
from w365_provider.resources.provisioning_policy.spec import DOMAIN_JOIN, PROVISIONING_TYPES


def test_every_license_type_has_its_admin_center_name() -> None:
    assert {t: labels.license_type(t) for t in PROVISIONING_TYPES} == {
        "dedicated": "Enterprise",
        "shared": "Frontline dedicated",
        "sharedByUser": "Frontline dedicated",
        "sharedByEntraGroup": "Frontline shared",
        "reserve": "Reserve",
    }
    assert labels.license_type(None) == "Enterprise" and labels.license_type("newType") == "newType"


def test_join_types_networks_and_experiences() -> None:
    join = DOMAIN_JOIN.field("domain_join_type")
    assert join is not None and {m: labels.JOIN_TYPE_LABELS[m] for m in join.type.members} == {  # type: ignore[attr-defined]
        "azureADJoin": "Microsoft Entra join",
        "hybridAzureADJoin": "Microsoft Entra hybrid join",
    }
    assert labels.NETWORK_LABELS == {
        "region_name": "Microsoft-hosted network", "on_premises_connection_id": "Azure network connection",
    }  # fmt: skip
    experience = SPEC.by_name["user_experience_type"].type
    assert set(labels.USER_EXPERIENCE_LABELS) == set(experience.members)  # type: ignore[attr-defined]


def test_the_report_reads_the_same_labels() -> None:
    assert report.PROVISIONING_TYPE_LABELS is labels.PROVISIONING_TYPE_LABELS
    assert report._show("provisioning_type", "sharedByEntraGroup", {}, {}, {}) == "Frontline shared"
    assert report._show("provisioning_type", "reserve", {}, {}, {}) == "Reserve"
    join = report._show("domain_join_configurations", [{"domain_join_type": "hybridAzureADJoin", "on_premises_connection_id": "c1"}], {}, {}, {})
    assert join.startswith("Microsoft Entra hybrid join · Azure network connection")


def test_warnings_say_whether_existing_cloud_pcs_are_updated() -> None:
    olds = {"display_name": "HR", "enable_single_sign_on": False, "image_id": "a_b_c"}
    news = {**olds, "enable_single_sign_on": True, "image_id": "a_b_d"}
    kept = rules.reprovision_warning(olds, news)
    assert kept is not None and "existing Cloud PCs keep their old settings" in kept and "will be applied" not in kept
    applied = rules.reprovision_warning(olds, {**news, "apply_to_existing_cloud_pcs": {}})
    assert applied is not None
    assert "single sign-on (enable_single_sign_on) will be applied to existing Cloud PCs" in applied
    assert "the change of image (image_id) applies only to Cloud PCs provisioned from now on" in applied
