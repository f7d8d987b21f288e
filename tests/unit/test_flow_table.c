/* test_flow_table: keys, direction, fragments, ICMP errors, expiry, eviction, reuse */
#include <criterion/criterion.h>
#include <string.h>

#include "tracker.h"
#include "fixtures.h"

enum { MAX_DONE = 16 };

static struct flow done[MAX_DONE];
static int ndone;

static void collect(struct flow *f, void *ctx)
{
	(void)ctx;
	cr_assert_lt(ndone, MAX_DONE);
	done[ndone++] = *f;
}

static struct flow_table_stats tstats(const struct tracker *tr)
{
	struct flow_table_stats st;

	tracker_stats(tr, &st);
	return st;
}

static struct tracker *table(void (*tweak)(struct flow_table_config *))
{
	struct flow_table_config cfg;

	flow_table_config_defaults(&cfg);
	if (tweak)
		tweak(&cfg);
	ndone = 0;
	return tracker_new(&cfg, (const uint8_t(*)[PORTSET_BYTES])fixture_server_ports(), collect, NULL);
}

static void v4(uint8_t out[16], uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	memset(out, 0, 16);
	out[0] = a;
	out[1] = b;
	out[2] = c;
	out[3] = d;
}

/* A packet from 198.18.1.<s>:sport to 198.18.1.<d>:dport at time t seconds. */
static struct packet pk(uint8_t proto, uint8_t s, uint16_t sport, uint8_t d, uint16_t dport, double t)
{
	struct packet p;

	memset(&p, 0, sizeof(p));
	p.ts_us = (int64_t)(t * 1e6);
	p.t.family = 4;
	p.t.proto = proto;
	v4(p.t.src, 198, 18, 1, s);
	v4(p.t.dst, 198, 18, 1, d);
	p.t.sport = sport;
	p.t.dport = dport;
	p.has_l4 = true;
	p.ip_len = 40;
	p.ip_hdr_len = 20;
	p.ttl = 64;
	return p;
}

static struct packet tcp(uint8_t s, uint16_t sport, uint8_t d, uint16_t dport, uint8_t flags, uint32_t seq,
			 uint32_t ack, double t)
{
	struct packet p = pk(PROTO_TCP, s, sport, d, dport, t);

	p.tcp_flags = flags;
	p.seq = seq;
	p.ack = ack;
	return p;
}

Test(flow_table, both_directions_are_one_flow_with_the_syn_sender_as_originator)
{
	struct tracker *ft = table(NULL);
	struct packet p;

	p = tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 1.0);
	tracker_packet(ft, &p);
	p = tcp(2, 1494, 1, 40000, TCP_SYN | TCP_ACK, 500, 101, 1.1);
	tracker_packet(ft, &p);
	p = tcp(1, 40000, 2, 1494, TCP_ACK, 101, 501, 1.2);
	tracker_packet(ft, &p);
	cr_assert_eq(tstats(ft).live, 1);
	tracker_flush(ft);
	cr_assert_eq(ndone, 1);
	cr_assert_eq(done[0].orig.sport, 40000);
	cr_assert_eq(done[0].orig.dport, 1494);
	cr_assert_eq(done[0].side[0].pkts, 2);
	cr_assert_eq(done[0].side[1].pkts, 1);
	cr_assert_not(done[0].flipped);
	cr_assert_eq(done[0].end, FLOW_END_CAPTURE);
	tracker_free(ft);
}

Test(flow_table, midstream_packet_from_a_server_port_makes_the_client_originator)
{
	struct tracker *ft = table(NULL);
	struct packet p = tcp(2, 1494, 1, 40000, TCP_ACK, 7, 9, 1.0);

	tracker_packet(ft, &p);
	tracker_flush(ft);
	cr_assert_eq(ndone, 1);
	cr_assert_eq(done[0].orig.sport, 40000);
	cr_assert_eq(done[0].orig.dport, 1494);
	cr_assert(done[0].flipped);
	cr_assert_eq(done[0].hist.s[0], '^');
	cr_assert_eq(done[0].side[1].pkts, 1, "the packet came from the responder");
	tracker_free(ft);
}

