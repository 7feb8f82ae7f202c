"""What the device image's table cannot say: the forms of its inputs (used by the table's
patterns), what a failed upload's ``errorCode`` means, and the upload timeout setting.

Sources: https://learn.microsoft.com/graph/api/resources/cloudpcdeviceimage?view=graph-rest-1.0
(``cloudPcDeviceImageErrorCode``) and https://learn.microsoft.com/windows-365/enterprise/add-device-images
(what an image needs).
"""

from __future__ import annotations

import re
from typing import Any

from w365_provider.errors import ConfigurationError

__all__ = ["ERROR_CODES", "SOURCE_IMAGE", "SOURCE_IMAGE_FORM", "VERSION", "explain", "timeout_seconds"]

VERSION = re.compile(r"^\d+\.\d+\.\d+$")
SOURCE_IMAGE = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/"
    r"(images/[^/]+|galleries/[^/]+/images/[^/]+(/versions/[^/]+)?)$",
    re.IGNORECASE,
)
SOURCE_IMAGE_FORM = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Compute/images/{imageName}"
)

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

DEFAULT_TIMEOUT_MINUTES = 180.0
"""How long an upload may stay ``pending``; ``w365:deviceImageTimeoutMinutes`` overrides it."""


def explain(error_code: str | None) -> str:
    """What a failed upload's ``errorCode`` means."""
    if not error_code:
        return "Graph gave no errorCode"
    return ERROR_CODES.get(error_code, f"Graph's errorCode is {error_code}")


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
