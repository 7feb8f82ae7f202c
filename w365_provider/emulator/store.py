"""SQLite persistence: one table per entity set, JSON bodies, durable on every write.

Every write happens inside :meth:`Store.transaction`, which holds a process-wide lock and an
``IMMEDIATE`` SQLite transaction; the commit (WAL, ``synchronous=FULL``) is on disk before
the caller builds its HTTP response, so an acknowledged write survives SIGKILL.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Store:
    """Entity bodies keyed by ``id`` (case-insensitive), kept in insertion order (``seq``).

    ``tables`` names the entity sets (``entities.TABLES``), each stored in a table of the same name.
    """

    def __init__(self, path: str | Path, tables: Iterable[str]) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        for table in tables:
            self._conn.execute(
                f'CREATE TABLE IF NOT EXISTS "{table}" ('
                " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                " id TEXT NOT NULL UNIQUE COLLATE NOCASE,"
                " body TEXT NOT NULL)"
            )
        self._conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Serialise callers; commit on success, roll back on any exception. Re-entrant."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    @staticmethod
    def _load(seq: int, body: str) -> dict[str, Any]:
        entity: dict[str, Any] = json.loads(body)
        entity["_seq"] = seq
        return entity

    @staticmethod
    def _dump(entity: dict[str, Any]) -> str:
        return json.dumps({k: v for k, v in entity.items() if k != "_seq"}, separators=(",", ":"))

    def get(self, table: str, entity_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(f'SELECT seq, body FROM "{table}" WHERE id = ?', (entity_id,)).fetchone()
        return None if row is None else self._load(row[0], row[1])

    def list(self, table: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(f'SELECT seq, body FROM "{table}" ORDER BY seq').fetchall()
        return [self._load(seq, body) for seq, body in rows]

    def insert(self, table: str, entity: dict[str, Any]) -> dict[str, Any]:
        with self.transaction():
            cur = self._conn.execute(
                f'INSERT INTO "{table}" (id, body) VALUES (?, ?)', (entity["id"], self._dump(entity))
            )
        entity["_seq"] = cur.lastrowid
        return entity

    def upsert(self, table: str, entity: dict[str, Any]) -> None:
        with self.transaction():
            self._conn.execute(
                f'INSERT INTO "{table}" (id, body) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body',
                (entity["id"], self._dump(entity)),
            )

    def update(self, table: str, entity: dict[str, Any]) -> None:
        with self.transaction():
            self._conn.execute(f'UPDATE "{table}" SET body = ? WHERE id = ?', (self._dump(entity), entity["id"]))

    def delete(self, table: str, entity_id: str) -> bool:
        with self.transaction():
            cur = self._conn.execute(f'DELETE FROM "{table}" WHERE id = ?', (entity_id,))
        return cur.rowcount > 0

    def clear(self, table: str) -> None:
        with self.transaction():
            self._conn.execute(f'DELETE FROM "{table}"')

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
