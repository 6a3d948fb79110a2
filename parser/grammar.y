/* SPDX-License-Identifier: Apache-2.0 */
/*
 * grammar.y - the lemon grammar of the Sluice SQL dialect.
 *
 * Each action is one call into the builder (ast_build.h), which allocates
 * the nodes from the parse result's arena.  Arena symbols need no
 * destructor: when a syntax error abandons them, the arena frees them with
 * the result.  The only heap symbols are types under construction
 * (typetoken, structfields); they have destructors, and a type is handed
 * to the parse result the moment it is attached to a node.
 *
 * Keywords listed in %fallback act as names wherever the keyword itself
 * would be a syntax error (columns named key, type, timestamp, size, ...).
 * The tables are generated uncompressed (lemon -c), so a keyword that is
 * valid in a state is always read as that keyword, never as a name.
 */

%name sl_grammar
%token_prefix SL_TK_
%token_type {sl_ast_token}
%extra_argument {sl_build *b}
%start_symbol script
%stack_size 1000

%include {
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "parser/ast_build.h"
}

%syntax_error {
  sl_build_syntax_error(b, yypParser, yymajor, &TOKEN);
}

%stack_overflow {
  sl_build_nesting_error(b);
}

/* The order of tokens below fixes their codes and so the order in which a
 * syntax error lists what it expected. */
%token SEMI LP RP COMMA ID STRING INTEGER DECIMAL FLOAT.

/* Non-reserved keywords: they serve as names where unambiguous. */
%fallback ID
  KEY TYPE TIMESTAMP DATE INTERVAL NULL TO
  MILLISECOND MILLISECONDS SECOND SECONDS MINUTE MINUTES HOUR HOURS
  DAY DAYS WEEK WEEKS
  STREAM STREAMS TABLE TABLES MODEL MODELS FUNCTION FUNCTIONS QUERIES
  TOPICS PROPERTIES TRAINING SETS SET UNSET PRINT LOAD COPY SHOW DESCRIBE
  EXPLAIN TERMINATE EVALUATE AGGREGATE IF PRIMARY CHECK WATERMARK FEATURES
  LABEL FILE VERSION RETURNS LANGUAGE SYMBOL DELETE TOPIC BEGINNING
  CHANGES FINAL SYSTEM_TIME OF WITHIN GRACE PERIOD TUMBLING HOPPING SESSION
  SIZE ADVANCE GAP PRECEDING CURRENT ROW RANGE ASC DESC PREDICT MAP STRUCT
  EXISTS OUTER.

/* Precedence, lowest first. */
%left OR.
%left AND.
%right NOT.
%left IS LIKE BETWEEN IN EQ NE LT LE GT GE.
%left CONCAT.
%left PLUS MINUS.
%left STAR SLASH PERCENT.
%right UMINUS.
%left DCOLON.
%left LBRACKET DOT.

/* ------------------------------------------------------------------ */
/* Scripts: statements separated by ';' (empty ones allowed); the last
 * may omit its ';'. */

script ::= stmtlist.
script ::= stmtlist cmd(C).               { sl_build_add_stmt(b, C, NULL); }
stmtlist ::= .
stmtlist ::= stmtlist SEMI.
stmtlist ::= stmtlist cmd(C) SEMI(S).     { sl_build_add_stmt(b, C, &S); }

%type cmd {sl_ast_stmt *}
%type stmt {sl_ast_stmt *}
cmd(A) ::= stmt(S).                       { A = S; }
cmd(A) ::= EXPLAIN(T) stmt(S).            { A = sl_build_explain(b, &T, S); }
cmd(A) ::= EXPLAIN(T) nm(N).              { A = sl_build_explain_id(b, &T, N); }

/* ------------------------------------------------------------------ */
/* Names, options and small pieces shared by statements. */

%type nm {sl_ast_name}
nm(A) ::= ID(T).                          { A = sl_build_name(&T); }

%type namelist {sl_ast_names *}
namelist(A) ::= nm(N).                    { A = sl_build_names(b, NULL, N); }
namelist(A) ::= namelist(L) COMMA nm(N).  { A = sl_build_names(b, L, N); }

%type ifnotexists {int}
ifnotexists(A) ::= .                      { A = 0; }
ifnotexists(A) ::= IF NOT EXISTS.         { A = 1; }

%type ifexists {int}
ifexists(A) ::= .                         { A = 0; }
ifexists(A) ::= IF EXISTS.                { A = 1; }

/* WITH (name = value, ...). */
%type with_opt {sl_ast_options *}
%type optlist {sl_ast_options *}
with_opt(A) ::= .                         { A = NULL; }
with_opt(A) ::= WITH LP optlist(L) RP.    { A = L; }
optlist(A) ::= nm(N) EQ expr(E).
    { A = sl_build_option(b, NULL, N, E); }
