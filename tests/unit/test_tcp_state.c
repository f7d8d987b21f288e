/* test_tcp_state: conn_state, history and byte counts agree with Zeek for each way a TCP flow ends */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "packet.h"
#include "tcp_state.h"

/* Both endpoints and the history, as the flow table keeps them. */
struct conn {
	struct tcp_endpoint ep[2];	/* [0] originator, [1] responder */
	struct history h;
};

enum { ORIG = true, RESP = false };

#define SYN TCP_SYN
#define ACK TCP_ACK
#define FIN (TCP_FIN | TCP_ACK)
#define RST TCP_RST
#define RSTACK (TCP_RST | TCP_ACK)
#define PSH (TCP_PSH | TCP_ACK)

static void seg(struct conn *c, bool is_orig, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
	int i = is_orig ? 0 : 1;

	tcp_state_update(&c->ep[i], &c->ep[1 - i], &c->h, is_orig, flags, seq, ack, len);
}

static void expect(const struct conn *c, const char *state, const char *history,
		   uint64_t orig_bytes, uint64_t resp_bytes)
{
	enum conn_state cs = conn_state_tcp(&c->ep[0], &c->ep[1], c->h.s);

	cr_expect_str_eq(conn_state_name(cs), state);
	cr_expect_str_eq(c->h.s, history);
	cr_expect_eq(tcp_endpoint_size(&c->ep[0], &c->ep[1]), orig_bytes,
		     "orig_bytes %llu", (unsigned long long)tcp_endpoint_size(&c->ep[0], &c->ep[1]));
	cr_expect_eq(tcp_endpoint_size(&c->ep[1], &c->ep[0]), resp_bytes,
		     "resp_bytes %llu", (unsigned long long)tcp_endpoint_size(&c->ep[1], &c->ep[0]));
}

/* Client ISN 1000, server ISN 5000: SYN, SYN-ACK, ACK. */
static void handshake(struct conn *c)
{
	seg(c, ORIG, SYN, 1000, 0, 0);
	seg(c, RESP, SYN | ACK, 5000, 1001, 0);
	seg(c, ORIG, ACK, 1001, 5001, 0);
}

Test(conn_state, unanswered_syn_is_s0)
{
	struct conn c = {0};

	seg(&c, ORIG, SYN, 1000, 0, 0);
	expect(&c, "S0", "S", 0, 0);
	cr_expect_not(tcp_state_finished(&c.ep[0], &c.ep[1]));
}

Test(conn_state, retransmitted_syns_keep_history_s)
{
	struct conn c = {0};

	for (int i = 0; i < 4; i++)
		seg(&c, ORIG, SYN, 1000, 0, 0);
	expect(&c, "S0", "S", 0, 0);
}

Test(conn_state, handshake_without_close_is_s1)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 10);
	seg(&c, RESP, PSH, 5001, 1011, 20);
	expect(&c, "S1", "ShADd", 10, 20);
	cr_expect_not(tcp_state_finished(&c.ep[0], &c.ep[1]));
}

Test(conn_state, full_session_is_sf_and_retransmissions_count_once)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 100);
	seg(&c, ORIG, PSH, 1001, 5001, 100);	/* retransmitted */
	seg(&c, RESP, ACK, 5001, 1101, 0);
	seg(&c, RESP, PSH, 5001, 1101, 1000);
	seg(&c, RESP, PSH, 6001, 1101, 1000);
	seg(&c, RESP, PSH, 6001, 1101, 1000);	/* retransmitted */
	seg(&c, ORIG, ACK, 1101, 7001, 0);
	seg(&c, ORIG, FIN, 1101, 7001, 0);
	seg(&c, RESP, FIN, 7001, 1102, 0);
	seg(&c, ORIG, ACK, 1102, 7002, 0);
	expect(&c, "SF", "ShADTadtFf", 100, 2000);
	cr_expect(tcp_state_finished(&c.ep[0], &c.ep[1]));
}

