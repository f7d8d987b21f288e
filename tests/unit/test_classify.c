/* test_classify: verdicts, reasons and findings from flows built out of real packet sequences */
#include <criterion/criterion.h>
#include <string.h>

#include "classify.h"
#include "findings.h"
#include "fixtures.h"
#include "host_ttl.h"
#include "tracker.h"

/* client .1, vda .2 and .3, ddc .10, license server .20; scope 198.18.0.0/15 */
static const char site_yaml[] =
	"site: test\n"
	"roles:\n"
	"  workspace-app: 198.18.1.1\n"
	"  vda: [198.18.1.2, 198.18.1.3]\n"
	"  ddc: 198.18.1.10\n"
	"  license-server: 198.18.1.20\n"
	"scope: 198.18.0.0/15\n";

static struct rule_set rs;
static struct site site;
static struct classifier *cl;
static struct findings *fd;
static struct tracker *ft;
static struct host_ttl *ht;
static struct flow done[32];
static struct classification cls[32];
static int ndone;
static int64_t now_us;

static void on_done(struct flow *f, void *ctx)
{
	(void)ctx;
	cr_assert_lt(ndone, 32);
	done[ndone] = *f;
	classify_flow(cl, f, now_us, &cls[ndone]);
	findings_add(fd, f, &cls[ndone], NULL);
	ndone++;
}

static void setup_with(bool with_site)
{
	struct flow_table_config cfg;

	fixture_load(&rs, fixture_rules_yaml, &site, with_site ? site_yaml : NULL);
	cl = classify_new(&rs, with_site ? &site : NULL, 3 * 1000000LL);
	fd = findings_new(&rs, with_site ? &site : NULL);
	flow_table_config_defaults(&cfg);
	ft = tracker_new(&cfg, (const uint8_t(*)[PORTSET_BYTES])fixture_server_ports(), on_done, NULL);
	ht = host_ttl_new(1024);
	tracker_set_host_ttl(ft, ht);
	classify_set_host_ttl(cl, ht);
	ndone = 0;
	now_us = 0;
}

static void setup_site(void)
{
	setup_with(true);
}

static void setup_port_only(void)
{
	setup_with(false);
}

static void teardown(void)
{
	tracker_free(ft);
	findings_free(fd);
	classify_free(cl);
	host_ttl_free(ht);
	if (site.file)
		site_free(&site);
	rules_free(&rs);
}

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
	p.ttl = 64;
	return p;
}

