/* test_prefix: longest-prefix match for IPv4 and IPv6, checked against a linear scan */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "prefix.h"

static struct prefix_table *t;

static void setup(void)
{
	t = prefix_new();
}

static void teardown(void)
{
	prefix_free(t);
}

TestSuite(prefix, .init = setup, .fini = teardown);

/* Text to 16 bytes; the family from the text. */
static uint8_t addr_of(const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out) == 1)
		return 4;
	cr_assert_eq(inet_pton(AF_INET6, text, out), 1, "%s", text);
	return 6;
}

static int add(const char *text, int len, int value)
{
	uint8_t a[16];
	uint8_t family = addr_of(text, a);
	int existing = -100;

	return prefix_add(t, family, a, len, value, &existing) == 1 ? existing : 0;
}

static int lookup(const char *text)
{
	uint8_t a[16];
	uint8_t family = addr_of(text, a);

	return prefix_lookup(t, family, a);
}

Test(prefix, empty_table_matches_nothing)
{
	cr_expect_eq(lookup("198.18.0.1"), PREFIX_NONE);
	cr_expect_eq(lookup("2001:db8::1"), PREFIX_NONE);
	cr_expect_eq(prefix_lookup(NULL, 4, (uint8_t[16]){ 0 }), PREFIX_NONE);
	cr_expect_eq(prefix_count(t), 0);
}

Test(prefix, longest_ipv4_prefix_wins)
{
	add("198.18.0.0", 15, 1);
	add("198.18.10.0", 24, 2);
	add("198.18.10.7", 32, 3);
	add("198.18.10.0", 25, 4);
	cr_expect_eq(lookup("198.18.10.7"), 3);
	cr_expect_eq(lookup("198.18.10.8"), 4);
	cr_expect_eq(lookup("198.18.10.200"), 2);
	cr_expect_eq(lookup("198.19.255.255"), 1);
	cr_expect_eq(lookup("198.20.0.0"), PREFIX_NONE);
	cr_expect_eq(prefix_count(t), 4);
}

Test(prefix, longest_ipv6_prefix_wins_at_odd_lengths)
{
	add("2001:db8::", 32, 1);
	add("2001:db8:8::", 45, 2);
	add("2001:db8:8::1", 128, 3);
	add("2001:db8:8::", 127, 4);
	cr_expect_eq(lookup("2001:db8:8::1"), 3);
	cr_expect_eq(lookup("2001:db8:8::"), 4);
	cr_expect_eq(lookup("2001:db8:f::"), 2);
	cr_expect_eq(lookup("2001:db8:10::"), 1);
	cr_expect_eq(lookup("2001:db9::"), PREFIX_NONE);
}

Test(prefix, families_do_not_mix)
{
	add("0.0.0.0", 0, 1);
	cr_expect_eq(lookup("203.0.113.9"), 1);
	cr_expect_eq(lookup("::cb00:7109"), PREFIX_NONE);
	cr_expect_eq(lookup("::ffff:203.0.113.9"), PREFIX_NONE);
	add("::", 0, 2);
	cr_expect_eq(lookup("2001:db8::1"), 2);
	cr_expect_eq(lookup("203.0.113.9"), 1);
}

Test(prefix, ignores_bytes_past_an_ipv4_address)
{
	uint8_t a[16];

	memset(a, 0xee, sizeof(a));
	a[0] = 10, a[1] = 1, a[2] = 2, a[3] = 3;
	cr_assert_eq(prefix_add(t, 4, a, 32, 7, NULL), 0);
	memset(a + 4, 0x11, 12);
	cr_expect_eq(prefix_lookup(t, 4, a), 7);
}

Test(prefix, reports_an_existing_prefix_with_its_value)
{
	cr_expect_eq(add("198.18.10.0", 24, 5), 0);
	cr_expect_eq(add("198.18.10.99", 24, 6), 5, "host bits are masked before comparing");
	cr_expect_eq(add("198.18.10.0", 23, 6), 0, "another length is another prefix");
	cr_expect_eq(lookup("198.18.10.1"), 5);
}

Test(prefix, rejects_bad_family_and_length)
{
	uint8_t a[16] = { 0 };

	cr_expect_eq(prefix_add(t, 5, a, 8, 1, NULL), -1);
	cr_expect_eq(prefix_add(t, 4, a, 33, 1, NULL), -1);
	cr_expect_eq(prefix_add(t, 6, a, 129, 1, NULL), -1);
	cr_expect_eq(prefix_add(t, 4, a, -1, 1, NULL), -1);
	cr_expect_eq(prefix_lookup(t, 0, a), PREFIX_NONE);
}

