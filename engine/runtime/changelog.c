/* SPDX-License-Identifier: Apache-2.0 */
/*
 * changelog.c - changelog records, replaying a partition up to its last
 * complete checkpoint, and the topic's writer behind the state store's
 * checkpoint hook (see changelog.h).
 *
 * A replay keeps the state as of the last boundary in a hash map from
 * record key (operator and state key together) to value, and the records
 * since that boundary in a list; the next boundary applies the list in
 * order, the end of the partition drops it.
 */
#include "engine/runtime/changelog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "engine/common/log.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/consumer.h"
#include "engine/kafka/producer.h"

#define KIND_ENTRY 'E'
#define KIND_RESET 'R'
#define KIND_BOUNDARY 'B'
#define VALUE_TAG 'V'

/* How long a checkpoint waits for the broker to acknowledge its records
 * before it is abandoned (and retried at the next interval). */
#define ACK_TIMEOUT_MS 30000
/* Records read from the end of a partition to find its last boundary
 * before reading all of it. */
#define PROBE_RECORDS 4096
/* Compaction waits this long, so that a checkpoint that never completed
 * cannot hide the values it overwrote from the next owner. */
#define COMPACTION_LAG_MS "3600000"

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
}

/* ==== Records ============================================================ */

static void put_u16(sl_strbuf *sb, uint16_t v) {
  unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};
  sl_strbuf_append(sb, b, 2);
}

static void put_u32(sl_strbuf *sb, uint32_t v) {
  unsigned char b[4];
  for (int i = 0; i < 4; i++)
    b[i] = (unsigned char)(v >> (24 - 8 * i));
  sl_strbuf_append(sb, b, 4);
}

static void put_i64(sl_strbuf *sb, int64_t v) {
  uint64_t u = (uint64_t)v;
  unsigned char b[8];
  for (int i = 0; i < 8; i++)
    b[i] = (unsigned char)(u >> (56 - 8 * i));
  sl_strbuf_append(sb, b, 8);
}

sl_status sl_changelog_encode_entry(const char *op, const void *key,
                                    size_t klen, const void *value,
                                    size_t vlen, sl_strbuf *rkey,
                                    sl_strbuf *rvalue, bool *tombstone,
                                    sl_error *err) {
  size_t oplen = strlen(op);
  if (oplen > UINT16_MAX)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "operator name of %zu bytes in a changelog", oplen);
  sl_strbuf_reset(rkey);
  sl_strbuf_reset(rvalue);
  sl_strbuf_appendc(rkey, KIND_ENTRY);
  put_u16(rkey, (uint16_t)oplen);
  sl_strbuf_append(rkey, op, oplen);
  sl_strbuf_append(rkey, key, klen);
  *tombstone = value == NULL;
  if (value) {
    sl_strbuf_appendc(rvalue, VALUE_TAG);
    sl_strbuf_append(rvalue, value, vlen);
  }
  return rkey->failed || rvalue->failed ? nomem(err) : SL_OK;
}

sl_status sl_changelog_encode_reset(sl_strbuf *rkey, sl_strbuf *rvalue,
                                    sl_error *err) {
  sl_strbuf_reset(rkey);
  sl_strbuf_reset(rvalue);
  sl_strbuf_appendc(rkey, KIND_RESET);
  sl_strbuf_appendc(rvalue, KIND_RESET);
  return rkey->failed || rvalue->failed ? nomem(err) : SL_OK;
}

sl_status sl_changelog_encode_boundary(int64_t checkpoint,
                                       uint64_t definition,
                                       const sl_catalog_offset *offsets,
                                       int n, sl_strbuf *rkey,
                                       sl_strbuf *rvalue, sl_error *err) {
  sl_strbuf_reset(rkey);
  sl_strbuf_reset(rvalue);
  sl_strbuf_appendc(rkey, KIND_BOUNDARY);
  sl_strbuf_appendc(rvalue, KIND_BOUNDARY);
  sl_strbuf_appendc(rvalue, SL_CHANGELOG_VERSION);
  put_i64(rvalue, checkpoint);
  put_i64(rvalue, (int64_t)definition);
  put_u32(rvalue, (uint32_t)n);
  for (int i = 0; i < n; i++) {
    size_t tlen = strlen(offsets[i].topic);
    if (tlen > UINT16_MAX)
      return sl_error_set(err, SL_ERR_INTERNAL, "topic name too long");
    put_u16(rvalue, (uint16_t)tlen);
    sl_strbuf_append(rvalue, offsets[i].topic, tlen);
    put_u32(rvalue, (uint32_t)offsets[i].partition);
    put_i64(rvalue, offsets[i].offset);
  }
  return rkey->failed || rvalue->failed ? nomem(err) : SL_OK;
}