static void feed(struct packet p)
{
	if (p.ts_us > now_us)
		now_us = p.ts_us;
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

static const struct classification *only(void)
{
	tracker_flush(ft);
	cr_assert_eq(ndone, 1, "expected one flow, got %d", ndone);
	return &cls[0];
}

static const char *rule_of(const struct classification *c)
{
	return c->rule >= 0 ? rs.rules[c->rule].name : "(none)";
}

TestSuite(classify, .init = setup_site, .fini = teardown);

Test(classify, answered_session_on_an_allowed_path_is_ok)
{
	const struct classification *c;

	session(1, 40000, 2, 1494, 1.0);
	c = only();
	cr_assert_eq(c->verdict, V_OK, "%s", verdict_name(c->verdict));
	cr_assert_eq(c->reason, R_ANSWERED);
	cr_assert_str_eq(rule_of(c), "test/ica");
	cr_assert_str_eq(rules_role_name(&rs, c->orig_role), "workspace-app");
	cr_assert_str_eq(rules_role_name(&rs, c->resp_role), "vda");
}

/* The classification of the flow whose responder port is port, after the capture ends. */
static const struct classification *by_port(uint16_t port)
{
	int i;

	if (tracker_live(ft))
		tracker_flush(ft);
	for (i = 0; i < ndone; i++)
		if (done[i].orig.dport == port)
			return &cls[i];
	cr_assert_fail("no flow to port %u", port);
	return NULL;
}

/* A packet far later, so that nothing before it is 'pending'. */
static void later(double t)
{
	feed(pkt(PROTO_UDP, 99, 5000, 98, 5001, t));
}

Test(classify, unanswered_syns_are_blocked_no_reply)
{
	const struct classification *c;

	tcp(1, 40000, 2, 2598, TCP_SYN, 5, 0, 0, 1.0);
	tcp(1, 40000, 2, 2598, TCP_SYN, 5, 0, 0, 2.0);
	later(20.0);
	c = by_port(2598);
	cr_assert_eq(c->verdict, V_BLOCKED, "%s", verdict_name(c->verdict));
	cr_assert_eq(c->reason, R_NO_REPLY);
	cr_assert_str_eq(rule_of(c), "test/cgp");
}

Test(classify, an_unanswered_syn_close_to_the_end_is_pending)
{
	const struct classification *c;

	tcp(1, 40000, 2, 2598, TCP_SYN, 5, 0, 0, 1.0);
	later(2.5);
	c = by_port(2598);
	cr_assert_eq(c->verdict, V_PENDING, "%s", verdict_name(c->verdict));
}

/* The attempt ends 5 s after the first SYN, mid-capture: the wait was not cut short. */
Test(classify, an_attempt_ended_by_its_timer_is_blocked_not_pending)
{
	const struct classification *c;

	tcp(1, 40000, 2, 2598, TCP_SYN, 5, 0, 0, 1.0);
	tcp(1, 40000, 2, 2598, TCP_SYN, 5, 0, 0, 2.0);
	tcp(1, 40000, 2, 2598, TCP_SYN, 5, 0, 0, 4.0);
	later(6.5);
	c = by_port(2598);
	cr_assert_eq(done[0].end, FLOW_END_ATTEMPT);
	cr_assert_eq(c->verdict, V_BLOCKED, "%s", verdict_name(c->verdict));
	cr_assert_eq(c->reason, R_NO_REPLY);
}

Test(classify, syn_answered_by_rst_from_a_host_never_seen_otherwise_is_blocked_rst)
{
	const struct classification *c;

	tcp(1, 40000, 2, 1494, TCP_SYN, 5, 0, 0, 1.0);
	tcp(2, 1494, 1, 40000, TCP_RST | TCP_ACK, 0, 6, 0, 1.01);
	c = only();
	cr_assert_eq(c->verdict, V_BLOCKED);
	cr_assert_eq(c->reason, R_RST, "nothing to compare its TTL with: %s", reason_name(c->reason));
}

/*
 * The host .2 answers a session on 1494 itself (its packets have TTL 64); a
 * SYN to 2598 is then answered by a RST with rst_ttl. The reason of that flow.
 */
static enum reason refused_with_ttl(uint8_t rst_ttl)
{
	struct packet rst;
	enum reason r = R_NONE;
	int i, seen = 0;

	session(1, 40001, 2, 1494, 1.0);
	tcp(1, 40002, 2, 2598, TCP_SYN, 5, 0, 0, 2.0);
	rst = pkt(PROTO_TCP, 2, 2598, 1, 40002, 2.01);
	rst.tcp_flags = TCP_RST | TCP_ACK;
	rst.ack = 6;
	rst.ttl = rst_ttl;
	feed(rst);
	tracker_flush(ft);
	for (i = 0; i < ndone; i++)
		if (done[i].orig.dport == 2598) {
			cr_assert_eq(cls[i].verdict, V_BLOCKED);
			r = cls[i].reason;
			seen++;
		}
	cr_assert_eq(seen, 1);
	return r;
}

/* A RST with the host's own TTL is its own: nothing listens. */
Test(classify, a_rst_with_the_hosts_own_ttl_is_rst_from_host)
{
	enum reason r = refused_with_ttl(64);

	cr_assert_eq(r, R_RST_FROM_HOST, "%s", reason_name(r));
}

/* A firewall nearer the capture point answers for the host: its RST's TTL is not the host's. */
Test(classify, a_rst_with_another_ttl_is_rst_from_path)
{
	enum reason r = refused_with_ttl(255);

	cr_assert_eq(r, R_RST_FROM_PATH, "%s", reason_name(r));
}

/* A monitor's probe or a client closing with a RST after the handshake: Zeek's RSTO, the path worked. */
Test(classify, an_originator_reset_after_the_handshake_is_ok_orig_reset)
{
	const struct classification *c;

	tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 0, 1.0);
	tcp(2, 1494, 1, 40000, TCP_SYN | TCP_ACK, 900, 101, 0, 1.01);
	tcp(1, 40000, 2, 1494, TCP_ACK, 101, 901, 0, 1.02);
	tcp(1, 40000, 2, 1494, TCP_RST | TCP_ACK, 101, 901, 0, 1.03);
	c = only();
	cr_assert_eq(flow_conn_state(&done[0]), CS_RSTO);
	cr_assert_eq(c->verdict, V_OK, "%s", verdict_name(c->verdict));
	cr_assert_eq(c->reason, R_ORIG_RESET, "%s", reason_name(c->reason));
}

