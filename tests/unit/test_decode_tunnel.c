/* test_decode_tunnel: VXLAN, ERSPAN I/II/III, GRE, GENEVE, IP-in-IP, PPTP, Teredo, AYIYA and GTP-U opened to what they carry */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <pcap/pcap.h>

#include "decode.h"

/* A frame under construction. */
struct fb {
	uint8_t b[2048];
	uint32_t n;
};

static void put8(struct fb *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static void put16(struct fb *f, unsigned v) { put8(f, v >> 8); put8(f, v); }
static void put32(struct fb *f, uint32_t v) { put16(f, v >> 16); put16(f, v & 0xffff); }
static void put_fill(struct fb *f, uint32_t n, unsigned v) { while (n--) put8(f, v); }
static void put_bytes(struct fb *f, const uint8_t *p, uint32_t n) { memcpy(f->b + f->n, p, n); f->n += n; }

/* Outer (transport of the mirror) and inner (mirrored) addresses. */
static const uint8_t out4_a[4] = { 198, 51, 100, 1 }, out4_b[4] = { 198, 51, 100, 2 };
static const uint8_t in4_a[4] = { 10, 0, 0, 1 }, in4_b[4] = { 10, 0, 0, 2 };
static const uint8_t out6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 1 };
static const uint8_t out6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 2 };
static const uint8_t in6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t in6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

enum { PROTO_GRE = 47, ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_ARP = 0x0806 };

static void put_eth(struct fb *f, unsigned type) { put_fill(f, 6, 0x02); put_fill(f, 6, 0x04); put16(f, type); }
static void put_vlan(struct fb *f, unsigned vid, unsigned next) { put16(f, 0x2000 | vid); put16(f, next); }

/* IP header of family 4 or 6 from a to b; returns its offset. */
static uint32_t put_ip(struct fb *f, int family, const uint8_t *a, const uint8_t *b, unsigned proto,
		       unsigned payload, unsigned ttl)
{
	uint32_t at = f->n;

	if (family == 4) {
		put8(f, 0x45);
		put8(f, 0);
		put16(f, 20 + payload);
		put16(f, 0x4242);
		put16(f, 0x4000);
		put8(f, ttl);
		put8(f, proto);
		put16(f, 0);
		put_bytes(f, a, 4);
		put_bytes(f, b, 4);
	} else {
		put32(f, 0x60000000);
		put16(f, payload);
		put8(f, proto);
		put8(f, ttl);
		put_bytes(f, a, 16);
		put_bytes(f, b, 16);
	}
	return at;
}

static void put_tcp(struct fb *f, unsigned sport, unsigned dport)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 1000);
	put32(f, 2000);
	put8(f, 5 << 4);
	put8(f, TCP_ACK | TCP_PSH);
	put16(f, 512);
	put32(f, 0);
}

static void put_udp(struct fb *f, unsigned sport, unsigned dport, unsigned payload)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + payload);
	put16(f, 0);
}

/* The mirrored frame: Ethernet (tags optional) / IP / TCP or UDP / 5 payload bytes. */
struct inner_spec {
	int family;
	unsigned proto;
	int ntags;
	unsigned vid[2];
};

static void build_inner(struct fb *f, const struct inner_spec *s)
{
	const uint8_t *a = s->family == 4 ? in4_a : in6_a, *b = s->family == 4 ? in4_b : in6_b;
	unsigned ip_type = s->family == 4 ? ETH_IPV4 : ETH_IPV6;
	unsigned l4 = s->proto == PROTO_TCP ? 20 : 8;

	put_eth(f, s->ntags ? (s->ntags == 2 ? 0x88a8 : 0x8100) : ip_type);
	for (int i = 0; i < s->ntags; i++)
		put_vlan(f, s->vid[i], i + 1 < s->ntags ? 0x8100 : ip_type);
	put_ip(f, s->family, a, b, s->proto, l4 + 5, 61);
	if (s->proto == PROTO_TCP)
		put_tcp(f, 40001, 1494);
	else
		put_udp(f, 40002, 2598, 5);
	put_fill(f, 5, 'p');
}

/* How the mirrored frame is carried. */
enum wrap { W_VXLAN, W_ERSPAN1, W_ERSPAN2, W_ERSPAN3, W_ERSPAN3_O, W_GRE_ETH, W_COUNT };

static const uint8_t wrap_tunnel[W_COUNT] = {
	[W_VXLAN] = TUNNEL_VXLAN, [W_ERSPAN1] = TUNNEL_ERSPAN1, [W_ERSPAN2] = TUNNEL_ERSPAN2,
	[W_ERSPAN3] = TUNNEL_ERSPAN3, [W_ERSPAN3_O] = TUNNEL_ERSPAN3, [W_GRE_ETH] = TUNNEL_GRE_ETH,
};

/* Bytes between the outer IP header and the mirrored frame. */
static unsigned wrap_len(enum wrap w)
{
	static const unsigned len[W_COUNT] = {
		[W_VXLAN] = 8 + 8, [W_ERSPAN1] = 4, [W_ERSPAN2] = 8 + 8,
		[W_ERSPAN3] = 8 + 12, [W_ERSPAN3_O] = 8 + 12 + 8, [W_GRE_ETH] = 4,
	};

	return len[w];
}

/* ERSPAN II: version 1, VLAN, En, session 7; index 0. */
static void put_erspan2(struct fb *f, unsigned vlan, unsigned en)
{
	put16(f, 0x1000 | vlan);
	put16(f, en << 11 | 7);
	put32(f, 0);
}

/* ERSPAN III: version 2, VLAN, session 7, timestamp, SGT 0, P=1 FT=0 HwID 1 D=1 Gra=0, O. */
static void put_erspan3(struct fb *f, unsigned vlan, int o)
{
	put16(f, 0x2000 | vlan);
	put16(f, 7);
	put32(f, 0x01020304);
	put16(f, 0);
	put16(f, 0x8000 | 1 << 4 | 1 << 3 | (o ? 1 : 0));
	if (o) {
		put32(f, 3u << 26 | 0x1234);	/* platform id 3, port index */
		put32(f, 0x05060708);		/* upper timestamp */
	}
}

static void put_tunnel(struct fb *f, enum wrap w, unsigned inner_len, unsigned vlan)
{
	switch (w) {
	case W_VXLAN:
		put_udp(f, 54321, 4789, 8 + inner_len);
		put32(f, 0x08000000);		/* I flag */
		put32(f, 0x00123400);		/* VNI 0x1234 */
		break;
	case W_ERSPAN1:
		put16(f, 0);
		put16(f, 0x88be);
		break;
	case W_ERSPAN2:
		put16(f, 0x1000);
		put16(f, 0x88be);
		put32(f, 99);
		put_erspan2(f, vlan, vlan ? 2 : 0);
		break;
	case W_ERSPAN3:
	case W_ERSPAN3_O:
		put16(f, 0x1000);
		put16(f, 0x22eb);
		put32(f, 99);
		put_erspan3(f, vlan, w == W_ERSPAN3_O);
		break;
	default:
		put16(f, 0);
		put16(f, 0x6558);
		break;
	}
}