/* A bounded reader of big-endian fields. */
typedef struct reader {
  const unsigned char *p;
  const unsigned char *end;
  bool bad;
} reader;

static uint64_t get_be(reader *rd, int bytes) {
  if (rd->bad || rd->end - rd->p < bytes) {
    rd->bad = true;
    return 0;
  }
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++)
    v = v << 8 | rd->p[i];
  rd->p += bytes;
  return v;
}

static void free_offsets(sl_catalog_offset *offs, int n) {
  for (int i = 0; i < n; i++)
    free(offs[i].topic);
  free(offs);
}

/* Decodes a boundary's value into a new array. */
static sl_status decode_boundary(const void *value, size_t vlen,
                                 int64_t *checkpoint, uint64_t *definition,
                                 sl_catalog_offset **out, int *nout,
                                 sl_error *err) {
  reader rd = {value, (const unsigned char *)value + vlen, false};
  uint64_t tag = get_be(&rd, 1);
  uint64_t version = get_be(&rd, 1);
  if (!rd.bad && (tag != KIND_BOUNDARY || version != SL_CHANGELOG_VERSION))
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "changelog boundary of unknown version %u",
                        (unsigned)version);
  *checkpoint = (int64_t)get_be(&rd, 8);
  *definition = get_be(&rd, 8);
  uint64_t n = get_be(&rd, 4);
  if (rd.bad || n > vlen)
    return sl_error_set(err, SL_ERR_RUNTIME, "changelog boundary is corrupt");
  sl_catalog_offset *offs = calloc((size_t)n + 1, sizeof(*offs));
  if (!offs)
    return nomem(err);
  for (int k = 0; k < (int)n && !rd.bad; k++) {
    size_t tlen = (size_t)get_be(&rd, 2);
    if (rd.bad || (size_t)(rd.end - rd.p) < tlen) {
      rd.bad = true;
      break;
    }
    offs[k].topic = malloc(tlen + 1);
    if (!offs[k].topic) {
      free_offsets(offs, (int)n);
      return nomem(err);
    }
    memcpy(offs[k].topic, rd.p, tlen);
    offs[k].topic[tlen] = '\0';
    rd.p += tlen;
    offs[k].partition = (int32_t)(uint32_t)get_be(&rd, 4);
    offs[k].offset = (int64_t)get_be(&rd, 8);
  }
  if (rd.bad || rd.p != rd.end) {
    free_offsets(offs, (int)n);
    return sl_error_set(err, SL_ERR_RUNTIME, "changelog boundary is corrupt");
  }
  *out = offs;
  *nout = (int)n;
  return SL_OK;
}

/* ==== Replaying a partition ============================================== */

typedef struct rnode rnode;
struct rnode {
  rnode *next;
  uint64_t hash;
  size_t klen;
  size_t vlen;
  unsigned char *key;   /* the record key: 'E', operator, state key */
  unsigned char *value; /* the state value (tag stripped) */
};

/* A record since the last boundary. */
typedef struct pending {
  char kind;            /* KIND_ENTRY or KIND_RESET */
  bool tombstone;
  size_t klen;
  size_t vlen;
  unsigned char *key;
  unsigned char *value;
} pending;

struct sl_changelog_replay {
  rnode **buckets;
  size_t nbuckets;
  size_t count;
  pending *pend;
  size_t npend;
  size_t pend_cap;
  int64_t checkpoint;
  uint64_t definition;
  sl_catalog_offset *offsets;
  int noffsets;
};

sl_status sl_changelog_replay_new(sl_changelog_replay **out, sl_error *err) {
  *out = NULL;
  sl_changelog_replay *r = calloc(1, sizeof(*r));
  if (!r)
    return nomem(err);
  r->nbuckets = 64;
  r->buckets = calloc(r->nbuckets, sizeof(*r->buckets));
  if (!r->buckets) {
    free(r);
    return nomem(err);
  }
  *out = r;
  return SL_OK;
}

static void clear_map(sl_changelog_replay *r) {
  for (size_t b = 0; b < r->nbuckets; b++) {
    rnode *n = r->buckets[b];
    while (n) {
      rnode *next = n->next;
      free(n->key);
      free(n->value);
      free(n);
      n = next;
    }
    r->buckets[b] = NULL;
  }
  r->count = 0;
}

