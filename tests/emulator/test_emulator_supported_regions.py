"""Beta ``supportedRegions`` over HTTP: the seeded tenant's regions, beta only, read-only, ``$select`` and ``$filter``."""

from __future__ import annotations

from w365_provider.emulator import EmulatorProcess, models
from w365_provider.emulator.entities.supported_regions import REGIONS

REGIONS_PATH = "/deviceManagement/virtualEndpoint/supportedRegions"
PREFER = {"Prefer": "include-unknown-enum-members"}


def test_supported_regions_are_beta_only(emu: EmulatorProcess) -> None:
    status, body = emu.graph("GET", REGIONS_PATH)
    assert status == 400 and body is not None
    assert body["error"]["message"] == models.SEGMENT_NOT_FOUND_MSG.format(segment="supportedRegions")


def test_the_seeded_tenant_lists_each_region_with_its_status_group_and_solution(emu: EmulatorProcess) -> None:
    status, body = emu.graph("GET", REGIONS_PATH, version="beta", headers=PREFER)
    assert status == 200 and body is not None
    regions = {r["displayName"]: r for r in body["value"]}
    assert len(regions) == len(REGIONS) == len(body["value"])
    assert {k: regions["westeurope"][k] for k in ("regionStatus", "supportedSolution", "regionGroup",
                                                  "geographicLocationType")} == {
        "regionStatus": "available", "supportedSolution": "windows365", "regionGroup": "europeUnion",
        "geographicLocationType": "europe"}  # fmt: skip
    assert regions["westus2"]["regionStatus"] == "restricted"
    assert regions["usgovvirginia"]["regionStatus"] == "unavailable"
    assert regions["westcentralus"]["supportedSolution"] == "devBox"
    assert len({r["id"] for r in regions.values()}) == len(regions)
    item = emu.graph("GET", f"{REGIONS_PATH}/{regions['uksouth']['id']}", version="beta")
    assert item[0] == 200 and item[1] is not None and item[1]["displayName"] == "uksouth"


def test_evolvable_region_groups_need_the_prefer_header(emu: EmulatorProcess) -> None:
    plain = {r["displayName"]: r for r in emu.graph("GET", REGIONS_PATH, version="beta")[1]["value"]}  # type: ignore[index]
    assert plain["italynorth"]["regionGroup"] == "unknownFutureValue"
    assert plain["francecentral"]["regionGroup"] == "france"


def test_select_and_filter(emu: EmulatorProcess) -> None:
    status, body = emu.graph("GET", f"{REGIONS_PATH}?$select=displayName,regionStatus&$filter=regionStatus eq 'restricted'",
                             version="beta")  # fmt: skip
    assert status == 200 and body is not None
    assert sorted(r["displayName"] for r in body["value"]) == ["qatarcentral", "westus2"]
    assert set(body["value"][0]) == {"id", "displayName", "regionStatus"}


def test_supported_regions_are_read_only(emu: EmulatorProcess) -> None:
    status, _body = emu.graph("POST", REGIONS_PATH, {"displayName": "mars"}, version="beta")
    assert status == 405