/* Outer Ethernet (tagged outer_vid if nonzero) / IP of family / tunnel w / in. Returns the inner frame's offset. */
static uint32_t wrap_frame(struct fb *f, int family, enum wrap w, const struct fb *in, unsigned outer_vid,
			   unsigned erspan_vlan)
{
	unsigned ip_type = family == 4 ? ETH_IPV4 : ETH_IPV6;

	put_eth(f, outer_vid ? 0x8100 : ip_type);
	if (outer_vid)
		put_vlan(f, outer_vid, ip_type);
	put_ip(f, family, family == 4 ? out4_a : out6_a, family == 4 ? out4_b : out6_b,
	       w == W_VXLAN ? PROTO_UDP : PROTO_GRE, wrap_len(w) + in->n, 64);
	put_tunnel(f, w, in->n, erspan_vlan);
	put_bytes(f, in->b, in->n);
	return f->n - in->n;
}

/* Decode len bytes of f from an exactly sized heap copy, so ASan sees any overread. */
static uint8_t *heap;
static struct packet pkt;

static enum decode_error dec_len(const struct fb *f, uint32_t len, unsigned flags)
{
	free(heap);
	heap = malloc(len ? len : 1);
	cr_assert_not_null(heap);
	memcpy(heap, f->b, len);
	memset(&pkt, 0, sizeof(pkt));
	pkt.wire_len = f->n;
	pkt.cap_len = len;
	return decode_frame_ex(DLT_EN10MB, len ? heap : NULL, len, &pkt, flags);
}

static enum decode_error dec(const struct fb *f) { return dec_len(f, f->n, 0); }

static void fini(void) { free(heap); heap = NULL; }

#define assert_err(got, want) \
	cr_assert_eq((got), (want), "got %s, want %s", decode_error_name(got), decode_error_name(want))

static void assert_addrs(const struct tuple *t, int family, const uint8_t *a, const uint8_t *b)
{
	cr_assert_eq(t->family, family);
	cr_assert_arr_eq(t->src, a, family == 4 ? 4 : 16);
	cr_assert_arr_eq(t->dst, b, family == 4 ? 4 : 16);
}

/* ---- each encapsulation, IPv4 and IPv6 outside, TCP and UDP inside ---- */

TestSuite(decode_tunnel, .fini = fini);

struct wrap_case {
	enum wrap w;
	int outer;
};

ParameterizedTestParameters(decode_tunnel, opens_to_the_inner_flow)
{
	static struct wrap_case cases[W_COUNT * 2];

	for (int w = 0; w < W_COUNT; w++) {
		cases[2 * w] = (struct wrap_case){ (enum wrap)w, 4 };
		cases[2 * w + 1] = (struct wrap_case){ (enum wrap)w, 6 };
	}
	return cr_make_param_array(struct wrap_case, cases, W_COUNT * 2);
}

ParameterizedTest(struct wrap_case *wc, decode_tunnel, opens_to_the_inner_flow)
{
	static const struct inner_spec inners[] = { { 4, PROTO_TCP, 0, { 0 } }, { 6, PROTO_UDP, 0, { 0 } },
						    { 6, PROTO_TCP, 0, { 0 } }, { 4, PROTO_UDP, 0, { 0 } } };

	for (size_t i = 0; i < sizeof(inners) / sizeof(inners[0]); i++) {
		const struct inner_spec *s = &inners[i];
		struct fb in = { .n = 0 }, f = { .n = 0 };
		uint32_t inner_at, ip_at;

		build_inner(&in, s);
		inner_at = wrap_frame(&f, wc->outer, wc->w, &in, 0, 0);
		ip_at = inner_at + 14;
		assert_err(dec(&f), DECODE_OK);
		cr_assert_eq(pkt.tunnel, wrap_tunnel[wc->w], "wrap %d", wc->w);
		assert_addrs(&pkt.t, s->family, s->family == 4 ? in4_a : in6_a, s->family == 4 ? in4_b : in6_b);
		cr_assert_eq(pkt.t.proto, s->proto);
		cr_assert_eq(pkt.t.sport, s->proto == PROTO_TCP ? 40001 : 40002);
		cr_assert_eq(pkt.t.dport, s->proto == PROTO_TCP ? 1494 : 2598);
		cr_assert(pkt.has_l4);
		cr_assert_eq(pkt.ttl, 61);
		cr_assert_eq(pkt.ip_len, in.n - 14);
		cr_assert_eq(pkt.l4_payload_len, 5);
		cr_assert_eq(pkt.payload, heap + f.n - 5);
		cr_assert_eq(pkt.payload_cap, 5);
		cr_assert_eq(pkt.l3, heap + ip_at, "l3 must be the inner IP header");
		cr_assert_eq(pkt.l3_cap, in.n - 14);
		cr_assert_eq(pkt.vlan_count, 0);
		cr_assert_eq(pkt.wire_len, f.n);
		cr_assert_eq(pkt.cap_len, f.n);
		/* The outer datagram: the mirror transport's flow. */
		cr_assert(pkt.outer.valid);
		cr_assert(pkt.outer.mirror);
		assert_addrs(&pkt.outer.t, wc->outer, wc->outer == 4 ? out4_a : out6_a, wc->outer == 4 ? out4_b : out6_b);
		cr_assert_eq(pkt.outer.t.proto, wc->w == W_VXLAN ? PROTO_UDP : PROTO_GRE);
		cr_assert_eq(pkt.outer.t.sport, wc->w == W_VXLAN ? 54321 : 0);
		cr_assert_eq(pkt.outer.t.dport, wc->w == W_VXLAN ? 4789 : 0);
		cr_assert_eq(pkt.outer.ttl, 64);
		cr_assert_eq(pkt.outer.ip_len, f.n - 14);
		cr_assert_eq(pkt.outer.l4_payload_len, wc->w == W_VXLAN ? 8 + in.n : 0);
	}
}

ParameterizedTestParameters(decode_tunnel, no_decap_keeps_the_outer_flow)
{
	static struct wrap_case cases[W_COUNT * 2];

	for (int w = 0; w < W_COUNT; w++) {
		cases[2 * w] = (struct wrap_case){ (enum wrap)w, 4 };
		cases[2 * w + 1] = (struct wrap_case){ (enum wrap)w, 6 };
	}
	return cr_make_param_array(struct wrap_case, cases, W_COUNT * 2);
}

