#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Cross-checks `sluice run --bounded` against SQLite, row for row.

A random input (seeded) is loaded into streams and a versioned table by
one SQL script, which then runs the stateful queries below as bounded
scans; the same events go into SQLite, where plain queries compute what
the conventions' time rules say each result is, and every query's rows
are compared as multisets (DOUBLE columns to a relative 1e-9), together
with the dead letters each query sent for late records.

The input:
  ev   4 partitions, keyed by k (k0..k11, NOT NULL): id, k, v BIGINT (5%
       NULL), c VARCHAR (a..f, 5% NULL), ts; out of order by up to 40 ms,
       which the stream declares (WATERMARK FOR ts AS ts - 40 ms);
  rt   3 partitions, not keyed: id, k (k0..k13, 3% NULL), w, ts, out of
       order by up to 40 ms, declared the same way;
  ev1  1 partition: id, k (k0..k4), v, ts, out of order by up to 20 ms
       (declared), 4% of its records 60 to 400 ms behind the highest
       event time before them, and pairs that put a record at exactly
       the watermark that closes its tumbling window, or 1 ms before;
  ver  a versioned table of k -> rate: one to five versions for k0..k9
       (none for k10, k11), some from exactly an event's time of ev.

Why the expected results do not depend on how the partitions of ev and
rt interleave when read: each record's event time is at least the
highest one before it in the file minus the declared out-of-orderness,
and a partition holds a subsequence of the file, so no record is ever
behind its own partition's watermark, nor behind the stream's (the
minimum over partitions): nothing of ev or rt is late, and no window,
session or join range closes before all of its records arrived.  Every
record of one key of ev is on one partition (LOAD keys records by k, as
Kafka's default partitioner does), in file order, so the key's history
that LAG and RANGE see is the file's (ties in event time go by arrival,
which is file order).  Lateness is checked on ev1, whose one partition
makes arrival order the file's: a record is late when the watermark
left by the records before it (their highest event time minus 20 ms)
has reached the end + grace of every window it belongs to.

