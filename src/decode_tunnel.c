/* decode_tunnel: remote-mirror encapsulations (VXLAN, ERSPAN I/II/III, GRE bridging) opened to the mirrored frame */
#include <string.h>

#include "decode_internal.h"

/*
 * A remote SPAN delivers the mirrored frames inside a tunnel; the flows
 * worth auditing are the inner ones. Lengths from the headers decide what
 * a datagram is (too short by its own lengths: no tunnel, it stays the
 * outer flow); the capture only decides what is present (a tunnel cut in
 * its header or the inner Ethernet header is DECODE_TUNNEL_TRUNCATED). A
 * fragment of the outer datagram carries part of a frame and is not
 * opened. The inner frame is decoded with DECODE_F_NO_DECAP, so a tunnel
 * inside the tunnel is an ordinary flow. pkt->tunnel is set exactly when
 * pkt describes the inner packet; until then it still holds the outer one.
 */

enum { PROTO_GRE = 47 };	/* IANA protocol number */

/* Inner frames are Ethernet II (IEEE 802.3 clause 3.2.6): destination, source, EtherType. */
enum { INNER_ETH_HDR_LEN = 14 };

/* VXLAN (RFC 7348 section 5): outer UDP (RFC 768) to the IANA port, then 8 bytes. */
enum {
	UDP_HDR_LEN = 8,
	VXLAN_PORT = 4789,
	VXLAN_FLAGS = 0,	/* R R R R I R R R: I is set when the VNI is valid */
	VXLAN_HDR_LEN = 8,	/* flags (8), reserved (24), VNI (24), reserved (8) */
	VXLAN_FLAG_I = 0x08,
};

/* GRE header (RFC 2784 section 2; key and sequence number RFC 2890 section 2). */
enum {
	GRE_FLAGS = 0,		/* C R K S s Recur(3) Flags(5) Ver(3); R, s, Recur are RFC 1701's */
	GRE_PROTO = 2,		/* EtherType of the payload */
	GRE_BASE_LEN = 4,
	GRE_OPT_LEN = 4,	/* each optional field: checksum + reserved1, key, sequence number */
	GRE_F_CHECKSUM = 0x8000,
	GRE_F_ROUTING = 0x4000,	/* RFC 1701 source route: variable length, not opened */
	GRE_F_KEY = 0x2000,
	GRE_F_SEQ = 0x1000,
	GRE_VERSION_MASK = 0x0007,	/* 0; 1 is PPTP's enhanced GRE (RFC 2637), not opened */
};

/* GRE protocol types (IEEE EtherType registry). */
enum {
	GRE_TYPE_TEB = 0x6558,		/* transparent Ethernet bridging */
	GRE_TYPE_ERSPAN = 0x88be,	/* ERSPAN type I (no sequence number) and II */
	GRE_TYPE_ERSPAN3 = 0x22eb,
};

/*
 * ERSPAN headers after GRE (draft-foschiano-erspan-03 section 4; Linux
 * include/net/erspan.h; Wireshark packet-erspan.c). Type I has none.
 * Type II, 8 bytes:  Ver(4)=1 VLAN(12) | COS(3) En(2) T(1) Session(10) | Reserved(12) Index(20)
 * Type III, 12 bytes: Ver(4)=2 VLAN(12) | COS(3) BSO(2) T(1) Session(10) | Timestamp(32) |
 *                     SGT(16) | P(1) FT(5) HwID(6) D(1) Gra(2) O(1)
 * O set: an 8-byte platform-specific subheader follows. The payload is
 * taken as Ethernet whatever FT says, as Wireshark does.
 */
enum {
	ERSPAN_VER_VLAN = 0,	/* version (high 4 bits) and the original VLAN */
	ERSPAN_COS_EN = 2,	/* COS, En (type II) or BSO (type III), T, session id */
	ERSPAN3_FLAGS = 10,	/* P FT HwID D Gra O */
	ERSPAN2_HDR_LEN = 8,
	ERSPAN3_HDR_LEN = 12,
	ERSPAN3_PLATFORM_LEN = 8,
	ERSPAN_VER_II = 1,
	ERSPAN_VER_III = 2,
	ERSPAN_VLAN_MASK = 0x0fff,
	ERSPAN2_EN_SHIFT = 11,	/* En: 0 untagged, 1 ISL, 2 802.1Q (tag stripped), 3 tag kept in the frame */
	ERSPAN2_EN_ISL = 1,
	ERSPAN2_EN_8021Q = 2,
	ERSPAN3_F_O = 0x0001,
};