Test(conn_state, fin_retransmitted_at_same_seq_adds_one_f)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, FIN, 1001, 5001, 0);
	seg(&c, ORIG, FIN, 1001, 5001, 0);
	expect(&c, "S2", "ShAF", 0, 0);
}

Test(conn_state, syn_answered_by_rst_is_rej)
{
	struct conn c = {0};

	seg(&c, ORIG, SYN, 1000, 0, 0);
	seg(&c, RESP, RSTACK, 0, 1001, 0);
	expect(&c, "REJ", "Sr", 0, 0);
	cr_expect(tcp_state_finished(&c.ep[0], &c.ep[1]));
}

Test(conn_state, orig_fin_unanswered_after_handshake_is_s2)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 5);
	seg(&c, ORIG, FIN, 1006, 5001, 0);
	seg(&c, RESP, ACK, 5001, 1007, 0);
	expect(&c, "S2", "ShADFa", 5, 0);
	cr_expect_not(tcp_state_finished(&c.ep[0], &c.ep[1]));
}

Test(conn_state, resp_fin_unanswered_after_handshake_is_s3)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, RESP, PSH, 5001, 1001, 7);
	seg(&c, RESP, FIN, 5008, 1001, 0);
	expect(&c, "S3", "ShAdf", 0, 7);
}

Test(conn_state, orig_rst_after_handshake_is_rsto)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 50);
	seg(&c, ORIG, RSTACK, 1051, 5001, 0);
	expect(&c, "RSTO", "ShADR", 50, 0);
	cr_expect(tcp_state_finished(&c.ep[0], &c.ep[1]));
}

Test(conn_state, resp_rst_after_handshake_is_rstr)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 50);
	seg(&c, RESP, RSTACK, 5001, 1051, 0);
	expect(&c, "RSTR", "ShADr", 50, 0);
}

Test(conn_state, syn_then_rst_from_orig_is_rstos0)
{
	struct conn c = {0};

	seg(&c, ORIG, SYN, 1000, 0, 0);
	seg(&c, ORIG, RST, 1001, 0, 0);
	expect(&c, "RSTOS0", "SR", 0, 0);
	cr_expect(tcp_state_finished(&c.ep[0], &c.ep[1]));
}

/* A stale half-open peer answers with an old ack; Size() must not trust it. */
Test(conn_state, syn_answered_by_stale_ack_then_rst_is_rstos0_without_bytes)
{
	struct conn c = {0};

	seg(&c, ORIG, SYN, 1000, 0, 0);
	seg(&c, RESP, ACK, 9000, 1500, 0);
	seg(&c, ORIG, RST, 1500, 0, 0);
	expect(&c, "RSTOS0", "SaR", 0, 0);
}

Test(conn_state, synack_then_rst_from_resp_is_rstrh)
{
	struct conn c = {0};

	seg(&c, RESP, SYN | ACK, 5000, 1001, 0);
	seg(&c, RESP, RST, 5001, 0, 0);
	expect(&c, "RSTRH", "hr", 0, 0);
}

Test(conn_state, syn_then_fin_from_orig_is_sh)
{
	struct conn c = {0};

	seg(&c, ORIG, SYN, 1000, 0, 0);
	seg(&c, ORIG, TCP_FIN, 1001, 0, 0);
	expect(&c, "SH", "SF", 0, 0);
	cr_expect(tcp_state_finished(&c.ep[0], &c.ep[1]));
}

Test(conn_state, synack_then_fin_from_resp_is_shr)
{
	struct conn c = {0};

	seg(&c, RESP, SYN | ACK, 5000, 1001, 0);
	seg(&c, RESP, FIN, 5001, 1001, 0);
	expect(&c, "SHR", "hf", 0, 0);
}

