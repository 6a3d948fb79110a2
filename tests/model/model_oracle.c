/* SPDX-License-Identifier: Apache-2.0 */
/*
 * model_oracle.c - the C side of the Python oracle tests (oracle.py).
 *
 * It drives engine/model the way the SQL layer will: rows of a CSV file
 * become sl_values, a training data builder takes them, models are
 * trained, serialized, read back and scored through predict_batch in
 * batches, and metrics come from sl_model_metrics_*.  The Python side
 * computes the same things with xgboost and scikit-learn and compares.
 *
 *   model_oracle import MODEL.json DATA.csv OUT
 *       Imports an XGBoost model file (inputs by the file's feature
 *       names, looked up as CSV columns) and writes one score per row.
 *   model_oracle train KIND DATA.csv OUT --label COL[=VALUE]
 *                [--onehot C,...] [--drop C,...] [key=value ...]
 *       Trains KIND on every column but the label and the dropped ones
 *       (numeric columns plain, --onehot ones ONE_HOT; a label COL=VALUE
 *       is the BOOLEAN COL = 'VALUE', a bare COL a numeric label) with
 *       the key=value parameters.  Writes "score label" per holdout row
 *       to OUT and a JSON summary to OUT.json: the metrics computed here
 *       on those scores, the model's stored metrics, its description and
 *       (linear kinds) its coefficients.
 *   model_oracle metrics FILE
 *       Reads "score label" lines and prints sl_model_metrics' AUC and
 *       log loss.
 * Exit status 0 on success, 1 with a message on standard error.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model/model.h"
#include "engine/types/format.h"

#define BATCH 512

typedef struct table {
  int ncols;
  char **header;
  size_t nrows;
  char ***rows; /* nrows arrays of ncols fields */
} table;

static void die(const char *fmt, const char *arg) {
  fprintf(stderr, "model_oracle: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n");
  exit(1);
}

static void die_err(const char *what, const sl_error *err) {
  fprintf(stderr, "model_oracle: %s: %s\n", what, err->message);
  exit(1);
}

/* Splits a line on commas in place (the shared data files quote
 * nothing). */
static char **split(char *line, int *n) {
  int cap = 8, count = 0;
  char **fields = malloc((size_t)cap * sizeof(char *));
  char *p = line;
  for (;;) {
    if (count == cap) {
      cap *= 2;
      fields = realloc(fields, (size_t)cap * sizeof(char *));
    }
    fields[count++] = p;
    char *comma = strchr(p, ',');
    if (!comma)
      break;
    *comma = '\0';
    p = comma + 1;
  }
  *n = count;
  return fields;
}

static void read_table(const char *path, table *t) {
  FILE *f = fopen(path, "r");
  if (!f)
    die("cannot open %s", path);
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  size_t rcap = 0;
  memset(t, 0, sizeof(*t));
  while ((len = getline(&line, &cap, f)) > 0) {
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    int n;
    char **fields = split(strdup(line), &n);
    if (!t->header) {
      t->header = fields;
      t->ncols = n;
      continue;
    }
    if (n != t->ncols)
      die("a row of %s has the wrong number of fields", path);
    if (t->nrows == rcap) {
      rcap = rcap ? rcap * 2 : 1024;
      t->rows = realloc(t->rows, rcap * sizeof(char **));
    }
    t->rows[t->nrows++] = fields;
  }
  free(line);
  fclose(f);
}

static void free_table(table *t) {
  free(t->header[0]);
  free(t->header);
  for (size_t i = 0; i < t->nrows; i++) {
    free(t->rows[i][0]);
    free(t->rows[i]);
  }
  free(t->rows);
}

static int column(const table *t, const char *name) {
  for (int c = 0; c < t->ncols; c++)
    if (strcmp(t->header[c], name) == 0)
      return c;
  die("no column %s", name);
  return -1;
}

/* True when name is in the comma-separated list. */
static bool listed(const char *list, const char *name) {
  if (!list)
    return false;
  size_t n = strlen(name);
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ",");
    if (len == n && strncmp(p, name, n) == 0)
      return true;
    p += len;
    if (*p == ',')
      p++;
  }
  return false;
}

/* A numeric field as a value: empty is NULL. */
static sl_value number(const char *field) {
  if (!*field)
    return sl_value_null();
  char *end;
  errno = 0;
  double d = strtod(field, &end);
  if (*end || errno)
    die("not a number: %s", field);
  return sl_value_double(d);
}

/* Scores rows [begin, end) of t through predict_batch, BATCH rows at a
 * time; col_of[j] is the CSV column of input j. */
