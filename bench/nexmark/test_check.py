#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The comparison of nexmark.py (CTest bench.nexmark_check, label bench):
the answer it accepts, the outputs it rejects, and the one documented
exception, on events written here (no broker, no engine).

  test_check.py
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
NEXMARK = os.path.join(HERE, "nexmark.py")
FAILURES = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


def write_lines(path, rows):
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


def run_check(query, events, got, system=None):
    """nexmark.py check of GOT (rows); its exit status and output."""
    path = os.path.join(events, "got.jsonl")
    write_lines(path, got)
    args = [sys.executable, NEXMARK, "check", query, events, path]
    if system:
        args.append(system)
    proc = subprocess.run(args, capture_output=True, text=True)
    return proc.returncode, proc.stdout


def bid(auction, bidder, price, t):
    return {"auction": auction, "bidder": bidder, "price": price,
            "channel": "Apple", "url": "u", "dateTime": t, "extra": ""}


def main():
    with tempfile.TemporaryDirectory() as d:
        # Window [0, 10000): two identical highest bids and a lower one;
        # window [10000, 20000): one highest bid.
        bids = [bid(1, 7, 500, 1000), bid(1, 7, 500, 1000),
                bid(2, 8, 100, 2000), bid(3, 9, 300, 12000)]
        write_lines(os.path.join(d, "bid.jsonl"), bids)
        write_lines(os.path.join(d, "person.jsonl"), [])
        write_lines(os.path.join(d, "auction.jsonl"), [])

        def q7_row(b):
            s = b["dateTime"] - b["dateTime"] % 10000
            return {"auction": b["auction"], "price": b["price"],
                    "bidder": b["bidder"], "dateTime": b["dateTime"],
                    "window_start": s, "window_end": s + 10000}

        both = [q7_row(bids[0]), q7_row(bids[1]), q7_row(bids[3])]
        once = [q7_row(bids[0]), q7_row(bids[3])]
        rc, out = run_check("q7", d, both, "flink")
        check(rc == 0, "q7: both identical highest bids are the answer")
        rc, out = run_check("q7", d, once, "flink")
        check(rc == 1 and "3 rows expected, 2 read" in out,
              "q7: a system without the exception may not drop one")
        rc, out = run_check("q7", d, once, "sluice")
        check(rc == 0 and "documented exception" in out and
              "3 expected rows become 2" in out,
              "q7: Sluice's documented exception counts them once, and "
              "says so")
        rc, out = run_check("q7", d, [q7_row(bids[3])], "sluice")
        check(rc == 1, "q7: the exception forgives nothing else")

        q2 = [{"auction": b["auction"], "price": b["price"]} for b in bids]
        rc, out = run_check("q0", d,
                            [{k: b[k] for k in ("auction", "bidder",
                                                "price", "dateTime",
                                                "extra")} for b in bids])
        check(rc == 0, "q0: every bid, in any order")
        rc, out = run_check("q2", d, q2[:1])
        check(rc == 1 and "0 rows expected, 1 read" in out,
              "q2: a row of an auction that is no multiple of 123 fails")
        wrong_price = [dict(r) for r in once]
        wrong_price[0]["price"] = 499
        rc, out = run_check("q7", d, wrong_price, "sluice")
        check(rc == 1 and "expected" in out and "read" in out,
              "q7: a wrong value fails and shows both rows")
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
