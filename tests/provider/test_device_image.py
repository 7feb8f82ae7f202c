"""DeviceImage provider methods against a real emulator process over HTTP.

Uploads settle after ``READY_SECONDS`` in this emulator; a source id containing
``notgeneralized`` (or ``invalid`` ...) makes the upload fail, as the emulator documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from w365_provider.device_image import DeviceImageProvider
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.errors import ImageFailedError
from w365_provider.graph import shutdown

IMAGES = "/deviceManagement/virtualEndpoint/deviceImages"
READY_SECONDS = 0.5
SOURCE = "/subscriptions/0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b/resourceGroups/rg-images/providers/Microsoft.Compute/images/{}"
GOLDEN = {"display_name": "Golden", "version": "1.0.0", "source_image_resource_id": SOURCE.format("golden")}
FAST = {"retryMaxAttempts": "5", "retryMinDelaySeconds": "0.01", "retryMaxDelaySeconds": "0.2"}


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(image_ready_seconds=READY_SECONDS) as emu:
        yield emu
    shutdown()


@pytest.fixture
def emu(emulator: EmulatorProcess) -> EmulatorProcess:
    return emulator.fresh()


def configured(emu: EmulatorProcess, **config: str) -> DeviceImageProvider:
    """A provider configured the way the engine does it: stack config in the ``w365`` namespace."""
    raw = {"w365:graphUrl": emu.graph_url, "w365:graphToken": emu.token, **{f"w365:{k}": v for k, v in FAST.items()}}
    raw.update({f"w365:{k}": v for k, v in config.items()})
    provider = DeviceImageProvider()
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="w365")))
    return provider


def images(emu: EmulatorProcess) -> list[dict[str, Any]]:
    status, body = emu.graph("GET", IMAGES)
    assert status == 200, body
    assert body is not None
    return list(body["value"])


def calls(emu: EmulatorProcess) -> list[tuple[str, str, int]]:
    return [(r["method"], r["path"].split(IMAGES, 1)[-1] or "/", r["status"]) for r in emu.requests()]


def test_create_waits_until_ready_and_reports_progress(emu: EmulatorProcess, capsys: pytest.CaptureFixture[str]) -> None:
    provider = configured(emu)
    created = provider.create(dict(GOLDEN))
    outs = created.outs
    assert outs["image_id"] == created.id
    assert outs["status"] == "ready"
    assert outs["display_name"] == "Golden" and outs["version"] == "1.0.0"
    assert outs["operating_system"] and outs["os_version_number"]
    log = calls(emu)
    assert log[:2] == [("GET", "/", 200), ("POST", "/", 201)]  # the process's one ownership snapshot, the upload
    assert all(entry == ("GET", f"/{created.id}", 200) for entry in log[2:]) and len(log) >= 3
    [stored] = images(emu)
    assert (stored["id"], stored["status"]) == (created.id, "ready")
    err = capsys.readouterr().err
    assert f"device image 'Golden' ({created.id}): upload started from" in err
    assert "device image 'Golden': ready after" in err


def test_read_returns_outputs_and_observed_inputs(emu: EmulatorProcess) -> None:
    provider = configured(emu)
    created = provider.create(dict(GOLDEN))
    read = provider.read(created.id, created.outs)
    assert read.id == created.id
    assert read.outs == created.outs
    assert read.inputs == GOLDEN


def test_read_after_out_of_band_delete_reports_gone(emu: EmulatorProcess) -> None:
    provider = configured(emu)
    created = provider.create(dict(GOLDEN))
    assert emu.graph("DELETE", f"{IMAGES}/{created.id}")[0] == 204
    read = provider.read(created.id, created.outs)
    assert read.id == ""


def test_delete_is_idempotent(emu: EmulatorProcess) -> None:
    provider = configured(emu)
    created = provider.create(dict(GOLDEN))
    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)  # 404 counts as done
    assert images(emu) == []
    assert [c for c in calls(emu) if c[0] == "DELETE"] == [("DELETE", f"/{created.id}", 204), ("DELETE", f"/{created.id}", 404)]


def test_failed_upload_says_why_and_leaves_nothing(emu: EmulatorProcess) -> None:
    provider = configured(emu)
    with pytest.raises(ImageFailedError) as info:
        provider.create({**GOLDEN, "source_image_resource_id": SOURCE.format("golden-notgeneralized")})
    error = info.value
    assert error.code == "sourceImageNotGeneralized"
    assert "upload device image 'Golden'" in str(error)
    assert "failed: sourceImageNotGeneralized - status failed: the source image is not generalized; run sysprep" in str(error)
    assert any("was deleted, so nothing was left behind" in note for note in error.__notes__)
    assert images(emu) == []


def test_upload_still_pending_after_the_timeout_is_an_error() -> None:
    with EmulatorProcess(image_ready_seconds=600) as slow:
        provider = configured(slow, deviceImageTimeoutMinutes="0.05")  # 3 s
        with pytest.raises(ImageFailedError) as info:
            provider.create(dict(GOLDEN))
        assert info.value.code == "timeout"
        assert "still pending after 0.1 minutes (w365:deviceImageTimeoutMinutes)" in str(info.value)
        assert images(slow) == []
        gets = [c for c in calls(slow) if c[0] == "GET" and c[1] != "/"]  # not the ownership snapshot
        assert 2 <= len(gets) <= 4  # polled every second or so, not in a busy loop


def test_throttled_upload_is_sent_again_without_duplicates(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "POST", "path": "deviceImages$", "status": 429, "retry_after": 0, "times": 2}])
    provider = configured(emu)
    created = provider.create(dict(GOLDEN))
    assert [c for c in calls(emu) if c[0] == "POST"] == [("POST", "/", 429), ("POST", "/", 429), ("POST", "/", 201)]
    assert [i["id"] for i in images(emu)] == [created.id]


def test_dropped_connection_after_the_upload_started_finds_the_image(emu: EmulatorProcess) -> None:
    """The POST went through but its answer was lost: the image is looked up, not uploaded twice."""
    emu.set_faults([{"method": "POST", "path": "deviceImages$", "drop": "after", "times": 1}])
    provider = configured(emu)
    created = provider.create(dict(GOLDEN))
    assert [i["id"] for i in images(emu)] == [created.id]
    assert created.outs["status"] == "ready"
    assert [c[:2] for c in calls(emu)][:3] == [("GET", "/"), ("POST", "/"), ("GET", "/")]  # snapshot, POST, look-up


def test_check_refuses_bad_inputs_without_calling_graph(emu: EmulatorProcess) -> None:
    provider = configured(emu)
    result = provider.check({}, {"display_name": "Golden", "version": "v1", "source_image_resource_id": "golden"})
    assert [f.property for f in result.failures] == ["version", "source_image_resource_id"]
    assert emu.requests() == []


def test_adopt_by_id_takes_the_image_with_one_get(emu: EmulatorProcess) -> None:
    status, made = emu.graph("POST", IMAGES, {"displayName": "Golden", "version": "1.0.0",
                                              "sourceImageResourceId": GOLDEN["source_image_resource_id"]})  # fmt: skip
    assert status == 201 and made is not None
    emu.clear_requests()
    created = configured(emu).create({**GOLDEN, "adopt": made["id"]})
    assert [(r["method"], r["path"]) for r in emu.requests()] == [("GET", f"/v1.0{IMAGES}/{made['id']}")]
    assert created.id == made["id"] and created.outs["adopt"] == made["id"]