static void score_rows(sl_model *m, const table *t, const int *col_of,
                       size_t begin, size_t end, double *out) {
  int nin = sl_model_input_count(m);
  sl_value *vals = malloc((size_t)nin * BATCH * sizeof(sl_value));
  const sl_value **cols = malloc((size_t)nin * sizeof(sl_value *));
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_error err;
  sl_error_clear(&err);
  for (size_t start = begin; start < end; start += BATCH) {
    size_t n = end - start < BATCH ? end - start : BATCH;
    for (int j = 0; j < nin; j++) {
      const sl_model_feature *f = sl_model_input(m, j);
      cols[j] = vals + (size_t)j * BATCH;
      for (size_t i = 0; i < n; i++) {
        const char *field = t->rows[start + i][col_of[j]];
        vals[(size_t)j * BATCH + i] =
            f->type == SL_TYPE_VARCHAR
                ? (*field ? sl_value_varchar(field, strlen(field))
                          : sl_value_null())
                : number(field);
      }
    }
    if (sl_model_predict_batch(m, &s, cols, n, out + (start - begin), &err))
      die_err("predict", &err);
  }
  sl_model_scratch_free(&s);
  free(cols);
  free(vals);
}

static int do_import(int argc, char **argv) {
  if (argc != 5)
    die("usage: %s", "import MODEL.json DATA.csv OUT");
  sl_error err;
  sl_error_clear(&err);
  sl_model *m = NULL;
  if (sl_model_import_xgboost(argv[2], NULL, 0, &m, &err))
    die_err("import", &err);
  table t;
  read_table(argv[3], &t);

  int nin = sl_model_input_count(m);
  int *col_of = malloc((size_t)nin * sizeof(int));
  for (int j = 0; j < nin; j++)
    col_of[j] = column(&t, sl_model_input(m, j)->name);
  double *scores = malloc((t.nrows + 1) * sizeof(double));
  score_rows(m, &t, col_of, 0, t.nrows, scores);

  FILE *out = fopen(argv[4], "w");
  if (!out)
    die("cannot write %s", argv[4]);
  for (size_t i = 0; i < t.nrows; i++)
    fprintf(out, "%.17g\n", scores[i]);
  fclose(out);
  for (int j = 0; j < nin; j++)
    printf("%s%s", j ? "," : "", sl_model_input(m, j)->name);
  printf("\n");

  free(scores);
  free(col_of);
  free_table(&t);
  sl_model_free(m);
  return 0;
}

typedef struct progress_state {
  int rounds;
  double last;
} progress_state;

static bool on_progress(void *ctx, const sl_model_progress *p) {
  progress_state *ps = ctx;
  ps->rounds = p->round;
  ps->last = p->holdout;
  return true;
}

static void json_number(FILE *f, const char *name, double v) {
  char buf[SL_FORMAT_DOUBLE_MAX];
  if (isnan(v)) {
    fprintf(f, ",\"%s\":null", name);
    return;
  }
  sl_format_double(v, buf);
  fprintf(f, ",\"%s\":%s", name, buf);
}

