"""Rendered pages, JSON and feeds, kept in each web process until the database changes.

Every cached request first asks the database one cheap question, "has anything
been committed since?", and serves the kept copy when nothing has:

- SQLite: ``PRAGMA data_version`` on a connection changes whenever another
  connection, in any process, has committed (https://sqlite.org/pragma.html
  #pragma_data_version); the question is asked on a connection that never
  writes, so every commit is another's. (Not for in-memory databases.)
- PostgreSQL: ``pg_current_snapshot()`` names exactly which transactions are
  visible, so two equal snapshots see the same data. Any write in the cluster
  changes it: copies are dropped more often than needed, never too rarely.
- Any other database: nothing is kept.

So seats left, waitlists and organisers' edits show on the next request after
they commit, in every process. Keys also carry the current minute, because
some answers change with the clock alone (which events are upcoming, which
cancelled ones a feed still lists). Copies live in a bounded LRU per process.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, current_app, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.malloc import give_back

T = TypeVar("T")

# Stands in for the per-visitor CSRF token inside a kept page.
CSRF_HOLE = "\x00csrf-token\x00"
ANONYMOUS_SESSION_KEYS = frozenset({"csrf_token", "_permanent"})
# Twice what every public page and the full feed of the benchmark's 2,000
# events take (about 3.6 MB): a small machine runs two workers, each its own copy.
MAX_BYTES = 8 * 1024 * 1024
# A build at least this large leaves freed blocks behind that are handed
# back to the system at once (webapp.malloc.give_back).
LARGE_BUILD = 256 * 1024
BUILDER_STRIPES = 64


class ResponseCache:
    """Copies by key, each valid for one database stamp, dropped least recently used first."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        # key -> (stamp, value, size, number of the build that made it)
        self._entries: OrderedDict[Hashable, tuple[Hashable, Any, int, int]] = OrderedDict()
        self._bytes = 0
        self._builds = 0
        self._lock = threading.Lock()
        # Striped so that unknown keys (any id in a URL) cannot grow a table of locks.
        self._builders = [threading.Lock() for _ in range(BUILDER_STRIPES)]

    def _get(self, key: Hashable, stamp: Hashable, built_after: int) -> tuple[bool, Any]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or (entry[0] != stamp and entry[3] <= built_after):
                return False, None
            self._entries.move_to_end(key)
            return True, entry[1]

    def _put(self, key: Hashable, entry: tuple[Hashable, Any, int, int]) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            if entry[2] > self.max_bytes // 4:
                return
            self._entries[key] = entry
            self._bytes += entry[2]
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped[2]

    def fetch(self, key: Hashable, stamp: Hashable, build: Callable[[], T],
              size: Callable[[T], int], stale_while_building: bool = False) -> T:
        """The copy of ``key`` for ``stamp``, building it (once at a time per key) when missing.

        With ``stale_while_building``, a request that finds the copy being
        rebuilt takes the previous one rather than waiting for the build.
        """
        with self._lock:
            builds_so_far = self._builds
        builder = self._builders[hash(key) % BUILDER_STRIPES]
        found, value = self._get(key, stamp, built_after=builds_so_far)
        if found:
            return value  # type: ignore[no-any-return]
        if stale_while_building and builder.locked():
            with self._lock:
                previous = self._entries.get(key)
            if previous is not None:
                return previous[1]  # type: ignore[no-any-return]
        # One thread builds while the others wait: a burst of requests for a
        # large feed costs one build and one build's memory. A copy whose
        # build began after this request took its stamp read data at least
        # that fresh, so waiters take it even if the stamp has moved on since.
        with builder:
            found, value = self._get(key, stamp, built_after=builds_so_far)
            if found:
                return value  # type: ignore[no-any-return]
            with self._lock:
                self._builds += 1
                number = self._builds
            built = build()
            built_size = size(built)
            self._put(key, (stamp, built, built_size, number))
        if built_size >= LARGE_BUILD:
            give_back()
        return built