optlist(A) ::= optlist(L) COMMA nm(N) EQ expr(E).
    { A = sl_build_option(b, L, N, E); }

%type where_opt {sl_ast_expr *}
where_opt(A) ::= .                        { A = NULL; }
where_opt(A) ::= WHERE expr(E).           { A = E; }

/* ------------------------------------------------------------------ */
/* Types: a name (INT, VARCHAR, TIMESTAMP, ...), DECIMAL(p[, s]),
 * ARRAY<T>, MAP<VARCHAR, T>, STRUCT<name T, ...>.  Heap objects until
 * attached to a node. */

%type typetoken {sl_build_type}
%destructor typetoken { sl_type_free($$.type); }
typetoken(A) ::= nm(N).
    { A = sl_build_type_named(b, N, NULL, NULL); }
typetoken(A) ::= nm(N) LP INTEGER(P) RP.
    { A = sl_build_type_named(b, N, &P, NULL); }
typetoken(A) ::= nm(N) LP INTEGER(P) COMMA INTEGER(S) RP.
    { A = sl_build_type_named(b, N, &P, &S); }
typetoken(A) ::= ARRAY(T) LT typetoken(E) GT.
    { A = sl_build_type_array(b, &T, E); }
typetoken(A) ::= MAP(T) LT typetoken(K) COMMA typetoken(V) GT.
    { A = sl_build_type_map(b, &T, K, V); }
typetoken(A) ::= STRUCT(T) LT structfields(F) GT.
    { A = sl_build_type_struct(b, &T, F); }

%type structfields {sl_build_fields *}
%destructor structfields { sl_build_fields_free($$); }
structfields(A) ::= nm(N) typetoken(T).
    { A = sl_build_struct_field(b, NULL, N, T); }
structfields(A) ::= structfields(L) COMMA nm(N) typetoken(T).
    { A = sl_build_struct_field(b, L, N, T); }

/* ------------------------------------------------------------------ */
/* CREATE STREAM and CREATE TABLE, with columns or AS a query. */

stmt(A) ::= CREATE(T) STREAM ifnotexists(I) nm(N) LP elems(E) RP with_opt(W).
    { A = sl_build_create_source(b, &T, SL_AST_CREATE_STREAM, I, N, E, W); }
stmt(A) ::= CREATE(T) TABLE ifnotexists(I) nm(N) LP elems(E) RP with_opt(W).
    { A = sl_build_create_source(b, &T, SL_AST_CREATE_TABLE, I, N, E, W); }
stmt(A) ::= CREATE(T) STREAM ifnotexists(I) nm(N) with_opt(W) AS query(Q).
    { A = sl_build_create_as(b, &T, SL_AST_CREATE_STREAM_AS, I, N, W, Q); }
stmt(A) ::= CREATE(T) TABLE ifnotexists(I) nm(N) with_opt(W) AS query(Q).
    { A = sl_build_create_as(b, &T, SL_AST_CREATE_TABLE_AS, I, N, W, Q); }
stmt(A) ::= CREATE(T) TRAINING SET ifnotexists(I) nm(N) with_opt(W)
            AS query(Q).
    { A = sl_build_create_as(b, &T, SL_AST_CREATE_TRAINING_SET, I, N, W, Q); }

/* The parenthesized list: columns first, constraints among them. */
%type elems {sl_build_elems *}
elems(A) ::= coldef(C).
    { A = sl_build_elems_column(b, NULL, C); }
elems(A) ::= elems(L) COMMA coldef(C).
    { A = sl_build_elems_column(b, L, C); }
elems(A) ::= elems(L) COMMA CHECK(T) LP expr(E) RP.
    { A = sl_build_elems_check(b, L, &T, E); }
elems(A) ::= elems(L) COMMA WATERMARK(T) FOR nm(N) AS expr(E).
    { A = sl_build_elems_watermark(b, L, &T, N, E); }
elems(A) ::= elems(L) COMMA PRIMARY(T) KEY LP namelist(N) RP.
    { A = sl_build_elems_primary_key(b, L, &T, N); }

%type coldef {sl_ast_column_def *}
coldef(A) ::= nm(N) typetoken(T) colcons(C).
    { A = sl_build_column(b, N, T, C); }

/* Column constraints as bits: 1 NOT NULL, 2 PRIMARY KEY. */
%type colcons {int}
colcons(A) ::= .                          { A = 0; }
colcons(A) ::= colcons(C) NOT NULL.       { A = C | 1; }
colcons(A) ::= colcons(C) PRIMARY KEY.    { A = C | 2; }

/* ------------------------------------------------------------------ */
/* INSERT, LOAD, COPY. */

stmt(A) ::= INSERT(T) INTO nm(N) query(Q).
    { A = sl_build_insert_query(b, &T, N, Q); }
stmt(A) ::= INSERT(T) INTO nm(N) VALUES rows(R).
    { A = sl_build_insert_values(b, &T, N, NULL, R); }
