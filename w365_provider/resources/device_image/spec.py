"""The table of a custom device image: what Graph says about each property.

Graph: ``cloudPcDeviceImage`` at ``/deviceManagement/virtualEndpoint/deviceImages``
(https://learn.microsoft.com/graph/api/resources/cloudpcdeviceimage?view=graph-rest-1.0). Graph
has no update for device images, so every input replaces the image when it changes.
"""

from __future__ import annotations

from typing import Any

from w365_provider.kit import Adopt, Enum, Int, Property, Spec, Str
from w365_provider.kit.spec import Mutability

from .rules import SOURCE_IMAGE, SOURCE_IMAGE_FORM, VERSION

__all__ = ["FAILED", "PENDING", "READY", "SPEC"]

C, R, O = Mutability.COMPUTED, Mutability.REPLACE, Mutability.CREATE_ONLY
PENDING, READY, FAILED = "pending", "ready", "failed"
DISPLAY_NAME_MAX = 120
NONEMPTY: dict[str, Any] = {"non_empty": True, "expect": "a non-empty string", "blank": "must be a non-empty string"}


def _images(client: Any) -> Any:
    return client.device_management.virtual_endpoint.device_images


def _image(client: Any, image_id: str) -> Any:
    return _images(client).by_cloud_pc_device_image_id(image_id)


SPEC = Spec(
    graph_type="cloudPcDeviceImage",
    noun="device image",
    plural="device images",
    short="image",
    short_plural="images",
    id_name="image_id",
    id_label="Graph id of the image: a policy's image_id with image_type custom",
    collection=_images,
    item=_image,
    create_verb="upload",
    filter_by_name=False,
    track_applied=False,
    admin_center="the Microsoft Intune admin center (Devices > Windows 365 > Custom images)",
    properties=(
        Property("display_name", "displayName", Str(max_length=DISPLAY_NAME_MAX, **NONEMPTY), "Image name", R,
                 required=True),
        Property("version", "version",
                 Str(pattern=VERSION, pattern_reason="must have the form major.minor.patch, for example 1.0.0",
                     **NONEMPTY),
                 "Image version (major.minor.patch)", R, required=True),
        Property("source_image_resource_id", "sourceImageResourceId",
                 Str(pattern=SOURCE_IMAGE, pattern_reason=f"must be an Azure managed image id, {SOURCE_IMAGE_FORM}",
                     **NONEMPTY),
                 "The Azure managed image (or gallery image version) uploaded", R, required=True),
        Property("adopt", None, Adopt(),
                 "Take over an existing image instead of uploading one: true (by name) or its Graph id",
                 O, default=False),
        Property("status", "status", Enum((PENDING, READY, FAILED), "cloudPcDeviceImageStatus"),
                 "Upload status: pending, ready or failed", C),
        Property("error_code", "errorCode", Str(), "Why an upload failed (cloudPcDeviceImageErrorCode)", C),
        Property("operating_system", "operatingSystem", Str(), "Operating system of the image", C),
        Property("os_build_number", "osBuildNumber", Str(), "OS build number", C),
        Property("os_version_number", "osVersionNumber", Str(), "OS version number", C),
        Property("os_status", "osStatus", Str(), "OS support: supported, supportedWithWarning or unknown", C),
        Property("expiration_date", "expirationDate", Str(), "Date the OS version stops being supported", C),
        Property("size_in_gb", "sizeInGB", Int(), "Image size in GB", C),
        Property("last_modified_date_time", "lastModifiedDateTime", Str(), "Last change of the image", C),
    ),
    unmanaged={
        "scopeIds": "beta-only; Intune scope tags, not managed yet (see the beta-surface issue)",
        "statusDetails": "beta-only and deprecated (replaced by errorCode)",
    },
)  # fmt: skip
"""The device image's table."""
