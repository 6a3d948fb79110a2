#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where a training set's depersonalization key comes from: SLUICE_SECRET
when set (its HMAC-SHA256 hashes are those of that key), else a key
generated once and kept in the catalog, so that a later process on the
same catalog hashes a value as the first one did, while another catalog
hashes it differently.

    test_secret.py SLUICE_BINARY
"""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import clean_env, main, run  # noqa: E402

SLUICE = os.path.abspath(sys.argv[1])

# A training set named NAME over a stream of its own holding one card.
SCRIPT = """
CREATE STREAM {name}_src (id BIGINT, card VARCHAR, ts TIMESTAMP)
  WITH (topic='{name}_src', timestamp='ts', partitions=1);
INSERT INTO {name}_src VALUES (1, '4111-1111', TIMESTAMP '2024-02-01 10:00:00');
CREATE TRAINING SET {name} WITH (depersonalize='card') AS
  SELECT id, card FROM {name}_src;
SELECT card FROM {name};
"""


def expect(cond, what, detail=""):
    if not cond:
        raise AssertionError("%s\n%s" % (what, detail))


def hashed(work, catalog, name, env=None, extra=""):
    """Runs SCRIPT for NAME on catalog; the card as the training set keeps
    it, and what extra statements printed."""
    code, out, err = run([SLUICE, "run", "--bounded", "--output", "csv",
                          "--log-level", "warn", "--catalog", catalog,
                          "-e", SCRIPT.format(name=name) + extra],
                         env=env or clean_env(), cwd=work)
    expect(code == 0, "run for %s exits 0, got %d" % (name, code), err)
    rows = list(csv.reader(io.StringIO(out)))
    expect(rows[0] == ["card"] and len(rows[1][0]) == 64,
           "one 64-digit hash for %s" % name, out)
    return rows[1][0], rows[2:]


def test_secret_from_the_environment(work):
    env = clean_env(SLUICE_SECRET="an-operator-secret")
    card, rest = hashed(work, os.path.join(work, "a.db"), "people", env,
                        "SELECT HMAC_SHA256('4111-1111', "
                        "'an-operator-secret') AS want;")
    expect(rest == [["want"], [card]],
           "the stored hash is the HMAC under SLUICE_SECRET",
           "stored %s, printed %s" % (card, rest))


def test_generated_key_kept_in_the_catalog(work):
    first, _ = hashed(work, os.path.join(work, "b.db"), "first")
    second, _ = hashed(work, os.path.join(work, "b.db"), "second")
    expect(first == second,
           "a second process on the same catalog hashes alike",
           "%s vs %s" % (first, second))
    other, _ = hashed(work, os.path.join(work, "c.db"), "third")
    expect(other != first, "another catalog has a key of its own", other)


if __name__ == "__main__":
    main([test_secret_from_the_environment,
          test_generated_key_kept_in_the_catalog])
