#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`sluice shell` on a pseudo-terminal: the prompt, Tab completion of
keywords, object names, columns after an alias and topics after PRINT,
multi-line statements with the continuation prompt, errors with the caret
display that do not end the shell, Ctrl-C dropping a typed statement and
stopping a running one, result tables ending with their row count and
the time taken, the meta commands, and history kept across two runs.

    test_shell_pty.py SLUICE_BINARY
"""
import os
import re
import signal
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import PtyProgram, clean_env, main  # noqa: E402

SLUICE = os.path.abspath(sys.argv[1])
PROMPT = r"sluice> "
MORE = r"   \.\.\.> "


def start_shell(work, *args):
    home = os.path.join(work, "home")
    os.makedirs(home, exist_ok=True)
    env = clean_env(HOME=home, TERM="dumb")
    sh = PtyProgram([SLUICE, "shell"] + list(args), env=env, cwd=work)
    sh.expect(PROMPT)
    return sh


def run_statement(sh, text):
    """Types a statement, ends it with Enter, waits for the next prompt;
    returns what was printed in between."""
    sh.type(text + "\r")
    start = sh.pos
    sh.expect(r"\r\n" + PROMPT)
    return sh.seen[start:sh.pos].decode()


def check(cond, what, output):
    if not cond:
        raise AssertionError("%s; output:\n%s" % (what, output))


def footer(rows):
    """The footer of a table of rows rows with the time taken, as a
    regex: "(1 row, 2.1 ms)", "(3 rows, 1.25 s)"."""
    return r"\(%d rows?, [0-9]+\.(?:[0-9] ms|[0-9]{2} s)\)\r\n" % rows


def has_footer(out, rows):
    return re.search(footer(rows), out) is not None


def test_session(work):
    sh = start_shell(work)
    try:
        run_statement(sh, "CREATE TABLE accounts (id BIGINT PRIMARY KEY, "
                          "owner VARCHAR, balance DECIMAL(10,2));")
        run_statement(sh, "CREATE STREAM payments (id BIGINT, amount DOUBLE)"
                          " WITH (topic='payments', format='json');")

        # A keyword, then a multi-line statement with the continuation
        # prompt.
        sh.type("SHO\t")
        sh.expect(r"SHOW $")
        sh.type("\r")
        sh.expect(MORE)
        out = run_statement(sh, "STREAMS;")
        check("| payments |" in out and has_footer(out, 1),
              "SHOW STREAMS lists payments, with its row count and time",
              out)

        # An object created in this session.
        sh.type("DESCRIBE pay\t")
        sh.expect(r"DESCRIBE payments $")
        out = run_statement(sh, ";")
        check(re.search(r"\| amount +\| DOUBLE", out) and has_footer(out, 2),
              "DESCRIBE output with its footers", out)

        # Columns after an alias, in a statement over two lines.
        run_statement(sh, "INSERT INTO accounts VALUES (1, 'ana', 10.50), "
                          "(2, 'bo', 99.00);")
        sh.type("SELECT a.owner, a.id FROM accounts a\r")
        sh.expect(MORE)
        sh.type("WHERE a.bal\t")
        sh.expect(r"WHERE a\.balance $")
        out = run_statement(sh, "> 50;")
        check(re.search(r"\| owner +\| id +\|", out) and "| bo " in out
              and has_footer(out, 1), "the two-line query ran", out)

        # Topics after PRINT: two share the prefix, a second Tab lists them.
        sh.type("PRINT 'pay\t")
        sh.expect(r"PRINT 'payments$")
        sh.type("\t")
        sh.expect(r"payments +payments\.dlq")
        # Ctrl-C drops the statement being typed.
        sh.type("\x03")
        sh.expect(r"\^C\r\n" + PROMPT)

        # Ctrl-C on a continuation line drops the whole statement: what
        # follows runs alone.
        sh.type("SELECT owner FROM\r")
        sh.expect(MORE)
        sh.type("\x03")
        sh.expect(r"\^C\r\n" + PROMPT)
        out = run_statement(sh, "SHOW TABLES;")
        check("| accounts |" in out and "error" not in out,
              "the dropped statement is gone", out)

        # An error shows the caret and the shell goes on.
        out = run_statement(sh, "SELECT idd FROM accounts;")
        check(re.search(r'<stdin>:1:8: error: unknown column "idd"', out),
              "the error names the column", out)
        check("SELECT idd FROM accounts;\r\n       ^" in out,
              "the caret points at the column", out)
        out = run_statement(sh, "SELECT owner FROM accounts WHERE id = 1;")
        check("| ana   |" in out and has_footer(out, 1),
              "a statement after the error runs", out)

        # A statement that prints no table shows no time.
        out = run_statement(sh, "SET 'auto.offset.reset' = 'earliest';")
        check(" ms" not in out and "Time" not in out and "error" not in out,
              "no time without a table", out)

        # \timing toggles the time off and on; the row count stays.
        out = run_statement(sh, "\\timing")
        check("Timing is off." in out, "\\timing toggles it off", out)
        out = run_statement(sh, "SELECT id FROM accounts;")
        check(re.search(r"\+\r\n\(2 rows\)\r\n", out) and "Time" not in out,
              "the row count alone", out)
        out = run_statement(sh, "\\timing on")
        check("Timing is on." in out, "\\timing on", out)
        out = run_statement(sh, "SELECT id FROM accounts;")
        check(has_footer(out, 2) and "Time" not in out,
              "rows and time in the footer", out)

        # \o, \i and \help.  A spool file is no terminal: its footer
        # has no time, which goes to the terminal on a line of its own.
        spool = os.path.join(work, "spool.txt")
        run_statement(sh, "\\o " + spool)
        out = run_statement(sh, "SELECT owner FROM accounts WHERE id = 2;")
        check("bo" not in out and re.search(r"Time: [0-9]+\.[0-9]{3} ms", out),
              "spooled rows stay off the terminal, the time on it", out)
        run_statement(sh, "\\o")
        with open(spool) as f:
            spooled = f.read()
        check("| bo    |" in spooled and spooled.endswith("+\n(1 row)\n"),
              "the spool file holds the rows and the row count", spooled)

        script = os.path.join(work, "more.sql")
        with open(script, "w") as f:
            f.write("CREATE STREAM other (x INT) WITH (format='json');\n"
                    "SHOW STREAMS;\n")
        out = run_statement(sh, "\\i " + script)
        check("| other " in out and has_footer(out, 2), "\\i ran the file",
              out)
        out = run_statement(sh, "\\help")
        check("Meta commands" in out and "\\timing" in out, "\\help", out)
        out = run_statement(sh, "\\nosuch")
        check("unknown command \\nosuch" in out, "unknown meta command", out)

        # A push query: LIMIT ends it; without one, Ctrl-C stops it.
        run_statement(sh, "INSERT INTO payments VALUES (1, 2.5), (2, 7.25);")
        run_statement(sh, "SET 'auto.offset.reset' = 'earliest';")
        out = run_statement(sh, "SELECT id FROM payments EMIT CHANGES "
                                "LIMIT 1;")
        check(re.search(r"\|  +[12] \|", out) and has_footer(out, 1),
              "LIMIT 1 ends the push query after one row", out)
        sh.type("SELECT id, amount FROM payments EMIT CHANGES;\r")
        sh.expect("EMIT CHANGES;\r\n")
        # While it runs, its rows are on the screen and a status line under
        # them counts them.
        live_start = sh.pos
        sh.expect(r"-- 2 rows received, [0-9]+\.[0-9] rows/s")
        live = sh.seen[live_start:sh.pos].decode()
        check(re.search(r"\|  +2 \| +7\.25 \|", live),
              "rows show while the push query runs", live)
        sh.send("\x03")
        out_start = sh.pos
        sh.expect(r"cancelled\r\n" + PROMPT)
        out = sh.seen[out_start:sh.pos].decode()
        check(has_footer(out, 2) and "rows received" not in
              out.split("cancelled")[-1],
              "the stopped push query ends its table", out)

        run_statement(sh, "SHOW STREAMS;")
        sh.type("\x04")
        code = sh.wait()
        check(code == 0, "Ctrl-D exits 0, got %s" % code,
              sh.seen[-500:].decode())
    finally:
        sh.kill()


def test_history_across_runs(work):
    home = os.path.join(work, "home")
    sh = start_shell(work)
    try:
        sh.type("SHOW\r")
        sh.expect(MORE)
        run_statement(sh, "TABLES;")
        run_statement(sh, "SHOW STREAMS;")
        sh.type("\\q\r")
        check(sh.wait() == 0, "\\q exits 0", sh.seen.decode())
    finally:
        sh.kill()

    hdir = os.path.join(home, ".local", "share", "sluice")
    path = os.path.join(hdir, "history")
    check(os.path.exists(path), "the history file exists", path)
    check(stat.S_IMODE(os.stat(hdir).st_mode) == 0o700,
          "the history directory is private", oct(os.stat(hdir).st_mode))
    with open(path) as f:
        saved = f.read()
    # libedit escapes blanks and newlines in the file.
    check(re.search(r"SHOW(\\n|\\012)TABLES;", saved)
          and re.search(r"SHOW(\\040| )STREAMS;", saved),
          "both statements saved, the two-line one as one entry", saved)

    # A second run recalls them: Ctrl-P twice goes back past \q.
    sh = start_shell(work)
    try:
        sh.type("\x10")
        sh.expect(r"\\q")
        sh.type("\x10")
        sh.expect(r"SHOW STREAMS;")
        out = run_statement(sh, "")
        check(has_footer(out, 0), "the recalled statement ran", out)
        sh.type("\x04")
        check(sh.wait() == 0, "Ctrl-D exits 0", sh.seen.decode())
    finally:
        sh.kill()


def test_bare_sluice_on_a_terminal(work):
    env = clean_env(HOME=work, TERM="dumb")
    sh = PtyProgram([SLUICE], env=env, cwd=work)
    try:
        sh.expect(PROMPT)
        sh.type("\x04")
        check(sh.wait() == 0, "exit 0", sh.seen.decode())
    finally:
        sh.kill()


def test_sigterm_leaves_gracefully(work):
    sh = start_shell(work)
    try:
        run_statement(sh, "SHOW TABLES;")
        sh.type("SHOW")          # a statement half typed
        sh.expect("SHOW")
        os.kill(sh.pid, signal.SIGTERM)
        code = sh.wait()
        tail = sh.seen[sh.pos:].decode()
        check(code == 0, "SIGTERM exits 0, got %s" % code, tail)
        check("^C" not in tail, "no Ctrl-C echo on SIGTERM", tail)
    finally:
        sh.kill()


def test_insert_breaking_a_check_writes_nothing(work):
    """INSERT into a stream with a CHECK: a statement whose second row
    breaks it fails at that row and writes neither row; the shell goes
    on, and a bounded read of the stream finds only the row before."""
    sh = start_shell(work, "--bounded")
    try:
        run_statement(sh, "CREATE STREAM s (id BIGINT, amount DOUBLE, "
                          "CHECK (amount > 0)) WITH (topic='s');")
        run_statement(sh, "INSERT INTO s VALUES (1, 5.0);")
        out = run_statement(sh, "INSERT INTO s VALUES (2, 6.0), (3, -1.0);")
        check("<stdin>:1:33: error: INSERT INTO s: row 2: CHECK (amount > 0)"
              " failed" in out, "the row and the CHECK are named", out)
        out = run_statement(sh, "SELECT id, amount FROM s;")
        check(re.search(r"\|  1 \| +5 \|", out) and "|  2 |" not in out
              and has_footer(out, 1), "only the first INSERT's row", out)
    finally:
        sh.kill()


if __name__ == "__main__":
    main([test_session, test_history_across_runs,
          test_bare_sluice_on_a_terminal, test_sigterm_leaves_gracefully,
          test_insert_breaking_a_check_writes_nothing])
