"""The effect on people in words: tables for ``w365 impact``, a Markdown section for ``w365 report``.

People appear by display name only, never by userPrincipalName or e-mail address; a display
name that contains an e-mail address is hidden. Counts come first; names are limited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from w365_provider.impact.model import KIND_LABELS, Impact, PolicyEffect, Shortfall

__all__ = ["CATEGORIES", "markdown_section", "safe_name", "text_report"]

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("new", "get a new Cloud PC"),
    ("restored", "get their Cloud PC back from its grace period"),
    ("unlicensed", "are assigned but have no Cloud PC licence"),
    ("shadowed", "are covered by an earlier-assigned policy (nothing from this one)"),
    ("keeps_old", "keep their Cloud PC with its old settings"),
    ("loses", "lose their Cloud PC (grace period)"),
    ("waiting", "wait for an old Cloud PC's grace period to end"),
    ("no_capacity", "get none: no Frontline licence or allotment left"),
    ("order_dependent", "depend on the order the assignments are made"),
)
"""Effect attribute -> what it means for the people in it."""

_SHORT = {
    "new": "New Cloud PC",
    "unlicensed": "No licence",
    "shadowed": "Covered earlier",
    "keeps_old": "Keep old settings",
    "loses": "Lose (grace period)",
    "no_capacity": "No capacity",
}
_EMAIL = re.compile(r"[^\s@<>()]+@[^\s@<>()]+")
_ACTIONS = {"create": "created", "update": "updated", "replace": "replaced", "delete": "deleted"}


def safe_name(name: str) -> str:
    """A display name fit for a comment: an e-mail address in it is hidden."""
    return _EMAIL.sub("(address hidden)", name).strip() or "(no name)"


def _people(ids: Iterable[str], names: dict[str, str], limit: int | None) -> str:
    ids = list(ids)
    shown = ids if limit is None else ids[:limit]
    text = ", ".join(safe_name(names.get(u, "a user")) for u in shown)
    if len(ids) > len(shown):
        text += f" and {len(ids) - len(shown)} more"
    return text


def _members(effect: PolicyEffect, name: str) -> list[str]:
    value = getattr(effect, name)
    return list(value) if not isinstance(value, dict) else list(value)


def _title(effect: PolicyEffect) -> str:
    kind = KIND_LABELS.get(effect.kind or "", "not analysed")
    action = _ACTIONS.get(effect.action or "", "unchanged")
    return f"{effect.display_name} ({kind}, {action})"


def _shortfall_line(s: Shortfall) -> str:
    available = "unknown" if s.available is None else str(s.available)
    missing = "" if not s.missing else f" — {s.missing} short"
    what = "unassigned licences" if s.plan_id == "" else "licences"
    return f"{s.plan_name}: needs {s.needed}, {what} {available}{missing}"


# -- text (w365 impact) ------------------------------------------------------------------------


def text_report(impact: Impact, *, names: bool = False, limit: int | None = 20, everything: bool = False) -> str:
    """Plain text: a table per policy (counts; names when asked), shortfalls, blind spots, requests."""
    out: list[str] = []
    effects = [e for e in impact.policies if everything or e.touched or e.attention]
    if not effects:
        out.append("No provisioning policy's people are affected.")
    for effect in effects:
        out += ["", _title(effect), "-" * min(78, len(_title(effect)))]
        out.append(f"  {'assigned members':<66}{effect.members:>6}")
        for attr, meaning in CATEGORIES:
            ids = _members(effect, attr)
            if not ids:
                continue
            line = f"  {meaning:<66}{len(ids):>6}"
            if names:
                line += "  " + _people(ids, impact.names, limit)
                if attr == "shadowed":
                    by = sorted(set(effect.shadowed.values()))
                    line += f"  (by {', '.join(by)})"
            out.append(line)
        if effect.keeps_old:
            out.append("  " + _settings_note(effect))
        if effect.shared_before or effect.shared_after:
            out.append(f"  {'shared Cloud PCs (Frontline shared), before -> after':<66}{effect.shared_before:>3} -> {effect.shared_after}")
        for note in effect.unknown:
            out.append(f"  not analysed: {note}")
    if impact.shortfalls:
        out += ["", "Licences"]
        out += [f"  {_shortfall_line(s)}" for s in impact.shortfalls]
    if impact.blind_spots:
        out += ["", "Not visible (the counts above leave these out)"]
        out += [f"  - {b}" for b in impact.blind_spots]
    out += ["", impact.requests.line()]
    return "\n".join(out).lstrip("\n") + "\n"


def _settings_note(effect: PolicyEffect) -> str:
    settings = ", ".join(sorted({"network": "network/region", "singleSignOn": "single sign-on", "image": "image"}[s]
                                for s in effect.changed_settings))  # fmt: skip
    if effect.apply_can_update:
        tail = "“Apply to existing Cloud PCs” can bring the network/region and single sign-on changes to them"
        if "image" in effect.changed_settings:
            tail += "; the image only a reprovision"
    else:
        tail = "only a reprovision brings the new image to them"
    return f"changed: {settings}; {tail}."


# -- Markdown (w365 report) --------------------------------------------------------------------


def markdown_section(impact: Impact | None, *, limit: int = 5, problem: str | None = None) -> str:
    """The "Effect on people" section of a pull-request comment: counts, then the first names."""
    out = ["#### Effect on people", ""]
    if impact is None:
        out += [f"_Not analysed: {_md(problem or 'no analysis')}_", ""]
        return "\n".join(out)
    effects = [e for e in impact.policies if e.touched]
    if not effects:
        out += ["No one's Cloud PC changes.", ""]
    else:
        out += ["| Policy | Members | " + " | ".join(_SHORT.values()) + " |", "| --- | ---: |" + " ---: |" * len(_SHORT)]
        for effect in effects:
            counts = " | ".join(str(len(_members(effect, attr))) for attr in _SHORT)
            out.append(f"| **{_md(effect.display_name)}** ({_ACTIONS.get(effect.action or '', 'unchanged')}) "
                       f"| {effect.members} | {counts} |")  # fmt: skip
        out.append("")
        out += _who(effects, impact, limit)
    if impact.shortfalls:
        out += ["**Licences**: " + "; ".join(_md(_shortfall_line(s)) for s in impact.shortfalls), ""]
    if impact.blind_spots:
        out += ["> [!NOTE]", "> Not visible to the analysis (its counts leave these out):"]
        out += [f"> - {_md(b)}" for b in impact.blind_spots[:10]]
        if len(impact.blind_spots) > 10:
            out.append(f"> - and {len(impact.blind_spots) - 10} more")
        out.append("")
    out += [f"<sub>People by display name; {_md(impact.requests.line())}.</sub>", ""]
    return "\n".join(out)


def _who(effects: Sequence[PolicyEffect], impact: Impact, limit: int) -> list[str]:
    lines = []
    for effect in effects:
        parts = []
        for attr, meaning in CATEGORIES:
            ids = _members(effect, attr)
            if ids:
                who = _md(_people(ids, impact.names, limit))
                if attr == "shadowed":
                    who += " (by " + _md(", ".join(sorted(set(effect.shadowed.values())))[:200]) + ")"
                parts.append(f"{len(ids)} {meaning}: {who}")
        if effect.keeps_old:
            parts.append(_md(_settings_note(effect)))
        if effect.shared_before != effect.shared_after:
            parts.append(f"shared Cloud PCs {effect.shared_before} → {effect.shared_after}")
        parts += [f"not analysed: {_md(u)}" for u in effect.unknown]
        if parts:
            lines.append(f"- **{_md(effect.display_name)}**: " + "; ".join(parts))
    if not lines:
        return []
    return ["<details><summary>Who</summary>", "", *lines, "", "</details>", ""]


def _md(value: str) -> str:
    value = " ".join(str(value).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]|~])", r"\\\1", value)
