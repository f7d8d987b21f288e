/* test_decode: unit tests of the packet decoder, frames assembled byte by byte */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <pcap/pcap.h>

#include "decode.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

/* A frame under construction. */
struct fb {
	uint8_t b[4096];
	uint32_t n;
};

static void put8(struct fb *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static void put16(struct fb *f, unsigned v) { put8(f, v >> 8); put8(f, v); }
static void put32(struct fb *f, uint32_t v) { put16(f, v >> 16); put16(f, v & 0xffff); }
static void put_fill(struct fb *f, uint32_t n, unsigned v) { while (n--) put8(f, v); }
static void set16(struct fb *f, uint32_t at, unsigned v) { f->b[at] = (uint8_t)(v >> 8); f->b[at + 1] = (uint8_t)v; }

static const uint8_t v4_a[4] = { 10, 0, 0, 1 }, v4_b[4] = { 10, 0, 0, 2 };
static const uint8_t v6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void put_eth(struct fb *f, unsigned type)
{
	put_fill(f, 6, 0x02);
	put_fill(f, 6, 0x04);
	put16(f, type);
}

/* One tag: TCI with priority 5 (must be masked off), then the next EtherType. */
static void put_vlan(struct fb *f, unsigned vid, unsigned next) { put16(f, 0xa000 | vid); put16(f, next); }

/* IPv4 header with opt_len option bytes; returns its offset so tests can patch it. */
static uint32_t put_ipv4_opt(struct fb *f, unsigned proto, unsigned payload, unsigned opt_len)
{
	uint32_t at = f->n;

	put8(f, 0x40 | (5 + opt_len / 4));
	put8(f, 0);
	put16(f, 20 + opt_len + payload);
	put16(f, 0x1234);	/* identification */
	put16(f, 0x4000);	/* DF */
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	for (int i = 0; i < 4; i++) put8(f, v4_a[i]);
	for (int i = 0; i < 4; i++) put8(f, v4_b[i]);
	put_fill(f, opt_len, 0x01);	/* NOPs */
	return at;
}

static uint32_t put_ipv4(struct fb *f, unsigned proto, unsigned payload) { return put_ipv4_opt(f, proto, payload, 0); }

static uint32_t put_ipv6(struct fb *f, unsigned next, unsigned payload)
{
	uint32_t at = f->n;

	put32(f, 0x60000000);
	put16(f, payload);
	put8(f, next);
	put8(f, 63);
	for (int i = 0; i < 16; i++) put8(f, v6_a[i]);
	for (int i = 0; i < 16; i++) put8(f, v6_b[i]);
	return at;
}

/* An 8-byte options-style extension header (hop-by-hop, routing, destination options). */
static void put_ext8(struct fb *f, unsigned next) { put8(f, next); put8(f, 0); put_fill(f, 6, 0); }

static void put_frag6(struct fb *f, unsigned next, unsigned offset, int more, uint32_t id)
{
	put8(f, next);
	put8(f, 0);
	put16(f, offset | (more ? 1 : 0));
	put32(f, id);
}

static void put_tcp_opt(struct fb *f, unsigned sport, unsigned dport, unsigned flags, unsigned opt_len)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 1000);
	put32(f, 2000);
	put8(f, ((20 + opt_len) / 4) << 4);
	put8(f, flags);
	put16(f, 512);
	put32(f, 0);
	put_fill(f, opt_len, 0x01);
}

static void put_tcp(struct fb *f, unsigned sport, unsigned dport, unsigned flags) { put_tcp_opt(f, sport, dport, flags, 0); }

static void put_udp(struct fb *f, unsigned sport, unsigned dport, unsigned payload)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + payload);
	put16(f, 0);
}

static void put_icmp(struct fb *f, unsigned type, unsigned code) { put8(f, type); put8(f, code); put16(f, 0); put32(f, 0); }

/* Decode len bytes of f from an exactly sized heap copy, so ASan sees any overread. */
static uint8_t *heap;
static struct packet pkt;

static enum decode_error dec_len(int dlt, const struct fb *f, uint32_t len, uint32_t wire)
{
	free(heap);
	heap = malloc(len ? len : 1);
	cr_assert_not_null(heap);
	memcpy(heap, f->b, len);
	memset(&pkt, 0, sizeof(pkt));
	pkt.wire_len = wire;
	pkt.cap_len = len;
	return decode_frame(dlt, len ? heap : NULL, len, &pkt);
}

static enum decode_error dec(int dlt, const struct fb *f) { return dec_len(dlt, f, f->n, f->n); }

static void fini(void) { free(heap); heap = NULL; }

#define assert_err(got, want) \
	cr_assert_eq((got), (want), "got %s, want %s", decode_error_name(got), decode_error_name(want))

static void assert_v4_tuple(const struct tuple *t, unsigned proto, unsigned sport, unsigned dport)
{
	static const uint8_t zero[12];

	cr_assert_eq(t->family, 4);
	cr_assert_eq(t->proto, proto);
	cr_assert_eq(t->sport, sport);
	cr_assert_eq(t->dport, dport);
	cr_assert_arr_eq(t->src, v4_a, 4);
	cr_assert_arr_eq(t->dst, v4_b, 4);
	cr_assert_arr_eq(t->src + 4, zero, 12);
	cr_assert_arr_eq(t->dst + 4, zero, 12);
}

static void assert_v6_tuple(const struct tuple *t, unsigned proto, unsigned sport, unsigned dport)
{
	cr_assert_eq(t->family, 6);
	cr_assert_eq(t->proto, proto);
	cr_assert_eq(t->sport, sport);
	cr_assert_eq(t->dport, dport);
	cr_assert_arr_eq(t->src, v6_a, 16);
	cr_assert_arr_eq(t->dst, v6_b, 16);
}

/* ---- link layers ---- */

TestSuite(decode_link, .fini = fini);

Test(decode_link, ethernet_ipv4_tcp_fills_every_field)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0800);
	put_ipv4(&f, PROTO_TCP, 20 + 5);
	put_tcp(&f, 40000, 443, TCP_SYN | TCP_ACK);
	put_fill(&f, 5, 'x');
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, 443);
	cr_assert_eq(pkt.ip_len, 45);
	cr_assert_eq(pkt.ip_hdr_len, 20);
	cr_assert_eq(pkt.ttl, 64);
	cr_assert_eq(pkt.ip_id, 0x1234);
	cr_assert_not(pkt.fragment);
	cr_assert_eq(pkt.frag_id, 0);
	cr_assert(pkt.has_l4);
	cr_assert_eq(pkt.tcp_flags, TCP_SYN | TCP_ACK);
	cr_assert_eq(pkt.seq, 1000);
	cr_assert_eq(pkt.ack, 2000);
	cr_assert_eq(pkt.win, 512);
	cr_assert_eq(pkt.l4_payload_len, 5);
	cr_assert_eq(pkt.payload_cap, 5);
	cr_assert_eq(pkt.payload, heap + 54);
	cr_assert_eq(pkt.vlan_count, 0);
	cr_assert_not(pkt.has_quoted);
	cr_assert_eq(pkt.note, DECODE_OK);
}

/* The I/G bit of the destination MAC marks a broadcast or multicast frame (a subnet's broadcast has no other mark). */
Test(decode_link, ethernet_group_destination_is_noted)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0800);
	put_ipv4(&f, PROTO_UDP, 8 + 4);
	put_udp(&f, 48001, 137, 4);
	put_fill(&f, 4, 'x');
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_not(pkt.l2_group, "02:02:...: a unicast destination");
	memset(f.b, 0xff, 6);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert(pkt.l2_group, "ff:ff:ff:ff:ff:ff");
	memcpy(f.b, "\x01\x00\x5e\x00\x00\xfb", 6);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert(pkt.l2_group, "01:00:5e:00:00:fb, an IPv4 multicast group");
}

Test(decode_link, ethernet_arp_and_lldp_are_not_ip)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0806);
	put_fill(&f, 28, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_NOT_IP);
	set16(&f, 12, 0x88cc);
	assert_err(dec(DLT_EN10MB, &f), DECODE_NOT_IP);
	set16(&f, 12, 0x0040);	/* 802.3 length field, LLC follows */
	assert_err(dec(DLT_EN10MB, &f), DECODE_NOT_IP);
}

Test(decode_link, ethernet_header_shorter_than_14_is_link_truncated)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0800);
	assert_err(dec_len(DLT_EN10MB, &f, 13, 13), DECODE_LINK_TRUNCATED);
	assert_err(dec_len(DLT_EN10MB, &f, 0, 0), DECODE_LINK_TRUNCATED);
}

Test(decode_link, linux_sll_reads_protocol_at_offset_14)
{
	struct fb f = { .n = 0 };

	put16(&f, 0);		/* packet type: to us */
	put16(&f, 1);		/* ARPHRD_ETHER */
	put16(&f, 6);
	put_fill(&f, 8, 0x02);
	put16(&f, 0x0800);
	put_ipv4(&f, PROTO_UDP, 8 + 3);
	put_udp(&f, 5353, 53, 3);
	put_fill(&f, 3, 0);
	assert_err(dec(DLT_LINUX_SLL, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_UDP, 5353, 53);
	cr_assert_eq(pkt.l4_payload_len, 3);
	set16(&f, 14, 0x0806);
	assert_err(dec(DLT_LINUX_SLL, &f), DECODE_NOT_IP);
	set16(&f, 14, 0x0004);	/* 802.2 LLC */
	assert_err(dec(DLT_LINUX_SLL, &f), DECODE_NOT_IP);
	assert_err(dec_len(DLT_LINUX_SLL, &f, 15, 15), DECODE_LINK_TRUNCATED);
}

Test(decode_link, linux_sll2_reads_protocol_at_offset_0)
{
	struct fb f = { .n = 0 };

	put16(&f, 0x86dd);
	put16(&f, 0);
	put32(&f, 3);		/* ifindex */
	put16(&f, 1);
	put8(&f, 4);		/* outgoing */
	put8(&f, 6);
	put_fill(&f, 8, 0x02);
	put_ipv6(&f, PROTO_TCP, 20);
	put_tcp(&f, 1234, 22, TCP_ACK);
	assert_err(dec(DLT_LINUX_SLL2, &f), DECODE_OK);
	assert_v6_tuple(&pkt.t, PROTO_TCP, 1234, 22);
	set16(&f, 0, 0x88cc);
	assert_err(dec(DLT_LINUX_SLL2, &f), DECODE_NOT_IP);
	assert_err(dec_len(DLT_LINUX_SLL2, &f, 19, 19), DECODE_LINK_TRUNCATED);
}

Test(decode_link, cooked_capture_may_carry_a_vlan_tag)
{
	struct fb f = { .n = 0 };

	put16(&f, 0x8100);
	put_fill(&f, 18, 0);
	put_vlan(&f, 7, 0x0800);
	put_ipv4(&f, PROTO_UDP, 8);
	put_udp(&f, 1, 2, 0);
	assert_err(dec(DLT_LINUX_SLL2, &f), DECODE_OK);
	cr_assert_eq(pkt.vlan_count, 1);
	cr_assert_eq(pkt.vlan, 7);
}

Test(decode_link, raw_ip_link_types_follow_the_version_nibble)
{
	static const int dlts[] = { DLT_RAW, 101, DLT_IPV4, DLT_IPV6 };
	struct fb f4 = { .n = 0 }, f6 = { .n = 0 };

	put_ipv4(&f4, PROTO_UDP, 8);
	put_udp(&f4, 1, 2, 0);
	put_ipv6(&f6, PROTO_UDP, 8);
	put_udp(&f6, 1, 2, 0);
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
		assert_err(dec(dlts[i], &f4), DECODE_OK);
		cr_assert_eq(pkt.t.family, 4);
		assert_err(dec(dlts[i], &f6), DECODE_OK);
		cr_assert_eq(pkt.t.family, 6);
	}
}

