/*
 * decode_tunnel: the tunnels Zeek opens, opened to the packet they carry: remote-mirror and overlay
 * encapsulations of Ethernet (VXLAN, ERSPAN I/II/III, GRE bridging, GENEVE) and of IP (IP-in-IP, GRE,
 * PPTP's enhanced GRE, GENEVE, Teredo, AYIYA, GTP-U)
 */
#include <string.h>

#include "decode_internal.h"

/*
 * A remote SPAN delivers the mirrored frames inside a tunnel, an overlay
 * or a VPN its users' packets; the flows worth auditing are the inner ones.
 * Lengths from the headers decide what a datagram is (too short by its own
 * lengths: no tunnel, it stays the outer flow); the capture only decides
 * what is present (a tunnel cut in its header, in the inner Ethernet
 * header or in the inner IP header that tells whether an IP payload is one
 * is DECODE_TUNNEL_TRUNCATED). A fragment of the outer datagram carries
 * part of a packet and is not opened. The inner packet is decoded with
 * DECODE_F_NO_DECAP, so a tunnel inside the tunnel is an ordinary flow.
 * pkt->tunnel is set exactly when pkt describes the inner packet; until
 * then it still holds the outer one. pkt->outer then keeps the outer
 * datagram's 5-tuple and lengths: the tunnel's own flow.
 */

/* IANA protocol numbers of the IP-protocol tunnels. */
enum {
	PROTO_IPIP = 4,		/* IPv4 in IP (RFC 2003) */
	PROTO_IPV6 = 41,	/* IPv6 in IP (RFC 2473, RFC 4213 section 3.5 for 6in4) */
	PROTO_GRE = 47,
};

/* Inner frames are Ethernet II (IEEE 802.3 clause 3.2.6): destination, source, EtherType. */
enum { INNER_ETH_HDR_LEN = 14 };

/* Inner IP headers (RFC 791 section 3.1, RFC 8200 section 3): just enough to check that one fits. */
enum {
	IPV4_VER_IHL = 0,
	IPV4_TOTAL_LEN = 2,
	IPV4_MIN_HDR_LEN = 20,
	IPV6_PAYLOAD_LEN = 4,
	IPV6_NEXT_HEADER = 6,
	IPV6_HDR_LEN = 40,
	IPV6_NO_NEXT_HEADER = 59,	/* RFC 8200 section 4.7 */
};

/* UDP (RFC 768) and the ports the UDP tunnels listen on (IANA). */
enum {
	UDP_HDR_LEN = 8,
	VXLAN_PORT = 4789,
	GENEVE_PORT = 6081,
	TEREDO_PORT = 3544,
	AYIYA_PORT = 5072,
	GTPU_PORT = 2152,
};

/* VXLAN (RFC 7348 section 5): 8 bytes after UDP. */
enum {
	VXLAN_FLAGS = 0,	/* R R R R I R R R: I is set when the VNI is valid */
	VXLAN_HDR_LEN = 8,	/* flags (8), reserved (24), VNI (24), reserved (8) */
	VXLAN_FLAG_I = 0x08,
};

/*
 * GENEVE (RFC 8926 section 3.4): Ver(2) Opt Len(6) | O(1) C(1) Rsvd(6) |
 * Protocol Type(16) | VNI(24) Reserved(8) | options, Opt Len 4-byte words.
 */
enum {
	GENEVE_VER_OPTLEN = 0,
	GENEVE_FLAGS = 1,
	GENEVE_PROTO = 2,
	GENEVE_BASE_LEN = 8,
	GENEVE_VERSION_SHIFT = 6,	/* only version 0 is defined */
	GENEVE_OPTLEN_MASK = 0x3f,
	GENEVE_F_O = 0x80,	/* a control message between the endpoints: its payload is not forwarded (3.4) */
};