Test(conn_state, midstream_traffic_without_syn_is_oth)
{
	struct conn c = {0};

	seg(&c, ORIG, PSH, 70000, 90000, 100);
	seg(&c, RESP, PSH, 90000, 70100, 300);
	seg(&c, ORIG, ACK, 70100, 90300, 0);
	expect(&c, "OTH", "DdA", 100, 300);
	cr_expect_eq(c.ep[0].state, TCPS_PARTIAL);
	cr_expect_eq(c.ep[1].state, TCPS_PARTIAL);
}

/* Both ISNs just below 2^32: the data of both sides crosses the wrap. */
Test(tcp_size, counts_bytes_across_sequence_wrap)
{
	struct conn c = {0};
	uint32_t o = 0xffffff00u, r = 0xfffffff0u;

	seg(&c, ORIG, SYN, o, 0, 0);
	seg(&c, RESP, SYN | ACK, r, o + 1, 0);
	seg(&c, ORIG, ACK, o + 1, r + 1, 0);
	seg(&c, ORIG, PSH, o + 1, r + 1, 1000);
	seg(&c, ORIG, PSH, o + 1, r + 1, 1000);		/* retransmitted after the wrap */
	seg(&c, RESP, PSH, r + 1, o + 1001, 3000);
	seg(&c, ORIG, FIN, o + 1001, r + 3001, 0);
	seg(&c, RESP, FIN, r + 3001, o + 1002, 0);
	seg(&c, ORIG, ACK, o + 1002, r + 3002, 0);
	expect(&c, "SF", "ShADTdFf", 1000, 3000);
	cr_expect_eq(c.ep[0].seq_wraps, 1);
	cr_expect_eq(c.ep[1].seq_wraps, 1);
}

Test(tcp_size, counts_a_segment_missing_from_the_capture_once_acked)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 10);
	seg(&c, RESP, PSH, 5001, 1011, 500);
	/* resp 5501..6000 not captured, but acked */
	seg(&c, ORIG, ACK, 1011, 6001, 0);
	seg(&c, ORIG, FIN, 1011, 6001, 0);
	seg(&c, RESP, FIN, 6001, 1012, 0);
	expect(&c, "SF", "ShADdgFf", 10, 1000);
	cr_expect_eq(tcp_missed_bytes(&c.ep[1]), 500);	/* and it is a content gap (g) */
}

Test(conn_state, resp_ack_before_its_synack_is_not_partial)
{
	struct conn c = {0};

	seg(&c, ORIG, SYN, 1000, 0, 0);
	seg(&c, RESP, ACK, 5000, 1001, 0);
	cr_expect_eq(c.ep[1].state, TCPS_INACTIVE);
	expect(&c, "S0", "Sa", 0, 0);
}

Test(conn_state, synack_seen_first_then_syn_flips_roles)
{
	struct conn c = {0};

	/* The SYN-ACK's sender is taken for the originator ... */
	seg(&c, ORIG, SYN | ACK, 5000, 1001, 0);
	cr_expect_eq(c.ep[0].state, TCPS_SYN_ACK_SENT);
	/* ... until the SYN it answers shows up. */
	seg(&c, RESP, SYN, 1000, 0, 0);
	cr_assert(c.h.roles_flipped);
	cr_expect_str_eq(c.h.s, "Hs^");

	/* The flow table swaps the roles. */
	struct tcp_endpoint tmp = c.ep[0];
	c.ep[0] = c.ep[1];
	c.ep[1] = tmp;
	c.h.roles_flipped = false;

	seg(&c, ORIG, ACK, 1001, 5001, 0);
	seg(&c, ORIG, PSH, 1001, 5001, 40);
	expect(&c, "S1", "Hs^AD", 40, 0);
}

Test(conn_state, synack_only_seen_then_ack_is_established)
{
	struct conn c = {0};

	/* Roles already flipped on the first packet by the flow table. */
	seg(&c, RESP, SYN | ACK, 5000, 1001, 0);
	seg(&c, ORIG, ACK, 1001, 5001, 0);
	expect(&c, "S1", "hA", 0, 0);
}

