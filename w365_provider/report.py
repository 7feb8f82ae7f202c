"""Pull-request report: ``pulumi preview --json`` output (a PreviewDigest) to Markdown.

Pure functions, no I/O: :func:`analyze` turns one stack's digest into a :class:`StackReport`,
:func:`render` turns reports into Markdown for a pull-request comment. The ``w365 report``
command (``cli.py``) reads the files.

What a digest holds (``pkg/display/json.go`` in pulumi/pulumi; shape checked with the real
engine): ``steps[]`` with ``op``, ``urn``, ``oldState`` / ``newState`` (``type``, ``id``,
``inputs``, ``outputs``), ``diffReasons``, ``replaceReasons`` and ``detailedDiff`` (property
path -> ``{kind, inputDiff}``); ``diagnostics[]`` (``urn`` when attached to a resource,
``message``, ``severity``); ``changeSummary``. In a preview the engine diffs old and new inputs
itself for our dynamic resources, so changed properties come from ``detailedDiff`` (and
``diffReasons``), old values from ``oldState.inputs`` and new values from ``newState.inputs``.
When neither is filled, the inputs are compared here.

Secrets never reach the report: the engine prints secret values as ``"[secret]"``, a value
carrying Pulumi's secret signature is treated the same, the serialized provider
(``__provider``) is skipped, and so are properties whose name says they hold a credential.
A dynamic provider's own warnings arrive as its stderr (severity ``info#err``, text starting
with ``warning:``, no URN); they are listed per stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from w365_provider.labels import (
    IMAGE_TYPE_LABELS,
    JOIN_TYPE_LABELS,
    MANAGED_TYPE_LABELS,
    PROVISIONING_TYPE_LABELS,
    STORAGE_SIZE_LABELS,
    USER_EXPERIENCE_LABELS,
)

__all__ = [
    "MARKER",
    "PROVISIONING_TYPE_LABELS",
    "Change",
    "GroupChange",
    "ReportError",
    "Setting",
    "StackReport",
    "analyze",
    "group_ids",
    "load_digest",
    "render",
    "render_stack",
    "stack_of",
]

MARKER = "<!-- w365-report -->"
"""First line of every report: the workflow finds its own pull-request comment by it."""

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the engine writes a value not known until apply (``pulumi.runtime.rpc.UNKNOWN``)."""

SECRET_TEXT = "[secret]"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""Key of Pulumi's secret signature in a serialized property value."""

PROVIDER_KEY = "__provider"

_CREDENTIAL_NAME = re.compile(r"(secret|password|passphrase|token|credential|private_?key)", re.I)

POLICY_TYPE = "pulumi-python:dynamic/w365:ProvisioningPolicy"


class ReportError(ValueError):
    """The input is not a ``pulumi preview --json`` digest."""


class _Hidden:
    """A secret value: rendered as a lock, never as its content."""

    def __repr__(self) -> str:
        return "HIDDEN"


HIDDEN = _Hidden()


UNKNOWN_GROUPS = "_groups known after apply_"


class _Computed:
    """A value known only after apply."""

    def __repr__(self) -> str:
        return "COMPUTED"


COMPUTED = _Computed()

# ============================================================================================
# Labels: read like the Intune admin center
# ============================================================================================

POLICY_SETTINGS: dict[str, str] = {
    "display_name": "Name",
    "description": "Description",
    "provisioning_type": "License type",
    "domain_join_configurations": "Network",
    "enable_single_sign_on": "Single sign-on",
    "image_type": "Image type",
    "image_id": "Image",
    "image_display_name": "Image name",
    "windows_setting": "Language & region",
    "cloud_pc_naming_template": "Naming template",
    "local_admin_enabled": "Local admin",
    "microsoft_managed_desktop": "Microsoft Managed Desktop",
    "autopatch": "Windows Autopatch",
    "user_experience_type": "Experience",
    "autopilot_configuration": "Windows Autopilot device preparation",
    "user_settings_persistence_configuration": "User Experience Sync",
    "scope_ids": "Scope tags",
    "assignments": "Assignments",
    "apply_to_existing_cloud_pcs": "Apply to existing Cloud PCs",
    "adopt": "Adopt existing policy",
}
"""Policy inputs in the admin center's order (General, Image, Configuration, Assignments)."""

