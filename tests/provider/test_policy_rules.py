"""Every bad-input rule: the message, no Graph request at all, and Graph (the emulator) agreeing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.unit.rules_cases import CASES
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.provisioning_policy import (
    SENT_ON_CREATE,
    ProvisioningPolicyProvider,
    assignments_to_graph,
    normalize,
    policy_to_graph,
)

from .conftest import POLICIES

IDS = [case[0] for case in CASES]


@pytest.mark.parametrize(("case", "news", "prop", "message", "_graph"), CASES, ids=IDS)
def test_bad_input_is_refused_before_any_graph_call(
    case: str, news: dict[str, Any], prop: str, message: str, _graph: bool,
    provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Callable[[], list[tuple[str, str]]],
) -> None:  # fmt: skip
    result = provider.check({}, {"__provider": "p", **news})
    reasons = [(f.property, f.reason) for f in result.failures]
    assert any(p == prop and message in r for p, r in reasons), reasons
    assert calls() == []  # nothing was read, nothing was written


GRAPH_CASES = [case for case in CASES if case[4]]


@pytest.mark.parametrize(("case", "news", "prop", "message", "_graph"), GRAPH_CASES, ids=[c[0] for c in GRAPH_CASES])
def test_graph_refuses_the_same_payload(
    case: str, news: dict[str, Any], prop: str, message: str, _graph: bool, emu: EmulatorProcess
) -> None:
    """The rule is Graph's, not an invention: the emulator answers 400 to the same payload."""
    props = normalize(news)
    body = policy_to_graph(props, [n for n in SENT_ON_CREATE if n in props])
    if "assignments" not in props:
        status, answer = emu.graph("POST", POLICIES, body)
        assert status == 400, answer
        return
    status, created = emu.graph("POST", POLICIES, body)
    assert status == 201, created
    assert created is not None
    status, answer = emu.graph("POST", f"{POLICIES}/{created['id']}/assign", assignments_to_graph(props["assignments"]))
    assert status == 400, answer
