#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks a peer runner's rows against an independent computation.

Loads a small, fixed Nexmark event set into the nexmark-* topics of a broker
that the caller started for this purpose (it deletes and recreates those
topics), runs `bench/nexmark/<peer>/run.sh QUERY` for each query, reads the
output topic back with kcat and compares it, as a multiset of rows with key
order ignored and DOUBLEs to 1e-9 relative, with the rows this script
computes from the contract in plain Python.

  selftest.py --brokers 127.0.0.1:PORT --peer flink [q0 q7 ...]

With --late, q7 only, one bid arrives more than the bound behind and must
be dropped (Kafka Streams' watermark follows the contract record by record;
Flink's periodic watermark may not have moved in time to drop it).

With --sample N the events are instead the harness's seeded sample of N
events (../nexmark.py sample), spread over both partitions, and the rows
are checked by ../nexmark.py check, the harness's own independent answer.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
NEXMARK_PY = HERE.parent / "nexmark.py"
BASE = 1_700_000_000_000  # a multiple of 10 s, so windows align with it
STATES = ["OR", "ID", "CA", "WA", "NY"]

# ---------------------------------------------------------------- events


def make_events():
    """Returns (persons, auctions, bids), each a list of (partition, event).

    Every partition is in event-time order except for steps back of less
    than the 1 s bound, so no record is late for any system.  Window 0 holds
    a price tie for q7; several q5 windows hold count ties.
    """
    persons, auctions, bids = [], [], []
    for i in range(10):
        t = BASE + 1_500 * i + 250
        persons.append((i % 2, {
            "id": 1000 + i, "name": f"person{i}",
            "emailAddress": f"p{i}@example.com", "creditCard": f"{i:04d}",
            "city": f"city{i % 3}", "state": STATES[i % 5],
            "dateTime": t, "extra": ""}))
    for i in range(14):
        seller = 1000 + (i * 3) % 10
        t = BASE + 1_100 * i + 400
        auctions.append((i % 2, {
            "id": 5000 + i, "itemName": f"item{i}", "description": "d",
            "initialBid": 10, "reserve": 20, "dateTime": t,
            "expires": t + 60_000, "seller": seller,
            "category": 10 if i % 3 else 11, "extra": ""}))
    prices = [7, 30, 12, 30, 5, 18, 44, 3, 44, 9, 21, 16, 8, 27, 2]
    for i in range(60):
        auction = [0, 123, 246, 5000, 5001, 5002][i % 6 if i % 7 else 1]
        # Steps back by 300 ms every fifth bid: out of order within bound.
        t = BASE + 600 * i + (-300 if i % 5 == 4 else 0)
        price = prices[i % len(prices)] + (0 if i < 17 else i)
        bids.append((i % 2, {
            "auction": auction, "bidder": 200 + i % 4, "price": price,
            "channel": "web", "url": f"http://example.com/{i}",
            "dateTime": t, "extra": "x" * (i % 3)}))
    # A tie for the highest price of window 0 (both 44, see prices).
    return persons, auctions, bids


def make_late_events():
    """Bids on partition 0 only (partition 1 stays empty), one of them more
    than the 1 s bound behind: in arrival order its window has closed, so
    a system following the contract drops it.  Persons and auctions are
    empty.  Only meaningful for q7 (see late_q7)."""
    times_prices = [(1_000, 10), (15_000, 20), (2_000, 99), (14_500, 20),
                    (21_500, 5)]
    bids = [(0, {"auction": 7, "bidder": 300 + i, "price": price,
                 "channel": "web", "url": "u", "dateTime": BASE + t,
                 "extra": ""})
            for i, (t, price) in enumerate(times_prices)]
    return [], [], bids


def late_q7(bids):
    """q7 over one partition in arrival order: watermark = max - 1 s, a bid
    whose window end the watermark has reached is late and dropped."""
    watermark = None
    kept = []
    for _, b in bids:
        start = window_start(b["dateTime"], 10_000)
        if watermark is None or start + 10_000 > watermark:
            kept.append((0, b))
        t = b["dateTime"] - 1_000
        watermark = t if watermark is None else max(watermark, t)
    return expected("q7", [], [], kept)


# ------------------------------------------------------- expected rows


def window_start(t, size):
    return t - t % size


def expected(query, persons, auctions, bids):
    P = [e for _, e in persons]
    A = [e for _, e in auctions]
    B = [e for _, e in bids]
    if query == "q0":
        return [{k: b[k] for k in ("auction", "bidder", "price", "dateTime",
                                   "extra")} for b in B]
    if query == "q1":
        return [{"auction": b["auction"], "bidder": b["bidder"],
                 "price": 0.908 * b["price"], "dateTime": b["dateTime"]}
                for b in B]
    if query == "q2":
        return [{"auction": b["auction"], "price": b["price"]}
                for b in B if b["auction"] % 123 == 0]
    if query == "q3":
        by_id = {p["id"]: p for p in P}
        return [{"name": by_id[a["seller"]]["name"],
                 "city": by_id[a["seller"]]["city"],
                 "state": by_id[a["seller"]]["state"], "id": a["id"]}
                for a in A
                if a["category"] == 10 and a["seller"] in by_id
                and by_id[a["seller"]]["state"] in ("OR", "ID", "CA")]
    if query == "q5":
        counts = defaultdict(Counter)
        for b in B:
            last = window_start(b["dateTime"], 2_000)
            for start in range(last - 8_000, last + 1, 2_000):
                counts[start][b["auction"]] += 1
        rows = []
        for start, per in counts.items():
            top = max(per.values())
            rows += [{"auction": a, "num": n, "window_start": start,
                      "window_end": start + 10_000}
                     for a, n in per.items() if n == top]
        return rows
    if query == "q7":
        windows = defaultdict(list)
        for b in B:
            windows[window_start(b["dateTime"], 10_000)].append(b)
        rows = []
        for start, ws in windows.items():
            top = max(b["price"] for b in ws)
            rows += [{"auction": b["auction"], "price": b["price"],
                      "bidder": b["bidder"], "dateTime": b["dateTime"],
                      "window_start": start, "window_end": start + 10_000}
                     for b in ws if b["price"] == top]
        return rows
    if query == "q8":
        sellers = {(a["seller"], window_start(a["dateTime"], 10_000))
                   for a in A}
        rows = set()
        for p in P:
            start = window_start(p["dateTime"], 10_000)
            if (p["id"], start) in sellers:
                rows.add((p["id"], p["name"], start))
        return [{"id": i, "name": n, "window_start": s,
                 "window_end": s + 10_000} for i, n, s in rows]
    raise ValueError(query)


# ----------------------------------------------------------- the broker


def recreate(brokers, topics, partitions):
    """Deletes TOPICS if present and creates them empty (the runner's tool)."""
    out = Path(os.environ.get("SLUICE_BENCH_CACHE",
                              Path.home() / ".cache/sluice/bench")) / "flink"
    cp = f"{out}/classes:" + (out / "classpath.txt").read_text().strip()
    subprocess.run(["java", "-Xmx256m",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", cp,
                    "sluice.bench.common.KafkaTopics", "recreate", brokers,
                    str(partitions), *topics], check=True)


def sample_events(n, outdir):
    """The harness's seeded sample as (persons, auctions, bids) lists of
    (partition, event); events alternate between the two partitions, so
    each partition stays in event-time order."""
    subprocess.run([sys.executable, str(NEXMARK_PY), "sample", str(n),
                    str(outdir)], check=True, stdout=subprocess.DEVNULL)
    kinds = []
    for kind in ("person", "auction", "bid"):
        with open(outdir / f"{kind}.jsonl") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        kinds.append([(i % 2, e) for i, e in enumerate(rows)])
    return kinds


def load(brokers, topic, events):
    for part in (0, 1):
        lines = "".join(json.dumps(e) + "\n" for p, e in events if p == part)
        subprocess.run(["kcat", "-q", "-P", "-b", brokers, "-t", topic,
                        "-p", str(part)], input=lines.encode(), check=True)


def read_topic(brokers, topic):
    out = subprocess.run(["kcat", "-q", "-C", "-b", brokers, "-t", topic,
                          "-e", "-o", "beginning", "-f", "%s\n"],
                         check=True, capture_output=True).stdout
    return [json.loads(line) for line in out.decode().splitlines() if line]


# ---------------------------------------------------------- comparison


def canonical(row):
    out = []
    for k in sorted(row):
        v = row[k]
        out.append((k, round(v, 9) if isinstance(v, float) else v))
    return tuple(out)


def same_rows(got, want):
    """True when GOT equals WANT as multisets; prints the difference."""
    g, w = Counter(map(canonical, got)), Counter(map(canonical, want))
    if g == w:
        return True
    for row in (g - w).elements():
        print("  unexpected:", dict(row))
    for row in (w - g).elements():
        print("  missing:   ", dict(row))
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--peer", required=True, choices=["flink", "kstreams"])
    ap.add_argument("--sample", type=int, default=0,
                    help="use the harness's seeded sample of N events")
    ap.add_argument("--late", action="store_true",
                    help="q7 only: a bid beyond the bound must be dropped")
    ap.add_argument("queries", nargs="*")
    args = ap.parse_args()
    if not args.brokers.startswith("127.0.0.1:"):
        sys.exit("selftest.py: only a broker on 127.0.0.1 is used")
    runner = HERE.parent / args.peer / "run.sh"
    queries = args.queries or (["q0", "q1", "q2", "q3", "q5", "q7", "q8"]
                               if args.peer == "flink"
                               else ["q0", "q1", "q2", "q7"])

    subprocess.run([str(HERE / "build.sh")], check=True)
    workdir = Path(tempfile.mkdtemp(prefix="nexmark-selftest-"))
    if args.sample:
        persons, auctions, bids = sample_events(args.sample, workdir)
    elif args.late:
        persons, auctions, bids = make_late_events()
        queries = ["q7"]
    else:
        persons, auctions, bids = make_events()
    inputs = (("nexmark-person", persons), ("nexmark-auction", auctions),
              ("nexmark-bid", bids))
    recreate(args.brokers, [t for t, _ in inputs], 2)
    for topic, events in inputs:
        load(args.brokers, topic, events)

    failed = 0
    for q in queries:
        out_topic = f"nexmark-out-selftest-{args.peer}-{q}"
        recreate(args.brokers, [out_topic], 2)
        env = dict(os.environ, NEXMARK_BROKERS=args.brokers,
                   NEXMARK_OUT_TOPIC=out_topic,
                   NEXMARK_EVENTS=str(len(persons) + len(auctions)
                                      if q in ("q3", "q8") else len(bids)),
                   NEXMARK_PARALLELISM="2")
        run = subprocess.run([str(runner), q], env=env, capture_output=True)
        lines = run.stdout.decode().splitlines()
        got = read_topic(args.brokers, out_topic)
        ok = (run.returncode == 0 and lines and lines[-1].startswith(
            "RESULT ") and f"records_out={len(got)}" in lines[-1])
        if args.sample:
            got_path = workdir / f"{q}.jsonl"
            got_path.write_text("".join(json.dumps(r) + "\n" for r in got))
            ok = ok and subprocess.run(
                [sys.executable, str(NEXMARK_PY), "check", q, str(workdir),
                 str(got_path)]).returncode == 0
            want = None
        else:
            want = (late_q7(bids) if args.late
                    else expected(q, persons, auctions, bids))
            ok = ok and same_rows(got, want)
        print(f"{args.peer} {q}: {'ok' if ok else 'FAILED'} ({len(got)} rows"
              f"{'' if want is None else f', {len(want)} expected'}) "
              f"{lines[-1] if lines else ''}")
        if not ok:
            failed += 1
            sys.stdout.write(run.stderr.decode()[-4000:])
    shutil.rmtree(workdir)
    passed = len(queries) - failed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
