"""The resource kit: what every Graph-backed resource shares, derived from one spec per resource.

- ``spec``: ``Property`` (one row: Python and Graph name, type, versions, mutability, default,
  meaning) and ``Spec`` (the table, the collection, the words of messages).
- ``types``: value types (text, booleans, enums, GUIDs, nested objects, lists): checks,
  normalization, Graph form.
- ``mapping``: snake_case <-> Graph JSON, normalization; ``checks``: the rules the table says;
  ``drift``: projection for refresh, update plans, outputs.
- ``steps``: Graph steps every resource shares; ``ownership``: create without duplicates and
  adoption by name; ``adoption``: adoption by Graph id or by name.
- ``provider``: ``SpecProvider``, the generic dynamic provider a resource subclasses.

See docs/architecture.md for how a resource is written with it.
"""

from w365_provider.kit.spec import BETA, BOTH, LAST_APPLIED, V1, Fill, Mutability, Property, Spec
from w365_provider.kit.types import Adopt, Bool, Enum, Guid, Int, ListOf, Object, Str, is_unknown

__all__ = [
    "BETA",
    "BOTH",
    "LAST_APPLIED",
    "V1",
    "Adopt",
    "Bool",
    "Enum",
    "Fill",
    "Guid",
    "Int",
    "ListOf",
    "Mutability",
    "Object",
    "Property",
    "Spec",
    "Str",
    "is_unknown",
]
