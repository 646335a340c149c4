"""Statements compiled once per database and run straight on the driver's cursor.

SQLAlchemy's execution machinery (compiled-cache look-up, execution context,
result object) costs about 40 µs a statement, more than SQLite takes to run a
small INSERT. On the RSVP those statements run while SQLite's single write
lock is held, so the overhead is time every other writer waits. A prepared
statement keeps what SQLAlchemy knows, the SQL for this dialect and each
parameter's type conversion, and skips the rest.

Errors come back as SQLAlchemy's own exceptions (``IntegrityError``,
``OperationalError``), so callers handle them as for any other statement.
Returned columns are handed over as the driver gives them: only columns whose
type needs no conversion (integers, text) may be returned.

A statement that queues an e-mail says so (``queues_mail=True``); running it
marks the session, so the outbox drainer wakes once the transaction commits
(``outbox.note_queued``), and nobody running it has to remember that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from events import outbox


class Target(NamedTuple):
    """Where prepared statements run: the session's transaction and its connection,
    looked up once per RSVP rather than once per statement."""

    session: Session
    connection: Connection

    @classmethod
    def of(cls, session: Session) -> Target:
        return cls(session, session.connection())


class Outcome(NamedTuple):
    """What a statement that returns no rows did."""

    rowcount: int
    # SQLite's rowid of the row an INSERT added (meaningless when rowcount is 0).
    lastrowid: int | None


# Marks a parameter that the caller must give (every one but SQLAlchemy's own literals).
_GIVEN = object()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # (name, conversion, fixed value), once per name: a fixed value, already
    # converted, belongs to a literal that SQLAlchemy turned into a parameter
    # (the 1 of ``seats_taken + 1``).
    binds: tuple[tuple[str, Callable[[Any], Any] | None, Any], ...]
    # For a driver with positional parameters, the names in the SQL's order
    # (a name used twice appears twice but is converted once).
    order: tuple[str, ...] | None


class Prepared:
    """One statement, given as ``build(dialect_name)``, compiled on first use per dialect."""

    def __init__(self, build: Callable[[str], Executable], keys: Sequence[str] = (),
                 queues_mail: bool = False) -> None:
        self._build = build
        self._keys = list(keys)
        self._queues_mail = queues_mail
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        statement = self._build(dialect.name)
        compiled = statement.compile(dialect=dialect, column_keys=self._keys)
        # The columns of a SELECT, or of an INSERT/UPDATE's RETURNING.
        for column in getattr(statement, "exported_columns", ()):
            if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
                raise TypeError(f"{column} needs converting on the way out; "
                                "a prepared statement cannot return it")
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        binds = []
        for name in dict.fromkeys(order if order is not None else compiled.bind_names.values()):
            bind = compiled.binds[name]
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:
                binds.append((name, convert, _GIVEN))
            else:
                # A literal (or a parameter the caller may override): convert it now.
                fixed = bind.effective_value
                binds.append((name, convert, convert(fixed) if convert else fixed))
        prepared = _Compiled(compiled.string, tuple(binds), order)
        self._compiled[dialect.name] = prepared
        return prepared

    def _run(self, target: Target, params: Mapping[str, Any]) -> Any:
        connection = target.connection
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name) or self._compile(dialect)
        values: dict[str, Any] = {}
        for name, convert, fixed in compiled.binds:
            # A missing parameter is a KeyError here, not a NULL in the database.
            if fixed is _GIVEN or name in params:
                value = params[name]
                values[name] = convert(value) if convert else value
            else:
                values[name] = fixed
        arguments: Any = (values if compiled.order is None
                          else [values[name] for name in compiled.order])
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            invalidated = dialect.is_disconnect(error, connection.connection, cursor)
            if invalidated:
                connection.invalidate(error)
            raise DBAPIError.instance(compiled.sql, arguments, error,
                                      dialect.loaded_dbapi.Error,
                                      connection_invalidated=invalidated) from error
        if self._queues_mail:
            outbox.note_queued(target.session)
        return cursor

    def first(self, target: Target, params: Mapping[str, Any]) -> Any:
        """Run the statement and return its first row as a tuple, or ``None``."""
        cursor = self._run(target, params)
        try:
            return cursor.fetchone()
        finally:
            cursor.close()

    def run(self, target: Target, params: Mapping[str, Any]) -> Outcome:
        """Run a statement that returns no rows; say how many it changed and,
        for an INSERT on SQLite, the new row's id."""
        cursor = self._run(target, params)
        try:
            return Outcome(cursor.rowcount, getattr(cursor, "lastrowid", None))
        finally:
            cursor.close()
