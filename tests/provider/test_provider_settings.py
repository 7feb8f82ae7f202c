"""The provider's settings in use against the emulator: a refused token explains itself, the
Graph root is printed once, unknown keys stop ``configure``."""

from __future__ import annotations

import secrets

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.errors import ConfigurationError, GraphError
from w365_provider.graph.provider import announce
from w365_provider.provisioning_policy import ProvisioningPolicyProvider
from w365_provider.settings import Settings

from .conftest import FAST, configured


def test_a_refused_token_names_its_source_and_the_remedy(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "wrong-" + secrets.token_hex(8)
    monkeypatch.setenv("W365_GRAPH_TOKEN", wrong)  # wins over the config's (right) token in the provider
    provider = configured(emu, **FAST)
    with pytest.raises(GraphError) as info:
        provider.read("00000000-0000-0000-0000-000000000000", {})
    err = info.value
    text = str(err) + " ".join(getattr(err, "__notes__", []))
    assert err.status == 401 and err.attempts == 1
    assert "Graph refused the bearer token from W365_GRAPH_TOKEN" in text and "--run-program" in text
    assert wrong not in text


def test_the_graph_root_is_printed_once_per_process(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings.from_mapping({"graphUrl": "http://127.0.0.1:1/v1.0", "graphToken": "t",
                                      "tenantId": "t-" + secrets.token_hex(4)}, env={})  # fmt: skip
    announce(settings)
    announce(settings)
    err = capsys.readouterr().err
    assert err == settings.banner() + "\n" and "token from w365:graphToken" in err


def test_configure_stops_on_an_unknown_key(emu: EmulatorProcess) -> None:
    raw = {"w365:graphUrl": emu.graph_url, "w365:graphToken": emu.token, "w365:retryMaxAttempt": "3"}
    with pytest.raises(ConfigurationError, match=r"did you mean w365:retryMaxAttempts\?"):
        ProvisioningPolicyProvider().configure(ConfigureRequest(Config(raw_config=raw, project_name="w365")))
