#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Input and expected results of stateful_takeover.sh.

Two streams over four partitions, keyed by k (16 keys, placed by murmur2
of the key as Kafka's default partitioner does), in event-time order on
every partition:

  l: record i (1..N) unless murmur2("l<i>") mod 4 = 0: id i, key
     k(i mod 16), v = i (NULL when i mod 13 = 0), event time BASE + 5 i;
  r: record j (1..N) unless murmur2("r<j>") mod 3 = 0: id j, key
     k(j mod 16), w = j, event time BASE + 5 j + (37 j mod 5) ms.

Records of one key are 80 ms apart in l, so a missing one leaves a gap
of 160 ms or more; sessions of GAP 150 ms split exactly there.  A left
row meets the right rows of its key within (100 ms before, 50 ms
after): its twin j = i and j = i - 16 when they exist; right rows
without a left row within range exist where l lacks both i = j and
i = j + 16.

  stateful_oracle.py write DIR BASE N SLICES
      writes DIR/l.P.S and DIR/r.P.S (partition P, slice S of SLICES
      equal runs of ids) as key TAB value lines, and DIR/l.P.end and
      DIR/r.P.end: one record 10 minutes ahead (the right one a second
      further, so that the two never meet), which lets every window and
      join range of the input close while none of their own does.
  stateful_oracle.py check QUERY BASE N [summary] < output
      compares the JSON rows of query tw, sw or jn (see the test) with
      what the input gives; prints each difference (nothing when equal),
      or with `summary` one line of counts.  A row emitted again (the
      output is at-least-once) must be an identical copy.
"""

import datetime
import json
import os
import sys

KEYS = 16
PARTITIONS = 4
GAP = 150
BEFORE, AFTER = 100, 50


def murmur2(data):
    m, h = 0x5bd1e995, (0x9747b28c ^ len(data)) & 0xffffffff
    n4 = len(data) // 4
    for i in range(n4):
        k = int.from_bytes(data[4 * i:4 * i + 4], "little")
        k = (k * m) & 0xffffffff
        k ^= k >> 24
        k = (k * m) & 0xffffffff
        h = ((h * m) & 0xffffffff) ^ k
    rest = data[4 * n4:]
    if len(rest) >= 3:
        h ^= rest[2] << 16
    if len(rest) >= 2:
        h ^= rest[1] << 8
    if rest:
        h ^= rest[0]
        h = (h * m) & 0xffffffff
    h ^= h >> 13
    h = (h * m) & 0xffffffff
    return h ^ (h >> 15)


def partition(key):
    return (murmur2(key.encode()) & 0x7fffffff) % PARTITIONS


def left(base, n):
    """(id, key, v, ts) of l, in event-time order."""
    return [(i, "k%d" % (i % KEYS), None if i % 13 == 0 else i, base + 5 * i)
            for i in range(1, n + 1) if murmur2(b"l%d" % i) % 4 != 0]


def right(base, n):
    """(id, key, w, ts) of r, in event-time order."""
    return [(j, "k%d" % (j % KEYS), j, base + 5 * j + 37 * j % 5)
            for j in range(1, n + 1) if murmur2(b"r%d" % j) % 3 != 0]


def iso(ms):
    t = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def write(out, base, n, slices):
    sides = {"l": left(base, n), "r": right(base, n)}
    per = (n + slices - 1) // slices
    for name, rows in sides.items():
        third = "v" if name == "l" else "w"
        for p in range(PARTITIONS):
            for s in range(slices):
                with open(os.path.join(out, "%s.%d.%d" % (name, p, s)),
                          "w") as f:
                    for rid, key, x, ts in rows:
                        if partition(key) == p and s * per < rid <= (
                                s + 1) * per:
                            f.write("%s\t%s\n" % (key, json.dumps(
                                {"id": rid, "k": key, third: x, "ts": ts})))
            own = [k for k in ("k%d" % j for j in range(KEYS))
                   if partition(k) == p]
            if not own:
                sys.exit("no key of k0..k%d is on partition %d" %
                         (KEYS - 1, p))
            ahead = base + 600000 + (1000 if name == "r" else 0)
            with open(os.path.join(out, "%s.%d.end" % (name, p)), "w") as f:
                f.write("%s\t%s\n" % (own[0], json.dumps(
                    {"id": -1, "k": own[0], third: 0, "ts": ahead})))


def tumbling(base, n):
    """(k, window_start) -> (n, nv, s, lo, hi), tumbling 1 s, EMIT FINAL."""
    acc = {}
    for _, key, v, ts in left(base, n):
        w = acc.setdefault((key, iso(ts // 1000 * 1000)), [0, 0, None, None,
                                                           None])
        w[0] += 1
        if v is not None:
            w[1] += 1
            w[2] = v if w[2] is None else w[2] + v
            w[3] = v if w[3] is None else min(w[3], v)
            w[4] = v if w[4] is None else max(w[4], v)
    return {k: tuple(w) for k, w in acc.items()}


def sessions(base, n):
    """(k, window_start) -> (window_end, n, s), sessions of GAP ms."""
    open_, done = {}, []
    for _, key, v, ts in left(base, n):
        cur = open_.get(key)
        if cur and ts - cur[1] < GAP:
            cur[1] = ts
            cur[2] += 1
            if v is not None:
                cur[3] = v if cur[3] is None else cur[3] + v
        else:
            if cur:
                done.append((key, cur))
            open_[key] = [ts, ts, 1, v]
    done.extend(open_.items())
    return {(key, iso(c[0])): (iso(c[1] + GAP), c[2], c[3])
            for key, c in done}


def join(base, n):
    """The set of (lid, rid) of the FULL JOIN, None for a missing side."""
    rows, by_key = set(), {}
    for rid, key, _, ts in right(base, n):
        by_key.setdefault(key, []).append((rid, ts))
    matched = set()
    for lid, key, _, ts in left(base, n):
        hit = False
        for rid, rts in by_key.get(key, ()):
            if ts - BEFORE <= rts <= ts + AFTER:
                rows.add((lid, rid))
                matched.add(rid)
                hit = True
        if not hit:
            rows.add((lid, None))
    for rid, _, _, _ in right(base, n):
        if rid not in matched:
            rows.add((None, rid))
    return rows


def check(query, base, n, summary):
    if query == "jn":
        want = {r: r for r in join(base, n)}
        identity = lambda r: (r["lid"], r["rid"])
        value = identity
    elif query == "tw":
        want = tumbling(base, n)
        identity = lambda r: (r["k"], r["window_start"])
        value = lambda r: (r["n"], r["nv"], r["s"], r["lo"], r["hi"])
    else:
        want = sessions(base, n)
        identity = lambda r: (r["k"], r["window_start"])
        value = lambda r: (r["window_end"], r["n"], r["s"])
    got, copies, problems = {}, 0, []
    for line in sys.stdin:
        if not line.strip():
            continue
        r = json.loads(line)
        key, val = identity(r), value(r)
        if key in got:
            copies += 1
            if got[key] != val:
                problems.append("%s %s: %s and then %s" %
                                (query, key, got[key], val))
        got[key] = val
    for k in sorted(set(want) - set(got), key=str)[:5]:
        problems.append("%s: missing %s: want %s" % (query, k, want[k]))
    for k in sorted(set(got) - set(want), key=str)[:5]:
        problems.append("%s: unexpected %s: %s" % (query, k, got[k]))
    wrong = [k for k in want if k in got and got[k] != want[k]]
    for k in sorted(wrong, key=str)[:5]:
        problems.append("%s: %s: got %s, want %s" % (query, k, got[k],
                                                     want[k]))
    if problems:
        print("\n".join(problems[:15]))
    elif summary:
        print("%s: %d rows, %d emitted again" % (query, len(want), copies))


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "write":
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
              int(sys.argv[5]))
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "check":
        check(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
              len(sys.argv) == 6)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