_SKIPPED_ON_CREATE = {"display_name", "assignments", "adopt", "image_display_name"}
"""Shown elsewhere in a created policy's rows (title, groups, with the image)."""

_PROVISIONING_TYPES = PROVISIONING_TYPE_LABELS
_JOIN_TYPES = JOIN_TYPE_LABELS
_IMAGE_TYPES = IMAGE_TYPE_LABELS
_MANAGED_TYPES = MANAGED_TYPE_LABELS

_TYPE_LABELS = {
    "pulumi-python:dynamic/w365:DeviceImage": "Custom device image",
    "azuread:index/group:Group": "Entra group",
    "azuread:index/groupMember:GroupMember": "Entra group member",
}

_ACTIONS = {
    "create": ("➕", "Create"),
    "update": ("✏️", "Update"),
    "replace": ("♻️", "Replace"),
    "delete": ("🗑️", "Delete"),
    "import": ("📥", "Import"),
    "discard": ("📤", "Forget"),
}
_ORDER = ("create", "update", "replace", "delete", "import", "discard")

_REPLACE_OPS = {
    "replace", "create-replacement", "delete-replaced", "read-replacement",
    "discard-replaced", "remove-pending-replace", "import-replacement",
}  # fmt: skip
_UNCHANGED_OPS = {"same", "read", "refresh"}

_MAX_CELL = 160


# ============================================================================================
# The model
# ============================================================================================


@dataclass
class Setting:
    """One changed (or, for a created policy, one set) property."""

    key: str
    label: str
    before: str
    after: str
    forces_replacement: bool = False


@dataclass
class GroupChange:
    """One group gaining or losing a policy."""

    group: str
    """Rendered group: name and id when known."""
    policy: str
    change: str
    """``assigned``, ``unassigned``, ``reassigned`` or ``plan changed``."""
    disruptive: bool = False


@dataclass
class Change:
    """One resource the preview changes."""

    action: str
    """``create``, ``update``, ``replace``, ``delete``, ``import`` or ``discard``."""
    urn: str
    type: str
    name: str
    """The resource name (the last URN segment)."""
    title: str
    """Display name when the resource has one, else the resource name."""
    settings: list[Setting] = field(default_factory=list)
    groups_before: dict[str, str | None] = field(default_factory=dict)
    """Assigned groups before (rendered group -> rendered service plan or ``None``)."""
    groups_after: dict[str, str | None] = field(default_factory=dict)
    replace_reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    only_provider_changed: bool = False

    @property
    def is_policy(self) -> bool:
        return self.type == POLICY_TYPE

    @property
    def disruptive(self) -> bool:
        """A policy replaced, or deleted or unassigned while its users have Cloud PCs from it."""
        if not self.is_policy:
            return False
        if self.action == "replace":
            return True
        if self.is_policy and self.action == "delete" and self.groups_before:
            return True
        if self.action != "update" or UNKNOWN_GROUPS in self.groups_after:
            return False
        return bool(set(self.groups_before) - set(self.groups_after))


@dataclass
class StackReport:
    """Everything the report says about one stack."""

    stack: str
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    group_changes: list[GroupChange] = field(default_factory=list)
    problem: str | None = None
    """Set when the digest could not be read at all."""
    people: str = ""
    """The "Effect on people" section (Markdown, from ``w365_provider.impact``), when asked for."""

    @property
    def policies(self) -> list[Change]:
        return [c for c in self.changes if c.is_policy]

    @property
    def others(self) -> list[Change]:
        return [c for c in self.changes if not c.is_policy]

    @property
    def failed(self) -> bool:
        return bool(self.errors) or self.problem is not None


# ============================================================================================
# Reading a digest
# ============================================================================================


def load_digest(text: str) -> dict[str, Any]:
    """Parse ``pulumi preview --json`` output; ``ReportError`` when it is not a digest."""
    text = text.strip()
    if not text:
        raise ReportError("empty input: no `pulumi preview --json` output")
    try:
        digest = json.loads(text)
    except ValueError:
        # Tolerate text before the document (a wrapper script's own output, say).
        start = text.find("{")
        try:
            digest = json.loads(text[start:]) if start > 0 else None
        except ValueError:
            digest = None
        if digest is None:
            raise ReportError("not JSON: expected the output of `pulumi preview --json`") from None
    if not isinstance(digest, dict) or not isinstance(digest.get("steps") or [], list):
        raise ReportError("not a preview digest: expected an object with a `steps` list")
    return digest


