/*
 * decode: link layers (Ethernet and 802.3/LLC/SNAP, VLAN, Linux cooked, raw IP, BSD loopback, FDDI,
 * 802.11 with radiotap or PPI, NFLOG) and dispatch
 */
#include <pcap/pcap.h>

#include <stdio.h>

#include "decode.h"
#include "decode_internal.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276	/* libpcap < 1.10 lacks it; the value is fixed by the registry */
#endif

/* The registry's values (tcpdump.org linktypes), for libpcap headers that lack a name. */
#ifndef DLT_FDDI
#define DLT_FDDI 10
#endif
#ifndef DLT_IEEE802_11
#define DLT_IEEE802_11 105
#endif
#ifndef DLT_IEEE802_11_RADIO
#define DLT_IEEE802_11_RADIO 127
#endif
#ifndef DLT_PPI
#define DLT_PPI 192
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG 239
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
	ETHERTYPE_CISCO_MD = 0x8909,	/* Cisco MetaData (TrustSec SGT): see CMD_* */
	ETHERTYPE_MIN = 0x0600,		/* IEEE 802.3 clause 3.2.6: below, the field is a length */
};

/*
 * Cisco MetaData after its EtherType (Wireshark packet-cisco-metadata.c):
 * version (1), length (1), option (2: type and length of the SGT option),
 * SGT (2), then the next EtherType. Wireshark reads this 8-byte form only,
 * which has length 1; the length counts 8-byte units from the version to
 * the next EtherType inclusive, so a longer header (more options) is
 * skipped by it. 0 is read as Wireshark's fixed form.
 */
enum { CMD_LEN = 1, CMD_UNIT = 8, CMD_MIN_LEN = 8 };

/*
 * IEEE 802.2 LLC: DSAP (1), SSAP (1), control (1 for U-format PDUs, whose
 * low two bits are 11; 2 for I- and S-format). SNAP (RFC 1042, IEEE 802
 * clause 10) is DSAP = SSAP = 0xAA, control UI (0x03), then an OUI (3) and a
 * protocol id (2); with OUI 000000 (RFC 1042) or 0000f8 (802.1H bridge
 * tunnel) the protocol id is an EtherType.
 */
enum {
	LLC_DSAP = 0,
	LLC_SSAP = 1,
	LLC_CTRL = 2,
	LLC_U_MASK = 0x03,		/* control & 3 == 3: U-format, one byte */
	LLC_CTRL_UI = 0x03,
	LLC_HDR_MIN = 3,
	LLC_SAP_SNAP = 0xaa,
	LLC_SAP_IP = 0x06,		/* DoD IP over 802.2 (RFC 1042 mentions it; rare) */
	LLC_SAP_NOVELL_RAW = 0xff,	/* raw 802.3: IPX with its checksum 0xffff where the LLC header would be */
	SNAP_OUI = 3,
	SNAP_PID = 6,
	SNAP_HDR_LEN = 8,		/* LLC (3) + OUI (3) + protocol id (2) */
	OUI_ENCAP_ETHER = 0x000000,
	OUI_CISCO = 0x00000c,
	OUI_BRIDGE_TUNNEL = 0x0000f8,
};

/*
 * Linux cooked captures put a "protocol" below 0x0600 where the frame was
 * not Ethernet II (linux/if_ether.h, pcap-linktype(7) LINKTYPE_LINUX_SLL):
 * 0x0004 an 802.2 LLC frame follows, 0x0001 a Novell raw 802.3 frame.
 */
enum { SLL_P_802_3 = 0x0001, SLL_P_802_2 = 0x0004 };

/*
 * FDDI (ANSI X3.139, pcap-linktype(7) LINKTYPE_FDDI: no padding before
 * the frame control in a file): frame control (1), destination (6),
 * source (6), then 802.2 LLC. The frame control is CLFFZZZZ; FF = 01
 * marks an LLC frame (SMT and MAC frames carry no LLC).
 */
enum { FDDI_FC = 0, FDDI_HDR_LEN = 13, FDDI_FC_FORMAT = 0x30, FDDI_FC_LLC = 0x10 };

