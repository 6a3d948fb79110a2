/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The few broker look-ups the peer runners need, through Kafka's Admin
 * client: partition counts and end offsets, creating the output topic when
 * it is missing, waiting until the input topics hold the number of events
 * the harness loaded, and removing a run's internal topics.  Shared by the
 * Flink and Kafka Streams runners (both poms compile this folder).
 */
package sluice.bench.common;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

public final class KafkaTopics implements AutoCloseable {
  private static final long INPUT_WAIT_MS = 120_000;

  private final Admin admin;

  /* An Admin client on BROKERS; close() releases it. */
  public KafkaTopics(String brokers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    admin = Admin.create(props);
  }

  /* The number of partitions of TOPIC. */
  public int partitions(String topic) throws Exception {
    return describe(topic).partitions().size();
  }

  /* The end offset of each partition of TOPIC, by partition number. */
  public Map<Integer, Long> endOffsets(String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
    for (var p : describe(topic).partitions()) {
      spec.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
    }
    Map<Integer, Long> ends = new HashMap<>();
    for (var e : admin.listOffsets(spec).all().get().entrySet()) {
      ends.put(e.getKey().partition(), e.getValue().offset());
    }
    return ends;
  }

  /* The sum of the end offsets of TOPIC's partitions (0 when it is empty). */
  public long endOffsetSum(String topic) throws Exception {
    long sum = 0;
    for (long end : endOffsets(topic).values()) {
      sum += end;
    }
    return sum;
  }

  /* Creates TOPIC with PARTITIONS partitions unless it exists already. */
  public void ensureTopic(String topic, int partitions) throws Exception {
    try {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  /*
   * Waits until INPUTS, the topics a query reads, hold EVENTS records in
   * all (no wait when EVENTS is 0); throws IllegalStateException naming
   * both counts after two minutes.
   */
  public void awaitInput(List<String> inputs, long events) throws Exception {
    long deadline = System.currentTimeMillis() + INPUT_WAIT_MS;
    long have = 0;
    while (events > 0) {
      have = 0;
      for (String topic : inputs) {
        have += endOffsetSum(topic);
      }
      if (have >= events) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(inputs + " hold " + have
            + " records, NEXMARK_EVENTS says " + events);
      }
      Thread.sleep(200);
    }
  }

  /*
   * Deletes TOPIC if it exists and creates it anew, empty, with PARTITIONS
   * partitions (retrying while the broker still finishes the deletion).
   */
  public void recreate(String topic, int partitions) throws Exception {
    if (admin.listTopics().names().get().contains(topic)) {
      admin.deleteTopics(List.of(topic)).all().get();
    }
    for (int attempt = 0;; attempt++) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
            .all().get();
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException) || attempt > 100) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /* Deletes every topic whose name starts with PREFIX. */
  public void deleteTopicsWithPrefix(String prefix) throws Exception {
    List<String> doomed = new ArrayList<>();
    for (String name : admin.listTopics().names().get()) {
      if (name.startsWith(prefix)) {
        doomed.add(name);
      }
    }
    if (!doomed.isEmpty()) {
      admin.deleteTopics(doomed).all().get();
    }
  }

  /*
   * Command-line use by the self-test: "recreate BROKERS PARTITIONS TOPIC...".
   * Exits 2 on a usage error.
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 4 || !args[0].equals("recreate")) {
      System.err.println(
          "usage: KafkaTopics recreate BROKERS PARTITIONS TOPIC...");
      System.exit(2);
    }
    try (KafkaTopics topics = new KafkaTopics(args[1])) {
      for (int i = 3; i < args.length; i++) {
        topics.recreate(args[i], Integer.parseInt(args[2]));
      }
    }
  }

  private TopicDescription describe(String topic) throws Exception {
    return admin.describeTopics(List.of(topic)).allTopicNames().get()
        .get(topic);
  }

  @Override
  public void close() {
    admin.close();
  }
}
