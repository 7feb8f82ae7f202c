"""The resource kit without Graph: what it derives from a spec, on the two real specs and a toy one."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NotRequired, Required, get_origin, get_type_hints

import pytest
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.output import Unknown
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import source_pb2

from w365_provider.kit import BETA, V1, Bool, Enum, Fill, Guid, ListOf, Mutability, Object, Property, Spec, Str
from w365_provider.kit import checks, drift, mapping
from w365_provider.kit import resource as kit_resource
from w365_provider.kit.resource import program_frames, resource_options, serialized_provider
from w365_provider.resources import device_image, provisioning_policy
from w365_provider.resources.device_image.provider import DeviceImageProvider
from w365_provider.resources.network_connection.provider import NetworkConnectionProvider
from w365_provider.resources.organization_settings.provider import OrganizationSettingsProvider
from w365_provider.resources.provisioning_policy import spec as policy_spec
from w365_provider.resources.provisioning_policy.provider import ProvisioningPolicyProvider
from w365_provider.resources.user_setting.provider import UserSettingProvider

POLICY = provisioning_policy.SPEC
IMAGE = device_image.SPEC


def test_policy_lists_derived_from_the_table() -> None:
    assert POLICY.replace_on_changes == ("provisioning_type", "user_experience_type", "local_admin_enabled")
    assert POLICY.ignore_changes == ("adopt",)
    assert POLICY.required == ("display_name", "image_id", "image_type", "domain_join_configurations")
    assert POLICY.computed == ("policy_id", "grace_period_in_hours", "cloud_pc_group_display_name", "alternate_resource_url")
    assert POLICY.actions == ("assignments",)
    assert POLICY.provider_only == ("adopt", "apply_to_existing_cloud_pcs")
    assert POLICY.cleared_when_removed == {
        "description": None, "cloud_pc_naming_template": None, "enable_single_sign_on": False, "autopatch": None,
        "windows_setting": {"locale": "en-US"}, "microsoft_managed_desktop": {"managed_type": "notManaged"},
        "autopilot_configuration": None, "user_settings_persistence_configuration": None, "scope_ids": ["0"],
    }  # fmt: skip
    assert set(POLICY.sent_on_create) - set(POLICY.updatable) == {
        "provisioning_type", "user_experience_type", "local_admin_enabled",
    }  # fmt: skip
    assert "assignments" not in POLICY.sent_on_create and "adopt" not in POLICY.sent_on_create


def test_device_image_lists_derived_from_the_table() -> None:
    assert IMAGE.replace_on_changes == ("display_name", "version", "source_image_resource_id")
    assert IMAGE.inputs == (*IMAGE.replace_on_changes, "adopt")  # adopt: by name or Graph id (issue 14)
    assert IMAGE.updatable == () and IMAGE.ignore_changes == ("adopt",) and IMAGE.adoptable
    assert IMAGE.computed[0] == "image_id"


def test_resource_options_come_from_the_spec() -> None:
    opts = resource_options(IMAGE, None)
    assert opts.replace_on_changes == list(IMAGE.replace_on_changes) and opts.ignore_changes == ["adopt"]


@pytest.mark.parametrize(
    "provider",
    [
        ProvisioningPolicyProvider, DeviceImageProvider, UserSettingProvider,
        NetworkConnectionProvider, OrganizationSettingsProvider,
    ],
)  # fmt: skip
def test_provider_serialized_once_as_the_sdk_does(provider: type[ResourceProvider]) -> None:
    """``__provider`` is an input the engine diffs: the value made once per class must be the
    SDK's own serialization of a new instance, or every resource of existing state would change."""
    expected, secret = _serialize(True, serialize_provider, provider())
    assert not secret and serialized_provider(provider) == expected
    assert serialized_provider(provider) is serialized_provider(provider)  # made once


def test_a_provider_that_would_be_a_secret_is_not_serialized_once() -> None:
    class Holding(ResourceProvider):
        pass  # serialize_as_secret_always stays True: the SDK stores it as a secret

    with pytest.raises(TypeError, match="Holding must hold no secret"):
        serialized_provider(Holding)


PROGRAM, VENV = Path("/srv/infra"), Path("/srv/infra/.venv")


def trace_of(*uris: str) -> source_pb2.StackTrace:
    """A stack trace as the SDK builds it, innermost first; "" is a frame without a position."""
    return source_pb2.StackTrace(
        frames=[source_pb2.StackFrame(pc=source_pb2.SourcePosition(uri=u, line=7)) if u else source_pb2.StackFrame()
                for u in uris]
    )  # fmt: skip


def uris(trace: source_pb2.StackTrace) -> list[str]:
    return [f.pc.uri for f in trace.frames]