def stack_of(digest: Mapping[str, Any]) -> str | None:
    """The stack name, from the first URN (``urn:pulumi:<stack>::<project>::...``)."""
    urns = [s.get("urn") for s in digest.get("steps") or []]
    urns += [d.get("urn") for d in digest.get("diagnostics") or []]
    for urn in urns:
        if isinstance(urn, str) and urn.startswith("urn:pulumi:"):
            return urn[len("urn:pulumi:") :].split("::", 1)[0] or None
    return None


def _type_of(step: Mapping[str, Any]) -> str:
    for key in ("newState", "oldState"):
        state = step.get(key) or {}
        if state.get("type"):
            return str(state["type"])
    urn = str(step.get("urn", ""))
    parts = urn.split("::")
    return parts[2].split("$")[-1] if len(parts) >= 4 else ""


def _name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if "::" in urn else urn


def _skipped_type(type_: str) -> bool:
    return type_ == "pulumi:pulumi:Stack" or type_.startswith("pulumi:providers:")


def _inputs(state: Mapping[str, Any] | None) -> dict[str, Any]:
    if not state:
        return {}
    values = state.get("inputs")
    if values is None:
        values = state.get("outputs")
    return dict(values or {})


def _clean(value: Any, key: str = "") -> Any:
    """Secrets become HIDDEN, unknowns COMPUTED, ``__provider`` disappears."""
    if key and _CREDENTIAL_NAME.search(key):
        return HIDDEN if value not in (None, "", [], {}) else value
    if value == SECRET_TEXT:
        return HIDDEN
    if value == UNKNOWN:
        return COMPUTED
    if isinstance(value, Mapping):
        if SECRET_SIG in value:
            return HIDDEN
        return {k: _clean(v, k) for k, v in value.items() if k != PROVIDER_KEY}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


_PATH_HEAD = re.compile(r'^(?:\["((?:[^"\\]|\\.)*)"\]|([^.\[]+))')


def _root(path: str) -> str:
    """Top-level property of a detailedDiff path: ``a[0].b`` -> ``a``; ``["x.y"].z`` -> ``x.y``."""
    match = _PATH_HEAD.match(path)
    if not match:
        return path
    return match.group(1) if match.group(1) is not None else match.group(2)


