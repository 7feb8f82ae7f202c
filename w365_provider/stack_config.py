"""The stack config of the w365 program (namespace ``w365``): parsed and checked up front.

The program (``__main__.py``) declares what this describes; ``docs/stacks.md`` explains it with
examples. In ``stacks/Pulumi.<stack>.yaml``::

    config:
      w365:groups:                       # Entra groups, by key
        pilot:
          objectId: 5f0c3c9e-...         #   an existing group, referenced by object id
        finance:
          displayName: W365 Finance      #   or a security group the stack creates (azuread.Group)
          description: ...               #     optional; also owners: [ids], members: [ids]
      w365:images:                       # images, by key
        win11:
          type: gallery                  #   the newest supported gallery image whose sku matches
          publisher: MicrosoftWindowsDesktop
          offer: windows-ent-cpc
          sku: win11-*-ent-cpc-m365      #     a sku name or shell pattern
        golden:
          type: custom                   #   a custom image uploaded from an Azure managed image
          displayName: Contoso golden image
          version: 1.0.0
          sourceImageResourceId: /subscriptions/.../providers/Microsoft.Compute/images/golden
      w365:policies:                     # provisioning policies, by key
        pilot:
          displayName: W365 Pilot
          image: win11                   #   a key of w365:images
          domainJoinConfigurations:
            - domainJoinType: azureADJoin
              regionName: automatic
          assignments: [pilot]           #   keys of w365:groups, or {group: key, servicePlanId: id}
          # optional: description, provisioningType, enableSingleSignOn, localAdminEnabled,
          # cloudPcNamingTemplate, windowsSetting, microsoftManagedDesktop, autopatch, adopt

Keys are the Pulumi resource names. This module checks the shape (required and unknown keys,
types, references between sections) and reports every problem at once, each naming its config
key; the rules of the values themselves (naming template, GUIDs, enums ...) are the resources'
``check``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from w365_provider.errors import ConfigurationError

__all__ = [
    "AssignmentSpec",
    "CustomImageSpec",
    "GalleryImageSpec",
    "GroupSpec",
    "ImageSpec",
    "PolicySpec",
    "StackConfig",
    "load_stack_config",
    "parse_stack_config",
]

NAMESPACE = "w365"
SECTIONS = ("groups", "images", "policies")


@dataclass(frozen=True)
class GroupSpec:
    """An Entra group: referenced (``object_id``) or created (``display_name`` ...)."""

    key: str
    object_id: str | None = None
    display_name: str | None = None
    description: str | None = None
    owners: tuple[str, ...] | None = None
    members: tuple[str, ...] | None = None


@dataclass(frozen=True)
class GalleryImageSpec:
    """A gallery image, looked up by publisher, offer and sku pattern."""

    key: str
    publisher: str
    offer: str
    sku: str
    allow_supported_with_warning: bool = False


@dataclass(frozen=True)
class CustomImageSpec:
    """A custom image uploaded from an Azure managed image (``DeviceImage``)."""

    key: str
    display_name: str
    version: str
    source_image_resource_id: str


ImageSpec = Union[GalleryImageSpec, CustomImageSpec]


@dataclass(frozen=True)
class AssignmentSpec:
    """A policy assignment: a key of ``w365:groups`` and an optional service plan."""

    group: str
    service_plan_id: str | None = None


@dataclass(frozen=True)
class PolicySpec:
    """A provisioning policy. ``args`` are ``ProvisioningPolicy`` keyword arguments (snake_case)
    other than the image and the assignments, which refer to other sections by key."""

    key: str
    image: str
    assignments: tuple[AssignmentSpec, ...] | None
    """``None`` when the stack leaves assignments unmanaged; ``()`` assigns to no group."""
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StackConfig:
    """The whole ``w365`` stack config, checked."""

    groups: dict[str, GroupSpec]
    images: dict[str, ImageSpec]
    policies: dict[str, PolicySpec]


# -- loading ---------------------------------------------------------------------------------


def load_stack_config(config: Any = None) -> StackConfig:
    """Read ``w365:groups``, ``w365:images`` and ``w365:policies`` from the stack config.

    :param config: a ``pulumi.Config`` (default ``pulumi.Config("w365")``).
    :raises ConfigurationError: listing every problem, each with its config key.
    """
    if config is None:
        import pulumi

        config = pulumi.Config(NAMESPACE)
    raw: dict[str, Any] = {}
    for section in SECTIONS:
        try:
            raw[section] = config.get_object(section)
        except ValueError as exc:  # json.JSONDecodeError
            message = f"{NAMESPACE}:{section} must be structured config (a YAML mapping): {exc}"
            raise ConfigurationError(message) from None
    return parse_stack_config(raw)


def parse_stack_config(raw: Mapping[str, Any]) -> StackConfig:
    """Check and convert the three sections (values as parsed from YAML/JSON; JSON text is
    accepted too). Raises ``ConfigurationError`` listing every problem."""
    problems: list[str] = []
    sections = {name: _section(name, raw.get(name), problems) for name in SECTIONS}
    groups = {key: g for key, v in sections["groups"].items() if (g := _group(key, v, problems))}
    images = {key: i for key, v in sections["images"].items() if (i := _image(key, v, problems))}
    policies = {key: p for key, v in sections["policies"].items() if (p := _policy(key, v, problems))}
    if raw.get("policies") is None:
        problems.append(f"{NAMESPACE}:policies is not set, so the stack would declare nothing (see docs/stacks.md)")
    _check_references(sections, groups, images, policies, problems)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise ConfigurationError(f"the stack config has {len(problems)} problem(s):\n{listing}")
    return StackConfig(groups=groups, images=images, policies=policies)


# -- sections --------------------------------------------------------------------------------

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _section(name: str, value: Any, problems: list[str]) -> dict[str, Any]:
    where = f"{NAMESPACE}:{name}"
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            problems.append(f"{where} must be a mapping of keys to entries, got the text {value!r}")
            return {}
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(f"{where} must be a mapping of keys to entries, got {_kind(value)}")
        return {}
    entries: dict[str, Any] = {}
    for key, entry in value.items():
        if not isinstance(key, str) or not _KEY.match(key):
            problems.append(
                f"{where}: key {key!r} must start with a letter or digit and hold only letters, digits, "
                "'.', '_' and '-' (it becomes the Pulumi resource name)"
            )
            continue
        entries[key] = entry
    return entries


class _Entry:
    """Reads one entry's fields, recording problems under its config path."""

    def __init__(self, where: str, value: Any, known: tuple[str, ...], problems: list[str]) -> None:
        self.where = where
        self.problems = problems
        self.ok = isinstance(value, Mapping)
        self.value: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
        if not self.ok:
            problems.append(f"{where} must be a mapping, got {_kind(value)}")
            return
        for key in self.value:
            if key not in known:
                hint = _suggest(str(key), known)
                problems.append(f"{where}: unknown key {key!r}" + (f"; did you mean {hint!r}?" if hint else
                                f"; known keys: {', '.join(known)}"))  # fmt: skip

    def fail(self, key: str, reason: str) -> None:
        self.problems.append(f"{self.where}.{key}: {reason}")

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.value.get(key)
        if value is None:
            if required and self.ok:
                self.fail(key, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"must be a non-empty string, got {_kind(value)}")
            return None
        return value

    def flag(self, key: str) -> bool | None:
        value = self.value.get(key)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.fail(key, f"must be true or false, got {_kind(value)}")
        return None

    def guid(self, key: str, value: Any = None) -> str | None:
        text = self.text(key) if value is None else value
        if text is not None and not _GUID.match(text):
            self.fail(key, f"must be an object id (GUID), got {text!r}")
            return None
        return text

    def id_list(self, key: str) -> tuple[str, ...] | None:
        value = self.value.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.fail(key, f"must be a list of object ids, got {_kind(value)}")
            return None
        ids = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not _GUID.match(item):
                self.fail(f"{key}[{index}]", f"must be an object id (GUID), got {item!r}")
            else:
                ids.append(item)
        return tuple(ids)

    def nested(self, key: str, names: Mapping[str, str]) -> dict[str, Any] | None:
        """A nested object with camelCase ``names`` -> snake_case values (strings)."""
        value = self.value.get(key)
        if value is None:
            return None
        entry = _Entry(f"{self.where}.{key}", value, tuple(names), self.problems)
        if not entry.ok:
            return None
        result = {}
        for graph_name, name in names.items():
            text = entry.text(graph_name)
            if text is not None:
                result[name] = text
        return result