stmt(A) ::= INSERT(T) INTO nm(N) LP namelist(C) RP VALUES rows(R).
    { A = sl_build_insert_values(b, &T, N, C, R); }

%type rows {sl_ast_rows *}
rows(A) ::= LP exprlist(E) RP.            { A = sl_build_rows(b, NULL, E); }
rows(A) ::= rows(L) COMMA LP exprlist(E) RP.
    { A = sl_build_rows(b, L, E); }

stmt(A) ::= LOAD(T) STRING(P) INTO nm(N) with_opt(W).
    { A = sl_build_load(b, &T, &P, N, W); }
stmt(A) ::= COPY(T) nm(N) TO STRING(P).
    { A = sl_build_copy(b, &T, N, &P); }

/* ------------------------------------------------------------------ */
/* Models: CREATE MODEL (trained, or FROM FILE), EVALUATE MODEL. */

stmt(A) ::= CREATE(T) MODEL ifnotexists(I) nm(N) TYPE nm(K)
            FEATURES LP features(F) RP LABEL expr(L) FROM nm(S)
            where_opt(W) with_opt(O).
    { A = sl_build_create_model(b, &T, I, N, K, F, L, S, W, NULL, O); }
stmt(A) ::= CREATE(T) MODEL ifnotexists(I) nm(N) TYPE nm(K)
            FROM FILE STRING(P) FEATURES LP features(F) RP with_opt(O).
    { A = sl_build_create_model(b, &T, I, N, K, F, NULL, sl_build_no_name(),
                                NULL, &P, O); }

%type features {sl_ast_features *}
features(A) ::= expr(E).
    { A = sl_build_feature(b, NULL, E, NULL); }
features(A) ::= expr(E) AS nm(N).
    { A = sl_build_feature(b, NULL, E, &N); }
features(A) ::= features(L) COMMA expr(E).
    { A = sl_build_feature(b, L, E, NULL); }
features(A) ::= features(L) COMMA expr(E) AS nm(N).
    { A = sl_build_feature(b, L, E, &N); }

stmt(A) ::= EVALUATE(T) MODEL modelrefs(M) ON nm(S) where_opt(W).
    { A = sl_build_evaluate(b, &T, M, S, W); }

%type modelrefs {sl_ast_model_refs *}
modelrefs(A) ::= nm(N).
    { A = sl_build_model_ref(b, NULL, N, NULL); }
modelrefs(A) ::= nm(N) VERSION INTEGER(V).
    { A = sl_build_model_ref(b, NULL, N, &V); }
modelrefs(A) ::= modelrefs(L) COMMA nm(N).
    { A = sl_build_model_ref(b, L, N, NULL); }
modelrefs(A) ::= modelrefs(L) COMMA nm(N) VERSION INTEGER(V).
    { A = sl_build_model_ref(b, L, N, &V); }

/* ------------------------------------------------------------------ */
/* CREATE [AGGREGATE] FUNCTION. */

stmt(A) ::= CREATE(T) aggregate(G) FUNCTION ifnotexists(I) nm(N)
            LP typelist(P) RP RETURNS typetoken(R) LANGUAGE nm(L)
            AS STRING(F) symbol_opt(S).
    { A = sl_build_create_function(b, &T, G, I, N, P, R, L, &F, S); }

%type aggregate {int}
aggregate(A) ::= .                        { A = 0; }
aggregate(A) ::= AGGREGATE.               { A = 1; }

/* Argument types go to the parse result as they are listed. */
%type typelist {sl_ast_types *}
typelist(A) ::= .                         { A = sl_build_types(b, NULL, NULL); }
typelist(A) ::= typelist1(L).             { A = L; }
%type typelist1 {sl_ast_types *}
typelist1(A) ::= typetoken(T).            { A = sl_build_types(b, NULL, &T); }
typelist1(A) ::= typelist1(L) COMMA typetoken(T).
    { A = sl_build_types(b, L, &T); }

%type symbol_opt {sl_ast_token *}
symbol_opt(A) ::= .                       { A = NULL; }
symbol_opt(A) ::= SYMBOL STRING(S).       { A = sl_build_token_copy(b, &S); }

/* ------------------------------------------------------------------ */
/* DROP, SHOW, DESCRIBE, TERMINATE, SET, UNSET, PRINT. */

stmt(A) ::= DROP(T) objkind(K) ifexists(I) nm(N) deltopic(D).
    { A = sl_build_drop(b, &T, K, I, N, D); }

%type objkind {int}
objkind(A) ::= STREAM.                    { A = SL_AST_OBJ_STREAM; }
objkind(A) ::= TABLE.                     { A = SL_AST_OBJ_TABLE; }
objkind(A) ::= MODEL.                     { A = SL_AST_OBJ_MODEL; }
objkind(A) ::= FUNCTION.                  { A = SL_AST_OBJ_FUNCTION; }
objkind(A) ::= TRAINING SET.              { A = SL_AST_OBJ_TRAINING_SET; }

