/* test_summary: the summary of a set of flows is the same whatever their order, and merges exactly (--workers) */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "decode.h"
#include "summary.h"

/* A fixed stream of numbers: every run of the tests draws the same flows and orders. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t x = (rng_state += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rng() % n);
}

/* Host number i's family: every seventh is IPv6 (with its IPv4 namesake, a host of its own). */
static uint8_t host_family(uint32_t i)
{
	return i % 7 == 3 ? 6 : 4;
}

/* Host number i in a family: 198.18.x.y or 2001:db8::x:y. */
static void host_addr(uint32_t i, uint8_t family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (family == 6) {
		addr[0] = 0x20;
		addr[1] = 0x01;
		addr[2] = 0x0d;
		addr[3] = 0xb8;
		addr[12] = (uint8_t)(i >> 24);
		addr[13] = (uint8_t)(i >> 16);
		addr[14] = (uint8_t)(i >> 8);
		addr[15] = (uint8_t)i;
	} else {
		addr[0] = 198;
		addr[1] = (uint8_t)(18 + (i >> 16 & 1));
		addr[2] = (uint8_t)(i >> 8);
		addr[3] = (uint8_t)i;
	}
}

/* A host drawn with a skew: a few hosts have many flows, and ties between them are common. */
static uint32_t draw_host(uint32_t nhosts)
{
	return below(4) == 0 ? below(nhosts < 40 ? nhosts : 40) : below(nhosts);
}

static const uint8_t protos[] = { PROTO_TCP, PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_ICMPV6, 47 };

/* A flow from host o to host r, in o's family. */
static void make_flow(struct flow *f, uint32_t o, uint32_t r)
{
	memset(f, 0, sizeof(*f));
	f->orig.family = host_family(o);
	host_addr(o, f->orig.family, f->orig.src);
	host_addr(r, f->orig.family, f->orig.dst);
	f->orig.proto = protos[below(sizeof(protos))];
	f->orig.sport = (uint16_t)(32768 + below(20000));
	f->orig.dport = (uint16_t)(below(3) ? 443 : below(1024));
	f->first_us = 1000000 + below(1000) * 1000;
	f->last_us = f->first_us + below(5) * 1000;
	f->side[0].pkts = 1 + below(3);
	f->side[1].pkts = below(3);
	/* Few distinct byte counts: hosts tie on flows and bytes, and the address breaks the tie. */
	f->side[0].ip_bytes = 60 * (1 + below(2));
	f->side[1].ip_bytes = f->side[1].pkts ? 60 : 0;
	if (below(50) == 0) {
		f->tunnel = (uint8_t)(1 + below(TUNNEL_KIND_COUNT - 1));
		f->tunnel_mirror = below(2);
	}
	if (below(40) == 0)
		f->tunnel_parent[0] = "Cparent";
}

/* n flows among nhosts hosts; a few with the same host at both ends. */
static struct flow *make_flows(size_t n, uint32_t nhosts, uint64_t seed)
{
	struct flow *v = malloc(n * sizeof(*v));
	size_t i;

	cr_assert_not_null(v);
	rng_state = seed;
	for (i = 0; i < n; i++) {
		uint32_t o = draw_host(nhosts), r = below(100) == 0 ? o : draw_host(nhosts);

		make_flow(&v[i], o, r);
	}
	return v;
}

static void shuffle(const struct flow **v, size_t n, uint64_t seed)
{
	size_t i;

	rng_state = seed;
	for (i = n; i > 1; i--) {
		size_t k = below((uint32_t)i);
		const struct flow *t = v[i - 1];

		v[i - 1] = v[k];
		v[k] = t;
	}
}

