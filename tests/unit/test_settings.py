"""Settings: sources, precedence, validation, and that they never pickle or print a token."""

from __future__ import annotations

import pickle

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