Test(conn_state, fin_then_rst_answered_by_fin_is_sf)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, FIN, 1001, 5001, 0);
	seg(&c, ORIG, RST, 1002, 0, 0);
	cr_expect_eq(c.ep[0].state, TCPS_RESET);
	seg(&c, RESP, FIN, 5001, 1002, 0);
	expect(&c, "SF", "ShAFRf", 0, 0);
}

Test(conn_state, rst_after_fin_exchange_keeps_sf)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, FIN, 1001, 5001, 0);
	seg(&c, RESP, FIN, 5001, 1002, 0);
	seg(&c, ORIG, RST, 1002, 0, 0);
	expect(&c, "SF", "ShAFfR", 0, 0);
}

Test(history, syn_fin_is_multi_flag_q)
{
	struct conn c = {0};

	seg(&c, ORIG, TCP_SYN | TCP_FIN, 1000, 0, 0);
	expect(&c, "SH", "Q", 0, 0);
}

Test(history, fin_rst_is_inconsistent_i)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, TCP_FIN | TCP_RST | TCP_ACK, 1001, 5001, 0);
	expect(&c, "RSTO", "ShAI", 0, 0);
}

Test(history, control_letters_repeat_only_at_a_new_seq)
{
	struct conn c = {0};

	seg(&c, ORIG, SYN, 1000, 0, 0);
	seg(&c, RESP, RSTACK, 0, 1001, 0);
	seg(&c, ORIG, SYN, 1000, 0, 0);		/* same seq: no new letter */
	seg(&c, RESP, RSTACK, 0, 1001, 0);
	cr_expect_str_eq(c.h.s, "Sr");
}

Test(history, syn_at_new_seq_after_own_rst_is_recorded_again)
{
	struct conn c = {0};

	seg(&c, ORIG, SYN, 1000, 0, 0);
	seg(&c, ORIG, RST, 1001, 0, 0);
	seg(&c, ORIG, SYN, 7000, 0, 0);
	expect(&c, "RSTOS0", "SRS", 0, 0);
}

Test(history, letters_are_upper_for_orig_lower_for_resp_once_each)
{
	struct history h = {0};

	history_add(&h, true, 'D');
	history_add(&h, false, 'D');
	history_add(&h, true, 'D');
	history_add(&h, false, 'a');
	history_add(&h, false, 'A');
	cr_expect_str_eq(h.s, "Dda");
}

Test(history, repeating_letters_appear_at_1_10_100)
{
	struct history h = {0};

	for (int i = 0; i < 100; i++)
		history_add_repeat(&h, true, 'T');
	for (int i = 0; i < 99; i++)
		history_add_repeat(&h, false, 'T');
	cr_expect_str_eq(h.s, "TTTtt");
	cr_expect_eq(h.repeat[0][1], 100);
	cr_expect_eq(h.repeat[1][1], 99);
}

Test(history, repeating_letters_count_per_letter)
{
	struct history h = {0};

	history_add_repeat(&h, true, 'C');
	history_add_repeat(&h, true, 'W');
	history_add_repeat(&h, false, 'G');
	history_add_repeat(&h, false, 'G');
	cr_expect_str_eq(h.s, "CWg");
}

Test(history, is_capped_without_overflow)
{
	struct history h = {0};

	for (int i = 0; i < 10 * HISTORY_MAX; i++)
		history_add(&h, i % 2, '^');
	cr_expect_eq(h.len, HISTORY_MAX);
	cr_expect_eq(strlen(h.s), (size_t)HISTORY_MAX);
	cr_expect_eq(h.s[HISTORY_MAX], '\0');
}

