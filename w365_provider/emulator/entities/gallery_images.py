"""``galleryImages``: the read-only catalogue of Windows images (re-seeded on every start).

Graph reference:
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpcgalleryimage?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/virtualendpoint-list-galleryimages?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpcgalleryimage-get?view=graph-rest-1.0
"""

from __future__ import annotations

from .. import seed
from ..schema import EntityType, EnumType, enum_prop, int_prop, string_prop
from .base import EntitySet

GALLERY_STATUS = EnumType(
    "microsoft.graph.cloudPcGalleryImageStatus", ("supported", "supportedWithWarning", "notSupported", "unknownFutureValue")
)

GALLERY_IMAGE = EntityType(
    "microsoft.graph.cloudPcGalleryImage",
    {
        "id": string_prop(read_only=True),
        "displayName": string_prop(read_only=True),
        "publisherName": string_prop(read_only=True),
        "offerName": string_prop(read_only=True),
        "skuName": string_prop(read_only=True),
        "osVersionNumber": string_prop(read_only=True),
        "sizeInGB": int_prop(read_only=True),
        "startDate": string_prop(read_only=True),
        "endDate": string_prop(read_only=True),
        "expirationDate": string_prop(read_only=True),
        "status": enum_prop(GALLERY_STATUS, read_only=True),
    },
)


class GalleryImages(EntitySet):
    """Read-only: list and get; ids ``{publisherName}_{offerName}_{skuName}``."""

    name = "galleryImages"
    entity_type = GALLERY_IMAGE

    def seed(self, *, first: bool) -> None:
        """Re-written on every start and reset (a catalogue, not tenant data)."""
        for image in seed.GALLERY_IMAGES:
            self.store.upsert(self.name, dict(image))
