"""The stack config of the w365 program: kept importable here; it lives in ``w365_provider.config``.

See ``w365_provider.config`` (the pydantic model, the problems' wording and the JSON Schema) and
``docs/stacks.md`` (the keys, with examples).
"""

from w365_provider.config import *  # noqa: F403 - the same public names
from w365_provider.config import __all__ as __all__
