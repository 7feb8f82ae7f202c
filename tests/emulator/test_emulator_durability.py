"""Persistence across restarts (SIGTERM and SIGKILL) with the same --db, and 8 parallel clients."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulator.emulator_support import CONNECTIONS, DEVICE_IMAGES, GROUPS, POLICIES, list_all, policy_body
from w365_provider.emulator import EmulatorProcess, seed

TARGET = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "graph.db"


@pytest.fixture
def file_emulator(db: Path) -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(db=db, image_ready_seconds=0.1).start()
    yield emu
    emu.stop(kill=True)


def test_state_survives_a_graceful_restart(file_emulator: EmulatorProcess, db: Path) -> None:
    emu = file_emulator
    pid = emu.graph("POST", POLICIES, policy_body())[1]["id"]
    gid = emu.graph("POST", GROUPS, {"displayName": "Persisted group"})[1]["id"]
    assign = {"assignments": [{"target": {"@odata.type": TARGET, "groupId": gid}}]}
    assert emu.graph("POST", f"{POLICIES}/{pid}/assign", assign)[0] == 204
    source = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/golden"
    image_id = emu.graph("POST", DEVICE_IMAGES, {"displayName": "I", "version": "1.0.0", "sourceImageResourceId": source})[1]["id"]
    assert emu.graph("DELETE", f"{CONNECTIONS}/{seed.CONNECTION_ENTRA_EUS}")[0] == 204
    emu.stop()
    assert db.is_file()

    emu.start()
    got = emu.graph("GET", f"{POLICIES}/{pid}?$expand=assignments")[1]
    assert got["assignments"][0]["id"] == f"{pid}_{gid}"
    assert emu.graph("GET", f"{GROUPS}/{gid}")[1]["displayName"] == "Persisted group"
    assert emu.graph("GET", f"{DEVICE_IMAGES}/{image_id}")[1]["status"] == "ready"
    # seeding happens once per database: a deleted seeded connection stays deleted
    assert [c["id"] for c in list_all(emu, CONNECTIONS)] == [seed.CONNECTION_HYBRID_WEU]


def test_acknowledged_writes_survive_sigkill(file_emulator: EmulatorProcess) -> None:
    emu = file_emulator
    ids = [emu.graph("POST", POLICIES, policy_body(displayName=f"K{i}"))[1]["id"] for i in range(5)]
    assert emu.graph("PATCH", f"{POLICIES}/{ids[0]}", {"description": "patched before kill"})[0] == 204
    assert emu.graph("DELETE", f"{POLICIES}/{ids[4]}")[0] == 204
    emu.stop(kill=True)  # SIGKILL right after the last acknowledged write

    emu.start()
    policies = {p["id"]: p for p in list_all(emu, POLICIES)}
    assert list(policies) == ids[:4]
    assert policies[ids[0]]["description"] == "patched before kill"


def test_eight_parallel_clients_lose_no_create_or_delete(file_emulator: EmulatorProcess) -> None:
    emu = file_emulator
    per_thread, threads = 10, 8
    created: list[list[str]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def create(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                status, body = emu.graph("POST", POLICIES, policy_body(displayName=f"T{n}-{i}"))
                assert status == 201, body
                created[n].append(body["id"])
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    workers = [threading.Thread(target=create, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    all_ids = [pid for ids in created for pid in ids]
    assert len(set(all_ids)) == threads * per_thread
    listed = list_all(emu, POLICIES + "?$top=7&$select=displayName")
    assert sorted(p["id"] for p in listed) == sorted(all_ids)
    assert sorted(p["displayName"] for p in listed) == sorted(f"T{n}-{i}" for n in range(threads) for i in range(per_thread))

    start.reset()

    def delete(n: int) -> None:
        try:
            start.wait()
            for pid in created[n]:
                status, body = emu.graph("DELETE", f"{POLICIES}/{pid}")
                assert status == 204, body
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=delete, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert list_all(emu, POLICIES) == []
    log = emu.requests()
    assert sum(1 for r in log if r["method"] == "POST" and r["status"] == 201) == threads * per_thread
    assert sum(1 for r in log if r["method"] == "DELETE" and r["status"] == 204) == threads * per_thread

    emu.stop(kill=True)  # and nothing comes back after a crash
    emu.start()
    assert list_all(emu, POLICIES) == []
