"""DeviceImage: a custom Windows 365 image uploaded from an Azure managed image.

Read top to bottom: 1. arguments, 2. the mapping to Graph JSON, 3. the rules ``check``
applies, 4. the provider, 5. the resource class.

Graph has no update for device images, so every input change replaces the image (the resource
declares ``replace_on_changes``; the engine diffs the inputs itself, so ``preview --diff`` shows
each changed property). The new image is uploaded before the old one is deleted, so a policy
using the image moves to the new one in between.

Graph calls (each retried per ``graph/retry.py``):

- create: POST (never re-sent blindly: after an ambiguous failure the image is looked up by its
  display name, version and source first), then GET until the upload leaves ``pending``: every
  second at first, less often later (at most every 30 s). Progress goes to stderr, which the
  engine shows. On ``failed`` the image is deleted again and ``ImageFailedError`` says why
  (Graph's ``errorCode``, explained); so it is when the upload is still pending after
  ``w365:deviceImageTimeoutMinutes`` (default 180). Nothing is left behind either way.
- read (refresh): GET; 404 means the image is gone.
- delete: DELETE; 404 counts as done.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Mapping
from typing import Any, Optional

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
)
from pulumi.output import Unknown

from w365_provider.errors import ConfigurationError, GraphConflictError, GraphNotFoundError, ImageFailedError
from w365_provider.graph.client import GraphRuntime
from w365_provider.graph.provider import GraphProvider

__all__ = ["DeviceImage", "DeviceImageProvider"]

# ============================================================================================
# 1. Arguments (all required, all force a replacement)
# ============================================================================================

INPUTS = ("display_name", "version", "source_image_resource_id")
"""Every input: the image's name, its version (``major.minor.patch``) and the Azure image it is
uploaded from."""

# ============================================================================================
# 2. Mapping: Pulumi properties <-> Graph JSON
# ============================================================================================

GRAPH_NAMES: dict[str, str] = {
    "display_name": "displayName",
    "version": "version",
    "source_image_resource_id": "sourceImageResourceId",
    # computed by Graph
    "status": "status",
    "error_code": "errorCode",
    "operating_system": "operatingSystem",
    "os_build_number": "osBuildNumber",
    "os_version_number": "osVersionNumber",
    "os_status": "osStatus",
    "expiration_date": "expirationDate",
    "size_in_gb": "sizeInGB",
    "last_modified_date_time": "lastModifiedDateTime",
}
"""Pulumi name -> Graph name."""

COMPUTED = ("image_id", *[name for name in GRAPH_NAMES if name not in INPUTS])
"""Outputs only Graph sets; ``image_id`` is the Graph id (a policy's ``image_id``)."""

PENDING, READY, FAILED = "pending", "ready", "failed"

ERROR_CODES: dict[str, str] = {
    "sourceImageNotFound": "the source image was not found; check source_image_resource_id and that "
    "the Windows 365 service principal may read it",
    "sourceImageNotGeneralized": "the source image is not generalized; run sysprep /generalize on the VM "
    "before capturing the image",
    "osVersionNotSupported": "the operating system version of the source image is not supported by "
    "Windows 365 (use a supported Windows 10/11 Enterprise build)",
    "sourceImageInvalid": "the source image is not a valid Windows 365 image (generation 2, Windows "
    "Enterprise, no data disks)",
    "paidSourceImageNotSupport": "images built from paid Azure Marketplace images are not supported",
    "vmAlreadyAzureAdjoined": "the VM the image was captured from was joined to Microsoft Entra; "
    "capture it from a VM that never was",
    "sourceImageSizeExceedsLimitation": "the source image's OS disk is larger than Windows 365 accepts",
    "sourceImageNotSupportCustomizeVMName": "the source image does not allow its VM name to be customized",
    "internalServerError": "Windows 365 hit an internal error; run again to retry the upload",
}
"""Graph's ``cloudPcDeviceImageErrorCode`` members, explained."""


def image_to_graph(props: Mapping[str, Any]) -> dict[str, Any]:
    """The create body for the inputs in ``props``."""
    return {GRAPH_NAMES[name]: props[name] for name in INPUTS if name in props}


def image_from_graph(body: Mapping[str, Any]) -> dict[str, Any]:
    """Pulumi properties from a device image's Graph JSON (every output, ``None`` when absent)."""
    props = {name: body.get(graph) for name, graph in GRAPH_NAMES.items()}
    props["image_id"] = body.get("id")
    return props


def explain(error_code: str | None) -> str:
    """What a failed upload's ``errorCode`` means."""
    if not error_code:
        return "Graph gave no errorCode"
    return ERROR_CODES.get(error_code, f"Graph's errorCode is {error_code}")


# ============================================================================================
# 3. Rules
# ============================================================================================

VERSION = re.compile(r"^\d+\.\d+\.\d+$")
SOURCE_IMAGE = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/"
    r"(images/[^/]+|galleries/[^/]+/images/[^/]+(/versions/[^/]+)?)$",
    re.IGNORECASE,
)
SOURCE_IMAGE_FORM = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Compute/images/{imageName}"
)
DISPLAY_NAME_MAX = 120


