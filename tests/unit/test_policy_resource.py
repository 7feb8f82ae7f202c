"""The resource class and what Pulumi stores of the provider (the pickle holds nothing)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import dill
import pulumi
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider

from w365_provider import ProvisioningPolicy
from w365_provider.provisioning_policy import ProvisioningPolicyProvider

REPO = Path(__file__).resolve().parents[2]
TOKEN = "emulator-token-must-not-leak-4711"


def configured_provider() -> ProvisioningPolicyProvider:
    provider = ProvisioningPolicyProvider()
    raw = {"w365:graphUrl": "http://127.0.0.1:9/v1.0", "w365:graphToken": TOKEN, "w365:tenantId": "contoso"}
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="w365")))
    provider._runtime()  # a live runtime exists in this process now
    return provider


def test_pickle_is_by_reference_stable_and_empty() -> None:
    fresh = serialize_provider(ProvisioningPolicyProvider())
    used = serialize_provider(configured_provider())
    assert fresh == used  # settings, clients and loops never reach state, so __provider never changes
    raw = base64.b64decode(fresh)
    assert len(raw) < 200, len(raw)
    assert b"w365_provider.provisioning_policy" in raw and b"ProvisioningPolicyProvider" in raw
    for forbidden in (TOKEN.encode(), b"contoso", b"127.0.0.1", b"azure", b"httpx", b"msgraph", b"Settings", b"co_code"):
        assert forbidden not in raw, forbidden


def test_pickle_loads_in_a_fresh_process_started_in_the_repo() -> None:
    encoded = serialize_provider(configured_provider())
    script = (
        "import base64, json, sys, dill\n"
        "p = dill.loads(base64.b64decode(sys.stdin.read()))\n"
        "print(json.dumps({'cls': type(p).__module__ + '.' + type(p).__qualname__, 'state': sorted(vars(p))}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=encoded, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert loaded == {"cls": "w365_provider.provisioning_policy.ProvisioningPolicyProvider", "state": []}


def test_provider_is_not_a_secret_in_state() -> None:
    assert ProvisioningPolicyProvider.serialize_as_secret_always is False


class Recorder:
    """Stands in for ``pulumi.CustomResource.__init__`` to see what the resource passes on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any], pulumi.ResourceOptions]] = []

    def init(self) -> Any:
        def fake_init(resource: Any, type_: str, name: str, props: dict[str, Any], opts: Any = None) -> None:
            self.calls.append((type_, name, props, opts))

        return fake_init


def test_resource_passes_inputs_outputs_and_options(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    monkeypatch.setattr(pulumi.CustomResource, "__init__", recorder.init())
    ProvisioningPolicy(
        "engineering",
        display_name="Engineering",
        image_id="A_B_C",
        image_type="gallery",
        domain_join_configurations=[{"domain_join_type": "azureADJoin", "region_name": "automatic"}],
        opts=pulumi.ResourceOptions(replace_on_changes=["image_type"], protect=True),
    )
    type_, name, props, opts = recorder.calls[0]
    assert type_ == "pulumi-python:dynamic/w365:ProvisioningPolicy" and name == "engineering"
    assert dill.loads(base64.b64decode(props["__provider"])).__class__ is ProvisioningPolicyProvider
    assert props["provisioning_type"] == "dedicated" and props["adopt"] is False
    for output in ("policy_id", "grace_period_in_hours", "cloud_pc_group_display_name", "alternate_resource_url"):
        assert output in props and props[output] is None
    assert set(opts.replace_on_changes) == {"provisioning_type", "user_experience_type", "local_admin_enabled", "image_type"}
    assert opts.ignore_changes == ["adopt"]
    assert opts.protect is True


def test_resource_type_token() -> None:
    assert ProvisioningPolicy._resource_type_name == "dynamic/w365:ProvisioningPolicy"


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(args)
        return "policy-1", {**args.inputs, "policy_id": "policy-1", "image_display_name": "Windows 11"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pulumi.runtime.test
def test_with_engine_mocks() -> Any:
    pulumi.runtime.set_mocks(MOCKS, project="w365", stack="test", preview=False)
    policy = ProvisioningPolicy(
        "engineering",
        display_name="Engineering",
        image_id="A_B_C",
        image_type="gallery",
        domain_join_configurations=[{"domain_join_type": "azureADJoin", "region_name": "automatic"}],
        assignments=[{"group_id": "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e01"}],
    )

    def verify(values: list[Any]) -> None:
        policy_id, image_name, assignments, urn = values
        assert policy_id == "policy-1" and image_name == "Windows 11"
        assert assignments == [{"group_id": "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e01"}]
        assert urn.endswith("::engineering")
        assert "pulumi-python:dynamic/w365:ProvisioningPolicy" in urn
        inputs = MOCKS.resources[-1].inputs
        assert "description" not in inputs  # None is not sent
        assert isinstance(inputs["__provider"], str)  # not wrapped as a secret: it holds nothing

    return pulumi.Output.all(policy.policy_id, policy.image_display_name, policy.assignments, policy.urn).apply(verify)


MOCKS = Mocks()
