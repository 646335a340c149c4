"""Drive a server with wrk and read back its figures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench import servers

HERE = Path(__file__).resolve().parent
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
DURATION = int(os.environ.get("BENCH_DURATION", "5"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "1"))
WRK_THREADS = 2


@dataclass(frozen=True)
class Figures:
    """What one measurement gave."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: dict[str, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is missing: install Debian's 'wrk' package "
                         "(make bench does, as root).")
    return found


def _script(name: str, workdir: Path) -> Path:
    # wrk loads one file per thread; the shared reporting code goes after the script.
    combined = workdir / f"{name}.combined.lua"
    parts = (HERE / f"{name}.lua").read_text(), (HERE / "report.lua").read_text()
    combined.write_text("\n".join(parts))
    return combined


def run(port: int, script: str, env: dict[str, str], workdir: Path,
        seconds: int = DURATION) -> Figures:
    """Run wrk with ``script`` against 127.0.0.1:``port`` for ``seconds`` and return its figures."""
    out = workdir / "wrk-out.json"
    out.unlink(missing_ok=True)
    command = [wrk_path(), f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s",
               "--timeout", "10s", "-s", str(_script(script, workdir)),
               f"http://127.0.0.1:{port}"]
    subprocess.run(command, env={**os.environ, **env, "BENCH_OUT": str(out)}, check=True,
                   capture_output=True, timeout=seconds + 60)
    raw = json.loads(out.read_text())
    return Figures(requests=raw["requests"], seconds=raw["duration_us"] / 1e6,
                   p50_ms=raw["p50_us"] / 1000, p99_ms=raw["p99_us"] / 1000,
                   errors={key: value for key, value in raw["errors"].items() if value})


def settle(port: int, path: str = "/healthz", give_up_after: float = 60.0) -> None:
    """Wait until the server answers promptly again.

    wrk stops at its deadline, but requests it left queued are still served
    afterwards; the next measurement must not pay for them.
    """
    deadline = time.monotonic() + give_up_after
    while time.monotonic() < deadline:
        started = time.monotonic()
        servers.request(port, "GET", path)
        if time.monotonic() - started < 0.02:
            return
        time.sleep(0.2)


def measure(port: int, script: str, env: dict[str, str], workdir: Path) -> Figures:
    """A short warm-up (figures discarded), then the measured run."""
    if WARMUP:
        run(port, script, {**env, "BENCH_TAG": env.get("BENCH_TAG", "run") + "-warm"},
            workdir, WARMUP)
        settle(port)
    figures = run(port, script, env, workdir)
    settle(port)
    return figures
