"""`w365 report` on real `pulumi preview --json` output.

The inputs are tests/fixtures/previews/*.json, captured with the real engine from a stack of
ProvisioningPolicy and DeviceImage resources on the Graph emulator (create, update, replace,
delete, no change); tests/e2e/test_report_e2e.py re-captures them live so they cannot rot.
Variations the capture does not produce (secrets, unknown groups, a failed preview, Entra
groups, replacement steps) are made by editing a copy of a captured digest.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fixtures.report_support import STAGES, fixture, rows, step, tables
from w365_provider import report
from w365_provider.emulator import seed
from w365_provider.report import MARKER, analyze, render

ENG_GROUP = seed.GROUP_ENGINEERING
FIN_GROUP = seed.GROUP_FINANCE
PILOT_GROUP = seed.GROUP_PILOT_USERS
IMAGE_24H2 = seed.GALLERY_WIN11_24H2_M365
IMAGE_25H2 = "MicrosoftWindowsDesktop_windows-ent-cpc_win11-25h2-ent-cpc-m365"


def md(digest: dict[str, Any], stack: str | None = None) -> str:
    return render([analyze(digest, stack=stack)])


def settings_of(markdown: str, policy: str) -> dict[str, tuple[str, str, str]]:
    """Setting -> (change, before, after) for POLICY's rows in the policy table."""
    out = {}
    for change, name, setting, before, after in rows(markdown, "Change"):
        if f"**{policy}**" in name:
            out[setting] = (change, before, after)
    return out


# -- the captured previews, one kind of change each --------------------------------------------


def test_create_lists_every_setting_of_each_new_policy() -> None:
    text = md(fixture("create"))
    eng = settings_of(text, "Engineering")
    assert {k: v[0] for k, v in eng.items()} == dict.fromkeys(eng, "➕ Create")
    assert eng["Description"][1:] == ("—", "Developer Cloud PCs")
    assert eng["License type"][2] == "Enterprise"
    assert eng["Network"][2] == "Microsoft Entra join · Microsoft-hosted network, region automatic"
    assert eng["Image type"][2] == "Gallery image"
    assert eng["Image"][2] == f"`{IMAGE_24H2}`"
    assert eng["Language & region"][2] == "en-US"
    assert eng["Naming template"][2] == "ENG-%RAND:5%"
    assert eng["Assignments"][2] == f"`{ENG_GROUP}`"

    fin = settings_of(text, "Finance")
    assert fin["Network"][2] == (
        "Microsoft Entra hybrid join · Azure network connection `a1b2c3d4-0000-4000-8000-000000000001`"
    )
    assert fin["Image type"][2] == "Custom image"
    assert fin["Image"][2] == "_known after apply_"  # the device image is created in the same run
    assert settings_of(text, "Pilot users")["Network"][2].endswith("region westeurope")

    assert rows(text, "Group") == [
        [f"`{ENG_GROUP}`", "Engineering", "➕ assigned"],
        [f"`{FIN_GROUP}`", "Finance", "➕ assigned"],
        [f"`{PILOT_GROUP}`", "Pilot users", "➕ assigned"],
    ]
    assert "- ➕ Create Custom device image `golden` (Finance golden image) — " in text
    assert "Version: 1.0.0" in text
    assert "- **review**: policies ➕ 3 to create; other resources ➕ 1 to create (0 unchanged)" in text
    assert "Disruptive" not in text


def test_update_shows_each_changed_setting_old_and_new() -> None:
    text = md(fixture("update"))
    eng = settings_of(text, "Engineering")
    assert list(eng) == [
        "Description", "Single sign-on", "Image", "Language & region", "Naming template", "Assignments",
    ]  # fmt: skip
    assert {v[0] for v in eng.values()} == {"✏️ Update"}
    assert eng["Description"][1:] == ("Developer Cloud PCs", "Developer Cloud PCs, 25H2")
    # Not set before: the report shows what Graph held (its default), not a blank.
    assert eng["Single sign-on"][1:] == ("Disabled", "Enabled")
    assert eng["Image"][1] == f"Windows 11 Enterprise + Microsoft 365 Apps 24H2<br>`{IMAGE_24H2}`"
    assert eng["Image"][2] == f"`{IMAGE_25H2}`"
    assert eng["Language & region"][1:] == ("en-US", "en-GB")
    assert eng["Naming template"][1:] == ("ENG-%RAND:5%", "DEV-%USERNAME:4%-%RAND:5%")
    assert rows(text, "Group") == [[f"`{PILOT_GROUP}`", "Engineering", "➕ assigned"]]
    assert "- **review**: policies ✏️ 1 to update (3 unchanged) · 2 warnings" in text  # existing PCs, people
    assert "Disruptive" not in text


