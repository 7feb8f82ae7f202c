"""DeviceImage: a custom Windows 365 image uploaded from an Azure managed image.

The package: ``spec.py`` (the table), ``rules.py`` (input forms, error codes, the upload timeout),
``provider.py`` (waiting for the upload) and, here, the public resource class. Graph has no
update for device images, so every input change replaces the image: the new image is uploaded
before the old one is deleted, so a policy using the image moves to the new one in between.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import pulumi

from w365_provider.kit.resource import register, resource_options, resource_props

from .provider import DeviceImageProvider
from .spec import SPEC

__all__ = ["SPEC", "DeviceImage", "DeviceImageProvider"]


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
    :param adopt: Take over an existing image instead of uploading one: ``True`` takes the one
        image with this display name, a Graph id (what ``w365 export`` writes) exactly that
        image. Its name, version and source must match the code (they cannot change).
    :param opts: Resource options; ``replace_on_changes`` for every input is added.
    """

    if TYPE_CHECKING:  # the outputs, for type checkers and readers only (see w365_provider.kit.resource)
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
        adopt: pulumi.Output[bool | str]

    def __init__(
        self,
        resource_name: str,
        *,
        display_name: pulumi.Input[str],
        version: pulumi.Input[str],
        source_image_resource_id: pulumi.Input[str],
        adopt: bool | str = False,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        given = {"display_name": display_name, "version": version, "source_image_resource_id": source_image_resource_id,
                 "adopt": adopt or None}  # fmt: skip
        props = resource_props(SPEC, given)
        register(self, DeviceImageProvider, resource_name, props, resource_options(SPEC, opts))
