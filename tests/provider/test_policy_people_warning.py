"""The preview's warning about people: Graph is read only when a policy's assignments change.

Against the emulator's seeded people (``w365_provider.emulator.people_seed``): Engineering holds
Alex, Lee, Nestor, Patti and Pradeep, and Pradeep has no Cloud PC licence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.unit.rules_cases import G1, valid
from w365_provider.emulator import seed
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.provisioning_policy import ProvisioningPolicyProvider

ENGINEERING = seed.GROUP_ENGINEERING
UNLICENSED = "warning: provisioning policy 'Engineering': 1 assigned member(s) have no Cloud PC licence (see `w365 impact`)"


def checked(provider: ProvisioningPolicyProvider, olds: dict[str, Any], news: dict[str, Any]) -> Any:
    result = provider.check(olds, {"__provider": "p", **news})
    assert result.failures == []
    return result.inputs


def test_a_no_op_check_makes_no_graph_request(
    provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Callable[[], list[tuple[str, str]]],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    old = checked(provider, {}, valid(assignments=[{"group_id": ENGINEERING}]))
    emu.clear_requests()
    capsys.readouterr()
    checked(provider, old, valid(assignments=[{"group_id": ENGINEERING}], description="only the description"))
    assert calls() == []
    assert "assigned member(s)" not in capsys.readouterr().err


def test_an_assignment_change_with_an_unlicensed_member_prints_one_line(
    provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Callable[[], list[tuple[str, str]]],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    old = checked(provider, {}, valid())
    emu.clear_requests()
    capsys.readouterr()
    checked(provider, old, valid(assignments=[{"group_id": ENGINEERING}]))
    lines = [line for line in capsys.readouterr().err.splitlines() if "Cloud PC licence" in line]
    assert lines == [UNLICENSED]
    assert calls() and all(method == "GET" for method, _ in calls())  # read only


def test_removing_every_assignment_warns_about_no_one(
    provider: ProvisioningPolicyProvider, emu: EmulatorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    old = checked(provider, {}, valid(assignments=[{"group_id": ENGINEERING}, {"group_id": G1}]))
    assert "Cloud PC licence" in capsys.readouterr().err  # Pradeep (Engineering), Megan (Pilot)
    checked(provider, old, valid())
    assert "Cloud PC licence" not in capsys.readouterr().err


def test_graph_unreachable_never_fails_the_check(emu: EmulatorProcess, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.provider.conftest import configured

    provider = configured(emu, graphUrl="http://127.0.0.1:9/v1.0", retryMaxAttempts="1", timeoutSeconds="2")
    inputs = checked(provider, {}, valid(assignments=[{"group_id": ENGINEERING}]))
    assert inputs["assignments"] == [{"group_id": ENGINEERING}]
    assert "Cloud PC licence" not in capsys.readouterr().err


def test_an_error_in_the_analysis_becomes_a_note(
    provider: ProvisioningPolicyProvider, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import w365_provider.impact as impact

    def broken(*_args: Any, **_kwargs: Any) -> list[str]:
        raise RuntimeError("the analysis broke")

    monkeypatch.setattr(impact, "policy_warnings", broken)
    result = provider.check({}, {"__provider": "p", **valid(assignments=[{"group_id": ENGINEERING}])})
    assert result.failures == []
    assert ("note: provisioning policy 'Engineering': the effect on people was not checked "
            "(RuntimeError: the analysis broke)") in capsys.readouterr().err  # fmt: skip


def test_many_new_policies_read_the_tenant_once_and_each_group_once(
    provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Callable[[], list[tuple[str, str]]],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """One provider process checks every new policy of a stack: the policies, Cloud PCs and plans
    are read once, a group's members once, however many policies name it; each policy still
    gets its own warning."""
    emu.clear_requests()
    for i in range(12):
        checked(provider, {}, valid(display_name=f"Engineering {i}", assignments=[{"group_id": ENGINEERING}]))
    paths = [path for _, path in calls()]
    members = [p for p in paths if "/transitiveMembers/" in p]
    assert len(members) == 1 and ENGINEERING in members[0]
    assert len(paths) == len(set(paths)) == 6  # policies, Cloud PCs, two plan lists, SKUs, one group
    lines = [line for line in capsys.readouterr().err.splitlines() if "Cloud PC licence" in line]
    assert len(lines) == 12 and all("1 assigned member(s)" in line for line in lines)
    checked(provider, {}, valid(display_name="Pilot", assignments=[{"group_id": G1}]))
    assert [p for _, p in calls()][6:] == [f"/v1.0/groups/{G1}/transitiveMembers/microsoft.graph.user"]
