/* SPDX-License-Identifier: Apache-2.0 */
/*
 * q7's ranking stage: the single task that sees every bid keeps, per 10 s
 * tumbling window, the bids with the highest price so far (all ties) in a
 * key-value store keyed by window start, and emits a window's bids once the
 * watermark reaches the window's end.
 *
 * The watermark follows the benchmark's contract rather than Kafka Streams'
 * stream time: per input partition it is the largest dateTime seen minus the
 * 1 s out-of-orderness bound, and across partitions the minimum; a bid whose
 * window the watermark had already reached is late and dropped (counted).
 * A partition's end marker removes it from the minimum; when every partition
 * has ended the watermark is the end of time, every open window is emitted
 * and the run is finished.  The per-partition maxima live in memory only:
 * the runs are bounded and start from scratch.
 */
package sluice.bench.kstreams;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

final class TopBids implements Processor<Long, byte[], byte[], byte[]> {
  static final String STORE = "q7-top-bids";
  private static final long WINDOW_MS = 10_000;
  private static final long BOUND_MS = 1_000;
  private static final int FIELDS = 4; /* auction, price, bidder, dateTime */
  private static final Logger LOG = LoggerFactory.getLogger(TopBids.class);

  private final InputProgress progress;
  private final ObjectMapper json;
  private final long[] maxTime;
  private final boolean[] ended;
  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<Long, long[]> windows;
  /* The starts of the windows in the store, oldest first: an index only. */
  private final TreeSet<Long> open = new TreeSet<>();
  private long late;

  /* A ranking stage reporting to PROGRESS, writing with JSON (not owned). */
  TopBids(InputProgress progress, ObjectMapper json) {
    this.progress = progress;
    this.json = json;
    maxTime = new long[progress.partitions()];
    ended = new boolean[progress.partitions()];
    Arrays.fill(maxTime, Long.MIN_VALUE);
    for (int p : progress.emptyPartitions()) {
      ended[p] = true;
    }
  }

  /* The persistent store this stage needs, for Topology.addStateStore. */
  static StoreBuilder<KeyValueStore<Long, long[]>> storeBuilder() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
        Serdes.Long(), Serdes.serdeFrom(TopBids::encode, TopBids::decode));
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> ctx) {
    context = ctx;
    windows = ctx.getStateStore(STORE);
    try (KeyValueIterator<Long, long[]> it = windows.all()) {
      while (it.hasNext()) {
        open.add(it.next().key);
      }
    }
  }

  @Override
  public void process(Record<Long, byte[]> rec) {
    WindowedBid bid = WindowedBid.decode(rec.value());
    if (bid.end()) {
      ended[bid.partition()] = true;
    } else {
      add(bid);
    }

    long watermark = watermark();
    if (watermark != Long.MIN_VALUE) {
      emitUpTo(watermark);
    }
    if (watermark == Long.MAX_VALUE) {
      if (late > 0) {
        LOG.warn("q7: {} late bids dropped", late);
      }
      progress.finish();
    }
  }

  /* Ranks BID into its window unless the watermark has closed it. */
  private void add(WindowedBid bid) {
    long start = bid.dateTime() - Math.floorMod(bid.dateTime(), WINDOW_MS);
    boolean isLate = start + WINDOW_MS <= watermark();
    maxTime[bid.partition()] =
        Math.max(maxTime[bid.partition()], bid.dateTime());
    if (isLate) {
      late++;
      return;
    }

    long[] top = windows.get(start);
    long[] one = {bid.auction(), bid.price(), bid.bidder(), bid.dateTime()};
    if (top == null || bid.price() > top[1]) {
      windows.put(start, one);
      open.add(start);
    } else if (bid.price() == top[1]) {
      long[] grown = Arrays.copyOf(top, top.length + FIELDS);
      System.arraycopy(one, 0, grown, top.length, FIELDS);
      windows.put(start, grown);
    }
  }

  /*
   * The watermark left by the records so far: Long.MIN_VALUE while some
   * open partition has sent nothing, Long.MAX_VALUE once all have ended.
   */
  private long watermark() {
    long min = Long.MAX_VALUE;
    for (int p = 0; p < maxTime.length; p++) {
      if (!ended[p]) {
        min = Math.min(min, maxTime[p] == Long.MIN_VALUE
            ? Long.MIN_VALUE : maxTime[p] - BOUND_MS);
      }
    }
    return min;
  }

  /* Emits and forgets every window whose end is at or before WATERMARK. */
  private void emitUpTo(long watermark) {
    while (!open.isEmpty() && (watermark == Long.MAX_VALUE
        || open.first() + WINDOW_MS <= watermark)) {
      long start = open.pollFirst();
      long[] bids = windows.delete(start);
      for (int i = 0; i < bids.length; i += FIELDS) {
        ObjectNode row = json.createObjectNode()
            .put("auction", bids[i]).put("price", bids[i + 1])
            .put("bidder", bids[i + 2]).put("dateTime", bids[i + 3])
            .put("window_start", start).put("window_end", start + WINDOW_MS);
        context.forward(new Record<>(null, Rows.bytes(json, row),
            context.currentSystemTimeMs()));
      }
    }
  }

  private static byte[] encode(String topic, long[] bids) {
    ByteBuffer buf = ByteBuffer.allocate(bids.length * Long.BYTES);
    buf.asLongBuffer().put(bids);
    return buf.array();
  }

  private static long[] decode(String topic, byte[] bytes) {
    long[] bids = new long[bytes.length / Long.BYTES];
    ByteBuffer.wrap(bytes).asLongBuffer().get(bids);
    return bids;
  }
}