%type deltopic {int}
deltopic(A) ::= .                         { A = 0; }
deltopic(A) ::= DELETE TOPIC.             { A = 1; }

stmt(A) ::= SHOW(T) showkind(K).          { A = sl_build_show(b, &T, K); }

%type showkind {int}
showkind(A) ::= STREAMS.                  { A = SL_AST_SHOW_STREAMS; }
showkind(A) ::= TABLES.                   { A = SL_AST_SHOW_TABLES; }
showkind(A) ::= MODELS.                   { A = SL_AST_SHOW_MODELS; }
showkind(A) ::= FUNCTIONS.                { A = SL_AST_SHOW_FUNCTIONS; }
showkind(A) ::= QUERIES.                  { A = SL_AST_SHOW_QUERIES; }
showkind(A) ::= TOPICS.                   { A = SL_AST_SHOW_TOPICS; }
showkind(A) ::= TRAINING SETS.            { A = SL_AST_SHOW_TRAINING_SETS; }
showkind(A) ::= PROPERTIES.               { A = SL_AST_SHOW_PROPERTIES; }

stmt(A) ::= DESCRIBE(T) nm(N).
    { A = sl_build_describe(b, &T, N, 0); }
stmt(A) ::= DESCRIBE(T) FUNCTION nm(N).
    { A = sl_build_describe(b, &T, N, 1); }

stmt(A) ::= TERMINATE(T) nm(N).           { A = sl_build_terminate(b, &T, &N); }
stmt(A) ::= TERMINATE(T) ALL.
    { A = sl_build_terminate(b, &T, NULL); }

stmt(A) ::= SET(T) STRING(P) EQ setvalue(V).
    { A = sl_build_set(b, &T, &P, &V); }
stmt(A) ::= UNSET(T) STRING(P).           { A = sl_build_set(b, &T, &P, NULL); }

%type setvalue {sl_ast_token}
setvalue(A) ::= STRING(V).                { A = V; }
setvalue(A) ::= INTEGER(V).               { A = V; }
setvalue(A) ::= DECIMAL(V).               { A = V; }
setvalue(A) ::= FLOAT(V).                 { A = V; }
setvalue(A) ::= TRUE(V).                  { A = V; }
setvalue(A) ::= FALSE(V).                 { A = V; }

stmt(A) ::= PRINT(T) STRING(P) frombegin(F) limit_opt(L).
    { A = sl_build_print(b, &T, &P, F, L); }
stmt(A) ::= PRINT(T) ID(P) frombegin(F) limit_opt(L).
    { A = sl_build_print(b, &T, &P, F, L); }

%type frombegin {int}
frombegin(A) ::= .                        { A = 0; }
frombegin(A) ::= FROM BEGINNING.          { A = 1; }

/* ------------------------------------------------------------------ */
/* Queries. */

stmt(A) ::= query(Q).                     { A = sl_build_query_stmt(b, Q); }

%type query {sl_ast_query *}
query(A) ::= ctes_opt(C) selects(S) emit_opt(E) limit_opt(L).
    { A = sl_build_query(b, C, S, E, L); }

%type ctes_opt {sl_build_with}
%type ctes {sl_ast_ctes *}
ctes_opt(A) ::= .                         { A = sl_build_with_none(); }
ctes_opt(A) ::= WITH(T) ctes(C).          { A = sl_build_with_of(&T, C); }
ctes(A) ::= nm(N) AS LP query(Q) RP.      { A = sl_build_cte(b, NULL, N, Q); }
ctes(A) ::= ctes(L) COMMA nm(N) AS LP query(Q) RP.
    { A = sl_build_cte(b, L, N, Q); }

%type selects {sl_ast_selects *}
selects(A) ::= select(S).                 { A = sl_build_selects(b, NULL, S); }
selects(A) ::= selects(L) UNION ALL select(S).
    { A = sl_build_selects(b, L, S); }

%type emit_opt {sl_build_emit}
emit_opt(A) ::= .                         { A = sl_build_emit_none(); }
emit_opt(A) ::= EMIT(T) CHANGES.
    { A = sl_build_emit_of(&T, SL_AST_EMIT_CHANGES); }
emit_opt(A) ::= EMIT(T) FINAL.
    { A = sl_build_emit_of(&T, SL_AST_EMIT_FINAL); }

%type limit_opt {sl_ast_token *}
limit_opt(A) ::= .                        { A = NULL; }
limit_opt(A) ::= LIMIT INTEGER(N).        { A = sl_build_token_copy(b, &N); }

/* One SELECT block. */
%type select {sl_ast_select *}
select(A) ::= SELECT(T) selitems(I) from_opt(F) where_opt(W) windows(N)
              groupby_opt(G) having_opt(H).
    { A = sl_build_select(b, &T, I, F, W, N, G, H); }

