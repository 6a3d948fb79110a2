/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/kafka/config: --kafka-config files (values, origins,
 * FILE:LINE errors), secret masking, broker selection and how property
 * errors surface when a client is created.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kafka/config.h"
#include "engine/kafka/producer.h"

static char *tmp;

static int setup(void **state) {
  (void)state;
  tmp = test_tmpdir();
  return tmp ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  test_rmtree(tmp);
  free(tmp);
  return 0;
}

/* Writes text to a file in the test directory; returns its path in buf. */
static const char *write_file(char *buf, size_t size, const char *name,
                              const char *text) {
  snprintf(buf, size, "%s/%s", tmp, name);
  FILE *f = fopen(buf, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  return buf;
}

/* Loads text as a config file and returns the formatted error. */
static sl_status load_text(const char *name, const char *text, char *msg,
                           size_t size, char *path, size_t path_size) {
  write_file(path, path_size, name, text);
  sl_kafka_config *cfg = sl_kafka_config_new();
  sl_error err;
  sl_error_clear(&err);
  sl_status rc = sl_kafka_config_load_file(cfg, path, &err);
  sl_error_format(&err, msg, size);
  sl_kafka_config_free(cfg);
  return rc;
}

static void test_load_file_values_and_origins(void **state) {
  (void)state;
  char path[512];
  write_file(path, sizeof(path), "good.properties",
             "# a comment\n"
             "\n"
             "  bootstrap.servers = 127.0.0.1:9092  \n"
             "security.protocol=SASL_PLAINTEXT\r\n"
             "   # indented comment\n"
             "sasl.mechanisms=PLAIN\n"
             "sasl.username=alice\n"
             "sasl.password=p=ss#word\n"
             "client.id=\n");
  sl_kafka_config *cfg = sl_kafka_config_new();
  sl_error err;
  assert_int_equal(sl_kafka_config_load_file(cfg, path, &err), SL_OK);

  assert_int_equal(sl_kafka_config_count(cfg), 6);
  assert_string_equal(sl_kafka_config_get(cfg, "bootstrap.servers"),
                      "127.0.0.1:9092");
  assert_string_equal(sl_kafka_config_get(cfg, "security.protocol"),
                      "SASL_PLAINTEXT");
  assert_string_equal(sl_kafka_config_get(cfg, "sasl.password"),
                      "p=ss#word");
  assert_string_equal(sl_kafka_config_get(cfg, "client.id"), "");
  assert_null(sl_kafka_config_get(cfg, "sasl.kerberos.principal"));
  assert_true(sl_kafka_config_has_brokers(cfg));

  int line = 0;
  assert_string_equal(sl_kafka_config_origin(cfg, 0, &line), path);
  assert_int_equal(line, 3);
  assert_string_equal(sl_kafka_config_key(cfg, 4), "sasl.password");
  assert_string_equal(sl_kafka_config_origin(cfg, 4, &line), path);
  assert_int_equal(line, 8);

  /* Setting in code replaces the value in place and forgets the file. */
  assert_int_equal(sl_kafka_config_set(cfg, "sasl.username", "bob", &err),
                   SL_OK);
  assert_string_equal(sl_kafka_config_key(cfg, 3), "sasl.username");
  assert_string_equal(sl_kafka_config_value(cfg, 3), "bob");
  assert_null(sl_kafka_config_origin(cfg, 3, &line));
  assert_int_equal(line, 0);

  sl_kafka_config_unset(cfg, "security.protocol");
  assert_int_equal(sl_kafka_config_count(cfg), 5);
  assert_string_equal(sl_kafka_config_key(cfg, 1), "sasl.mechanisms");

  sl_kafka_config *copy = sl_kafka_config_copy(cfg);
  sl_kafka_config_free(cfg);
  assert_string_equal(sl_kafka_config_get(copy, "sasl.password"),
                      "p=ss#word");
  assert_string_equal(sl_kafka_config_origin(copy, 3, &line), path);
  assert_int_equal(line, 8);
  sl_kafka_config_free(copy);
}

static void test_describe_masks_secrets(void **state) {
  (void)state;
  sl_kafka_config *cfg = sl_kafka_config_new();
  sl_error err;
  assert_int_equal(sl_kafka_config_set(cfg, "bootstrap.servers", "b:1",
                                       &err), SL_OK);
  assert_int_equal(sl_kafka_config_set(cfg, "sasl.password", "hunter2",
                                       &err), SL_OK);
  assert_int_equal(sl_kafka_config_set(cfg, "ssl.key.password", "k3y",
                                       &err), SL_OK);
  assert_int_equal(sl_kafka_config_set(cfg, "sasl.username", "alice", &err),
                   SL_OK);
  char buf[256];
  assert_string_equal(sl_kafka_config_describe(cfg, buf, sizeof(buf)),
                      "bootstrap.servers=b:1, sasl.password=********, "
                      "ssl.key.password=********, sasl.username=alice");
  /* Truncation still terminates the string. */
  char small[10];
  assert_string_equal(sl_kafka_config_describe(cfg, small, sizeof(small)),
                      "bootstrap");
  sl_kafka_config_free(cfg);
}

static void test_file_errors_name_file_and_line(void **state) {
  (void)state;
  char msg[512], path[512], want[1024];

  assert_int_equal(load_text("noeq.properties",
                             "client.id=a\n\nsasl.password hunter2\n", msg,
                             sizeof(msg), path, sizeof(path)),
                   SL_ERR_USAGE);
  snprintf(want, sizeof(want), "%s:3: error: expected key=value", path);
  assert_string_equal(msg, want);
  assert_null(strstr(msg, "hunter2"));

  assert_int_equal(load_text("unknown.properties",
                             "# settings\nno.such.property=1\n", msg,
                             sizeof(msg), path, sizeof(path)),
                   SL_ERR_USAGE);
  snprintf(want, sizeof(want),
           "%s:2: error: unknown Kafka property \"no.such.property\"", path);
  assert_string_equal(msg, want);

  assert_int_equal(load_text("dup.properties",
                             "client.id=a\nacks=all\n\nclient.id=b\n", msg,
                             sizeof(msg), path, sizeof(path)),
                   SL_ERR_USAGE);
  snprintf(want, sizeof(want),
           "%s:4: error: property \"client.id\" is already set on line 1",
           path);
  assert_string_equal(msg, want);

  assert_int_equal(load_text("nokey.properties", " = value\n", msg,
                             sizeof(msg), path, sizeof(path)),
                   SL_ERR_USAGE);
  snprintf(want, sizeof(want),
           "%s:1: error: missing property name before '='", path);
  assert_string_equal(msg, want);

  assert_int_equal(load_text("badvalue.properties",
                             "acks=all\nauto.offset.reset=soon\n", msg,
                             sizeof(msg), path, sizeof(path)),
                   SL_ERR_USAGE);
  snprintf(want, sizeof(want),
           "%s:2: error: Invalid value \"soon\" for configuration property "
           "\"auto.offset.reset\"", path);
  assert_string_equal(msg, want);

  assert_int_equal(load_text("space.properties", "client id=x\n", msg,
                             sizeof(msg), path, sizeof(path)),
                   SL_ERR_USAGE);
  snprintf(want, sizeof(want),
           "%s:1: error: invalid Kafka property name \"client id\"", path);
  assert_string_equal(msg, want);

  snprintf(path, sizeof(path), "%s/missing.properties", tmp);
  sl_kafka_config *cfg = sl_kafka_config_new();
  sl_error err;
  assert_int_equal(sl_kafka_config_load_file(cfg, path, &err), SL_ERR_IO);
  sl_error_format(&err, msg, sizeof(msg));
  snprintf(want, sizeof(want),
           "%s: error: cannot open: No such file or directory", path);
  assert_string_equal(msg, want);
  sl_kafka_config_free(cfg);
}

static void test_invalid_property_in_code(void **state) {
  (void)state;
  sl_kafka_config *cfg = sl_kafka_config_new();
  sl_error err;
  assert_int_equal(sl_kafka_config_set(cfg, "bad key", "1", &err),
                   SL_ERR_USAGE);
  assert_string_equal(err.message, "invalid Kafka property name \"bad key\"");
  assert_int_equal(sl_kafka_config_set(cfg, "", "1", &err), SL_ERR_USAGE);

  /* A bad value set in code surfaces when a client is made from it. */
  assert_int_equal(sl_kafka_config_set(cfg, "batch.num.messages", "soon", &err),
                   SL_OK);
  sl_kafka_producer *p = NULL;
  assert_int_equal(sl_kafka_producer_new(cfg, NULL, &p, &err), SL_ERR_USAGE);
  assert_null(p);
  assert_string_equal(err.message, "Invalid value for configuration "
                      "property \"batch.num.messages\"");

  sl_kafka_config_free(cfg);
}

static void test_broker_selection(void **state) {
  (void)state;
  sl_error err;
  sl_kafka_config *cfg = sl_kafka_config_new();

  unsetenv("SLUICE_BROKERS");
  assert_int_equal(sl_kafka_config_apply_brokers(cfg, NULL, &err), SL_OK);
  assert_false(sl_kafka_config_has_brokers(cfg));

  setenv("SLUICE_BROKERS", "127.0.0.1:9093", 1);
  assert_int_equal(sl_kafka_config_apply_brokers(cfg, "", &err), SL_OK);
  assert_string_equal(sl_kafka_config_get(cfg, "bootstrap.servers"),
                      "127.0.0.1:9093");

  assert_int_equal(sl_kafka_config_apply_brokers(cfg, "127.0.0.1:9094",
                                                 &err), SL_OK);
  assert_string_equal(sl_kafka_config_get(cfg, "bootstrap.servers"),
                      "127.0.0.1:9094");
  assert_true(sl_kafka_config_has_brokers(cfg));
  unsetenv("SLUICE_BROKERS");
  sl_kafka_config_free(cfg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_load_file_values_and_origins),
      cmocka_unit_test(test_describe_masks_secrets),
      cmocka_unit_test(test_file_errors_name_file_and_line),
      cmocka_unit_test(test_invalid_property_in_code),
      cmocka_unit_test(test_broker_selection),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
