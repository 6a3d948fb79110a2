/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON in and out for the Kafka Streams topologies: parsing an input record
 * and writing an output row as UTF-8 bytes.  A bad record stops the stream
 * thread; Kafka Streams' handler then names its topic, partition and
 * offset.
 */
package sluice.bench.kstreams;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

final class Rows {
  private Rows() {
  }

  /* Parses VALUE with JSON; throws UncheckedIOException on bad JSON. */
  static JsonNode parse(ObjectMapper json, byte[] value) {
    try {
      return json.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException("bad JSON record: " + e.getMessage(), e);
    }
  }

  /* ROW as JSON bytes (a new array). */
  static byte[] bytes(ObjectMapper json, JsonNode row) {
    try {
      return json.writeValueAsBytes(row);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
