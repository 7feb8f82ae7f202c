"""Adoption by Graph id of the tenant resources against the emulator (what `w365 export` writes):
an Azure network connection is taken over with one GET and no write, its password not sent
(Graph never returns it); a user setting likewise, and a difference is one PATCH."""

from __future__ import annotations

from w365_provider.emulator import seed
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.resources.network_connection import NetworkConnectionProvider
from w365_provider.resources.user_setting import UserSettingProvider

from .tenant_support import calls, checked, configured

CONNECTIONS = "/deviceManagement/virtualEndpoint/onPremisesConnections"
SETTINGS = "/deviceManagement/virtualEndpoint/userSettings"
PASSWORD = "adopted-join-password"


def test_a_connection_adopted_by_id_is_one_get_and_its_password_is_kept_not_sent(emu: EmulatorProcess) -> None:
    provider = configured(NetworkConnectionProvider, emu)
    status, body = emu.graph("GET", f"{CONNECTIONS}/{seed.CONNECTION_HYBRID_WEU}")
    assert status == 200
    inputs = checked(provider, {
        "display_name": body["displayName"], "connection_type": body["connectionType"],
        "subscription_id": body["subscriptionId"], "resource_group_id": body["resourceGroupId"],
        "virtual_network_id": body["virtualNetworkId"], "subnet_id": body["subnetId"],
        "ad_domain_name": body["adDomainName"], "ad_domain_username": body["adDomainUsername"],
        "organizational_unit": body["organizationalUnit"], "ad_domain_password": PASSWORD,
        "adopt": seed.CONNECTION_HYBRID_WEU.upper(),
    })  # fmt: skip
    emu.clear_requests()
    created = provider.create(inputs)
    assert created.id == seed.CONNECTION_HYBRID_WEU
    assert [m for m, _ in calls(emu)] == ["GET"]  # no PATCH, no health checks
    assert created.outs["ad_domain_password"] == PASSWORD
    assert all(PASSWORD not in str(r) for r in emu.requests())


def test_adopt_is_not_added_when_not_given() -> None:
    assert "adopt" not in NetworkConnectionProvider().check({}, {"display_name": "x"}).inputs


def test_a_user_setting_adopted_by_id_writes_only_what_differs(emu: EmulatorProcess) -> None:
    provider = configured(UserSettingProvider, emu)
    status, made = emu.graph("POST", SETTINGS, {"displayName": "Portal setting", "localAdminEnabled": True})
    assert status == 201 and made is not None
    same = checked(provider, {"display_name": "Portal setting", "local_admin_enabled": True, "adopt": made["id"]})
    emu.clear_requests()
    assert provider.create(same).id == made["id"]
    assert [m for m, _ in calls(emu)] == ["GET"]
    other = checked(provider, {"display_name": "Portal setting", "local_admin_enabled": False, "adopt": made["id"]})
    emu.clear_requests()
    configured(UserSettingProvider, emu).create(other)  # a new process: the id is not claimed there yet
    assert [m for m, _ in calls(emu)] == ["GET", "PATCH"]
    assert emu.graph("GET", f"{SETTINGS}/{made['id']}")[1]["localAdminEnabled"] is False
