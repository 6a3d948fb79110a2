/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_functions_doc.c - writes the function reference of
 * docs/functions.md from the function registry, or checks that it is up
 * to date.
 *
 *   gen_functions_doc FILE           rewrite the generated part of FILE
 *   gen_functions_doc --check FILE   exit 1 when that part differs
 *
 * The generated part lies between the two marker lines below; the text
 * around it (operators, NULLs, time zones) is written by hand.  Every
 * built-in appears under the heading of its table (builtins.c lists the
 * tables), with its signatures as SHOW FUNCTIONS prints them, its
 * one-line documentation, its example and what the binder allows around
 * it, all taken from the registry, so the page cannot drift from what
 * the program does: the test suite runs the check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/strbuf.h"
#include "udf/builtins.h"
#include "udf/registry.h"

#define BEGIN_MARK                                                        \
  "<!-- BEGIN GENERATED REFERENCE: written by udf/gen_functions_doc from " \
  "the function registry; edit the registry, not this part -->"
#define END_MARK "<!-- END GENERATED REFERENCE -->"

/* The heading of each table of built-ins. */
static const char *table_title(const sl_func_def *defs) {
  if (defs == sl_func_builtins_math)
    return "Math";
  if (defs == sl_func_builtins_string)
    return "Strings";
  if (defs == sl_func_builtins_regex)
    return "Regular expressions";
  if (defs == sl_func_builtins_time)
    return "Time";
  if (defs == sl_func_builtins_misc)
    return "Conditions, geography, hashing and collections";
  if (defs == sl_func_builtins_json)
    return "JSON";
  return NULL; /* split by kind */
}

static const char *kind_title(sl_func_kind kind) {
  switch (kind) {
  case SL_FUNC_AGGREGATE: return "Aggregates";
  case SL_FUNC_WINDOW: return "Window functions";
  case SL_FUNC_MODEL: return "Models";
  case SL_FUNC_FEATURE: return "Feature transforms";
  case SL_FUNC_SCALAR: return "Other scalar functions";
  }
  return "Other functions";
}

/* Appends text with the characters Markdown would take for markup
 * escaped. */
static void put_text(sl_strbuf *out, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '<': sl_strbuf_appends(out, "&lt;"); break;
    case '>': sl_strbuf_appends(out, "&gt;"); break;
    case '&': sl_strbuf_appends(out, "&amp;"); break;
    case '*':
    case '_':
    case '|':
    case '`':
    case '[':
    case ']':
    case '\\':
      sl_strbuf_appendc(out, '\\');
      sl_strbuf_appendc(out, *s);
      break;
    default: sl_strbuf_appendc(out, *s); break;
    }
  }
}

/* Appends s as inline code, with a fence longer than any run of
 * backticks inside it. */
static void put_code(sl_strbuf *out, const char *s) {
  int longest = 0, run = 0;
  for (const char *p = s; *p; p++) {
    run = *p == '`' ? run + 1 : 0;
    if (run > longest)
      longest = run;
  }
  for (int i = 0; i <= longest; i++)
    sl_strbuf_appendc(out, '`');
  sl_strbuf_appendf(out, longest ? " %s " : "%s", s);
  for (int i = 0; i <= longest; i++)
    sl_strbuf_appendc(out, '`');
}

/* The GitHub anchor of a function's heading. */
static void put_anchor(sl_strbuf *out, const char *name) {
  for (const char *p = name; *p; p++)
    sl_strbuf_appendc(out, (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a'
                                                         : *p));
}

/* One function's entry. */
static void put_function(sl_strbuf *out, const sl_func *f) {
  sl_strbuf_appendf(out, "#### %s\n\n```text\n", f->name);
  for (int i = 0; i < f->nsigs; i++) {
    char sig[1024];
    sl_func_sig_format(f, &f->sigs[i], true, sig, sizeof(sig));
    sl_strbuf_appendf(out, "%s\n", sig);
  }
  sl_strbuf_appends(out, "```\n\n");
  put_text(out, f->doc);
  sl_strbuf_appends(out, "\n\n");
  if (f->refusal) {
    sl_strbuf_appends(out, "Refused: ");
    put_text(out, f->refusal);
    sl_strbuf_appends(out, ".\n\n");
  }
  sl_strbuf_appends(out, "Example: ");
  put_code(out, f->example);
  sl_strbuf_appends(out, "\n\n");

  /* What the binder allows around the call. */
  if (f->kind == SL_FUNC_AGGREGATE)
    sl_strbuf_appendf(out, "%s; %s.\n\n",
                      f->flags & SL_FUNC_DISTINCT ? "DISTINCT allowed"
                                                  : "No DISTINCT",
                      f->flags & SL_FUNC_SLIDING
                          ? "allowed OVER (... RANGE ... PRECEDING AND "
                            "CURRENT ROW)"
                          : "not allowed over sliding windows");
  if (f->flags & SL_FUNC_NONDETERMINISTIC)
    sl_strbuf_appends(out, "Not deterministic: evaluated anew for every "
                      "row.\n\n");
  if (f->flags & SL_FUNC_NULL_CALL)
    sl_strbuf_appends(out, "Called on NULL arguments (other functions give "
                      "NULL for a NULL argument).\n\n");
}