Test(flow_table, udp_between_two_high_ports_keeps_the_first_sender_as_originator)
{
	struct tracker *ft = table(NULL);
	struct packet p = pk(PROTO_UDP, 2, 50001, 1, 50002, 1.0);

	tracker_packet(ft, &p);
	tracker_flush(ft);
	cr_assert_eq(done[0].orig.sport, 50001);
	cr_assert_not(done[0].flipped);
	tracker_free(ft);
}

Test(flow_table, udp_reply_seen_first_is_flipped_to_the_client)
{
	struct tracker *ft = table(NULL);
	struct packet p = pk(PROTO_UDP, 2, 53, 1, 50002, 1.0);

	tracker_packet(ft, &p);
	tracker_flush(ft);
	cr_assert_eq(done[0].orig.sport, 50002);
	cr_assert_eq(done[0].orig.dport, 53);
	cr_assert(done[0].flipped);
	tracker_free(ft);
}

Test(flow_table, later_fragments_add_their_payload_to_the_first_fragments_flow)
{
	struct tracker *ft = table(NULL);
	struct packet first = pk(PROTO_UDP, 1, 40000, 2, 2598, 1.0);
	struct packet later = pk(PROTO_UDP, 1, 0, 2, 0, 1.0);

	first.fragment = true;
	first.more_fragments = true;
	first.frag_id = 77;
	first.ip_len = 1500;
	first.l4_payload_len = 3000 - 8;
	later.fragment = true;
	later.later_fragment = true;
	later.has_l4 = false;
	later.frag_id = 77;
	later.frag_offset = 1480;
	later.ip_len = 1020 + 20 + 8;
	tracker_packet(ft, &first);
	tracker_packet(ft, &later);
	tracker_flush(ft);
	cr_assert_eq(ndone, 1);
	cr_assert_eq(done[0].side[0].pkts, 1, "a datagram counts once, as after reassembly");
	cr_assert_eq(done[0].side[0].ip_bytes, 1500 + 1028);
	cr_assert_eq(tstats(ft).fragments, 1);
	tracker_free(ft);
}

Test(flow_table, a_later_fragment_without_its_first_is_an_orphan_not_a_flow)
{
	struct tracker *ft = table(NULL);
	struct packet later = pk(PROTO_UDP, 1, 0, 2, 0, 1.0);

	later.fragment = later.later_fragment = true;
	later.has_l4 = false;
	later.frag_id = 5;
	tracker_packet(ft, &later);
	tracker_flush(ft);
	cr_assert_eq(ndone, 0);
	cr_assert_eq(tstats(ft).fragment_orphans, 1);
	tracker_free(ft);
}

Test(flow_table, icmp_error_is_attached_to_the_flow_it_quotes_and_kept_as_its_own_flow)
{
	struct tracker *ft = table(NULL);
	struct packet udp = pk(PROTO_UDP, 1, 40000, 2, 27000, 1.0);
	struct packet icmp = pk(PROTO_ICMP, 2, 3, 1, 3, 1.1);

	icmp.icmp_type = 3;
	icmp.icmp_code = 3;
	icmp.has_quoted = true;
	icmp.quoted = udp.t;
	tracker_packet(ft, &udp);
	tracker_packet(ft, &icmp);
	tracker_flush(ft);
	cr_assert_eq(ndone, 2);
	cr_assert_eq(tstats(ft).icmp_errors_matched, 1);
	for (int i = 0; i < 2; i++) {
		if (done[i].orig.proto == PROTO_UDP) {
			cr_assert(done[i].icmp_error);
			cr_assert_eq(done[i].icmp_type, 3);
			cr_assert_eq(done[i].icmp_code, 3);
		} else {
			cr_assert_not(done[i].icmp_error);
		}
	}
	tracker_free(ft);
}

