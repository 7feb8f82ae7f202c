"""Settings: sources, precedence, validation, and that they never pickle or print a token."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from w365_provider.errors import ConfigurationError
from w365_provider.graph.retry import RetryPolicy
from w365_provider.settings import DEFAULT_GRAPH_URL, Settings

TOKEN = "tok-very-secret-123"


def test_defaults_are_microsoft_graph_v1() -> None:
    s = Settings.from_mapping({}, env={})
    assert s.graph_url == DEFAULT_GRAPH_URL
    assert s.is_microsoft_graph
    assert s.scopes == ["https://graph.microsoft.com/.default"]
    assert s.graph_token is None and s.tenant_id is None
    assert s.retry == RetryPolicy()
    s.check_auth()  # azure-identity will be used


def test_config_wins_over_environment() -> None:
    env = {"W365_GRAPH_URL": "http://127.0.0.1:1/v1.0", "W365_GRAPH_TOKEN": "from-env", "W365_TENANT_ID": "t-env"}
    s = Settings.from_mapping(
        {"w365:graphUrl": "http://127.0.0.1:2/v1.0/", "graphToken": "from-config", "tenantId": "t-cfg"}, env=env
    )
    assert s.graph_url == "http://127.0.0.1:2/v1.0"  # trailing slash removed
    assert s.graph_token == "from-config"
    assert s.tenant_id == "t-cfg"


def test_environment_fills_in() -> None:
    env = {"W365_GRAPH_URL": "http://localhost:9/beta", "W365_GRAPH_TOKEN": TOKEN}
    s = Settings.from_mapping({}, env=env)
    assert s.graph_url == "http://localhost:9/beta"
    assert s.graph_token == TOKEN
    assert not s.is_microsoft_graph
    s.check_auth()


def test_retry_and_timeout_keys() -> None:
    s = Settings.from_mapping(
        {"retryMaxAttempts": "3", "retryMinDelaySeconds": "0.5", "retryMaxDelaySeconds": 4, "timeoutSeconds": "7"},
        env={},
    )
    assert s.retry.max_attempts == 3 and s.retry.min_delay == 0.5 and s.retry.max_delay == 4
    assert s.timeout_seconds == 7


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"graphUrl": "graph.microsoft.com/v1.0"}, "must be an http(s) URL"),
        ({"graphUrl": "https://graph.microsoft.com"}, "must include the version segment"),
        ({"graphUrl": "http://emulator.example:80/v1.0"}, "plain http; that is allowed only for a local emulator"),
        ({"retryMaxAttempts": "many"}, "w365:retryMaxAttempts must be a number"),
        ({"retryMaxAttempts": 0}, "max_attempts must be at least 1"),
        ({"timeoutSeconds": 0}, "w365:timeoutSeconds must be positive"),
    ],
)
def test_bad_settings_are_explained(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_mapping(values, env={})


def test_emulator_without_token_is_a_configuration_error() -> None:
    s = Settings.from_mapping({"graphUrl": "http://127.0.0.1:8765/v1.0"}, env={})
    with pytest.raises(ConfigurationError, match="set the secret config w365:graphToken or W365_GRAPH_TOKEN"):
        s.check_auth()


def test_token_never_printed_nor_pickled() -> None:
    s = Settings.from_mapping({"graphUrl": "http://127.0.0.1:1/v1.0", "graphToken": TOKEN}, env={})
    assert TOKEN not in repr(s) and TOKEN not in str(s)
    assert "graph_token=set" in repr(s)
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(s)


def test_from_configure_request_reads_namespaced_stack_config() -> None:
    raw = {
        "w365:graphUrl": "http://127.0.0.1:5/v1.0",
        "w365:graphToken": TOKEN,
        "w365:tenantId": "contoso",
        "other:graphUrl": "https://ignored.example/v1.0",
    }
    req = ConfigureRequest(Config(raw_config=raw, project_name="someproject"))
    s = Settings.from_configure_request(req, env={})
    assert (s.graph_url, s.graph_token, s.tenant_id) == ("http://127.0.0.1:5/v1.0", TOKEN, "contoso")


def test_from_pulumi_config_uses_the_config_given() -> None:
    class FakeConfig:
        def get(self, key: str) -> str | None:
            return {"graphUrl": "http://127.0.0.1:6/v1.0", "graphToken": TOKEN}.get(key)

    s = Settings.from_pulumi_config(FakeConfig(), env={})
    assert s.graph_url == "http://127.0.0.1:6/v1.0" and s.graph_token == TOKEN


def test_settings_are_hashable_and_equal_by_value() -> None:
    a = Settings.from_mapping({"graphToken": "x"}, env={})
    b = Settings.from_mapping({"graphToken": "x"}, env={})
    assert a == b and hash(a) == hash(b)
    assert a != Settings.from_mapping({"graphToken": "y"}, env={})


# -- fail closed: every w365 key known, no silent default to Microsoft Graph ------------------

EMULATOR = "http://127.0.0.1:8765/v1.0"


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [("graphURL", "w365:graphUrl"), ("timeoutSecond", "w365:timeoutSeconds"), ("polices", "w365:policies"),
     ("retryMaxAttempt", "w365:retryMaxAttempts"), ("GraphToken", "w365:graphToken")],
)  # fmt: skip
def test_a_misspelt_key_is_refused_with_the_closest_one(key: str, suggestion: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings.from_stack_config({"w365:graphUrl": EMULATOR, f"w365:{key}": "x"}, env={})
    message = str(info.value)
    assert f"w365:{key} (did you mean {suggestion}?) is not a w365 setting" in message
    assert f"pulumi config rm w365:{key}" in message and "\n" not in message


def test_every_unknown_key_is_named_at_once() -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings.from_stack_config({"w365:graphURL": EMULATOR, "w365:foo": "1", "aws:region": "x"}, env={})
    message = str(info.value)
    assert message.startswith("w365:foo and w365:graphURL (did you mean w365:graphUrl?) are not w365 settings")
    assert "aws:region" not in message  # other namespaces are not ours


def test_known_keys_are_the_provider_settings_and_the_program_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    from w365_provider import settings as settings_module, stack_config

    assert set(settings_module.known_keys()) >= {
        "graphUrl", "tenantId", "graphToken", "timeoutSeconds", "retryMaxAttempts", "retryMinDelaySeconds",
        "retryMaxDelaySeconds", "retryMaxTotalSeconds", "deviceImageTimeoutMinutes", "groups", "images", "policies",
    }  # fmt: skip
    assert stack_config.SECTIONS is settings_module.PROGRAM_SECTIONS  # one list, read by the config model
    monkeypatch.setattr(settings_module, "PROGRAM_SECTIONS", (*settings_module.PROGRAM_SECTIONS, "networks"))
    assert "networks" in settings_module.known_keys()  # a section added there is known at once
    Settings.from_stack_config({"w365:graphUrl": EMULATOR, "w365:networks": "{}"}, env={})


def test_checking_settings_and_an_unchanged_policy_loads_neither_the_config_model_nor_graph() -> None:
    """The provider process's start-up: the key check needs no pydantic model, and a policy that
    does not change needs neither the people analysis nor msgraph-sdk (each costs a tenth of a
    second or more)."""
    code = """
