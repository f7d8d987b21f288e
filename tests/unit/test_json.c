/* test_json: the JSON builder's structure, numbers and escaping */
#include <criterion/criterion.h>
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