static void clear_pending(sl_changelog_replay *r) {
  for (size_t i = 0; i < r->npend; i++) {
    free(r->pend[i].key);
    free(r->pend[i].value);
  }
  r->npend = 0;
}

void sl_changelog_replay_free(sl_changelog_replay *r) {
  if (!r)
    return;
  clear_map(r);
  clear_pending(r);
  free(r->buckets);
  free(r->pend);
  free_offsets(r->offsets, r->noffsets);
  free(r);
}

static rnode **map_find(sl_changelog_replay *r, uint64_t hash,
                        const void *key, size_t klen) {
  rnode **link = &r->buckets[hash & (r->nbuckets - 1)];
  while (*link && !((*link)->hash == hash && (*link)->klen == klen &&
                    memcmp((*link)->key, key, klen) == 0))
    link = &(*link)->next;
  return link;
}

static bool map_grow(sl_changelog_replay *r) {
  if (r->count < r->nbuckets)
    return true;
  size_t nb = r->nbuckets * 2;
  rnode **buckets = calloc(nb, sizeof(*buckets));
  if (!buckets)
    return false;
  for (size_t b = 0; b < r->nbuckets; b++) {
    rnode *n = r->buckets[b];
    while (n) {
      rnode *next = n->next;
      n->next = buckets[n->hash & (nb - 1)];
      buckets[n->hash & (nb - 1)] = n;
      n = next;
    }
  }
  free(r->buckets);
  r->buckets = buckets;
  r->nbuckets = nb;
  return true;
}

/* Applies one pending entry to the map; takes its value on success. */
static sl_status apply_entry(sl_changelog_replay *r, pending *p,
                             sl_error *err) {
  uint64_t hash = XXH3_64bits(p->key, p->klen);
  rnode **link = map_find(r, hash, p->key, p->klen);
  if (p->tombstone) {
    rnode *n = *link;
    if (n) {
      *link = n->next;
      free(n->key);
      free(n->value);
      free(n);
      r->count--;
    }
    return SL_OK;
  }
  if (*link) {
    free((*link)->value);
    (*link)->value = p->value;
    (*link)->vlen = p->vlen;
    p->value = NULL;
    return SL_OK;
  }
  if (!map_grow(r))
    return nomem(err);
  rnode *n = calloc(1, sizeof(*n));
  if (!n)
    return nomem(err);
  n->hash = hash;
  n->key = p->key;
  n->klen = p->klen;
  n->value = p->value;
  n->vlen = p->vlen;
  p->key = NULL;
  p->value = NULL;
  rnode **bucket = &r->buckets[hash & (r->nbuckets - 1)];
  n->next = *bucket;
  *bucket = n;
  r->count++;
  return SL_OK;
}

static unsigned char *dup_bytes(const void *p, size_t n) {
  unsigned char *c = malloc(n ? n : 1);
  if (c && n)
    memcpy(c, p, n);
  return c;
}

/* Checks an entry's record key: 'E', a length and that many bytes. */
static bool entry_key_ok(const unsigned char *k, size_t klen) {
  if (klen < 3)
    return false;
  size_t oplen = (size_t)k[1] << 8 | k[2];
  return klen >= 3 + oplen;
}