/*
 * IEEE 802.11-2020 clause 9.2: frame control (2, little-endian: protocol
 * version bits 0-1, type 2-3, subtype 4-7; flags To DS, From DS, More
 * Fragments, Retry, Power Management, More Data, Protected, +HTC/Order),
 * duration (2), address 1-3 (18), sequence control (2) = 24 bytes; address
 * 4 (6) when To DS and From DS are both set (a WDS/mesh frame); QoS control
 * (2) in QoS data subtypes (subtype bit 3); HT control (4) when +HTC/Order is
 * set on a QoS data frame (9.2.4.1.10). Data subtypes with bit 2 set carry
 * no data (Null, QoS Null, CF-Ack/Poll without data). Bit 7 of the QoS
 * control's first byte says the body is an A-MSDU (9.2.4.5.9).
 */
enum {
	WLAN_FC0 = 0,
	WLAN_FC1 = 1,
	WLAN_SEQ_CTL = 22,		/* little-endian: fragment number bits 0-3 */
	WLAN_HDR_LEN = 24,
	WLAN_ADDR4_LEN = 6,
	WLAN_QOS_LEN = 2,
	WLAN_HTC_LEN = 4,
	WLAN_TYPE_DATA = 2,
	WLAN_SUBTYPE_NO_DATA = 0x04,
	WLAN_SUBTYPE_QOS = 0x08,
	WLAN_F_TODS = 0x01,
	WLAN_F_FROMDS = 0x02,
	WLAN_F_MORE_FRAG = 0x04,
	WLAN_F_PROTECTED = 0x40,
	WLAN_F_ORDER = 0x80,
	WLAN_QOS_AMSDU = 0x80,
	WLAN_FRAG_MASK = 0x000f,
	WLAN_FCS_LEN = 4,
};

/*
 * Radiotap (radiotap.org, "Radiotap header"): it_version (1, 0), it_pad
 * (1), it_len (2, little-endian, the whole radiotap header), it_present
 * (4, little-endian); bit 31 of a presence word says another word follows.
 * Fields follow the last presence word in bit order, each aligned to its
 * natural size from the start of the header: TSFT (bit 0, u64, 8-aligned),
 * then Flags (bit 1, u8). Flags 0x10: the frame ends with its FCS; 0x20:
 * padding between the 802.11 header and the body, to a 4-byte boundary.
 */
enum {
	RT_VERSION = 0,
	RT_LEN = 2,
	RT_PRESENT = 4,
	RT_HDR_MIN = 8,
	RT_PRESENT_TSFT = 0x01,
	RT_PRESENT_FLAGS = 0x02,
	RT_PRESENT_EXT = 0x80000000u,
	RT_TSFT_LEN = 8,
	RT_FLAG_FCS = 0x10,
	RT_FLAG_DATAPAD = 0x20,
};

/*
 * PPI (CACE Technologies' Per-Packet Information Header Specification 1.0):
 * pph_version (1, 0), pph_flags (1, bit 0: fields 32-bit aligned), pph_len
 * (2, little-endian, header and fields), pph_dlt (4, little-endian: the
 * link type of the frame that follows). Fields: pfh_type (2), pfh_datalen
 * (2), data. The 802.11-Common field (type 2) holds TSF (8), then flags
 * (2): 0x0001 the frame ends with its FCS.
 */
enum {
	PPI_VERSION = 0,
	PPI_FLAGS = 1,
	PPI_LEN = 2,
	PPI_DLT = 4,
	PPI_HDR_LEN = 8,
	PPI_F_ALIGNED = 0x01,
	PPI_FIELD_HDR = 4,
	PPI_FIELD_80211_COMMON = 2,
	PPI_COMMON_FLAGS = 8,
	PPI_COMMON_F_FCS = 0x0001,
};

/*
 * Linux NFLOG (tcpdump.org LINKTYPE_NFLOG, libpcap pcap/nflog.h): family
 * (1, AF_*), version (1, 0), resource id (2, big-endian), then TLVs: length
 * (2, counting the 4-byte TLV header, not the padding) and type (2), both
 * in the capturing host's byte order (libpcap swaps them when reading a
 * file of the other order, so they are in ours here), each padded to 4
 * bytes. NFULA_PAYLOAD (9) holds the network-layer packet. Netlink keeps
 * two flag bits at the top of the type (NLA_F_NESTED, NLA_F_NET_BYTEORDER).
 */
