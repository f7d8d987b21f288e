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

/*
 * The input is at most 40 bytes, so its SHA-1 is one block: the bytes, the
 * 0x80 marker, zeros, and the length in bits in the last eight. That block
 * goes straight to nettle's compression function, without a context to
 * set up, buffer into and pad (once per conn log line).
 */
_Static_assert(CID_INPUT_MAX + 1 + 8 <= SHA1_BLOCK_SIZE, "the Community ID input fits one SHA-1 block");

static void cid_sha1(const uint8_t *in, size_t n, uint8_t digest[SHA1_DIGEST_SIZE])
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	uint8_t block[SHA1_BLOCK_SIZE];
	uint64_t bits = (uint64_t)n * 8;
	int i;

	memset(block, 0, sizeof(block));
	memcpy(block, in, n);
	block[n] = 0x80;
	for (i = 0; i < 8; i++)
		block[SHA1_BLOCK_SIZE - 1 - i] = (uint8_t)(bits >> (8 * i));
	nettle_sha1_compress(h, block);
	for (i = 0; i < 5; i++) {
		digest[4 * i] = (uint8_t)(h[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
		digest[4 * i + 3] = (uint8_t)h[i];
	}
}

int community_id_v1(const struct tuple *t, uint16_t seed, char *out, size_t outlen)
{
	uint8_t buf[CID_INPUT_MAX];
	uint8_t digest[SHA1_DIGEST_SIZE];

	if (outlen < COMMUNITY_ID_LEN)
		return -1;
	cid_sha1(buf, cid_input(t, seed, buf), digest);

	memcpy(out, "1:", CID_PREFIX_LEN);
	base64_encode_raw(out + CID_PREFIX_LEN, sizeof(digest), digest);
	out[CID_PREFIX_LEN + BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE)] = '\0';
	return 0;
}
