/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c - the property list behind sl_kafka_config, its file parser and
 * the masked description used in logs.
 *
 * Properties live in insertion order in a growable array; configs hold a
 * few dozen entries at most, so lookups are linear.
 */
#include "engine/kafka/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/common/log.h"
#include "engine/kafka/client.h"

typedef struct config_entry {
  char *key;
  char *value;
  char *file; /* NULL when set by code */
  int line;
} config_entry;

struct sl_kafka_config {
  config_entry *entries;
  size_t count;
  size_t cap;
  struct sl_kafka_broker *embedded;
};

sl_kafka_config *sl_kafka_config_new(void) {
  return calloc(1, sizeof(sl_kafka_config));
}

static void entry_free(config_entry *e) {
  free(e->key);
  free(e->value);
  free(e->file);
}

void sl_kafka_config_free(sl_kafka_config *cfg) {
  if (!cfg)
    return;
  for (size_t i = 0; i < cfg->count; i++)
    entry_free(&cfg->entries[i]);
  free(cfg->entries);
  free(cfg);
}

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

static config_entry *find_entry(const sl_kafka_config *cfg, const char *key) {
  for (size_t i = 0; i < cfg->count; i++) {
    if (strcmp(cfg->entries[i].key, key) == 0)
      return &cfg->entries[i];
  }
  return NULL;
}

/* Sets key=value with its origin; the workhorse of set and load_file. */
static sl_status put(sl_kafka_config *cfg, const char *key, const char *value,
                     const char *file, int line, sl_error *err) {
  char *v = strdup(value);
  char *f = dup_or_null(file);
  if (!v || (file && !f))
    goto nomem;

  config_entry *e = find_entry(cfg, key);
  if (e) {
    free(e->value);
    free(e->file);
    e->value = v;
    e->file = f;
    e->line = line;
    return SL_OK;
  }

  if (cfg->count == cfg->cap) {
    size_t cap = cfg->cap ? cfg->cap * 2 : 16;
    config_entry *grown = realloc(cfg->entries, cap * sizeof(*grown));
    if (!grown)
      goto nomem;
    cfg->entries = grown;
    cfg->cap = cap;
  }
  char *k = strdup(key);
  if (!k)
    goto nomem;
  cfg->entries[cfg->count++] = (config_entry){k, v, f, line};
  return SL_OK;

nomem:
  free(v);
  free(f);
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
}

sl_kafka_config *sl_kafka_config_copy(const sl_kafka_config *cfg) {
  sl_kafka_config *copy = sl_kafka_config_new();
  if (!copy)
    return NULL;
  for (size_t i = 0; i < cfg->count; i++) {
    const config_entry *e = &cfg->entries[i];
    if (put(copy, e->key, e->value, e->file, e->line, NULL) != SL_OK) {
      sl_kafka_config_free(copy);
      return NULL;
    }
  }
  copy->embedded = cfg->embedded;
  return copy;
}

static bool valid_key(const char *key) {
  if (!*key)
    return false;
  for (const char *p = key; *p; p++) {
    if (isspace((unsigned char)*p) || *p == '=')
      return false;
  }
  return true;
}

sl_status sl_kafka_config_set(sl_kafka_config *cfg, const char *key,
                              const char *value, sl_error *err) {
  if (!valid_key(key))
    return sl_error_set(err, SL_ERR_USAGE, "invalid Kafka property name "
                        "\"%s\"", key);
  return put(cfg, key, value, NULL, 0, err);
}

const char *sl_kafka_config_get(const sl_kafka_config *cfg, const char *key) {
  const config_entry *e = find_entry(cfg, key);
  return e ? e->value : NULL;
}

void sl_kafka_config_unset(sl_kafka_config *cfg, const char *key) {
  config_entry *e = find_entry(cfg, key);
  if (!e)
    return;
  size_t i = (size_t)(e - cfg->entries);
  entry_free(e);
  memmove(e, e + 1, (cfg->count - i - 1) * sizeof(*e));
  cfg->count--;
}

/* Trims blanks at both ends in place; returns the new start. */
static char *trim(char *s) {
  while (isspace((unsigned char)*s))
    s++;
  char *end = s + strlen(s);
  while (end > s && isspace((unsigned char)end[-1]))
    end--;
  *end = '\0';
  return s;
}

/* Asks librdkafka whether key=value is acceptable, without keeping it.
 * Plugins are loaded when their property is set, so that one is left for
 * client creation to check. */
