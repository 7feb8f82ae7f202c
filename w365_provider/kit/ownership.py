"""Create without duplicates, and adoption by display name.

After an ambiguous failure (a 5xx, a dropped connection, a timeout: Graph may have done the
create), the object is looked up by its display name and the values sent before the POST is
sent again (``retry.create``). Adoption (``adopt=True``) takes over the one object of the
display name that can become the resource, and refuses, listing the ids, when there are two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from w365_provider.errors import GraphConflictError
from w365_provider.graph.client import GraphRuntime
from w365_provider.kit.drift import matches
from w365_provider.kit.mapping import to_graph
from w365_provider.kit.spec import Spec
from w365_provider.kit.steps import list_named

__all__ = ["Creator"]

Observe = Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass
class Creator:
    """Creates objects of ``spec``."""

    rt: GraphRuntime
    spec: Spec
    observe: Observe
    usable: Callable[[Mapping[str, Any]], bool] = lambda body: True
    known: set[str] = field(default_factory=set)
    """Ids that existed before this create began (seen by an adoption look-up)."""

    async def create(self, desired: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """POST the object for ``desired`` (inputs); returns ``(Graph's object, recovered)``."""
        spec = self.spec
        name = str(desired[spec.name_property])
        operation = f"{spec.create_verb} {spec.noun} '{name}'"

        async def find() -> dict[str, Any] | None:
            return await self.recover(name, desired)

        body = to_graph(spec, desired, [n for n in spec.sent_on_create if n in desired])
        return await self.rt.create(spec.collection, body, operation=operation, find=find)

    async def recover(self, name: str, desired: Mapping[str, Any]) -> dict[str, Any] | None:
        """After an ambiguous failure: the object a create of ``desired`` made, or ``None``."""
        found = [
            body for body in await list_named(self.rt, self.spec, name)
            if body.get("id") not in self.known and self.usable(body) and matches(self.spec, self.observe(body), desired)
        ]  # fmt: skip
        if len(found) > 1:
            raise self._identical(name, found)
        return found[0] if found else None

    async def adoptable(self, name: str, desired: Mapping[str, Any]) -> dict[str, Any] | None:
        """The one object named ``name`` that can become the resource, or ``None``; refuses
        when there are two."""
        spec = self.spec
        existing = await list_named(self.rt, spec, name)
        fits = [
            body for body in existing
            if all(self.observe(body).get(n) == desired[n] for n in spec.replace_on_changes if n in desired)
        ]  # fmt: skip
        if len(fits) > 1:
            ids = ", ".join(str(body.get("id")) for body in fits)
            raise GraphConflictError(
                f"adopt {spec.noun} '{name}'",
                message=f"{len(fits)} {spec.short_plural} have this name ({ids}); rename all but one",
            )
        if not fits:
            self.known.update(str(body.get("id")) for body in existing)
            return None
        return fits[0]

    def _identical(self, name: str, found: list[dict[str, Any]]) -> GraphConflictError:
        spec = self.spec
        ids = ", ".join(str(body.get("id")) for body in found)
        then = ", then run again with adopt=True" if spec.adoptable else " and run again"
        return GraphConflictError(
            f"{spec.create_verb} {spec.noun} '{name}'",
            message=f"the {spec.create_verb} may have gone through, and {len(found)} identical {spec.plural} named "
            f"'{name}' exist ({ids}); delete the extra ones{then}",
        )
