"""The people side of a tenant as one document: users, group members, licences bought, timings.

``PUT /_emulator/people`` replaces it, ``PATCH`` changes parts of it, ``GET`` returns it (see
``people_control.py``); the seeded tenant is ``people_seed.DEFAULT_PEOPLE``. Every document is
checked whole before anything is written; a problem is a 400 naming the field and the rule.
After a change the provisioning rules run (``provisioning.reconcile``).

Licence rules checked here (Graph's ``assignLicense`` refuses the same):
- a SKU must be one the emulator knows, and the tenant must have bought enough units of it
  (https://learn.microsoft.com/en-us/graph/api/user-assignlicense?view=graph-rest-1.0);
- Frontline licences are not assigned to users
  (https://learn.microsoft.com/en-us/graph/api/resources/cloudpcfrontlineserviceplan?view=graph-rest-beta).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, fields
from typing import Any, Protocol

from . import people_seed
from .errors import BadRequest
from .provisioning import PeopleConfig, load_config, reconcile, save_config
from .schema import now_iso
from .store import Store

USER_KEYS = frozenset({"id", "displayName", "givenName", "surname", "userPrincipalName", "mail", "jobTitle",
                       "department", "accountEnabled", "businessPhones", "mobilePhone", "officeLocation",
                       "preferredLanguage", "assignedLicenses"})  # fmt: skip
#: The ``service`` of an assigned plan, by plan-name prefix (the rest: the name itself).
_SERVICES = (("CPC_", "Windows365"), ("EXCHANGE_", "exchange"), ("INTUNE_", "SCO"))
DOCUMENT_KEYS = frozenset({"users", "groups", "subscriptions", "config", "removeUsers"})
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class Backend(Protocol):
    store: Store
    clock: Callable[[], float]


class PeopleError(BadRequest):
    """A people document breaks a rule; the message names the field."""


def _fail(where: str, rule: str) -> PeopleError:
    return PeopleError(f"people document, {where}: {rule}")


# --------------------------------------------------------------------------- reading the state
def export(store: Store) -> dict[str, Any]:
    """The current people document."""
    return {
        "users": [{k: v for k, v in _plain(u).items() if k != "assignedPlans"} for u in store.list("users")],
        "groups": [
            {"id": g["id"], "displayName": g.get("displayName"), "members": list(g.get("members") or [])}
            for g in store.list("groups")
        ],
        "subscriptions": {s["skuId"]: int(s["prepaidUnits"]["enabled"]) for s in store.list("subscribedSkus")},
        "config": asdict(load_config(store)),
    }


def _plain(entity: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entity.items() if not k.startswith("_")}


# --------------------------------------------------------------------------- changing it
def replace(backend: Backend, document: Any) -> None:
    """PUT: the document becomes the whole people side (groups not named keep no members)."""
    doc = _document(document, put=True)
    current = export(backend.store)
    state = {
        "users": {u["id"].lower(): u for u in doc.get("users", [])},
        "members": {g["id"].lower(): [] for g in current["groups"]},
        "names": {g["id"].lower(): g for g in current["groups"]},
        "subscriptions": dict(doc.get("subscriptions", {})),
        "config": {**asdict(PeopleConfig()), **doc.get("config", {})},
    }
    _apply_groups(state, doc.get("groups", []))
    _write(backend, state)


def patch(backend: Backend, document: Any) -> None:
    """PATCH: users upserted (``removeUsers`` deleted), named groups' members replaced, the rest merged."""
    doc = _document(document, put=False)
    current = export(backend.store)
    users = {u["id"].lower(): u for u in current["users"]}
    for index, user in enumerate(doc.get("users", [])):
        key = user["id"].lower()
        users[key] = {**users.get(key, {}), **user}
        if "displayName" not in users[key] or "userPrincipalName" not in users[key]:
            raise _fail(f"users[{index}]", "a new user needs displayName and userPrincipalName")
    for index, user_id in enumerate(doc.get("removeUsers", [])):
        if users.pop(str(user_id).lower(), None) is None:
            raise _fail(f"removeUsers[{index}]", f"there is no user '{user_id}'")
    state = {
        "users": users,
        "members": {g["id"].lower(): list(g["members"]) for g in current["groups"]},
        "names": {g["id"].lower(): g for g in current["groups"]},
        "subscriptions": {**current["subscriptions"], **doc.get("subscriptions", {})},
        "config": {**current["config"], **doc.get("config", {})},
    }
    _apply_groups(state, doc.get("groups", []))
    _write(backend, state)