Test(flow_table, idle_flows_expire_before_a_later_packet_is_counted)
{
	struct tracker *ft = table(NULL);
	struct packet a = pk(PROTO_UDP, 1, 40000, 2, 1812, 1.0);
	struct packet b = pk(PROTO_UDP, 3, 40000, 4, 1812, 62.0);

	tracker_packet(ft, &a);
	tracker_packet(ft, &b);
	cr_assert_eq(ndone, 1, "the first flow was idle 61 s > the 60 s UDP timeout");
	cr_assert_eq(done[0].end, FLOW_END_INACTIVE);
	cr_assert_eq(tstats(ft).live, 1);
	tracker_free(ft);
}

Test(flow_table, the_same_tuple_after_the_timeout_is_a_new_flow)
{
	struct tracker *ft = table(NULL);
	struct packet a = pk(PROTO_UDP, 1, 40000, 2, 1812, 1.0);
	struct packet b = pk(PROTO_UDP, 1, 40000, 2, 1812, 100.0);

	tracker_packet(ft, &a);
	tracker_packet(ft, &b);
	tracker_flush(ft);
	cr_assert_eq(ndone, 2);
	tracker_free(ft);
}

static void two_flows(struct flow_table_config *c)
{
	c->max_flows = 2;
}

Test(flow_table, past_max_flows_the_oldest_flow_is_evicted_and_counted)
{
	struct tracker *ft = table(two_flows);
	struct packet p;

	for (int i = 0; i < 3; i++) {
		p = pk(PROTO_UDP, 1, (uint16_t)(40000 + i), 2, 1812, 1.0 + i);
		tracker_packet(ft, &p);
	}
	cr_assert_eq(ndone, 1);
	cr_assert_eq(done[0].orig.sport, 40000);
	cr_assert_eq(done[0].end, FLOW_END_EVICTED);
	cr_assert_eq(tstats(ft).evicted, 1);
	cr_assert_eq(tstats(ft).live, 2);
	tracker_free(ft);
}

Test(flow_table, a_new_syn_on_a_finished_connection_starts_a_new_flow)
{
	struct tracker *ft = table(NULL);
	struct packet seq[] = {
		tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 1.0),
		tcp(2, 1494, 1, 40000, TCP_RST | TCP_ACK, 0, 101, 1.1),
		tcp(1, 40000, 2, 1494, TCP_SYN, 9000, 0, 2.0),
	};

	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		tracker_packet(ft, &seq[i]);
	tracker_flush(ft);
	cr_assert_eq(ndone, 2);
	cr_assert_eq(done[0].end, FLOW_END_REUSED);
	cr_assert_eq(tstats(ft).reused, 1);
	tracker_free(ft);
}

static void vlan_key(struct flow_table_config *c)
{
	c->vlan_key = true;
}

static void two_vlans(struct tracker *ft)
{
	struct packet a = pk(PROTO_UDP, 1, 40000, 2, 1812, 1.0);
	struct packet b = pk(PROTO_UDP, 2, 1812, 1, 40000, 1.1);

	a.vlan_count = b.vlan_count = 1;
	a.vlan = 10;
	b.vlan = 20;
	tracker_packet(ft, &a);
	tracker_packet(ft, &b);
	tracker_flush(ft);
}

Test(flow_table, vlan_is_not_part_of_the_key_by_default)
{
	struct tracker *ft = table(NULL);

	two_vlans(ft);
	cr_assert_eq(ndone, 1);
	cr_assert_eq(done[0].vlan, 10);
	tracker_free(ft);
}

Test(flow_table, vlan_key_option_separates_vlans)
{
	struct tracker *ft = table(vlan_key);

	two_vlans(ft);
	cr_assert_eq(ndone, 2);
	tracker_free(ft);
}