def test_update_lists_the_providers_warning_about_existing_cloud_pcs() -> None:
    text = md(fixture("update"))
    warnings = text.split("#### Warnings", 1)[1]
    assert "- ⚠️ provisioning policy 'Engineering': the change of image" in warnings
    assert "existing Cloud PCs keep their old settings until they are reprovisioned" in warnings
    assert ("- ⚠️ provisioning policy 'Engineering': 2 assigned member(s) have no Cloud PC licence; 3 are already "
            "covered by an earlier-assigned policy ('Finance', 'Pilot users')") in warnings  # fmt: skip


def test_replace_is_marked_disruptive_with_the_property_that_forces_it() -> None:
    text = md(fixture("replace"))
    fin = settings_of(text, "Finance")
    assert fin["License type 🔁 _forces replacement_"] == (
        "♻️ Replace ⚠️", "Enterprise", "Frontline dedicated",
    )  # fmt: skip
    assert fin["Image"][1] == "Finance golden image<br>`00000000-0000-4000-8000-000000000003` (custom)"
    assert fin["Image"][2] == "_known after apply_"  # its device image is replaced too
    assert fin["Assignments"][2] == (
        f"`{FIN_GROUP}` with service plan `9ecf691d-8b82-46cb-b254-cd061b2c02fb`"
    )
    assert "> [!WARNING]\n> **Disruptive changes**: Cloud PCs of the assigned users are affected." in text
    assert "> - **Finance** is replaced (changed: License type)" in text
    assert f"assigned groups: `{FIN_GROUP}`." in text
    assert rows(text, "Group") == [[f"`{FIN_GROUP}`", "Finance", "♻️ reassigned to the new policy ⚠️"]]
    # The device image is replaced too, listed compactly and not counted as disruptive.
    assert "- ♻️ Replace Custom device image `golden` (Finance golden image) — Version 🔁: 1.0.0 → 1.1.0" in text
    assert "- **review**: policies ♻️ 1 to replace; other resources ♻️ 1 to replace (2 unchanged) · ⚠️ 1 disruptive" in text


def test_delete_of_an_assigned_policy_is_disruptive() -> None:
    text = md(fixture("delete"))
    assert rows(text, "Change") == [["🗑️ Delete ⚠️", "**Pilot users**<br>`pilot`", "Policy", "exists", "deleted"]]
    assert rows(text, "Group") == [[f"`{PILOT_GROUP}`", "Pilot users", "➖ unassigned (policy deleted) ⚠️"]]
    assert f"> - **Pilot users** is deleted while assigned to `{PILOT_GROUP}`." in text
    assert "- **review**: policies 🗑️ 1 to delete (3 unchanged) · ⚠️ 1 disruptive" in text


def test_no_changes() -> None:
    text = md(fixture("same"))
    assert "- **review**: no changes (3 unchanged)" in text
    assert "No changes." in text
    assert tables(text) == []


def test_several_stacks_in_one_comment() -> None:
    reports = [analyze(fixture(stage), stack=f"s{i}-{stage}") for i, stage in enumerate(STAGES)]
    text = render(reports)
    lines = text.splitlines()
    assert lines[0] == MARKER
    assert lines[1] == "## Windows 365 preview"
    summaries = [line for line in lines if line.startswith("- **s")]
    assert [s.split("**")[1] for s in summaries] == [f"s{i}-{stage}" for i, stage in enumerate(STAGES)]
    headings = [line for line in lines if line.startswith("### Stack ")]
    assert headings == [f"### Stack `s{i}-{stage}`" for i, stage in enumerate(STAGES)]
    tables(text)  # every table well formed


def test_stack_name_comes_from_the_urns() -> None:
    assert report.stack_of(fixture("update")) == "review"
    assert analyze(fixture("update")).stack == "review"


@pytest.mark.parametrize("stage", STAGES)
def test_serialized_provider_never_appears(stage: str) -> None:
    digest = fixture(stage)
    text = md(digest)
    assert "__provider" not in text
    for s in digest["steps"]:
        for state in ("oldState", "newState"):
            blob = ((s.get(state) or {}).get("inputs") or {}).get("__provider")
            if blob and blob != "[secret]":
                assert blob not in text


# -- secrets ---------------------------------------------------------------------------------