def validate(props: Mapping[str, Any]) -> list[CheckFailure]:
    """Every rule broken by ``props``; unknown values (preview) are skipped."""
    failures: list[CheckFailure] = []
    for name in INPUTS:
        value = props.get(name)
        if isinstance(value, Unknown):
            continue
        if value is None:
            failures.append(CheckFailure(name, "is required"))
        elif not isinstance(value, str) or not value.strip():
            failures.append(CheckFailure(name, "must be a non-empty string"))
        elif name == "display_name" and len(value) > DISPLAY_NAME_MAX:
            failures.append(CheckFailure(name, f"must be at most {DISPLAY_NAME_MAX} characters (is {len(value)})"))
        elif name == "version" and not VERSION.match(value):
            failures.append(CheckFailure(name, f"must have the form major.minor.patch, for example 1.0.0 (got {value!r})"))
        elif name == "source_image_resource_id" and not SOURCE_IMAGE.match(value):
            failures.append(
                CheckFailure(name, f"must be an Azure managed image id, {SOURCE_IMAGE_FORM} (got {value!r})")
            )
    return failures


# ============================================================================================
# 4. The provider
# ============================================================================================

DEFAULT_TIMEOUT_MINUTES = 180.0
"""How long an upload may stay ``pending``; ``w365:deviceImageTimeoutMinutes`` overrides it."""
POLL_FIRST, POLL_MAX, POLL_GROWTH = 1.0, 30.0, 0.1
"""Seconds between status reads: 1 s at first, then a tenth of the time waited so far, at most 30 s."""
REPORT_EVERY = 30.0
"""Seconds between progress lines while the status stays the same."""


def _images(client: Any) -> Any:
    return client.device_management.virtual_endpoint.device_images


def _image(image_id: str) -> Any:
    return lambda client: _images(client).by_cloud_pc_device_image_id(image_id)


