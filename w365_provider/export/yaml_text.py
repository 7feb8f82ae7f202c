"""A stack file as text: block YAML with comments, in one stable form.

PyYAML writes no comments, and ``w365 export`` needs them (a group's display name next to its
id, what was left out and why). This writer emits mappings, lists and scalars in block style,
keys in the order given, scalars quoted exactly as ``yaml.safe_dump`` quotes them, so equal
input gives equal bytes. ``dump`` checks that the text reads back as the data it was made from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["Commented", "dump", "scalar"]


@dataclass(frozen=True)
class Commented:
    """A mapping whose entries carry comments: ``above[key]`` lines before the key,
    ``after[key]`` at the end of the key's line (of its scalar value)."""

    items: Mapping[str, Any]
    above: Mapping[str, Sequence[str]] = field(default_factory=dict)
    after: Mapping[str, str] = field(default_factory=dict)
    footer: Sequence[str] = ()
    """Comment lines after the last entry (what was left out of a section)."""


def scalar(value: Any) -> str:
    """One scalar as YAML (``yaml.safe_dump``'s quoting, on one line)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=1_000_000, allow_unicode=True)
    text = text.removesuffix("\n").removesuffix("\n...").removesuffix("...").rstrip("\n")
    return text


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _plain(value: Any) -> Any:
    if isinstance(value, Commented):
        return {k: _plain(v) for k, v in value.items.items()}
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _is_leaf(value: Any) -> bool:
    if isinstance(value, Commented):
        return not value.items
    return not isinstance(value, (Mapping, list)) or not value


def _leaf(value: Any) -> str:
    if isinstance(value, Commented) or isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(value)


def _mapping(value: Any, indent: int) -> list[str]:
    commented = value if isinstance(value, Commented) else Commented(value)
    pad = " " * indent
    lines: list[str] = []
    for key, item in commented.items.items():
        lines += [f"{pad}# {_comment(line)}" for line in commented.above.get(key, ())]
        note = commented.after.get(key)
        tail = f" # {_comment(note)}" if note else ""
        if _is_leaf(item):
            lines.append(f"{pad}{scalar(key)}: {_leaf(item)}{tail}")
        else:
            lines.append(f"{pad}{scalar(key)}:{tail}")
            lines += _block(item, indent + 2)
    lines += [f"{pad}# {_comment(line)}" for line in commented.footer]
    return lines


def _block(value: Any, indent: int) -> list[str]:
    if not isinstance(value, list):
        return _mapping(value, indent)
    pad = " " * indent
    lines: list[str] = []
    for item in value:
        if _is_leaf(item):
            lines.append(f"{pad}- {_leaf(item)}")
            continue
        inner = _block(item, indent + 2)
        first = next(i for i, line in enumerate(inner) if not line.lstrip().startswith("#"))
        inner[first] = f"{pad}- {inner[first][indent + 2:]}"
        lines += inner
    return lines


def dump(document: Commented, header: Sequence[str] = ()) -> str:
    """The YAML text of ``document`` (a top-level mapping) after ``header`` comment lines."""
    lines = [f"# {_comment(line)}".rstrip() for line in header] + _mapping(document, 0)
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != _plain(document):  # pragma: no cover - a bug of this writer
        raise AssertionError("the exported YAML does not read back as the data it was written from")
    return text