Test(decode_link, raw_ip_with_bad_version_or_nothing_captured)
{
	struct fb f = { .n = 0 };

	put_fill(&f, 40, 0x55);
	assert_err(dec(DLT_RAW, &f), DECODE_IPV4_BAD_VERSION);
	assert_err(dec(DLT_IPV4, &f), DECODE_IPV4_BAD_VERSION);
	assert_err(dec(DLT_IPV6, &f), DECODE_IPV6_BAD_VERSION);
	assert_err(dec_len(DLT_RAW, &f, 0, 0), DECODE_LINK_TRUNCATED);
	assert_err(dec_len(DLT_IPV4, &f, 0, 0), DECODE_IPV4_TRUNCATED);
	assert_err(dec_len(DLT_IPV6, &f, 0, 0), DECODE_IPV6_TRUNCATED);
}

/* A DLT_NULL/DLT_LOOP frame with family af written in the given byte order. */
static void put_null(struct fb *f, uint32_t af, int big_endian)
{
	if (big_endian) {
		put32(f, af);
	} else {
		put8(f, af & 0xff); put8(f, af >> 8 & 0xff); put8(f, af >> 16 & 0xff); put8(f, af >> 24);
	}
}

Test(decode_link, null_accepts_either_byte_order_and_every_bsd_inet6)
{
	static const uint32_t inet6[] = { 24, 28, 30 };

	for (int be = 0; be <= 1; be++) {
		struct fb f = { .n = 0 };

		put_null(&f, 2, be);
		put_ipv4(&f, PROTO_TCP, 20);
		put_tcp(&f, 1, 2, TCP_SYN);
		assert_err(dec(DLT_NULL, &f), DECODE_OK);
		cr_assert_eq(pkt.t.family, 4);
		for (size_t i = 0; i < 3; i++) {
			struct fb g = { .n = 0 };

			put_null(&g, inet6[i], be);
			put_ipv6(&g, PROTO_TCP, 20);
			put_tcp(&g, 1, 2, TCP_SYN);
			assert_err(dec(DLT_NULL, &g), DECODE_OK);
			cr_assert_eq(pkt.t.family, 6);
		}
	}
}

Test(decode_link, null_other_family_is_not_ip_and_short_header_truncated)
{
	struct fb f = { .n = 0 };

	put_null(&f, 7, 0);
	put_ipv4(&f, PROTO_TCP, 20);
	assert_err(dec(DLT_NULL, &f), DECODE_NOT_IP);
	assert_err(dec_len(DLT_NULL, &f, 3, 3), DECODE_LINK_TRUNCATED);
	assert_err(dec_len(DLT_LOOP, &f, 3, 3), DECODE_LINK_TRUNCATED);
}

Test(decode_link, loop_is_network_order_only)
{
	struct fb f = { .n = 0 };

	put_null(&f, 2, 1);
	put_ipv4(&f, PROTO_UDP, 8);
	put_udp(&f, 1, 2, 0);
	assert_err(dec(DLT_LOOP, &f), DECODE_OK);
	f.n = 0;
	put_null(&f, 2, 0);
	assert_err(dec_len(DLT_LOOP, &f, 32, 32), DECODE_NOT_IP);
}

Test(decode_link, supported_list_and_names)
{
	static const int yes[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, 101, DLT_IPV4, DLT_IPV6,
				   DLT_NULL, DLT_LOOP, DLT_FDDI, DLT_IEEE802_11, DLT_IEEE802_11_RADIO, DLT_PPI,
				   DLT_NFLOG };
	struct fb f = { .n = 0 };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		cr_assert_eq(decode_link_supported(yes[i]), 1, "dlt %d", yes[i]);
	cr_assert_eq(decode_link_supported(147), 0);	/* DLT_USER0 */
	for (int dlt = 0; dlt < 300; dlt++)
		if (decode_link_supported(dlt))
			cr_assert_neq(strncmp(decode_link_name(dlt), "DLT ", 4), 0, "dlt %d has no name", dlt);
	cr_assert_str_eq(decode_link_name(DLT_EN10MB), "Ethernet");
	cr_assert_str_eq(decode_link_name(DLT_LINUX_SLL2), "Linux cooked v2");
	cr_assert_str_eq(decode_link_name(101), "Raw IP");
	cr_assert_str_eq(decode_link_name(64999), "DLT 64999");
	cr_assert_str_eq(decode_link_name(-3), "DLT -3");
	put_fill(&f, 64, 0x45);
	assert_err(dec(147, &f), DECODE_NOT_IP);
}

/* ---- VLAN ---- */

TestSuite(decode_vlan, .fini = fini);

/* Ethernet with the given TPIDs (outermost first), VIDs 100, 200, ..., then IPv4/UDP. */
static void build_vlans(struct fb *f, const unsigned *tpid, int n)
{
	put_eth(f, n ? tpid[0] : 0x0800);
	for (int i = 0; i < n; i++)
		put_vlan(f, 100 * (unsigned)(i + 1), i + 1 < n ? tpid[i + 1] : 0x0800);
	put_ipv4(f, PROTO_UDP, 8);
	put_udp(f, 53, 53, 0);
}

Test(decode_vlan, single_8021q_tag_sets_outer_id)
{
	static const unsigned t[] = { 0x8100 };
	struct fb f = { .n = 0 };

	build_vlans(&f, t, 1);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_eq(pkt.vlan_count, 1);
	cr_assert_eq(pkt.vlan, 100);
	cr_assert_eq(pkt.inner_vlan, 0);
}

Test(decode_vlan, double_tag_8021ad_sets_outer_and_inner)
{
	static const unsigned t[] = { 0x88a8, 0x8100 };
	struct fb f = { .n = 0 };

	build_vlans(&f, t, 2);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_eq(pkt.vlan_count, 2);
	cr_assert_eq(pkt.vlan, 100);
	cr_assert_eq(pkt.inner_vlan, 200);
	assert_v4_tuple(&pkt.t, PROTO_UDP, 53, 53);
}

Test(decode_vlan, triple_tag_with_9100_is_accepted)
{
	static const unsigned t[] = { 0x9100, 0x88a8, 0x8100 };
	struct fb f = { .n = 0 };

	build_vlans(&f, t, 3);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_eq(pkt.vlan_count, 3);
	cr_assert_eq(pkt.vlan, 100);
	cr_assert_eq(pkt.inner_vlan, 200);
	cr_assert(pkt.has_l4);
}

Test(decode_vlan, fourth_tag_is_too_deep)
{
	static const unsigned t[] = { 0x8100, 0x8100, 0x8100, 0x8100 };
	struct fb f = { .n = 0 };

	build_vlans(&f, t, 4);
	assert_err(dec(DLT_EN10MB, &f), DECODE_VLAN_TOO_DEEP);
	cr_assert_eq(pkt.vlan_count, 3);
}

Test(decode_vlan, cut_tag_is_vlan_truncated_and_tagged_arp_not_ip)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x8100);
	put_vlan(&f, 5, 0x0806);
	put_fill(&f, 28, 0);
	assert_err(dec_len(DLT_EN10MB, &f, 17, 17), DECODE_VLAN_TRUNCATED);
	assert_err(dec(DLT_EN10MB, &f), DECODE_NOT_IP);
	cr_assert_eq(pkt.vlan, 5);
}

/* ---- IPv4 ---- */

TestSuite(decode_ipv4, .fini = fini);

Test(decode_ipv4, options_are_skipped)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0800);
	put_ipv4_opt(&f, PROTO_TCP, 20, 8);
	put_tcp(&f, 80, 8080, TCP_ACK);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_eq(pkt.ip_hdr_len, 28);
	cr_assert_eq(pkt.ip_len, 48);
	assert_v4_tuple(&pkt.t, PROTO_TCP, 80, 8080);
	cr_assert_eq(pkt.l4_payload_len, 0);
}

Test(decode_ipv4, rejects_header_length_below_20)
{
	struct fb f = { .n = 0 };
	uint32_t ip;

	put_eth(&f, 0x0800);
	ip = put_ipv4(&f, PROTO_TCP, 20);
	put_tcp(&f, 1, 2, 0);
	f.b[ip] = 0x44;
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV4_BAD_IHL);
	cr_assert_not(pkt.has_l4);
}

Test(decode_ipv4, rejects_other_version_after_ipv4_ethertype)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0800);
	put_ipv6(&f, PROTO_TCP, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV4_BAD_VERSION);
}

Test(decode_ipv4, rejects_total_length_below_header_length)
{
	struct fb f = { .n = 0 };
	uint32_t ip;

	put_eth(&f, 0x0800);
	ip = put_ipv4_opt(&f, PROTO_UDP, 8, 4);
	put_udp(&f, 1, 2, 0);
	set16(&f, ip + 2, 20);	/* header is 24 */
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV4_BAD_LENGTH);
}

Test(decode_ipv4, header_length_past_capture_is_truncated)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0800);
	put_ipv4_opt(&f, PROTO_UDP, 8, 20);
	put_udp(&f, 1, 2, 0);
	assert_err(dec_len(DLT_EN10MB, &f, 14 + 30, f.n), DECODE_IPV4_TRUNCATED);
}

Test(decode_ipv4, snaplen_cut_packet_keeps_wire_lengths)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0800);
	put_ipv4(&f, PROTO_TCP, 20 + 1000);
	put_tcp(&f, 5000, 80, TCP_PSH | TCP_ACK);
	put_fill(&f, 1000, 'd');
	assert_err(dec_len(DLT_EN10MB, &f, 54 + 96, f.n), DECODE_OK);
	cr_assert_eq(pkt.ip_len, 1040);
	cr_assert_eq(pkt.l4_payload_len, 1000);
	cr_assert_eq(pkt.payload_cap, 96);
	cr_assert(pkt.has_l4);
}

Test(decode_ipv4, ethernet_padding_is_not_payload)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0800);
	put_ipv4(&f, PROTO_TCP, 20);
	put_tcp(&f, 1, 2, TCP_ACK);
	put_fill(&f, 6, 0);	/* pad to the 60-byte minimum */
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_eq(pkt.ip_len, 40);
	cr_assert_eq(pkt.l4_payload_len, 0);
	cr_assert_eq(pkt.payload_cap, 0);
	cr_assert_null(pkt.payload);

	f.n = 0;
	put_eth(&f, 0x0800);
	put_ipv4(&f, PROTO_UDP, 8 + 2);
	put_udp(&f, 1, 2, 2);
	put16(&f, 0xabcd);
	put_fill(&f, 16, 0xee);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_eq(pkt.l4_payload_len, 2);
	cr_assert_eq(pkt.payload_cap, 2);
}

Test(decode_ipv4, zero_total_length_uses_wire_length)
{
	struct fb f = { .n = 0 };
	uint32_t ip;

	put_eth(&f, 0x0800);
	ip = put_ipv4(&f, PROTO_TCP, 20 + 100);
	put_tcp(&f, 1, 2, TCP_ACK);
	put_fill(&f, 100, 0);
	set16(&f, ip + 2, 0);
	assert_err(dec_len(DLT_EN10MB, &f, f.n, 14 + 20 + 20 + 30000), DECODE_OK);
	cr_assert_eq(pkt.ip_len, 30040);
	cr_assert_eq(pkt.l4_payload_len, 30000);
	cr_assert_eq(pkt.payload_cap, 100);
}

Test(decode_ipv4, first_fragment_decodes_transport)
{
	struct fb f = { .n = 0 };
	uint32_t ip;

	put_eth(&f, 0x0800);
	ip = put_ipv4(&f, PROTO_UDP, 8 + 1472);
	put_udp(&f, 4000, 4001, 3000);
	put_fill(&f, 1472, 0);
	set16(&f, ip + 6, 0x2000);	/* MF, offset 0 */
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert(pkt.fragment);
	cr_assert_not(pkt.later_fragment);
	cr_assert(pkt.more_fragments);
	cr_assert_eq(pkt.frag_id, 0x1234);
	cr_assert_eq(pkt.frag_offset, 0);
	cr_assert(pkt.has_l4);
	cr_assert_eq(pkt.l4_payload_len, 3000);	/* the UDP length spans all fragments */
	cr_assert_eq(pkt.payload_cap, 1472);
}

