"""Reading the stack config: every problem at once, each with its YAML path, before anything is declared.

Three passes, all run on every config, so one preview lists everything:

1. the shape, by the pydantic model (``model.StackConfigModel``): required and unknown keys, types,
   enums, GUIDs, regions, section keys;
2. references between sections: images and groups by key, a group assigned twice, two policies
   with the same name;
3. the resources' own rules (``ProvisioningPolicy``'s ``normalize`` + ``validate``, ``DeviceImage``'s
   ``validate``) on each entry that passed 1, with the resource's property names translated back
   to the stack file's keys (naming template, display name characters, domain join combinations ...).

The result is plain dataclasses (``StackConfig``) that ``__main__.py`` turns into resources.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Union
from urllib.parse import urlsplit

from pydantic import ValidationError

from w365_provider.config import problems as pr
from w365_provider.config.model import (
    ApplyEntry,
    AssignmentEntry,
    AutopilotEntry,
    CustomImageEntry,
    DomainJoinEntry,
    GalleryImageEntry,
    GroupEntry,
    PersistenceEntry,
    PolicyEntry,
    StackConfigModel,
    TENANT_REGIONS,
)
from w365_provider.config import tenant
from w365_provider.config.tenant import NetworkConnectionSpec, OrganizationSettingsSpec, UserSettingSpec
from w365_provider.errors import ConfigurationError
from w365_provider.settings import PROGRAM_SECTIONS

__all__ = [
    "AssignmentSpec",
    "CustomImageSpec",
    "GalleryImageSpec",
    "GroupSpec",
    "ImageSpec",
    "NAMESPACE",
    "PolicySpec",
    "SECTIONS",
    "StackConfig",
    "load_stack_config",
    "parse_stack_config",
    "stack_config_problems",
]

NAMESPACE = pr.NAMESPACE
SECTIONS = PROGRAM_SECTIONS
SINGLETONS = ("organizationSettings",)
"""Sections that hold one entry, not a mapping of keys to entries."""

PLACEHOLDER_GALLERY_ID = "MicrosoftWindowsDesktop_windows-ent-cpc_placeholder"
PLACEHOLDER_GUID = "00000000-0000-4000-8000-{:012d}"


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
    adopt: bool | str | None = None
    """``True`` (by display name) or a Graph id: take over an existing image."""


ImageSpec = Union[GalleryImageSpec, CustomImageSpec]


@dataclass(frozen=True)
class AssignmentSpec:
    """A policy assignment: a key of ``w365:groups`` and an optional service plan."""

    group: str
    service_plan_id: str | None = None
    allotment_display_name: str | None = None
    allotment_licenses_count: int | None = None

    def target(self, group_id: str) -> dict[str, Any]:
        """The ``ProvisioningPolicy`` assignment for the group's id (unset keys left out)."""
        values = {"group_id": group_id, "service_plan_id": self.service_plan_id,
                  "allotment_display_name": self.allotment_display_name,
                  "allotment_licenses_count": self.allotment_licenses_count}  # fmt: skip
        return {k: v for k, v in values.items() if v is not None}


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
    user_settings: dict[str, UserSettingSpec] = field(default_factory=dict)
    network_connections: dict[str, NetworkConnectionSpec] = field(default_factory=dict)
    organization_settings: OrganizationSettingsSpec | None = None


# -- loading -----------------------------------------------------------------------------------


def load_stack_config(config: Any = None) -> StackConfig:
    """Read the program's sections (``SECTIONS``) from the stack config.

    :param config: a ``pulumi.Config`` (default ``pulumi.Config("w365")``).
    :raises ConfigurationError: listing every problem, each with its YAML path.
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
    from pulumi.runtime.config import is_config_secret

    secrets = {section for section in SECTIONS if is_config_secret(f"{NAMESPACE}:{section}")}
    url = config.get("graphUrl") or os.environ.get("W365_GRAPH_URL") or ""
    return parse_stack_config(raw, secret_sections=secrets, api_version=api_version_of(url))


def api_version_of(graph_url: str) -> str:
    """``beta`` when ``graph_url`` (``w365:graphUrl``) names Graph's beta root, else ``v1.0``."""
    return "beta" if urlsplit(graph_url).path.rstrip("/").rsplit("/", 1)[-1] == "beta" else "v1.0"


