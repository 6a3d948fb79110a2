/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keywords.c - the keywords of the dialect and the names of grammar
 * tokens.
 *
 * The lexer hands the parser bare words; sl_parse_keyword_code decides
 * whether a word is a keyword (a binary search over the table below, which
 * must stay sorted and list every keyword terminal of grammar.y).
 * sl_parse_token_name spells a token for syntax error messages.
 */
#include "parser/keywords.h"

#include <string.h>

#include "parser/grammar.h"
#include "parser/parser.h"

typedef struct keyword {
  const char *word;   /* lower case */
  const char *quoted; /* as messages show it */
  int code;
} keyword;

static const keyword keywords[] = {
    {"advance", "\"ADVANCE\"", SL_TK_ADVANCE},
    {"aggregate", "\"AGGREGATE\"", SL_TK_AGGREGATE},
    {"all", "\"ALL\"", SL_TK_ALL},
    {"and", "\"AND\"", SL_TK_AND},
    {"array", "\"ARRAY\"", SL_TK_ARRAY},
    {"as", "\"AS\"", SL_TK_AS},
    {"asc", "\"ASC\"", SL_TK_ASC},
    {"beginning", "\"BEGINNING\"", SL_TK_BEGINNING},
    {"between", "\"BETWEEN\"", SL_TK_BETWEEN},
    {"by", "\"BY\"", SL_TK_BY},
    {"case", "\"CASE\"", SL_TK_CASE},
    {"cast", "\"CAST\"", SL_TK_CAST},
    {"changes", "\"CHANGES\"", SL_TK_CHANGES},
    {"check", "\"CHECK\"", SL_TK_CHECK},
    {"copy", "\"COPY\"", SL_TK_COPY},
    {"create", "\"CREATE\"", SL_TK_CREATE},
    {"current", "\"CURRENT\"", SL_TK_CURRENT},
    {"date", "\"DATE\"", SL_TK_DATE},
    {"day", "\"DAY\"", SL_TK_DAY},
    {"days", "\"DAYS\"", SL_TK_DAYS},
    {"delete", "\"DELETE\"", SL_TK_DELETE},
    {"desc", "\"DESC\"", SL_TK_DESC},
    {"describe", "\"DESCRIBE\"", SL_TK_DESCRIBE},
    {"distinct", "\"DISTINCT\"", SL_TK_DISTINCT},
    {"drop", "\"DROP\"", SL_TK_DROP},
    {"else", "\"ELSE\"", SL_TK_ELSE},
    {"emit", "\"EMIT\"", SL_TK_EMIT},
    {"end", "\"END\"", SL_TK_END},
    {"evaluate", "\"EVALUATE\"", SL_TK_EVALUATE},
    {"exists", "\"EXISTS\"", SL_TK_EXISTS},
    {"explain", "\"EXPLAIN\"", SL_TK_EXPLAIN},
    {"extract", "\"EXTRACT\"", SL_TK_EXTRACT},
    {"false", "\"FALSE\"", SL_TK_FALSE},
    {"features", "\"FEATURES\"", SL_TK_FEATURES},
    {"file", "\"FILE\"", SL_TK_FILE},
    {"final", "\"FINAL\"", SL_TK_FINAL},
    {"for", "\"FOR\"", SL_TK_FOR},
    {"from", "\"FROM\"", SL_TK_FROM},
    {"full", "\"FULL\"", SL_TK_FULL},
    {"function", "\"FUNCTION\"", SL_TK_FUNCTION},
    {"functions", "\"FUNCTIONS\"", SL_TK_FUNCTIONS},
    {"gap", "\"GAP\"", SL_TK_GAP},
    {"grace", "\"GRACE\"", SL_TK_GRACE},
    {"group", "\"GROUP\"", SL_TK_GROUP},
    {"having", "\"HAVING\"", SL_TK_HAVING},
    {"hopping", "\"HOPPING\"", SL_TK_HOPPING},
    {"hour", "\"HOUR\"", SL_TK_HOUR},
    {"hours", "\"HOURS\"", SL_TK_HOURS},
    {"if", "\"IF\"", SL_TK_IF},
    {"in", "\"IN\"", SL_TK_IN},
    {"inner", "\"INNER\"", SL_TK_INNER},
    {"insert", "\"INSERT\"", SL_TK_INSERT},
    {"interval", "\"INTERVAL\"", SL_TK_INTERVAL},
    {"into", "\"INTO\"", SL_TK_INTO},
    {"is", "\"IS\"", SL_TK_IS},
    {"join", "\"JOIN\"", SL_TK_JOIN},
    {"key", "\"KEY\"", SL_TK_KEY},
    {"label", "\"LABEL\"", SL_TK_LABEL},
    {"language", "\"LANGUAGE\"", SL_TK_LANGUAGE},
    {"left", "\"LEFT\"", SL_TK_LEFT},
    {"like", "\"LIKE\"", SL_TK_LIKE},
    {"limit", "\"LIMIT\"", SL_TK_LIMIT},
    {"load", "\"LOAD\"", SL_TK_LOAD},
    {"map", "\"MAP\"", SL_TK_MAP},
    {"millisecond", "\"MILLISECOND\"", SL_TK_MILLISECOND},
    {"milliseconds", "\"MILLISECONDS\"", SL_TK_MILLISECONDS},
    {"minute", "\"MINUTE\"", SL_TK_MINUTE},
    {"minutes", "\"MINUTES\"", SL_TK_MINUTES},
    {"model", "\"MODEL\"", SL_TK_MODEL},
    {"models", "\"MODELS\"", SL_TK_MODELS},
    {"not", "\"NOT\"", SL_TK_NOT},
    {"null", "\"NULL\"", SL_TK_NULL},
    {"of", "\"OF\"", SL_TK_OF},
    {"on", "\"ON\"", SL_TK_ON},
    {"or", "\"OR\"", SL_TK_OR},
    {"order", "\"ORDER\"", SL_TK_ORDER},
    {"outer", "\"OUTER\"", SL_TK_OUTER},
    {"over", "\"OVER\"", SL_TK_OVER},
    {"partition", "\"PARTITION\"", SL_TK_PARTITION},
    {"period", "\"PERIOD\"", SL_TK_PERIOD},
    {"preceding", "\"PRECEDING\"", SL_TK_PRECEDING},
    {"predict", "\"PREDICT\"", SL_TK_PREDICT},
    {"primary", "\"PRIMARY\"", SL_TK_PRIMARY},
    {"print", "\"PRINT\"", SL_TK_PRINT},
    {"properties", "\"PROPERTIES\"", SL_TK_PROPERTIES},
    {"queries", "\"QUERIES\"", SL_TK_QUERIES},
    {"range", "\"RANGE\"", SL_TK_RANGE},
    {"returns", "\"RETURNS\"", SL_TK_RETURNS},
    {"right", "\"RIGHT\"", SL_TK_RIGHT},
    {"row", "\"ROW\"", SL_TK_ROW},
    {"second", "\"SECOND\"", SL_TK_SECOND},
    {"seconds", "\"SECONDS\"", SL_TK_SECONDS},
    {"select", "\"SELECT\"", SL_TK_SELECT},
    {"session", "\"SESSION\"", SL_TK_SESSION},
    {"set", "\"SET\"", SL_TK_SET},
    {"sets", "\"SETS\"", SL_TK_SETS},
    {"show", "\"SHOW\"", SL_TK_SHOW},
    {"size", "\"SIZE\"", SL_TK_SIZE},
    {"stream", "\"STREAM\"", SL_TK_STREAM},
    {"streams", "\"STREAMS\"", SL_TK_STREAMS},
    {"struct", "\"STRUCT\"", SL_TK_STRUCT},
    {"symbol", "\"SYMBOL\"", SL_TK_SYMBOL},
    {"system_time", "\"SYSTEM_TIME\"", SL_TK_SYSTEM_TIME},
    {"table", "\"TABLE\"", SL_TK_TABLE},
    {"tables", "\"TABLES\"", SL_TK_TABLES},
    {"terminate", "\"TERMINATE\"", SL_TK_TERMINATE},
    {"then", "\"THEN\"", SL_TK_THEN},
    {"timestamp", "\"TIMESTAMP\"", SL_TK_TIMESTAMP},
    {"to", "\"TO\"", SL_TK_TO},
    {"topic", "\"TOPIC\"", SL_TK_TOPIC},
    {"topics", "\"TOPICS\"", SL_TK_TOPICS},
    {"training", "\"TRAINING\"", SL_TK_TRAINING},
    {"true", "\"TRUE\"", SL_TK_TRUE},
    {"tumbling", "\"TUMBLING\"", SL_TK_TUMBLING},
    {"type", "\"TYPE\"", SL_TK_TYPE},
    {"union", "\"UNION\"", SL_TK_UNION},
    {"unset", "\"UNSET\"", SL_TK_UNSET},
    {"values", "\"VALUES\"", SL_TK_VALUES},
    {"version", "\"VERSION\"", SL_TK_VERSION},
    {"watermark", "\"WATERMARK\"", SL_TK_WATERMARK},
    {"week", "\"WEEK\"", SL_TK_WEEK},
    {"weeks", "\"WEEKS\"", SL_TK_WEEKS},
    {"when", "\"WHEN\"", SL_TK_WHEN},
    {"where", "\"WHERE\"", SL_TK_WHERE},
    {"window", "\"WINDOW\"", SL_TK_WINDOW},
    {"with", "\"WITH\"", SL_TK_WITH},
    {"within", "\"WITHIN\"", SL_TK_WITHIN},
};