enum {
	NFLOG_FAMILY = 0,
	NFLOG_VERSION = 1,
	NFLOG_HDR_LEN = 4,
	NFLOG_TLV_HDR = 4,
	NFLOG_TLV_ALIGN = 4,
	NFLOG_TYPE_MASK = 0x3fff,
	NFULA_PAYLOAD_TYPE = 9,
	NFLOG_AF_INET = 2,		/* Linux AF_INET */
	NFLOG_AF_INET6 = 10,		/* Linux AF_INET6 */
};

/*
 * decode.c's own flag, above the ones in decode_internal.h: the frame is
 * what an LLC/SNAP header carried, so a length in its type field is not
 * taken for a second 802.3 frame (bounded recursion).
 */
enum { DECODE_F_LLC_INNER = 0x10000 };

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
static __attribute__((noinline)) enum decode_error decode_mpls(struct cursor *c, uint32_t wire_left, struct packet *pkt, unsigned flags)
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
static __attribute__((noinline)) enum decode_error decode_ppp_protocol(struct cursor *c, uint32_t wire_left, struct packet *pkt, unsigned flags)
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
 * An 802.2 LLC header and what it carries. SNAP with an EtherType goes back
 * to the EtherType dispatch (IP, VLAN, MPLS behind SNAP), never to a second
 * 802.3 frame (DECODE_F_LLC_INNER). Cisco's SNAP (CDP, VTP, DTP, PVST+) and
 * the other SAPs (STP 0x42, NetBIOS 0xf0, ...) are named in pkt->not_ip.
 */
static __attribute__((noinline)) enum decode_error decode_llc(struct cursor *c, uint32_t wire_left, struct packet *pkt, unsigned flags)
{
	uint8_t dsap, ssap, ctrl;

	if (!cursor_need(c, LLC_HDR_MIN))
		return DECODE_LINK_TRUNCATED;
	dsap = rd_u8(c, LLC_DSAP);
	ssap = rd_u8(c, LLC_SSAP);
	ctrl = rd_u8(c, LLC_CTRL);
	if (dsap == LLC_SAP_SNAP && ssap == LLC_SAP_SNAP && ctrl == LLC_CTRL_UI) {
		uint32_t oui;
		uint16_t pid;

		if (!cursor_need(c, SNAP_HDR_LEN))
			return DECODE_LINK_TRUNCATED;
		oui = (uint32_t)rd_u8(c, SNAP_OUI) << 16 | rd_be16(c, SNAP_OUI + 1);
		pid = rd_be16(c, SNAP_PID);
		cursor_skip(c, SNAP_HDR_LEN);
		if (oui == OUI_ENCAP_ETHER || oui == OUI_BRIDGE_TUNNEL)
			return decode_ethertype(c, decode_wire_sub(wire_left, SNAP_HDR_LEN), pid, pkt,
						flags | DECODE_F_LLC_INNER);
		pkt->not_ip = DECODE_NOT_IP_CODE(oui == OUI_CISCO ? NOTIP_SNAP_CISCO : NOTIP_SNAP_OTHER, pid);
		return DECODE_NOT_IP;
	}
	if (dsap == LLC_SAP_IP && ssap == LLC_SAP_IP && ctrl == LLC_CTRL_UI) {
		cursor_skip(c, LLC_HDR_MIN);
		return decode_network(c, decode_wire_sub(wire_left, LLC_HDR_MIN), 4, pkt, flags);
	}
	/* I- and S-format PDUs have a 2-byte control field: the header is 4 bytes. */
	if ((ctrl & LLC_U_MASK) != LLC_U_MASK && !cursor_need(c, LLC_HDR_MIN + 1))
		return DECODE_LINK_TRUNCATED;
	pkt->not_ip = DECODE_NOT_IP_CODE(NOTIP_LLC, dsap);
	return DECODE_NOT_IP;
}

/*
 * An IEEE 802.3 frame: the type field held the length of the LLC data that
 * follows, which bounds it, since Ethernet pads frames to 60 bytes and the
 * padding is no part of the packet. Novell's raw 802.3 puts an IPX header,
 * whose checksum is always 0xffff, where LLC would be.
 */
