"""What the provisioning policy's table cannot express: rules across properties, the naming
template's grammar, the custom image id's form, and the warning for changes that reach only new
Cloud PCs. Pure functions; no Graph call.

Sources: https://learn.microsoft.com/windows-365/enterprise/create-provisioning-policy (naming
template, join types), https://learn.microsoft.com/graph/api/resources/cloudpcdomainjoinconfiguration,
for ``windows_setting.locale`` the Windows languages in ``w365_provider/lookups/locales.py`` and,
for ``region_name``, the documented list of regions in ``w365_provider/lookups/regions.py``
(https://learn.microsoft.com/windows-365/enterprise/requirements#supported-azure-regions-for-cloud-pc-provisioning).
That list is the rule on v1.0. On beta the tenant's own list decides instead
(``GET /beta/deviceManagement/virtualEndpoint/supportedRegions``, ``lookups/tenant_regions.py``):
the provider reads it for new or changed regions only (``changed_regions``), so these pure rules
leave regions out there (``rules(..., regions=False)``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from w365_provider import labels
from w365_provider.kit.checks import Fail
from w365_provider.kit.types import GUID, is_unknown
from w365_provider.lookups.locales import check_locale
from w365_provider.lookups.regions import check_region_name

from .spec import ASSIGNMENT, DOMAIN_JOIN, SPEC

__all__ = [
    "REPROVISION_WARNED",
    "beta_rules",
    "changed_regions",
    "deprecation_warning",
    "normalize_extra",
    "reprovision_warning",
    "rules",
]

NAMING_TEMPLATE_MIN, NAMING_TEMPLATE_MAX = 5, 15
NAMING_TEMPLATE_PREFIX_MAX = 10
NAMING_TEMPLATE_RAND_MIN = 5
AUTOPILOT_MIN, AUTOPILOT_MAX = 30, 360
RESERVE_PERCENTAGE_MAX = 99

_GALLERY_IMAGE_ID = re.compile(r"^[^_\s]+_[^_\s]+_[^_\s]+$")
_TEMPLATE_TOKEN = re.compile(r"%(USERNAME|RAND):(\d+)%")
_TEMPLATE_TEXT = re.compile(r"^[A-Za-z0-9-]$")

REPROVISION_WARNED: dict[str, str] = {
    "domain_join_configurations": "region/network (domain_join_configurations)",
    "image_id": "image (image_id)",
    "image_type": "image type (image_type)",
    "enable_single_sign_on": "single sign-on (enable_single_sign_on)",
}
"""Changes that reach only Cloud PCs provisioned afterwards, as the warning names them."""
APPLIED_TO_EXISTING = ("domain_join_configurations", "enable_single_sign_on")
"""Of those, what Graph's beta ``apply`` brings to existing Cloud PCs (region, single sign-on)."""


def normalize_extra(props: dict[str, Any]) -> dict[str, Any]:
    """A custom image id is a device image's GUID: lower-cased like the table's GUIDs."""
    image_id = props.get("image_id")
    if props.get("image_type") == "custom" and isinstance(image_id, str) and GUID.match(image_id):
        props["image_id"] = image_id.lower()
    return props


def rules(props: Mapping[str, Any], fail: Fail, *, regions: bool = True) -> None:
    """Every rule of a policy the table cannot express, on (normalized) inputs; ``regions=False``
    leaves ``region_name`` to the tenant's list (beta)."""
    _check_image_id(props.get("image_id"), props.get("image_type"), fail)
    _check_domain_joins(props.get("domain_join_configurations"), fail, regions)
    _check_locale(props.get("windows_setting"), fail)
    _check_naming_template(props.get("cloud_pc_naming_template"), props.get("provisioning_type"), fail)
    _check_assignments(props.get("assignments"), props.get("provisioning_type"), fail)
    beta_rules(props, fail)


def _check_image_id(value: Any, image_type: Any, fail: Fail) -> None:
    if not isinstance(value, str) or not value.strip() or is_unknown(image_type):
        return  # the table reports a missing or empty id
    if image_type == "gallery" and not _GALLERY_IMAGE_ID.match(value):
        fail("image_id", f"a gallery image id has the form publisher_offer_sku, for example "
                         f"MicrosoftWindowsDesktop_windows-ent-cpc_win11-24h2-ent-cpc-m365 (got {value!r})")  # fmt: skip
    if image_type == "custom" and not GUID.match(value):
        fail("image_id", f"a custom image id is the device image's GUID (got {value!r})")


def _entries(value: Any, kind: Any) -> list[tuple[int, dict[str, Any]]]:
    """The list entries the table found well-formed (objects with known keys only)."""
    if not isinstance(value, list):
        return []
    names = {f.name for f in kind.fields}
    return [(i, e) for i, e in enumerate(value) if isinstance(e, dict) and set(e) <= names]


