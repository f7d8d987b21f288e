/* decode: link layers (Ethernet, VLAN, Linux cooked, raw IP, BSD loopback) and dispatch */
#include <pcap/pcap.h>

#include <stdio.h>

#include "decode.h"
#include "decode_internal.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276	/* libpcap < 1.10 lacks it; the value is fixed by the registry */
#endif

/* pcap files say 101 for raw IP; libpcap maps it to DLT_RAW, but not every writer agrees. */
enum { LINKTYPE_RAW_IP = 101 };

/* Ethernet II header (IEEE 802.3 clause 3.2.6): destination, source, EtherType. */
enum {
	ETH_TYPE = 12,
	ETH_HDR_LEN = 14,
};

/* 802.1Q tag after a TPID: TCI (PCP 3 bits, DEI 1 bit, VID 12 bits), then the next EtherType. */
enum {
	VLAN_TCI = 0,
	VLAN_NEXT_TYPE = 2,
	VLAN_TAG_LEN = 4,
	VLAN_VID_MASK = 0x0fff,
	VLAN_MAX_TAGS = 3,
};

/* EtherTypes (IEEE registry). */
enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_8021Q = 0x8100,
	ETHERTYPE_8021AD = 0x88a8,
	ETHERTYPE_QINQ_OLD = 0x9100,	/* pre-802.1ad Q-in-Q, still seen */
	ETHERTYPE_MPLS = 0x8847,
	ETHERTYPE_MPLS_MC = 0x8848,
	ETHERTYPE_PPPOE_SESSION = 0x8864,
	ETHERTYPE_VNTAG = 0x8926,	/* Cisco VN-tag: 4 bytes, then the next EtherType */
	ETHERTYPE_PBB_ITAG = 0x88e7,	/* 802.1ah: I-TAG (4), customer DA and SA (12), then the next EtherType */
};

/* PPP protocol numbers (RFC 1661, 5072) and the PPPoE session header (RFC 2516). */
enum { PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057, PPPOE_HDR_LEN = 6, VNTAG_LEN = 4, PBB_ITAG_SKIP = 16, ENCAP_MAX = 8 };

/* MPLS label stack entries (RFC 3032): label 20 bits, TC 3, bottom of stack 1, TTL 8. */
enum { MPLS_ENTRY_LEN = 4, MPLS_MAX_LABELS = 8, MPLS_PW_CW_LEN = 4 };

/*
 * Linux cooked capture v1: packet type (2), ARPHRD type (2), address
 * length (2), address (8), protocol (2). v2 moves the protocol first:
 * protocol (2), reserved (2), ifindex (4), ARPHRD type (2), packet type
 * (1), address length (1), address (8). See pcap-linktype(7).
 */
enum {
	SLL_PROTO = 14,
	SLL_HDR_LEN = 16,
	SLL2_PROTO = 0,
	SLL2_HDR_LEN = 20,
};

/* DLT_NULL / DLT_LOOP: a 4-byte address family; BSDs disagree on AF_INET6. */
enum {
	NULL_HDR_LEN = 4,
	BSD_AF_INET = 2,
	BSD_AF_INET6_BSD = 24,		/* NetBSD, OpenBSD, BSD/OS */
	BSD_AF_INET6_FREEBSD = 28,
	BSD_AF_INET6_DARWIN = 30,
};

/* IP bytes on the wire from the current position of the frame cursor: for offload-zeroed lengths only. */
static uint32_t decode_wire_left(const struct cursor *c, const struct packet *pkt)
{
	uint32_t wire = pkt->wire_len > c->len ? pkt->wire_len : c->len;

	return wire - c->off;
}

static uint32_t decode_wire_sub(uint32_t wire_left, uint32_t n)
{
	return wire_left > n ? wire_left - n : 0;
}

/* The IP header the flow is built from: its captured bytes, up to the datagram's end. */
static void decode_set_l3(const struct cursor *c, const struct decode_ip *ip, struct packet *pkt)
{
	uint32_t left = cursor_left(c);

	pkt->l3 = cursor_ptr(c);
	pkt->l3_cap = left < ip->ip_len ? left : ip->ip_len;
}

