"""``deviceImages``: custom images uploaded from Azure; ``pending`` until the upload settles.

Graph reference:
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpcdeviceimage?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/virtualendpoint-post-deviceimages?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpcdeviceimage-delete?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpcdeviceimage?view=graph-rest-beta
  (beta: deprecated ``statusDetails``, returned as ``null``)
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from ..errors import BadRequest
from ..routing import Node
from ..schema import EntityType, EnumType, Prop, enum_prop, int_prop, now_iso, require, string_prop, writable_properties
from .base import EntitySet

SOURCE_IMAGE_ID_MSG = (
    "sourceImageResourceId must have the form "
    "/subscriptions/{{subscriptionId}}/resourceGroups/{{resourceGroupName}}/providers/Microsoft.Compute/images/{{imageName}}."
)
IMAGE_VERSION_MSG = "The image version must have the form major.minor.patch, for example 0.0.1."

DEVICE_IMAGE_STATUS = EnumType("microsoft.graph.cloudPcDeviceImageStatus", ("pending", "ready", "failed", "unknownFutureValue"))
DEVICE_IMAGE_ERROR = EnumType(
    "microsoft.graph.cloudPcDeviceImageErrorCode",
    ("internalServerError", "sourceImageNotFound", "osVersionNotSupported", "sourceImageInvalid",
     "sourceImageNotGeneralized", "unknownFutureValue", "vmAlreadyAzureAdjoined", "paidSourceImageNotSupport",
     "sourceImageNotSupportCustomizeVMName", "sourceImageSizeExceedsLimitation"),
)
DEVICE_IMAGE_OS_STATUS = EnumType(
    "microsoft.graph.cloudPcDeviceImageOsStatus", ("supported", "supportedWithWarning", "unknown", "unknownFutureValue")
)

DEVICE_IMAGE = EntityType(
    "microsoft.graph.cloudPcDeviceImage",
    {
        "id": string_prop(read_only=True),
        "displayName": string_prop(nullable=False),
        "version": string_prop(nullable=False),
        "sourceImageResourceId": string_prop(nullable=False),
        "status": enum_prop(DEVICE_IMAGE_STATUS, read_only=True),
        "errorCode": enum_prop(DEVICE_IMAGE_ERROR, read_only=True),
        "expirationDate": string_prop(read_only=True),
        "lastModifiedDateTime": string_prop(read_only=True),
        "operatingSystem": string_prop(read_only=True),
        "osBuildNumber": string_prop(read_only=True),
        "osStatus": enum_prop(DEVICE_IMAGE_OS_STATUS, read_only=True),
        "osVersionNumber": string_prop(read_only=True),
        "sizeInGB": int_prop(read_only=True),
        "scopeIds": Prop("strings", beta=True),
        "statusDetails": Prop("object", beta=True, read_only=True),  # deprecated beta property, always null
    },
)

_SOURCE_IMAGE_RE = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/"
    r"(images/[^/]+|galleries/[^/]+/images/[^/]+(/versions/[^/]+)?)$",
    re.IGNORECASE,
)
_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")


def device_image_outcome(source_image_resource_id: str) -> str:
    """``ready``, or the errorCode the upload fails with, decided by words in the source id."""
    source = source_image_resource_id.lower()
    if "notgeneralized" in source:
        return "sourceImageNotGeneralized"
    if "notfound" in source:
        return "sourceImageNotFound"
    if "unsupportedos" in source:
        return "osVersionNotSupported"
    if "fail" in source or "invalid" in source:
        return "sourceImageInvalid"
    return "ready"


class DeviceImages(EntitySet):
    """Create (201, ``pending``), list, get, delete; no PATCH (405)."""

    name = "deviceImages"
    entity_type = DEVICE_IMAGE

    def routes(self) -> Node:
        return self.collection(create=self.create, delete=self.delete)

    def materialize(self, entity: dict[str, Any]) -> dict[str, Any]:
        """A ``pending`` upload becomes ``ready`` (OS fields filled) or ``failed`` once its time has come."""
        now = self.backend.clock()
        if entity.get("status") != "pending" or now < entity.get("_settleAt", 0):
            return entity
        outcome = entity.get("_outcome", "ready")
        entity["lastModifiedDateTime"] = now_iso(entity.get("_settleAt"))
        if outcome == "ready":
            entity.update(
                status="ready",
                operatingSystem="Windows 11 Enterprise",
                osBuildNumber="24H2",
                osVersionNumber="10.0.26100.7171",
                osStatus="supported",
                sizeInGB=64,
                expirationDate="2028-04-12",
            )
        else:
            entity.update(status="failed", errorCode=outcome)
        return entity

    def create(self, body: Any, version: str) -> dict[str, Any]:
        data = writable_properties(DEVICE_IMAGE, body, version)
        require(data, ("displayName", "version", "sourceImageResourceId"))
        if not _VERSION_RE.match(data["version"]):
            raise BadRequest(IMAGE_VERSION_MSG)
        if not _SOURCE_IMAGE_RE.match(data["sourceImageResourceId"]):
            raise BadRequest(SOURCE_IMAGE_ID_MSG)
        now = self.backend.clock()
        image = {
            "id": str(uuid.uuid4()),
            **data,
            "status": "pending",
            "errorCode": None,
            "expirationDate": None,
            "lastModifiedDateTime": now_iso(now),
            "operatingSystem": None,
            "osBuildNumber": None,
            "osStatus": None,
            "osVersionNumber": None,
            "sizeInGB": None,
            "scopeIds": data.get("scopeIds") or ["0"],
            "_settleAt": now + self.backend.image_ready_seconds,
            "_outcome": device_image_outcome(data["sourceImageResourceId"]),
        }
        with self.store.transaction():
            return self.materialize(self.store.insert(self.name, image))

    def delete(self, image_id: str) -> None:
        with self.store.transaction():
            self.require(image_id)
            self.store.delete(self.name, image_id)