def _changed_keys(step: Mapping[str, Any], olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    keys: list[str] = []
    for path in (step.get("detailedDiff") or {}).keys():
        keys.append(_root(path))
    keys += list(step.get("diffReasons") or []) + list(step.get("replaceReasons") or [])
    if not keys:  # no diff from the engine: compare the inputs
        keys = [k for k in sorted(set(olds) | set(news)) if olds.get(k) != news.get(k)]
    return list(dict.fromkeys(keys))


# ============================================================================================
# Analysis
# ============================================================================================


def analyze(
    digest: Mapping[str, Any], stack: str | None = None, group_names: Mapping[str, str] | None = None
) -> StackReport:
    """One stack's digest -> StackReport.

    Groups are named from the digest (Entra groups the stack creates, and the program's
    ``groupNames`` stack output) and from ``group_names`` (object id -> display name, for example
    looked up in Graph), the digest winning.
    """
    report = StackReport(stack=stack or stack_of(digest) or "stack")
    group_names = {**{k.lower(): v for k, v in (group_names or {}).items()}, **_group_names(digest)}

    merged: dict[str, list[Mapping[str, Any]]] = {}
    order: list[str] = []
    same_listed = same_skipped = 0
    for step in digest.get("steps") or []:
        urn = str(step.get("urn", ""))
        type_ = _type_of(step)
        op = str(step.get("op", ""))
        if _skipped_type(type_):
            same_skipped += op == "same"
            continue
        if op in _UNCHANGED_OPS:
            same_listed += 1
            continue
        key = f"replace {urn}" if op in _REPLACE_OPS else f"{op} {urn}"
        if key not in merged:
            merged[key] = []
            order.append(key)
        merged[key].append(step)

    # `preview --json` lists unchanged resources only with --show-sames; the summary counts
    # them all, the stack itself included.
    counted = int((digest.get("changeSummary") or {}).get("same") or 0) - same_skipped
    report.unchanged = max(same_listed, counted)

    for key in order:
        report.changes.append(_change(merged[key], group_names))
    report.changes.sort(
        key=lambda c: (not c.is_policy, _ORDER.index(c.action) if c.action in _ORDER else 99, c.title.lower(), c.urn)
    )

    by_urn = {c.urn: c for c in report.changes}
    for diag in digest.get("diagnostics") or []:
        severity, message = _diagnostic(diag)
        if not message:
            continue
        if severity == "error":
            if message not in report.errors:
                report.errors.append(message)
        elif severity == "warning":
            message = _name_groups_in(message, group_names)
            target = by_urn.get(str(diag.get("urn") or ""))
            bucket = target.warnings if target is not None else report.warnings
            if message not in bucket:
                bucket.append(message)

    for change in report.policies:
        report.group_changes += _group_changes(change)
    return report


def _change(steps: Sequence[Mapping[str, Any]], group_names: Mapping[str, str]) -> Change:
    op = str(steps[0].get("op", ""))
    action = "replace" if op in _REPLACE_OPS else op
    # For a replacement shown as several steps, the one with both states carries the diff.
    step = next((s for s in steps if s.get("oldState") and s.get("newState")), steps[0])
    old_state, new_state = step.get("oldState"), step.get("newState")
    urn = str(step.get("urn", ""))
    type_ = _type_of(step)
    olds = _clean(_inputs(old_state))
    news = _clean(_inputs(new_state))
    title = _title(news) or _title(olds) or _name_of(urn)
    change = Change(action=action, urn=urn, type=type_, name=_name_of(urn), title=title)
    change.replace_reasons = list(
        dict.fromkeys(r for s in steps for r in (s.get("replaceReasons") or []) if r != PROVIDER_KEY)
    )
    is_policy = type_ == POLICY_TYPE

    if is_policy:
        change.groups_before = _assigned(olds.get("assignments"), group_names)
        change.groups_after = _assigned(news.get("assignments"), group_names)
    if action in ("create", "import"):
        keys = [k for k in (POLICY_SETTINGS if is_policy else news) if k in news]
        keys = [k for k in keys if not (is_policy and k in _SKIPPED_ON_CREATE)]
        if is_policy and news.get("assignments"):
            keys.append("assignments")
        if is_policy and news.get("adopt"):
            keys.append("adopt")
    elif action in ("update", "replace"):
        keys = _changed_keys(step, olds, news)
        raw_keys = keys
        keys = [k for k in keys if k != PROVIDER_KEY]
        change.only_provider_changed = bool(raw_keys) and not keys
        if is_policy:
            known = [k for k in POLICY_SETTINGS if k in keys]
            keys = known + [k for k in keys if k not in POLICY_SETTINGS]
    else:
        keys = []

    old_outputs = _clean(dict((old_state or {}).get("outputs") or {}))
    for key in keys:
        # A property the program did not set before shows what Graph held (its default).
        old_value = olds.get(key, old_outputs.get(key))
        before = "" if action in ("create", "import") else _show(key, old_value, olds, old_outputs, group_names)
        after = _show(key, news.get(key), news, {}, group_names)
        if action in ("update", "replace") and before == after:
            # Same text, yet the engine says it changed: a secret, or a difference the
            # rendering does not show (whitespace, truncation, an unrendered nested key).
            after = "🔒 secret (changed)" if HIDDEN in (old_value, news.get(key)) else after + " (changed)"
        label = _label(key, is_policy)
        change.settings.append(Setting(key, label, before, after, key in change.replace_reasons))
    return change


def _title(values: Mapping[str, Any]) -> str | None:
    for key in ("display_name", "displayName", "name"):
        value = values.get(key)
        if isinstance(value, str) and value:
            return value
    return None


GROUP_NAMES_OUTPUT = "groupNames"
"""The program's stack output: Entra group object id -> display name (of the groups it creates)."""

_GUID_TEXT = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")


def group_ids(digest: Mapping[str, Any]) -> list[str]:
    """Object ids of the groups the digest's provisioning policies are (or will be) assigned to."""
    found: dict[str, None] = {}
    for step in digest.get("steps") or []:
        if _type_of(step) != POLICY_TYPE:
            continue
        for key in ("oldState", "newState"):
            for item in _inputs(step.get(key)).get("assignments") or []:
                gid = item.get("group_id") if isinstance(item, Mapping) else None
                if isinstance(gid, str) and _GUID_TEXT.fullmatch(gid):
                    found[gid.lower()] = None
    return list(found)


def _name_groups_in(text: str, group_names: Mapping[str, str]) -> str:
    """A warning with each known group id shown as its name next to a short id."""
    return _GUID_TEXT.sub(lambda m: _named(m.group(0), group_names.get(m.group(0).lower())), text)


def _named(gid: str, name: str | None) -> str:
    return f"{name} ({gid[:8]}…)" if name else gid


def _group_names(digest: Mapping[str, Any]) -> dict[str, str]:
    """Entra group object id -> display name, from azuread Group resources in the digest and the
    program's ``groupNames`` stack output (the Stack step is in every digest)."""
    names: dict[str, str] = {}
    for step in digest.get("steps") or []:
        if _type_of(step) == "pulumi:pulumi:Stack":
            for key in ("oldState", "newState"):
                exported = ((step.get(key) or {}).get("outputs") or {}).get(GROUP_NAMES_OUTPUT)
                if isinstance(exported, Mapping):
                    names.update({str(k).lower(): v for k, v in exported.items()
                                  if isinstance(v, str) and v not in (SECRET_TEXT, UNKNOWN)})  # fmt: skip
        for key in ("oldState", "newState"):
            state = step.get(key) or {}
            if not str(state.get("type", "")).startswith("azuread:index/group:Group"):
                continue
            values = {**(state.get("outputs") or {}), **(state.get("inputs") or {})}
            name = values.get("displayName")
            for gid in (state.get("id"), (state.get("outputs") or {}).get("objectId")):
                if isinstance(gid, str) and gid and gid != UNKNOWN and isinstance(name, str) and name != SECRET_TEXT:
                    names[gid.lower()] = name
    return names


def _assigned(assignments: Any, group_names: Mapping[str, str]) -> dict[str, str | None]:
    """Rendered group -> rendered service plan (``None`` for dedicated policies)."""
    if assignments is HIDDEN:
        return {"🔒 secret": None}
    if assignments is COMPUTED:
        return {UNKNOWN_GROUPS: None}
    if not isinstance(assignments, list):
        return {}
    groups: dict[str, str | None] = {}
    for item in assignments:
        gid = item.get("group_id") if isinstance(item, Mapping) else item
        plan = item.get("service_plan_id") if isinstance(item, Mapping) else None
        groups[_group_label(gid, group_names)] = None if plan is None else _plain(plan, code=True)
    return groups


def _group_label(gid: Any, group_names: Mapping[str, str]) -> str:
    if gid is HIDDEN:
        return "🔒 secret"
    if gid is COMPUTED or gid is None:
        return "a group known after apply"
    gid = str(gid)
    name = group_names.get(gid.lower())
    return f"{_text(name)} ({_code(gid[:8] + '…')})" if name else _code(gid)


def _group_changes(change: Change) -> list[GroupChange]:
    policy = _text(change.title)
    before, after = change.groups_before, change.groups_after
    out: list[GroupChange] = []
    if UNKNOWN_GROUPS in after:
        return [GroupChange(g, policy, "may change (groups known after apply)", False) for g in before]
    if change.action == "replace":
        out += [GroupChange(g, policy, "reassigned to the new policy", True) for g in after if g in before]
        out += [GroupChange(g, policy, "assigned", False) for g in after if g not in before]
        out += [GroupChange(g, policy, "unassigned", True) for g in before if g not in after]
    elif change.action == "delete":
        out += [GroupChange(g, policy, "unassigned (policy deleted)", True) for g in before]
    else:
        out += [GroupChange(g, policy, "assigned", False) for g in after if g not in before]
        out += [GroupChange(g, policy, "unassigned", True) for g in before if g not in after]
        out += [
            GroupChange(g, policy, f"service plan {before[g] or '—'} → {after[g] or '—'}", False)
            for g in after if g in before and before[g] != after[g]
        ]  # fmt: skip
    return out


def _diagnostic(diag: Mapping[str, Any]) -> tuple[str, str]:
    severity = str(diag.get("severity", ""))
    message = str(diag.get("message", "")).strip()
    lowered = message.lower()
    if severity == "info#err" and lowered.startswith("warning:"):
        severity = "warning"
    elif severity == "info#err" and lowered.startswith("error:"):
        severity = "error"
    if severity not in ("warning", "error"):
        return severity, ""
    for prefix in ("warning:", "error:"):
        if message.lower().startswith(prefix):
            message = message[len(prefix) :].strip()
    if message == "Resource monitor has terminated, shutting down":
        return severity, ""
    return severity, message


# ============================================================================================
# Values
# ============================================================================================


def _label(key: str, is_policy: bool) -> str:
    if is_policy and key in POLICY_SETTINGS:
        return POLICY_SETTINGS[key]
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower() if words else key


def _show(
    key: str, value: Any, values: Mapping[str, Any], outputs: Mapping[str, Any], group_names: Mapping[str, str]
) -> str:
    """One property value as Markdown for a table cell."""
    if value is HIDDEN:
        return "🔒 secret"
    if value is COMPUTED:
        return "_known after apply_"
    if value is None or value == [] or value == {}:
        return "—"
    if key == "provisioning_type":
        return _text(_PROVISIONING_TYPES.get(str(value), str(value)))
    if key == "image_type":
        return _text(_IMAGE_TYPES.get(str(value), str(value)))
    if key == "user_experience_type":
        return _text(USER_EXPERIENCE_LABELS.get(str(value), str(value)))
    if key == "user_settings_persistence_configuration" and isinstance(value, Mapping):
        on = value.get("user_settings_persistence_enabled")
        size = value.get("user_settings_persistence_storage_size_category")
        return ("Enabled" if on else "Disabled") + (f", {_text(STORAGE_SIZE_LABELS.get(str(size), str(size)))}" if size else "")
    if key in ("enable_single_sign_on", "local_admin_enabled"):
        return "Enabled" if value is True else "Disabled" if value is False else _text(str(value))
    if key == "adopt":
        return "Yes" if value else "No"
    if key == "image_id":
        name = values.get("image_display_name") or outputs.get("image_display_name")
        kind = values.get("image_type")
        shown = _code(str(value))
        if isinstance(name, str) and name:
            shown = f"{_text(name)}<br>{shown}"
        if kind == "custom":
            shown += " (custom)"
        return shown
    if key == "domain_join_configurations" and isinstance(value, list):
        parts = [_join(item) for item in value]
        if len(parts) == 1:
            return parts[0]
        return "<br>".join(f"{i}. {p}" for i, p in enumerate(parts, 1))
    if key == "windows_setting" and isinstance(value, Mapping):
        return _plain(value.get("locale")) if set(value) <= {"locale"} else _generic(value)
    if key == "microsoft_managed_desktop" and isinstance(value, Mapping):
        kind = value.get("managed_type")
        shown = _text(_MANAGED_TYPES.get(str(kind), str(kind))) if kind else "—"
        if value.get("profile"):
            shown += f", profile {_plain(value['profile'])}"
        return shown
    if key == "autopatch" and isinstance(value, Mapping):
        gid = value.get("autopatch_group_id")
        return f"Autopatch group {_plain(gid, code=True)}" if gid else "—"
    if key == "assignments" and isinstance(value, list):
        groups = _assigned(value, group_names)
        shown = [g if plan is None else f"{g} with service plan {plan}" for g, plan in groups.items()]
        return "<br>".join(shown) if shown else "—"
    return _generic(value)


def _join(item: Any) -> str:
    if item is HIDDEN:
        return "🔒 secret"
    if item is COMPUTED:
        return "_known after apply_"
    if not isinstance(item, Mapping):
        return _generic(item)
    kind = item.get("domain_join_type")
    parts = [_text(_JOIN_TYPES.get(str(kind), str(kind)))] if kind else []
    connection = item.get("on_premises_connection_id")
    region = item.get("region_name")
    if connection:
        parts.append(f"Azure network connection {_plain(connection, code=True)}")
    if region:
        parts.append(f"Microsoft-hosted network, region {_plain(region)}")
    if item.get("region_group"):
        parts.append(f"group {_plain(item['region_group'])}")
    shown_keys = ("domain_join_type", "on_premises_connection_id", "region_name", "region_group")
    rest = {k: v for k, v in item.items() if k not in shown_keys}
    if rest:
        parts.append(_generic(rest))
    return " · ".join(parts) if parts else "—"


def _plain(value: Any, *, code: bool = False) -> str:
    if value is HIDDEN:
        return "🔒 secret"
    if value is COMPUTED:
        return "_known after apply_"
    if value is None:
        return "—"
    return _code(str(value)) if code else _text(str(value))


def _generic(value: Any) -> str:
    if value is HIDDEN:
        return "🔒 secret"
    if value is COMPUTED:
        return "_known after apply_"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_text(_label(str(k), False).lower())}: {_generic(v)}" for k, v in value.items())
        return inner or "—"
    if isinstance(value, list):
        return "; ".join(_generic(v) for v in value) or "—"
    if value is None:
        return "—"
    return _text(str(value))