/* The worker a flow goes to: by its unordered pair of addresses, as --workers shards. */
static unsigned part_of(const struct flow *f, unsigned nparts)
{
	const uint8_t *a = f->orig.src, *b = f->orig.dst;
	uint64_t h = 1469598103934665603ULL;
	int i;

	if (memcmp(a, b, 16) > 0) {
		a = f->orig.dst;
		b = f->orig.src;
	}
	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 1099511628211ULL;
	for (i = 0; i < 16; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return (unsigned)(h % nparts);
}

/* All flows into one summary, in the order given by seed (0: as made). */
static void all_in_one(struct summary *s, const struct flow *v, size_t n, uint64_t seed)
{
	const struct flow **order = malloc(n * sizeof(*order));
	size_t i;

	for (i = 0; i < n; i++)
		order[i] = &v[i];
	if (seed)
		shuffle(order, n, seed);
	summary_init(s);
	for (i = 0; i < n; i++)
		summary_add_flow(s, order[i]);
	free(order);
}

/* The flows split by host pair into nparts summaries, each fed in its own shuffled order, then merged. */
static void by_parts(struct summary *s, const struct flow *v, size_t n, unsigned nparts, uint64_t seed)
{
	struct summary part[3];
	const struct flow **order = malloc(n * sizeof(*order));
	unsigned p;
	size_t i, k;

	cr_assert_leq(nparts, 3);
	summary_init(s);
	for (p = 0; p < nparts; p++) {
		summary_init(&part[p]);
		for (i = k = 0; i < n; i++)
			if (part_of(&v[i], nparts) == p)
				order[k++] = &v[i];
		shuffle(order, k, seed + p);
		for (i = 0; i < k; i++)
			summary_add_flow(&part[p], order[i]);
	}
	/* Merged in reverse, so that no part's place in the merge matches its place in the flows. */
	for (p = nparts; p-- > 0;) {
		summary_merge(s, &part[p]);
		summary_free(&part[p]);
	}
	free(order);
}

static struct host_count *top(const struct summary *s, int *n)
{
	struct host_count *out = calloc(SUMMARY_MAX_HOSTS + 1, sizeof(*out));

	*n = summary_top_hosts(s, out, SUMMARY_MAX_HOSTS + 1);
	return out;
}

/* Every number a report reads, and the whole list of hosts in order. */
static void assert_same(const struct summary *a, const struct summary *b)
{
	struct host_count *ta, *tb;
	int na, nb, i, p, k;

	cr_assert_eq(a->flows, b->flows);
	cr_assert_eq(a->ip_bytes, b->ip_bytes);
	for (p = 0; p < SP_COUNT; p++)
		cr_assert_eq(a->by_proto[p], b->by_proto[p]);
	for (k = 0; k < CS_COUNT; k++)
		for (p = 0; p < SP_COUNT; p++)
			cr_assert_eq(a->by_state[k][p], b->by_state[k][p]);
	for (k = 0; k < TUNNEL_KIND_COUNT; k++) {
		cr_assert_eq(a->tunnels[k], b->tunnels[k]);
		cr_assert_eq(summary_tunnels_named(a, k), summary_tunnels_named(b, k));
	}
	cr_assert_eq(a->tunnels_mirror, b->tunnels_mirror);
	cr_assert_eq(a->tunnelled, b->tunnelled);
	cr_assert_eq(a->hosts, b->hosts);
	cr_assert_eq(a->hosts_untracked, b->hosts_untracked);
	ta = top(a, &na);
	tb = top(b, &nb);
	cr_assert_eq(na, nb);
	cr_assert_eq((uint64_t)na, a->hosts);
	for (i = 0; i < na; i++) {
		cr_assert_eq(ta[i].family, tb[i].family, "host %d", i);
		cr_assert_arr_eq(ta[i].addr, tb[i].addr, 16, "host %d", i);
		cr_assert_eq(ta[i].flows_orig, tb[i].flows_orig, "host %d", i);
		cr_assert_eq(ta[i].flows_resp, tb[i].flows_resp, "host %d", i);
		cr_assert_eq(ta[i].bytes, tb[i].bytes, "host %d", i);
	}
	/* A shorter list is the head of the longer: the report's ten are the first ten of all. */
	{
		struct host_count ten[10];
		int n10 = summary_top_hosts(a, ten, 10);

		cr_assert_eq(n10, na < 10 ? na : 10);
		for (i = 0; i < n10; i++)
			cr_assert_arr_eq(ten[i].addr, ta[i].addr, 16);
	}
	free(ta);
	free(tb);
}

Test(summary, merged_parts_equal_one_summary_of_all_flows)
{
	enum { N = 4000 };
	struct flow *v = make_flows(N, 600, 1);
	struct summary one, again, merged;
	unsigned nparts;

	all_in_one(&one, v, N, 0);
	all_in_one(&again, v, N, 77);
	assert_same(&one, &again);
	cr_assert_eq(one.hosts_untracked, 0);
	for (nparts = 2; nparts <= 3; nparts++) {
		by_parts(&merged, v, N, nparts, 100 * nparts);
		assert_same(&one, &merged);
		summary_free(&merged);
	}
	summary_free(&one);
	summary_free(&again);
	free(v);
}

Test(summary, ties_between_top_talkers_go_by_address)
{
	struct summary s;
	struct host_count t[4];
	struct flow f;
	int n;

	summary_init(&s);
	/* Hosts 9 and 5 each talk to 1 once, with the same bytes: 1 first (two flows), then 5 before 9. */
	make_flow(&f, 9, 1);
	f.orig.proto = PROTO_UDP;
	f.side[0].ip_bytes = f.side[1].ip_bytes = 60;
	summary_add_flow(&s, &f);
	make_flow(&f, 5, 1);
	f.orig.proto = PROTO_UDP;
	f.side[0].ip_bytes = f.side[1].ip_bytes = 60;
	summary_add_flow(&s, &f);
	n = summary_top_hosts(&s, t, 4);
	cr_assert_eq(n, 3);
	cr_assert_eq(t[0].addr[3], 1);
	cr_assert_eq(t[1].addr[3], 5);
	cr_assert_eq(t[2].addr[3], 9);
	summary_free(&s);
}

Test(summary, a_flow_with_the_same_host_at_both_ends_counts_it_both_ways)
{
	struct summary s;
	struct host_count t[2];
	struct flow f;

	summary_init(&s);
	make_flow(&f, 4, 4);
	f.side[0].ip_bytes = 100;
	f.side[1].ip_bytes = 20;
	summary_add_flow(&s, &f);
	cr_assert_eq(summary_top_hosts(&s, t, 2), 1);
	cr_assert_eq(t[0].flows_orig, 1);
	cr_assert_eq(t[0].flows_resp, 1);
	cr_assert_eq(t[0].bytes, 240);
	cr_assert_eq(s.hosts, 1);
	cr_assert_eq(s.hosts_untracked, 0);
	summary_free(&s);
}

Test(summary, merging_leaves_the_source_as_it_was_for_the_next_interim_report)
{
	enum { N = 2000 };
	struct flow *v = make_flows(N, 300, 2);
	struct summary half[2], m1, m2, one;
	size_t i;

	summary_init(&half[0]);
	summary_init(&half[1]);
	for (i = 0; i < N / 2; i++)
		summary_add_flow(&half[part_of(&v[i], 2)], &v[i]);
	summary_init(&m1);
	summary_merge(&m1, &half[0]);
	summary_merge(&m1, &half[1]);
	summary_init(&m2);
	summary_merge(&m2, &half[1]);
	summary_merge(&m2, &half[0]);
	assert_same(&m1, &m2);
	/* The workers go on; a later report merges them again into a fresh summary. */
	for (; i < N; i++)
		summary_add_flow(&half[part_of(&v[i], 2)], &v[i]);
	summary_free(&m1);
	summary_init(&m1);
	summary_merge(&m1, &half[0]);
	summary_merge(&m1, &half[1]);
	all_in_one(&one, v, N, 5);
	assert_same(&one, &m1);
	summary_free(&m1);
	summary_free(&m2);
	summary_free(&one);
	summary_free(&half[0]);
	summary_free(&half[1]);
	free(v);
}

Test(summary, merging_empty_summaries_changes_nothing)
{
	struct flow *v = make_flows(100, 50, 3);
	struct summary a, empty, b;

	all_in_one(&a, v, 100, 0);
	all_in_one(&b, v, 100, 0);
	summary_init(&empty);
	summary_merge(&a, &empty);
	assert_same(&a, &b);
	summary_merge(&empty, &b);
	assert_same(&empty, &b);
	summary_free(&a);
	summary_free(&b);
	summary_free(&empty);
	free(v);
}

/* ---- past SUMMARY_MAX_HOSTS ---- */

static int host_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 17);
}

