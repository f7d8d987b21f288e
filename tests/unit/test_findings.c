/*
 * test_findings: the findings do not depend on the order flows are added in,
 * and findings split by host pair (--workers), each part added in its own
 * order and merged, are the findings of one object fed every flow.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "findings.h"
#include "fixtures.h"
#include "inspect.h"
#include "rules.h"
#include "site.h"

/* clients on net 1, VDAs on net 2, the DDC and the license server on net 3; net 9 is outside */
static const char site_yaml[] =
	"site: test\n"
	"roles:\n"
	"  workspace-app: [198.18.1.0/24, '2001:db8:1::/64']\n"
	"  vda: [198.18.2.0/24, '2001:db8:2::/64', 198.18.2.250]\n"
	"  ddc: 198.18.3.10\n"
	"  license-server: 198.18.3.20\n"
	"scope: [198.18.0.0/15, '2001:db8::/32']\n"
	"accept:\n"
	"  - from: workspace-app\n"
	"    to: vda\n"
	"    proto: tcp\n"
	"    ports: [8443]\n"
	"    reason: a known exception\n";

enum { MAXF = 2000, NET_CLIENT = 1, NET_VDA = 2, NET_SERVER = 3, NET_OUT = 9 };
enum { DDC = 10, LICENSE = 20 };

struct item {
	struct flow f;
	struct classification cl;
	struct finding_ids ids;		/* what findings_add said for it in the reference */
};

