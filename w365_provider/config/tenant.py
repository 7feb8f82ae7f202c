"""The stack config's tenant sections: ``w365:userSettings``, ``w365:networkConnections`` and
``w365:organizationSettings``, turned into plain specs, their references checked, and the
resources' own rules run on them (the passes of ``stack.py`` for these sections).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from w365_provider.config import problems as pr
from w365_provider.config.tenant_model import (
    NetworkConnectionEntry,
    OrganizationSettingsEntry,
    RestorePointEntry,
    UserSettingEntry,
)

__all__ = [
    "NetworkConnectionSpec",
    "OrganizationSettingsSpec",
    "UserSettingSpec",
    "network_connections",
    "organization_settings",
    "tenant_references",
    "tenant_rules",
    "user_settings",
]

NAMESPACE = pr.NAMESPACE
PASSWORD_KEY = "adDomainPassword"


@dataclass(frozen=True)
class UserSettingSpec:
    """A user setting: ``UserSetting`` arguments, and the keys of ``w365:groups`` it is assigned to."""

    key: str
    assignments: tuple[str, ...] | None
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NetworkConnectionSpec:
    """An Azure network connection: ``NetworkConnection`` arguments (the password among them,
    to be wrapped as a secret by the program)."""

    key: str
    args: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class OrganizationSettingsSpec:
    """The tenant's organization settings: ``OrganizationSettings`` arguments."""

    args: dict[str, Any] = field(default_factory=dict)


def _keys(model: Any) -> dict[str, str]:
    return {name: info.alias or name for name, info in model.model_fields.items()}


def user_settings(entries: Mapping[str, Any]) -> dict[str, UserSettingSpec]:
    out = {}
    for key, value in entries.items():
        entry = UserSettingEntry.model_validate(value)
        args = entry.model_dump(exclude_none=True, exclude={"assignments"})
        assigned = tuple(entry.assignments) if entry.assignments is not None else None
        out[key] = UserSettingSpec(key, assigned, args)
    return out


def network_connections(entries: Mapping[str, Any]) -> dict[str, NetworkConnectionSpec]:
    return {k: NetworkConnectionSpec(k, NetworkConnectionEntry.model_validate(v).model_dump(exclude_none=True))
            for k, v in entries.items()}  # fmt: skip


def organization_settings(value: Any) -> OrganizationSettingsSpec | None:
    if value is None:
        return None
    try:
        entry = OrganizationSettingsEntry.model_validate(value)
    except ValidationError:
        return None  # reported by the model pass
    return OrganizationSettingsSpec(entry.model_dump(exclude_none=True))


def tenant_references(
    data: Mapping[str, Mapping[str, Any]], settings: Mapping[str, UserSettingSpec],
    connections: Mapping[str, NetworkConnectionSpec], secret_sections: Collection[str] | None,
) -> list[pr.Problem]:  # fmt: skip
    """Groups named by user settings exist and are named once; names are unique per section;
    connections named by policies exist; a password is given only as a secret."""
    found: list[pr.Problem] = []
    for key, setting in settings.items():
        seen: set[str] = set()
        for index, group in enumerate(setting.assignments or ()):
            at = ("userSettings", key, "assignments", index)
            if group not in data["groups"]:
                found.append(pr.Problem(at, f"{group!r} is not a key of {NAMESPACE}:groups ({pr.known_keys(data['groups'], group)}"))
            elif group in seen:
                found.append(pr.Problem(at, f"group {group!r} is assigned twice"))
            seen.add(group)
    found += _unique_names("userSettings", {k: s.args["display_name"] for k, s in settings.items()}, "user setting")
    found += _unique_names("networkConnections", {k: c.args["display_name"] for k, c in connections.items()},
                           "network connection")  # fmt: skip
    for key, policy in (data.get("policies") or {}).items():
        for index, entry in enumerate((policy or {}).get("domainJoinConfigurations") or [] if isinstance(policy, Mapping) else []):
            name = entry.get("networkConnection") if isinstance(entry, Mapping) else None
            at = ("policies", key, "domainJoinConfigurations", index, "networkConnection")
            if isinstance(name, str) and name not in data["networkConnections"]:
                found.append(pr.Problem(at, f"{name!r} is not a key of {NAMESPACE}:networkConnections "
                                            f"({pr.known_keys(data['networkConnections'], name)}"))  # fmt: skip
            if isinstance(name, str) and isinstance(entry, Mapping) and entry.get("onPremisesConnectionId"):
                found.append(pr.Problem(at, "give networkConnection (a key) or onPremisesConnectionId (an id), not both"))
    if secret_sections is not None and "networkConnections" not in secret_sections:
        for key, connection in connections.items():
            if isinstance(connection.args.get("ad_domain_password"), str):
                found.append(pr.Problem(("networkConnections", key, PASSWORD_KEY),
                                        "must be a secret: pulumi config set --secret --path "
                                        f"'{NAMESPACE}:networkConnections.{key}.{PASSWORD_KEY}' <password>"))  # fmt: skip
    return found


def _unique_names(section: str, names: Mapping[str, str], what: str) -> list[pr.Problem]:
    found, first = [], {}
    for key, name in names.items():
        if name in first:
            found.append(pr.Problem((section, key, "displayName"), f"{name!r} is also the name of "
                                    f"{NAMESPACE}:{section}.{first[name]}; {what} names must be unique in a stack"))  # fmt: skip
        first.setdefault(name, key)
    return found


_SETTING_KEYS = {**_keys(UserSettingEntry), **_keys(RestorePointEntry), "group_id": "assignments"}
_CONNECTION_KEYS = _keys(NetworkConnectionEntry)


def tenant_rules(settings: Mapping[str, UserSettingSpec], connections: Mapping[str, NetworkConnectionSpec],
                 organization: OrganizationSettingsSpec | None) -> list[pr.Problem]:  # fmt: skip
    """The checks the resources run at preview, named by YAML path."""
    from w365_provider.resources import network_connection, organization_settings, user_setting

    found: list[pr.Problem] = []
    for key, setting in settings.items():
        props = user_setting.normalize(dict(setting.args))
        found += pr.from_check_failures(user_setting.validate(props), ("userSettings", key), _SETTING_KEYS)
    for key, connection in connections.items():
        args = dict(connection.args)
        if isinstance(args.get("ad_domain_password"), Mapping):
            args["ad_domain_password"] = "stand-in"  # still encrypted (read outside the engine)
        props = network_connection.normalize(args)
        found += pr.from_check_failures(network_connection.validate(props), ("networkConnections", key),
                                        _CONNECTION_KEYS)  # fmt: skip
    if organization is not None:
        props = organization_settings.normalize(dict(organization.args))
        found += pr.from_check_failures(organization_settings.validate(props), ("organizationSettings",),
                                        _keys(OrganizationSettingsEntry))  # fmt: skip
    return found
