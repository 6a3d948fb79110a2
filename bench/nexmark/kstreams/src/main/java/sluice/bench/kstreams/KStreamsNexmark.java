/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kafka Streams peer of the Nexmark benchmark: q0, q1 and q2 as stateless
 * DSL pipelines and q7 (highest bid per 10 s tumbling window) through a
 * repartition topic and a ranking processor with a RocksDB store.
 *
 * Kafka Streams has no bounded mode, so the run bounds itself: the end
 * offsets of nexmark-bid are taken at start, records past them are dropped,
 * and the topology tells the main thread when the last record of every
 * partition has gone through it (InputProgress); the main thread then
 * closes the application, which flushes the producer and commits.  The
 * measured interval runs from the first time the application is RUNNING
 * (its group joined, tasks assigned) to the end of that close.  The RESULT
 * line is the last line of standard output; logs go to standard error.
 *
 * Environment: NEXMARK_BROKERS, NEXMARK_OUT_TOPIC, NEXMARK_EVENTS,
 * NEXMARK_PARALLELISM (stream threads), NEXMARK_STATE_DIR.
 */
package sluice.bench.kstreams;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

import sluice.bench.common.BenchEnv;
import sluice.bench.common.KafkaTopics;
import sluice.bench.common.RunMeter;

public final class KStreamsNexmark {
  private static final Set<String> QUERIES = Set.of("q0", "q1", "q2", "q7");
  private static final String BIDS = "nexmark-bid";

  /* Exit status for a query this peer does not run (harness contract). */
  private static final int EXIT_UNSUPPORTED = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  private KStreamsNexmark() {
  }

  /*
   * Runs the query named by args[0]; exits 0 after printing the RESULT line,
   * 3 for a query this peer does not run, 2 on a usage error, 1 when the
   * application fails.
   */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: KStreamsNexmark QUERY");
      System.exit(2);
    }
    try {
      run(args[0]);
    } catch (Exception e) {
      /* Exit even while client or cluster threads are still alive. */
      System.err.println("kstreams: " + args[0] + " failed:");
      e.printStackTrace();
      System.exit(1);
    }
  }

  /* Runs QUERY and exits as main() says; throws when the run fails. */
  private static void run(String query) throws Exception {
    if (!QUERIES.contains(query)) {
      System.err.println("kstreams: query " + query
          + " is not run by this peer");
      System.exit(EXIT_UNSUPPORTED);
    }
    String brokers = BenchEnv.require("NEXMARK_BROKERS");
    String outTopic = BenchEnv.require("NEXMARK_OUT_TOPIC");
    String stateDir = BenchEnv.require("NEXMARK_STATE_DIR");
    int threads = Math.max(1, BenchEnv.intOr("NEXMARK_PARALLELISM", 1));
    long events = BenchEnv.longOr("NEXMARK_EVENTS", 0);
    String appId = "nexmark-kstreams-" + query + "-"
        + ProcessHandle.current().pid();

    /*
     * The input is fully loaded before its end offsets are taken; the
     * output topic exists before the run so the offsets before and after
     * count exactly the records this run wrote.
     */
    Map<Integer, Long> ends;
    long outBefore;
    try (KafkaTopics topics = new KafkaTopics(brokers)) {
      topics.awaitInput(List.of(BIDS), events);
      ends = topics.endOffsets(BIDS);
      topics.ensureTopic(outTopic, ends.size());
      outBefore = topics.endOffsetSum(outTopic);
    }
    InputProgress progress = new InputProgress(ends);

    Topology topology = buildTopology(query, outTopic, progress);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

    RunMeter meter = new RunMeter();
    AtomicBoolean running = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    KafkaStreams streams = new KafkaStreams(topology, props);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING && running.compareAndSet(false,
          true)) {
        meter.start();
      }
    });
    streams.setUncaughtExceptionHandler(e -> {
      failure.compareAndSet(null, e);
      progress.finish();
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
          .SHUTDOWN_CLIENT;
    });

    streams.start();
    if (ends.values().stream().allMatch(end -> end == 0)) {
      progress.finish();
    }
    progress.await();
    streams.close(Duration.ofMinutes(2));
    meter.stop();
    streams.cleanUp();

    long outAfter;
    try (KafkaTopics topics = new KafkaTopics(brokers)) {
      outAfter = topics.endOffsetSum(outTopic);
      topics.deleteTopicsWithPrefix(appId + "-");
    }
    if (failure.get() != null) {
      System.err.println("kstreams: " + query + " failed: " + failure.get());
      System.exit(1);
    }
    System.out.println(meter.resultLine(outAfter - outBefore));
    System.out.flush();
    System.exit(0);
  }

  /* The topology of QUERY writing OUT_TOPIC, reporting to PROGRESS. */
  static Topology buildTopology(String query, String outTopic,
      InputProgress progress) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<byte[], byte[]> bids = builder.stream(BIDS,
        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()));
    Produced<byte[], byte[]> out =
        Produced.with(Serdes.ByteArray(), Serdes.ByteArray());

    switch (query) {
      case "q0" -> track(bids, progress)
          .mapValues(v -> Rows.bytes(JSON, passThrough(Rows.parse(JSON, v))))
          .to(outTopic, out);
      case "q1" -> track(bids, progress)
          .mapValues(v -> Rows.bytes(JSON, convert(Rows.parse(JSON, v))))
          .to(outTopic, out);
      case "q2" -> track(bids, progress)
          .flatMapValues(v -> filter(Rows.parse(JSON, v)))
          .to(outTopic, out);
      case "q7" -> {
        builder.addStateStore(TopBids.storeBuilder());
        bids.process(() -> new BidRouter(progress, JSON))
            .repartition(Repartitioned.with(Serdes.Long(), Serdes.ByteArray())
                .withName("q7-all-bids").withNumberOfPartitions(1))
            .process(() -> new TopBids(progress, JSON), TopBids.STORE)
            .to(outTopic, out);
      }
      default -> throw new IllegalArgumentException(query);
    }
    return builder.build();
  }

  private static KStream<byte[], byte[]> track(KStream<byte[], byte[]> s,
      InputProgress progress) {
    return s.processValues(() -> new EndTracker(progress));
  }

  /* q0: every bid with the fields of the contract. */
  private static ObjectNode passThrough(JsonNode bid) {
    ObjectNode row = JSON.createObjectNode();
    for (String f : List.of("auction", "bidder", "price", "dateTime",
        "extra")) {
      row.set(f, bid.get(f));
    }
    return row;
  }

  /* q1: the price converted, as a DOUBLE (null stays null). */
  private static ObjectNode convert(JsonNode bid) {
    ObjectNode row = JSON.createObjectNode();
    row.set("auction", bid.get("auction"));
    row.set("bidder", bid.get("bidder"));
    JsonNode price = bid.get("price");
    if (price == null || price.isNull()) {
      row.putNull("price");
    } else {
      row.put("price", 0.908 * price.asLong());
    }
    row.set("dateTime", bid.get("dateTime"));
    return row;
  }

  /* q2: the bid's row when its auction is a multiple of 123, else none. */
  private static List<byte[]> filter(JsonNode bid) {
    JsonNode auction = bid.get("auction");
    if (auction == null || auction.isNull() || auction.asLong() % 123 != 0) {
      return List.of();
    }
    ObjectNode row = JSON.createObjectNode();
    row.set("auction", auction);
    row.set("price", bid.get("price"));
    return List.of(Rows.bytes(JSON, row));
  }
}