def _group(key: str, value: Any, problems: list[str]) -> GroupSpec | None:
    known = ("objectId", "displayName", "description", "owners", "members")
    entry = _Entry(f"{NAMESPACE}:groups.{key}", value, known, problems)
    if not entry.ok:
        return None
    object_id = entry.guid("objectId")
    display_name = entry.text("displayName")
    if "objectId" in entry.value:
        extra = [k for k in ("displayName", "description", "owners", "members") if k in entry.value]
        if extra:
            problems.append(
                f"{entry.where}: objectId references an existing group, so {', '.join(extra)} cannot be set "
                "(to create a group, give displayName and no objectId)"
            )
            return None
        return GroupSpec(key, object_id=object_id) if object_id else None
    if display_name is None:
        if "displayName" not in entry.value:
            problems.append(f"{entry.where}: needs objectId (an existing group) or displayName (a group to create)")
        return None
    return GroupSpec(
        key,
        display_name=display_name,
        description=entry.text("description"),
        owners=entry.id_list("owners"),
        members=entry.id_list("members"),
    )


_GALLERY_KEYS = ("type", "publisher", "offer", "sku", "allowSupportedWithWarning")
_CUSTOM_KEYS = ("type", "displayName", "version", "sourceImageResourceId")


def _image(key: str, value: Any, problems: list[str]) -> ImageSpec | None:
    where = f"{NAMESPACE}:images.{key}"
    kind = value.get("type") if isinstance(value, Mapping) else None
    if isinstance(value, Mapping) and kind not in ("gallery", "custom"):
        problems.append(f"{where}.type: must be gallery (a gallery image looked up by sku) or custom "
                        f"(uploaded from an Azure managed image), got {kind!r}")  # fmt: skip
        return None
    if kind == "gallery":
        entry = _Entry(where, value, _GALLERY_KEYS, problems)
        publisher = entry.text("publisher", required=True)
        offer = entry.text("offer", required=True)
        sku = entry.text("sku", required=True)
        allow = entry.flag("allowSupportedWithWarning")
        if publisher and offer and sku:
            return GalleryImageSpec(key, publisher, offer, sku, bool(allow))
        return None
    entry = _Entry(where, value, _CUSTOM_KEYS, problems)
    name = entry.text("displayName", required=True)
    version = entry.text("version", required=True)
    source = entry.text("sourceImageResourceId", required=True)
    if name and version and source:
        return CustomImageSpec(key, name, version, source)
    return None


