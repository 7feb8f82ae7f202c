"""The stack config shape (``w365_provider.stack_config``) and the committed stacks.

Every error names its config key; every problem is reported at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from w365_provider.device_image import validate as validate_image
from w365_provider.emulator import seed
from w365_provider.errors import ConfigurationError
from w365_provider.provisioning_policy import normalize, validate
from w365_provider.stack_config import (
    AssignmentSpec,
    CustomImageSpec,
    GalleryImageSpec,
    GroupSpec,
    parse_stack_config,
)

REPO = Path(__file__).resolve().parents[2]
G1 = seed.GROUP_PILOT_USERS
SOURCE = "/subscriptions/0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b/resourceGroups/rg/providers/Microsoft.Compute/images/golden"


def minimal(**policy: Any) -> dict[str, Any]:
    """A valid config with one group, one gallery image and one policy (overridden by ``policy``)."""
    entry = {
        "displayName": "Pilot",
        "image": "win11",
        "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "automatic"}],
        "assignments": ["pilot"],
        **policy,
    }
    return {
        "groups": {"pilot": {"objectId": G1}},
        "images": {"win11": {"type": "gallery", "publisher": "MicrosoftWindowsDesktop",
                             "offer": "windows-ent-cpc", "sku": "win11-*"}},
        "policies": {"pilot": {k: v for k, v in entry.items() if v is not None}},
    }  # fmt: skip


def problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigurationError) as info:
        parse_stack_config(raw)
    lines = str(info.value).splitlines()
    assert lines[0] == f"the stack config has {len(lines) - 1} problem(s):"
    return [line.removeprefix("  - ") for line in lines[1:]]


# -- what a valid config becomes -------------------------------------------------------------


def test_minimal_config_parses_to_specs() -> None:
    config = parse_stack_config(minimal())
    assert config.groups == {"pilot": GroupSpec("pilot", object_id=G1)}
    assert config.images == {
        "win11": GalleryImageSpec("win11", "MicrosoftWindowsDesktop", "windows-ent-cpc", "win11-*", False)
    }
    policy = config.policies["pilot"]
    assert policy.image == "win11"
    assert policy.assignments == (AssignmentSpec("pilot"),)
    assert policy.args == {
        "display_name": "Pilot",
        "domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": "automatic"}],
    }


def test_every_policy_key_maps_to_its_resource_argument() -> None:
    raw = minimal(
        description="d",
        provisioningType="shared",
        enableSingleSignOn=True,
        localAdminEnabled="false",  # `pulumi config set --path` may store booleans as text
        cloudPcNamingTemplate="CPC-%RAND:5%",
        windowsSetting={"locale": "en-GB"},
        microsoftManagedDesktop={"managedType": "starterManaged", "profile": "p"},
        autopatch={"autopatchGroupId": G1},
        adopt=True,
        assignments=[{"group": "pilot", "servicePlanId": G1}],
        domainJoinConfigurations=[{"domainJoinType": "hybridAzureADJoin", "onPremisesConnectionId": G1,
                                   "regionGroup": "europeUnion"}],
    )  # fmt: skip
    policy = parse_stack_config(raw).policies["pilot"]
    assert policy.assignments == (AssignmentSpec("pilot", G1),)
    assert policy.args == {
        "display_name": "Pilot",
        "description": "d",
        "provisioning_type": "shared",
        "enable_single_sign_on": True,
        "local_admin_enabled": False,
        "cloud_pc_naming_template": "CPC-%RAND:5%",
        "windows_setting": {"locale": "en-GB"},
        "microsoft_managed_desktop": {"managed_type": "starterManaged", "profile": "p"},
        "autopatch": {"autopatch_group_id": G1},
        "adopt": True,
        "domain_join_configurations": [
            {"domain_join_type": "hybridAzureADJoin", "on_premises_connection_id": G1, "region_group": "europeUnion"}
        ],
    }


def test_assignments_absent_empty_and_given_differ() -> None:
    assert parse_stack_config(minimal(assignments=None)).policies["pilot"].assignments is None
    assert parse_stack_config(minimal(assignments=[])).policies["pilot"].assignments == ()


def test_groups_to_create_and_custom_images() -> None:
    raw = minimal()
    raw["groups"]["finance"] = {"displayName": "Finance", "description": "d", "owners": [G1], "members": [G1]}
    raw["images"]["golden"] = {"type": "custom", "displayName": "Golden", "version": "1.0.0", "sourceImageResourceId": SOURCE}
    config = parse_stack_config(raw)
    assert config.groups["finance"] == GroupSpec("finance", display_name="Finance", description="d", owners=(G1,), members=(G1,))
    assert config.images["golden"] == CustomImageSpec("golden", "Golden", "1.0.0", SOURCE)


def test_sections_given_as_json_text_are_accepted() -> None:
    raw = {key: json.dumps(value) for key, value in minimal().items()}
    assert list(parse_stack_config(raw).policies) == ["pilot"]


# -- errors, each naming its key -------------------------------------------------------------


def test_no_policies_is_an_error() -> None:
    assert problems({}) == ["w365:policies: is not set, so the stack would declare nothing (see docs/stacks.md)"]


def test_references_to_unknown_keys() -> None:
    raw = minimal(image="win12", assignments=["pilot", "finanse", "pilot"])
    assert problems(raw) == [
        "w365:policies.pilot.image: 'win12' is not a key of w365:images (known: win11); did you mean 'win11'?",
        "w365:policies.pilot.assignments[1]: 'finanse' is not a key of w365:groups (known: pilot)",
        "w365:policies.pilot.assignments[2]: group 'pilot' is assigned twice",
    ]


def test_unknown_keys_get_a_suggestion() -> None:
    raw = minimal(imageId="x", regionName="westeurope")
    raw["policies"]["pilot"]["displayname"] = "typo"
    assert problems(raw) == [
        "w365:policies.pilot.imageId: unknown key; did you mean 'image'?",
        "w365:policies.pilot.regionName: unknown key; it belongs inside domainJoinConfigurations",
        "w365:policies.pilot.displayname: unknown key; did you mean 'displayName'?",
    ]


def test_required_policy_keys() -> None:
    raw = minimal(displayName=None, image=None, domainJoinConfigurations=None)
    assert problems(raw) == [
        "w365:policies.pilot.displayName: is required",
        "w365:policies.pilot.image: is required",
        "w365:policies.pilot.domainJoinConfigurations: is required: a list such as "
        "[{domainJoinType: azureADJoin, regionName: automatic}]",
    ]


def test_wrong_types_are_named() -> None:
    raw = minimal(
        enableSingleSignOn="yes",
        description=3,
        windowsSetting="en-US",
        domainJoinConfigurations=[{"regionName": "automatic"}, "azureADJoin"],
        assignments="pilot",
    )
    assert problems(raw) == [
        "w365:policies.pilot.description: must be text, got the number 3",
        "w365:policies.pilot.domainJoinConfigurations[0].domainJoinType: is required",
        "w365:policies.pilot.domainJoinConfigurations[1]: must be a mapping, got the text 'azureADJoin'",
        "w365:policies.pilot.assignments: must be a list of w365:groups keys (or {group, servicePlanId} mappings), "
        "got the text 'pilot'",
        "w365:policies.pilot.enableSingleSignOn: must be true or false, got the text 'yes'",
        "w365:policies.pilot.windowsSetting: must be a mapping, got the text 'en-US'",
    ]


def test_group_entries() -> None:
    raw = minimal()
    raw["groups"] = {
        "pilot": {"objectId": "not-a-guid"},
        "both": {"objectId": G1, "displayName": "Both"},
        "neither": {"description": "d"},
        "bad owners": {"displayName": "x"},
        "owners": {"displayName": "x", "owners": [G1, "bob@contoso.com"]},
    }
    assert problems(raw) == [
        "w365:groups: key 'bad owners' must start with a letter or digit and hold only letters, digits, "
        "'.', '_' and '-' (it becomes the Pulumi resource name)",
        "w365:groups.pilot.objectId: must be an object id (GUID), got 'not-a-guid'",
        "w365:groups.both: objectId references an existing group, so displayName cannot be set "
        "(to create a group, give displayName and no objectId)",
        "w365:groups.neither: needs objectId (an existing group) or displayName (a group to create)",
        "w365:groups.owners.owners[1]: must be an object id (GUID), got 'bob@contoso.com'",
    ]


def test_image_entries() -> None:
    raw = minimal()
    raw["images"] = {
        "win11": {"type": "gallery", "publisher": "MicrosoftWindowsDesktop", "offer": "windows-ent-cpc"},
        "golden": {"type": "custom", "displayName": "Golden", "version": "1.0.0", "sku": "x"},
        "other": {"publisher": "p"},
        "listed": ["gallery"],
    }
    assert problems(raw) == [
        "w365:images.win11.sku: is required",
        "w365:images.golden.sourceImageResourceId: is required",
        "w365:images.golden.sku: unknown key; known keys: type, displayName, version, sourceImageResourceId, adopt",
        "w365:images.other.type: is required: gallery (a gallery image looked up by sku) or custom "
        "(uploaded from an Azure managed image)",
        "w365:images.listed: must be a mapping, got a list",
    ]


def test_duplicate_policy_names() -> None:
    raw = minimal()
    raw["policies"]["again"] = dict(raw["policies"]["pilot"])
    assert problems(raw) == [
        "w365:policies.again.displayName: 'Pilot' is also the name of w365:policies.pilot; "
        "policy names must be unique in a stack",
    ]


def test_a_section_that_is_not_a_mapping() -> None:
    raw = minimal()
    raw["groups"] = ["pilot"]
    raw["images"] = "{not json"
    found = problems(raw)
    assert found[:2] == [
        "w365:groups: must be a mapping of keys to entries, got a list",
        "w365:images: must be a mapping of keys to entries, got the text '{not json'",
    ]


# -- the committed stacks --------------------------------------------------------------------


def stack_file(name: str) -> dict[str, Any]:
    data = yaml.safe_load((REPO / "stacks" / f"Pulumi.{name}.yaml").read_text())
    return data["config"]


@pytest.mark.parametrize("stack", ["local", "dev", "prod"])
def test_committed_stacks_are_valid(stack: str) -> None:
    """Each stack parses, and its policies and images pass the resources' own rules."""
    config = stack_file(stack)
    parsed = parse_stack_config({k.split(":", 1)[1]: v for k, v in config.items() if k.startswith("w365:")})
    assert parsed.policies
    for key, image in parsed.images.items():
        if isinstance(image, CustomImageSpec):
            props = {"display_name": image.display_name, "version": image.version,
                     "source_image_resource_id": image.source_image_resource_id}  # fmt: skip
            assert validate_image(props) == [], key
    for key, policy in parsed.policies.items():
        custom = isinstance(parsed.images[policy.image], CustomImageSpec)
        joins = [{("on_premises_connection_id" if k == "network_connection" else k):
                  ("7d3c8a52-4a0b-4a57-9d43-2f1f1c9f0e12" if k == "network_connection" else v) for k, v in entry.items()}
                 for entry in policy.args["domain_join_configurations"]]  # a networkConnection key is an id
        props = normalize({
            **policy.args,
            "domain_join_configurations": joins,
            "image_type": "custom" if custom else "gallery",
            "image_id": "7d3c8a52-4a0b-4a57-9d43-2f1f1c9f0e11" if custom else "MicrosoftWindowsDesktop_windows-ent-cpc_x",
            "assignments": [a.target(f"00000000-0000-0000-0000-{i:012d}") for i, a in enumerate(policy.assignments or ())],
        })  # fmt: skip
        failures = [(f.property, f.reason) for f in validate(props)]
        assert failures == [], f"{stack}: w365:policies.{key}: {failures}"


def test_local_stack_uses_the_emulator_and_its_seeded_groups() -> None:
    from w365_provider.emulator import DEFAULT_PORT

    config = stack_file("local")
    assert config["w365:graphUrl"] == f"http://127.0.0.1:{DEFAULT_PORT}/beta"  # Frontline shared and Reserve need beta
    seeded = {g["id"] for g in seed.GROUPS}
    assert {g["objectId"] for g in config["w365:groups"].values()} <= seeded
    assert not any(key.startswith("azuread:") for key in config)
    assert "w365:graphToken" not in config  # the token comes from W365_GRAPH_TOKEN (scripts/run-local)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_tenant_stacks_use_workload_identity_and_hold_no_secret(stack: str) -> None:
    config = stack_file(stack)
    assert config["azuread:useOidc"] is True
    assert config["w365:graphUrl"] == "https://graph.microsoft.com/beta"  # Microsoft Graph itself (beta)
    assert not any("secret" in key.lower() or "token" in key.lower() or "password" in key.lower() for key in config)
    assert any("displayName" in g for g in config["w365:groups"].values())  # created with azuread
    text = (REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text()
    assert "secure:" not in text