/* The same probe's RST with another TTL than the client's: forged, middlebox-reset wins. */
Test(classify, a_forged_originator_reset_stays_middlebox_reset)
{
	const struct classification *c;
	struct packet rst;

	tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 0, 1.0);
	tcp(2, 1494, 1, 40000, TCP_SYN | TCP_ACK, 900, 101, 0, 1.01);
	tcp(1, 40000, 2, 1494, TCP_ACK, 101, 901, 0, 1.02);
	rst = pkt(PROTO_TCP, 1, 40000, 2, 1494, 1.03);
	rst.tcp_flags = TCP_RST | TCP_ACK;
	rst.seq = 101;
	rst.ack = 901;
	rst.ttl = 250;
	feed(rst);
	c = only();
	cr_assert_eq(c->verdict, V_INTERRUPTED, "%s", verdict_name(c->verdict));
	cr_assert_eq(c->reason, R_MIDDLEBOX_RESET, "%s", reason_name(c->reason));
}

/* A SYN sent again near the end had the time for an answer: blocked, not pending. */
Test(classify, a_retransmitted_syn_close_to_the_end_is_blocked_not_pending)
{
	const struct classification *c;

	tcp(1, 40000, 2, 2598, TCP_SYN, 5, 0, 0, 1.0);
	tcp(1, 40000, 2, 2598, TCP_SYN, 5, 0, 0, 2.0);
	later(2.5);
	c = by_port(2598);
	cr_assert_eq(c->verdict, V_BLOCKED, "%s", verdict_name(c->verdict));
	cr_assert_eq(c->reason, R_NO_REPLY);
}

/* Pending counts from the first attempt: one sent 4 s before the end was not cut short. */
Test(classify, a_single_syn_older_than_the_window_is_blocked)
{
	const struct classification *c;

	tcp(1, 40000, 2, 2598, TCP_SYN, 5, 0, 0, 1.0);
	feed(pkt(PROTO_UDP, 1, 40009, 10, 9, 4.5));	/* the capture goes on to 4.5 s */
	tracker_flush(ft);
	c = NULL;
	for (int i = 0; i < ndone; i++)
		if (done[i].orig.dport == 2598)
			c = &cls[i];
	cr_assert_not_null(c);
	cr_assert_eq(c->verdict, V_BLOCKED, "%s", verdict_name(c->verdict));
}

Test(classify, icmp_admin_prohibited_names_the_firewall)
{
	const struct classification *c;
	struct packet icmp = pkt(PROTO_ICMP, 2, 3, 1, 13, 1.01);

	tcp(1, 40000, 2, 1494, TCP_SYN, 5, 0, 0, 1.0);
	icmp.icmp_type = 3;
	icmp.icmp_code = 13;
	icmp.has_quoted = true;
	icmp.quoted = pkt(PROTO_TCP, 1, 40000, 2, 1494, 0).t;
	feed(icmp);
	later(20.0);
	c = by_port(1494);
	cr_assert_eq(c->verdict, V_BLOCKED);
	cr_assert_eq(c->reason, R_ICMP_ADMIN_PROHIBITED, "%s", reason_name(c->reason));
	c = by_port(13);
	cr_assert_eq(c->verdict, V_RELATED, "the ICMP error is its own flow, never a finding");
}

