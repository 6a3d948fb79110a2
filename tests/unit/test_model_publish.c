/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_model_publish.c - model versions on the service's models topic
 * (engine/exec/command_log.h), on the embedded broker: a version comes
 * back exactly as it was published, in one record or in several; only
 * the versions up to the one published last count (a model dropped and
 * created again starts from 1); a version with a part missing is an
 * error that names it; a service with no models topic has nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/exec/command_log.h"
#include "engine/kafka/broker.h"
#include "test_util.h"

static sl_kafka_broker *broker;
static sl_kafka_config *cfg;
static sl_kafka_admin *admin;
static sl_kafka_producer *producer;

static void check_ok(sl_status rc, const sl_error *err, const char *what) {
  if (rc != SL_OK) {
    char buf[1200];
    print_error("%s failed: %s\n", what,
                sl_error_format(err, buf, sizeof(buf)));
    fail();
  }
}

static int setup(void **state) {
  (void)state;
  sl_error err;
  if (sl_kafka_broker_start(1, &broker, &err))
    return -1;
  cfg = sl_kafka_config_new();
  if (!cfg || sl_kafka_broker_configure(broker, cfg, &err) ||
      sl_kafka_admin_new(cfg, &admin, &err) ||
      sl_kafka_producer_new(cfg, NULL, &producer, &err))
    return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  sl_kafka_producer_free(producer);
  sl_kafka_admin_free(admin);
  sl_kafka_config_free(cfg);
  sl_kafka_broker_stop(broker);
  return 0;
}

/* A blob of len bytes from seed (its last 8 bytes stand for the
 * checksum a serialized model ends in). */
static unsigned char *make_blob(size_t len, unsigned seed) {
  unsigned char *b = malloc(len);
  assert_non_null(b);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < len; i++) {
    x = x * 1664525u + 1013904223u;
    b[i] = (unsigned char)(x >> 24);
  }
  return b;
}

static void publish(const char *service, const char *model, int version,
                    const unsigned char *blob, size_t len,
                    const char *metrics) {
  sl_catalog_model_version v = {
      .model = (char *)model,
      .version = version,
      .training_set = "rows",
      .rows = 1000 + version,
      .params = "{\"rounds\":10}",
      .metrics = (char *)metrics,
      .sql = "CREATE MODEL m TYPE XGBOOST FEATURES (x) LABEL y FROM rows",
      .trained_ms = 1700000000000 + version,
      .training_ms = 42,
      .blob = (void *)blob,
      .blob_len = len,
  };
  sl_error err;
  check_ok(sl_command_log_publish_model(admin, producer, service, "inst-a",
                                        &v, &err),
           &err, "publish");
}

static void read_models(const char *service, const char *model,
                        sl_catalog_model_version ***vs, int *n) {
  sl_error err;
  check_ok(sl_command_log_read_models(cfg, admin, service, model, vs, n,
                                      &err),
           &err, "read models");
}

static void check_version(const sl_catalog_model_version *v, int version,
                          const unsigned char *blob, size_t len,
                          const char *metrics) {
  assert_string_equal(v->model, "m");
  assert_int_equal(v->version, version);
  assert_string_equal(v->training_set, "rows");
  assert_int_equal(v->rows, 1000 + version);
  assert_string_equal(v->params, "{\"rounds\":10}");
  assert_string_equal(v->metrics, metrics);
  assert_string_equal(v->sql, "CREATE MODEL m TYPE XGBOOST FEATURES (x) "
                              "LABEL y FROM rows");
  assert_int_equal(v->trained_ms, 1700000000000 + version);
  assert_int_equal(v->training_ms, 42);
  assert_int_equal(v->blob_len, len);
  assert_memory_equal(v->blob, blob, len);
}

static void test_nothing_published(void **state) {
  (void)state;
  sl_catalog_model_version **vs = NULL;
  int n = -1;
  read_models("quiet", "m", &vs, &n);
  assert_null(vs);
  assert_int_equal(n, 0);
}

static void test_round_trip(void **state) {
  (void)state;
  /* Version 2 is three parts: two full ones and the rest. */
  size_t small = 100, large = 2 * SL_COMMAND_MODEL_PART + 12345;
  unsigned char *b1 = make_blob(small, 1);
  unsigned char *b2 = make_blob(large, 2);
  unsigned char *other = make_blob(small, 3);
  publish("svc", "m", 1, b1, small, "{\"auc\":0.75}");
  publish("svc", "other", 1, other, small, "{}");
  publish("svc", "m", 2, b2, large, "{\"auc\":0.8}");

  sl_catalog_model_version **vs = NULL;
  int n = 0;
  read_models("svc", "m", &vs, &n);
  assert_int_equal(n, 2);
  check_version(vs[0], 1, b1, small, "{\"auc\":0.75}");
  check_version(vs[1], 2, b2, large, "{\"auc\":0.8}");
  sl_catalog_model_version_list_free(vs, n);

  /* Dropped and created again: version 1 anew, and the old version 2
   * (still in the topic) no longer counts. */
  unsigned char *again = make_blob(small, 4);
  publish("svc", "m", 1, again, small, "{\"auc\":0.7}");
  read_models("svc", "m", &vs, &n);
  assert_int_equal(n, 1);
  check_version(vs[0], 1, again, small, "{\"auc\":0.7}");
  sl_catalog_model_version_list_free(vs, n);

  /* A version 2 trained again replaces every part of the first one. */
  unsigned char *b2b = make_blob(large, 5);
  publish("svc", "m", 2, b2b, large, "{\"auc\":0.9}");
  read_models("svc", "m", &vs, &n);
  assert_int_equal(n, 2);
  check_version(vs[1], 2, b2b, large, "{\"auc\":0.9}");
  sl_catalog_model_version_list_free(vs, n);
  free(b1);
  free(b2);
  free(b2b);
  free(other);
  free(again);
}

static void test_missing_part(void **state) {
  (void)state;
  size_t large = SL_COMMAND_MODEL_PART + 10;
  unsigned char *b = make_blob(large, 6);
  publish("gap", "m", 1, b, large, "{}");

  /* A first part of another training of version 1, whose second part
   * never came: the old second part does not belong to it. */
  char topic[512];
  sl_command_log_models_topic("gap", topic, sizeof(topic));
  assert_string_equal(topic, "_sluice-gap-models");
  const char *value = "{\"origin\":\"inst-b\",\"model\":\"m\","
                      "\"version\":1,\"part\":0,\"parts\":2,"
                      "\"digest\":\"0123456789abcdef\",\"blob\":\"AAAA\"}";
  sl_kafka_record rec = {.topic = topic, .partition = 0, .key = "m/1/0",
                         .key_len = 5, .value = value,
                         .value_len = strlen(value)};
  sl_error err;
  check_ok(sl_kafka_produce(producer, &rec, &err), &err, "produce");
  check_ok(sl_kafka_producer_flush(producer, 30000, &err), &err, "flush");

  sl_catalog_model_version **vs = NULL;
  int n = 0;
  sl_error_clear(&err);
  assert_int_equal(sl_command_log_read_models(cfg, admin, "gap", "m", &vs,
                                              &n, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message, "version 1 of model m in "
                                   "_sluice-gap-models lacks part 2 of 2");
  assert_null(vs);
  assert_int_equal(n, 0);
  free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nothing_published),
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_missing_part),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
