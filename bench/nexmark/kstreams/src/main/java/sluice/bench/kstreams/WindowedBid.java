/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compact binary records q7 sends through its repartition topic to the
 * single task that sees every bid: either a bid (the fields q7 outputs plus
 * the input partition it came from, for the watermark) or the end marker of
 * one input partition, sent after that partition's last bid.
 */
package sluice.bench.kstreams;

import java.nio.ByteBuffer;

record WindowedBid(boolean end, int partition, long auction, long price,
    long bidder, long dateTime) {
  private static final byte KIND_BID = 1;
  private static final byte KIND_END = 2;
  private static final int SIZE = 1 + 4 + 4 * 8;

  /* The end marker of input PARTITION. */
  static WindowedBid endOf(int partition) {
    return new WindowedBid(true, partition, 0, 0, 0, 0);
  }

  /* This record as bytes (a new array). */
  byte[] encode() {
    return ByteBuffer.allocate(SIZE).put(end ? KIND_END : KIND_BID)
        .putInt(partition).putLong(auction).putLong(price).putLong(bidder)
        .putLong(dateTime).array();
  }

  /* Reads a record written by encode(). */
  static WindowedBid decode(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    boolean end = buf.get() == KIND_END;
    return new WindowedBid(end, buf.getInt(), buf.getLong(), buf.getLong(),
        buf.getLong(), buf.getLong());
  }
}