Test(decode_ipv4, later_fragment_has_no_transport)
{
	struct fb f = { .n = 0 };
	uint32_t ip;

	put_eth(&f, 0x0800);
	ip = put_ipv4(&f, PROTO_UDP, 1528);
	put_fill(&f, 1528, 0x11);
	set16(&f, ip + 6, 185);	/* offset 1480 bytes, last fragment */
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert(pkt.fragment);
	cr_assert(pkt.later_fragment);
	cr_assert_not(pkt.more_fragments);
	cr_assert_eq(pkt.frag_offset, 1480);
	cr_assert_eq(pkt.frag_id, 0x1234);
	cr_assert_not(pkt.has_l4);
	assert_v4_tuple(&pkt.t, PROTO_UDP, 0, 0);
	cr_assert_eq(pkt.ip_len, 1548);
}

Test(decode_ipv4, other_protocol_fills_addresses_without_ports)
{
	struct fb f = { .n = 0 };
	uint32_t ip;

	put_eth(&f, 0x0800);
	ip = put_ipv4(&f, 47, 4);
	put32(&f, 0x00000800);	/* GRE */
	assert_err(dec(DLT_EN10MB, &f), DECODE_OTHER_PROTO);
	assert_v4_tuple(&pkt.t, 47, 0, 0);
	cr_assert_eq(pkt.ip_len, 24);
	set16(&f, ip + 6, 0x0010);	/* a later fragment of it still counts as other */
	assert_err(dec(DLT_EN10MB, &f), DECODE_OTHER_PROTO);
	cr_assert(pkt.later_fragment);
}

/* ---- IPv6 ---- */

TestSuite(decode_ipv6, .fini = fini);

Test(decode_ipv6, fixed_header_fields)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x86dd);
	put_ipv6(&f, PROTO_TCP, 20 + 7);
	put_tcp(&f, 50000, 443, TCP_ACK);
	put_fill(&f, 7, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	assert_v6_tuple(&pkt.t, PROTO_TCP, 50000, 443);
	cr_assert_eq(pkt.ip_len, 67);
	cr_assert_eq(pkt.ip_hdr_len, 40);
	cr_assert_eq(pkt.ttl, 63);
	cr_assert_eq(pkt.l4_payload_len, 7);
	cr_assert_not(pkt.fragment);
}

Test(decode_ipv6, bad_version_and_short_header)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x86dd);
	put_ipv4(&f, PROTO_TCP, 40);
	put_fill(&f, 40, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV6_BAD_VERSION);
	f.n = 0;
	put_eth(&f, 0x86dd);
	put_ipv6(&f, PROTO_TCP, 0);
	assert_err(dec_len(DLT_EN10MB, &f, 53, 53), DECODE_IPV6_TRUNCATED);
}

Test(decode_ipv6, each_extension_header_is_skipped)
{
	/* hop-by-hop, routing, destination options: 8 bytes each; AH: (2+2)*4 = 16. */
	static const unsigned types[] = { 0, 43, 60, 51 };

	for (size_t i = 0; i < 4; i++) {
		struct fb f = { .n = 0 };
		unsigned ext = types[i] == 51 ? 16 : 8;

		put_eth(&f, 0x86dd);
		put_ipv6(&f, types[i], ext + 8 + 4);
		put8(&f, PROTO_UDP);
		put8(&f, types[i] == 51 ? 2 : 0);
		put_fill(&f, ext - 2, 0);
		put_udp(&f, 546, 547, 4);
		put32(&f, 0);
		assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
		assert_v6_tuple(&pkt.t, PROTO_UDP, 546, 547);
		cr_assert_eq(pkt.ip_hdr_len, 40 + ext);
		cr_assert_eq(pkt.l4_payload_len, 4);
	}
}

/* IPv6 with n destination-options headers chained before UDP. */
static void build_ext_chain(struct fb *f, int n)
{
	put_eth(f, 0x86dd);
	put_ipv6(f, n ? 60 : PROTO_UDP, (unsigned)(8 * n + 8));
	for (int i = 0; i < n; i++)
		put_ext8(f, i + 1 < n ? 60 : PROTO_UDP);
	put_udp(f, 1, 2, 0);
}

Test(decode_ipv6, eight_extension_headers_pass_and_nine_are_too_many)
{
	struct fb f = { .n = 0 };

	build_ext_chain(&f, 8);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_eq(pkt.ip_hdr_len, 40 + 64);
	f.n = 0;
	build_ext_chain(&f, 9);
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV6_EXT_TOO_MANY);
	cr_assert_not(pkt.has_l4);
}

Test(decode_ipv6, extension_header_past_capture_or_payload_is_truncated)
{
	struct fb f = { .n = 0 };

	build_ext_chain(&f, 2);
	assert_err(dec_len(DLT_EN10MB, &f, 14 + 40 + 8 + 5, f.n), DECODE_IPV6_EXT_TRUNCATED);
	f.b[14 + 40 + 1] = 200;	/* first header claims 1608 bytes */
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV6_EXT_TRUNCATED);
	f.b[14 + 40 + 1] = 0;
	set16(&f, 14 + 4, 12);	/* payload length ends inside the second header */
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV6_EXT_TRUNCATED);
}

Test(decode_ipv6, first_fragment_keeps_32_bit_id_and_decodes_transport)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x86dd);
	put_ipv6(&f, 44, 8 + 20 + 1000);
	put_frag6(&f, PROTO_TCP, 0, 1, 0xdeadbeef);
	put_tcp(&f, 1, 2, TCP_ACK);
	put_fill(&f, 1000, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert(pkt.fragment);
	cr_assert_not(pkt.later_fragment);
	cr_assert(pkt.more_fragments);
	cr_assert_eq(pkt.frag_id, 0xdeadbeef);
	cr_assert_eq(pkt.ip_id, 0xbeef);
	cr_assert_eq(pkt.ip_hdr_len, 48);
	cr_assert(pkt.has_l4);
	cr_assert_eq(pkt.l4_payload_len, 1000);
}

Test(decode_ipv6, later_fragment_has_no_transport)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x86dd);
	put_ipv6(&f, 0, 8 + 8 + 100);
	put_ext8(&f, 44);
	put_frag6(&f, PROTO_UDP, 1232, 0, 77);
	put_fill(&f, 100, 60);	/* data that would look like headers */
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert(pkt.later_fragment);
	cr_assert_not(pkt.more_fragments);
	cr_assert_eq(pkt.frag_offset, 1232);
	cr_assert_eq(pkt.frag_id, 77);
	cr_assert_eq(pkt.t.proto, PROTO_UDP);
	cr_assert_eq(pkt.ip_hdr_len, 56);
	cr_assert_not(pkt.has_l4);
}

Test(decode_ipv6, atomic_fragment_is_not_a_fragment)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x86dd);
	put_ipv6(&f, 44, 8 + 8);
	put_frag6(&f, PROTO_UDP, 0, 0, 9);
	put_udp(&f, 1, 2, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_not(pkt.fragment);
	cr_assert(pkt.has_l4);
}

Test(decode_ipv6, no_next_header_and_esp_are_other_protocols)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x86dd);
	put_ipv6(&f, 0, 8);
	put_ext8(&f, 59);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OTHER_PROTO);
	assert_v6_tuple(&pkt.t, 59, 0, 0);
	cr_assert_eq(pkt.ip_hdr_len, 48);
	f.b[14 + 40] = 50;
	assert_err(dec(DLT_EN10MB, &f), DECODE_OTHER_PROTO);
	cr_assert_eq(pkt.t.proto, 50);
}

Test(decode_ipv6, zero_payload_length_uses_wire_length)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x86dd);
	put_ipv6(&f, PROTO_UDP, 0);
	put16(&f, 1); put16(&f, 2); put16(&f, 0); put16(&f, 0);	/* jumbo UDP: length 0 */
	put_fill(&f, 50, 0);
	assert_err(dec_len(DLT_EN10MB, &f, f.n, 14 + 40 + 70000), DECODE_OK);
	cr_assert_eq(pkt.ip_len, 70040);
	cr_assert_eq(pkt.l4_payload_len, 70000 - 8);
	cr_assert_eq(pkt.payload_cap, 50);
}

/* ---- TCP ---- */

TestSuite(decode_tcp, .fini = fini);

/* Ethernet/IPv4/TCP with opt_len option bytes and pay payload bytes. */
static void build_tcp(struct fb *f, unsigned opt_len, unsigned pay)
{
	put_eth(f, 0x0800);
	put_ipv4(f, PROTO_TCP, 20 + opt_len + pay);
	put_tcp_opt(f, 443, 51000, TCP_FIN | TCP_ACK | TCP_ECE | TCP_CWR, opt_len);
	put_fill(f, pay, 'p');
}

Test(decode_tcp, options_count_in_the_header)
{
	struct fb f = { .n = 0 };

	build_tcp(&f, 12, 10);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_eq(pkt.tcp_flags, TCP_FIN | TCP_ACK | TCP_ECE | TCP_CWR);
	cr_assert_eq(pkt.l4_payload_len, 10);
	cr_assert_eq(pkt.payload, heap + 14 + 20 + 32);
	cr_assert_eq(pkt.payload_cap, 10);
}

Test(decode_tcp, rejects_data_offset_below_5)
{
	struct fb f = { .n = 0 };

	build_tcp(&f, 0, 10);
	f.b[14 + 20 + 12] = 0x40;
	assert_err(dec(DLT_EN10MB, &f), DECODE_TCP_BAD_OFFSET);
	cr_assert_not(pkt.has_l4);
}

Test(decode_tcp, rejects_header_longer_than_datagram)
{
	struct fb f = { .n = 0 };

	build_tcp(&f, 0, 10);
	f.b[14 + 20 + 12] = 0xf0;	/* 60 bytes, datagram carries 30 */
	put_fill(&f, 40, 0);		/* even if the capture has the bytes */
	assert_err(dec(DLT_EN10MB, &f), DECODE_TCP_BAD_OFFSET);
}

Test(decode_tcp, header_cut_by_capture_is_truncated)
{
	struct fb f = { .n = 0 };

	build_tcp(&f, 20, 0);
	assert_err(dec_len(DLT_EN10MB, &f, f.n - 1, f.n), DECODE_TCP_TRUNCATED);
	cr_assert_not(pkt.has_l4);
	assert_err(dec_len(DLT_EN10MB, &f, 14 + 20 + 19, f.n), DECODE_TCP_TRUNCATED);
}

/* ---- UDP ---- */

TestSuite(decode_udp, .fini = fini);

Test(decode_udp, rejects_length_below_8)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0800);
	put_ipv4(&f, PROTO_UDP, 8 + 4);
	put_udp(&f, 1, 2, 4);
	put32(&f, 0);
	set16(&f, 14 + 20 + 4, 7);
	assert_err(dec(DLT_EN10MB, &f), DECODE_UDP_BAD_LENGTH);
	cr_assert_not(pkt.has_l4);
	set16(&f, 14 + 20 + 4, 0);	/* 0 is jumbo-only, IPv6 */
	assert_err(dec(DLT_EN10MB, &f), DECODE_UDP_BAD_LENGTH);
}

Test(decode_udp, length_is_clamped_to_the_datagram_unless_fragmented)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0800);
	put_ipv4(&f, PROTO_UDP, 8 + 4);
	put_udp(&f, 1, 2, 400);
	put32(&f, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_eq(pkt.l4_payload_len, 4);
	set16(&f, 14 + 20 + 4, 8 + 2);	/* shorter than the datagram: the UDP length wins */
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_eq(pkt.l4_payload_len, 2);
	cr_assert_eq(pkt.payload_cap, 2);
}

Test(decode_udp, header_shorter_than_8_is_truncated)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x86dd);
	put_ipv6(&f, PROTO_UDP, 8);
	put_udp(&f, 1, 2, 0);
	assert_err(dec_len(DLT_EN10MB, &f, f.n - 1, f.n), DECODE_UDP_TRUNCATED);
	cr_assert_not(pkt.has_l4);
}

/* ---- ICMP and ICMPv6 ---- */

TestSuite(decode_icmp, .fini = fini);

