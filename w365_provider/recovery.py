"""Recover a stack after a killed ``pulumi up``: Graph and state equal again, nothing duplicated.

A ``pulumi up`` killed mid-way (``kill -9``, a cancelled CI job) leaves the stack locked and its
interrupted creates recorded as *pending creates*: the engine wrote "creating" before calling
the provider and never learnt the result. For each one, Graph holds either nothing (the POST
never arrived, or the emulator dropped it) or a new object that no resource in state knows.
``pulumi refresh`` cannot settle them on its own: without a terminal it keeps them, with
``--clear-pending-creates`` it forgets them (orphaning what reached Graph, which the next
``up`` then duplicates), and its ``--import-pending-creates URN ID`` drops the resource from
state in Pulumi 3.274 (tried: nothing is imported).

So this command, for one stack:

1. removes the stale lock (``pulumi cancel``): with ``--if-stale-lock`` only when a lock of a
   file backend was left by a process of this host that no longer runs; with ``--cancel``
   always (you know no other run is active);
2. for each pending create of a ``w365`` resource, lists the objects of its kind in Graph that
   no resource of the stack owns and that match the pending create (display name and every
   property it sets: the provider's ``same_object``). One match: it becomes the resource (the pending create is
   turned into a resource with that id in the exported state, which ``pulumi stack import``
   loads back). No match: the pending create is dropped; the next ``up`` creates the object.
   More than one: nothing is changed, and the ids are listed for you to choose (``--import
   URN=ID``);
3. runs ``pulumi refresh`` so state holds what Graph holds, and checks no pending create is left.

Usage (scripts/recover wraps it with the repository's engine)::

    python -m w365_provider.recovery --stack local --pulumi scripts/pulumi [--if-stale-lock | --cancel]
        [--import URN=ID ...] [--dry-run]

Exit status: 0 recovered or nothing to do, 1 on an error, 2 when a choice is left to you.
The Graph settings are the stack's current config (``pulumi config --show-secrets``) and the
environment, as in the provider; the token is never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from w365_provider.errors import W365Error

__all__ = ["Kind", "Plan", "KINDS", "main", "plan_recovery", "resource_kinds", "stale_locks"]

POLICY_TYPE = "pulumi-python:dynamic/w365:ProvisioningPolicy"
IMAGE_TYPE = "pulumi-python:dynamic/w365:DeviceImage"


class RecoveryError(W365Error):
    """The stack cannot be recovered automatically; the message says what to do."""


# -- what each resource kind looks like in Graph ----------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A ``w365`` resource type: where its objects are in Graph and when one is a pending create's."""

    type: str
    label: str
    collection: Callable[[Any], Any]
    matches: Callable[[Mapping[str, Any], Mapping[str, Any]], bool]
    """``matches(graph_object, pending_inputs)``."""


def resource_kinds() -> dict[str, Kind]:
    """One ``Kind`` per resource of ``w365_provider.resources`` whose create makes a new Graph
    object (every kit resource but a singleton, whose create is a PATCH), derived from its
    resource class (the type), its provider's spec (where its objects are, their name) and the
    provider's ``same_object`` (the rule an ambiguous create is settled by)."""
    import importlib
    import pkgutil

    import pulumi

    from w365_provider import resources
    from w365_provider.kit.provider import SpecProvider

    kinds: dict[str, Kind] = {}
    for info in pkgutil.iter_modules(resources.__path__):
        if not info.ispkg:
            continue
        package = f"{resources.__name__}.{info.name}"
        [resource] = _defined(importlib.import_module(package), pulumi.dynamic.Resource)
        [provider] = _defined(importlib.import_module(f"{package}.provider"), SpecProvider)
        if not provider.creates:  # a singleton: PATCHed, never created
            continue
        kind_type = f"pulumi-python:{resource._resource_type_name}"
        kinds[kind_type] = Kind(kind_type, provider.spec.plural, provider.spec.collection, provider().same_object)
    return kinds


def _defined(module: Any, base: type) -> list[type]:
    """The subclasses of ``base`` that ``module`` holds (their ``__module__`` may name a
    compatibility module that state refers to, so it is not compared)."""
    return [m for m in vars(module).values() if isinstance(m, type) and issubclass(m, base) and m is not base]


