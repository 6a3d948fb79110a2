#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The status lines of `sluice run`: on a terminal, one line per running
query every 5 s on standard error with its exact counters, lag and rate;
none at all when standard error is a file (standard output still a
terminal).

    test_progress_pty.py SLUICE_BINARY
"""
import os
import pty
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import PtyProgram, clean_env, main  # noqa: E402

SLUICE = os.path.abspath(sys.argv[1])

SCRIPT = """
CREATE STREAM src (id INT, v DOUBLE) WITH (topic='src', format='json');
INSERT INTO src VALUES (1, 1.5), (2, 2.5), (3, 3.5), (4, 4.5), (5, 5.5);
CREATE STREAM dst AS SELECT id, v * 2 AS w FROM src WHERE id > 1;
"""

LINE = r"dst: in 5, out 4, failed 0, late 0, lag (\d+), (\d+\.\d) rec/s\r\n"


def check(cond, what, output=""):
    if not cond:
        raise AssertionError("%s\n--- output ---\n%s" % (what, output))


def write_script(work):
    path = os.path.join(work, "m.sql")
    with open(path, "w") as f:
        f.write(SCRIPT)
    return path


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
    err_path = os.path.join(work, "err.txt")
    master, slave = pty.openpty()
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(
            [SLUICE, "run", "--log-level", "info", script],
            stdin=slave, stdout=slave, stderr=err, cwd=work,
            env=clean_env(TERM="dumb"))
    os.close(slave)
    try:
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
        text = f.read()
    check(code == 0, "SIGINT exits 0, got %s" % code, text)
    check("query dst started" in text, "the log reached the file", text)
    check("dst: in " not in text, "a status line in a file", text)


if __name__ == "__main__":
    main([test_status_line_on_a_terminal,
          test_no_status_line_when_stderr_is_a_file])
