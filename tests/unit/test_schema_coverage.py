"""The Graph schema is the checklist: every property of every managed entity and nested type, in
Graph v1.0 (msgraph-sdk's generated models) and beta (msgraph-beta-sdk's), is either managed by
a spec or listed in it as deliberately unmanaged, with its reason; and a spec never claims a
property in a version whose model lacks it.

``pytest -s tests/unit/test_schema_coverage.py`` prints the coverage table.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from w365_provider.kit import BETA, V1, Mutability, Object, Property, Spec, Str
from w365_provider.resources import device_image, provisioning_policy

SPECS = (provisioning_policy.SPEC, device_image.SPEC)
SDK = {V1: "msgraph", BETA: "msgraph_beta"}
"""The generated SDK package per Graph version (msgraph-sdk and msgraph-beta-sdk)."""


@dataclass(frozen=True)
class Checked:
    """One Graph type the spec covers: its managed rows (Graph name -> row) and its unmanaged ones."""

    graph_type: str
    managed: Mapping[str, Property]
    unmanaged: Mapping[str, str]


def covered_types(spec: Spec) -> list[Checked]:
    """The entity (its ``id`` as the spec's id output) and every nested object type of ``spec``."""
    entity = {p.graph: p for p in spec if p.graph is not None}
    entity["id"] = Property(spec.id_name, "id", Str(), spec.id_label, Mutability.COMPUTED)
    types = [Checked(spec.graph_type, entity, spec.unmanaged)]
    for kind in spec.objects():
        types.append(Checked(kind.graph_type, {f.graph: f for f in kind.fields if f.graph}, kind.unmanaged))
    return types


def graph_properties(graph_type: str, version: str) -> set[str]:
    """The properties of ``graph_type`` in ``version``, from the generated model's deserializers."""
    module = importlib.import_module(f"{SDK[version]}.generated.models.{re.sub(r'(?<!^)(?=[A-Z])', '_', graph_type).lower()}")
    model = getattr(module, graph_type[0].upper() + graph_type[1:])
    return {name for name in model().get_field_deserializers() if not name.startswith("@odata")}


def problems(checked: Checked) -> list[str]:
    """What is wrong with the spec's coverage of one Graph type (nothing when it is complete)."""
    found = {version: graph_properties(checked.graph_type, version) for version in SDK}
    out = []
    for name in sorted(found[V1] | found[BETA]):
        if name not in checked.managed and name not in checked.unmanaged:
            versions = "/".join(v for v in SDK if name in found[v])
            out.append(f"{checked.graph_type}.{name} ({versions}) is neither managed nor listed as unmanaged")
    for name, prop in checked.managed.items():
        for version in prop.versions:
            if name not in found[version]:
                out.append(f"{checked.graph_type}.{name} ({prop.name}) is claimed in {version}, whose model lacks it")
    for name in checked.unmanaged:
        if name not in found[V1] | found[BETA]:
            out.append(f"{checked.graph_type}.{name} is listed as unmanaged but Graph has no such property")
    return out


def table(checked: Checked) -> list[str]:
    """The coverage rows of one Graph type: property, v1.0, beta, managed (as what) or why not."""
    found = {version: graph_properties(checked.graph_type, version) for version in SDK}
    rows = []
    for name in sorted(found[V1] | found[BETA] | set(checked.managed) | set(checked.unmanaged)):
        marks = ["yes" if name in found[v] else "-" for v in SDK]
        prop = checked.managed.get(name)
        what = f"managed: {prop.name} ({prop.mutability.value})" if prop else f"unmanaged: {checked.unmanaged.get(name)}"
        rows.append(f"{checked.graph_type + '.' + name:<62} {marks[0]:<5} {marks[1]:<5} {what}")
    return rows


@pytest.mark.parametrize("spec", SPECS, ids=[s.graph_type for s in SPECS])
def test_spec_covers_the_graph_schema(spec: Spec) -> None:
    types = covered_types(spec)
    print(f"\n{'property':<62} {'v1.0':<5} {'beta':<5} managed / unmanaged and why")
    for checked in types:
        print("\n".join(table(checked)))
    assert [p for checked in types for p in problems(checked)] == []


def test_a_property_removed_from_a_spec_is_found() -> None:
    """The check itself: dropping a managed row (not listing it as unmanaged) is reported, and so
    is a row claimed in a version that lacks it."""
    [entity, *_] = covered_types(provisioning_policy.SPEC)
    managed = {k: v for k, v in entity.managed.items() if k != "description"}
    assert problems(Checked(entity.graph_type, managed, entity.unmanaged)) == [
        "cloudPcProvisioningPolicy.description (v1.0/beta) is neither managed nor listed as unmanaged"
    ]
    beta_only = dict(entity.unmanaged)
    del beta_only["managedBy"]
    claimed = {**entity.managed, "managedBy": Property("managed_by", "managedBy", Object(), "x")}
    assert problems(Checked(entity.graph_type, claimed, beta_only)) == [
        "cloudPcProvisioningPolicy.managedBy (managed_by) is claimed in v1.0, whose model lacks it"
    ]
