/* test_baseline: paths aggregated from real flows, the file written and read, merged, and two baselines diffed */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "fixtures.h"
#include "baseline_internal.h"
#include "classify.h"
#include "conn_log.h"
#include "decode.h"
#include "inspect.h"
#include "tracker.h"
#include "yaml_tree.h"

static const char rules_yaml[] =
	"matrix: test\n"
	"title: Test matrix\n"
	"rules:\n"
	"  - {id: ica, category: ica-hdx, from: workspace-app, to: vda, proto: tcp, ports: [1494]}\n"
	"  - {id: cgp, category: ica-hdx, from: workspace-app, to: vda, proto: tcp, ports: [2598]}\n"
	"  - {id: edt, category: edt, from: workspace-app, to: vda, proto: udp, ports: [1494, 2598]}\n"
	"  - {id: license, category: licensing, from: ddc, to: license-server, proto: tcp, ports: [27000]}\n"
	"  - {id: register, category: broker, from: vda, to: ddc, proto: tcp, ports: [80]}\n"
	"  - {id: telnet, category: other, from: any, to: any, proto: tcp, ports: [23], action: deny}\n"
	"  - {id: syslog, category: monitoring, from: vda, to: ddc, proto: udp, ports: [514], one-way: true}\n";

/* client .1, vda .2 and .3, ddc .10, license server .20; scope 198.18.0.0/15 */
static const char site_yaml[] =
	"site: test\n"
	"roles:\n"
	"  workspace-app: 198.18.1.1\n"
	"  vda: [198.18.1.2, 198.18.1.3]\n"
	"  ddc: 198.18.1.10\n"
	"  license-server: 198.18.1.20\n"
	"scope: 198.18.0.0/15\n";

/* The same site after a change: the second VDA moved. */
static const char site2_yaml[] =
	"site: test\n"
	"roles:\n"
	"  workspace-app: 198.18.1.1\n"
	"  vda: [198.18.1.2, 198.18.1.4]\n"
	"  ddc: 198.18.1.10\n"
	"  license-server: 198.18.1.20\n"
	"scope: 198.18.0.0/15\n";

enum { MAX_FLOWS = 64 };

static struct rule_set rs;
static struct site site;
static struct classifier *cl;
static struct tracker *ft;
static struct flow done[MAX_FLOWS];
static struct classification cls[MAX_FLOWS];
static int ndone;
static int64_t now_us, first_us;
static uint64_t npackets;

static void on_done(struct flow *f, void *ctx)
{
	(void)ctx;
	cr_assert_lt(ndone, MAX_FLOWS);
	done[ndone] = *f;
	classify_flow(cl, f, now_us, &cls[ndone]);
	ndone++;
}

static void load_site(struct site *s, const char *yaml)
{
	struct load_error err;

	memset(s, 0, sizeof(*s));
	cr_assert_eq(site_load_string(s, "site.yaml", yaml, strlen(yaml), &rs, NULL, NULL, &err), 0, "%s:%d:%d: %s",
		     err.file, err.line, err.column, err.msg);
}

static void setup(void)
{
	fixture_load(&rs, rules_yaml, NULL, NULL);
	load_site(&site, site_yaml);
	cl = classify_new(&rs, &site, 3 * 1000000LL);
}

static void teardown(void)
{
	classify_free(cl);
	site_free(&site);
	rules_free(&rs);
}

/* ---- packets, as in test_classify ---- */

static struct packet pkt(uint8_t proto, uint8_t s, uint16_t sport, uint8_t d, uint16_t dport, double t)
{
	struct packet p;

	memset(&p, 0, sizeof(p));
	p.ts_us = (int64_t)(t * 1e6);
	p.t.family = 4;
	p.t.proto = proto;
	p.t.src[0] = p.t.dst[0] = 198;
	p.t.src[1] = p.t.dst[1] = 18;
	p.t.src[2] = p.t.dst[2] = 1;
	p.t.src[3] = s;
	p.t.dst[3] = d;
	p.t.sport = sport;
	p.t.dport = dport;
	p.has_l4 = true;
	p.ip_len = 60;
	p.win = 1000;
	return p;
}

static void feed(struct packet p)
{
	if (p.ts_us > now_us)
		now_us = p.ts_us;
	if (!npackets || p.ts_us < first_us)
		first_us = p.ts_us;
	npackets++;
	tracker_packet(ft, &p);
}

static void tcp(uint8_t s, uint16_t sp, uint8_t d, uint16_t dp, uint8_t flags, uint32_t seq, uint32_t ack,
		uint32_t len, double t)
{
	struct packet p = pkt(PROTO_TCP, s, sp, d, dp, t);

	p.tcp_flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.l4_payload_len = len;
	feed(p);
}

/* A full session c -> s:port with a request, a reply and a FIN exchange. */
static void session(uint8_t c, uint16_t cp, uint8_t s, uint16_t port, double t)
{
	tcp(c, cp, s, port, TCP_SYN, 100, 0, 0, t);
	tcp(s, port, c, cp, TCP_SYN | TCP_ACK, 900, 101, 0, t + 0.01);
	tcp(c, cp, s, port, TCP_ACK, 101, 901, 0, t + 0.02);
	tcp(c, cp, s, port, TCP_ACK | TCP_PSH, 101, 901, 10, t + 0.03);
	tcp(s, port, c, cp, TCP_ACK | TCP_PSH, 901, 111, 20, t + 0.04);
	tcp(c, cp, s, port, TCP_FIN | TCP_ACK, 111, 921, 0, t + 0.05);
	tcp(s, port, c, cp, TCP_FIN | TCP_ACK, 921, 112, 0, t + 0.06);
	tcp(c, cp, s, port, TCP_ACK, 112, 922, 0, t + 0.07);
}

/* SYNs nobody answers: blocked once the capture goes on long enough. */
static void syn_only(uint8_t c, uint16_t cp, uint8_t s, uint16_t port, double t)
{
	tcp(c, cp, s, port, TCP_SYN, 5, 0, 0, t);
	tcp(c, cp, s, port, TCP_SYN, 5, 0, 0, t + 1);
}

static void udp_both_ways(uint8_t c, uint16_t cp, uint8_t s, uint16_t port, double t)
{
	feed(pkt(PROTO_UDP, c, cp, s, port, t));
	feed(pkt(PROTO_UDP, s, port, c, cp, t + 0.01));
}

/* A packet far later and out of scope (unmatched: never in a baseline), so nothing before it is pending. */
static void later(double t)
{
	struct packet p = pkt(PROTO_UDP, 99, 5000, 98, 5001, t);

	p.t.src[0] = p.t.dst[0] = 203;
	p.t.src[1] = p.t.dst[1] = 0;
	p.t.src[2] = p.t.dst[2] = 113;
	feed(p);
}

/* Run a scenario through a fresh flow table; its flows land in done[0..ndone). */
static void collect(void (*scenario)(void))
{
	struct flow_table_config cfg;

	flow_table_config_defaults(&cfg);
	ft = tracker_new(&cfg, NULL, on_done, NULL);
	ndone = 0;
	now_us = first_us = 0;
	npackets = 0;
	scenario();
	tracker_flush(ft);
	tracker_free(ft);
}