Test(classify, udp_to_a_closed_port_is_blocked_icmp_port_unreachable)
{
	const struct classification *c;
	struct packet icmp = pkt(PROTO_ICMP, 2, 3, 1, 3, 1.01);

	feed(pkt(PROTO_UDP, 1, 40000, 2, 1494, 1.0));
	icmp.icmp_type = 3;
	icmp.icmp_code = 3;
	icmp.has_quoted = true;
	icmp.quoted = pkt(PROTO_UDP, 1, 40000, 2, 1494, 0).t;
	feed(icmp);
	later(20.0);
	c = by_port(1494);
	cr_assert_eq(c->verdict, V_BLOCKED);
	cr_assert_eq(c->reason, R_ICMP_PORT_UNREACHABLE);
	cr_assert_str_eq(rule_of(c), "test/edt");
}

Test(classify, reset_after_established_without_fins_is_interrupted)
{
	const struct classification *c;

	tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 0, 1.0);
	tcp(2, 1494, 1, 40000, TCP_SYN | TCP_ACK, 900, 101, 0, 1.01);
	tcp(1, 40000, 2, 1494, TCP_ACK, 101, 901, 0, 1.02);
	tcp(1, 40000, 2, 1494, TCP_ACK, 101, 901, 10, 1.03);
	tcp(2, 1494, 1, 40000, TCP_RST, 901, 0, 0, 1.04);
	c = only();
	cr_assert_eq(c->verdict, V_INTERRUPTED, "%s", verdict_name(c->verdict));
}

Test(classify, originator_going_on_with_no_answer_is_one_sided)
{
	const struct classification *c;

	tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 0, 1.0);
	tcp(1, 40000, 2, 1494, TCP_ACK, 101, 901, 0, 1.02);
	tcp(1, 40000, 2, 1494, TCP_ACK, 101, 901, 100, 1.03);
	later(20.0);
	c = by_port(1494);
	cr_assert_eq(c->verdict, V_ONE_SIDED, "%s", verdict_name(c->verdict));
	cr_assert_eq(c->reason, R_NO_RESPONDER_PACKETS);
}

Test(classify, only_the_responder_seen_is_one_sided)
{
	const struct classification *c;

	tcp(2, 1494, 1, 40000, TCP_ACK, 901, 101, 100, 1.0);
	tcp(2, 1494, 1, 40000, TCP_ACK, 1001, 101, 100, 1.1);
	c = only();
	cr_assert_eq(c->verdict, V_ONE_SIDED);
	cr_assert_eq(c->reason, R_NO_ORIGINATOR_PACKETS);
}

Test(classify, in_scope_traffic_matching_no_rule_is_unexpected_with_its_outcome)
{
	const struct classification *c;

	session(1, 40000, 2, 8080, 1.0);
	c = only();
	cr_assert_eq(c->verdict, V_UNEXPECTED);
	cr_assert_eq(c->reason, R_ANSWERED);
	cr_assert_eq(c->rule, -1);
}

Test(classify, a_deny_rule_makes_a_flow_unexpected_and_names_the_rule)
{
	const struct classification *c;

	tcp(1, 40000, 2, 23, TCP_SYN, 5, 0, 0, 1.0);
	later(20.0);
	c = by_port(23);
	cr_assert_eq(c->verdict, V_UNEXPECTED);
	cr_assert_eq(c->reason, R_NO_REPLY);
	cr_assert_str_eq(rule_of(c), "test/telnet");
}

Test(classify, out_of_scope_traffic_matching_no_rule_is_unmatched)
{
	const struct classification *c;
	struct packet p = pkt(PROTO_UDP, 1, 40000, 2, 9999, 1.0);

	p.t.src[0] = p.t.dst[0] = 203;
	p.t.src[1] = p.t.dst[1] = 0;
	p.t.src[2] = p.t.dst[2] = 113;
	feed(p);
	c = only();
	cr_assert_eq(c->verdict, V_UNMATCHED);
}

