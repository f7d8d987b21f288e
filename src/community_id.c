/* community_id: the Community ID v1 flow hash (corelight/community-id-spec) */

#include <stdbool.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha1.h>

#include "community_id.h"

enum {
	CID_PROTO_SCTP = 132,
	CID_PREFIX_LEN = 2,		/* "1:" */
	CID_INPUT_MAX = 2 + 16 + 16 + 1 + 1 + 2 + 2,
};

_Static_assert(COMMUNITY_ID_LEN == CID_PREFIX_LEN + BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE) + 1,
	       "COMMUNITY_ID_LEN fits \"1:\" + base64(SHA-1) + NUL");

/* ICMP types with a counterpart (Zeek's ICMP4_counterpart): the rest are one-way. */
static bool cid_icmp4_two_way(uint16_t type)
{
	switch (type) {
	case 0: case 8:		/* echo reply, echo */
	case 9: case 10:	/* router advertisement, solicitation */
	case 13: case 14:	/* timestamp, reply */
	case 15: case 16:	/* information request, reply */
	case 17: case 18:	/* address mask request, reply */
		return true;
	default:
		return false;
	}
}

/* The same for ICMPv6 (Zeek's ICMP6_counterpart). */
static bool cid_icmp6_two_way(uint16_t type)
{
	switch (type) {
	case 128: case 129:	/* echo request, reply */
	case 130: case 131:	/* MLD query, report */
	case 133: case 134:	/* router solicitation, advertisement */
	case 135: case 136:	/* neighbour solicitation, advertisement */
	case 139: case 140:	/* node information query, reply */
	case 144: case 145:	/* home agent address discovery request, reply */
		return true;
	default:
		return false;
	}
}

static bool cid_has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == CID_PROTO_SCTP ||
	       proto == PROTO_ICMP || proto == PROTO_ICMPV6;
}

/* One-way ICMP messages keep their direction: no endpoint ordering. */
static bool cid_one_way(const struct tuple *t)
{
	if (t->proto == PROTO_ICMP)
		return !cid_icmp4_two_way(t->sport);
	if (t->proto == PROTO_ICMPV6)
		return !cid_icmp6_two_way(t->sport);
	return false;
}

/* The spec's ordering: the smaller address, then the smaller port, goes first. */
static bool cid_in_order(const struct tuple *t, size_t alen, bool ports)
{
	int cmp = memcmp(t->src, t->dst, alen);

	if (cid_one_way(t) || cmp < 0)
		return true;
	return cmp == 0 && ports && t->sport < t->dport;
}

static size_t cid_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

/* seed . saddr . daddr . proto . 0 [. sport . dport], all in network order. */
static size_t cid_input(const struct tuple *t, uint16_t seed, uint8_t *buf)
{
	size_t alen = t->family == 6 ? 16 : 4;
	bool ports = cid_has_ports(t->proto);
	bool keep = cid_in_order(t, alen, ports);
	const uint8_t *a = keep ? t->src : t->dst, *b = keep ? t->dst : t->src;
	size_t n = cid_put16(buf, seed);

	memcpy(buf + n, a, alen);
	n += alen;
	memcpy(buf + n, b, alen);
	n += alen;
	buf[n++] = t->proto;
	buf[n++] = 0;
	if (ports) {
		n += cid_put16(buf + n, keep ? t->sport : t->dport);
		n += cid_put16(buf + n, keep ? t->dport : t->sport);
	}
	return n;
}

int community_id_v1(const struct tuple *t, uint16_t seed, char *out, size_t outlen)
{
	uint8_t buf[CID_INPUT_MAX];
	uint8_t digest[SHA1_DIGEST_SIZE];
	struct sha1_ctx ctx;

	if (outlen < COMMUNITY_ID_LEN)
		return -1;
	sha1_init(&ctx);
	sha1_update(&ctx, cid_input(t, seed, buf), buf);
	sha1_digest(&ctx, sizeof(digest), digest);

	memcpy(out, "1:", CID_PREFIX_LEN);
	base64_encode_raw(out + CID_PREFIX_LEN, sizeof(digest), digest);
	out[CID_PREFIX_LEN + BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE)] = '\0';
	return 0;
}
