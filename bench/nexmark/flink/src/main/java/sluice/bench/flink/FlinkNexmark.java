/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flink SQL peer of the Nexmark benchmark.  Runs one query (q0 q1 q2 q3 q5
 * q7 q8) of this folder's qN.sql files on a local Flink mini-cluster in
 * streaming mode, over the Kafka source tables of sources.sql bounded to the
 * end offsets that exist at start, and writes the rows as JSON to the output
 * topic.  It measures the job itself (wall time and process CPU between the
 * job's submission and its end) and prints the harness's RESULT line as the
 * last line of standard output; everything else goes to standard error.
 *
 * Environment: NEXMARK_BROKERS, NEXMARK_OUT_TOPIC, NEXMARK_EVENTS,
 * NEXMARK_PARALLELISM, NEXMARK_SQL_DIR (the folder holding the .sql files);
 * NEXMARK_EXPLAIN, when set, prints the query's plan to standard error.
 */
package sluice.bench.flink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.FormatDescriptor;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

import sluice.bench.common.BenchEnv;
import sluice.bench.common.KafkaTopics;
import sluice.bench.common.RunMeter;

public final class FlinkNexmark {
  private static final Set<String> QUERIES =
      Set.of("q0", "q1", "q2", "q3", "q5", "q7", "q8");

  /* Exit status for a query this peer does not run (harness contract). */
  private static final int EXIT_UNSUPPORTED = 3;

  private FlinkNexmark() {
  }

  /*
   * Runs the query named by args[0]; exits 0 after printing the RESULT line,
   * 3 for a query this peer does not run, 2 on a usage error, 1 when the job
   * fails.
   */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: FlinkNexmark QUERY");
      System.exit(2);
    }
    try {
      run(args[0]);
    } catch (Exception e) {
      /* Exit even while client or cluster threads are still alive. */
      System.err.println("flink: " + args[0] + " failed:");
      e.printStackTrace();
      System.exit(1);
    }
  }

  /* Runs QUERY and exits as main() says; throws when the run fails. */
  private static void run(String query) throws Exception {
    if (!QUERIES.contains(query)) {
      System.err.println("flink: query " + query + " is not run by this peer");
      System.exit(EXIT_UNSUPPORTED);
    }
    String brokers = BenchEnv.require("NEXMARK_BROKERS");
    String outTopic = BenchEnv.require("NEXMARK_OUT_TOPIC");
    Path sqlDir = Path.of(BenchEnv.require("NEXMARK_SQL_DIR"));
    int parallelism = BenchEnv.intOr("NEXMARK_PARALLELISM", 1);
    long events = BenchEnv.longOr("NEXMARK_EVENTS", 0);

    /*
     * The input must be fully loaded before the bounded sources take their
     * end offsets; the output topic exists before the job so the offsets
     * before and after count exactly the records this run wrote.
     */
    long outBefore;
    try (KafkaTopics topics = new KafkaTopics(brokers)) {
      topics.awaitInput(query.equals("q3") || query.equals("q8")
          ? List.of("nexmark-person", "nexmark-auction")
          : List.of("nexmark-bid"), events);
      topics.ensureTopic(outTopic, topics.partitions("nexmark-bid"));
      outBefore = topics.endOffsetSum(outTopic);
    }

    TableEnvironment env = createEnvironment(parallelism);
    String group =
        "nexmark-flink-" + query + "-" + ProcessHandle.current().pid();
    for (String ddl : statements(Files.readString(sqlDir.resolve("sources.sql"))
        .replace("${BROKERS}", brokers).replace("${GROUP}", group))) {
      env.executeSql(ddl);
    }
    /* A query file may define views before its final SELECT. */
    List<String> querySql =
        statements(Files.readString(sqlDir.resolve(query + ".sql")));
    for (String ddl : querySql.subList(0, querySql.size() - 1)) {
      env.executeSql(ddl);
    }
    Table result = env.sqlQuery(querySql.get(querySql.size() - 1));
    if (!System.getenv().getOrDefault("NEXMARK_EXPLAIN", "").isEmpty()) {
      System.err.println(result.explain());
    }
    TableDescriptor sink = TableDescriptor.forConnector("kafka")
        .schema(Schema.newBuilder()
            .fromResolvedSchema(result.getResolvedSchema()).build())
        .option("topic", outTopic)
        .option("properties.bootstrap.servers", brokers)
        .option("sink.delivery-guarantee", "at-least-once")
        .format(FormatDescriptor.forFormat("json").build())
        .build();

    /*
     * The measured interval starts once the job is submitted to the
     * mini-cluster (its start-up is not part of the query) and ends when the
     * job has finished, the sink flushed on end of input.
     */
    RunMeter meter = new RunMeter();
    TableResult job = result.insertInto(sink).execute();
    meter.start();
    job.await();
    meter.stop();

    long outAfter;
    try (KafkaTopics topics = new KafkaTopics(brokers)) {
      outAfter = topics.endOffsetSum(outTopic);
    }
    System.out.println(meter.resultLine(outAfter - outBefore));
    System.out.flush();
    System.exit(0);
  }

  /* A streaming table environment with the run's parallelism, in UTC. */
  private static TableEnvironment createEnvironment(int parallelism) {
    Configuration conf = new Configuration();
    conf.setString("parallelism.default", Integer.toString(parallelism));
    conf.setString("table.local-time-zone", "UTC");
    conf.setString("execution.runtime-mode", "streaming");
    return TableEnvironment.create(EnvironmentSettings.newInstance()
        .inStreamingMode().withConfiguration(conf).build());
  }

  /* Drops "--" comment lines so a file holds bare SQL. */
  private static String stripComments(String sql) {
    StringBuilder out = new StringBuilder();
    for (String line : sql.split("\n", -1)) {
      if (!line.strip().startsWith("--")) {
        out.append(line).append('\n');
      }
    }
    return out.toString().strip();
  }

  /* Splits a file of statements on the ';' that ends a line. */
  private static List<String> statements(String sql) {
    List<String> out = new ArrayList<>();
    for (String part : stripComments(sql).split(";\\s*(\n|$)")) {
      if (!part.isBlank()) {
        out.add(part.strip());
      }
    }
    return out;
  }
}
