#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end latency of Nexmark q0 at a fixed rate (bench/nexmark/run.sh).

  latency.py --brokers B --in T --out U --rate R --seconds S \
             --producer KAFKA_TOOL -- CMD ARGS...

Starts CMD (a q0 pipeline reading topic T and writing topic U, running
until SIGINT), waits until a probe bid comes out of U, then writes R bids
per second to T for S seconds, each carrying the wall-clock millisecond
it was written as its dateTime.  A consumer on U notes when each bid
arrives; the latency of a bid is its arrival time minus its dateTime:
producer, broker, engine and consumer together, as a user would see it.
Prints one line, "p50=X ms p99=Y ms max=Z ms records=N", and exits 1 when
fewer than 99% of the bids came back within 10 s of the last one.

The bids are written by `KAFKA_TOOL produce` (tests/kafka/kafka_tool,
which sends each line as it reads it; kcat -P reads its input in large
blocks, which would hold bids back) and read by `kcat -C -u`.
"""

import argparse
import json
import signal
import subprocess
import sys
import threading
import time

PROBE_TIMEOUT_S = 120
DRAIN_TIMEOUT_S = 10
TICK_S = 0.01


def now_ms():
    return int(time.time() * 1000)


def bid(seq, tag):
    return json.dumps({"auction": 1000 + seq % 100, "bidder": 2000 + seq % 7,
                       "price": 100 + seq % 900, "channel": "Google",
                       "url": "https://www.nexmark.com/latency",
                       "dateTime": now_ms(), "extra": "%s%d" % (tag, seq)},
                      separators=(",", ":"))


class Arrivals:
    """What the consumer thread has seen, by the bid's tag."""

    def __init__(self, stream):
        self.lock = threading.Lock()
        self.probe_seen = False
        self.latencies = {}
        self.thread = threading.Thread(target=self.read, args=(stream,),
                                       daemon=True)
        self.thread.start()

    def read(self, stream):
        for line in stream:
            arrived = now_ms()
            try:
                rec = json.loads(line)
                extra, sent = rec["extra"], int(rec["dateTime"])
            except (ValueError, KeyError, TypeError):
                continue
            with self.lock:
                if extra.startswith("probe"):
                    self.probe_seen = True
                elif extra.startswith("m"):
                    self.latencies[extra] = arrived - sent

    def seen(self):
        with self.lock:
            return self.probe_seen, len(self.latencies)


def percentile(sorted_values, p):
    i = min(len(sorted_values) - 1, int(p / 100.0 * len(sorted_values)))
    return sorted_values[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--in", dest="topic_in", required=True)
    ap.add_argument("--out", dest="topic_out", required=True)
    ap.add_argument("--rate", type=int, default=5000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--producer", required=True)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command after --")

    engine = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    consumer = subprocess.Popen(
        ["kcat", "-C", "-q", "-u", "-b", args.brokers, "-t", args.topic_out,
         "-o", "beginning", "-f", "%s\n"],
        stdout=subprocess.PIPE, text=True)
    producer = subprocess.Popen(
        [args.producer, "produce", args.brokers, args.topic_in],
        stdin=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    arrivals = Arrivals(consumer.stdout)
    try:
        # Probes until the pipeline answers: its start-up is not latency.
        deadline = time.time() + PROBE_TIMEOUT_S
        seq = 0
        while not arrivals.seen()[0]:
            if time.time() > deadline or engine.poll() is not None:
                sys.stderr.write("latency.py: the pipeline never answered\n")
                return 1
            producer.stdin.write(bid(seq, "probe") + "\n")
            producer.stdin.flush()
            seq += 1
            time.sleep(0.1)

        # R bids per second, in ticks of 10 ms.
        total = int(args.rate * args.seconds)
        start = time.time()
        sent = 0
        while sent < total:
            due = min(total, int((time.time() - start) * args.rate) + 1)
            burst = []
            while sent < due:
                burst.append(bid(sent, "m"))
                sent += 1
            if burst:
                producer.stdin.write("\n".join(burst) + "\n")
                producer.stdin.flush()
            time.sleep(TICK_S)

        deadline = time.time() + DRAIN_TIMEOUT_S
        while arrivals.seen()[1] < total and time.time() < deadline:
            time.sleep(0.1)
        with arrivals.lock:
            values = sorted(arrivals.latencies.values())
            missing = [seq for seq in range(total)
                       if "m%d" % seq not in arrivals.latencies]
        if missing:
            sys.stderr.write("latency.py: %d bids not back within %d s of "
                             "the last (first missing: m%d)\n" %
                             (len(missing), DRAIN_TIMEOUT_S, missing[0]))
        if not values:
            sys.stderr.write("latency.py: no bid came back\n")
            return 1
        print("p50=%d ms p99=%d ms max=%d ms records=%d" %
              (percentile(values, 50), percentile(values, 99), values[-1],
               len(values)))
        return 0 if len(values) >= 0.99 * total else 1
    finally:
        producer.stdin.close()
        producer.wait()
        engine.send_signal(signal.SIGINT)
        try:
            engine.wait(timeout=30)
        except subprocess.TimeoutExpired:
            engine.kill()
            engine.wait()
        consumer.terminate()
        consumer.wait()


if __name__ == "__main__":
    sys.exit(main())