static __attribute__((noinline)) enum decode_error decode_8023(struct cursor *c, uint32_t wire_left, uint16_t length, struct packet *pkt,
				     unsigned flags)
{
	struct cursor data = cursor_sub(c, length);

	if (wire_left > length)
		wire_left = length;
	if (cursor_need(&data, 2) && rd_be16(&data, 0) == 0xffff) {
		pkt->not_ip = DECODE_NOT_IP_CODE(NOTIP_LLC, LLC_SAP_NOVELL_RAW);
		return DECODE_NOT_IP;
	}
	return decode_llc(&data, wire_left, pkt, flags | DECODE_F_LLC_INNER);
}

/* Where a shim's next EtherType sits, from just past the shim's own EtherType. */
static uint32_t decode_shim_type_at(const struct cursor *c, uint16_t type)
{
	uint32_t n;

	if (type == ETHERTYPE_VNTAG)
		return VNTAG_LEN;
	if (type == ETHERTYPE_PBB_ITAG)
		return PBB_ITAG_SKIP;
	/* Cisco MetaData; a length byte that was not captured reads 0: the caller's check finds the cut. */
	n = (uint32_t)rd_u8(c, CMD_LEN) * CMD_UNIT;
	return (n ? n : CMD_MIN_LEN) - 2;
}

/*
 * VLAN tags (outermost first), the shims a mirror port or a TrustSec link
 * adds (Cisco VN-tag, 802.1ah PBB I-TAG, Cisco MetaData), then by
 * EtherType: IP, MPLS, a PPPoE session, and last (rare) an 802.3 length
 * with LLC behind it. c is just past the first EtherType. At most ENCAP_MAX shims: every one consumes
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
		/* Every shim's EtherType is above IPv4's and IPv6's: one compare for the common case. */
		if (type < ETHERTYPE_PBB_ITAG ||
		    (type != ETHERTYPE_VNTAG && type != ETHERTYPE_PBB_ITAG && type != ETHERTYPE_CISCO_MD))
			break;
		if (++shims > ENCAP_MAX)
			return DECODE_ENCAP_TOO_DEEP;
		{
			uint32_t skip = decode_shim_type_at(c, type);

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
	if (type < ETHERTYPE_MIN && !(flags & DECODE_F_LLC_INNER))
		return decode_8023(c, wire_left, type, pkt, flags);
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
	/* The I/G bit of the destination (IEEE 802 section 8.2): a subnet's broadcast has no other mark. */
	if (cursor_need(c, 1))
		pkt->l2_group = rd_u8(c, 0) & 1;
	return decode_link_ethertype(c, wire_left, ETH_HDR_LEN, ETH_TYPE, pkt, flags);
}

__attribute__((noinline)) enum decode_error decode_after_ethertype(struct cursor *c, uint32_t wire_left, uint16_t type, struct packet *pkt,
					unsigned flags)
{
	return decode_ethertype(c, wire_left, type, pkt, flags);
}