def test_stack_trace_keeps_the_programs_own_frames() -> None:
    """What the language host runs the program with (runpy, the host, the SDK, asyncio, the
    interpreter) is cut; a helper module of the program above the declaring line is kept."""
    full = trace_of(
        "file:///srv/infra/fleet/policies.py", "file:///srv/infra/__main__.py", "", "",
        "file:///home/ci/.pulumi/bin/pulumi-language-python-exec",
        "file:///srv/infra/.venv/lib/python3.11/site-packages/pulumi/runtime/stack.py",
        "file:///usr/lib/python3.11/asyncio/events.py",
    )  # fmt: skip
    assert uris(program_frames(full, PROGRAM, VENV)) == [
        "file:///srv/infra/fleet/policies.py", "file:///srv/infra/__main__.py",
    ]  # fmt: skip
    # a frame of the virtualenv (inside the program's directory) ends the program's frames
    venv_first = trace_of("file:///srv/infra/__main__.py", "file:///srv/infra/.venv/lib/x.py", "file:///srv/infra/y.py")
    assert uris(program_frames(venv_first, PROGRAM, VENV)) == ["file:///srv/infra/__main__.py"]
    # a sibling directory whose name starts like the program's is outside it; the first frame
    # stays whatever it is: it is the resource's source position
    sibling = trace_of("file:///srv/infra2/m.py", "file:///srv/infra/a.py")
    assert uris(program_frames(sibling, PROGRAM, VENV)) == ["file:///srv/infra2/m.py"]
    assert uris(program_frames(trace_of("", "file:///srv/infra/a.py"), PROGRAM, VENV)) == [""]
    assert uris(program_frames(source_pb2.StackTrace(), PROGRAM, VENV)) == []
    # a program at the root of the file system still keeps its own frames
    at_root = trace_of("file:///__main__.py", "file:///lib/helper.py", "file:///venv/lib/x.py")
    assert uris(program_frames(at_root, Path("/"), Path("/venv"))) == ["file:///__main__.py", "file:///lib/helper.py"]


def test_public_names_loaded_on_first_use_are_the_ones_type_checkers_see() -> None:
    """``w365_provider`` lists its public names twice (imports under ``TYPE_CHECKING``, and
    ``_WHERE`` for the loader): the two must name the same objects in the same modules."""
    import ast
    import importlib

    import w365_provider

    tree = ast.parse(Path(w365_provider.__file__).read_text())
    [guard] = [n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", None) == "TYPE_CHECKING"]
    imported = {a.name: n.module for n in guard.body if isinstance(n, ast.ImportFrom) for a in n.names}
    assert imported == w365_provider._WHERE
    assert sorted(imported) == w365_provider.__all__
    for name, module in imported.items():
        assert getattr(w365_provider, name) is getattr(importlib.import_module(module), name)


def test_stack_traces_trimmed_only_while_this_package_registers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Other resources of the program (azuread groups, ...) keep the SDK's full trace."""
    full = trace_of(f"{tmp_path.as_uri()}/__main__.py", "file:///usr/lib/python3.11/runpy.py")
    monkeypatch.setattr(sdk_resource, "_get_stack_trace", lambda: full)
    monkeypatch.chdir(tmp_path)  # the engine runs the program in its directory
    kit_resource._trim_stack_traces.__wrapped__()  # wrap the stand-in (monkeypatch restores the SDK's)
    assert sdk_resource._get_stack_trace() is full
    token = kit_resource._registering.set(True)
    try:
        assert uris(sdk_resource._get_stack_trace()) == [f"{tmp_path.as_uri()}/__main__.py"]
    finally:
        kit_resource._registering.reset(token)
    assert sdk_resource._get_stack_trace() is full


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (provisioning_policy.DomainJoinConfigurationArgs, policy_spec.DOMAIN_JOIN),
        (provisioning_policy.WindowsSettingArgs, policy_spec.WINDOWS_SETTING),
        (provisioning_policy.MicrosoftManagedDesktopArgs, policy_spec.MANAGED_DESKTOP),
        (provisioning_policy.AutopatchArgs, policy_spec.AUTOPATCH),
        (provisioning_policy.AssignmentArgs, policy_spec.ASSIGNMENT),
    ],
)
def test_typed_args_have_the_keys_of_the_table(args: Any, kind: Object) -> None:
    hints = get_type_hints(args, include_extras=True)
    assert list(hints) == [f.name for f in kind.fields]
    required = {k for k, h in hints.items() if get_origin(h) is Required or (args.__total__ and get_origin(h) is not NotRequired)}
    assert required == {f.name for f in kind.fields if f.required}


def test_resource_class_takes_every_input() -> None:
    import inspect

    params = inspect.signature(provisioning_policy.ProvisioningPolicy.__init__).parameters
    assert set(POLICY.inputs) <= set(params)
    assert set(IMAGE.inputs) <= set(inspect.signature(device_image.DeviceImage.__init__).parameters)