import json, sys
from w365_provider.provisioning_policy import ProvisioningPolicyProvider
from w365_provider.settings import Settings
Settings.from_stack_config({"w365:graphUrl": "http://127.0.0.1:9/v1.0", "w365:policies": "{}"}, env={})
policy = {"display_name": "P", "image_id": "MicrosoftWindowsDesktop_windows-ent-cpc_win11-24h2-ent-cpc-m365",
          "image_type": "gallery", "assignments": [{"group_id": "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e01"}],
          "domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": "westeurope"}]}
provider = ProvisioningPolicyProvider()
olds = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
result = provider.check(olds, {"__provider": "p", **policy})
assert not result.failures, result.failures
loaded = sorted(m for m in ("pydantic", "w365_provider.config", "w365_provider.impact", "msgraph") if m in sys.modules)
print(json.dumps({"inputs": {k: v for k, v in result.inputs.items() if k != "__provider"}, "loaded": loaded}))
"""

    def run(*args: str) -> dict[str, Any]:
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "W365_GRAPH_URL": "http://127.0.0.1:9/v1.0"})  # fmt: skip
        assert out.returncode == 0, out.stderr
        found: dict[str, Any] = json.loads(out.stdout)
        return found

    new = run()
    assert new["loaded"] == ["msgraph", "w365_provider.impact"]  # new assignments: the people warning ran
    assert run(json.dumps(new["inputs"]))["loaded"] == []  # unchanged: none of it


def test_microsoft_graph_only_when_no_provider_key_is_set() -> None:
    s = Settings.from_stack_config({"w365:policies": "{}", "w365:groups": "{}", "azuread:tenantId": "t"}, env={})
    assert s.graph_url == DEFAULT_GRAPH_URL


@pytest.mark.parametrize("key", ["tenantId", "graphToken", "timeoutSeconds", "retryMaxAttempts", "deviceImageTimeoutMinutes"])
def test_a_provider_key_without_graph_url_is_refused(key: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings.from_stack_config({f"w365:{key}": "5"}, env={})
    message = str(info.value)
    assert message.startswith(f"w365:graphUrl is not set although other w365 provider settings are (w365:{key})")
    assert "pulumi config set w365:graphUrl https://graph.microsoft.com/v1.0" in message


def test_graph_url_from_the_environment_counts() -> None:
    s = Settings.from_stack_config({"w365:timeoutSeconds": "5"}, env={"W365_GRAPH_URL": EMULATOR, "W365_GRAPH_TOKEN": TOKEN})
    assert s.graph_url == EMULATOR and s.timeout_seconds == 5


def test_a_plaintext_token_is_refused_with_the_command_that_encrypts_it() -> None:
    config = {"w365:graphUrl": EMULATOR, "w365:graphToken": TOKEN}
    with pytest.raises(ConfigurationError) as info:
        Settings.from_stack_config(config, env={}, secret_keys=set(), stack="dev")
    message = str(info.value)
    assert (
        'pulumi config set --secret w365:graphToken "$(pulumi config get w365:graphToken --stack dev)" --stack dev'
        in message
    )
    assert TOKEN not in message and "plain text" in message
    assert Settings.from_stack_config(config, env={}, secret_keys={"w365:graphToken"}).graph_token == TOKEN


def test_configure_refuses_unknown_keys_and_a_missing_graph_url() -> None:
    for raw, message in (
        ({"w365:graphUrl": EMULATOR, "w365:graphURL": EMULATOR}, "did you mean w365:graphUrl"),
        ({"w365:graphURL": EMULATOR, "w365:graphToken": TOKEN}, "did you mean w365:graphUrl"),
        ({"w365:retryMaxAttempts": "2"}, "w365:graphUrl is not set"),
    ):
        req = ConfigureRequest(Config(raw_config=raw, project_name="w365"))
        with pytest.raises(ConfigurationError, match=message):
            Settings.from_configure_request(req, env={})


# -- credentials that rotate -------------------------------------------------------------------


def test_in_the_provider_the_environment_token_wins_over_the_stored_one() -> None:
    req = ConfigureRequest(Config(raw_config={"w365:graphUrl": EMULATOR, "w365:graphToken": "old"}, project_name="w365"))
    s = Settings.from_configure_request(req, env={"W365_GRAPH_TOKEN": "rotated"})
    assert s.graph_token == "rotated" and s.token_source == "W365_GRAPH_TOKEN"
    s = Settings.from_configure_request(req, env={})
    assert s.graph_token == "old" and s.token_source == "w365:graphToken"


def test_the_token_source_does_not_change_equality() -> None:
    a = Settings.from_mapping({"graphToken": "x"}, env={})
    b = Settings.from_mapping({}, env={"W365_GRAPH_TOKEN": "x"})
    assert a == b and hash(a) == hash(b) and a.token_source != b.token_source


def test_banner_names_the_graph_root_and_tenant_never_the_token() -> None:
    s = Settings.from_mapping({"graphUrl": EMULATOR, "graphToken": TOKEN, "tenantId": "contoso"}, env={})
    assert s.banner() == f"Graph: {EMULATOR} (tenant contoso; token from w365:graphToken)"
    assert Settings.from_mapping({}, env={}).banner() == f"Graph: {DEFAULT_GRAPH_URL} (tenant not set; azure-identity sign-in)"
    assert s.api_version == "v1.0"


def test_program_config_reads_the_whole_stack_config_and_its_secret_keys() -> None:
    from pulumi.runtime import config as runtime_config

    from w365_provider.settings import check_stack_config, program_config

    runtime_config.set_all_config({"w365:graphUrl": EMULATOR, "w365:graphToken": TOKEN}, ["w365:graphToken"])
    try:
        values, secret = program_config()
        assert values["w365:graphUrl"] == EMULATOR and secret == {"w365:graphToken"}
        check_stack_config(values, env={}, secret_keys=secret)
        runtime_config.set_all_config({"w365:graphUrl": EMULATOR, "w365:graphToken": TOKEN}, [])
        values, secret = program_config()
        with pytest.raises(ConfigurationError, match="stored in plain text"):
            check_stack_config(values, env={}, secret_keys=secret)
    finally:
        runtime_config.set_all_config({}, [])
