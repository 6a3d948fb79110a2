/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ast.c - names of the syntax tree's enum values, for dumps and messages.
 */
#include "parser/ast.h"

const char *sl_ast_stmt_kind_name(sl_ast_stmt_kind kind) {
  switch (kind) {
  case SL_AST_CREATE_STREAM: return "CREATE STREAM";
  case SL_AST_CREATE_TABLE: return "CREATE TABLE";
  case SL_AST_CREATE_STREAM_AS: return "CREATE STREAM AS";
  case SL_AST_CREATE_TABLE_AS: return "CREATE TABLE AS";
  case SL_AST_CREATE_TRAINING_SET: return "CREATE TRAINING SET";
  case SL_AST_INSERT_QUERY: return "INSERT INTO ... SELECT";
  case SL_AST_INSERT_VALUES: return "INSERT INTO ... VALUES";
  case SL_AST_LOAD: return "LOAD";
  case SL_AST_COPY: return "COPY";
  case SL_AST_CREATE_MODEL: return "CREATE MODEL";
  case SL_AST_EVALUATE_MODEL: return "EVALUATE MODEL";
  case SL_AST_CREATE_FUNCTION: return "CREATE FUNCTION";
  case SL_AST_DROP: return "DROP";
  case SL_AST_SHOW: return "SHOW";
  case SL_AST_DESCRIBE: return "DESCRIBE";
  case SL_AST_EXPLAIN: return "EXPLAIN";
  case SL_AST_TERMINATE: return "TERMINATE";
  case SL_AST_SET: return "SET";
  case SL_AST_UNSET: return "UNSET";
  case SL_AST_PRINT: return "PRINT";
  case SL_AST_QUERY: return "SELECT";
  }
  return "statement";
}

const char *sl_ast_binary_op_name(sl_ast_binary_op op) {
  switch (op) {
  case SL_AST_OR: return "OR";
  case SL_AST_AND: return "AND";
  case SL_AST_EQ: return "=";
  case SL_AST_NE: return "<>";
  case SL_AST_LT: return "<";
  case SL_AST_LE: return "<=";
  case SL_AST_GT: return ">";
  case SL_AST_GE: return ">=";
  case SL_AST_ADD: return "+";
  case SL_AST_SUB: return "-";
  case SL_AST_MUL: return "*";
  case SL_AST_DIV: return "/";
  case SL_AST_MOD: return "%";
  case SL_AST_CONCAT: return "||";
  }
  return "?";
}

const char *sl_ast_unary_op_name(sl_ast_unary_op op) {
  switch (op) {
  case SL_AST_NOT: return "NOT";
  case SL_AST_NEG: return "-";
  case SL_AST_PLUS: return "+";
  }
  return "?";
}

const char *sl_ast_object_kind_name(sl_ast_object_kind kind) {
  switch (kind) {
  case SL_AST_OBJ_STREAM: return "STREAM";
  case SL_AST_OBJ_TABLE: return "TABLE";
  case SL_AST_OBJ_MODEL: return "MODEL";
  case SL_AST_OBJ_FUNCTION: return "FUNCTION";
  case SL_AST_OBJ_TRAINING_SET: return "TRAINING SET";
  }
  return "OBJECT";
}

const char *sl_ast_show_kind_name(sl_ast_show_kind kind) {
  switch (kind) {
  case SL_AST_SHOW_STREAMS: return "STREAMS";
  case SL_AST_SHOW_TABLES: return "TABLES";
  case SL_AST_SHOW_MODELS: return "MODELS";
  case SL_AST_SHOW_FUNCTIONS: return "FUNCTIONS";
  case SL_AST_SHOW_QUERIES: return "QUERIES";
  case SL_AST_SHOW_TOPICS: return "TOPICS";
  case SL_AST_SHOW_TRAINING_SETS: return "TRAINING SETS";
  case SL_AST_SHOW_PROPERTIES: return "PROPERTIES";
  }
  return "?";
}

const char *sl_ast_interval_unit_name(sl_ast_interval_unit unit) {
  switch (unit) {
  case SL_AST_UNIT_MILLISECOND: return "MILLISECOND";
  case SL_AST_UNIT_SECOND: return "SECOND";
  case SL_AST_UNIT_MINUTE: return "MINUTE";
  case SL_AST_UNIT_HOUR: return "HOUR";
  case SL_AST_UNIT_DAY: return "DAY";
  case SL_AST_UNIT_WEEK: return "WEEK";
  }
  return "?";
}

int64_t sl_ast_interval_unit_ms(sl_ast_interval_unit unit) {
  switch (unit) {
  case SL_AST_UNIT_MILLISECOND: return 1;
  case SL_AST_UNIT_SECOND: return 1000;
  case SL_AST_UNIT_MINUTE: return 60 * 1000;
  case SL_AST_UNIT_HOUR: return 3600 * 1000;
  case SL_AST_UNIT_DAY: return INT64_C(86400000);
  case SL_AST_UNIT_WEEK: return INT64_C(7) * 86400000;
  }
  return 1;
}
