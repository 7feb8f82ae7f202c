"""`w365 export` against the emulator (no engine): Graph requests per kind and page, never per
object; only GETs; the same tenant gives the same bytes; the kinds option; the command's output
and exit status."""

from __future__ import annotations

import pytest

from tests.fixtures.tenant_seed import JOINS, POLICIES
from w365_provider.cli import main
from w365_provider.emulator import seed
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.export import export_tenant
from w365_provider.settings import Settings

PAGE = 100  # the emulator's page size


def _policies(emu: EmulatorProcess, count: int) -> None:
    for n in range(count):
        body = {"displayName": f"Policy {n:03d}", "imageId": seed.GALLERY_WIN11_24H2_M365, "imageType": "gallery",
                "domainJoinConfigurations": JOINS["entra-automatic"]}  # fmt: skip
        assert emu.graph("POST", POLICIES, body)[0] == 201
    emu.clear_requests()


def test_requests_follow_pages_not_objects(emu: EmulatorProcess) -> None:
    _policies(emu, PAGE + 5)
    settings = Settings(graph_url=emu.graph_url, graph_token=emu.token)
    first = export_tenant(settings)
    log = emu.requests()
    assert {r["method"] for r in log} == {"GET"}
    # images, connections, policies (2 pages), user settings, organization settings, gallery, groups
    assert first.requests == len(log) == 8
    assert first.counts["policies"] == PAGE + 5 and first.left_out == 0
    assert "skiptoken" in log[3]["query"] and "expand=assignments" in log[3]["query"]
    assert export_tenant(settings).text == first.text


def test_kinds_choose_what_is_read(emu: EmulatorProcess) -> None:
    _policies(emu, 2)
    result = export_tenant(Settings(graph_url=emu.graph_url, graph_token=emu.token), ["images"])
    assert [r["path"].rsplit("/", 1)[-1] for r in emu.requests()] == ["deviceImages"]
    assert "w365:policies" not in result.text and result.requests == 1


def test_the_command_writes_stdout_and_refuses_to_overwrite(
    emu: EmulatorProcess, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    _policies(emu, 1)
    monkeypatch.setenv("W365_GRAPH_TOKEN", emu.token)
    assert main(["export", "--graph-url", emu.graph_url]) == 0
    out, err = capsys.readouterr()
    assert "policy-000:" in out and "adopt: " in out
    assert "1 policies" in err and "with 7 Graph requests (GET only)" in err  # one per kind, the gallery, groups
    target = tmp_path / "Pulumi.x.yaml"
    target.write_text("encryptionsalt: v1:abc\nconfig:\n  w365:graphToken:\n    secure: v1:xyz\n")
    assert main(["export", "--graph-url", emu.graph_url, "-o", str(target)]) == 2
    assert "exists; give --force" in capsys.readouterr().err
    assert main(["export", "--graph-url", emu.graph_url, "-o", str(target), "--force"]) == 0
    text = target.read_text()
    assert text.startswith("# yaml-language-server") and "encryptionsalt: v1:abc" in text and "secure: v1:xyz" in text
    assert emu.token not in text