sl_status sl_changelog_replay_add(sl_changelog_replay *r, const void *key,
                                  size_t klen, const void *value,
                                  size_t vlen, sl_error *err) {
  const unsigned char *k = key;
  const unsigned char *v = value;
  char kind = klen > 0 ? (char)k[0] : 0;

  if (kind == KIND_BOUNDARY && klen == 1 && value) {
    int64_t id = 0;
    uint64_t definition = 0;
    sl_catalog_offset *offs = NULL;
    int n = 0;
    sl_status rc = decode_boundary(value, vlen, &id, &definition, &offs, &n,
                                   err);
    if (rc)
      return rc;
    /* The checkpoint is complete: its records become the state. */
    for (size_t i = 0; !rc && i < r->npend; i++) {
      if (r->pend[i].kind == KIND_RESET)
        clear_map(r);
      else
        rc = apply_entry(r, &r->pend[i], err);
    }
    clear_pending(r);
    if (rc) {
      free_offsets(offs, n);
      return rc;
    }
    free_offsets(r->offsets, r->noffsets);
    r->offsets = offs;
    r->noffsets = n;
    r->checkpoint = id;
    r->definition = definition;
    return SL_OK;
  }

  bool entry = kind == KIND_ENTRY && entry_key_ok(k, klen) &&
               (!value || (vlen >= 1 && v[0] == VALUE_TAG));
  bool reset = kind == KIND_RESET && klen == 1 && value;
  if (!entry && !reset)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "not a changelog record (key of %zu bytes)", klen);
  if (r->npend == r->pend_cap) {
    size_t cap = r->pend_cap ? r->pend_cap * 2 : 64;
    pending *grown = realloc(r->pend, cap * sizeof(*grown));
    if (!grown)
      return nomem(err);
    r->pend = grown;
    r->pend_cap = cap;
  }
  pending p = {.kind = kind, .tombstone = entry && !value};
  if (entry) {
    p.klen = klen;
    p.key = dup_bytes(key, klen);
    if (value) {
      p.vlen = vlen - 1;
      p.value = dup_bytes(v + 1, vlen - 1);
    }
    if (!p.key || (value && !p.value)) {
      free(p.key);
      free(p.value);
      return nomem(err);
    }
  }
  r->pend[r->npend++] = p;
  return SL_OK;
}

int64_t sl_changelog_replay_checkpoint(const sl_changelog_replay *r) {
  return r->checkpoint;
}

const sl_catalog_offset *sl_changelog_replay_offsets(
    const sl_changelog_replay *r, int *n) {
  *n = r->noffsets;
  return r->offsets;
}

uint64_t sl_changelog_replay_definition(const sl_changelog_replay *r) {
  return r->definition;
}

size_t sl_changelog_replay_trailing(const sl_changelog_replay *r) {
  return r->npend;
}

size_t sl_changelog_replay_count(const sl_changelog_replay *r) {
  return r->count;
}

sl_status sl_changelog_replay_each(const sl_changelog_replay *r,
                                   sl_state_each_fn fn, void *ud,
                                   sl_error *err) {
  char op[256];
  for (size_t b = 0; b < r->nbuckets; b++) {
    for (const rnode *n = r->buckets[b]; n; n = n->next) {
      size_t oplen = (size_t)n->key[1] << 8 | n->key[2];
      char *name = oplen < sizeof(op) ? op : malloc(oplen + 1);
      if (!name)
        return nomem(err);
      memcpy(name, n->key + 3, oplen);
      name[oplen] = '\0';
      sl_status rc = fn(ud, name, n->key + 3 + oplen, n->klen - 3 - oplen,
                        n->value, n->vlen, err);
      if (name != op)
        free(name);
      if (rc)
        return rc;
    }
  }
  return SL_OK;
}

/* ==== The topic ========================================================== */

/* What the writer knows of one changelog partition. */
typedef struct cpart {
  sl_catalog_offset *offsets; /* the last offsets of its sources */
  int noffsets;
  bool touched;               /* entries written in this checkpoint */
  bool snapshot;              /* the next boundary writes a full copy */
  bool held;                  /* keyed state: the instance owns it */
} cpart;

struct sl_changelog {
  sl_kafka_config *kafka;
  char topic[SL_ERROR_NAME_MAX];
  int partitions;
  uint64_t definition;
  bool one_state;
  bool enabled;
  bool missed;          /* a checkpoint went by while not enabled */
  sl_kafka_producer *producer;
  sl_state *state;
  bool bound_only;      /* not the store's own sink (sl_changelog_bind) */
  cpart *parts;
  sl_strbuf key;
  sl_strbuf value;
};

void sl_changelog_topic_name(const char *service, const char *query_id,
                             char *buf, size_t size) {
  snprintf(buf, size, "_sluice-%s-%s-changelog-0", service, query_id);
}

const char *sl_changelog_topic(const sl_changelog *cl) {
  return cl->topic;
}

