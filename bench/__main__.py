"""``python -m bench``: measure Mingle's hot paths against a bare baseline and a write floor.

On SQLite (a fresh file) and, when ``BENCH_DATABASE_URL`` is set, on
PostgreSQL (whose ``public`` schema is emptied first), the benchmark migrates
and seeds a large programme, then measures with wrk at 32 connections: a
bare Flask "hello", a bare seat-insert "write floor", and Mingle's pages,
API, feeds and RSVP, each under gunicorn with the same settings, in rounds
(each round measures everything once). On SQLite it then reads the memory
of the production stack under every kind of request (``bench/memory.py``).
It prints a table, writes ``bench/results.json`` and checks that no event is
overbooked and that every event's counters agree with its places.
``python -m bench --only memory`` seeds SQLite and measures the memory alone.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from bench import load, memory, seed, servers, write_floor
from events.models import Event, Registration
from webapp.config import database_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# How many events the page benchmark visits in turn: a programme's busiest week.
PAGE_EVENTS = 50
TARGETS = {
    "rsvp_to_floor": 0.7, "rsvp_p99_ms": 250.0, "page_to_hello": 0.25,
    "feed_304_to_hello": 0.5, "worker_peak_mb": 80.0, "stack_pss_mb": 200.0,
}
PAGES = ("event page", "home page", "API list", "programme page", "series page", "ideas board",
         "help page")
RSVP = "RSVP (API POST)"
RSVP_FULL = "RSVP to a full event"
RSVP_FLOOD = "RSVP flood, one full event"
FLOOR = "write floor"
FLOOR_ONE = "write floor, one counter"
# Each RSVP row is held to the write floor that meets the same contention in
# the same round: RSVPs spread over many events against inserts spread over
# many counters, and a flood on one event (every writer waiting for the one
# event's row) against inserts that all guard one counter.
FLOOR_OF = {RSVP: FLOOR, RSVP_FULL: FLOOR, RSVP_FLOOD: FLOOR_ONE}
RSVPS = tuple(FLOOR_OF)
# The table's rows, in the order each round measures them.
ROWS = ("hello", *PAGES, "feed (full)", "feed (304)", FLOOR, RSVP, RSVP_FULL, FLOOR_ONE,
        RSVP_FLOOD)
# Rounds of every measurement (an odd number, for a median).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def _app_env(url: str, workdir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "MINGLE_ENV": "production",
        "BASE_URL": "http://127.0.0.1",
        "MINGLE_INSTANCE": str(workdir / "instance"),
        "MAIL_DIR": str(workdir / "mail"),
        "MAIL_DEFAULT_SENDER": "mingle@bench.example.org",
        # Limits would refuse a load generator on one address; the benchmark measures the app.
        "RATELIMIT_ENABLED": "0",
        # As in production at scale: web processes write outbox rows in the RSVP's
        # transaction and separate `worker` processes send them, so the row is
        # part of the measured cost and the sending is not.
        "OUTBOX_IN_PROCESS": "0",
    }


def _reset_postgres(url: str) -> None:
    engine = create_engine(database_url(url, ""), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def prepare(url: str, workdir: Path) -> seed.Seeded:
    """Empty (PostgreSQL), migrate and seed the database at ``url``."""
    if not url.startswith("sqlite"):
        _reset_postgres(url)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "heads"],
                   cwd=ROOT, env={**os.environ, **_app_env(url, workdir)}, check=True,
                   capture_output=True)
    started = time.monotonic()
    seeded = seed.seed(database_url(url, ""))
    print(f"  seeded {seeded.events} events and {seeded.registrations} registrations "
          f"in {time.monotonic() - started:.1f} s", flush=True)
    return seeded


def _row(name: str, runs: list[load.Figures]) -> dict[str, Any]:
    """A row of the table: the median round's figures, and every round's requests/s."""
    figures = _median(runs)
    row = {"name": name, "requests_per_s": round(figures.per_second, 1),
           "p50_ms": round(figures.p50_ms, 2), "p99_ms": round(figures.p99_ms, 2),
           "requests": figures.requests, "rounds": [round(run.per_second, 1) for run in runs]}
    errors: dict[str, int] = {}
    for run in runs:
        for kind, count in run.errors.items():
            errors[kind] = errors.get(kind, 0) + count
    row["errors"] = errors
    return row


def _median(runs: list[load.Figures]) -> load.Figures:
    return sorted(runs, key=lambda figures: figures.per_second)[len(runs) // 2]


def _median_ratio(runs: list[load.Figures], baseline: list[load.Figures]) -> float:
    """The median of the round-by-round ratios: each round against the baseline
    measured in the same round, a minute apart at most."""
    ratios = sorted(run.per_second / base.per_second
                    for run, base in zip(runs, baseline, strict=True))
    return round(ratios[len(ratios) // 2], 3)


def _expect(port: int, method: str, path: str, status: int, **kwargs: Any) -> dict[str, str]:
    got, headers, body = servers.request(port, method, path, **kwargs)
    if got != status:
        raise SystemExit(f"{method} {path} answered {got}, not {status}: {body[:300]!r}")
    return headers


def page_loads(seeded: seed.Seeded) -> tuple[tuple[str, dict[str, str]], ...]:
    """The GET rows: each row's name and wrk settings (``get.lua``)."""
    pages = ",".join(f"/events/{event_id}" for event_id in seeded.roomy_event_ids[:PAGE_EVENTS])
    return (("event page", {"BENCH_PATHS": pages}), ("home page", {"BENCH_PATHS": "/"}),
            ("API list", {"BENCH_PATHS": "/api/v1/events"}),
            ("programme page", {"BENCH_PATHS": ",".join(
                f"/programmes/{slug}" for slug in seeded.programme_slugs)}),
            ("series page", {"BENCH_PATHS": ",".join(
                f"/series/{series_id}" for series_id in seeded.series_ids)}),
            ("ideas board", {"BENCH_PATHS": f"/programmes/{seed.BOARD_SLUG}/ideas"}),
            ("help page", {"BENCH_PATHS": "/help"}),
            ("feed (full)", {"BENCH_PATHS": "/calendar.ics"}))


