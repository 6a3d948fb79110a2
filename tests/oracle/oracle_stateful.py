#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Cross-checks the stateful operators against SQLite, row for row.

A large random input (20,000 events over 100 keys, out of order within a
bound, some NULL keys and values) goes through the operators, driven by
stateful_driver, and the same events go into SQLite, where plain queries
compute what the conventions say the results are:

  - tumbling and hopping windows (EMIT FINAL, COUNT/SUM/MIN/MAX by key):
    an event counts in a window when the watermark left by the events
    before it (highest event time so far minus the out-of-orderness) has
    not reached the window's end + grace; an event in no window is late;
  - session windows, with an out-of-orderness at least the disorder so
    that nothing closes early: islands of events less than one gap apart;
  - the interval join, each kind: a row is late when its event time plus
    grace is behind its own stream's watermark; on-time rows match when
    keys are equal and a.ts - before <= b.ts <= a.ts + after; an outer
    side's rows without a match appear once with NULLs;
  - LAG(v), LAG(v, 2) and COUNT/SUM/MIN/MAX over RANGE x PRECEDING, by
    key (NULL keys together, as PARTITION BY groups them): a row is late
    when its event time is behind the watermark; an on-time row sees the
    on-time rows of its key that arrived before it with event times at
    or before its own, in (event time, arrival) order, and the range
    includes the row itself.

Usage: oracle_stateful.py DRIVER [--events N] [--seed S]
Exits 0 when every comparison agrees, 1 with the first differences.
"""

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile


def generate(n, keys, disorder, seed):
    """Events (side, key, ts, value) in arrival order."""
    rnd = random.Random(seed)
    events = []
    clock = [1_000_000, 1_000_000]
    for _ in range(n):
        side = rnd.randrange(2)
        clock[side] += rnd.randrange(4)
        ts = clock[side] - rnd.randrange(disorder + 1)
        key = None if rnd.random() < 0.01 else "k%d" % rnd.randrange(keys)
        value = None if rnd.random() < 0.05 else rnd.randrange(-1000, 1000)
        events.append((side, key, ts, value))
    return events


def write_events(events, path):
    with open(path, "w") as f:
        for side, key, ts, value in events:
            f.write("%d,%s,%d,%s\n" % (side, key or "", ts,
                                       "" if value is None else value))


def load(db, events, delay):
    """The events table with each event's row watermark per side."""
    db.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, side INTEGER, "
               "k TEXT, ts INTEGER, v INTEGER, wm INTEGER)")
    high = [None, None]
    rows = []
    for seq, (side, key, ts, value) in enumerate(events):
        wm = None if high[side] is None else high[side] - delay
        rows.append((seq, side, key, ts, value, wm))
        if high[side] is None or ts > high[side]:
            high[side] = ts
    db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", rows)


def run_driver(driver, args, path):
    out = subprocess.run([driver] + [str(a) for a in args] + [path],
                         check=True, capture_output=True, text=True)
    lines = out.stdout.splitlines()
    assert lines and lines[-1].startswith("late,"), out.stdout[-200:]
    return lines[:-1], int(lines[-1].split(",")[1])


def csv_field(v):
    return "" if v is None else str(v)


def as_lines(rows):
    return [",".join(csv_field(v) for v in row) for row in rows]


def compare(name, got, want, late_got, late_want):
    got_sorted, want_sorted = sorted(got), sorted(want)
    if got_sorted == want_sorted and late_got == late_want:
        print("%-22s %7d rows, %5d late: identical" % (name, len(want),
                                                      late_want))
        return True
    print("%s: DIFFERENT (%d rows vs %d expected, late %d vs %d)" %
          (name, len(got), len(want), late_got, late_want))
    only_got = sorted(set(got_sorted) - set(want_sorted))[:10]
    only_want = sorted(set(want_sorted) - set(got_sorted))[:10]
    for line in only_got:
        print("  only from the operators: " + line)
    for line in only_want:
        print("  only from SQLite:        " + line)
    return False


# One row per (event, window it lies in) for windows of `size` starting at
# multiples of `advance`; SQLite's integer division truncates, and every
# event time here is positive.
WINDOWS = """
WITH RECURSIVE steps(j) AS (
  SELECT 0 UNION ALL SELECT j + 1 FROM steps WHERE j + 1 < :span),
assigned AS (
  SELECT e.seq, e.k, e.v, e.wm, (e.ts / :adv - s.j) * :adv AS start
  FROM events e, steps s
  WHERE e.side = 0 AND (e.ts / :adv - s.j) * :adv > e.ts - :size),
taken AS (
  SELECT * FROM assigned
  WHERE wm IS NULL OR wm < start + :size + :grace)
"""