/* Creates the topic when missing and checks its partitions. */
static sl_status prepare_topic(sl_changelog *cl, int replication,
                               sl_error *err) {
  sl_kafka_admin *admin;
  sl_status rc = sl_kafka_admin_new(cl->kafka, &admin, err);
  if (rc)
    return rc;
  sl_kafka_config *tc = sl_kafka_config_new();
  if (!tc) {
    sl_kafka_admin_free(admin);
    return nomem(err);
  }
  rc = sl_kafka_config_set(tc, "cleanup.policy", "compact", err);
  if (!rc)
    rc = sl_kafka_config_set(tc, "min.compaction.lag.ms", COMPACTION_LAG_MS,
                             err);
  if (!rc)
    rc = sl_kafka_admin_create_topic(admin, cl->topic, cl->partitions,
                                     replication, tc, true, err);
  sl_kafka_topic_info *info = NULL;
  if (!rc)
    rc = sl_kafka_admin_describe_topic(admin, cl->topic, &info, err);
  int need = cl->one_state ? 1 : cl->partitions;
  if (!rc && info->partition_count < need)
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "changelog topic %s has %d partitions; the query's "
                      "state needs %d", cl->topic, info->partition_count,
                      need);
  if (!rc && info->partition_count > cl->partitions)
    cl->partitions = info->partition_count;
  sl_kafka_topic_info_free(info);
  sl_kafka_config_free(tc);
  sl_kafka_admin_free(admin);
  return rc;
}

sl_status sl_changelog_open(const sl_changelog_spec *spec,
                            sl_changelog **out, sl_error *err) {
  *out = NULL;
  sl_changelog *cl = calloc(1, sizeof(*cl));
  if (!cl)
    return nomem(err);
  sl_changelog_topic_name(spec->service, spec->query_id, cl->topic,
                          sizeof(cl->topic));
  cl->partitions = spec->partitions > 0 ? spec->partitions : 1;
  cl->one_state = spec->one_state;
  cl->definition = spec->definition;
  cl->enabled = !spec->one_state;
  sl_strbuf_init(&cl->key);
  sl_strbuf_init(&cl->value);
  cl->kafka = spec->kafka ? sl_kafka_config_copy(spec->kafka)
                          : sl_kafka_config_new();
  sl_status rc = cl->kafka ? SL_OK : nomem(err);
  if (!rc)
    rc = prepare_topic(cl, spec->replication, err);
  if (!rc && !(cl->parts = calloc((size_t)cl->partitions, sizeof(*cl->parts))))
    rc = nomem(err);
  if (!rc)
    rc = sl_kafka_producer_new(cl->kafka, NULL, &cl->producer, err);
  if (rc) {
    sl_error_prefix(err, "changelog %s", cl->topic);
    sl_changelog_free(cl);
    return rc;
  }
  *out = cl;
  return SL_OK;
}

void sl_changelog_free(sl_changelog *cl) {
  if (!cl)
    return;
  if (cl->state && !cl->bound_only)
    sl_state_set_changelog(cl->state, NULL);
  if (cl->producer) {
    sl_error err;
    if (sl_kafka_producer_flush(cl->producer, 5000, &err))
      SL_DEBUG("engine", "changelog %s: %s", cl->topic, err.message);
  }
  sl_kafka_producer_free(cl->producer);
  for (int i = 0; cl->parts && i < cl->partitions; i++)
    free_offsets(cl->parts[i].offsets, cl->parts[i].noffsets);
  free(cl->parts);
  sl_strbuf_free(&cl->key);
  sl_strbuf_free(&cl->value);
  sl_kafka_config_free(cl->kafka);
  free(cl);
}

void sl_changelog_enable(sl_changelog *cl, bool on) {
  if (on && cl->missed)
    cl->parts[0].snapshot = true;
  if (on)
    cl->missed = false;
  cl->enabled = on;
}

bool sl_changelog_enabled(const sl_changelog *cl) {
  return cl->enabled;
}

void sl_changelog_hold(sl_changelog *cl, int32_t partition, bool held) {
  if (partition >= 0 && partition < cl->partitions)
    cl->parts[partition].held = held;
}

void sl_changelog_snapshot(sl_changelog *cl, int32_t partition) {
  if (partition >= 0 && partition < cl->partitions)
    cl->parts[partition].snapshot = true;
}

/* Queues one record of the current key and value buffers. */
static sl_status produce(sl_changelog *cl, int32_t partition,
                         bool tombstone, sl_error *err) {
  sl_kafka_record rec = {
      .topic = cl->topic,
      .partition = partition,
      .key = cl->key.data,
      .key_len = cl->key.len,
      .value = tombstone ? NULL : cl->value.data,
      .value_len = tombstone ? 0 : cl->value.len,
  };
  return sl_kafka_produce(cl->producer, &rec, err);
}

/* The changelog partition of a store table's partition. */
static sl_status part_of(sl_changelog *cl, int32_t partition, int32_t *out,
                         sl_error *err) {
  int32_t p = cl->one_state ? 0 : partition;
  if (p < 0 || p >= cl->partitions)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "changelog %s has %d partitions; state of partition "
                        "%d has none", cl->topic, cl->partitions,
                        (int)partition);
  *out = p;
  return SL_OK;
}