/* Transport layer, then a remote-mirror tunnel if the datagram is one (and may be opened). */
static enum decode_error decode_transport(const struct cursor *l4, const struct decode_ip *ip,
					  struct packet *pkt, unsigned flags)
{
	enum decode_error e;

	if (!decode_l4_tracked(ip->proto))
		e = DECODE_OTHER_PROTO;
	else if (ip->later_fragment)
		return DECODE_OK;	/* the flow table attributes a later fragment by frag_id */
	else
		e = decode_l4(l4, ip, pkt);
	return decode_tunnel(l4, ip, pkt, flags, e);
}

/*
 * IP and everything above it; version 4 or 6 as the link said, 0 to read
 * the nibble. wire_left: bytes on the wire from c on.
 */
static enum decode_error decode_network(const struct cursor *c, uint32_t wire_left, int version,
					struct packet *pkt, unsigned flags)
{
	struct decode_ip ip = { 0 };
	struct cursor l4 = { 0 };	/* set by decode_ip* on success; zeroed for the compiler, which cannot see that through the flattened decode */
	enum decode_error e;

	if (version == 4)
		e = decode_ipv4(c, wire_left, &pkt->t, &ip, &l4);
	else if (version == 6)
		e = decode_ipv6(c, wire_left, &pkt->t, &ip, &l4);
	else
		e = decode_ip_any(c, wire_left, 0, &pkt->t, &ip, &l4);

	pkt->ip_len = ip.ip_len;
	pkt->ip_hdr_len = ip.hdr_len;
	pkt->ttl = ip.ttl;
	pkt->ip_id = ip.ip_id;
	pkt->fragment = ip.fragment;
	pkt->later_fragment = ip.later_fragment;
	pkt->more_fragments = ip.more_fragments;
	pkt->frag_id = ip.frag_id;
	pkt->frag_offset = ip.frag_offset;
	/*
	 * A datagram longer than the frame that carried it lies about its
	 * length (a snaplen cut shortens only the capture). A mirror tunnel's
	 * inner frame may have been cut by the mirror: no wire length to hold
	 * it to there.
	 */
	if (ip.ip_len > wire_left && !(flags & DECODE_F_INNER))
		return pkt->t.family == 6 ? DECODE_IPV6_BAD_LENGTH : DECODE_IPV4_BAD_LENGTH;
	if (e != DECODE_OK)
		return e;
	decode_set_l3(c, &ip, pkt);
	return decode_transport(&l4, &ip, pkt, flags);
}

static bool decode_is_vlan_tpid(uint16_t type)
{
	return type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD || type == ETHERTYPE_QINQ_OLD;
}

static enum decode_error decode_ethertype(struct cursor *c, uint32_t wire_left, uint16_t type, struct packet *pkt,
					  unsigned flags);

/* Is there an Ethernet type we decode at offset at (IP, a VLAN tag, MPLS)? */
static bool mpls_eth_type_at(const struct cursor *c, uint32_t at)
{
	uint16_t t;

	if (!cursor_has(c, at, 2))
		return false;
	t = rd_be16(c, at);
	return t == ETHERTYPE_IPV4 || t == ETHERTYPE_IPV6 || t == ETHERTYPE_8021Q || t == ETHERTYPE_8021AD ||
	       t == ETHERTYPE_QINQ_OLD;
}

/*
 * An MPLS label stack, then what the bottom label carries, told by its first
 * nibble as Wireshark does: 4 IPv4, 6 IPv6, 0 a pseudowire control word and
 * an Ethernet frame (Ethernet over MPLS), anything else an Ethernet frame
 * without a control word. The labels are not part of the flow: a flow seen
 * on two label paths is one flow, as with VLANs.
 */