/*
 * Teredo (RFC 4380 section 5.1.1): the IPv6 packet may be preceded by an
 * authentication indicator, then an origin indication, each at most once
 * and in that order (as Zeek's Teredo analyzer accepts them).
 * Authentication: 0x0001, ID-len(8), AU-len(8), client id, authentication
 * value, nonce(64), confirmation(8). Origin indication: 0x0000,
 * obfuscated port(16), obfuscated address(32).
 */
enum {
	TEREDO_IND_TYPE = 0,
	TEREDO_AUTH = 1,
	TEREDO_ORIGIN = 0,
	TEREDO_AUTH_ID_LEN = 2,
	TEREDO_AUTH_AU_LEN = 3,
	TEREDO_AUTH_FIXED_LEN = 13,	/* type, the two lengths, nonce, confirmation */
	TEREDO_ORIGIN_LEN = 8,
};

/*
 * AYIYA (draft-massar-v6ops-ayiya-02 section 5; Zeek's AYIYA analyzer):
 * IDLen(4) IDType(4) | SigLen(4) HshMeth(4) | AutMeth(4) OpCode(4) |
 * NextHeader(8) | Epoch(32) | identity (2^IDLen bytes) | signature (SigLen
 * 4-byte words) | the packet. Only OpCode 1, forward, carries one.
 */
enum {
	AYIYA_ID = 0,
	AYIYA_SIG = 1,
	AYIYA_AUTH_OP = 2,
	AYIYA_NEXT_HEADER = 3,
	AYIYA_BASE_LEN = 8,
	AYIYA_OP_MASK = 0x0f,
	AYIYA_OP_FORWARD = 1,
};

/*
 * GTPv1-U (3GPP TS 29.281 section 5.1): Version(3)=1 PT(1)=1 (*)(1) E(1)
 * S(1) PN(1) | Message Type(8) | Length(16): bytes after the first 8 |
 * TEID(32); if E, S or PN: Sequence(16) N-PDU(8) Next Extension Type(8);
 * extension headers (5.2): Length(8) in 4-byte units, content, next type.
 */
enum {
	GTP_FLAGS = 0,
	GTP_MSG_TYPE = 1,
	GTP_LENGTH = 2,
	GTP_BASE_LEN = 8,
	GTP_OPT_LEN = 4,
	GTP_NEXT_EXT = 11,
	GTP_VERSION_SHIFT = 5,
	GTP_VERSION_1 = 1,
	GTP_F_PT = 0x10,	/* 1: GTP, 0: GTP' (charging, TS 32.295) */
	GTP_F_E = 0x04,
	GTP_F_OPT = 0x07,	/* E, S, PN: any one brings the 4 optional bytes */
	GTP_MSG_GPDU = 0xff,	/* a user packet; the rest are signalling (echo, error indication, end marker) */
	GTP_EXT_UNIT = 4,
	GTP_EXT_MAX = 8,	/* TS 29.281 defines fewer kinds than this; a longer chain is not a G-PDU decode opens */
};

/* GRE header (RFC 2784 section 2; key and sequence number RFC 2890 section 2; PPTP RFC 2637 section 4.1). */
enum {
	GRE_FLAGS = 0,		/* C R K S s Recur(3) A Flags(4) Ver(3); R, s, Recur are RFC 1701's, A is PPTP's */
	GRE_PROTO = 2,		/* EtherType of the payload */
	GRE_KEY = 4,		/* PPTP: payload length (16), call id (16) */
	GRE_BASE_LEN = 4,
	GRE_OPT_LEN = 4,	/* each optional field: checksum + reserved1, key, sequence number, PPTP ack */
	GRE_F_CHECKSUM = 0x8000,
	GRE_F_ROUTING = 0x4000,	/* RFC 1701 source route: variable length, not opened */
	GRE_F_KEY = 0x2000,
	GRE_F_SEQ = 0x1000,
	GRE_F_ACK = 0x0080,	/* PPTP only: an acknowledgment number follows the sequence number */
	GRE_VERSION_MASK = 0x0007,
	GRE_VERSION_PPTP = 1,
};

