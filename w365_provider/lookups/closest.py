"""The "did you mean" of every look-up: the valid values closest to what a program wrote."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

__all__ = ["closest", "either", "squash"]


def squash(text: str) -> str:
    """``text`` lower-cased with only its letters and digits: ``West Europe`` -> ``westeurope``."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def closest(value: str, candidates: Mapping[str, str], *, limit: int = 3, cutoff: float = 0.75) -> list[str]:
    """The values of ``candidates`` (spelling -> valid value) whose spelling is closest to
    ``value`` (squashed), best first, each once."""
    found = difflib.get_close_matches(squash(value), list(candidates), n=limit * 2, cutoff=cutoff)
    return list(dict.fromkeys(candidates[key] for key in found))[:limit]


def either(values: Iterable[str]) -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``."""
    quoted = [repr(v) for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