Test(classify, the_right_port_between_the_wrong_roles_is_not_the_rule)
{
	const struct classification *c;

	session(10, 40000, 2, 1494, 1.0); /* ddc -> vda on ICA: no rule for it */
	c = only();
	cr_assert_eq(c->verdict, V_UNEXPECTED);
}

Test(classify, a_one_way_rule_expects_no_answer)
{
	const struct classification *c;

	feed(pkt(PROTO_UDP, 2, 40000, 10, 514, 1.0));
	feed(pkt(PROTO_UDP, 2, 40000, 10, 514, 2.0));
	later(20.0);
	c = by_port(514);
	cr_assert_eq(c->verdict, V_OK, "%s", verdict_name(c->verdict));
	cr_assert_eq(c->reason, R_ONE_WAY);
}

Test(classify, bidirectional_rules_match_either_way_round)
{
	const struct classification *c;
	struct packet req = pkt(PROTO_ICMP, 2, 8, 10, 0, 1.0), rep = pkt(PROTO_ICMP, 10, 0, 2, 8, 1.01);

	req.icmp_type = 8;
	rep.icmp_type = 0;
	feed(req); /* vda pings ddc; the rule says ddc -> vda, both ways */
	feed(rep);
	c = only();
	cr_assert_eq(c->verdict, V_OK);
	cr_assert_str_eq(rule_of(c), "test/ping");
}

TestSuite(findings, .init = setup_site, .fini = teardown);

Test(findings, missing_any_and_each_name_the_rule_and_the_silent_host)
{
	const struct finding *const *list;
	int n, i, any = 0, each = 0;

	session(2, 40001, 10, 80, 1.0); /* vda .2 registers; .3 never does; no licensing at all */
	tracker_flush(ft);
	findings_finish(fd, 1000000, 100 * 1000000LL);
	list = findings_list(fd, &n);
	for (i = 0; i < n; i++) {
		if (list[i]->kind != FK_MISSING)
			continue;
		if (!strcmp(rs.rules[list[i]->rule].id, "license"))
			any++;
		if (!strcmp(rs.rules[list[i]->rule].id, "register")) {
			each++;
			cr_assert(list[i]->has_host);
			cr_assert_eq(list[i]->orig_h[3], 3, "the silent VDA is 198.18.1.3");
		}
	}
	cr_assert_eq(any, 1);
	cr_assert_eq(each, 1);
	cr_assert_eq(findings_count(fd, FK_MISSING), 2);
	for (i = 0; i < n; i++) {
		if (list[i]->kind != FK_MISSING)
			continue;
		if (!strcmp(rs.rules[list[i]->rule].id, "license")) {
			/* the DDC was seen (the VDA registered with it), no license server ever was */
			cr_assert_eq(list[i]->visibility, VIS_FROM_ONLY, "%s",
				     findings_visibility_name((enum visibility)list[i]->visibility));
			cr_assert_eq(list[i]->confidence, CONF_LOW, "one end never visible: low confidence");
		} else {
			cr_assert_eq(list[i]->visibility, VIS_BOTH);
			cr_assert_eq(list[i]->confidence, CONF_MEDIUM, "a 99 s capture: medium confidence");
		}
	}
}

/* Nothing of the DDC nor the license server in the capture: licensing is not visible from here. */
Test(findings, a_path_neither_of_whose_roles_appears_is_not_visible)
{
	const struct finding *const *list;
	int n, i, nv = 0;

	session(1, 40001, 2, 1494, 1.0);	/* only client -> VDA */
	tracker_flush(ft);
	findings_finish(fd, 1000000, 1000 * 1000000LL);
	list = findings_list(fd, &n);
	for (i = 0; i < n; i++) {
		if (list[i]->rule >= 0 && !strcmp(rs.rules[list[i]->rule].id, "license")) {
			cr_assert_eq(list[i]->kind, FK_NOT_VISIBLE, "%s", findings_kind_name(list[i]->kind));
			nv++;
		}
	}
	cr_assert_eq(nv, 1);
	cr_assert_eq(findings_rule_stats(fd)[3].absent, FK_NOT_VISIBLE, "the matrix says not visible, not missing");
	/* register (vda -> ddc, each): the VDAs were seen, the DDC never: missing, from-only */
	for (i = 0; i < n; i++)
		if (list[i]->kind == FK_MISSING)
			cr_assert_eq(list[i]->visibility, VIS_FROM_ONLY);
}

