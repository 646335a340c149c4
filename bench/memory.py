"""The production stack's memory on SQLite, read from outside while it works.

The stack is what a small machine runs: gunicorn's master with its web
workers (the benchmark's settings) and one ``flask --app wsgi worker``
sending the outbox. While wrk drives every kind of page, the feed and both
RSVPs (so every feature is loaded and the outbox worker has mail to send),
a thread reads each process's ``/proc/<pid>/smaps_rollup`` ten times a second:

- RSS counts every page a process has in memory, shared ones included;
- PSS divides each shared page among the processes sharing it, so the PSS
  of all processes added up is what the stack takes from the machine;
- USS (private pages) is what stopping that one process would free.

A web worker's figure is its peak; the stack's is the peak of the sum over
all its processes at one moment, beside the same sum at rest, just before the
load starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import load, servers

# Seconds each kind of load runs while memory is read.
SECONDS = int(os.environ.get("BENCH_MEMORY_SECONDS", "4"))
# Seconds between readings.
INTERVAL = 0.1
# "in-process": no outbox worker; each web worker drains the outbox in a thread
# (OUTBOX_IN_PROCESS=1), the other way to run a small machine.
OUTBOX = os.environ.get("BENCH_MEMORY_OUTBOX", "worker")


@dataclass(frozen=True)
class Usage:
    """One reading of one process, in MiB."""

    rss: float
    pss: float
    uss: float


def usage(pid: int) -> Usage | None:
    """``pid``'s memory now, or None if it has exited."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = {}
    for line in text.splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0]) / 1024
    return Usage(fields.get("Rss", 0.0), fields.get("Pss", 0.0),
                 fields.get("Private_Clean", 0.0) + fields.get("Private_Dirty", 0.0))


@dataclass
class Peaks:
    """The highest readings seen, per process and for the stack as a whole."""

    roles: dict[int, str] = field(default_factory=dict)
    each: dict[int, Usage] = field(default_factory=dict)
    stack_rss: float = 0.0
    stack_pss: float = 0.0

    def add(self, readings: dict[int, Usage]) -> None:
        for pid, reading in readings.items():
            old = self.each.get(pid, Usage(0.0, 0.0, 0.0))
            self.each[pid] = Usage(max(old.rss, reading.rss), max(old.pss, reading.pss),
                                   max(old.uss, reading.uss))
        self.stack_rss = max(self.stack_rss, sum(r.rss for r in readings.values()))
        self.stack_pss = max(self.stack_pss, sum(r.pss for r in readings.values()))


class Sampler:
    """Reads the stack's processes in a background thread until stopped."""

    def __init__(self, processes: dict[str, int | list[int]]) -> None:
        self.peaks = Peaks()
        for role, pids in processes.items():
            for pid in pids if isinstance(pids, list) else [pids]:
                self.peaks.roles[pid] = role
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopped.is_set():
            readings = {pid: reading for pid in self.peaks.roles
                        if (reading := usage(pid)) is not None}
            self.peaks.add(readings)
            self.stopped.wait(INTERVAL)

    def __enter__(self) -> Sampler:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        self.thread.join()


@contextmanager
def outbox_worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``flask --app wsgi worker`` (a pass every second) until the block ends."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--interval", "1"]
    with log.open("ab") as log_file:
        process = subprocess.Popen(command, cwd=servers.ROOT, env={**os.environ, **env},
                                   stdout=log_file, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        servers.stop(process)


def measure(env: dict[str, str], loads: list[tuple[str, str, dict[str, str]]],
            workdir: Path) -> dict[str, Any]:
    """Run the stack under each of ``loads`` (name, wrk script, its settings) and return the
    peaks: each web worker's, the master's, the outbox worker's and the stack's."""
    separate = OUTBOX != "in-process"
    stack_env = {**env, "OUTBOX_IN_PROCESS": "0" if separate else "1"}
    with (servers.serving("wsgi:app", stack_env, workdir / "memory.log") as web,
          outbox_worker(stack_env, workdir / "worker.log") if separate
          else nullcontext() as worker):
        # The worker has loaded the app once it answers the first pass.
        time.sleep(3)
        roles: dict[str, int | list[int]] = {"master": web.process.pid,
                                             "web worker": web.worker_pids()}
        if worker is not None:
            roles["outbox worker"] = worker.pid
        at_rest = [reading for pid in [web.process.pid, *web.worker_pids(),
                                       *([worker.pid] if worker else [])]
                   if (reading := usage(pid)) is not None]
        with Sampler(roles) as sampler:
            for name, script, run_env in loads:
                figures = load.run(web.port, script, run_env, workdir, SECONDS)
                _settle(web.port)
                print(f"  memory: {name} {figures.per_second:.0f} req/s", flush=True)
            # The outbox worker sends what the RSVPs queued.
            time.sleep(2 * SECONDS)
        hwm = dict(zip(web.worker_pids(), web.peak_rss_mb(), strict=True))
        if worker is not None and worker.poll() is not None:
            raise SystemExit(f"the outbox worker exited; see {workdir / 'worker.log'}")
    peaks = sampler.peaks

    def of(role: str) -> list[dict[str, float]]:
        return [{"rss": round(u.rss, 1), "pss": round(u.pss, 1), "uss": round(u.uss, 1),
                 **({"rss_hwm": round(hwm[pid], 1)} if pid in hwm else {})}
                for pid, u in peaks.each.items() if peaks.roles[pid] == role]

    return {"web_workers": of("web worker"), "master": of("master")[0],
            "outbox_worker": (of("outbox worker") or [None])[0],
            "stack_rss": round(peaks.stack_rss, 1), "stack_pss": round(peaks.stack_pss, 1),
            "at_rest_pss": round(sum(reading.pss for reading in at_rest), 1),
            "at_rest_rss": round(sum(reading.rss for reading in at_rest), 1)}


def _settle(port: int) -> None:
    """Wait for the requests wrk left queued; on a loaded machine that can take long."""
    for _ in range(10):
        try:
            load.settle(port)
            return
        except TimeoutError:
            continue


def lines(result: dict[str, Any]) -> list[str]:
    """The figures as the benchmark prints them."""
    workers = result["web_workers"]
    each = "; ".join(f"RSS {w['rss']:.0f} (high-water {w['rss_hwm']:.0f}), PSS {w['pss']:.0f}, "
                     f"USS {w['uss']:.0f}" for w in workers)
    master, outbox = result["master"], result["outbox_worker"]
    sender = (f"outbox worker: RSS {outbox['rss']:.0f}, PSS {outbox['pss']:.0f}, "
              f"USS {outbox['uss']:.0f}" if outbox else "outbox drained in the web workers")
    return [
        f"peak per web worker (MiB): {each}",
        f"gunicorn master: RSS {master['rss']:.0f}, PSS {master['pss']:.0f}; {sender}",
        f"whole stack ({len(workers)} web workers, master"
        f"{', outbox worker' if outbox else ''}) at its peak: "
        f"PSS {result['stack_pss']:.0f} MiB (RSS added up {result['stack_rss']:.0f} MiB); "
        f"at rest before the load: PSS {result['at_rest_pss']:.0f} MiB "
        f"(RSS added up {result['at_rest_rss']:.0f} MiB)",
    ]
