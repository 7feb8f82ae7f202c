"""``get_gallery_image``: the newest supported Windows 365 gallery image for a sku pattern.

Runs in the Pulumi program (during ``preview`` too), so a policy can say "the newest
Windows 11 Enterprise + Microsoft 365 Apps" instead of pinning a sku that goes out of support::

    image = get_gallery_image("MicrosoftWindowsDesktop", "windows-ent-cpc", "win11-*-ent-cpc-m365")
    ProvisioningPolicy(..., image_id=image.id, image_type="gallery", image_display_name=image.display_name)

Graph: one ``GET /deviceManagement/virtualEndpoint/galleryImages`` (all pages; the catalogue is
small and Graph documents no ``$filter`` on it). The choice is made here, by
``select_gallery_image``, a pure function:

- publisher and offer match exactly, ignoring case; the sku matches the shell-style pattern
  (``*``, ``?``, ``[...]``), ignoring case;
- only ``supported`` images qualify (``supportedWithWarning`` too when allowed: they are past
  their end date and soon cannot be provisioned); ``notSupported`` never does;
- the newest wins: latest ``startDate``, then highest ``osVersionNumber``, then sku name.

When nothing qualifies, ``NoMatchingImageError`` says what the gallery does hold.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from w365_provider.errors import NoMatchingImageError
from w365_provider.graph.client import runtime
from w365_provider.settings import Settings

__all__ = ["GalleryImage", "get_gallery_image", "list_gallery_images", "select_gallery_image"]

SUPPORTED = "supported"
SUPPORTED_WITH_WARNING = "supportedWithWarning"


@dataclass(frozen=True)
class GalleryImage:
    """One image of the Windows 365 gallery, as Graph describes it."""

    id: str
    """``{publisher}_{offer}_{sku}``: the ``image_id`` of a policy with ``image_type="gallery"``."""
    display_name: str
    publisher: str
    offer: str
    sku: str
    status: str
    """``supported``, ``supportedWithWarning`` or ``notSupported``."""
    os_version: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    """After this date the status becomes ``supportedWithWarning``."""
    expiration_date: str | None = None
    """After this date no new Cloud PC can be provisioned from the image."""
    size_in_gb: int | None = None

    @classmethod
    def from_graph(cls, body: Mapping[str, Any]) -> GalleryImage:
        """From Graph's ``cloudPcGalleryImage`` JSON."""
        return cls(
            id=str(body.get("id") or ""),
            display_name=str(body.get("displayName") or ""),
            publisher=str(body.get("publisherName") or ""),
            offer=str(body.get("offerName") or ""),
            sku=str(body.get("skuName") or ""),
            status=str(body.get("status") or "unknown"),
            os_version=body.get("osVersionNumber"),
            start_date=body.get("startDate"),
            end_date=body.get("endDate"),
            expiration_date=body.get("expirationDate"),
            size_in_gb=body.get("sizeInGB"),
        )


def get_gallery_image(
    publisher: str,
    offer: str,
    sku_pattern: str,
    *,
    allow_supported_with_warning: bool = False,
    settings: Settings | None = None,
) -> GalleryImage:
    """The newest supported gallery image of ``publisher``/``offer`` whose sku matches ``sku_pattern``.

    :param publisher: Publisher name, for example ``MicrosoftWindowsDesktop``.
    :param offer: Offer name, for example ``windows-ent-cpc``.
    :param sku_pattern: Sku name or shell-style pattern, for example ``win11-*-ent-cpc-m365``.
    :param allow_supported_with_warning: Also accept images past their end date.
    :param settings: Where Graph is; by default from the stack config (``w365:graphUrl`` ...)
        and the environment.
    :raises NoMatchingImageError: when no image qualifies.
    :raises GraphError: when the gallery cannot be read.
    """
    return select_gallery_image(
        list_gallery_images(settings),
        publisher,
        offer,
        sku_pattern,
        allow_supported_with_warning=allow_supported_with_warning,
    )


def list_gallery_images(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every gallery image as Graph JSON (one GET, following ``@odata.nextLink``)."""
    if settings is None:
        settings = Settings.from_pulumi_config()
    rt = runtime(settings)
    return rt.run(
        rt.list(
            lambda client: client.device_management.virtual_endpoint.gallery_images,
            operation="list Windows 365 gallery images",
        )
    )


def select_gallery_image(
    images: Iterable[Mapping[str, Any] | GalleryImage],
    publisher: str,
    offer: str,
    sku_pattern: str,
    *,
    allow_supported_with_warning: bool = False,
) -> GalleryImage:
    """Pick the newest qualifying image from ``images`` (Graph JSON or ``GalleryImage``)."""
    catalogue = [i if isinstance(i, GalleryImage) else GalleryImage.from_graph(i) for i in images]
    statuses = {SUPPORTED, SUPPORTED_WITH_WARNING} if allow_supported_with_warning else {SUPPORTED}
    same_offer = [
        i for i in catalogue
        if i.publisher.lower() == publisher.lower() and i.offer.lower() == offer.lower()
    ]  # fmt: skip
    matching = [i for i in same_offer if fnmatch.fnmatchcase(i.sku.lower(), sku_pattern.lower())]
    usable = [i for i in matching if i.status in statuses]
    if usable:
        return max(usable, key=_newness)
    raise NoMatchingImageError(_explain(catalogue, same_offer, matching, publisher, offer, sku_pattern, statuses))


def _newness(image: GalleryImage) -> tuple[str, tuple[int, ...], str]:
    return (image.start_date or "", _version(image.os_version), image.sku)


def _version(text: str | None) -> tuple[int, ...]:
    parts = []
    for part in (text or "").split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def _explain(
    catalogue: list[GalleryImage],
    same_offer: list[GalleryImage],
    matching: list[GalleryImage],
    publisher: str,
    offer: str,
    sku_pattern: str,
    statuses: set[str],
) -> str:
    wanted = " or ".join(sorted(statuses, key=len))
    head = (
        f"no {wanted} Windows 365 gallery image matches publisher {publisher!r}, offer {offer!r} "
        f"and sku {sku_pattern!r}"
    )
    if matching:
        found = ", ".join(f"{i.sku} ({i.status})" for i in sorted(matching, key=_newness, reverse=True))
        hint = ""
        if SUPPORTED_WITH_WARNING not in statuses:
            hint = "; allow supportedWithWarning images to use one past its end date"
        return f"{head}: the matching images are not supported any more: {found}{hint}"
    if same_offer:
        skus = ", ".join(sorted(i.sku for i in same_offer))
        return f"{head}: that publisher and offer have the skus {skus}"
    offers = sorted({f"{i.publisher}/{i.offer}" for i in catalogue})
    if not offers:
        return f"{head}: the gallery is empty"
    return f"{head}: the gallery has the publisher/offer pairs {', '.join(offers)}"
