/* test_decode_tunnel: VXLAN, ERSPAN I/II/III and GRE bridging opened to the mirrored frame */
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
	f.b[gre + 2] = 0x08, f.b[gre + 3] = 0x00;	/* IPv4 in GRE: not a mirror */
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