def _text(value: str, limit: int = _MAX_CELL) -> str:
    """Plain text safe in a Markdown table cell (and in HTML)."""
    value = " ".join(value.split())
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = re.sub(r"([\\`*_\[\]|~])", r"\\\1", value)
    return value


def _code(value: str) -> str:
    """An inline code span safe in a table cell."""
    value = " ".join(value.split())
    if len(value) > _MAX_CELL:
        value = value[: _MAX_CELL - 1] + "…"
    value = value.replace("|", "\\|")
    fence = "``" if "`" in value else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{value}{pad}{fence}"


# ============================================================================================
# Rendering
# ============================================================================================


def summary_line(report: StackReport) -> str:
    """One line: what the preview of this stack does."""
    head = f"**{_text(report.stack)}**"
    if report.problem:
        return f"{head}: ❌ no preview ({_text(report.problem)})"
    parts = []
    policies = _counts(report.policies)
    if policies:
        parts.append("policies " + policies)
    others = _counts(report.others)
    if others:
        parts.append("other resources " + others)
    if not parts:
        parts.append("no changes")
    line = f"{head}: " + "; ".join(parts) + f" ({report.unchanged} unchanged)"
    disruptive = [c for c in report.changes if c.disruptive]
    if disruptive:
        line += f" · ⚠️ {len(disruptive)} disruptive"
    if report.warnings or any(c.warnings for c in report.changes):
        count = len(report.warnings) + sum(len(c.warnings) for c in report.changes)
        line += f" · {count} warning{'s' if count != 1 else ''}"
    if report.errors:
        errors = f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''}"
        line = f"{head}: ❌ preview failed ({errors}); " + line.split(": ", 1)[1]
    return line


