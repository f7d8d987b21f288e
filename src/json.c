/* json: a small append-only JSON text builder with escaping */
#include "json.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xalloc.h"

void json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
}

void json_free(struct json *j)
{
	free(j->buf);
	json_init(j);
}

void json_reset(struct json *j)
{
	j->len = 0;
	j->need_comma = 0;
}

int json_write(const struct json *j, FILE *out)
{
	return fwrite(j->buf, 1, j->len, out) == j->len ? 0 : -1;
}

static void grow(struct json *j, size_t more)
{
	if (j->len + more <= j->cap)
		return;
	while (j->len + more > j->cap)
		j->cap = j->cap ? j->cap * 2 : 1024;
	j->buf = xrealloc(j->buf, j->cap);
}

void json_raw(struct json *j, const char *s, size_t n)
{
	grow(j, n);
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void putc_raw(struct json *j, char c)
{
	grow(j, 1);
	j->buf[j->len++] = c;
}

/* Before a value in an array, or a key in an object. */
static void separate(struct json *j)
{
	if (j->need_comma)
		putc_raw(j, ',');
	j->need_comma = 1;
}

void json_begin_object(struct json *j)
{
	separate(j);
	putc_raw(j, '{');
	j->need_comma = 0;
}

void json_end_object(struct json *j)
{
	putc_raw(j, '}');
	j->need_comma = 1;
}

void json_begin_array(struct json *j)
{
	separate(j);
	putc_raw(j, '[');
	j->need_comma = 0;
}

void json_end_array(struct json *j)
{
	putc_raw(j, ']');
	j->need_comma = 1;
}

/* Bytes at the start of s (n) that go into a JSON string as they are: printable ASCII but '"' and '\\'. */
static size_t plain_run(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f || s[i] == '"' || s[i] == '\\')
			break;
	return i;
}

/* A plain string with its quotes (and the comma before it, and a colon after a key) in one copy. */
static void plain_string(struct json *j, const char *s, size_t n, bool key)
{
	grow(j, n + 4);
	if (j->need_comma)
		j->buf[j->len++] = ',';
	j->buf[j->len++] = '"';
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len++] = '"';
	if (key)
		j->buf[j->len++] = ':';
	j->need_comma = !key;
}

void json_key_plain(struct json *j, const char *key, size_t n)
{
	plain_string(j, key, n, true);
}

void json_key(struct json *j, const char *key)
{
	size_t n = strlen(key);

	if (plain_run((const unsigned char *)key, n) == n) {
		plain_string(j, key, n, true);
		return;
	}
	separate(j);
	j->need_comma = 0;
	json_str(j, key);
	putc_raw(j, ':');
	j->need_comma = 0;
}

static void put_u_escape(struct json *j, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', hex[v >> 12 & 15], hex[v >> 8 & 15], hex[v >> 4 & 15], hex[v & 15] };

	json_raw(j, esc, sizeof(esc));
}

/*
 * Control characters and everything above ASCII are written as \u escapes,
 * so the output is ASCII whatever came in: a UTF-8 sequence as its code
 * point (a surrogate pair above U+FFFF), a byte that is not UTF-8 as the
 * Latin-1 character of that value (as baseline files read them).
 */
void json_strn(struct json *j, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, len;
	uint32_t cp;

	if (plain_run(u, n) == n) {
		plain_string(j, s, n, false);
		return;
	}
	separate(j);
	putc_raw(j, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = u[i];
		/* A run of printable ASCII that needs no escape goes in with one copy. */
		size_t run = plain_run(u + i, n - i);

		if (run) {
			json_raw(j, s + i, run);
			i += run - 1;
			continue;
		}
		if (c == '"' || c == '\\') {
			putc_raw(j, '\\');
			putc_raw(j, (char)c);
		} else if (c >= 0x20 && c < 0x7f) {
			putc_raw(j, (char)c);
		} else if (c >= 0x80 && (len = utf8_decode(u + i, n - i, &cp)) > 0) {
			if (cp > 0xffff) {
				put_u_escape(j, 0xd800 + ((cp - 0x10000) >> 10));
				cp = 0xdc00 + ((cp - 0x10000) & 0x3ff);
			}
			put_u_escape(j, cp);
			i += len - 1;
		} else {
			put_u_escape(j, c);
		}
	}
	putc_raw(j, '"');
}

void json_str(struct json *j, const char *s)
{
	json_strn(j, s, strlen(s));
}

/* The decimal digits of v, right-aligned ending at end; returns where they start. */
static char *digits(char *end, uint64_t v)
{
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

/* By hand, not snprintf: a conn-log line has a dozen numbers (snprintf was ~1,000 instructions each). */
void json_u64(struct json *j, uint64_t v)
{
	char tmp[24], *p = digits(tmp + sizeof(tmp), v);

	separate(j);
	json_raw(j, p, (size_t)(tmp + sizeof(tmp) - p));
}

void json_num(struct json *j, const char *s)
{
	separate(j);
	json_raw(j, s, strlen(s));
}

void json_usec(struct json *j, int64_t us)
{
	char tmp[32], *end = tmp + sizeof(tmp), *p;
	uint64_t a = us < 0 ? (uint64_t)(-(us + 1)) + 1 : (uint64_t)us, frac = a % 1000000;
	int i;

	for (i = 0; i < 6; i++, frac /= 10)
		*--end = (char)('0' + frac % 10);
	*--end = '.';
	p = digits(end, a / 1000000);
	if (us < 0)
		*--p = '-';
	separate(j);
	json_raw(j, p, (size_t)(tmp + sizeof(tmp) - p));
}

void json_bool(struct json *j, int v)
{
	separate(j);
	json_raw(j, v ? "true" : "false", v ? 4 : 5);
}

void json_null(struct json *j)
{
	separate(j);
	json_raw(j, "null", 4);
}

void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}
