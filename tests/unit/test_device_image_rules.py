"""DeviceImage without Graph: rules, mapping, the wait loop with a fake clock, the resource."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pulumi.output import Unknown

from w365_provider.device_image import (
    COMPUTED,
    DeviceImageProvider,
    explain,
    image_from_graph,
    image_to_graph,
    timeout_seconds,
    validate,
)
from w365_provider.errors import ConfigurationError

SOURCE = "/subscriptions/0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b/resourceGroups/rg/providers/Microsoft.Compute/images/golden"
GOOD = {"display_name": "Golden", "version": "1.0.0", "source_image_resource_id": SOURCE}


def reasons(props: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in validate(props)]


def test_valid_inputs_pass() -> None:
    assert reasons(GOOD) == []
    gallery_version = SOURCE.rsplit("/images/", 1)[0] + "/galleries/g/images/golden/versions/1.0.0"
    assert reasons({**GOOD, "source_image_resource_id": gallery_version}) == []


def test_each_rule_names_its_property() -> None:
    assert reasons({}) == [
        ("display_name", "is required"),
        ("version", "is required"),
        ("source_image_resource_id", "is required"),
    ]
    assert reasons({**GOOD, "display_name": " ", "version": "1.0", "source_image_resource_id": "golden"}) == [
        ("display_name", "must be a non-empty string"),
        ("version", "must have the form major.minor.patch, for example 1.0.0 (got '1.0')"),
        ("source_image_resource_id", "must be an Azure managed image id, /subscriptions/{subscriptionId}/"
         "resourceGroups/{resourceGroup}/providers/Microsoft.Compute/images/{imageName} (got 'golden')"),
    ]  # fmt: skip
    assert reasons({**GOOD, "display_name": "x" * 121}) == [("display_name", "must be at most 120 characters (is 121)")]


def test_unknown_values_are_skipped_in_preview() -> None:
    assert reasons({"display_name": Unknown(), "version": Unknown(), "source_image_resource_id": Unknown()}) == []


def test_check_keeps_only_inputs() -> None:
    result = DeviceImageProvider().check({}, {**GOOD, "__provider": "x", "status": None})
    assert result.inputs == GOOD
    assert result.failures == []


def test_mapping_both_ways() -> None:
    assert image_to_graph(GOOD) == {"displayName": "Golden", "version": "1.0.0", "sourceImageResourceId": SOURCE}
    outs = image_from_graph({"id": "i", "displayName": "Golden", "status": "ready", "sizeInGB": 64, "errorCode": None})
    assert outs["image_id"] == "i"
    assert outs["size_in_gb"] == 64
    assert set(outs) == {*GOOD, *COMPUTED}


def test_error_codes_are_explained() -> None:
    assert "sysprep /generalize" in explain("sourceImageNotGeneralized")
    assert explain("somethingNew") == "Graph's errorCode is somethingNew"
    assert explain(None) == "Graph gave no errorCode"


def test_timeout_setting() -> None:
    assert timeout_seconds(None) == 180 * 60
    assert timeout_seconds("0.5") == 30
    with pytest.raises(ConfigurationError, match="w365:deviceImageTimeoutMinutes must be a number"):
        timeout_seconds("soon")
    with pytest.raises(ConfigurationError, match="must be positive"):
        timeout_seconds("0")


def test_provider_pickles_empty() -> None:
    """Nothing of the provider reaches state: no settings, no client."""
    import dill

    provider = DeviceImageProvider()
    provider._settings = object()  # type: ignore[attr-defined]
    assert dill.loads(dill.dumps(provider)).__dict__ == {}


class FakeRuntime:
    """Answers the image GETs of ``_wait`` from a script of statuses."""

    def __init__(self, statuses: list[str]) -> None:
        self.statuses = statuses
        self.gets = 0

    async def send(self, method: str, at: Any, **kw: Any) -> dict[str, Any]:
        assert method == "GET"
        status = self.statuses[min(self.gets, len(self.statuses) - 1)]
        self.gets += 1
        return {"id": "img", "status": status, "errorCode": "sourceImageInvalid" if status == "failed" else None}


def run_wait(statuses: list[str], timeout: float) -> tuple[Any, list[float], list[str]]:
    from w365_provider.device_image import _wait

    now = [0.0]
    sleeps: list[float] = []
    lines: list[str] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    async def go() -> Any:
        return await _wait(FakeRuntime(statuses), {"id": "img", "status": "pending"}, "Golden",  # type: ignore[arg-type]
                           timeout=timeout, report=lines.append, clock=lambda: now[0], sleep=sleep)  # fmt: skip

    loop = asyncio.new_event_loop()  # not asyncio.run: it leaves the thread without a current loop
    try:
        return loop.run_until_complete(go()), sleeps, lines
    except Exception as exc:  # noqa: BLE001
        return exc, sleeps, lines
    finally:
        loop.close()


def test_wait_polls_often_then_less_often_and_reports_progress() -> None:
    result, sleeps, lines = run_wait(["pending"] * 60 + ["ready"], timeout=3600)
    assert result["status"] == "ready"
    assert sleeps[0] == 1.0
    assert sleeps == sorted(sleeps) and max(sleeps) == 30.0
    assert any("upload pending for" in line for line in lines)
    assert lines[-1].startswith("device image 'Golden': ready after")


def test_wait_raises_on_failed_with_the_reason() -> None:
    error, _, _ = run_wait(["pending", "failed"], timeout=3600)
    assert str(error) == (
        "upload device image 'Golden' (img) failed: sourceImageInvalid - status failed: the source image is not "
        "a valid Windows 365 image (generation 2, Windows Enterprise, no data disks)"
    )


def test_wait_is_bounded() -> None:
    error, sleeps, _ = run_wait(["pending"], timeout=120)
    assert "failed: timeout - still pending after 2.0 minutes (w365:deviceImageTimeoutMinutes)" in str(error)
    assert sum(sleeps) == pytest.approx(120)
