#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Progress on a terminal: the status lines of `sluice run` (one line per
running query every 5 s on standard error with its exact counters, lag
and rate; in a bounded run the records read of the exact total), LOAD
(rows and percent) and training (round n of N and the metric); none of
it when standard error is a file (standard output still a terminal).

    test_progress_pty.py SLUICE_BINARY NAP_UDF_LIBRARY

NAP_UDF_LIBRARY (tests/cli/nap_udf.c) has nap(ms), which sleeps: it keeps
a bounded query running while its status line shows.
"""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import PtyProgram, clean_env, main  # noqa: E402

SLUICE = os.path.abspath(sys.argv[1])
NAP = os.path.abspath(sys.argv[2])

SCRIPT = """
CREATE STREAM src (id INT, v DOUBLE) WITH (topic='src', format='json');
INSERT INTO src VALUES (1, 1.5), (2, 2.5), (3, 3.5), (4, 4.5), (5, 5.5);
CREATE STREAM dst AS SELECT id, v * 2 AS w FROM src WHERE id > 1;
"""

LINE = r"dst: in 5, out 4, failed 0, late 0, lag (\d+), (\d+\.\d) rec/s\r\n"


def check(cond, what, output=""):
    if not cond:
        raise AssertionError("%s\n--- output ---\n%s" % (what, output))


# A bounded run: the query starts with two records to read (4 s of naps
# each), and three more are written to its topic after it started, past
# the end offsets it reads to.  Its total is 2 from its first line on.
BOUNDED = """
CREATE FUNCTION nap(INT) RETURNS INT LANGUAGE C AS '%s';
CREATE STREAM src (id INT, ms INT)
  WITH (topic='src', format='json', partitions=1);
INSERT INTO src VALUES (1, 4000), (2, 4000);
CREATE STREAM slow AS SELECT id, nap(ms) AS slept FROM src;
INSERT INTO src VALUES (3, 0), (4, 0), (5, 0);
"""

BOUNDED_LINE = (r"slow: in 2, out 0, failed 0, late 0, "
                r"2 of 2 records \(100%\), (\d+\.\d) rec/s, ETA 0:00:00\r\n")

# LOAD of 2000 rows, then an XGBoost model trained for 5 rounds, then a
# pull query over the loaded rows.
LOAD_ROWS = 2000
TRAIN = """
CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR);
LOAD 'rows.csv' INTO t;
CREATE TABLE history (id BIGINT PRIMARY KEY, amount DOUBLE, fraud BOOLEAN);
INSERT INTO history VALUES (1, 10, false), (2, 15, false), (3, 900, true),
  (4, 12, false), (5, 950, true), (6, 20, false), (7, 880, true),
  (8, 18, false);
CREATE MODEL risk TYPE XGBOOST FEATURES (amount) LABEL fraud FROM history
  WITH (rounds=5, max_depth=2, nthread=1, seed=1);
