"""The kinds ``w365 export`` knows, each a ``Kind`` registration, in the order they are built
(images before the policies that refer to them).

A new resource is exported by one more registration here: its section, its spec, its
provider's ``observe``, its entry model's keys and, when it refers to other sections, a
``refine`` hook. Assignments to groups (an action property listing ``group_id``) are written
as ``w365:groups`` keys without a hook. User settings are one such registration::

    Kind("userSettings", USER_SETTING_SPEC, observe=setting_from_graph, keys=keys_of(UserSettingEntry),
         query={"$expand": "assignments"})

Azure network connections come before the policies, so a policy's join through an exported
connection names it by key (``networkConnection: <key>``); the domain-join password is never
exported (Graph never returns it): a comment gives the ``pulumi config set --secret`` command.
Organization settings are a singleton (one GET, Graph beta), written without ``adopt``: the
resource takes the tenant's one object over and PATCHes only what differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from w365_provider.config.model import CustomImageEntry, PolicyEntry
from w365_provider.config.tenant_model import NetworkConnectionEntry, OrganizationSettingsEntry, UserSettingEntry
from w365_provider.export.document import Context
from w365_provider.export.kinds import Entry, Kind, LeftOut, slug
from w365_provider.kit import mapping
from w365_provider.resources.device_image.spec import FAILED
from w365_provider.resources.device_image.spec import SPEC as IMAGE_SPEC
from w365_provider.resources.network_connection.spec import SPEC as CONNECTION_SPEC
from w365_provider.resources.organization_settings.provider import OrganizationSettingsProvider
from w365_provider.resources.organization_settings.spec import SPEC as ORGANIZATION_SPEC
from w365_provider.resources.provisioning_policy.provider import policy_from_graph
from w365_provider.resources.provisioning_policy.spec import SPEC as POLICY_SPEC
from w365_provider.resources.user_setting.provider import setting_from_graph
from w365_provider.resources.user_setting.spec import SPEC as SETTING_SPEC

__all__ = ["KINDS", "keys_of"]

AUDIT = frozenset({"createdBy", "createdDateTime", "lastModifiedBy", "lastModifiedDateTime"})
"""Read-only audit fields (beta): not settings, so never worth a comment."""
ALIASES = frozenset({"domainJoinConfigurations.type", "microsoftManagedDesktop.type"})
"""Deprecated beta aliases Graph fills from ``domainJoinType`` and ``managedType``."""
SUPPORTED_WITH_WARNING = "supportedWithWarning"
PASSWORD_KEY = "adDomainPassword"
PASSWORD_HOW = ("set it before `pulumi up` with: pulumi config set --secret --path "
                "'w365:networkConnections.{key}.adDomainPassword' <the join account's password>")  # fmt: skip
"""The placeholder comment of a hybrid join connection (``{key}``: its key)."""
CONNECTION_QUIET = frozenset({"type", "healthCheckStatusDetail", "healthCheckStatusDetails", "inUse",
                              "subnetPrivateIpDetail"})  # fmt: skip
"""A connection's read-only status and deprecated aliases (beta): not settings."""


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


# -- Azure network connections ------------------------------------------------------------------


def _connection_observe(body: Mapping[str, Any]) -> dict[str, Any]:
    return mapping.normalize(CONNECTION_SPEC, mapping.from_graph(CONNECTION_SPEC, body))


def _connection_refine(ctx: Context, body: Mapping[str, Any], entry: Entry) -> None:
    """Register the key, for the policies that join through the connection."""
    ctx.connections[str(body.get("id")).lower()] = entry.key


def _hybrid(body: Mapping[str, Any]) -> bool:
    return body.get("connectionType", "hybridAzureADJoin") == "hybridAzureADJoin"


# -- provisioning policies ---------------------------------------------------------------------


def _joins_by_key(ctx: Context, entry: Entry) -> None:
    """A join through an exported connection names it by key (the engine then orders them)."""
    joins = entry.value.get("domainJoinConfigurations")
    for join in joins if isinstance(joins, list) else []:
        key = ctx.connections.get(str(join.get("onPremisesConnectionId") or "").lower())
        if key is not None:
            join["networkConnection"] = key
            del join["onPremisesConnectionId"]


def _policy_refine(ctx: Context, body: Mapping[str, Any], entry: Entry) -> None:
    """The image as a ``w365:images`` key (gallery images by sku, custom ones exported too), an
    exported connection by its key."""
    _joins_by_key(ctx, entry)
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
        "networkConnections", CONNECTION_SPEC, observe=_connection_observe, keys=keys_of(NetworkConnectionEntry),
        refine=_connection_refine, secrets={PASSWORD_KEY: PASSWORD_HOW}, secret_when=_hybrid,
        quiet=AUDIT | CONNECTION_QUIET, defaults={"managedBy": "windows365", "scopeIds": ["0"]},
    ),
    Kind(
        "policies", POLICY_SPEC, observe=policy_from_graph, keys=keys_of(PolicyEntry), query={"$expand": "assignments"},
        refine=_policy_refine, quiet=AUDIT | ALIASES,
        defaults={"managedBy": "windows365", "userExperienceType": "cloudPc", "scopeIds": ["0"]},
    ),
    Kind(
        "userSettings", SETTING_SPEC, observe=setting_from_graph, keys=keys_of(UserSettingEntry),
        query={"$expand": "assignments"}, quiet=AUDIT,
    ),
    Kind(
        "organizationSettings", ORGANIZATION_SPEC, observe=OrganizationSettingsProvider().observe,
        keys=keys_of(OrganizationSettingsEntry), singleton=True, name=lambda body: "organization settings",
    ),
)  # fmt: skip
"""Every kind ``w365 export`` writes, in build order."""
