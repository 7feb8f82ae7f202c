"""The stack config model (``w365_provider.config``): every problem at once with its YAML path,
"did you mean" for keys, enum values and regions, the resources' rules in the stack file's words,
and the JSON Schema the stack files point editors to."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.test_program_config import G1, SOURCE, minimal, problems
from w365_provider import cli
from w365_provider.config import model
from w365_provider.config.schema import SCHEMA_PATH, schema_text, stack_file_schema
from w365_provider.lookups import locales, regions
from w365_provider.provisioning_policy import normalize, validate
from w365_provider.stack_config import SECTIONS, load_stack_config, parse_stack_config, stack_config_problems
from w365_provider.errors import ConfigurationError

REPO = Path(__file__).resolve().parents[2]
PATH = re.compile(r"^w365:(groups|images|policies)(\.[A-Za-z0-9_.-]+)?((\.[A-Za-z]+)|\[\d+\])*: ")


def five_mistakes() -> dict[str, Any]:
    """Five different mistakes, in three entries: a misspelled key, an enum value, a region, a
    naming template Graph refuses, and a reference to an image that does not exist."""
    raw = minimal(
        cloudPcNamingTemplat="CPC-%RAND:5%",
        provisioningType="dedicate",
        domainJoinConfigurations=[{"domainJoinType": "azureADJoin", "regionName": "westeurop"}],
    )
    raw["policies"]["sales"] = {
        "displayName": "Sales",
        "image": "win12",
        "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "automatic"}],
        "cloudPcNamingTemplate": "SALES-%USERNAME:4%",
    }
    return raw


def test_five_mistakes_five_messages_each_with_its_yaml_path() -> None:
    found = problems(five_mistakes())
    assert found == [
        "w365:policies.pilot.provisioningType: must be one of dedicated, shared, sharedByUser, sharedByEntraGroup, reserve, got 'dedicate'; "
        "did you mean 'dedicated'?",
        "w365:policies.pilot.domainJoinConfigurations[0].regionName: 'westeurop' is not a region where Windows 365 "
        f"provisions Cloud PCs; did you mean 'westeurope'? (use automatic, or an Azure region name from "
        f"{regions.DOCUMENTATION})",
        "w365:policies.pilot.cloudPcNamingTemplat: unknown key; did you mean 'cloudPcNamingTemplate'?",
        "w365:policies.sales.image: 'win12' is not a key of w365:images (known: win11); did you mean 'win11'?",
        "w365:policies.sales.cloudPcNamingTemplate: must contain %RAND:y% with y >= 5, so that names are unique",
    ]
    assert all(PATH.match(line) for line in found)
    assert stack_config_problems(five_mistakes()) == found


def test_resource_rules_are_named_by_the_stack_files_keys() -> None:
    raw = minimal(
        displayName="Sales <EU>",
        provisioningType="shared",
        cloudPcNamingTemplate="A-%USERNAME:4%-%RAND:5%",
        domainJoinConfigurations=[{"domainJoinType": "hybridAzureADJoin"}],
    )
    raw["images"]["golden"] = {"type": "custom", "displayName": "G", "version": "1.0", "sourceImageResourceId": SOURCE}
    found = problems(raw)
    assert found == [
        "w365:images.golden.version: must have the form major.minor.patch, for example 1.0.0 (got '1.0')",
        'w365:policies.pilot.displayName: must not contain any of < > & | " ^ (found < >)',
        "w365:policies.pilot.domainJoinConfigurations[0]: hybridAzureADJoin needs onPremisesConnectionId "
        "(an Azure network connection)",
        "w365:policies.pilot.cloudPcNamingTemplate: %USERNAME:x% is only allowed for dedicated policies",
        "w365:policies.pilot.assignments[0]: a shared policy needs servicePlanId for each assignment",
    ]
    snake = re.compile(r"\b[a-z]+_[a-z_]+\b")
    assert not any(snake.search(line) for line in found), found


def test_a_policy_with_a_shape_problem_still_gets_its_other_rules_checked() -> None:
    found = problems(minimal(provisioningType="Dedicated ", cloudPcNamingTemplate="X-%RAND:2%"))
    assert [line.split(":")[1] for line in found] == [
        "policies.pilot.provisioningType",
        "policies.pilot.cloudPcNamingTemplate",  # %RAND:y% needs y >= 5
        "policies.pilot.cloudPcNamingTemplate",  # names of 5 to 15 characters
    ]
    assert "%RAND:y% needs y >= 5 (got 2)" in found[1]


def test_snake_case_keys_get_the_camel_case_suggestion() -> None:
    found = problems(minimal(display_name="x", enable_single_sign_on=True))
    assert found == [
        "w365:policies.pilot.display_name: unknown key; did you mean 'displayName'?",
        "w365:policies.pilot.enable_single_sign_on: unknown key; did you mean 'enableSingleSignOn'?",
    ]


def test_image_type_is_a_tagged_union() -> None:
    raw = minimal()
    raw["images"]["win11"]["type"] = "Galery"
    raw["images"]["golden"] = {"type": "custom", "displayName": "G", "version": "1.0.0",
                               "sourceImageResourceId": SOURCE, "publisher": "p"}  # fmt: skip
    assert problems(raw) == [
        "w365:images.win11.type: must be gallery (a gallery image looked up by sku) or custom (uploaded from an "
        "Azure managed image), got 'Galery'; did you mean 'gallery'?",
        "w365:images.golden.publisher: unknown key; known keys: type, displayName, version, sourceImageResourceId, adopt",
    ]


@pytest.mark.parametrize(
    ("join", "wanted"),
    [
        ({"regionGroup": "atlantis"}, "regionGroup: must be one of default, australia"),
        ({"domainJoinType": "AzureADjoin"}, "domainJoinType: must be one of azureADJoin, hybridAzureADJoin, got "
                                            "'AzureADjoin'; did you mean 'azureADJoin'?"),
        ({"onPremisesConnectionId": "anc-west"}, "onPremisesConnectionId: must be an object id (GUID), got 'anc-west'"),
        ({"regionName": "West Europe"}, "regionName: 'West Europe' is not a region where Windows 365 provisions "
                                        "Cloud PCs; did you mean 'westeurope'?"),
    ],
)  # fmt: skip
def test_domain_join_values(join: dict[str, str], wanted: str) -> None:
    entry = {"domainJoinType": "azureADJoin", "regionName": "automatic", **join}
    if "onPremisesConnectionId" in join:
        del entry["regionName"]
    [found] = problems(minimal(domainJoinConfigurations=[entry]))
    assert found.startswith("w365:policies.pilot.domainJoinConfigurations[0].")
    assert wanted in found


def test_flags_accept_true_and_false_as_text_only() -> None:
    spec = parse_stack_config(minimal(enableSingleSignOn="TRUE", adopt="false")).policies["pilot"]
    assert spec.args["enable_single_sign_on"] is True and spec.args["adopt"] is False
    assert problems(minimal(adopt=1)) == ["w365:policies.pilot.adopt: must be true or false, got the number 1"]


def test_load_stack_config_reads_the_three_sections() -> None:
    class Config:
        def __init__(self, values: dict[str, Any]) -> None:
            self.values = values

        def get_object(self, key: str) -> Any:
            return self.values.get(key)

        def get(self, key: str) -> Any:
            return self.values.get(key)

    stack = load_stack_config(Config(minimal()))
    assert list(stack.policies) == ["pilot"]
    assert SECTIONS == ("groups", "images", "policies", "userSettings", "networkConnections", "organizationSettings")
    newer = minimal(domainJoinConfigurations=[{"domainJoinType": "azureADJoin", "regionName": "westus4"}])
    with pytest.raises(ConfigurationError, match="'westus4' is not a region"):
        load_stack_config(Config(newer))  # v1.0: the documented list
    assert load_stack_config(Config({**newer, "graphUrl": "http://127.0.0.1:8765/beta"})).policies["pilot"]


def test_on_beta_a_region_the_documentation_does_not_list_is_left_to_the_tenants_list() -> None:
    """``supportedRegions`` (read by the policy's check at preview) decides on beta; what cannot be
    an Azure region name, or is a region group, is refused here on both versions."""
    def join(region: str) -> dict[str, Any]:
        return minimal(domainJoinConfigurations=[{"domainJoinType": "azureADJoin", "regionName": region}])

    assert problems(join("westus4"))[0].startswith("w365:policies.pilot.domainJoinConfigurations[0].regionName: 'westus4'")
    spec = parse_stack_config(join("westus4"), api_version="beta").policies["pilot"]
    assert spec.args["domain_join_configurations"][0]["region_name"] == "westus4"
    for wrong in ("West Europe", "europeUnion"):
        with pytest.raises(ConfigurationError, match="regionName"):
            parse_stack_config(join(wrong), api_version="beta")
    assert problems(join("westeurop")) and parse_stack_config(join("westeurope"), api_version="beta")


# -- the enums agree with the resource -----------------------------------------------------------


@pytest.mark.parametrize(
    ("prop", "values"),
    [
        ("provisioning_type", model.PROVISIONING_TYPES),
        ("domain_join_configurations.domain_join_type", model.DOMAIN_JOIN_TYPES),
        ("domain_join_configurations.region_group", model.REGION_GROUPS),
        ("microsoft_managed_desktop.managed_type", model.MANAGED_TYPES),
    ],
)
def test_every_enum_value_the_config_accepts_passes_the_resource(prop: str, values: tuple[str, ...]) -> None:
    for value in values:
        props: dict[str, Any] = {
            "display_name": "p", "image_type": "gallery", "image_id": "MicrosoftWindowsDesktop_windows-ent-cpc_x",
            "domain_join_configurations": [{"domain_join_type": "hybridAzureADJoin", "on_premises_connection_id": G1}],
        }  # fmt: skip
        top, _, nested = prop.partition(".")
        if top == "domain_join_configurations":
            props[top] = [{**props[top][0], nested: value}]
        elif nested:
            props[top] = {nested: value}
        else:
            props[top] = value
        if value == "shared":
            props["assignments"] = [{"group_id": G1, "service_plan_id": G1}]
        assert validate(normalize(props)) == [], (prop, value)


# -- regions -------------------------------------------------------------------------------------


def test_every_documented_region_and_automatic_are_accepted() -> None:
    names = regions.region_names()
    assert names[0] == "automatic" and len(names) == len(set(names)) == len(regions.REGIONS) + 1
    assert {"westeurope", "northeurope", "eastus", "eastus2", "westus3", "japaneast", "uksouth"} <= set(names)
    assert all(regions.check_region_name(name) is None for name in names)
    assert all(re.fullmatch(r"[a-z0-9]+", r.name) for r in regions.REGIONS)


@pytest.mark.parametrize(
    ("typed", "closest"),
    [("westeurop", "westeurope"), ("WestEurope", "westeurope"), ("Germany West Central", "germanywestcentral"),
     ("automatik", "automatic"), ("east us 2", "eastus2")],
)  # fmt: skip
def test_a_region_typo_names_the_closest_regions(typed: str, closest: str) -> None:
    reason = regions.check_region_name(typed)
    assert reason is not None and f"did you mean {closest!r}" in reason
    assert regions.closest_region_names(typed)[0] == closest


def test_a_region_far_from_any_gets_no_guess() -> None:
    reason = regions.check_region_name("mars-north")
    assert reason is not None and "did you mean" not in reason and regions.DOCUMENTATION in reason


# -- the JSON Schema -----------------------------------------------------------------------------


def test_the_committed_schema_is_current() -> None:
    committed = (REPO / SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == schema_text(), "regenerate it: .venv/bin/w365 schema -o schema/stack-config.schema.json"


def test_w365_schema_prints_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == stack_file_schema()
    assert cli.main(["schema", "-o", str(tmp_path / "s.json")]) == 0
    assert (tmp_path / "s.json").read_text() == schema_text()


@pytest.mark.parametrize("stack", ["local", "dev", "prod"])
def test_each_stack_file_points_editors_to_the_schema(stack: str) -> None:
    path = REPO / "stacks" / f"Pulumi.{stack}.yaml"
    first = path.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/stack-config.schema.json"
    assert (path.parent / first.split("=", 1)[1]).resolve() == (REPO / SCHEMA_PATH).resolve()


@pytest.mark.parametrize("stack", ["local", "dev", "prod"])
def test_the_schema_knows_every_key_the_stack_files_use(stack: str) -> None:
    """Every key the committed stack files use under ``w365:`` is a property the schema lists
    (so an editor shows no false error); the schema forbids unknown ones."""
    schema = stack_file_schema()
    data = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    assert set(data) <= set(schema["properties"])
    config = schema["properties"]["config"]
    assert config["additionalProperties"] is False
    assert {k for k in data["config"] if k.startswith("w365:")} <= set(config["properties"])
    defs = schema["$defs"]
    for key, entry in data["config"]["w365:policies"].items():
        assert set(entry) <= set(defs["PolicyEntry"]["properties"]), key
    assert defs["PolicyEntry"]["additionalProperties"] is False
    assert defs["GalleryImageEntry"]["properties"]["type"]["const"] == "gallery"
    images = config["properties"]["w365:images"]["patternProperties"]
    [image_schema] = images.values()
    assert image_schema["discriminator"]["propertyName"] == "type"
    region = defs["DomainJoinEntry"]["properties"]["regionName"]
    assert "westeurope" in json.dumps(region)


# -- Windows languages ----------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "closest"), [("en_GB", "'en-GB'"), ("French", "'fr-CA' or 'fr-FR'"), ("de-CH", "'de-DE'")])
def test_a_locale_that_is_no_windows_language_names_the_closest_tags(typed: str, closest: str) -> None:
    assert problems(minimal(windowsSetting={"locale": typed})) == [
        f"w365:policies.pilot.windowsSetting.locale: {typed!r} is not a Windows language a Cloud PC can be "
        f"provisioned with; did you mean {closest}? (use a language/region tag such as en-US from {locales.DOCUMENTATION})"
    ]
    spec = parse_stack_config(minimal(windowsSetting={"locale": "ja-JP"})).policies["pilot"]
    assert spec.args["windows_setting"] == {"locale": "ja-JP"}