/* Protocol types GRE and GENEVE name their payload by (IEEE EtherType registry). */
enum {
	ETYPE_IPV4 = 0x0800,
	ETYPE_IPV6 = 0x86dd,
	ETYPE_MPLS = 0x8847,
	ETYPE_MPLS_MC = 0x8848,
	ETYPE_TEB = 0x6558,		/* transparent Ethernet bridging */
	ETYPE_ERSPAN = 0x88be,	/* ERSPAN type I (no sequence number) and II */
	ETYPE_ERSPAN3 = 0x22eb,
	ETYPE_PPP = 0x880b,		/* PPTP */
};

/* PPP in PPTP's GRE (RFC 1662 section 3.1 address and control, RFC 1661 section 2 protocol, maybe compressed). */
enum {
	PPP_ADDRESS = 0xff,
	PPP_CONTROL = 0x03,
	PPP_IPV4 = 0x0021,
	PPP_IPV6 = 0x0057,
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

/* What the tunnel carries. */
enum decode_tunnel_inner {
	INNER_ETH,		/* an Ethernet frame */
	INNER_IP,		/* an IP packet of version ip_version */
	INNER_ETHERTYPE,	/* what the EtherType ethertype names (GRE's MPLS) */
};

/* Where the carried packet is and what the tunnel said about it. */
struct decode_tunnel_hdr {
	uint8_t kind;		/* enum packet_tunnel */
	uint8_t inner;		/* enum decode_tunnel_inner */
	uint8_t ip_version;	/* INNER_IP: 4 or 6 */
	bool mirror;		/* it carries Ethernet frames */
	uint16_t ethertype;	/* INNER_ETHERTYPE */
	uint32_t off;		/* inner packet's offset from the transport header */
	uint32_t inner_wire;	/* inner packet bytes on the wire, from the outer lengths */
	bool has_vlan;		/* ERSPAN names the VLAN of a frame whose tag it stripped */
	uint16_t vlan;
	uint32_t not_ip;	/* FOUND_NONE: what the tunnel carried instead (DECODE_NOT_IP_CODE), 0 if nothing */
};

/* An Ethernet frame at at, avail bytes of it per the outer lengths. */
static enum decode_tunnel_found decode_inner_eth(uint32_t at, uint32_t avail, struct decode_tunnel_hdr *th)
{
	if (avail < INNER_ETH_HDR_LEN)
		return FOUND_NONE;
	th->inner = INNER_ETH;
	th->mirror = true;
	th->off = at;
	th->inner_wire = avail;
	return FOUND_OPEN;
}

/*
 * An IP packet at at, avail bytes per the outer lengths: opened only when
 * its version is the one the tunnel names (0: 4 or 6 by the nibble) and the
 * length its header states fits in avail (exact: fills it, as Zeek holds a
 * Teredo payload to). Until the fixed header is captured it cannot be told.
 */
static enum decode_tunnel_found decode_inner_ip(const struct cursor *c, uint32_t at, uint32_t avail, int version,
						bool exact, struct decode_tunnel_hdr *th)
{
	uint32_t len, hdr;
	int nibble;

	if (avail < IPV4_MIN_HDR_LEN)
		return FOUND_NONE;
	if (!cursor_has(c, at, 1))
		return FOUND_CUT;
	nibble = rd_u8(c, at + IPV4_VER_IHL) >> 4;
	if ((nibble != 4 && nibble != 6) || (version != 0 && nibble != version))
		return FOUND_NONE;
	hdr = nibble == 4 ? IPV4_MIN_HDR_LEN : IPV6_HDR_LEN;
	if (avail < hdr)
		return FOUND_NONE;
	if (!cursor_has(c, at, hdr))
		return FOUND_CUT;
	if (nibble == 4) {
		uint32_t ihl = (rd_u8(c, at + IPV4_VER_IHL) & 0x0f) * 4u;

		len = rd_be16(c, at + IPV4_TOTAL_LEN);
		if (ihl < IPV4_MIN_HDR_LEN || len < ihl)
			return FOUND_NONE;
	} else {
		len = IPV6_HDR_LEN + rd_be16(c, at + IPV6_PAYLOAD_LEN);
	}
	if (len > avail || (exact && len != avail))
		return FOUND_NONE;
	th->inner = INNER_IP;
	th->ip_version = (uint8_t)nibble;
	th->off = at;
	th->inner_wire = avail;
	return FOUND_OPEN;
}

/* VXLAN; u is the UDP payload, plen its length per the UDP header. */
static enum decode_tunnel_found decode_vxlan(const struct cursor *u, uint32_t plen, struct decode_tunnel_hdr *th)
{
	if (plen < VXLAN_HDR_LEN + INNER_ETH_HDR_LEN)
		return FOUND_NONE;
	th->kind = TUNNEL_VXLAN;
	if (!cursor_need(u, VXLAN_HDR_LEN))
		return FOUND_CUT;
	if (!(rd_u8(u, VXLAN_FLAGS) & VXLAN_FLAG_I))
		return FOUND_NONE;
	return decode_inner_eth(VXLAN_HDR_LEN, plen - VXLAN_HDR_LEN, th);
}

/* GENEVE version 0 carrying Ethernet (a mirror or an overlay) or IP; other protocol types stay UDP. */
static enum decode_tunnel_found decode_geneve(const struct cursor *u, uint32_t plen, struct decode_tunnel_hdr *th)
{
	uint32_t len;
	uint16_t type;