def _apply_groups(state: dict[str, Any], groups: list[dict[str, Any]]) -> None:
    for index, group in enumerate(groups):
        key = group["id"].lower()
        if key not in state["names"]:
            if not isinstance(group.get("displayName"), str) or not group["displayName"]:
                raise _fail(f"groups[{index}].displayName", "a group that does not exist yet needs a displayName")
            state["names"][key] = {"id": group["id"], "displayName": group["displayName"], "new": True}
        if "members" in group or key not in state["members"]:
            state["members"][key] = list(group.get("members", []))


def _write(backend: Backend, state: dict[str, Any]) -> None:
    """Check the whole would-be state, then write users, members, subscriptions and config."""
    _check_members(state)
    _check_licenses(state)
    store = backend.store
    with store.transaction():
        before = {u["id"].lower(): u.get("assignedPlans") or [] for u in store.list("users")}
        store.clear("users")
        for key, user in state["users"].items():
            store.insert("users", _user_entity(user, before.get(key, []), backend.clock()))
        for key, group in state["names"].items():
            stored = store.get("groups", group["id"])
            if stored is None:
                stored = _group_entity(group, backend.clock())
                stored["members"] = state["members"].get(key, [])
                store.insert("groups", stored)
            else:
                stored["members"] = state["members"].get(key, [])
                store.update("groups", stored)
        _write_subscriptions(store, state["subscriptions"])
        save_config(store, PeopleConfig(**state["config"]))
        reconcile(backend)


def _write_subscriptions(store: Store, units: Mapping[str, int]) -> None:
    from .entities.subscribed_skus import sku_entity

    catalogue = {sku["skuId"].lower(): sku for sku in people_seed.sku_catalogue()}
    store.clear("subscribedSkus")
    for sku_id, count in units.items():
        store.insert("subscribedSkus", sku_entity(catalogue[sku_id.lower()], int(count)))


def _user_entity(user: Mapping[str, Any], before: list[dict[str, Any]], now: float) -> dict[str, Any]:
    entity = {key: None for key in USER_KEYS}
    entity.update(businessPhones=[], accountEnabled=True, assignedLicenses=[])
    entity.update(copy.deepcopy({k: v for k, v in user.items() if k in USER_KEYS}))
    entity["assignedLicenses"] = [
        {"skuId": lic["skuId"], "disabledPlans": list(lic.get("disabledPlans") or [])} for lic in entity["assignedLicenses"]
    ]
    entity["assignedPlans"] = _assigned_plans(entity["assignedLicenses"], before, now)
    return entity


