"""The stack config of the w365 program: kept importable here; it lives in ``w365_provider.config``.

See ``w365_provider.config`` (the pydantic model, the problems' wording and the JSON Schema) and
``docs/stacks.md`` (the keys, with examples).
"""

from w365_provider.config import (
    NAMESPACE,
    SECTIONS,
    AssignmentSpec,
    CustomImageSpec,
    GalleryImageSpec,
    GroupSpec,
    ImageSpec,
    PolicySpec,
    StackConfig,
    load_stack_config,
    parse_stack_config,
    stack_config_problems,
)

__all__ = [
    "NAMESPACE",
    "SECTIONS",
    "AssignmentSpec",
    "CustomImageSpec",
    "GalleryImageSpec",
    "GroupSpec",
    "ImageSpec",
    "PolicySpec",
    "StackConfig",
    "load_stack_config",
    "parse_stack_config",
    "stack_config_problems",
]
