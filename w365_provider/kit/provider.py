"""The generic dynamic provider: check, diff, create, read, update, delete, derived from a spec.

A resource's provider subclasses ``SpecProvider``, sets ``spec`` and overrides only the hooks
for what is its own: ``rules`` (what the table cannot express), ``warning``, ``observe`` (extra
values in Graph's answer), ``adopted`` (what an adopted object starts from), ``after_create`` (assign, wait for an upload), ``write_action`` and
``after_patch`` (extra Graph steps of an update) and ``remove`` (steps before the DELETE).

How a change is planned: ``check`` normalizes the inputs so the engine's own diff of old and
new inputs is stable; ``diff`` answers "unknown", which makes the engine diff the inputs itself
(what ``preview --diff`` shows and ``--json`` reports per property); the resource declares
``replace_on_changes`` (and ``ignore_changes``) from the spec. ``create``, ``update`` and
``read`` return outputs = what Graph holds, plus ``last_applied`` when the spec tracks it.
``read`` returns as inputs what Graph holds, limited to what the program manages, so drift
found by ``pulumi refresh`` shows in the next preview and ``pulumi up`` repairs it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, ClassVar

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from w365_provider.errors import ConfigurationError
from w365_provider.graph.client import GraphRuntime
from w365_provider.graph.provider import GraphProvider
from w365_provider.kit import adoption, checks, drift, mapping, steps
from w365_provider.kit.ownership import Creator, ledger_of
from w365_provider.kit.reads import reads_of, watch
from w365_provider.kit.spec import LAST_APPLIED, V1, Spec

__all__ = ["SpecProvider"]


class SpecProvider(GraphProvider):
    """A dynamic provider for the resource ``spec`` describes (pickled empty; see ``GraphProvider``)."""

    spec: ClassVar[Spec]
    creates: ClassVar[bool] = True
    """Whether a create makes a new Graph object (``False``: a singleton the create PATCHes)."""
    rolled_back: ClassVar[str] = "The new {noun} {id} was deleted again, so nothing was left behind."
    """Note on a create's error when the object it made was deleted again."""
    left_behind: ClassVar[str] = "The new {noun} {id} could not be deleted again ({error}); delete it by hand."
    """Note on a create's error when the object it made could not be deleted again."""

    # -- hooks (override what is the resource's own) ---------------------------------------

    def rules(self, props: Mapping[str, Any], fail: checks.Fail) -> None:
        """The resource's rules the table cannot express."""

    def warning(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> str | None:
        """A warning to show when ``olds`` change to ``news`` (checked inputs), or ``None``."""
        return None

    def tenant_rules(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[CheckFailure]:
        """Rules that need the tenant's own lists (a Graph read), run when every other rule
        passed. Read only for values that changed from ``olds``: a no-op preview reads nothing."""
        return []

    def normalize(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Inputs (or Graph's values) in their canonical form."""
        return mapping.normalize(self.spec, props)

    def observe(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Pulumi values (normalized, ``None`` dropped) from an object's Graph JSON."""
        return self.normalize(mapping.from_graph(self.spec, body))

    def same_object(self, body: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
        """Whether Graph's ``body`` is what a create of ``desired`` (inputs) makes: its name and
        every value the create sends. Used after an ambiguous create and by ``scripts/recover``."""
        spec = self.spec
        name = spec.get(spec.name_property)
        if name is not None and name.graph and body.get(name.graph) != desired.get(spec.name_property):
            return False
        return drift.matches(spec, self.observe(body), desired)

    def usable(self, body: Mapping[str, Any]) -> bool:
        """Whether an object found after an ambiguous create can be the resource."""
        return True

    async def after_create(
        self, rt: GraphRuntime, created: Mapping[str, Any], observed: dict[str, Any], desired: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Steps after the POST (``created``: Graph's answer; an error deletes the new object
        again); returns what Graph holds, as Pulumi values."""
        return observed

    async def write_action(self, rt: GraphRuntime, object_id: str, label: str, name: str, value: Any) -> None:
        """Write the action property ``name`` (an update found it changed)."""
        raise NotImplementedError(f"{type(self).__name__} has no action for {name}")

    async def after_patch(
        self, rt: GraphRuntime, object_id: str, patched: list[str], desired: Mapping[str, Any], observed: dict[str, Any]
    ) -> None:
        """Steps after a PATCH of ``patched``; may update ``observed``."""

    def adopted(self, found: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
        """The outputs an adopted object (``found``: its Graph JSON) starts from: what the update
        that follows compares the code with."""
        return self.outputs(self.observe(found), {})

    async def remove(self, rt: GraphRuntime, object_id: str, name: str, props: Mapping[str, Any]) -> None:
        """Delete the object (``props``: its outputs, ``{}`` for a rollback); 404 counts as done."""
        await steps.delete_object(rt, self.spec, object_id, name)

    # -- derived from the spec -------------------------------------------------------------

    def api_version(self) -> str:
        """The Graph version ``w365:graphUrl`` names (``v1.0`` when the settings cannot be read:
        the run itself reports that). It decides what a resource may set: see ``check_versions``."""
        try:
            return self.settings().api_version
        except ConfigurationError:
            return V1

    def check_versions(self, props: Mapping[str, Any], fail: checks.Fail) -> None:
        """Refuse what the Graph version of ``w365:graphUrl`` does not have (beta-only
        properties and values against v1.0), naming the property and how to switch."""
        checks.check_versions(self.spec, props, self.api_version(), fail, checks.SWITCH_TO_BETA)

    def validate(self, props: Mapping[str, Any]) -> list[CheckFailure]:
        """Every rule broken by (normalized) ``props``; unknown values are skipped."""
        return checks.validate(self.spec, props, self.rules)

    def inputs_of(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The resource's inputs among ``props``."""
        return {k: v for k, v in props.items() if k in self.spec.inputs}

    def outputs(self, observed: Mapping[str, Any], applied: Mapping[str, Any]) -> dict[str, Any]:
        """The outputs for what Graph holds and the inputs last written."""
        return drift.outputs(self.spec, observed, applied)

    # -- plan ------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Normalize the inputs and apply every rule: the table's and the resource's (no Graph
        call), then, when those pass, the ones that read the tenant (``tenant_rules``)."""
        inputs = mapping.fill_check_defaults(self.spec, self.normalize(self.inputs_of(news)))
        failures = self.validate(inputs)
        if not failures:
            before = self.normalize(self.inputs_of(olds))
            failures = self.tenant_rules(before, inputs)
            warning = None if failures else self.warning(before, inputs)
            if warning:
                print(warning, file=sys.stderr, flush=True)
        return CheckResult(inputs, failures)

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Leave the diff to the engine (DIFF_UNKNOWN): it compares old and new inputs itself and
        reports each changed property; replacements come from the resource's
        ``replace_on_changes``. The Python dynamic-provider server cannot send per-property
        diffs from here."""
        return DiffResult(changes=None)

    # -- lifecycle -------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        """POST the object (or adopt one of the same name), then the resource's own steps."""
        rt = self._runtime()
        outs = rt.run(self.create_object(rt, self.inputs_of(props)))
        return CreateResult(outs[self.spec.id_name], outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """GET the object (from the second read on, from one list of the set: ``kit.reads``); an
        empty id when Graph says it is gone."""
        rt = self._runtime()
        body = rt.run(reads_of(self, self.spec).read(rt, id_))
        if body is None:
            return ReadResult("", {})
        observed = self.observe(body)
        managed = props.get(LAST_APPLIED) or self.inputs_of(props)
        return ReadResult(id_, self.outputs(observed, managed), drift.observed_inputs(self.spec, observed, managed))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """PATCH the changed updatable properties; write the changed action properties."""
        rt = self._runtime()
        return UpdateResult(rt.run(self.update_object(rt, id_, olds, self.inputs_of(news))))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the object; 404 counts as done."""
        rt = self._runtime()
        rt.run(self.remove(rt, id_, str(props.get(self.spec.name_property) or id_), props))

    def _runtime(self) -> GraphRuntime:
        """The process's runtime for the settings, its writes counted (they end a list's use)."""
        return watch(super()._runtime())

    # -- the Graph flows (coroutines on the Graph loop) -------------------------------------

    def creator(self, rt: GraphRuntime) -> Creator:
        """The create rules, with this provider object's ledger (one per process in the engine)."""
        return Creator(rt, self.spec, ledger_of(self, self.spec), observe=self.observe, usable=self.usable,
                       same=self.same_object)  # fmt: skip

    async def create_object(self, rt: GraphRuntime, desired: dict[str, Any]) -> dict[str, Any]:
        """Adopt or POST, then ``after_create``; the new object is deleted again if that fails."""
        spec = self.spec
        name = str(desired[spec.name_property])
        creator = self.creator(rt)
        if spec.adoptable and desired.get("adopt"):
            found = await adoption.adoptable(rt, spec, creator, desired)
            if found is not None:
                return await self.update_object(rt, found["id"], self.adopted(found, desired), desired)
        created, _recovered = await creator.create(desired)
        observed = self.observe(created)
        try:
            observed = await self.after_create(rt, created, observed, desired)
        except Exception as exc:
            await self.roll_back(rt, created["id"], name, exc)
            raise
        return self.outputs(observed, desired)

    async def roll_back(self, rt: GraphRuntime, object_id: str, name: str, cause: BaseException) -> None:
        """Delete an object just created whose next step failed; note the outcome on ``cause``."""
        try:
            await self.remove(rt, object_id, name, {})
        except Exception as exc:  # noqa: BLE001 - reported on the original error
            cause.add_note(self.left_behind.format(noun=self.spec.short, id=object_id, error=exc))
        else:
            cause.add_note(self.rolled_back.format(noun=self.spec.short, id=object_id))

    async def update_object(
        self, rt: GraphRuntime, object_id: str, olds: Mapping[str, Any], desired: dict[str, Any]
    ) -> dict[str, Any]:
        """PATCH what changed (and reset what the program stopped setting), then the actions."""
        spec = self.spec
        label = str(desired.get(spec.name_property) or olds.get(spec.name_property) or object_id)
        plan = drift.plan_update(spec, olds, desired)
        observed = {key: olds[key] for key in spec.outputs if olds.get(key) is not None}
        observed[spec.id_name] = object_id
        if plan.patch or plan.cleared:
            body = mapping.to_graph(spec, desired, plan.patch)
            body.update(mapping.to_graph(spec, spec.cleared_when_removed, plan.cleared))
            operation = f"update {spec.noun} '{label}' ({object_id})"
            await rt.send("PATCH", steps.locate(spec, object_id), operation=operation, body=body)
            observed.update({n: desired[n] for n in plan.patch})
            observed.update({n: spec.cleared_when_removed[n] for n in plan.cleared})
            for n in plan.cleared:
                if observed[n] is None:
                    del observed[n]
            await self.after_patch(rt, object_id, plan.patch, desired, observed)
        for name, value in plan.actions.items():
            await self.write_action(rt, object_id, label, name, value)
            observed[name] = value
        return self.outputs(observed, desired)
