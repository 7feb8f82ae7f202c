"""``w365 export``: bring an existing tenant under code.

Reads every Windows 365 object of a tenant through Graph (GET only, one list call per kind) and
writes a stack config file in the schema docs/stacks.md documents, every entry adopting its
object by Graph id. ``registry.KINDS`` lists what is exported, one ``kinds.Kind`` registration
per resource; ``run.export_tenant`` is the core, ``command`` the console command.
"""

from w365_provider.export.kinds import Entry, Kind, LeftOut
from w365_provider.export.registry import KINDS
from w365_provider.export.run import KIND_NAMES, Export, export_tenant

__all__ = ["KINDS", "KIND_NAMES", "Entry", "Export", "Kind", "LeftOut", "export_tenant"]