static enum decode_error decode_mpls(struct cursor *c, uint32_t wire_left, struct packet *pkt, unsigned flags)
{
	uint8_t first;
	int n;

	if (flags & DECODE_F_MPLS_INNER)
		return DECODE_MPLS_TOO_DEEP;
	for (n = 0;; n++) {
		bool bottom;

		if (n == MPLS_MAX_LABELS)
			return DECODE_MPLS_TOO_DEEP;
		if (!cursor_need(c, MPLS_ENTRY_LEN))
			return DECODE_MPLS_TRUNCATED;
		bottom = rd_u8(c, 2) & 1;
		cursor_skip(c, MPLS_ENTRY_LEN);
		wire_left = decode_wire_sub(wire_left, MPLS_ENTRY_LEN);
		if (bottom)
			break;
	}
	if (!cursor_need(c, 1))
		return DECODE_MPLS_TRUNCATED;
	first = rd_u8(c, 0) >> 4;
	if (first == 4 || first == 6)
		return decode_network(c, wire_left, first, pkt, flags);
	/*
	 * 0 is a control word, or a destination MAC starting 0x0_: the one whose
	 * Ethernet type is one we know wins, the control word when both or
	 * neither are.
	 */
	if (first == 0 && (mpls_eth_type_at(c, MPLS_PW_CW_LEN + ETH_TYPE) || !mpls_eth_type_at(c, ETH_TYPE))) {
		if (!cursor_need(c, MPLS_PW_CW_LEN))
			return DECODE_MPLS_TRUNCATED;
		cursor_skip(c, MPLS_PW_CW_LEN);
		wire_left = decode_wire_sub(wire_left, MPLS_PW_CW_LEN);
	}
	if (!cursor_need(c, ETH_HDR_LEN))
		return DECODE_MPLS_TRUNCATED;
	{
		uint16_t type = rd_be16(c, ETH_TYPE);

		cursor_skip(c, ETH_HDR_LEN);
		return decode_ethertype(c, decode_wire_sub(wire_left, ETH_HDR_LEN), type, pkt,
					flags | DECODE_F_MPLS_INNER);
	}
}

/* The PPP protocol field at c (1 byte when compressed: odd first byte), then IPv4 or IPv6. */
static enum decode_error decode_ppp_protocol(struct cursor *c, uint32_t wire_left, struct packet *pkt, unsigned flags)
{
	uint16_t proto;
	uint32_t n;

	if (!cursor_need(c, 1))
		return DECODE_ENCAP_TRUNCATED;
	if (rd_u8(c, 0) & 1) {
		proto = rd_u8(c, 0);
		n = 1;
	} else {
		if (!cursor_need(c, 2))
			return DECODE_ENCAP_TRUNCATED;
		proto = rd_be16(c, 0);
		n = 2;
	}
	cursor_skip(c, n);
	wire_left = decode_wire_sub(wire_left, n);
	if (proto == PPP_IPV4)
		return decode_network(c, wire_left, 4, pkt, flags);
	if (proto == PPP_IPV6)
		return decode_network(c, wire_left, 6, pkt, flags);
	pkt->not_ip = DECODE_NOT_IP_CODE(NOTIP_PPP, proto);
	return DECODE_NOT_IP;	/* LCP, IPCP, CHAP ...: PPP's own */
}

/*
 * VLAN tags (outermost first), the shims a mirror port adds (Cisco VN-tag,
 * 802.1ah PBB I-TAG), then by EtherType: IP, MPLS, a PPPoE session. c is
 * just past the first EtherType. At most ENCAP_MAX shims: every one consumes
 * bytes, and the loop is bounded besides.
 */
static enum decode_error decode_ethertype(struct cursor *c, uint32_t wire_left, uint16_t type,
					  struct packet *pkt, unsigned flags)
{
	uint16_t vid;
	int shims = 0;