def every_load(seeded: seed.Seeded) -> list[tuple[str, str, dict[str, str]]]:
    """Every kind of request Mingle answers in the table (name, wrk script, settings),
    for the memory measurement."""
    rsvp_ids = ",".join(map(str, seeded.roomy_event_ids))
    return [*((name, "get", run_env) for name, run_env in page_loads(seeded)),
            (RSVP, "rsvp", {"BENCH_EVENT_IDS": rsvp_ids,
                            "BENCH_TAG": f"memory{secrets.token_hex(3)}"}),
            (RSVP_FULL, "rsvp", {"BENCH_EVENT_IDS": ",".join(map(str, seeded.full_event_ids)),
                                 "BENCH_TAG": f"memoryfull{secrets.token_hex(3)}"})]


def measure(url: str, seeded: seed.Seeded, workdir: Path) -> tuple[
        list[dict[str, Any]], list[float]]:
    """Every measurement, in ROUNDS rounds; returns the rows and Mingle's workers' peak memory.

    This machine's speed drifts by tens of per cent within a minute, so a
    figure and its baseline measured minutes apart can make either look
    better. All three servers run side by side (idle but for the one being
    measured) and each round measures the baseline, Mingle's pages and feeds,
    the write floor and Mingle's RSVP one after the other.
    """
    env = _app_env(url, workdir)
    gets = page_loads(seeded)
    floor_ids = ",".join(map(str, range(1, write_floor.SEAT_ROWS + 1)))
    rsvp_ids = ",".join(map(str, seeded.roomy_event_ids))
    full_ids = ",".join(map(str, seeded.full_event_ids))
    runs: dict[str, list[load.Figures]] = {name: [] for name in ROWS}
    write_floor.create_tables(url)
    try:
        with (servers.serving("bench.hello:app", {}, workdir / "hello.log") as hello,
              servers.serving("bench.write_floor:app", {"DATABASE_URL": url},
                              workdir / "floor.log") as floor,
              servers.serving("wsgi:app", env, workdir / "mingle.log") as mingle):
            _expect(mingle.port, "GET", f"/events/{seeded.roomy_event_ids[0]}", 200)
            _expect(mingle.port, "GET", f"/series/{seeded.series_ids[0]}", 200)
            _expect(mingle.port, "GET", f"/programmes/{seeded.programme_slugs[0]}", 200)
            _expect(mingle.port, "GET", f"/programmes/{seed.BOARD_SLUG}/ideas", 200)
            for round_number in range(1, ROUNDS + 1):
                runs["hello"].append(load.measure(hello.port, "get", {"BENCH_PATHS": "/"},
                                                  workdir))
                for name, run_env in gets:
                    runs[name].append(load.measure(mingle.port, "get", run_env, workdir))
                runs["feed (304)"].append(_measure_not_modified(mingle.port, workdir))
                runs[FLOOR].append(load.measure(floor.port, "rsvp", {
                    "BENCH_PATH_FORMAT": "/seats/%d", "BENCH_EVENT_IDS": floor_ids,
                    "BENCH_TAG": f"floor{secrets.token_hex(3)}"}, workdir))
                runs[RSVP].append(load.measure(mingle.port, "rsvp", {
                    "BENCH_EVENT_IDS": rsvp_ids, "BENCH_TAG": f"rsvp{secrets.token_hex(3)}"},
                    workdir))
                runs[RSVP_FULL].append(load.measure(mingle.port, "rsvp", {
                    "BENCH_EVENT_IDS": full_ids, "BENCH_TAG": f"full{secrets.token_hex(3)}"},
                    workdir))
                runs[FLOOR_ONE].append(load.measure(floor.port, "rsvp", {
                    "BENCH_PATH_FORMAT": "/seats/%d", "BENCH_EVENT_IDS": "1",
                    "BENCH_TAG": f"one{secrets.token_hex(3)}"}, workdir))
                runs[RSVP_FLOOD].append(load.measure(mingle.port, "rsvp", {
                    "BENCH_EVENT_IDS": str(seeded.full_event_ids[0]),
                    "BENCH_TAG": f"flood{secrets.token_hex(3)}"}, workdir))
                print(f"  round {round_number}/{ROUNDS}: " + ", ".join(
                    f"{name} {figures[-1].per_second:.0f}" for name, figures in runs.items()),
                    flush=True)
            peaks = mingle.peak_rss_mb()
    finally:
        write_floor.drop_tables(url)
    rows = []
    for name, figures in runs.items():
        row = _row(name, figures)
        row["to_hello"] = _median_ratio(figures, runs["hello"])
        if name in FLOOR_OF:
            row["to_floor"] = _median_ratio(figures, runs[FLOOR_OF[name]])
        elif name in (FLOOR, FLOOR_ONE):
            row["to_floor"] = _median_ratio(figures, runs[FLOOR])
        rows.append(row)
    return rows, peaks


