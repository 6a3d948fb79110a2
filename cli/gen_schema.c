/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_schema.c - parsing the column list of --schema (see gen_schema.h).
 */
#include "cli/gen_schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Splits off the next column definition: the text up to a comma at depth
 * zero.  Returns the length of the part starting at s. */
static size_t part_length(const char *s) {
  int depth = 0;
  bool quoted = false;
  size_t i = 0;
  for (; s[i]; i++) {
    char c = s[i];
    if (c == '"')
      quoted = !quoted;
    else if (quoted)
      continue;
    else if (c == '(' || c == '<')
      depth++;
    else if ((c == ')' || c == '>') && depth > 0)
      depth--;
    else if (c == ',' && depth == 0)
      break;
  }
  return i;
}

/* Reads the column name at the start of def (len bytes) into a new
 * string; *rest is set past it.  NULL when there is no name. */
static char *read_name(const char *def, size_t len, size_t *rest) {
  size_t i = 0;
  char *name = malloc(len + 1);
  if (!name)
    return NULL;
  size_t k = 0;
  if (len > 0 && def[0] == '"') {
    for (i = 1; i < len; i++) {
      if (def[i] == '"') {
        if (i + 1 < len && def[i + 1] == '"') {
          name[k++] = '"';
          i++;
          continue;
        }
        break;
      }
      name[k++] = def[i];
    }
    if (i >= len || k == 0) {
      free(name);
      return NULL;
    }
    i++;
  } else {
    while (i < len && (isalnum((unsigned char)def[i]) || def[i] == '_' ||
                       (unsigned char)def[i] >= 0x80)) {
      name[k++] = (char)tolower((unsigned char)def[i]);
      i++;
    }
    if (k == 0 || isdigit((unsigned char)name[0])) {
      free(name);
      return NULL;
    }
  }
  name[k] = '\0';
  *rest = i;
  return name;
}

/* True when the type text ends in the words NOT NULL; cuts them off. */
static bool cut_not_null(char *type) {
  size_t n = strlen(type);
  while (n > 0 && isspace((unsigned char)type[n - 1]))
    n--;
  if (n < 4 || strncasecmp(type + n - 4, "null", 4) != 0)
    return false;
  size_t j = n - 4;
  if (j == 0 || !isspace((unsigned char)type[j - 1]))
    return false;
  while (j > 0 && isspace((unsigned char)type[j - 1]))
    j--;
  if (j < 3 || strncasecmp(type + j - 3, "not", 3) != 0)
    return false;
  j -= 3;
  if (j > 0 && !isspace((unsigned char)type[j - 1]))
    return false;
  type[j] = '\0';
  return true;
}

/* Parses one column definition (len bytes at def) into col. */
static sl_status parse_column(const char *def, size_t len, int index,
                              sl_gen_column *col, sl_error *err) {
  while (len > 0 && isspace((unsigned char)*def)) {
    def++;
    len--;
  }
  while (len > 0 && isspace((unsigned char)def[len - 1]))
    len--;
  if (len == 0)
    return sl_error_set(err, SL_ERR_USAGE, "--schema: column %d is empty",
                        index + 1);

  size_t rest = 0;
  col->name = read_name(def, len, &rest);
  if (!col->name)
    return sl_error_set(err, SL_ERR_USAGE, "--schema: column %d: expected "
                        "a column name at \"%.*s\"", index + 1, (int)len,
                        def);
  char *type_text = malloc(len - rest + 1);
  if (!type_text)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  memcpy(type_text, def + rest, len - rest);
  type_text[len - rest] = '\0';
  col->not_null = cut_not_null(type_text);

  const char *t = type_text;
  while (isspace((unsigned char)*t))
    t++;
  sl_status rc = SL_OK;
  if (!*t) {
    rc = sl_error_set(err, SL_ERR_USAGE, "--schema: column \"%s\" has no "
                      "type", col->name);
  } else if (sl_type_from_sql(t, &col->type, err)) {
    char why[SL_ERROR_MSG_MAX];
    snprintf(why, sizeof(why), "%s", err->message);
    rc = sl_error_set(err, SL_ERR_USAGE, "--schema: column \"%s\": %s",
                      col->name, why);
  }
  free(type_text);
  return rc;
}

sl_status sl_gen_schema_parse(const char *text, sl_gen_schema *out,
                              sl_error *err) {
  memset(out, 0, sizeof(*out));
  int cap = 0;
  const char *p = text;
  sl_status rc = SL_OK;
  for (;;) {
    size_t n = part_length(p);
    if (out->ncols == cap) {
      int ncap = cap ? cap * 2 : 8;
      sl_gen_column *cols = realloc(out->cols, (size_t)ncap * sizeof(*cols));
      if (!cols) {
        rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
        break;
      }
      out->cols = cols;
      cap = ncap;
    }
    sl_gen_column *col = &out->cols[out->ncols];
    memset(col, 0, sizeof(*col));
    out->ncols++;
    if ((rc = parse_column(p, n, out->ncols - 1, col, err)))
      break;
    for (int i = 0; i + 1 < out->ncols; i++) {
      if (strcmp(out->cols[i].name, col->name) == 0) {
        rc = sl_error_set(err, SL_ERR_USAGE, "--schema: column \"%s\" is "
                          "declared twice", col->name);
        break;
      }
    }
    if (rc || !p[n])
      break;
    p += n + 1;
  }
  if (rc)
    sl_gen_schema_free(out);
  return rc;
}

int sl_gen_schema_find(const sl_gen_schema *s, const char *name) {
  for (int i = 0; i < s->ncols; i++) {
    if (strcasecmp(s->cols[i].name, name) == 0)
      return i;
  }
  return -1;
}

void sl_gen_schema_free(sl_gen_schema *s) {
  for (int i = 0; i < s->ncols; i++) {
    free(s->cols[i].name);
    sl_type_free(s->cols[i].type);
  }
  free(s->cols);
  memset(s, 0, sizeof(*s));
}