def parse_stack_config(
    raw: Mapping[str, Any], *, secret_sections: Collection[str] | None = None, api_version: str = "v1.0"
) -> StackConfig:
    """Check and convert the sections (values as parsed from YAML/JSON; JSON text is accepted
    too). ``secret_sections``: the sections the stack file holds secrets in (a password must be
    one); ``None`` skips that check. ``api_version``: the Graph version of ``w365:graphUrl``; on
    ``beta`` a region name the documentation does not list is left to the tenant's supported
    regions (the policy's check at preview). Raises ``ConfigurationError`` listing every problem."""
    token = TENANT_REGIONS.set(api_version == "beta")
    try:
        return _parse(raw, secret_sections)
    finally:
        TENANT_REGIONS.reset(token)


def _parse(raw: Mapping[str, Any], secret_sections: Collection[str] | None) -> StackConfig:
    data, found = _sections(raw)
    if raw.get("policies") is None:
        found.append(pr.Problem(("policies",), "is not set, so the stack would declare nothing (see docs/stacks.md)"))
    try:
        StackConfigModel.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        found += pr.from_validation_error(exc, StackConfigModel)
    bad = {p.path[:2] for p in found}
    entries = {name: {k: v for k, v in data[name].items() if (name, k) not in bad}
               for name in SECTIONS if name not in SINGLETONS}  # fmt: skip
    config = _specs(entries, None if any(p.path[:1] == ("organizationSettings",) for p in found)
                    else data["organizationSettings"])  # fmt: skip
    found += _references(data, config)
    found += tenant.tenant_references(data, config.user_settings, config.network_connections, secret_sections)
    found += _resource_rules(config)
    found += tenant.tenant_rules(config.user_settings, config.network_connections, config.organization_settings)
    found += _rules_of_broken_policies(data["policies"], found, config)
    if found:
        raise ConfigurationError(_message(_ordered(found, data)))
    return config


def stack_config_problems(raw: Mapping[str, Any], *, api_version: str = "v1.0") -> list[str]:
    """Every problem of ``raw`` as ``<YAML path>: <rule>`` lines (empty when it is valid)."""
    try:
        parse_stack_config(raw, api_version=api_version)
    except ConfigurationError as exc:
        return [line.removeprefix("  - ") for line in str(exc).splitlines()[1:]]
    return []


def _message(found: list[pr.Problem]) -> str:
    listing = "\n".join(f"  - {p}" for p in found)
    return f"the stack config has {len(found)} problem(s):\n{listing}"


def _ordered(found: list[pr.Problem], data: Mapping[str, Mapping[str, Any]]) -> list[pr.Problem]:
    """Section by section, entries in file order, each entry's problems in the order found."""
    unique = list(dict.fromkeys(found))
    order = {(s, k): i for i, (s, k) in enumerate((s, k) for s in SECTIONS if s not in SINGLETONS for k in data.get(s) or {})}

    def rank(item: tuple[int, pr.Problem]) -> tuple[int, int, int]:
        index, problem = item
        section = SECTIONS.index(problem.path[0]) if problem.path and problem.path[0] in SECTIONS else -1
        return section, order.get(tuple(problem.path[:2]), -1), index  # type: ignore[arg-type]

    return [p for _, p in sorted(enumerate(unique), key=rank)]


# -- pass 0: sections --------------------------------------------------------------------------


def _sections(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[pr.Problem]]:
    data: dict[str, Any] = {}
    found: list[pr.Problem] = []
    for name in SECTIONS:
        value = raw.get(name)
        if name in SINGLETONS:
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    found.append(pr.Problem((name,), f"must be a mapping, got the text {value!r}"))
                    value = None
            data[name] = value
            continue
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                found.append(pr.Problem((name,), f"must be a mapping of keys to entries, got the text {value!r}"))
                value = None
        if value is not None and not isinstance(value, Mapping):
            found.append(pr.Problem((name,), f"must be a mapping of keys to entries, got {pr.describe(value)}"))
            value = None
        data[name] = {str(k): v for k, v in (value or {}).items()}
    return data, found


