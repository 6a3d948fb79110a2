/* SPDX-License-Identifier: Apache-2.0 */
/*
 * command_log.h - the command topic that keeps the instances of one
 * deployment in agreement.
 *
 * Every instance of a service (`--service NAME`) writes the statements
 * that change what exists (CREATE, DROP, persistent queries, TERMINATE)
 * to `_sluice-<service>-commands`, a compacted topic of one partition
 * keyed by the object or query a statement is about.  An instance that
 * starts replays the topic into its own catalog, so all instances know the
 * same objects and run the same persistent queries, whose partitions their
 * consumer groups then spread over the instances.  While it runs, an
 * instance follows the topic and applies what the others write.
 */
#ifndef SLUICE_EXEC_COMMAND_LOG_H
#define SLUICE_EXEC_COMMAND_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "engine/common/error.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/config.h"
#include "engine/kafka/producer.h"

typedef struct sl_command_log sl_command_log;

/* A command read back: the key it was written under, its SQL, the
 * instance that wrote it, and where it is in the topic.  own is true for
 * a command this process wrote, seen again by the follower: it is already
 * applied, and only its offset is news. */
typedef struct sl_command {
  const char *key;
  const char *sql;
  const char *origin;
  int64_t offset;
  bool own;
} sl_command;

/* Called for each command; an error stops a replay but not a follower
 * (the follower logs it and goes on). */
typedef sl_status (*sl_command_fn)(void *ud, const sl_command *cmd,
                                   sl_error *err);

/* Opens the command topic of service.  When it is missing, create says
 * whether to create it; without create *out is NULL (still SL_OK), so that
 * an instance that only reads creates nothing.  instance names this
 * process in the records it writes. */
sl_status sl_command_log_open(const sl_kafka_config *kafka,
                              sl_kafka_admin *admin, const char *service,
                              const char *instance, bool create,
                              sl_command_log **out, sl_error *err);

/* The topic's name. */
const char *sl_command_log_topic(const sl_command_log *log);

/* Writes one command through producer and waits for its acknowledgement. */
sl_status sl_command_log_append(sl_command_log *log,
                                sl_kafka_producer *producer,
                                const char *key, const char *sql,
                                sl_error *err);

/* Reads the topic up to its current end and calls fn for the newest
 * command of each key, in the order those were written, leaving out those
 * before offset applied: the catalog already reflects them (it records
 * how far it has applied the topic), and running them again would, for
 * instance, train a model once more. */
sl_status sl_command_log_replay(sl_command_log *log, int64_t applied,
                                sl_command_fn fn, void *ud, sl_error *err);

/* After a replay: follows the topic on a thread of its own and calls fn
 * for every new command (own set for those this process wrote). */
sl_status sl_command_log_follow(sl_command_log *log, sl_command_fn fn,
                                void *ud, sl_error *err);

/* Stops following and frees the log.  Accepts NULL. */
void sl_command_log_close(sl_command_log *log);

/* ---- Trained models ----------------------------------------------------
 *
 * The instance that trains (or imports) a model version publishes it on
 * `_sluice-<service>-models`, a compacted topic of one partition, before
 * it writes the CREATE MODEL to the command topic; an instance that
 * replays that CREATE MODEL installs the published versions instead of
 * training, so that every instance serves the same model under the same
 * version number.  A version is the catalog's record of it (blob,
 * parameters, metrics, rows, statement, times) in one or more records
 * keyed "<model>/<version>/<part>", each holding up to
 * SL_COMMAND_MODEL_PART bytes of the blob and the blob's checksum, so
 * that a large booster stays under the broker's record size limit and
 * parts of two trainings of one version number are never mixed. */

#define SL_COMMAND_MODEL_PART (256 * 1024)

/* The models topic of service, into buf. */
void sl_command_log_models_topic(const char *service, char *buf,
                                 size_t size);

/* Publishes v (v->model, v->version and v->blob set) through producer,
 * creating the models topic when it is missing, and waits until every
 * record is acknowledged.  instance names this process as their origin. */
sl_status sl_command_log_publish_model(sl_kafka_admin *admin,
                                       sl_kafka_producer *producer,
                                       const char *service,
                                       const char *instance,
                                       const sl_catalog_model_version *v,
                                       sl_error *err);

/* Reads the models topic of service to its end and returns in *out the
 * published versions of model, oldest first, each with its blob put
 * together again: versions 1 up to the one published last (a model
 * dropped and created again starts from 1, and the versions of before
 * are left out).  A version whose parts are not all there is an error.
 * *out is NULL and *n 0 when nothing of model is published (or the topic
 * does not exist).  Free with sl_catalog_model_version_list_free. */
sl_status sl_command_log_read_models(const sl_kafka_config *kafka,
                                     sl_kafka_admin *admin,
                                     const char *service, const char *model,
                                     sl_catalog_model_version ***out,
                                     int *n, sl_error *err);

#endif
