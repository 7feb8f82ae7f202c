"""The look-ups against the emulator: service plans by display name (v1.0 and beta, Frontline beta only)
and regions against the tenant's beta supportedRegions (read only for new or changed regions, once
per provider process, the documented list when the read fails)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.rules_cases import valid
from w365_provider import (
    ConfigurationError,
    FrontlineServicePlan,
    NoMatchingServicePlanError,
    get_frontline_service_plan,
    get_service_plan,
)
from w365_provider.emulator import people_seed as ps
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.provisioning_policy import ProvisioningPolicyProvider
from w365_provider.settings import Settings

from .conftest import FAST, configured

E2, F2 = ps.ENTERPRISE_PLANS[0], ps.FRONTLINE_PLANS[0]
REGIONS = "/beta/deviceManagement/virtualEndpoint/supportedRegions"


def settings(emu: EmulatorProcess, version: str = "v1.0") -> Settings:
    return Settings.from_mapping({"graphUrl": emu.graph_url.replace("/v1.0", f"/{version}"), "graphToken": emu.token})


def paths(emu: EmulatorProcess) -> list[str]:
    return [f"{r['method']} {r['path']}" + (f"?{r['query']}" if r["query"] else "") for r in emu.requests()]


# -- service plans --------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v1.0", "beta"])
def test_a_service_plan_is_found_by_its_display_name(emu: EmulatorProcess, version: str) -> None:
    plan = get_service_plan(display_name=E2.display_name, settings=settings(emu, version))
    assert (plan.id, plan.display_name, plan.vcpu_count, plan.ram_in_gb, plan.storage_in_gb) == (
        E2.plan_id, E2.display_name, 2, 8, 128)  # fmt: skip
    assert plan.type == (None if version == "v1.0" else "enterprise")  # beta-only property
    assert paths(emu) == [f"GET /{version}/deviceManagement/virtualEndpoint/servicePlans"]


def test_a_missing_service_plan_names_the_closest_ones(emu: EmulatorProcess) -> None:
    with pytest.raises(NoMatchingServicePlanError) as info:
        get_service_plan(display_name="Cloud PC Enterprise 2vCPU/8GB/256GB", settings=settings(emu))
    assert str(info.value).startswith(
        "no Cloud PC size (service plan) is named 'Cloud PC Enterprise 2vCPU/8GB/256GB'; did you mean "
        f"{E2.display_name!r}"
    )
    assert all(repr(p.display_name) in str(info.value) for p in ps.PLANS)  # every size the tenant has


def test_a_frontline_service_plan_is_found_with_its_licences_on_beta(emu: EmulatorProcess) -> None:
    plan = get_frontline_service_plan(display_name=F2.display_name.upper(), settings=settings(emu, "beta"))
    assert plan == FrontlineServicePlan(F2.plan_id, F2.display_name, ps.SUBSCRIPTIONS[F2.sku_id], 0, 0)
    assert paths(emu) == ["GET /beta/deviceManagement/virtualEndpoint/frontLineServicePlans"]
    with pytest.raises(NoMatchingServicePlanError, match=r"did you mean 'Cloud PC Frontline 2vCPU/8GB/128GB'"):
        get_frontline_service_plan(display_name="Cloud PC Frontline 2vCPU/8GB/64GB", settings=settings(emu, "beta"))
    with pytest.raises(NoMatchingServicePlanError, match="no Windows 365 Frontline size"):
        get_frontline_service_plan(display_name=E2.display_name, settings=settings(emu, "beta"))  # not Frontline


def test_frontline_service_plans_on_v1_are_refused_without_a_request(emu: EmulatorProcess) -> None:
    with pytest.raises(ConfigurationError, match=r"exists only in Microsoft Graph's beta API; the Graph root uses v1\.0; "
                                                 r"to use it, set w365:graphUrl to Graph's beta root"):  # fmt: skip
        get_frontline_service_plan(display_name=F2.display_name, settings=settings(emu))
    assert emu.requests() == []


# -- regions against supportedRegions -------------------------------------------------------------------


def beta(emu: EmulatorProcess) -> ProvisioningPolicyProvider:
    return configured(emu, graphUrl=emu.graph_url.replace("/v1.0", "/beta"), **FAST)


def region(*names: str) -> dict[str, Any]:
    return valid(domain_join_configurations=[{"domain_join_type": "azureADJoin", "region_name": n} for n in names])


def failures(provider: ProvisioningPolicyProvider, news: dict[str, Any], olds: dict[str, Any] | None = None) -> list[str]:
    result = provider.check(olds or {}, {"__provider": "p", **news})
    return [f"{f.property}: {f.reason}" for f in result.failures]


def test_a_new_region_is_checked_against_the_tenants_list_once_per_process(emu: EmulatorProcess) -> None:
    provider = beta(emu)
    assert failures(provider, region("westeurope")) == []
    assert paths(emu) == [f"GET {REGIONS}?$select=id,displayName,regionStatus,supportedSolution"]
    assert failures(provider, region("uksouth"), region("westeurope")) == []  # changed, but already read
    assert failures(beta(emu), region("westus2")) == [  # another process reads again: restricted for this tenant
        "domain_join_configurations: entry 0: region_name 'westus2' is not a region where Windows 365 provisions "
        "Cloud PCs for this tenant: Graph's supportedRegions lists it as restricted; did you mean 'westus3', 'eastus2' "
        "or 'eastus'? (use automatic, or the regions Graph's supportedRegions lists as available for this tenant)"
    ]
    assert len(paths(emu)) == 2


def test_an_unchanged_region_makes_no_request(emu: EmulatorProcess) -> None:
    provider = beta(emu)
    old = ProvisioningPolicyProvider().check({}, {"__provider": "p", **region("westus2", "automatic")}).inputs
    assert failures(provider, region("westus2", "automatic"), old) == []  # a no-op preview
    assert failures(provider, region("automatic"), old) == []  # a region removed
    assert emu.requests() == []


def test_regions_the_tenant_does_not_offer_are_refused_on_beta_only(emu: EmulatorProcess) -> None:
    assert "for this tenant: Graph's supportedRegions lists it as unavailable" in failures(beta(emu),
                                                                                            region("usgovtexas"))[0]
    assert failures(configured(emu, **FAST), region("usgovtexas")) == []  # v1.0: the documented list
    assert [p.split("?")[0] for p in paths(emu)] == [f"GET {REGIONS}"]


def test_a_refused_region_list_leaves_the_documented_list_in_charge(
    emu: EmulatorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.set_faults([{"method": "GET", "path": "supportedRegions", "status": 403}])
    provider = beta(emu)
    assert failures(provider, region("westus2")) == []  # documented (restricted there, but listed)
    assert "warning: the tenant's supported regions could not be read from Graph (" in capsys.readouterr().err
    [refused] = failures(provider, region("westeurop"))
    assert refused.startswith("domain_join_configurations: entry 0: region_name 'westeurop' is not a region where "
                              "Windows 365 provisions Cloud PCs; did you mean 'westeurope'?")  # fmt: skip
    assert "could not be read" not in capsys.readouterr().err  # warned once
    assert [r["status"] for r in emu.requests()] == [403]  # read once, not retried per check