	for (;;) {
		while (decode_is_vlan_tpid(type)) {
			if (pkt->vlan_count == VLAN_MAX_TAGS)
				return DECODE_VLAN_TOO_DEEP;
			if (!cursor_need(c, VLAN_TAG_LEN))
				return DECODE_VLAN_TRUNCATED;
			vid = rd_be16(c, VLAN_TCI) & VLAN_VID_MASK;
			if (pkt->vlan_count == 0)
				pkt->vlan = vid;
			else if (pkt->vlan_count == 1)
				pkt->inner_vlan = vid;
			pkt->vlan_count++;
			type = rd_be16(c, VLAN_NEXT_TYPE);
			cursor_skip(c, VLAN_TAG_LEN);
			wire_left = decode_wire_sub(wire_left, VLAN_TAG_LEN);
		}
		if (type != ETHERTYPE_VNTAG && type != ETHERTYPE_PBB_ITAG)
			break;
		if (++shims > ENCAP_MAX)
			return DECODE_ENCAP_TOO_DEEP;
		{
			uint32_t skip = type == ETHERTYPE_VNTAG ? VNTAG_LEN : PBB_ITAG_SKIP;

			if (!cursor_need(c, skip + 2))
				return DECODE_ENCAP_TRUNCATED;
			type = rd_be16(c, skip);
			cursor_skip(c, skip + 2);
			wire_left = decode_wire_sub(wire_left, skip + 2);
		}
	}
	if (type == ETHERTYPE_IPV4)
		return decode_network(c, wire_left, 4, pkt, flags);
	if (type == ETHERTYPE_IPV6)
		return decode_network(c, wire_left, 6, pkt, flags);
	if (type == ETHERTYPE_MPLS || type == ETHERTYPE_MPLS_MC)
		return decode_mpls(c, wire_left, pkt, flags);
	if (type == ETHERTYPE_PPPOE_SESSION) {
		if (!cursor_need(c, PPPOE_HDR_LEN))
			return DECODE_ENCAP_TRUNCATED;
		if (rd_u8(c, 0) != 0x11 || rd_u8(c, 1) != 0) {	/* version 1, type 1, code 0: session data */
			pkt->not_ip = DECODE_NOT_IP_CODE(NOTIP_ETHERTYPE, type);
			return DECODE_NOT_IP;
		}
		cursor_skip(c, PPPOE_HDR_LEN);
		return decode_ppp_protocol(c, decode_wire_sub(wire_left, PPPOE_HDR_LEN), pkt, flags);
	}
	pkt->not_ip = DECODE_NOT_IP_CODE(NOTIP_ETHERTYPE, type);
	return DECODE_NOT_IP;
}

static enum decode_error decode_link_ethertype(struct cursor *c, uint32_t wire_left, uint32_t hdr_len,
					       uint32_t type_at, struct packet *pkt, unsigned flags);

/* DLT_PPP / DLT_PPP_SERIAL: HDLC-like framing (ff 03) when present; a Cisco HDLC frame when it starts 0f/8f. */
static enum decode_error decode_ppp(struct cursor *c, struct packet *pkt, unsigned flags)
{
	if (!cursor_need(c, 2))
		return DECODE_ENCAP_TRUNCATED;
	if (rd_u8(c, 0) == 0x0f || rd_u8(c, 0) == 0x8f)
		return decode_link_ethertype(c, decode_wire_left(c, pkt), 4, 2, pkt, flags);
	if (rd_u8(c, 0) == 0xff && rd_u8(c, 1) == 0x03)
		cursor_skip(c, 2);
	return decode_ppp_protocol(c, decode_wire_left(c, pkt), pkt, flags);
}

/* A fixed link header of hdr_len bytes whose EtherType sits at type_at. */
static enum decode_error decode_link_ethertype(struct cursor *c, uint32_t wire_left, uint32_t hdr_len,
					       uint32_t type_at, struct packet *pkt, unsigned flags)
{
	uint16_t type;

	if (!cursor_need(c, hdr_len))
		return DECODE_LINK_TRUNCATED;
	type = rd_be16(c, type_at);
	cursor_skip(c, hdr_len);
	return decode_ethertype(c, decode_wire_sub(wire_left, hdr_len), type, pkt, flags);
}

