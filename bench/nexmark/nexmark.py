#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Nexmark events and answers for the benchmark harness (bench/nexmark).

Events travel as three files of flat JSON lines, one per topic:
person.jsonl, auction.jsonl and bid.jsonl, with the Nexmark field names
and dateTime/expires in epoch milliseconds (see README.md).

  nexmark.py convert IN DIR       the nexmark crate's output to DIR/*.jsonl
  nexmark.py sample N DIR [BASE]  N events of the same shape from a small
                                  seeded generator (smoke test; no crate),
                                  the first at BASE (epoch ms; default:
                                  now, to the second)
  nexmark.py expect QUERY DIR     the rows QUERY must produce, computed
                                  here from DIR/*.jsonl, one JSON per line
  nexmark.py check QUERY DIR GOT [SYSTEM]
                                  compare GOT (one JSON record per line,
                                  as read back from an output topic of
                                  SYSTEM) with the expected rows, allowing
                                  for SYSTEM's documented exceptions
                                  (EXCEPTIONS); exit 1 when they differ

QUERY is q0, q1, q2, q3, q5, q7 or q8, or raw: the bids unchanged, which
is what the raw consume-and-produce loop copies.

The answers are computed directly from the definitions of the queries
(window membership, maxima, joins), never from any engine's SQL, so that
they are an independent check of every system.
"""

import json
import os
import random
import sys
import time

TOPICS = ("person", "auction", "bid")
FIELDS = {
    "person": ("id", "name", "emailAddress", "creditCard", "city", "state",
               "dateTime", "extra"),
    "auction": ("id", "itemName", "description", "initialBid", "reserve",
                "dateTime", "expires", "seller", "category", "extra"),
    "bid": ("auction", "bidder", "price", "channel", "url", "dateTime",
            "extra"),
}
TIME_FIELDS = ("dateTime", "expires")

TUMBLE_MS = 10000
HOP_SIZE_MS = 10000
HOP_SLIDE_MS = 2000


def fail(msg):
    sys.stderr.write("nexmark.py: %s\n" % msg)
    sys.exit(2)


# ---------------------------------------------------------------------
# Conversion of the crate's output
# ---------------------------------------------------------------------

def to_epoch_ms(value, where):
    """An event time as the crate prints it, in epoch milliseconds."""
    if isinstance(value, bool):
        fail("%s: a boolean where a time was expected" % where)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    fail("%s: cannot read the time %r" % (where, value))


def flatten(event, lineno):
    """One event of the crate, tagged by kind, as (kind, flat record).

    The crate writes each event as a JSON object with one key naming its
    kind ("Person", "Auction" or "Bid"), or as an object that carries the
    kind in a field; both shapes are accepted.  Field names may come in
    snake_case (date_time, email_address, ...): they are mapped back to
    the Nexmark names.  State codes are upper-cased.
    """
    kind, body = None, None
    if isinstance(event, dict) and len(event) == 1:
        (name, inner), = event.items()
        if name.lower() in TOPICS and isinstance(inner, dict):
            kind, body = name.lower(), inner
    if kind is None and isinstance(event, dict):
        for tag in ("type", "event_type", "kind"):
            t = event.get(tag)
            if isinstance(t, str) and t.lower() in TOPICS:
                kind, body = t.lower(), event
            elif isinstance(t, int) and 0 <= t < 3:
                kind = TOPICS[t]
                inner = event.get(kind)
                body = inner if isinstance(inner, dict) else event
    if kind is None:
        fail("line %d: not a Person, Auction or Bid event" % lineno)

    def camel(name):
        parts = name.split("_")
        return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])

    given = {camel(k): v for k, v in body.items()}
    record = {}
    for field in FIELDS[kind]:
        if field not in given:
            fail("line %d: %s event without %s" % (lineno, kind, field))
        value = given[field]
        if field in TIME_FIELDS:
            value = to_epoch_ms(value, "line %d: %s" % (lineno, field))
        elif field == "state" and isinstance(value, str):
            # The crate writes US state codes in lower case; Nexmark's
            # reference generator, and q3's filter, use upper case.
            value = value.upper()
        record[field] = value
    return kind, record


def cmd_convert(src, outdir):
    os.makedirs(outdir, exist_ok=True)
    outs = {k: open(os.path.join(outdir, k + ".jsonl"), "w") for k in TOPICS}
    counts = dict.fromkeys(TOPICS, 0)
    sizes = dict.fromkeys(TOPICS, 0)
    with (sys.stdin if src == "-" else open(src)) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except ValueError as e:
                fail("line %d: %s" % (lineno, e))
            kind, record = flatten(event, lineno)
            text = json.dumps(record, separators=(",", ":"))
            outs[kind].write(text + "\n")
            counts[kind] += 1
            sizes[kind] += len(text)
    for f in outs.values():
        f.close()
    for k in TOPICS:
        print("%s %d %d" % (k, counts[k], sizes[k]))


# ---------------------------------------------------------------------
# The small generator
# ---------------------------------------------------------------------

FIRST_NAMES = ("Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate",
               "Julie", "Sarah", "Deiter", "Walter")
LAST_NAMES = ("Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton",
              "Smith", "Jones", "Noris")
CITIES = ("Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland",
          "Bend", "Redmond", "Seattle", "Kent", "Cheyenne")
STATES = ("AZ", "CA", "ID", "OR", "WA", "WY")
CHANNELS = ("Google", "Facebook", "Baidu", "Apple")


def cmd_sample(n, outdir, base):
    """N events, 1 person : 3 auctions : 46 bids in each 50, 10 ms apart.

    Sellers are recent persons and bidders recent persons, auctions are
    recent auctions with a few hot ones, as in Nexmark; prices come from a
    small range so that maxima tie now and then.  The same N and BASE
    always give the same events.  Event times start near the present by
    default because outputs carry them as record timestamps, and a broker
    deletes records older than its retention (7 days by default).
    """
    rng = random.Random(20240501)
    os.makedirs(outdir, exist_ok=True)
    outs = {k: open(os.path.join(outdir, k + ".jsonl"), "w") for k in TOPICS}
    persons, auctions = [], []
    for i in range(n):
        t = base + i * 10
        slot = i % 50
        if slot == 0 or not persons:
            pid = 1000 + len(persons)
            name = "%s %s" % (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
            rec = {"id": pid, "name": name,
                   "emailAddress": "%s@example.com" % name.replace(" ", "."),
                   "creditCard": " ".join("%04d" % rng.randrange(10000)
                                          for _ in range(4)),
                   "city": rng.choice(CITIES), "state": rng.choice(STATES),
                   "dateTime": t, "extra": "p%d" % rng.randrange(1000)}
            persons.append(pid)
            kind = "person"
        elif slot <= 3 or not auctions:
            aid = 1000 + len(auctions)
            initial = rng.randrange(1, 1000)
            rec = {"id": aid, "itemName": "item-%d" % aid,
                   "description": "a fine item %d" % rng.randrange(100),
                   "initialBid": initial,
                   "reserve": initial + rng.randrange(1000),
                   "dateTime": t, "expires": t + rng.randrange(1, 20000),
                   "seller": rng.choice(persons[-5:]),
                   "category": 10 + rng.randrange(5),
                   "extra": "a%d" % rng.randrange(1000)}
            auctions.append(aid)
            kind = "auction"
        else:
            if rng.random() < 0.5:
                auction = auctions[-1 - rng.randrange(min(3, len(auctions)))]
            else:
                auction = rng.choice(auctions[-50:])
            rec = {"auction": auction, "bidder": rng.choice(persons[-20:]),
                   "price": rng.randrange(100, 10000),
                   "channel": rng.choice(CHANNELS),
                   "url": "https://www.nexmark.com/b/%d" % rng.randrange(100),
                   "dateTime": t, "extra": "b%d" % rng.randrange(1000)}
            kind = "bid"
        outs[kind].write(json.dumps(rec, separators=(",", ":")) + "\n")
    for f in outs.values():
        f.close()


# ---------------------------------------------------------------------
# Independent answers
# ---------------------------------------------------------------------

def read_events(d, kind):
    with open(os.path.join(d, kind + ".jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def tumble_start(t):
    return t - t % TUMBLE_MS


def hop_starts(t):
    """Starts of the hopping windows [s, s + size) holding time t."""
    last = t - t % HOP_SLIDE_MS
    s = last
    while s > t - HOP_SIZE_MS:
        yield s
        s -= HOP_SLIDE_MS


def expect(query, d):
    if query in ("q0", "q1", "q2", "q5", "q7", "raw"):
        bids = read_events(d, "bid")
    if query == "raw":
        return read_events(d, "bid")
    if query == "q0":
        return [{k: b[k] for k in ("auction", "bidder", "price", "dateTime",
                                   "extra")} for b in bids]
    if query == "q1":
        return [{"auction": b["auction"], "bidder": b["bidder"],
                 "price": 0.908 * b["price"], "dateTime": b["dateTime"]}
                for b in bids]
    if query == "q2":
        return [{"auction": b["auction"], "price": b["price"]}
                for b in bids if b["auction"] % 123 == 0]
    if query == "q3":
        persons = {p["id"]: p for p in read_events(d, "person")}
        rows = []
        for a in read_events(d, "auction"):
            p = persons.get(a["seller"])
            if a["category"] == 10 and p and p["state"] in ("OR", "ID", "CA"):
                rows.append({"name": p["name"], "city": p["city"],
                             "state": p["state"], "id": a["id"]})
        return rows
    if query == "q5":
        counts = {}
        for b in bids:
            for s in hop_starts(b["dateTime"]):
                key = (s, b["auction"])
                counts[key] = counts.get(key, 0) + 1
        best = {}
        for (s, _), n in counts.items():
            best[s] = max(best.get(s, 0), n)
        return [{"auction": a, "num": n, "window_start": s,
                 "window_end": s + HOP_SIZE_MS}
                for (s, a), n in counts.items() if n == best[s]]
    if query == "q7":
        best = {}
        for b in bids:
            s = tumble_start(b["dateTime"])
            best[s] = max(best.get(s, b["price"]), b["price"])
        rows = []
        for b in bids:
            s = tumble_start(b["dateTime"])
            if b["price"] == best[s]:
                rows.append({"auction": b["auction"], "price": b["price"],
                             "bidder": b["bidder"],
                             "dateTime": b["dateTime"], "window_start": s,
                             "window_end": s + TUMBLE_MS})
        return rows
    if query == "q8":
        joined = {}
        for p in read_events(d, "person"):
            joined[(p["id"], tumble_start(p["dateTime"]))] = p["name"]
        sellers = {(a["seller"], tumble_start(a["dateTime"]))
                   for a in read_events(d, "auction")}
        return [{"id": pid, "name": name, "window_start": s,
                 "window_end": s + TUMBLE_MS}
                for (pid, s), name in joined.items() if (pid, s) in sellers]
    fail("unknown query %s" % query)


# ---------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------

def distinct_rows(rows):
    """ROWS with repeats dropped, first occurrences kept in order."""
    seen, kept = set(), []
    for row in rows:
        key = tuple(sorted(row.items()))
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


# Where a system's query is documented (docs/benchmarks.md) to differ from
# the definition the answers follow: (query, system) -> (what differs, how
# the expected rows are shaped for it).  Nothing else is forgiven.
EXCEPTIONS = {
    ("q7", "sluice"): ("identical highest bids in one window are one row "
                       "(each bid is its own group: auction, price, "
                       "bidder, dateTime)", distinct_rows),
}


def apply_exception(query, system, want):
    """The expected rows as SYSTEM's documented exception shapes them."""
    if (query, system) not in EXCEPTIONS:
        return want
    what, shape = EXCEPTIONS[(query, system)]
    shaped = shape(want)
    print("%s: %s's documented exception: %s (%d expected rows become "
          "%d)" % (query, system, what, len(want), len(shaped)))
    return shaped


def sort_key(row):
    """Rows sorted by every field, DOUBLEs at 9 significant digits."""
    return tuple((k, "%.9g" % v if isinstance(v, float) else repr(v))
                 for k, v in sorted(row.items()))


def same_value(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        scale = max(abs(a), abs(b))
        return abs(a - b) <= 1e-9 * scale
    return a == b


def same_row(a, b):
    return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)


def cmd_check(query, d, got_path, system):
    want = sorted(apply_exception(query, system, expect(query, d)),
                  key=sort_key)
    got = []
    with open(got_path) as f:
        for lineno, line in enumerate(f, 1):
            if line.strip():
                try:
                    got.append(json.loads(line))
                except ValueError as e:
                    fail("%s:%d: %s" % (got_path, lineno, e))
    got.sort(key=sort_key)
    bad = [i for i in range(min(len(want), len(got)))
           if not same_row(want[i], got[i])]
    if len(want) == len(got) and not bad:
        print("%s: %d rows as expected" % (query, len(want)))
        return 0
    print("%s: %d rows expected, %d read" % (query, len(want), len(got)))
    for i in bad[:5]:
        print("  row %d: expected %s" % (i, json.dumps(want[i])))
        print("  row %d: read     %s" % (i, json.dumps(got[i])))
    if not bad:
        extra = got[len(want):] or want[len(got):]
        which = "read but not expected" if len(got) > len(want) \
            else "expected but not read"
        for row in extra[:5]:
            print("  %s: %s" % (which, json.dumps(row)))
    return 1


def main(argv):
    if len(argv) == 4 and argv[1] == "convert":
        cmd_convert(argv[2], argv[3])
        return 0
    if len(argv) in (4, 5) and argv[1] == "sample":
        base = int(argv[4]) if len(argv) == 5 else int(time.time()) * 1000
        cmd_sample(int(argv[2]), argv[3], base)
        return 0
    if len(argv) == 4 and argv[1] == "expect":
        for row in sorted(expect(argv[2], argv[3]), key=sort_key):
            print(json.dumps(row, separators=(",", ":")))
        return 0
    if len(argv) in (5, 6) and argv[1] == "check":
        return cmd_check(argv[2], argv[3], argv[4],
                         argv[5] if len(argv) == 6 else "")
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