ParameterizedTest(struct wrap_case *wc, decode_tunnel, no_decap_keeps_the_outer_flow)
{
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };
	struct fb in = { .n = 0 }, f = { .n = 0 };
	uint32_t ip_at;

	build_inner(&in, &s);
	wrap_frame(&f, wc->outer, wc->w, &in, 0, 0);
	ip_at = 14;
	if (wc->w == W_VXLAN) {
		assert_err(dec_len(&f, f.n, DECODE_F_NO_DECAP), DECODE_OK);
		cr_assert_eq(pkt.t.proto, PROTO_UDP);
		cr_assert_eq(pkt.t.sport, 54321);
		cr_assert_eq(pkt.t.dport, 4789);
		cr_assert_eq(pkt.l4_payload_len, 8 + in.n);
	} else {
		assert_err(dec_len(&f, f.n, DECODE_F_NO_DECAP), DECODE_OTHER_PROTO);
		cr_assert_eq(pkt.t.proto, PROTO_GRE);
		cr_assert_eq(pkt.t.sport, 0);
	}
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
	assert_addrs(&pkt.t, wc->outer, wc->outer == 4 ? out4_a : out6_a, wc->outer == 4 ? out4_b : out6_b);
	cr_assert_eq(pkt.ttl, 64);
	cr_assert_eq(pkt.l3, heap + ip_at);
	cr_assert_eq(pkt.l3_cap, f.n - 14);
	/* decode_frame is decode_frame_ex without flags: it opens the tunnel. */
	memset(&pkt, 0, sizeof(pkt));
	pkt.wire_len = f.n;
	assert_err(decode_frame(DLT_EN10MB, heap, f.n, &pkt), DECODE_OK);
	cr_assert_eq(pkt.tunnel, wrap_tunnel[wc->w]);
}

Test(decode_tunnel, plain_frames_have_l3_at_their_ip_header)
{
	struct fb f = { .n = 0 };
	static const struct inner_spec s = { 6, PROTO_UDP, 1, { 5 } };

	build_inner(&f, &s);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
	cr_assert_eq(pkt.l3, heap + 18);
	cr_assert_eq(pkt.l3_cap, 40 + 8 + 5);
}

Test(decode_tunnel, l3_cap_stops_at_the_datagram_end_and_the_capture)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };

	build_inner(&in, &s);
	wrap_frame(&f, 4, W_ERSPAN2, &in, 0, 0);
	put_fill(&f, 4, 0);	/* trailing bytes past the outer datagram (padding) */
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.l3_cap, 20 + 20 + 5);
	assert_err(dec_len(&f, f.n - 4 - 3, 0), DECODE_OK);
	cr_assert_eq(pkt.l3_cap, 20 + 20 + 2);
	cr_assert_eq(pkt.ip_len, 45);
}

/* ---- VLAN tags ---- */

Test(decode_tunnel, inner_tags_replace_the_transport_tags)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 1, { 20 } };

	build_inner(&in, &s);
	wrap_frame(&f, 4, W_VXLAN, &in, 10, 0);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.vlan_count, 1);
	cr_assert_eq(pkt.vlan, 20);
	cr_assert_eq(pkt.l3, heap + f.n - in.n + 18);
}

Test(decode_tunnel, inner_qinq_sets_both_ids)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 6, PROTO_UDP, 2, { 200, 100 } };

	build_inner(&in, &s);
	wrap_frame(&f, 6, W_GRE_ETH, &in, 10, 0);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.vlan_count, 2);
	cr_assert_eq(pkt.vlan, 200);
	cr_assert_eq(pkt.inner_vlan, 100);
}

Test(decode_tunnel, untagged_inner_frame_keeps_the_transport_tags)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_UDP, 0, { 0 } };

	build_inner(&in, &s);
	wrap_frame(&f, 4, W_VXLAN, &in, 10, 0);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.vlan_count, 1);
	cr_assert_eq(pkt.vlan, 10);
}

Test(decode_tunnel, erspan_names_the_vlan_of_a_stripped_tag)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } }, tagged = { 4, PROTO_TCP, 1, { 50 } };

	build_inner(&in, &s);
	wrap_frame(&f, 4, W_ERSPAN2, &in, 10, 30);	/* En 2: originally 802.1Q, VLAN 30 */
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.vlan_count, 1);
	cr_assert_eq(pkt.vlan, 30);

	f.n = 0;
	wrap_frame(&f, 6, W_ERSPAN3_O, &in, 0, 40);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.vlan_count, 1);
	cr_assert_eq(pkt.vlan, 40);

	/* The frame's own tag wins over the header's VLAN field. */
	in.n = f.n = 0;
	build_inner(&in, &tagged);
	wrap_frame(&f, 4, W_ERSPAN3, &in, 10, 40);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.vlan, 50);
}

Test(decode_tunnel, erspan2_untagged_en_ignores_the_vlan_field)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };

	build_inner(&in, &s);
	wrap_frame(&f, 4, W_ERSPAN2, &in, 0, 0);
	f.b[14 + 20 + 8] = 0x10;	/* version 1, VLAN 0x0... */
	f.b[14 + 20 + 9] = 77;		/* VLAN 77 with En 0: originally untagged */
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.vlan_count, 0);
}

/* ---- what is not opened ---- */

Test(decode_tunnel, tunnel_in_tunnel_is_not_opened_again)
{
	struct fb in = { .n = 0 }, mid = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };

	build_inner(&in, &s);
	wrap_frame(&mid, 4, W_VXLAN, &in, 0, 0);
	wrap_frame(&f, 6, W_ERSPAN3, &mid, 0, 0);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_ERSPAN3);
	assert_addrs(&pkt.t, 4, out4_a, out4_b);
	cr_assert_eq(pkt.t.proto, PROTO_UDP);
	cr_assert_eq(pkt.t.dport, 4789);
	cr_assert_eq(pkt.l3, heap + f.n - mid.n + 14);

	/* GRE inside VXLAN: the middle GRE packet is tracked by address, as any GRE. */
	mid.n = f.n = 0;
	wrap_frame(&mid, 6, W_GRE_ETH, &in, 0, 0);
	wrap_frame(&f, 4, W_VXLAN, &mid, 0, 0);
	assert_err(dec(&f), DECODE_OTHER_PROTO);
	cr_assert_eq(pkt.tunnel, TUNNEL_VXLAN);
	assert_addrs(&pkt.t, 6, out6_a, out6_b);
	cr_assert_eq(pkt.t.proto, PROTO_GRE);
}

Test(decode_tunnel, vxlan_without_the_i_flag_is_plain_udp)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };

	build_inner(&in, &s);
	wrap_frame(&f, 4, W_VXLAN, &in, 0, 0);
	f.b[14 + 20 + 8] = 0;
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
	cr_assert_eq(pkt.t.dport, 4789);
	assert_addrs(&pkt.t, 4, out4_a, out4_b);
}

Test(decode_tunnel, udp_to_4789_too_short_for_vxlan_is_plain_udp)
{
	struct fb f = { .n = 0 };

	put_eth(&f, ETH_IPV4);
	put_ip(&f, 4, out4_a, out4_b, PROTO_UDP, 8 + 21, 64);
	put_udp(&f, 1, 4789, 21);
	put32(&f, 0x08000000);
	put_fill(&f, 17, 0);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
	cr_assert_eq(pkt.l4_payload_len, 21);
}

Test(decode_tunnel, other_gre_payloads_and_versions_are_not_opened)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };
	const uint32_t gre = 14 + 20;

	build_inner(&in, &s);
	wrap_frame(&f, 4, W_GRE_ETH, &in, 0, 0);
	f.b[gre + 2] = 0x08, f.b[gre + 3] = 0x00;	/* 'IPv4' in GRE, but an Ethernet frame follows */
	assert_err(dec(&f), DECODE_OTHER_PROTO);
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
	assert_addrs(&pkt.t, 4, out4_a, out4_b);

	f.b[gre + 2] = 0x65, f.b[gre + 3] = 0x58;
	f.b[gre + 1] = 0x01;				/* version 1 (PPTP) */
	assert_err(dec(&f), DECODE_OTHER_PROTO);
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
	f.b[gre + 1] = 0x00;
	f.b[gre] = 0x40;				/* RFC 1701 routing present */
	assert_err(dec(&f), DECODE_OTHER_PROTO);
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
	f.b[gre] = 0x00;
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_GRE_ETH);
}

