"""Bad inputs, one per rule of ``check``, with the property and message each must produce.

Shared by the pure unit tests and the provider tests against the emulator.
"""

from __future__ import annotations

from typing import Any

from w365_provider.emulator import seed

GALLERY = seed.GALLERY_WIN11_24H2_M365
G1 = seed.GROUP_PILOT_USERS
G2 = seed.GROUP_FINANCE
HYBRID_CONN = seed.CONNECTION_HYBRID_WEU
ENTRA_CONN = seed.CONNECTION_ENTRA_EUS
PLAN = "9b1f1b8e-1c2d-4e3f-8a9b-0c1d2e3f4a5b"


def valid(**changes: Any) -> dict[str, Any]:
    """A valid program input, with ``changes`` applied (``None`` removes a key)."""
    props: dict[str, Any] = {
        "display_name": "Engineering",
        "image_id": GALLERY,
        "image_type": "gallery",
        "domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": "automatic"}],
    }
    for key, value in changes.items():
        if value is None:
            props.pop(key, None)
        else:
            props[key] = value
    return props


def join(**entry: Any) -> list[dict[str, Any]]:
    return [entry]


# (id, inputs, property, message fragment, Graph refuses the same payload too).
# The last flag is False for rules only this provider has: a typo'd key (which the mapping would
# pass through as a valid Graph name), an empty name or locale, GUID formats Graph accepts as text.
CASES: list[tuple[str, dict[str, Any], str, str, bool]] = [
    ("name-missing", valid(display_name=None), "display_name", "is required", True),
    ("name-empty", valid(display_name="  "), "display_name", "must not be empty", False),
    ("name-characters", valid(display_name="HR & Finance"), "display_name",
     'must not contain any of < > & | " ^ (found &)', True),
    ("name-length", valid(display_name="x" * 121), "display_name", "must be at most 120 characters (is 121)", True),
    ("image-id-missing", valid(image_id=None), "image_id", "is required", True),
    ("image-type-missing", valid(image_type=None), "image_type", "is required", True),
    ("image-type-enum", valid(image_type="marketplace"), "image_type",
     "must be one of gallery, custom (got 'marketplace')", True),
    ("provisioning-type-enum", valid(provisioning_type="frontline"), "provisioning_type",
     "must be one of dedicated, shared, sharedByUser, sharedByEntraGroup, reserve (got 'frontline')", True),
    ("gallery-image-format", valid(image_id="win11-24h2"), "image_id",
     "a gallery image id has the form publisher_offer_sku", True),
    ("custom-image-guid", valid(image_type="custom", image_id="my-image"), "image_id",
     "a custom image id is the device image's GUID (got 'my-image')", True),
    ("joins-missing", valid(domain_join_configurations=None), "domain_join_configurations", "is required", True),
    ("joins-empty", valid(domain_join_configurations=[]), "domain_join_configurations",
     "must be a list with at least one domain join configuration", True),
    ("join-type-missing", valid(domain_join_configurations=join(region_name="automatic")),
     "domain_join_configurations", "entry 0: domain_join_type is required (azureADJoin or hybridAzureADJoin)", True),
    ("join-type-enum", valid(domain_join_configurations=join(domain_join_type="workplaceJoin", region_name="automatic")),
     "domain_join_configurations", "domain_join_type must be one of azureADJoin, hybridAzureADJoin", True),
    ("hybrid-needs-connection", valid(domain_join_configurations=join(domain_join_type="hybridAzureADJoin")),
     "domain_join_configurations", "entry 0: hybridAzureADJoin needs on_premises_connection_id", True),
    ("hybrid-no-region", valid(domain_join_configurations=join(
        domain_join_type="hybridAzureADJoin", on_premises_connection_id=HYBRID_CONN, region_name="westeurope")),
     "domain_join_configurations", "entry 0: hybridAzureADJoin takes no region_name", True),
    ("entra-needs-one", valid(domain_join_configurations=join(domain_join_type="azureADJoin")),
     "domain_join_configurations", "entry 0: azureADJoin needs either region_name", True),
    ("entra-not-both", valid(domain_join_configurations=join(
        domain_join_type="azureADJoin", on_premises_connection_id=ENTRA_CONN, region_name="westeurope")),
     "domain_join_configurations", "azureADJoin takes region_name or on_premises_connection_id, not both", True),
    ("connection-guid", valid(domain_join_configurations=join(
        domain_join_type="hybridAzureADJoin", on_premises_connection_id="my-connection")),
     "domain_join_configurations", "on_premises_connection_id must be a GUID", True),
    ("region-group-enum", valid(domain_join_configurations=join(
        domain_join_type="azureADJoin", region_name="westeurope", region_group="mars")),
     "domain_join_configurations", "region_group must be one of default, australia", True),
    # Graph (and the emulator) take any text as regionName; the documented list is this provider's rule.
    ("region-typo", valid(domain_join_configurations=join(domain_join_type="azureADJoin", region_name="westeurop")),
     "domain_join_configurations", "entry 0: region_name 'westeurop' is not a region where Windows 365 provisions "
     "Cloud PCs; did you mean 'westeurope'?", False),
    ("region-display-name", valid(domain_join_configurations=join(domain_join_type="azureADJoin",
                                                                  region_name="West Europe")),
     "domain_join_configurations", "region_name 'West Europe' is not a region where Windows 365 provisions "
     "Cloud PCs; did you mean 'westeurope'?", False),
    ("region-group-as-name", valid(domain_join_configurations=join(domain_join_type="azureADJoin",
                                                                   region_name="europeUnion")),
     "domain_join_configurations", "region_name 'europeUnion' is a region group, not a region: set region_group "
     "'europeUnion' and region_name 'automatic'", False),
    ("join-unknown-key", valid(domain_join_configurations=[{"domainJoinType": "azureADJoin", "region_name": "automatic"}]),
     "domain_join_configurations", "unknown key 'domainJoinType'; did you mean 'domain_join_type'?", False),
    ("template-characters", valid(cloud_pc_naming_template="CPC_%RAND:5%"), "cloud_pc_naming_template",
     "may contain only letters, digits and hyphens outside its tokens (found '_')", True),
    ("template-malformed-token", valid(cloud_pc_naming_template="CPC-%rand:5%"), "cloud_pc_naming_template",
     "has an unknown or malformed token at '%rand:5%'", True),
    ("template-token-twice", valid(cloud_pc_naming_template="A%RAND:5%%RAND:5%"), "cloud_pc_naming_template",
     "may contain each token at most once", True),
    ("template-rand-required", valid(cloud_pc_naming_template="CPC-%USERNAME:4%"), "cloud_pc_naming_template",
     "must contain %RAND:y% with y >= 5", True),
    ("template-rand-min", valid(cloud_pc_naming_template="CPC-%RAND:4%"), "cloud_pc_naming_template",
     "%RAND:y% needs y >= 5 (got 4)", True),
    ("template-prefix", valid(cloud_pc_naming_template="ABCDEFGHIJK%RAND:5%"), "cloud_pc_naming_template",
     "the text before the first token must be at most 10 characters", True),
    ("template-length", valid(cloud_pc_naming_template="%RAND:5%-ABCDEFGHIJ"), "cloud_pc_naming_template",
     "generated names must be 5 to 15 characters, tokens counted by their size (this template makes 16)", True),
    ("template-username-shared", valid(provisioning_type="shared", cloud_pc_naming_template="C-%USERNAME:3%-%RAND:5%"),
     "cloud_pc_naming_template", "%USERNAME:x% is only allowed for dedicated policies", True),
    ("locale-required", valid(windows_setting={}), "windows_setting", "locale is required, for example en-US", False),
    # Graph (and the emulator) take any text as locale; the Windows languages are this provider's rule.
    ("locale-underscore", valid(windows_setting={"locale": "en_GB"}), "windows_setting",
     "locale 'en_GB' is not a Windows language a Cloud PC can be provisioned with; did you mean 'en-GB'?", False),
    ("locale-language-name", valid(windows_setting={"locale": "German"}), "windows_setting",
     "locale 'German' is not a Windows language a Cloud PC can be provisioned with; did you mean 'de-DE'?", False),
    ("managed-type-enum", valid(microsoft_managed_desktop={"managed_type": "fullyManaged"}), "microsoft_managed_desktop",
     "managed_type must be one of notManaged, premiumManaged, standardManaged, starterManaged (got 'fullyManaged')", True),
    ("autopatch-required", valid(autopatch={}), "autopatch", "autopatch_group_id is required", False),
    ("autopatch-guid", valid(autopatch={"autopatch_group_id": "ring-1"}), "autopatch",
     "autopatch_group_id must be a GUID", False),
    ("sso-bool", valid(enable_single_sign_on="yes"), "enable_single_sign_on", "must be true or false", True),
    ("local-admin-bool", valid(local_admin_enabled=1), "local_admin_enabled", "must be true or false", True),
    ("adopt-bool", valid(adopt="yes"), "adopt", "must be true or false", False),
    ("description-string", valid(description=42), "description", "must be a string", True),
    ("assignment-group-required", valid(assignments=[{"service_plan_id": PLAN}]), "assignments",
     "group_id is required in every assignment", True),
    ("assignment-group-guid", valid(assignments=[{"group_id": "engineering"}]), "assignments",
     "group_id must be a GUID", True),
    ("assignment-duplicate", valid(assignments=[{"group_id": G1}, {"group_id": G1.upper()}]), "assignments",
     f"group {G1} is assigned more than once", True),
    ("assignment-plan-guid", valid(assignments=[{"group_id": G1, "service_plan_id": "large"}]), "assignments",
     "service_plan_id must be a GUID", False),
    ("assignment-shared-needs-plan", valid(provisioning_type="shared", assignments=[{"group_id": G1}]), "assignments",
     f"group {G1}: a shared policy needs service_plan_id for each assignment", True),
    ("assignment-unknown-key", valid(assignments=[{"groupId": G1}]), "assignments",
     "unknown key 'groupId'; did you mean 'group_id'?", False),
]
