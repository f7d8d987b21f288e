/* decode_internal: what the link, IP and transport decoders share */
#ifndef FLOWAUDIT_DECODE_INTERNAL_H
#define FLOWAUDIT_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"
#include "decode.h"
#include "packet.h"

/*
 * What one IP header (v4 with options, or v6 with extension headers) said.
 * Lengths come from the header fields, never from the capture.
 */
struct decode_ip {
	uint32_t ip_len;	/* datagram length (v4 total length; v6 40 + payload length) */
	uint32_t hdr_len;	/* fixed header + options / extension headers */
	uint32_t payload_len;	/* ip_len - hdr_len: transport bytes per the header */
	uint32_t frag_id;	/* v4 identification or v6 fragment identification */
	uint32_t frag_offset;	/* bytes */
	uint16_t ip_id;		/* v4 identification; low 16 bits of the v6 fragment id */
	uint8_t ttl;		/* v4 TTL or v6 hop limit */
	uint8_t proto;		/* transport protocol (last next header for v6) */
	bool fragment;
	bool later_fragment;	/* offset > 0: no transport header follows */
	bool more_fragments;
	bool length_from_wire;	/* the length field was 0 (offload, IPv6 jumbogram): ip_len is the wire's */
};

/*
 * Flags decode passes itself, beside the public DECODE_F_* ones: the frame
 * is the inner frame of a mirror tunnel (decode_tunnel.c).
 */
enum { DECODE_F_INNER = 0x100 };
/* Decoding the Ethernet frame an MPLS pseudowire carries: no second MPLS stack inside it (bounded recursion). */
enum { DECODE_F_MPLS_INNER = 0x200 };

/*
 * IP layer (decode_ip.c). c starts at the IP header; wire_left is how many
 * IP bytes were on the wire (used only when a length field is 0 because of
 * segmentation offload). On success t holds family, proto and addresses,
 * ip the header facts, and l4 a view of the transport bytes limited to
 * min(captured, ip_len).
 */
enum decode_error decode_ipv4(const struct cursor *c, uint32_t wire_left, struct tuple *t,
			      struct decode_ip *ip, struct cursor *l4);
enum decode_error decode_ipv6(const struct cursor *c, uint32_t wire_left, struct tuple *t,
			      struct decode_ip *ip, struct cursor *l4);
/* Version nibble decides; hint (4 or 6, 0 for none) names the error when it cannot. */
enum decode_error decode_ip_any(const struct cursor *c, uint32_t wire_left, int hint,
				struct tuple *t, struct decode_ip *ip, struct cursor *l4);

/*
 * An Ethernet II header (with VLAN tags) and what it carries (decode.c).
 * wire_left: frame bytes on the wire from c on.
 */
enum decode_error decode_ethernet(struct cursor *c, uint32_t wire_left, struct packet *pkt, unsigned flags);

/*
 * What follows an EtherType (VLAN tags, shims, IP, MPLS, PPPoE), with c just
 * past it; and an IP packet (version 4 or 6, 0 to read the nibble) with
 * everything above it. For tunnels whose payload is named by an EtherType
 * or is an IP packet.
 */
enum decode_error decode_after_ethertype(struct cursor *c, uint32_t wire_left, uint16_t type, struct packet *pkt,
					unsigned flags);
enum decode_error decode_ip_packet(const struct cursor *c, uint32_t wire_left, int version, struct packet *pkt,
				   unsigned flags);

/*
 * Remote-mirror tunnels (decode_tunnel.c), tried once the outer datagram's
 * transport layer is decoded: outer is what that gave (DECODE_OTHER_PROTO
 * for GRE), l4 the transport bytes. Returns outer, pkt untouched, when the
 * datagram is no tunnel decode opens; else the inner frame's result, with
 * pkt describing the inner packet.
 */
enum decode_error decode_tunnel(const struct cursor *l4, const struct decode_ip *ip, struct packet *pkt,
				unsigned flags, enum decode_error outer);

/* Transport layer (decode_l4.c): TCP, UDP, ICMP and ICMPv6 into pkt. */
enum decode_error decode_l4(const struct cursor *c, const struct decode_ip *ip, struct packet *pkt);
/* True for the protocols decode_l4() handles. */
bool decode_l4_tracked(uint8_t proto);

#endif
