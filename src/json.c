/* json: a small append-only JSON text builder with escaping */
#include "json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

void json_key(struct json *j, const char *key)
{
	separate(j);
	j->need_comma = 0;
	json_str(j, key);
	putc_raw(j, ':');
	j->need_comma = 0;
}

/* Control characters and non-UTF-8 bytes never reach the output raw. */
void json_strn(struct json *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	separate(j);
	putc_raw(j, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			putc_raw(j, '\\');
			putc_raw(j, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			json_raw(j, esc, sizeof(esc));
		} else {
			putc_raw(j, (char)c);
		}
	}
	putc_raw(j, '"');
}

void json_str(struct json *j, const char *s)
{
	json_strn(j, s, strlen(s));
}

void json_u64(struct json *j, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);

	separate(j);
	json_raw(j, tmp, (size_t)n);
}

void json_usec(struct json *j, int64_t us)
{
	char tmp[32];
	const char *sign = us < 0 ? "-" : "";
	uint64_t a = us < 0 ? (uint64_t)(-(us + 1)) + 1 : (uint64_t)us;
	int n = snprintf(tmp, sizeof(tmp), "%s%" PRIu64 ".%06" PRIu64, sign, a / 1000000, a % 1000000);

	separate(j);
	json_raw(j, tmp, (size_t)n);
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
