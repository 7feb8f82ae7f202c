"""Fixtures for the emulator conformance tests: one real emulator process over HTTP per session.

Each test starts from a reset state (seeded catalogue only, no faults, empty request log).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.emulator.emulator_support import IMAGE_READY_SECONDS, POLICIES, READ_ONLY_TOKEN, policy_body

from w365_provider.emulator import EmulatorProcess


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(read_only_token=READ_ONLY_TOKEN, image_ready_seconds=IMAGE_READY_SECONDS) as emu:
        yield emu


@pytest.fixture
def emu(emulator_process: EmulatorProcess) -> EmulatorProcess:
    return emulator_process.fresh()


@pytest.fixture
def create_policy(emu: EmulatorProcess) -> Callable[..., dict[str, Any]]:
    def create(**overrides: Any) -> dict[str, Any]:
        status, body = emu.graph("POST", POLICIES, policy_body(**overrides))
        assert status == 201, body
        assert body is not None
        return body

    return create