Test(decode_tunnel, erspan_of_unknown_version_is_not_opened)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };

	build_inner(&in, &s);
	wrap_frame(&f, 4, W_ERSPAN2, &in, 0, 0);
	f.b[14 + 20 + 8] = 0x30;
	assert_err(dec(&f), DECODE_OTHER_PROTO);
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
	cr_assert_eq(pkt.t.proto, PROTO_GRE);
}

Test(decode_tunnel, gre_optional_fields_are_skipped)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 6, PROTO_TCP, 0, { 0 } };

	build_inner(&in, &s);
	put_eth(&f, ETH_IPV4);
	put_ip(&f, 4, out4_a, out4_b, PROTO_GRE, 16 + in.n, 64);
	put16(&f, 0xb000);	/* C, K, S */
	put16(&f, 0x6558);
	put32(&f, 0xdead0000);	/* checksum, reserved1 */
	put32(&f, 42);		/* key */
	put32(&f, 7);		/* sequence number */
	put_bytes(&f, in.b, in.n);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_GRE_ETH);
	assert_addrs(&pkt.t, 6, in6_a, in6_b);
	cr_assert_eq(pkt.l3, heap + 14 + 20 + 16 + 14);
}

Test(decode_tunnel, outer_fragment_is_not_opened)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };

	build_inner(&in, &s);
	wrap_frame(&f, 4, W_VXLAN, &in, 0, 0);
	f.b[14 + 6] = 0x20;	/* MF: a first fragment */
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
	cr_assert(pkt.fragment);
	cr_assert_eq(pkt.t.dport, 4789);
}

Test(decode_tunnel, inner_arp_is_not_ip)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };

	put_eth(&in, ETH_ARP);
	put_fill(&in, 28, 0);
	wrap_frame(&f, 4, W_ERSPAN3, &in, 0, 0);
	assert_err(dec(&f), DECODE_NOT_IP);
	cr_assert_eq(pkt.tunnel, TUNNEL_ERSPAN3);
	cr_assert_null(pkt.l3);
}

Test(decode_tunnel, inner_zero_total_length_uses_the_tunnel_length)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };
	uint32_t at;

	build_inner(&in, &s);
	at = wrap_frame(&f, 4, W_VXLAN, &in, 0, 0) + 14;
	f.b[at + 2] = f.b[at + 3] = 0;	/* offload left the inner total length 0 */
	put_fill(&f, 6, 0);		/* outer Ethernet padding: not the inner packet's */
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.ip_len, in.n - 14);
	cr_assert_eq(pkt.l4_payload_len, 5);
}

/*
 * A mirror may cut the frames it sends (ERSPAN's T bit, truncation to an
 * MTU): the inner datagram is then longer than its frame, like a snaplen
 * cut, and counts in full. The outer datagram has no such excuse.
 */
Test(decode_tunnel, an_inner_frame_cut_by_the_mirror_keeps_its_lengths_an_outer_lie_does_not)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };
	uint32_t outer_ip = 14;

	build_inner(&in, &s);
	in.b[14 + 2] = (20 + 20 + 1405) >> 8;	/* the inner datagram had 1405 payload bytes, 5 are here */
	in.b[14 + 3] = (20 + 20 + 1405) & 0xff;
	wrap_frame(&f, 4, W_ERSPAN2, &in, 0, 0);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_ERSPAN2);
	cr_assert_eq(pkt.ip_len, 1445);
	cr_assert_eq(pkt.l4_payload_len, 1405);
	cr_assert_eq(pkt.payload_cap, 5);
	f.b[outer_ip + 2] = 0x05;		/* the outer total length claims 1500: more than the frame had */
	f.b[outer_ip + 3] = 0xdc;
	assert_err(dec(&f), DECODE_IPV4_BAD_LENGTH);
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
}

Test(decode_tunnel, truncated_is_a_named_error)
{
	cr_assert_str_eq(decode_error_name(DECODE_TUNNEL_TRUNCATED), "tunnel-truncated");
}

/* ---- every prefix of a VXLAN and an ERSPAN III frame ---- */

struct bound {
	uint32_t len;
	enum decode_error err;
};

struct trunc_case {
	int kind;
	struct bound b[10];
	int nb;
	uint32_t l3_at;		/* offset of the inner IP header */
};

/* Kind 0: Eth / IPv4 / UDP / VXLAN / Eth / IPv4 / TCP / 5 bytes. Kind 1: Eth / IPv6 / GRE / ERSPAN III+O / Eth / VLAN / IPv6 / UDP / 5. */
static void build_trunc(int kind, struct fb *f)
{
	struct fb in = { .n = 0 };
	static const struct inner_spec s0 = { 4, PROTO_TCP, 0, { 0 } }, s1 = { 6, PROTO_UDP, 1, { 9 } };

	build_inner(&in, kind == 0 ? &s0 : &s1);
	wrap_frame(f, kind == 0 ? 4 : 6, kind == 0 ? W_VXLAN : W_ERSPAN3_O, &in, 0, 0);
}