%type selitems {sl_ast_select_items *}
selitems(A) ::= selitem(I).               { A = sl_build_selitems(b, NULL, I); }
selitems(A) ::= selitems(L) COMMA selitem(I).
    { A = sl_build_selitems(b, L, I); }

%type selitem {sl_ast_select_item *}
selitem(A) ::= expr(E).
    { A = sl_build_selitem_expr(b, E, NULL); }
selitem(A) ::= expr(E) AS nm(N).
    { A = sl_build_selitem_expr(b, E, &N); }
selitem(A) ::= STAR(T).
    { A = sl_build_selitem_star(b, &T, NULL); }
selitem(A) ::= expr(E) DOT STAR(T).
    { A = sl_build_selitem_star(b, &T, E); }

/* FROM: sources and joins, nesting to the left. */
%type from_opt {sl_ast_from *}
from_opt(A) ::= .                         { A = NULL; }
from_opt(A) ::= FROM fromitem(F).         { A = F; }

%type fromitem {sl_ast_from *}
fromitem(A) ::= source(S).                { A = S; }
fromitem(A) ::= fromitem(L) jointype(K) JOIN(T) source(R) systime_opt(S)
                within_opt(W) grace_opt(G) ON expr(E).
    { A = sl_build_join(b, &T, K, L, R, S, &W, G, E); }

%type source {sl_ast_from *}
source(A) ::= nm(N) alias_opt(L).         { A = sl_build_source(b, N, L); }
source(A) ::= LP(T) query(Q) RP alias_opt(L).
    { A = sl_build_subquery(b, &T, Q, L); }

%type alias_opt {sl_ast_name}
alias_opt(A) ::= .                        { A = sl_build_no_name(); }
alias_opt(A) ::= nm(N).                   { A = N; }
alias_opt(A) ::= AS nm(N).                { A = N; }

%type jointype {int}
jointype(A) ::= .                         { A = SL_AST_JOIN_INNER; }
jointype(A) ::= INNER.                    { A = SL_AST_JOIN_INNER; }
jointype(A) ::= LEFT.                     { A = SL_AST_JOIN_LEFT; }
jointype(A) ::= LEFT OUTER.               { A = SL_AST_JOIN_LEFT; }
jointype(A) ::= RIGHT.                    { A = SL_AST_JOIN_RIGHT; }
jointype(A) ::= RIGHT OUTER.              { A = SL_AST_JOIN_RIGHT; }
jointype(A) ::= FULL.                     { A = SL_AST_JOIN_FULL; }
jointype(A) ::= FULL OUTER.               { A = SL_AST_JOIN_FULL; }

%type systime_opt {sl_ast_expr *}
systime_opt(A) ::= .                      { A = NULL; }
systime_opt(A) ::= FOR SYSTEM_TIME AS OF expr(E).
    { A = E; }

%type within_opt {sl_build_within}
within_opt(A) ::= .                       { A = sl_build_within_none(); }
within_opt(A) ::= WITHIN(T) expr(E).
    { A = sl_build_within_of(&T, E, NULL); }
within_opt(A) ::= WITHIN(T) LP expr(X) COMMA expr(Y) RP.
    { A = sl_build_within_of(&T, X, Y); }

%type grace_opt {sl_ast_expr *}
grace_opt(A) ::= .                        { A = NULL; }
grace_opt(A) ::= GRACE PERIOD expr(E).    { A = E; }

/* WINDOW TUMBLING|HOPPING|SESSION (...) and named windows. */
%type windows {sl_build_windows *}
windows(A) ::= .                          { A = NULL; }
windows(A) ::= WINDOW timewin(W).
    { A = sl_build_windows_of(b, W, NULL); }
windows(A) ::= WINDOW timewin(W) WINDOW namedwins(N).
    { A = sl_build_windows_of(b, W, N); }
windows(A) ::= WINDOW namedwins(N).
    { A = sl_build_windows_of(b, NULL, N); }

%type timewin {sl_ast_window *}
timewin(A) ::= TUMBLING(T) LP wopts(W) RP.
    { A = sl_build_window_kind(b, &T, SL_AST_WINDOW_TUMBLING, W); }
timewin(A) ::= HOPPING(T) LP wopts(W) RP.
    { A = sl_build_window_kind(b, &T, SL_AST_WINDOW_HOPPING, W); }
timewin(A) ::= SESSION(T) LP wopts(W) RP.
    { A = sl_build_window_kind(b, &T, SL_AST_WINDOW_SESSION, W); }

%type wopts {sl_ast_window *}
wopts(A) ::= wopt(O).
    { A = sl_build_window_opt(b, NULL, O); }
wopts(A) ::= wopts(W) COMMA wopt(O).      { A = sl_build_window_opt(b, W, O); }