static struct rule_set rs;
static struct site site;
static struct item items[MAXF];
static int nitems;
static uint64_t rng;
static int64_t t0 = 1800000000LL * 1000000;	/* the capture's first packet */
static const struct tls_evidence tls13 = { .sni = "x.cloud.com", .version = 0x0304 };

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int below(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

static int rule_ix(const char *id)
{
	int r;

	for (r = 0; r < rs.nrules; r++)
		if (!strcmp(rs.rules[r].id, id))
			return r;
	cr_assert_fail("no rule %s", id);
	return -1;
}

static int role_ix(const char *name)
{
	int r = rules_role_index(&rs, name, false);

	cr_assert_geq(r, 0, "no role %s", name);
	return r;
}

static int role_of_net(int net, int host)
{
	switch (net) {
	case NET_CLIENT:
		return role_ix("workspace-app");
	case NET_VDA:
		return role_ix("vda");
	case NET_SERVER:
		return host == DDC ? role_ix("ddc") : host == LICENSE ? role_ix("license-server") : ROLE_NONE;
	default:
		return ROLE_NONE;
	}
}

static void addr(uint8_t out[16], int family, int net, int host)
{
	memset(out, 0, 16);
	if (family == 4) {
		out[0] = 198;
		out[1] = 18;
		out[2] = (uint8_t)net;
		out[3] = (uint8_t)host;
	} else {
		out[0] = 0x20;
		out[1] = 0x01;
		out[2] = 0x0d;
		out[3] = 0xb8;
		out[5] = (uint8_t)net;
		out[15] = (uint8_t)host;
	}
}

/*
 * A flow and its classification, as classify would have made them. First
 * packets fall on 50 ms steps over ten minutes, so that many flows start at
 * the same time and the order falls back on the endpoints.
 */
static struct item *flow(int family, uint8_t proto, int onet, int ohost, int rnet, int rhost, uint16_t dport,
			 enum verdict v, enum reason why, const char *rule)
{
	struct item *x;

	cr_assert_lt(nitems, MAXF);
	x = &items[nitems++];
	memset(x, 0, sizeof(*x));
	x->f.orig.family = (uint8_t)family;
	x->f.orig.proto = proto;
	addr(x->f.orig.src, family, onet, ohost);
	addr(x->f.orig.dst, family, rnet, rhost);
	x->f.orig.sport = proto == PROTO_ICMP ? 8 : (uint16_t)(40000 + below(64));
	x->f.orig.dport = dport;
	x->f.first_us = t0 + 50000LL * below(12000);
	x->f.last_us = x->f.first_us + below(5000000);
	x->f.uid_seq = (uint64_t)nitems;
	x->f.side[0].pkts = 1 + (uint64_t)below(9);
	x->f.side[1].pkts = v == V_OK ? 1 + (uint64_t)below(9) : 0;
	x->cl.verdict = v;
	x->cl.reason = why;
	x->cl.rule = rule ? rule_ix(rule) : -1;
	x->cl.orig_role = role_of_net(onet, ohost);
	x->cl.resp_role = role_of_net(rnet, rhost);
	x->cl.local_orig = onet != NET_OUT;
	x->cl.local_resp = rnet != NET_OUT;
	/* allow rules match what they describe; a deny rule decides, but 'missing' counts allows only */
	if (rule && rs.rules[x->cl.rule].action == ACTION_ALLOW)
		x->cl.matches[x->cl.nmatches++] = x->cl.rule;
	return x;
}

static uint16_t edt_port(void)
{
	return below(2) ? 1494 : 2598;
}

/* One client and one VDA: a story of a few flows, picked at random. */
static void client_vda(int family, int c, int d)
{
	struct item *x;
	int k;

	switch (below(11)) {
	case 0:		/* all well */
		flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 1494, V_OK, R_ANSWERED, "ica");
		flow(family, PROTO_UDP, NET_CLIENT, c, NET_VDA, d, 1494, V_OK, R_ANSWERED, "edt");
		break;
	case 1:		/* EDT blocked while TCP works: fallback */
	case 2: {
		uint16_t p = edt_port();

		for (k = below(3); k >= 0; k--)
			flow(family, PROTO_UDP, NET_CLIENT, c, NET_VDA, d, p,
			     V_BLOCKED, below(2) ? R_NO_REPLY : R_ICMP_PORT_UNREACHABLE, "edt");
		for (k = below(2); k >= 0; k--)
			flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, p, V_OK, R_ANSWERED, p == 1494 ? "ica" : "cgp");
		break;
	}
	case 3:		/* EDT blocked, TCP never tried: blocked only */
		flow(family, PROTO_UDP, NET_CLIENT, c, NET_VDA, d, edt_port(), V_BLOCKED, R_NO_REPLY, "edt");
		break;
	case 4:		/* ICA works, CGP blocked: incomplete */
	case 5:
		flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 1494, V_OK, R_ANSWERED, "ica");
		for (k = below(3); k >= 0; k--)
			flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 2598,
			     V_BLOCKED, below(3) ? R_RST_FROM_HOST : R_NO_REPLY, "cgp");
		if (below(3) == 0)	/* and ICA blocked too, once: two blocked rules in the group */
			flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 1494, V_BLOCKED, R_NO_REPLY, "ica");
		break;
	case 6:		/* mostly one-sided: the capture sees one direction */
		for (k = below(3) + 1; k >= 0; k--)
			flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 1494, V_ONE_SIDED, R_NO_RESPONDER_PACKETS,
			     "ica");
		flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 2598, V_BLOCKED, R_NO_REPLY, "cgp");
		break;
	case 7:		/* off the matrix: unexpected (one accepted) */
		flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, below(2) ? 8080 : 8443, V_UNEXPECTED, R_ANSWERED, NULL);
		flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 23, V_UNEXPECTED, R_ANSWERED, "telnet");
		break;
	case 8:		/* resets: interrupted, and forged ones */
		flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 1494, V_INTERRUPTED, R_RESET_AFTER_ESTABLISHED,
		     "ica");
		x = flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 1494, V_INTERRUPTED, R_MIDDLEBOX_RESET, "ica");
		x->cl.wire |= WF_MIDDLEBOX_RESET;
		x = flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 2598, V_BLOCKED, R_RST, "cgp");
		x->cl.wire |= WF_MIDDLEBOX_RESET;
		break;
	case 9:		/* the wire says otherwise: wrong protocol, interception, TLS 1.3 not judged */
		x = flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 1494, V_OK, R_ANSWERED, "ica");
		x->cl.wire |= WF_WRONG_PROTOCOL;
		x->cl.wrong_why = below(2) ? WW_OTHER_SERVICE : WW_UNRECOGNISED;
		x = flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 2598, V_OK, R_ANSWERED, "cgp");
		x->cl.wire |= WF_TLS_INTERCEPTED;
		x->cl.tls_why = WW_ISSUER_PRODUCT;
		x = flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 2598, V_OK, R_ANSWERED, "cgp");
		x->cl.tls_watched = true;
		x->f.tls = &tls13;
		break;
	default:	/* the end of the capture, and an ICMP error of its own */
		flow(family, PROTO_TCP, NET_CLIENT, c, NET_VDA, d, 2598, V_PENDING, R_NO_REPLY, "cgp");
		flow(family, PROTO_ICMP, NET_VDA, d, NET_CLIENT, c, 3, V_RELATED, R_NONE, NULL);
		break;
	}
}

