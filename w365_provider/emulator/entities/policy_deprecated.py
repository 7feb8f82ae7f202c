"""Deprecated single-connection forms of a provisioning policy that Graph still accepts on input.

Graph reference:
- [create] https://learn.microsoft.com/en-us/graph/api/virtualendpoint-post-provisioningpolicies?view=graph-rest-1.0
  and [create beta] (same page, ``view=graph-rest-beta``): the request table lists
  ``domainJoinConfiguration (deprecated)``, ``onPremisesConnectionId (deprecated)`` and
  ``windowsSettings (deprecated)``, and the example request sends all three (201 Created).
- [update] https://learn.microsoft.com/en-us/graph/api/cloudpcprovisioningpolicy-update?view=graph-rest-1.0
  lists the same three; the beta example PATCHes ``onPremisesConnectionId`` and ``windowsSettings`` (204).
- [join] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcdomainjoinconfiguration?view=graph-rest-beta
  (``type``: the deprecated name of ``domainJoinType``; the v1.0 create example sends it too).
- [beta] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcprovisioningpolicy?view=graph-rest-beta
  (``windowsSettings``: deprecated, "stopped returning data"; still in the beta schema).

Each form is folded into the current property before the ordinary checks run:
``domainJoinConfiguration`` → a one-entry ``domainJoinConfigurations``; ``onPremisesConnectionId`` →
a one-entry ``domainJoinConfigurations`` naming that connection with the connection's own join
type; ``windowsSettings.language`` → ``windowsSetting.locale``; an entry's ``type`` →
``domainJoinType``. When the current property is sent too, it wins and the deprecated one is
only type-checked. GET never returns the single forms (they left both schemas); beta returns
``windowsSettings`` as ``null``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..schema import Prop, check_value, string_prop
from .base import fold_alias

DOMAIN_JOIN_TYPE_MISMATCH_MSG = (
    "A domain join configuration names two different join types: domainJoinType '{current}' and the deprecated "
    "type '{deprecated}'; send only domainJoinType."
)
DEPRECATED_PROPERTIES = ("domainJoinConfiguration", "onPremisesConnectionId", "windowsSettings")
WINDOWS_SETTINGS = Prop("object", fields={"language": string_prop()}, type_name="microsoft.graph.cloudPcWindowsSettings")


def fold_type(entry: Any) -> Any:
    """[join]: an entry's deprecated ``type`` becomes ``domainJoinType`` (both must agree when both are sent)."""
    return fold_alias(entry, "type", "domainJoinType", DOMAIN_JOIN_TYPE_MISMATCH_MSG)


def fold(
    body: Any,
    version: str,
    join_prop: Prop,
    connection_type: Callable[[str], str],
) -> Any:
    """The body with the deprecated forms folded into the current properties ([create], [update]).

    ``join_prop`` types one domain join configuration; ``connection_type(id)`` answers the join
    type of an existing connection (and refuses an unknown one).
    """
    if not isinstance(body, dict):
        return body
    out = {k: v for k, v in body.items() if k not in DEPRECATED_PROPERTIES}
    if isinstance(out.get("domainJoinConfigurations"), list):
        out["domainJoinConfigurations"] = [fold_type(e) for e in out["domainJoinConfigurations"]]
    single = fold_type(body.get("domainJoinConfiguration"))
    single = check_value("domainJoinConfiguration", join_prop, single, version)
    connection_id = check_value("onPremisesConnectionId", string_prop(), body.get("onPremisesConnectionId"), version)
    settings = check_value("windowsSettings", WINDOWS_SETTINGS, body.get("windowsSettings"), version)
    if "domainJoinConfigurations" not in out:
        if single:
            out["domainJoinConfigurations"] = [single]
        elif connection_id:
            out["domainJoinConfigurations"] = [
                {"domainJoinType": connection_type(connection_id), "onPremisesConnectionId": connection_id}
            ]
    if "windowsSetting" not in out and settings and settings.get("language") is not None:
        out["windowsSetting"] = {"locale": settings["language"]}
    return out
