"""ProvisioningPolicy: a Windows 365 Cloud PC provisioning policy on Microsoft Graph.

Read top to bottom:

1. Typed arguments (nested values are dicts with snake_case keys).
2. The mapping between Pulumi properties and Graph JSON, in one place.
3. Normalization and the rules ``check`` applies, as pure functions.
4. The provider (``ProvisioningPolicyProvider``): check, diff, create, read, update, delete.
5. The resource class ``ProvisioningPolicy``.

How a change is planned:

- ``check`` normalizes the inputs (GUIDs lower-cased, assignments sorted by group, ``None``
  dropped, ``provisioning_type`` defaulted), so the engine's own diff of old and new inputs is
  stable. ``diff`` answers "unknown", which makes the engine diff the inputs itself: that diff
  is what ``pulumi preview --diff`` shows and what ``--json`` reports per property. The
  resource declares ``replace_on_changes`` for the properties Graph will not change.
- ``create``, ``update`` and ``read`` return outputs = what Graph holds, plus ``last_applied``
  (the shape of the inputs last written: which properties and nested keys the program sets). ``read`` returns as inputs what Graph holds, limited to the
  properties and nested keys the program manages, so drift found by ``pulumi refresh``
  shows in the next preview and ``pulumi up`` repairs it.

Graph calls (each retried per ``graph/retry.py``):

- create: POST; then ``assign`` only when assignments are given. With ``adopt=True``: one list
  by display name first. If ``assign`` fails, the new policy is deleted before the error is
  raised.
- read: GET ``?$expand=assignments``; 404 means the policy is gone.
- update: PATCH with only the changed updatable properties; ``assign`` only when the
  assignments changed; a GET afterwards only when the image changed and Graph names it.
- delete: ``assign`` with no assignments when assigned, then DELETE; 404 counts as done.
  A DELETE refused while assignment removal settles is polled with backoff, no fixed sleep.

Graph does not enforce unique display names and neither does this resource, unless
``adopt=True`` asks to take over a policy of the same name: looking first would cost a Graph
call on every create.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NotRequired, Optional, Required, TypedDict

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)
from pulumi.output import Unknown

from w365_provider.errors import GraphConflictError, GraphError, GraphNotFoundError
from w365_provider.graph.client import GraphRuntime
from w365_provider.graph.provider import GraphProvider

__all__ = [
    "AssignmentArgs",
    "AutopatchArgs",
    "DomainJoinConfigurationArgs",
    "MicrosoftManagedDesktopArgs",
    "ProvisioningPolicy",
    "ProvisioningPolicyProvider",
    "WindowsSettingArgs",
]


# ============================================================================================
# 1. Arguments
# ============================================================================================


class DomainJoinConfigurationArgs(TypedDict, total=False):
    """One way to join Cloud PCs to a domain; the list is ordered by priority."""

    domain_join_type: Required[str]
    """``azureADJoin`` or ``hybridAzureADJoin``."""
    on_premises_connection_id: NotRequired[str]
    """Azure network connection id (GUID). Required for hybrid join."""
    region_name: NotRequired[str]
    """Microsoft-hosted network region (``westeurope`` ...) or ``automatic``; Entra join only."""
    region_group: NotRequired[str]
    """Region group (``europeUnion`` ...); Graph derives it when not given."""


class WindowsSettingArgs(TypedDict):
    """Windows settings of new Cloud PCs."""

    locale: str
    """Language and region tag, for example ``en-US``."""


class MicrosoftManagedDesktopArgs(TypedDict, total=False):
    """Microsoft Managed Desktop enrolment."""

    managed_type: str
    """``notManaged``, ``premiumManaged``, ``standardManaged`` or ``starterManaged``."""
    profile: str
    """Name of the Microsoft Managed Desktop profile."""


class AutopatchArgs(TypedDict):
    """Windows Autopatch group the Cloud PCs join."""

    autopatch_group_id: str
    """Windows Autopatch group id (GUID)."""


class AssignmentArgs(TypedDict, total=False):
    """A group the policy is assigned to."""

    group_id: Required[str]
    """Entra group object id (GUID)."""
    service_plan_id: NotRequired[Optional[str]]
    """Service plan (Cloud PC size) id; only for shared (Frontline) policies."""


# ============================================================================================
# 2. Mapping: Pulumi properties <-> Graph JSON (the only place that knows Graph's names)
# ============================================================================================

GRAPH_NAMES: dict[str, str] = {
    "display_name": "displayName",
    "description": "description",
    "image_id": "imageId",
    "image_display_name": "imageDisplayName",
    "image_type": "imageType",
    "provisioning_type": "provisioningType",
    "domain_join_configurations": "domainJoinConfigurations",
    "enable_single_sign_on": "enableSingleSignOn",
    "local_admin_enabled": "localAdminEnabled",
    "windows_setting": "windowsSetting",
    "cloud_pc_naming_template": "cloudPcNamingTemplate",
    "microsoft_managed_desktop": "microsoftManagedDesktop",
    "autopatch": "autopatch",
    # computed by Graph, never sent
    "grace_period_in_hours": "gracePeriodInHours",
    "cloud_pc_group_display_name": "cloudPcGroupDisplayName",
    "alternate_resource_url": "alternateResourceUrl",
}
"""Top-level properties: Pulumi name -> Graph name."""

NESTED_NAMES: dict[str, dict[str, str]] = {
    "domain_join_configurations": {
        "domain_join_type": "domainJoinType",
        "on_premises_connection_id": "onPremisesConnectionId",
        "region_name": "regionName",
        "region_group": "regionGroup",
    },
    "windows_setting": {"locale": "locale"},
    "microsoft_managed_desktop": {"managed_type": "managedType", "profile": "profile"},
    "autopatch": {"autopatch_group_id": "autopatchGroupId"},
    "assignments": {"group_id": "groupId", "service_plan_id": "servicePlanId"},
}
"""Keys of nested values: Pulumi name -> Graph name."""

GROUP_TARGET_TYPE = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"

REQUIRED = ("display_name", "image_id", "image_type", "domain_join_configurations")
"""Inputs every policy must have (``provisioning_type`` is defaulted)."""

SENT_ON_CREATE = (
    "display_name", "description", "image_id", "image_display_name", "image_type",
    "provisioning_type", "domain_join_configurations", "enable_single_sign_on",
    "local_admin_enabled", "windows_setting", "cloud_pc_naming_template",
    "microsoft_managed_desktop", "autopatch",
)  # fmt: skip
"""Inputs sent in the create body when given."""

UPDATABLE = (
    "display_name", "description", "image_id", "image_display_name", "image_type",
    "domain_join_configurations", "enable_single_sign_on", "windows_setting",
    "cloud_pc_naming_template", "microsoft_managed_desktop", "autopatch",
)  # fmt: skip
"""Inputs Graph changes with PATCH."""

REPLACE_ON_CHANGES = ["provisioning_type", "local_admin_enabled"]
"""Inputs Graph will not change after create: a change replaces the policy.
(``provisioningType`` is immutable; ``localAdminEnabled`` is not in Graph's update list.)"""

CLEARED_WHEN_REMOVED: dict[str, Any] = {
    "description": None,
    "cloud_pc_naming_template": None,
    "autopatch": None,
    "enable_single_sign_on": False,
}
"""Inputs reset to Graph's default when the program stops setting them. The others
(image display name, Windows setting, Managed Desktop) keep the value Graph holds."""

COMPUTED = ("policy_id", "grace_period_in_hours", "cloud_pc_group_display_name", "alternate_resource_url")
"""Outputs only Graph sets."""

INPUTS = (*SENT_ON_CREATE, "assignments", "adopt")
"""Every input of the resource."""

OUTPUTS = (*COMPUTED, *SENT_ON_CREATE, "assignments", "adopt")
"""Every output of the resource (plus ``last_applied``)."""

LAST_APPLIED = "last_applied"
"""Output holding the shape of the inputs last written to Graph (keys and list lengths, values
left out), to tell managed properties and nested keys from the ones Graph derives."""

REPROVISION_WARNED = ("domain_join_configurations", "image_id", "image_type", "enable_single_sign_on")
"""Changes that reach only Cloud PCs provisioned afterwards."""


def policy_to_graph(props: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """Graph JSON for the properties ``names`` of ``props`` (``None`` becomes JSON null)."""
    body: dict[str, Any] = {}
    for name in names:
        value = props.get(name)
        nested = NESTED_NAMES.get(name)
        if nested is not None and isinstance(value, list):
            value = [_keys_to_graph(item, nested) for item in value]
        elif nested is not None and isinstance(value, dict):
            value = _keys_to_graph(value, nested)
        body[GRAPH_NAMES[name]] = value
    return body


def assignments_to_graph(assignments: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The body of ``POST .../assign`` for ``assignments`` (replaces the whole set)."""
    names = NESTED_NAMES["assignments"]
    return {
        "assignments": [
            {"target": {"@odata.type": GROUP_TARGET_TYPE, **_keys_to_graph(item, names)}} for item in assignments
        ]
    }


def policy_from_graph(body: Mapping[str, Any]) -> dict[str, Any]:
    """Pulumi properties (normalized, ``None`` dropped) from a policy's Graph JSON."""
    props: dict[str, Any] = {"policy_id": body.get("id")}
    for name, graph_name in GRAPH_NAMES.items():
        value = body.get(graph_name)
        nested = NESTED_NAMES.get(name)
        if nested is not None and isinstance(value, list):
            value = [_keys_from_graph(item, nested) for item in value if isinstance(item, dict)]
        elif nested is not None and isinstance(value, dict):
            value = _keys_from_graph(value, nested)
        if value is not None:
            props[name] = value
    if "assignments" in body:
        props["assignments"] = assignments_from_graph(body.get("assignments") or [])
    return normalize(props)


def assignments_from_graph(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Assignments as Pulumi values from the ``assignments`` Graph returns with ``$expand``."""
    names = NESTED_NAMES["assignments"]
    result = []
    for item in items:
        target = item.get("target") or {}
        value = _keys_from_graph(target, names)
        if "group_id" not in value and isinstance(item.get("id"), str) and "_" in item["id"]:
            value["group_id"] = item["id"].rsplit("_", 1)[1]  # ids are {policyId}_{groupId}
        if value.get("group_id"):
            result.append(value)
    return result


def _keys_to_graph(value: Any, names: Mapping[str, str]) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {names.get(key, key): item for key, item in value.items()}


def _keys_from_graph(value: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    reverse = {graph: name for name, graph in names.items()}
    return {reverse[key]: item for key, item in value.items() if key in reverse and item is not None}


# ============================================================================================
# 3. Normalization and rules
# ============================================================================================

IMAGE_TYPES = ("gallery", "custom")
PROVISIONING_TYPES = ("dedicated", "shared")
DOMAIN_JOIN_TYPES = ("azureADJoin", "hybridAzureADJoin")
MANAGED_TYPES = ("notManaged", "premiumManaged", "standardManaged", "starterManaged")
REGION_GROUPS = (
    "default", "australia", "canada", "usCentral", "usEast", "usWest", "france", "germany",
    "europeUnion", "unitedKingdom", "japan", "asia", "india", "southAmerica", "euap",
    "usGovernment", "usGovernmentDOD", "norway", "switzerland", "southKorea",
)  # fmt: skip
"""v1.0 ``cloudPcRegionGroup`` members (``unknownFutureValue`` is not a value to send)."""

ENUMS: dict[str, tuple[str, ...]] = {
    "image_type": IMAGE_TYPES,
    "provisioning_type": PROVISIONING_TYPES,
    "domain_join_configurations.domain_join_type": DOMAIN_JOIN_TYPES,
    "domain_join_configurations.region_group": REGION_GROUPS,
    "microsoft_managed_desktop.managed_type": MANAGED_TYPES,
}
"""Enumerated values by property path; matched case-insensitively and stored as Graph spells them."""

GUIDS = (
    "domain_join_configurations.on_premises_connection_id",
    "autopatch.autopatch_group_id",
    "assignments.group_id",
    "assignments.service_plan_id",
)
"""Property paths holding GUIDs, lower-cased by normalization."""

FORBIDDEN_NAME_CHARACTERS = '<>&|"^'
DISPLAY_NAME_MAX = 120
NAMING_TEMPLATE_MIN, NAMING_TEMPLATE_MAX = 5, 15
NAMING_TEMPLATE_PREFIX_MAX = 10
NAMING_TEMPLATE_RAND_MIN = 5

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_GALLERY_IMAGE_ID = re.compile(r"^[^_\s]+_[^_\s]+_[^_\s]+$")
_TEMPLATE_TOKEN = re.compile(r"%(USERNAME|RAND):(\d+)%")
_TEMPLATE_TEXT = re.compile(r"^[A-Za-z0-9-]$")


Fail = Callable[[str, str], None]
"""Reports one broken rule: ``fail(property, reason)``."""


def is_unknown(value: Any) -> bool:
    """True for a value not known yet (an input that is an unresolved Output during preview)."""
    return isinstance(value, Unknown)


def normalize(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs in one canonical form, so equal intents compare equal.

    Drops ``None`` (also inside nested values), lower-cases GUIDs, spells enums as Graph does,
    sorts assignments by group id, defaults ``provisioning_type`` to ``dedicated`` and ``adopt``
    to false. Unknown values are kept as they are.
    """
    out: dict[str, Any] = {}
    for name, value in props.items():
        if value is None:
            continue
        out[name] = _normalize_value(name, _drop_none(value))
    if "display_name" in out or "image_id" in out:  # inputs, not a bare Graph read
        out.setdefault("provisioning_type", "dedicated")
    if out.get("image_type") == "custom" and isinstance(out.get("image_id"), str) and _GUID.match(out["image_id"]):
        out["image_id"] = out["image_id"].lower()
    assignments = out.get("assignments")
    if isinstance(assignments, list) and all(
        isinstance(a, dict) and isinstance(a.get("group_id"), str) and not is_unknown(a.get("service_plan_id"))
        for a in assignments
    ):
        out["assignments"] = sorted(assignments, key=lambda a: (a["group_id"], a.get("service_plan_id") or ""))
    return out


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping) and not is_unknown(value):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _normalize_value(path: str, value: Any) -> Any:
    if is_unknown(value):
        return value
    if isinstance(value, dict):
        return {key: _normalize_value(f"{path}.{key}", item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalize_value(path, item) for item in value]
    if isinstance(value, str):
        if path in GUIDS and _GUID.match(value):
            return value.lower()
        allowed = ENUMS.get(path)
        if allowed:
            for member in allowed:
                if member.lower() == value.lower():
                    return member
    return value


def validate(props: Mapping[str, Any]) -> list[CheckFailure]:
    """Every rule broken by (normalized) ``props``; unknown values are skipped."""
    failures: list[CheckFailure] = []

    def fail(prop: str, reason: str) -> None:
        failures.append(CheckFailure(prop, reason))

    for name in REQUIRED:
        if name not in props:
            fail(name, "is required")

    _check_display_name(props.get("display_name"), fail)
    _check_string("description", props.get("description"), fail)
    _check_string("image_display_name", props.get("image_display_name"), fail)
    _check_enum("image_type", props.get("image_type"), fail)
    _check_enum("provisioning_type", props.get("provisioning_type"), fail)
    _check_image_id(props.get("image_id"), props.get("image_type"), fail)
    for name in ("enable_single_sign_on", "local_admin_enabled", "adopt"):
        _check_bool(name, props.get(name), fail)
    _check_domain_joins(props.get("domain_join_configurations"), fail)
    _check_windows_setting(props.get("windows_setting"), fail)
    _check_naming_template(props.get("cloud_pc_naming_template"), props.get("provisioning_type"), fail)
    _check_managed_desktop(props.get("microsoft_managed_desktop"), fail)
    _check_autopatch(props.get("autopatch"), fail)
    _check_assignments(props.get("assignments"), props.get("provisioning_type"), fail)
    return failures


def _check_display_name(value: Any, fail: Fail) -> None:
    if value is None or is_unknown(value):
        return
    if not isinstance(value, str):
        fail("display_name", "must be a string")
        return
    if not value.strip():
        fail("display_name", "must not be empty")
        return
    found = sorted({c for c in value if c in FORBIDDEN_NAME_CHARACTERS})
    if found:
        fail("display_name", f"must not contain any of < > & | \" ^ (found {' '.join(found)})")
    if len(value) > DISPLAY_NAME_MAX:
        fail("display_name", f"must be at most {DISPLAY_NAME_MAX} characters (is {len(value)})")


def _check_string(prop: str, value: Any, fail: Fail) -> None:
    if value is None or is_unknown(value):
        return
    if not isinstance(value, str):
        fail(prop, "must be a string")


def _check_bool(prop: str, value: Any, fail: Fail) -> None:
    if value is None or is_unknown(value):
        return
    if not isinstance(value, bool):
        fail(prop, "must be true or false")


def _check_enum(path: str, value: Any, fail: Fail) -> None:
    if value is None or is_unknown(value):
        return
    allowed = ENUMS[path]
    if value not in allowed:
        fail(path.split(".")[0], f"{_subject(path)}must be one of {', '.join(allowed)} (got {value!r})")


def _check_guid(path: str, value: Any, fail: Fail) -> None:
    if value is None or is_unknown(value):
        return
    if not isinstance(value, str) or not _GUID.match(value):
        fail(path.split(".")[0], f"{_subject(path)}must be a GUID like 00000000-0000-0000-0000-000000000000 "
                                 f"(got {value!r})")


def _subject(path: str) -> str:
    """``"key "`` for a nested path (the property itself is named by the failure), else ``""``."""
    return path.split(".", 1)[1] + " " if "." in path else ""


def _check_image_id(value: Any, image_type: Any, fail: Fail) -> None:
    if value is None or is_unknown(value) or is_unknown(image_type):
        return
    if not isinstance(value, str) or not value.strip():
        fail("image_id", "must be a non-empty string")
        return
    if image_type == "gallery" and not _GALLERY_IMAGE_ID.match(value):
        fail("image_id", f"a gallery image id has the form publisher_offer_sku, for example "
                         f"MicrosoftWindowsDesktop_windows-ent-cpc_win11-24h2-ent-cpc-m365 (got {value!r})")
    if image_type == "custom" and not _GUID.match(value):
        fail("image_id", f"a custom image id is the device image's GUID (got {value!r})")


def _check_object(prop: str, value: Any, fail: Fail) -> bool:
    """True when ``value`` is a dict whose keys are all known; reports the others."""
    if value is None or is_unknown(value):
        return False
    if not isinstance(value, dict):
        fail(prop, "must be an object (a dict with snake_case keys)")
        return False
    known = NESTED_NAMES[prop]
    ok = True
    for key in value:
        if key not in known:
            hint = next((k for k, g in known.items() if g == key), None)
            fail(prop, f"unknown key {key!r}" + (f"; did you mean {hint!r}?" if hint else
                                                  f"; known keys: {', '.join(known)}"))
            ok = False
    return ok


def _check_domain_joins(value: Any, fail: Fail) -> None:
    prop = "domain_join_configurations"
    if value is None or is_unknown(value):
        return
    if not isinstance(value, list) or not value:
        fail(prop, "must be a list with at least one domain join configuration")
        return
    for index, entry in enumerate(value):
        if is_unknown(entry) or not _check_object(prop, entry, fail):
            continue
        where = f"entry {index}"
        join_type = entry.get("domain_join_type")
        connection = entry.get("on_premises_connection_id")
        region = entry.get("region_name")
        if join_type is None:
            fail(prop, f"{where}: domain_join_type is required ({' or '.join(DOMAIN_JOIN_TYPES)})")
        else:
            _check_enum(f"{prop}.domain_join_type", join_type, fail)
        _check_guid(f"{prop}.on_premises_connection_id", connection, fail)
        _check_enum(f"{prop}.region_group", entry.get("region_group"), fail)
        if region is not None and not is_unknown(region) and (not isinstance(region, str) or not region.strip()):
            fail(prop, f"{where}: region_name must be a non-empty string such as westeurope or automatic")
        if is_unknown(join_type) or is_unknown(connection) or is_unknown(region):
            continue
        if join_type == "hybridAzureADJoin":
            if connection is None:
                fail(prop, f"{where}: hybridAzureADJoin needs on_premises_connection_id (an Azure network connection)")
            if region is not None:
                fail(prop, f"{where}: hybridAzureADJoin takes no region_name; the network connection decides")
        elif join_type == "azureADJoin":
            if connection is None and region is None:
                fail(prop, f"{where}: azureADJoin needs either region_name (Microsoft-hosted network) "
                           "or on_premises_connection_id")
            if connection is not None and region is not None:
                fail(prop, f"{where}: azureADJoin takes region_name or on_premises_connection_id, not both")


def _check_windows_setting(value: Any, fail: Fail) -> None:
    if not _check_object("windows_setting", value, fail):
        return
    locale = value.get("locale")
    if locale is None:
        fail("windows_setting", "locale is required, for example en-US")
    elif not is_unknown(locale) and (not isinstance(locale, str) or not locale.strip()):
        fail("windows_setting", f"locale must be a language tag such as en-US (got {locale!r})")


def _check_managed_desktop(value: Any, fail: Fail) -> None:
    if not _check_object("microsoft_managed_desktop", value, fail):
        return
    _check_enum("microsoft_managed_desktop.managed_type", value.get("managed_type"), fail)
    profile = value.get("profile")
    if profile is not None and not is_unknown(profile) and not isinstance(profile, str):
        fail("microsoft_managed_desktop", "profile must be a string")


def _check_autopatch(value: Any, fail: Fail) -> None:
    if not _check_object("autopatch", value, fail):
        return
    if value.get("autopatch_group_id") is None:
        fail("autopatch", "autopatch_group_id is required")
    _check_guid("autopatch.autopatch_group_id", value.get("autopatch_group_id"), fail)


def _check_naming_template(value: Any, provisioning_type: Any, fail: Fail) -> None:
    """Windows 365 naming rules: letters, digits and hyphens around at most one ``%USERNAME:x%``
    and exactly one ``%RAND:y%`` (y >= 5); at most 10 characters before the first token;
    generated names of 5 to 15 characters; ``%USERNAME%`` only for dedicated policies."""
    prop = "cloud_pc_naming_template"
    if value is None or is_unknown(value):
        return
    if not isinstance(value, str):
        fail(prop, "must be a string")
        return
    literal, pos, prefix = 0, 0, None
    sizes: dict[str, list[int]] = {"RAND": [], "USERNAME": []}
    bad: set[str] = set()
    while pos < len(value):
        if value[pos] == "%":
            token = _TEMPLATE_TOKEN.match(value, pos)
            if token is None:
                fail(prop, f"has an unknown or malformed token at {value[pos:]!r}; use %USERNAME:x% or %RAND:y% "
                           "(upper case)")
                return
            prefix = literal if prefix is None else prefix
            sizes[token.group(1)].append(int(token.group(2)))
            pos = token.end()
            continue
        if not _TEMPLATE_TEXT.match(value[pos]):
            bad.add(value[pos])
        literal += 1
        pos += 1
    if bad:
        fail(prop, "may contain only letters, digits and hyphens outside its tokens (found "
                   f"{' '.join(repr(c) for c in sorted(bad))})")
        return
    rand, username = sizes["RAND"], sizes["USERNAME"]
    if len(rand) > 1 or len(username) > 1:
        fail(prop, "may contain each token at most once")
        return
    if not rand:
        fail(prop, f"must contain %RAND:y% with y >= {NAMING_TEMPLATE_RAND_MIN}, so that names are unique")
        return
    if rand[0] < NAMING_TEMPLATE_RAND_MIN:
        fail(prop, f"%RAND:y% needs y >= {NAMING_TEMPLATE_RAND_MIN} (got {rand[0]})")
    if username and username[0] < 1:
        fail(prop, "%USERNAME:x% needs x >= 1")
    if username and provisioning_type not in (None, "dedicated") and not is_unknown(provisioning_type):
        fail(prop, "%USERNAME:x% is only allowed for dedicated policies")
    if (prefix if prefix is not None else literal) > NAMING_TEMPLATE_PREFIX_MAX:
        fail(prop, f"the text before the first token must be at most {NAMING_TEMPLATE_PREFIX_MAX} characters")
    length = literal + sum(rand) + sum(username)
    if not NAMING_TEMPLATE_MIN <= length <= NAMING_TEMPLATE_MAX:
        fail(prop, f"generated names must be {NAMING_TEMPLATE_MIN} to {NAMING_TEMPLATE_MAX} characters, "
                   f"tokens counted by their size (this template makes {length})")


def _check_assignments(value: Any, provisioning_type: Any, fail: Fail) -> None:
    prop = "assignments"
    if value is None or is_unknown(value):
        return
    if not isinstance(value, list):
        fail(prop, "must be a list of {group_id, service_plan_id} objects")
        return
    seen: set[str] = set()
    for entry in value:
        if is_unknown(entry) or not _check_object(prop, entry, fail):
            continue
        group = entry.get("group_id")
        if group is None:
            fail(prop, "group_id is required in every assignment")
            continue
        _check_guid("assignments.group_id", group, fail)
        _check_guid("assignments.service_plan_id", entry.get("service_plan_id"), fail)
        if isinstance(group, str):
            if group.lower() in seen:
                fail(prop, f"group {group} is assigned more than once")
            seen.add(group.lower())
        if provisioning_type == "shared" and entry.get("service_plan_id") is None:
            fail(prop, f"group {group}: a shared policy needs service_plan_id for each assignment")


def reprovision_warning(olds: Mapping[str, Any], news: Mapping[str, Any]) -> str | None:
    """The warning for changes that existing Cloud PCs do not get, or ``None``."""
    if not olds:
        return None
    changed = [
        name for name in REPROVISION_WARNED
        if not is_unknown(news.get(name)) and olds.get(name) != news.get(name)
    ]  # fmt: skip
    if not changed:
        return None
    labels = {
        "domain_join_configurations": "region/network (domain_join_configurations)",
        "image_id": "image (image_id)",
        "image_type": "image type (image_type)",
        "enable_single_sign_on": "single sign-on (enable_single_sign_on)",
    }
    what = ", ".join(labels[name] for name in changed)
    return (
        f"warning: provisioning policy '{news.get('display_name', olds.get('display_name'))}': the change of "
        f"{what} applies only to Cloud PCs provisioned from now on; existing Cloud PCs keep their old "
        "settings until they are reprovisioned"
    )


# -- observed state, compared with what the program manages ----------------------------------


def project(observed: Any, managed: Any) -> Any:
    """``observed`` limited to the shape of ``managed``: nested keys the program does not set
    (values Graph derives, such as ``region_group``) are left out."""
    if isinstance(observed, dict) and isinstance(managed, dict):
        return {key: project(value, managed[key]) for key, value in observed.items() if key in managed}
    if isinstance(observed, list) and isinstance(managed, list):
        return [project(item, managed[i]) if i < len(managed) else item for i, item in enumerate(observed)]
    return observed


def observed_inputs(observed: Mapping[str, Any], managed: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs that would describe ``observed``, for the properties in ``managed``."""
    inputs: dict[str, Any] = {}
    for name, want in managed.items():
        if name == "adopt":
            inputs[name] = want
        elif name in observed:
            inputs[name] = project(observed[name], want)
        elif name == "assignments":
            inputs[name] = []
    return inputs


def matches(observed: Mapping[str, Any], managed: Mapping[str, Any]) -> bool:
    """True when Graph's ``observed`` policy has every value the program sets in ``managed``."""
    return all(
        project(observed.get(name), want) == want
        for name, want in managed.items()
        if name in SENT_ON_CREATE
    )


def plan_update(
    olds: Mapping[str, Any], desired: Mapping[str, Any]
) -> tuple[list[str], list[str], list[dict[str, Any]] | None]:
    """What an update must send, comparing the ``desired`` inputs with ``olds`` (outputs).

    Returns ``(patch, cleared, assignments)``: properties to PATCH with their desired value,
    properties to PATCH back to their default (no longer managed), and the assignments to
    post (``None`` when they do not change). Raises ``GraphConflictError`` for a change Graph
    cannot make (those are replacements declared on the resource).
    """
    managed_before = olds.get(LAST_APPLIED) or {}
    for name in REPLACE_ON_CHANGES:
        if name in desired and olds.get(name) is not None and desired[name] != olds.get(name):
            raise GraphConflictError(
                f"update provisioning policy '{desired.get('display_name')}'",
                message=f"{name} cannot change after the policy is created ({olds.get(name)!r} -> "
                f"{desired[name]!r}); the policy must be replaced",
            )
    patch = [name for name in UPDATABLE if name in desired and project(olds.get(name), desired[name]) != desired[name]]
    cleared = [
        name for name, default in CLEARED_WHEN_REMOVED.items()
        if name not in desired and name in managed_before and olds.get(name) != default
    ]  # fmt: skip
    assignments: list[dict[str, Any]] | None = None
    if "assignments" in desired:
        if project(olds.get("assignments") or [], desired["assignments"]) != desired["assignments"]:
            assignments = list(desired["assignments"])
    elif "assignments" in managed_before and olds.get("assignments"):
        assignments = []
    return patch, cleared, assignments


def shape(value: Any) -> Any:
    """``value`` with every leaf replaced by ``True``: which properties and nested keys are set.

    That is all ``project`` and ``plan_update`` need of the inputs last written, and the state
    stays small (the engine rewrites the whole state after every step). Not ``None``: the engine
    drops null values from nested objects, and with them the keys."""
    if isinstance(value, Mapping):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return True


def outputs(observed: Mapping[str, Any], applied: Mapping[str, Any]) -> dict[str, Any]:
    """The resource outputs: Graph's values, ``adopt`` and ``last_applied`` (the shape of the
    inputs last written, with ``adopt``'s value)."""
    outs = {name: observed.get(name) for name in OUTPUTS}
    outs["assignments"] = observed.get("assignments") or []
    outs["adopt"] = bool(applied.get("adopt", False))
    outs[LAST_APPLIED] = {**shape(applied), **({"adopt": outs["adopt"]} if "adopt" in applied else {})}
    return outs


# ============================================================================================
# 4. The provider
# ============================================================================================

def _policies(client: Any) -> Any:
    return client.device_management.virtual_endpoint.provisioning_policies


def _policy(policy_id: str) -> Any:
    return lambda client: _policies(client).by_cloud_pc_provisioning_policy_id(policy_id)


def _assign_at(policy_id: str) -> Any:
    return lambda client: _policies(client).by_cloud_pc_provisioning_policy_id(policy_id).assign


class ProvisioningPolicyProvider(GraphProvider):
    """Dynamic provider for ``ProvisioningPolicy`` (pickled empty; see ``GraphProvider``)."""

    # -- plan ----------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Normalize the inputs and apply every rule; no Graph call."""
        inputs = normalize({k: v for k, v in news.items() if k in INPUTS})
        inputs.setdefault("adopt", False)
        # Create-only, so always present: adding an explicit default must not replace the policy.
        inputs.setdefault("local_admin_enabled", False)
        failures = validate(inputs)
        if not failures:
            warning = reprovision_warning(normalize({k: v for k, v in olds.items() if k in INPUTS}), inputs)
            if warning:
                print(warning, file=sys.stderr, flush=True)
        return CheckResult(inputs, failures)

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Leave the diff to the engine (DIFF_UNKNOWN): it compares old and new inputs itself and
        reports each changed property; replacements come from the resource's
        ``replace_on_changes``. The Python dynamic-provider server cannot send per-property
        diffs from here."""
        return DiffResult(changes=None)

    # -- lifecycle -----------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        """POST the policy (or adopt one of the same name), then assign it."""
        desired = {k: v for k, v in props.items() if k in INPUTS}
        rt = self._runtime()
        outs = rt.run(_create(rt, desired))
        return CreateResult(outs["policy_id"], outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """GET the policy with its assignments; an empty id when Graph says 404."""
        rt = self._runtime()
        body = rt.run(_get(rt, id_))
        if body is None:
            return ReadResult("", {})
        observed = policy_from_graph(body)
        managed = props.get(LAST_APPLIED) or {k: v for k, v in props.items() if k in INPUTS}
        return ReadResult(id_, outputs(observed, managed), observed_inputs(observed, managed))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """PATCH the changed updatable properties; assign when the assignments changed."""
        desired = {k: v for k, v in news.items() if k in INPUTS}
        rt = self._runtime()
        return UpdateResult(rt.run(_update(rt, id_, olds, desired)))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Unassign when assigned, then DELETE; 404 counts as done."""
        rt = self._runtime()
        rt.run(_delete(rt, id_, name=str(props.get("display_name") or id_), assigned=bool(props.get("assignments"))))


# -- the Graph flows (coroutines on the Graph loop) -------------------------------------------


async def _get(rt: GraphRuntime, policy_id: str) -> dict[str, Any] | None:
    try:
        result: dict[str, Any] = await rt.send(
            "GET", _policy(policy_id), operation=f"read provisioning policy {policy_id}",
            query={"$expand": "assignments"},
        )  # fmt: skip
    except GraphNotFoundError:
        return None
    return result


async def _find_by_name(rt: GraphRuntime, name: str) -> list[dict[str, Any]]:
    """Policies named exactly ``name`` (the filter is applied again here, Graph's may be loose)."""
    quoted = name.replace("'", "''")
    found = await rt.list(
        _policies, operation=f"look up provisioning policies named '{name}'",
        query={"$filter": f"displayName eq '{quoted}'", "$expand": "assignments"},
    )  # fmt: skip
    return [p for p in found if p.get("displayName") == name]


async def _assign(rt: GraphRuntime, policy_id: str, name: str, assignments: Sequence[Mapping[str, Any]]) -> None:
    what = "unassign" if not assignments else f"assign {len(assignments)} group(s) to"
    await rt.send(
        "POST", _assign_at(policy_id), operation=f"{what} provisioning policy '{name}' ({policy_id})",
        body=assignments_to_graph(assignments), idempotent=True,
    )  # fmt: skip


async def _create(rt: GraphRuntime, desired: dict[str, Any]) -> dict[str, Any]:
    name = desired["display_name"]
    known_ids: set[str] = set()
    if desired.get("adopt"):
        existing = await _find_by_name(rt, name)
        adoptable = [p for p in existing if _adoptable(policy_from_graph(p), desired)]
        if len(adoptable) > 1:
            ids = ", ".join(p["id"] for p in adoptable)
            raise GraphConflictError(
                f"adopt provisioning policy '{name}'",
                message=f"{len(adoptable)} policies have this name ({ids}); rename all but one",
            )
        if adoptable:
            return await _adopt(rt, adoptable[0], desired)
        known_ids = {p["id"] for p in existing}

    async def find_created() -> dict[str, Any] | None:
        candidates = [
            p for p in await _find_by_name(rt, name)
            if p.get("id") not in known_ids and matches(policy_from_graph(p), desired)
        ]  # fmt: skip
        if len(candidates) > 1:
            ids = ", ".join(p["id"] for p in candidates)
            raise GraphConflictError(
                f"create provisioning policy '{name}'",
                message=f"the create may have gone through, and {len(candidates)} identical policies named "
                f"'{name}' exist ({ids}); delete the extra ones, then run again with adopt=True",
            )
        return candidates[0] if candidates else None

    body = policy_to_graph(desired, [n for n in SENT_ON_CREATE if n in desired])
    created, _recovered = await rt.create(
        _policies, body, operation=f"create provisioning policy '{name}'", find=find_created
    )
    observed = policy_from_graph(created)
    policy_id = observed["policy_id"]
    wanted = desired.get("assignments") or []
    if wanted and project(observed.get("assignments") or [], wanted) != wanted:
        try:
            await _assign(rt, policy_id, name, wanted)
        except Exception as exc:
            await _roll_back(rt, policy_id, name, exc)
            raise
    observed["assignments"] = list(wanted) if wanted else observed.get("assignments") or []
    return outputs(observed, desired)


def _adoptable(observed: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    """A policy can be taken over when the properties Graph will not change already match."""
    return all(observed.get(name) == desired[name] for name in REPLACE_ON_CHANGES if name in desired)


async def _adopt(rt: GraphRuntime, body: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    observed = policy_from_graph(body)
    olds = outputs(observed, {})
    return await _update(rt, observed["policy_id"], olds, desired)


async def _roll_back(rt: GraphRuntime, policy_id: str, name: str, cause: BaseException) -> None:
    """Delete a policy just created whose assignment failed; note the outcome on ``cause``."""
    try:
        await _delete(rt, policy_id, name=name, assigned=False)
    except Exception as exc:  # noqa: BLE001 - reported on the original error
        cause.add_note(
            f"The new policy {policy_id} could not be deleted again ({exc}); delete it by hand or "
            "run again with adopt=True."
        )
    else:
        cause.add_note(f"The new policy {policy_id} was deleted again, so nothing was left behind.")


async def _update(rt: GraphRuntime, policy_id: str, olds: Mapping[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    label = str(desired.get("display_name") or olds.get("display_name") or policy_id)
    patch, cleared, assignments = plan_update(olds, desired)
    observed = {key: olds[key] for key in OUTPUTS if olds.get(key) is not None}
    observed["policy_id"] = policy_id
    if patch or cleared:
        body = policy_to_graph(desired, patch)
        body.update(policy_to_graph(CLEARED_WHEN_REMOVED, cleared))
        operation = f"update provisioning policy '{label}' ({policy_id})"
        await rt.send("PATCH", _policy(policy_id), operation=operation, body=body)
        observed.update({n: desired[n] for n in patch})
        observed.update({n: CLEARED_WHEN_REMOVED[n] for n in cleared})
        for n in cleared:
            if observed[n] is None:
                del observed[n]
        if {"image_id", "image_type"} & set(patch) and "image_display_name" not in desired:
            refreshed = await _get(rt, policy_id)  # Graph names the new image
            if refreshed is not None:
                observed["image_display_name"] = policy_from_graph(refreshed).get("image_display_name")
    if assignments is not None:
        await _assign(rt, policy_id, label, assignments)
        observed["assignments"] = assignments
    return outputs(observed, desired)


async def _delete(rt: GraphRuntime, policy_id: str, *, name: str, assigned: bool) -> None:
    """Unassign when assigned, then DELETE, polling while Graph still sees assignments."""
    policy = rt.policy
    unassigned = False
    if assigned:
        try:
            await _assign(rt, policy_id, name, [])
        except GraphNotFoundError:
            return
        unassigned = True
    attempt = 0
    while True:
        attempt += 1
        try:
            await rt.send("DELETE", _policy(policy_id), operation=f"delete provisioning policy '{name}' ({policy_id})")
            return
        except GraphNotFoundError:
            return
        except GraphError as exc:
            if exc.status not in (400, 409) or attempt >= policy.max_attempts:
                raise
            if not unassigned:  # assigned out of band since the last refresh?
                current = await _get(rt, policy_id)
                if current is None:
                    return
                if current.get("assignments"):
                    await _assign(rt, policy_id, name, [])
                unassigned = True
            await asyncio.sleep(policy.delay(attempt))


# ============================================================================================
# 5. The resource
# ============================================================================================


class ProvisioningPolicy(pulumi.dynamic.Resource, module="w365", name="ProvisioningPolicy"):
    """A Windows 365 Cloud PC provisioning policy (``pulumi-python:dynamic/w365:ProvisioningPolicy``).

    Example::

        ProvisioningPolicy(
            "engineering",
            display_name="Engineering",
            image_id="MicrosoftWindowsDesktop_windows-ent-cpc_win11-24h2-ent-cpc-m365",
            image_type="gallery",
            domain_join_configurations=[{"domain_join_type": "azureADJoin", "region_name": "automatic"}],
            assignments=[{"group_id": "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e03"}],
        )

    :param resource_name: Pulumi name of the resource.
    :param display_name: Policy name; not ``< > & | " ^``.
    :param image_id: Gallery image id (``publisher_offer_sku``) or custom device image id (GUID).
    :param image_type: ``gallery`` or ``custom``.
    :param domain_join_configurations: How Cloud PCs join, by priority; see ``DomainJoinConfigurationArgs``.
    :param description: Free text.
    :param image_display_name: Image name shown in Intune; Graph fills it when omitted.
    :param provisioning_type: ``dedicated`` (default) or ``shared``; a change replaces the policy.
    :param enable_single_sign_on: Single sign-on to Cloud PCs (Graph's default: false).
    :param local_admin_enabled: Users are local administrators (default false); a change replaces
        the policy, as Graph's update does not take it.
    :param windows_setting: ``{"locale": "en-US"}``.
    :param cloud_pc_naming_template: For example ``CPC-%USERNAME:4%-%RAND:5%``.
    :param microsoft_managed_desktop: ``{"managed_type": ..., "profile": ...}``.
    :param autopatch: ``{"autopatch_group_id": ...}``.
    :param assignments: Groups to assign; the whole set is replaced on change. ``None`` leaves
        assignments unmanaged, ``[]`` removes them all.
    :param adopt: Take over an existing policy with this display name instead of creating one
        (the import path, since dynamic resources cannot be imported).
    :param opts: Resource options; ``replace_on_changes`` and ``ignore_changes=["adopt"]`` are
        added to them.

    Changes of region/network, image or single sign-on reach only Cloud PCs provisioned
    afterwards; a warning says so when such a change is planned.
    """

    policy_id: pulumi.Output[str]
    """Graph id of the policy."""
    display_name: pulumi.Output[str]
    description: pulumi.Output[Optional[str]]
    image_id: pulumi.Output[str]
    image_display_name: pulumi.Output[Optional[str]]
    """The image's display name, as Graph holds it."""
    image_type: pulumi.Output[str]
    provisioning_type: pulumi.Output[str]
    domain_join_configurations: pulumi.Output[list[dict[str, Any]]]
    """As Graph holds them (``DomainJoinConfigurationArgs`` keys), including values Graph derives
    such as ``region_group``."""
    enable_single_sign_on: pulumi.Output[Optional[bool]]
    local_admin_enabled: pulumi.Output[Optional[bool]]
    windows_setting: pulumi.Output[Optional[dict[str, Any]]]
    """``WindowsSettingArgs`` keys."""
    cloud_pc_naming_template: pulumi.Output[Optional[str]]
    microsoft_managed_desktop: pulumi.Output[Optional[dict[str, Any]]]
    """``MicrosoftManagedDesktopArgs`` keys."""
    autopatch: pulumi.Output[Optional[dict[str, Any]]]
    """``AutopatchArgs`` keys."""
    assignments: pulumi.Output[list[dict[str, Any]]]
    """``AssignmentArgs`` keys; as Graph holds them (sorted by group id)."""
    grace_period_in_hours: pulumi.Output[Optional[int]]
    """Hours before Cloud PCs of removed users are deprovisioned (Graph's value)."""
    cloud_pc_group_display_name: pulumi.Output[Optional[str]]
    alternate_resource_url: pulumi.Output[Optional[str]]
    adopt: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        *,
        display_name: pulumi.Input[str],
        image_id: pulumi.Input[str],
        image_type: pulumi.Input[str],
        domain_join_configurations: pulumi.Input[Sequence[pulumi.Input[DomainJoinConfigurationArgs]]],
        description: Optional[pulumi.Input[str]] = None,
        image_display_name: Optional[pulumi.Input[str]] = None,
        provisioning_type: pulumi.Input[str] = "dedicated",
        enable_single_sign_on: Optional[pulumi.Input[bool]] = None,
        local_admin_enabled: Optional[pulumi.Input[bool]] = None,
        windows_setting: Optional[pulumi.Input[WindowsSettingArgs]] = None,
        cloud_pc_naming_template: Optional[pulumi.Input[str]] = None,
        microsoft_managed_desktop: Optional[pulumi.Input[MicrosoftManagedDesktopArgs]] = None,
        autopatch: Optional[pulumi.Input[AutopatchArgs]] = None,
        assignments: Optional[pulumi.Input[Sequence[pulumi.Input[AssignmentArgs]]]] = None,
        adopt: bool = False,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        props: dict[str, Any] = {
            "display_name": display_name,
            "image_id": image_id,
            "image_type": image_type,
            "domain_join_configurations": domain_join_configurations,
            "description": description,
            "image_display_name": image_display_name,
            "provisioning_type": provisioning_type,
            "enable_single_sign_on": enable_single_sign_on,
            "local_admin_enabled": local_admin_enabled,
            "windows_setting": windows_setting,
            "cloud_pc_naming_template": cloud_pc_naming_template,
            "microsoft_managed_desktop": microsoft_managed_desktop,
            "autopatch": autopatch,
            "assignments": assignments,
            "adopt": adopt,
            **{name: None for name in COMPUTED},
        }
        defaults = pulumi.ResourceOptions(replace_on_changes=list(REPLACE_ON_CHANGES), ignore_changes=["adopt"])
        super().__init__(ProvisioningPolicyProvider(), resource_name, props, pulumi.ResourceOptions.merge(defaults, opts))
