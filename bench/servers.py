"""Start and stop an app under its production server, and read its workers' memory."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Two cores: two worker processes side by side, each with a few threads to
# overlap database waits. Measured here, 4 threads served Mingle's pages best
# (8 lost to GIL contention, 2 left waits unfilled); overridable to compare.
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))


@dataclass
class Server:
    """A running gunicorn master on ``port``."""

    process: subprocess.Popen[bytes]
    port: int

    def worker_pids(self) -> list[int]:
        """The master's children: its worker processes."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def peak_rss_mb(self) -> list[float]:
        """Each worker's peak resident memory (VmHWM), in MiB."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_settings() -> dict[str, object]:
    return {"server": "gunicorn", "worker_class": "gthread", "workers": WORKERS,
            "threads": THREADS}


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request to 127.0.0.1:``port``; returns status, headers and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _wait_until_up(server: Server, log: Path, deadline: float = 60.0) -> None:
    give_up = time.monotonic() + deadline
    while time.monotonic() < give_up:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited; see {log}:\n{log.read_text()[-2000:]}")
        try:
            request(server.port, "GET", "/healthz")
        except OSError:
            time.sleep(0.2)
            continue
        if len(server.worker_pids()) >= WORKERS:
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {deadline:.0f} s; see {log}")


@contextmanager
def serving(app: str, env: dict[str, str], log: Path) -> Iterator[Server]:
    """Run ``app`` (a ``module:variable`` WSGI path) under gunicorn until the block ends."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--workers", str(WORKERS), "--threads", str(THREADS),
        "--keep-alive", "5", "--backlog", "256",
        "--worker-tmp-dir", "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",
        "--error-logfile", str(log), "--log-level", "warning",
    ]
    with log.open("ab") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                                   stdout=log_file, stderr=subprocess.STDOUT)
    server = Server(process, port)
    try:
        _wait_until_up(server, log)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask a server or worker to stop, and kill it if it has not within 30 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