def _counts(changes: Sequence[Change]) -> str:
    bits = []
    for action in _ORDER:
        n = sum(1 for c in changes if c.action == action)
        if n:
            icon, word = _ACTIONS[action]
            bits.append(f"{icon} {n} to {word.lower()}")
    return ", ".join(bits)


def render_stack(report: StackReport, *, summary: bool = True) -> str:
    """The Markdown section of one stack (``summary=False``: without its summary line)."""
    out = [f"### Stack {_code(report.stack)}", ""] + ([summary_line(report), ""] if summary else [])
    if report.problem:
        out += [f"❌ No preview to report: {_text(report.problem, 1000)}", ""]
        return "\n".join(out).rstrip() + "\n"
    if report.errors:
        out += ["> [!CAUTION]", "> The preview failed; the changes below may be incomplete.", ""]
        for error in report.errors:
            first, _, rest = error.partition("\n")
            if rest.strip():
                out += [f"<details><summary>❌ {_text(first)}</summary>", ""]
                out += ["```text", _fenced(rest), "```", "</details>", ""]
            else:
                out += [f"- ❌ {_text(first, 1000)}"]
        out.append("")

    disruptive = [c for c in report.policies if c.disruptive]
    if disruptive:
        out += ["> [!WARNING]", "> **Disruptive changes**: Cloud PCs of the assigned users are affected."]
        for c in disruptive:
            out.append(f"> - {_disruption(c)}")
        out.append("")

    if report.policies:
        out += ["#### Provisioning policies", ""]
        out += ["| Change | Policy | Setting | Before | After |", "| --- | --- | --- | --- | --- |"]
        for c in report.policies:
            out += _policy_rows(c)
        out.append("")

    if report.group_changes:
        out += ["#### Assignments by group", "", "| Group | Policy | Change |", "| --- | --- | --- |"]
        for g in report.group_changes:
            mark = {"assigned": "➕", "reassigned": "♻️", "unassigned": "➖"}.get(g.change.split()[0], "✏️")
            text = f"{mark} {g.change}" + (" ⚠️" if g.disruptive else "")
            out.append(f"| {g.group} | {g.policy} | {text} |")
        out.append("")

    if report.people:
        out += [report.people.rstrip(), ""]

    if report.others:
        out += ["#### Other resources", ""]
        for c in report.others:
            out.append("- " + _other_line(c))
        out.append("")

    warnings = [(c, w) for c in report.changes for w in c.warnings] + [(None, w) for w in report.warnings]
    if warnings:
        out += ["#### Warnings", ""]
        for c, w in warnings:
            where = f"**{_text(c.title)}**: " if c is not None else ""
            out.append(f"- ⚠️ {where}{_text(w, 1000)}")
        out.append("")
    if not report.changes and not report.errors:
        out += ["No changes.", ""]
    return "\n".join(out).rstrip() + "\n"