%type wopt {sl_build_wopt}
wopt(A) ::= SIZE(T) expr(E).              { A = sl_build_wopt_of(&T, 0, E); }
wopt(A) ::= ADVANCE(T) BY expr(E).        { A = sl_build_wopt_of(&T, 1, E); }
wopt(A) ::= GAP(T) expr(E).               { A = sl_build_wopt_of(&T, 2, E); }
wopt(A) ::= GRACE(T) PERIOD expr(E).      { A = sl_build_wopt_of(&T, 3, E); }

%type namedwins {sl_ast_named_windows *}
namedwins(A) ::= nm(N) AS LP winspec(S) RP.
    { A = sl_build_named_window(b, NULL, N, S); }
namedwins(A) ::= namedwins(L) COMMA nm(N) AS LP winspec(S) RP.
    { A = sl_build_named_window(b, L, N, S); }

/* The window of OVER (...): PARTITION BY, ORDER BY, RANGE. */
%type winspec {sl_ast_window_spec *}
winspec(A) ::= partition_opt(P) orderby_opt(O) range_opt(R).
    { A = sl_build_window_spec(b, P, O, R); }

%type partition_opt {sl_ast_exprs *}
partition_opt(A) ::= .                    { A = NULL; }
partition_opt(A) ::= PARTITION BY exprlist(E).
    { A = E; }

%type orderby_opt {sl_ast_order_items *}
orderby_opt(A) ::= .                      { A = NULL; }
orderby_opt(A) ::= ORDER BY orderlist(L). { A = L; }

%type orderlist {sl_ast_order_items *}
orderlist(A) ::= expr(E) dir(D).          { A = sl_build_order(b, NULL, E, D); }
orderlist(A) ::= orderlist(L) COMMA expr(E) dir(D).
    { A = sl_build_order(b, L, E, D); }

%type dir {int}
dir(A) ::= .                              { A = 0; }
dir(A) ::= ASC.                           { A = 0; }
dir(A) ::= DESC.                          { A = 1; }

%type range_opt {sl_build_range}
range_opt(A) ::= .                        { A = sl_build_range_none(); }
range_opt(A) ::= RANGE(T) BETWEEN expr(E) PRECEDING AND CURRENT ROW.
    { A = sl_build_range_of(&T, E); }

%type groupby_opt {sl_build_group}
groupby_opt(A) ::= .                      { A = sl_build_group_none(); }
groupby_opt(A) ::= GROUP(T) BY exprlist(E).
    { A = sl_build_group_of(&T, E); }

%type having_opt {sl_ast_expr *}
having_opt(A) ::= .                       { A = NULL; }
having_opt(A) ::= HAVING expr(E).         { A = E; }

/* ------------------------------------------------------------------ */
/* Expressions, by precedence (declared above). */

%type expr {sl_ast_expr *}
%type term {sl_ast_expr *}
expr(A) ::= term(T).                      { A = T; }
expr(A) ::= expr(L) OR(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_OR, L, R); }
expr(A) ::= expr(L) AND(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_AND, L, R); }
expr(A) ::= NOT(T) expr(E).
    { A = sl_build_unary(b, &T, SL_AST_NOT, E); }
expr(A) ::= expr(L) EQ(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_EQ, L, R); }
expr(A) ::= expr(L) NE(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_NE, L, R); }
expr(A) ::= expr(L) LT(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_LT, L, R); }
expr(A) ::= expr(L) LE(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_LE, L, R); }
expr(A) ::= expr(L) GT(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_GT, L, R); }
expr(A) ::= expr(L) GE(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_GE, L, R); }
expr(A) ::= expr(L) CONCAT(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_CONCAT, L, R); }
expr(A) ::= expr(L) PLUS(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_ADD, L, R); }
expr(A) ::= expr(L) MINUS(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_SUB, L, R); }
expr(A) ::= expr(L) STAR(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_MUL, L, R); }
expr(A) ::= expr(L) SLASH(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_DIV, L, R); }
expr(A) ::= expr(L) PERCENT(T) expr(R).
    { A = sl_build_binary(b, &T, SL_AST_MOD, L, R); }
expr(A) ::= MINUS(T) expr(E). [UMINUS]
    { A = sl_build_unary(b, &T, SL_AST_NEG, E); }
expr(A) ::= PLUS(T) expr(E). [UMINUS]
    { A = sl_build_unary(b, &T, SL_AST_PLUS, E); }

/* IS [NOT] NULL, [NOT] BETWEEN, [NOT] IN, [NOT] LIKE. */
expr(A) ::= expr(E) IS(T) NULL.           { A = sl_build_is_null(b, &T, E, 0); }
expr(A) ::= expr(E) IS(T) NOT NULL.       { A = sl_build_is_null(b, &T, E, 1); }
expr(A) ::= expr(E) BETWEEN(T) expr(L) AND expr(H). [BETWEEN]
    { A = sl_build_between(b, &T, E, L, H, 0); }
