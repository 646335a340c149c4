"""``python -m bench.grouping``: how long forming book-discussion groups takes, and its memory.

For 30, 100 and 200 sign-ups over 6 threads x 3 weekly slots (each person can
make one to three slots and ranks three threads, popular threads more often;
one in twenty asks to be with someone), each size in a fresh process so that
memory figures are its own: the first forming (PuLP imported then), the median
of the next rounds, the resident memory the calling process gains (what a web
worker would keep) and the solver child's peak. Prints a table; nothing is
asserted (the tests check correctness, this measures).
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import time

SIZES = (30, 100, 200)
ROUNDS = 5
THREADS = ("leadership", "the library as a place", "service", "change", "reading", "craft")
SLOTS = ("Tue 19:30", "Wed 19:30", "Thu 12:30")


def resident_mb() -> float:
    """This process's resident memory now (VmRSS), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def sign_ups(count: int, seed: int = 1) -> list[object]:
    from events.grouping import Participant

    rng = random.Random(seed)
    popularity = [6, 5, 4, 3, 2, 1]
    people = []
    for n in range(count):
        slots = frozenset(rng.sample(SLOTS, rng.choice((1, 2, 2, 3))))
        threads: list[str] = []
        while len(threads) < 3:
            thread = rng.choices(THREADS, popularity)[0]
            if thread not in threads:
                threads.append(thread)
        partner = n - 1 if n % 20 == 1 else None
        if partner is not None:  # people who sign up together can meet at the same time
            slots = people[partner].slots | {rng.choice(SLOTS)}
        people.append(Participant(n, slots, tuple(threads), partner))
    return people


def measure_one(count: int) -> dict[str, object]:
    """Run in a child process: form groups ``ROUNDS`` times for ``count`` people."""
    before_import = resident_mb()
    from events.grouping import Proposal, candidate_groups, form_groups

    after_import = resident_mb()
    people = sign_ups(count)
    candidates = candidate_groups(THREADS, SLOTS, people)
    times, result = [], None
    for _ in range(ROUNDS):
        started = time.perf_counter()
        result = form_groups(people, candidates)
        times.append(time.perf_counter() - started)
    after = resident_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    solver_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    placed = isinstance(result, Proposal)
    return {
        "people": count, "candidates": len(candidates), "placed": placed,
        "groups": len(result.groups) if placed else 0,
        "ranks": result.rank_counts() if placed else {},
        "proven": result.proven_best if placed else False,
        "first_s": times[0], "median_s": statistics.median(times[1:]),
        "import_mb": after_import - before_import, "kept_mb": after - after_import,
        "peak_gain_mb": peak - after_import, "solver_peak_mb": solver_peak,
    }


def main() -> None:
    print(f"{'people':>6} {'cands':>5} {'groups':>6} {'1st s':>6} {'median s':>8} "
          f"{'import MB':>9} {'kept MB':>7} {'peak+ MB':>8} {'CBC MB':>6}  "
          "ranks (1st/2nd/3rd/none)")
    for count in SIZES:
        output = subprocess.run([sys.executable, "-m", "bench.grouping", str(count)],
                                capture_output=True, text=True, check=True).stdout
        row = json.loads(output)
        ranks = row["ranks"]
        print(f"{row['people']:>6} {row['candidates']:>5} {row['groups']:>6} "
              f"{row['first_s']:>6.2f} {row['median_s']:>8.2f} {row['import_mb']:>9.1f} "
              f"{row['kept_mb']:>7.1f} {row['peak_gain_mb']:>8.1f} {row['solver_peak_mb']:>6.1f}  "
              + "/".join(str(ranks.get(key, 0)) for key in ("1", "2", "3", "null"))
              + ("" if row["proven"] else "  (not proven best)"))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(measure_one(int(sys.argv[1]))))
    else:
        main()