static sl_status hook_entry(void *ud, int64_t checkpoint, const char *op,
                            int32_t partition, const void *key, size_t klen,
                            const void *value, size_t vlen, sl_error *err) {
  sl_changelog *cl = ud;
  (void)checkpoint;
  if (!cl->enabled)
    return SL_OK;
  int32_t p = 0;
  bool tombstone;
  sl_status rc = part_of(cl, partition, &p, err);
  if (rc)
    return rc;
  /* A partition given away is its new owner's to write. */
  if (!cl->one_state && !cl->parts[p].held)
    return SL_OK;
  rc = sl_changelog_encode_entry(op, key, klen, value, vlen, &cl->key,
                                 &cl->value, &tombstone, err);
  if (!rc)
    rc = produce(cl, p, tombstone, err);
  if (!rc)
    cl->parts[p].touched = true;
  return rc;
}

/* Replaces partition p's remembered offset of topic. */
static sl_status remember(cpart *cp, const sl_catalog_offset *o,
                          sl_error *err) {
  for (int i = 0; i < cp->noffsets; i++) {
    if (cp->offsets[i].partition == o->partition &&
        !strcmp(cp->offsets[i].topic, o->topic)) {
      cp->offsets[i].offset = o->offset;
      return SL_OK;
    }
  }
  sl_catalog_offset *grown = realloc(cp->offsets, (size_t)(cp->noffsets + 1) *
                                                      sizeof(*grown));
  if (!grown)
    return nomem(err);
  cp->offsets = grown;
  char *topic = strdup(o->topic);
  if (!topic)
    return nomem(err);
  cp->offsets[cp->noffsets].topic = topic;
  cp->offsets[cp->noffsets].partition = o->partition;
  cp->offsets[cp->noffsets].offset = o->offset;
  cp->noffsets++;
  return SL_OK;
}

typedef struct copy_ctx {
  sl_changelog *cl;
  int32_t partition;
} copy_ctx;

/* One entry of a full copy. */
static sl_status copy_entry(void *ud, const char *op, const void *key,
                            size_t klen, const void *value, size_t vlen,
                            sl_error *err) {
  copy_ctx *cc = ud;
  bool tombstone;
  sl_status rc = sl_changelog_encode_entry(op, key, klen, value, vlen,
                                           &cc->cl->key, &cc->cl->value,
                                           &tombstone, err);
  return rc ? rc : produce(cc->cl, cc->partition, false, err);
}

/* The full copy of partition p: a reset, then every key the store holds
 * (with one state, its tables are partition 0's). */
static sl_status write_copy(sl_changelog *cl, int32_t p, sl_error *err) {
  sl_status rc = sl_changelog_encode_reset(&cl->key, &cl->value, err);
  if (!rc)
    rc = produce(cl, p, false, err);
  copy_ctx cc = {cl, p};
  if (!rc)
    rc = sl_state_partition_each(cl->state, p, copy_entry, &cc, err);
  return rc;
}

static sl_status hook_boundary(void *ud, int64_t checkpoint,
                               const sl_catalog_offset *offsets,
                               int noffsets, sl_error *err) {
  sl_changelog *cl = ud;
  if (!cl->enabled) {
    cl->missed = true;
    return SL_OK;
  }
  sl_status rc = SL_OK;
  bool *covered = calloc((size_t)cl->partitions, sizeof(*covered));
  if (!covered)
    return nomem(err);

  /* The partitions this checkpoint covers: those with offsets or
   * entries. */
  for (int i = 0; !rc && i < noffsets; i++) {
    int32_t p = 0;
    rc = part_of(cl, offsets[i].partition, &p, err);
    if (!rc)
      rc = remember(&cl->parts[p], &offsets[i], err);
    if (!rc)
      covered[p] = true;
  }
  for (int p = 0; p < cl->partitions; p++)
    covered[p] = (covered[p] || cl->parts[p].touched) &&
                 (cl->one_state || cl->parts[p].held);

  for (int32_t p = 0; !rc && p < cl->partitions; p++) {
    if (!covered[p])
      continue;
    if (cl->parts[p].snapshot)
      rc = write_copy(cl, p, err);
    if (!rc)
      rc = sl_changelog_encode_boundary(checkpoint, cl->definition,
                                        cl->parts[p].offsets,
                                        cl->parts[p].noffsets, &cl->key,
                                        &cl->value, err);
    if (!rc)
      rc = produce(cl, p, false, err);
  }

  /* The checkpoint counts once the broker has every record. */
  if (!rc)
    rc = sl_kafka_producer_flush(cl->producer, ACK_TIMEOUT_MS, err);
  if (rc) {
    sl_error_prefix(err, "changelog %s", cl->topic);
  } else {
    for (int p = 0; p < cl->partitions; p++) {
      cl->parts[p].touched = false;
      if (covered[p])
        cl->parts[p].snapshot = false;
    }
  }
  free(covered);
  return rc;
}