enum decode_error decode_ethernet(struct cursor *c, uint32_t wire_left, struct packet *pkt, unsigned flags)
{
	return decode_link_ethertype(c, wire_left, ETH_HDR_LEN, ETH_TYPE, pkt, flags);
}

enum decode_error decode_after_ethertype(struct cursor *c, uint32_t wire_left, uint16_t type, struct packet *pkt,
					unsigned flags)
{
	return decode_ethertype(c, wire_left, type, pkt, flags);
}

enum decode_error decode_ip_packet(const struct cursor *c, uint32_t wire_left, int version, struct packet *pkt,
				   unsigned flags)
{
	return decode_network(c, wire_left, version, pkt, flags);
}

/* DLT_NULL is in the capturing host's byte order, DLT_LOOP in network order. */
static enum decode_error decode_loopback(struct cursor *c, bool network_order, struct packet *pkt,
					 unsigned flags)
{
	uint32_t af;

	if (!cursor_need(c, NULL_HDR_LEN))
		return DECODE_LINK_TRUNCATED;
	af = network_order ? rd_be32(c, 0) : rd_le32(c, 0);
	/* Families are small: a little-endian read with empty low bytes was big-endian. */
	if (!network_order && (af & 0xffff) == 0)
		af = rd_be32(c, 0);
	cursor_skip(c, NULL_HDR_LEN);
	switch (af) {
	case BSD_AF_INET:
		return decode_network(c, decode_wire_left(c, pkt), 4, pkt, flags);
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		return decode_network(c, decode_wire_left(c, pkt), 6, pkt, flags);
	default:
		pkt->not_ip = DECODE_NOT_IP_CODE(NOTIP_FAMILY, af);
		return DECODE_NOT_IP;
	}
}

/* Raw IP: the version nibble decides; an empty DLT_RAW frame has no layer to blame but the link. */
static enum decode_error decode_raw(struct cursor *c, int hint, struct packet *pkt, unsigned flags)
{
	uint8_t version;

	if (!cursor_need(c, 1)) {
		if (hint == 4)
			return DECODE_IPV4_TRUNCATED;
		return hint == 6 ? DECODE_IPV6_TRUNCATED : DECODE_LINK_TRUNCATED;
	}
	version = rd_u8(c, 0) >> 4;
	if (version == 4 || version == 6)
		return decode_network(c, decode_wire_left(c, pkt), version, pkt, flags);
	return hint == 6 ? DECODE_IPV6_BAD_VERSION : DECODE_IPV4_BAD_VERSION;
}

/*
 * flatten: the whole decode (link, network, transport, tunnels) in one body.
 * Left to itself, LTO's inliner kept it so only while the program was small:
 * adding payload inspection elsewhere cost 4% more instructions per packet
 * here (callgrind on the bench mix), from calls that were no longer inlined.
 */
__attribute__((flatten)) enum decode_error decode_frame_ex(int dlt, const uint8_t *frame, uint32_t cap_len, struct packet *pkt,
				  unsigned flags)
{
	struct cursor c = cursor_make(frame, cap_len);
	uint32_t wire = decode_wire_left(&c, pkt);

	switch (dlt) {
	case DLT_EN10MB:
		return decode_ethernet(&c, wire, pkt, flags);
	case DLT_LINUX_SLL:
		return decode_link_ethertype(&c, wire, SLL_HDR_LEN, SLL_PROTO, pkt, flags);
	case DLT_LINUX_SLL2:
		return decode_link_ethertype(&c, wire, SLL2_HDR_LEN, SLL2_PROTO, pkt, flags);
	case DLT_RAW:
	case LINKTYPE_RAW_IP:
		return decode_raw(&c, 0, pkt, flags);
	case DLT_IPV4:
		return decode_raw(&c, 4, pkt, flags);
	case DLT_IPV6:
		return decode_raw(&c, 6, pkt, flags);
	case DLT_NULL:
		return decode_loopback(&c, false, pkt, flags);
	case DLT_LOOP:
		return decode_loopback(&c, true, pkt, flags);
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		return decode_ppp(&c, pkt, flags);
	case DLT_C_HDLC:	/* address, control, then an EtherType */
		return decode_link_ethertype(&c, wire, 4, 2, pkt, flags);
	default:
		return DECODE_NOT_IP;	/* callers check decode_link_supported() first */
	}
}