class Watcher:
    """A connection per process that only asks whether the database has changed.

    It never writes, so on SQLite every commit, this process's own included,
    is another connection's and moves its ``data_version``; on PostgreSQL it
    runs in autocommit, so each question sees a fresh snapshot. Being its own
    connection, a kept copy costs one small query and no pool checkout.
    """

    def __init__(self, engine: Engine) -> None:
        url = engine.url
        self.sqlite_path = url.database if url.get_backend_name() == "sqlite" else None
        # psycopg takes the libpq form of the URL, without SQLAlchemy's driver name.
        self.conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.lock = threading.Lock()
        self.pid = 0
        self.connection: Any = None
        self.version: object = None
        self.generation = 0
        self.asked_at = 0.0
        # Tests and tools dispose of engines; the watcher's connection goes with them.
        sqlalchemy_event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def _connect(self) -> Any:
        if self.sqlite_path is not None:
            return sqlite3.connect(self.sqlite_path, check_same_thread=False, timeout=5)
        import psycopg

        return psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)

    def _ask(self) -> object:
        if self.sqlite_path is not None:
            return self.connection.execute("PRAGMA data_version").fetchone()[0]
        return self.connection.execute("SELECT pg_current_snapshot()::text").fetchone()[0]

    def close(self) -> None:
        """Close the connection; the next question opens another."""
        with self.lock:
            if self.connection is not None and self.pid == os.getpid():
                with contextlib.suppress(Exception):
                    self.connection.close()
            self.connection = None

    def stamp(self, fresh_within: float = 0.0) -> Hashable | None:
        """A number that grows whenever something has been committed since the last call.

        With ``fresh_within``, an answer this process got less than that many
        seconds ago is given again without asking: commits made elsewhere in
        that moment are seen up to ``fresh_within`` seconds late (this
        process's own commits are counted separately and are seen at once).
        """
        if (fresh_within and self.pid == os.getpid() and self.version is not None
                and time.monotonic() - self.asked_at < fresh_within):
            return self.generation
        with self.lock:
            if self.pid != os.getpid():
                # A connection must not cross a fork; start afresh in the child.
                self.pid, self.connection, self.version = os.getpid(), None, None
            try:
                if self.connection is None:
                    self.connection = self._connect()
                version = self._ask()
            except Exception:
                # Any failure (a restarted server, a dropped link): serve this
                # request uncached and reconnect on the next.
                with contextlib.suppress(Exception):
                    self.connection.close()
                self.connection = None
                return None
            self.asked_at = time.monotonic()
            if version != self.version:
                self.version = version
                self.generation += 1
            return self.generation


_SETUP = threading.Lock()
# Commits by this process's sessions: seen at once even when the database is
# not asked (``fresh_within``).
_local_commits = [0]
_COUNTING = threading.Lock()


@sqlalchemy_event.listens_for(Session, "after_commit")
def _count_local_commit(_session: Session) -> None:
    with _COUNTING:
        _local_commits[0] += 1


def _parts() -> tuple[ResponseCache, Watcher] | None:
    """This app's cache and watcher, or ``None`` when switched off."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    parts = app.extensions.get("mingle_response_cache")
    if parts is None:
        with _SETUP:
            parts = app.extensions.get("mingle_response_cache")
            if parts is None:
                parts = app.extensions["mingle_response_cache"] = _set_up(app)
    return parts or None


def _set_up(app: Flask) -> tuple[ResponseCache, Watcher] | bool:
    # Made on first use, so the app factory need not know; RESPONSE_CACHE=False is off.
    if not app.config.get("RESPONSE_CACHE", True):
        return False
    url = db.engine.url
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    if url.get_backend_name() not in ("sqlite", "postgresql") or in_memory:
        # In memory, a second connection would see another database.
        return False
    return ResponseCache(), Watcher(db.engine)


def database_stamp(fresh_within: float = 0.0) -> Hashable | None:
    """What the database looks like now, as far as kept copies care; ``None``: do not keep.

    ``fresh_within``: see ``Watcher.stamp``.
    """
    parts = _parts()
    if parts is None:
        return None
    version = parts[1].stamp(fresh_within)
    if version is None:
        return None
    return version, _local_commits[0], int(time.time() // 60)


def cached(key: Hashable, build: Callable[[], T], size: Callable[[T], int] = len,
           stale_while_building: bool = False, fresh_within: float = 0.0) -> T:
    """The kept copy of ``key`` if the database has not changed since, else ``build()`` kept.

    ``stale_while_building`` and ``fresh_within`` suit answers that tell
    clients they may be kept anyway (feeds say ``max-age=300``): while one
    request rebuilds, the others get the previous copy instead of queueing
    behind the build; and commits by other processes may show up to
    ``fresh_within`` seconds late, so that most requests need not ask the
    database at all.
    """
    stamp = database_stamp(fresh_within)
    parts = _parts()
    if stamp is None or parts is None:
        return build()
    return parts[0].fetch(key, stamp, build, size, stale_while_building)


def cached_page(key: Hashable, render: Callable[[], str]) -> str:
    """A kept HTML page whose CSRF token is this visitor's own.

    Pages are kept for anonymous visitors only: anyone whose session holds
    more than a CSRF token (a signed-in organiser, a flashed message) gets a
    page rendered for them.
    """
    if not ANONYMOUS_SESSION_KEYS.issuperset(session.keys()):
        return render()

    def build() -> str:
        # generate_csrf() is the token the page was just rendered with.
        return render().replace(generate_csrf(), CSRF_HOLE)

    page = cached(key, build)
    return page.replace(CSRF_HOLE, generate_csrf()) if CSRF_HOLE in page else page