__attribute__((noinline)) enum decode_error decode_ip_packet(const struct cursor *c, uint32_t wire_left, int version, struct packet *pkt,
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
 * Linux cooked v1/v2: a protocol of 0x0600 and up is an EtherType; below,
 * the frame was not Ethernet II (SLL_P_*).
 */
static enum decode_error decode_sll(struct cursor *c, uint32_t wire_left, uint32_t hdr_len, uint32_t type_at,
				    struct packet *pkt, unsigned flags)
{
	uint16_t type;

	if (!cursor_need(c, hdr_len))
		return DECODE_LINK_TRUNCATED;
	type = rd_be16(c, type_at);
	cursor_skip(c, hdr_len);
	wire_left = decode_wire_sub(wire_left, hdr_len);
	if (type >= ETHERTYPE_MIN)
		return decode_ethertype(c, wire_left, type, pkt, flags);
	if (type == SLL_P_802_2)
		return decode_llc(c, wire_left, pkt, flags | DECODE_F_LLC_INNER);
	pkt->not_ip = type == SLL_P_802_3 ? DECODE_NOT_IP_CODE(NOTIP_LLC, LLC_SAP_NOVELL_RAW)
					   : DECODE_NOT_IP_CODE(NOTIP_ETHERTYPE, type);
	return DECODE_NOT_IP;
}

/* FDDI: LLC frames only; SMT and MAC frames (station management, tokens) are FDDI's own. */
static enum decode_error decode_fddi(struct cursor *c, uint32_t wire_left, struct packet *pkt, unsigned flags)
{
	if (!cursor_need(c, FDDI_HDR_LEN))
		return DECODE_LINK_TRUNCATED;
	if ((rd_u8(c, FDDI_FC) & FDDI_FC_FORMAT) != FDDI_FC_LLC)
		return DECODE_NOT_IP;
	cursor_skip(c, FDDI_HDR_LEN);
	return decode_llc(c, decode_wire_sub(wire_left, FDDI_HDR_LEN), pkt, flags | DECODE_F_LLC_INNER);
}

/*
 * An 802.11 frame (no FCS: the caller trimmed it). Only unprotected,
 * unfragmented data frames with an MSDU are opened, through LLC/SNAP; a
 * protected one is counted as encrypted, an A-MSDU or a fragment as a
 * header decode knows but does not open. datapad: radiotap says the header
 * is padded to 4 bytes.
 */
static enum decode_error decode_80211(struct cursor *c, uint32_t wire_left, bool datapad, struct packet *pkt,
				      unsigned flags)
{
	uint8_t fc0, fc1, type, subtype;
	uint32_t hdr = WLAN_HDR_LEN, qos_at = 0;

	if (!cursor_need(c, 2))
		return DECODE_LINK_TRUNCATED;
	fc0 = rd_u8(c, WLAN_FC0);
	fc1 = rd_u8(c, WLAN_FC1);
	type = (fc0 >> 2) & 3;
	subtype = fc0 >> 4;
	pkt->not_ip = DECODE_NOT_IP_CODE(NOTIP_WLAN, type << 4 | subtype);
	if ((fc0 & 3) != 0)
		return DECODE_UNSUPPORTED;	/* protocol version 1 is 802.11ah's PV1 frame format */
	if (type != WLAN_TYPE_DATA || (subtype & WLAN_SUBTYPE_NO_DATA))
		return DECODE_NOT_IP;	/* management, control, extension; Null and QoS Null data */
	if ((fc1 & (WLAN_F_TODS | WLAN_F_FROMDS)) == (WLAN_F_TODS | WLAN_F_FROMDS))
		hdr += WLAN_ADDR4_LEN;
	if (subtype & WLAN_SUBTYPE_QOS) {
		qos_at = hdr;
		hdr += WLAN_QOS_LEN;
		if (fc1 & WLAN_F_ORDER)
			hdr += WLAN_HTC_LEN;
	}
	if (!cursor_need(c, hdr))
		return DECODE_LINK_TRUNCATED;
	if (fc1 & WLAN_F_PROTECTED)
		return DECODE_ENCRYPTED;
	if (qos_at && (rd_u8(c, qos_at) & WLAN_QOS_AMSDU))
		return DECODE_UNSUPPORTED;
	/* Only the first fragment holds the LLC and IP headers, and not the whole datagram: no reassembly here. */
	if ((fc1 & WLAN_F_MORE_FRAG) || (rd_le16(c, WLAN_SEQ_CTL) & WLAN_FRAG_MASK))
		return DECODE_UNSUPPORTED;
	if (datapad)
		hdr = (hdr + 3) & ~3u;
	if (!cursor_skip(c, hdr))
		return DECODE_LINK_TRUNCATED;
	pkt->not_ip = 0;
	return decode_llc(c, decode_wire_sub(wire_left, hdr), pkt, flags | DECODE_F_LLC_INNER);
}

/* The 802.11 frame after a radio header of hdr_len bytes, its FCS (if it has one) cut off the wire's end. */
static enum decode_error decode_80211_after(struct cursor *c, uint32_t wire_left, uint32_t hdr_len, bool fcs,
					    bool datapad, struct packet *pkt, unsigned flags)
{
	struct cursor frame;

	cursor_skip(c, hdr_len);
	wire_left = decode_wire_sub(wire_left, hdr_len);
	if (fcs)
		wire_left = decode_wire_sub(wire_left, WLAN_FCS_LEN);
	frame = cursor_sub(c, wire_left);	/* a snaplen cut may have taken the FCS already */
	return decode_80211(&frame, wire_left, datapad, pkt, flags);
}

/*
 * Radiotap: only the Flags field matters here (FCS at the end, header
 * padding). The presence words are walked inside it_len, which bounds the
 * walk; TSFT, the only field before Flags, fixes where Flags is.
 */
static enum decode_error decode_radiotap(struct cursor *c, uint32_t wire_left, struct packet *pkt, unsigned flags)
{
	uint32_t len, present, word, at = RT_PRESENT;
	uint8_t rt_flags = 0;

	if (!cursor_need(c, RT_HDR_MIN))
		return DECODE_LINK_TRUNCATED;
	if (rd_u8(c, RT_VERSION) != 0)
		return DECODE_UNSUPPORTED;
	len = rd_le16(c, RT_LEN);
	if (len < RT_HDR_MIN || !cursor_need(c, len))
		return DECODE_LINK_TRUNCATED;
	present = word = rd_le32(c, RT_PRESENT);
	while (word & RT_PRESENT_EXT) {
		at += 4;
		if (at + 4 > len)
			return DECODE_LINK_TRUNCATED;
		word = rd_le32(c, at);
	}
	at += 4;
	if (present & RT_PRESENT_TSFT)
		at = ((at + RT_TSFT_LEN - 1) & ~(uint32_t)(RT_TSFT_LEN - 1)) + RT_TSFT_LEN;
	if (present & RT_PRESENT_FLAGS) {
		if (at >= len)
			return DECODE_LINK_TRUNCATED;
		rt_flags = rd_u8(c, at);
	}
	return decode_80211_after(c, wire_left, len, rt_flags & RT_FLAG_FCS, rt_flags & RT_FLAG_DATAPAD, pkt, flags);
}

/* PPI: an 802.11 frame (pph_dlt 105) is opened; the 802.11-Common field says whether it ends with its FCS. */
static enum decode_error decode_ppi(struct cursor *c, uint32_t wire_left, struct packet *pkt, unsigned flags)
{
	uint32_t len, at;
	bool fcs = false;

	if (!cursor_need(c, PPI_HDR_LEN))
		return DECODE_LINK_TRUNCATED;
	if (rd_u8(c, PPI_VERSION) != 0)
		return DECODE_UNSUPPORTED;
	len = rd_le16(c, PPI_LEN);
	if (len < PPI_HDR_LEN || !cursor_need(c, len))
		return DECODE_LINK_TRUNCATED;
	if (rd_le32(c, PPI_DLT) != DLT_IEEE802_11)
		return DECODE_UNSUPPORTED;
	/* Each field moves at on by at least its 4-byte header, inside len: the walk ends. */
	for (at = PPI_HDR_LEN; at + PPI_FIELD_HDR <= len;) {
		uint32_t type = rd_le16(c, at), flen = rd_le16(c, at + 2);

		if (flen > len - at - PPI_FIELD_HDR)
			return DECODE_LINK_TRUNCATED;
		if (type == PPI_FIELD_80211_COMMON && flen >= PPI_COMMON_FLAGS + 2 &&
		    (rd_le16(c, at + PPI_FIELD_HDR + PPI_COMMON_FLAGS) & PPI_COMMON_F_FCS))
			fcs = true;
		at += PPI_FIELD_HDR + flen;
		if (rd_u8(c, PPI_FLAGS) & PPI_F_ALIGNED)
			at = (at + 3) & ~3u;
	}
	return decode_80211_after(c, wire_left, len, fcs, false, pkt, flags);
}

/* A TLV length or type of NFLOG, in the host's byte order (see NFLOG_*). */
static uint16_t rd_host16(const struct cursor *c, uint32_t at)
{
	uint16_t v = 0;

	cursor_copy(c, at, &v, sizeof(v));
	return v;
}

/*
 * NFLOG: the packet is the NFULA_PAYLOAD TLV's value, and the TLV's
 * length is its length on the wire. The walk moves at least 4 bytes a TLV.
 */
static enum decode_error decode_nflog(struct cursor *c, uint32_t wire, struct packet *pkt, unsigned flags)
{
	uint8_t family;

	if (!cursor_need(c, NFLOG_HDR_LEN))
		return DECODE_LINK_TRUNCATED;
	family = rd_u8(c, NFLOG_FAMILY);
	if (rd_u8(c, NFLOG_VERSION) != 0)
		return DECODE_UNSUPPORTED;
	if (family != NFLOG_AF_INET && family != NFLOG_AF_INET6) {
		pkt->not_ip = DECODE_NOT_IP_CODE(NOTIP_FAMILY, family);
		return DECODE_NOT_IP;
	}
	cursor_skip(c, NFLOG_HDR_LEN);
	while (cursor_left(c) > 0) {
		uint32_t tlen, left;

		if (!cursor_need(c, NFLOG_TLV_HDR))
			return DECODE_LINK_TRUNCATED;
		tlen = rd_host16(c, 0);
		if (tlen < NFLOG_TLV_HDR)
			return DECODE_LINK_TRUNCATED;
		if ((rd_host16(c, 2) & NFLOG_TYPE_MASK) == NFULA_PAYLOAD_TYPE) {
			struct cursor ip;

			cursor_skip(c, NFLOG_TLV_HDR);
			ip = cursor_sub(c, tlen - NFLOG_TLV_HDR);
			return decode_network(&ip, tlen - NFLOG_TLV_HDR, family == NFLOG_AF_INET ? 4 : 6, pkt, flags);
		}
		left = cursor_left(c);
		if (tlen > left)
			return DECODE_LINK_TRUNCATED;
		tlen = (tlen + NFLOG_TLV_ALIGN - 1) & ~(uint32_t)(NFLOG_TLV_ALIGN - 1);
		cursor_skip(c, tlen < left ? tlen : left);	/* the last TLV's padding may be absent */
	}
	if (wire > c->off)
		return DECODE_LINK_TRUNCATED;	/* the snaplen cut the TLVs before the payload */
	return DECODE_NOT_IP;	/* a log message without the packet */
}

/*
 * The link types that are not a mirror port's or a Linux host's: a call of
 * their own, outside the flattened body below. Flattened, every link type
 * carried its own copy of the whole decoder, and LTO's link took minutes.
 */
static __attribute__((noinline)) enum decode_error decode_frame_rare(int dlt, struct cursor *c, uint32_t wire,
								    struct packet *pkt, unsigned flags)
{
	switch (dlt) {
	case DLT_NULL:
		return decode_loopback(c, false, pkt, flags);
	case DLT_LOOP:
		return decode_loopback(c, true, pkt, flags);
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		return decode_ppp(c, pkt, flags);
	case DLT_C_HDLC:	/* address, control, then an EtherType */
		return decode_link_ethertype(c, wire, 4, 2, pkt, flags);
	case DLT_FDDI:
		return decode_fddi(c, wire, pkt, flags);
	case DLT_IEEE802_11:
		return decode_80211(c, wire, false, pkt, flags);
	case DLT_IEEE802_11_RADIO:
		return decode_radiotap(c, wire, pkt, flags);
	case DLT_PPI:
		return decode_ppi(c, wire, pkt, flags);
	case DLT_NFLOG:
		return decode_nflog(c, wire, pkt, flags);
	default:
		return DECODE_NOT_IP;	/* callers check decode_link_supported() first */
	}
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

	/*
	 * Ethernet before the switch: with the link types spread from 0 to 276
	 * the switch is a tree of compares, not a table, and Ethernet is most
	 * of what is read.
	 */
	if (dlt == DLT_EN10MB)
		return decode_ethernet(&c, wire, pkt, flags);
	switch (dlt) {
	case DLT_LINUX_SLL:
		return decode_sll(&c, wire, SLL_HDR_LEN, SLL_PROTO, pkt, flags);
	case DLT_LINUX_SLL2:
		return decode_sll(&c, wire, SLL2_HDR_LEN, SLL2_PROTO, pkt, flags);
	case DLT_RAW:
	case LINKTYPE_RAW_IP:
		return decode_raw(&c, 0, pkt, flags);
	case DLT_IPV4:
		return decode_raw(&c, 4, pkt, flags);
	case DLT_IPV6:
		return decode_raw(&c, 6, pkt, flags);
	default:
		return decode_frame_rare(dlt, &c, wire, pkt, flags);
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
	case DLT_FDDI:
	case DLT_IEEE802_11:
	case DLT_IEEE802_11_RADIO:
	case DLT_PPI:
	case DLT_NFLOG:
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