def _measure_not_modified(port: int, workdir: Path) -> load.Figures:
    """Conditional GETs of the feed with its current ETag, checked before and after."""
    etag = _expect(port, "GET", "/calendar.ics", 200)["ETag"]
    checks = 4 * servers.WORKERS

    def unchanged() -> int:
        return sum(servers.request(port, "GET", "/calendar.ics",
                                   headers={"If-None-Match": etag})[0] == 304
                   for _ in range(checks))

    before = unchanged()
    figures = load.measure(port, "get", {"BENCH_PATHS": "/calendar.ics",
                                         "BENCH_IF_NONE_MATCH": etag}, workdir)
    after = unchanged()
    if before < checks or after < checks:
        print(f"  (feed 304: {before}/{checks} answers were 304 before the run, "
              f"{after}/{checks} after: the figure includes full feeds)", flush=True)
    return figures


def capacity_check(url: str) -> dict[str, int]:
    """Count events over capacity, and counters that disagree with the confirmed places."""
    engine = create_engine(database_url(url, ""))
    seated = (select(func.count()).where(Registration.event_id == Event.id,
                                         Registration.holds_seat)
              .correlate(Event).scalar_subquery())
    with engine.connect() as connection:
        over = connection.execute(select(func.count()).select_from(Event).where(
            (Event.seats_taken > Event.capacity) | (seated > Event.capacity))).scalar_one()
        drift = connection.execute(select(func.count()).select_from(Event).where(
            Event.seats_taken != seated)).scalar_one()
        waiting = (select(func.count()).where(Registration.event_id == Event.id,
                                              Registration.status == "waitlisted")
                   .correlate(Event).scalar_subquery())
        queues_drift = connection.execute(select(func.count()).select_from(Event).where(
            Event.waitlist_length != waiting)).scalar_one()
        # Two people waiting with one number would share a position.
        shared = select(Registration.event_id).where(
            Registration.status == "waitlisted").group_by(
            Registration.event_id, Registration.queue_number).having(func.count() > 1)
        shared_numbers = connection.execute(
            select(func.count()).select_from(shared.subquery())).scalar_one()
        registrations = connection.execute(text("SELECT count(*) FROM registrations")).scalar_one()
        queued = connection.execute(text("SELECT count(*) FROM outbox")).scalar_one()
    engine.dispose()
    return {"events_over_capacity": over, "counters_out_of_step": drift,
            "waitlists_out_of_step": queues_drift, "shared_queue_numbers": shared_numbers,
            "registrations": registrations, "outbox_rows": queued}


