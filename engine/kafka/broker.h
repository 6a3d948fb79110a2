/* SPDX-License-Identifier: Apache-2.0 */
/*
 * broker.h - the embedded broker: an in-memory Kafka cluster inside the
 * sluice process, used when no broker is configured.
 *
 * It is librdkafka's mock cluster, listening on 127.0.0.1 on ports it
 * picks itself, so other clients (kcat, a second sluice) can connect too.
 * Its limits, measured on librdkafka 2.0.2, shape how Sluice uses it:
 *   - each partition keeps only about 5 MB (some 17,000 records of 250
 *     bytes); older records are deleted and the log start offset moves on.
 *     Consumers detect and report that loss (consumer.h).  Unkeyed
 *     records are spread over partitions rather than sent in sticky
 *     bursts (the producer sets sticky.partitioning.linger.ms=0 here).
 *   - it does not answer admin requests (CreateTopics, DescribeConfigs)
 *     and its metadata names no controller: topics are created through
 *     sl_kafka_broker_create_topic, which the admin client uses on its
 *     own, or auto-created with 4 partitions by any metadata request that
 *     names them (a producer's first write, a consumer's lookup).
 *   - other processes create topics through the requests topic (below)
 *     when the broker serves it, as `sluice broker` does.
 *   - deleting a consumer group aborts the process (an assertion inside
 *     librdkafka): Sluice never deletes groups; transient reads use
 *     assign() without a group.
 *   - data lives as long as the process.
 */
#ifndef SLUICE_KAFKA_BROKER_H
#define SLUICE_KAFKA_BROKER_H

#include "engine/common/error.h"
#include "engine/kafka/config.h"

typedef struct sl_kafka_broker sl_kafka_broker;

/* librdkafka's mock cluster type, for fault injection in tests through
 * rdkafka_mock.h (broker down, request errors, round-trip times). */
struct rd_kafka_mock_cluster_s;

/* The line Sluice prints (once, to standard error) when it starts the
 * embedded broker because none is configured. */
#define SL_KAFKA_EMBEDDED_NOTICE                                            \
  "sluice: no Kafka broker configured: using an embedded in-memory broker " \
  "(its data is gone when sluice exits); --brokers HOST:PORT or "           \
  "SLUICE_BROKERS selects a real cluster"

/* Starts an in-memory cluster of broker_count brokers (1 is enough outside
 * fault-injection tests).  *out is owned by the caller. */
sl_status sl_kafka_broker_start(int broker_count, sl_kafka_broker **out,
                                sl_error *err);

/* "127.0.0.1:PORT[,127.0.0.1:PORT...]", owned by the broker. */
const char *sl_kafka_broker_bootstrap(const sl_kafka_broker *b);

/* Points cfg at the broker: sets bootstrap.servers and links cfg to it, so
 * that clients made from cfg know they talk to the embedded broker (the
 * admin client then creates topics through it).  The broker must outlive
 * every client made from cfg. */
sl_status sl_kafka_broker_configure(sl_kafka_broker *b, sl_kafka_config *cfg,
                                    sl_error *err);

/* Creates topic with partitions (< 1: 4) and replication (< 1: 1; at most
 * the number of brokers).  Fails with TOPIC_ALREADY_EXISTS's text when it
 * exists. */
sl_status sl_kafka_broker_create_topic(sl_kafka_broker *b, const char *topic,
                                       int partitions, int replication,
                                       sl_error *err);

/* Topic creation for other processes.  A client that finds no controller
 * in the cluster's metadata but finds this topic knows it talks to an
 * embedded broker that serves requests: it writes one record whose value
 * is "create-topic NAME PARTITIONS REPLICATION" to its partition 0 and
 * waits for the topic to be listed.  The broker checks the request as
 * sl_kafka_broker_check_topic does and creates the topic; a request it
 * refuses is logged and dropped, so clients check first. */
#define SL_KAFKA_BROKER_REQUESTS_TOPIC "__sluice_broker_requests"
#define SL_KAFKA_BROKER_CREATE_VERB "create-topic"

/* The most partitions a topic on the embedded broker may have. */
#define SL_KAFKA_BROKER_MAX_PARTITIONS 1024

/* Checks a creation request the way the broker does: a legal Kafka topic
 * name (at most 249 of [A-Za-z0-9._-], not "." or ".."), partitions
 * between 1 and SL_KAFKA_BROKER_MAX_PARTITIONS, replication between 1 and
 * broker_count.  Fails naming the topic and what is wrong. */
sl_status sl_kafka_broker_check_topic(const char *topic, int partitions,
                                      int replication, int broker_count,
                                      sl_error *err);

/* Creates the requests topic and starts a thread that consumes it and
 * creates the topics asked for, until sl_kafka_broker_stop. */
sl_status sl_kafka_broker_serve_requests(sl_kafka_broker *b, sl_error *err);

/* The mock cluster, for fault injection. */
struct rd_kafka_mock_cluster_s *sl_kafka_broker_mock(sl_kafka_broker *b);

/* Stops the cluster and frees it; its data is gone.  Clients still
 * connected see the brokers disappear.  Accepts NULL. */
void sl_kafka_broker_stop(sl_kafka_broker *b);

#endif /* SLUICE_KAFKA_BROKER_H */
