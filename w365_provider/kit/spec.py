"""The declarative description of a Graph-backed resource: one ``Property`` per row, one ``Spec``
per resource.

A row says what Graph says about a property: its Python name and Graph name, its type (nested
objects and lists included), the Graph versions it exists in, whether it is sent on create,
changed in place, replaced on change or computed, Graph's default, and its one-line meaning in
the Windows 365 admin center's words. Everything else a resource needs from its properties is
derived here (the lists below) and in ``mapping``, ``checks`` and ``drift``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from w365_provider.kit.types import ListOf, Object, ValueType

__all__ = ["BETA", "BOTH", "V1", "Fill", "Mutability", "Property", "Spec"]

V1 = "v1.0"
BETA = "beta"
BOTH = (V1, BETA)
VERSIONS = BOTH

LAST_APPLIED = "last_applied"
"""Output holding the shape of the inputs last written to Graph (keys and list lengths, values
left out), to tell managed properties and nested keys from the ones Graph derives."""


class Mutability(enum.Enum):
    """What may happen to a property after the object exists."""

    UPDATABLE = "updatable"
    """Sent on create; changed in place (PATCH, or the resource's own action)."""
    REPLACE = "replace-on-change"
    """Sent on create; Graph cannot change it, so a change replaces the object."""
    CREATE_ONLY = "create-only"
    """Read at create only; a later change is ignored (``ignore_changes``), never sent."""
    COMPUTED = "computed"
    """Set by Graph only: an output."""


class Fill(enum.Enum):
    """Where Graph's default is written into the inputs when the program leaves a property out."""

    NONE = "none"
    """Not filled: an absent input stays absent."""
    NORMALIZE = "normalize"
    """Filled by normalization of inputs (a set of props holding a required property)."""
    CHECK = "check"
    """Filled by ``check``, so that writing the default out later changes nothing."""


@dataclass(frozen=True)
class Property:
    """One property of a resource, or one key of a nested object."""

    name: str
    """Python (Pulumi) name, snake_case."""
    graph: str | None
    """Graph's name, camelCase; ``None`` for an input of the provider alone (``adopt``)."""
    type: ValueType
    label: str
    """What it means, in one line, in the admin center's words."""
    mutability: Mutability = Mutability.UPDATABLE
    versions: tuple[str, ...] = BOTH
    """The Graph API versions whose schema has the property."""
    required: bool = False
    default: Any = None
    """Graph's value when none is sent (``None``: Graph leaves it empty or derives it)."""
    fill: Fill = Fill.NONE
    reset: bool = False
    """When the program stops setting it, PATCH it back to ``default`` (else Graph keeps its value)."""
    action: bool = False
    """Written by an action of the resource (``assign``), never in a POST or PATCH body."""
    absent: Any = None
    """The value that stands for "not in Graph's answer" in outputs and observed inputs."""
    note: str = ""
    """Appended to "<name> is required" for a nested key (an example, the allowed values)."""
    derived: bool = False
    """Graph fills it when the program leaves it out (an image's name): never drift when unset."""

    @property
    def is_input(self) -> bool:
        """True for a property the program sets."""
        return self.mutability is not Mutability.COMPUTED

    @property
    def in_bodies(self) -> bool:
        """True for an input sent in the POST body (and PATCH when updatable)."""
        return self.is_input and self.graph is not None and not self.action


@dataclass(frozen=True)
class Spec:
    """A resource: its properties, its Graph collection and the words its messages use."""

    graph_type: str
    """Graph's entity type (``cloudPcProvisioningPolicy``)."""
    noun: str
    """Singular in messages: ``provisioning policy``."""
    plural: str
    """Plural in messages: ``provisioning policies``."""
    short: str
    """Singular without the qualifier: ``policy``."""
    short_plural: str
    """Plural without the qualifier: ``policies``."""
    id_name: str
    """The output holding Graph's ``id`` (``policy_id``)."""
    id_label: str
    """What the id is, in one line (the coverage table's row for Graph's ``id``)."""
    collection: Callable[[Any], Any]
    """Picks the collection's request builder from a ``GraphServiceClient``."""
    item: Callable[[Any, str], Any]
    """Picks one object's request builder: ``item(client, id)``."""
    properties: tuple[Property, ...]
    unmanaged: Mapping[str, str] = field(default_factory=dict)
    """Graph properties of the entity deliberately not managed: Graph name -> why."""
    name_property: str = "display_name"
    """The input Graph calls ``displayName``: how recovery and adoption find objects."""
    create_verb: str = "create"
    read_query: Mapping[str, str] = field(default_factory=dict)
    """Query options of a read (``$expand=assignments``)."""
    filter_by_name: bool = True
    """Look objects up with ``$filter=displayName eq '...'`` (else list all and match here)."""
    track_applied: bool = True
    """Keep ``last_applied`` in the outputs (the shape of the inputs last written)."""
    admin_center: str = ""
    """Where a person finds these objects in the Microsoft Intune admin center."""
    owns_unset: bool = False
    """The program owns every writable property: one it leaves unset means Graph's ``default``,
    so a value set out of band shows as drift and is reverted (``owned``)."""

    # -- derived views -------------------------------------------------------------------

    def __iter__(self) -> Iterator[Property]:
        return iter(self.properties)

    @cached_property
    def by_name(self) -> dict[str, Property]:
        """Properties by Python name."""
        return {p.name: p for p in self.properties}

    def get(self, name: str) -> Property | None:
        """The property named ``name``, or ``None``."""
        return self.by_name.get(name)

    def properties_for(self, version: str) -> tuple[Property, ...]:
        """The properties Graph's ``version`` (``v1.0`` or ``beta``) has: the hook to refuse a
        beta-only property on v1.0."""
        if version not in VERSIONS:
            raise ValueError(f"unknown Graph version {version!r}; known: {', '.join(VERSIONS)}")
        return tuple(p for p in self.properties if version in p.versions)

    def names(self, test: Callable[[Property], bool]) -> tuple[str, ...]:
        """Names of the properties passing ``test``, in table order."""
        return tuple(p.name for p in self.properties if test(p))

    @cached_property
    def inputs(self) -> tuple[str, ...]:
        """Every input of the resource."""
        return self.names(lambda p: p.is_input)

    @cached_property
    def computed(self) -> tuple[str, ...]:
        """Outputs only Graph sets, the id first."""
        return (self.id_name, *self.names(lambda p: not p.is_input))

    @cached_property
    def outputs(self) -> tuple[str, ...]:
        """Every output (``last_applied`` aside)."""
        return (*self.computed, *self.inputs)

    @cached_property
    def required(self) -> tuple[str, ...]:
        """Inputs every object must have."""
        return self.names(lambda p: p.required)

    @cached_property
    def sent_on_create(self) -> tuple[str, ...]:
        """Inputs sent in the create body when given."""
        return self.names(lambda p: p.in_bodies)

    @cached_property
    def updatable(self) -> tuple[str, ...]:
        """Inputs Graph changes with PATCH."""
        return self.names(lambda p: p.in_bodies and p.mutability is Mutability.UPDATABLE)

    @cached_property
    def actions(self) -> tuple[str, ...]:
        """Inputs written by an action of the resource (``assign``)."""
        return self.names(lambda p: p.is_input and p.action)

    @cached_property
    def replace_on_changes(self) -> tuple[str, ...]:
        """Inputs whose change replaces the object (the resource's ``replace_on_changes``)."""
        return self.names(lambda p: p.mutability is Mutability.REPLACE)

    @cached_property
    def ignore_changes(self) -> tuple[str, ...]:
        """Inputs read at create only (the resource's ``ignore_changes``)."""
        return self.names(lambda p: p.mutability is Mutability.CREATE_ONLY)

    @cached_property
    def provider_only(self) -> tuple[str, ...]:
        """Inputs of the provider alone, never sent to Graph (``adopt``)."""
        return self.names(lambda p: p.is_input and p.graph is None)

    @cached_property
    def cleared_when_removed(self) -> dict[str, Any]:
        """Inputs PATCHed back to Graph's default when the program stops setting them (or, for
        ``owned`` ones, never set them while Graph holds another value)."""
        updatable = set(self.updatable)
        return {p.name: p.default for p in self.properties if p.reset or (p.name in self.owned and p.name in updatable)}

    @cached_property
    def owned(self) -> tuple[str, ...]:
        """Graph properties an unset input stands for as Graph's ``default`` (``owns_unset``):
        the writable ones Graph does not derive."""
        if not self.owns_unset:
            return ()
        return self.names(lambda p: p.is_input and p.graph is not None and not p.derived and not p.required)

    @property
    def adoptable(self) -> bool:
        """True when the resource has the provider's ``adopt`` input (take over by name)."""
        return "adopt" in self.provider_only

    @cached_property
    def graph_names(self) -> dict[str, str]:
        """Pulumi name -> Graph name, for every property Graph has."""
        return {p.name: p.graph for p in self.properties if p.graph is not None}

    def objects(self) -> list[Object]:
        """Every nested object type of the spec, depth first (for the coverage test and the docs)."""
        found: list[Object] = []

        def visit(kind: ValueType) -> None:
            kind = kind.item if isinstance(kind, ListOf) else kind
            if isinstance(kind, Object) and kind not in found:
                found.append(kind)
                for prop in kind.fields:
                    visit(prop.type)

        for prop in self.properties:
            visit(prop.type)
        return found
