/* decode_l4: TCP, UDP, ICMP and ICMPv6 headers, and the packet an ICMP error quotes */
#include <string.h>

#include "decode_internal.h"
#include "icmp_types.h"

/* TCP header (RFC 9293 section 3.1). */
enum {
	TCP_SPORT = 0,
	TCP_DPORT = 2,
	TCP_SEQ = 4,
	TCP_ACK_NUM = 8,
	TCP_DATA_OFF = 12,	/* data offset in 32-bit words (high 4 bits) */
	TCP_FLAGS = 13,		/* CWR ECE URG ACK PSH RST SYN FIN */
	TCP_WINDOW = 14,
	TCP_MIN_LEN = 20,
};

/* UDP header (RFC 768). */
enum {
	UDP_SPORT = 0,
	UDP_DPORT = 2,
	UDP_LENGTH = 4,		/* header + data, bytes; 0 in an IPv6 jumbogram (RFC 2675) */
	UDP_HDR_LEN = 8,
};

/*
 * ICMP header (RFC 792; ICMPv6 RFC 4443 section 2.1): type, code, checksum,
 * then 4 bytes whose meaning depends on the type. Error messages quote the
 * invoking packet right after those 8 bytes.
 */
enum {
	ICMP_TYPE = 0,
	ICMP_CODE = 1,
	ICMP_MIN_LEN = 4,	/* type, code, checksum: all that decode needs */
	ICMP_HDR_LEN = 8,
	QUOTE_PORTS_LEN = 4,	/* source and destination port of a quoted TCP/UDP header */
	QUOTE_ICMP_LEN = 2,	/* type and code of a quoted ICMP header */
};

bool decode_l4_tracked(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP ||
	       proto == PROTO_ICMP || proto == PROTO_ICMPV6;
}

/* Point pkt->payload at the captured transport payload, hdr_len bytes into c. */
static void decode_set_payload(const struct cursor *c, uint32_t hdr_len, struct packet *pkt)
{
	uint32_t cap;

	if (!cursor_need(c, hdr_len))
		return;
	cap = cursor_left(c) - hdr_len;
	if (cap > pkt->l4_payload_len)
		cap = pkt->l4_payload_len;
	if (cap == 0)
		return;
	pkt->payload = cursor_ptr(c) + hdr_len;
	pkt->payload_cap = cap;
}

static enum decode_error decode_tcp(const struct cursor *c, const struct decode_ip *ip,
				    struct packet *pkt)
{
	uint32_t hdr_len;

	if (!cursor_need(c, TCP_MIN_LEN))
		return DECODE_TCP_TRUNCATED;
	pkt->t.sport = rd_be16(c, TCP_SPORT);
	pkt->t.dport = rd_be16(c, TCP_DPORT);
	hdr_len = (uint32_t)(rd_u8(c, TCP_DATA_OFF) >> 4) * 4;
	/* An offset below 5 or past the datagram's end cannot be a header. */
	if (hdr_len < TCP_MIN_LEN || hdr_len > ip->payload_len)
		return DECODE_TCP_BAD_OFFSET;
	if (!cursor_need(c, hdr_len))
		return DECODE_TCP_TRUNCATED;

	pkt->seq = rd_be32(c, TCP_SEQ);
	pkt->ack = rd_be32(c, TCP_ACK_NUM);
	pkt->tcp_flags = rd_u8(c, TCP_FLAGS);
	pkt->win = rd_be16(c, TCP_WINDOW);
	pkt->l4_payload_len = ip->payload_len - hdr_len;
	pkt->has_l4 = true;
	decode_set_payload(c, hdr_len, pkt);
	return DECODE_OK;
}

/*
 * The UDP length covers the whole datagram, so in a first fragment it is
 * trusted as is (it exceeds this fragment). Otherwise the IP length bounds
 * it: a UDP length past the datagram's end is a lie.
 */
static enum decode_error decode_udp(const struct cursor *c, const struct decode_ip *ip,
				    struct packet *pkt)
{
	uint32_t ulen;

	if (!cursor_need(c, UDP_HDR_LEN))
		return DECODE_UDP_TRUNCATED;
	pkt->t.sport = rd_be16(c, UDP_SPORT);
	pkt->t.dport = rd_be16(c, UDP_DPORT);
	ulen = rd_be16(c, UDP_LENGTH);
	/* Length 0 belongs to an IPv6 jumbogram (RFC 2675 section 4), whose IP length came from the wire. */
	if (ulen == 0 && pkt->t.family == 6 && ip->length_from_wire)
		ulen = ip->payload_len;
	if (ulen < UDP_HDR_LEN)
		return DECODE_UDP_BAD_LENGTH;
	if (!ip->fragment && ulen > ip->payload_len)
		ulen = ip->payload_len;

	pkt->l4_payload_len = ulen - UDP_HDR_LEN;
	pkt->has_l4 = true;
	decode_set_payload(c, UDP_HDR_LEN, pkt);
	return DECODE_OK;
}

