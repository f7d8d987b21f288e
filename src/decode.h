/* decode: link, network and transport headers of one frame, bounds-checked */
#ifndef FLOWAUDIT_DECODE_H
#define FLOWAUDIT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

/* Why a frame could not be used, or what was odd about it. One name table: decode_error_name(). */
enum decode_error {
	DECODE_OK = 0,
	DECODE_NOT_IP,			/* ARP, LLDP, ...: not an error, counted apart */
	DECODE_LINK_TRUNCATED,
	DECODE_VLAN_TRUNCATED,
	DECODE_VLAN_TOO_DEEP,
	DECODE_IPV4_TRUNCATED,
	DECODE_IPV4_BAD_VERSION,
	DECODE_IPV4_BAD_IHL,
	DECODE_IPV4_BAD_LENGTH,		/* total length below the header, or past what was on the wire */
	DECODE_IPV6_TRUNCATED,
	DECODE_IPV6_BAD_VERSION,
	DECODE_IPV6_BAD_LENGTH,		/* payload length past what was on the wire */
	DECODE_IPV6_EXT_TRUNCATED,
	DECODE_IPV6_EXT_TOO_MANY,
	DECODE_TCP_TRUNCATED,
	DECODE_TCP_BAD_OFFSET,
	DECODE_UDP_TRUNCATED,
	DECODE_UDP_BAD_LENGTH,
	DECODE_ICMP_TRUNCATED,
	DECODE_ICMP_QUOTE_TRUNCATED,
	DECODE_ICMP_QUOTE_INVALID,	/* quotes an ICMP error, the other IP version, or a malformed header */
	DECODE_FRAGMENT_ORPHAN,		/* later fragment whose first was not seen (flow table) */
	DECODE_OTHER_PROTO,		/* IP, but not TCP/UDP/ICMP: tracked by address only */
	DECODE_TUNNEL_TRUNCATED,	/* a VXLAN/ERSPAN/GRE mirror tunnel cut in its header or the inner Ethernet header */
	DECODE_MPLS_TRUNCATED,		/* an MPLS label stack (or its pseudowire control word) cut short */
	DECODE_MPLS_TOO_DEEP,		/* more than MPLS_MAX_LABELS labels, or MPLS inside Ethernet inside MPLS */
	DECODE_ENCAP_TRUNCATED,		/* a PPPoE, VN-tag, PBB I-TAG, PPP or Cisco HDLC header cut short */
	DECODE_ENCAP_TOO_DEEP,		/* more nested encapsulation headers than ENCAP_MAX */
	DECODE_ENCRYPTED,		/* an 802.11 data frame protected by WEP/TKIP/CCMP/GCMP: not readable */
	DECODE_UNSUPPORTED,		/* a header decode knows, carrying what decode does not open (pkt->not_ip says what) */
	DECODE_ERROR_COUNT
};

/* Link types decode understands (DLT_* values from pcap/dlt.h). */
int decode_link_supported(int dlt);
const char *decode_link_name(int dlt);

/*
 * Decode one frame of link type dlt into pkt (which the caller zeroed and
 * whose ts_us/wire_len/cap_len it set). Returns DECODE_OK when pkt->t and the
 * transport fields are usable, else the first problem met; pkt then holds
 * what was decoded before it.
 */
enum decode_error decode_frame(int dlt, const uint8_t *frame, uint32_t cap_len, struct packet *pkt);

/* Flags for decode_frame_ex. */
enum { DECODE_F_NO_DECAP = 1 };	/* audit VXLAN/ERSPAN/GRE tunnels as flows instead of opening them */
enum decode_error decode_frame_ex(int dlt, const uint8_t *frame, uint32_t cap_len, struct packet *pkt,
				  unsigned flags);

const char *decode_error_name(enum decode_error e);

/*
 * What a frame that is not IP carried: a namespace and a value, so that the
 * report can name ARP, LLDP, STP, CDP ... and show an unknown EtherType's
 * number (pkt->not_ip).
 */
enum decode_not_ip_space {
	NOTIP_NONE = 0,
	NOTIP_ETHERTYPE,	/* an EtherType (Ethernet II, SNAP with OUI 0, SLL, Cisco HDLC, ...) */
	NOTIP_LLC,		/* an 802.2 LLC DSAP without SNAP (STP 0x42, NetBIOS 0xf0, ...) */
	NOTIP_SNAP_CISCO,	/* SNAP with Cisco's OUI 00000c: the protocol id (CDP 0x2000, ...) */
	NOTIP_SNAP_OTHER,	/* SNAP with another OUI: the protocol id */
	NOTIP_PPP,		/* a PPP protocol (LCP 0xc021, IPCP 0x8021, ...) */
	NOTIP_WLAN,		/* an 802.11 frame that is not data: type << 4 | subtype */
	NOTIP_FAMILY,		/* a link's address family that is not IP (BSD loopback, NFLOG) */
	NOTIP_TUNNEL,		/* a tunnel's payload decode does not open: its protocol type */
};
#define DECODE_NOT_IP_CODE(space, value) (((uint32_t)(space) << 16) | (uint16_t)(value))
#define DECODE_NOT_IP_SPACE(code) ((enum decode_not_ip_space)((code) >> 16))
#define DECODE_NOT_IP_VALUE(code) ((uint16_t)((code) & 0xffff))
/* The protocol's short name ("ARP", "LLDP", "STP"), or NULL when decode does not know it. */
const char *decode_not_ip_name(uint32_t code);
/* Name or number for a report: "ARP", "EtherType 0x88b5", "LLC SAP 0xe0", ... into buf. */
const char *decode_not_ip_label(uint32_t code, char *buf, size_t len);

/* A tunnel kind's name as the conn log gives it ("vxlan", "erspan", "gre", "ipip", "teredo", ...). */
const char *decode_tunnel_name(int kind);

#endif
