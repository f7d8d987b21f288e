/* packet: one decoded packet, the record that decode hands to the flow table */
#ifndef FLOWAUDIT_PACKET_H
#define FLOWAUDIT_PACKET_H

#include <stdbool.h>
#include <stdint.h>

/* IP protocol numbers the audit tracks (IANA). */
enum {
	PROTO_ICMP = 1,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_ICMPV6 = 58,
};

/* TCP flag bits (RFC 9293 section 3.1). */
enum {
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_URG = 0x20,
	TCP_ECE = 0x40,
	TCP_CWR = 0x80,
};

/*
 * A transport 5-tuple in the direction the packet travelled.
 * IPv4 addresses sit in the first 4 bytes of src/dst, the rest zero.
 * For ICMP/ICMPv6, sport is the type and dport the counterpart type
 * (echo request <-> reply) or, for one-way messages, the code, as Zeek
 * and Community ID do.
 */
struct tuple {
	uint8_t family;		/* 4 or 6 */
	uint8_t proto;		/* PROTO_* or any other IP protocol number */
	uint16_t sport;		/* host byte order */
	uint16_t dport;		/* host byte order */
	uint8_t src[16];
	uint8_t dst[16];
};

/*
 * Tunnels decode opens (auto-detected; DECODE_F_NO_DECAP keeps them). The
 * first five carry Ethernet frames: a remote mirror's transport (or an
 * overlay), whose outer flow is not audited. The rest carry IP packets.
 */
enum packet_tunnel {
	TUNNEL_NONE = 0,
	TUNNEL_VXLAN,		/* UDP 4789 */
	TUNNEL_ERSPAN2,		/* GRE 0x88be with a sequence number and the type II header */
	TUNNEL_ERSPAN3,		/* GRE 0x22eb */
	TUNNEL_GRE_ETH,		/* GRE 0x6558, transparent Ethernet bridging */
	TUNNEL_ERSPAN1,		/* GRE 0x88be without a sequence number: no ERSPAN header */
	TUNNEL_GENEVE,		/* UDP 6081 (its payload may be Ethernet or IP) */
	TUNNEL_IPIP,		/* IP protocol 4 or 41: IPv4/IPv6 in IPv4/IPv6 */
	TUNNEL_GRE_IP,		/* GRE carrying IPv4, IPv6 or MPLS */
	TUNNEL_TEREDO,		/* UDP 3544, IPv6 in UDP/IPv4 */
	TUNNEL_AYIYA,		/* UDP 5072 */
	TUNNEL_GTPU,		/* UDP 2152, GTPv1 user plane */
	TUNNEL_KIND_COUNT
};

/*
 * The outer datagram of the tunnel a packet came out of (valid when
 * pkt->tunnel != TUNNEL_NONE and decode could read it): the outer flow.
 * Ports are the outer UDP ports, 0 for IP-protocol tunnels (GRE, 4, 41).
 */
struct packet_outer {
	bool valid;
	bool mirror;		/* the tunnel carries Ethernet frames: a mirror transport, not audited */
	uint8_t ttl;
	uint32_t ip_len;
	uint32_t l4_payload_len;	/* UDP payload bytes per the length field (0 for IP-protocol tunnels) */
	struct tuple t;
};

/* What decode learned from one frame. Zero it before decoding. */
struct packet {
	int64_t ts_us;		/* capture timestamp, microseconds since epoch */
	uint32_t wire_len;	/* frame length on the wire (pcap len) */
	uint32_t cap_len;	/* bytes captured (pcap caplen) */

	bool l2_group;		/* the (innermost) Ethernet destination is a group address: broadcast, multicast */
	uint8_t vlan_count;	/* VLAN tags seen (0..3) */
	uint16_t vlan;		/* outer VLAN id, valid when vlan_count >= 1 */
	uint16_t inner_vlan;	/* second VLAN id, valid when vlan_count >= 2 */

	uint8_t tunnel;		/* enum packet_tunnel: the innermost tunnel opened, if any */
	struct packet_outer outer;	/* that tunnel's outer datagram */
	const uint8_t *l3;	/* the (inner) IP header, for duplicate detection */
	uint32_t l3_cap;	/* captured bytes from l3 on */

	struct tuple t;
	uint32_t ip_len;	/* IP datagram length from the header (v4 total length; v6 40 + payload length) */
	uint32_t ip_hdr_len;	/* IP header length incl. v4 options / v6 extension headers */
	uint8_t ttl;		/* IPv4 TTL or IPv6 hop limit */
	uint16_t ip_id;		/* IPv4 identification (low 16 bits of the v6 fragment id) */

	/* Fragments (IPv4, and IPv6 fragment header). */
	bool fragment;		/* this datagram is a fragment (first or later) */
	bool later_fragment;	/* offset > 0: no transport header here */
	bool more_fragments;
	uint32_t frag_id;	/* v4 identification or v6 fragment identification */
	uint32_t frag_offset;	/* bytes */

	bool has_l4;		/* the transport header was complete and decoded */
	uint8_t tcp_flags;
	uint32_t seq;
	uint32_t ack;
	uint16_t win;
	uint32_t l4_payload_len; /* transport payload bytes per the IP/UDP length fields (not the capture) */
	uint8_t icmp_type;
	uint8_t icmp_code;

	/* ICMP errors: the header quoted inside, in the direction the quoted packet travelled. */
	bool has_quoted;
	struct tuple quoted;

	/*
	 * DECODE_NOT_IP (and DECODE_UNSUPPORTED): what the frame carried
	 * instead, as DECODE_NOT_IP_CODE(space, value) (decode.h); 0 if unknown.
	 */
	uint32_t not_ip;

	/* A problem that did not stop decoding (e.g. a truncated ICMP quote); DECODE_OK if none. */
	int note;

	const uint8_t *payload;	/* captured transport payload */
	uint32_t payload_cap;	/* captured payload bytes (<= l4_payload_len) */

	/*
	 * Worked out ahead (a worker's batch, tracker_prefetch, dedup_prepare)
	 * so that their cache lines are on the way before the packet's turn.
	 */
	bool flow_hash_ok;
	bool dedup_hash_ok;
	uint64_t flow_hash;	/* flow_table_hash of t with the tracker's key VLAN */
	uint64_t dedup_hash;	/* the duplicate check's hash, 0: not a packet it compares */

	/* --evidence from buffers (evidence.h): the whole frame as read, its link type and place in the input */
	const uint8_t *frame;	/* NULL unless the packets are buffered */
	int dlt;
	uint64_t number;	/* the packet's number in the input, from 1 */
};

#endif
