"""What a resource class passes to ``pulumi.dynamic.Resource``, derived from its spec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import pulumi

from w365_provider.kit.spec import Spec

__all__ = ["resource_options", "resource_props"]


def resource_props(spec: Spec, given: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs among ``given`` (a constructor's arguments), and every computed output as
    ``None`` so the engine knows the resource has it."""
    return {**{name: given.get(name) for name in spec.inputs}, **{name: None for name in spec.computed}}


def resource_options(spec: Spec, opts: Optional[pulumi.ResourceOptions]) -> pulumi.ResourceOptions:
    """``opts`` with the spec's ``replace_on_changes`` and ``ignore_changes`` added."""
    defaults: dict[str, Any] = {"replace_on_changes": list(spec.replace_on_changes)}
    if spec.ignore_changes:
        defaults["ignore_changes"] = list(spec.ignore_changes)
    return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(**defaults), opts)