def _assigned_plans(licenses: list[dict[str, Any]], before: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """``assignedPlans``: each enabled plan of the licences; a plan held before keeps its date."""
    catalogue = {sku["skuId"].lower(): sku for sku in people_seed.sku_catalogue()}
    dates = {str(p.get("servicePlanId")).lower(): p.get("assignedDateTime") for p in before}
    plans: dict[str, dict[str, Any]] = {}
    for lic in licenses:
        disabled = {str(d).lower() for d in lic["disabledPlans"]}
        for plan_id, name in catalogue.get(lic["skuId"].lower(), {}).get("servicePlans", []):
            if plan_id.lower() in disabled or plan_id.lower() in plans:
                continue
            service = next((svc for prefix, svc in _SERVICES if name.startswith(prefix)), name)
            plans[plan_id.lower()] = {"assignedDateTime": dates.get(plan_id.lower()) or now_iso(now),
                                      "capabilityStatus": "Enabled", "service": service, "servicePlanId": plan_id}  # fmt: skip
    return list(plans.values())


def _group_entity(group: Mapping[str, Any], now: float) -> dict[str, Any]:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", str(group["displayName"])).strip("-").lower() or "group"
    return {
        "id": group["id"],
        "displayName": group["displayName"],
        "description": None,
        "mailEnabled": False,
        "mailNickname": slug[:64],
        "securityEnabled": True,
        "groupTypes": [],
        "visibility": None,
        "isAssignableToRole": False,
        "createdDateTime": now_iso(now),
    }


# --------------------------------------------------------------------------- checks
def _document(document: Any, *, put: bool) -> dict[str, Any]:
    """The shape of a document: known keys, typed entries, GUID ids."""
    if not isinstance(document, dict):
        raise _fail("body", "must be a JSON object with users, groups, subscriptions and config")
    for key in document:
        if key not in DOCUMENT_KEYS or (put and key == "removeUsers"):
            raise _fail(key, f"unknown key; known keys are {', '.join(sorted(DOCUMENT_KEYS - ({'removeUsers'} if put else set())))}")
    users = _list(document, "users")
    seen: dict[str, str] = {}
    for index, user in enumerate(users):
        _check_user(f"users[{index}]", user, put=put)
        for unique in ("id", "userPrincipalName"):
            value = user.get(unique)
            if isinstance(value, str):
                if (unique, value.lower()) in seen:
                    raise _fail(f"users[{index}].{unique}", f"'{value}' is also used by {seen[(unique, value.lower())]}")
                seen[(unique, value.lower())] = f"users[{index}]"
    for index, group in enumerate(_list(document, "groups")):
        if not isinstance(group, dict) or not _is_guid(group.get("id")):
            raise _fail(f"groups[{index}].id", "each group needs an id (a GUID)")
        if not isinstance(group.get("members", []), list):
            raise _fail(f"groups[{index}].members", "must be a list of user or group ids")
    _list(document, "removeUsers")
    subscriptions = document.get("subscriptions", {})
    catalogue = {sku["skuId"].lower() for sku in people_seed.sku_catalogue()}
    if not isinstance(subscriptions, dict):
        raise _fail("subscriptions", "must map SKU ids to the number of units bought")
    for sku_id, count in subscriptions.items():
        if str(sku_id).lower() not in catalogue:
            raise _fail(f"subscriptions.{sku_id}", "is not a SKU the emulator knows (see people_seed.sku_catalogue())")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise _fail(f"subscriptions.{sku_id}", f"must be a whole number of units, 0 or more, got {count!r}")
    _check_config(document.get("config", {}))
    return document


def _list(document: Mapping[str, Any], key: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise _fail(key, "must be a list")
    return value


def _is_guid(value: Any) -> bool:
    return isinstance(value, str) and bool(_GUID.match(value))


def _check_user(where: str, user: Any, *, put: bool) -> None:
    if not isinstance(user, dict) or not _is_guid(user.get("id")):
        raise _fail(f"{where}.id", "each user needs an id (a GUID)")
    for key in user:
        if key not in USER_KEYS:
            raise _fail(f"{where}.{key}", "is not a user property the emulator keeps")
    required = ("displayName", "userPrincipalName") if put else ()
    for key in ("displayName", "userPrincipalName"):
        value = user.get(key)
        if (key in user or key in required) and (not isinstance(value, str) or not value):
            raise _fail(f"{where}.{key}", "must be a non-empty string")
    if "userPrincipalName" in user and "@" not in user["userPrincipalName"]:
        raise _fail(f"{where}.userPrincipalName", "must have the form name@domain")
    licenses = user.get("assignedLicenses", [])
    if not isinstance(licenses, list):
        raise _fail(f"{where}.assignedLicenses", "must be a list of {skuId, disabledPlans}")
    for i, lic in enumerate(licenses):
        if not isinstance(lic, dict) or not _is_guid(lic.get("skuId")):
            raise _fail(f"{where}.assignedLicenses[{i}].skuId", "each licence needs a skuId (a GUID)")


def _check_config(config: Any) -> None:
    if not isinstance(config, dict):
        raise _fail("config", "must be an object")
    names = {f.name for f in fields(PeopleConfig)}
    for key, value in config.items():
        if key not in names:
            raise _fail(f"config.{key}", f"unknown setting; known settings are {', '.join(sorted(names))}")
        if value is None and key == "gracePeriodSeconds":
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise _fail(f"config.{key}", f"must be a number of seconds, 0 or more, got {value!r}")


def _check_members(state: Mapping[str, Any]) -> None:
    known = set(state["users"]) | set(state["names"])
    for key, members in state["members"].items():
        for index, member in enumerate(members):
            if str(member).lower() not in known:
                name = state["names"][key].get("displayName") or key
                raise _fail(f"groups[{name}].members[{index}]", f"'{member}' is neither a user nor a group")
            if str(member).lower() == key:
                raise _fail(f"groups[{name}].members[{index}]", "a group can't be a member of itself")


def _check_licenses(state: Mapping[str, Any]) -> None:
    catalogue = {sku["skuId"].lower(): sku for sku in people_seed.sku_catalogue()}
    frontline = {p.sku_id.lower() for p in people_seed.FRONTLINE_PLANS}
    units = {str(k).lower(): int(v) for k, v in state["subscriptions"].items()}
    held: dict[str, int] = {}
    for user in state["users"].values():
        for lic in user.get("assignedLicenses") or []:
            sku = str(lic["skuId"]).lower()
            where = f"users[{user.get('displayName')}].assignedLicenses"
            if sku not in catalogue:
                raise _fail(where, f"'{lic['skuId']}' is not a SKU the emulator knows")
            if sku in frontline:
                raise _fail(where, f"{catalogue[sku]['skuPartNumber']} is a Frontline licence; it is not assigned to users")
            held[sku] = held.get(sku, 0) + 1
    for sku, count in held.items():
        if count > units.get(sku, 0):
            raise _fail(
                f"subscriptions.{catalogue[sku]['skuId']}",
                f"{catalogue[sku]['skuPartNumber']} has {units.get(sku, 0)} units bought but {count} users hold it",
            )
