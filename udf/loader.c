/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loader.c - opening C UDF libraries, checking their declarations,
 * binding SQL functions to them and closing them again.
 *
 * A library is opened once per loader and checked as a whole: its ABI
 * version, then every declaration (name, types, kind, flags, hooks), so
 * that a malformed library is refused when it is loaded rather than when
 * one of its functions is first called.  Bindings count references on
 * their library; the last one to go closes it.
 */
/* realpath, which identifies a library however its path is spelt, is an
 * X/Open part of POSIX. */
#define _XOPEN_SOURCE 700

#include "udf/loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/common/log.h"
#include "udf/loader_internal.h"

struct sl_udf_loader {
  sl_func_registry *reg;
  sl_udf_lib **libs;
  int nlibs;
  int libs_cap;
  sl_udf_binding **bindings; /* in binding order */
  int nbindings;
  int bindings_cap;
  char **dirs; /* --udf-dir folders, searched for bare names */
  int ndirs;
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = malloc(n);
  if (c)
    memcpy(c, s, n);
  return c;
}

static char *dup_lower(const char *s) {
  char *c = dup_str(s);
  for (char *p = c; p && *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  return c;
}

static bool same_name(const char *a, const char *b) {
  for (;; a++, b++) {
    int ca = (unsigned char)*a, cb = (unsigned char)*b;
    if (ca >= 'a' && ca <= 'z')
      ca -= 'a' - 'A';
    if (cb >= 'a' && cb <= 'z')
      cb -= 'a' - 'A';
    if (ca != cb)
      return false;
    if (ca == 0)
      return true;
  }
}

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
}

static bool is_regular_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* "name(T1, T2) RETURNS T" into buf. */
static char *format_signature(const char *name, int nargs,
                              sl_type *const *args, const sl_type *ret,
                              bool aggregate, char *buf, size_t size) {
  char t[SL_TYPE_SQL_MAX];
  size_t len = 0;
  buf[0] = '\0';
#define APPEND(...)                                                     \
  do {                                                                  \
    if (len < size)                                                     \
      len += (size_t)snprintf(buf + len, size - len, __VA_ARGS__);      \
  } while (0)
  APPEND("%s%s(", aggregate ? "AGGREGATE " : "", name);
  for (int i = 0; i < nargs; i++)
    APPEND("%s%s", i ? ", " : "", sl_type_to_sql(args[i], t, sizeof(t)));
  APPEND(") RETURNS %s", sl_type_to_sql(ret, t, sizeof(t)));
#undef APPEND
  return buf;
}

/* ------------------------------------------------------------------ */
/* Declarations                                                        */
/* ------------------------------------------------------------------ */

static void types_clear(sl_udf_decl_types *t) {
  for (int i = 0; i < t->nargs; i++)
    sl_type_free(t->args[i]);
  free(t->args);
  sl_type_free(t->ret);
  memset(t, 0, sizeof(*t));
}

/* Parses "VARCHAR, DECIMAL(12,2), MAP<VARCHAR, INT>" (commas inside
 * brackets belong to a type) into out->args. */
static sl_status parse_type_list(const char *text, sl_udf_decl_types *out,
                                 char *why, size_t why_size) {
  const char *p = text;
  while (*p == ' ')
    p++;
  if (*p == '\0')
    return SL_OK;
  for (;;) {
    const char *start = p;
    int depth = 0;
    while (*p && (depth > 0 || *p != ',')) {
      if (*p == '(' || *p == '<')
        depth++;
      else if ((*p == ')' || *p == '>') && depth > 0)
        depth--;
      p++;
    }
    size_t len = (size_t)(p - start);
    char *one = malloc(len + 1);
    if (!one)
      return SL_ERR_NOMEM;
    memcpy(one, start, len);
    one[len] = '\0';
    sl_type **na = realloc(out->args, sizeof(*na) * (size_t)(out->nargs + 1));
    if (!na) {
      free(one);
      return SL_ERR_NOMEM;
    }
    out->args = na;
    sl_error terr;
    sl_error_clear(&terr);
    sl_type *t;
    sl_status rc = sl_type_from_sql(one, &t, &terr);
    free(one);
    if (rc == SL_ERR_NOMEM)
      return rc;
    if (rc != SL_OK) {
      snprintf(why, why_size, "bad argument types \"%s\": %s", text,
               terr.message);
      return SL_ERR_SQL;
    }
    out->args[out->nargs++] = t;
    if (*p == '\0')
      return SL_OK;
    p++; /* the comma */
  }
}

