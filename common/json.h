/* json: the small JSON *writing* helpers shared by every module that answers
 * in JSON (errors, denials, logs, rendered metadata). Parsing is yajl's job. */
#ifndef CORDON_JSON_H
#define CORDON_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* appends s (n bytes, UTF-8 assumed) as a quoted, escaped JSON string */
void json_str(buf_t *b, const char *s, size_t n);
void json_cstr(buf_t *b, const char *s);
/* appends ,"key":"value" (or without the comma when first) */
void json_kv_str(buf_t *b, int *first, const char *key, const char *value);
void json_kv_int(buf_t *b, int *first, const char *key, int64_t value);
/* ,"key":"2026-11-23T10:00:00Z", or ,"key":null when ms is TIME_NONE */
void json_kv_time(buf_t *b, int *first, const char *key, int64_t ms);
void json_kv_bool(buf_t *b, int *first, const char *key, int value);
/* value is raw JSON, copied verbatim */
void json_kv_raw(buf_t *b, int *first, const char *key, const char *raw, size_t n);

#endif