def test_secret_values_are_hidden() -> None:
    digest = fixture("update")
    eng = step(digest, "engineering")
    sig = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "plain-signed-secret"}
    eng["oldState"]["inputs"]["description"] = "[secret]"
    eng["newState"]["inputs"]["description"] = "[secret]"
    eng["newState"]["inputs"]["cloud_pc_naming_template"] = sig
    eng["newState"]["inputs"]["client_secret"] = "plain-by-name"
    eng["oldState"]["inputs"]["client_secret"] = "old-plain-by-name"
    eng["diffReasons"].append("client_secret")
    eng["newState"]["inputs"]["__provider"] = "[secret]"
    text = md(digest)
    settings = settings_of(text, "Engineering")
    assert settings["Description"][1:] == ("🔒 secret", "🔒 secret (changed)")
    assert settings["Naming template"][1:] == ("ENG-%RAND:5%", "🔒 secret")
    assert settings["Client secret"][1:] == ("🔒 secret", "🔒 secret (changed)")
    for leaked in ("plain-signed-secret", "plain-by-name", "old-plain-by-name", "[secret]", "__provider"):
        assert leaked not in text


def test_secret_group_id_is_hidden() -> None:
    digest = fixture("update")
    eng = step(digest, "engineering")
    eng["newState"]["inputs"]["assignments"][0]["group_id"] = "[secret]"
    text = md(digest)
    assert "🔒 secret" in settings_of(text, "Engineering")["Assignments"][2]
    assert ["🔒 secret", "Engineering", "➕ assigned"] in rows(text, "Group")


# -- variations of the captured shape --------------------------------------------------------


def test_without_detailed_diff_the_inputs_are_compared() -> None:
    with_diff = md(fixture("update"))
    digest = fixture("update")
    eng = step(digest, "engineering")
    eng["detailedDiff"] = None
    del eng["diffReasons"]
    assert settings_of(md(digest), "Engineering") == settings_of(with_diff, "Engineering")


def test_diff_reasons_alone_are_enough() -> None:
    digest = fixture("update")
    eng = step(digest, "engineering")
    eng["detailedDiff"] = None
    assert list(settings_of(md(digest), "Engineering")) == list(settings_of(md(fixture("update")), "Engineering"))


def test_unknown_group_is_known_after_apply() -> None:
    digest = fixture("update")
    eng = step(digest, "engineering")
    eng["newState"]["inputs"]["assignments"][0]["group_id"] = report.UNKNOWN
    text = md(digest)
    assert ["a group known after apply", "Engineering", "➕ assigned"] in rows(text, "Group")
    assert report.UNKNOWN not in text


def test_replacement_steps_make_one_row() -> None:
    """`preview --json --show-replacement-steps` lists a replace as three steps."""
    digest = fixture("replace")
    fin = step(digest, "finance")
    create = {**json.loads(json.dumps(fin)), "op": "create-replacement"}
    delete = {"op": "delete-replaced", "urn": fin["urn"], "oldState": fin["oldState"], "detailedDiff": None}
    i = digest["steps"].index(fin)
    digest["steps"][i:i] = [delete, create]
    text = md(digest)
    assert [r[0] for r in rows(text, "Change")] == ["♻️ Replace ⚠️"] * 3
    assert text.count("is replaced") == 1


def test_entra_groups_and_their_names() -> None:
    """An azuread Group (the dev/prod stacks) is listed compactly and names its id."""
    digest = fixture("update")
    digest["steps"].append(
        {
            "op": "create",
            "urn": "urn:pulumi:review::w365-report::azuread:index/group:Group::sales",
            "newState": {"type": "azuread:index/group:Group", "inputs": {"displayName": "Sales users", "securityEnabled": True}},
        }
    )
    digest["steps"].append(
        {
            "op": "same",
            "urn": "urn:pulumi:review::w365-report::azuread:index/group:Group::pilots",
            "oldState": {"type": "azuread:index/group:Group", "id": PILOT_GROUP, "inputs": {"displayName": "Pilot users"},
                         "outputs": {"objectId": PILOT_GROUP, "displayName": "Pilot users"}},
        }
    )  # fmt: skip
    text = md(digest)
    assert "- ➕ Create Entra group `sales` (Sales users) — Security enabled: Yes" in text
    assert [f"Pilot users (`{PILOT_GROUP[:8]}…`)", "Engineering", "➕ assigned"] in rows(text, "Group")


def test_unassigning_a_group_is_disruptive() -> None:
    digest = fixture("update")
    eng = step(digest, "engineering")
    eng["newState"]["inputs"]["assignments"] = [{"group_id": PILOT_GROUP}]
    text = md(digest)
    assert [f"`{ENG_GROUP}`", "Engineering", "➖ unassigned ⚠️"] in rows(text, "Group")
    assert f"> - **Engineering** is unassigned from `{ENG_GROUP}`." in text