/* Two inputs hours apart: 'missing' is rated on the time they cover, not on first-to-last. */
Test(findings, missing_confidence_counts_the_covered_time)
{
	const struct finding *const *list;
	int n, i;

	session(2, 40001, 10, 80, 1.0);
	tracker_flush(ft);
	findings_set_covered(fd, 20 * 1000000LL);
	findings_finish(fd, 1000000, 4 * 3600 * 1000000LL);
	list = findings_list(fd, &n);
	for (i = 0; i < n; i++)
		if (list[i]->kind == FK_MISSING && list[i]->visibility == VIS_BOTH)
			cr_assert_eq(list[i]->confidence, CONF_LOW, "20 s covered, though 4 h apart");
}

Test(findings, edt_udp_blocked_while_tcp_works_is_fallback)
{
	const struct finding *const *list;
	int n, i, fallback = 0;

	session(1, 40000, 2, 1494, 1.0);
	feed(pkt(PROTO_UDP, 1, 40001, 2, 1494, 1.5));
	feed(pkt(PROTO_UDP, 1, 40001, 2, 1494, 2.5));
	later(30.0);
	tracker_flush(ft);
	findings_finish(fd, 1000000, 30 * 1000000LL);
	list = findings_list(fd, &n);
	for (i = 0; i < n; i++)
		if (list[i]->kind == FK_FALLBACK) {
			fallback++;
			cr_assert_eq(list[i]->proto, PROTO_UDP);
			cr_assert_eq(list[i]->port, 1494);
			cr_assert_str_eq(rs.rules[list[i]->rule].id, "edt");
		}
	cr_assert_eq(fallback, 1);
	cr_assert_eq(findings_count(fd, FK_BLOCKED), 1, "the UDP flow itself is also blocked");
}

Test(findings, a_group_partly_blocked_between_the_same_hosts_is_incomplete)
{
	const struct finding *const *list;
	int n, i, incomplete = 0;

	session(1, 40000, 2, 1494, 1.0);
	tcp(1, 40001, 2, 2598, TCP_SYN, 7, 0, 0, 1.5);
	later(30.0);
	tracker_flush(ft);
	findings_finish(fd, 1000000, 30 * 1000000LL);
	list = findings_list(fd, &n);
	for (i = 0; i < n; i++)
		if (list[i]->kind == FK_INCOMPLETE) {
			incomplete++;
			cr_assert(strstr(list[i]->note, "ica worked"), "%s", list[i]->note);
			cr_assert(strstr(list[i]->note, "cgp blocked"), "%s", list[i]->note);
		}
	cr_assert_eq(incomplete, 1);
}

Test(findings, flows_of_one_finding_aggregate_by_rule_and_host_pair)
{
	const struct finding *const *list;
	int n;

	for (int i = 0; i < 5; i++)
		tcp(1, (uint16_t)(40000 + i), 2, 2598, TCP_SYN, 5, 0, 0, 1.0 + i);
	later(40.0);
	tracker_flush(ft);
	findings_finish(fd, 1000000, 40 * 1000000LL);
	list = findings_list(fd, &n);
	cr_assert_eq(list[0]->kind, FK_BLOCKED);
	cr_assert_eq(list[0]->count, 5);
	cr_assert_eq(list[0]->first_us, 1000000);
	cr_assert_eq(list[0]->last_us, 5000000);
	cr_assert(list[0]->has_example);
}

TestSuite(port_only, .init = setup_port_only, .fini = teardown);

