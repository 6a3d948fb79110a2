#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`sluice gen records` against a `sluice broker` started here: every
record arrives (read back with `sluice run --bounded -e "PRINT ..."`),
keys take the asked number of values and stay on one partition each,
values have the declared shape, the same seed gives the same records and
another seed others, CSV works, and --rate paces the run.

    test_gen_broker.py SLUICE_BINARY
"""
import csv
import io
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Broker, main, run  # noqa: E402

SLUICE = os.path.abspath(sys.argv[1])
SCHEMA = ("id BIGINT, user_id BIGINT, amount DOUBLE, name VARCHAR, "
          "ts TIMESTAMP, tags ARRAY<VARCHAR>")
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def expect(cond, what, detail=""):
    if not cond:
        raise AssertionError("%s\n%s" % (what, detail))


def gen(work, broker, topic, *extra):
    argv = [SLUICE, "gen", "records", "--brokers", broker.bootstrap,
            "--topic", topic] + list(extra)
    code, out, err = run(argv, cwd=work)
    expect(code == 0, "gen to %s exits 0, got %d" % (topic, code), err)
    return err


def read_back(work, broker, topic):
    """The records of topic as (partition, key, value) tuples."""
    code, out, err = run([SLUICE, "run", "--bounded", "--output", "csv",
                          "--log-level", "warn", "--brokers",
                          broker.bootstrap, "-e",
                          "PRINT '%s' FROM BEGINNING;" % topic], cwd=work)
    expect(code == 0, "PRINT %s exits 0" % topic, err)
    rows = list(csv.DictReader(io.StringIO(out)))
    return [(int(r["partition"]), r["key"], r["value"]) for r in rows]


def test_records_keys_and_determinism(work):
    with Broker(SLUICE) as broker:
        args = ["--schema", SCHEMA, "--count", "200", "--key", "user_id",
                "--keys", "7", "--seed", "42"]
        err = gen(work, broker, "t1", *args)
        expect(re.search(r'^sluice gen records: 200 records to topic "t1" '
                         r'in [0-9.]+ s \([0-9]+ records/s\), seed 42, '
                         r'keyed by user_id \(7 values\)$', err, re.M),
               "the summary", err)
        gen(work, broker, "t2", *args)
        args[-1] = "43"
        gen(work, broker, "t3", *args)

        t1 = read_back(work, broker, "t1")
        expect(len(t1) == 200, "200 records in t1, got %d" % len(t1))
        keys = {k for _, k, _ in t1}
        expect(keys == {str(k) for k in range(1, 8)}, "7 keys", keys)
        partition_of = {}
        ids = set()
        for partition, key, value in t1:
            expect(partition_of.setdefault(key, partition) == partition,
                   "key %s stays on one partition" % key)
            rec = json.loads(value)
            expect(list(rec) == ["id", "user_id", "amount", "name", "ts",
                                 "tags"], "the columns in order", value)
            expect(str(rec["user_id"]) == key, "the key is user_id", value)
            expect(isinstance(rec["amount"], (int, float))
                   and 0 <= rec["amount"] < 1000, "amount", value)
            expect(isinstance(rec["name"], str) and rec["name"].isalpha(),
                   "name", value)
            expect(TS.match(rec["ts"]), "ts in ISO 8601", value)
            expect(isinstance(rec["tags"], list) and len(rec["tags"]) <= 3,
                   "tags", value)
            ids.add(rec["id"])
        expect(ids == set(range(1, 201)), "ids 1..200, each once")

        t2 = read_back(work, broker, "t2")
        t3 = read_back(work, broker, "t3")
        records = sorted((k, v) for _, k, v in t1)
        expect(records == sorted((k, v) for _, k, v in t2),
               "the same seed gives the same records")
        expect(records != sorted((k, v) for _, k, v in t3),
               "another seed gives other records")


def test_csv_and_rate(work):
    with Broker(SLUICE) as broker:
        gen(work, broker, "c1", "--schema", "id INT, name VARCHAR NOT NULL, "
            "price DECIMAL(6,2)", "--count", "5", "--format", "csv",
            "--nulls", "1")
        rows = read_back(work, broker, "c1")
        expect(len(rows) == 5, "5 records", rows)
        for _, key, value in rows:
            expect(key == "", "no key without --key", key)
            # NULL is an empty field; the NOT NULL name never is.
            expect(re.fullmatch(r",[a-z]+,", value), "csv value", value)

        start = time.monotonic()
        err = gen(work, broker, "r1", "--schema", "n INT", "--count", "20",
                  "--rate", "50")
        took = time.monotonic() - start
        # 20 records at 50/s: the last goes out 19/50 s after the first.
        expect(took >= 0.38, "the rate is kept (%.2f s)" % took, err)
        expect(len(read_back(work, broker, "r1")) == 20, "20 records")


if __name__ == "__main__":
    main([test_records_keys_and_determinism, test_csv_and_rate])