static enum decode_error dec_icmp(int v6, unsigned type, unsigned code, unsigned extra)
{
	struct fb f = { .n = 0 };

	if (v6)
		put_ipv6(&f, PROTO_ICMPV6, 8 + extra);
	else
		put_ipv4(&f, PROTO_ICMP, 8 + extra);
	put_icmp(&f, type, code);
	put_fill(&f, extra, 0);
	return dec(DLT_RAW, &f);
}

Test(decode_icmp, request_reply_pairs_use_the_counterpart_type)
{
	static const unsigned v4[][2] = { { 8, 0 }, { 0, 8 }, { 13, 14 }, { 14, 13 }, { 15, 16 },
					  { 16, 15 }, { 17, 18 }, { 18, 17 }, { 10, 9 }, { 9, 10 } };
	static const unsigned v6[][2] = { { 128, 129 }, { 129, 128 }, { 130, 131 }, { 131, 130 },
					  { 133, 134 }, { 134, 133 }, { 135, 136 }, { 136, 135 },
					  { 139, 140 }, { 140, 139 }, { 144, 145 }, { 145, 144 } };

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		assert_err(dec_icmp(0, v4[i][0], 0, 56), DECODE_OK);
		assert_v4_tuple(&pkt.t, PROTO_ICMP, v4[i][0], v4[i][1]);
	}
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		assert_err(dec_icmp(1, v6[i][0], 0, 56), DECODE_OK);
		assert_v6_tuple(&pkt.t, PROTO_ICMPV6, v6[i][0], v6[i][1]);
	}
}

Test(decode_icmp, one_way_messages_use_the_code)
{
	assert_err(dec_icmp(0, 5, 1, 28), DECODE_OK);	/* redirect quoting zeros: note only */
	assert_v4_tuple(&pkt.t, PROTO_ICMP, 5, 1);
	assert_err(dec_icmp(1, 141, 0, 0), DECODE_OK);	/* inverse ND: not paired by Zeek/Community ID */
	assert_v6_tuple(&pkt.t, PROTO_ICMPV6, 141, 0);
	assert_err(dec_icmp(1, 137, 0, 0), DECODE_OK);	/* ND redirect */
	cr_assert_eq(pkt.t.dport, 0);
}

Test(decode_icmp, echo_fields_and_payload_is_ip_payload_less_8)
{
	assert_err(dec_icmp(0, 8, 0, 56), DECODE_OK);
	cr_assert(pkt.has_l4);
	cr_assert_eq(pkt.icmp_type, 8);
	cr_assert_eq(pkt.icmp_code, 0);
	cr_assert_eq(pkt.l4_payload_len, 56);
	cr_assert_eq(pkt.payload_cap, 56);
	cr_assert_eq(pkt.payload, heap + 28);
	cr_assert_not(pkt.has_quoted);
}

Test(decode_icmp, four_bytes_suffice_and_fewer_are_truncated)
{
	struct fb f = { .n = 0 };

	put_ipv4(&f, PROTO_ICMP, 4);
	put8(&f, 8); put8(&f, 0); put16(&f, 0);
	assert_err(dec(DLT_RAW, &f), DECODE_OK);
	cr_assert(pkt.has_l4);
	cr_assert_eq(pkt.l4_payload_len, 0);
	cr_assert_eq(pkt.t.dport, 0);
	assert_err(dec_len(DLT_RAW, &f, 23, 24), DECODE_ICMP_TRUNCATED);
	cr_assert_not(pkt.has_l4);
}

/* Outer IPv4/ICMP error (type, code) around a quoted IPv4 header and the 8 bytes after it. */
static void build_v4_error(struct fb *f, unsigned type, unsigned code, unsigned qproto)
{
	uint32_t q;

	put_ipv4(f, PROTO_ICMP, 8 + 20 + 8);
	put_icmp(f, type, code);
	q = f->n;
	put_ipv4(f, qproto, 8 + 100);	/* the quoted datagram was longer than its quote */
	/* The quoted packet went b -> a: swap its addresses. */
	for (int i = 0; i < 4; i++) {
		f->b[q + 12 + i] = v4_b[i];
		f->b[q + 16 + i] = v4_a[i];
	}
}

static void assert_quoted_v4(unsigned proto, unsigned sport, unsigned dport)
{
	cr_assert(pkt.has_quoted);
	cr_assert_eq(pkt.note, DECODE_OK);
	cr_assert_eq(pkt.quoted.family, 4);
	cr_assert_eq(pkt.quoted.proto, proto);
	cr_assert_eq(pkt.quoted.sport, sport);
	cr_assert_eq(pkt.quoted.dport, dport);
	cr_assert_arr_eq(pkt.quoted.src, v4_b, 4);
	cr_assert_arr_eq(pkt.quoted.dst, v4_a, 4);
}

Test(decode_icmp, port_unreachable_quotes_udp)
{
	struct fb f = { .n = 0 };

	build_v4_error(&f, 3, 3, PROTO_UDP);
	put_udp(&f, 33434, 53, 100);
	assert_err(dec(DLT_RAW, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_ICMP, 3, 3);
	assert_quoted_v4(PROTO_UDP, 33434, 53);
	cr_assert_eq(pkt.l4_payload_len, 28);
}

Test(decode_icmp, admin_prohibited_quotes_tcp)
{
	struct fb f = { .n = 0 };

	build_v4_error(&f, 3, 13, PROTO_TCP);
	put16(&f, 51515); put16(&f, 25); put32(&f, 0x01020304);	/* ports and seq only */
	assert_err(dec(DLT_RAW, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_ICMP, 3, 13);
	assert_quoted_v4(PROTO_TCP, 51515, 25);
}

Test(decode_icmp, every_v4_error_type_is_opened)
{
	static const unsigned types[] = { 3, 4, 5, 11, 12 };

	for (size_t i = 0; i < 5; i++) {
		struct fb f = { .n = 0 };

		build_v4_error(&f, types[i], 0, PROTO_UDP);
		put_udp(&f, 7, 9, 100);
		assert_err(dec(DLT_RAW, &f), DECODE_OK);
		assert_quoted_v4(PROTO_UDP, 7, 9);
	}
}

Test(decode_icmp, time_exceeded_quoting_echo_uses_type_convention)
{
	struct fb f = { .n = 0 };

	build_v4_error(&f, 11, 0, PROTO_ICMP);
	put_icmp(&f, 8, 0);
	assert_err(dec(DLT_RAW, &f), DECODE_OK);
	assert_quoted_v4(PROTO_ICMP, 8, 0);
}

/*
 * No host answers an ICMP error with another (RFC 1122 section 3.2.2): such
 * a quote names no flow (attached, it would give an ICMP error flow a
 * reason) and is counted; the outer error is still a flow of its own.
 */
Test(decode_icmp, quote_of_an_icmp_error_is_invalid_and_names_no_flow)
{
	struct fb f = { .n = 0 };

	build_v4_error(&f, 3, 1, PROTO_ICMP);
	put_icmp(&f, 3, 3);	/* a quoted port unreachable; its own quote is not there */
	assert_err(dec(DLT_RAW, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_ICMP, 3, 1);
	cr_assert(pkt.has_l4);
	cr_assert_not(pkt.has_quoted);
	cr_assert_eq(pkt.note, DECODE_ICMP_QUOTE_INVALID);
	cr_assert_eq(pkt.quoted.family, 0);
}

Test(decode_icmp, truncated_quote_is_a_note_not_an_error)
{
	struct fb f = { .n = 0 };

	build_v4_error(&f, 3, 3, PROTO_UDP);
	put_udp(&f, 1, 2, 100);
	assert_err(dec_len(DLT_RAW, &f, 20 + 8 + 20 + 3, f.n), DECODE_OK);
	cr_assert(pkt.has_l4);
	cr_assert_not(pkt.has_quoted);
	cr_assert_eq(pkt.note, DECODE_ICMP_QUOTE_TRUNCATED);
	cr_assert_eq(pkt.quoted.family, 0);
	assert_err(dec_len(DLT_RAW, &f, 20 + 6, f.n), DECODE_OK);
	cr_assert_eq(pkt.note, DECODE_ICMP_QUOTE_TRUNCATED);
}

Test(decode_icmp, malformed_quote_is_a_note)
{
	struct fb f = { .n = 0 };

	build_v4_error(&f, 3, 3, PROTO_UDP);
	put_udp(&f, 1, 2, 100);
	f.b[28] = 0x43;		/* quoted IHL 3: not cut, malformed */
	assert_err(dec(DLT_RAW, &f), DECODE_OK);
	cr_assert_not(pkt.has_quoted);
	cr_assert_eq(pkt.note, DECODE_ICMP_QUOTE_INVALID);
}

Test(decode_icmp, quoted_later_fragment_names_no_flow)
{
	struct fb f = { .n = 0 };

	build_v4_error(&f, 11, 1, PROTO_UDP);
	set16(&f, 28 + 6, 0x00b9);
	put_fill(&f, 8, 0);
	assert_err(dec(DLT_RAW, &f), DECODE_OK);
	cr_assert_not(pkt.has_quoted);
	cr_assert_eq(pkt.note, DECODE_OK);
}

Test(decode_icmp, icmpv6_unreachable_quotes_tcp_past_extension_headers)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x86dd);
	put_ipv6(&f, PROTO_ICMPV6, 8 + 40 + 8 + 8);
	put_icmp(&f, 1, 4);
	put_ipv6(&f, 60, 8 + 20 + 500);
	put_ext8(&f, PROTO_TCP);
	put16(&f, 40001); put16(&f, 443); put32(&f, 7);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	assert_v6_tuple(&pkt.t, PROTO_ICMPV6, 1, 4);
	cr_assert(pkt.has_quoted);
	assert_v6_tuple(&pkt.quoted, PROTO_TCP, 40001, 443);
}

Test(decode_icmp, icmpv6_packet_too_big_quotes_udp_and_echo_is_not_opened)
{
	struct fb f = { .n = 0 };

	put_ipv6(&f, PROTO_ICMPV6, 8 + 40 + 8);
	put_icmp(&f, 2, 0);
	put_ipv6(&f, PROTO_UDP, 1500);
	put_udp(&f, 4500, 4500, 1492);
	assert_err(dec(DLT_IPV6, &f), DECODE_OK);
	assert_v6_tuple(&pkt.quoted, PROTO_UDP, 4500, 4500);
	cr_assert_eq(pkt.t.dport, 0);
	f.b[40] = 128;		/* same bytes as an echo request: no quote */
	assert_err(dec(DLT_IPV6, &f), DECODE_OK);
	cr_assert_not(pkt.has_quoted);
	cr_assert_eq(pkt.note, DECODE_OK);
}

/* ---- hostile packets: each counted by its kind, never a crash, never read past the capture ---- */

TestSuite(decode_hostile, .fini = fini);

Test(decode_hostile, every_ipv4_header_length_below_5_words_is_bad_ihl)
{
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		struct fb f = { .n = 0 };
		uint32_t ip;

		put_eth(&f, 0x0800);
		ip = put_ipv4(&f, PROTO_TCP, 20);
		put_tcp(&f, 1, 2, TCP_SYN);
		f.b[ip] = (uint8_t)(0x40 | ihl);
		assert_err(dec(DLT_EN10MB, &f), DECODE_IPV4_BAD_IHL);
		cr_assert_not(pkt.has_l4, "ihl %u", ihl);
	}
}

