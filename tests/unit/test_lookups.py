"""The look-ups' pure parts: Windows languages, regions (documented and the tenant's), service plans by name."""

from __future__ import annotations

from typing import Any

import pytest

from w365_provider import ConfigurationError, NoMatchingServicePlanError, get_frontline_service_plan
from w365_provider.lookups import locales, regions
from w365_provider.lookups.closest import either
from w365_provider.lookups.service_plans import FrontlineServicePlan, ServicePlan, select_service_plan
from w365_provider.lookups.tenant_regions import SupportedRegions, TenantRegion, tenant_region_problem
from w365_provider.resources.provisioning_policy.rules import changed_regions
from w365_provider.settings import Settings

# -- Windows languages --------------------------------------------------------------------------------


def test_every_documented_language_is_accepted_in_any_case() -> None:
    tags = locales.locale_tags()
    assert len(tags) == len(set(tags)) == len(locales.LOCALES)
    assert {"en-US", "en-GB", "de-DE", "fr-FR", "ja-JP", "zh-CN", "sr-Latn-RS", "nb-NO"} <= set(tags)
    assert all(locales.check_locale(tag) is None for tag in tags)
    assert locales.check_locale("EN-us") is None and locales.check_locale("sr-latn-rs") is None


@pytest.mark.parametrize(
    ("value", "closest"),
    [
        ("en_US", ["en-US"]),  # an underscore
        ("English (United Kingdom)", ["en-GB"]),  # the admin center's name
        ("english", ["en-US", "en-GB", "en-AU"]),  # a language: its tags, in the documentation's order
        ("Japanese", ["ja-JP"]),
        ("de-AT", ["de-DE"]),  # a region Windows has no pack for: the same language
        ("pt-PR", ["pt-BR", "pt-PT"]),  # the same language, in the documentation's order
        ("klingon", []),
        ("", []),
    ],
)  # fmt: skip
def test_closest_locales(value: str, closest: list[str]) -> None:
    assert locales.closest_locales(value) == closest


def test_an_unknown_locale_names_the_closest_tags_and_the_list() -> None:
    reason = locales.check_locale("de-AT")
    assert reason == (
        "'de-AT' is not a Windows language a Cloud PC can be provisioned with; did you mean 'de-DE'? (use a "
        f"language/region tag such as en-US from {locales.DOCUMENTATION})"
    )
    assert "did you mean" not in str(locales.check_locale("klingon"))


# -- regions ---------------------------------------------------------------------------------------------


def test_a_region_group_as_region_name_says_where_it_goes() -> None:
    reason = regions.check_region_name("EuropeUnion")
    assert reason is not None and reason.startswith(
        "'EuropeUnion' is a region group, not a region: set region_group 'europeUnion' and region_name 'automatic'"
    )
    assert regions.check_region_name("Automatic") == (
        "'Automatic' is not a region where Windows 365 provisions Cloud PCs; did you mean 'automatic'? (use "
        f"automatic, or an Azure region name from {regions.DOCUMENTATION})"
    )


def test_either() -> None:
    assert [either(["a"]), either(["a", "b"]), either(["a", "b", "c"])] == ["'a'", "'a' or 'b'", "'a', 'b' or 'c'"]


def tenant(*rows: tuple[str, str, str | None]) -> list[TenantRegion]:
    return [TenantRegion.from_graph({"displayName": n, "regionStatus": s, "supportedSolution": sol}) for n, s, sol in rows]


TENANT = tenant(
    ("westeurope", "available", "windows365"),
    ("northeurope", "available", "windows365"),
    ("westus2", "restricted", "windows365"),
    ("westus3", "available", "windows365"),
    ("usgovvirginia", "unavailable", "windows365"),
    ("westcentralus", "available", "devBox"),
    ("Indonesia Central", "available", None),  # a newer region than the documented list, named as shown
)


@pytest.mark.parametrize("name", ["automatic", "westeurope", "westus3", "indonesiacentral"])
def test_the_tenants_available_windows_365_regions_and_automatic_pass(name: str) -> None:
    assert tenant_region_problem(name, TENANT) is None


def test_a_documented_region_a_tenant_may_not_use_is_refused_with_its_status() -> None:
    assert tenant_region_problem("westus2", TENANT) == (
        "'westus2' is not a region where Windows 365 provisions Cloud PCs for this tenant: Graph's supportedRegions "
        "lists it as restricted; did you mean 'westus3'? (use automatic, or the regions Graph's supportedRegions "
        "lists as available for this tenant)"
    )
    assert "lists it as unavailable" in str(tenant_region_problem("usgovvirginia", TENANT))


def test_a_region_the_tenant_does_not_list_for_windows_365_is_refused() -> None:
    assert tenant_region_problem("westcentralus", TENANT) == (  # a Dev Box region
        "'westcentralus' is not a region where Windows 365 provisions Cloud PCs for this tenant (Graph's "
        "supportedRegions does not list it) (use automatic, or the regions Graph's supportedRegions lists as "
        "available for this tenant)"
    )
    assert "did you mean 'westeurope'?" in str(tenant_region_problem("West Europe", TENANT))
    assert "is a region group" in str(tenant_region_problem("usWest", TENANT))