def _disruption(c: Change) -> str:
    title = f"**{_text(c.title)}**"
    if c.action == "replace":
        reasons = ", ".join(_label(r, True) for r in c.replace_reasons) or "a property Graph cannot change"
        groups = ", ".join(c.groups_before or c.groups_after) or "no groups assigned"
        return (
            f"{title} is replaced (changed: {reasons}): the policy is deleted and created again with a new id; "
            f"assigned groups: {groups}."
        )
    if c.action == "delete":
        return f"{title} is deleted while assigned to {', '.join(c.groups_before)}."
    removed = [g for g in c.groups_before if g not in c.groups_after]
    return f"{title} is unassigned from {', '.join(removed)}."


def _policy_rows(c: Change) -> list[str]:
    icon, word = _ACTIONS.get(c.action, ("•", c.action.title()))
    action = f"{icon} {word}" + (" ⚠️" if c.disruptive else "")
    policy = f"**{_text(c.title)}**<br>{_code(c.name)}" if c.title != c.name else _code(c.name)
    rows: list[tuple[str, str, str]] = []
    for s in c.settings:
        label = s.label + (" 🔁 _forces replacement_" if s.forces_replacement else "")
        rows.append((label, s.before or "—", s.after or "—"))
    if c.action == "delete":
        rows.append(("Policy", "exists", "deleted"))
    if c.only_provider_changed:
        rows.append(("—", "no setting changes", "provider code or settings changed"))
    if not rows:
        rows.append(("—", "", ""))
    lines = []
    for i, (label, before, after) in enumerate(rows):
        first = (action, policy) if i == 0 else ("", "")
        lines.append(f"| {first[0]} | {first[1]} | {label} | {before} | {after} |")
    return lines