/* A total length past the frame is a lie; past the capture only (a snaplen cut) it counts in full. */
Test(decode_hostile, ipv4_total_length_past_the_wire_is_bad_length)
{
	struct fb f = { .n = 0 };
	uint32_t ip;

	put_eth(&f, 0x0800);
	ip = put_ipv4(&f, PROTO_TCP, 20);
	put_tcp(&f, 1, 2, TCP_SYN);
	set16(&f, ip + 2, 1500);
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV4_BAD_LENGTH);
	cr_assert_not(pkt.has_l4);
	set16(&f, ip + 2, 41);		/* one byte past the frame's end */
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV4_BAD_LENGTH);
	set16(&f, ip + 2, 1500);	/* the same 54 bytes as a snaplen cut of a 1514-byte frame */
	assert_err(dec_len(DLT_EN10MB, &f, f.n, 14 + 1500), DECODE_OK);
	cr_assert_eq(pkt.ip_len, 1500);
	cr_assert_eq(pkt.l4_payload_len, 1460);
	cr_assert_eq(pkt.payload_cap, 0);
	/* Raw IP and a VLAN tag: the wire left after each link header. */
	assert_err(dec_len(DLT_RAW, &(struct fb){ .n = 0 }, 0, 0), DECODE_LINK_TRUNCATED);
	f.n = 0;
	put_ipv4(&f, PROTO_UDP, 8);
	put_udp(&f, 1, 2, 0);
	set16(&f, 2, 29);
	assert_err(dec(DLT_RAW, &f), DECODE_IPV4_BAD_LENGTH);
	f.n = 0;
	put_eth(&f, 0x8100);
	put_vlan(&f, 7, 0x0800);
	ip = put_ipv4(&f, PROTO_UDP, 8);
	put_udp(&f, 1, 2, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	set16(&f, ip + 2, 29);
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV4_BAD_LENGTH);
}

Test(decode_hostile, ipv6_payload_length_past_the_wire_is_bad_length)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x86dd);
	put_ipv6(&f, PROTO_UDP, 1000);
	put_udp(&f, 1, 2, 992);
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV6_BAD_LENGTH);
	cr_assert_not(pkt.has_l4);
	assert_err(dec_len(DLT_EN10MB, &f, f.n, 14 + 40 + 1000), DECODE_OK);
	cr_assert_eq(pkt.l4_payload_len, 992);
	/* A lying length wins over the extension header chain it would cut short. */
	f.n = 0;
	put_eth(&f, 0x86dd);
	put_ipv6(&f, 60, 8 + 8 + 500);
	put_ext8(&f, PROTO_UDP);
	put_udp(&f, 1, 2, 500);
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV6_BAD_LENGTH);
}

/* However the chain is made (the same header again and again, each claiming more), the walk is bounded. */
Test(decode_hostile, ipv6_extension_chains_are_bounded_and_kept_inside_the_datagram)
{
	static const unsigned loops[] = { 60, 0, 43 };
	struct fb f = { .n = 0 };

	for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++) {
		f.n = 0;
		put_eth(&f, 0x86dd);
		put_ipv6(&f, loops[i], 8 * 200);
		for (int k = 0; k < 200; k++)
			put_ext8(&f, loops[i]);		/* each names its own type next */
		assert_err(dec(DLT_EN10MB, &f), DECODE_IPV6_EXT_TOO_MANY);
		cr_assert_not(pkt.has_l4);
		cr_assert_eq(pkt.ip_hdr_len, 40 + 8 * 8, "walked 8 headers, not more");
	}
	/* The chain ends where the datagram does, still naming a header: truncated, never read past. */
	f.n = 0;
	put_eth(&f, 0x86dd);
	put_ipv6(&f, 60, 16);
	put_ext8(&f, 60);
	put_ext8(&f, 60);
	put_fill(&f, 16, 0);		/* bytes past the payload length (padding) are not the chain */
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV6_EXT_TRUNCATED);
	/* A header claiming 2048 bytes in a 16-byte payload. */
	f.b[14 + 40 + 8 + 1] = 255;
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV6_EXT_TRUNCATED);
	/* An AH length of 255 words in a fragment chain. */
	f.n = 0;
	put_eth(&f, 0x86dd);
	put_ipv6(&f, 51, 16);
	put8(&f, PROTO_UDP);
	put8(&f, 255);
	put_fill(&f, 14, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV6_EXT_TRUNCATED);
}

Test(decode_hostile, tcp_data_offset_below_5_or_past_the_datagram_is_bad_offset)
{
	struct fb f = { .n = 0 };

	build_tcp(&f, 0, 0);
	for (unsigned off = 0; off < 5; off++) {
		f.b[14 + 20 + 12] = (uint8_t)(off << 4);
		assert_err(dec(DLT_EN10MB, &f), DECODE_TCP_BAD_OFFSET);
		cr_assert_not(pkt.has_l4);
	}
	f.b[14 + 20 + 12] = 6 << 4;	/* 24 bytes in a 20-byte segment */
	assert_err(dec(DLT_EN10MB, &f), DECODE_TCP_BAD_OFFSET);
	/* A datagram too short for the fixed header: the segment is cut, by its own length. */
	f.n = 0;
	put_eth(&f, 0x0800);
	put_ipv4(&f, PROTO_TCP, 12);
	put_tcp(&f, 1, 2, TCP_SYN);
	assert_err(dec(DLT_EN10MB, &f), DECODE_TCP_TRUNCATED);
}

Test(decode_hostile, icmp_errors_quoting_icmp_errors_name_no_flow)
{
	struct fb f = { .n = 0 };
	static const unsigned v4_errors[] = { 3, 4, 5, 11, 12 };

	for (size_t i = 0; i < 5; i++) {
		f.n = 0;
		build_v4_error(&f, 11, 0, PROTO_ICMP);
		put_icmp(&f, v4_errors[i], 1);
		assert_err(dec(DLT_RAW, &f), DECODE_OK);
		cr_assert_not(pkt.has_quoted, "quoted type %u", v4_errors[i]);
		cr_assert_eq(pkt.note, DECODE_ICMP_QUOTE_INVALID);
	}
	/* ICMPv6: unreachable quoting a packet too big. */
	f.n = 0;
	put_ipv6(&f, PROTO_ICMPV6, 8 + 40 + 8);
	put_icmp(&f, 1, 3);
	put_ipv6(&f, PROTO_ICMPV6, 1280);
	put_icmp(&f, 2, 0);
	assert_err(dec(DLT_IPV6, &f), DECODE_OK);
	assert_v6_tuple(&pkt.t, PROTO_ICMPV6, 1, 3);
	cr_assert_not(pkt.has_quoted);
	cr_assert_eq(pkt.note, DECODE_ICMP_QUOTE_INVALID);
	/* An ICMPv4 error quoting an IPv6 header cannot be about that packet. */
	f.n = 0;
	put_ipv4(&f, PROTO_ICMP, 8 + 40 + 8);
	put_icmp(&f, 3, 3);
	put_ipv6(&f, PROTO_UDP, 8);
	put_udp(&f, 1, 2, 0);
	assert_err(dec(DLT_RAW, &f), DECODE_OK);
	cr_assert_not(pkt.has_quoted);
	cr_assert_eq(pkt.note, DECODE_ICMP_QUOTE_INVALID);
	cr_assert_eq(pkt.quoted.family, 0);
}

