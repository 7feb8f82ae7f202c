"""The stack config of the w365 program (namespace ``w365``): one pydantic model, checked up front.

- ``model``: the pydantic classes (``StackConfigModel`` and its entries); the JSON Schema comes from them.
- ``stack``: ``load_stack_config`` / ``parse_stack_config`` -> ``StackConfig`` (plain dataclasses),
  or ``ConfigurationError`` listing every problem with its YAML path.
- ``problems``: how a problem is worded.
- ``schema``: the JSON Schema of a stack file (``w365 schema``, ``schema/stack-config.schema.json``).

``docs/stacks.md`` explains the keys with examples.
"""

from w365_provider.config.stack import (
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
