"""The w365 program: Entra groups, Cloud PC images, provisioning policies, user settings, Azure
network connections and the organization settings, per stack.

What to declare comes from the stack's config (``stacks/Pulumi.<stack>.yaml``, namespace
``w365``), described in ``docs/stacks.md`` and checked by ``w365_provider.stack_config``.
Stack outputs: ``policies`` (key -> id and display name), ``images``, ``groups`` (key -> object
id), ``userSettings``, ``networkConnections`` (key -> id, display name, health-check status),
``organizationSettings`` and ``groupNames`` (object id -> display name of each group created here; ``w365 report``
names assigned groups with it).

Every problem of the stack config is reported at once, each with its YAML path, before anything
is declared or any Graph call is made (``w365_provider.config``).
"""

import pulumi
import pulumi_azuread as azuread

from w365_provider import (
    DeviceImage,
    NetworkConnection,
    OrganizationSettings,
    ProvisioningPolicy,
    UserSetting,
    W365Error,
    get_gallery_image,
)
from w365_provider.stack_config import CustomImageSpec, load_stack_config

try:
    stack = load_stack_config()
    gallery = {
        key: get_gallery_image(spec.publisher, spec.offer, spec.sku,
                               allow_supported_with_warning=spec.allow_supported_with_warning)
        for key, spec in stack.images.items() if not isinstance(spec, CustomImageSpec)
    }  # fmt: skip
except W365Error as exc:  # a config or lookup problem: say it without a traceback
    raise pulumi.RunError(str(exc)) from None

# Groups: existing ones by object id, or security groups created here.
group_ids = {}
created_names = {}  # key -> display name, of the groups created here
for key, group in stack.groups.items():
    if group.object_id:
        group_ids[key] = group.object_id
    else:
        group_ids[key] = azuread.Group(
            key,
            display_name=group.display_name,
            description=group.description,
            security_enabled=True,
            owners=group.owners,
            members=group.members,
            prevent_duplicate_names=True,
        ).object_id
        created_names[key] = group.display_name

# Images: (image_type, image_id, image_display_name) by key.
images = {}
for key, spec in stack.images.items():
    if isinstance(spec, CustomImageSpec):
        custom = DeviceImage(
            key,
            display_name=spec.display_name,
            version=spec.version,
            source_image_resource_id=spec.source_image_resource_id,
            adopt=spec.adopt or False,
        )
        images[key] = ("custom", custom.image_id, custom.display_name)
    else:
        images[key] = ("gallery", gallery[key].id, gallery[key].display_name)

# Azure network connections, by key; the domain-join password stays a secret.
connections = {}
for key, spec in stack.network_connections.items():
    args = dict(spec.args)
    if "ad_domain_password" in args:
        args["ad_domain_password"] = pulumi.Output.secret(args["ad_domain_password"])
    connections[key] = NetworkConnection(key, **args)


def domain_joins(entries):
    """A policy's domain join configurations, a networkConnection key turned into the connection's id
    (so the engine creates the connection first and deletes it last)."""
    out = []
    for entry in entries:
        entry = dict(entry)
        name = entry.pop("network_connection", None)
        if name is not None:
            entry["on_premises_connection_id"] = connections[name].connection_id
        out.append(entry)
    return out


# Provisioning policies, referring to images, groups and network connections by key.
policies = {}
for key, spec in stack.policies.items():
    image_type, image_id, image_name = images[spec.image]
    assignments = None
    if spec.assignments is not None:
        assignments = [a.target(group_ids[a.group]) for a in spec.assignments]
    policy = ProvisioningPolicy(
        key,
        image_type=image_type,
        image_id=image_id,
        image_display_name=image_name,
        assignments=assignments,
        **{**spec.args, "domain_join_configurations": domain_joins(spec.args["domain_join_configurations"])},
    )
    policies[key] = {"id": policy.policy_id, "displayName": policy.display_name}

# User settings, assigned to groups by key.
user_settings = {}
for key, spec in stack.user_settings.items():
    assigned = None if spec.assignments is None else [{"group_id": group_ids[g]} for g in spec.assignments]
    setting = UserSetting(key, assignments=assigned, **spec.args)
    user_settings[key] = {"id": setting.setting_id, "displayName": setting.display_name}

# The tenant's organization settings (one per tenant).
if stack.organization_settings is not None:
    organization = OrganizationSettings("organization-settings", **stack.organization_settings.args)
    pulumi.export("organizationSettings", {"osVersion": organization.os_version,
                                           "userAccountType": organization.user_account_type})

pulumi.export("policies", policies)
pulumi.export("images", {key: {"type": t, "id": i, "displayName": n} for key, (t, i, n) in images.items()})
pulumi.export("groups", group_ids)
pulumi.export("userSettings", user_settings)
pulumi.export(
    "networkConnections",
    {key: {"id": c.connection_id, "displayName": c.display_name, "healthCheckStatus": c.health_check_status}
     for key, c in connections.items()},
)
pulumi.export(
    "groupNames",
    pulumi.Output.all(*[group_ids[key] for key in created_names]).apply(
        lambda ids: dict(zip(ids, created_names.values()))
    ),
)
