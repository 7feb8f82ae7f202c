"""Coalesced reads (issue 17) against the emulator: one list per entity set and command, never stale
across commands, a write ends its use, a missing object is confirmed by its own GET."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.unit.rules_cases import G1, valid
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.kit.reads import reads_of
from w365_provider.provisioning_policy import ProvisioningPolicyProvider
from w365_provider.resources.user_setting import UserSettingProvider

from .conftest import FAST, POLICIES, configured
from .tenant_support import configured as configured_tenant

SETTINGS = "/deviceManagement/virtualEndpoint/userSettings"


def requests(emu: EmulatorProcess, root: str) -> list[tuple[str, str, str]]:
    """(method, path after ``root``, query) of the logged requests under ``root``."""
    return [(r["method"], r["path"].split(root, 1)[-1] or "/", r["query"]) for r in emu.requests() if root in r["path"]]


def make(provider: ProvisioningPolicyProvider, n: int) -> list[Any]:
    made = []
    for i in range(n):
        news = {"__provider": "p", **valid(display_name=f"Read {i}", description="first", assignments=[{"group_id": G1}])}
        made.append(provider.create({k: v for k, v in provider.check({}, news).inputs.items() if k != "__provider"}))
    return made


def delete_out_of_band(emu: EmulatorProcess, policy_id: str) -> None:
    """Unassign and delete a policy as someone in the admin center would."""
    status, _ = emu.graph("POST", f"{POLICIES}/{policy_id}/assign", {"assignments": []})
    assert status == 204
    status, _ = emu.graph("DELETE", f"{POLICIES}/{policy_id}")
    assert status == 204


def command(emu: EmulatorProcess) -> ProvisioningPolicyProvider:
    """A provider object as the engine makes one for each command (a new process)."""
    return configured(emu, **FAST)


def test_a_refresh_is_one_get_then_one_list_with_assignments(emu: EmulatorProcess) -> None:
    made = make(command(emu), 5)
    refresh = command(emu)
    emu.clear_requests()
    reads = [refresh.read(c.id, c.outs) for c in made]
    assert requests(emu, POLICIES) == [("GET", f"/{made[0].id}", "$expand=assignments"), ("GET", "/", "$expand=assignments")]
    assert [r.id for r in reads] == [c.id for c in made]
    assert [r.outs["assignments"] for r in reads] == [[{"group_id": G1}]] * 5
    assert [r.inputs for r in reads] == [refresh.read(c.id, c.outs).inputs for c in made]


def test_concurrent_reads_share_one_list(emu: EmulatorProcess) -> None:
    made = make(command(emu), 12)
    refresh = command(emu)
    emu.set_faults([{"method": "GET", "latency_ms": 150}])
    emu.clear_requests()
    with ThreadPoolExecutor(max_workers=4) as pool:  # what the dynamic-provider server runs
        reads = list(pool.map(lambda c: refresh.read(c.id, c.outs), made))
    emu.clear_faults()
    assert [r.id for r in reads] == [c.id for c in made]
    logged = requests(emu, POLICIES)
    assert logged.count(("GET", "/", "$expand=assignments")) == 1
    assert len(logged) == 2  # the first read's own GET and the one list


def test_an_out_of_band_change_between_two_commands_is_always_seen(emu: EmulatorProcess) -> None:
    made = make(command(emu), 3)
    first = command(emu)
    assert [first.read(c.id, c.outs).outs["description"] for c in made] == ["first"] * 3
    status, _ = emu.graph("PATCH", f"{POLICIES}/{made[1].id}", {"description": "changed in the portal"})
    assert status == 204
    delete_out_of_band(emu, made[2].id)
    second = command(emu)
    reads = [second.read(c.id, c.outs) for c in made]
    assert reads[0].outs["description"] == "first"
    assert reads[1].outs["description"] == "changed in the portal"
    assert reads[1].inputs is not None and reads[1].inputs["description"] == "changed in the portal"
    assert reads[2].id == ""


def test_a_write_of_the_process_ends_the_lists_use(emu: EmulatorProcess) -> None:
    made = make(command(emu), 3)
    provider = command(emu)
    provider.read(made[0].id, made[0].outs)
    provider.read(made[1].id, made[1].outs)  # lists
    news = {"__provider": "p", **valid(display_name="Read 1", description="new", assignments=[{"group_id": G1}])}
    inputs = {k: v for k, v in provider.check(made[1].outs, news).inputs.items() if k != "__provider"}
    provider.update(made[1].id, made[1].outs, inputs)
    emu.clear_requests()
    assert provider.read(made[1].id, made[1].outs).outs["description"] == "new"
    assert requests(emu, POLICIES) == [("GET", "/", "$expand=assignments")]  # listed again


def test_a_list_older_than_the_bound_is_taken_again(emu: EmulatorProcess) -> None:
    made = make(command(emu), 2)
    provider = command(emu)
    now = [0.0]
    reads = reads_of(provider, provider.spec)
    reads.clock = lambda: now[0]
    provider.read(made[0].id, made[0].outs)
    provider.read(made[1].id, made[1].outs)
    status, _ = emu.graph("PATCH", f"{POLICIES}/{made[1].id}", {"description": "later"})
    assert status == 204
    now[0] = reads.fresh_seconds - 1
    assert provider.read(made[1].id, made[1].outs).outs["description"] == "first"  # same burst
    now[0] = reads.fresh_seconds
    assert provider.read(made[1].id, made[1].outs).outs["description"] == "later"
    assert reads.lists == [0.0, reads.fresh_seconds]


def test_an_object_missing_from_the_list_is_read_by_itself(emu: EmulatorProcess) -> None:
    made = make(command(emu), 2)
    provider = command(emu)
    provider.read(made[0].id, made[0].outs)
    provider.read(made[1].id, made[1].outs)  # lists
    late = make(configured(emu), 3)[2]  # made by another process (its own runtime) after the list
    emu.clear_requests()
    assert provider.read(late.id, late.outs).id == late.id
    assert requests(emu, POLICIES) == [("GET", f"/{late.id}", "$expand=assignments")]
    delete_out_of_band(emu, late.id)
    emu.clear_requests()
    assert provider.read(late.id, late.outs).id == ""  # gone only after two 404s of its own
    assert requests(emu, POLICIES) == [("GET", f"/{late.id}", "$expand=assignments")] * 2


def test_a_failing_list_falls_back_to_one_get_per_read(emu: EmulatorProcess) -> None:
    made = make(command(emu), 3)
    provider = command(emu)
    first = provider.read(made[0].id, made[0].outs)
    emu.set_faults([{"method": "GET", "path": POLICIES, "status": 403, "times": 1}])  # the list
    emu.clear_requests()
    reads = [first] + [provider.read(c.id, c.outs) for c in made[1:]]
    emu.clear_faults()
    assert [r.id for r in reads] == [c.id for c in made]
    assert requests(emu, POLICIES) == [("GET", "/", "$expand=assignments")] + [
        ("GET", f"/{c.id}", "$expand=assignments") for c in made[1:]
    ]


def test_user_settings_are_listed_with_their_assignments(emu: EmulatorProcess) -> None:
    maker = configured_tenant(UserSettingProvider, emu)
    made = []
    for i in range(3):
        news = {"__provider": "p", "display_name": f"Users {i}", "local_admin_enabled": False,
                "restore_point_setting": {"frequency_type": "sixHours", "user_restore_enabled": True},
                "assignments": [{"group_id": G1}]}  # fmt: skip
        made.append(maker.create({k: v for k, v in maker.check({}, news).inputs.items() if k != "__provider"}))
    refresh = configured_tenant(UserSettingProvider, emu)
    emu.clear_requests()
    reads = [refresh.read(c.id, c.outs) for c in made]
    assert requests(emu, SETTINGS) == [("GET", f"/{made[0].id}", "$expand=assignments"), ("GET", "/", "$expand=assignments")]
    assert [r.outs["assignments"] for r in reads] == [[{"group_id": G1}]] * 3
