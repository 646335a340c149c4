"""gunicorn's settings for Mingle, read by gunicorn from the folder it starts in.

Only a check is added: with more than one worker, rate limits must be counted
in a shared store (webapp.config.shared_limits_problem). The check runs in
each worker once the app is loaded, so the master imports nothing of Mingle.
"""

from typing import Any


def post_worker_init(worker: Any) -> None:
    from webapp.config import shared_limits_problem

    problem = shared_limits_problem(worker.wsgi.config, worker.cfg.workers)
    if problem:
        worker.log.error(problem)
        # A worker that fails to boot stops the whole server (gunicorn's
        # WORKER_BOOT_ERROR), so the misconfiguration is seen at once.
        raise SystemExit(3)
