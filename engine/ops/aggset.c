/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aggset.c - the aggregate calls of one operator (see aggset.h).
 */
#include "engine/ops/aggset.h"

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/common/log.h"

/* States start at multiples of this within a block. */
#define STATE_ALIGN alignof(max_align_t)

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory in aggregation");
}

/* Opens the calls (see aggset.h). */
sl_status sl_aggset_open(sl_aggset *s, int naggs, const sl_agg_call *calls,
                         const sl_expr_options *opts, unsigned flags,
                         sl_error *err) {
  memset(s, 0, sizeof(*s));
  s->naggs = naggs;
  s->aggs = calloc((size_t)naggs + 1, sizeof(*s->aggs));
  s->opened = calloc((size_t)naggs + 1, sizeof(*s->opened));
  s->offset = calloc((size_t)naggs + 1, sizeof(*s->offset));
  s->argoff = calloc((size_t)naggs + 1, sizeof(*s->argoff));
  if (!s->aggs || !s->opened || !s->offset || !s->argoff)
    goto oom;
  for (int i = 0; i < naggs; i++) {
    s->argoff[i] = s->nargs;
    s->nargs += calls[i].nargs;
  }
  s->argoff[naggs] = s->nargs;
  s->args = calloc((size_t)s->nargs + 1, sizeof(*s->args));
  s->cols = calloc((size_t)s->nargs + 1, sizeof(*s->cols));
  s->argp = calloc((size_t)s->nargs + 1, sizeof(*s->argp));
  s->types = calloc((size_t)s->nargs + 1, sizeof(*s->types));
  if (!s->args || !s->cols || !s->argp || !s->types)
    goto oom;
  sl_arena_init(&s->scratch, 4096);
  s->scratch_ready = true;

  sl_status rc;
  for (int i = 0; i < naggs; i++) {
    const sl_agg_call *c = &calls[i];
    const sl_value *consts[16] = {0};
    sl_type **types = s->types + s->argoff[i];
    if (c->nargs > 16) {
      rc = sl_error_set(err, SL_ERR_SQL, "%s takes at most 16 arguments",
                        c->name);
      goto fail;
    }
    for (int k = 0; k < c->nargs; k++) {
      int a = s->argoff[i] + k;
      if ((rc = sl_expr_compile(c->args[k], opts, &s->args[a], err)))
        goto fail;
      sl_expr_constant(s->args[a], &consts[k]);
      types[k] = c->args[k]->type;
    }
    unsigned f = flags | (c->distinct ? SL_AGG_DISTINCT : 0);
    s->opened[i] = true;
    rc = sl_agg_open(&s->aggs[i], c->func, c->sig, c->nargs, types, c->type,
                     f, c->nargs ? consts : NULL, err);
    if (rc) {
      sl_error_prefix(err, "%s", c->name);
      goto fail;
    }
    size_t sz = sl_agg_state_size(&s->aggs[i]);
    s->offset[i] = s->size;
    s->size += (sz + STATE_ALIGN - 1) / STATE_ALIGN * STATE_ALIGN;
  }
  if (s->size == 0)
    s->size = STATE_ALIGN;
  return SL_OK;

oom:
  rc = nomem(err);
fail:
  sl_aggset_close(s);
  return rc;
}

void sl_aggset_close(sl_aggset *s) {
  for (int i = 0; s->opened && i < s->naggs; i++)
    if (s->opened[i])
      sl_agg_close(&s->aggs[i]);
  for (int a = 0; s->args && a < s->nargs; a++)
    sl_expr_free(s->args[a]);
  free(s->aggs);
  free(s->opened);
  free(s->offset);
  free(s->argoff);
  free(s->args);
  free(s->cols);
  free(s->argp);
  free(s->types);
  if (s->scratch_ready)
    sl_arena_destroy(&s->scratch);
  memset(s, 0, sizeof(*s));
}

sl_status sl_aggset_eval(sl_aggset *s, sl_batch *batch, int *nfailed,
                         sl_error *err) {
  int total = 0;
  sl_arena_reset(&s->scratch);
  for (int a = 0; a < s->nargs; a++) {
    int failed = 0;
    sl_status rc = sl_expr_run(s->args[a], batch, sl_batch_arena(batch),
                               &s->cols[a], &failed, err);
    if (rc)
      return rc;
    total += failed;
  }
  if (nfailed)
    *nfailed = total;
  return SL_OK;
}

void sl_aggset_point_row(sl_aggset *s, int r) {
  for (int a = 0; a < s->nargs; a++)
    s->argp[a] = &s->cols[a][r];
}

static void *state_of(const sl_aggset *s, const void *block, int i) {
  return (char *)block + s->offset[i];
}

sl_status sl_aggset_init(sl_aggset *s, void *block, sl_error *err) {
  for (int i = 0; i < s->naggs; i++) {
    sl_status rc = sl_agg_state_init(&s->aggs[i], state_of(s, block, i), err);
    if (rc) {
      for (int j = 0; j < i; j++)
        sl_agg_state_free(&s->aggs[j], state_of(s, block, j));
      return rc;
    }
  }
  return SL_OK;
}