Test(port_only, rules_match_on_protocol_and_port_alone)
{
	const struct classification *c;

	session(10, 40000, 2, 1494, 1.0); /* roles would not match, but there are none */
	c = only();
	cr_assert_eq(c->verdict, V_OK);
	cr_assert_str_eq(rule_of(c), "test/ica");
	cr_assert_eq(c->orig_role, ROLE_NONE);
}

Test(port_only, nothing_is_unexpected_or_missing)
{
	session(1, 40000, 2, 8080, 1.0);
	tracker_flush(ft);
	findings_finish(fd, 1000000, 1000 * 1000000LL);
	cr_assert_eq(cls[0].verdict, V_UNMATCHED);
	cr_assert_eq(findings_count(fd, FK_MISSING), 0);
	cr_assert_eq(findings_count(fd, FK_UNEXPECTED), 0);
}

Test(findings, finishing_twice_gives_the_same_findings_and_new_flows_still_count)
{
	const struct finding *const *list;
	int n1, n2;

	tcp(1, 40001, 2, 2598, TCP_SYN, 7, 0, 0, 1.0);
	later(30.0);
	tracker_flush(ft);
	findings_finish(fd, 1000000, 30 * 1000000LL);
	list = findings_list(fd, &n1);
	cr_assert_eq(list[0]->kind, FK_BLOCKED);
	findings_finish(fd, 1000000, 30 * 1000000LL);
	findings_list(fd, &n2);
	cr_assert_eq(n1, n2, "an interim report must not duplicate derived findings");
	tcp(1, 40002, 2, 2598, TCP_SYN, 9, 0, 0, 40.0);
	later(60.0);
	tracker_flush(ft);
	findings_finish(fd, 1000000, 60 * 1000000LL);
	list = findings_list(fd, &n2);
	cr_assert_eq(list[0]->kind, FK_BLOCKED);
	cr_assert_eq(list[0]->count, 2, "the later flow joins the same finding");
	cr_assert_eq(findings_count(fd, FK_BLOCKED), 1);
}

Test(findings, kernel_drops_make_a_silent_block_possibly_blocked)
{
	const struct finding *const *list;
	int n;

	tcp(1, 40001, 2, 2598, TCP_SYN, 7, 0, 0, 1.0);
	later(30.0);
	tracker_flush(ft);
	findings_set_drops(fd, 12);
	findings_finish(fd, 1000000, 30 * 1000000LL);
	list = findings_list(fd, &n);
	cr_assert_eq(list[0]->kind, FK_BLOCKED);
	cr_assert_eq(list[0]->confidence, CONF_MEDIUM);
	cr_assert(strstr(list[0]->note, "possibly blocked"), "%s", list[0]->note);
}

Test(findings, a_host_pair_seen_mostly_one_sided_says_the_capture_sees_one_direction)
{
	const struct finding *const *list;
	int n, i;

	/* the client's side only: three sessions whose answers the capture point never sees */
	for (i = 0; i < 3; i++) {
		tcp(1, (uint16_t)(40000 + i), 2, 1494, TCP_SYN, 100, 0, 0, 1.0 + i);
		tcp(1, (uint16_t)(40000 + i), 2, 1494, TCP_ACK, 101, 901, 0, 1.1 + i);
		tcp(1, (uint16_t)(40000 + i), 2, 1494, TCP_ACK, 101, 901, 50, 1.2 + i);
	}
	tcp(1, 40010, 2, 2598, TCP_SYN, 7, 0, 0, 5.0);
	later(40.0);
	tracker_flush(ft);
	findings_finish(fd, 1000000, 40 * 1000000LL);
	list = findings_list(fd, &n);
	for (i = 0; i < n; i++) {
		if (list[i]->kind != FK_BLOCKED && list[i]->kind != FK_ONE_SIDED)
			continue;
		cr_assert_eq(list[i]->confidence, CONF_LOW, "%s", findings_kind_name(list[i]->kind));
		cr_assert(strstr(list[i]->note, "probably sees one direction"), "%s", list[i]->note);
	}
}
