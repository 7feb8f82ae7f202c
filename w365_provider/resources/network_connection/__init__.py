"""NetworkConnection: an Azure network connection (``cloudPcOnPremisesConnection``) on Microsoft Graph.

The package: ``spec.py`` (the table), ``rules.py`` (hybrid join needs a domain account),
``health.py`` (Graph's health checks), ``signin.py`` (delegated sign-in only),
``provider.py`` and, here, the public resource class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import pulumi

from w365_provider.kit import checks, mapping
from w365_provider.kit.resource import register, resource_options, resource_props

from .health import verdict
from .provider import NetworkConnectionProvider, policies_using
from .signin import is_app_only
from .spec import PASSWORD, SPEC

__all__ = ["SPEC", "NetworkConnection", "NetworkConnectionProvider", "is_app_only", "normalize", "policies_using",
           "validate", "verdict"]  # fmt: skip


def normalize(props: dict[str, Any]) -> dict[str, Any]:
    """Inputs in their canonical form."""
    return mapping.normalize(SPEC, props)


def validate(props: dict[str, Any]) -> list[Any]:
    """Every rule (normalized) ``props`` break, as ``CheckFailure``s."""
    return checks.validate(SPEC, props, NetworkConnectionProvider().rules)


class NetworkConnection(pulumi.dynamic.Resource, module="w365", name="NetworkConnection"):
    """An Azure network connection (``pulumi-python:dynamic/w365:NetworkConnection``): the virtual
    network and subnet Cloud PCs get, and for Microsoft Entra hybrid join the domain they join.

    Example::

        NetworkConnection(
            "corp",
            display_name="Corp network",
            connection_type="hybridAzureADJoin",
            subscription_id=sub,
            resource_group_id=f"/subscriptions/{sub}/resourceGroups/w365",
            virtual_network_id=f"/subscriptions/{sub}/resourceGroups/w365/providers/Microsoft.Network/virtualNetworks/vnet",
            subnet_id=f"/subscriptions/{sub}/resourceGroups/w365/providers/Microsoft.Network/virtualNetworks/vnet/subnets/cpc",
            ad_domain_name="corp.example.com",
            ad_domain_username="svc-cpc-join",
            ad_domain_password=config.require_secret("joinPassword"),
        )

    After a create, and after a change of the network or the domain, Graph's health checks run
    and the step waits for them, printing progress; a failed check fails the step with its name,
    its error and Graph's recommended action (a new connection is deleted again).

    ``ad_domain_password`` is always a secret: it is wrapped with ``Output.secret`` and registered
    as a secret output, so it never appears in plain text in state or output. Graph creates and
    updates connections only for a signed-in user: an app-only token is refused before any write.
    A delete that Graph refuses because a provisioning policy uses the connection names the policy.
    ``connection_type`` cannot change in place (a change replaces the connection).

    ``adopt`` takes over an existing connection instead of creating one: ``True`` the one with
    this display name (refused, listing the ids, when two share it), a Graph id (what ``w365
    export`` writes) exactly that connection. Graph never returns the password, so adoption does
    not send it: the one given is kept as the connection's, and sent when it changes later.
    Read at create only; left out, nothing is added to the inputs. One owner per connection: the
    provider sees only its own stack, so it cannot tell that another stack already adopted the
    connection. Adopt by id, from ``w365 export``, into exactly one stack, and never list the same
    id in two: the second stack's ``destroy`` would delete the connection the first manages, and
    the first's next ``refresh`` would report it gone.
    """

    if TYPE_CHECKING:  # the outputs, for type checkers and readers only (see w365_provider.kit.resource)
        connection_id: pulumi.Output[str]
        display_name: pulumi.Output[str]
        connection_type: pulumi.Output[str]
        subscription_id: pulumi.Output[str]
        resource_group_id: pulumi.Output[str]
        virtual_network_id: pulumi.Output[str]
        subnet_id: pulumi.Output[str]
        ad_domain_name: pulumi.Output[Optional[str]]
        ad_domain_username: pulumi.Output[Optional[str]]
        ad_domain_password: pulumi.Output[Any]
        """The domain-join password, a secret."""
        organizational_unit: pulumi.Output[Optional[str]]
        health_check_status: pulumi.Output[Optional[str]]
        subscription_name: pulumi.Output[Optional[str]]
        adopt: pulumi.Output[Optional[bool | str]]

    def __init__(
        self,
        resource_name: str,
        *,
        display_name: pulumi.Input[str],
        subscription_id: pulumi.Input[str],
        resource_group_id: pulumi.Input[str],
        virtual_network_id: pulumi.Input[str],
        subnet_id: pulumi.Input[str],
        connection_type: pulumi.Input[str] = "hybridAzureADJoin",
        ad_domain_name: Optional[pulumi.Input[str]] = None,
        ad_domain_username: Optional[pulumi.Input[str]] = None,
        ad_domain_password: Optional[pulumi.Input[str]] = None,
        organizational_unit: Optional[pulumi.Input[str]] = None,
        adopt: bool | str = False,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        given = {**locals(), "adopt": adopt or None}
        if ad_domain_password is not None:
            given[PASSWORD] = pulumi.Output.secret(ad_domain_password)
        props = resource_props(SPEC, given)
        options = pulumi.ResourceOptions.merge(resource_options(SPEC, opts),
                                               pulumi.ResourceOptions(additional_secret_outputs=[PASSWORD]))  # fmt: skip
        register(self, NetworkConnectionProvider, resource_name, props, options)
