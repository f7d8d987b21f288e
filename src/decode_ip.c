/* decode_ip: IPv4 and IPv6 headers, IPv6 extension headers and fragments */
#include "decode_internal.h"

/* IPv4 header (RFC 791 section 3.1); offsets of the fields read. */
enum {
	IPV4_VER_IHL = 0,	/* version (4 bits), header length in 32-bit words (4 bits) */
	IPV4_TOTAL_LEN = 2,	/* datagram length in bytes, header included */
	IPV4_IDENT = 4,		/* identification, shared by a datagram's fragments */
	IPV4_FRAG = 6,		/* flags (3 bits: reserved, DF, MF), offset in 8-byte units (13 bits) */
	IPV4_TTL = 8,
	IPV4_PROTO = 9,
	IPV4_SRC = 12,
	IPV4_DST = 16,
	IPV4_MIN_LEN = 20,
	IPV4_MF = 0x2000,
	IPV4_OFFSET_MASK = 0x1fff,
};

/* IPv6 fixed header (RFC 8200 section 3). */
enum {
	IPV6_PAYLOAD_LEN = 4,	/* bytes after the fixed header, extension headers included */
	IPV6_NEXT = 6,		/* next header */
	IPV6_HOP_LIMIT = 7,
	IPV6_SRC = 8,
	IPV6_DST = 24,
	IPV6_HDR_LEN = 40,
	IPV6_MAX_EXT = 8,	/* extension headers followed before giving up */
};

/* IPv6 extension header types (RFC 8200 section 4; AH RFC 4302). */
enum {
	IPV6_EXT_HOP_BY_HOP = 0,
	IPV6_EXT_ROUTING = 43,
	IPV6_EXT_FRAGMENT = 44,
	IPV6_EXT_AH = 51,
	IPV6_EXT_DEST_OPTS = 60,
};

/* Fragment header (RFC 8200 section 4.5). */
enum {
	IPV6_FRAG_NEXT = 0,	/* next header */
	IPV6_FRAG_OFFLG = 2,	/* offset in 8-byte units (13 bits), 2 reserved bits, M flag */
	IPV6_FRAG_IDENT = 4,	/* identification (32 bits) */
	IPV6_FRAG_LEN = 8,
	IPV6_FRAG_OFFSET_MASK = 0xfff8,
	IPV6_FRAG_M = 0x0001,
};

enum decode_error decode_ipv4(const struct cursor *c, uint32_t wire_left, struct tuple *t,
			      struct decode_ip *ip, struct cursor *l4)
{
	uint32_t hdr_len, total;
	uint16_t frag;

	if (!cursor_need(c, IPV4_MIN_LEN))
		return DECODE_IPV4_TRUNCATED;
	if (rd_u8(c, IPV4_VER_IHL) >> 4 != 4)
		return DECODE_IPV4_BAD_VERSION;
	hdr_len = (uint32_t)(rd_u8(c, IPV4_VER_IHL) & 0x0f) * 4;
	if (hdr_len < IPV4_MIN_LEN)
		return DECODE_IPV4_BAD_IHL;
	if (!cursor_need(c, hdr_len))
		return DECODE_IPV4_TRUNCATED;
	total = rd_be16(c, IPV4_TOTAL_LEN);
	/* 0 is what segmentation offload leaves: the wire says how long it was. */
	ip->length_from_wire = total == 0;
	if (total == 0)
		total = wire_left;
	if (total < hdr_len)
		return DECODE_IPV4_BAD_LENGTH;

	t->family = 4;
	t->proto = rd_u8(c, IPV4_PROTO);
	cursor_copy(c, IPV4_SRC, t->src, 4);
	cursor_copy(c, IPV4_DST, t->dst, 4);

	frag = rd_be16(c, IPV4_FRAG);
	ip->ip_len = total;
	ip->hdr_len = hdr_len;
	ip->payload_len = total - hdr_len;
	ip->ip_id = rd_be16(c, IPV4_IDENT);
	ip->ttl = rd_u8(c, IPV4_TTL);
	ip->proto = t->proto;
	ip->frag_offset = (uint32_t)(frag & IPV4_OFFSET_MASK) * 8;
	ip->more_fragments = (frag & IPV4_MF) != 0;
	ip->fragment = ip->more_fragments || ip->frag_offset > 0;
	ip->later_fragment = ip->frag_offset > 0;
	ip->frag_id = ip->fragment ? ip->ip_id : 0;

	/* Ethernet padding lies past the total length: not part of the datagram. */
	*l4 = cursor_sub(c, total);
	cursor_skip(l4, hdr_len);
	return DECODE_OK;
}

