/* test_dedup: mirror copies are found, retransmissions and distinct packets are not */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <pcap/pcap.h>

#include "decode.h"
#include "dedup.h"

/* One packet to build: Ethernet (tagged if vlan) / IPv4 or IPv6 / TCP (with timestamps) or UDP / payload. */
struct spec {
	int family;
	unsigned vlan;		/* 0: untagged */
	unsigned ttl;
	unsigned tos;		/* IPv4 TOS or IPv6 traffic class */
	unsigned id;		/* IPv4 identification */
	unsigned frag;		/* IPv4 flags + offset field; 0 means DF */
	uint32_t flow;		/* IPv6 flow label */
	unsigned proto;
	uint8_t src_last;
	unsigned sport, dport;
	uint32_t seq, ack;
	unsigned flags;
	uint32_t tsval;		/* TCP timestamp option value */
	unsigned plen;
	unsigned pfill;		/* payload byte i is pfill + i */
	unsigned p15;		/* added to payload byte 15 only (no checksum change) */
	uint32_t frag6_id;	/* IPv6: nonzero adds a fragment header (first fragment, M set) */
};

struct fb {
	uint8_t b[2048];
	uint32_t n;
};

static void put8(struct fb *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static void put16(struct fb *f, unsigned v) { put8(f, v >> 8); put8(f, v); }
static void put32(struct fb *f, uint32_t v) { put16(f, v >> 16); put16(f, v & 0xffff); }

static unsigned ip_checksum(const uint8_t *p, unsigned n)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void build(struct fb *f, const struct spec *s)
{
	unsigned l4 = s->proto == PROTO_TCP ? 32 : 8, type = s->family == 4 ? 0x0800 : 0x86dd;
	uint32_t ip_at;

	f->n = 0;
	for (int i = 0; i < 12; i++)
		put8(f, 0x02);
	if (s->vlan) {
		put16(f, 0x8100);
		put16(f, s->vlan);
	}
	put16(f, type);
	ip_at = f->n;
	if (s->family == 4) {
		put8(f, 0x45);
		put8(f, s->tos);
		put16(f, 20 + l4 + s->plen);
		put16(f, s->id);
		put16(f, s->frag ? s->frag : 0x4000);
		put8(f, s->ttl);
		put8(f, s->proto);
		put16(f, 0);
		put32(f, 0xc6120101);
		put32(f, 0xc6120200 | s->src_last);
		f->b[ip_at + 10] = (uint8_t)(ip_checksum(f->b + ip_at, 20) >> 8);
		f->b[ip_at + 11] = (uint8_t)ip_checksum(f->b + ip_at, 20);
	} else {
		unsigned ext = s->frag6_id ? 8 : 0;

		put32(f, 0x60000000 | s->tos << 20 | s->flow);
		put16(f, ext + l4 + s->plen);
		put8(f, s->frag6_id ? 44 : s->proto);
		put8(f, s->ttl);
		put32(f, 0x20010db8);
		put32(f, 0);
		put32(f, 0);
		put32(f, 1);
		put32(f, 0x20010db8);
		put32(f, 0);
		put32(f, 0);
		put32(f, 0x100 | s->src_last);
		if (s->frag6_id) {
			put8(f, s->proto);
			put8(f, 0);
			put16(f, 1);	/* offset 0, M */
			put32(f, s->frag6_id);
		}
	}
	put16(f, s->sport);
	put16(f, s->dport);
	if (s->proto == PROTO_TCP) {
		put32(f, s->seq);
		put32(f, s->ack);
		put8(f, 8 << 4);
		put8(f, s->flags);
		put16(f, 502);
		put16(f, 0x1234 ^ s->seq ^ s->tsval);	/* a checksum stand-in that follows the content */
		put16(f, 0);
		put32(f, 0x0101080a);			/* NOP NOP timestamps */
		put32(f, s->tsval);
		put32(f, 7);
	} else {
		put16(f, 8 + s->plen);
		put16(f, 0x5678 ^ s->pfill);
	}
	for (unsigned i = 0; i < s->plen; i++)
		put8(f, s->pfill + i + (i == 15 ? s->p15 : 0));
}

static const struct spec tcp4 = {
	.family = 4, .ttl = 64, .id = 0x1111, .proto = PROTO_TCP, .src_last = 2, .sport = 41001, .dport = 1494,
	.seq = 1000000, .ack = 2000000, .flags = TCP_ACK | TCP_PSH, .tsval = 5000, .plen = 64, .pfill = 'A',
};
static const struct spec udp6 = {
	.family = 6, .ttl = 64, .flow = 0x12345, .proto = PROTO_UDP, .src_last = 2, .sport = 41002, .dport = 1812,
	.plen = 100, .pfill = 'a',
};

static struct dedup *d;

static void fini(void)
{
	dedup_free(d);
	d = NULL;
}

/* Decode s (cut to snap captured bytes if nonzero) at time ts_us and ask dedup. */
static bool check_snap(const struct spec *s, int64_t ts_us, uint32_t snap)
{
	struct fb f;
	struct packet pkt;
	enum decode_error e;
	uint8_t *heap;
	bool dup;

	build(&f, s);
	memset(&pkt, 0, sizeof(pkt));
	pkt.ts_us = ts_us;
	pkt.wire_len = f.n;
	pkt.cap_len = snap && snap < f.n ? snap : f.n;
	/* An exactly sized copy, so ASan sees any read past the capture. */
	heap = malloc(pkt.cap_len);
	cr_assert_not_null(heap);
	memcpy(heap, f.b, pkt.cap_len);
	/* No decapsulation: the random ports below reach 4789 (VXLAN). */
	e = decode_frame_ex(DLT_EN10MB, heap, pkt.cap_len, &pkt, DECODE_F_NO_DECAP);
	cr_assert_eq(e, DECODE_OK, "decode: %s", decode_error_name(e));
	dup = dedup_check(d, &pkt);
	free(heap);
	return dup;
}

static bool check(const struct spec *s, int64_t ts_us) { return check_snap(s, ts_us, 0); }

TestSuite(dedup, .fini = fini);

Test(dedup, exact_copy_within_the_window_is_a_duplicate)
{
	d = dedup_new(5000);
	cr_assert_not(check(&tcp4, 1000));
	cr_assert(check(&tcp4, 1100));
	cr_assert_eq(dedup_count(d), 1);
	cr_assert_not(check(&udp6, 2000));
	cr_assert(check(&udp6, 2400));
	cr_assert_eq(dedup_count(d), 2);
}

Test(dedup, routed_copy_with_other_ttl_checksum_tos_and_vlan_is_a_duplicate)
{
	struct spec copy = tcp4;

	d = dedup_new(5000);
	copy.ttl = 63;		/* and so another IP checksum */
	copy.vlan = 200;
	copy.tos = 0x03;	/* ECN CE set by a router on the way */
	cr_assert_not(check(&tcp4, 0));
	cr_assert(check(&copy, 300));
	copy = udp6;
	copy.ttl = 1;
	copy.vlan = 100;
	copy.tos = 0xb8;	/* DSCP remarked */
	cr_assert_not(check(&udp6, 0));
	cr_assert(check(&copy, 20));
}

Test(dedup, copy_inside_a_mirror_tunnel_is_a_duplicate)
{
	struct fb in, f;
	struct packet pkt;

	d = dedup_new(5000);
	cr_assert_not(check(&tcp4, 0));
	build(&in, &tcp4);
	/* Ethernet / IPv4 / GRE (transparent Ethernet bridging) / the same frame. */
	memset(&f, 0, sizeof(f));
	f.b[12] = 0x08;
	f.b[14] = 0x45;
	f.b[16] = (uint8_t)((20 + 4 + in.n) >> 8);
	f.b[17] = (uint8_t)(20 + 4 + in.n);
	f.b[22] = 64;
	f.b[23] = 47;
	f.b[36] = 0x65;
	f.b[37] = 0x58;
	memcpy(f.b + 38, in.b, in.n);
	f.n = 38 + in.n;
	memset(&pkt, 0, sizeof(pkt));
	pkt.ts_us = 200;
	pkt.wire_len = pkt.cap_len = f.n;
	cr_assert_eq(decode_frame(DLT_EN10MB, f.b, f.n, &pkt), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_GRE_ETH);
	cr_assert(dedup_check(d, &pkt));
}

Test(dedup, same_packet_after_the_window_is_not_a_duplicate)
{
	d = dedup_new(5000);
	cr_assert_not(check(&tcp4, 10000));
	cr_assert(check(&tcp4, 14999));
	cr_assert_not(check(&tcp4, 15000), "the window runs from the first sighting, copies do not extend it");
	cr_assert(check(&tcp4, 15001), "15000 started a new window");
	cr_assert_eq(dedup_count(d), 2);
}

Test(dedup, copy_with_an_earlier_timestamp_is_a_duplicate)
{
	d = dedup_new(5000);
	cr_assert_not(check(&udp6, 10000));
	cr_assert(check(&udp6, 9800));
}

Test(dedup, retransmission_with_a_new_ip_id_is_not_a_duplicate)
{
	struct spec rtx = tcp4;

	d = dedup_new(5000);
	rtx.id = tcp4.id + 1;
	cr_assert_not(check(&tcp4, 0));
	cr_assert_not(check(&rtx, 200));
	cr_assert_eq(dedup_count(d), 0);
}

Test(dedup, ipv6_retransmission_with_a_new_tcp_timestamp_is_not_a_duplicate)
{
	struct spec tcp6 = tcp4, rtx;

	d = dedup_new(5000);
	tcp6.family = 6;
	rtx = tcp6;
	rtx.tsval++;
	cr_assert_not(check(&tcp6, 0));
	cr_assert(check(&tcp6, 10));
	cr_assert_not(check(&rtx, 300));
	cr_assert(check(&rtx, 310));
}

Test(dedup, ipv6_identical_resend_inside_the_window_is_taken_for_a_copy)
{
	/* The documented residual risk: nothing in the headers tells them apart. */
	d = dedup_new(5000);
	cr_assert_not(check(&udp6, 0));
	cr_assert(check(&udp6, 4000));
}

Test(dedup, any_field_that_survives_the_path_tells_packets_apart)
{
	struct spec v[11];
	int n = 0;

	d = dedup_new(5000);
	for (int i = 0; i < 11; i++)
		v[i] = i < 6 ? tcp4 : udp6;
	v[n++].src_last = 9;
	v[n++].sport = 1;
	v[n++].seq++;
	v[n++].ack++;
	v[n++].flags = TCP_ACK;
	v[n++].frag = 0x2000;		/* MF instead of DF */
	v[n++].flow = 0x54321;
	v[n++].dport = 53;
	v[n++].pfill = 'b';		/* first payload byte (and checksum) */
	v[n++].plen = 99;
	v[n++].p15 = 1;			/* payload byte 15 only, same checksum stand-in */
	cr_assert_not(check(&tcp4, 0));
	cr_assert_not(check(&udp6, 0));
	for (int i = 0; i < n; i++)
		cr_assert_not(check(&v[i], 10), "variant %d", i);
	cr_assert_eq(dedup_count(d), 0);
}

Test(dedup, ipv6_fragments_of_different_datagrams_are_not_duplicates)
{
	struct spec a = udp6, b;

	d = dedup_new(5000);
	a.frag6_id = 0x1001;
	b = a;
	b.frag6_id = 0x1002;
	cr_assert_not(check(&a, 0));
	cr_assert_not(check(&b, 10));
	cr_assert(check(&a, 20));
	cr_assert(check(&b, 30));
}

Test(dedup, copies_cut_by_the_snaplen_inside_the_payload_still_match)
{
	struct spec tcp6 = tcp4, tagged;

	d = dedup_new(5000);
	tcp6.family = 6;
	tagged = tcp6;
	tagged.vlan = 7;
	/* Snaplen 96: 14 + 40 + 32 header bytes leave 10 payload bytes, 6 with the tag. */
	cr_assert_not(check_snap(&tcp6, 0, 96));
	cr_assert(check_snap(&tagged, 50, 96));
}

Test(dedup, window_zero_disables)
{
	d = dedup_new(0);
	cr_assert_not(check(&tcp4, 0));
	cr_assert_not(check(&tcp4, 0));
	cr_assert_not(check(&tcp4, 1));
	cr_assert_eq(dedup_count(d), 0);
	dedup_free(d);
	d = dedup_new(-5);
	cr_assert_not(check(&tcp4, 0));
	cr_assert_not(check(&tcp4, 0));
}

Test(dedup, packet_without_an_ip_header_is_never_a_duplicate)
{
	struct packet pkt;

	d = dedup_new(5000);
	memset(&pkt, 0, sizeof(pkt));
	cr_assert_not(dedup_check(d, &pkt));
	cr_assert_not(dedup_check(d, &pkt));
	cr_assert_eq(dedup_count(d), 0);
}

/* xorshift64*: reproducible pseudo-random fields. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

/* A distinct packet for each i: i is spread over the fields a generator would vary. */
static void distinct(struct spec *s, uint32_t i)
{
	*s = (i & 1) ? tcp4 : udp6;
	s->family = (i & 2) ? 4 : 6;
	s->sport = 1024 + rnd() % 60000;
	s->seq = rnd();
	s->ack = rnd();
	s->tsval = rnd();
	s->id = rnd() & 0xffff;
	s->flow = rnd() & 0xfffff;
	s->plen = 1 + rnd() % 64;
	s->pfill = rnd() & 0xff;
	/* Family, protocol, destination port and source address hold the counter: each one is unique. */
	s->dport = i >> 2 & 0xffff;
	s->src_last = (uint8_t)(i >> 18);
}

Test(dedup, a_million_distinct_packets_are_never_duplicates)
{
	struct spec s;

	d = dedup_new(5000);
	for (uint32_t i = 0; i < 1000000; i++) {
		distinct(&s, i);
		/* 200 ns apart: 25000 packets share each window. */
		cr_assert_not(check(&s, (int64_t)i / 5), "packet %u", i);
	}
	cr_assert_eq(dedup_count(d), 0);
}

Test(dedup, consecutive_segments_of_one_flow_are_never_duplicates)
{
	struct spec s = tcp4;

	d = dedup_new(5000);
	for (uint32_t i = 0; i < 200000; i++) {
		s.seq = tcp4.seq + i * 64;
		s.id = (tcp4.id + i) & 0xffff;	/* wraps three times */
		cr_assert_not(check(&s, i), "segment %u", i);
	}
	cr_assert_eq(dedup_count(d), 0);
}

Test(dedup, table_wraps_around_without_false_duplicates_and_keeps_recent_entries)
{
	/* A bucket keeps its last 4 entries; 256 recent ones all stay but with probability ~1e-7. */
	enum { N = 4 * 65536, RECENT = 256 };
	struct spec s;

	d = dedup_new(1000000);
	rng = 42;
	for (uint32_t i = 0; i < N; i++) {
		distinct(&s, i);
		cr_assert_not(check(&s, 0), "packet %u", i);
	}
	/* The last entries are all still there: their copies are found. */
	rng = 42;
	for (uint32_t i = 0; i < N; i++) {
		distinct(&s, i);
		if (i >= N - RECENT)
			cr_assert(check(&s, 1), "recent packet %u", i);
	}
	cr_assert_eq(dedup_count(d), RECENT);
}