void sl_aggset_free(sl_aggset *s, void *block) {
  for (int i = 0; i < s->naggs; i++)
    sl_agg_state_free(&s->aggs[i], state_of(s, block, i));
}

/* Adds one row (see aggset.h). */
sl_status sl_aggset_add(sl_aggset *s, void *block,
                        const sl_value *const *argp, int64_t ts,
                        bool *refused, sl_error *rowerr, sl_error *err) {
  *refused = false;
  for (int i = 0; i < s->naggs; i++) {
    sl_agg *agg = &s->aggs[i];
    sl_status rc = sl_agg_add(agg, state_of(s, block, i), argp + s->argoff[i],
                              1, NULL, &ts, &s->scratch, err);
    if (rc)
      return rc;
    if (agg->ctx.nerrors == 0)
      continue;

    /* Refused: report it and take the row out of the calls before. */
    const sl_func_row_error *re = &agg->ctx.errors[0];
    sl_error_clear(rowerr);
    rowerr->code = SL_ERR_RECORD;
    snprintf(rowerr->reason, sizeof(rowerr->reason), "%s",
             re->reason ? re->reason : "udf");
    snprintf(rowerr->message, sizeof(rowerr->message), "%s",
             re->message ? re->message : "aggregate refused the row");
    *refused = true;
    for (int j = 0; j < i; j++) {
      if (!sl_agg_can_retract(&s->aggs[j]))
        continue;
      rc = sl_agg_retract(&s->aggs[j], state_of(s, block, j),
                          argp + s->argoff[j], 1, NULL, &ts, &s->scratch,
                          err);
      if (rc)
        return rc;
    }
    return SL_OK;
  }
  return SL_OK;
}

sl_status sl_aggset_retract(sl_aggset *s, void *block,
                            const sl_value *const *argp, int64_t ts,
                            sl_error *err) {
  for (int i = 0; i < s->naggs; i++) {
    sl_status rc = sl_agg_retract(&s->aggs[i], state_of(s, block, i),
                                  argp + s->argoff[i], 1, NULL, &ts,
                                  &s->scratch, err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

bool sl_aggset_can_retract(const sl_aggset *s) {
  for (int i = 0; i < s->naggs; i++)
    if (!sl_agg_can_retract(&s->aggs[i]))
      return false;
  return true;
}

sl_status sl_aggset_merge(sl_aggset *s, void *into, const void *from,
                          sl_error *err) {
  for (int i = 0; i < s->naggs; i++) {
    sl_status rc = sl_agg_merge(&s->aggs[i], state_of(s, into, i),
                                state_of(s, from, i), err);
    if (rc == SL_ERR_RECORD) {
      /* A merged state past a bound keeps what `into` had; the window
       * result shows it and the fault is logged. */
      SL_WARN("engine", "%s: %s", s->aggs[i].ctx.func->name, err->message);
      continue;
    }
    if (rc)
      return rc;
  }
  return SL_OK;
}

sl_status sl_aggset_results(sl_aggset *s, const void *block, sl_arena *arena,
                            sl_value *out, int *unrepresentable,
                            sl_error *err) {
  for (int i = 0; i < s->naggs; i++) {
    sl_status rc = sl_agg_result(&s->aggs[i], state_of(s, block, i), arena,
                                 &out[i], err);
    if (rc == SL_ERR_RECORD) {
      out[i] = sl_value_null();
      if (unrepresentable)
        (*unrepresentable)++;
      continue;
    }
    if (rc)
      return rc;
  }
  return SL_OK;
}

sl_status sl_aggset_serialize(sl_aggset *s, const void *block,
                              sl_strbuf *out, sl_error *err) {
  sl_strbuf one = SL_STRBUF_INIT;
  for (int i = 0; i < s->naggs; i++) {
    sl_strbuf_reset(&one);
    sl_status rc = sl_agg_serialize(&s->aggs[i], state_of(s, block, i), &one,
                                    err);
    if (!rc && one.failed)
      rc = nomem(err);
    if (!rc)
      rc = sl_rowcodec_put_blob(out, one.data, one.len);
    if (rc) {
      sl_strbuf_free(&one);
      return rc == SL_ERR_NOMEM ? nomem(err) : rc;
    }
  }
  sl_strbuf_free(&one);
  return SL_OK;
}

sl_status sl_aggset_deserialize(sl_aggset *s, void *block,
                                sl_rowcodec_reader *rd, sl_error *err) {
  for (int i = 0; i < s->naggs; i++) {
    size_t n;
    const void *p = sl_rowcodec_get_blob(rd, &n);
    sl_status rc;
    if (rd->bad)
      rc = sl_error_set(err, SL_ERR_RUNTIME, "aggregate state of %s is "
                        "truncated", s->aggs[i].ctx.func->name);
    else
      rc = sl_agg_deserialize(&s->aggs[i], state_of(s, block, i), p, n, err);
    if (rc) {
      /* A failed deserialize leaves its state initialized and empty. */
      int upto = rd->bad ? i - 1 : i;
      for (int j = 0; j <= upto; j++)
        sl_agg_state_free(&s->aggs[j], state_of(s, block, j));
      return rc;
    }
  }
  return SL_OK;
}