ParameterizedTestParameters(decode_tunnel, every_prefix)
{
	static struct trunc_case cases[] = {
		{ 0, { { 14, DECODE_LINK_TRUNCATED }, { 34, DECODE_IPV4_TRUNCATED }, { 42, DECODE_UDP_TRUNCATED },
		       { 50, DECODE_TUNNEL_TRUNCATED }, { 64, DECODE_TUNNEL_TRUNCATED },
		       { 84, DECODE_IPV4_TRUNCATED }, { 104, DECODE_TCP_TRUNCATED } }, 7, 64 },
		/* A GRE header cut before its protocol type is any GRE packet: other-proto, the outer flow. */
		{ 1, { { 14, DECODE_LINK_TRUNCATED }, { 54, DECODE_IPV6_TRUNCATED }, { 58, DECODE_OTHER_PROTO },
		       { 62, DECODE_TUNNEL_TRUNCATED }, { 74, DECODE_TUNNEL_TRUNCATED },
		       { 82, DECODE_TUNNEL_TRUNCATED }, { 96, DECODE_TUNNEL_TRUNCATED },
		       { 100, DECODE_VLAN_TRUNCATED }, { 140, DECODE_IPV6_TRUNCATED },
		       { 148, DECODE_UDP_TRUNCATED } }, 10, 100 },
	};

	return cr_make_param_array(struct trunc_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct trunc_case *tc, decode_tunnel, every_prefix, .fini = fini)
{
	struct fb f = { .n = 0 };
	struct packet whole;

	build_trunc(tc->kind, &f);
	assert_err(dec(&f), DECODE_OK);
	whole = pkt;
	for (uint32_t len = 0; len <= f.n; len++) {
		enum decode_error want = DECODE_OK, got = dec_len(&f, len, 0);

		for (int i = tc->nb - 1; i >= 0; i--)
			if (len < tc->b[i].len)
				want = tc->b[i].err;
		cr_assert_eq(got, want, "kind %d len %u: got %s, want %s", tc->kind, len,
			     decode_error_name(got), decode_error_name(want));
		/* Until the inner frame is reached, pkt still describes the outer packet. */
		cr_assert_eq(pkt.tunnel != TUNNEL_NONE, len >= tc->l3_at - (tc->kind ? 4 : 0),
			     "kind %d len %u", tc->kind, len);
		cr_assert(!pkt.l3 || (pkt.l3 >= heap && pkt.l3 + pkt.l3_cap <= heap + len));
		if (want != DECODE_OK)
			continue;
		cr_assert(pkt.has_l4);
		cr_assert_eq(pkt.l3, heap + tc->l3_at, "len %u", len);
		cr_assert_eq(pkt.ip_len, whole.ip_len, "len %u", len);
		cr_assert_eq(pkt.l4_payload_len, whole.l4_payload_len, "len %u", len);
		cr_assert(!pkt.payload || (pkt.payload >= heap && pkt.payload + pkt.payload_cap <= heap + len));
	}
}

/* ---- tunnels that carry IP packets ---- */

/* How the IP packet is carried. */
enum iwrap {
	I_IPIP,		/* IP protocol 4 or 41 */
	I_GRE_IP,	/* GRE with a key, 0x0800 / 0x86dd */
	I_GRE_MPLS,	/* GRE 0x8847, one label */
	I_PPTP,		/* PPTP GRE with sequence and ack, ff 03, 2-byte PPP protocol */
	I_PPTP_SHORT,	/* PPTP GRE with the key only, no address/control, 1-byte protocol */
	I_GENEVE,	/* GENEVE with one 8-byte option, protocol type 0x0800 / 0x86dd */
	I_TEREDO,	/* Teredo, the IPv6 packet alone */
	I_TEREDO_IND,	/* Teredo with the authentication indicator and the origin indication */
	I_AYIYA,	/* AYIYA forward, 16-byte identity, 20-byte signature */
	I_GTPU,		/* GTP-U G-PDU, 8-byte header */
	I_GTPU_EXT,	/* GTP-U G-PDU with the optional fields and a PDU session container */
	I_COUNT
};

static const uint8_t iwrap_tunnel[I_COUNT] = {
	[I_IPIP] = TUNNEL_IPIP,	     [I_GRE_IP] = TUNNEL_GRE_IP,     [I_GRE_MPLS] = TUNNEL_GRE_IP,
	[I_PPTP] = TUNNEL_GRE_IP,     [I_PPTP_SHORT] = TUNNEL_GRE_IP, [I_GENEVE] = TUNNEL_GENEVE,
	[I_TEREDO] = TUNNEL_TEREDO,   [I_TEREDO_IND] = TUNNEL_TEREDO, [I_AYIYA] = TUNNEL_AYIYA,
	[I_GTPU] = TUNNEL_GTPU,	     [I_GTPU_EXT] = TUNNEL_GTPU,
};

/* Outer UDP ports of the UDP tunnels (0: an IP-protocol tunnel). */
static const uint16_t iwrap_sport[I_COUNT] = {
	[I_GENEVE] = 50001, [I_TEREDO] = 50002, [I_TEREDO_IND] = 3544, [I_AYIYA] = 50003, [I_GTPU] = 2152,
	[I_GTPU_EXT] = 2152,
};
static const uint16_t iwrap_dport[I_COUNT] = {
	[I_GENEVE] = 6081, [I_TEREDO] = 3544, [I_TEREDO_IND] = 50002, [I_AYIYA] = 5072, [I_GTPU] = 2152,
	[I_GTPU_EXT] = 2152,
};

static bool iwrap_udp(enum iwrap w) { return iwrap_dport[w] != 0; }

/* The carried packet: IP / TCP or UDP / 5 payload bytes, TTL 61. */
static void build_inner_ip(struct fb *f, int family, unsigned proto)
{
	const uint8_t *a = family == 4 ? in4_a : in6_a, *b = family == 4 ? in4_b : in6_b;

	put_ip(f, family, a, b, proto, (proto == PROTO_TCP ? 20 : 8) + 5, 61);
	if (proto == PROTO_TCP)
		put_tcp(f, 40001, 1494);
	else
		put_udp(f, 40002, 2598, 5);
	put_fill(f, 5, 'p');
}

/* The tunnel header for w around in (family inner), without the outer UDP header. */
static void put_itunnel(struct fb *f, enum iwrap w, int inner, const struct fb *in)
{
	unsigned ip_type = inner == 4 ? ETH_IPV4 : ETH_IPV6;

	switch (w) {
	case I_IPIP:
	case I_TEREDO:
		break;
	case I_GRE_IP:
		put16(f, 0x2000);		/* K */
		put16(f, ip_type);
		put32(f, 0xabcdef01);
		break;
	case I_GRE_MPLS:
		put16(f, 0);
		put16(f, 0x8847);
		put32(f, 1000u << 12 | 1u << 8 | 64);	/* label 1000, bottom of stack, TTL 64 */
		break;
	case I_PPTP:
		put16(f, 0x3081);		/* K S A, version 1 */
		put16(f, 0x880b);
		put16(f, 4 + in->n);		/* payload length: ff 03, protocol, the packet */
		put16(f, 0x4242);		/* call id */
		put32(f, 7);			/* sequence */
		put32(f, 6);			/* acknowledgment */
		put16(f, 0xff03);
		put16(f, inner == 4 ? 0x0021 : 0x0057);
		break;
	case I_PPTP_SHORT:
		put16(f, 0x2001);		/* K, version 1 */
		put16(f, 0x880b);
		put16(f, 1 + in->n);
		put16(f, 0x4242);
		put8(f, inner == 4 ? 0x21 : 0x57);
		break;
	case I_GENEVE:
		put8(f, 2);			/* version 0, 2 words of options */
		put8(f, 0);
		put16(f, ip_type);
		put32(f, 0x00123400);		/* VNI 0x1234 */
		put16(f, 0x0102);		/* option class */
		put8(f, 0x03);			/* type */
		put8(f, 1);			/* 1 word of data */
		put32(f, 0xdeadbeef);
		break;
	case I_TEREDO_IND:
		put16(f, 1);			/* authentication: id 2 bytes, value 3 bytes */
		put8(f, 2);
		put8(f, 3);
		put_fill(f, 5, 0xaa);
		put32(f, 0x01020304);		/* nonce */
		put32(f, 0x05060708);
		put8(f, 0);			/* confirmation */
		put16(f, 0);			/* origin indication */
		put16(f, 0xffff ^ 40000);
		put32(f, 0xffffffffu ^ 0xc6120001u);
		break;
	case I_AYIYA:
		put8(f, 0x41);			/* identity 2^4 bytes, type 1 */
		put8(f, 0x52);			/* signature 5 words, SHA-1 */
		put8(f, 0x11);			/* auth 1, op 1 forward */
		put8(f, inner == 4 ? 4 : 41);
		put32(f, 1700000000);
		put_fill(f, 16, 0x11);
		put_fill(f, 20, 0x22);
		break;
	case I_GTPU:
		put8(f, 0x30);			/* version 1, PT */
		put8(f, 0xff);
		put16(f, in->n);
		put32(f, 0x11223344);
		break;
	case I_GTPU_EXT:
		put8(f, 0x34);			/* version 1, PT, E */
		put8(f, 0xff);
		put16(f, 4 + 4 + in->n);
		put32(f, 0x11223344);
		put16(f, 0);			/* sequence */
		put8(f, 0);			/* N-PDU */
		put8(f, 0x85);			/* PDU session container */
		put8(f, 1);			/* 1 word */
		put16(f, 0x0009);		/* DL, QFI 9 */
		put8(f, 0);			/* no next extension */
		break;
	default:
		break;
	}
}

/* Outer Ethernet / IP of family outer / (UDP) / tunnel w / in. Returns the inner IP header's offset. */
static uint32_t iwrap_frame(struct fb *f, int outer, enum iwrap w, int inner, const struct fb *in)
{
	struct fb t = { .n = 0 };
	unsigned proto = PROTO_GRE;

	put_itunnel(&t, w, inner, in);
	if (iwrap_udp(w))
		proto = PROTO_UDP;
	else if (w == I_IPIP)
		proto = inner == 4 ? 4 : 41;
	put_eth(f, outer == 4 ? ETH_IPV4 : ETH_IPV6);
	put_ip(f, outer, outer == 4 ? out4_a : out6_a, outer == 4 ? out4_b : out6_b, proto,
	       (iwrap_udp(w) ? 8 : 0) + t.n + in->n, 64);
	if (iwrap_udp(w))
		put_udp(f, iwrap_sport[w], iwrap_dport[w], t.n + in->n);
	put_bytes(f, t.b, t.n);
	put_bytes(f, in->b, in->n);
	return f->n - in->n;
}

struct iwrap_case {
	enum iwrap w;
	int outer;
	int inner;
	unsigned proto;
};

static struct iwrap_case icases[I_COUNT * 8];

static size_t make_icases(void)
{
	size_t n = 0;

	for (int w = 0; w < I_COUNT; w++)
		for (int o = 4; o <= 6; o += 2)
			for (int i = 4; i <= 6; i += 2) {
				if ((w == I_TEREDO || w == I_TEREDO_IND) && i == 4)
					continue;	/* Teredo carries IPv6 only */
				icases[n++] = (struct iwrap_case){ (enum iwrap)w, o, i, (o == i) ? PROTO_TCP : PROTO_UDP };
			}
	return n;
}

ParameterizedTestParameters(decode_tunnel, ip_tunnels_open_to_the_inner_flow)
{
	size_t n = make_icases();

	return cr_make_param_array(struct iwrap_case, icases, n);
}

ParameterizedTest(struct iwrap_case *ic, decode_tunnel, ip_tunnels_open_to_the_inner_flow)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	uint32_t ip_at;

	build_inner_ip(&in, ic->inner, ic->proto);
	ip_at = iwrap_frame(&f, ic->outer, ic->w, ic->inner, &in);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, iwrap_tunnel[ic->w], "wrap %d", ic->w);
	assert_addrs(&pkt.t, ic->inner, ic->inner == 4 ? in4_a : in6_a, ic->inner == 4 ? in4_b : in6_b);
	cr_assert_eq(pkt.t.proto, ic->proto);
	cr_assert_eq(pkt.t.dport, ic->proto == PROTO_TCP ? 1494 : 2598);
	cr_assert(pkt.has_l4);
	cr_assert_eq(pkt.ttl, 61);
	cr_assert_eq(pkt.ip_len, in.n);
	cr_assert_eq(pkt.l4_payload_len, 5);
	cr_assert_eq(pkt.l3, heap + ip_at);
	cr_assert_eq(pkt.payload, heap + f.n - 5);
	cr_assert(pkt.outer.valid);
	cr_assert(!pkt.outer.mirror, "wrap %d carries IP", ic->w);
	assert_addrs(&pkt.outer.t, ic->outer, ic->outer == 4 ? out4_a : out6_a, ic->outer == 4 ? out4_b : out6_b);
	cr_assert_eq(pkt.outer.t.proto, iwrap_udp(ic->w) ? PROTO_UDP : ic->w == I_IPIP ? (ic->inner == 4 ? 4 : 41)
											 : PROTO_GRE);
	cr_assert_eq(pkt.outer.t.sport, iwrap_sport[ic->w]);
	cr_assert_eq(pkt.outer.t.dport, iwrap_dport[ic->w]);
	cr_assert_eq(pkt.outer.ttl, 64);
	cr_assert_eq(pkt.outer.ip_len, f.n - 14);
	cr_assert_eq(pkt.outer.l4_payload_len, iwrap_udp(ic->w) ? f.n - 14 - (ic->outer == 4 ? 20 : 40) - 8 : 0);

	/* --no-decap: the outer datagram is the flow. */
	assert_err(dec_len(&f, f.n, DECODE_F_NO_DECAP), iwrap_udp(ic->w) ? DECODE_OK : DECODE_OTHER_PROTO);
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
	cr_assert(!pkt.outer.valid);
	assert_addrs(&pkt.t, ic->outer, ic->outer == 4 ? out4_a : out6_a, ic->outer == 4 ? out4_b : out6_b);
}

