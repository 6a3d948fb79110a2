#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`sluice shell` with standard input on a pipe: statements run without
prompts, and the first error ends the shell with the exit code of the
conventions (0 ok, 1 SQL error, 2 usage error, 3 runtime failure), its
position counted in lines of the whole input.

    test_shell_pipe.py SLUICE_BINARY
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Broker, main, run  # noqa: E402

SLUICE = os.path.abspath(sys.argv[1])
NOTICE = "sluice: no Kafka broker configured"

SETUP = """\
CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner VARCHAR,
                       balance DECIMAL(10,2));
INSERT INTO accounts VALUES (1, 'ana', 10.50),
  (2, 'b;o', 99.00);
"""


def shell(work, stdin, *args):
    code, out, err = run([SLUICE, "shell"] + list(args), stdin=stdin,
                         cwd=work)
    # The notice that the embedded broker is in use is not under test.
    err = "".join(line for line in err.splitlines(True)
                  if not line.startswith(NOTICE))
    return code, out, err


def expect(actual, expected, what):
    if actual != expected:
        raise AssertionError("%s:\nexpected %r\nactual   %r"
                             % (what, expected, actual))


def test_statements_run_in_order(work):
    code, out, err = shell(work, SETUP + """
-- a comment; with a semicolon
SELECT id, owner FROM accounts
  WHERE owner <> 'x;y' /* ; */;
SELECT 1 AS one FROM accounts WHERE id = 1; SELECT owner FROM accounts
  WHERE id = 2;
""")
    expect(err, "", "standard error")
    expect(code, 0, "exit code")
    expect(out, "id,owner\n1,ana\n2,b;o\none\n1\nowner\nb;o\n",
           "CSV results of the three queries")


def test_chained_persistent_queries(work):
    # A persistent query reading another one's output starts at once in an
    # unbounded session and sees its rows live.
    code, out, err = shell(work, """
SET 'auto.offset.reset' = 'earliest';
CREATE STREAM c_src (id BIGINT, v DOUBLE) WITH (topic='c-src', format='json');
CREATE STREAM c_mid AS SELECT id, v * 2 AS w FROM c_src;
CREATE STREAM c_out AS SELECT id, w + 1 AS z FROM c_mid;
INSERT INTO c_src VALUES (1, 2.0), (2, 3.5);
SELECT id, z FROM c_out EMIT CHANGES LIMIT 2;
""", "--log-level", "error")
    expect(code, 0, "exit code (stderr %r)" % err)
    expect(sorted(out.splitlines()), ["1,5", "2,8", "id,z"],
           "the third query's rows")


def test_last_statement_without_semicolon(work):
    code, out, err = shell(work, SETUP + "SELECT owner FROM accounts "
                           "WHERE id = 1")
    expect((code, out, err), (0, "owner\nana\n", ""), "the last statement")


def test_sql_error_exits_1(work):
    code, out, err = shell(work, SETUP + """\
SELECT owner FROM accounts WHERE id = 1;

SELECT idd
  FROM accounts;
SELECT owner FROM accounts WHERE id = 2;
""")
    expect(code, 1, "exit code")
    expect(out, "owner\nana\n", "only the statements before the error ran")
    expect(err, '<stdin>:7:8: error: unknown column "idd" in table '
           'accounts; did you mean "id"?\nSELECT idd\n       ^\n',
           "the error at its line in the whole input")


def test_syntax_error_after_statements(work):
    code, out, err = shell(work, SETUP + "SELEC 1;\n")
    expect(code, 1, "exit code")
    expect(err, '<stdin>:5:1: error: expected a statement near "SELEC"\n'
           'SELEC 1;\n^\n', "syntax error")


def test_usage_error_exits_2(work):
    code, out, err = shell(work, "SHOW TABLES;\n\\nosuch\nSHOW TABLES;\n",
                           "--output", "csv")
    expect(code, 2, "exit code")
    expect(out, "name,topic,format,key,timestamp\n",
           "the first statement ran")
    expect(err, "unknown command \\nosuch; \\help lists the commands\n",
           "message")

    code, out, err = shell(work, "", "--bogus")
    expect(code, 2, "unknown option")
    expect(err.startswith('sluice shell: unknown option "--bogus"'), True,
           "message naming the option: " + err)
    code, out, err = shell(work, "", "script.sql")
    expect(code, 2, "a positional argument")
    if "unexpected argument \"script.sql\"" not in err:
        raise AssertionError(err)


def test_runtime_error_exits_3(work):
    code, out, err = shell(work, SETUP + "LOAD '%s/missing.csv' INTO "
                           "accounts;\nSHOW TABLES;\n" % work)
    expect(code, 3, "exit code")
    expect(out, "", "nothing after the failure")
    if "missing.csv" not in err or "error:" not in err:
        raise AssertionError(err)

    code, out, err = shell(work, "\\i %s/nope.sql\nSHOW TABLES;\n" % work)
    expect(code, 3, "\\i of a missing file")
    if "nope.sql" not in err:
        raise AssertionError(err)