/* Byte length of the extension header of type nh at the cursor (2 bytes present). */
static uint32_t decode_ipv6_ext_len(const struct cursor *v, uint8_t nh)
{
	if (nh == IPV6_EXT_FRAGMENT)
		return IPV6_FRAG_LEN;
	if (nh == IPV6_EXT_AH)
		return ((uint32_t)rd_u8(v, 1) + 2) * 4;	/* RFC 4302 section 2.2 */
	return ((uint32_t)rd_u8(v, 1) + 1) * 8;		/* RFC 8200 section 4.3 */
}

static bool decode_ipv6_is_ext(uint8_t nh)
{
	return nh == IPV6_EXT_HOP_BY_HOP || nh == IPV6_EXT_ROUTING ||
	       nh == IPV6_EXT_FRAGMENT || nh == IPV6_EXT_AH || nh == IPV6_EXT_DEST_OPTS;
}

static void decode_ipv6_frag(const struct cursor *v, struct decode_ip *ip)
{
	uint16_t offlg = rd_be16(v, IPV6_FRAG_OFFLG);

	ip->frag_offset = offlg & IPV6_FRAG_OFFSET_MASK;
	ip->more_fragments = (offlg & IPV6_FRAG_M) != 0;
	/* Offset 0 without M is an atomic fragment (RFC 6946): a whole datagram. */
	ip->fragment = ip->more_fragments || ip->frag_offset > 0;
	ip->later_fragment = ip->frag_offset > 0;
	ip->frag_id = rd_be32(v, IPV6_FRAG_IDENT);
	ip->ip_id = (uint16_t)(ip->frag_id & 0xffff);
}

/*
 * Walk the extension header chain starting with next header nh. v is the
 * datagram view just past the fixed header; it ends past the last header.
 * A later fragment stops the walk: what follows its fragment header is data.
 */
static enum decode_error decode_ipv6_ext(struct cursor *v, uint8_t nh, struct decode_ip *ip)
{
	uint32_t len;
	int n;

	for (n = 0; decode_ipv6_is_ext(nh); n++) {
		if (n == IPV6_MAX_EXT)
			return DECODE_IPV6_EXT_TOO_MANY;
		if (!cursor_need(v, 2))
			return DECODE_IPV6_EXT_TRUNCATED;
		len = decode_ipv6_ext_len(v, nh);
		if (!cursor_need(v, len))
			return DECODE_IPV6_EXT_TRUNCATED;
		if (nh == IPV6_EXT_FRAGMENT)
			decode_ipv6_frag(v, ip);
		nh = rd_u8(v, 0);
		cursor_skip(v, len);
		ip->hdr_len += len;
		if (ip->later_fragment)
			break;
	}
	ip->proto = nh;
	return DECODE_OK;
}

enum decode_error decode_ipv6(const struct cursor *c, uint32_t wire_left, struct tuple *t,
			      struct decode_ip *ip, struct cursor *l4)
{
	uint32_t plen;
	enum decode_error e;

	if (!cursor_need(c, IPV6_HDR_LEN))
		return DECODE_IPV6_TRUNCATED;
	if (rd_u8(c, 0) >> 4 != 6)
		return DECODE_IPV6_BAD_VERSION;

	t->family = 6;
	cursor_copy(c, IPV6_SRC, t->src, 16);
	cursor_copy(c, IPV6_DST, t->dst, 16);
	plen = rd_be16(c, IPV6_PAYLOAD_LEN);
	/* 0: a jumbogram or an offload artefact; the wire says how long it was. */
	ip->length_from_wire = plen == 0;
	ip->ip_len = plen ? IPV6_HDR_LEN + plen : wire_left;
	if (ip->ip_len < IPV6_HDR_LEN)
		ip->ip_len = IPV6_HDR_LEN;
	ip->hdr_len = IPV6_HDR_LEN;
	ip->ttl = rd_u8(c, IPV6_HOP_LIMIT);

	*l4 = cursor_sub(c, ip->ip_len);
	cursor_skip(l4, IPV6_HDR_LEN);
	e = decode_ipv6_ext(l4, rd_u8(c, IPV6_NEXT), ip);
	t->proto = ip->proto;
	ip->payload_len = ip->ip_len - ip->hdr_len;
	return e;
}

enum decode_error decode_ip_any(const struct cursor *c, uint32_t wire_left, int hint,
				struct tuple *t, struct decode_ip *ip, struct cursor *l4)
{
	uint8_t version;

	if (!cursor_need(c, 1))
		return hint == 6 ? DECODE_IPV6_TRUNCATED : DECODE_IPV4_TRUNCATED;
	version = rd_u8(c, 0) >> 4;
	if (version == 4)
		return decode_ipv4(c, wire_left, t, ip, l4);
	if (version == 6)
		return decode_ipv6(c, wire_left, t, ip, l4);
	return hint == 6 ? DECODE_IPV6_BAD_VERSION : DECODE_IPV4_BAD_VERSION;
}