	if (plen < GENEVE_BASE_LEN)
		return FOUND_NONE;
	if (!cursor_need(u, GENEVE_BASE_LEN))
		return FOUND_CUT;
	if ((rd_u8(u, GENEVE_VER_OPTLEN) >> GENEVE_VERSION_SHIFT) != 0 || (rd_u8(u, GENEVE_FLAGS) & GENEVE_F_O))
		return FOUND_NONE;
	len = GENEVE_BASE_LEN + (rd_u8(u, GENEVE_VER_OPTLEN) & GENEVE_OPTLEN_MASK) * 4u;
	if (plen < len)
		return FOUND_NONE;
	if (!cursor_need(u, len))
		return FOUND_CUT;
	th->kind = TUNNEL_GENEVE;
	type = rd_be16(u, GENEVE_PROTO);
	if (type == ETYPE_TEB)
		return decode_inner_eth(len, plen - len, th);
	if (type == ETYPE_IPV4 || type == ETYPE_IPV6)
		return decode_inner_ip(u, len, plen - len, type == ETYPE_IPV4 ? 4 : 6, false, th);
	th->not_ip = DECODE_NOT_IP_CODE(NOTIP_TUNNEL, type);
	return FOUND_NONE;
}

/*
 * Teredo: the indicators, then an IPv6 packet that fills the datagram. A
 * bubble (no next header, no payload: RFC 4380 section 2.8) only opens a
 * NAT mapping; it carries no packet of a flow and stays the outer one.
 */
static enum decode_tunnel_found decode_teredo(const struct cursor *u, uint32_t plen, struct decode_tunnel_hdr *th)
{
	uint32_t at = 0;
	enum decode_tunnel_found found;

