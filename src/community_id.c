/* community_id: the Community ID v1 flow hash (corelight/community-id-spec) */

#include <stdbool.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha1.h>

#include "community_id.h"
#include "icmp_types.h"

enum {
	CID_PROTO_SCTP = 132,
	CID_PREFIX_LEN = 2,		/* "1:" */
	CID_INPUT_MAX = 2 + 16 + 16 + 1 + 1 + 2 + 2,
};

_Static_assert(COMMUNITY_ID_LEN == CID_PREFIX_LEN + BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE) + 1,
	       "COMMUNITY_ID_LEN fits \"1:\" + base64(SHA-1) + NUL");

static bool cid_has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == CID_PROTO_SCTP ||
	       proto == PROTO_ICMP || proto == PROTO_ICMPV6;
}

/* One-way ICMP messages keep their direction: no endpoint ordering. */
static bool cid_one_way(const struct tuple *t)
{
	bool one_way = false;

	if (t->proto == PROTO_ICMP || t->proto == PROTO_ICMPV6)
		icmp_counterpart(t->proto, (uint8_t)t->sport, 0, &one_way);
	return one_way;
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