/* A few hundred flows over many host pairs, in the order they were made. */
static void make_flows(uint64_t seed)
{
	int c, d, k;

	rng = seed;
	nitems = 0;
	for (c = 1; c <= 30; c++)
		for (d = 1; d <= 8; d++)
			if (below(2) == 0)
				client_vda(below(5) ? 4 : 6, c, d);
	for (d = 1; d <= 8; d++) {	/* registration from some VDAs only: 'missing' for the others */
		if (below(2))
			flow(4, PROTO_TCP, NET_VDA, d, NET_SERVER, DDC, 80, V_OK, R_ANSWERED, "register");
		if (below(3) == 0)
			flow(4, PROTO_UDP, NET_VDA, d, NET_SERVER, DDC, 514, V_OK, R_ONE_WAY, "syslog");
		if (below(3) == 0)
			flow(4, PROTO_ICMP, NET_SERVER, DDC, NET_VDA, d, 8, below(2) ? V_OK : V_BLOCKED,
			     R_ANSWERED, "ping");
	}
	for (k = 0; k < 12; k++)	/* from outside the site: no source role */
		flow(4, PROTO_TCP, NET_OUT, 1 + below(4), NET_VDA, 1 + below(8), 1494, V_UNEXPECTED, R_ANSWERED, NULL);
	/* findings alike in all but protocol or reason: the sort must still put them in one order */
	flow(4, PROTO_TCP, NET_CLIENT, 99, NET_VDA, 99, 9999, V_UNEXPECTED, R_ANSWERED, NULL);
	flow(4, PROTO_UDP, NET_CLIENT, 99, NET_VDA, 99, 9999, V_UNEXPECTED, R_ANSWERED, NULL);
	flow(4, PROTO_TCP, NET_CLIENT, 99, NET_VDA, 99, 9998, V_UNEXPECTED, R_ANSWERED, NULL);
	flow(4, PROTO_TCP, NET_CLIENT, 99, NET_VDA, 99, 9998, V_UNEXPECTED, R_RST, NULL);
	cr_assert_gt(nitems, 200, "%d flows", nitems);
}

/* Port-only mode: no roles, nothing in scope. */
static void drop_roles(void)
{
	int i;

	for (i = 0; i < nitems; i++) {
		items[i].cl.orig_role = items[i].cl.resp_role = ROLE_NONE;
		items[i].cl.local_orig = items[i].cl.local_resp = -1;
	}
}