def test_failed_preview_shows_the_errors() -> None:
    digest = fixture("same")
    digest["diagnostics"] = [
        {
            "urn": "urn:pulumi:review::w365-report::pulumi-python:dynamic/w365:ProvisioningPolicy::finance",
            "message": "error: pulumi-python:dynamic/w365:ProvisioningPolicy resource 'finance': property "
            "cloud_pc_naming_template value {X} has a problem: needs %RAND:5%\n",
            "severity": "error",
        },
        {"message": "error: Resource monitor has terminated, shutting down\n", "severity": "error"},
        {"message": "error: Program failed with an unhandled exception:\nTraceback (most recent call last):\n"
                    "  File \"__main__.py\", line 3\nValueError: boom\n", "severity": "error"},
    ]  # fmt: skip
    text = md(digest)
    assert "- **review**: ❌ preview failed (2 errors); no changes (3 unchanged)" in text
    assert "> [!CAUTION]" in text
    assert "has a problem: needs %RAND:5%" in text
    assert "Resource monitor has terminated" not in text
    assert "<details><summary>❌ Program failed with an unhandled exception:</summary>" in text
    assert "ValueError: boom" in text


def test_info_diagnostics_are_left_out_and_warnings_kept() -> None:
    digest = fixture("same")
    digest["diagnostics"] = [
        {"message": "uploading image 40%\n", "severity": "info#err"},
        {"message": "some info\n", "severity": "info"},
        {"message": "warning: tenant is not enrolled in Autopatch\n", "severity": "warning"},
    ]
    text = md(digest)
    assert "uploading image" not in text and "some info" not in text
    assert "- ⚠️ tenant is not enrolled in Autopatch" in text


def test_values_cannot_break_the_table() -> None:
    digest = fixture("update")
    eng = step(digest, "engineering")
    eng["newState"]["inputs"]["description"] = "a | b <script>x</script> `c` **d**\nnext line " + "z" * 300
    text = md(digest)
    after = settings_of(text, "Engineering")["Description"][2]
    assert after.startswith("a \\| b &lt;script&gt;x&lt;/script&gt; \\`c\\` \\*\\*d\\*\\* next line")
    assert after.endswith("…")
    assert "<script>" not in text


def test_only_provider_changed() -> None:
    digest = fixture("update")
    eng = step(digest, "engineering")
    eng["newState"]["inputs"] = dict(eng["oldState"]["inputs"], __provider="[secret]")
    eng["detailedDiff"] = {"__provider": {"kind": "update", "inputDiff": True}}
    eng["diffReasons"] = ["__provider"]
    text = md(digest)
    assert rows(text, "Change") == [
        ["✏️ Update", "**Engineering**<br>`engineering`", "—", "no setting changes", "provider code or settings changed"]
    ]
    assert "__provider" not in text


@pytest.mark.parametrize(
    ("path", "root"),
    [
        ("description", "description"),
        ("assignments[1]", "assignments"),
        ("assignments[0].group_id", "assignments"),
        ("windows_setting.locale", "windows_setting"),
        ('["odd.key"].x', "odd.key"),
    ],
)
def test_detailed_diff_paths(path: str, root: str) -> None:
    assert report._root(path) == root


def test_load_digest_rejects_what_is_not_a_preview() -> None:
    with pytest.raises(report.ReportError, match="empty"):
        report.load_digest("  ")
    with pytest.raises(report.ReportError, match="not JSON"):
        report.load_digest("error: could not find stack")
    with pytest.raises(report.ReportError, match="not a preview digest"):
        report.load_digest('{"steps": 3}')
    assert report.load_digest('note: ignored\n{"steps": []}') == {"steps": []}


def test_assignments_known_only_after_apply() -> None:
    digest = fixture("update")
    eng = step(digest, "engineering")
    eng["newState"]["inputs"]["assignments"] = report.UNKNOWN
    text = md(digest)
    assert settings_of(text, "Engineering")["Assignments"][2] == "_known after apply_"
    assert rows(text, "Group") == [[f"`{ENG_GROUP}`", "Engineering", "✏️ may change (groups known after apply)"]]
    assert "Disruptive" not in text  # nothing known to be unassigned


def test_a_digest_without_steps() -> None:
    assert report.load_digest('{"steps": null, "changeSummary": {}}')["steps"] is None
    assert "- **stack**: no changes (0 unchanged)" in render([analyze({"steps": None})])