/*
 * Every prefix: cut before the tunnel header is the outer layer's error
 * (a GRE header cut before its protocol type is other-proto); cut in the
 * tunnel header or the inner fixed IP header, tunnel-truncated with pkt
 * still the outer packet; after, the inner packet's own errors.
 */
ParameterizedTestParameters(decode_tunnel, ip_tunnels_every_prefix)
{
	size_t n = make_icases();

	return cr_make_param_array(struct iwrap_case, icases, n);
}

ParameterizedTest(struct iwrap_case *ic, decode_tunnel, ip_tunnels_every_prefix, .fini = fini)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	uint32_t ip_at, l4_at, tun_at, inner_hdr, inner_l4;

	build_inner_ip(&in, ic->inner, ic->proto);
	ip_at = iwrap_frame(&f, ic->outer, ic->w, ic->inner, &in);
	l4_at = 14 + (ic->outer == 4 ? 20 : 40);
	tun_at = l4_at + (iwrap_udp(ic->w) ? 8 : ic->w == I_IPIP ? 0 : 4);
	inner_hdr = ip_at + (ic->inner == 4 ? 20 : 40);
	inner_l4 = inner_hdr + (ic->proto == PROTO_TCP ? 20 : 8);
	for (uint32_t len = 0; len <= f.n; len++) {
		enum decode_error got = dec_len(&f, len, 0);

		cr_assert(!pkt.l3 || (pkt.l3 >= heap && pkt.l3 + pkt.l3_cap <= heap + len));
		cr_assert(!pkt.payload || (pkt.payload >= heap && pkt.payload + pkt.payload_cap <= heap + len));
		if (len < l4_at) {
			cr_assert_neq(got, DECODE_OK);
			cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
		} else if (len < tun_at) {
			assert_err(got, iwrap_udp(ic->w) ? DECODE_UDP_TRUNCATED : DECODE_OTHER_PROTO);
			cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
		} else if (ic->w == I_GRE_MPLS && len < inner_hdr) {
			/* The GRE header is whole: the tunnel is open, the label stack and IP are its payload's. */
			assert_err(got, len <= ip_at ? DECODE_MPLS_TRUNCATED
						    : ic->inner == 4 ? DECODE_IPV4_TRUNCATED : DECODE_IPV6_TRUNCATED);
			cr_assert_eq(pkt.tunnel, TUNNEL_GRE_IP);
			cr_assert(pkt.outer.valid);
		} else if (len < inner_hdr) {
			cr_assert_eq(got, DECODE_TUNNEL_TRUNCATED, "wrap %d len %u: got %s", ic->w, len,
				     decode_error_name(got));
			cr_assert_eq(pkt.tunnel, TUNNEL_NONE);
			assert_addrs(&pkt.t, ic->outer, ic->outer == 4 ? out4_a : out6_a,
				     ic->outer == 4 ? out4_b : out6_b);
		} else {
			assert_err(got, len < inner_l4 ? (ic->proto == PROTO_TCP ? DECODE_TCP_TRUNCATED
										: DECODE_UDP_TRUNCATED)
						       : DECODE_OK);
			cr_assert_eq(pkt.tunnel, iwrap_tunnel[ic->w]);
			cr_assert(pkt.outer.valid);
		}
	}
}