def bench_database(kind: str, url: str, only_memory: bool = False) -> dict[str, Any]:
    """Every measurement on one database (or, with ``only_memory``, the stack's memory)."""
    print(f"\n== {kind} ==", flush=True)
    with tempfile.TemporaryDirectory(prefix="mingle-bench-") as tmp:
        workdir = Path(tmp)
        if url.startswith("sqlite"):
            url = f"sqlite:///{workdir / 'mingle.db'}"
        seeded = prepare(url, workdir)
        rows, peaks = [], []
        if not only_memory:
            rows, peaks = measure(url, seeded, workdir)
        # The small machine's stack is measured on SQLite, after (apart from) the rounds.
        stack = (memory.measure(_app_env(url, workdir), every_load(seeded), workdir)
                 if kind == "sqlite" else None)
        if stack is not None:
            for line in memory.lines(stack):
                print(f"  {line}", flush=True)
        check = capacity_check(url)
    print(f"  after the run: {check['events_over_capacity']} events over capacity, "
          f"{check['counters_out_of_step']} seat counters out of step with confirmed places, "
          f"{check['waitlists_out_of_step']} waitlist lengths out of step, "
          f"{check['shared_queue_numbers']} queue numbers shared "
          f"({check['registrations']} registrations, {check['outbox_rows']} outbox rows)")
    return {"database": kind, "rows": rows,
            "worker_peak_rss_mb": [round(peak, 1) for peak in peaks], "memory": stack,
            "capacity": check}


def memory_targets(stack: dict[str, Any] | None) -> dict[str, bool]:
    """The small machine's targets: each web worker and the whole stack on SQLite."""
    if stack is None:
        return {}
    worst = max(max(worker["rss"], worker["rss_hwm"]) for worker in stack["web_workers"])
    return {
        f"peak RSS per web worker <= {TARGETS['worker_peak_mb']:.0f} MB":
            worst <= TARGETS["worker_peak_mb"],
        f"whole stack PSS <= {TARGETS['stack_pss_mb']:.0f} MB":
            stack["stack_pss"] <= TARGETS["stack_pss_mb"],
    }


def targets(result: dict[str, Any]) -> dict[str, bool]:
    """Which of the issue's targets this database's figures meet."""
    if not result["rows"]:
        return {**memory_targets(result["memory"]), **capacity_targets(result)}
    rows = {row["name"]: row for row in result["rows"]}
    rsvps: dict[str, bool] = {}
    for name in RSVPS:
        rsvps[f"{name} >= 0.7 of {FLOOR_OF[name]}"] = (rows[name]["to_floor"]
                                                  >= TARGETS["rsvp_to_floor"])
        rsvps[f"{name} p99 < 250 ms"] = rows[name]["p99_ms"] < TARGETS["rsvp_p99_ms"]
    return {
        **rsvps,
        **{f"{name} >= 0.25 of hello": rows[name]["to_hello"] >= TARGETS["page_to_hello"]
           for name in PAGES},
        "feed 304 >= 0.5 of hello": rows["feed (304)"]["to_hello"] >= TARGETS["feed_304_to_hello"],
        **memory_targets(result["memory"]),
        **capacity_targets(result),
    }


