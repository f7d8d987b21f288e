/*
 * Addresses and times as the reports print them: the same text as inet_ntop(3) and strftime(3);
 * text escaped for a terminal; plurals, durations and ICMP type names.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "packet.h"
#include "report.h"

static void check_v6(const uint8_t a[16])
{
	char want[INET6_ADDRSTRLEN], got[ADDR_STRLEN];

	cr_assert_not_null(inet_ntop(AF_INET6, a, want, sizeof(want)));
	addr_format(6, a, got);
	cr_assert_str_eq(got, want, "v6 address %s formatted as %s", want, got);
}

Test(format, ipv4_every_octet_width)
{
	static const uint8_t octets[] = { 0, 1, 9, 10, 99, 100, 199, 255 };
	char want[INET_ADDRSTRLEN], got[ADDR_STRLEN];

	for (size_t i = 0; i < sizeof(octets); i++)
		for (size_t j = 0; j < sizeof(octets); j++) {
			uint8_t a[16] = { octets[i], octets[j], octets[(i + j) % sizeof(octets)], octets[j] };

			inet_ntop(AF_INET, a, want, sizeof(want));
			addr_format(4, a, got);
			cr_assert_str_eq(got, want);
		}
}

Test(format, ipv6_special_forms)
{
	static const char *const texts[] = {
		"::", "::1", "1::", "2001:db8::1", "2001:db8:0:1:1:1:1:1", "2001:0:0:1::1", "::ffff:198.18.0.1",
		"::198.18.0.1", "::ffff:0:198.18.0.1", "fe80::1:0:0:1", "1:0:0:2:0:0:0:3", "1:0:0:0:2:0:0:3",
		"0:0:1::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:0.0.0.0", "::0.0.1.0", "64:ff9b::1",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		uint8_t a[16];

		cr_assert_eq(inet_pton(AF_INET6, texts[i], a), 1, "%s", texts[i]);
		check_v6(a);
	}
}

/* Every pattern of zero and non-zero groups, with small and large values. */
Test(format, ipv6_every_zero_pattern)
{
	for (unsigned mask = 0; mask < 256; mask++)
		for (unsigned v = 0; v < 4; v++) {
			static const unsigned values[] = { 1, 0xa, 0xff0, 0xffff };
			uint8_t a[16] = { 0 };

			for (int g = 0; g < 8; g++)
				if (mask & (1u << g)) {
					unsigned w = values[(v + (unsigned)g) % 4];

					a[2 * g] = (uint8_t)(w >> 8);
					a[2 * g + 1] = (uint8_t)w;
				}
			check_v6(a);
			/* the ::ffff:a.b.c.d and ::a.b.c.d forms hinge on groups 5-7 */
			a[10] = a[11] = 0xff;
			check_v6(a);
		}
}

Test(format, ipv6_random)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (int n = 0; n < 20000; n++) {
		uint8_t a[16];

		for (int i = 0; i < 16; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* mostly zeros, so that runs of zero groups are common */
			a[i] = (x & 3) ? 0 : (uint8_t)(x >> 8);
		}
		check_v6(a);
	}
}

static void old_format(int64_t us, char *out, size_t n)
{
	time_t sec = (time_t)(us / 1000000);
	struct tm tm;
	char day[32];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, n, "%s.%06" PRId64, day, us % 1000000);
}

Test(format, time_matches_strftime)
{
	static const int64_t fixed[] = {
		0, 1, 999999, 1000000, 86399999999LL, 86400000000LL, 951782400000000LL /* 2000-02-29 */,
		951868800000000LL /* 2000-03-01 */, 4107542399999999LL /* 2100-02-28 23:59:59 */,
		1767225600000000LL /* 2026-01-01 */, 253402300799999999LL /* 9999-12-31 23:59:59.999999 */,
		253402300800000000LL /* 10000-01-01: strftime's own path */, -1, -1000000,
	};
	char want[40], got[40];
	uint64_t x = 12345;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		old_format(fixed[i], want, sizeof(want));
		report_format_time(fixed[i], got, sizeof(got));
		cr_assert_str_eq(got, want, "%" PRId64, fixed[i]);
	}
	for (int n = 0; n < 200000; n++) {
		int64_t us;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		us = (int64_t)(x % 253402300800000000ULL);
		old_format(us, want, sizeof(want));
		report_format_time(us, got, sizeof(got));
		cr_assert_str_eq(got, want, "%" PRId64, us);
	}
}

Test(format, time_truncates_to_the_buffer)
{
	char small[11];

	report_format_time(1767225600000000LL, small, sizeof(small));
	cr_assert_str_eq(small, "2026-01-01");
}

