"""The kinds ``w365 export`` knows, each a ``Kind`` registration, in the order they are built
(images before the policies that refer to them).

A new resource is exported by one more registration here: its section, its spec, its
provider's ``observe``, its entry model's keys and, when it refers to other sections, a
``refine`` hook. Assignments to groups (an action property listing ``group_id``) are written
as ``w365:groups`` keys without a hook. For example, once ``UserSetting`` exists::

    Kind("userSettings", USER_SETTING_SPEC, observe=UserSettingProvider().observe,
         keys=keys_of(UserSettingEntry))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from w365_provider.config.model import CustomImageEntry, PolicyEntry
from w365_provider.export.document import Context
from w365_provider.export.kinds import Entry, Kind, LeftOut, slug
from w365_provider.kit import mapping
from w365_provider.resources.device_image.spec import FAILED
from w365_provider.resources.device_image.spec import SPEC as IMAGE_SPEC
from w365_provider.resources.provisioning_policy.provider import policy_from_graph
from w365_provider.resources.provisioning_policy.spec import SPEC as POLICY_SPEC

__all__ = ["KINDS", "keys_of"]

AUDIT = frozenset({"createdBy", "createdDateTime", "lastModifiedBy", "lastModifiedDateTime"})
"""Read-only audit fields (beta): not settings, so never worth a comment."""
ALIASES = frozenset({"domainJoinConfigurations.type", "microsoftManagedDesktop.type"})
"""Deprecated beta aliases Graph fills from ``domainJoinType`` and ``managedType``."""
SUPPORTED_WITH_WARNING = "supportedWithWarning"


def keys_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The keys of a section entry, in the model's order."""
    return tuple(info.alias or name for name, info in model.model_fields.items())


# -- custom images -----------------------------------------------------------------------------


def _image_observe(body: Mapping[str, Any]) -> dict[str, Any]:
    return mapping.normalize(IMAGE_SPEC, mapping.from_graph(IMAGE_SPEC, body))


def _image_refine(ctx: Context, body: Mapping[str, Any], entry: Entry) -> None:
    """``type: custom``; a failed upload is not an image to manage."""
    if body.get("status") == FAILED:
        raise LeftOut(f"its upload failed ({body.get('errorCode')}); there is no image to manage")
    entry.value["type"] = "custom"
    image_id = str(body.get("id")).lower()
    ctx.images[image_id] = entry.key
    ctx.image_names[image_id] = str(body.get("displayName") or "")


# -- provisioning policies ---------------------------------------------------------------------


def _gallery_key(ctx: Context, image_id: str) -> tuple[str, str]:
    """The ``w365:images`` key for a gallery image (its entry registered) and its name."""
    image = ctx.gallery.get(image_id.lower())
    if image is None:
        raise LeftOut(f"its gallery image {image_id} is not in the Windows 365 gallery, and the stack file "
                      "names gallery images by publisher, offer and sku")  # fmt: skip
    status = image.get("status")
    if status not in ("supported", SUPPORTED_WITH_WARNING):
        raise LeftOut(f"its gallery image {image_id} is {status}, which the program refuses; choose a supported "
                      "image for the policy in the admin center first")  # fmt: skip
    sku = str(image.get("skuName") or image_id)
    key = slug(sku)
    taken = ctx.gallery_entries.get(key)
    if taken is not None and taken["_id"] != image_id.lower():
        key = slug(image_id)
    value: dict[str, Any] = {"type": "gallery", "publisher": image.get("publisherName"),
                             "offer": image.get("offerName"), "sku": sku}  # fmt: skip
    if status == SUPPORTED_WITH_WARNING:
        value["allowSupportedWithWarning"] = True
    ctx.gallery_entries[key] = {**value, "_id": image_id.lower()}
    return key, str(image.get("displayName") or "")


def _policy_refine(ctx: Context, body: Mapping[str, Any], entry: Entry) -> None:
    """The image as a ``w365:images`` key (gallery images by sku, custom ones exported too)."""
    image_type, image_id = body.get("imageType"), str(body.get("imageId") or "")
    if image_type == "custom":
        key = ctx.images.get(image_id.lower())
        if key is None:
            raise LeftOut(f"its custom image {image_id} is not exported (not ready, failed, gone, or images were "
                          "not among the kinds asked for)")  # fmt: skip
        name = ctx.image_names[image_id.lower()]
    elif image_type == "gallery":
        key, name = _gallery_key(ctx, image_id)
    else:
        raise LeftOut(f"imageType {image_type!r} is not one the stack file knows (gallery, custom)")
    entry.value["image"] = key
    shown = body.get("imageDisplayName")
    if shown and name and shown != name:
        entry.notes.append(f"imageDisplayName is {shown!r} in Graph; the program sends the image's name {name!r}, "
                           "so the first up changes it")  # fmt: skip


KINDS: tuple[Kind, ...] = (
    Kind(
        "images", IMAGE_SPEC, observe=_image_observe, keys=("type", *keys_of(CustomImageEntry)[1:]),
        refine=_image_refine, defaults={"scopeIds": ["0"]},
        key=lambda body: slug(f"{body.get('displayName')}-{body.get('version')}"),
    ),
    Kind(
        "policies", POLICY_SPEC, observe=policy_from_graph, keys=keys_of(PolicyEntry), query={"$expand": "assignments"},
        refine=_policy_refine, quiet=AUDIT | ALIASES,
        defaults={"managedBy": "windows365", "userExperienceType": "cloudPc", "scopeIds": ["0"]},
    ),
)  # fmt: skip
"""Every kind ``w365 export`` writes, in build order."""