Test(tcp_finished, needs_both_fins_or_one_rst)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, FIN, 1001, 5001, 0);
	cr_expect_not(tcp_state_finished(&c.ep[0], &c.ep[1]));
	seg(&c, RESP, FIN, 5001, 1002, 0);
	cr_expect(tcp_state_finished(&c.ep[0], &c.ep[1]));
}

Test(conn_state, udp_follows_which_sides_sent)
{
	cr_expect_eq(conn_state_udp(true, true), CS_SF);
	cr_expect_eq(conn_state_udp(true, false), CS_S0);
	cr_expect_eq(conn_state_udp(false, true), CS_SHR);
	cr_expect_eq(conn_state_udp(false, false), CS_OTH);
}

Test(conn_state, names_follow_zeek)
{
	static const char *const want[CS_COUNT] = {
		"S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR",
		"RSTOS0", "RSTRH", "SH", "SHR", "OTH",
	};

	for (int i = 0; i < CS_COUNT; i++)
		cr_expect_str_eq(conn_state_name((enum conn_state)i), want[i]);
	cr_expect_str_eq(conn_state_name(CS_COUNT), "OTH");
}

/*
 * missed_bytes: Zeek's content gaps. Client ISN 1000 (data from 1001),
 * server ISN 5000 (data from 5001) as in handshake().
 */
static uint64_t missed(const struct conn *c, int side)
{
	return tcp_missed_bytes(&c->ep[side]);
}

Test(tcp_gap, none_in_a_clean_session)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 100);
	seg(&c, RESP, PSH, 5001, 1101, 200);
	seg(&c, ORIG, FIN, 1101, 5201, 0);
	seg(&c, RESP, FIN, 5201, 1102, 0);
	seg(&c, ORIG, ACK, 1102, 5202, 0);
	cr_expect_eq(missed(&c, 0), 0);
	cr_expect_eq(missed(&c, 1), 0);
	cr_expect_str_eq(c.h.s, "ShADdFf");
}

Test(tcp_gap, filled_by_a_retransmission_is_not_missed)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 100);
	seg(&c, ORIG, PSH, 1201, 5001, 100);	/* 1101..1200 not (yet) seen */
	seg(&c, RESP, ACK, 5001, 1101, 0);	/* a duplicate ack below the hole */
	seg(&c, ORIG, PSH, 1101, 5001, 100);	/* the retransmission fills it */
	seg(&c, RESP, ACK, 5001, 1301, 0);
	cr_expect_eq(missed(&c, 0), 0);
	cr_expect_eq(c.ep[0].gap_nholes, 0);
}

Test(tcp_gap, acked_past_counts_its_size_once)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 100);
	seg(&c, ORIG, PSH, 1201, 5001, 100);
	seg(&c, RESP, ACK, 5001, 1301, 0);
	cr_expect_eq(missed(&c, 0), 100);
	cr_expect_str_eq(c.h.s, "ShADaG");	/* Zeek's G: a content gap in the originator's data */
	/* Seen after the ack passed it, the retransmission changes nothing; nor does the ack again. */
	seg(&c, ORIG, PSH, 1101, 5001, 100);
	seg(&c, RESP, ACK, 5001, 1301, 0);
	cr_expect_eq(missed(&c, 0), 100);
	cr_expect_eq(missed(&c, 1), 0);
	/* The bytes themselves still count in orig_bytes, from the sequence numbers. */
	cr_expect_eq(tcp_endpoint_size(&c.ep[0], &c.ep[1]), 300);
}

Test(tcp_gap, two_gaps_counted_as_the_acks_pass_them)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, RESP, PSH, 5001, 1001, 100);
	seg(&c, RESP, PSH, 5201, 1001, 100);	/* 5101..5200 missed */
	seg(&c, RESP, PSH, 5351, 1001, 100);	/* 5301..5350 missed */
	seg(&c, ORIG, ACK, 1001, 5250, 0);	/* past the first only */
	cr_expect_eq(missed(&c, 1), 100);
	seg(&c, ORIG, ACK, 1001, 5321, 0);	/* into the second: its first 20 */
	cr_expect_eq(missed(&c, 1), 120);
	seg(&c, ORIG, ACK, 1001, 5451, 0);
	cr_expect_eq(missed(&c, 1), 150);
	cr_expect_eq(missed(&c, 0), 0);
	cr_expect_str_eq(c.h.s, "ShAdg");	/* three gap events, one letter (1, 10, 100 ...) */
}