/* What a tunnel header test found. */
enum decode_tunnel_found { FOUND_NONE, FOUND_OPEN, FOUND_CUT };

/* Where the mirrored frame is and what the tunnel said about it. */
struct decode_tunnel_hdr {
	uint8_t kind;		/* enum packet_tunnel */
	uint32_t off;		/* inner frame's offset from the transport header */
	uint32_t inner_wire;	/* inner frame bytes on the wire, from the outer lengths */
	bool has_vlan;		/* ERSPAN names the VLAN of a frame whose tag it stripped */
	uint16_t vlan;
};

static enum decode_tunnel_found decode_vxlan(const struct cursor *l4, const struct packet *pkt,
					     struct decode_tunnel_hdr *th)
{
	struct cursor v = *l4;

	if (pkt->t.proto != PROTO_UDP || pkt->t.dport != VXLAN_PORT || !pkt->has_l4)
		return FOUND_NONE;
	if (pkt->l4_payload_len < VXLAN_HDR_LEN + INNER_ETH_HDR_LEN)
		return FOUND_NONE;
	th->kind = TUNNEL_VXLAN;
	if (!cursor_skip(&v, UDP_HDR_LEN) || !cursor_need(&v, VXLAN_HDR_LEN))
		return FOUND_CUT;
	if (!(rd_u8(&v, VXLAN_FLAGS) & VXLAN_FLAG_I))
		return FOUND_NONE;
	th->off = UDP_HDR_LEN + VXLAN_HDR_LEN;
	th->inner_wire = pkt->l4_payload_len - VXLAN_HDR_LEN;
	return FOUND_OPEN;
}

/* The ERSPAN II/III header at th->off (the GRE header's end); the version nibble decides, as Wireshark. */
static enum decode_tunnel_found decode_erspan(const struct cursor *l4, const struct decode_ip *ip,
					      struct decode_tunnel_hdr *th)
{
	uint32_t at = th->off, len;
	uint8_t version;

	if (ip->payload_len < at + ERSPAN2_HDR_LEN)
		return FOUND_NONE;
	if (!cursor_has(l4, at, ERSPAN2_HDR_LEN))
		return FOUND_CUT;
	version = rd_u8(l4, at + ERSPAN_VER_VLAN) >> 4;
	th->vlan = rd_be16(l4, at + ERSPAN_VER_VLAN) & ERSPAN_VLAN_MASK;
	if (version == ERSPAN_VER_II) {
		uint8_t en = (uint8_t)((rd_be16(l4, at + ERSPAN_COS_EN) >> ERSPAN2_EN_SHIFT) & 3);

		th->kind = TUNNEL_ERSPAN2;
		th->has_vlan = en == ERSPAN2_EN_ISL || en == ERSPAN2_EN_8021Q;
		th->off += ERSPAN2_HDR_LEN;
		return FOUND_OPEN;
	}
	if (version != ERSPAN_VER_III)
		return FOUND_NONE;
	th->kind = TUNNEL_ERSPAN3;
	if (ip->payload_len < at + ERSPAN3_HDR_LEN)
		return FOUND_NONE;
	if (!cursor_has(l4, at, ERSPAN3_HDR_LEN))
		return FOUND_CUT;
	len = ERSPAN3_HDR_LEN;
	if (rd_be16(l4, at + ERSPAN3_FLAGS) & ERSPAN3_F_O)
		len += ERSPAN3_PLATFORM_LEN;
	if (ip->payload_len < at + len)
		return FOUND_NONE;
	if (!cursor_has(l4, at, len))
		return FOUND_CUT;
	th->has_vlan = th->vlan != 0;
	th->off += len;
	return FOUND_OPEN;
}

/* Length of a GRE header with these flags; 0 for one decode does not open. */
static uint32_t decode_gre_len(uint16_t flags)
{
	if ((flags & GRE_VERSION_MASK) != 0 || (flags & GRE_F_ROUTING))
		return 0;
	return GRE_BASE_LEN + GRE_OPT_LEN * (uint32_t)(!!(flags & GRE_F_CHECKSUM) + !!(flags & GRE_F_KEY) +
						      !!(flags & GRE_F_SEQ));
}