struct truth {
	uint8_t key[17];	/* family, address */
	uint64_t orig, resp, bytes;
};

static struct truth *truth_find(struct truth *t, size_t n, uint8_t family, const uint8_t *addr)
{
	uint8_t key[17] = { family };

	memcpy(key + 1, addr, 16);
	return bsearch(key, t, n, sizeof(*t), host_key_cmp);
}

Test(summary, past_the_cap_the_hosts_kept_do_not_depend_on_the_order, .timeout = 120)
{
	enum { N = 160000, HOSTS = 90000 };
	struct flow *v = make_flows(N, HOSTS, 4);
	struct summary one, again, merged;
	struct host_count *kept;
	struct truth *t = calloc(2 * N, sizeof(*t));
	size_t nt = 0, i, k;
	uint64_t untracked = 0;
	int nk;

	all_in_one(&one, v, N, 0);
	all_in_one(&again, v, N, 99);
	cr_assert_eq(one.hosts, SUMMARY_MAX_HOSTS, "the flows have more hosts than the table keeps");
	cr_assert_gt(one.hosts_untracked, 0);
	assert_same(&one, &again);
	by_parts(&merged, v, N, 3, 7);
	assert_same(&one, &merged);

	/* Every host kept has all its flows counted; a flow is untracked exactly when a host of it is not kept. */
	for (i = 0; i < N; i++)
		for (k = 0; k < 2; k++) {
			t[nt].key[0] = v[i].orig.family;
			memcpy(t[nt].key + 1, k ? v[i].orig.dst : v[i].orig.src, 16);
			nt++;
		}
	qsort(t, nt, sizeof(*t), host_key_cmp);
	for (i = k = 0; i < nt; i++)
		if (k == 0 || memcmp(t[i].key, t[k - 1].key, 17))
			t[k++] = t[i];
	nt = k;
	cr_assert_gt(nt, SUMMARY_MAX_HOSTS);
	for (i = 0; i < N; i++) {
		uint64_t bytes = v[i].side[0].ip_bytes + v[i].side[1].ip_bytes;
		struct truth *o = truth_find(t, nt, v[i].orig.family, v[i].orig.src);
		struct truth *r = truth_find(t, nt, v[i].orig.family, v[i].orig.dst);

		o->orig++;
		o->bytes += bytes;
		r->resp++;
		r->bytes += bytes;
	}
	kept = top(&one, &nk);
	cr_assert_eq(nk, SUMMARY_MAX_HOSTS);
	for (i = 0; i < (size_t)nk; i++) {
		struct truth *h = truth_find(t, nt, kept[i].family, kept[i].addr);

		cr_assert_not_null(h);
		cr_assert_eq(kept[i].flows_orig, h->orig);
		cr_assert_eq(kept[i].flows_resp, h->resp);
		cr_assert_eq(kept[i].bytes, h->bytes);
		h->orig = UINT64_MAX;	/* marks it kept */
	}
	for (i = 0; i < N; i++)
		untracked += truth_find(t, nt, v[i].orig.family, v[i].orig.src)->orig != UINT64_MAX ||
			     truth_find(t, nt, v[i].orig.family, v[i].orig.dst)->orig != UINT64_MAX;
	cr_assert_eq(one.hosts_untracked, untracked);
	free(kept);
	free(t);
	summary_free(&one);
	summary_free(&again);
	summary_free(&merged);
	free(v);
}