def test_meta_commands_and_inline(work):
    script = os.path.join(work, "setup.sql")
    with open(script, "w") as f:
        f.write(SETUP)
    spool = os.path.join(work, "out.csv")
    code, out, err = shell(work, """\
\\i %s
\\o %s
SELECT owner FROM accounts WHERE id = 1;
\\o
\\timing on
SELECT id FROM accounts WHERE id = 2;
\\q
SELECT 'never' AS x FROM accounts;
""" % (script, spool), "-e",
                           "SET 'auto.offset.reset' = 'earliest';")
    expect(code, 0, "exit code: " + err)
    expect(out, "id\n2\n", "the rows not spooled, nothing after \\q")
    with open(spool) as f:
        expect(f.read(), "owner\nana\n", "the spool file")
    lines = err.splitlines()
    if (len(lines) != 2 or lines[0] != "Timing is on."
            or not lines[1].startswith("Time: ")
            or not lines[1].endswith(" ms")):
        raise AssertionError("timing lines: %r" % err)


def test_tables_on_a_pipe_have_no_time(work):
    # Tables asked for on a pipe end with their row count only, and no
    # time is printed anywhere unless \timing says so.
    code, out, err = shell(work, SETUP + "SELECT id FROM accounts;\n",
                           "--output", "table")
    expect(code, 0, "exit code: " + err)
    expect(err, "", "standard error")
    expect(out, "+----+\n| id |\n+----+\n|  1 |\n|  2 |\n+----+\n"
           "(2 rows)\n", "the table and its footer")


def test_persistent_queries_stop_and_resume(work):
    # A shell that ends names the persistent queries it runs and stops
    # them; a later shell on the same catalog and cluster resumes them.
    # A short session timeout: the broker may wait that long for the
    # first shell's group member before the second one's may join.
    props = os.path.join(work, "kafka.properties")
    with open(props, "w") as f:
        f.write("session.timeout.ms=6000\nheartbeat.interval.ms=1000\n")
    with Broker(SLUICE) as broker:
        common = ["--brokers", broker.bootstrap, "--log-level", "warn",
                  "--catalog", os.path.join(work, "cat.db"),
                  "--kafka-config", props]
        code, out, err = shell(work, """
CREATE STREAM src (id BIGINT, v BIGINT) WITH (topic='src');
CREATE STREAM doubled WITH (topic='doubled') AS
  SELECT id, v * 2 AS w FROM src;
INSERT INTO src VALUES (1, 10), (2, 20);
""", *common)
        expect(code, 0, "first shell's exit code (stderr %r)" % err)
        expect(err, "stopping 1 running query: doubled\n",
               "what the first shell says when it ends")
        code, out, err = shell(work, """
INSERT INTO src VALUES (3, 30);
SET 'auto.offset.reset' = 'earliest';
SELECT id, w FROM doubled EMIT CHANGES LIMIT 3;
""", *common)
        expect(code, 0, "second shell's exit code (stderr %r)" % err)
        expect(sorted(out.splitlines()), ["1,20", "2,40", "3,60", "id,w"],
               "the resumed query's rows")


def test_set_offset_reset_after_a_query(work):
    # SET 'auto.offset.reset' holds for the next push query even after an
    # earlier query started the session's workers.
    code, out, err = shell(work, """
CREATE STREAM p (id BIGINT) WITH (topic='p');
INSERT INTO p VALUES (1), (2);
SELECT * FROM p;
SET 'auto.offset.reset' = 'earliest';
SELECT id FROM p EMIT CHANGES LIMIT 2;
""", "--log-level", "error")
    expect(code, 0, "exit code (stderr %r)" % err)
    expect(out, "id\n1\n2\nid\n1\n2\n", "both queries' rows")


def test_bare_sluice_without_terminal(work):
    code, out, err = run([SLUICE], stdin="SHOW TABLES;\n", cwd=work)
    expect(code, 2, "no command and no terminal")
    if "Usage:" not in err:
        raise AssertionError(err)


if __name__ == "__main__":
    main([test_statements_run_in_order, test_last_statement_without_semicolon,
          test_sql_error_exits_1, test_syntax_error_after_statements,
          test_usage_error_exits_2, test_runtime_error_exits_3,
          test_meta_commands_and_inline, test_tables_on_a_pipe_have_no_time,
          test_bare_sluice_without_terminal, test_chained_persistent_queries,
          test_persistent_queries_stop_and_resume,
          test_set_offset_reset_after_a_query])