def capacity_targets(result: dict[str, Any]) -> dict[str, bool]:
    return {
        "no event over capacity": result["capacity"]["events_over_capacity"] == 0,
        "counters in step, no queue number shared": not any(
            result["capacity"][key] for key in ("counters_out_of_step", "waitlists_out_of_step",
                                                "shared_queue_numbers")),
    }


def print_table(results: list[dict[str, Any]]) -> None:
    for result in results:
        if not result["rows"]:
            print(f"\n{result['database']}: memory of the production stack")
            for line in memory.lines(result["memory"]):
                print(line)
            for name, met in result["targets"].items():
                print(f"  [{'met' if met else 'MISSED'}] {name}")
            continue
        print(f"\n{result['database']}: gunicorn gthread, {servers.WORKERS} workers x "
              f"{servers.THREADS} threads; wrk {load.CONNECTIONS} connections, "
              f"{ROUNDS} rounds of {load.DURATION} s each")
        print(f"| {'what':<26} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | "
              f"{'÷ hello':>7} | {'÷ floor':>7} |")
        print(f"|{'-' * 28}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
        for row in result["rows"]:
            floor = f"{row['to_floor']:.2f}" if "to_floor" in row else ""
            print(f"| {row['name']:<26} | {row['requests_per_s']:>8.1f} | {row['p50_ms']:>7.2f} | "
                  f"{row['p99_ms']:>7.2f} | {row['to_hello']:>7.2f} | {floor:>7} |")
        rows = {row["name"]: row for row in result["rows"]}
        print("req/s, p50 and p99: the median round; ratios: the median of the rounds' ratios")
        for name in RSVPS:
            by_round = ", ".join(f"{rsvp / floor:.2f}" for rsvp, floor in zip(
                rows[name]["rounds"], rows[FLOOR_OF[name]]["rounds"], strict=True))
            print(f"{name} ÷ {FLOOR_OF[name]}, round by round: {by_round}")
        peaks = ", ".join(f"{peak:.0f}" for peak in result["worker_peak_rss_mb"])
        print(f"peak RSS per Mingle worker after the rounds: {peaks} MiB; "
              f"events over capacity: {result['capacity']['events_over_capacity']}")
        if result["memory"] is not None:
            print("memory of the production stack (SQLite), every kind of load in turn:")
            for line in memory.lines(result["memory"]):
                print(f"  {line}")
        for name, met in result["targets"].items():
            print(f"  [{'met' if met else 'MISSED'}] {name}")


def main(arguments: list[str]) -> int:
    """``python -m bench`` measures everything; ``--only memory`` measures only the
    memory of the production stack on SQLite (and writes no results file)."""
    only_memory = arguments == ["--only", "memory"]
    if arguments and not only_memory:
        raise SystemExit("usage: python -m bench [--only memory]")
    load.wrk_path()
    databases = [("sqlite", "sqlite://")]
    if os.environ.get("BENCH_DATABASE_URL") and not only_memory:
        databases.append(("postgresql", os.environ["BENCH_DATABASE_URL"]))
    results = []
    for kind, url in databases:
        result = bench_database(kind, url, only_memory)
        result["targets"] = targets(result)
        results.append(result)
    print_table(results)
    if only_memory:
        return 0 if all(results[0]["targets"].values()) else 1
    summary = {"cpus": os.cpu_count(), "connections": load.CONNECTIONS,
               "seconds_each": load.DURATION, "warmup_seconds": load.WARMUP,
               "rounds": ROUNDS,
               "server": servers.server_settings(), "results": results}
    (HERE / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nwritten to {HERE.relative_to(ROOT) / 'results.json'}")
    broken = any(result["capacity"][key] for result in results for key in (
        "events_over_capacity", "counters_out_of_step", "waitlists_out_of_step",
        "shared_queue_numbers"))
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
