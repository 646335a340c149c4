"""A real multi-process Mingle (gunicorn) on 127.0.0.1, and clients that hit it from
several processes at once.

Concurrency claims are proved against the server as it runs in production:
separate worker processes, each with its own connection pool, sharing only the
database. The clients are separate processes too, released together by one
barrier, so the requests truly overlap instead of taking turns under one GIL.
"""

from __future__ import annotations

import http.client
import importlib.metadata
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def server_log_path(tmp_path: Path, base_url: str) -> Path:
    """Where the server started by ``gunicorn_server`` for ``base_url`` writes its log."""
    return tmp_path / f"gunicorn-{urlsplit(base_url).port}.log"


@contextmanager
def gunicorn_server(database_url: str, tmp_path: Path, *, workers: int = 2, threads: int = 4,
                    env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve ``wsgi:app`` with gunicorn on a free port of 127.0.0.1; yield its base URL.

    The server uses ``database_url`` and writes mail as files under
    ``tmp_path/mail``; its stderr goes to ``server_log_path(tmp_path, url)``.
    Fails the test with that log if the server does not answer ``/healthz``
    in time or dies while starting.
    """
    # Imported here, not at the top: client processes import this module and
    # need none of the application.
    from tests.conftest import ROOT, free_port

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = dict(os.environ)
    environment.pop("MAIL_SERVER", None)
    environment.update(
        DATABASE_URL=database_url,
        SECRET_KEY="test-secret-key",
        MINGLE_ENV="test",
        BASE_URL=base_url,
        RATELIMIT_ENABLED="0",
        OUTBOX_IN_PROCESS="0",
        MAIL_DIR=str(tmp_path / "mail"),
        MINGLE_INSTANCE=str(tmp_path / "instance"),
    )
    environment.update(env or {})
    command = [
        sys.executable, "-m", "gunicorn", "wsgi:app",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--worker-class", "gthread",
        "--timeout", "60",
        "--graceful-timeout", "5",
    ]
    if _gunicorn_version() >= (25, 1):
        # From 25.1 every gunicorn opens one control socket in the home folder
        # by default, so servers of parallel tests would answer for each other.
        command.append("--no-control-socket")
    log_path = server_log_path(tmp_path, base_url)
    with log_path.open("wb") as log:
        # A session of its own, so stopping it reaches the workers too.
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_healthy(process, base_url, log_path)
        yield base_url
    finally:
        _stop(process)


def _gunicorn_version() -> tuple[int, ...]:
    release = importlib.metadata.version("gunicorn").split(".")
    return tuple(int(part) for part in release[:2] if part.isdigit())


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode} while starting:\n"
                        f"{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /healthz within {START_TIMEOUT:.0f} s:\n"
                f"{log_path.read_text(errors='replace')}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


@dataclass(frozen=True)
class Reply:
    """One request as a client saw it: what was sent, the HTTP status and the JSON body."""

    sent: dict[str, Any]
    status: int
    body: dict[str, Any]


def post_json_from_processes(base_url: str, path: str, bodies: Sequence[dict[str, Any]], *,
                             processes: int = 4, connections: int = 25,
                             timeout: float = 60.0) -> list[Reply]:
    """POST each of ``bodies`` as JSON to ``path``, all at once, and return every reply.

    The bodies are dealt out to ``processes`` client processes with up to
    ``connections`` threads each; every thread first waits on one barrier
    shared by all processes, so the first wave of requests leaves together.
    Every request and the whole run are bounded by ``timeout`` seconds.
    A request that fails at the transport level is reported with status 0.
    """
    return _from_processes(base_url, path, bodies, _post_json, processes, connections, timeout)


def post_forms_from_processes(base_url: str, forms: Sequence[dict[str, Any]], *,
                              processes: int = 4, connections: int = 25,
                              timeout: float = 60.0) -> list[Reply]:
    """POST each of ``forms`` (``{"path", "fields", "cookie"}``) as a browser's form, all at
    once, as ``post_json_from_processes`` does; each reply's body holds the redirect's
    ``location`` and the page's ``text``."""
    return _from_processes(base_url, "", forms, _post_form, processes, connections, timeout)


Send = Callable[[str, str, dict[str, Any], float], tuple[int, dict[str, Any]]]


def _from_processes(base_url: str, path: str, bodies: Sequence[dict[str, Any]], send: Send,
                    processes: int, connections: int, timeout: float) -> list[Reply]:
    context = multiprocessing.get_context("spawn")
    shares = [list(bodies[index::processes]) for index in range(processes)]
    shares = [share for share in shares if share]
    threads = sum(min(connections, len(share)) for share in shares)
    barrier = context.Barrier(threads, timeout=timeout)
    results = context.Queue()
    clients = [context.Process(target=_client_process,
                               args=(base_url, path, share, connections, timeout, barrier,
                                     results, send),
                               daemon=True)
               for share in shares]
    for client in clients:
        client.start()
    replies: list[Reply] = []
    try:
        for _ in clients:
            replies += [Reply(*row) for row in results.get(timeout=timeout * 2)]
    finally:
        for client in clients:
            client.join(timeout=STOP_TIMEOUT)
            if client.is_alive():
                client.kill()
                client.join()
    return replies


def _client_process(base_url: str, path: str, share: list[dict[str, Any]], connections: int,
                    timeout: float, barrier: Any, results: Any, send: Send) -> None:
    rows: list[tuple[dict[str, Any], int, dict[str, Any]]] = []
    lock = threading.Lock()
    pending = iter(share)

    def next_body() -> dict[str, Any] | None:
        with lock:
            return next(pending, None)

    def run() -> None:
        barrier.wait()
        while (body := next_body()) is not None:
            row = (body, *send(base_url, path, body, timeout))
            with lock:
                rows.append(row)

    workers = [threading.Thread(target=run) for _ in range(min(connections, len(share)))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout * 2)
    results.put(rows)


def _post_json(base_url: str, path: str, body: dict[str, Any],
               timeout: float) -> tuple[int, dict[str, Any]]:
    status, raw, _ = _post(base_url, path, json.dumps(body).encode(),
                           {"Content-Type": "application/json"}, timeout)
    if status == 0:
        return 0, {"error": raw.decode()}
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = {"raw": raw.decode(errors="replace")[:500]}
    return status, parsed if isinstance(parsed, dict) else {"json": parsed}


def _post(base_url: str, path: str, body: bytes, headers: dict[str, str],
          timeout: float) -> tuple[int, bytes, str]:
    """Status, body and Location of one POST on a fresh connection; status 0 and the
    error's description in the body when the transport fails."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port,
                                            timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers={**headers, "Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Location") or ""
    except OSError as error:
        return 0, f"{type(error).__name__}: {error}".encode(), ""
    finally:
        connection.close()


def _post_form(base_url: str, _path: str, form: dict[str, Any],
               timeout: float) -> tuple[int, dict[str, Any]]:
    status, raw, location = _post(
        base_url, form["path"], urlencode(form["fields"]).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": form.get("cookie", "")},
        timeout)
    if status == 0:
        return 0, {"error": raw.decode()}
    return status, {"location": location, "text": raw.decode(errors="replace")}


_CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def visitor_form(base_url: str, form_page: str, path: str, fields: dict[str, str],
                 timeout: float = 30.0) -> dict[str, Any]:
    """A form for ``post_forms_from_processes`` as a new visitor would send it: the session
    cookie and CSRF token they get from ``form_page``, and ``fields`` posted to ``path``."""
    with urllib.request.urlopen(f"{base_url}{form_page}", timeout=timeout) as response:
        cookie = response.headers.get("Set-Cookie", "").split(";", 1)[0]
        html = response.read().decode()
    found = _CSRF_FIELD.search(html)
    if not cookie or found is None:
        raise RuntimeError(f"{form_page} gave no session cookie or CSRF token")
    return {"path": path, "fields": {**fields, "csrf_token": found.group(1)}, "cookie": cookie}
