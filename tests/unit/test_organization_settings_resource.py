"""OrganizationSettings is declared at most once per stack (refused in the program, at preview)."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi
from w365_provider import ConfigurationError, OrganizationSettings


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def test_a_second_declaration_is_refused() -> None:
    asyncio.set_event_loop(asyncio.new_event_loop())
    pulumi.runtime.set_mocks(Mocks(), project="w365", stack="twice", preview=True)
    refused: list[str] = []

    @pulumi.runtime.test
    def program() -> Any:
        first = OrganizationSettings("tenant", os_version="windows11")
        try:
            OrganizationSettings("other", user_account_type="administrator")
        except ConfigurationError as exc:
            refused.append(str(exc))
        return first.os_version

    program()
    assert len(refused) == 1
    assert "the stack already declares OrganizationSettings 'tenant'" in refused[0] and "declare it once" in refused[0]
