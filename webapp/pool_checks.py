"""Check a pooled database connection before use only when it has sat idle.

SQLAlchemy's ``pool_pre_ping`` asks the server a question at every checkout:
a whole round trip on every request, for a connection that was in use a few
milliseconds ago. A connection that has been idle for a while (the server
may have restarted, or a firewall dropped it) is pinged as before; one back
from a request just now is not. If the server went away in between, the
failure is recognised as a disconnect and SQLAlchemy replaces the whole pool.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

IDLE_SECONDS = 5.0


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_SECONDS) -> None:
    """Ping a connection at checkout if it has been idle in the pool for ``idle_seconds``."""

    @event.listens_for(engine, "checkin")
    def _idle_from_now(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out another.
            raise DisconnectionError("the database connection was lost") from error
        if not alive:
            raise DisconnectionError("the database connection was lost")