Test(tcp_gap, data_missing_at_the_end_counts_once_acked_but_not_the_fin)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 100);
	/* 1101..1200 not captured, then the FIN at 1201 */
	seg(&c, ORIG, FIN, 1201, 5001, 0);
	seg(&c, RESP, FIN, 5001, 1202, 0);
	seg(&c, ORIG, ACK, 1202, 5002, 0);
	cr_expect_eq(missed(&c, 0), 100);
	cr_expect_eq(missed(&c, 1), 0);
}

Test(tcp_gap, a_last_segment_never_seen_is_counted_from_the_ack)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 100);
	seg(&c, RESP, ACK, 5001, 1601, 0);	/* 1101..1600 never seen */
	cr_expect_eq(missed(&c, 0), 500);
}

Test(tcp_gap, a_hole_never_acked_is_not_missed)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 100);
	seg(&c, ORIG, PSH, 1201, 5001, 100);	/* the capture ends: Zeek reports no gap */
	cr_expect_eq(missed(&c, 0), 0);
}

/* Client ISN just below 2^32: data and hole after the wrap. */
Test(tcp_gap, counts_across_sequence_wrap)
{
	struct conn c = {0};
	uint32_t o = 0xffffff00u;

	seg(&c, ORIG, SYN, o, 0, 0);
	seg(&c, RESP, SYN | ACK, 5000, o + 1, 0);
	seg(&c, ORIG, ACK, o + 1, 5001, 0);
	seg(&c, ORIG, PSH, o + 1, 5001, 200);		/* up to 0xffffffff, then 0x00..0xc8 */
	seg(&c, ORIG, PSH, o + 501, 5001, 100);		/* o+201 .. o+500 missed, past 2^32 */
	seg(&c, RESP, ACK, 5001, o + 601, 0);
	cr_expect_eq(missed(&c, 0), 300);
}

Test(tcp_gap, hole_straddling_2_32)
{
	struct conn c = {0};
	uint32_t o = 0xffffff00u;

	seg(&c, ORIG, SYN, o, 0, 0);
	seg(&c, RESP, SYN | ACK, 5000, o + 1, 0);
	seg(&c, ORIG, ACK, o + 1, 5001, 0);
	seg(&c, ORIG, PSH, o + 1, 5001, 200);		/* to o + 201 = 0xffffffc9 */
	seg(&c, ORIG, PSH, 0x100, 5001, 100);		/* 0xffffffc9 .. 0xff missed: 55 + 256 */
	seg(&c, RESP, ACK, 5001, 0x200, 0);		/* and 0x164 .. 0x1ff never seen: 156 */
	cr_expect_eq(missed(&c, 0), 55 + 256 + 156);
}

/* Midstream: no SYN seen, Zeek numbers from the first segment and, partial, reports no gaps. */
Test(tcp_gap, midstream_partial_counts_nothing)
{
	struct conn c = {0};

	seg(&c, ORIG, PSH, 70000, 90000, 100);
	seg(&c, RESP, PSH, 90000, 70100, 300);
	seg(&c, ORIG, PSH, 70300, 90300, 100);	/* 70100..70299 missed */
	seg(&c, RESP, ACK, 90300, 70400, 0);
	cr_expect_eq(c.ep[0].state, TCPS_PARTIAL);
	cr_expect_eq(missed(&c, 0), 0);
	cr_expect_eq(missed(&c, 1), 0);
}

