#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The sluice program's commands: --version, --help and `help COMMAND`,
every command's --help (exit 0, its usage, and the same text as in
docs/cli.md), unknown commands and unknown options (exit 2, naming what
was wrong), and the usage errors of `sluice gen`.

    test_commands.py SLUICE_BINARY
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import clean_env, main, run  # noqa: E402

SLUICE = os.path.abspath(sys.argv[1])
DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "docs", "cli.md")
COMMANDS = [["run"], ["shell"], ["check"], ["explain"], ["gen"],
            ["gen", "records"], ["gen", "payments"], ["gen", "applications"],
            ["gen", "loans"], ["gen", "store"], ["broker"], ["demo"]]


def expect(cond, what, detail=""):
    if not cond:
        raise AssertionError("%s\n%s" % (what, detail))


def test_version_and_help(work):
    code, out, err = run([SLUICE, "--version"], cwd=work)
    expect(code == 0 and re.fullmatch(r"sluice \d+\.\d+\.\d+\n", out),
           "--version", out + err)
    code, out, err = run([SLUICE, "--help"], cwd=work)
    expect(code == 0 and out.startswith("Sluice "), "--help", out + err)
    for cmd in ("run", "shell", "check", "explain", "gen", "broker",
                "demo"):
        expect(re.search(r"^  sluice %s\b" % cmd, out, re.M),
               "--help lists %s" % cmd, out)
    code, out2, _ = run([SLUICE, "help"], cwd=work)
    expect(code == 0 and out2 == out, "help alone is --help")


def test_every_command_help(work):
    for cmd in COMMANDS:
        code, out, err = run([SLUICE] + cmd + ["--help"], cwd=work)
        name = " ".join(cmd)
        expect(code == 0, "%s --help exits 0, got %d" % (name, code), err)
        expect(out.startswith("Usage: sluice %s" % name),
               "%s --help starts with its usage" % name, out)
        expect(err == "", "%s --help writes nothing to stderr" % name, err)
        if len(cmd) == 1:
            code, out2, _ = run([SLUICE, "help", cmd[0]], cwd=work)
            expect(code == 0 and out2 == out,
                   "help %s is %s --help" % (name, name), out2)


def doc_blocks():
    """The ```text blocks of docs/cli.md that show `$ sluice ... --help`,
    as {command: text}."""
    with open(DOCS) as f:
        doc = f.read()
    blocks = {}
    for m in re.finditer(r"```text\n\$ sluice ([a-z ]+?) --help\n(.*?)```",
                         doc, re.S):
        blocks[m.group(1)] = m.group(2)
    return blocks


def test_docs_show_every_help(work):
    blocks = doc_blocks()
    for cmd in COMMANDS:
        name = " ".join(cmd)
        expect(name in blocks, "docs/cli.md shows `sluice %s --help`" % name,
               sorted(blocks))
        _, out, _ = run([SLUICE] + cmd + ["--help"], cwd=work)
        if blocks[name] != out:
            import difflib
            diff = "".join(difflib.unified_diff(
                blocks[name].splitlines(True), out.splitlines(True),
                "docs/cli.md", "sluice %s --help" % name))
            raise AssertionError("docs/cli.md is out of date for %s:\n%s"
                                 % (name, diff))


def test_unknown_command_and_options(work):
    code, out, err = run([SLUICE, "nosuch"], cwd=work)
    expect(code == 2 and 'unknown command "nosuch"' in err, "unknown command",
           err)
    code, out, err = run([SLUICE, "help", "nosuch"], cwd=work)
    expect(code == 2 and 'unknown command "nosuch"' in err,
           "help of an unknown command", err)
    for cmd in COMMANDS:
        name = " ".join(cmd)
        code, out, err = run([SLUICE] + cmd + ["--no-such-option"], cwd=work)
        expect(code == 2, "%s --no-such-option exits 2, got %d"
               % (name, code), err)
        expect(err.startswith("sluice %s: " % name)
               and '"--no-such-option"' in err,
               "%s names the unknown option" % name, err)
    code, out, err = run([SLUICE, "gen", "nosuch"], cwd=work)
    expect(code == 2 and 'unknown kind "nosuch"' in err, "unknown gen kind",
           err)


def test_gen_usage_errors(work):
    base = [SLUICE, "gen", "records", "--schema", "id BIGINT", "--count",
            "3", "--topic", "t"]
    code, out, err = run(base, cwd=work, env=clean_env())
    expect(code == 2 and "no broker given" in err and "--brokers" in err,
           "gen without a broker", err)

    cases = [
        (["--schema", "id BIGNT"], '--schema: column "id": '),
        (["--schema", "id"], 'column "id" has no type'),
        (["--count", "x"], '--count expects a number of records, got "x"'),
        (["--keys", "0"], "--keys expects a positive number"),
        (["--key", "nope"], '--key names no column of --schema: "nope"'),
        (["--rate", "0"], "--rate expects records per second above 0"),
        (["--format", "xml"], 'unknown format "xml"'),
        (["--start", "yesterday"], "--start expects an ISO 8601 time"),
        (["--nulls", "2"], "--nulls expects a probability in [0, 1]"),
        (["--schema", "k BOOLEAN", "--keys", "3"],
         'the BOOLEAN column "k" has 2 values'),
        (["extra"], 'unexpected argument "extra"'),
    ]
    for extra, message in cases:
        code, out, err = run(base + extra + ["--brokers", "127.0.0.1:9"],
                             cwd=work)
        expect(code == 2 and message in err,
               "gen records %s: exit 2 with %r" % (" ".join(extra), message),
               "exit %d: %s" % (code, err))
    for missing in ("--schema", "--count", "--topic"):
        argv = [SLUICE, "gen", "records", "--brokers", "127.0.0.1:9"]
        for opt, value in (("--schema", "id INT"), ("--count", "1"),
                           ("--topic", "t")):
            if opt != missing:
                argv += [opt, value]
        code, out, err = run(argv, cwd=work)
        expect(code == 2 and "%s is required" % missing in err,
               "gen records without %s" % missing, err)


if __name__ == "__main__":
    main([test_version_and_help, test_every_command_help,
          test_docs_show_every_help, test_unknown_command_and_options,
          test_gen_usage_errors])