/* report_text_escape into a string. */
static char *escaped(const char *s, bool utf8)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	cr_assert_not_null(f);
	report_text_escape(f, s, utf8);
	fclose(f);
	return buf;
}

Test(format, text_safe_outside_utf8_escapes_every_non_ascii_byte)
{
	cr_assert_str_eq(escaped("plain text ~!", false), "plain text ~!");
	cr_assert_str_eq(escaped("\xe2\x80\x9cICA\xe2\x80\x9d", false), "\\xe2\\x80\\x9cICA\\xe2\\x80\\x9d");
	cr_assert_str_eq(escaped("Z\xc3\xbcrich\x1b[2J\x7f", false), "Z\\xc3\\xbcrich\\x1b[2J\\x7f");
}

Test(format, text_safe_utf8_keeps_printable_utf8)
{
	cr_assert_str_eq(escaped("\xe2\x80\x9cICA\xe2\x80\x9d with UTF-8", true),
			 "\xe2\x80\x9cICA\xe2\x80\x9d with UTF-8");
	cr_assert_str_eq(escaped("Z\xc3\xbcrich \xe2\x80\x93 matrix", true), "Z\xc3\xbcrich \xe2\x80\x93 matrix");
	cr_assert_str_eq(escaped("\xf0\x9f\x98\x80 \xe4\xb8\xad \xc2\xa0 \xef\xbf\xbd", true),
			 "\xf0\x9f\x98\x80 \xe4\xb8\xad \xc2\xa0 \xef\xbf\xbd");
	/* next to the ranges kept out: U+00A0, U+2029, U+202F, U+2065, U+206A */
	cr_assert_str_eq(escaped("\xc2\xa0\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa", true),
			 "\xc2\xa0\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
}

Test(format, text_safe_utf8_escapes_controls)
{
	cr_assert_str_eq(escaped("a\x1b[31mb\nc\td\x7f", true), "a\\x1b[31mb\\x0ac\\x09d\\x7f");
	/* C1: U+0080, U+0085 (next line), U+009B (CSI), U+009F */
	cr_assert_str_eq(escaped("\xc2\x80\xc2\x85\xc2\x9b\xc2\x9f", true),
			 "\\xc2\\x80\\xc2\\x85\\xc2\\x9b\\xc2\\x9f");
}

Test(format, text_safe_utf8_escapes_bidi_overrides_and_isolates)
{
	/* U+202A-U+202E: LRE RLE PDF LRO RLO; U+2066-U+2069: LRI RLI FSI PDI */
	cr_assert_str_eq(escaped("a\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\xae", true),
			 "a\\xe2\\x80\\xaa\\xe2\\x80\\xab\\xe2\\x80\\xac\\xe2\\x80\\xad\\xe2\\x80\\xae");
	cr_assert_str_eq(escaped("\xe2\x81\xa6x\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", true),
			 "\\xe2\\x81\\xa6x\\xe2\\x81\\xa7\\xe2\\x81\\xa8\\xe2\\x81\\xa9");
}

Test(format, text_safe_utf8_escapes_invalid_sequences)
{
	cr_assert_str_eq(escaped("\xff\xfe", true), "\\xff\\xfe");
	cr_assert_str_eq(escaped("a\x80z", true), "a\\x80z");			/* stray continuation byte */
	cr_assert_str_eq(escaped("\xc0\xaf", true), "\\xc0\\xaf");		/* overlong '/' */
	cr_assert_str_eq(escaped("\xe0\x80\xaf", true), "\\xe0\\x80\\xaf");	/* overlong, three bytes */
	cr_assert_str_eq(escaped("\xf0\x80\x80\xaf", true), "\\xf0\\x80\\x80\\xaf");
	cr_assert_str_eq(escaped("\xed\xa0\x80", true), "\\xed\\xa0\\x80");	/* surrogate U+D800 */
	cr_assert_str_eq(escaped("\xf4\x90\x80\x80", true), "\\xf4\\x90\\x80\\x80");	/* past U+10FFFF */
	cr_assert_str_eq(escaped("ok\xe2\x80", true), "ok\\xe2\\x80");	/* cut short */
	cr_assert_str_eq(escaped("\xe2\x80\x9c\xe2(", true), "\xe2\x80\x9c\\xe2(");
}

/* report_text_safe follows the locale report_text_locale found. */
Test(format, text_locale_utf8_or_not)
{
	char buf[128];
	FILE *f;

	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		cr_skip_test("no C.UTF-8 locale here");
	setenv("LC_ALL", "C.UTF-8", 1);
	report_text_locale();
	f = fmemopen(buf, sizeof(buf), "w");
	report_text_safe(f, "\xe2\x80\x9cICA\xe2\x80\x9d\xe2\x80\xae\x1b");
	fclose(f);
	cr_assert_str_eq(buf, "\xe2\x80\x9cICA\xe2\x80\x9d\\xe2\\x80\\xae\\x1b");
	setenv("LC_ALL", "C", 1);
	report_text_locale();
	f = fmemopen(buf, sizeof(buf), "w");
	report_text_safe(f, "\xe2\x80\x9cICA\xe2\x80\x9d");
	fclose(f);
	cr_assert_str_eq(buf, "\\xe2\\x80\\x9cICA\\xe2\\x80\\x9d");
}

Test(format, plural)
{
	cr_assert_str_eq(report_plural(0, "rule", "rules"), "rules");
	cr_assert_str_eq(report_plural(1, "rule", "rules"), "rule");
	cr_assert_str_eq(report_plural(2, "matrix", "matrices"), "matrices");
	cr_assert_str_eq(report_plural(UINT64_MAX, "flow", "flows"), "flows");
}

Test(format, seconds_never_round_to_zero)
{
	static const struct {
		int64_t us;
		int decimals;
		const char *want;
	} cases[] = {
		{ 380000, 0, "0.38" }, { 7357813, 0, "7.4" }, { 42000000, 0, "42" }, { 599999999, 0, "600" },
		{ 10000000, 0, "10" }, { 9960000, 0, "10.0" }, { 1, 0, "0.000001" }, { 0, 0, "0" },
		{ 7357813, 3, "7.358" }, { 609412, 3, "0.609" }, { 142, 3, "0.00014" }, { 12000, 3, "0.012" },
		{ 1, 3, "0.000001" }, { 0, 3, "0.000" }, { 3600000000LL, 3, "3600.000" },
	};
	char got[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		report_format_seconds(cases[i].us, cases[i].decimals, got, sizeof(got));
		cr_expect_str_eq(got, cases[i].want, "%" PRId64 " us, %d decimals: %s", cases[i].us, cases[i].decimals,
				 got);
	}
}

static const char *finding_port(uint8_t proto, uint16_t port, bool example, uint16_t sport)
{
	static struct finding fi;
	static char out[48];

	memset(&fi, 0, sizeof(fi));
	fi.proto = proto;
	fi.port = port;
	fi.has_example = example;
	fi.example.orig.proto = proto;
	fi.example.orig.sport = sport;
	fi.example.orig.dport = port;
	report_finding_port(&fi, out, sizeof(out));
	return out;
}

Test(format, finding_port_names_icmp_types)
{
	cr_assert_str_eq(finding_port(PROTO_TCP, 443, true, 50000), "tcp/443");
	cr_assert_str_eq(finding_port(PROTO_UDP, 0, true, 1), "udp/0");
	cr_assert_str_eq(finding_port(PROTO_UDP, 65535, false, 0), "udp/65535");
	/* Zeek's ICMP ports: id.orig_p the type, id.resp_p the counterpart type (or the code) */
	cr_assert_str_eq(finding_port(PROTO_ICMP, 0, true, 8), "icmp/echo-request");
	cr_assert_str_eq(finding_port(PROTO_ICMP, 8, true, 0), "icmp/echo-reply");
	cr_assert_str_eq(finding_port(PROTO_ICMP, 13, true, 3), "icmp/destination-unreachable");
	cr_assert_str_eq(finding_port(PROTO_ICMPV6, 129, true, 128), "icmp/echo-request");
	cr_assert_str_eq(finding_port(PROTO_ICMPV6, 136, true, 135), "icmp/nd-neighbor-solicit");
	cr_assert_str_eq(finding_port(PROTO_ICMPV6, 0, true, 1), "icmp/destination-unreachable");
	cr_assert_str_eq(finding_port(PROTO_ICMP, 0, true, 42), "icmp/type-42");
	cr_assert_str_eq(finding_port(PROTO_ICMPV6, 0, true, 139 + 100), "icmp/type-239");
	cr_assert_str_eq(finding_port(PROTO_ICMP, 0, false, 0), "icmp");	/* missing: a rule, no flow */
}

Test(format, finding_port_truncates_to_the_buffer)
{
	struct finding fi;
	char small[6];

	memset(&fi, 0, sizeof(fi));
	fi.proto = PROTO_TCP;
	fi.port = 65535;
	report_finding_port(&fi, small, sizeof(small));
	cr_assert_str_eq(small, "tcp/6");
}