/* A GRE header cut before its protocol type cannot be told from any other GRE packet. */
static enum decode_tunnel_found decode_gre(const struct cursor *l4, const struct decode_ip *ip,
					   struct decode_tunnel_hdr *th)
{
	uint16_t flags, type;
	enum decode_tunnel_found found = FOUND_OPEN;

	if (ip->proto != PROTO_GRE || !cursor_need(l4, GRE_BASE_LEN))
		return FOUND_NONE;
	flags = rd_be16(l4, GRE_FLAGS);
	type = rd_be16(l4, GRE_PROTO);
	if (type == GRE_TYPE_TEB)
		th->kind = TUNNEL_GRE_ETH;
	else if (type == GRE_TYPE_ERSPAN)
		th->kind = TUNNEL_ERSPAN2;	/* type I too: packet.h has no value of its own for it */
	else if (type == GRE_TYPE_ERSPAN3)
		th->kind = TUNNEL_ERSPAN3;
	else
		return FOUND_NONE;
	th->off = decode_gre_len(flags);
	if (th->off == 0 || ip->payload_len < th->off)
		return FOUND_NONE;
	if (!cursor_need(l4, th->off))
		return FOUND_CUT;
	/* ERSPAN type I: GRE without a sequence number and no ERSPAN header (Linux erspan.h). */
	if (type != GRE_TYPE_TEB && (type != GRE_TYPE_ERSPAN || (flags & GRE_F_SEQ)))
		found = decode_erspan(l4, ip, th);
	if (found != FOUND_OPEN)
		return found;
	if (ip->payload_len < th->off + INNER_ETH_HDR_LEN)
		return FOUND_NONE;
	th->inner_wire = ip->payload_len - th->off;
	return FOUND_OPEN;
}

/* Forget the outer packet; the record and its timestamps stay. */
static void decode_tunnel_reset(struct packet *pkt, uint8_t kind)
{
	int64_t ts_us = pkt->ts_us;
	uint32_t wire_len = pkt->wire_len, cap_len = pkt->cap_len;

	memset(pkt, 0, sizeof(*pkt));
	pkt->ts_us = ts_us;
	pkt->wire_len = wire_len;
	pkt->cap_len = cap_len;
	pkt->tunnel = kind;
}

/*
 * The mirrored frame's own tags name its VLAN; else the one ERSPAN says it
 * stripped; else the outer frame's, which belong to the mirror transport.
 */
static enum decode_error decode_tunnel_open(const struct cursor *l4, const struct decode_tunnel_hdr *th,
					    struct packet *pkt, unsigned flags)
{
	struct cursor c = *l4;
	uint8_t outer_count = pkt->vlan_count;
	uint16_t outer_vlan = pkt->vlan, outer_inner = pkt->inner_vlan;
	enum decode_error e;

	cursor_skip(&c, th->off);
	c = cursor_sub(&c, th->inner_wire);
	if (!cursor_need(&c, INNER_ETH_HDR_LEN))
		return DECODE_TUNNEL_TRUNCATED;
	decode_tunnel_reset(pkt, th->kind);
	e = decode_ethernet(&c, th->inner_wire, pkt, flags | DECODE_F_NO_DECAP | DECODE_F_INNER);
	if (pkt->vlan_count == 0 && th->has_vlan) {
		pkt->vlan_count = 1;
		pkt->vlan = th->vlan;
	} else if (pkt->vlan_count == 0) {
		pkt->vlan_count = outer_count;
		pkt->vlan = outer_vlan;
		pkt->inner_vlan = outer_inner;
	}
	return e;
}

enum decode_error decode_tunnel(const struct cursor *l4, const struct decode_ip *ip, struct packet *pkt,
				unsigned flags, enum decode_error outer)
{
	struct decode_tunnel_hdr th = { 0 };
	enum decode_tunnel_found found;

	if ((flags & DECODE_F_NO_DECAP) || ip->fragment)
		return outer;
	if (outer == DECODE_OK)
		found = decode_vxlan(l4, pkt, &th);
	else if (outer == DECODE_OTHER_PROTO)
		found = decode_gre(l4, ip, &th);
	else
		return outer;
	if (found == FOUND_NONE)
		return outer;
	if (found == FOUND_CUT)
		return DECODE_TUNNEL_TRUNCATED;
	return decode_tunnel_open(l4, &th, pkt, flags);
}
