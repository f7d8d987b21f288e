/* json: a small append-only JSON text builder with escaping */
#ifndef FLOWAUDIT_JSON_H
#define FLOWAUDIT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A growable text buffer; objects and arrays are written with explicit calls. */
struct json {
	char *buf;
	size_t len;
	size_t cap;
	int need_comma;		/* a member/element was written at this level */
};

void json_init(struct json *j);
void json_free(struct json *j);
void json_reset(struct json *j);
int json_write(const struct json *j, FILE *out);

void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
/* A member key inside an object; follow it with one value call. */
void json_key(struct json *j, const char *key);
/* A key of n bytes known to need no escaping (a literal of the program's own). */
void json_key_plain(struct json *j, const char *key, size_t n);
/* JSON_KEY(j, "literal"): json_key_plain with the length taken at compile time. */
#define JSON_KEY(j, lit) json_key_plain((j), "" lit "", sizeof(lit) - 1)

void json_str(struct json *j, const char *s);
void json_strn(struct json *j, const char *s, size_t n);
void json_u64(struct json *j, uint64_t v);
/* Microseconds as seconds with 6 decimals (Zeek's ts and duration). */
/* A number already formatted ("64.5"): the caller vouches that it is valid JSON. */
void json_num(struct json *j, const char *s);
void json_usec(struct json *j, int64_t us);
void json_bool(struct json *j, int v);
void json_null(struct json *j);

/* Convenience: key + value. */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);

/* Append raw text (caller guarantees it is valid JSON). */
void json_raw(struct json *j, const char *s, size_t n);

#endif