# -- pass 1: entries to specs ------------------------------------------------------------------


def _specs(entries: Mapping[str, Mapping[str, Any]], organization: Any = None) -> StackConfig:
    groups = {k: _group(k, GroupEntry.model_validate(v)) for k, v in entries["groups"].items()}
    images: dict[str, ImageSpec] = {}
    for key, value in entries["images"].items():
        entry = (GalleryImageEntry if value.get("type") == "gallery" else CustomImageEntry).model_validate(value)
        images[key] = _image(key, entry)
    policies = {k: _policy(k, PolicyEntry.model_validate(v)) for k, v in entries["policies"].items()}
    return StackConfig(
        groups=groups, images=images, policies=policies,
        user_settings=tenant.user_settings(entries.get("userSettings") or {}),
        network_connections=tenant.network_connections(entries.get("networkConnections") or {}),
        organization_settings=tenant.organization_settings(organization),
    )  # fmt: skip


def _group(key: str, entry: GroupEntry) -> GroupSpec:
    return GroupSpec(
        key,
        object_id=entry.object_id,
        display_name=entry.display_name,
        description=entry.description,
        owners=tuple(entry.owners) if entry.owners is not None else None,
        members=tuple(entry.members) if entry.members is not None else None,
    )


def _image(key: str, entry: GalleryImageEntry | CustomImageEntry) -> ImageSpec:
    if isinstance(entry, GalleryImageEntry):
        return GalleryImageSpec(key, entry.publisher, entry.offer, entry.sku, entry.allow_supported_with_warning)
    return CustomImageSpec(key, entry.display_name, entry.version, entry.source_image_resource_id, entry.adopt)


def _policy(key: str, entry: PolicyEntry) -> PolicySpec:
    assignments = None
    if entry.assignments is not None:
        assignments = tuple(
            AssignmentSpec(a) if isinstance(a, str)
            else AssignmentSpec(a.group, a.service_plan_id, a.allotment_display_name, a.allotment_licenses_count)
            for a in entry.assignments
        )
    args = entry.model_dump(exclude_none=True, exclude={"image", "assignments"})
    return PolicySpec(key, image=entry.image, assignments=assignments, args=args)


# -- pass 2: references ------------------------------------------------------------------------


def _references(data: Mapping[str, Mapping[str, Any]], config: StackConfig) -> list[pr.Problem]:
    found: list[pr.Problem] = []
    names: dict[str, str] = {}
    for key, policy in config.policies.items():
        where = ("policies", key)
        if policy.image not in data["images"]:
            found.append(pr.Problem((*where, "image"), f"{policy.image!r} is not a key of {NAMESPACE}:images "
                                                      f"({pr.known_keys(data['images'], policy.image)}"))  # fmt: skip
        seen: set[str] = set()
        for index, assignment in enumerate(policy.assignments or ()):
            at = (*where, "assignments", index)
            if assignment.group not in data["groups"]:
                found.append(pr.Problem(at, f"{assignment.group!r} is not a key of {NAMESPACE}:groups "
                                            f"({pr.known_keys(data['groups'], assignment.group)}"))  # fmt: skip
            elif assignment.group in seen:
                found.append(pr.Problem(at, f"group {assignment.group!r} is assigned twice"))
            seen.add(assignment.group)
        name = policy.args["display_name"]
        if name in names:
            found.append(pr.Problem((*where, "displayName"), f"{name!r} is also the name of "
                                    f"{NAMESPACE}:policies.{names[name]}; policy names must be unique in a stack"))  # fmt: skip
        names.setdefault(name, key)
    return found


# -- pass 3: the resources' own rules ----------------------------------------------------------

_POLICY_KEYS: dict[str, str] = {name: info.alias or name for name, info in PolicyEntry.model_fields.items()}
_NESTED_KEYS: dict[str, str] = {
    name: info.alias or name
    for model in (DomainJoinEntry, AssignmentEntry, AutopilotEntry, PersistenceEntry, ApplyEntry)
    for name, info in model.model_fields.items()
} | {"locale": "locale", "managed_type": "managedType", "profile": "profile", "autopatch_group_id": "autopatchGroupId",
     "group_id": "group"}  # fmt: skip