def test_changed_regions_are_the_new_ones_only() -> None:
    def joins(*names: Any) -> dict[str, Any]:
        return {"domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": n} for n in names]}

    assert changed_regions(joins("westeurope"), joins("westeurope")) == []
    assert changed_regions({}, joins("westeurope", "automatic")) == [("entry 0", "westeurope"), ("entry 1", "automatic")]
    assert changed_regions(joins("westeurope"), joins("northeurope", "westeurope")) == [("entry 0", "northeurope")]
    assert changed_regions({}, {"domain_join_configurations": [{"domain_join_type": "hybridAzureADJoin"}]}) == []


def test_an_unreadable_region_list_is_read_once_and_warned_about_once() -> None:
    cache = SupportedRegions()
    settings = Settings.from_mapping({"graphUrl": "http://127.0.0.1:9/beta", "graphToken": "t", "retryMaxAttempts": "1",
                                      "timeoutSeconds": "2"})  # fmt: skip
    first = cache.get(settings)
    assert first[0] is None and first[1] is not None
    assert first[1].startswith("warning: the tenant's supported regions could not be read from Graph (")
    assert first[1].endswith("region_name is checked against the documented regions instead")
    assert cache.get(settings) == (None, None) and cache.requests == 1


# -- service plans ------------------------------------------------------------------------------------

PLANS = [
    {"id": "P2", "displayName": "Cloud PC Enterprise 2vCPU/8GB/128GB", "vCpuCount": 2, "ramInGB": 8, "storageInGB": 128},
    {"id": "P4", "displayName": "Cloud PC Enterprise 4vCPU/16GB/256GB", "vCpuCount": 4, "ramInGB": 16,
     "storageInGB": 256, "type": "enterprise", "provisioningType": "dedicated", "userProfileInGB": 0},
]  # fmt: skip


def test_a_service_plan_is_found_by_its_name_exactly_or_ignoring_case() -> None:
    plan = select_service_plan(PLANS, "Cloud PC Enterprise 4vCPU/16GB/256GB", ServicePlan, "size")
    assert plan == ServicePlan("P4", "Cloud PC Enterprise 4vCPU/16GB/256GB", 4, 16, 256, "enterprise", "dedicated", 0)
    assert select_service_plan(PLANS, "cloud pc enterprise 2vcpu/8gb/128gb", ServicePlan, "size").id == "P2"
    assert select_service_plan(PLANS, "Cloud PC Enterprise 2vCPU/8GB/128GB", ServicePlan, "size").type is None


def test_no_matching_service_plan_names_the_closest_and_every_name() -> None:
    with pytest.raises(NoMatchingServicePlanError) as info:
        select_service_plan(PLANS, "Cloud PC Enterprise 4vCPU/16GB/128GB", ServicePlan, "Cloud PC size (service plan)")
    assert str(info.value) == (
        "no Cloud PC size (service plan) is named 'Cloud PC Enterprise 4vCPU/16GB/128GB'; did you mean "
        "'Cloud PC Enterprise 4vCPU/16GB/256GB' or 'Cloud PC Enterprise 2vCPU/8GB/128GB'? (the tenant has "
        "'Cloud PC Enterprise 2vCPU/8GB/128GB', 'Cloud PC Enterprise 4vCPU/16GB/256GB')"
    )
    with pytest.raises(NoMatchingServicePlanError, match="no Windows 365 Frontline size is named 'x': the tenant has none"):
        select_service_plan([], "x", FrontlineServicePlan, "Windows 365 Frontline size")


def test_two_plans_of_one_name_are_refused_naming_their_ids() -> None:
    twins = [{"id": "A", "displayName": "Shift"}, {"id": "B", "displayName": "shift"}]
    with pytest.raises(NoMatchingServicePlanError, match=r"2 of the tenant's sizes are named 'SHIFT' \(A, B\)"):
        select_service_plan(twins, "SHIFT", FrontlineServicePlan, "size")
    assert select_service_plan(twins, "Shift", FrontlineServicePlan, "size").id == "A"  # the exact spelling wins


def test_frontline_plans_on_v1_are_refused_before_any_call_saying_how_to_switch() -> None:
    settings = Settings.from_mapping({"graphUrl": "http://127.0.0.1:9/v1.0", "graphToken": "t"})
    with pytest.raises(ConfigurationError) as info:
        get_frontline_service_plan(display_name="Cloud PC Frontline 2vCPU/8GB/128GB", settings=settings)
    assert str(info.value) == (
        "get_frontline_service_plan reads frontLineServicePlans (Windows 365 Frontline sizes), which exists only in "
        "Microsoft Graph's beta API; the Graph root uses v1.0; to use it, set w365:graphUrl to Graph's beta root "
        "(https://graph.microsoft.com/beta, or the emulator's http://127.0.0.1:8765/beta)"
    )