static void shuffle(int *order, int n)
{
	int i, j, t;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = below(i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

static struct findings *fresh(bool with_site)
{
	struct findings *fd = findings_new(&rs, with_site ? &site : NULL);

	findings_set_uid_seed(fd, 0x5eed);
	findings_set_today(fd, t0);
	return fd;
}

static void finish(struct findings *fd)
{
	findings_finish(fd, t0, t0 + 600 * 1000000LL);
}

/* The reference: every flow into one object, in a shuffled order; each flow's ids kept. */
static struct findings *reference(bool with_site)
{
	struct findings *fd = fresh(with_site);
	static int order[MAXF];
	int i;

	shuffle(order, nitems);
	for (i = 0; i < nitems; i++)
		findings_add(fd, &items[order[i]].f, &items[order[i]].cl, &items[order[i]].ids);
	finish(fd);
	return fd;
}

/* Which part a flow goes to: by its unordered address pair (as --workers shards), or at random. */
static int part_of(const struct item *x, int parts, bool by_pair)
{
	const uint8_t *a = x->f.orig.src, *b = x->f.orig.dst;
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	if (!by_pair)
		return below(parts);
	if (memcmp(a, b, 16) > 0) {
		a = x->f.orig.dst;
		b = x->f.orig.src;
	}
	for (i = 0; i < 32; i++) {
		h ^= i < 16 ? a[i] : b[i - 16];
		h *= 0x100000001b3ULL;
	}
	return (int)(h % (uint64_t)parts);
}

/*
 * The flows split into parts, each added in its own shuffled order (the
 * ids findings_add gives must be the reference's), merged into the first.
 * finish_first: the first part is finished before the merge (an interim
 * report), which the final findings_finish must not remember.
 */
static struct findings *split_and_merge(bool with_site, int parts, bool by_pair, bool finish_first)
{
	static int order[MAXF], part[MAXF];
	struct findings *p[4];
	int i, k;

	for (i = 0; i < nitems; i++)
		part[i] = part_of(&items[i], parts, by_pair);
	for (k = 0; k < parts; k++) {
		p[k] = fresh(with_site);
		shuffle(order, nitems);
		for (i = 0; i < nitems; i++) {
			struct finding_ids ids;
			int j;

			if (part[order[i]] != k)
				continue;
			findings_add(p[k], &items[order[i]].f, &items[order[i]].cl, &ids);
			cr_assert_eq(ids.n, items[order[i]].ids.n, "flow %d: findings joined", order[i]);
			for (j = 0; j < ids.n; j++)
				cr_assert_str_eq(ids.id[j], items[order[i]].ids.id[j], "flow %d: conn log findings id",
						 order[i]);
		}
	}
	if (finish_first)
		finish(p[0]);
	for (k = 1; k < parts; k++) {
		findings_merge(p[0], p[k]);
		findings_free(p[k]);	/* the merged findings must own all they hold */
	}
	finish(p[0]);
	return p[0];
}

static void same_flow(const struct flow *a, const struct flow *b, const char *what, const char *id)
{
	cr_assert_eq(flow_order_cmp(a, b), 0, "%s %s: not the same flow by flow_order_cmp", id, what);
	cr_assert_eq(a->uid_seq, b->uid_seq, "%s %s: not the same flow", id, what);
}

static void same_class(const struct classification *a, const struct classification *b, const char *id)
{
	cr_assert_eq(a->verdict, b->verdict, "%s", id);
	cr_assert_eq(a->reason, b->reason, "%s", id);
	cr_assert_eq(a->rule, b->rule, "%s", id);
	cr_assert_eq(a->orig_role, b->orig_role, "%s", id);
	cr_assert_eq(a->resp_role, b->resp_role, "%s", id);
	cr_assert_eq(a->wire, b->wire, "%s", id);
}

static void same_finding(const struct finding *a, const struct finding *b)
{
	const char *id = a->id;
	int k;

	cr_assert_str_eq(a->id, b->id);
	cr_assert_eq(a->kind, b->kind, "%s", id);
	cr_assert_eq(a->reason, b->reason, "%s", id);
	cr_assert_eq(a->rule, b->rule, "%s", id);
	cr_assert_eq(a->orig_role, b->orig_role, "%s", id);
	cr_assert_eq(a->resp_role, b->resp_role, "%s", id);
	cr_assert_eq(a->family, b->family, "%s", id);
	cr_assert_eq(a->proto, b->proto, "%s", id);
	cr_assert_eq(a->port, b->port, "%s", id);
	cr_assert_arr_eq(a->orig_h, b->orig_h, 16, "%s", id);
	cr_assert_arr_eq(a->resp_h, b->resp_h, 16, "%s", id);
	cr_assert_eq(a->has_host, b->has_host, "%s", id);
	cr_assert_eq(a->visibility, b->visibility, "%s", id);
	cr_assert_eq(a->count, b->count, "%s: count", id);
	cr_assert_eq(a->first_us, b->first_us, "%s: first", id);
	cr_assert_eq(a->last_us, b->last_us, "%s: last", id);
	cr_assert_eq(a->confidence, b->confidence, "%s: confidence", id);
	cr_assert_eq(a->why, b->why, "%s", id);
	cr_assert_str_eq(a->note, b->note, "%s", id);
	cr_assert_eq(a->has_example, b->has_example, "%s", id);
	if (a->has_example) {
		same_flow(&a->example, &b->example, "example", id);
		same_class(&a->example_class, &b->example_class, id);
	}
	cr_assert_eq(a->hosts, b->hosts, "%s: hosts", id);
	cr_assert_eq(a->hosts_capped, b->hosts_capped, "%s", id);
	cr_assert_eq(a->npairs, b->npairs, "%s: pairs", id);
	for (k = 0; k < a->npairs; k++) {
		const struct finding_pair *x = &a->pairs[k], *y = &b->pairs[k];

		cr_assert_eq(x->family, y->family, "%s pair %d", id, k);
		cr_assert_arr_eq(x->orig_h, y->orig_h, 16, "%s pair %d", id, k);
		cr_assert_arr_eq(x->resp_h, y->resp_h, 16, "%s pair %d", id, k);
		cr_assert_eq(x->flows, y->flows, "%s pair %d", id, k);
		cr_assert_str_eq(x->uid, y->uid, "%s pair %d: uid of its first flow", id, k);
	}
	cr_assert_eq(a->nrelated, b->nrelated, "%s: related", id);
	for (k = 0; k < a->nrelated; k++)
		cr_assert_str_eq(a->related[k], b->related[k], "%s related %d", id, k);
	cr_assert_eq(a->accepted, b->accepted, "%s", id);
	if (a->accepted)
		cr_assert_eq(a->accept_index, b->accept_index, "%s", id);
}

/* Everything a report reads of the findings. */
static void same_findings(const struct findings *a, const struct findings *b)
{
	const struct finding *const *la, *const *lb;
	const struct role_pair_stats *ra, *rb;
	const struct rule_stats *sa, *sb;
	int na, nb, i, v;

	la = findings_list(a, &na);
	lb = findings_list(b, &nb);
	cr_assert_eq(na, nb, "findings: %d vs %d", na, nb);
	for (i = 0; i < na; i++)
		same_finding(la[i], lb[i]);
	for (i = 0; i < FK_COUNT; i++)
		cr_assert_eq(findings_count(a, (enum finding_kind)i), findings_count(b, (enum finding_kind)i), "%s",
			     findings_kind_name((enum finding_kind)i));
	cr_assert_eq(findings_accepted(a), findings_accepted(b));
	cr_assert_eq(findings_untracked(a), findings_untracked(b));
	cr_assert_eq(findings_tls_hidden(a), findings_tls_hidden(b));
	cr_assert_eq(findings_dropped(a), findings_dropped(b));
	sa = findings_rule_stats(a);
	sb = findings_rule_stats(b);
	for (i = 0; i < rs.nrules; i++) {
		for (v = 0; v < V_COUNT; v++)
			cr_assert_eq(sa[i].flows[v], sb[i].flows[v], "rule %s", rs.rules[i].name);
		for (v = 0; v < WIRE_KINDS; v++)
			cr_assert_eq(sa[i].wire[v], sb[i].wire[v], "rule %s", rs.rules[i].name);
		cr_assert_eq(sa[i].absent, sb[i].absent, "rule %s", rs.rules[i].name);
		cr_assert_eq(sa[i].total, sb[i].total, "rule %s", rs.rules[i].name);
		if (sa[i].total) {
			cr_assert_eq(sa[i].first_us, sb[i].first_us, "rule %s", rs.rules[i].name);
			cr_assert_eq(sa[i].last_us, sb[i].last_us, "rule %s", rs.rules[i].name);
		}
	}
	ra = findings_role_pairs(a, &na);
	rb = findings_role_pairs(b, &nb);
	cr_assert_eq(na, nb, "role cells: %d vs %d", na, nb);
	for (i = 0; i < na; i++) {
		cr_assert_eq(ra[i].orig_role, rb[i].orig_role, "cell %d", i);
		cr_assert_eq(ra[i].resp_role, rb[i].resp_role, "cell %d", i);
		cr_assert_eq(ra[i].rule, rb[i].rule, "cell %d", i);
		for (v = 0; v < V_COUNT; v++)
			cr_assert_eq(ra[i].flows[v], rb[i].flows[v], "cell %d", i);
		for (v = 0; v < WIRE_KINDS; v++)
			cr_assert_eq(ra[i].wire[v], rb[i].wire[v], "cell %d", i);
		cr_assert_eq(ra[i].example < 0, rb[i].example < 0, "cell %d", i);
		if (ra[i].example >= 0)
			cr_assert_str_eq(findings_get(a, ra[i].example)->id, findings_get(b, rb[i].example)->id,
					 "cell %d: example finding", i);
	}
}

static void setup(void)
{
	fixture_load(&rs, fixture_rules_yaml, &site, site_yaml);
}

static void teardown(void)
{
	site_free(&site);
	rules_free(&rs);
}

TestSuite(findings, .init = setup, .fini = teardown);

/* The flows make every kind of finding the merge has to get right: else the test proves little. */
Test(findings, the_synthetic_capture_has_every_kind_it_is_meant_to)
{
	static const enum finding_kind kinds[] = {
		FK_BLOCKED, FK_TLS_INTERCEPTED, FK_FALLBACK, FK_INCOMPLETE, FK_MIDDLEBOX_RESET, FK_INTERRUPTED,
		FK_WRONG_PROTOCOL, FK_MISSING, FK_ONE_SIDED, FK_UNEXPECTED, FK_PENDING,
	};
	const struct finding *const *list;
	struct findings *a;
	bool many_pairs = false, low = false, related = false;
	size_t k;
	int n, i;

	make_flows(0x1234567);
	a = reference(true);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		cr_expect_gt(findings_count(a, kinds[k]), 0, "no %s finding", findings_kind_name(kinds[k]));
	cr_expect_gt(findings_accepted(a), 0);
	cr_expect_gt(findings_tls_hidden(a), 0);
	list = findings_list(a, &n);
	for (i = 0; i < n; i++) {
		many_pairs |= list[i]->hosts > 3;
		low |= list[i]->confidence == CONF_LOW && list[i]->kind == FK_ONE_SIDED;
		related |= list[i]->nrelated > 0;
	}
	cr_expect(many_pairs, "no finding over several host pairs");
	cr_expect(low, "no one-sided host pair lowered a confidence");
	cr_expect(related, "no fallback or incomplete names its blocked finding");
	findings_free(a);
}

/* The same flows in two orders: the same findings, examples and uids. */
Test(findings, the_order_flows_are_added_in_does_not_matter)
{
	struct findings *a, *b;

	make_flows(42);
	a = reference(true);
	b = reference(true);
	same_findings(a, b);
	findings_free(a);
	findings_free(b);
}

static void merged_is_whole(bool with_site, bool by_pair, bool finish_first)
{
	uint64_t seeds[] = { 1, 0xdeadbeef, 0x9e3779b97f4a7c15ULL };
	size_t s;
	int parts;

	for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		struct findings *a;

		make_flows(seeds[s]);
		if (!with_site)
			drop_roles();
		a = reference(with_site);
		for (parts = 2; parts <= 3; parts++) {
			struct findings *m = split_and_merge(with_site, parts, by_pair, finish_first);

			same_findings(a, m);
			findings_free(m);
		}
		findings_free(a);
	}
}

Test(findings, split_by_host_pair_and_merged_is_the_whole)
{
	merged_is_whole(true, true, false);
}

Test(findings, split_by_host_pair_and_merged_is_the_whole_in_port_only_mode)
{
	merged_is_whole(false, true, false);
}

/* A host pair's flows in several parts (not what --workers does, but merged all the same). */
Test(findings, split_flow_by_flow_and_merged_is_the_whole)
{
	merged_is_whole(true, false, false);
	merged_is_whole(false, false, false);
}

/* An interim report finishes the findings merged into; merging on and finishing again forgets it. */
Test(findings, merging_after_an_interim_finish_is_the_whole)
{
	merged_is_whole(true, true, true);
}
