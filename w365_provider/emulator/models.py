"""The emulator's backend: every entity set over one store (moto's ``models.py``).

The routes only translate HTTP; everything Graph decides (which properties exist in which
version, defaults, what is refused and with which message) lives in the entity sets
(``entities/…``), each citing its Graph reference page. Every rule raises an :mod:`errors`
exception *before* anything is written. The rules are written from Graph's documentation
(see ``FIDELITY.md``), never imported from the provider.

Message constants live next to their rules; ``models.X_MSG`` finds any of them (tests assert
on them through this one namespace).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from . import messages
from .entities import ENTITY_SETS, EntitySet
from .entities import assignments as _assignments
from .routing import Node
from .schema import BETA, V1, VERSIONS, now_iso
from .store import Store

__all__ = ["BETA", "V1", "VERSIONS", "GraphBackend"]


@dataclass
class GraphBackend:
    """All entity sets of one emulator instance, persisted in ``store``."""

    store: Store
    image_ready_seconds: float = 3.0
    clock: Callable[[], float] = field(default=time.time)
    app_only: bool = False
    """The token is an app-only sign-in (``--app-only``)."""
    health_check_seconds: float | None = None
    health_faults: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Health checks made to fail (``/_emulator/healthChecks``): check name -> error details."""
    sets: dict[str, EntitySet] = field(init=False)

    def __post_init__(self) -> None:
        self.sets = {cls.name: cls(self) for cls in ENTITY_SETS}

    def entity_set(self, name: str) -> EntitySet:
        return self.sets[name]

    # ----------------------------------------------------------------- lifecycle
    def seed(self) -> None:
        """Write the catalogue; seeded connections and groups only once per database."""
        with self.store.transaction():
            first = self.store.get_meta("seeded") is None
            for entity_set in self.sets.values():
                entity_set.seed(first=first)
            if first:
                self.store.set_meta("seeded", now_iso(self.clock()))

    def reset(self) -> None:
        """Empty every entity set, then restore the seeded catalogue."""
        with self.store.transaction():
            for name in self.sets:
                self.store.clear(name)
            for entity_set in self.sets.values():
                entity_set.seed(first=True)
        self.health_faults.clear()

    # ----------------------------------------------------------------- reads
    def list(self, name: str) -> list[dict[str, Any]]:
        return self.sets[name].list()

    def get(self, name: str, entity_id: str) -> dict[str, Any]:
        return self.sets[name].get(entity_id)

    # ----------------------------------------------------------------- URL tree
    def tree(self) -> Node:
        """The Graph URL tree below ``/{version}``: every entity set's subtree at its place."""
        root = Node()
        for entity_set in self.sets.values():
            root.mount((*entity_set.parent, entity_set.name), entity_set.routes())
        for entity_set in self.sets.values():
            entity_set.graft(root)
        return root


def _message_modules() -> tuple[ModuleType, ...]:
    """The shared messages, then every module of the ``entities`` package (sets and their rule modules)."""
    package = f"{__package__}.entities."
    rules = [m for name, m in sorted(sys.modules.items()) if name.startswith(package) and m is not None]
    modules = [messages, _assignments, *(sys.modules[cls.__module__] for cls in ENTITY_SETS), *rules]
    return tuple(dict.fromkeys(modules))


def __getattr__(name: str) -> Any:
    """``models.X_MSG``: the message constant ``X_MSG`` of whichever module owns it."""
    if name.endswith("_MSG"):
        for module in _message_modules():
            if name in vars(module):
                return vars(module)[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
