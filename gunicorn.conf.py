"""gunicorn's settings for Mingle, read by gunicorn from the folder it starts in.

Two things. With more than one worker, rate limits must be counted in a shared
store (webapp.config.shared_limits_problem): each worker checks once the app is
loaded and a misconfigured server stops at once.

When separate ``flask --app wsgi worker`` processes send the e-mail
(``OUTBOX_IN_PROCESS=0``), the master loads the app once before it forks its
workers, so the workers share the pages of everything imported instead of
each holding a copy of its own (copy-on-write). The collector is kept off
while loading and then told to leave the loaded objects alone
(``gc.freeze``), because a collection touching them would copy their pages
into every worker. With the outbox drained in each web process the app is
loaded by each worker, as gunicorn does by default: the drain runs in a
thread, and a thread started in the master would not be in its workers.
"""

from __future__ import annotations

import gc
import os
from typing import Any

# As webapp.config reads it (not imported here: the master would load the app's packages).
_in_process = os.environ.get("OUTBOX_IN_PROCESS")
preload_app = _in_process is not None and _in_process.strip().lower() not in (
    "1", "true", "yes", "on")

if preload_app:
    gc.disable()


def when_ready(_server: object) -> None:
    # Called once the app is loaded, before the first worker is forked.
    if preload_app:
        # Mappers are configured on first use; done here, their several
        # megabytes are made once and shared instead of once per worker.
        from sqlalchemy.orm import configure_mappers

        configure_mappers()
        gc.freeze()
        gc.enable()


def post_worker_init(worker: Any) -> None:
    from webapp.config import shared_limits_problem

    problem = shared_limits_problem(worker.wsgi.config, worker.cfg.workers)
    if problem:
        worker.log.error(problem)
        # A worker that fails to boot stops the whole server (gunicorn's
        # WORKER_BOOT_ERROR), so the misconfiguration is seen at once.
        raise SystemExit(3)