The queries (the semantics of the conventions' "Time semantics"):
  tw  ev tumbling 500 ms: COUNT(*), COUNT(v), SUM, AVG, MIN, MAX,
      COUNT(DISTINCT c), STDDEV (sample: NULL below two values);
  hw  ev hopping 1 s by 250 ms: COUNT(*), SUM, MIN, MAX,
      COUNT(DISTINCT c);
  sw  ev sessions, GAP 60 ms, GRACE 20 ms: [first, last + gap), events
      less than one gap apart together, whatever order they came in
      (a record that bridges two sessions merges them);
  tl  ev1 tumbling 200 ms GRACE 30 ms, and hl  ev1 hopping 300 ms by
      100 ms GRACE 10 ms: COUNT(*), SUM over the records not late for
      the window, and the late ones in ev1's dead-letter topic;
  ji, jl, jr, jf  ev JOIN rt WITHIN (30 ms before, 10 ms after) ON k,
      INNER, LEFT, RIGHT, FULL: a pair when the keys are equal and
      e.ts - 30 <= r.ts <= e.ts + 10; an outer side's row without a
      pair once, with NULLs (a NULL key never matches);
  jg  ev LEFT JOIN rt WITHIN 15 ms GRACE PERIOD 10 ms;
  wj  a window join: ev's and rt's tumbling 500 ms counts, FULL JOIN on
      k and WINDOW_START (rt's NULL-key group never matches);
  tj, tji  ev LEFT and INNER JOIN ver FOR SYSTEM_TIME AS OF ev.ts: the
      newest version of the key with valid_from <= ts;
  ov  LAG(v), LAG(v, 2, -1) OVER (PARTITION BY k ORDER BY ts) and
      COUNT(*), SUM(v), MIN(v), MAX(v) OVER (... RANGE BETWEEN 100 ms
      PRECEDING AND CURRENT ROW): each row sees the rows of its key that
      arrived before it with event times at or before its own, in
      (event time, arrival) order; LAG never the row itself, the range
      the rows with ts >= current.ts - 100 ms and the row itself.

Usage: oracle_sql.py SLUICE [--seed S] [--events N] [--keep DIR]
Exits 0 when every comparison agrees, 1 with the differences.
"""

import argparse
import csv
import datetime
import json
import math
import os
import random
import sqlite3
import subprocess
import sys
import tempfile

T0 = 1_700_000_000_000
DISORDER = 40
DISORDER1 = 20


def iso(ms):
    t = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def shown(ms):
    """A TIMESTAMP as CSV output shows it."""
    return None if ms is None else iso(ms).replace("T", " ")[:-1]


def clocked(rnd, n, disorder, step):
    """n event times, each at least the highest before it minus
    disorder; on a 1 ms grid with ties, now and then a pause."""
    clock, out = T0, []
    for _ in range(n):
        clock += rnd.randrange(step + 1)
        if rnd.random() < 0.01:
            clock += rnd.randrange(100, 300)
        out.append(clock - rnd.randrange(disorder + 1))
    return out


def generate(seed, n):
    rnd = random.Random(seed)
    maybe = lambda p, f: None if rnd.random() < p else f()
    ev = [(i + 1, "k%d" % rnd.randrange(12),
           maybe(0.05, lambda: rnd.randrange(-1000, 1001)),
           maybe(0.05, lambda: "abcdef"[rnd.randrange(6)]), ts)
          for i, ts in enumerate(clocked(rnd, n, DISORDER, 4))]
    rt = [(i + 1, maybe(0.03, lambda: "k%d" % rnd.randrange(14)),
           rnd.randrange(100), ts)
          for i, ts in enumerate(clocked(rnd, n * 3 // 4, DISORDER, 5))]
    times, high, clock = [], None, T0
    for _ in range(n * 3 // 8):
        clock += rnd.randrange(5)
        ts = clock - rnd.randrange(DISORDER1 + 1)
        if high is not None and rnd.random() < 0.04:
            ts = high - rnd.randrange(60, 401)
        elif high is not None and rnd.random() < 0.02:
            # A record at x moves the watermark to x - 20, then one in
            # the tumbling window [e - 200, e) with e + grace 30 at
            # exactly that watermark (late), or one ms after it (not).
            on_time = rnd.random() < 0.5
            x = high + (50 - on_time - high) % 200
            times.append(x)
            clock = max(clock, x)
            ts = x - 51 + on_time
        times.append(ts)
        high = ts if high is None else max(high, ts)
    ev1 = [(i + 1, "k%d" % rnd.randrange(5),
            maybe(0.05, lambda: rnd.randrange(-100, 101)), ts)
           for i, ts in enumerate(times)]
    first, last = min(e[4] for e in ev), max(e[4] for e in ev)
    ver = []
    for key in range(10):
        times = set()
        for _ in range(rnd.randrange(1, 6)):
            if rnd.random() < 0.3:
                times.add(rnd.choice(ev)[4])
            else:
                times.add(rnd.randrange(first - 500, last + 1))
        for ts in sorted(times):
            ver.append(("k%d" % key, rnd.randrange(1, 1000), ts))
    return ev, rt, ev1, ver


def write_csv(path, header, rows, ts_col):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if x is None else (iso(x) if i == ts_col else x)
                        for i, x in enumerate(r)])


SCRIPT = """
CREATE STREAM ev (id BIGINT, k VARCHAR NOT NULL, v BIGINT, c VARCHAR,
                  ts TIMESTAMP,
                  WATERMARK FOR ts AS ts - INTERVAL '40' MILLISECOND)
  WITH (topic='ev', key='k', partitions=4);
CREATE STREAM rt (id BIGINT, k VARCHAR, w BIGINT, ts TIMESTAMP,
                  WATERMARK FOR ts AS ts - INTERVAL '40' MILLISECOND)
  WITH (topic='rt', partitions=3);
CREATE STREAM ev1 (id BIGINT, k VARCHAR, v BIGINT, ts TIMESTAMP,
                   WATERMARK FOR ts AS ts - INTERVAL '20' MILLISECOND)
  WITH (topic='ev1', partitions=1);
CREATE TABLE ver (k VARCHAR PRIMARY KEY, rate BIGINT, ts TIMESTAMP)
  WITH (topic='ver', versioned=true, timestamp='ts');
LOAD '{dir}/ev.csv' INTO ev;
LOAD '{dir}/rt.csv' INTO rt;
LOAD '{dir}/ev1.csv' INTO ev1;
LOAD '{dir}/ver.csv' INTO ver;
"""

# The queries, in order: the n-th is transient_n.  Each row starts with
# the query's tag.
QUERIES = [
    ("tw", """SELECT 'tw' AS q, k, WINDOW_START, WINDOW_END, COUNT(*) AS n,
       COUNT(v) AS nv, SUM(v) AS s, AVG(v) AS a, MIN(v) AS lo, MAX(v) AS hi,
       COUNT(DISTINCT c) AS dc, STDDEV(v) AS sd
FROM ev WINDOW TUMBLING (SIZE 500 MILLISECONDS) GROUP BY k"""),
    ("hw", """SELECT 'hw' AS q, k, WINDOW_START, WINDOW_END, COUNT(*) AS n,
       SUM(v) AS s, MIN(v) AS lo, MAX(v) AS hi, COUNT(DISTINCT c) AS dc
FROM ev WINDOW HOPPING (SIZE 1 SECOND, ADVANCE BY 250 MILLISECONDS)
GROUP BY k"""),
    ("sw", """SELECT 'sw' AS q, k, WINDOW_START, WINDOW_END, COUNT(*) AS n,
       SUM(v) AS s, AVG(v) AS a, MAX(v) AS hi
FROM ev WINDOW SESSION (GAP 60 MILLISECONDS,
                        GRACE PERIOD 20 MILLISECONDS)
GROUP BY k"""),
    ("tl", """SELECT 'tl' AS q, k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
FROM ev1 WINDOW TUMBLING (SIZE 200 MILLISECONDS,
                          GRACE PERIOD 30 MILLISECONDS)
GROUP BY k"""),
    ("hl", """SELECT 'hl' AS q, k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
FROM ev1 WINDOW HOPPING (SIZE 300 MILLISECONDS,
                         ADVANCE BY 100 MILLISECONDS,
                         GRACE PERIOD 10 MILLISECONDS)
GROUP BY k"""),
] + [
    (tag, """SELECT '%s' AS q, e.id AS eid, r.id AS rid
FROM ev e %s JOIN rt r
  WITHIN (INTERVAL '30' MILLISECOND, INTERVAL '10' MILLISECOND)
  ON e.k = r.k""" % (tag, kind))
    for tag, kind in (("ji", "INNER"), ("jl", "LEFT"), ("jr", "RIGHT"),
                      ("jf", "FULL"))
] + [
    ("jg", """SELECT 'jg' AS q, e.id AS eid, r.id AS rid
FROM ev e LEFT JOIN rt r WITHIN 15 MILLISECONDS
  GRACE PERIOD 10 MILLISECONDS ON e.k = r.k"""),
    ("wj", """WITH a AS (SELECT k, COUNT(*) AS n, WINDOW_START, WINDOW_END
           FROM ev WINDOW TUMBLING (SIZE 500 MILLISECONDS) GROUP BY k),
     b AS (SELECT k, COUNT(*) AS n, WINDOW_START, WINDOW_END
           FROM rt WINDOW TUMBLING (SIZE 500 MILLISECONDS) GROUP BY k)
SELECT 'wj' AS q, a.k AS ak, b.k AS bk, a.window_start AS astart,
       b.window_start AS bstart, a.n AS an, b.n AS bn
FROM a FULL JOIN b ON a.k = b.k AND a.window_start = b.window_start"""),
    ("tj", """SELECT 'tj' AS q, e.id, r.rate, r.ts AS valid_from
FROM ev e LEFT JOIN ver r FOR SYSTEM_TIME AS OF e.ts ON e.k = r.k"""),
    ("tji", """SELECT 'tji' AS q, e.id, r.rate
FROM ev e JOIN ver r FOR SYSTEM_TIME AS OF e.ts ON e.k = r.k"""),
    ("ov", """SELECT 'ov' AS q, id,
       LAG(v) OVER (PARTITION BY k ORDER BY ts) AS p1,
       LAG(v, 2, -1) OVER (PARTITION BY k ORDER BY ts) AS p2,
       COUNT(*) OVER w AS n, SUM(v) OVER w AS s, MIN(v) OVER w AS lo,
       MAX(v) OVER w AS hi
FROM ev
WINDOW w AS (PARTITION BY k ORDER BY ts
             RANGE BETWEEN INTERVAL '100' MILLISECOND PRECEDING
             AND CURRENT ROW)"""),
]

# Per query, the kind of each column after the tag: i integer, t
# timestamp, s text, f double (compared to a relative 1e-9).
KINDS = {"tw": "sttiiifiiif", "hw": "sttiiiii", "sw": "sttiifi",
         "tl": "stii", "hl": "stii", "wj": "ssttii", "tj": "iit",
         "tji": "ii", "ov": "iiiiiii", "ji": "ii", "jl": "ii", "jr": "ii",
         "jf": "ii", "jg": "ii"}


def load_db(ev, rt, ev1, ver):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE ev (seq INTEGER PRIMARY KEY, id, k, v, c, ts)")
    db.execute("CREATE TABLE rt (id, k, w, ts)")
    db.execute("CREATE TABLE ev1 (seq INTEGER PRIMARY KEY, id, k, v, ts, "
               "wm)")
    db.execute("CREATE TABLE ver (k, rate, ts)")
    db.executemany("INSERT INTO ev VALUES (?, ?, ?, ?, ?, ?)",
                   [(i,) + e for i, e in enumerate(ev)])
    db.executemany("INSERT INTO rt VALUES (?, ?, ?, ?)", rt)
    rows, high = [], None
    for i, e in enumerate(ev1):
        wm = None if high is None else high - DISORDER1
        rows.append((i,) + e + (wm,))
        high = e[3] if high is None else max(high, e[3])
    db.executemany("INSERT INTO ev1 VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO ver VALUES (?, ?, ?)", ver)
    for sql in ("CREATE INDEX ev_k ON ev (k, ts)",
                "CREATE INDEX rt_k ON rt (k, ts)",
                "CREATE INDEX ver_k ON ver (k, ts)"):
        db.execute(sql)
    return db


def stddev(n, s, ss):
    """Sample standard deviation from count, sum and sum of squares
    (exact integers), NULL below two values."""
    if n is None or n < 2:
        return None
    return math.sqrt((n * ss - s * s) / (n * (n - 1)))


# One row per (event, window it lies in) of ev1 for windows of :size
# starting at multiples of :adv, kept when the watermark the events
# before it left has not reached the window's end + grace.
EV1_WINDOWS = """
WITH RECURSIVE steps(j) AS (
  SELECT 0 UNION ALL SELECT j + 1 FROM steps WHERE j + 1 < :span),
assigned AS (
  SELECT e.seq, e.k, e.v, e.wm, (e.ts / :adv - s.j) * :adv AS start
  FROM ev1 e, steps s
  WHERE (e.ts / :adv - s.j) * :adv > e.ts - :size),
taken AS (
  SELECT * FROM assigned WHERE wm IS NULL OR wm < start + :size + :grace)
"""

WINDOWS = """
WITH RECURSIVE steps(j) AS (
  SELECT 0 UNION ALL SELECT j + 1 FROM steps WHERE j + 1 < :span),
taken AS (
  SELECT e.*, (e.ts / :adv - s.j) * :adv AS start
  FROM {src} e, steps s
  WHERE (e.ts / :adv - s.j) * :adv > e.ts - :size)
"""


def expected(db):
    """tag -> list of rows (tuples, tag excluded), and tag -> the ev1
    sequence numbers of its late records."""
    want, late = {}, {}
    p = {"size": 500, "adv": 500, "span": 1, "grace": 0}
    want["tw"] = [
        (k, shown(s), shown(s + 500), n, nv, sm, a, lo, hi, dc,
         stddev(nv, sm, ss))
        for k, s, n, nv, sm, a, lo, hi, dc, ss in db.execute(
            WINDOWS.format(src="ev") + """
            SELECT k, start, COUNT(*), COUNT(v), SUM(v), AVG(v), MIN(v),
                   MAX(v), COUNT(DISTINCT c), SUM(v * v)
            FROM taken GROUP BY k, start""", p)]
    p = {"size": 1000, "adv": 250, "span": 4, "grace": 0}
    want["hw"] = [
        (k, shown(s), shown(s + 1000), n, sm, lo, hi, dc)
        for k, s, n, sm, lo, hi, dc in db.execute(
            WINDOWS.format(src="ev") + """
            SELECT k, start, COUNT(*), SUM(v), MIN(v), MAX(v),
                   COUNT(DISTINCT c)
            FROM taken GROUP BY k, start""", p)]
    want["sw"] = [
        (k, shown(s), shown(e), n, sm, a, hi)
        for k, s, e, n, sm, a, hi in db.execute("""
            WITH ordered AS (
              SELECT k, ts, v, seq,
                     CASE WHEN ts - LAG(ts) OVER w < 60 THEN 0 ELSE 1 END
                       AS starts
              FROM ev WINDOW w AS (PARTITION BY k ORDER BY ts, seq)),
            numbered AS (
              SELECT k, ts, v, seq,
                     SUM(starts) OVER (PARTITION BY k ORDER BY ts, seq
                                       ROWS UNBOUNDED PRECEDING) AS n
              FROM ordered)
            SELECT k, MIN(ts), MAX(ts) + 60, COUNT(*), SUM(v), AVG(v),
                   MAX(v)
            FROM numbered GROUP BY k, n""")]
    for tag, size, adv, grace in (("tl", 200, 200, 30),
                                  ("hl", 300, 100, 10)):
        p = {"size": size, "adv": adv, "grace": grace,
             "span": (size + adv - 1) // adv}
        want[tag] = [
            (k, shown(s), n, sm)
            for k, s, n, sm in db.execute(EV1_WINDOWS + """
                SELECT k, start, COUNT(*), SUM(v)
                FROM taken GROUP BY k, start""", p)]
        late[tag] = sorted(r[0] for r in db.execute(
            EV1_WINDOWS + "SELECT seq FROM ev1 WHERE seq NOT IN "
            "(SELECT seq FROM taken)", p))

    for tag, before, after in (("ji", 30, 10), ("jl", 30, 10),
                               ("jr", 30, 10), ("jf", 30, 10),
                               ("jg", 15, 15)):
        on = ("e.k = r.k AND r.ts BETWEEN e.ts - %d AND e.ts + %d" %
              (before, after))
        rows = db.execute("SELECT e.id, r.id FROM ev e JOIN rt r ON " +
                          on).fetchall()
        if tag in ("jl", "jf", "jg"):
            rows += db.execute(
                "SELECT e.id, NULL FROM ev e WHERE NOT EXISTS "
                "(SELECT 1 FROM rt r WHERE " + on + ")").fetchall()
        if tag in ("jr", "jf"):
            rows += db.execute(
                "SELECT NULL, r.id FROM rt r WHERE NOT EXISTS "
                "(SELECT 1 FROM ev e WHERE " + on + ")").fetchall()
        want[tag] = rows

    want["wj"] = [
        (ak, bk, shown(a_s), shown(b_s), an, bn)
        for ak, bk, a_s, b_s, an, bn in db.execute("""
            WITH a AS (SELECT k, ts / 500 * 500 AS start, COUNT(*) AS n
                       FROM ev GROUP BY k, start),
                 b AS (SELECT k, ts / 500 * 500 AS start, COUNT(*) AS n
                       FROM rt GROUP BY k, start)
            SELECT a.k, b.k, a.start, b.start, a.n, b.n
            FROM a FULL JOIN b ON a.k = b.k AND a.start = b.start""")]

    version = """(SELECT %s FROM ver r WHERE r.k = e.k AND r.ts <= e.ts
                  ORDER BY r.ts DESC LIMIT 1)"""
    want["tj"] = [(i, rate, shown(vf)) for i, rate, vf in db.execute(
        "SELECT e.id, %s, %s FROM ev e" % (version % "rate",
                                           version % "ts"))]
    want["tji"] = [r for r in db.execute(
        "SELECT e.id, %s AS rate FROM ev e" % (version % "rate"))
        if r[1] is not None]

    seen = "FROM ev h WHERE h.k = e.k AND h.ts <= e.ts AND h.seq %s e.seq"
    lag = ("(SELECT h.v " + seen % "<" +
           " ORDER BY h.ts DESC, h.seq DESC LIMIT 1 OFFSET %d)")
    has = "(SELECT COUNT(*) " + seen % "<" + ")"
    inrange = seen % "<=" + " AND h.ts >= e.ts - 100"
    want["ov"] = [
        (i, p1, p2 if n2 >= 2 else -1, n, s, lo, hi)
        for i, p1, p2, n2, n, s, lo, hi in db.execute(
            "SELECT e.id, " + lag % 0 + ", " + lag % 1 + ", " + has + ", " +
            ", ".join("(SELECT %s %s)" % (f, inrange)
                      for f in ("COUNT(*)", "SUM(h.v)", "MIN(h.v)",
                                "MAX(h.v)")) + " FROM ev e")]
    return want, late


def parse(tag, fields):
    out = []
    for kind, x in zip(KINDS[tag], fields):
        if x == "":
            out.append(None)
        elif kind == "i":
            out.append(int(x))
        elif kind == "f":
            out.append(float(x))
        else:
            out.append(x)
    return tuple(out)


def exact_part(tag, row):
    return tuple(x for kind, x in zip(KINDS[tag], row) if kind != "f")


def compare(tag, got, want):
    """Multisets of rows: the columns that are not DOUBLE exactly, the
    DOUBLE ones of rows with the same exact columns within 1e-9."""
    problems = []
    by_exact = {}
    for row in want:
        by_exact.setdefault(exact_part(tag, row), []).append(row)
    unmatched = []
    for row in got:
        bucket = by_exact.get(exact_part(tag, row))
        match = None
        for i, cand in enumerate(bucket or ()):
            if all(kind != "f" or (a is None and b is None) or
                   (a is not None and b is not None and
                    math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12))
                   for kind, a, b in zip(KINDS[tag], row, cand)):
                match = i
                break
        if match is None:
            unmatched.append(row)
        else:
            bucket.pop(match)
    missing = [r for rows in by_exact.values() for r in rows]
    for r in unmatched[:6]:
        problems.append("%s: only from sluice: %s" % (tag, r))
    for r in missing[:6]:
        problems.append("%s: only from SQLite: %s" % (tag, r))
    if problems:
        problems.insert(0, "%s: DIFFERENT (%d rows vs %d expected, %d and "
                        "%d unmatched)" % (tag, len(got), len(want),
                                           len(unmatched), len(missing)))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sluice")
    ap.add_argument("--seed", type=int, default=20240612)
    ap.add_argument("--events", type=int, default=4000)
    ap.add_argument("--keep", help="write the input, script and output "
                    "into this directory")
    opts = ap.parse_args()

    ev, rt, ev1, ver = generate(opts.seed, opts.events)
    with tempfile.TemporaryDirectory() as tmp:
        d = opts.keep or tmp
        os.makedirs(d, exist_ok=True)
        write_csv(os.path.join(d, "ev.csv"), ["id", "k", "v", "c", "ts"],
                  ev, 4)
        write_csv(os.path.join(d, "rt.csv"), ["id", "k", "w", "ts"], rt, 3)
        write_csv(os.path.join(d, "ev1.csv"), ["id", "k", "v", "ts"], ev1,
                  3)
        write_csv(os.path.join(d, "ver.csv"), ["k", "rate", "ts"], ver, 2)
        script = SCRIPT.replace("{dir}", d) + "".join(
            sql + ";\n" for _, sql in QUERIES) + "".join(
            "PRINT '%s.dlq' FROM BEGINNING;\n" % s for s in
            ("ev", "rt", "ev1"))
        path = os.path.join(d, "cross_check.sql")
        with open(path, "w") as f:
            f.write(script)
        run = subprocess.run([opts.sluice, "run", "--bounded", "--output",
                              "csv", "--log-level", "warn", path],
                             capture_output=True, text=True)
        if opts.keep:
            with open(os.path.join(d, "out.csv"), "w") as f:
                f.write(run.stdout)
        if run.returncode != 0:
            print("sluice run exited %d:\n%s" % (run.returncode,
                                                 run.stderr[-3000:]))
            return 1

    got = {tag: [] for tag, _ in QUERIES}
    dead = []
    for fields in csv.reader(run.stdout.splitlines()):
        if not fields or fields[0] in ("q", "partition"):
            continue
        if fields[0] in got:
            got[fields[0]].append(parse(fields[0], fields[1:]))
        else:
            dead.append(fields)

    db = load_db(ev, rt, ev1, ver)
    want, late = expected(db)
    problems = []
    for tag, _ in QUERIES:
        p = compare(tag, got[tag], want[tag])
        problems += p
        if not p:
            print("%-4s %6d rows: identical" % (tag, len(want[tag])))

    # Dead letters: late records of ev1 only, once per query that found
    # them late, named by their offset in ev1's one partition.
    ids = {"transient_%d" % (i + 1): tag for i, (tag, _) in
           enumerate(QUERIES)}
    got_late = {}
    for fields in dead:
        h = json.loads(fields[5])
        tag = ids.get(h.get("sluice.query.id"), h.get("sluice.query.id"))
        if (h.get("sluice.source.topic") != "ev1" or
                h.get("sluice.error.reason") != "late"):
            problems.append("unexpected dead letter of %s: %s" %
                            (tag, fields))
            continue
        got_late.setdefault(tag, []).append(int(h["sluice.source.offset"]))
    for tag in sorted(set(late) | set(got_late)):
        g, w = sorted(got_late.get(tag, [])), late.get(tag, [])
        if g != w:
            problems.append("%s: late records at offsets %s, expected %s" %
                            (tag, g[:20], w[:20]))
        else:
            print("%-4s %6d late records in the dead-letter topic: "
                  "identical" % (tag, len(w)))
    if problems:
        print("\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
