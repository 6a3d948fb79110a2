/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vars.c - ${name} substitution with a map back to the original text.
 *
 * One pass over the original text with a small state machine (plain text,
 * string, quoted identifier, line comment, block comment) decides where a
 * reference counts: everywhere but in comments.  Copied stretches and
 * inserted values become segments of the map.
 */
#include "parser/vars.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A growable output buffer. */
typedef struct vars_buf {
  char *data;
  size_t len;
  size_t cap;
} vars_buf;

static bool buf_append(vars_buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
      return false;
    b->data = p;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
  return true;
}

static bool map_add(sl_vars_map *map, size_t out_start, size_t out_len,
                    size_t orig_start, size_t orig_len, bool from_value) {
  if (out_len == 0 && orig_len == 0)
    return true;
  if (map->nsegs == map->cap) {
    size_t cap = map->cap ? map->cap * 2 : 8;
    sl_vars_segment *p = realloc(map->segs, cap * sizeof(*p));
    if (!p)
      return false;
    map->segs = p;
    map->cap = cap;
  }
  map->segs[map->nsegs++] = (sl_vars_segment){
      out_start, out_len, orig_start, orig_len, from_value};
  return true;
}

/* Line and column (characters, 1-based) of offset in text. */
static void line_column(const char *text, size_t offset, int *line,
                        int *column) {
  int l = 1, c = 1;
  for (size_t i = 0; i < offset; i++) {
    unsigned char ch = (unsigned char)text[i];
    if (ch == '\n') {
      l++;
      c = 1;
    } else if ((ch & 0xC0) != 0x80) {
      c++;
    }
  }
  *line = l;
  *column = c;
}

static bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static const sl_vars_def *find_def(const sl_vars_def *defs, size_t ndefs,
                                   const char *name, size_t len) {
  for (size_t i = 0; i < ndefs; i++) {
    if (strlen(defs[i].name) == len && memcmp(defs[i].name, name, len) == 0)
      return &defs[i];
  }
  return NULL;
}

typedef enum scan_state {
  SCAN_TEXT,
  SCAN_STRING,
  SCAN_QUOTED,
  SCAN_LINE_COMMENT,
  SCAN_BLOCK_COMMENT
} scan_state;

sl_status sl_vars_expand(const char *file, const char *text, size_t len,
                         const sl_vars_def *defs, size_t ndefs, char **out,
                         size_t *out_len, sl_vars_map *map, sl_error *err) {
  vars_buf buf = {NULL, 0, 0};
  scan_state state = SCAN_TEXT;
  size_t copy_from = 0; /* start of the stretch not yet copied */
  size_t i = 0;
  int line, column;
  sl_status rc;

  *out = NULL;
  *out_len = 0;
  map->segs = NULL;
  map->nsegs = map->cap = 0;

  while (i < len) {
    char c = text[i];

    /* Track where comments begin and end; references count elsewhere. */
    switch (state) {
    case SCAN_TEXT:
      if (c == '\'') {
        state = SCAN_STRING;
      } else if (c == '"') {
        state = SCAN_QUOTED;
      } else if (c == '-' && i + 1 < len && text[i + 1] == '-') {
        state = SCAN_LINE_COMMENT;
        i += 2;
        continue;
      } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
        state = SCAN_BLOCK_COMMENT;
        i += 2;
        continue;
      }
      break;
    case SCAN_STRING:
      if (c == '\'')
        state = SCAN_TEXT; /* '' reopens at once: same effect */
      break;
    case SCAN_QUOTED:
      if (c == '"')
        state = SCAN_TEXT;
      break;
    case SCAN_LINE_COMMENT:
      if (c == '\n')
        state = SCAN_TEXT;
      i++;
      continue;
    case SCAN_BLOCK_COMMENT:
      if (c == '*' && i + 1 < len && text[i + 1] == '/') {
        state = SCAN_TEXT;
        i += 2;
      } else {
        i++;
      }
      continue;
    }

    if (c != '$' || i + 1 >= len || text[i + 1] != '{') {
      i++;
      continue;
    }

    /* A reference: ${name}. */
    size_t name_start = i + 2, j = name_start;
    while (j < len && is_name_char(text[j]))
      j++;
    if (j >= len || text[j] != '}' || j == name_start) {
      line_column(text, i, &line, &column);
      if (j >= len || text[j] == '\n')
        rc = sl_error_set_sql(err, file, line, column,
                              "unterminated variable reference: "
                              "expected \"}\"");
      else if (text[j] == '}')
        rc = sl_error_set_sql(err, file, line, column,
                              "empty variable name in \"${}\"");
      else
        rc = sl_error_set_sql(err, file, line, column,
                              "invalid character \"%c\" in variable name",
                              text[j]);
      goto fail;
    }
    const sl_vars_def *def =
        find_def(defs, ndefs, text + name_start, j - name_start);
    if (!def) {
      line_column(text, i, &line, &column);
      rc = sl_error_set_sql(err, file, line, column,
                            "undefined variable \"%.*s\"; define it with -D "
                            "%.*s=VALUE",
                            (int)(j - name_start), text + name_start,
                            (int)(j - name_start), text + name_start);
      goto fail;
    }

    /* Copy the text before the reference, then the value. */
    size_t vlen = strlen(def->value);
    if (!map_add(map, buf.len, i - copy_from, copy_from, i - copy_from,
                 false) ||
        !buf_append(&buf, text + copy_from, i - copy_from) ||
        !map_add(map, buf.len, vlen, i, j + 1 - i, true) ||
        !buf_append(&buf, def->value, vlen))
      goto nomem;
    i = j + 1;
    copy_from = i;
  }

  /* The rest of the text, and a terminator even for empty input. */
  if (!map_add(map, buf.len, len - copy_from, copy_from, len - copy_from,
               false) ||
      !buf_append(&buf, text + copy_from, len - copy_from))
    goto nomem;
  *out = buf.data;
  *out_len = buf.len;
  return SL_OK;

nomem:
  rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory expanding variables");
fail:
  free(buf.data);
  sl_vars_map_free(map);
  return rc;
}

size_t sl_vars_map_offset(const sl_vars_map *map, size_t at) {
  if (!map || map->nsegs == 0)
    return at;

  /* Binary search for the last segment starting at or before `at`; an
   * offset at a segment boundary belongs to the segment that starts
   * there, so the end of a value maps past its ${name}. */
  size_t lo = 0, hi = map->nsegs;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (map->segs[mid].out_start <= at)
      lo = mid;
    else
      hi = mid;
  }

  /* Empty values leave zero-length segments: skip to the last one that
   * starts at `at` so that we land on copied text where there is some. */
  const sl_vars_segment *s = &map->segs[lo];
  if (at >= s->out_start + s->out_len)
    return s->orig_start + s->orig_len;
  if (s->from_value)
    return s->orig_start;
  return s->orig_start + (at - s->out_start);
}

void sl_vars_map_free(sl_vars_map *map) {
  free(map->segs);
  map->segs = NULL;
  map->nsegs = map->cap = 0;
}
