"""``python -m bench.forming_memory``: what forming 200 people's groups leaves in a web worker.

In a fresh process with the app loaded (as a gunicorn worker has it), on a
temporary SQLite file: a discussion of 6 threads x 3 weekly slots, 200
sign-ups (each can make one to three slots and ranks three threads), its
candidate groups offered; then the organiser's forming call, once through the
child process (as the page runs it) and, in another fresh process, with the
solver in the worker itself, for comparison. Prints the worker's resident
memory (VmRSS) before and after, and whether PuLP ended up in the worker.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from bench.grouping import resident_mb

PEOPLE = 200


def measure(in_worker: bool) -> dict[str, object]:
    from events.discussions import forming, planning
    from events.discussions.signing_up import Wishes, sign_up
    from events.models import EventStatus, Programme
    from webapp import create_app
    from webapp.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="mingle-forming-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                   env={"DATABASE_URL": url, "MINGLE_ENV": "test", "PATH": "/usr/bin:/bin"},
                   check=True, capture_output=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "OUTBOX_IN_PROCESS": False, "MAIL_DIR": str(folder / "mail")})
    rng = random.Random(1)
    with app.app_context():
        session = db.session
        programme = Programme(slug="bench", name="Bench", timezone="Pacific/Auckland")
        session.add(programme)
        first = datetime.now(UTC).date() + timedelta(weeks=3)
        discussion = planning.save_discussion(session, programme, planning.DiscussionPlan(
            book_title="The Library Book", first_week_on=first,
            kickoff_starts_at_local=datetime.combine(first - timedelta(days=3), clock(18)),
            threads="\n".join(f"Thread {n}" for n in range(6)),
            slots="Tuesday 19:30\nWednesday 19:30\nThursday 12:30", places=PEOPLE))
        discussion.kickoff.status = EventStatus.published
        session.commit()
        for n in range(PEOPLE):
            slots = rng.sample(discussion.slots, rng.choice((1, 2, 2, 3)))
            threads = rng.sample(discussion.threads, 3)
            sign_up(session, discussion.id, f"Reader {n}", f"reader{n}@example.org",
                    Wishes([s.id for s in slots], [t.id for t in threads]))
        planning.offer_groups_for_every_thread_and_slot(session, discussion)
        session.commit()
        before = resident_mb()
        started = time.perf_counter()
        if in_worker:
            from events.grouping import form_groups

            formed = forming.form(session, discussion, forming.ConcessionsPlan(),
                                  solve=form_groups)
        else:
            formed = forming.form(session, discussion, forming.ConcessionsPlan())
        seconds = time.perf_counter() - started
        session.commit()
        after = resident_mb()
    return {"solver": "in the worker" if in_worker else "child process",
            "placed": formed.proposal is not None, "seconds": round(seconds, 2),
            "before_mb": round(before, 1), "after_mb": round(after, 1),
            "kept_mb": round(after - before, 1), "pulp_loaded": "pulp" in sys.modules}


def main() -> None:
    print(f"Forming {PEOPLE} sign-ups (6 threads x 3 slots), a fresh app process each:")
    print(f"{'solver':<15} {'placed':>6} {'s':>6} {'RSS before':>11} {'RSS after':>10} "
          f"{'kept':>6}  PuLP in worker")
    for mode in ("child", "worker"):
        output = subprocess.run([sys.executable, "-m", "bench.forming_memory", mode],
                                capture_output=True, text=True, check=True).stdout
        row = json.loads(output.strip().splitlines()[-1])
        print(f"{row['solver']:<15} {row['placed']!s:>6} {row['seconds']:>6} "
              f"{row['before_mb']:>8} MB {row['after_mb']:>7} MB {row['kept_mb']:>3} MB  "
              f"{row['pulp_loaded']}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(measure(sys.argv[1] == "worker")))
    else:
        main()