Test(prefix, masks_to_any_length)
{
	uint8_t a[16];

	memset(a, 0xff, sizeof(a));
	prefix_mask(a, 13);
	cr_expect(a[0] == 0xff && a[1] == 0xf8 && a[2] == 0 && a[15] == 0);
	memset(a, 0xff, sizeof(a));
	prefix_mask(a, 128);
	cr_expect_eq(a[15], 0xff);
	prefix_mask(a, 0);
	cr_expect_eq(a[0], 0);
}

/* Reference: the longest of n prefixes containing addr, by a linear scan. */
struct ref {
	uint8_t family, len, addr[16];
	int value;
};

static int ref_lookup(const struct ref *r, int n, uint8_t family, const uint8_t addr[16])
{
	int i, best = -1, value = PREFIX_NONE;
	uint8_t m[16];

	for (i = 0; i < n; i++) {
		if (r[i].family != family || r[i].len <= best)
			continue;
		memcpy(m, addr, 16);
		if (family == 4)
			memset(m + 4, 0, 12);
		prefix_mask(m, r[i].len);
		if (memcmp(m, r[i].addr, 16) == 0) {
			best = r[i].len;
			value = r[i].value;
		}
	}
	return value;
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void random_addr(uint32_t *s, uint8_t family, uint8_t a[16])
{
	int i;

	memset(a, 0, 16);
	/* A narrow space (198.18.x.x, 2001:db8:0:x::) so that prefixes nest and collide. */
	if (family == 4) {
		a[0] = 198, a[1] = 18, a[2] = (uint8_t)(rnd(s) & 0x0f), a[3] = (uint8_t)rnd(s);
		return;
	}
	a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8, a[7] = (uint8_t)(rnd(s) & 0x0f);
	for (i = 8; i < 16; i++)
		a[i] = (rnd(s) & 3) ? 0 : (uint8_t)rnd(s);
}

Test(prefix, agrees_with_a_linear_scan_on_thousands_of_prefixes)
{
	enum { N = 3000, LOOKUPS = 5000 };
	static struct ref r[N];
	static const uint8_t lens4[] = { 16, 20, 24, 28, 30, 32 }, lens6[] = { 48, 56, 60, 64, 100, 127, 128 };
	uint32_t s = 12345;
	uint8_t a[16];
	int i, n = 0, existing;

	for (i = 0; i < N; i++) {
		struct ref *p = &r[n];

		p->family = (rnd(&s) & 1) ? 4 : 6;
		p->len = p->family == 4 ? lens4[rnd(&s) % sizeof(lens4)] : lens6[rnd(&s) % sizeof(lens6)];
		random_addr(&s, p->family, p->addr);
		prefix_mask(p->addr, p->len);
		p->value = i;
		if (prefix_add(t, p->family, p->addr, p->len, i, &existing) == 0)
			n++;
	}
	cr_assert_eq(prefix_count(t), n);
	for (i = 0; i < LOOKUPS; i++) {
		uint8_t family = (i & 1) ? 4 : 6;

		random_addr(&s, family, a);
		cr_assert_eq(prefix_lookup(t, family, a), ref_lookup(r, n, family, a), "lookup %d", i);
	}
}

Test(prefix, stays_fast_with_ten_thousand_prefixes)
{
	uint8_t a[16] = { 10 };
	clock_t t0;
	int i, hits = 0;

	for (i = 0; i < 10000; i++) {
		a[1] = (uint8_t)(i >> 8), a[2] = (uint8_t)i, a[3] = 0;
		prefix_add(t, 4, a, 24 + (i % 8), i, NULL);
	}
	t0 = clock();
	for (i = 0; i < 200000; i++) {
		a[1] = (uint8_t)(i >> 16), a[2] = (uint8_t)(i >> 8), a[3] = (uint8_t)i;
		hits += prefix_lookup(t, 4, a) != PREFIX_NONE;
	}
	cr_expect_gt(hits, 0);
	/* About 0.05 s at -O2; a generous bound that holds with sanitizers on a loaded machine. */
	cr_expect_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 2.0, "200k lookups, 8 lengths");
}