_IMAGE_KEYS: dict[str, str] = {name: info.alias or name for name, info in CustomImageEntry.model_fields.items()}


_STAND_INS: dict[str, Any] = {
    "displayName": "stand-in",
    "image": "stand-in",
    "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "automatic"}],
}
"""Values for required keys of a policy with problems, so its other keys can still be checked."""


def _rules_of_broken_policies(
    raw: Mapping[str, Any], found: list[pr.Problem], config: StackConfig
) -> list[pr.Problem]:
    """The resource rules for the keys of a policy that passed the model while others did not:
    a policy with a bad ``provisioningType`` still hears about its naming template."""
    extra: list[pr.Problem] = []
    for key, value in raw.items():
        if key in config.policies or not isinstance(value, Mapping):
            continue
        broken = {p.path[2] for p in found if p.path[:2] == ("policies", key) and len(p.path) > 2}
        if any(len(p.path) == 2 and p.path[:2] == ("policies", key) for p in found):
            continue  # the entry as a whole is wrong (not a mapping, a bad key)
        kept = {k: v for k, v in value.items() if k not in broken and k in _POLICY_KEYS.values()}
        stand_ins = {k: v for k, v in _STAND_INS.items() if k not in kept}
        try:
            entry = PolicyEntry.model_validate({**stand_ins, **kept})
        except ValidationError:
            continue
        partial = StackConfig(groups=config.groups, images=config.images, policies={key: _policy(key, entry)})
        skip = set(stand_ins) | set(broken)
        extra += [p for p in _resource_rules(partial) if len(p.path) < 3 or p.path[2] not in skip]
    return extra


def _resource_rules(config: StackConfig) -> list[pr.Problem]:
    """The checks the resources run at preview, run here first, named by YAML path."""
    from w365_provider import device_image, provisioning_policy

    found: list[pr.Problem] = []
    for key, image in config.images.items():
        if isinstance(image, CustomImageSpec):
            props = {"display_name": image.display_name, "version": image.version,
                     "source_image_resource_id": image.source_image_resource_id}  # fmt: skip
            found += pr.from_check_failures(device_image.validate(props), ("images", key), _IMAGE_KEYS)
    for key, policy in config.policies.items():
        custom = isinstance(config.images.get(policy.image), CustomImageSpec)
        props: dict[str, Any] = {
            **policy.args,
            "image_type": "custom" if custom else "gallery",
            "image_id": PLACEHOLDER_GUID.format(0) if custom else PLACEHOLDER_GALLERY_ID,
        }
        if policy.assignments is not None:
            props["assignments"] = [a.target(PLACEHOLDER_GUID.format(i + 1)) for i, a in enumerate(policy.assignments)]
        props["domain_join_configurations"] = [
            {("on_premises_connection_id" if k == "network_connection" else k): (PLACEHOLDER_GUID.format(0) if k == "network_connection" else v)
             for k, v in entry.items()}
            for entry in props.get("domain_join_configurations") or []
        ]  # fmt: skip
        failures = provisioning_policy.validate(provisioning_policy.normalize(props), regions=not TENANT_REGIONS.get())
        names = {**_NESTED_KEYS, **_POLICY_KEYS}
        skip = ("image_id", "image_type", "image_display_name")
        found += _assignment_index(pr.from_check_failures(failures, ("policies", key), names, skip), policy)
    return found


def _assignment_index(found: list[pr.Problem], policy: PolicySpec) -> list[pr.Problem]:
    """``assignments: group <stand-in id>: ...`` -> ``assignments[i]: ...``."""
    out = []
    for problem in found:
        for index, _ in enumerate(policy.assignments or ()):
            mention = f"group {PLACEHOLDER_GUID.format(index + 1)}: "
            if problem.path[-1:] == ("assignments",) and problem.reason.startswith(mention):
                problem = pr.Problem((*problem.path, index), problem.reason.removeprefix(mention))
        out.append(problem)
    return out