KINDS: dict[str, Kind] = resource_kinds()
"""The resource types whose pending creates are settled here."""


# -- the plan --------------------------------------------------------------------------------


@dataclass
class Plan:
    """What to do with each pending create: import it as an existing object, or drop it."""

    imports: dict[str, str] = field(default_factory=dict)
    """URN -> id of the Graph object that becomes the resource."""
    drops: list[str] = field(default_factory=list)
    """URNs whose create never reached Graph."""
    choices: dict[str, list[str]] = field(default_factory=dict)
    """URN -> ids of several matching objects: not decided here."""
    foreign: list[str] = field(default_factory=list)
    """Pending creates of other resource types (not ``w365``): not decided here."""

    @property
    def decided(self) -> bool:
        return not self.choices and not self.foreign


def pending_creates(deployment: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The resources of the deployment's pending ``creating`` operations."""
    ops = deployment.get("pending_operations") or []
    return [op["resource"] for op in ops if op.get("type") == "creating"]


def owned_ids(deployment: Mapping[str, Any]) -> dict[str, set[str]]:
    """Resource type -> ids of the resources in state."""
    owned: dict[str, set[str]] = {}
    for res in deployment.get("resources") or []:
        if res.get("id"):
            owned.setdefault(res["type"], set()).add(res["id"])
    return owned


def plan_recovery(
    deployment: Mapping[str, Any],
    graph_objects: Callable[[Kind], list[dict[str, Any]]],
    chosen: Mapping[str, str] | None = None,
) -> Plan:
    """Decide each pending create from the objects Graph holds (``graph_objects(kind)``, called
    once per kind) that no resource of the stack owns. ``chosen``: URN -> id decided by you."""
    plan, chosen = Plan(), dict(chosen or {})
    owned = owned_ids(deployment)
    listed: dict[str, list[dict[str, Any]]] = {}
    for res in pending_creates(deployment):
        urn, kind = res["urn"], KINDS.get(res["type"])
        if urn in chosen:
            plan.imports[urn] = chosen[urn]
            continue
        if kind is None:
            plan.foreign.append(urn)
            continue
        if kind.type not in listed:
            listed[kind.type] = graph_objects(kind)
        taken = owned.get(kind.type, set()) | set(plan.imports.values())
        found = [o["id"] for o in listed[kind.type] if o.get("id") not in taken and kind.matches(o, res.get("inputs") or {})]
        if len(found) == 1:
            plan.imports[urn] = found[0]
        elif not found:
            plan.drops.append(urn)
        else:
            plan.choices[urn] = found
    return plan


def apply_plan(deployment: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """The deployment with the decided pending creates turned into resources or dropped.

    An imported resource gets the pending inputs as its outputs too; the refresh that follows
    replaces them with what Graph holds."""
    settled = set(plan.imports) | set(plan.drops)
    kept, added = [], []
    for op in deployment.get("pending_operations") or []:
        res = op.get("resource") or {}
        if op.get("type") != "creating" or res.get("urn") not in settled:
            kept.append(op)
            continue
        if res["urn"] in plan.imports:
            resource = {k: v for k, v in res.items() if k not in ("stackTrace", "sourcePosition")}
            resource["id"] = plan.imports[res["urn"]]
            resource["outputs"] = dict(res.get("inputs") or {})
            added.append(resource)
    result = dict(deployment)
    result["resources"] = list(deployment.get("resources") or []) + added
    result["pending_operations"] = kept
    return result


# -- locks of a file backend -------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """A lock file of a file backend: who took it."""

    path: Path
    pid: int
    hostname: str
    timestamp: str

    @property
    def stale(self) -> bool:
        """Taken on this host by a process that no longer runs (or is no Pulumi any more)."""
        return self.hostname == socket.gethostname() and not _is_pulumi(self.pid)


def stale_locks(backend_url: str, project: str, stack: str) -> list[Lock]:
    """The stale locks of ``project``/``stack`` in a ``file://`` backend (none for others)."""
    return [lock for lock in locks(backend_url, project, stack) if lock.stale]


def locks(backend_url: str, project: str, stack: str) -> list[Lock]:
    """Every lock of ``project``/``stack`` in a ``file://`` backend."""
    parts = urlsplit(backend_url)
    if parts.scheme != "file":
        return []
    root = Path(unquote(parts.netloc + parts.path)).expanduser() / ".pulumi" / "locks"
    dirs = [root / "organization" / project / stack, root / stack]
    found = []
    for directory in dirs:
        for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
            try:
                data = json.loads(path.read_text())
                found.append(Lock(path, int(data["pid"]), str(data["hostname"]), str(data.get("timestamp", ""))))
            except (OSError, ValueError, KeyError, TypeError):
                continue
    return found


def _is_pulumi(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"pulumi" in f.read()
    except OSError:
        return True  # no /proc: alive is all we know


# -- the Pulumi CLI ------------------------------------------------------------------------------


class Pulumi:
    """Runs the Pulumi CLI (``command``, e.g. ``scripts/pulumi``) for one stack."""

    def __init__(self, command: Sequence[str], stack: str, cwd: Path) -> None:
        self.command, self.stack, self.cwd = list(command), stack, cwd

    def run(self, *args: str, stack: bool = True, quiet: bool = False) -> str:
        argv = [*self.command, *args, *(["--stack", self.stack] if stack else [])]
        proc = subprocess.run(argv, cwd=self.cwd, text=True, capture_output=True)
        if not quiet and proc.stdout.strip():
            print(proc.stdout.rstrip())
        if proc.returncode != 0:
            shown = " ".join(shlex.quote(a) for a in ["pulumi", *args])
            raise RecoveryError(f"`{shown}` failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
        return proc.stdout

    def export(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.run("stack", "export", quiet=True))
        return data

    def config(self) -> tuple[dict[str, Any], set[str]]:
        """The stack's current config (secrets decrypted) and the keys stored as secrets."""
        raw = json.loads(self.run("config", "--json", "--show-secrets", quiet=True) or "{}")
        values = {key: item.get("value") for key, item in raw.items()}
        return values, {key for key, item in raw.items() if item.get("secret")}

    def backend_url(self) -> str:
        if os.environ.get("PULUMI_BACKEND_URL"):
            return os.environ["PULUMI_BACKEND_URL"]
        data = json.loads(self.run("whoami", "--output", "json", stack=False, quiet=True))
        return str(data.get("url") or "")


# -- the command --------------------------------------------------------------------------------


def graph_lister(config: Mapping[str, Any], secret_keys: set[str], stack: str) -> Callable[[Kind], list[dict[str, Any]]]:
    """``graph_objects(kind)`` over Graph with the stack's current settings."""
    from w365_provider.graph import runtime
    from w365_provider.settings import Settings

    settings = Settings.from_stack_config(config, secret_keys=secret_keys, stack=stack, prefer_env_token=True)
    print(settings.banner())
    rt = runtime(settings)

    def graph_objects(kind: Kind) -> list[dict[str, Any]]:
        return rt.run(rt.list(kind.collection, operation=f"list {kind.label}"))

    return graph_objects


def recover(
    pulumi: Pulumi,
    *,
    if_stale_lock: bool = False,
    cancel: bool = False,
    chosen: Mapping[str, str] | None = None,
    dry_run: bool = False,
    project: str | None = None,
) -> Plan | None:
    """The whole recovery of ``pulumi.stack`` (see the module docstring). Returns the plan, or
    ``None`` when there was nothing to do."""
    if if_stale_lock:
        found = stale_locks(pulumi.backend_url(), project or project_name(pulumi.cwd), pulumi.stack)
        if not found:
            return None
        for lock in found:
            print(f"recover: stack {pulumi.stack} is locked by a run that no longer exists "
                  f"(pid {lock.pid}, started {lock.timestamp}); recovering it")  # fmt: skip
    if (if_stale_lock or cancel) and not dry_run:
        pulumi.run("cancel", "--yes", quiet=True)
    deployment = pulumi.export()
    if not pending_creates(deployment.get("deployment") or {}) and not chosen:
        if not (deployment.get("deployment") or {}).get("pending_operations"):
            print(f"recover: stack {pulumi.stack} has no interrupted operation; nothing to do")
            return Plan()
    config, secret_keys = pulumi.config()
    plan = plan_recovery(deployment["deployment"], graph_lister(config, secret_keys, pulumi.stack), chosen)
    report(plan)
    if not plan.decided:
        return plan
    if dry_run:
        return plan
    deployment["deployment"] = apply_plan(deployment["deployment"], plan)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(deployment, f)
    try:
        pulumi.run("stack", "import", "--file", f.name, quiet=True)
    finally:
        os.unlink(f.name)
    pulumi.run("refresh", "--yes", "--skip-preview", "--non-interactive", quiet=True)
    left = pending_creates(pulumi.export().get("deployment") or {})
    if left:
        raise RecoveryError(f"pending creates are still in state after the refresh: {[r['urn'] for r in left]}")
    print(f"recover: stack {pulumi.stack} and Graph agree again ({len(plan.imports)} found in Graph and "
          f"kept, {len(plan.drops)} never created)")  # fmt: skip
    return plan


def report(plan: Plan) -> None:
    for urn, object_id in plan.imports.items():
        print(f"recover: {_name(urn)}: created in Graph before the run was killed ({object_id}); kept as the resource")
    for urn in plan.drops:
        print(f"recover: {_name(urn)}: not in Graph; the interrupted create is dropped and the next up creates it")
    for urn, ids in plan.choices.items():
        print(
            f"recover: {_name(urn)}: {len(ids)} objects in Graph match it and no resource owns them "
            f"({', '.join(ids)}); nothing was changed. Delete the extra ones, or choose one with "
            f"--import '{urn}=<id>', and run again.",
            file=sys.stderr,
        )
    for urn in plan.foreign:
        print(
            f"recover: {_name(urn)} is a pending create of a resource this command does not know; nothing was "
            f"changed. Check it in its provider, then run `pulumi refresh` in a terminal to import or clear it.",
            file=sys.stderr,
        )


def project_name(cwd: Path) -> str:
    for line in (cwd / "Pulumi.yaml").read_text().splitlines():
        if line.startswith("name:"):
            return line.split(":", 1)[1].strip().strip("'\"")
    raise RecoveryError(f"no project name in {cwd / 'Pulumi.yaml'}")


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m w365_provider.recovery",
        description="Recover a stack after a killed `pulumi up`: no duplicate, no orphan.",
    )
    parser.add_argument("--stack", required=True, help="the stack to recover")
    parser.add_argument("--pulumi", default=os.environ.get("W365_PULUMI", "pulumi"),
                        help="the Pulumi CLI to run (default $W365_PULUMI or pulumi)")  # fmt: skip
    parser.add_argument("--cwd", default=".", help="the project directory (default: here)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--if-stale-lock", action="store_true",
                      help="act only when a file-backend lock was left by a dead process of this host")  # fmt: skip
    mode.add_argument("--cancel", action="store_true", help="remove the stack's lock first (no other run may be active)")
    parser.add_argument("--import", dest="imports", action="append", default=[], metavar="URN=ID",
                        help="make this pending create the Graph object ID (when several match)")  # fmt: skip
    parser.add_argument("--dry-run", action="store_true", help="say what would be done; change nothing")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    chosen = {}
    for item in args.imports:
        urn, sep, object_id = item.rpartition("=")
        if not sep or not urn or not object_id:
            print(f"recover: --import wants URN=ID, got {item!r}", file=sys.stderr)
            return 1
        chosen[urn] = object_id
    pulumi = Pulumi(shlex.split(args.pulumi), args.stack, Path(args.cwd).resolve())
    try:
        plan = recover(pulumi, if_stale_lock=args.if_stale_lock, cancel=args.cancel, chosen=chosen, dry_run=args.dry_run)
    except W365Error as exc:
        print(f"recover: {exc}", file=sys.stderr)
        return 1
    finally:
        from w365_provider.graph import shutdown

        shutdown()
    return 2 if plan is not None and not plan.decided else 0


if __name__ == "__main__":
    sys.exit(main())