static int do_train(int argc, char **argv) {
  if (argc < 5)
    die("usage: %s", "train KIND DATA.csv OUT --label COL[=V] ...");
  sl_model_kind kind;
  if (!sl_model_kind_from_name(argv[2], &kind))
    die("unknown kind %s", argv[2]);
  const char *label = NULL, *onehot = NULL, *drop = NULL;
  sl_model_params params = SL_MODEL_PARAMS_INIT;
  sl_error err;
  sl_error_clear(&err);
  for (int i = 5; i < argc; i++) {
    if (strcmp(argv[i], "--label") == 0 && i + 1 < argc) {
      label = argv[++i];
    } else if (strcmp(argv[i], "--onehot") == 0 && i + 1 < argc) {
      onehot = argv[++i];
    } else if (strcmp(argv[i], "--drop") == 0 && i + 1 < argc) {
      drop = argv[++i];
    } else {
      char *eq = strchr(argv[i], '=');
      if (!eq)
        die("bad argument %s", argv[i]);
      *eq = '\0';
      if (sl_model_params_set(&params, argv[i], eq + 1, &err))
        die_err("params", &err);
    }
  }
  if (!label)
    die("%s", "--label is required");

  table t;
  read_table(argv[3], &t);
  char *label_col = strdup(label);
  char *label_value = strchr(label_col, '=');
  if (label_value)
    *label_value++ = '\0';
  int lc = column(&t, label_col);

  /* Inputs: every other column in file order. */
  sl_model_input_def *defs = calloc((size_t)t.ncols, sizeof(*defs));
  int *col_of = calloc((size_t)t.ncols, sizeof(int));
  int nin = 0;
  for (int c = 0; c < t.ncols; c++) {
    if (c == lc || listed(drop, t.header[c]))
      continue;
    bool cat = listed(onehot, t.header[c]);
    defs[nin].name = t.header[c];
    defs[nin].type = cat ? SL_TYPE_VARCHAR : SL_TYPE_DOUBLE;
    defs[nin].transform =
        cat ? SL_MODEL_TRANSFORM_ONE_HOT : SL_MODEL_TRANSFORM_NONE;
    col_of[nin++] = c;
  }

  sl_model_data *data = NULL;
  if (sl_model_data_new(defs, nin, label_value ? SL_TYPE_BOOLEAN
                                               : SL_TYPE_DOUBLE,
                        &data, &err))
    die_err("data", &err);
  sl_value *row = malloc((size_t)nin * sizeof(sl_value));
  double *labels = malloc((t.nrows + 1) * sizeof(double));
  for (size_t i = 0; i < t.nrows; i++) {
    for (int j = 0; j < nin; j++) {
      const char *field = t.rows[i][col_of[j]];
      row[j] = defs[j].type == SL_TYPE_VARCHAR
                   ? sl_value_varchar(field, strlen(field))
                   : number(field);
    }
    const char *lf = t.rows[i][lc];
    sl_value y = label_value ? sl_value_bool(strcmp(lf, label_value) == 0)
                             : number(lf);
    labels[i] = label_value ? (strcmp(lf, label_value) == 0) : atof(lf);
    if (sl_model_data_add_row(data, row, &y, &err))
      die_err("add row", &err);
  }

  progress_state ps = {0, NAN};
  sl_model *trained = NULL;
  if (sl_model_train(kind, data, &params, on_progress, &ps, &trained, &err))
    die_err("train", &err);

  /* Score through a blob, as a running query would. */
  void *blob;
  size_t blen;
  sl_model *m = NULL;
  if (sl_model_serialize(trained, &blob, &blen, &err) ||
      sl_model_deserialize(blob, blen, &m, &err))
    die_err("blob", &err);
  free(blob);

  size_t nhold = (size_t)sl_model_holdout_rows(m);
  size_t begin = t.nrows - nhold;
  double *scores = malloc((nhold + 1) * sizeof(double));
  score_rows(m, &t, col_of, begin, t.nrows, scores);

  char path[4096];
  FILE *out = fopen(argv[4], "w");
  if (!out)
    die("cannot write %s", argv[4]);
  for (size_t i = 0; i < nhold; i++)
    fprintf(out, "%.17g %g\n", scores[i], labels[begin + i]);
  fclose(out);

  sl_model_metrics mt;
  if (sl_model_metrics_compute(sl_model_is_classification(m), scores,
                               labels + begin, nhold, &mt, &err))
    die_err("metrics", &err);
  snprintf(path, sizeof(path), "%s.json", argv[4]);
  out = fopen(path, "w");
  if (!out)
    die("cannot write %s", path);
  fprintf(out, "{\"rows\":%zu,\"progress_rounds\":%d", nhold, ps.rounds);
  json_number(out, "progress_holdout", ps.last);
  json_number(out, "auc", mt.auc);
  json_number(out, "log_loss", mt.log_loss);
  json_number(out, "accuracy", mt.accuracy);
  json_number(out, "precision", mt.precision);
  json_number(out, "recall", mt.recall);
  json_number(out, "rmse", mt.rmse);
  json_number(out, "mae", mt.mae);
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_model_metrics_json_of(trained, &sb);
  fprintf(out, ",\"model_metrics\":%s", sb.data);
  sl_strbuf_reset(&sb);
  sl_model_describe_json(m, &sb);
  fprintf(out, ",\"describe\":%s", sb.data);
  sl_strbuf_free(&sb);
  double intercept;
  const double *coef = sl_model_linear_coefficients(m, &intercept);
  if (coef) {
    fprintf(out, ",\"coefficients\":[");
    for (int c = 0; c < sl_model_column_count(m); c++)
      fprintf(out, "%s%.17g", c ? "," : "", coef[c]);
    fprintf(out, "]");
    json_number(out, "intercept", intercept);
  }
  fprintf(out, "}\n");
  fclose(out);

  free(scores);
  free(row);
  free(labels);
  free(defs);
  free(col_of);
  free(label_col);
  sl_model_free(m);
  sl_model_free(trained);
  sl_model_data_free(data);
  sl_model_params_free(&params);
  free_table(&t);
  return 0;
}

/* Reads "score label" lines and prints C's AUC and log loss. */
static int do_metrics(int argc, char **argv) {
  if (argc != 3)
    die("usage: %s", "metrics FILE");
  FILE *f = fopen(argv[2], "r");
  if (!f)
    die("cannot open %s", argv[2]);
  size_t n = 0, cap = 1024;
  double *s = malloc(cap * sizeof(double)), *y = malloc(cap * sizeof(double));
  while (fscanf(f, "%lf %lf", &s[n], &y[n]) == 2) {
    if (++n == cap) {
      cap *= 2;
      s = realloc(s, cap * sizeof(double));
      y = realloc(y, cap * sizeof(double));
    }
  }
  fclose(f);
  double auc;
  sl_error err;
  sl_error_clear(&err);
  if (sl_model_metrics_auc(s, y, n, &auc, &err))
    die_err("auc", &err);
  printf("%.17g %.17g\n", auc, sl_model_metrics_log_loss(s, y, n));
  free(s);
  free(y);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "metrics") == 0)
    return do_metrics(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "import") == 0)
    return do_import(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "train") == 0)
    return do_train(argc, argv);
  fprintf(stderr, "usage: model_oracle import|train|metrics ...\n");
  return 2;
}
