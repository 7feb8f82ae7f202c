"""Entra group display names for the review report: one read-only Graph call per group, cached.

``w365 report --lookup-groups`` names the groups a preview does not name itself (groups the stack
references by object id) with ``GET /groups/{id}?$select=id,displayName``
(https://learn.microsoft.com/graph/api/group-get), through the package's Graph runtime (auth,
retries, error mapping). Each id is read at most once per run, whichever stack asks. A group that
cannot be read (missing permission ``Group.Read.All`` / ``GroupMember.Read.All``, deleted, Graph
unreachable) keeps its id; the report is still written.
"""

from __future__ import annotations

from collections.abc import Iterable

from w365_provider.errors import GraphNotFoundError, W365Error
from w365_provider.graph.client import runtime
from w365_provider.settings import Settings

__all__ = ["GroupNames"]


class GroupNames:
    """Display names by group object id, read from Graph on first ask and then remembered."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], str | None] = {}
        self.requests = 0
        """Graph reads made so far (one per distinct group and Graph root)."""
        self.problems: list[str] = []
        """Why some groups could not be named (one line per Graph root that failed)."""
        self._failed: set[str] = set()

    def lookup(self, ids: Iterable[str], settings: Settings) -> dict[str, str]:
        """Object id (lower case) -> display name for each of ``ids`` Graph names."""
        rt = runtime(settings)
        found: dict[str, str] = {}
        for gid in dict.fromkeys(i.lower() for i in ids):
            key = (settings.graph_url, gid)
            if key not in self._names and settings.graph_url not in self._failed:
                self._names[key] = self._read(rt, gid, settings.graph_url)
            name = self._names.get(key)
            if name:
                found[gid] = name
        return found

    def _read(self, rt: object, gid: str, graph_url: str) -> str | None:
        self.requests += 1
        try:
            body = rt.run(  # type: ignore[attr-defined]
                rt.send(  # type: ignore[attr-defined]
                    "GET", lambda c: c.groups.by_group_id(gid), operation=f"read Entra group {gid}",
                    query={"$select": "id,displayName"},
                )  # fmt: skip
            )
        except GraphNotFoundError:
            return None
        except W365Error as exc:  # the next groups would fail alike: ask no more
            self._failed.add(graph_url)
            self.problems.append(f"could not read group names from Graph ({graph_url}), groups keep their ids: {exc}")
            return None
        name = (body or {}).get("displayName")
        return name if isinstance(name, str) and name else None