static bool valid_name(const char *s) {
  if (!s || !*s)
    return false;
  for (; *s; s++) {
    char c = *s;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

/* Checks one declaration and parses its types.  A problem is SL_ERR_SQL
 * with the reason in why. */
static sl_status check_decl(const sluice_udf_function *f,
                            sl_udf_decl_types *types, char *why,
                            size_t why_size) {
  if (!valid_name(f->name)) {
    snprintf(why, why_size, "a function has a missing or bad name");
    return SL_ERR_SQL;
  }
  if (!f->arg_types || !f->return_type) {
    snprintf(why, why_size, "no %s types",
             f->arg_types ? "return" : "argument");
    return SL_ERR_SQL;
  }
  sl_status rc = parse_type_list(f->arg_types, types, why, why_size);
  if (rc != SL_OK)
    return rc;

  sl_error terr;
  sl_error_clear(&terr);
  rc = sl_type_from_sql(f->return_type, &types->ret, &terr);
  if (rc == SL_ERR_NOMEM)
    return rc;
  if (rc != SL_OK) {
    snprintf(why, why_size, "bad return type \"%s\": %s", f->return_type,
             terr.message);
    return SL_ERR_SQL;
  }
  sl_type_kind rk = types->ret->kind;
  if (rk == SL_TYPE_ARRAY || rk == SL_TYPE_MAP || rk == SL_TYPE_STRUCT) {
    snprintf(why, why_size, "returns %s, which UDFs cannot return in ABI "
             "version %d", sl_type_kind_name(rk), SLUICE_UDF_ABI_VERSION);
    return SL_ERR_SQL;
  }

  unsigned det = f->flags & (SLUICE_UDF_DETERMINISTIC |
                             SLUICE_UDF_NONDETERMINISTIC);
  if (det != SLUICE_UDF_DETERMINISTIC && det != SLUICE_UDF_NONDETERMINISTIC) {
    snprintf(why, why_size, "flags must hold exactly one of "
             "SLUICE_UDF_DETERMINISTIC and SLUICE_UDF_NONDETERMINISTIC");
    return SL_ERR_SQL;
  }
  if (f->flags & ~(unsigned)(SLUICE_UDF_DETERMINISTIC |
                             SLUICE_UDF_NONDETERMINISTIC |
                             SLUICE_UDF_CALLED_ON_NULL)) {
    snprintf(why, why_size, "unknown flags 0x%x", f->flags);
    return SL_ERR_SQL;
  }

  if (f->kind == SLUICE_UDF_SCALAR) {
    if (!f->scalar && !f->batch) {
      snprintf(why, why_size, "a scalar function needs a scalar or batch "
               "entry point");
      return SL_ERR_SQL;
    }
    if (f->aggregate) {
      snprintf(why, why_size, "a scalar function has aggregate hooks");
      return SL_ERR_SQL;
    }
    return SL_OK;
  }
  if (f->kind != SLUICE_UDF_AGGREGATE) {
    snprintf(why, why_size, "kind must be SLUICE_UDF_SCALAR or "
             "SLUICE_UDF_AGGREGATE");
    return SL_ERR_SQL;
  }
  const sluice_udf_aggregate *a = f->aggregate;
  if (!a || !a->add || !a->merge || !a->result) {
    snprintf(why, why_size, "an aggregate needs add, merge and result");
    return SL_ERR_SQL;
  }
  if (a->state_size == 0 || a->state_size > SLUICE_UDF_MAX_STATE) {
    snprintf(why, why_size, "state_size %zu is not between 1 and %d",
             a->state_size, SLUICE_UDF_MAX_STATE);
    return SL_ERR_SQL;
  }
  if (f->scalar || f->batch) {
    snprintf(why, why_size, "an aggregate has scalar entry points");
    return SL_ERR_SQL;
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Libraries                                                           */
/* ------------------------------------------------------------------ */

static void lib_close(sl_udf_lib *lib) {
  if (!lib)
    return;
  if (lib->types) {
    int n = lib->decl ? lib->decl->nfunctions : 0;
    for (int i = 0; i < n; i++)
      types_clear(&lib->types[i]);
    free(lib->types);
  }
  if (lib->handle) {
    if (dlclose(lib->handle) != 0)
      SL_WARN("udf", "closing UDF library %s: %s", lib->display,
              dlerror());
    else
      SL_DEBUG("udf", "closed UDF library %s", lib->display);
  }
  free(lib->key);
  free(lib->display);
  free(lib);
}

/* Where a library name leads: the path to open and its identity. */
static sl_status resolve_path(const sl_udf_loader *ld, const char *path,
                              char **open_path, char **key) {
  char buf[PATH_MAX];
  const char *found = path;
  *open_path = NULL;
  *key = NULL;
  if (!strchr(path, '/')) {
    found = NULL;
    for (int i = 0; i < ld->ndirs && !found; i++) {
      snprintf(buf, sizeof(buf), "%s/%s", ld->dirs[i], path);
      if (is_regular_file(buf))
        found = buf;
    }
    if (!found && is_regular_file(path)) {
      snprintf(buf, sizeof(buf), "./%s", path);
      found = buf;
    }
    if (!found)
      found = path; /* dlopen's own search */
  }
  char real[PATH_MAX];
  const char *id = realpath(found, real) ? real : found;
  *open_path = dup_str(found);
  *key = dup_str(id);
  if (!*open_path || !*key) {
    free(*open_path);
    free(*key);
    return SL_ERR_NOMEM;
  }
  return SL_OK;
}

/* Opens and checks a library. */
static sl_status lib_open(const sl_udf_loader *ld, const char *path,
                          const char *open_path, char *key,
                          sl_udf_lib **out, sl_error *err) {
  *out = NULL;
  sl_udf_lib *lib = calloc(1, sizeof(*lib));
  if (!lib) {
    free(key);
    return nomem(err);
  }
  lib->key = key;
  lib->display = dup_str(path);
  if (!lib->display) {
    lib_close(lib);
    return nomem(err);
  }

  dlerror();
  lib->handle = dlopen(open_path, RTLD_NOW | RTLD_LOCAL);
  if (!lib->handle) {
    const char *why = dlerror();
    sl_status rc = sl_error_set(err, SL_ERR_IO,
                                "cannot load UDF library \"%s\": %s", path,
                                why ? why : "unknown error");
    lib_close(lib);
    return rc;
  }

  /* The entry point; an object pointer becomes a function pointer
   * through memcpy, as ISO C has no cast between the two. */
  void *sym = dlsym(lib->handle, SLUICE_UDF_ENTRY);
  sluice_udf_register_fn entry = NULL;
  if (sym)
    memcpy(&entry, &sym, sizeof(entry));
  if (!entry) {
    sl_status rc = sl_error_set(err, SL_ERR_SQL,
                                "\"%s\" is not a Sluice UDF library: it "
                                "does not export %s", path,
                                SLUICE_UDF_ENTRY);
    lib_close(lib);
    return rc;
  }
  lib->decl = entry(SLUICE_UDF_ABI_VERSION);
  if (!lib->decl) {
    sl_status rc = sl_error_set(err, SL_ERR_SQL,
                                "UDF library \"%s\" refused to load (its "
                                "%s returned NULL)", path, SLUICE_UDF_ENTRY);
    lib_close(lib);
    return rc;
  }
  if (lib->decl->abi_version != SLUICE_UDF_ABI_VERSION) {
    sl_status rc = sl_error_set(err, SL_ERR_SQL,
                                "UDF library \"%s\" was built for UDF ABI "
                                "version %u, but this Sluice implements "
                                "version %d; rebuild it against "
                                "sluice/udf.h", path,
                                (unsigned)lib->decl->abi_version,
                                SLUICE_UDF_ABI_VERSION);
    lib->decl = NULL; /* its layout is unknown: read nothing more */
    lib_close(lib);
    return rc;
  }

  /* Every declaration, once. */
  const sluice_udf_library *d = lib->decl;
  if (d->nfunctions < 0 || (d->nfunctions > 0 && !d->functions)) {
    sl_status rc = sl_error_set(err, SL_ERR_SQL,
                                "UDF library \"%s\" declares %d functions "
                                "without a table", path, d->nfunctions);
    lib->decl = NULL;
    lib_close(lib);
    return rc;
  }
  lib->types = calloc((size_t)(d->nfunctions ? d->nfunctions : 1),
                      sizeof(*lib->types));
  if (!lib->types) {
    lib_close(lib);
    return nomem(err);
  }
  for (int i = 0; i < d->nfunctions; i++) {
    const sluice_udf_function *f = &d->functions[i];
    char why[SL_ERROR_MSG_MAX + 256];
    sl_status rc = check_decl(f, &lib->types[i], why, sizeof(why));
    if (rc == SL_OK) {
      for (int j = 0; j < i && rc == SL_OK; j++)
        if (same_name(d->functions[j].name, f->name)) {
          snprintf(why, sizeof(why), "declared twice");
          rc = SL_ERR_SQL;
        }
    }
    if (rc == SL_ERR_NOMEM) {
      lib_close(lib);
      return nomem(err);
    }
    if (rc != SL_OK) {
      rc = sl_error_set(err, SL_ERR_SQL,
                        "UDF library \"%s\", function \"%s\": %s", path,
                        valid_name(f->name) ? f->name : "?", why);
      lib_close(lib);
      return rc;
    }
  }
  SL_INFO("udf", "loaded UDF library %s (%d functions)", path,
          d->nfunctions);
  *out = lib;
  return SL_OK;
}

/* The open library for path, opening it when needed.  The caller takes
 * a reference (lib->refs++) once it binds something. */
static sl_status lib_get(sl_udf_loader *ld, const char *path,
                         sl_udf_lib **out, sl_error *err) {
  char *open_path, *key;
  if (resolve_path(ld, path, &open_path, &key) != SL_OK)
    return nomem(err);
  for (int i = 0; i < ld->nlibs; i++) {
    if (strcmp(ld->libs[i]->key, key) == 0) {
      free(open_path);
      free(key);
      *out = ld->libs[i];
      return SL_OK;
    }
  }
  if (ld->nlibs == ld->libs_cap) {
    int ncap = ld->libs_cap ? ld->libs_cap * 2 : 4;
    sl_udf_lib **nl = realloc(ld->libs, sizeof(*nl) * (size_t)ncap);
    if (!nl) {
      free(open_path);
      free(key);
      return nomem(err);
    }
    ld->libs = nl;
    ld->libs_cap = ncap;
  }
  sl_status rc = lib_open(ld, path, open_path, key, out, err);
  free(open_path);
  if (rc != SL_OK)
    return rc;
  ld->libs[ld->nlibs++] = *out;
  return SL_OK;
}

/* Closes lib when nothing references it. */
static void lib_release(sl_udf_loader *ld, sl_udf_lib *lib) {
  if (lib->refs > 0)
    return;
  for (int i = 0; i < ld->nlibs; i++) {
    if (ld->libs[i] == lib) {
      memmove(&ld->libs[i], &ld->libs[i + 1],
              sizeof(*ld->libs) * (size_t)(ld->nlibs - i - 1));
      ld->nlibs--;
      break;
    }
  }
  lib_close(lib);
}

/* The declaration called name in lib, or -1. */
static int lib_find(const sl_udf_lib *lib, const char *name) {
  for (int i = 0; i < lib->decl->nfunctions; i++)
    if (same_name(lib->decl->functions[i].name, name))
      return i;
  return -1;
}

/* 'UDF library "x" has no function "f" (it declares: a, b)'. */
static sl_status no_such_function(const sl_udf_lib *lib, const char *name,
                                  sl_error *err) {
  char list[512];
  size_t len = 0;
  list[0] = '\0';
  for (int i = 0; i < lib->decl->nfunctions && len < sizeof(list); i++)
    len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
                            i ? ", " : "", lib->decl->functions[i].name);
  if (lib->decl->nfunctions == 0)
    return sl_error_set(err, SL_ERR_SQL,
                        "UDF library \"%s\" has no function \"%s\" (it "
                        "declares none)", lib->display, name);
  return sl_error_set(err, SL_ERR_SQL,
                      "UDF library \"%s\" has no function \"%s\" (it "
                      "declares: %s)", lib->display, name, list);
}

/* ------------------------------------------------------------------ */
/* Bindings                                                            */
/* ------------------------------------------------------------------ */

static int binding_index(const sl_udf_loader *ld, const char *name) {
  for (int i = 0; i < ld->nbindings; i++)
    if (same_name(ld->bindings[i]->sql_name, name))
      return i;
  return -1;
}

static void binding_free(sl_udf_binding *b) {
  if (!b)
    return;
  free(b->sql_name);
  free(b->lname);
  free(b);
}

/* The registry record of a binding. */
static sl_status register_binding(sl_udf_loader *ld, sl_udf_binding *b,
                                  sl_error *err) {
  const sluice_udf_function *f = b->decl;
  bool aggregate = f->kind == SLUICE_UDF_AGGREGATE;
  char spec[2048], t[SL_TYPE_SQL_MAX];
  size_t len = 0;
  len += (size_t)snprintf(spec + len, sizeof(spec) - len, "(");
  for (int i = 0; i < b->types->nargs && len < sizeof(spec); i++)
    len += (size_t)snprintf(spec + len, sizeof(spec) - len, "%s%s",
                            i ? ", " : "",
                            sl_type_to_sql(b->types->args[i], t, sizeof(t)));
  if (len < sizeof(spec))
    snprintf(spec + len, sizeof(spec) - len, ") -> %s",
             sl_type_to_sql(b->types->ret, t, sizeof(t)));

  char doc[1024];
  snprintf(doc, sizeof(doc), "%s%s(C function %s in %s)",
           f->doc ? f->doc : "", f->doc ? " " : "", f->name,
           b->lib->display);

  sl_func_def def;
  memset(&def, 0, sizeof(def));
  def.name = b->sql_name;
  def.kind = aggregate ? SL_FUNC_AGGREGATE : SL_FUNC_SCALAR;
  def.flags = SL_FUNC_USER;
  if (f->flags & SLUICE_UDF_NONDETERMINISTIC)
    def.flags |= SL_FUNC_NONDETERMINISTIC;
  if (f->flags & SLUICE_UDF_CALLED_ON_NULL)
    def.flags |= SL_FUNC_NULL_CALL;
  if (aggregate && f->aggregate->retract)
    def.flags |= SL_FUNC_SLIDING;
  def.doc = doc;
  def.example = "";
  def.sigs[0].spec = spec;
  def.sigs[0].impl_data = b;
  if (aggregate)
    def.sigs[0].agg = f->aggregate->retract ? &sl_udf_agg_retract_impl
                                            : &sl_udf_agg_impl;
  else
    def.sigs[0].scalar = sl_udf_scalar_call;
  return sl_func_register(ld->reg, &def, NULL, err);
}

/* A user function registered without an implementation (the binder's
 * record of CREATE FUNCTION), which a binding may replace. */
static bool signature_only(const sl_func *f) {
  if (!(f->flags & SL_FUNC_USER))
    return false;
  for (int i = 0; i < f->nsigs; i++)
    if (f->sigs[i].scalar || f->sigs[i].agg)
      return false;
  return true;
}

/* What a replaced record needs to come back if registration fails. */
typedef struct saved_def {
  sl_func_def def;
  char *name;
  char *doc;
  char *spec;
} saved_def;

static void saved_free(saved_def *s) {
  free(s->name);
  free(s->doc);
  free(s->spec);
  memset(s, 0, sizeof(*s));
}

static bool save_def(const sl_func *f, saved_def *s) {
  memset(s, 0, sizeof(*s));
  s->name = dup_str(f->name);
  s->doc = dup_str(f->doc);
  s->spec = dup_str(f->sigs[0].spec);
  if (!s->name || !s->doc || !s->spec) {
    saved_free(s);
    return false;
  }
  s->def.name = s->name;
  s->def.kind = f->kind;
  s->def.flags = f->flags;
  s->def.doc = s->doc;
  s->def.sigs[0].spec = s->spec;
  return true;
}

/* Binds sql_name to declaration index fi of lib and registers it,
 * replacing a signature-only record of the same name.  Takes a reference
 * on lib when it succeeds. */
static sl_status bind_one(sl_udf_loader *ld, const char *sql_name,
                          sl_udf_lib *lib, int fi, sl_error *err) {
  const sl_func *existing = sl_func_lookup(ld->reg, sql_name);
  saved_def saved;
  bool replaced = false;
  if (existing && signature_only(existing)) {
    if (!save_def(existing, &saved))
      return nomem(err);
    if (sl_func_unregister(ld->reg, sql_name, err) != SL_OK) {
      saved_free(&saved);
      return SL_ERR_INTERNAL;
    }
    replaced = true;
  }

  if (ld->nbindings == ld->bindings_cap) {
    int ncap = ld->bindings_cap ? ld->bindings_cap * 2 : 8;
    sl_udf_binding **nb = realloc(ld->bindings, sizeof(*nb) * (size_t)ncap);
    if (!nb)
      goto fail_nomem;
    ld->bindings = nb;
    ld->bindings_cap = ncap;
  }
  sl_udf_binding *b = calloc(1, sizeof(*b));
  if (!b)
    goto fail_nomem;
  b->sql_name = dup_str(sql_name);
  b->lname = dup_lower(sql_name);
  b->lib = lib;
  b->decl = &lib->decl->functions[fi];
  b->types = &lib->types[fi];
  if (!b->sql_name || !b->lname) {
    binding_free(b);
    goto fail_nomem;
  }
  sl_status rc = register_binding(ld, b, err);
  if (rc != SL_OK) {
    binding_free(b);
    if (replaced) {
      sl_error ignored;
      sl_func_register(ld->reg, &saved.def, NULL, &ignored);
      saved_free(&saved);
    }
    return rc;
  }
  if (replaced)
    saved_free(&saved);
  ld->bindings[ld->nbindings++] = b;
  lib->refs++;
  return SL_OK;

fail_nomem:
  if (replaced) {
    sl_error ignored;
    sl_func_register(ld->reg, &saved.def, NULL, &ignored);
    saved_free(&saved);
  }
  return nomem(err);
}

/* Drops binding i: out of the registry (if still there) and off its
 * library. */
static void unbind_at(sl_udf_loader *ld, int i) {
  sl_udf_binding *b = ld->bindings[i];
  const sl_func *f = sl_func_lookup(ld->reg, b->sql_name);
  if (f && f->nsigs > 0 && f->sigs[0].impl_data == b) {
    sl_error ignored;
    sl_func_unregister(ld->reg, b->sql_name, &ignored);
  }
  memmove(&ld->bindings[i], &ld->bindings[i + 1],
          sizeof(*ld->bindings) * (size_t)(ld->nbindings - i - 1));
  ld->nbindings--;
  sl_udf_lib *lib = b->lib;
  binding_free(b);
  lib->refs--;
  lib_release(ld, lib);
}

/* Does the declaration at fi of lib have fn's signature? */
static bool same_signature(const sl_catalog_function *fn,
                           const sl_udf_lib *lib, int fi) {
  const sl_udf_decl_types *t = &lib->types[fi];
  bool aggregate = lib->decl->functions[fi].kind == SLUICE_UDF_AGGREGATE;
  if (aggregate != fn->aggregate || t->nargs != fn->nargs ||
      !sl_type_equal(t->ret, fn->returns))
    return false;
  for (int i = 0; i < t->nargs; i++)
    if (!sl_type_equal(t->args[i], fn->args[i]))
      return false;
  return true;
}

/* ------------------------------------------------------------------ */
/* The API                                                             */
/* ------------------------------------------------------------------ */

/* A new loader over reg. */
sl_udf_loader *sl_udf_loader_new(sl_func_registry *reg) {
  sl_udf_loader *ld = calloc(1, sizeof(*ld));
  if (ld)
    ld->reg = reg;
  return ld;
}

/* Unbinds everything and frees the loader. */
void sl_udf_loader_free(sl_udf_loader *ld) {
  if (!ld)
    return;
  while (ld->nbindings > 0)
    unbind_at(ld, ld->nbindings - 1);
  for (int i = 0; i < ld->nlibs; i++)
    lib_close(ld->libs[i]);
  free(ld->libs);
  free(ld->bindings);
  for (int i = 0; i < ld->ndirs; i++)
    free(ld->dirs[i]);
  free(ld->dirs);
  free(ld);
}

/* Binds a catalog function (see loader.h). */
sl_status sl_udf_bind(sl_udf_loader *ld, const sl_catalog_function *fn,
                      sl_error *err) {
  const char *symbol = fn->symbol && fn->symbol[0] ? fn->symbol : fn->name;
  sl_udf_lib *lib;
  sl_status rc = lib_get(ld, fn->library, &lib, err);
  if (rc != SL_OK)
    return rc;

  int fi = lib_find(lib, symbol);
  if (fi < 0) {
    rc = no_such_function(lib, symbol, err);
    lib_release(ld, lib);
    return rc;
  }
  if (!same_signature(fn, lib, fi)) {
    char sql[1024], decl[1024];
    const sl_udf_decl_types *t = &lib->types[fi];
    format_signature(fn->name, fn->nargs, fn->args, fn->returns,
                     fn->aggregate, sql, sizeof(sql));
    format_signature(lib->decl->functions[fi].name, t->nargs, t->args,
                     t->ret,
                     lib->decl->functions[fi].kind == SLUICE_UDF_AGGREGATE,
                     decl, sizeof(decl));
    rc = sl_error_set(err, SL_ERR_SQL,
                      "function %s does not match the signature %s "
                      "declared by UDF library \"%s\"", sql, decl,
                      lib->display);
    lib_release(ld, lib);
    return rc;
  }

  /* Already bound: the same binding again is a no-op. */
  int bi = binding_index(ld, fn->name);
  if (bi >= 0) {
    const sl_udf_binding *b = ld->bindings[bi];
    if (b->lib == lib && b->decl == &lib->decl->functions[fi])
      return SL_OK;
    rc = sl_error_set(err, SL_ERR_SQL,
                      "function \"%s\" is already bound to %s in UDF "
                      "library \"%s\"", b->lname, b->decl->name,
                      b->lib->display);
    lib_release(ld, lib);
    return rc;
  }

  rc = bind_one(ld, fn->name, lib, fi, err);
  if (rc != SL_OK)
    lib_release(ld, lib);
  return rc;
}

/* Unbinds a function (see loader.h). */
sl_status sl_udf_unbind(sl_udf_loader *ld, const char *name,
                        sl_error *err) {
  int i = binding_index(ld, name);
  if (i < 0) {
    char *lname = dup_lower(name);
    sl_status rc = sl_error_set(err, SL_ERR_SQL,
                                "no C function \"%s\" is loaded",
                                lname ? lname : name);
    free(lname);
    return rc;
  }
  unbind_at(ld, i);
  return SL_OK;
}

/* Loads a library and registers all its functions. */
sl_status sl_udf_load_library(sl_udf_loader *ld, const char *path,
                              int *nfuncs, sl_error *err) {
  if (nfuncs)
    *nfuncs = 0;
  sl_udf_lib *lib;
  sl_status rc = lib_get(ld, path, &lib, err);
  if (rc != SL_OK)
    return rc;

  int first = ld->nbindings;
  lib->refs++; /* hold the library while binding */
  for (int i = 0; i < lib->decl->nfunctions && rc == SL_OK; i++) {
    const char *name = lib->decl->functions[i].name;
    int bi = binding_index(ld, name);
    if (bi >= 0 && ld->bindings[bi]->lib == lib &&
        ld->bindings[bi]->decl == &lib->decl->functions[i])
      continue; /* loaded before */
    if (bi >= 0) {
      rc = sl_error_set(err, SL_ERR_SQL,
                        "UDF library \"%s\": function \"%s\" already "
                        "exists (from \"%s\")", path, name,
                        ld->bindings[bi]->lib->display);
      break;
    }
    rc = bind_one(ld, name, lib, i, err);
    if (rc != SL_OK)
      sl_error_prefix(err, "UDF library \"%s\"", path);
  }
  if (rc != SL_OK) {
    while (ld->nbindings > first)
      unbind_at(ld, ld->nbindings - 1);
  } else if (nfuncs) {
    *nfuncs = ld->nbindings - first;
  }
  lib->refs--;
  lib_release(ld, lib);
  return rc;
}

static int name_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the *.so regular files of dir, sorted. */
static sl_status list_libraries(const char *dir, char ***out, int *n,
                                sl_error *err) {
  *out = NULL;
  *n = 0;
  DIR *d = opendir(dir);
  if (!d)
    return sl_error_set(err, SL_ERR_IO, "cannot read UDF folder \"%s\": %s",
                        dir, strerror(errno));
  char **names = NULL;
  int count = 0, cap = 0;
  sl_status rc = SL_OK;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len <= 3 || strcmp(e->d_name + len - 3, ".so") != 0)
      continue;
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    if (!is_regular_file(path))
      continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 8;
      char **nn = realloc(names, sizeof(*nn) * (size_t)cap);
      if (!nn) {
        rc = nomem(err);
        break;
      }
      names = nn;
    }
    if (!(names[count] = dup_str(path))) {
      rc = nomem(err);
      break;
    }
    count++;
  }
  closedir(d);
  if (rc != SL_OK) {
    for (int i = 0; i < count; i++)
      free(names[i]);
    free(names);
    return rc;
  }
  if (count > 1)
    qsort(names, (size_t)count, sizeof(*names), name_cmp);
  *out = names;
  *n = count;
  return SL_OK;
}