def _check_domain_joins(value: Any, fail: Fail, regions: bool = True) -> None:
    """Entra join takes a region or a network connection, not both; hybrid join a connection only."""
    prop = "domain_join_configurations"
    for index, entry in _entries(value, DOMAIN_JOIN):
        where = f"entry {index}"
        join_type, connection, region = (entry.get(k) for k in ("domain_join_type", "on_premises_connection_id",
                                                                 "region_name"))  # fmt: skip
        if regions:
            _check_region(where, region, fail)
        if any(is_unknown(v) for v in (join_type, connection, region)):
            continue
        if join_type == "hybridAzureADJoin":
            if connection is None:
                fail(prop, f"{where}: hybridAzureADJoin needs on_premises_connection_id (an Azure network connection)")
            if region is not None:
                fail(prop, f"{where}: hybridAzureADJoin takes no region_name; the network connection decides")
        elif join_type == "azureADJoin":
            if connection is None and region is None:
                fail(prop, f"{where}: azureADJoin needs either region_name (Microsoft-hosted network) "
                           "or on_premises_connection_id")  # fmt: skip
            if connection is not None and region is not None:
                fail(prop, f"{where}: azureADJoin takes region_name or on_premises_connection_id, not both")


def _check_region(where: str, region: Any, fail: Fail) -> None:
    """``region_name`` is ``automatic`` or a region where Windows 365 provisions Cloud PCs."""
    if isinstance(region, str):  # the table reports a value that is not text
        reason = check_region_name(region)
        if reason is not None:
            fail("domain_join_configurations", f"{where}: region_name {reason}")


def changed_regions(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(entry label, region_name)`` for each region of ``news`` that ``olds`` does not have:
    what a check against the tenant's list must look at (an unchanged region was checked before)."""
    before = {e.get("region_name") for _i, e in _entries(olds.get("domain_join_configurations"), DOMAIN_JOIN)}
    return [
        (f"entry {index}", region)
        for index, entry in _entries(news.get("domain_join_configurations"), DOMAIN_JOIN)
        if isinstance(region := entry.get("region_name"), str) and not is_unknown(region) and region not in before
    ]  # fmt: skip


def _check_locale(value: Any, fail: Fail) -> None:
    """``windows_setting.locale`` is the tag of a Windows language a Cloud PC can be provisioned with."""
    locale = value.get("locale") if isinstance(value, dict) else None
    if isinstance(locale, str) and locale.strip() and not is_unknown(locale):  # the table reports the rest
        reason = check_locale(locale)
        if reason is not None:
            fail("windows_setting", f"locale {reason}")


def _parse_template(value: str) -> tuple[int, int | None, dict[str, list[int]], set[str], str | None]:
    """(literal characters, characters before the first token, token sizes, bad characters, the
    text from a malformed token on)."""
    literal, pos, prefix = 0, 0, None
    sizes: dict[str, list[int]] = {"RAND": [], "USERNAME": []}
    bad: set[str] = set()
    while pos < len(value):
        if value[pos] == "%":
            token = _TEMPLATE_TOKEN.match(value, pos)
            if token is None:
                return literal, prefix, sizes, bad, value[pos:]
            prefix = literal if prefix is None else prefix
            sizes[token.group(1)].append(int(token.group(2)))
            pos = token.end()
            continue
        if not _TEMPLATE_TEXT.match(value[pos]):
            bad.add(value[pos])
        literal += 1
        pos += 1
    return literal, prefix, sizes, bad, None


def _check_naming_template(value: Any, provisioning_type: Any, fail: Fail) -> None:
    """Windows 365 naming rules: letters, digits and hyphens around at most one ``%USERNAME:x%``
    and exactly one ``%RAND:y%`` (y >= 5); at most 10 characters before the first token;
    generated names of 5 to 15 characters; ``%USERNAME%`` only for dedicated policies."""
    prop = "cloud_pc_naming_template"
    if not isinstance(value, str):
        return  # the table reports a value that is not text
    literal, prefix, sizes, bad, malformed = _parse_template(value)
    if malformed is not None:
        fail(prop, f"has an unknown or malformed token at {malformed!r}; use %USERNAME:x% or %RAND:y% (upper case)")
        return
    if bad:
        fail(prop, "may contain only letters, digits and hyphens outside its tokens (found "
                   f"{' '.join(repr(c) for c in sorted(bad))})")  # fmt: skip
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
                   f"tokens counted by their size (this template makes {length})")  # fmt: skip


def _check_assignments(value: Any, provisioning_type: Any, fail: Fail) -> None:
    """A group at most once; a Frontline or Reserve policy names the Cloud PC size of each group
    (https://learn.microsoft.com/graph/api/resources/cloudpcmanagementgroupassignmenttarget?view=graph-rest-beta);
    a Frontline shared one also the assignment's name and its number of Cloud PCs, which only
    Frontline shared takes (https://learn.microsoft.com/windows-365/enterprise/create-provisioning-policy)."""
    prop = "assignments"
    seen: set[str] = set()
    known = not is_unknown(provisioning_type)
    for _index, entry in _entries(value, ASSIGNMENT):
        group = entry.get("group_id")
        if group is None:
            continue  # the table reports it
        if isinstance(group, str):
            if group.lower() in seen:
                fail(prop, f"group {group} is assigned more than once")
            seen.add(group.lower())
        if not known:
            continue
        if provisioning_type not in (None, "dedicated") and entry.get("service_plan_id") is None:
            fail(prop, f"group {group}: a {provisioning_type} policy needs service_plan_id for each assignment")
        _check_allotment(group, entry, provisioning_type, fail)


