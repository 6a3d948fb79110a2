/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How far a Kafka Streams run has read its input, which has no end of its
 * own: the end offset of every partition of the input topic as taken at
 * start, the partitions whose last record has been processed, and a latch
 * the main thread waits on until the topology says its work is finished.
 * Shared by all stream threads, hence the concurrent set.
 */
package sluice.bench.kstreams;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

final class InputProgress {
  private final Map<Integer, Long> ends;
  private final Set<Integer> done = ConcurrentHashMap.newKeySet();
  private final CountDownLatch finished = new CountDownLatch(1);

  /* ENDS maps each input partition to its end offset at start. */
  InputProgress(Map<Integer, Long> ends) {
    this.ends = Map.copyOf(ends);
    for (var e : ends.entrySet()) {
      if (e.getValue() == 0) {
        done.add(e.getKey());
      }
    }
  }

  /* The number of input partitions. */
  int partitions() {
    return ends.size();
  }

  /* The partitions that were empty at start (nothing to wait for). */
  Set<Integer> emptyPartitions() {
    Set<Integer> empty = new HashSet<>();
    for (var e : ends.entrySet()) {
      if (e.getValue() == 0) {
        empty.add(e.getKey());
      }
    }
    return empty;
  }

  /* True when OFFSET of PARTITION lies inside the bounded input. */
  boolean inBounds(int partition, long offset) {
    return offset < ends.getOrDefault(partition, 0L);
  }

  /* True when OFFSET is the last record of PARTITION's bounded input. */
  boolean isLast(int partition, long offset) {
    return offset == ends.getOrDefault(partition, 0L) - 1;
  }

  /*
   * Records that PARTITION's last record has been processed; returns true
   * when every partition is done (a partition read twice after a rebalance
   * counts once).
   */
  boolean partitionDone(int partition) {
    done.add(partition);
    return done.size() == ends.size();
  }

  /* Releases the main thread: the run's work is finished (or failed). */
  void finish() {
    finished.countDown();
  }

  /* Blocks until finish() has been called. */
  void await() throws InterruptedException {
    finished.await();
  }
}