	if (plen < 2)
		return FOUND_NONE;
	if (!cursor_need(u, 2))
		return FOUND_CUT;
	if (rd_be16(u, TEREDO_IND_TYPE) == TEREDO_AUTH) {
		if (plen < TEREDO_AUTH_AU_LEN + 1)
			return FOUND_NONE;
		if (!cursor_need(u, TEREDO_AUTH_AU_LEN + 1))
			return FOUND_CUT;
		at = TEREDO_AUTH_FIXED_LEN + rd_u8(u, TEREDO_AUTH_ID_LEN) + rd_u8(u, TEREDO_AUTH_AU_LEN);
		if (plen < at + 2)
			return FOUND_NONE;
		if (!cursor_has(u, at, 2))
			return FOUND_CUT;
	}
	if (rd_be16(u, at + TEREDO_IND_TYPE) == TEREDO_ORIGIN) {
		at += TEREDO_ORIGIN_LEN;
		if (plen < at)
			return FOUND_NONE;
		if (!cursor_need(u, at))
			return FOUND_CUT;
	}
	th->kind = TUNNEL_TEREDO;
	found = decode_inner_ip(u, at, plen - at, 6, true, th);
	if (found == FOUND_OPEN && rd_u8(u, at + IPV6_NEXT_HEADER) == IPV6_NO_NEXT_HEADER &&
	    rd_be16(u, at + IPV6_PAYLOAD_LEN) == 0)
		return FOUND_NONE;
	return found;
}

/* AYIYA: only a forward carries a packet, of the IP protocol its next header names. */
static enum decode_tunnel_found decode_ayiya(const struct cursor *u, uint32_t plen, struct decode_tunnel_hdr *th)
{
	uint32_t len;
	uint8_t next;

	if (plen < AYIYA_BASE_LEN)
		return FOUND_NONE;
	if (!cursor_need(u, AYIYA_BASE_LEN))
		return FOUND_CUT;
	len = AYIYA_BASE_LEN + (1u << (rd_u8(u, AYIYA_ID) >> 4)) + (rd_u8(u, AYIYA_SIG) >> 4) * 4u;
	next = rd_u8(u, AYIYA_NEXT_HEADER);
	if (plen < len || (rd_u8(u, AYIYA_AUTH_OP) & AYIYA_OP_MASK) != AYIYA_OP_FORWARD ||
	    (next != PROTO_IPIP && next != PROTO_IPV6))
		return FOUND_NONE;
	if (!cursor_need(u, len))
		return FOUND_CUT;
	th->kind = TUNNEL_AYIYA;
	return decode_inner_ip(u, len, plen - len, next == PROTO_IPIP ? 4 : 6, false, th);
}

/* GTPv1-U: a G-PDU's user packet, IPv4 or IPv6 by its nibble, after at most GTP_EXT_MAX extension headers. */
static enum decode_tunnel_found decode_gtpu(const struct cursor *u, uint32_t plen, struct decode_tunnel_hdr *th)
{
	uint32_t len = GTP_BASE_LEN, end;
	uint8_t flags, next = 0;

	if (plen < GTP_BASE_LEN)
		return FOUND_NONE;
	if (!cursor_need(u, GTP_BASE_LEN))
		return FOUND_CUT;
	flags = rd_u8(u, GTP_FLAGS);
	if ((flags >> GTP_VERSION_SHIFT) != GTP_VERSION_1 || !(flags & GTP_F_PT) || rd_u8(u, GTP_MSG_TYPE) != GTP_MSG_GPDU)
		return FOUND_NONE;
	end = GTP_BASE_LEN + rd_be16(u, GTP_LENGTH);
	if (plen < end)
		return FOUND_NONE;
	if (flags & GTP_F_OPT) {
		len += GTP_OPT_LEN;
		if (end < len)
			return FOUND_NONE;
		if (!cursor_need(u, len))
			return FOUND_CUT;
		if (flags & GTP_F_E)
			next = rd_u8(u, GTP_NEXT_EXT);
	}
	/* Each extension header ends with the next one's type; 0 ends the chain (TS 29.281 section 5.2.1). */
	for (int n = 0; next != 0; n++) {
		uint32_t ext;

		if (n == GTP_EXT_MAX || end < len + 1)
			return FOUND_NONE;
		if (!cursor_has(u, len, 1))
			return FOUND_CUT;
		ext = rd_u8(u, len) * (uint32_t)GTP_EXT_UNIT;
		if (ext == 0 || end < len + ext)
			return FOUND_NONE;
		if (!cursor_has(u, len, ext))
			return FOUND_CUT;
		next = rd_u8(u, len + ext - 1);
		len += ext;
	}
	th->kind = TUNNEL_GTPU;
	return decode_inner_ip(u, len, end - len, 0, false, th);
}

/*
 * The UDP tunnels, by port. Cheap for every other datagram: one switch on
 * each port. VXLAN and GENEVE name only the destination (the source port
 * is a flow hash); a Teredo server or relay, an AYIYA server and a GTP-U
 * peer answer from theirs.
 */
static enum decode_tunnel_found decode_udp_tunnel(const struct cursor *l4, const struct packet *pkt,
						  struct decode_tunnel_hdr *th)
{
	struct cursor u = *l4;
	uint32_t plen = pkt->l4_payload_len;
	uint16_t port = pkt->t.dport;
	enum decode_tunnel_found found;