def _other_line(c: Change) -> str:
    icon, word = _ACTIONS.get(c.action, ("•", c.action.title()))
    kind = _TYPE_LABELS.get(c.type) or _text(c.type.rsplit(":", 1)[-1] or c.type)
    title = f" ({_text(c.title)})" if c.title != c.name else ""
    line = f"{icon} {word} {kind} {_code(c.name)}{title}"
    shown = []
    for s in c.settings:
        if c.action in ("create", "import"):
            if s.key not in ("display_name", "displayName", "name"):
                shown.append(f"{s.label}: {s.after}")
        else:
            shown.append(f"{s.label}{' 🔁' if s.forces_replacement else ''}: {s.before} → {s.after}")
    if shown:
        more = f"; and {len(shown) - 6} more" if len(shown) > 6 else ""
        line += " — " + "; ".join(shown[:6]) + more
    elif c.only_provider_changed:
        line += " — provider code or settings changed"
    return line


def _fenced(text: str, max_lines: int = 40) -> str:
    lines = text.replace("```", "ʼʼʼ").splitlines()
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines)"]
    return "\n".join(lines)


def render(reports: Iterable[StackReport], *, title: str = "Windows 365 preview") -> str:
    """The whole pull-request comment: a summary line per stack, then each stack's section."""
    reports = list(reports)
    out = [MARKER, f"## {_text(title)}", ""]
    if not reports:
        out += ["No previews were given.", ""]
        return "\n".join(out)
    for report in reports:
        out.append(f"- {summary_line(report)}")
    out.append("")
    for report in reports:
        out.append(render_stack(report, summary=False))
    out.append(
        "<sub>Generated by `w365 report` from `pulumi preview --json`. Secret values are never shown. "
        "🔁 marks a setting whose change replaces the policy.</sub>"
    )
    return "\n".join(out).rstrip() + "\n"