class DeviceImageProvider(GraphProvider):
    """Dynamic provider for ``DeviceImage`` (pickled empty; see ``GraphProvider``)."""

    def configure(self, req: ConfigureRequest) -> None:
        """Settings as for every Graph provider, plus the upload timeout."""
        super().configure(req)
        self._timeout = timeout_seconds(req.config.get("w365:deviceImageTimeoutMinutes"))

    # -- plan ----------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Apply the rules; no Graph call."""
        inputs = {k: v for k, v in news.items() if k in INPUTS and v is not None}
        return CheckResult(inputs, validate(inputs))

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Leave the diff to the engine: it compares old and new inputs and reports each changed
        property; every input is in the resource's ``replace_on_changes``."""
        return DiffResult(changes=None)

    # -- lifecycle -----------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        """POST the image and wait until it is ready; a failed upload is deleted and raised."""
        desired = {k: props[k] for k in INPUTS}
        rt = self._runtime()
        timeout = getattr(self, "_timeout", DEFAULT_TIMEOUT_MINUTES * 60)
        outs = rt.run(_create(rt, desired, timeout=timeout, report=_report))
        return CreateResult(outs["image_id"], outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """GET the image; an empty id when Graph says 404."""
        rt = self._runtime()
        body = rt.run(_get(rt, id_))
        if body is None:
            return ReadResult("", {})
        outs = image_from_graph(body)
        return ReadResult(id_, outs, {name: outs[name] for name in INPUTS if outs.get(name) is not None})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """DELETE the image; 404 counts as done."""
        rt = self._runtime()
        rt.run(_delete(rt, id_, str(props.get("display_name") or id_)))


def timeout_seconds(minutes: Any) -> float:
    """``w365:deviceImageTimeoutMinutes`` in seconds (default 180 minutes)."""
    if minutes is None or minutes == "":
        return DEFAULT_TIMEOUT_MINUTES * 60
    try:
        value = float(minutes)
    except (TypeError, ValueError):
        raise ConfigurationError(f"w365:deviceImageTimeoutMinutes must be a number, got {minutes!r}") from None
    if value <= 0:
        raise ConfigurationError("w365:deviceImageTimeoutMinutes must be positive")
    return value * 60


def _report(line: str) -> None:
    """A progress line: the engine shows a dynamic provider's stderr."""
    print(line, file=sys.stderr, flush=True)


# -- the Graph flows (coroutines on the Graph loop) -------------------------------------------


async def _get(rt: GraphRuntime, image_id: str) -> dict[str, Any] | None:
    try:
        result: dict[str, Any] = await rt.send("GET", _image(image_id), operation=f"read device image {image_id}")
    except GraphNotFoundError:
        return None
    return result


async def _delete(rt: GraphRuntime, image_id: str, name: str) -> None:
    try:
        await rt.send("DELETE", _image(image_id), operation=f"delete device image '{name}' ({image_id})")
    except GraphNotFoundError:
        pass


async def _create(
    rt: GraphRuntime,
    desired: dict[str, Any],
    *,
    timeout: float,
    report: Any,
    clock: Any = time.monotonic,
    sleep: Any = asyncio.sleep,
) -> dict[str, Any]:
    name = desired["display_name"]
    body = image_to_graph(desired)

    async def find_created() -> dict[str, Any] | None:
        found = [
            image for image in await rt.list(_images, operation=f"look up device images named '{name}'")
            if all(image.get(key) == value for key, value in body.items()) and image.get("status") != FAILED
        ]  # fmt: skip
        if len(found) > 1:
            ids = ", ".join(image["id"] for image in found)
            raise GraphConflictError(
                f"upload device image '{name}'",
                message=f"the upload may have gone through, and {len(found)} identical images exist ({ids}); "
                "delete the extra ones and run again",
            )
        return found[0] if found else None

    created, _recovered = await rt.create(_images, body, operation=f"upload device image '{name}'", find=find_created)
    image_id = created["id"]
    report(f"device image '{name}' ({image_id}): upload started from {desired['source_image_resource_id']}")
    try:
        current = await _wait(rt, created, name, timeout=timeout, report=report, clock=clock, sleep=sleep)
    except Exception as exc:
        await _clean_up(rt, image_id, name, exc)
        raise
    return image_from_graph(current)


async def _wait(
    rt: GraphRuntime, current: dict[str, Any], name: str, *, timeout: float, report: Any, clock: Any, sleep: Any
) -> dict[str, Any]:
    """Poll until the image leaves ``pending``; returns it when ready, raises otherwise."""
    image_id = current["id"]
    start = clock()
    last_report = start
    while current.get("status") == PENDING:
        elapsed = clock() - start
        if elapsed >= timeout:
            raise ImageFailedError(
                f"upload device image '{name}' ({image_id})",
                code="timeout",
                message=f"still {PENDING} after {elapsed / 60:.1f} minutes (w365:deviceImageTimeoutMinutes)",
            )
        await sleep(min(POLL_FIRST + elapsed * POLL_GROWTH, POLL_MAX, timeout - elapsed))
        found = await _get(rt, image_id)
        if found is None:
            raise GraphNotFoundError(
                f"upload device image '{name}' ({image_id})", status=404,
                message="the image disappeared while it was uploading (deleted out of band?)",
            )  # fmt: skip
        current = found
        now = clock()
        if current.get("status") == PENDING and now - last_report >= REPORT_EVERY:
            report(f"device image '{name}': upload {PENDING} for {now - start:.0f}s")
            last_report = now
    status = current.get("status")
    if status == READY:
        report(f"device image '{name}': {READY} after {clock() - start:.0f}s ({current.get('operatingSystem')} "
               f"{current.get('osVersionNumber')})")  # fmt: skip
        return current
    code = current.get("errorCode")
    raise ImageFailedError(
        f"upload device image '{name}' ({image_id})",
        code=code or status,
        message=f"status {status}: {explain(code)}",
    )


async def _clean_up(rt: GraphRuntime, image_id: str, name: str, cause: BaseException) -> None:
    """Delete an image whose upload did not succeed, and say so on ``cause``."""
    try:
        await _delete(rt, image_id, name)
    except Exception as exc:  # noqa: BLE001 - reported on the upload's own error
        cause.add_note(f"The image {image_id} could not be deleted ({exc}); delete it by hand.")
    else:
        cause.add_note(f"The image {image_id} was deleted, so nothing was left behind.")


# ============================================================================================
# 5. The resource
# ============================================================================================


class DeviceImage(pulumi.dynamic.Resource, module="w365", name="DeviceImage"):
    """A custom Windows 365 image (``pulumi-python:dynamic/w365:DeviceImage``).

    Uploaded from an Azure managed image; ``create`` returns once the image is ``ready``
    (Windows 365 takes an hour or more for a real image). Use it in a policy with
    ``image_type="custom"`` and ``image_id=image.image_id``. Every input change replaces the
    image: Graph cannot change one.

    Example::

        golden = DeviceImage(
            "golden",
            display_name="Contoso golden image",
            version="1.0.0",
            source_image_resource_id="/subscriptions/.../resourceGroups/rg-images/providers/"
            "Microsoft.Compute/images/golden-2026-11",
        )

    :param resource_name: Pulumi name of the resource.
    :param display_name: Image name shown in Intune.
    :param version: ``major.minor.patch``, for example ``1.0.0``.
    :param source_image_resource_id: The Azure managed image to upload.
    :param opts: Resource options; ``replace_on_changes`` for every input is added.
    """

    image_id: pulumi.Output[str]
    """Graph id of the image: a policy's ``image_id`` with ``image_type="custom"``."""
    display_name: pulumi.Output[str]
    version: pulumi.Output[str]
    source_image_resource_id: pulumi.Output[str]
    status: pulumi.Output[str]
    """``ready`` once created; ``failed`` may show after a refresh."""
    error_code: pulumi.Output[Optional[str]]
    operating_system: pulumi.Output[Optional[str]]
    os_build_number: pulumi.Output[Optional[str]]
    os_version_number: pulumi.Output[Optional[str]]
    os_status: pulumi.Output[Optional[str]]
    """``supported``, ``supportedWithWarning`` or ``unknown``."""
    expiration_date: pulumi.Output[Optional[str]]
    size_in_gb: pulumi.Output[Optional[int]]
    last_modified_date_time: pulumi.Output[Optional[str]]

    def __init__(
        self,
        resource_name: str,
        *,
        display_name: pulumi.Input[str],
        version: pulumi.Input[str],
        source_image_resource_id: pulumi.Input[str],
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        props: dict[str, Any] = {
            "display_name": display_name,
            "version": version,
            "source_image_resource_id": source_image_resource_id,
            **{name: None for name in COMPUTED},
        }
        defaults = pulumi.ResourceOptions(replace_on_changes=list(INPUTS))
        super().__init__(DeviceImageProvider(), resource_name, props, pulumi.ResourceOptions.merge(defaults, opts))