expr(A) ::= expr(E) NOT(T) BETWEEN expr(L) AND expr(H). [BETWEEN]
    { A = sl_build_between(b, &T, E, L, H, 1); }
expr(A) ::= expr(E) IN(T) LP exprlist(L) RP. [IN]
    { A = sl_build_in(b, &T, E, L, 0); }
expr(A) ::= expr(E) NOT(T) IN LP exprlist(L) RP. [IN]
    { A = sl_build_in(b, &T, E, L, 1); }
expr(A) ::= expr(E) LIKE(T) expr(P). [LIKE]
    { A = sl_build_like(b, &T, E, P, 0); }
expr(A) ::= expr(E) NOT(T) LIKE expr(P). [LIKE]
    { A = sl_build_like(b, &T, E, P, 1); }

/* Casts, subscripts, field access. */
expr(A) ::= expr(E) DCOLON(T) typetoken(Y).
    { A = sl_build_cast(b, &T, E, Y, 1); }
expr(A) ::= expr(E) LBRACKET(T) expr(I) RBRACKET.
    { A = sl_build_subscript(b, &T, E, I); }
expr(A) ::= expr(E) DOT nm(N).
    { A = sl_build_field_access(b, E, N); }

/* Literals. */
term(A) ::= INTEGER(T).
    { A = sl_build_number(b, &T, SL_AST_LIT_INTEGER); }
term(A) ::= DECIMAL(T).
    { A = sl_build_number(b, &T, SL_AST_LIT_DECIMAL); }
term(A) ::= FLOAT(T).
    { A = sl_build_number(b, &T, SL_AST_LIT_DOUBLE); }
term(A) ::= STRING(T).
    { A = sl_build_string(b, &T, SL_AST_LIT_STRING); }
term(A) ::= TRUE(T).                      { A = sl_build_boolean(b, &T, 1); }
term(A) ::= FALSE(T).                     { A = sl_build_boolean(b, &T, 0); }
term(A) ::= NULL(T).                      { A = sl_build_null(b, &T); }
term(A) ::= TIMESTAMP(K) STRING(T).
    { A = sl_build_typed_string(b, &K, &T, SL_AST_LIT_TIMESTAMP); }
term(A) ::= DATE(K) STRING(T).
    { A = sl_build_typed_string(b, &K, &T, SL_AST_LIT_DATE); }
term(A) ::= INTERVAL(K) STRING(T) unit(U).
    { A = sl_build_interval(b, &K, &T, U); }
term(A) ::= INTEGER(T) unit(U).
    { A = sl_build_interval(b, NULL, &T, U); }
term(A) ::= DECIMAL(T) unit(U).
    { A = sl_build_interval(b, NULL, &T, U); }

%type unit {int}
unit(A) ::= MILLISECOND.                  { A = SL_AST_UNIT_MILLISECOND; }
unit(A) ::= MILLISECONDS.                 { A = SL_AST_UNIT_MILLISECOND; }
unit(A) ::= SECOND.                       { A = SL_AST_UNIT_SECOND; }
unit(A) ::= SECONDS.                      { A = SL_AST_UNIT_SECOND; }
unit(A) ::= MINUTE.                       { A = SL_AST_UNIT_MINUTE; }
unit(A) ::= MINUTES.                      { A = SL_AST_UNIT_MINUTE; }
unit(A) ::= HOUR.                         { A = SL_AST_UNIT_HOUR; }
unit(A) ::= HOURS.                        { A = SL_AST_UNIT_HOUR; }
unit(A) ::= DAY.                          { A = SL_AST_UNIT_DAY; }
unit(A) ::= DAYS.                         { A = SL_AST_UNIT_DAY; }
unit(A) ::= WEEK.                         { A = SL_AST_UNIT_WEEK; }
unit(A) ::= WEEKS.                        { A = SL_AST_UNIT_WEEK; }

/* Column references; the keywords that start typed literals serve as
 * column names when no string follows. */
term(A) ::= nm(N).                        { A = sl_build_column_ref(b, N); }
term(A) ::= TIMESTAMP(T).
    { A = sl_build_column_ref(b, sl_build_name(&T)); }
term(A) ::= DATE(T).
    { A = sl_build_column_ref(b, sl_build_name(&T)); }
term(A) ::= INTERVAL(T).
    { A = sl_build_column_ref(b, sl_build_name(&T)); }

term(A) ::= LP expr(E) RP.                { A = E; }

/* CASE, CAST, ARRAY[...], EXTRACT, PREDICT. */
term(A) ::= CASE(T) case_operand(O) whens(W) else_opt(E) END.
    { A = sl_build_case(b, &T, O, W, E); }

%type case_operand {sl_ast_expr *}
case_operand(A) ::= .                     { A = NULL; }
case_operand(A) ::= expr(E).              { A = E; }