/* Build wrap w (outer IPv4) around an inner packet of family inner; returns the tunnel header's offset. */
static uint32_t ibuild(struct fb *f, enum iwrap w, int inner, unsigned proto)
{
	struct fb in = { .n = 0 };

	build_inner_ip(&in, inner, proto);
	iwrap_frame(f, 4, w, inner, &in);
	return 14 + 20 + (iwrap_udp(w) ? 8 : 0);
}

/* Decode f; it must stay the outer datagram with result want. */
static void assert_closed(const struct fb *f, enum decode_error want, const char *what)
{
	enum decode_error got = dec(f);

	cr_assert_eq(got, want, "%s: got %s, want %s", what, decode_error_name(got), decode_error_name(want));
	cr_assert_eq(pkt.tunnel, TUNNEL_NONE, "%s", what);
	assert_addrs(&pkt.t, 4, out4_a, out4_b);
}

Test(decode_tunnel, ip_in_ip_whose_inner_length_does_not_fit_is_not_opened)
{
	struct fb f = { .n = 0 };
	uint32_t at = ibuild(&f, I_IPIP, 4, PROTO_TCP);

	f.b[at + 3] += 1;		/* inner total length one more than the outer payload */
	assert_closed(&f, DECODE_OTHER_PROTO, "inner too long");
	f.b[at + 3] -= 1;
	f.b[at] = 0x65;			/* protocol 4 carrying a version 6 nibble */
	assert_closed(&f, DECODE_OTHER_PROTO, "wrong version");
	f.b[at] = 0x44;			/* IHL 4 */
	assert_closed(&f, DECODE_OTHER_PROTO, "bad IHL");
	f.b[at] = 0x45;
	f.b[14 + 6] = 0x20;		/* outer MF: a fragment is not opened */
	assert_closed(&f, DECODE_OTHER_PROTO, "outer fragment");
	f.b[14 + 6] = 0x40;
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_IPIP);
}

Test(decode_tunnel, other_gre_payloads_are_noted)
{
	struct fb f = { .n = 0 };
	uint32_t at = ibuild(&f, I_GRE_IP, 4, PROTO_TCP);

	f.b[at + 2] = 0x08, f.b[at + 3] = 0x06;	/* ARP */
	assert_closed(&f, DECODE_OTHER_PROTO, "ARP in GRE");
	cr_assert_eq(pkt.not_ip, DECODE_NOT_IP_CODE(NOTIP_TUNNEL, 0x0806));
	f.b[at + 2] = 0x86, f.b[at + 3] = 0xdd;	/* says IPv6, carries IPv4 */
	assert_closed(&f, DECODE_OTHER_PROTO, "IPv4 named IPv6");
}

Test(decode_tunnel, pptp_without_an_ip_payload_is_not_opened)
{
	struct fb f = { .n = 0 };
	uint32_t at = ibuild(&f, I_PPTP, 4, PROTO_TCP);

	f.b[at + 18] = 0x80, f.b[at + 19] = 0xfd;	/* CCP: an MPPE-encrypted frame's protocol family */
	assert_closed(&f, DECODE_OTHER_PROTO, "CCP");
	cr_assert_eq(pkt.not_ip, DECODE_NOT_IP_CODE(NOTIP_PPP, 0x80fd));
	f.b[at + 18] = 0x00, f.b[at + 19] = 0x21;
	f.b[at + 4] = 0, f.b[at + 5] = 0;		/* payload length 0: an acknowledgment alone */
	assert_closed(&f, DECODE_OTHER_PROTO, "ack only");
	f.b[at + 4] = 0x7f;				/* payload longer than the datagram */
	assert_closed(&f, DECODE_OTHER_PROTO, "payload too long");
}

Test(decode_tunnel, geneve_other_versions_control_and_types_stay_udp)
{
	struct fb f = { .n = 0 };
	uint32_t at = ibuild(&f, I_GENEVE, 4, PROTO_TCP);

	f.b[at] = 0x42;				/* version 1 */
	assert_closed(&f, DECODE_OK, "version 1");
	f.b[at] = 0x02;
	f.b[at + 1] = 0x80;			/* O: a control message */
	assert_closed(&f, DECODE_OK, "control");
	f.b[at + 1] = 0;
	f.b[at] = 0x3f;				/* options longer than the datagram */
	assert_closed(&f, DECODE_OK, "options too long");
	f.b[at] = 0x02;
	f.b[at + 2] = 0x88, f.b[at + 3] = 0x47;	/* MPLS: not a GENEVE payload decode opens */
	assert_closed(&f, DECODE_OK, "MPLS");
	cr_assert_eq(pkt.not_ip, DECODE_NOT_IP_CODE(NOTIP_TUNNEL, 0x8847));
}

Test(decode_tunnel, geneve_ethernet_is_a_mirror)
{
	struct fb in = { .n = 0 }, f = { .n = 0 }, t = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };

	build_inner(&in, &s);
	put8(&t, 0);
	put8(&t, 0);
	put16(&t, 0x6558);
	put32(&t, 0x00000100);
	put_eth(&f, ETH_IPV4);
	put_ip(&f, 4, out4_a, out4_b, PROTO_UDP, 8 + t.n + in.n, 64);
	put_udp(&f, 50001, 6081, t.n + in.n);
	put_bytes(&f, t.b, t.n);
	put_bytes(&f, in.b, in.n);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_GENEVE);
	cr_assert(pkt.outer.mirror);
	cr_assert(pkt.outer.valid);
	assert_addrs(&pkt.t, 4, in4_a, in4_b);
	cr_assert_eq(pkt.outer.t.dport, 6081);
}

