#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`sluice gen records` against a `sluice broker` started here: every
record arrives (read back with `sluice run --bounded -e "PRINT ..."`),
keys take the asked number of values and stay on one partition each,
values have the declared shape, the same seed gives the same records and
another seed others, CSV works, and --rate paces the run.  Other
processes create topics on the broker: CREATE STREAM with 3 partitions
(rows inserted and read back), the command log with 1, a replication
factor the broker cannot give refused at once, gen records to a new
topic; and a mock cluster that serves no creation requests (the embedded
broker of a running `sluice run`) refuses creation at once.

    test_gen_broker.py SLUICE_BINARY
"""
import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Broker, clean_env, main, run  # noqa: E402

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


def sql(work, broker, text):
    """Runs statements against broker; returns (exit code, stdout,
    stderr, seconds taken)."""
    start = time.monotonic()
    code, out, err = run([SLUICE, "run", "--bounded", "--output", "csv",
                          "--log-level", "warn", "--brokers",
                          broker if isinstance(broker, str)
                          else broker.bootstrap, "-e", text], cwd=work)
    return code, out, err, time.monotonic() - start


def topics(work, broker):
    code, out, err, _ = sql(work, broker, "SHOW TOPICS;")
    expect(code == 0, "SHOW TOPICS exits 0", err)
    return {r["name"]: r["partitions"]
            for r in csv.DictReader(io.StringIO(out))}


def test_create_topics_from_another_process(work):
    with Broker(SLUICE) as broker:
        code, out, err, took = sql(
            work, broker, "CREATE STREAM orders (id INT, item VARCHAR) "
            "WITH (topic='orders', partitions=3, format='json'); "
            "INSERT INTO orders VALUES (1, 'a'), (2, 'b'), (3, 'c'), "
            "(4, 'd'), (5, 'e'), (6, 'f');")
        expect(code == 0, "CREATE STREAM and INSERT exit 0, got %d" % code,
               err)
        expect(took < 10, "created without waiting for a timeout "
               "(%.1f s)" % took, err)
        expect(err == "", "no warnings", err)
        rows = read_back(work, broker, "orders")
        values = sorted(json.loads(v)["id"] for _, _, v in rows)
        expect(values == [1, 2, 3, 4, 5, 6], "the 6 rows read back", rows)
        expect(sorted(json.loads(v)["item"] for _, _, v in rows)
               == list("abcdef"), "their items", rows)
        expect({p for p, _, _ in rows} <= {0, 1, 2}, "partitions 0-2", rows)

        code, _, err, took = sql(
            work, broker, "CREATE STREAM twice (id INT) WITH "
            "(topic='twice', replicas=2, format='json');")
        expect(code == 3 and "twice: create topic: replication factor 2 is "
               "not between 1 and the number of embedded brokers (1)" in err,
               "replicas=2 refused, exit 3, got %d" % code, err)
        expect(took < 5, "refused at once (%.1f s)" % took)

        gen(work, broker, "fresh", "--schema", "n INT", "--count", "3")
        expect(len(read_back(work, broker, "fresh")) == 3, "3 records")

        listed = topics(work, broker)
        expect(listed == {"orders": "3", "fresh": "4",
                          "_sluice-sluice-commands": "1"},
               "orders with 3 partitions, the command log with 1, and "
               "fresh with the broker's default of 4", listed)


def test_no_creation_without_a_sluice_broker(work):
    """The embedded broker of a running `sluice run` is a mock cluster
    that serves no creation requests: creating a topic there fails at
    once, naming why."""
    script = os.path.join(work, "push.sql")
    with open(script, "w") as f:
        f.write("CREATE STREAM x (id INT) WITH (format='json');\n"
                "SELECT * FROM x EMIT CHANGES;\n")
    proc = subprocess.Popen([SLUICE, "run", "--log-level", "info", script],
                            cwd=work, env=clean_env(),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        bootstrap = None
        deadline = time.monotonic() + 15
        while bootstrap is None and time.monotonic() < deadline:
            line = proc.stderr.readline().decode()
            if not line:
                break
            m = re.search(r"embedded broker listening on "
                          r"(127\.0\.0\.1:\d+)$", line.strip())
            if m:
                bootstrap = m.group(1)
        expect(bootstrap, "sluice run logs its embedded broker's address")
        other = os.path.join(work, "other")
        os.mkdir(other)
        code, _, err, took = sql(
            other, bootstrap, "CREATE STREAM y (id INT) WITH "
            "(topic='y', partitions=3, format='json');")
        expect(code == 3 and "y: create topic: the cluster names no "
               "controller and serves no topic creation requests" in err,
               "creation refused, exit 3, got %d" % code, err)
        expect(took < 5, "refused at once (%.1f s)" % took, err)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


if __name__ == "__main__":
    main([test_records_keys_and_determinism, test_csv_and_rate,
          test_create_topics_from_another_process,
          test_no_creation_without_a_sluice_broker])