static sl_status check_with_librdkafka(const char *path, int line,
                                       const char *key, const char *value,
                                       sl_error *err) {
  if (strcmp(key, "plugin.library.paths") == 0)
    return SL_OK;
  rd_kafka_conf_t *scratch = rd_kafka_conf_new();
  char errstr[512];
  rd_kafka_conf_res_t res =
      rd_kafka_conf_set(scratch, key, value, errstr, sizeof(errstr));
  rd_kafka_conf_destroy(scratch);
  if (res == RD_KAFKA_CONF_OK)
    return SL_OK;
  if (res == RD_KAFKA_CONF_UNKNOWN)
    return sl_error_set_file(err, SL_ERR_USAGE, path, line,
                             "unknown Kafka property \"%s\"", key);
  /* librdkafka's message quotes the value, which must not leak. */
  if (sl_log_is_secret_key(key))
    return sl_error_set_file(err, SL_ERR_USAGE, path, line,
                             "invalid value for Kafka property \"%s\"", key);
  return sl_error_set_file(err, SL_ERR_USAGE, path, line, "%s", errstr);
}

sl_status sl_kafka_config_load_file(sl_kafka_config *cfg, const char *path,
                                    sl_error *err) {
  FILE *f = fopen(path, "r");
  if (!f)
    return sl_error_set_file(err, SL_ERR_IO, path, 0, "cannot open: %s",
                             strerror(errno));

  sl_status rc = SL_OK;
  char *buf = NULL;
  size_t bufsize = 0;
  int line = 0;
  ssize_t len;
  while ((len = getline(&buf, &bufsize, f)) >= 0) {
    line++;
    char *s = trim(buf);
    if (*s == '\0' || *s == '#')
      continue;

    char *eq = strchr(s, '=');
    if (!eq) {
      /* Never echo the line: it may be a secret missing its '='. */
      rc = sl_error_set_file(err, SL_ERR_USAGE, path, line,
                             "expected key=value");
      break;
    }
    *eq = '\0';
    char *key = trim(s);
    char *value = trim(eq + 1);
    if (*key == '\0') {
      rc = sl_error_set_file(err, SL_ERR_USAGE, path, line,
                             "missing property name before '='");
      break;
    }
    if (!valid_key(key)) {
      rc = sl_error_set_file(err, SL_ERR_USAGE, path, line,
                             "invalid Kafka property name \"%s\"", key);
      break;
    }
    const config_entry *prev = find_entry(cfg, key);
    if (prev && prev->file && strcmp(prev->file, path) == 0) {
      rc = sl_error_set_file(err, SL_ERR_USAGE, path, line,
                             "property \"%s\" is already set on line %d",
                             key, prev->line);
      break;
    }
    rc = check_with_librdkafka(path, line, key, value, err);
    if (rc == SL_OK)
      rc = put(cfg, key, value, path, line, err);
    if (rc != SL_OK)
      break;
  }
  if (rc == SL_OK && ferror(f))
    rc = sl_error_set_file(err, SL_ERR_IO, path, line, "read error: %s",
                           strerror(errno));
  free(buf);
  fclose(f);
  return rc;
}

sl_status sl_kafka_config_apply_brokers(sl_kafka_config *cfg,
                                        const char *brokers, sl_error *err) {
  if (!brokers || !*brokers)
    brokers = getenv("SLUICE_BROKERS");
  if (!brokers || !*brokers)
    return SL_OK;
  return sl_kafka_config_set(cfg, "bootstrap.servers", brokers, err);
}

bool sl_kafka_config_has_brokers(const sl_kafka_config *cfg) {
  const char *v = sl_kafka_config_get(cfg, "bootstrap.servers");
  if (!v)
    v = sl_kafka_config_get(cfg, "metadata.broker.list");
  return v && *v;
}

size_t sl_kafka_config_count(const sl_kafka_config *cfg) {
  return cfg->count;
}

const char *sl_kafka_config_key(const sl_kafka_config *cfg, size_t i) {
  return i < cfg->count ? cfg->entries[i].key : NULL;
}

const char *sl_kafka_config_value(const sl_kafka_config *cfg, size_t i) {
  return i < cfg->count ? cfg->entries[i].value : NULL;
}

const char *sl_kafka_config_origin(const sl_kafka_config *cfg, size_t i,
                                   int *line) {
  if (i >= cfg->count) {
    *line = 0;
    return NULL;
  }
  *line = cfg->entries[i].line;
  return cfg->entries[i].file;
}

char *sl_kafka_config_describe(const sl_kafka_config *cfg, char *buf,
                               size_t size) {
  if (size == 0)
    return buf;
  buf[0] = '\0';
  size_t used = 0;
  for (size_t i = 0; i < cfg->count && used < size; i++) {
    const config_entry *e = &cfg->entries[i];
    const char *value = sl_log_is_secret_key(e->key) ? "********" : e->value;
    int n = snprintf(buf + used, size - used, "%s%s=%s", i ? ", " : "",
                     e->key, value);
    if (n < 0)
      break;
    used += (size_t)n;
  }
  return buf;
}

struct sl_kafka_broker *sl_kafka_config_embedded(const sl_kafka_config *cfg) {
  return cfg ? cfg->embedded : NULL;
}

void sl_kafka_config_set_embedded(sl_kafka_config *cfg,
                                  struct sl_kafka_broker *broker) {
  cfg->embedded = broker;
}