Test(flow_table, closed_tcp_flow_is_finished_after_the_close_delay)
{
	struct tracker *ft = table(NULL);
	struct packet seq[] = {
		tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 1.0),
		tcp(2, 1494, 1, 40000, TCP_RST | TCP_ACK, 0, 101, 1.1),
	};
	struct packet later = pk(PROTO_UDP, 5, 1, 6, 1812, 7.0);

	tracker_packet(ft, &seq[0]);
	tracker_packet(ft, &seq[1]);
	tracker_packet(ft, &later);
	cr_assert_eq(ndone, 1);
	cr_assert_eq(done[0].end, FLOW_END_CLOSED);
	tracker_free(ft);
}

/* Zeek's AttemptTimer: 5 s after the first SYN, an attempt nobody answered is done. */
Test(flow_table, an_unanswered_syn_ends_its_flow_after_the_attempt_delay)
{
	struct tracker *ft = table(NULL);
	struct packet p[] = {
		tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 0.0),
		tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 1.0),	/* Linux retries at 1, 3, 7 s */
		tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 3.0),
		tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 7.0),
	};

	for (int i = 0; i < 4; i++)
		tracker_packet(ft, &p[i]);
	cr_assert_eq(ndone, 1, "the retries within 5 s stay in the first flow; the one at 7 s starts another");
	cr_assert_eq(done[0].end, FLOW_END_ATTEMPT);
	cr_assert_eq(done[0].side[0].pkts, 3);
	cr_assert_eq(flow_conn_state(&done[0]), CS_S0);
	tracker_flush(ft);
	cr_assert_eq(ndone, 2);
	cr_assert_eq(done[1].side[0].pkts, 1);
	cr_assert_eq(tstats(ft).flows, 2);
	tracker_free(ft);
}

Test(flow_table, an_answered_syn_is_not_an_attempt_and_lives_on)
{
	struct tracker *ft = table(NULL);
	struct packet p[] = {
		tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 0.0),
		tcp(2, 1494, 1, 40000, TCP_SYN | TCP_ACK, 500, 101, 4.0),
		tcp(1, 40000, 2, 1494, TCP_ACK, 101, 501, 4.1),
		tcp(1, 40000, 2, 1494, TCP_ACK, 101, 501, 60.0),
	};

	for (int i = 0; i < 4; i++)
		tracker_packet(ft, &p[i]);
	cr_assert_eq(ndone, 0);
	tracker_free(ft);
}

static void attempt_30s(struct flow_table_config *c)
{
	c->timeout_us[FLOW_CLASS_TCP_ATTEMPT] = 30 * 1000000LL;
}

Test(flow_table, the_attempt_delay_is_configurable)
{
	struct tracker *ft = table(attempt_30s);
	struct packet p[] = {
		tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 0.0),
		tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 7.0),
		tcp(1, 40000, 2, 1494, TCP_SYN, 100, 0, 15.0),
		pk(PROTO_UDP, 5, 1, 6, 1812, 30.0),
	};

	for (int i = 0; i < 4; i++)
		tracker_packet(ft, &p[i]);
	cr_assert_eq(ndone, 1);
	cr_assert_eq(done[0].side[0].pkts, 3);
	cr_assert_eq(done[0].end, FLOW_END_ATTEMPT);
	tracker_free(ft);
}

Test(flow_uid, is_zeek_shaped_and_reproducible)
{
	struct flow f;
	char a[FLOW_UID_LEN], b[FLOW_UID_LEN];

	memset(&f, 0, sizeof(f));
	f.first_us = 42;
	f.uid_seq = 7;
	flow_uid(&f, 1, a);
	f.uid_seq = 8;	/* the creation number depends on the workers: it is not part of the uid */
	flow_uid(&f, 1, b);
	cr_assert_str_eq(a, b);
	cr_assert_eq(a[0], 'C');
	cr_assert_eq(strlen(a), 19);
	f.first_us = 43;
	flow_uid(&f, 1, b);
	cr_assert_str_neq(a, b);
	f.first_us = 42;
	flow_uid(&f, 2, b);
	cr_assert_str_neq(a, b);
}