%type whens {sl_ast_whens *}
whens(A) ::= WHEN(T) expr(W) THEN expr(E).
    { A = sl_build_when(b, NULL, &T, W, E); }
whens(A) ::= whens(L) WHEN(T) expr(W) THEN expr(E).
    { A = sl_build_when(b, L, &T, W, E); }

%type else_opt {sl_ast_expr *}
else_opt(A) ::= .                         { A = NULL; }
else_opt(A) ::= ELSE expr(E).             { A = E; }

term(A) ::= CAST(T) LP expr(E) AS typetoken(Y) RP.
    { A = sl_build_cast(b, &T, E, Y, 0); }
term(A) ::= ARRAY(T) LBRACKET RBRACKET.   { A = sl_build_array(b, &T, NULL); }
term(A) ::= ARRAY(T) LBRACKET exprlist(E) RBRACKET.
    { A = sl_build_array(b, &T, E); }
term(A) ::= EXTRACT(T) LP nm(P) FROM expr(E) RP.
    { A = sl_build_extract(b, &T, P, E); }
term(A) ::= PREDICT(T) LP nm(M) RP.
    { A = sl_build_predict(b, &T, M, NULL, NULL); }
term(A) ::= PREDICT(T) LP nm(M) VERSION INTEGER(V) RP.
    { A = sl_build_predict(b, &T, M, &V, NULL); }
term(A) ::= PREDICT(T) LP nm(M) COMMA exprlist(E) RP.
    { A = sl_build_predict(b, &T, M, NULL, E); }
term(A) ::= PREDICT(T) LP nm(M) VERSION INTEGER(V) COMMA exprlist(E) RP.
    { A = sl_build_predict(b, &T, M, &V, E); }

/* Function calls: f(), f(args), f(DISTINCT args), COUNT(*), each with an
 * optional OVER. */
term(A) ::= nm(N) LP RP over(O).
    { A = sl_build_call(b, N, NULL, 0, 0, O); }
term(A) ::= nm(N) LP exprlist(E) RP over(O).
    { A = sl_build_call(b, N, E, 0, 0, O); }
term(A) ::= nm(N) LP DISTINCT exprlist(E) RP over(O).
    { A = sl_build_call(b, N, E, 1, 0, O); }
term(A) ::= nm(N) LP STAR RP over(O).
    { A = sl_build_call(b, N, NULL, 0, 1, O); }

%type over {sl_build_over}
over(A) ::= .                             { A = sl_build_over_none(); }
over(A) ::= OVER LP winspec(S) RP.        { A = sl_build_over_spec(S); }
over(A) ::= OVER nm(N).                   { A = sl_build_over_name(N); }

%type exprlist {sl_ast_exprs *}
exprlist(A) ::= expr(E).                  { A = sl_build_exprs(b, NULL, E); }
exprlist(A) ::= exprlist(L) COMMA expr(E).
    { A = sl_build_exprs(b, L, E); }

%code {
/* ------------------------------------------------------------------ */
/* What the parser would accept next, for syntax error messages. */

/* The action for terminal `la` in `state`, without fallback: a keyword is
 * only expected where it is valid as itself. */
static YYACTIONTYPE grammar_action(YYCODETYPE la, YYACTIONTYPE state) {
  if (state > YY_MAX_SHIFT)
    return state;
  int i = yy_shift_ofst[state] + la;
  if (yy_lookahead[i] != la)
    return yy_default[state];
  return yy_action[i];
}

/* True when the parser, in its current state, would shift `la` after
 * whatever reductions it leads to.  The reductions run on a copy of the
 * state stack. */
static int grammar_accepts(const yyParser *p, YYCODETYPE la) {
  YYACTIONTYPE st[YYSTACKDEPTH + 2];
  int top = (int)(p->yytos - p->yystack);

  for (int i = 0; i <= top; i++)
    st[i] = p->yystack[i].stateno;
  YYACTIONTYPE act = st[top];
  for (int steps = 0; steps < 10000; steps++) {
    act = grammar_action(la, act);
    if (act >= YY_MIN_REDUCE) {
      unsigned rule = act - YY_MIN_REDUCE;
      int size = yyRuleInfoNRhs[rule];
      if (top + size < 0 || top + size + 1 > YYSTACKDEPTH)
        return 0;
      act = yy_find_reduce_action(st[top + size],
                                  (YYCODETYPE)yyRuleInfoLhs[rule]);
      top += size + 1;
      st[top] = act;
      continue;
    }
    return act <= YY_MAX_SHIFTREDUCE || act == YY_ACCEPT_ACTION;
  }
  return 0;
}

int sl_grammar_expected(const void *parser, int *expected, int max) {
  const yyParser *p = parser;
  int n = 0;
  for (int t = 1; t < YYNTOKEN && n < max; t++) {
    if (grammar_accepts(p, (YYCODETYPE)t))
      expected[n++] = t;
  }
  return n;
}
}