	switch (port) {
	case VXLAN_PORT:
	case GENEVE_PORT:
	case TEREDO_PORT:
	case AYIYA_PORT:
	case GTPU_PORT:
		break;
	default:
		port = pkt->t.sport;
		if (port != TEREDO_PORT && port != AYIYA_PORT && port != GTPU_PORT)
			return FOUND_NONE;
	}
	if (!cursor_skip(&u, UDP_HDR_LEN))
		return FOUND_NONE;	/* not reached: has_l4 says the header was captured */
	switch (port) {
	case VXLAN_PORT:
		found = decode_vxlan(&u, plen, th);
		break;
	case GENEVE_PORT:
		found = decode_geneve(&u, plen, th);
		break;
	case TEREDO_PORT:
		found = decode_teredo(&u, plen, th);
		break;
	case AYIYA_PORT:
		found = decode_ayiya(&u, plen, th);
		break;
	default:
		found = decode_gtpu(&u, plen, th);
		break;
	}
	th->off += UDP_HDR_LEN;
	return found;
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

/*
 * PPTP's enhanced GRE (RFC 2637 section 4.1): the key holds the payload
 * length and the call id; a sequence and an acknowledgment number may
 * follow. The payload is a PPP frame, its address and control (ff 03)
 * possibly left out and its protocol possibly compressed to one byte (RFC
 * 1661 section 6.5, 6.6). Only IP is opened: an acknowledgment alone
 * carries no payload, and PPP's own protocols and MPPE-encrypted frames
 * (0x00fd) are no packet of a flow.
 */
static enum decode_tunnel_found decode_pptp(const struct cursor *l4, const struct decode_ip *ip, uint16_t flags,
					    uint16_t type, struct decode_tunnel_hdr *th)
{
	uint32_t len, end, at;
	uint16_t proto;

	if (type != ETYPE_PPP || !(flags & GRE_F_KEY) || (flags & (GRE_F_CHECKSUM | GRE_F_ROUTING)))
		return FOUND_NONE;
	len = GRE_BASE_LEN + GRE_OPT_LEN * (1u + !!(flags & GRE_F_SEQ) + !!(flags & GRE_F_ACK));
	if (ip->payload_len < len)
		return FOUND_NONE;
	if (!cursor_need(l4, len))
		return FOUND_CUT;
	end = len + rd_be16(l4, GRE_KEY);
	if (end == len || ip->payload_len < end)
		return FOUND_NONE;
	th->kind = TUNNEL_GRE_IP;
	at = len;
	if (end >= at + 2) {
		if (!cursor_has(l4, at, 2))
			return FOUND_CUT;
		if (rd_u8(l4, at) == PPP_ADDRESS && rd_u8(l4, at + 1) == PPP_CONTROL)
			at += 2;
	}
	if (end < at + 1)
		return FOUND_NONE;
	if (!cursor_has(l4, at, 1))
		return FOUND_CUT;
	if (rd_u8(l4, at) & 1) {
		proto = rd_u8(l4, at);
		at += 1;
	} else {
		if (end < at + 2)
			return FOUND_NONE;
		if (!cursor_has(l4, at, 2))
			return FOUND_CUT;
		proto = rd_be16(l4, at);
		at += 2;
	}
	if (proto != PPP_IPV4 && proto != PPP_IPV6) {
		th->not_ip = DECODE_NOT_IP_CODE(NOTIP_PPP, proto);
		return FOUND_NONE;
	}
	return decode_inner_ip(l4, at, end - at, proto == PPP_IPV4 ? 4 : 6, false, th);
}

/*
 * GRE carrying Ethernet (bridging, ERSPAN), IP or MPLS. A GRE header cut
 * before its protocol type cannot be told from any other GRE packet; other
 * payloads stay the GRE flow, their type noted in not_ip.
 */
static enum decode_tunnel_found decode_gre(const struct cursor *l4, const struct decode_ip *ip,
					   struct decode_tunnel_hdr *th)
{
	uint16_t flags, type;
	uint32_t len, avail;
	enum decode_tunnel_found found;

