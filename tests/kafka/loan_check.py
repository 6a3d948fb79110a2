#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Test aid for loan_e2e.sh: replays the new applications against the
running serving queries, waits for an offer for each, measures the answer
latency per application and checks every offer.

    loan_check.py SLUICE BROKERS LOANS_FILE APPS_TOPIC OFFERS_TOPIC OUT_DIR

The applications are produced by `sluice gen applications --from-row 80%
--no-outcome` (the documented replayer).  The latency of an application is
the time its offer was read here minus the Kafka timestamp its producer
gave it (both on this machine's clock).  Each offer must carry the right
applicant and amount, a probability in (0, 1), and the rate and decision
of the pricing formula of queries/loan.sql recomputed from that
probability.  OUT_DIR/offers.tsv gets application id, event time (ms),
probability and rate, for the check against the prediction log.
"""
import datetime
import json
import subprocess
import sys
import threading
import time

RATE = 100          # applications per second
DEADLINE_S = 45     # for every offer, after the last application


def fail(msg):
    print("loan_check: " + msg, file=sys.stderr)
    sys.exit(1)


def pricing(p):
    """The formula of queries/loan.sql, in percent."""
    breakeven = 100.0 * (0.05 + 0.6 * p) / (1.0 - p)
    rate = round(min(36.0, max(6.0, breakeven)), 2)
    return rate, "decline" if breakeven > 36.0 else "offer"


def percentile(sorted_values, q):
    """Nearest-rank percentile."""
    k = max(0, min(len(sorted_values) - 1,
                   int(-(-q * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


def main():
    sluice, brokers, loans, apps_topic, offers_topic, out_dir = sys.argv[1:7]
    with open(loans) as f:
        header = f.readline().rstrip("\n").split(",")
        rows = [line.rstrip("\n").split(",") for line in f if line.strip()]
    first = len(rows) * 80 // 100 + 1
    expected = {i: rows[i - 1] for i in range(first, len(rows) + 1)}
    amount_col = header.index("funded_amnt")

    # Offers as they arrive, stamped with the time they were read.
    arrivals = {}
    offers = {}
    duplicates = 0
    lock = threading.Lock()
    consumer = subprocess.Popen(
        ["kcat", "-C", "-b", brokers, "-t", offers_topic, "-o", "beginning",
         "-u", "-q", "-f", "%k\t%s\n"],
        stdout=subprocess.PIPE, text=True)

    def read_offers():
        nonlocal duplicates
        for line in consumer.stdout:
            now_ms = time.time() * 1000.0
            key, _, value = line.rstrip("\n").partition("\t")
            with lock:
                if key in offers:
                    duplicates += 1
                    continue
                arrivals[key] = now_ms
                offers[key] = value

    reader = threading.Thread(target=read_offers, daemon=True)
    reader.start()
    time.sleep(2)  # the consumer has its partitions before the first offer

    gen = subprocess.run(
        [sluice, "gen", "applications", "--brokers", brokers,
         "--file", loans, "--topic", apps_topic, "--from-row", "80%",
         "--no-outcome", "--rate", str(RATE)],
        capture_output=True, text=True)
    if gen.returncode != 0:
        fail("gen applications failed: " + gen.stderr)
    deadline = time.time() + DEADLINE_S
    while time.time() < deadline:
        with lock:
            if len(offers) >= len(expected):
                break
        time.sleep(0.2)
    consumer.terminate()
    consumer.wait()

    # The producer's timestamp of each new application.
    dump = subprocess.run(
        ["kcat", "-C", "-b", brokers, "-t", apps_topic, "-e", "-q",
         "-f", "%k\t%T\n"], capture_output=True, text=True, check=True)
    produced = {}
    for line in dump.stdout.splitlines():
        key, _, ts = line.partition("\t")
        if key.isdigit() and int(key) in expected:
            produced[int(key)] = float(ts)

    missing = sorted(set(expected) - {int(k) for k in offers})
    if missing:
        fail("%d of %d applications without an offer, first %s"
             % (len(missing), len(expected), missing[:10]))
    extra = sorted({int(k) for k in offers} - set(expected))
    if extra:
        fail("offers for applications that are not new: %s" % extra[:10])

    latencies = []
    decisions = {"offer": 0, "decline": 0}
    with open(out_dir + "/offers.tsv", "w") as out:
        for key, value in offers.items():
            app = int(key)
            o = json.loads(value)
            what = "offer %d: %s" % (app, value)
            if o["application_id"] != app:
                fail(what + ": keyed by another application")
            if o["applicant_id"] != 1000000 + app:
                fail(what + ": wrong applicant")
            if o["funded_amnt"] != float(expected[app][amount_col]):
                fail(what + ": wrong amount")
            p = o["p_bad"]
            if not 0.0 < p < 1.0:
                fail(what + ": probability out of (0, 1)")
            rate, decision = pricing(p)
            if abs(o["rate"] - rate) > 1e-9 or o["decision"] != decision:
                fail(what + ": expected rate %.2f, %s" % (rate, decision))
            if not 6.0 <= o["rate"] <= 36.0:
                fail(what + ": rate outside [6, 36]")
            decisions[decision] += 1
            latencies.append(arrivals[key] - produced[app])
            at = datetime.datetime.strptime(o["applied_at"],
                                            "%Y-%m-%dT%H:%M:%S.%fZ")
            at_ms = int(at.replace(tzinfo=datetime.timezone.utc)
                        .timestamp() * 1000)
            out.write("%d\t%d\t%r\t%r\n" % (app, at_ms, p, o["rate"]))

    latencies.sort()
    if latencies[0] < 0 or latencies[-1] > 60000:
        fail("latencies out of range: %.1f .. %.1f ms"
             % (latencies[0], latencies[-1]))
    print("loan_check: %d applications, %d offers (%d offer, %d decline), "
          "%d duplicates" % (len(expected), len(offers), decisions["offer"],
                             decisions["decline"], duplicates))
    print("loan_check: answer latency at %d applications/s: p50 %.1f ms, "
          "p90 %.1f ms, p99 %.1f ms, max %.1f ms"
          % (RATE, percentile(latencies, 50), percentile(latencies, 90),
             percentile(latencies, 99), latencies[-1]))


if __name__ == "__main__":
    main()