bool sl_changelog_matches(const sl_changelog *cl,
                          const sl_changelog_replay *r) {
  return !cl->definition || !r->definition ||
         cl->definition == r->definition;
}

void sl_changelog_bind(sl_changelog *cl, sl_state *st,
                       sl_state_changelog *hook) {
  *hook = (sl_state_changelog){.entry = hook_entry,
                               .boundary = hook_boundary,
                               .ud = cl};
  cl->state = st;
  cl->bound_only = true;
}

void sl_changelog_attach(sl_changelog *cl, sl_state *st) {
  sl_state_changelog hook;
  sl_changelog_bind(cl, st, &hook);
  cl->bound_only = false;
  sl_state_set_changelog(st, &hook);
}

/* Reads partitions parts[0..n) from starts[i] (NULL: their beginning) to
 * the end each had when the read began, into new replays. */
static sl_status read_from(sl_changelog *cl, const int32_t *parts,
                           const int64_t *starts, int n, int64_t timeout_ms,
                           sl_changelog_replay **replays, sl_error *err) {
  for (int i = 0; i < n; i++)
    replays[i] = NULL;
  sl_kafka_position *pos = calloc((size_t)n + 1, sizeof(*pos));
  if (!pos)
    return nomem(err);
  sl_status rc = SL_OK;
  for (int i = 0; !rc && i < n; i++) {
    pos[i].topic = cl->topic;
    pos[i].partition = parts[i];
    pos[i].offset = starts ? starts[i] : SL_KAFKA_OFFSET_BEGINNING;
    rc = sl_changelog_replay_new(&replays[i], err);
  }

  sl_kafka_consumer *c = NULL;
  sl_kafka_batch kb = {0};
  if (!rc)
    rc = sl_kafka_consumer_new(cl->kafka, NULL, &c, err);
  if (!rc)
    rc = sl_kafka_consumer_assign(c, pos, (size_t)n, err);
  if (!rc)
    rc = sl_kafka_consumer_bound(c, cl->topic, err);
  if (!rc)
    rc = sl_kafka_batch_init(&kb, 1024, err);

  /* Every record below the end each partition had now. */
  int64_t idle = 0;
  while (!rc && n > 0 && !sl_kafka_consumer_at_end(c)) {
    if (idle >= timeout_ms) {
      rc = sl_error_set(err, SL_ERR_KAFKA,
                        "no records for %lld s before its end",
                        (long long)(timeout_ms / 1000));
      break;
    }
    rc = sl_kafka_consumer_poll(c, &kb, 100, err);
    idle = !rc && kb.count == 0 ? idle + 100 : 0;
    for (size_t m = 0; !rc && m < kb.count; m++) {
      const sl_kafka_msg *msg = &kb.msgs[m];
      int i = 0;
      while (i < n && parts[i] != msg->partition)
        i++;
      if (i == n)
        continue;
      rc = sl_changelog_replay_add(replays[i], msg->key, msg->key_len,
                                   msg->value, msg->value_len, err);
      if (rc)
        sl_error_prefix(err, "%s [%d] @ %lld", cl->topic,
                        (int)msg->partition, (long long)msg->offset);
    }
    sl_kafka_batch_clear(&kb);
  }
  sl_kafka_batch_destroy(&kb);
  sl_kafka_consumer_free(c);
  free(pos);
  if (rc) {
    for (int i = 0; i < n; i++) {
      sl_changelog_replay_free(replays[i]);
      replays[i] = NULL;
    }
  }
  return rc;
}

/* Where the last records of each partition begin: PROBE_RECORDS before
 * the end, or the beginning when the partition is no longer. */