	if (!cursor_need(l4, GRE_BASE_LEN))
		return FOUND_NONE;
	flags = rd_be16(l4, GRE_FLAGS);
	type = rd_be16(l4, GRE_PROTO);
	if ((flags & GRE_VERSION_MASK) == GRE_VERSION_PPTP)
		return decode_pptp(l4, ip, flags, type, th);
	switch (type) {
	case ETYPE_TEB:
		th->kind = TUNNEL_GRE_ETH;
		break;
	case ETYPE_ERSPAN:
		/* ERSPAN type I: GRE without a sequence number and no ERSPAN header (Linux erspan.h). */
		th->kind = (flags & GRE_F_SEQ) ? TUNNEL_ERSPAN2 : TUNNEL_ERSPAN1;
		break;
	case ETYPE_ERSPAN3:
		th->kind = TUNNEL_ERSPAN3;
		break;
	case ETYPE_IPV4:
	case ETYPE_IPV6:
	case ETYPE_MPLS:
	case ETYPE_MPLS_MC:
		th->kind = TUNNEL_GRE_IP;
		break;
	default:
		th->not_ip = DECODE_NOT_IP_CODE(NOTIP_TUNNEL, type);
		return FOUND_NONE;
	}
	if ((flags & GRE_VERSION_MASK) != 0 || (flags & GRE_F_ROUTING))
		return FOUND_NONE;
	len = GRE_BASE_LEN + GRE_OPT_LEN * (uint32_t)(!!(flags & GRE_F_CHECKSUM) + !!(flags & GRE_F_KEY) +
						      !!(flags & GRE_F_SEQ));
	if (ip->payload_len < len)
		return FOUND_NONE;
	if (!cursor_need(l4, len))
		return FOUND_CUT;
	avail = ip->payload_len - len;
	th->off = len;
	switch (th->kind) {
	case TUNNEL_GRE_IP:
		if (type == ETYPE_IPV4 || type == ETYPE_IPV6)
			return decode_inner_ip(l4, len, avail, type == ETYPE_IPV4 ? 4 : 6, false, th);
		if (avail == 0)
			return FOUND_NONE;
		th->inner = INNER_ETHERTYPE;
		th->ethertype = type;
		th->inner_wire = avail;
		return FOUND_OPEN;
	case TUNNEL_ERSPAN2:
	case TUNNEL_ERSPAN3:
		found = decode_erspan(l4, ip, th);
		if (found != FOUND_OPEN)
			return found;
		return decode_inner_eth(th->off, ip->payload_len - th->off, th);
	default:
		return decode_inner_eth(len, avail, th);
	}
}

/* Forget the outer packet but its datagram's facts; the record and its timestamps stay. */
static void decode_tunnel_reset(struct packet *pkt, uint8_t kind, const struct packet_outer *outer)
{
	int64_t ts_us = pkt->ts_us;
	uint32_t wire_len = pkt->wire_len, cap_len = pkt->cap_len;
	const uint8_t *frame = pkt->frame;	/* what the reader set about the frame itself stays */
	int dlt = pkt->dlt;
	uint64_t number = pkt->number;

	memset(pkt, 0, sizeof(*pkt));
	pkt->ts_us = ts_us;
	pkt->wire_len = wire_len;
	pkt->cap_len = cap_len;
	pkt->frame = frame;
	pkt->dlt = dlt;
	pkt->number = number;
	pkt->tunnel = kind;
	pkt->outer = *outer;
}

/*
 * The inner packet's own tags name its VLAN; else the one ERSPAN says it
 * stripped; else the outer frame's, which belong to the tunnel's transport.
 */
/*
 * noinline: decode_frame_ex is flattened, and this re-enters the whole
 * decoder for the inner frame; inlined there it made every copy of the
 * decoder hold another copy, and LTO's link ran for more than ten minutes.
 * A tunnel's packets pay one call.
 */
static __attribute__((noinline)) enum decode_error decode_tunnel_open(const struct cursor *l4,
								     const struct decode_tunnel_hdr *th,
					    struct packet *pkt, unsigned flags)
{
	struct cursor c = *l4;
	uint8_t outer_count = pkt->vlan_count;
	uint16_t outer_vlan = pkt->vlan, outer_inner = pkt->inner_vlan;
	struct packet_outer outer = {
		.valid = true, .mirror = th->mirror, .ttl = pkt->ttl, .ip_len = pkt->ip_len, .t = pkt->t,
	};
	enum decode_error e;

