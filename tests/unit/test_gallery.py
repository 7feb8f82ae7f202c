"""Gallery image selection (``select_gallery_image``): pure, on the emulator's seeded catalogue."""

from __future__ import annotations

from typing import Any

import pytest

from w365_provider import NoMatchingImageError
from w365_provider.emulator.seed import GALLERY_IMAGES
from w365_provider.gallery import GalleryImage, select_gallery_image

P, O = "MicrosoftWindowsDesktop", "windows-ent-cpc"


def image(sku: str, start: str, status: str = "supported", os_version: str = "10.0.1.1", **extra: Any) -> dict[str, Any]:
    return {"id": f"{P}_{O}_{sku}", "displayName": sku, "publisherName": P, "offerName": O, "skuName": sku,
            "startDate": start, "status": status, "osVersionNumber": os_version, **extra}  # fmt: skip


def test_newest_supported_image_of_a_pattern() -> None:
    found = select_gallery_image(GALLERY_IMAGES, P, O, "win11-*-ent-cpc-m365")
    assert found.id == "MicrosoftWindowsDesktop_windows-ent-cpc_win11-25h2-ent-cpc-m365"
    assert found.display_name == "Windows 11 Enterprise + Microsoft 365 Apps 25H2"
    assert found.status == "supported"
    assert found.start_date == "2025-10-14"


def test_pattern_does_not_match_longer_skus() -> None:
    found = select_gallery_image(GALLERY_IMAGES, P, O, "win11-*-ent-cpc")
    assert found.sku == "win11-25h2-ent-cpc"


def test_exact_sku_and_case_insensitive_names() -> None:
    found = select_gallery_image(GALLERY_IMAGES, P.lower(), O.upper(), "WIN11-24H2-ENT-CPC-M365")
    assert found.sku == "win11-24h2-ent-cpc-m365"


def test_supported_with_warning_only_when_allowed() -> None:
    with pytest.raises(NoMatchingImageError) as info:
        select_gallery_image(GALLERY_IMAGES, P, O, "win11-23h2-*")
    assert str(info.value) == (
        "no supported Windows 365 gallery image matches publisher 'MicrosoftWindowsDesktop', offer "
        "'windows-ent-cpc' and sku 'win11-23h2-*': the matching images are not supported any more: "
        "win11-23h2-ent-cpc-m365 (supportedWithWarning), win11-23h2-ent-cpc (supportedWithWarning); "
        "allow supportedWithWarning images to use one past its end date"
    )
    found = select_gallery_image(GALLERY_IMAGES, P, O, "win11-23h2-*-m365", allow_supported_with_warning=True)
    assert found.status == "supportedWithWarning"


def test_not_supported_never_qualifies() -> None:
    with pytest.raises(NoMatchingImageError, match=r"win10-22h2-ent-cpc-m365 \(notSupported\)"):
        select_gallery_image(GALLERY_IMAGES, P, O, "win10-*", allow_supported_with_warning=True)


def test_supported_beats_newer_but_warned() -> None:
    images = [image("a", "2026-01-01", "supportedWithWarning"), image("b", "2025-01-01")]
    assert select_gallery_image(images, P, O, "*").sku == "b"
    assert select_gallery_image(images, P, O, "*", allow_supported_with_warning=True).sku == "a"


def test_ties_on_start_date_go_to_the_higher_os_version() -> None:
    images = [image("x", "2025-10-14", os_version="10.0.26200.999"), image("y", "2025-10-14", os_version="10.0.26200.1000")]
    assert select_gallery_image(images, P, O, "*").sku == "y"


def test_unknown_sku_lists_the_offer_skus() -> None:
    with pytest.raises(NoMatchingImageError) as info:
        select_gallery_image(GALLERY_IMAGES, P, O, "win12-*")
    message = str(info.value)
    assert "sku 'win12-*': that publisher and offer have the skus win10-22h2-ent-cpc-m365, " in message
    assert "win11-25h2-ent-cpc-m365" in message


def test_unknown_offer_lists_the_gallery() -> None:
    with pytest.raises(NoMatchingImageError) as info:
        select_gallery_image(GALLERY_IMAGES, P, "windows-ent", "*")
    assert str(info.value).endswith(
        "the gallery has the publisher/offer pairs MicrosoftWindowsDesktop/windows-ent-cpc"
    )
    with pytest.raises(NoMatchingImageError, match="the gallery is empty$"):
        select_gallery_image([], P, O, "*")


def test_accepts_gallery_image_objects() -> None:
    objects = [GalleryImage.from_graph(i) for i in GALLERY_IMAGES]
    assert select_gallery_image(objects, P, O, "win11-24h2-ent-cpc").sku == "win11-24h2-ent-cpc"