def check_windows(db, driver, path, size, adv, grace, delay):
    name = "tumbling" if size == adv else "hopping"
    params = {"size": size, "adv": adv, "grace": grace,
              "span": (size + adv - 1) // adv}
    want = db.execute(WINDOWS + """
        SELECT k, start, start + :size, COUNT(*), SUM(v), MIN(v), MAX(v)
        FROM taken GROUP BY k, start""", params).fetchall()
    late = db.execute(WINDOWS + """
        SELECT COUNT(*) FROM events
        WHERE side = 0 AND seq NOT IN (SELECT seq FROM taken)""",
                      params).fetchone()[0]
    args = [name, size] + ([adv] if name == "hopping" else []) + \
        [grace, delay]
    got, got_late = run_driver(driver, args, path)
    label = "%s %d/%d g%d" % (name, size, adv, grace)
    return compare(label, got, as_lines(want), got_late, late)


def check_sessions(db, driver, path, gap, grace, delay):
    want = db.execute("""
        WITH ordered AS (
          SELECT k, ts, v, seq,
                 CASE WHEN ts - LAG(ts) OVER w < :gap THEN 0 ELSE 1 END
                   AS starts
          FROM events WHERE side = 0
          WINDOW w AS (PARTITION BY k ORDER BY ts, seq)),
        numbered AS (
          SELECT k, ts, v,
                 SUM(starts) OVER (PARTITION BY k ORDER BY ts, seq) AS n
          FROM ordered)
        SELECT k, MIN(ts), MAX(ts) + :gap, COUNT(*), SUM(v), MIN(v), MAX(v)
        FROM numbered GROUP BY k, n""", {"gap": gap}).fetchall()
    got, got_late = run_driver(driver, ["session", gap, grace, delay], path)
    return compare("session gap %d" % gap, got, as_lines(want), got_late, 0)


def check_join(db, driver, path, kind, before, after, grace, delay):
    on_time = "(wm IS NULL OR ts + %d >= wm)" % grace
    db.execute("DROP TABLE IF EXISTS l")
    db.execute("DROP TABLE IF EXISTS r")
    db.execute("CREATE TEMP TABLE l AS SELECT * FROM events "
               "WHERE side = 0 AND " + on_time)
    db.execute("CREATE TEMP TABLE r AS SELECT * FROM events "
               "WHERE side = 1 AND " + on_time)
    db.execute("CREATE INDEX l_k ON l (k, ts)")
    db.execute("CREATE INDEX r_k ON r (k, ts)")
    match = ("l.k = r.k AND r.ts BETWEEN l.ts - %d AND l.ts + %d" %
             (before, after))
    rows = db.execute("SELECT l.k, l.ts, l.v, r.k, r.ts, r.v FROM l JOIN r "
                      "ON " + match).fetchall()
    if kind in ("left", "full"):
        rows += db.execute("SELECT l.k, l.ts, l.v, NULL, NULL, NULL FROM l "
                           "WHERE NOT EXISTS (SELECT 1 FROM r WHERE " +
                           match + ")").fetchall()
    if kind in ("right", "full"):
        rows += db.execute("SELECT NULL, NULL, NULL, r.k, r.ts, r.v FROM r "
                           "WHERE NOT EXISTS (SELECT 1 FROM l WHERE " +
                           match + ")").fetchall()
    late = db.execute("SELECT COUNT(*) FROM events WHERE NOT " +
                      on_time).fetchone()[0]
    got, got_late = run_driver(driver, ["join", kind, before, after, grace,
                                        delay], path)
    label = "join %s (%d, %d) g%d" % (kind, before, after, grace)
    return compare(label, got, as_lines(rows), got_late, late)


def check_over(db, driver, path, rng, delay):
    db.execute("DROP TABLE IF EXISTS o")
    db.execute("CREATE TEMP TABLE o AS SELECT seq, k, ts, v FROM events "
               "WHERE side = 0 AND (wm IS NULL OR ts >= wm)")
    db.execute("CREATE INDEX o_k ON o (k, ts)")
    seen = ("FROM o h WHERE h.k IS e.k AND h.ts <= e.ts AND h.seq %s e.seq")
    lag = ("(SELECT h.v " + seen % "<" +
           " ORDER BY h.ts DESC, h.seq DESC LIMIT 1 OFFSET %d)")
    inrange = seen % "<=" + " AND h.ts >= e.ts - :rng"
    rows = db.execute(
        "SELECT e.k, e.ts, e.v, " + lag % 0 + ", " + lag % 1 + ", " +
        ", ".join("(SELECT %s %s)" % (f, inrange)
                  for f in ("COUNT(*)", "SUM(h.v)", "MIN(h.v)", "MAX(h.v)")) +
        " FROM o e", {"rng": rng}).fetchall()
    late = db.execute("SELECT COUNT(*) FROM events WHERE side = 0 AND "
                      "wm IS NOT NULL AND ts < wm").fetchone()[0]
    got, got_late = run_driver(driver, ["over", rng, delay], path)
    return compare("over range %d" % rng, got, as_lines(rows), got_late,
                   late)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("driver")
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=20240611)
    opts = ap.parse_args()

    disorder, delay = 60, 25
    events = generate(opts.events, 100, disorder, opts.seed)
    dbs = {}

    def db_for(d):
        """The events with the watermarks of out-of-orderness d."""
        if d not in dbs:
            dbs[d] = sqlite3.connect(":memory:")
            load(dbs[d], events, d)
        return dbs[d]

    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "events.csv")
        write_events(events, path)
        for size, adv, grace, d in ((100, 100, 0, delay),
                                    (100, 100, 20, delay),
                                    (120, 30, 10, delay), (50, 50, 0, 0)):
            ok &= check_windows(db_for(d), opts.driver, path, size, adv,
                                grace, d)
        for kind in ("inner", "left", "right", "full"):
            ok &= check_join(db_for(delay), opts.driver, path, kind, 15, 7,
                             5, delay)
        ok &= check_join(db_for(0), opts.driver, path, "full", 0, 0, 0, 0)
        ok &= check_join(db_for(disorder), opts.driver, path, "left", 30,
                         0, 0, disorder)
        for rng, d in ((50, delay), (0, delay), (200, disorder)):
            ok &= check_over(db_for(d), opts.driver, path, rng, d)
        # Sessions: no event may be late or meet a closed session.
        for gap, grace in ((40, 0), (7, 3)):
            ok &= check_sessions(db_for(disorder), opts.driver, path, gap,
                                 grace, disorder)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
