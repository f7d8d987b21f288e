/* test_json: the JSON builder's structure, numbers and escaping */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

static const char *text(struct json *j)
{
	json_raw(j, "", 1);	/* NUL-terminate for comparison */
	return j->buf;
}

Test(json, objects_and_arrays_get_commas_only_between_members)
{
	struct json j;

	json_init(&j);
	json_begin_object(&j);
	json_kv_u64(&j, "a", 1);
	json_key(&j, "b");
	json_begin_array(&j);
	json_u64(&j, 2);
	json_null(&j);
	json_begin_object(&j);
	json_end_object(&j);
	json_end_array(&j);
	json_kv_str(&j, "c", "x");
	json_end_object(&j);
	cr_assert_str_eq(text(&j), "{\"a\":1,\"b\":[2,null,{}],\"c\":\"x\"}");
	json_free(&j);
}

Test(json, strings_escape_quotes_backslashes_controls_and_high_bytes)
{
	struct json j;

	json_init(&j);
	json_str(&j, "a\"b\\c\n\x1b[31m\xff");
	cr_assert_str_eq(text(&j), "\"a\\\"b\\\\c\\u000a\\u001b[31m\\u00ff\"");
	json_free(&j);
}

Test(json, microseconds_print_as_seconds_with_six_decimals)
{
	struct json j;

	json_init(&j);
	json_begin_array(&j);
	json_usec(&j, 1700000000123456LL);
	json_usec(&j, 5);
	json_usec(&j, 0);
	json_usec(&j, -1500000);
	json_end_array(&j);
	cr_assert_str_eq(text(&j), "[1700000000.123456,0.000005,0.000000,-1.500000]");
	json_free(&j);
}

/* Numbers are formatted by hand: the same text as printf gives. */
Test(json, numbers_match_printf)
{
	static const uint64_t u[] = { 0, 1, 9, 10, 99, 100, 4294967295ULL, 18446744073709551615ULL };
	static const int64_t us[] = { 0, 1, 999999, 1000000, 1234567, -1, -999999, -1000000, -1234567,
				      INT64_MAX, INT64_MIN };
	char want[64];
	struct json j;

	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		json_init(&j);
		json_u64(&j, u[i]);
		snprintf(want, sizeof(want), "%" PRIu64, u[i]);
		cr_assert_str_eq(text(&j), want);
		json_free(&j);
	}
	for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
		uint64_t a = us[i] < 0 ? (uint64_t)(-(us[i] + 1)) + 1 : (uint64_t)us[i];

		json_init(&j);
		json_usec(&j, us[i]);
		snprintf(want, sizeof(want), "%s%" PRIu64 ".%06" PRIu64, us[i] < 0 ? "-" : "", a / 1000000, a % 1000000);
		cr_assert_str_eq(text(&j), want);
		json_free(&j);
	}
}

/* Plain runs are copied whole; escapes between them land in the right places. */
Test(json, strings_mix_plain_runs_and_escapes)
{
	struct json j;

	json_init(&j);
	json_str(&j, "plain\"\"two\\x\x01y\xc3\xa9z");
	cr_assert_str_eq(text(&j), "\"plain\\\"\\\"two\\\\x\\u0001y\\u00e9z\"");
	json_free(&j);
}

/* Valid UTF-8 becomes its code point (a surrogate pair above U+FFFF); a stray byte its Latin-1 value. */
Test(json, utf8_is_written_as_code_points)
{
	struct json j;

	json_init(&j);
	json_str(&j, "Z\xc3\xbcrich \xe2\x80\x93 \xf0\x9f\x98\x80 \xc3(");
	cr_assert_str_eq(text(&j), "\"Z\\u00fcrich \\u2013 \\ud83d\\ude00 \\u00c3(\"");
	json_free(&j);
}