/* UDP length 0 only in an IPv6 jumbogram (RFC 2675), whose IP length is 0 too; 8 is an empty datagram. */
Test(decode_hostile, zero_length_udp)
{
	struct fb f = { .n = 0 };

	put_eth(&f, 0x0800);
	put_ipv4(&f, PROTO_UDP, 8);
	put_udp(&f, 1, 2, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert(pkt.has_l4);
	cr_assert_eq(pkt.l4_payload_len, 0);
	cr_assert_null(pkt.payload);
	set16(&f, 14 + 20 + 4, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_UDP_BAD_LENGTH);
	f.n = 0;
	put_eth(&f, 0x86dd);
	put_ipv6(&f, PROTO_UDP, 8 + 4);
	put_udp(&f, 1, 2, 4);
	put32(&f, 0);
	set16(&f, 14 + 40 + 4, 0);
	assert_err(dec(DLT_EN10MB, &f), DECODE_UDP_BAD_LENGTH);
	cr_assert_not(pkt.has_l4);
}

/* One captured byte of a full-sized frame, every link type: the layer that is cut is named. */
Test(decode_hostile, one_byte_captures_name_the_cut_layer)
{
	static const struct {
		int dlt;
		uint8_t first;
		enum decode_error want;
	} cases[] = {
		{ DLT_EN10MB, 0x02, DECODE_LINK_TRUNCATED }, { DLT_LINUX_SLL, 0x00, DECODE_LINK_TRUNCATED },
		{ DLT_LINUX_SLL2, 0x08, DECODE_LINK_TRUNCATED }, { DLT_NULL, 0x02, DECODE_LINK_TRUNCATED },
		{ DLT_LOOP, 0x00, DECODE_LINK_TRUNCATED }, { DLT_RAW, 0x45, DECODE_IPV4_TRUNCATED },
		{ DLT_RAW, 0x60, DECODE_IPV6_TRUNCATED }, { DLT_RAW, 0x00, DECODE_IPV4_BAD_VERSION },
		{ DLT_IPV4, 0x45, DECODE_IPV4_TRUNCATED }, { DLT_IPV6, 0x60, DECODE_IPV6_TRUNCATED },
		{ DLT_IPV6, 0x45, DECODE_IPV4_TRUNCATED },	/* the version nibble decides, as in raw IP */
	};
	struct fb f = { .n = 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f.b[0] = cases[i].first;
		f.n = 1;
		assert_err(dec_len(cases[i].dlt, &f, 1, 1514), cases[i].want);
		cr_assert_not(pkt.has_l4);
		cr_assert_null(pkt.l3);
	}
}

/* ---- every prefix of complete frames ---- */

TestSuite(decode_truncate, .fini = fini);

/* Error expected for prefixes shorter than len; the last bound is the full L4 header. */
struct bound {
	uint32_t len;
	enum decode_error err;
};

struct trunc_case {
	int kind;
	int dlt;
	struct bound b[6];
	int nb;
	uint32_t quote_end;	/* ICMP errors: prefix length from which the quote is whole */
};

static void build_trunc(int kind, struct fb *f)
{
	switch (kind) {
	case 0:	/* Ethernet / IPv4 / TCP with options and payload */
		build_tcp(f, 8, 10);
		break;
	case 1:	/* Ethernet / VLAN / IPv6 / hop-by-hop / UDP */
		put_eth(f, 0x8100);
		put_vlan(f, 42, 0x86dd);
		put_ipv6(f, 0, 8 + 8 + 6);
		put_ext8(f, PROTO_UDP);
		put_udp(f, 1000, 2000, 6);
		put_fill(f, 6, 0);
		break;
	case 2:	/* SLL2 / IPv4 / ICMP port unreachable / IPv4 / UDP */
		put16(f, 0x0800);
		put_fill(f, 18, 0);
		build_v4_error(f, 3, 3, PROTO_UDP);
		put_udp(f, 9999, 53, 100);
		break;
	case 3:	/* DLT_NULL / IPv6 / first fragment / TCP */
		put_null(f, 30, 0);
		put_ipv6(f, 44, 8 + 20 + 4);
		put_frag6(f, PROTO_TCP, 0, 1, 5);
		put_tcp(f, 1, 2, TCP_SYN);
		put32(f, 0);
		break;
	default: /* Ethernet / Q-in-Q / IPv6 / ICMPv6 unreachable / IPv6 / TCP */
		put_eth(f, 0x88a8);
		put_vlan(f, 1, 0x8100);
		put_vlan(f, 2, 0x86dd);
		put_ipv6(f, PROTO_ICMPV6, 8 + 40 + 8);
		put_icmp(f, 1, 3);
		put_ipv6(f, PROTO_TCP, 20);
		put16(f, 5555); put16(f, 80); put32(f, 1);
		break;
	}
}

ParameterizedTestParameters(decode_truncate, every_prefix)
{
	static struct trunc_case cases[] = {
		{ 0, DLT_EN10MB, { { 14, DECODE_LINK_TRUNCATED }, { 34, DECODE_IPV4_TRUNCATED },
				   { 62, DECODE_TCP_TRUNCATED } }, 3, 0 },
		{ 1, DLT_EN10MB, { { 14, DECODE_LINK_TRUNCATED }, { 18, DECODE_VLAN_TRUNCATED },
				   { 58, DECODE_IPV6_TRUNCATED }, { 66, DECODE_IPV6_EXT_TRUNCATED },
				   { 74, DECODE_UDP_TRUNCATED } }, 5, 0 },
		{ 2, DLT_LINUX_SLL2, { { 20, DECODE_LINK_TRUNCATED }, { 40, DECODE_IPV4_TRUNCATED },
				       { 44, DECODE_ICMP_TRUNCATED } }, 3, 72 },
		{ 3, DLT_NULL, { { 4, DECODE_LINK_TRUNCATED }, { 44, DECODE_IPV6_TRUNCATED },
				 { 52, DECODE_IPV6_EXT_TRUNCATED }, { 72, DECODE_TCP_TRUNCATED } }, 4, 0 },
		{ 4, DLT_EN10MB, { { 14, DECODE_LINK_TRUNCATED }, { 22, DECODE_VLAN_TRUNCATED },
				   { 62, DECODE_IPV6_TRUNCATED }, { 66, DECODE_ICMP_TRUNCATED } }, 4, 114 },
	};

	return cr_make_param_array(struct trunc_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct trunc_case *tc, decode_truncate, every_prefix)
{
	struct fb f = { .n = 0 };
	struct packet whole;

	build_trunc(tc->kind, &f);
	assert_err(dec(tc->dlt, &f), DECODE_OK);
	whole = pkt;
	for (uint32_t len = 0; len <= f.n; len++) {
		enum decode_error want = DECODE_OK, got = dec_len(tc->dlt, &f, len, f.n);

		for (int i = tc->nb - 1; i >= 0; i--)
			if (len < tc->b[i].len)
				want = tc->b[i].err;
		cr_assert_eq(got, want, "kind %d len %u: got %s, want %s", tc->kind, len,
			     decode_error_name(got), decode_error_name(want));
		cr_assert_eq(pkt.has_l4, want == DECODE_OK, "kind %d len %u", tc->kind, len);
		if (want != DECODE_OK)
			continue;
		/* Past the headers the lengths come from the wire, not the capture. */
		cr_assert_eq(pkt.ip_len, whole.ip_len, "len %u", len);
		cr_assert_eq(pkt.l4_payload_len, whole.l4_payload_len, "len %u", len);
		cr_assert(pkt.payload_cap <= pkt.l4_payload_len);
		cr_assert(!pkt.payload || (pkt.payload >= heap && pkt.payload + pkt.payload_cap <= heap + len));
		if (tc->quote_end) {
			cr_assert_eq(pkt.has_quoted, len >= tc->quote_end, "len %u", len);
			cr_assert_eq(pkt.note, len >= tc->quote_end ? DECODE_OK : DECODE_ICMP_QUOTE_TRUNCATED);
		}
	}
}

/* ---- names ---- */

TestSuite(decode_names);

Test(decode_names, every_error_has_a_distinct_kebab_case_name)
{
	for (int i = 0; i < DECODE_ERROR_COUNT; i++) {
		const char *n = decode_error_name((enum decode_error)i);

		cr_assert_str_neq(n, "unknown", "error %d has no name", i);
		cr_assert_eq(strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789-"), strlen(n));
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(n, decode_error_name((enum decode_error)j));
	}
	cr_assert_str_eq(decode_error_name(DECODE_OK), "ok");
	cr_assert_str_eq(decode_error_name(DECODE_IPV6_EXT_TOO_MANY), "ipv6-ext-too-many");
	cr_assert_str_eq(decode_error_name(DECODE_ICMP_QUOTE_TRUNCATED), "icmp-quote-truncated");
	cr_assert_str_eq(decode_error_name(DECODE_OTHER_PROTO), "other-proto");
	cr_assert_str_eq(decode_error_name(DECODE_ERROR_COUNT), "unknown");
	cr_assert_str_eq(decode_error_name((enum decode_error)-1), "unknown");
}

/* ---- MPLS (issue 18): label stacks over IP, and Ethernet over MPLS ---------------- */

static void put_label(struct fb *f, unsigned label, int bottom) { put32(f, label << 12 | (bottom ? 0x100u : 0) | 64); }

Test(decode_link, mpls_two_labels_over_ipv4_tcp)
{
	struct fb f = { 0 };

	put_eth(&f, 0x8847);
	put_label(&f, 16, 0);
	put_label(&f, 17, 1);
	put_ipv4(&f, 6, 20);
	put_tcp(&f, 40000, 1494, 0x02);
	cr_assert_eq(dec(DLT_EN10MB, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, 6, 40000, 1494);
}

Test(decode_link, mpls_over_ipv6_udp_by_first_nibble)
{
	struct fb f = { 0 };

	put_eth(&f, 0x8847);
	put_label(&f, 16, 1);
	put_ipv6(&f, 17, 8);
	put_udp(&f, 40000, 1494, 0);
	cr_assert_eq(dec(DLT_EN10MB, &f), DECODE_OK);
	assert_v6_tuple(&pkt.t, 17, 40000, 1494);
}

/* Ethernet over MPLS with the pseudowire control word, then without it (a MAC starting 0x0_ is told apart). */
Test(decode_link, ethernet_over_mpls_with_and_without_control_word)
{
	struct fb f = { 0 }, g = { 0 };

	put_eth(&f, 0x8847);
	put_label(&f, 16, 1);
	put32(&f, 0);		/* control word */
	put_eth(&f, 0x0800);
	put_ipv4(&f, 6, 20);
	put_tcp(&f, 40000, 2598, 0x02);
	cr_assert_eq(dec(DLT_EN10MB, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, 6, 40000, 2598);
	put_eth(&g, 0x8847);
	put_label(&g, 16, 1);
	put_eth(&g, 0x0800);	/* its MACs start 0x02: first nibble 0, no control word */
	put_ipv4(&g, 6, 20);
	put_tcp(&g, 40000, 443, 0x02);
	cr_assert_eq(dec(DLT_EN10MB, &g), DECODE_OK);
	assert_v4_tuple(&pkt.t, 6, 40000, 443);
}

Test(decode_link, mpls_stack_deeper_than_eight_is_refused)
{
	struct fb f = { 0 };
	int i;

	put_eth(&f, 0x8847);
	for (i = 0; i < 9; i++)
		put_label(&f, 16 + (unsigned)i, i == 8);
	put_ipv4(&f, 6, 20);
	put_tcp(&f, 40000, 1494, 0x02);
	cr_assert_eq(dec(DLT_EN10MB, &f), DECODE_MPLS_TOO_DEEP);
}

/* Every cut of an MPLS frame is counted by kind, never read past, never OK before the TCP header is whole. */
Test(decode_link, mpls_truncated_at_every_byte)
{
	struct fb f = { 0 };
	uint32_t len, full;

	put_eth(&f, 0x8847);
	put_label(&f, 16, 0);
	put_label(&f, 17, 1);
	put32(&f, 0);
	put_eth(&f, 0x0800);
	put_ipv4(&f, 6, 20);
	put_tcp(&f, 40000, 1494, 0x02);
	full = f.n;
	for (len = 0; len < full; len++) {
		enum decode_error e = dec_len(DLT_EN10MB, &f, len, len);

		cr_assert_neq(e, DECODE_OK, "a frame cut to %u of %u bytes decoded", len, full);
		cr_assert(e == DECODE_LINK_TRUNCATED || e == DECODE_MPLS_TRUNCATED || e == DECODE_IPV4_TRUNCATED ||
			  e == DECODE_TCP_TRUNCATED || e == DECODE_IPV4_BAD_LENGTH,
			  "cut to %u: %s", len, decode_error_name(e));
	}
	cr_assert_eq(dec(DLT_EN10MB, &f), DECODE_OK);
}

/* ---- PPPoE, VN-tag, PBB, PPP and Cisco HDLC (issue 18) ----------------------------- */

/* PPPoE session header: version/type 0x11, code 0, session, length; then the PPP protocol. */
static void put_pppoe(struct fb *f, unsigned proto, unsigned payload)
{
	put8(f, 0x11);
	put8(f, 0);
	put16(f, 0x1234);
	put16(f, payload + 2);
	put16(f, proto);
}

/* Each frame: decodes whole to the tuple, and every cut of it is counted by kind, never OK. */
static void whole_and_cut(int dlt, struct fb *f, uint32_t ip_at, unsigned dport)
{
	uint32_t len;

	(void)ip_at;
	cr_assert_eq(dec(dlt, f), DECODE_OK, "%s", decode_error_name(dec(dlt, f)));
	assert_v4_tuple(&pkt.t, 6, 40000, dport);
	for (len = 0; len < f->n; len++) {
		enum decode_error e = dec_len(dlt, f, len, len);

		cr_assert_neq(e, DECODE_OK, "a frame cut to %u of %u bytes decoded", len, f->n);
	}
}

Test(decode_link, pppoe_session_over_ethernet_carries_ipv4)
{
	struct fb f = { 0 };

	put_eth(&f, 0x8864);
	put_pppoe(&f, 0x0021, 40);
	put_ipv4(&f, 6, 20);
	put_tcp(&f, 40000, 1494, 0x02);
	whole_and_cut(DLT_EN10MB, &f, 22, 1494);
}

Test(decode_link, pppoe_lcp_and_discovery_are_not_ip)
{
	struct fb f = { 0 }, g = { 0 };

	put_eth(&f, 0x8864);
	put_pppoe(&f, 0xc021, 10);
	put_fill(&f, 10, 0);
	cr_assert_eq(dec(DLT_EN10MB, &f), DECODE_NOT_IP);
	put_eth(&g, 0x8863);
	put_fill(&g, 20, 0);
	cr_assert_eq(dec(DLT_EN10MB, &g), DECODE_NOT_IP);
}

Test(decode_link, vntag_then_vlan_then_ipv4)
{
	struct fb f = { 0 };

	put_eth(&f, 0x8926);
	put32(&f, 0x80010002);	/* d=1, dst vif 1, src vif 2 */
	put16(&f, 0x8100);
	put_vlan(&f, 30, 0x0800);
	put_ipv4(&f, 6, 20);
	put_tcp(&f, 40000, 2598, 0x02);
	whole_and_cut(DLT_EN10MB, &f, 0, 2598);
	cr_assert_eq(pkt.vlan, 30);
}

Test(decode_link, pbb_itag_then_customer_frame)
{
	struct fb f = { 0 };

	put_eth(&f, 0x88a8);	/* B-TAG */
	put16(&f, 7);
	put16(&f, 0x88e7);	/* I-TAG */
	put32(&f, 0x00012345);	/* I-SID */
	put_fill(&f, 12, 0x06);	/* customer DA, SA */
	put16(&f, 0x0800);
	put_ipv4(&f, 6, 20);
	put_tcp(&f, 40000, 443, 0x02);
	whole_and_cut(DLT_EN10MB, &f, 0, 443);
	cr_assert_eq(pkt.vlan, 7);
}

Test(decode_link, nine_shims_are_too_deep)
{
	struct fb f = { 0 };
	int i;

	put_eth(&f, 0x8926);
	for (i = 0; i < 9; i++) {
		put32(&f, 0);
		put16(&f, i < 8 ? 0x8926 : 0x0800);
	}
	put_ipv4(&f, 6, 20);
	put_tcp(&f, 40000, 443, 0x02);
	cr_assert_eq(dec(DLT_EN10MB, &f), DECODE_ENCAP_TOO_DEEP);
}

Test(decode_link, ppp_with_and_without_framing_and_compressed_protocol)
{
	struct fb f = { 0 }, g = { 0 }, h = { 0 };

	put8(&f, 0xff);
	put8(&f, 0x03);
	put16(&f, 0x0021);
	put_ipv4(&f, 6, 20);
	put_tcp(&f, 40000, 1494, 0x02);
	whole_and_cut(DLT_PPP, &f, 4, 1494);
	put16(&g, 0x0021);
	put_ipv4(&g, 6, 20);
	put_tcp(&g, 40000, 1494, 0x02);
	whole_and_cut(DLT_PPP_SERIAL, &g, 2, 1494);
	put8(&h, 0x21);		/* protocol field compression */
	put_ipv4(&h, 6, 20);
	put_tcp(&h, 40000, 1494, 0x02);
	whole_and_cut(DLT_PPP, &h, 1, 1494);
}

Test(decode_link, cisco_hdlc_and_ppp_serial_carrying_it)
{
	struct fb f = { 0 };

	put8(&f, 0x0f);
	put8(&f, 0x00);
	put16(&f, 0x0800);
	put_ipv4(&f, 6, 20);
	put_tcp(&f, 40000, 27000, 0x02);
	whole_and_cut(DLT_C_HDLC, &f, 4, 27000);
	whole_and_cut(DLT_PPP_SERIAL, &f, 4, 27000);
	cr_assert(decode_link_supported(DLT_PPP) && decode_link_supported(DLT_C_HDLC) &&
		  decode_link_supported(DLT_PPP_SERIAL));
}

/* ---- 802.3 with LLC/SNAP, FDDI, 802.11 (plain, radiotap, PPI), NFLOG, Cisco MetaData ---- */

static void put_le16(struct fb *f, unsigned v) { put8(f, v); put8(f, v >> 8); }
static void put_le32(struct fb *f, uint32_t v) { put_le16(f, v & 0xffff); put_le16(f, v >> 16); }
static void put_host16(struct fb *f, uint16_t v) { memcpy(f->b + f->n, &v, 2); f->n += 2; }

/* LLC UI, then SNAP with oui and pid. */
static void put_snap(struct fb *f, uint32_t oui, unsigned pid)
{
	put8(f, 0xaa);
	put8(f, 0xaa);
	put8(f, 0x03);
	put8(f, oui >> 16);
	put16(f, oui & 0xffff);
	put16(f, pid);
}

/* An IPv4 TCP SYN 10.0.0.1:40000 -> 10.0.0.2:dport (40 bytes). */
static void put_syn4(struct fb *f, unsigned dport) { put_ipv4(f, PROTO_TCP, 20); put_tcp(f, 40000, dport, TCP_SYN); }

/*
 * Cut f at every length, as a snaplen would (the wire keeps the whole
 * frame) and as a frame that really was that short: never a crash (the
 * heap copy is exact, ASan watches), never DECODE_OK before the TCP header
 * at tcp_end is whole nor when the wire was as short as the capture (the
 * IP length then lies), and the link layer's own error while the cut is
 * inside its header (before link_end).
 */
static void check_cuts(int dlt, const struct fb *f, uint32_t link_end, uint32_t tcp_end, unsigned dport)
{
	for (uint32_t len = 0; len < f->n; len++) {
		uint32_t wires[2] = { len, f->n };

		for (int w = 0; w < 2; w++) {
			enum decode_error e = dec_len(dlt, f, len, wires[w]);

			/* An NFLOG message that really ends between TLVs is one without the packet. */
			if (len < link_end && !(w == 0 && dlt == DLT_NFLOG && e == DECODE_NOT_IP))
				cr_assert_eq(e, DECODE_LINK_TRUNCATED, "cut to %u of %u (wire %u): %s", len, f->n,
					     wires[w], decode_error_name(e));
			if (len < tcp_end || w == 0)
				cr_assert_neq(e, DECODE_OK, "cut to %u of %u (wire %u) decoded", len, f->n, wires[w]);
			else if (e == DECODE_OK)
				assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, dport);
		}
	}
}

static void assert_not_ip(enum decode_error e, enum decode_not_ip_space space, unsigned value, const char *name)
{
	assert_err(e, DECODE_NOT_IP);
	cr_assert_eq(pkt.not_ip, DECODE_NOT_IP_CODE(space, value), "not_ip 0x%x", pkt.not_ip);
	if (name)
		cr_assert_str_eq(decode_not_ip_name(pkt.not_ip), name);
}

TestSuite(decode_llc, .fini = fini);

Test(decode_llc, stp_cdp_and_other_snap_are_named_not_ip)
{
	struct fb stp = { 0 }, cdp = { 0 }, other = { 0 };

	put_eth(&stp, 38);	/* LLC 3 + configuration BPDU 35, padded to 60 */
	put8(&stp, 0x42);
	put8(&stp, 0x42);
	put8(&stp, 0x03);
	put_fill(&stp, 35, 0);
	put_fill(&stp, 60 - stp.n, 0);
	assert_not_ip(dec(DLT_EN10MB, &stp), NOTIP_LLC, 0x42, "STP");

	put_eth(&cdp, 8 + 20);
	put_snap(&cdp, 0x00000c, 0x2000);
	put_fill(&cdp, 20, 0x11);
	assert_not_ip(dec(DLT_EN10MB, &cdp), NOTIP_SNAP_CISCO, 0x2000, "CDP");

	put_eth(&other, 8 + 20);
	put_snap(&other, 0x080007, 0x809b);	/* Apple's AppleTalk */
	put_fill(&other, 20, 0);
	assert_not_ip(dec(DLT_EN10MB, &other), NOTIP_SNAP_OTHER, 0x809b, NULL);
}

Test(decode_llc, ipv4_over_snap_bounded_by_the_8023_length)
{
	struct fb f = { 0 };

	put_eth(&f, 8 + 28);
	put_snap(&f, 0, 0x0800);
	put_ipv4(&f, PROTO_UDP, 8);
	put_udp(&f, 40000, 53, 0);
	put_fill(&f, 60 - f.n, 0);	/* Ethernet padding: no part of the datagram */
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_UDP, 40000, 53);
	cr_assert_eq(pkt.ip_len, 28);
	cr_assert_eq(pkt.l3, heap + 22);
	cr_assert_eq(pkt.l3_cap, 28);
	/* A datagram longer than the 802.3 length says lies about its length. */
	set16(&f, 12, 8 + 27);
	assert_err(dec(DLT_EN10MB, &f), DECODE_IPV4_BAD_LENGTH);
	/* The 802.1H bridge-tunnel OUI carries an EtherType too. */
	set16(&f, 12, 8 + 28);
	f.b[19] = 0xf8;
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
}

Test(decode_llc, snap_tcp_every_cut)
{
	struct fb f = { 0 };

	put_eth(&f, 8 + 40);
	put_snap(&f, 0, 0x0800);
	put_syn4(&f, 1494);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, 1494);
	check_cuts(DLT_EN10MB, &f, 22, f.n, 1494);
}

Test(decode_llc, vlan_behind_snap_and_snap_behind_vlan)
{
	struct fb f = { 0 }, g = { 0 };

	put_eth(&f, 8 + 4 + 40);
	put_snap(&f, 0, 0x8100);
	put_vlan(&f, 12, 0x0800);
	put_syn4(&f, 443);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	cr_assert_eq(pkt.vlan_count, 1);
	cr_assert_eq(pkt.vlan, 12);

	put_eth(&g, 0x8100);	/* PVST+: a tagged 802.3 frame with Cisco's SNAP */
	put_vlan(&g, 30, 8 + 36);
	put_snap(&g, 0x00000c, 0x010b);
	put_fill(&g, 36, 0);
	assert_not_ip(dec(DLT_EN10MB, &g), NOTIP_SNAP_CISCO, 0x010b, "PVST+");
	cr_assert_eq(pkt.vlan, 30);
}

Test(decode_llc, no_second_8023_frame_behind_snap)
{
	struct fb f = { 0 };

	put_eth(&f, 8 + 4 + 11);
	put_snap(&f, 0, 0x8100);
	put_vlan(&f, 5, 11);	/* a length again: not opened a second time */
	put_snap(&f, 0, 0x0800);
	put_fill(&f, 3, 0);
	assert_not_ip(dec(DLT_EN10MB, &f), NOTIP_ETHERTYPE, 11, NULL);
	f.n = 0;
	put_eth(&f, 8 + 20);
	put_snap(&f, 0, 0x0100);	/* a protocol id below 0x0600 */
	put_fill(&f, 20, 0);
	assert_not_ip(dec(DLT_EN10MB, &f), NOTIP_ETHERTYPE, 0x0100, NULL);
}

Test(decode_llc, novell_raw_ip_over_llc_and_two_byte_control)
{
	struct fb f = { 0 }, g = { 0 }, h = { 0 };

	put_eth(&f, 30);
	put16(&f, 0xffff);	/* IPX checksum */
	put_fill(&f, 28, 0);
	assert_not_ip(dec(DLT_EN10MB, &f), NOTIP_LLC, 0xff, "IPX (raw 802.3)");

	put_eth(&g, 3 + 40);
	put8(&g, 0x06);
	put8(&g, 0x06);
	put8(&g, 0x03);
	put_syn4(&g, 80);
	assert_err(dec(DLT_EN10MB, &g), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, 80);
	check_cuts(DLT_EN10MB, &g, 17, g.n, 80);

	put_eth(&h, 4);
	put8(&h, 0xf0);	/* NetBIOS, I-format: 2-byte control */
	put8(&h, 0xf0);
	put8(&h, 0x00);
	put8(&h, 0x00);
	assert_not_ip(dec(DLT_EN10MB, &h), NOTIP_LLC, 0xf0, "NetBIOS");
	assert_err(dec_len(DLT_EN10MB, &h, 17, 17), DECODE_LINK_TRUNCATED);
}

Test(decode_llc, linux_cooked_llc_and_novell)
{
	struct fb f = { 0 };

	put16(&f, 0);
	put16(&f, 1);
	put16(&f, 6);
	put_fill(&f, 8, 0x02);
	put16(&f, 0x0004);	/* LINUX_SLL_P_802_2 */
	put8(&f, 0x42);
	put8(&f, 0x42);
	put8(&f, 0x03);
	put_fill(&f, 35, 0);
	assert_not_ip(dec(DLT_LINUX_SLL, &f), NOTIP_LLC, 0x42, "STP");
	set16(&f, 14, 0x0001);	/* LINUX_SLL_P_802_3 */
	assert_not_ip(dec(DLT_LINUX_SLL, &f), NOTIP_LLC, 0xff, NULL);
	set16(&f, 14, 0x0010);
	assert_not_ip(dec(DLT_LINUX_SLL, &f), NOTIP_ETHERTYPE, 0x0010, NULL);
}

Test(decode_llc, cisco_metadata_is_a_shim)
{
	struct fb f = { 0 }, g = { 0 };

	put_eth(&f, 0x8909);
	put8(&f, 1);		/* version */
	put8(&f, 1);		/* length: one 8-byte unit */
	put16(&f, 0x0001);	/* SGT option */
	put16(&f, 17);		/* SGT */
	put16(&f, 0x0800);
	put_syn4(&f, 443);
	assert_err(dec(DLT_EN10MB, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, 443);
	for (uint32_t len = 14; len < 22; len++)
		assert_err(dec_len(DLT_EN10MB, &f, len, len), DECODE_ENCAP_TRUNCATED);

	put_eth(&g, 0x8909);	/* length 2: 16 bytes, the next EtherType last */
	put8(&g, 1);
	put8(&g, 2);
	put_fill(&g, 12, 0);
	put16(&g, 0x0800);
	put_syn4(&g, 443);
	assert_err(dec(DLT_EN10MB, &g), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, 443);
}

TestSuite(decode_fddi, .fini = fini);

static void put_fddi(struct fb *f, unsigned fc)
{
	put8(f, fc);
	put_fill(f, 6, 0x02);
	put_fill(f, 6, 0x04);
}

Test(decode_fddi, llc_frame_carries_ip_and_smt_is_not_ip)
{
	struct fb f = { 0 }, g = { 0 };

	put_fddi(&f, 0x50);	/* asynchronous LLC frame, priority 0 */
	put_snap(&f, 0, 0x0800);
	put_syn4(&f, 1494);
	assert_err(dec(DLT_FDDI, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, 1494);
	check_cuts(DLT_FDDI, &f, 21, f.n, 1494);

	put_fddi(&g, 0x41);	/* SMT */
	put_fill(&g, 32, 0);
	assert_err(dec(DLT_FDDI, &g), DECODE_NOT_IP);
	f.b[0] = 0xd0;	/* synchronous LLC */
	assert_err(dec(DLT_FDDI, &f), DECODE_OK);
}

TestSuite(decode_wlan, .fini = fini);

/* An 802.11 data header: fc (subtype << 4 | type << 2), flags; the optional fields as the flags say. */
static void put_wlan(struct fb *f, unsigned subtype, unsigned flags, unsigned qos)
{
	put8(f, subtype << 4 | 2 << 2);
	put8(f, flags);
	put16(f, 0);			/* duration */
	put_fill(f, 6, 0x0a);		/* address 1-3 */
	put_fill(f, 6, 0x0b);
	put_fill(f, 6, 0x0c);
	put_le16(f, 0x0120);		/* sequence 18, fragment 0 */
	if ((flags & 3) == 3)
		put_fill(f, 6, 0x0d);	/* address 4 */
	if (subtype & 8) {
		put_le16(f, qos);
		if (flags & 0x80)
			put32(f, 0);	/* HT control */
	}
}

Test(decode_wlan, data_frames_every_header_form)
{
	static const struct { unsigned subtype, flags; uint32_t hdr; } forms[] = {
		{ 0, 0x01, 24 },	/* To DS */
		{ 0, 0x02, 24 },	/* From DS */
		{ 0, 0x03, 30 },	/* WDS: address 4 */
		{ 8, 0x01, 26 },	/* QoS data */
		{ 8, 0x81, 30 },	/* QoS data, +HTC */
		{ 8, 0x83, 36 },	/* everything */
		{ 0, 0x81, 24 },	/* Order on non-QoS data: no HT control */
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct fb f = { 0 };

		put_wlan(&f, forms[i].subtype, forms[i].flags, 0);
		cr_assert_eq(f.n, forms[i].hdr);
		put_snap(&f, 0, 0x0800);
		put_syn4(&f, 443);
		assert_err(dec(DLT_IEEE802_11, &f), DECODE_OK);
		assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, 443);
		check_cuts(DLT_IEEE802_11, &f, forms[i].hdr + 8, f.n, 443);
	}
}

Test(decode_wlan, protected_amsdu_fragments_and_not_data)
{
	struct fb f = { 0 };

	put_wlan(&f, 8, 0x41, 0);	/* protected QoS data: CCMP header and ciphertext */
	put_fill(&f, 60, 0x5a);
	assert_err(dec(DLT_IEEE802_11, &f), DECODE_ENCRYPTED);
	cr_assert_str_eq(decode_error_name(DECODE_ENCRYPTED), "wlan-encrypted");

	f.n = 0;
	put_wlan(&f, 8, 0x01, 0x80);	/* A-MSDU present */
	put_fill(&f, 60, 0);
	assert_err(dec(DLT_IEEE802_11, &f), DECODE_UNSUPPORTED);
	cr_assert_str_eq(decode_not_ip_name(pkt.not_ip), "802.11 data");

	f.n = 0;
	put_wlan(&f, 0, 0x05, 0);	/* More Fragments */
	put_snap(&f, 0, 0x0800);
	put_syn4(&f, 443);
	assert_err(dec(DLT_IEEE802_11, &f), DECODE_UNSUPPORTED);
	f.b[1] = 0x01;
	f.b[22] |= 0x01;		/* fragment 1 */
	assert_err(dec(DLT_IEEE802_11, &f), DECODE_UNSUPPORTED);

	f.n = 0;
	put_wlan(&f, 12, 0x01, 0);	/* QoS Null */
	assert_not_ip(dec(DLT_IEEE802_11, &f), NOTIP_WLAN, 0x2c, "802.11 null data");

	f.n = 0;
	put8(&f, 0x80);			/* beacon: management, subtype 8 */
	put8(&f, 0);
	put_fill(&f, 22 + 12, 0);
	assert_not_ip(dec(DLT_IEEE802_11, &f), NOTIP_WLAN, 0x08, "802.11 management");
	f.b[0] = 0xd4;			/* ACK: control, 10 bytes */
	f.n = 10;
	assert_not_ip(dec(DLT_IEEE802_11, &f), NOTIP_WLAN, 0x1d, "802.11 control");
	f.b[0] = 0x89;			/* protocol version 1 */
	assert_err(dec(DLT_IEEE802_11, &f), DECODE_UNSUPPORTED);
	assert_err(dec_len(DLT_IEEE802_11, &f, 1, 1), DECODE_LINK_TRUNCATED);
}

/* Radiotap: TSFT and Flags (after an extended presence bitmap when ext), then the rate. */
static uint32_t put_radiotap(struct fb *f, unsigned flags, int ext)
{
	uint32_t at = f->n, len;

	put8(f, 0);
	put8(f, 0);
	put_le16(f, 0);			/* it_len, set below */
	put_le32(f, 0x00000007u | (ext ? 0x80000000u : 0));	/* TSFT, Flags, Rate */
	if (ext)
		put_le32(f, 0);
	while ((f->n - at) % 8)
		put8(f, 0);		/* TSFT is 8-byte aligned */
	put_fill(f, 8, 0x77);
	put8(f, flags);
	put8(f, 0x6c);			/* 54 Mb/s */
	len = f->n - at;
	f->b[at + 2] = (uint8_t)len;
	f->b[at + 3] = (uint8_t)(len >> 8);
	return len;
}

Test(decode_wlan, radiotap_with_and_without_fcs)
{
	for (int ext = 0; ext < 2; ext++) {
		struct fb f = { 0 };
		uint32_t rt = put_radiotap(&f, 0, ext), ip_at;

		cr_assert_eq(rt, ext ? 26u : 18u);
		put_wlan(&f, 0, 0x01, 0);
		put_snap(&f, 0, 0x0800);
		ip_at = f.n;
		put_syn4(&f, 1494);
		assert_err(dec(DLT_IEEE802_11_RADIO, &f), DECODE_OK);
		assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, 1494);
		check_cuts(DLT_IEEE802_11_RADIO, &f, rt, f.n, 1494);
		/* With the FCS flag, the last 4 bytes are no part of the datagram. */
		put32(&f, 0xdeadbeef);
		f.b[ext ? 24 : 16] = 0x10;
		assert_err(dec(DLT_IEEE802_11_RADIO, &f), DECODE_OK);
		cr_assert_eq(pkt.ip_len, 40);
		set16(&f, ip_at + 2, 44);	/* a datagram that claims the FCS */
		assert_err(dec(DLT_IEEE802_11_RADIO, &f), DECODE_IPV4_BAD_LENGTH);
		f.b[ext ? 24 : 16] = 0;
		assert_err(dec(DLT_IEEE802_11_RADIO, &f), DECODE_OK);
	}
}

Test(decode_wlan, radiotap_padding_and_bad_headers)
{
	struct fb f = { 0 };
	uint32_t rt = put_radiotap(&f, 0x20, 0);

	put_wlan(&f, 8, 0x01, 0);	/* 26 bytes, padded to 28 */
	put16(&f, 0);
	put_snap(&f, 0, 0x0800);
	put_syn4(&f, 443);
	assert_err(dec(DLT_IEEE802_11_RADIO, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, 443);
	f.b[0] = 1;			/* it_version */
	assert_err(dec(DLT_IEEE802_11_RADIO, &f), DECODE_UNSUPPORTED);
	f.b[0] = 0;
	f.b[2] = 7;			/* it_len below 8 */
	assert_err(dec(DLT_IEEE802_11_RADIO, &f), DECODE_LINK_TRUNCATED);
	f.b[2] = (uint8_t)rt;
	f.b[7] = 0x80;			/* another presence word, past it_len every time */
	f.b[11] = 0x80;
	f.b[15] = 0x80;
	assert_err(dec(DLT_IEEE802_11_RADIO, &f), DECODE_LINK_TRUNCATED);
}

/* PPI with an 802.11-Common field whose flags are common_flags. */
static uint32_t put_ppi(struct fb *f, uint32_t dlt, unsigned common_flags)
{
	put8(f, 0);
	put8(f, 0);
	put_le16(f, 8 + 4 + 20);
	put_le32(f, dlt);
	put_le16(f, 2);			/* 802.11-Common */
	put_le16(f, 20);
	put_fill(f, 8, 0);		/* TSF */
	put_le16(f, common_flags);
	put_fill(f, 10, 0);
	return 32;
}

Test(decode_wlan, ppi_carries_80211_and_says_fcs)
{
	struct fb f = { 0 };
	uint32_t hl = put_ppi(&f, DLT_IEEE802_11, 0);

	put_wlan(&f, 8, 0x02, 0);
	put_snap(&f, 0, 0x0800);
	put_syn4(&f, 2598);
	assert_err(dec(DLT_PPI, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, 2598);
	check_cuts(DLT_PPI, &f, hl, f.n, 2598);
	put32(&f, 0);
	f.b[20] = 1;			/* FCS present */
	assert_err(dec(DLT_PPI, &f), DECODE_OK);
	set16(&f, hl + 26 + 8 + 2, 44);
	assert_err(dec(DLT_PPI, &f), DECODE_IPV4_BAD_LENGTH);
	f.b[4] = DLT_EN10MB;
	assert_err(dec(DLT_PPI, &f), DECODE_UNSUPPORTED);
	f.b[4] = DLT_IEEE802_11;
	f.b[10] = 21;			/* a field past the header */
	assert_err(dec(DLT_PPI, &f), DECODE_LINK_TRUNCATED);
}

TestSuite(decode_nflog, .fini = fini);

/* NFLOG header and the TLVs the kernel puts first: packet header, a 5-byte prefix (padded), then the payload. */
static uint32_t put_nflog(struct fb *f, unsigned family, uint32_t payload_len)
{
	put8(f, family);
	put8(f, 0);
	put16(f, 5);			/* group 5 */
	put_host16(f, 8);
	put_host16(f, 1);		/* NFULA_PACKET_HDR */
	put16(f, 0x0800);
	put8(f, 3);
	put8(f, 0);
	put_host16(f, 9);
	put_host16(f, 10);		/* NFULA_PREFIX "test\0" */
	put_fill(f, 5, 't');
	put_fill(f, 3, 0);
	put_host16(f, 4 + payload_len);
	put_host16(f, 9);		/* NFULA_PAYLOAD */
	return f->n;
}

Test(decode_nflog, ipv4_and_ipv6_payloads)
{
	struct fb f = { 0 }, g = { 0 };
	uint32_t at = put_nflog(&f, 2, 40);

	put_syn4(&f, 1494);
	assert_err(dec(DLT_NFLOG, &f), DECODE_OK);
	assert_v4_tuple(&pkt.t, PROTO_TCP, 40000, 1494);
	cr_assert_eq(pkt.l3, heap + at);
	check_cuts(DLT_NFLOG, &f, at, f.n, 1494);
	/* The TLV's length is the packet's wire length. */
	memcpy(f.b + at - 4, &(uint16_t){ 43 }, 2);
	assert_err(dec(DLT_NFLOG, &f), DECODE_IPV4_BAD_LENGTH);

	put_nflog(&g, 10, 60);
	put_ipv6(&g, PROTO_UDP, 20);
	put_udp(&g, 40000, 53, 12);
	put_fill(&g, 12, 0);
	assert_err(dec(DLT_NFLOG, &g), DECODE_OK);
	assert_v6_tuple(&pkt.t, PROTO_UDP, 40000, 53);
}

Test(decode_nflog, other_family_no_payload_and_bad_tlv)
{
	struct fb f = { 0 };

	put_nflog(&f, 7, 40);		/* AF_BRIDGE */
	put_syn4(&f, 1494);
	assert_not_ip(dec(DLT_NFLOG, &f), NOTIP_FAMILY, 7, NULL);
	f.b[0] = 2;
	assert_err(dec_len(DLT_NFLOG, &f, 24, 24), DECODE_NOT_IP);	/* the TLVs before the payload only */
	memcpy(f.b + 4, &(uint16_t){ 3 }, 2);	/* a TLV shorter than its header */
	assert_err(dec(DLT_NFLOG, &f), DECODE_LINK_TRUNCATED);
	memcpy(f.b + 4, &(uint16_t){ 2000 }, 2);	/* past the frame */
	assert_err(dec(DLT_NFLOG, &f), DECODE_LINK_TRUNCATED);
	f.b[1] = 1;
	assert_err(dec(DLT_NFLOG, &f), DECODE_UNSUPPORTED);
}