enum decode_error decode_frame(int dlt, const uint8_t *frame, uint32_t cap_len, struct packet *pkt)
{
	return decode_frame_ex(dlt, frame, cap_len, pkt, 0);
}

int decode_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case LINKTYPE_RAW_IP:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_PPP:
	case DLT_PPP_SERIAL:
	case DLT_C_HDLC:
		return 1;
	default:
		return 0;
	}
}

/* Setup path only: libpcap's name, else "DLT <n>" in a per-thread buffer. */
const char *decode_link_name(int dlt)
{
	static _Thread_local char buf[24];
	const char *name;

	if (dlt == LINKTYPE_RAW_IP)
		return "Raw IP";
	name = pcap_datalink_val_to_description(dlt);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "DLT %d", dlt);
	return buf;
}

static const char *const decode_error_names[DECODE_ERROR_COUNT] = {
	[DECODE_OK] = "ok",
	[DECODE_NOT_IP] = "not-ip",
	[DECODE_LINK_TRUNCATED] = "link-truncated",
	[DECODE_VLAN_TRUNCATED] = "vlan-truncated",
	[DECODE_VLAN_TOO_DEEP] = "vlan-too-deep",
	[DECODE_IPV4_TRUNCATED] = "ipv4-truncated",
	[DECODE_IPV4_BAD_VERSION] = "ipv4-bad-version",
	[DECODE_IPV4_BAD_IHL] = "ipv4-bad-ihl",
	[DECODE_IPV4_BAD_LENGTH] = "ipv4-bad-length",
	[DECODE_IPV6_TRUNCATED] = "ipv6-truncated",
	[DECODE_IPV6_BAD_VERSION] = "ipv6-bad-version",
	[DECODE_IPV6_BAD_LENGTH] = "ipv6-bad-length",
	[DECODE_IPV6_EXT_TRUNCATED] = "ipv6-ext-truncated",
	[DECODE_IPV6_EXT_TOO_MANY] = "ipv6-ext-too-many",
	[DECODE_TCP_TRUNCATED] = "tcp-truncated",
	[DECODE_TCP_BAD_OFFSET] = "tcp-bad-offset",
	[DECODE_UDP_TRUNCATED] = "udp-truncated",
	[DECODE_UDP_BAD_LENGTH] = "udp-bad-length",
	[DECODE_ICMP_TRUNCATED] = "icmp-truncated",
	[DECODE_ICMP_QUOTE_TRUNCATED] = "icmp-quote-truncated",
	[DECODE_ICMP_QUOTE_INVALID] = "icmp-quote-invalid",
	[DECODE_FRAGMENT_ORPHAN] = "fragment-orphan",
	[DECODE_OTHER_PROTO] = "other-proto",
	[DECODE_TUNNEL_TRUNCATED] = "tunnel-truncated",
	[DECODE_MPLS_TRUNCATED] = "mpls-truncated",
	[DECODE_MPLS_TOO_DEEP] = "mpls-too-deep",
	[DECODE_ENCAP_TRUNCATED] = "encap-truncated",
	[DECODE_ENCAP_TOO_DEEP] = "encap-too-deep",
	[DECODE_ENCRYPTED] = "wlan-encrypted",
	[DECODE_UNSUPPORTED] = "unsupported-encap",
};

const char *decode_error_name(enum decode_error e)
{
	if ((int)e < 0 || e >= DECODE_ERROR_COUNT || !decode_error_names[e])
		return "unknown";
	return decode_error_names[e];
}
