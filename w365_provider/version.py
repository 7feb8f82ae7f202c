"""The package version: the ``version`` of ``pyproject.toml``, read from the installed metadata.

``pyproject.toml`` is the one place the version is written; ``w365 --version`` prints it and
``CHANGELOG.md`` lists what changed in each.
"""

from __future__ import annotations

from importlib import metadata

__all__ = ["DISTRIBUTION", "version"]

DISTRIBUTION = "w365-provider"


def version() -> str:
    """The installed version of ``w365-provider`` (``0+unknown`` when it is not installed)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"