/*
 * Ports of the quoted transport header c into q. DECODE_OK, or why the
 * quote names no flow: cut before its ports, or an ICMP error, which no
 * host may answer with another (RFC 1122 section 3.2.2, RFC 4443 section
 * 2.4 (e)): attaching it would give an ICMP error flow a reason.
 */
static enum decode_error decode_quote_ports(const struct cursor *c, struct tuple *q)
{
	switch (q->proto) {
	case PROTO_TCP:
	case PROTO_UDP:
		if (!cursor_need(c, QUOTE_PORTS_LEN))
			return DECODE_ICMP_QUOTE_TRUNCATED;
		q->sport = rd_be16(c, 0);
		q->dport = rd_be16(c, 2);
		return DECODE_OK;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		if (!cursor_need(c, QUOTE_ICMP_LEN))
			return DECODE_ICMP_QUOTE_TRUNCATED;
		if (icmp_is_error(q->proto, rd_u8(c, ICMP_TYPE)))
			return DECODE_ICMP_QUOTE_INVALID;
		q->sport = rd_u8(c, ICMP_TYPE);
		q->dport = icmp_counterpart(q->proto, rd_u8(c, ICMP_TYPE),
						   rd_u8(c, ICMP_CODE), NULL);
		return DECODE_OK;
	default:
		return DECODE_OK;	/* tracked by address only: nothing more needed */
	}
}

/* A quoted IP header that is cut is a truncated quote; one that is malformed cannot be what the error is about. */
static enum decode_error decode_quote_ip_problem(enum decode_error e)
{
	if (e == DECODE_IPV4_TRUNCATED || e == DECODE_IPV6_TRUNCATED || e == DECODE_IPV6_EXT_TRUNCATED)
		return DECODE_ICMP_QUOTE_TRUNCATED;
	return DECODE_ICMP_QUOTE_INVALID;
}

/*
 * The invoking packet an ICMP error quotes (c at the ICMP header): its IP
 * header and the start of its transport header, as that packet travelled.
 * Its lengths are the original datagram's, longer than the quote: they are
 * not held to the bytes here. A quote that cannot name the flow leaves a
 * note, never an error: the error is still a flow of its own. Nothing in
 * the quote is opened further, so a quote can never recurse.
 */
static void decode_icmp_quote(const struct cursor *c, struct packet *pkt)
{
	struct cursor q = *c, ql4;
	struct decode_ip qip = { 0 };
	enum decode_error e = DECODE_ICMP_QUOTE_TRUNCATED;

	if (cursor_skip(&q, ICMP_HDR_LEN)) {
		e = decode_ip_any(&q, cursor_left(&q), 0, &pkt->quoted, &qip, &ql4);
		if (e != DECODE_OK)
			e = decode_quote_ip_problem(e);
		else if (pkt->quoted.family != pkt->t.family)
			e = DECODE_ICMP_QUOTE_INVALID;	/* an ICMPv4 error quotes IPv4, an ICMPv6 one IPv6 */
		else if (!qip.later_fragment)
			e = decode_quote_ports(&ql4, &pkt->quoted);
	}
	if (e != DECODE_OK) {
		memset(&pkt->quoted, 0, sizeof(pkt->quoted));
		pkt->note = e;
		return;
	}
	/* A non-first fragment carries no ports to match a flow by. */
	if (qip.later_fragment && decode_l4_tracked(qip.proto)) {
		memset(&pkt->quoted, 0, sizeof(pkt->quoted));
		return;
	}
	pkt->has_quoted = true;
}

/*
 * Ports follow Zeek and Community ID: sport = type, dport = counterpart
 * type or code. The payload is the IP payload less the 8-byte ICMP header,
 * as Zeek counts it (ICMPAnalyzer::DeliverPacket), whatever the type.
 */
static enum decode_error decode_icmp(const struct cursor *c, const struct decode_ip *ip,
				     struct packet *pkt)
{
	uint8_t type, code;

	if (!cursor_need(c, ICMP_MIN_LEN))
		return DECODE_ICMP_TRUNCATED;
	type = rd_u8(c, ICMP_TYPE);
	code = rd_u8(c, ICMP_CODE);
	pkt->icmp_type = type;
	pkt->icmp_code = code;
	pkt->t.sport = type;
	pkt->t.dport = icmp_counterpart(ip->proto, type, code, NULL);
	pkt->l4_payload_len = ip->payload_len > ICMP_HDR_LEN ? ip->payload_len - ICMP_HDR_LEN : 0;
	pkt->has_l4 = true;
	decode_set_payload(c, ICMP_HDR_LEN, pkt);
	if (icmp_is_error(ip->proto, type))
		decode_icmp_quote(c, pkt);
	return DECODE_OK;
}

enum decode_error decode_l4(const struct cursor *c, const struct decode_ip *ip, struct packet *pkt)
{
	switch (ip->proto) {
	case PROTO_TCP:
		return decode_tcp(c, ip, pkt);
	case PROTO_UDP:
		return decode_udp(c, ip, pkt);
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		return decode_icmp(c, ip, pkt);
	default:
		return DECODE_OTHER_PROTO;
	}
}