/* Preloads every library of a folder (see loader.h). */
sl_status sl_udf_load_dir(sl_udf_loader *ld, const char *dir, int *nfuncs,
                          sl_error *err) {
  if (nfuncs)
    *nfuncs = 0;
  char **paths;
  int npaths;
  sl_status rc = list_libraries(dir, &paths, &npaths, err);
  if (rc != SL_OK)
    return rc;

  char **nd = realloc(ld->dirs, sizeof(*nd) * (size_t)(ld->ndirs + 1));
  char *copy = dup_str(dir);
  if (nd)
    ld->dirs = nd;
  if (!nd || !copy) {
    free(copy);
    for (int i = 0; i < npaths; i++)
      free(paths[i]);
    free(paths);
    return nomem(err);
  }
  ld->dirs[ld->ndirs++] = copy;

  int first = ld->nbindings;
  for (int i = 0; i < npaths && rc == SL_OK; i++)
    rc = sl_udf_load_library(ld, paths[i], NULL, err);
  for (int i = 0; i < npaths; i++)
    free(paths[i]);
  free(paths);
  if (rc != SL_OK) {
    while (ld->nbindings > first)
      unbind_at(ld, ld->nbindings - 1);
    free(ld->dirs[--ld->ndirs]);
    return rc;
  }
  if (nfuncs)
    *nfuncs = ld->nbindings - first;
  return SL_OK;
}

/* Whether name is bound. */
bool sl_udf_is_bound(const sl_udf_loader *ld, const char *name) {
  return binding_index(ld, name) >= 0;
}

/* Open libraries. */
int sl_udf_library_count(const sl_udf_loader *ld) { return ld->nlibs; }
