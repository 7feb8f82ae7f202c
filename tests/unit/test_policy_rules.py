"""check: every rule, its property and message; normalization; unknowns during preview."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from w365_provider.lookups import regions
from w365_provider.provisioning_policy import ProvisioningPolicyProvider, validate

from .rules_cases import CASES, G1, G2, GALLERY, HYBRID_CONN, valid


def check(news: dict[str, Any], olds: dict[str, Any] | None = None) -> Any:
    return ProvisioningPolicyProvider().check(olds or {}, {"__provider": "x", **news})


def test_a_valid_policy_passes_and_is_normalized() -> None:
    result = check(valid(assignments=[{"group_id": G2.upper()}, {"group_id": G1, "service_plan_id": None}],
                         cloud_pc_naming_template="CPC-%USERNAME:4%-%RAND:5%", description=None))
    assert result.failures == []
    assert result.inputs == {
        **valid(),
        "cloud_pc_naming_template": "CPC-%USERNAME:4%-%RAND:5%",
        "assignments": [{"group_id": G1}, {"group_id": G2}],
        "provisioning_type": "dedicated",
        "local_admin_enabled": False,
        "adopt": False,
    }


def test_check_keeps_only_resource_inputs() -> None:
    result = check({**valid(), "policy_id": "x", "last_applied": {}})
    assert "policy_id" not in result.inputs and "last_applied" not in result.inputs


@pytest.mark.parametrize(("case", "inputs", "prop", "message", "_graph"), CASES, ids=[c[0] for c in CASES])
def test_rule(case: str, inputs: dict[str, Any], prop: str, message: str, _graph: bool) -> None:
    failures = check(inputs).failures
    assert failures, f"{case}: no failure"
    assert any(f.property == prop and message in f.reason for f in failures), [
        (f.property, f.reason) for f in failures
    ]


def test_several_failures_are_all_reported() -> None:
    failures = check(valid(display_name="a|b", image_type="x", cloud_pc_naming_template="nope")).failures
    assert {f.property for f in failures} == {"display_name", "image_type", "cloud_pc_naming_template"}


@pytest.mark.parametrize(
    "template", ["CPC-%USERNAME:4%-%RAND:5%", "%RAND:15%", "ABCDEFGHIJ%RAND:5%", "W365-%RAND:8%", "%USERNAME:5%%RAND:5%"]
)
def test_valid_naming_templates(template: str) -> None:
    assert check(valid(cloud_pc_naming_template=template)).failures == []


def test_valid_join_combinations() -> None:
    assert check(valid(domain_join_configurations=[
        {"domain_join_type": "hybridAzureADJoin", "on_premises_connection_id": HYBRID_CONN},
        {"domain_join_type": "azureADJoin", "region_name": "westeurope", "region_group": "europeUnion"},
    ])).failures == []


@pytest.mark.parametrize("region", regions.region_names())
def test_every_documented_region_and_automatic_pass(region: str) -> None:
    assert check(valid(domain_join_configurations=[{"domain_join_type": "azureADJoin", "region_name": region}])).failures == []


def test_a_region_typo_names_the_closest_regions_and_the_documented_list() -> None:
    joins = [
        {"domain_join_type": "azureADJoin", "region_name": "westeurope"},
        {"domain_join_type": "azureADJoin", "region_name": "eastus3"},
        {"domain_join_type": "azureADJoin", "region_name": "mars"},
    ]
    reasons = [f.reason for f in check(valid(domain_join_configurations=joins)).failures]
    assert len(reasons) == 2, reasons
    assert reasons[0].startswith("entry 1: region_name 'eastus3' is not a region where Windows 365 provisions Cloud PCs; "
                                 "did you mean 'eastus'")  # fmt: skip
    assert reasons[1].startswith("entry 2: region_name 'mars' is not a region") and "did you mean" not in reasons[1]
    assert all(regions.DOCUMENTATION in r for r in reasons)


def test_an_unknown_region_is_checked_at_up_not_at_preview() -> None:
    joins = [{"domain_join_type": "azureADJoin", "region_name": Unknown()}]
    assert check(valid(domain_join_configurations=joins)).failures == []


def test_unknown_values_are_skipped_during_preview() -> None:
    u = Unknown
    inputs = {
        "display_name": u(),
        "image_id": u(),
        "image_type": u(),
        "domain_join_configurations": [{"domain_join_type": "hybridAzureADJoin", "on_premises_connection_id": u()}],
        "cloud_pc_naming_template": u(),
        "assignments": [{"group_id": u()}, {"group_id": G1}],
        "autopatch": {"autopatch_group_id": u()},
        "windows_setting": u(),
    }
    result = check(inputs)
    assert result.failures == []
    assert isinstance(result.inputs["display_name"], Unknown)
    assert check({**valid(), "domain_join_configurations": u()}).failures == []
    assert check({**valid(), "assignments": u()}).failures == []


def test_unknown_image_type_skips_image_id_format() -> None:
    assert check(valid(image_type=Unknown(), image_id="anything")).failures == []


def test_reprovision_warning_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    old = check(valid()).inputs
    check(valid(description="x"), old)
    assert capsys.readouterr().err == ""
    check(valid(domain_join_configurations=[{"domain_join_type": "azureADJoin", "region_name": "westeurope"}]), old)
    err = capsys.readouterr().err
    assert "provisioning policy 'Engineering'" in err
    assert "region/network (domain_join_configurations)" in err
    assert "existing Cloud PCs keep their old settings until they are reprovisioned" in err


def test_no_warning_on_create_or_when_check_fails(capsys: pytest.CaptureFixture[str]) -> None:
    check(valid(image_id="A_B_C"))
    check(valid(image_id="A_B_C", display_name="a<b"), check(valid()).inputs)
    assert capsys.readouterr().err == ""


def test_validate_is_pure() -> None:
    props = valid()
    before = repr(props)
    validate(props)
    assert repr(props) == before
    assert GALLERY in before
