"""What the connection's table cannot say (Graph's create page,
https://learn.microsoft.com/graph/api/virtualendpoint-post-onpremisesconnections?view=graph-rest-1.0):

- a Microsoft Entra hybrid join connection needs the domain, the join account and its password;
- a Microsoft Entra join connection takes none of them;
- the virtual network and the subnet are in the subscription and resource group given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from w365_provider.kit.checks import Fail
from w365_provider.kit.types import is_unknown

__all__ = ["DOMAIN", "rules"]

DOMAIN = ("ad_domain_name", "ad_domain_username", "ad_domain_password")


def rules(props: Mapping[str, Any], fail: Fail) -> None:
    """Every rule of a connection the table cannot express."""
    kind = props.get("connection_type")
    if kind == "hybridAzureADJoin":
        for name in DOMAIN:
            if props.get(name) is None:
                fail(name, "is required for a hybridAzureADJoin connection (the account that joins Cloud PCs "
                           "to the domain)")  # fmt: skip
    elif kind == "azureADJoin":
        for name in (*DOMAIN, "organizational_unit"):
            if props.get(name) is not None:
                fail(name, "is only for hybridAzureADJoin connections; an azureADJoin connection joins no AD domain")
    _check_placement(props, fail)


def _check_placement(props: Mapping[str, Any], fail: Fail) -> None:
    values = {k: props.get(k) for k in ("subscription_id", "resource_group_id", "virtual_network_id", "subnet_id")}
    if any(v is None or is_unknown(v) or not isinstance(v, str) for v in values.values()):
        return
    group = values["resource_group_id"].lower()
    if not group.startswith(f"/subscriptions/{values['subscription_id'].lower()}/"):
        fail("resource_group_id", f"must be in subscription {values['subscription_id']}")
    if not values["virtual_network_id"].lower().startswith(group + "/"):
        fail("virtual_network_id", "must be in the resource group resource_group_id")
    if not values["subnet_id"].lower().startswith(values["virtual_network_id"].lower() + "/subnets/"):
        fail("subnet_id", "must be a subnet of virtual_network_id (…/subnets/<name>)")