static sl_status tail_starts(sl_changelog *cl, const int32_t *parts, int n,
                             int64_t *starts, sl_error *err) {
  sl_kafka_admin *admin = NULL;
  sl_status rc = sl_kafka_admin_new(cl->kafka, &admin, err);
  for (int i = 0; !rc && i < n; i++) {
    int64_t low, high;
    rc = sl_kafka_admin_watermarks(admin, cl->topic, parts[i], &low, &high,
                                   err);
    starts[i] = !rc && high - PROBE_RECORDS > low
                    ? high - PROBE_RECORDS
                    : SL_KAFKA_OFFSET_BEGINNING;
  }
  if (admin)
    sl_kafka_admin_free(admin);
  return rc;
}

sl_status sl_changelog_read(sl_changelog *cl, const int32_t *parts, int n,
                            const int64_t *have, int64_t timeout_ms,
                            sl_changelog_replay **replays, sl_error *err) {
  if (!have) {
    sl_status rc = read_from(cl, parts, NULL, n, timeout_ms, replays, err);
    return rc ? sl_error_prefix(err, "reading changelog %s", cl->topic)
              : SL_OK;
  }

  /* The end of each partition first: where its last checkpoint is no
   * newer than the caller's, its state is not needed. */
  int64_t *starts = calloc((size_t)n + 1, sizeof(*starts));
  int32_t *again = calloc((size_t)n + 1, sizeof(*again));
  int *slot = calloc((size_t)n + 1, sizeof(*slot));
  sl_changelog_replay **full = calloc((size_t)n + 1, sizeof(*full));
  for (int i = 0; i < n; i++)
    replays[i] = NULL;
  sl_status rc = starts && again && slot && full ? SL_OK : nomem(err);
  if (!rc)
    rc = tail_starts(cl, parts, n, starts, err);
  if (!rc)
    rc = read_from(cl, parts, starts, n, timeout_ms, replays, err);
  int k = 0;
  for (int i = 0; !rc && i < n; i++) {
    if (starts[i] == SL_KAFKA_OFFSET_BEGINNING)
      continue;
    int64_t id = sl_changelog_replay_checkpoint(replays[i]);
    if (id > 0 && (!sl_changelog_matches(cl, replays[i]) || id <= have[i]))
      continue;
    again[k] = parts[i];
    slot[k++] = i;
  }

  /* The others from their beginning. */
  if (!rc && k > 0)
    rc = read_from(cl, again, NULL, k, timeout_ms, full, err);
  for (int j = 0; !rc && j < k; j++) {
    sl_changelog_replay_free(replays[slot[j]]);
    replays[slot[j]] = full[j];
  }
  if (rc) {
    for (int i = 0; i < n; i++) {
      sl_changelog_replay_free(replays[i]);
      replays[i] = NULL;
    }
    sl_error_prefix(err, "reading changelog %s", cl->topic);
  }
  free(starts);
  free(again);
  free(slot);
  free(full);
  return rc;
}

typedef struct load_ctx {
  sl_state *st;
  int32_t partition;
} load_ctx;

static sl_status load_entry(void *ud, const char *op, const void *key,
                            size_t klen, const void *value, size_t vlen,
                            sl_error *err) {
  load_ctx *lc = ud;
  sl_state_table *t;
  sl_status rc = sl_state_table_get(lc->st, op, lc->partition, &t, err);
  return rc ? rc : sl_state_put(t, key, klen, value, vlen, err);
}

sl_status sl_changelog_load(sl_changelog *cl, sl_state *st,
                            int32_t partition,
                            const sl_changelog_replay *r, sl_error *err) {
  int32_t p = 0;
  sl_status rc = part_of(cl, partition, &p, err);
  if (!rc)
    rc = sl_state_reset_partition(st, cl->one_state ? -1 : p, err);
  load_ctx lc = {st, p};
  if (!rc)
    rc = sl_changelog_replay_each(r, load_entry, &lc, err);

  /* The offsets stand for the partition until its sources read on. */
  cpart *cp = &cl->parts[p];
  if (!rc) {
    free_offsets(cp->offsets, cp->noffsets);
    cp->offsets = NULL;
    cp->noffsets = 0;
  }
  int n;
  const sl_catalog_offset *offs = sl_changelog_replay_offsets(r, &n);
  for (int i = 0; !rc && i < n; i++)
    rc = remember(cp, &offs[i], err);
  if (rc)
    return sl_error_prefix(err, "restoring partition %d from changelog %s",
                           (int)partition, cl->topic);
  sl_state_raise_checkpoint(st, sl_changelog_replay_checkpoint(r));
  cp->snapshot = true;
  return SL_OK;
}
