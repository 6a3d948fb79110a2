#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`sluice explain`: the plan of every query of a script, under a line
naming its position and query id, with the scripts' own DDL applied to a
temporary catalog and nothing run.

    test_explain.py SLUICE_BINARY
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import main, run  # noqa: E402

SLUICE = os.path.abspath(sys.argv[1])

SCRIPT = """\
CREATE STREAM s (id BIGINT, name VARCHAR) WITH (topic='s', format='json');
CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR);
INSERT INTO s VALUES (1, 'a');
SELECT s.id, t.v FROM s JOIN t ON s.id = t.id WHERE s.id > 1 EMIT CHANGES;
CREATE STREAM big AS SELECT id FROM s WHERE id > 1;
INSERT INTO s SELECT id, name FROM s;
INSERT INTO s SELECT id, 'x' FROM s;
EXPLAIN SELECT id FROM big EMIT CHANGES;
SELECT v FROM t WHERE id = 1;
"""


def expect(cond, what, detail=""):
    if not cond:
        raise AssertionError("%s\n%s" % (what, detail))


def test_plans_of_a_script(work):
    path = os.path.join(work, "q.sql")
    with open(path, "w") as f:
        f.write(SCRIPT)
    code, out, err = run([SLUICE, "explain", path], cwd=work)
    expect(code == 0 and err == "", "exit 0, nothing on stderr", err)

    # Each plan: its header, then the root operator on the next line.
    sections = re.findall(r"^-- (.*)\n(.*)$", out, re.M)
    expect(sections == [
        ("%s:4: query transient" % path, "ResultSink"),
        ("%s:5: query big" % path,
         "KafkaSink stream=big topic=big format=json"),
        ("%s:6: query s_insert_1" % path,
         "KafkaSink stream=s topic=s format=json"),
        ("%s:7: query s_insert_2" % path,
         "KafkaSink stream=s topic=s format=json"),
        ("%s:8: query transient" % path, "ResultSink"),
        ("%s:9: pull query of t: reads the rows it holds now, no "
         "streaming plan" % path, ""),
    ], "the plans in order", out)
    first = out.split("\n\n")[0]
    for line in ("  LookupJoin INNER table=t", "      predicate: id > 1",
                 "      Source stream=s topic=s format=json"):
        expect(line in first.splitlines(), "the join plan has %r" % line,
               first)
    expect("exprs: id, 'x' AS name" in out, "the second INSERT projects",
           out)


def test_errors(work):
    code, out, err = run([SLUICE, "explain", "-e",
                          "CREATE STREAM s (id INT) WITH (format='json');"
                          "\nSELECT nope FROM s;"], cwd=work)
    expect(code == 1 and out == "", "exit 1, no plan", out)
    expect(err == '<command line>:2:8: error: unknown column "nope" in '
           'stream s\nSELECT nope FROM s;\n       ^\n',
           "the caret display", err)
    code, out, err = run([SLUICE, "explain"], cwd=work)
    expect(code == 2 and "no script given" in err, "no script", err)
    code, out, err = run([SLUICE, "explain", os.path.join(work, "no.sql")],
                         cwd=work)
    expect(code == 3 and "no.sql" in err, "missing file", err)


if __name__ == "__main__":
    main([test_plans_of_a_script, test_errors])