/* The functions of a group in registry order (by name). */
typedef struct group {
  const char *title;
  const sl_func *funcs[128];
  int n;
} group;

/* Sorts the built-ins into groups: one per table, the last table by
 * kind.  Returns the number of groups. */
static int make_groups(const sl_func_registry *reg, group *groups,
                       int max) {
  int ng = 0;
  for (const sl_func_builtin_table *t = sl_func_builtin_tables; t->defs;
       t++) {
    for (int i = 0; i < *t->count; i++) {
      const sl_func *f = sl_func_lookup(reg, t->defs[i].name);
      if (!f)
        continue;
      const char *title = table_title(t->defs);
      if (!title)
        title = kind_title(f->kind);
      int g;
      for (g = 0; g < ng; g++)
        if (strcmp(groups[g].title, title) == 0)
          break;
      if (g == ng) {
        if (ng == max)
          continue;
        groups[ng].title = title;
        groups[ng].n = 0;
        ng++;
      }
      if (groups[g].n < (int)(sizeof(groups[g].funcs) /
                              sizeof(groups[g].funcs[0])))
        groups[g].funcs[groups[g].n++] = f;
    }
  }
  return ng;
}

static int func_cmp(const void *a, const void *b) {
  return strcmp((*(const sl_func *const *)a)->name,
                (*(const sl_func *const *)b)->name);
}

/* The generated part, markers included. */
static int render(sl_strbuf *out) {
  const sl_func_registry *reg = sl_func_registry_builtin();
  if (!reg)
    return -1;
  static group groups[16];
  int ng = make_groups(reg, groups, 16);

  sl_strbuf_appends(out, BEGIN_MARK "\n\n## Reference\n\n");
  for (int g = 0; g < ng; g++) {
    qsort(groups[g].funcs, (size_t)groups[g].n, sizeof(groups[g].funcs[0]),
          func_cmp);
    sl_strbuf_appendf(out, "- %s:", groups[g].title);
    for (int i = 0; i < groups[g].n; i++) {
      sl_strbuf_appendf(out, "%s [%s](#", i ? "," : "",
                        groups[g].funcs[i]->name);
      put_anchor(out, groups[g].funcs[i]->name);
      sl_strbuf_appends(out, ")");
    }
    sl_strbuf_appends(out, "\n");
  }
  sl_strbuf_appends(out, "\n");
  for (int g = 0; g < ng; g++) {
    sl_strbuf_appendf(out, "### %s\n\n", groups[g].title);
    for (int i = 0; i < groups[g].n; i++)
      put_function(out, groups[g].funcs[i]);
  }
  sl_strbuf_appends(out, END_MARK "\n");
  return out->failed ? -1 : 0;
}

static char *read_file(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  sl_strbuf sb = SL_STRBUF_INIT;
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
    sl_strbuf_append(&sb, buf, n);
  bool bad = ferror(fp) != 0;
  fclose(fp);
  if (bad || sb.failed) {
    sl_strbuf_free(&sb);
    return NULL;
  }
  return sl_strbuf_detach(&sb, len);
}

int main(int argc, char **argv) {
  bool check = argc == 3 && strcmp(argv[1], "--check") == 0;
  if (argc != 2 && !check) {
    fprintf(stderr, "usage: %s [--check] docs/functions.md\n", argv[0]);
    return 2;
  }
  const char *path = argv[argc - 1];
  size_t len;
  char *text = read_file(path, &len);
  if (!text) {
    fprintf(stderr, "%s: cannot read %s\n", argv[0], path);
    return 2;
  }
  char *begin = strstr(text, BEGIN_MARK);
  char *end = begin ? strstr(begin, END_MARK) : NULL;
  if (!begin || !end) {
    fprintf(stderr, "%s: %s lacks the generated-part markers\n", argv[0],
            path);
    free(text);
    return 2;
  }
  end += strlen(END_MARK);
  if (*end == '\n')
    end++;

  sl_strbuf gen = SL_STRBUF_INIT;
  if (render(&gen) != 0) {
    fprintf(stderr, "%s: cannot build the reference\n", argv[0]);
    sl_strbuf_free(&gen);
    free(text);
    return 2;
  }
  size_t old_len = (size_t)(end - begin);
  int rc = 0;
  if (check) {
    if (old_len != gen.len || memcmp(begin, gen.data, gen.len) != 0) {
      fprintf(stderr, "%s is out of date with the function registry; "
              "run gen_functions_doc %s to rewrite it\n", path, path);
      rc = 1;
    }
  } else {
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(text, 1, (size_t)(begin - text), fp) !=
                   (size_t)(begin - text) ||
        fwrite(gen.data, 1, gen.len, fp) != gen.len ||
        fwrite(end, 1, len - (size_t)(end - text), fp) !=
            len - (size_t)(end - text)) {
      fprintf(stderr, "%s: cannot write %s\n", argv[0], path);
      rc = 2;
    }
    if (fp && fclose(fp) != 0)
      rc = 2;
  }
  sl_strbuf_free(&gen);
  free(text);
  return rc;
}