def test_beta_rows_of_the_policy_and_the_hook_filters() -> None:
    assert POLICY.properties_for(BETA) == POLICY.properties
    beta_only = {p.name for p in POLICY.properties} - {p.name for p in POLICY.properties_for(V1)}
    assert beta_only == {
        "user_experience_type", "autopilot_configuration", "user_settings_persistence_configuration", "scope_ids",
        "apply_to_existing_cloud_pcs",
    }  # fmt: skip
    with pytest.raises(ValueError, match="unknown Graph version 'v2'"):
        POLICY.properties_for("v2")


# -- a toy resource: what a next resource gets from a table alone ---------------------------

TOY = Spec(
    graph_type="cloudPcToy",
    noun="toy setting",
    plural="toy settings",
    short="setting",
    short_plural="settings",
    id_name="toy_id",
    id_label="Graph id",
    collection=lambda client: client,
    item=lambda client, toy_id: client,
    properties=(
        Property("display_name", "displayName", Str(non_empty=True, max_length=5), "Name", required=True),
        Property("kind", "kindOfToy", Enum(("small", "large"), "toyKind"), "Size", Mutability.REPLACE,
                 default="small", fill=Fill.CHECK),
        Property("owner_id", "ownerId", Guid(), "Owner"),
        Property("parts", "parts", ListOf(Object(fields=(
            Property("part_id", "partId", Guid(), "Part", required=True),
            Property("spare", "isSpare", Bool(), "Spare"),
        )), sort_by=("part_id",), label_entries=True), "Parts", reset=True, default=None),
        Property("beta_only", "betaOnly", Bool(), "A beta-only switch", versions=(BETA,)),
        Property("made", "madeDateTime", Str(), "Made", Mutability.COMPUTED),
    ),
)  # fmt: skip
P1, P2 = "0F000000-0000-4000-8000-000000000001", "0f000000-0000-4000-8000-000000000002"


def test_toy_mapping_both_ways_and_normalization() -> None:
    props = mapping.normalize(TOY, {"display_name": "A", "kind": "LARGE", "owner_id": P1, "description": None,
                                    "parts": [{"part_id": P2, "spare": None}, {"part_id": P1, "spare": True}]})  # fmt: skip
    assert props == {"display_name": "A", "kind": "large", "owner_id": P1.lower(),
                     "parts": [{"part_id": P1.lower(), "spare": True}, {"part_id": P2}]}  # fmt: skip
    body = mapping.to_graph(TOY, props, ["display_name", "kind", "parts"])
    assert body == {"displayName": "A", "kindOfToy": "large", "parts": [{"partId": P1.lower(), "isSpare": True}, {"partId": P2}]}
    back = mapping.from_graph(TOY, {"id": "t1", **body, "madeDateTime": "2026", "unknownToTheSpec": 1})
    assert back == {"toy_id": "t1", "display_name": "A", "kind": "large", "parts": props["parts"], "made": "2026"}


def test_toy_checks_from_the_table() -> None:
    reasons = [(f.property, f.reason) for f in checks.validate(TOY, {
        "kind": "huge", "owner_id": "me", "parts": [{"part_id": "x"}, {"isSpare": True}], "beta_only": "yes",
    })]  # fmt: skip
    assert reasons == [
        ("display_name", "is required"),
        ("kind", "must be one of small, large (got 'huge')"),
        ("owner_id", "must be a GUID like 00000000-0000-0000-0000-000000000000 (got 'me')"),
        ("parts", "entry 0: part_id must be a GUID like 00000000-0000-0000-0000-000000000000 (got 'x')"),
        ("parts", "entry 1: unknown key 'isSpare'; did you mean 'spare'?"),
        ("beta_only", "must be true or false"),
    ]
    assert checks.validate(TOY, {"display_name": "toolong"})[0].reason == "must be at most 5 characters (is 7)"
    assert checks.validate(TOY, {"display_name": Unknown(), "parts": [Unknown(), {"part_id": Unknown()}]}) == []


def test_toy_plan_outputs_and_drift() -> None:
    assert TOY.replace_on_changes == ("kind",) and TOY.updatable == ("display_name", "owner_id", "parts", "beta_only")
    assert [p.name for p in TOY.properties_for(V1)] == ["display_name", "kind", "owner_id", "parts", "made"]
    applied = mapping.fill_check_defaults(TOY, {"display_name": "A", "parts": [{"part_id": P1}]})
    assert applied == {"display_name": "A", "parts": [{"part_id": P1}], "kind": "small"}
    observed = {"toy_id": "t1", "display_name": "A", "kind": "small", "parts": [{"part_id": P1, "spare": False}]}
    outs = drift.outputs(TOY, observed, applied)
    assert outs["last_applied"] == {"display_name": True, "parts": [{"part_id": True}], "kind": True}
    assert drift.observed_inputs(TOY, observed, outs["last_applied"]) == applied  # Graph's extra key is not drift
    plan = drift.plan_update(TOY, outs, {"display_name": "B", "kind": "small"})
    assert (plan.patch, plan.cleared, plan.actions) == (["display_name"], ["parts"], {})