/* Only the SYN missed: the client is numbered from the server's ack, nothing before it counts. */
Test(tcp_gap, missed_syn_counts_from_the_first_ack)
{
	struct conn c = {0};

	seg(&c, RESP, SYN | ACK, 5000, 1001, 0);
	seg(&c, ORIG, ACK, 1001, 5001, 0);
	cr_expect_eq(c.ep[0].state, TCPS_ESTABLISHED);
	cr_expect_eq(c.ep[1].state, TCPS_ESTABLISHED);
	seg(&c, ORIG, PSH, 1001, 5001, 100);
	seg(&c, ORIG, PSH, 1151, 5001, 100);	/* 1101..1150 missed */
	seg(&c, RESP, ACK, 5001, 1251, 0);
	cr_expect_eq(missed(&c, 0), 50);
	cr_expect_eq(missed(&c, 1), 0);
}

Test(tcp_gap, keep_alives_are_not_gaps)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 100);
	seg(&c, RESP, ACK, 5001, 1101, 0);
	seg(&c, ORIG, ACK, 1100, 5001, 0);	/* keep-alive: seq one below, no data */
	seg(&c, RESP, ACK, 5001, 1101, 0);
	seg(&c, ORIG, ACK, 1100, 5001, 1);	/* keep-alive with its one garbage octet */
	seg(&c, RESP, ACK, 5001, 1101, 0);
	cr_expect_eq(missed(&c, 0), 0);
	cr_expect_eq(missed(&c, 1), 0);
}

Test(tcp_gap, a_huge_jump_is_a_new_sequence_space)
{
	struct conn c = {0};
	uint32_t far = 1101 + 0x50000000u;	/* 1.25 GiB on */

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 100);
	seg(&c, ORIG, PSH, far, 5001, 100);
	seg(&c, RESP, ACK, 5001, far + 100, 0);
	cr_expect_eq(missed(&c, 0), 0);
	/* An ack that far ahead is not believed either. */
	seg(&c, RESP, ACK, 5001, far + 100 + 0x60000000u, 0);
	cr_expect_eq(missed(&c, 0), 0);
	/* Counting goes on in the new space. */
	seg(&c, ORIG, PSH, far + 150, 5001, 10);
	seg(&c, RESP, ACK, 5001, far + 160, 0);
	cr_expect_eq(missed(&c, 0), 50);
}

Test(tcp_gap, not_counted_after_a_reset)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 100);
	seg(&c, ORIG, PSH, 1201, 5001, 100);
	seg(&c, RESP, RSTACK, 5001, 1301, 0);	/* a RST's ack is not trusted */
	seg(&c, RESP, ACK, 5001, 1301, 0);	/* and once reset, Zeek reports no gaps */
	cr_expect_eq(missed(&c, 0), 0);
}

/* More holes than kept: the two closest merge, the data between counts as missed too. */
Test(tcp_gap, more_holes_than_kept_merge_the_closest)
{
	struct conn c = {0};

	handshake(&c);
	seg(&c, ORIG, PSH, 1001, 5001, 100);	/* to 1101 */
	seg(&c, ORIG, PSH, 1111, 5001, 100);	/* hole 1101..1110 */
	seg(&c, ORIG, PSH, 1221, 5001, 100);	/* hole 1211..1220 */
	seg(&c, ORIG, PSH, 1331, 5001, 5);	/* hole 1321..1330 */
	seg(&c, ORIG, PSH, 1346, 5001, 100);	/* hole 1336..1345: merged with the last (5 apart) */
	cr_expect_eq(c.ep[0].gap_nholes, TCP_GAP_HOLES);
	seg(&c, RESP, ACK, 5001, 1446, 0);
	cr_expect_eq(missed(&c, 0), 40 + 5);
}

Test(tcp_gap, zero_for_an_untouched_endpoint)
{
	struct tcp_endpoint e = {0};

	cr_expect_eq(tcp_missed_bytes(&e), 0);
}