_POLICY_TEXT = {
    "displayName": "display_name",
    "description": "description",
    "provisioningType": "provisioning_type",
    "cloudPcNamingTemplate": "cloud_pc_naming_template",
}
_POLICY_FLAGS = {
    "enableSingleSignOn": "enable_single_sign_on",
    "localAdminEnabled": "local_admin_enabled",
    "adopt": "adopt",
}
_POLICY_OBJECTS: dict[str, tuple[str, dict[str, str]]] = {
    "windowsSetting": ("windows_setting", {"locale": "locale"}),
    "microsoftManagedDesktop": ("microsoft_managed_desktop", {"managedType": "managed_type", "profile": "profile"}),
    "autopatch": ("autopatch", {"autopatchGroupId": "autopatch_group_id"}),
}
_DOMAIN_JOIN = {
    "domainJoinType": "domain_join_type",
    "onPremisesConnectionId": "on_premises_connection_id",
    "regionName": "region_name",
    "regionGroup": "region_group",
}
_POLICY_KEYS = (
    *_POLICY_TEXT, "image", "domainJoinConfigurations", "assignments", *_POLICY_FLAGS, *_POLICY_OBJECTS,
)  # fmt: skip


def _policy(key: str, value: Any, problems: list[str]) -> PolicySpec | None:
    entry = _Entry(f"{NAMESPACE}:policies.{key}", value, _POLICY_KEYS, problems)
    if not entry.ok:
        return None
    before = len(problems)
    args: dict[str, Any] = {}
    for graph_name, name in _POLICY_TEXT.items():
        if (text := entry.text(graph_name, required=name == "display_name")) is not None:
            args[name] = text
    for graph_name, name in _POLICY_FLAGS.items():
        if (flag := entry.flag(graph_name)) is not None:
            args[name] = flag
    for graph_name, (name, names) in _POLICY_OBJECTS.items():
        if (nested := entry.nested(graph_name, names)) is not None:
            args[name] = nested
    image = entry.text("image", required=True)
    joins = _domain_joins(entry, problems)
    if joins is not None:
        args["domain_join_configurations"] = joins
    assignments = _assignments(entry, problems)
    if len(problems) > before or image is None:
        return None
    return PolicySpec(key, image=image, assignments=assignments, args=args)


