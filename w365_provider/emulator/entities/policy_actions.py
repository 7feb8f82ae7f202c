"""The beta actions of provisioning policies: ``apply`` (one policy) and ``applyConfig`` (Cloud PCs).

Graph reference:
- [apply] https://learn.microsoft.com/en-us/graph/api/cloudpcprovisioningpolicy-apply?view=graph-rest-beta
- [applyConfig] https://learn.microsoft.com/en-us/graph/api/cloudpcprovisioningpolicy-applyconfig?view=graph-rest-beta
- [enum] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcprovisioningpolicy?view=graph-rest-beta
  (``cloudPcPolicySettingType``: region, singleSignOn; a flags enum, so ``region,singleSignOn``)

Both exist in beta only: on v1.0 the segment is unknown (400, as for any unknown segment).
"""

from __future__ import annotations

from typing import Any

from ..errors import BadRequest
from ..messages import INVALID_JSON_MSG, SEGMENT_NOT_FOUND_MSG, UNKNOWN_PARAMETER_MSG
from ..schema import BETA

POLICY_SETTINGS = ("region", "singleSignOn")
APPLY_PARAMETERS = ("policySettings", "reservePercentage", "isForceUserLogoffEnabled")
APPLY_CONFIG_PARAMETERS = ("cloudPcIds", "policySettings")
POLICY_SETTINGS_MSG = "policySettings must be region, singleSignOn or both (region,singleSignOn); got '{value}'."
RESERVE_PERCENTAGE_MSG = "reservePercentage must be a whole number from 0 to 99."
FORCE_LOGOFF_MSG = "isForceUserLogoffEnabled must be true or false."
CLOUD_PC_IDS_MSG = "cloudPcIds must be a non-empty list of Cloud PC ids."


def require_beta(version: str, segment: str) -> None:
    """The action is in the beta schema only."""
    if version != BETA:
        raise BadRequest(SEGMENT_NOT_FOUND_MSG.format(segment=segment))


def _body(body: Any, allowed: tuple[str, ...], action: str) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadRequest(INVALID_JSON_MSG)
    for key in body:
        if key not in allowed:
            raise BadRequest(UNKNOWN_PARAMETER_MSG.format(name=key, action=action))
    return body


def policy_settings(value: Any) -> list[str]:
    """[apply]: the default is ``region`` when null; members of the flags enum, comma-separated."""
    if value is None:
        return ["region"]
    parts = [p.strip() for p in value.split(",")] if isinstance(value, str) else []
    if not parts or any(p not in POLICY_SETTINGS for p in parts):
        raise BadRequest(POLICY_SETTINGS_MSG.format(value=value))
    return parts


def check_apply(body: Any, version: str) -> dict[str, Any]:
    """[apply]: ``policySettings``, ``reservePercentage`` (0–99: assumption), ``isForceUserLogoffEnabled``."""
    require_beta(version, "apply")
    data = _body(body, APPLY_PARAMETERS, "microsoft.graph.apply")
    settings = policy_settings(data.get("policySettings"))
    percent = data.get("reservePercentage")
    if percent is not None and (isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 99):
        raise BadRequest(RESERVE_PERCENTAGE_MSG)
    force = data.get("isForceUserLogoffEnabled")
    if force is not None and not isinstance(force, bool):
        raise BadRequest(FORCE_LOGOFF_MSG)
    return {"policySettings": settings, "reservePercentage": percent, "isForceUserLogoffEnabled": bool(force)}


def check_apply_config(body: Any, version: str) -> dict[str, Any]:
    """[applyConfig]: ``cloudPcIds`` (required) and ``policySettings``."""
    require_beta(version, "applyConfig")
    data = _body(body, APPLY_CONFIG_PARAMETERS, "microsoft.graph.applyConfig")
    ids = data.get("cloudPcIds")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise BadRequest(CLOUD_PC_IDS_MSG)
    return {"cloudPcIds": ids, "policySettings": policy_settings(data.get("policySettings"))}
