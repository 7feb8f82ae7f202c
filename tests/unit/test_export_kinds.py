"""`w365 export` without Graph: the YAML writer, and an entry built from a spec alone (a new
kind is one registration: secrets become placeholders, unknown enum members and unmanaged
properties are left out with a comment, group assignments become w365:groups keys)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from w365_provider.export.command import graph_url_for
from w365_provider.export.document import Context, Tenant, build
from w365_provider.export.kinds import Kind, LeftOut, entry, slug
from w365_provider.export.yaml_text import Commented, dump
from w365_provider.kit import Bool, Enum, Guid, ListOf, Mutability, Object, Property, Spec, Str
from w365_provider.kit import mapping

G1 = "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e01"
ASSIGNMENT = Object(graph_type="target", fields=(Property("group_id", "groupId", Guid(), "Group", required=True),))
SPEC = Spec(
    graph_type="cloudPcThing", noun="thing", plural="things", short="thing", short_plural="things",
    id_name="thing_id", id_label="id", collection=lambda c: c, item=lambda c, i: c,
    properties=(
        Property("display_name", "displayName", Str(non_empty=True), "Name", required=True),
        Property("mode", "mode", Enum(("on", "off"), "mode"), "Mode"),
        Property("kind", "kind", Enum(("a", "b"), "kind"), "Kind", Mutability.REPLACE),
        Property("enabled", "enabled", Bool(), "Enabled"),
        Property("assignments", "assignments", ListOf(ASSIGNMENT), "Groups", action=True, absent=[]),
        Property("adopt", None, Bool(), "Adopt", Mutability.CREATE_ONLY),
    ),
    unmanaged={"scopeIds": "not managed yet"},
)  # fmt: skip


def observe(body: dict[str, Any]) -> dict[str, Any]:
    props = mapping.from_graph(SPEC, body)
    if "assignments" in body:
        props["assignments"] = [{"group_id": a["target"]["groupId"]} for a in body["assignments"]]
    return mapping.normalize(SPEC, props)


KIND = Kind("things", SPEC, observe=observe, keys=("displayName", "mode", "kind", "enabled", "assignments", "adopt"),
            secrets={"password": "set it with pulumi config set --secret --path 'w365:things.<key>.password' ..."})  # fmt: skip


def ctx(groups: dict[str, str] | None = None) -> Context:
    return Context(Tenant({}, groups={G1: "Sales Team", **(groups or {})}))


def body(**extra: Any) -> dict[str, Any]:
    return {"id": "0a2847c0-662a-4440-a0a7-37cc064dbf62", "displayName": "Thing", "mode": "on", "kind": "a",
            "enabled": False, "assignments": [{"id": "x", "target": {"groupId": G1.upper()}}], **extra}  # fmt: skip


def test_an_entry_comes_from_the_spec_alone() -> None:
    made = entry(KIND, ctx(), body(), "thing")
    assert made.value == {"displayName": "Thing", "mode": "on", "kind": "a", "enabled": False,
                          "assignments": ["sales-team"], "adopt": "0a2847c0-662a-4440-a0a7-37cc064dbf62"}  # fmt: skip
    assert made.left_out == 0
    assert made.notes == ["password: not exported (a secret); set it with pulumi config set --secret --path "
                          "'w365:things.<key>.password' ..."]  # fmt: skip


def test_what_the_schema_cannot_express_is_left_out_with_a_comment() -> None:
    made = entry(KIND, ctx(), body(mode="sometimes", scopeIds=["7"], brandNew=1), "thing")
    assert "mode" not in made.value and made.left_out == 3
    assert made.notes[:3] == [
        "left out: mode must be one of on, off (got 'sometimes')",
        "left out: scopeIds = ['7'] (not managed yet)",
        "left out: brandNew = 1 (not known to this provider)",
    ]
    with pytest.raises(LeftOut, match="kind must be one of a, b"):  # cannot change later: the whole object
        entry(KIND, ctx(), body(kind="c"), "thing")


def test_sections_are_stable_and_keys_unique() -> None:
    twins = [body(id=f"{i}0000000-0000-4000-8000-000000000000", displayName="Twin") for i in (2, 1)]
    tenant = Tenant({"things": [*twins, body(kind="c")]}, groups={G1: "Sales Team"})
    section = build([KIND], Context(tenant))["things"]
    assert list(section.entries) == ["twin", "twin-20000000"]
    assert section.footer == [f"left out: thing 'Thing' ({body()['id']}): kind must be one of a, b (got 'c'); "
                              "the stack file cannot express it"]  # fmt: skip


def test_the_yaml_writer_reads_back_and_keeps_comments() -> None:
    doc = Commented({"config": Commented({
        "w365:groups": Commented({"sales": Commented({"objectId": G1}, after={"objectId": "Sales # Team"})}),
        "w365:policies": Commented({"p": {"displayName": "A: b", "list": [{"x": 1, "y": "yes"}, "k"], "e": []}},
                                   above={"p": ["left out: x"]}, footer=["left out: y"]),
    })})  # fmt: skip
    text = dump(doc, header=["head"])
    assert yaml.safe_load(text) == {"config": {"w365:groups": {"sales": {"objectId": G1}},
                                               "w365:policies": {"p": {"displayName": "A: b",
                                                                       "list": [{"x": 1, "y": "yes"}, "k"], "e": []}}}}
    assert f"      objectId: {G1} # Sales # Team\n" in text
    assert "    # left out: x\n    p:\n" in text and text.endswith("    # left out: y\n")
    assert text == dump(doc, header=["head"])


def test_slugs_and_api_versions() -> None:
    assert slug("W365 Pilot Users!") == "w365-pilot-users" and slug("***") == "x"
    assert graph_url_for("https://graph.microsoft.com/v1.0", "beta") == "https://graph.microsoft.com/beta"
    assert graph_url_for("http://127.0.0.1:8765/beta/", "v1.0") == "http://127.0.0.1:8765/v1.0"
    assert graph_url_for("https://graph.microsoft.com/v1.0", None) == "https://graph.microsoft.com/v1.0"