def _check_allotment(group: Any, entry: Mapping[str, Any], provisioning_type: Any, fail: Fail) -> None:
    allotment = [k for k in ("allotment_display_name", "allotment_licenses_count") if entry.get(k) is not None]
    license_type = labels.license_type(provisioning_type)
    if provisioning_type == "sharedByEntraGroup":
        for key in ("allotment_display_name", "allotment_licenses_count"):
            if key not in allotment:
                fail("assignments", f"group {group}: a sharedByEntraGroup policy ({license_type}) needs {key} "
                                    "(the assignment's name and its number of Cloud PCs)")  # fmt: skip
        count = entry.get("allotment_licenses_count")
        if isinstance(count, int) and not is_unknown(count) and count < 1:
            fail("assignments", f"group {group}: allotment_licenses_count must be at least 1 (got {count})")
    elif allotment:
        fail("assignments", f"group {group}: {' and '.join(allotment)} only apply to sharedByEntraGroup policies "
                            f"(Frontline shared), not {provisioning_type or 'dedicated'} ({license_type})")  # fmt: skip


def beta_rules(props: Mapping[str, Any], fail: Fail) -> None:
    """Combinations the beta reference documents
    (https://learn.microsoft.com/graph/api/resources/cloudpcprovisioningpolicy?view=graph-rest-beta)."""
    kind = props.get("provisioning_type")
    if is_unknown(kind):
        return
    if props.get("user_experience_type") == "cloudApp" and kind != "sharedByEntraGroup":
        fail("user_experience_type", "cloudApp (Cloud Apps) needs provisioning_type sharedByEntraGroup "
                                     f"(Frontline shared), not {kind} ({labels.license_type(kind)})")  # fmt: skip
    if props.get("user_settings_persistence_configuration") is not None and kind != "sharedByEntraGroup":
        fail("user_settings_persistence_configuration", "is only for provisioning_type sharedByEntraGroup "
                                                        f"(Frontline shared), not {kind} ({labels.license_type(kind)})")  # fmt: skip
    autopilot = props.get("autopilot_configuration")
    timeout = autopilot.get("application_timeout_in_minutes") if isinstance(autopilot, dict) else None
    if isinstance(timeout, int) and not isinstance(timeout, bool) and not AUTOPILOT_MIN <= timeout <= AUTOPILOT_MAX:
        fail("autopilot_configuration", f"application_timeout_in_minutes must be {AUTOPILOT_MIN} to {AUTOPILOT_MAX} "
                                        f"minutes (got {timeout})")  # fmt: skip
    apply = props.get("apply_to_existing_cloud_pcs")
    percent = apply.get("reserve_percentage") if isinstance(apply, dict) else None
    if isinstance(percent, int) and not isinstance(percent, bool) and not 0 <= percent <= RESERVE_PERCENTAGE_MAX:
        fail("apply_to_existing_cloud_pcs", f"reserve_percentage must be 0 to {RESERVE_PERCENTAGE_MAX} (got {percent})")


def deprecation_warning(news: Mapping[str, Any]) -> str | None:
    """``shared`` gives way to ``sharedByUser`` in the beta reference (the provisioningType row)."""
    if news.get("provisioning_type") != "shared":
        return None
    return (
        f"warning: {SPEC.noun} '{news.get(SPEC.name_property)}': provisioning_type shared "
        f"({labels.license_type('shared')}) is deprecated and stops being returned on April 30, 2027; "
        "use sharedByUser (needs w365:graphUrl on /beta), which a change of provisioning_type does by "
        "replacing the policy"
    )


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
    name = news.get(SPEC.name_property, olds.get(SPEC.name_property))
    applied = [n for n in changed if n in APPLIED_TO_EXISTING] if news.get("apply_to_existing_cloud_pcs") is not None else []
    kept = [n for n in changed if n not in applied]
    parts = []
    if applied:
        what = ", ".join(REPROVISION_WARNED[n] for n in applied)
        parts.append(f"warning: {SPEC.noun} '{name}': the change of {what} will be applied to existing Cloud PCs "
                     "after the update (apply_to_existing_cloud_pcs)")  # fmt: skip
    if kept:
        what = ", ".join(REPROVISION_WARNED[n] for n in kept)
        parts.append(f"warning: {SPEC.noun} '{name}': the change of {what} applies only to Cloud PCs provisioned "
                     "from now on; existing Cloud PCs keep their old settings until they are reprovisioned")  # fmt: skip
    return "\n".join(parts)