	if (pkt->t.proto == PROTO_UDP) {
		outer.l4_payload_len = pkt->l4_payload_len;
	} else {
		outer.t.sport = 0;
		outer.t.dport = 0;
	}
	if (!cursor_skip(&c, th->off))
		return DECODE_TUNNEL_TRUNCATED;	/* not reached: each header test saw the bytes up to th->off */
	c = cursor_sub(&c, th->inner_wire);
	flags |= DECODE_F_NO_DECAP;
	if (th->inner == INNER_ETH) {
		if (!cursor_need(&c, INNER_ETH_HDR_LEN))
			return DECODE_TUNNEL_TRUNCATED;
		decode_tunnel_reset(pkt, th->kind, &outer);
		e = decode_ethernet(&c, th->inner_wire, pkt, flags | DECODE_F_INNER);
	} else if (th->inner == INNER_IP) {
		decode_tunnel_reset(pkt, th->kind, &outer);
		e = decode_ip_packet(&c, th->inner_wire, th->ip_version, pkt, flags);
	} else {
		decode_tunnel_reset(pkt, th->kind, &outer);
		e = decode_after_ethertype(&c, th->inner_wire, th->ethertype, pkt, flags);
	}
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
	if (outer == DECODE_OK) {
		if (pkt->t.proto != PROTO_UDP || !pkt->has_l4)
			return outer;
		found = decode_udp_tunnel(l4, pkt, &th);
	} else if (outer == DECODE_OTHER_PROTO && ip->proto == PROTO_GRE) {
		found = decode_gre(l4, ip, &th);
	} else if (outer == DECODE_OTHER_PROTO && (ip->proto == PROTO_IPIP || ip->proto == PROTO_IPV6)) {
		th.kind = TUNNEL_IPIP;
		found = decode_inner_ip(l4, 0, ip->payload_len, ip->proto == PROTO_IPIP ? 4 : 6, false, &th);
	} else {
		return outer;
	}
	if (found == FOUND_NONE) {
		if (th.not_ip != 0)
			pkt->not_ip = th.not_ip;
		return outer;
	}
	if (found == FOUND_CUT)
		return DECODE_TUNNEL_TRUNCATED;
	return decode_tunnel_open(l4, &th, pkt, flags);
}