SELECT id FROM t WHERE id = 1999;
"""


def write_script(work, text=SCRIPT, name="m.sql"):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def write_rows(work):
    with open(os.path.join(work, "rows.csv"), "w") as f:
        f.write("id,v\n")
        for i in range(LOAD_ROWS):
            f.write("%d,x%d\n" % (i, i))


def run_with_stderr_in_a_file(work, argv, wait):
    """Runs argv with standard input and output on a terminal and
    standard error in a file; waits for it to exit (wait true) or stops
    it with SIGINT after 11 s.  Returns (exit code, standard error)."""
    err_path = os.path.join(work, "err.txt")
    master, slave = pty.openpty()
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=err,
                                cwd=work, env=clean_env(TERM="dumb"))
    os.close(slave)
    try:
        if wait:
            # The terminal must be read, or the program blocks writing.
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.2)
                try:
                    if ready:
                        os.read(master, 65536)
                except OSError:
                    time.sleep(0.1)
        else:
            # Long enough for two status lines, were there any.
            time.sleep(11)
            check(proc.poll() is None, "sluice run ended early")
            proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    with open(err_path) as f:
        return code, f.read()


def test_status_line_on_a_terminal(work):
    script = write_script(work)
    env = clean_env(TERM="dumb")
    p = PtyProgram([SLUICE, "run", "--log-level", "error", script],
                   env=env, cwd=work)
    try:
        # The first line comes after 5 s; once the query has committed
        # its offsets the lag is 0, and with nothing new to read the rate
        # is 0 too.
        start = time.monotonic()
        first = p.expect(LINE, timeout=20)
        check(time.monotonic() - start >= 4.5,
              "the first line came before 5 s", p.seen.decode())
        check(int(first.group(1)) in (0, 5), "lag %s" % first.group(1),
              p.seen.decode())
        p.expect(r"dst: in 5, out 4, failed 0, late 0, lag 0, 0\.0 rec/s"
                 r"\r\n", timeout=25)
        os.kill(p.pid, signal.SIGINT)
        code = p.wait(timeout=30)
        check(code == 0, "SIGINT exits 0, got %s" % code, p.seen.decode())
    finally:
        p.kill()


def test_no_status_line_when_stderr_is_a_file(work):
    script = write_script(work)
    code, text = run_with_stderr_in_a_file(
        work, [SLUICE, "run", "--log-level", "info", script], wait=False)
    check(code == 0, "SIGINT exits 0, got %s" % code, text)
    check("query dst started" in text, "the log reached the file", text)
    check("dst: in " not in text, "a status line in a file", text)


def test_bounded_run_shows_its_exact_total(work):
    script = write_script(work, BOUNDED % NAP, "bounded.sql")
    p = PtyProgram([SLUICE, "run", "--bounded", "--log-level", "error",
                    script], env=clean_env(TERM="dumb"), cwd=work)
    try:
        # Both records are read (and napping) when the first line comes;
        # the three written later are not the query's to read.
        line = p.expect(BOUNDED_LINE, timeout=20)
        check(float(line.group(1)) > 0, "a rate above 0", p.seen.decode())
        code = p.wait(timeout=30)
        check(code == 0, "the bounded run exits 0, got %s" % code,
              p.seen.decode())
        check(" of 5 records" not in p.seen.decode(),
              "records written after the start are not in the total",
              p.seen.decode())
    finally:
        p.kill()


def test_load_and_training_progress(work):
    write_rows(work)
    script = write_script(work, TRAIN, "train.sql")
    p = PtyProgram([SLUICE, "run", "--bounded", "--log-level", "error",
                    script], env=clean_env(TERM="dumb"), cwd=work)
    try:
        # LOAD redraws one line in place and ends it at 100%; no redraw
        # says 100% before every row is read.
        p.expect(r"\rLOAD rows\.csv: %d rows, 100%%\r\n" % LOAD_ROWS,
                 timeout=30)
        load = p.seen[:p.pos].decode()
        for rows, pct in re.findall(r"LOAD rows\.csv: (\d+) rows, (\d+)%",
                                    load):
            check(pct != "100" or int(rows) == LOAD_ROWS,
                  "%s rows at 100%%" % rows, load)
        # Training redraws its line each round, with the metric.
        for n in range(1, 6):
            p.expect(r"\rtraining risk: round %d of 5, logloss "
                     r"[0-9]+\.[0-9]+" % n, timeout=30)
        p.expect(r"\r\n", timeout=5)
        p.expect(r"\| +%d \|" % (LOAD_ROWS - 1), timeout=30)
        code = p.wait(timeout=30)
        check(code == 0, "exit 0, got %s" % code, p.seen.decode())
    finally:
        p.kill()


def test_no_progress_when_stderr_is_a_file(work):
    write_rows(work)
    train = write_script(work, TRAIN, "train.sql")
    code, text = run_with_stderr_in_a_file(
        work, [SLUICE, "run", "--bounded", "--log-level", "error", train],
        wait=True)
    check(code == 0, "exit 0, got %s" % code, text)
    check("LOAD " not in text and "training " not in text,
          "LOAD or training progress in a file", text)

    bounded = write_script(work, BOUNDED % NAP, "bounded.sql")
    code, text = run_with_stderr_in_a_file(
        work, [SLUICE, "run", "--bounded", "--log-level", "error", bounded],
        wait=True)
    check(code == 0, "exit 0, got %s" % code, text)
    check("slow: in " not in text and "rec/s" not in text,
          "a bounded status line in a file", text)


# SIGINT while a bounded script waits: the queries stop, and the
# statements after the one running do not start (the last would fail on
# what the stopped query did not finish); the run says so and exits 0.
STOPPED = """
CREATE FUNCTION nap(INT) RETURNS INT LANGUAGE C AS '%s';
CREATE STREAM src (id INT, ms INT)
  WITH (topic='src', format='json', partitions=1);
INSERT INTO src VALUES (1, 3000), (2, 3000), (3, 3000);
CREATE STREAM slow AS SELECT id, nap(ms) AS slept FROM src;
SELECT id, slept FROM slow;
CREATE STREAM later (id INT) WITH (topic='later');
SELECT * FROM later;
"""


def test_sigint_stops_the_script(work):
    script = write_script(work, STOPPED % NAP, "stopped.sql")
    p = PtyProgram([SLUICE, "run", "--bounded", "--log-level", "info",
                    script], env=clean_env(TERM="dumb"), cwd=work)
    try:
        p.expect(r"query slow started", timeout=20)
        time.sleep(0.5)
        os.kill(p.pid, signal.SIGINT)
        code = p.wait(timeout=30)
        text = p.seen.decode()
        check(code == 0, "SIGINT exits 0, got %s" % code, text)
        check(re.search(r"stopped\.sql:8: stopped; this statement and 1 "
                        r"after it did not run", text) is not None,
              "the statements not run are named", text)
        check("query later" not in text and "transient_2" not in text,
              "nothing after the stop started", text)
    finally:
        p.kill()


if __name__ == "__main__":
    main([test_status_line_on_a_terminal,
          test_no_status_line_when_stderr_is_a_file,
          test_bounded_run_shows_its_exact_total,
          test_load_and_training_progress,
          test_no_progress_when_stderr_is_a_file,
          test_sigint_stops_the_script])