def _domain_joins(entry: _Entry, problems: list[str]) -> list[dict[str, Any]] | None:
    key = "domainJoinConfigurations"
    value = entry.value.get(key)
    if value is None:
        entry.fail(key, "is required: a list such as [{domainJoinType: azureADJoin, regionName: automatic}]")
        return None
    if not isinstance(value, list) or not value:
        entry.fail(key, f"must be a non-empty list of domain join configurations, got {_kind(value)}")
        return None
    joins = []
    for index, item in enumerate(value):
        join = _Entry(f"{entry.where}.{key}[{index}]", item, tuple(_DOMAIN_JOIN), problems)
        if not join.ok:
            continue
        joins.append({
            name: text for graph_name, name in _DOMAIN_JOIN.items()
            if (text := join.text(graph_name, required=graph_name == "domainJoinType"))
        })  # fmt: skip
    return joins


def _assignments(entry: _Entry, problems: list[str]) -> tuple[AssignmentSpec, ...] | None:
    key = "assignments"
    value = entry.value.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        entry.fail(key, f"must be a list of {NAMESPACE}:groups keys (or {{group, servicePlanId}} mappings), "
                        f"got {_kind(value)}")  # fmt: skip
        return None
    result = []
    for index, item in enumerate(value):
        where = f"{entry.where}.{key}[{index}]"
        if isinstance(item, str):
            result.append(AssignmentSpec(item))
            continue
        assignment = _Entry(where, item, ("group", "servicePlanId"), problems)
        if not assignment.ok:
            continue
        group = assignment.text("group", required=True)
        plan = assignment.guid("servicePlanId")
        if group:
            result.append(AssignmentSpec(group, plan))
    return tuple(result)


def _check_references(
    sections: Mapping[str, Mapping[str, Any]],
    groups: Mapping[str, GroupSpec],
    images: Mapping[str, ImageSpec],
    policies: Mapping[str, PolicySpec],
    problems: list[str],
) -> None:
    names: dict[str, str] = {}
    for key, policy in policies.items():
        where = f"{NAMESPACE}:policies.{key}"
        if policy.image not in sections["images"]:
            known = _keys(sections["images"])
            problems.append(f"{where}.image: {policy.image!r} is not a key of {NAMESPACE}:images ({known})")
        seen: set[str] = set()
        for index, assignment in enumerate(policy.assignments or ()):
            if assignment.group not in sections["groups"]:
                problems.append(
                    f"{where}.assignments[{index}]: {assignment.group!r} is not a key of {NAMESPACE}:groups "
                    f"({_keys(sections['groups'])})"
                )
            elif assignment.group in seen:
                problems.append(f"{where}.assignments[{index}]: group {assignment.group!r} is assigned twice")
            seen.add(assignment.group)
        name = policy.args["display_name"]
        if name in names:
            problems.append(
                f"{where}.displayName: {name!r} is also the name of {NAMESPACE}:policies.{names[name]}; "
                "policy names must be unique in a stack"
            )
        names.setdefault(name, key)


# -- helpers ---------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def _keys(section: Mapping[str, Any]) -> str:
    return "known: " + ", ".join(section) if section else "none are defined"


def _suggest(key: str, known: tuple[str, ...]) -> str | None:
    import difflib

    lowered = {k.lower(): k for k in known}
    if key.lower() in lowered:
        return lowered[key.lower()]
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return close[0] if close else None
