"""``export_tenant``: read a tenant and write its stack file text (the core of ``w365 export``).

The sections are checked with the program's own stack-config checks before they are written:
an entry they refuse (two policies of one name, a region the program does not know ...) is left
out with a comment giving the check's words, so the file always passes ``pulumi preview``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from w365_provider.config.stack import stack_config_problems
from w365_provider.export.document import Context, Reader, Section, build, read, references, section_name
from w365_provider.export.kinds import Entry, Kind
from w365_provider.export.registry import KINDS
from w365_provider.export.yaml_text import Commented, dump
from w365_provider.graph.client import runtime
from w365_provider.settings import DEFAULT_GRAPH_URL, Settings

__all__ = ["KIND_NAMES", "Export", "export_tenant"]

KIND_NAMES = tuple(kind.section for kind in KINDS)
SCHEMA_COMMENT = "yaml-language-server: $schema=../schema/stack-config.schema.json"
_PROBLEM = re.compile(r"^w365:([A-Za-z]+)\.([A-Za-z0-9][A-Za-z0-9_-]*)[.\[:]")


@dataclass(frozen=True)
class Export:
    """The stack file text and what it took."""

    text: str
    requests: int
    """Graph requests sent (every one a GET)."""
    counts: dict[str, int]
    """Entries per section."""
    left_out: int
    """Objects and values the file leaves out (each has a comment)."""


def export_tenant(settings: Settings, kinds: Sequence[str] = KIND_NAMES, *, keep: Mapping[str, Any] | None = None) -> Export:
    """Read the tenant ``settings`` point at (read-only) and return its stack file.

    ``keep``: the stack file being replaced (parsed); its encryption settings and its secret
    config values (``secure:``) are carried over, so secrets set before stay readable."""
    chosen = [k for k in KINDS if k.section in kinds or (k.section == "images" and "policies" in kinds)]
    rt = runtime(settings)
    reader = Reader(rt)
    tenant = rt.run(read(reader, chosen, gallery="policies" in kinds))
    ctx = Context(tenant)
    sections = build(chosen, ctx)
    _settle(sections, ctx, keep_images="images" in kinds, secrets=_secrets(chosen), api_version=settings.api_version)
    left_out = sum(e.left_out for s in sections.values() for e in s.entries.values())
    left_out += sum(1 for s in sections.values() for line in s.footer if line.startswith("left out:"))
    document = _document(settings, sections, chosen, kept(keep))
    text = dump(document, header=_header(settings, kinds))
    counts = {name: len(s.entries) for name, s in sections.items()}
    return Export(text, reader.requests, counts, left_out)


def _secrets(kinds: Sequence[Kind]) -> set[tuple[str, str]]:
    """``(section, key)`` of every secret the file leaves for the user to set."""
    return {(kind.section, secret) for kind in kinds for secret in kind.secrets}


def _settle(
    sections: dict[str, Section], ctx: Context, *, keep_images: bool, secrets: set[tuple[str, str]], api_version: str = "v1.0"
) -> None:
    """Add the referenced groups and gallery images; leave out what the stack checks refuse
    (not a secret the user sets after the export: its placeholder comment says how)."""
    for _ in range(10):
        _references(sections, ctx, keep_images=keep_images)
        refused = _refused(sections, secrets, api_version)
        if not refused:
            return
        for (name, key), reasons in refused.items():
            section = sections[name]
            gone = section.entries.pop(key)
            section.footer.append(f"left out: {gone.label or key}: {'; '.join(reasons)}")
    raise AssertionError("the exported stack config did not settle")  # pragma: no cover


def _references(sections: dict[str, Section], ctx: Context, *, keep_images: bool) -> None:
    images, groups = references(sections)
    image_section = sections.setdefault("images", Section("images"))
    entries = {k: e for k, e in image_section.entries.items() if (keep_images and e.value.get("type") == "custom")
               or k in images}  # fmt: skip
    for key, value in ctx.gallery_entries.items():
        if key in images:
            found = {k: v for k, v in value.items() if not k.startswith("_")}
            entries[key] = Entry(key, found, label=f"gallery image {value['_id']}")
    image_section.entries = dict(sorted(entries.items()))
    names = {key: group_id for group_id, key in ctx.group_keys.items()}
    group_entries = {}
    for key in sorted(groups):
        name = ctx.tenant.groups.get(names[key])
        note = name if name else "not found in Graph: deleted, or the export may not read groups"
        group_entries[key] = Entry(key, {"objectId": names[key]}, after={"objectId": note}, label=f"group {names[key]}")
    sections["groups"] = Section("groups", group_entries, sections.get("groups", Section("groups")).footer)


def _refused(
    sections: dict[str, Section], secrets: set[tuple[str, str]], api_version: str
) -> dict[tuple[str, str], list[str]]:
    raw = {name: {k: e.value for k, e in s.entries.items()} for name, s in sections.items() if not s.singleton}
    refused: dict[tuple[str, str], list[str]] = {}
    for line in stack_config_problems(raw, api_version=api_version):
        match = _PROBLEM.match(line)
        if match and any(line.startswith(f"{section_name(n)}.{match.group(2)}.{k}:") for n, k in secrets):
            continue
        if match and match.group(2) in sections.get(match.group(1), Section("")).entries:
            refused.setdefault((match.group(1), match.group(2)), []).append(line.split(": ", 1)[-1])
    return refused


def kept(existing: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """From a stack file being replaced: its secret config values and its other top-level keys
    (``encryptionsalt``, ``secretsprovider``, ``encryptedkey``)."""
    if not isinstance(existing, Mapping):
        return {}, {}
    config = existing.get("config") if isinstance(existing.get("config"), Mapping) else {}
    secrets = {k: v for k, v in sorted(config.items()) if isinstance(v, Mapping) and set(v) == {"secure"}}
    return secrets, {k: v for k, v in existing.items() if k != "config"}


def _document(
    settings: Settings, sections: dict[str, Section], kinds: Sequence[Kind], keep: tuple[dict[str, Any], dict[str, Any]]
) -> Commented:
    config: dict[str, Any] = {}
    if settings.graph_url != DEFAULT_GRAPH_URL:
        config["w365:graphUrl"] = settings.graph_url
    if settings.tenant_id:
        config["w365:tenantId"] = settings.tenant_id
    above: dict[str, list[str]] = {}
    order = ["groups", "images", *[k.section for k in kinds if k.section != "images"]]
    for name in order:
        section = sections.get(name)
        if section is None or (not section.entries and not section.footer):
            continue
        items = {k: Commented(e.value, after=e.after) for k, e in section.entries.items()}
        notes = {k: e.notes for k, e in section.entries.items() if e.notes}
        if section.singleton:
            config[section_name(name)] = next(iter(items.values()), {})
            above[section_name(name)] = [*section.footer, *(line for lines in notes.values() for line in lines)]
        else:
            config[section_name(name)] = Commented(items, above=notes, footer=section.footer)
    secrets, top = keep
    config.update({k: v for k, v in secrets.items() if k not in config})
    return Commented({"config": Commented(config, above=above), **{k: v for k, v in top.items() if k != "config"}})


def _header(settings: Settings, kinds: Sequence[str]) -> list[str]:
    return [
        SCHEMA_COMMENT,
        f"Exported by `w365 export` from {settings.graph_url} ({', '.join(kinds)}); see docs/stacks.md,",
        '"From an existing tenant". Every entry adopts its object by Graph id (adopt: <id>): review the',
        "file, then `pulumi up` takes the objects over and changes only what differs from this file.",
        "Secrets are never exported: set them with `pulumi config set --secret`.",
    ]
