"""SQLite connections tuned for a multi-threaded, multi-process web server.

SQLite lets one writer in at a time. When the lock is taken, its busy handler
polls with growing sleeps (up to 100 ms each), so under a burst of RSVPs most
of the time goes to sleeping rather than writing, and the slowest request
waits for seconds. Queueing writers on an advisory file lock beside the
database instead wakes the next writer the moment the previous one commits,
across threads and processes alike (each connection holds its own open file
description, so ``flock`` excludes within one process as well).

Checkpoints (copying the write-ahead log back into the database file, with
an fsync) are made by a background thread in each process rather than by
whichever commit happens to cross SQLite's threshold: that commit would do it
while holding the write lock, and every other writer would wait milliseconds.
Commits still checkpoint if the log grows far beyond what the thread keeps up
with.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(WRITES)


class QueuedWriterCursor(sqlite3.Cursor):
    """A cursor that queues for the writers' lock before running a write.

    Checked here rather than in a SQLAlchemy event so that statements run
    straight on the driver's cursor (``events.prepared``) queue as well.
    """

    connection: QueuedWriterConnection

    def execute(self, sql: str, parameters: Any = (), /) -> QueuedWriterCursor:
        if _is_write(sql):
            self.connection.take_writer_lock()
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> QueuedWriterCursor:
        if _is_write(sql):
            self.connection.take_writer_lock()
        return super().executemany(sql, seq_of_parameters)


class QueuedWriterConnection(sqlite3.Connection):
    """A connection that takes the writers' file lock before its first write."""

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._lock_fd: int | None = None
        self._holding = False
        database = os.fsdecode(database)
        if database and database != ":memory:" and not database.startswith("file:"):
            self._lock_fd = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)

    def cursor(self, factory: Any = QueuedWriterCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)

    def take_writer_lock(self) -> None:
        if self._lock_fd is not None and not self._holding:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            self._holding = True

    def _release(self) -> None:
        if self._holding and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            self._holding = False

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            self._release()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
        finally:
            super().close()


def connect_args() -> dict[str, Any]:
    """``connect_args`` for SQLAlchemy's SQLite engine."""
    # The busy timeout stays as a backstop for writers outside this queue
    # (e.g. the sqlite3 shell).
    return {"timeout": 30, "factory": QueuedWriterConnection}


# How often the background thread checkpoints, and the log size (in pages)
# at which a commit checkpoints anyway (SQLite's own default is 1,000).
CHECKPOINT_EVERY = 0.25
COMMITS_CHECKPOINT_AT = 10_000
# Each connection's own page cache, in KiB (SQLite's default is 2,000). A web
# worker keeps a connection per thread, and each filled its cache: about 10 MB
# a worker under load. The operating system caches the file for every process
# at once, so a page missing here costs a read from memory, not from disk.
PAGE_CACHE_KIB = 512


class Checkpointer:
    """A daemon thread per process that checkpoints one database's log.

    PASSIVE checkpoints never wait for, or hold up, readers and writers.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.pid = 0
        self.stopped = threading.Event()
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        """Start the thread in this process if it is not running (threads do not
        survive fork, and a disposed engine stopped it)."""
        if self.pid == os.getpid():
            return
        with self._lock:
            if self.pid != os.getpid():
                self.pid = os.getpid()
                self.stopped = threading.Event()
                threading.Thread(target=self._run, args=(self.stopped,),
                                 name="sqlite-checkpointer", daemon=True).start()

    def stop(self) -> None:
        """Stop this process's thread; the next connection starts another."""
        with self._lock:
            self.stopped.set()
            self.pid = 0

    def _run(self, stopped: threading.Event) -> None:
        connection = sqlite3.connect(self.path, timeout=0, check_same_thread=False)
        try:
            while not stopped.wait(CHECKPOINT_EVERY):
                # Busy (another process checkpointing) or gone: try again next time.
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            connection.close()


def tune(engine: Engine) -> None:
    """Set the pragmas every connection needs (writes queue through its cursors),
    and checkpoint a file database's log in the background."""
    path = engine.url.database
    checkpointer = (Checkpointer(path) if path and path != ":memory:"
                    and not path.startswith("file:") else None)
    if checkpointer is not None:
        event.listen(engine, "engine_disposed", lambda _engine: checkpointer.stop())

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while one writer holds the lock.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
        if checkpointer is not None:
            cursor.execute(f"PRAGMA wal_autocheckpoint={COMMITS_CHECKPOINT_AT}")
            checkpointer.ensure_running()
        cursor.close()