Test(decode_tunnel, teredo_bubbles_and_misfits_stay_udp)
{
	struct fb f = { .n = 0 }, b = { .n = 0 };
	uint32_t at = ibuild(&f, I_TEREDO, 6, PROTO_UDP);

	/* A bubble: IPv6, no next header, no payload. */
	put_eth(&b, ETH_IPV4);
	put_ip(&b, 4, out4_a, out4_b, PROTO_UDP, 8 + 40, 64);
	put_udp(&b, 50002, 3544, 40);
	put_ip(&b, 6, in6_a, in6_b, 59, 0, 255);
	assert_closed(&b, DECODE_OK, "bubble");

	/* The same bubble behind an origin indication: still a bubble. */
	b.n = 0;
	put_eth(&b, ETH_IPV4);
	put_ip(&b, 4, out4_a, out4_b, PROTO_UDP, 8 + 48, 64);
	put_udp(&b, 3544, 50002, 48);
	put16(&b, 0);
	put16(&b, 0x1234);
	put32(&b, 0x12345678);
	put_ip(&b, 6, in6_a, in6_b, 59, 0, 255);
	assert_closed(&b, DECODE_OK, "bubble with origin");

	f.b[at + 5] -= 1;	/* IPv6 payload length one short of the datagram: Zeek's payload length violation */
	assert_closed(&f, DECODE_OK, "length mismatch");
	f.b[at + 5] += 1;
	f.b[at] = 0x45;		/* IPv4 in Teredo */
	assert_closed(&f, DECODE_OK, "IPv4");
	f.b[at] = 0x60;
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_TEREDO);
}

Test(decode_tunnel, teredo_indicators_in_the_wrong_order_stay_udp)
{
	struct fb f = { .n = 0 };
	uint32_t at = ibuild(&f, I_TEREDO_IND, 6, PROTO_TCP);

	f.b[at + 1] = 0;		/* two origin indications would follow: the second "indication" is IPv6's */
	assert_closed(&f, DECODE_OK, "origin, then the auth's bytes");
	f.b[at + 1] = 1;
	f.b[at + 18 + 1] = 1;		/* an authentication indicator after the first */
	assert_closed(&f, DECODE_OK, "auth twice");
}

Test(decode_tunnel, ayiya_other_opcodes_and_next_headers_stay_udp)
{
	struct fb f = { .n = 0 };
	uint32_t at = ibuild(&f, I_AYIYA, 4, PROTO_TCP);

	f.b[at + 2] = 0x12;		/* echo request */
	assert_closed(&f, DECODE_OK, "echo request");
	f.b[at + 2] = 0x11;
	f.b[at + 3] = 59;		/* no next header */
	assert_closed(&f, DECODE_OK, "next header 59");
	f.b[at + 3] = 41;		/* says IPv6, carries IPv4 */
	assert_closed(&f, DECODE_OK, "wrong version");
	f.b[at + 3] = 4;
	f.b[at] = 0xf1;			/* identity of 32768 bytes */
	assert_closed(&f, DECODE_OK, "identity too long");
}

Test(decode_tunnel, gtpu_signalling_and_bad_extensions_stay_udp)
{
	struct fb f = { .n = 0 };
	uint32_t at = ibuild(&f, I_GTPU_EXT, 4, PROTO_TCP);

	f.b[at + 1] = 1;		/* echo request */
	assert_closed(&f, DECODE_OK, "echo");
	f.b[at + 1] = 0xff;
	f.b[at] = 0x24;			/* PT 0: GTP' */
	assert_closed(&f, DECODE_OK, "GTP'");
	f.b[at] = 0x54;			/* version 2 */
	assert_closed(&f, DECODE_OK, "GTPv2");
	f.b[at] = 0x34;
	f.b[at + 12] = 0;		/* extension header of length 0 */
	assert_closed(&f, DECODE_OK, "extension length 0");
	f.b[at + 12] = 1;
	f.b[at + 15] = 0x85;		/* another extension follows where the packet is */
	assert_closed(&f, DECODE_OK, "chain into the packet");
	f.b[at + 15] = 0;
	f.b[at + 3] += 1;		/* GTP length beyond the datagram */
	assert_closed(&f, DECODE_OK, "length");
	f.b[at + 3] -= 1;
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_GTPU);
}

Test(decode_tunnel, gtpu_extension_chain_is_bounded)
{
	struct fb f = { .n = 0 }, in = { .n = 0 };

	build_inner_ip(&in, 4, PROTO_UDP);
	put_eth(&f, ETH_IPV4);
	put_ip(&f, 4, out4_a, out4_b, PROTO_UDP, 8 + 12 + 9 * 4 + in.n, 64);
	put_udp(&f, 2152, 2152, 12 + 9 * 4 + in.n);
	put8(&f, 0x34);
	put8(&f, 0xff);
	put16(&f, 4 + 9 * 4 + in.n);
	put32(&f, 1);
	put16(&f, 0);
	put8(&f, 0);
	put8(&f, 0x85);
	for (int i = 0; i < 9; i++) {
		put8(&f, 1);
		put16(&f, 0);
		put8(&f, i < 8 ? 0x85 : 0);
	}
	put_bytes(&f, in.b, in.n);
	assert_closed(&f, DECODE_OK, "nine extension headers");
}

Test(decode_tunnel, udp_tunnels_answered_from_the_well_known_port_open)
{
	struct fb f = { .n = 0 };
	uint32_t at = ibuild(&f, I_AYIYA, 6, PROTO_UDP);

	/* The AYIYA server's answer: from 5072 to the client's port. */
	f.b[at - 8] = 5072 >> 8, f.b[at - 7] = 5072 & 0xff;
	f.b[at - 6] = 0xc3, f.b[at - 5] = 0x53;
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_AYIYA);
	cr_assert_eq(pkt.outer.t.sport, 5072);
	cr_assert_eq(pkt.outer.t.dport, 0xc353);
	/* GENEVE names only its destination port. */
	f.n = 0;
	at = ibuild(&f, I_GENEVE, 4, PROTO_UDP);
	f.b[at - 8] = 6081 >> 8, f.b[at - 7] = 6081 & 0xff;
	f.b[at - 6] = 0xc3, f.b[at - 5] = 0x53;
	assert_closed(&f, DECODE_OK, "GENEVE from 6081");
}

Test(decode_tunnel, erspan1_is_a_mirror_without_ports)
{
	struct fb in = { .n = 0 }, f = { .n = 0 };
	static const struct inner_spec s = { 4, PROTO_TCP, 0, { 0 } };

	build_inner(&in, &s);
	wrap_frame(&f, 4, W_ERSPAN1, &in, 0, 0);
	assert_err(dec(&f), DECODE_OK);
	cr_assert_eq(pkt.tunnel, TUNNEL_ERSPAN1);
	cr_assert(pkt.outer.mirror);
	cr_assert_eq(pkt.outer.t.proto, PROTO_GRE);
	cr_assert_eq(pkt.outer.t.sport, 0);
	cr_assert_eq(pkt.outer.l4_payload_len, 0);
	cr_assert_str_eq(decode_tunnel_name(pkt.tunnel), "erspan");
}
