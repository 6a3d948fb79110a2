/* SPDX-License-Identifier: Apache-2.0 */
/*
 * q7's first stage, one per input partition: parses each bid of the bounded
 * input, keys it by a constant (so the repartition topic brings every bid to
 * the one task that ranks the whole window) and, after the last bid of its
 * partition, sends that partition's end marker down the same path; order
 * within the repartition topic keeps the marker behind the bids.
 */
package sluice.bench.kstreams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

final class BidRouter implements Processor<byte[], byte[], Long, byte[]> {
  /* The one key every bid is sent under. */
  static final Long ALL = 0L;

  private final InputProgress progress;
  private final ObjectMapper json;
  private ProcessorContext<Long, byte[]> context;

  /* A router reporting to PROGRESS, parsing with JSON (neither owned). */
  BidRouter(InputProgress progress, ObjectMapper json) {
    this.progress = progress;
    this.json = json;
  }

  @Override
  public void init(ProcessorContext<Long, byte[]> ctx) {
    context = ctx;
  }

  @Override
  public void process(Record<byte[], byte[]> rec) {
    RecordMetadata md = context.recordMetadata().orElseThrow();
    if (!progress.inBounds(md.partition(), md.offset())) {
      return;
    }
    JsonNode bid = Rows.parse(json, rec.value());
    WindowedBid out = new WindowedBid(false, md.partition(),
        bid.path("auction").asLong(), bid.path("price").asLong(),
        bid.path("bidder").asLong(), bid.path("dateTime").asLong());
    context.forward(new Record<>(ALL, out.encode(), rec.timestamp()));
    if (progress.isLast(md.partition(), md.offset())) {
      context.forward(new Record<>(ALL,
          WindowedBid.endOf(md.partition()).encode(), rec.timestamp()));
    }
  }
}