static void finish(struct baseline *b, const char *input, const struct site *s)
{
	const char *inputs[] = { input };
	struct baseline_capture cap = {
		.inputs = inputs, .ninputs = 1, .first_us = first_us, .last_us = now_us, .packets = npackets,
		.site_name = s ? s->name : NULL,
	};

	baseline_finish(b, &cap, &rs, s);
}

/* A baseline of the collected flows, added first to last or last to first. */
static struct baseline *build(enum baseline_by by, bool reverse, const char *input)
{
	struct baseline *b = baseline_new(by);
	int i;

	for (i = 0; i < ndone; i++) {
		int k = reverse ? ndone - 1 - i : i;

		baseline_add(b, &done[k], &cls[k], &rs);
	}
	finish(b, input, &site);
	return b;
}

static struct baseline *record(void (*scenario)(void), enum baseline_by by, const char *input)
{
	collect(scenario);
	return build(by, false, input);
}

/* ---- output helpers ---- */

static char *written(const struct baseline *b)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	cr_assert_eq(baseline_write(b, mem), 0);
	fclose(mem);
	return text;
}

/* A file in the build directory holding text; the caller unlinks it. */
static void to_file(const char *text, char *path)
{
	int fd;
	FILE *f;

	strcpy(path, "test_baseline-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

static struct baseline *read_text(const char *text, struct load_error *err)
{
	char path[32];
	struct baseline *b;

	to_file(text, path);
	b = baseline_read(path, err);
	unlink(path);
	return b;
}

/* Not inlined: GCC 12 at -O2 mistakes the open_memstream buffer for a dangling pointer. */
static __attribute__((noinline)) char *diffed(const struct baseline *before, const struct baseline *after,
					      uint64_t min_flows, bool json, int *rc)
{
	struct baseline_diff_options opt = { .min_flows = min_flows, .json = json };
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	*rc = baseline_diff(before, after, &opt, mem);
	fclose(mem);
	return text;
}

static const struct bl_path *find(const struct baseline *b, const char *orig, const char *resp, uint16_t port)
{
	const struct bl_path *p;

	for (p = b->paths; p; p = p->hh.next)
		if (p->port == port && (orig ? p->orig && !strcmp(p->orig, orig) : !p->orig) &&
		    (resp ? p->resp && !strcmp(p->resp, resp) : !p->resp))
			return p;
	return NULL;
}

/* ---- scenarios ---- */

static void two_ica_sessions_and_a_blocked_one(void)
{
	session(1, 40000, 2, 1494, 1.0);
	session(1, 40001, 3, 1494, 2.0);
	syn_only(1, 40002, 2, 1494, 3.0);
	later(30.0);
}

static void an_address_with_no_role(void)
{
	session(50, 40000, 2, 1494, 1.0); /* .50 is in scope but plays no role */
	later(30.0);
}

static void related_and_unmatched(void)
{
	struct packet icmp = pkt(PROTO_ICMP, 2, 3, 1, 13, 1.01);

	tcp(1, 40000, 2, 1494, TCP_SYN, 5, 0, 0, 1.0);
	icmp.icmp_type = 3;
	icmp.icmp_code = 13;
	icmp.has_quoted = true;
	icmp.quoted = pkt(PROTO_TCP, 1, 40000, 2, 1494, 0).t;
	feed(icmp);
	later(30.0);
}

/* Before the change: ICA twice, CGP, licensing three times, a failing registration, one syslog datagram. */
static void before_change(void)
{
	session(1, 40000, 2, 1494, 1.0);
	session(1, 40001, 2, 1494, 1.5);
	session(1, 40002, 2, 2598, 2.0);
	session(10, 41000, 20, 27000, 3.0);
	session(10, 41001, 20, 27000, 3.5);
	session(10, 41002, 20, 27000, 4.0);
	syn_only(2, 42000, 10, 80, 5.0);
	feed(pkt(PROTO_UDP, 2, 514, 10, 514, 6.0));
	later(60.0);
}

/* After: ICA as before, CGP blocked, licensing and syslog gone, registration fixed, EDT and telnet new. */
static void after_change(void)
{
	session(1, 40100, 2, 1494, 101.0);
	syn_only(1, 40101, 2, 2598, 102.0);
	session(2, 42100, 10, 80, 103.0);
	udp_both_ways(1, 40102, 2, 1494, 104.0);
	session(1, 40103, 2, 23, 105.0);
	later(160.0);
}

/* After, only for the better: everything as before plus EDT, and the registration fixed. */
static void after_better(void)
{
	session(1, 40000, 2, 1494, 101.0);
	session(1, 40001, 2, 1494, 101.5);
	session(1, 40002, 2, 2598, 102.0);
	session(10, 41000, 20, 27000, 103.0);
	session(10, 41001, 20, 27000, 103.5);
	session(10, 41002, 20, 27000, 104.0);
	session(2, 42100, 10, 80, 105.0);
	feed(pkt(PROTO_UDP, 2, 514, 10, 514, 106.0));
	udp_both_ways(1, 40102, 2, 1494, 107.0);
	later(160.0);
}

static void short_after(void)
{
	session(1, 40000, 2, 1494, 1.0);
	later(2.0);
}

TestSuite(baseline, .init = setup, .fini = teardown);

/* ---- aggregation ---- */

Test(baseline, flows_aggregate_per_role_path_without_client_ports)
{
	struct baseline *b = record(two_ica_sessions_and_a_blocked_one, BY_ROLE, "a.pcap");
	const struct bl_path *p = find(b, "workspace-app", "vda", 1494);
	char *text = written(b);

	cr_assert_eq(HASH_COUNT(b->paths), 1, "three flows, two VDAs, three client ports: one role path");
	cr_assert_not_null(p);
	cr_assert_str_eq(p->proto, "tcp");
	cr_assert_str_eq(p->rule, "test/ica");
	cr_assert_eq(p->flows[V_OK], 2);
	cr_assert_eq(p->flows[V_BLOCKED], 1);
	cr_assert_eq(p->first_us, 1000000);
	cr_assert_eq(p->last_us, 4000000);
	cr_assert_gt(p->orig_ip_bytes, 0);
	cr_assert_null(strstr(text, "\"port\": 4000"), "%s", text);
	free(text);
	baseline_free(b);
}

Test(baseline, flows_aggregate_per_host_pair_without_client_ports)
{
	struct baseline *b = record(two_ica_sessions_and_a_blocked_one, BY_HOST, "a.pcap");
	const struct bl_path *p2 = find(b, "198.18.1.1", "198.18.1.2", 1494);
	const struct bl_path *p3 = find(b, "198.18.1.1", "198.18.1.3", 1494);

	cr_assert_eq(HASH_COUNT(b->paths), 2);
	cr_assert_not_null(p2);
	cr_assert_not_null(p3);
	cr_assert_eq(p2->flows[V_OK] + p2->flows[V_BLOCKED], 2, "the session and the blocked attempt to .2");
	cr_assert_eq(p3->flows[V_OK], 1);
	cr_assert_eq(baseline_granularity(b), BY_HOST);
	baseline_free(b);
}

Test(baseline, an_end_with_no_role_is_null_at_role_granularity)
{
	struct baseline *b = record(an_address_with_no_role, BY_ROLE, "a.pcap");
	const struct bl_path *p = find(b, NULL, "vda", 1494);
	char *text = written(b);

	cr_assert_not_null(p, "%s", text);
	cr_assert(strstr(text, "\"orig\": null"), "%s", text);
	free(text);
	baseline_free(b);
}

Test(baseline, related_and_unmatched_flows_are_left_out)
{
	struct baseline *b = record(related_and_unmatched, BY_HOST, "a.pcap");

	cr_assert_eq(HASH_COUNT(b->paths), 1, "only the blocked TCP flow; not the ICMP error, not the out-of-scope one");
	cr_assert_eq(b->paths->flows[V_BLOCKED], 1);
	baseline_free(b);
}

Test(baseline, the_worst_verdict_wins_whatever_the_order_of_flows)
{
	struct baseline *fwd, *rev;
	char *a, *b;

	collect(two_ica_sessions_and_a_blocked_one);
	fwd = build(BY_ROLE, false, "a.pcap");
	rev = build(BY_ROLE, true, "a.pcap");
	cr_assert_eq(bl_path_worst(fwd->paths), V_BLOCKED);
	cr_assert_eq(bl_path_worst(rev->paths), V_BLOCKED);
	a = written(fwd);
	b = written(rev);
	cr_assert(strstr(a, "\"verdict\": \"blocked\""), "%s", a);
	cr_assert(strstr(a, "\"verdict\": \"blocked\"}"), "the example is the blocked flow: %s", a);
	cr_assert_str_eq(a, b, "the same flows in another order give the same file");
	free(a);
	free(b);
	baseline_free(fwd);
	baseline_free(rev);
}

Test(baseline, the_file_is_byte_identical_for_any_flow_order)
{
	struct baseline *fwd, *rev;
	char *a, *b;
	int i;

	collect(before_change);
	fwd = build(BY_HOST, false, "a.pcap");
	for (i = 0; i < ndone; i++)
		done[i].uid_seq += 1000; /* another run numbers its flows differently */
	rev = build(BY_HOST, true, "a.pcap");
	a = written(fwd);
	b = written(rev);
	cr_assert_str_eq(a, b);
	cr_assert_null(strstr(a, "\"uid\""), "the run-specific uid stays out of the file");
	cr_assert(strstr(a, "\"community_id\": \"1:"), "%s", a);
	free(a);
	free(b);
	baseline_free(fwd);
	baseline_free(rev);
}

/* Every mapping's keys in strictly increasing order. */
static void assert_sorted(const struct yaml_tree_node *n)
{
	int i;

	if (n->kind == YAML_TREE_SCALAR)
		return;
	for (i = 0; i < n->nkids; i++) {
		if (n->kind == YAML_TREE_MAPPING && i % 2 == 0 && i > 0)
			cr_assert_lt(strcmp(n->kids[i - 2]->value, n->kids[i]->value), 0, "'%s' before '%s' at line %d",
				     n->kids[i - 2]->value, n->kids[i]->value, n->kids[i]->line);
		assert_sorted(n->kids[i]);
	}
}

Test(baseline, keys_are_sorted_and_paths_in_a_stable_order)
{
	struct baseline *b = record(before_change, BY_ROLE, "a.pcap");
	struct yaml_tree_node *root;
	const struct yaml_tree_node *paths;
	struct load_error err;
	char *text = written(b);
	int i;

	cr_assert_eq(yaml_tree_parse("b.json", text, strlen(text), &root, &err), 0, "%d:%d %s", err.line, err.column,
		     err.msg);
	assert_sorted(root);
	paths = yaml_tree_get(root, "paths");
	cr_assert_eq(paths->nkids, 5);
	for (i = 1; i < paths->nkids; i++) {
		const char *a = yaml_tree_get(paths->kids[i - 1], "orig")->value;
		const char *c = yaml_tree_get(paths->kids[i], "orig")->value;

		cr_assert_leq(strcmp(a, c), 0, "%s before %s", a, c);
	}
	cr_assert_str_eq(yaml_tree_get(root, "granularity")->value, "role");
	cr_assert_str_eq(yaml_tree_get(root, "version")->value, "1");
	cr_assert_eq(text[strlen(text) - 1], '\n');
	yaml_tree_free(root);
	free(text);
	baseline_free(b);
}

Test(baseline, the_capture_and_digests_are_recorded)
{
	struct baseline *b = record(before_change, BY_ROLE, "before.pcap");
	const struct bl_capture *c = &b->captures[0];

	cr_assert_eq(b->ncaptures, 1);
	cr_assert_str_eq(c->inputs[0], "before.pcap");
	cr_assert_eq(c->first_us, 1000000);
	cr_assert_eq(c->last_us, 60000000);
	cr_assert_eq(c->packets, npackets);
	cr_assert_str_eq(c->site, "test");
	cr_assert_eq(strncmp(c->site_digest, "sha256:", 7), 0);
	cr_assert_eq(strlen(c->rules_digest), 7 + 64);
	cr_assert_not_null(c->flowaudit);
	baseline_free(b);
}

/* ---- reading ---- */

Test(baseline, write_then_read_gives_the_same_baseline)
{
	struct baseline *b = record(before_change, BY_HOST, "before.pcap"), *r;
	struct load_error err;
	char *a = written(b), *c;

	r = read_text(a, &err);
	cr_assert_not_null(r, "%s:%d:%d: %s", err.file, err.line, err.column, err.msg);
	cr_assert_eq(baseline_granularity(r), BY_HOST);
	cr_assert_eq(HASH_COUNT(r->paths), HASH_COUNT(b->paths));
	c = written(r);
	cr_assert_str_eq(a, c);
	cr_assert_not(baseline_site_differs(b, r));
	cr_assert_not(baseline_rules_differ(b, r));
	free(a);
	free(c);
	baseline_free(b);
	baseline_free(r);
}

Test(baseline, strings_outside_ascii_survive_a_round_trip)
{
	struct baseline *b = baseline_new(BY_ROLE), *r;
	const char *inputs[] = { "caf\xc3\xa9 \"1\"\x01\t\xe2\x80\xa8.pcap" };
	struct baseline_capture cap = { .inputs = inputs, .ninputs = 1, .packets = 0 };
	struct load_error err;
	char *a, *c;

	baseline_finish(b, &cap, &rs, NULL);
	a = written(b);
	cr_assert(strstr(a, "caf\xc3\xa9 \\\"1\\\"\\u0001\\t\\u2028.pcap"), "%s", a);
	r = read_text(a, &err);
	cr_assert_not_null(r, "%s:%d:%d: %s", err.file, err.line, err.column, err.msg);
	cr_assert_str_eq(r->captures[0].inputs[0], inputs[0]);
	cr_assert_null(r->captures[0].site_digest, "port-only: no site digest");
	c = written(r);
	cr_assert_str_eq(a, c);
	free(a);
	free(c);
	baseline_free(b);
	baseline_free(r);
}

Test(baseline, compact_json_from_other_tools_is_read)
{
	static const char text[] =
		"{\"captures\":[],\"granularity\":\"host\",\"paths\":[{\"first_ts\":1.5,\"flows\":{\"ok\":2},"
		"\"last_ts\":2,\"orig\":\"10.0.0.1\",\"orig_ip_bytes\":10,\"port\":443,\"proto\":\"tcp\","
		"\"resp\":\"10.0.0.2\",\"resp_ip_bytes\":20,\"rule\":null}],\"version\":1}";
	struct load_error err;
	struct baseline *b = read_text(text, &err);

	cr_assert_not_null(b, "%s:%d:%d: %s", err.file, err.line, err.column, err.msg);
	cr_assert_eq(b->paths->flows[V_OK], 2);
	cr_assert_eq(b->paths->first_us, 1500000);
	cr_assert_eq(b->paths->last_us, 2000000);
	cr_assert_null(b->paths->rule);
	baseline_free(b);
}

static void assert_version_refused(const char *version, const char *want)
{
	char text[256];
	struct load_error err;

	snprintf(text, sizeof(text), "{\"captures\": [], \"granularity\": \"role\", \"paths\": [],\n \"version\": %s}\n",
		 version);
	cr_assert_null(read_text(text, &err));
	cr_assert(strstr(err.msg, want), "%s", err.msg);
	cr_assert(strstr(err.msg, "reads version 1"), "%s", err.msg);
	cr_assert_eq(err.line, 2);
	cr_assert_eq(err.column, 13);
}

Test(baseline, another_format_version_is_refused_naming_both)
{
	assert_version_refused("2", "format version 2 is not supported");
	assert_version_refused("0", "format version 0 is not supported");
}

Test(baseline, a_newer_file_is_refused_for_its_version_before_anything_else)
{
	struct load_error err;

	cr_assert_null(read_text("{\"paths\": {\"a new\": \"shape\"}, \"version\": 7}", &err));
	cr_assert(strstr(err.msg, "version 7"), "%s", err.msg);
}

/* Line (1-based) and column of the first occurrence of what in text. */
static void position(const char *text, const char *what, int *line, int *column)
{
	const char *at = strstr(text, what), *p;

	cr_assert_not_null(at);
	*line = 1;
	*column = 1;
	for (p = text; p < at; p++) {
		if (*p == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}

Test(baseline, a_damaged_value_is_reported_at_file_line_and_column)
{
	struct baseline *b = record(before_change, BY_ROLE, "before.pcap");
	char *text = written(b), *at = strstr(text, "\"port\": ") + strlen("\"port\": ");
	char path[32];
	struct load_error err;
	int line, column;

	memcpy(at, "x", 1);
	position(text, "\"port\": x", &line, &column);
	to_file(text, path);
	cr_assert_null(baseline_read(path, &err));
	unlink(path);
	cr_assert_str_eq(err.file, path);
	cr_assert_eq(err.line, line, "%d:%d %s", err.line, err.column, err.msg);
	cr_assert_eq(err.column, column + (int)strlen("\"port\": "));
	cr_assert(strstr(err.msg, "\"port\" must be a whole number"), "%s", err.msg);
	free(text);
	baseline_free(b);
}

Test(baseline, a_cut_file_is_reported_with_a_position)
{
	struct baseline *b = record(before_change, BY_ROLE, "before.pcap");
	char *text = written(b);
	struct load_error err;

	text[strlen(text) / 2] = '\0';
	cr_assert_null(read_text(text, &err));
	cr_assert_gt(err.line, 1, "%s", err.msg);
	cr_assert_gt(err.column, 0);
	free(text);
	baseline_free(b);
}

Test(baseline, files_that_are_not_baselines_are_refused)
{
	struct load_error err;

	cr_assert_null(read_text("[1, 2]", &err));
	cr_assert(strstr(err.msg, "not a flowaudit baseline"), "%s", err.msg);
	cr_assert_null(read_text("{\"version\": 1, \"granularity\": \"role\", \"captures\": [], \"paths\": [],"
				 " \"extra\": 1}", &err));
	cr_assert(strstr(err.msg, "unknown key 'extra'"), "%s", err.msg);
	cr_assert_null(read_text("{\"version\": 1, \"granularity\": \"vlan\", \"captures\": [], \"paths\": []}", &err));
	cr_assert(strstr(err.msg, "granularity"), "%s", err.msg);
	cr_assert_null(baseline_read("no-such-baseline.json", &err));
	cr_assert(strstr(err.msg, "cannot open"), "%s", err.msg);
}

/* The rule and site files' limits hold for baselines: no aliases, 32 levels, a size checked before reading. */
Test(baseline, a_hostile_file_is_refused_by_the_yaml_limits, .timeout = 60)
{
	static const char path[] = "{\"first_ts\": 1, \"flows\": {\"ok\": 1}, \"last_ts\": 2, \"orig\": null, "
				   "\"orig_ip_bytes\": 0, \"port\": 80, \"proto\": \"tcp\\u001b[2J\", \"resp\": null, "
				   "\"resp_ip_bytes\": 0, \"rule\": null}";
	size_t depth = 1000000;
	char text[1024], file[32], *deep = malloc(depth + 1);
	struct load_error err;
	int fd;

	cr_assert_null(read_text("{\"version\": 1, \"granularity\": \"role\", \"captures\": &c [],\n"
				 " \"paths\": *c}", &err));
	cr_expect_eq(err.line, 1);
	cr_expect_eq(err.column, 51);
	cr_expect(strstr(err.msg, "anchors and aliases are not supported: '&c'"), "%s", err.msg);

	memset(deep, '[', depth);
	deep[depth] = '\0';
	cr_assert_null(read_text(deep, &err));
	cr_expect_eq(err.column, 33);
	cr_expect(strstr(err.msg, "nesting deeper than 32 levels"), "%s", err.msg);
	free(deep);

	/* The proto is printed unquoted in 'baseline diff': an escape sequence there is refused. */
	snprintf(text, sizeof(text), "{\"captures\": [], \"granularity\": \"role\", \"paths\": [\n%s], \"version\": 1}",
		 path);
	cr_assert_null(read_text(text, &err));
	cr_expect_eq(err.line, 2);
	cr_expect(strstr(err.msg, "\"proto\" must be \"tcp\", \"udp\", \"icmp\" or a protocol number, got "
			  "\"tcp\\x1b[2J\""), "%s", err.msg);
	cr_expect_null(strchr(err.msg, '\033'), "raw ESC in: %s", err.msg);

	/* 100 MB, sparse, over the baselines' raised limit of 64 MiB: refused by its size. */
	strcpy(file, "test_baseline-XXXXXX");
	fd = mkstemp(file);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 100 << 20), 0);
	close(fd);
	cr_assert_null(baseline_read(file, &err));
	cr_expect_str_eq(err.file, file);
	cr_expect(strstr(err.msg, "file is 104857600 bytes, more than the limit of 64 MiB"), "%s", err.msg);
	unlink(file);

	/* A FIFO is refused without waiting for a writer. */
	cr_assert_eq(mkfifo(file, 0600), 0);
	cr_assert_null(baseline_read(file, &err));
	cr_expect(strstr(err.msg, "is a FIFO, not a regular file"), "%s", err.msg);
	unlink(file);
}

Test(baseline, a_path_listed_twice_is_refused)
{
	static const char path[] = "{\"first_ts\": 1, \"flows\": {\"ok\": 1}, \"last_ts\": 2, \"orig\": null, "
				   "\"orig_ip_bytes\": 0, \"port\": 80, \"proto\": \"tcp\", \"resp\": null, "
				   "\"resp_ip_bytes\": 0, \"rule\": null}";
	char text[1024];
	struct load_error err;

	snprintf(text, sizeof(text), "{\"captures\": [], \"granularity\": \"role\", \"paths\": [\n%s,\n%s], "
		 "\"version\": 1}", path, path);
	cr_assert_null(read_text(text, &err));
	cr_assert(strstr(err.msg, "listed twice"), "%s", err.msg);
	cr_assert_eq(err.line, 3);
}

/* ---- merging ---- */

static void sensor_b(void)
{
	session(1, 40000, 2, 1494, 100.0);
	session(1, 40001, 2, 1494, 110.0);
	later(130.0);
}

Test(baseline, merging_two_sensors_adds_counts_and_widens_the_span)
{
	struct baseline *a = record(before_change, BY_ROLE, "a.pcap"), *b = record(sensor_b, BY_ROLE, "b.pcap");
	const struct bl_path *ica_a = find(a, "workspace-app", "vda", 1494), *ica;
	uint64_t ok_a = ica_a->flows[V_OK];
	struct load_error err;

	cr_assert_eq(baseline_merge(a, b, &err), 0, "%s", err.msg);
	ica = find(a, "workspace-app", "vda", 1494);
	cr_assert_eq(ica->flows[V_OK], ok_a + 2);
	cr_assert_eq(ica->first_us, 1000000);
	cr_assert_eq(ica->last_us, 110070000);
	cr_assert_eq(a->ncaptures, 2);
	cr_assert_str_eq(a->captures[0].inputs[0], "a.pcap");
	cr_assert_str_eq(a->captures[1].inputs[0], "b.pcap");
	cr_assert_eq(baseline_merge(a, b, &err), -1, "the same capture twice would count its flows twice");
	cr_assert(strstr(err.msg, "already"), "%s", err.msg);
	baseline_free(a);
	baseline_free(b);
}

Test(baseline, merge_order_does_not_show_in_the_file)
{
	struct baseline *a = record(before_change, BY_ROLE, "a.pcap"), *b = record(sensor_b, BY_ROLE, "b.pcap");
	struct baseline *ab = baseline_new(BY_ROLE), *ba = baseline_new(BY_ROLE);
	struct load_error err;
	char *x, *y;

	cr_assert_eq(baseline_merge(ab, a, &err), 0);
	cr_assert_eq(baseline_merge(ab, b, &err), 0);
	cr_assert_eq(baseline_merge(ba, b, &err), 0);
	cr_assert_eq(baseline_merge(ba, a, &err), 0);
	x = written(ab);
	y = written(ba);
	cr_assert_str_eq(x, y);
	free(x);
	free(y);
	baseline_free(a);
	baseline_free(b);
	baseline_free(ab);
	baseline_free(ba);
}

Test(baseline, merging_different_granularities_is_refused)
{
	struct baseline *a = record(before_change, BY_ROLE, "a.pcap"), *b = record(sensor_b, BY_HOST, "b.pcap");
	struct load_error err;

	cr_assert_eq(baseline_merge(a, b, &err), -1);
	cr_assert(strstr(err.msg, "by host into one by role"), "%s", err.msg);
	baseline_free(a);
	baseline_free(b);
}

Test(baseline, the_observed_time_counts_overlaps_once)
{
	struct baseline *a = record(sensor_b, BY_ROLE, "a.pcap"), *b = record(sensor_b, BY_ROLE, "b.pcap");
	struct load_error err;

	cr_assert_eq(bl_observed_us(a), 30000000);
	cr_assert_eq(baseline_merge(a, b, &err), 0, "%s", err.msg);
	cr_assert_eq(bl_observed_us(a), 30000000, "two sensors at the same time: 30 s, not 60");
	baseline_free(a);
	baseline_free(b);
}

/* ---- site and rules digests ---- */

Test(baseline, a_different_site_file_is_noticed)
{
	struct baseline *a = record(before_change, BY_ROLE, "a.pcap"), *b, *c;
	struct site moved;

	b = record(before_change, BY_ROLE, "b.pcap");
	cr_assert_not(baseline_site_differs(a, b));
	load_site(&moved, site2_yaml);
	finish(b, "b.pcap", &moved);
	cr_assert(baseline_site_differs(a, b));
	cr_assert_not(baseline_rules_differ(a, b));
	c = record(before_change, BY_ROLE, "c.pcap");
	finish(c, "c.pcap", NULL);
	cr_assert(baseline_site_differs(a, c), "port-only against a site");
	site_free(&moved);
	baseline_free(a);
	baseline_free(b);
	baseline_free(c);
}

/* ---- diff ---- */

struct pair {
	struct baseline *before;
	struct baseline *after;
};

static struct pair change_pair(void (*after)(void))
{
	struct pair p;

	p.before = record(before_change, BY_ROLE, "before.pcap");
	p.after = record(after, BY_ROLE, "after.pcap");
	return p;
}

static void pair_free(struct pair p)
{
	baseline_free(p.before);
	baseline_free(p.after);
}

static const struct yaml_tree_node *change_at(const struct yaml_tree_node *changes, int i)
{
	cr_assert_lt(i, changes->nkids);
	return changes->kids[i];
}

static const char *field(const struct yaml_tree_node *c, const char *key)
{
	const struct yaml_tree_node *v = yaml_tree_get(c, key);

	cr_assert_not_null(v, "no '%s'", key);
	return yaml_tree_is_null(v) ? NULL : v->value;
}

Test(baseline, diff_lists_new_gone_and_changed_most_serious_first_in_json)
{
	static const char *const fields[] = { "change", "orig", "resp", "proto", "port", "rule", "before", "after",
					      "before_flows", "after_flows", "example" };
	struct pair p = change_pair(after_change);
	struct yaml_tree_node *root;
	const struct yaml_tree_node *changes, *c;
	struct load_error err;
	int rc, i, k;
	char *out = diffed(p.before, p.after, 2, true, &rc);

	cr_assert_eq(rc, 1);
	cr_assert_eq(yaml_tree_parse("diff.json", out, strlen(out), &root, &err), 0, "%s: %s", err.msg, out);
	cr_assert_not_null(yaml_tree_get(yaml_tree_get(root, "before"), "captures"));
	cr_assert_not_null(yaml_tree_get(yaml_tree_get(root, "after"), "duration"));
	changes = yaml_tree_get(root, "changes");
	cr_assert_eq(changes->nkids, 5, "%s", out);
	for (i = 0; i < changes->nkids; i++)
		for (k = 0; k < (int)(sizeof(fields) / sizeof(fields[0])); k++)
			cr_assert_not_null(yaml_tree_get(changes->kids[i], fields[k]), "change %d has no %s", i, fields[k]);

	c = change_at(changes, 0); /* CGP: ok -> blocked */
	cr_assert_str_eq(field(c, "change"), "changed");
	cr_assert_str_eq(field(c, "rule"), "test/cgp");
	cr_assert_str_eq(field(c, "orig"), "workspace-app");
	cr_assert_str_eq(field(c, "resp"), "vda");
	cr_assert_str_eq(field(c, "proto"), "tcp");
	cr_assert_str_eq(field(c, "port"), "2598");
	cr_assert_str_eq(field(c, "before"), "ok");
	cr_assert_str_eq(field(c, "after"), "blocked");
	cr_assert_str_eq(field(c, "before_flows"), "1");
	cr_assert_str_eq(field(c, "after_flows"), "1");
	cr_assert_str_eq(yaml_tree_get(yaml_tree_get(c, "example"), "id.resp_p")->value, "2598");
	cr_assert_str_eq(yaml_tree_get(yaml_tree_get(c, "example"), "verdict")->value, "blocked");

	c = change_at(changes, 1); /* licensing gone */
	cr_assert_str_eq(field(c, "change"), "gone");
	cr_assert_str_eq(field(c, "rule"), "test/license");
	cr_assert_str_eq(field(c, "before"), "ok");
	cr_assert_null(field(c, "after"));
	cr_assert_str_eq(field(c, "before_flows"), "3");
	cr_assert_str_eq(field(c, "after_flows"), "0");
	cr_assert_str_eq(yaml_tree_get(yaml_tree_get(c, "example"), "id.resp_p")->value, "27000");

	c = change_at(changes, 2); /* telnet appeared */
	cr_assert_str_eq(field(c, "change"), "new");
	cr_assert_str_eq(field(c, "rule"), "test/telnet");
	cr_assert_null(field(c, "before"));
	cr_assert_str_eq(field(c, "after"), "unexpected");

	c = change_at(changes, 3); /* EDT appeared, working */
	cr_assert_str_eq(field(c, "change"), "new");
	cr_assert_str_eq(field(c, "rule"), "test/edt");
	cr_assert_str_eq(field(c, "proto"), "udp");
	cr_assert_str_eq(field(c, "after"), "ok");
	cr_assert_str_eq(field(c, "worse"), "false");

	c = change_at(changes, 4); /* registration: blocked -> ok */
	cr_assert_str_eq(field(c, "change"), "changed");
	cr_assert_str_eq(field(c, "rule"), "test/register");
	cr_assert_str_eq(field(c, "before"), "blocked");
	cr_assert_str_eq(field(c, "after"), "ok");

	cr_assert_str_eq(yaml_tree_get(yaml_tree_get(root, "summary"), "gone_below_min_flows")->value, "1",
			 "syslog had one flow: below --min-flows 2");
	cr_assert_str_eq(yaml_tree_get(yaml_tree_get(root, "summary"), "new_not_ok")->value, "1");
	yaml_tree_free(root);
	free(out);
	pair_free(p);
}

Test(baseline, unchanged_paths_are_not_listed)
{
	struct pair p = change_pair(after_change);
	int rc;
	char *out = diffed(p.before, p.after, 1, true, &rc);

	cr_assert_null(strstr(out, "test/ica"), "ICA kept its verdict: %s", out);
	cr_assert(strstr(out, "test/syslog"), "with --min-flows 1 the single syslog flow is gone: %s", out);
	free(out);
	pair_free(p);
}

Test(baseline, min_flows_hides_small_gone_paths)
{
	struct pair p = change_pair(after_change);
	int rc;
	char *out = diffed(p.before, p.after, 4, true, &rc);

	cr_assert_null(strstr(out, "\"change\":\"gone\""), "licensing had 3 flows, syslog 1: %s", out);
	cr_assert_eq(rc, 1, "CGP still got worse");
	free(out);
	pair_free(p);
}

Test(baseline, the_exit_value_is_one_only_when_worse_or_gone)
{
	struct pair p = change_pair(after_better), same;
	int rc;
	char *out = diffed(p.before, p.after, 1, true, &rc);

	cr_assert_eq(rc, 0, "only better and new ok paths: %s", out);
	cr_assert(strstr(out, "\"change\":\"changed\""), "%s", out);
	cr_assert(strstr(out, "\"change\":\"new\""), "%s", out);
	free(out);
	out = diffed(p.after, p.before, 1, true, &rc);
	cr_assert_eq(rc, 1, "the other way round, EDT is gone and registration broke");
	free(out);
	same = change_pair(before_change);
	out = diffed(same.before, same.after, 1, false, &rc);
	cr_assert_eq(rc, 0);
	cr_assert(strstr(out, "no changes"), "%s", out);
	free(out);
	pair_free(p);
	pair_free(same);
}

/*
 * Index of the line of text that contains what, or -1. Not inlined: GCC 12
 * at -O2 then mistakes the open_memstream buffer for a dangling pointer.
 */
static __attribute__((noinline)) int line_of(const char *text, const char *what)
{
	const char *at = strstr(text, what), *p;
	int n = 0;

	if (!at)
		return -1;
	for (p = text; p < at; p++)
		n += *p == '\n';
	return n;
}

Test(baseline, the_text_diff_shows_both_spans_and_puts_the_worst_first)
{
	struct pair p = change_pair(after_change);
	int rc;
	char *out = diffed(p.before, p.after, 2, false, &rc);
	const char *from;

	cr_assert_eq(rc, 1);
	cr_assert(strstr(out, "2 changed (1 worse, 1 better), 1 gone, 2 new (1 not ok)"), "%s", out);
	cr_assert(strstr(out, "! changed"), "the worse change is marked: %s", out);
	cr_assert(strstr(out, "  changed"), "the better one is not: %s", out);
	from = strstr(out, "from (UTC)");
	cr_assert_not_null(from, "%s", out);
	cr_assert_eq(line_of(from, "1970-01-01 00:00:01"), 0, "%s", out);
	cr_assert_eq(line_of(from, "1970-01-01 00:01:41"), 0, "both starts on one line: %s", out);
	cr_assert(strstr(out, "before.pcap") && strstr(out, "after.pcap"), "%s", out);
	cr_assert(strstr(out, "duration"), "%s", out);
	cr_assert_lt(line_of(out, "test/cgp"), line_of(out, "test/license"), "%s", out);
	cr_assert_lt(line_of(out, "test/license"), line_of(out, "test/telnet"), "%s", out);
	cr_assert_lt(line_of(out, "test/telnet"), line_of(out, "test/edt"), "%s", out);
	cr_assert_lt(line_of(out, "test/edt"), line_of(out, "test/register"), "%s", out);
	cr_assert(strstr(out, "ok 1/1") && strstr(out, "blocked 1/1"), "%s", out);
	cr_assert(strstr(out, "e.g. 198.18.1.1:40101 -> 198.18.1.2:2598"), "%s", out);
	free(out);
	pair_free(p);
}

Test(baseline, a_short_after_capture_is_flagged)
{
	struct pair p = change_pair(short_after);
	int rc;
	char *out = diffed(p.before, p.after, 1, false, &rc);

	cr_assert(strstr(out, "the after capture covers 1.000 s, the before capture 59.000 s"), "%s", out);
	free(out);
	out = diffed(p.before, p.after, 1, true, &rc);
	cr_assert(strstr(out, "\"after_shorter\":true"), "%s", out);
	free(out);
	pair_free(p);
}

Test(baseline, a_different_site_shows_in_the_diff)
{
	struct pair p = change_pair(before_change);
	struct site moved;
	int rc;
	char *out;

	load_site(&moved, site2_yaml);
	finish(p.after, "after.pcap", &moved);
	out = diffed(p.before, p.after, 1, true, &rc);
	cr_assert(strstr(out, "\"site_differs\":true"), "%s", out);
	free(out);
	out = diffed(p.before, p.after, 1, false, &rc);
	cr_assert(strstr(out, "site files differ"), "%s", out);
	free(out);
	site_free(&moved);
	pair_free(p);
}

Test(baseline, diffing_different_granularities_is_an_error)
{
	struct baseline *a = record(before_change, BY_ROLE, "a.pcap"), *b = record(before_change, BY_HOST, "b.pcap");
	int rc;
	char *out = diffed(a, b, 1, false, &rc);

	cr_assert_eq(rc, -1);
	cr_assert_str_eq(out, "");
	free(out);
	baseline_free(a);
	baseline_free(b);
}

/* ---- examples straight from the flow, and workers' baselines absorbed (--workers) ---- */

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

/*
 * The example as baseline_add made it before it was rendered straight from
 * the flow: the conn log object, parsed by libyaml, made canonical less its
 * uid. Offered to a path of its own in ref; the path is returned.
 */
static struct bl_path *reference_example(struct baseline *ref, const struct flow *f, const struct classification *c,
					 const struct rule_set *r)
{
	struct yaml_tree_node *tree = NULL;
	struct load_error err;
	struct bl_path *p;
	struct json j;
	char name[24];

	snprintf(name, sizeof(name), "p%u", HASH_COUNT(ref->paths));
	p = bl_path_get(ref, name, NULL, "tcp", 0, NULL);
	json_init(&j);
	conn_log_render(&j, f, 0, c, r);
	if (yaml_tree_parse("example", j.buf, j.len, &tree, &err) == 0 && tree)
		bl_example_take(ref, p, tree, "uid", "example", &err);
	json_free(&j);
	yaml_tree_free(tree);
	return p;
}

/* The new way against the old for one flow: the JSON, and (when baseline_add takes the flow) the whole example. */
static void assert_example_as_before(struct baseline *ref, const struct flow *f, const struct classification *c,
				     const struct rule_set *r)
{
	const struct bl_path *want = reference_example(ref, f, c, r), *got;
	struct baseline *b;
	struct json j;
	int rc;

	json_init(&j);
	rc = bl_example_render(&j, f, c, r);
	json_raw(&j, "", 1);
	if (!want->example)
		cr_assert_eq(rc, -1, "the old way gave no example, the new one: %s", j.buf);
	else
		cr_assert(rc == 0 && !strcmp(j.buf, want->example), "\nold %s\nnew %s", want->example,
			  rc == 0 ? j.buf : "(none)");
	json_free(&j);
	if ((unsigned)c->verdict >= V_COUNT || c->verdict == V_RELATED || c->verdict == V_UNMATCHED ||
	    (!r && c->rule >= 0))
		return;
	b = baseline_new(BY_HOST);
	baseline_add(b, f, c, r);
	got = b->paths;
	cr_assert_not_null(got);
	cr_assert_eq(!got->example, !want->example);
	if (want->example) {
		cr_assert_str_eq(got->example, want->example);
		cr_assert_str_eq(got->example_line, want->example_line);
		cr_assert_eq(got->example_severity, want->example_severity);
		cr_assert_eq(got->example_ts, want->example_ts);
	}
	baseline_free(b);
}

/* Bytes that go through every branch of the string handling: escapes, Latin-1 strays, 2-4 byte UTF-8, lines. */
static void random_string(char *s, size_t max)
{
	static const char *const pieces[] = {
		"a", "Z", " ", "\"", "\\", "\n", "\t", "\r", "\x01", "\x1f", "\x7f", "\x80", "\x9f", "\xa0", "\xe9",
		"\xff", "\xc3\xa9", "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbb\xbf", "\xef\xbf\xbe",
		"\xef\xbf\xbf", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc0\xaf", "\xe0\x80\xaf",
		"\xf4\x90\x80\x80", "\xc3", "\xe2\x80", "CN=x,O=y", " | ", "/", "<", "&", "'",
	};
	size_t n = 0, k = below(12);

	while (k--) {
		const char *p = pieces[below(sizeof(pieces) / sizeof(pieces[0]))];

		if (n + strlen(p) >= max)
			break;
		memcpy(s + n, p, strlen(p));
		n += strlen(p);
	}
	s[n] = '\0';
}

Test(baseline, the_example_rendered_from_the_flow_is_what_the_conn_log_read_back_gave, .timeout = 120)
{
	struct baseline *ref = baseline_new(BY_ROLE);
	static char sni[80], subject[80], issuer[80], chain[80], rule_name[80], big[70000];
	struct tls_evidence ev = { .sni = sni, .subject = subject, .issuer = issuer, .chain = chain };
	int base, i, k;

	collect(before_change);
	cr_assert_geq(ndone, 8);
	rng_state = 42;
	for (base = 0; base < ndone; base++)
		assert_example_as_before(ref, &done[base], &cls[base], &rs);
	for (i = 0; i < 4000; i++) {
		struct flow f = done[i % ndone];
		struct classification c = cls[i % ndone];
		char *saved_name = NULL;

		if (below(2)) {
			random_string(sni, sizeof(sni));
			random_string(subject, sizeof(subject));
			random_string(issuer, sizeof(issuer));
			random_string(chain, sizeof(chain));
			ev.sni = below(4) ? sni : NULL;
			ev.subject = below(4) ? subject : NULL;
			ev.issuer = below(4) ? issuer : NULL;
			ev.chain = below(4) ? chain : NULL;
			ev.server_hello = below(2);
			ev.cert_visible = below(2);
			ev.version = (uint16_t[]){ 0, 0x0303, 0x0304, 0xfefd, 0x1234 }[below(5)];
			f.tls = &ev;
		}
		if (!below(8)) {
			f.tunnel_parent[0] = "CAbc123";
			f.tunnel_parent[1] = below(2) ? "CXyz789" : NULL;
		}
		f.vlan_count = (uint8_t)below(3);
		f.vlan = (uint16_t)below(4095);
		f.inner_vlan = (uint16_t)below(4095);
		if (!below(4)) {
			f.rst = (uint8_t)(FLOW_RST_SEEN | (below(2) ? FLOW_RST_FROM_RESP : 0) |
					  (below(2) ? FLOW_RST_TTL_ODD : FLOW_RST_IPID_ODD));
			f.rst_ttl = (uint8_t)below(256);
			f.rst_ip_id = (uint16_t)rng();
			f.ip_id_last[1] = (uint16_t)rng();
		}
		if (!below(6)) {
			c.reason = below(2) ? R_RST_FROM_HOST : R_RST_FROM_PATH;
			c.rst_host_ttl = (uint8_t)below(256);
		}
		f.service = (uint8_t)(below(3) ? SVC_NONE : below(SVC_COUNT));
		f.tunnel = (uint8_t)(below(6) ? 0 : 1 + below(TUNNEL_KIND_COUNT - 1));
		if (!below(6))
			f.orig.proto = (uint8_t[]){ PROTO_ICMP, PROTO_ICMPV6, 47, PROTO_UDP }[below(4)];
		if (!below(5)) {	/* IPv6, the addresses in brackets in the example's line */
			f.orig.family = 6;
			f.orig.src[0] = f.orig.dst[0] = 0x20;
			f.orig.src[1] = f.orig.dst[1] = 0x01;
		}
		if (!below(5))
			f.last_us = f.first_us;
		if (!below(10)) {	/* times json_usec writes and bl_parse_usec cannot read back */
			f.first_us = (int64_t[]){ -1, -1500000, (int64_t)1 << 62, INT64_MIN, 0 }[below(5)];
			f.last_us = f.first_us;	/* no span to overflow */
		}
		c.local_orig = (int8_t)(below(3) - 1);
		c.local_resp = (int8_t)below(2);
		if (!below(6))
			c.orig_role = -1;
		if (!below(6))
			c.rule = -1;
		if (!below(5))
			c.verdict = (enum verdict)below(V_COUNT);
		if (!below(10) && c.rule >= 0) {	/* rule names with odd characters, as a rule file may have */
			random_string(rule_name, sizeof(rule_name));
			saved_name = rs.rules[c.rule].name;
			rs.rules[c.rule].name = rule_name;
		}
		if (!below(20)) {
			random_string(f.hist.s, sizeof(f.hist.s));
			f.hist.len = (uint8_t)strlen(f.hist.s);
		}
		assert_example_as_before(ref, &f, &c, below(8) ? &rs : NULL);
		if (saved_name)
			rs.rules[c.rule].name = saved_name;
	}
	/* Past what yaml_tree takes in one scalar, once read back: no example, as before. */
	{
		struct flow f = done[0];

		for (k = 0; k < 2; k++) {
			memset(big, k ? '\xe9' : 'a', sizeof(big) - 1);	/* 0xe9: one byte here, two read back */
			big[k ? 40000 : sizeof(big) - 1] = '\0';
			ev.sni = big;
			ev.subject = ev.issuer = ev.chain = NULL;
			f.tls = &ev;
			assert_example_as_before(ref, &f, &cls[0], &rs);
		}
	}
	baseline_free(ref);
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

enum { MANY = 3000 };

static struct flow many[MANY];
static struct classification many_cls[MANY];

/*
 * Many flows on few paths, made from the scenario's: the same few start
 * times over and over (examples tie on verdict and time, and only their
 * text can choose), client ports and hosts varied, verdicts now and then
 * worse.
 */
static void make_many(void)
{
	int i;

	collect(before_change);
	rng_state = 7;
	for (i = 0; i < MANY; i++) {
		int k = (int)below((uint32_t)ndone);
		struct flow *f = &many[i];

		*f = done[k];
		many_cls[i] = cls[k];
		f->orig.sport = (uint16_t)(40000 + below(60));
		f->orig.src[3] = (uint8_t)(f->orig.src[3] + below(3));
		f->first_us = 1000000 * (int64_t)(1 + below(3));
		f->last_us = f->first_us + below(3) * 1000;
		f->side[0].ip_bytes += below(100);
		if (!below(10))
			many_cls[i].verdict = below(2) ? V_BLOCKED : V_ONE_SIDED;
	}
}

static void shuffle_idx(int *v, int n, uint64_t seed)
{
	int i;

	rng_state = seed;
	for (i = n; i > 1; i--) {
		int k = (int)below((uint32_t)i), t = v[i - 1];

		v[i - 1] = v[k];
		v[k] = t;
	}
}

/* All of many[] into one baseline, in the order of seed. */
static char *one_baseline(enum baseline_by by, uint64_t seed)
{
	struct baseline *b = baseline_new(by);
	static int order[MANY];
	char *text;
	int i;

	for (i = 0; i < MANY; i++)
		order[i] = i;
	shuffle_idx(order, MANY, seed);
	for (i = 0; i < MANY; i++)
		baseline_add(b, &many[order[i]], &many_cls[order[i]], &rs);
	finish(b, "a.pcap", &site);
	text = written(b);
	baseline_free(b);
	return text;
}

/* many[] split by host pair into nparts workers' baselines, each fed in its own order, absorbed. */
static char *absorbed(enum baseline_by by, unsigned nparts, uint64_t seed)
{
	struct baseline *all = baseline_new(by), *part[3];
	static int order[MANY];
	char *text;
	unsigned p;
	int i, n;

	for (p = 0; p < nparts; p++) {
		part[p] = baseline_new(by);
		for (i = n = 0; i < MANY; i++)
			if (part_of(&many[i], nparts) == p)
				order[n++] = i;
		shuffle_idx(order, n, seed + p);
		for (i = 0; i < n; i++)
			baseline_add(part[p], &many[order[i]], &many_cls[order[i]], &rs);
	}
	for (p = nparts; p-- > 0;) {
		baseline_absorb(all, part[p]);
		baseline_free(part[p]);
	}
	finish(all, "a.pcap", &site);
	text = written(all);
	baseline_free(all);
	return text;
}

Test(baseline, workers_baselines_absorbed_give_the_file_of_one_baseline)
{
	enum baseline_by by;
	unsigned nparts;

	make_many();
	for (by = BY_ROLE; by <= BY_HOST; by++) {
		char *one = one_baseline(by, 1), *other = one_baseline(by, 2);

		cr_assert_str_eq(one, other, "the order flows are added in does not show");
		for (nparts = 2; nparts <= 3; nparts++) {
			char *merged = absorbed(by, nparts, 10 * nparts);

			cr_assert_str_eq(one, merged, "by %s, %u workers", bl_by_name(by), nparts);
			free(merged);
		}
		free(one);
		free(other);
	}
}

Test(baseline, absorbing_leaves_the_source_and_a_fresh_target_gets_it_all_again)
{
	struct baseline *w = baseline_new(BY_ROLE), *m1 = baseline_new(BY_ROLE), *m2 = baseline_new(BY_ROLE);
	char *a, *b, *c;
	int i;

	make_many();
	for (i = 0; i < MANY; i++)
		baseline_add(w, &many[i], &many_cls[i], &rs);
	a = written(w);
	baseline_absorb(m1, w);
	b = written(w);
	cr_assert_str_eq(a, b, "the worker's baseline is as it was");
	baseline_absorb(m2, w);
	c = written(m1);
	free(b);
	b = written(m2);
	cr_assert_str_eq(b, c);
	cr_assert_str_eq(a, c, "absorbed into an empty baseline: the same paths");
	free(a);
	free(b);
	free(c);
	baseline_free(w);
	baseline_free(m1);
	baseline_free(m2);
}

Test(baseline, absorbing_another_granularity_is_a_bug_that_aborts, .signal = SIGABRT)
{
	struct baseline *a = baseline_new(BY_ROLE), *b = baseline_new(BY_HOST);

	baseline_absorb(a, b);
}