#define NKEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

int sl_parse_keyword_code(const char *word, size_t len) {
  char folded[32];
  if (len == 0 || len >= sizeof folded)
    return 0;
  for (size_t i = 0; i < len; i++) {
    char c = word[i];
    folded[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
  }
  folded[len] = '\0';

  size_t lo = 0, hi = NKEYWORDS;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(folded, keywords[mid].word);
    if (c == 0)
      return keywords[mid].code;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return 0;
}

/* Returns the i-th keyword, or NULL past the end. */
const char *sl_parse_keyword_at(size_t i) {
  return i < NKEYWORDS ? keywords[i].word : NULL;
}

/* True when word is a keyword. */
bool sl_parse_is_keyword(const char *word, size_t len) {
  return sl_parse_keyword_code(word, len) != 0;
}

const char *sl_parse_token_name(int code) {
  static const struct {
    int code;
    const char *name;
  } others[] = {
      {SL_TK_SEMI, "\";\""},     {SL_TK_LP, "\"(\""},
      {SL_TK_RP, "\")\""},       {SL_TK_COMMA, "\",\""},
      {SL_TK_ID, "a name"},      {SL_TK_STRING, "a string"},
      {SL_TK_INTEGER, "an integer"}, {SL_TK_DECIMAL, "a number"},
      {SL_TK_FLOAT, "a number"}, {SL_TK_EQ, "\"=\""},
      {SL_TK_NE, "\"<>\""},      {SL_TK_LT, "\"<\""},
      {SL_TK_LE, "\"<=\""},      {SL_TK_GT, "\">\""},
      {SL_TK_GE, "\">=\""},      {SL_TK_CONCAT, "\"||\""},
      {SL_TK_PLUS, "\"+\""},     {SL_TK_MINUS, "\"-\""},
      {SL_TK_STAR, "\"*\""},     {SL_TK_SLASH, "\"/\""},
      {SL_TK_PERCENT, "\"%\""},  {SL_TK_DCOLON, "\"::\""},
      {SL_TK_LBRACKET, "\"[\""}, {SL_TK_RBRACKET, "\"]\""},
      {SL_TK_DOT, "\".\""},      {SL_TK_UMINUS, "\"-\""},
  };

  if (code == 0)
    return "end of input";
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    if (others[i].code == code)
      return others[i].name;
  }

  for (size_t i = 0; i < NKEYWORDS; i++) {
    if (keywords[i].code == code)
      return keywords[i].quoted;
  }
  return NULL;
}
