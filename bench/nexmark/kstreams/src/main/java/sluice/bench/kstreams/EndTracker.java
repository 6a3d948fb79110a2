/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A pass-through processor right after the source of the stateless queries.
 * It drops records past the end offsets taken at start (the run is bounded)
 * and, once the last record of a partition has gone through the rest of the
 * topology (forward() runs the downstream processors and hands their output
 * to the producer before it returns), marks the partition done; when every
 * partition is, the main thread is released to close the application, which
 * flushes the producer.
 */
package sluice.bench.kstreams;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

final class EndTracker implements FixedKeyProcessor<byte[], byte[], byte[]> {
  private final InputProgress progress;
  private FixedKeyProcessorContext<byte[], byte[]> context;

  /* A tracker reporting to PROGRESS (not owned). */
  EndTracker(InputProgress progress) {
    this.progress = progress;
  }

  @Override
  public void init(FixedKeyProcessorContext<byte[], byte[]> ctx) {
    context = ctx;
  }

  @Override
  public void process(FixedKeyRecord<byte[], byte[]> rec) {
    RecordMetadata md = context.recordMetadata().orElseThrow();
    if (!progress.inBounds(md.partition(), md.offset())) {
      return;
    }
    context.forward(rec);
    if (progress.isLast(md.partition(), md.offset())
        && progress.partitionDone(md.partition())) {
      progress.finish();
    }
  }
}
