"""Where ``DeviceImage`` used to live; kept because existing stacks' state names
``w365_provider.device_image.DeviceImageProvider`` (the provider is pickled by reference).

The resource is in ``w365_provider.resources.device_image``; this module re-exports it and the
names other code imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure

from w365_provider.kit import checks
from w365_provider.resources.device_image import SPEC, DeviceImage, DeviceImageProvider
from w365_provider.resources.device_image.provider import _wait, image_from_graph, image_to_graph
from w365_provider.resources.device_image.rules import ERROR_CODES, explain, timeout_seconds
from w365_provider.resources.device_image.spec import FAILED, PENDING, READY

__all__ = [
    "COMPUTED",
    "ERROR_CODES",
    "FAILED",
    "GRAPH_NAMES",
    "INPUTS",
    "PENDING",
    "READY",
    "DeviceImage",
    "DeviceImageProvider",
    "_wait",
    "explain",
    "image_from_graph",
    "image_to_graph",
    "timeout_seconds",
    "validate",
]

INPUTS = SPEC.inputs
"""Every input: the image's name, its version (``major.minor.patch``) and the Azure image it is
uploaded from."""
GRAPH_NAMES = dict(SPEC.graph_names)
"""Pulumi name -> Graph name."""
COMPUTED = SPEC.computed
"""Outputs only Graph sets; ``image_id`` is the Graph id (a policy's ``image_id``)."""


def validate(props: Mapping[str, Any]) -> list[CheckFailure]:
    """Every rule broken by ``props``; unknown values (preview) are skipped."""
    return checks.validate(SPEC, props)
