/* dedup: the same packet seen twice on a mirror port (SPAN on ingress and egress) is counted once */
#include "dedup.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cursor.h"
#include "xalloc.h"

/*
 * A packet's signature is what stays the same between two mirror points:
 * the IP addresses, protocol and lengths, the IPv4 identification and
 * fragment field, the IPv6 flow label and fragment header, the whole
 * transport header (TCP with options, UDP, ICMP; checksums included: a
 * router rewrites the IP checksum, not the transport one) and the first
 * payload bytes. TTL / hop limit, TOS / traffic class (ECN marking), the IP
 * checksum, IPv4 options and everything below IP are left out. Its keyed
 * SipHash-1-3 sits in a set-associative cache of (hash, first seen); a
 * packet whose hash is there, seen less than the window before, is a copy.
 * The key is random so nobody can craft a packet that hides a later one.
 *
 * A retransmission is not a copy as long as something in the signature
 * changed: Linux gives every IPv4 transmission a new identification, and
 * TCP timestamps (on by default) move. The residual risk is a
 * retransmission with identical headers inside the window: IPv6 (no
 * identification) without TCP timestamps, or a UDP application resending
 * the same datagram within milliseconds. Hence the small window (a few ms:
 * the copies of one packet arrive microseconds to a few ms apart, far
 * below any TCP retransmission timeout, 200 ms minimum on Linux).
 *
 * The window runs from the first sighting; copies do not extend it. A
 * direct collision of two different packets needs all 64 bits equal
 * within the window: about 2^-64 per lookup. A bucket keeps its last 4
 * hashes, so a copy is missed (counted twice, as without dedup) when 4
 * other packets fell into its bucket in between: about 4e-8 of copies at
 * 1 Mpps and 500 us apart, 3e-4 at 10 Mpps. The first payload bytes are
 * taken all or none: under one snaplen, a copy with a longer link header
 * has fewer of them captured and must still match.
 */

enum {
	DEDUP_WAYS = 4,			/* slots per bucket: one 64-byte cache line */
	DEDUP_BUCKET_BITS = 14,		/* 2^14 buckets x 4 ways = 2^16 slots, 1 MiB */
	DEDUP_BUCKETS = 1 << DEDUP_BUCKET_BITS,
	DEDUP_PAYLOAD = 16,		/* payload bytes in the signature */
	DEDUP_ICMP_HDR = 8,		/* RFC 792 / RFC 4443: type, code, checksum, 4 more */
	DEDUP_UDP_HDR = 8,		/* RFC 768 */
	DEDUP_SIG_MAX = 40 + 12 + 60 + DEDUP_PAYLOAD,	/* v6 header, fragment fields, TCP with options */
};

/* IPv4 (RFC 791 section 3.1) and IPv6 (RFC 8200 section 3) fields the signature keeps. */
enum {
	V4_VER_IHL = 0,
	V4_LEN_ID_FRAG = 2,	/* total length, identification, flags + fragment offset: 6 bytes */
	V4_PROTO = 9,
	V4_ADDRS = 12,		/* source, destination: 8 bytes */
	V6_VER_TC_FLOW = 0,	/* version (4), traffic class (8), flow label (20) */
	V6_LEN_NEXT = 4,	/* payload length, next header: 3 bytes */
	V6_ADDRS = 8,		/* source, destination: 32 bytes */
	TCP_DATA_OFF = 12,	/* RFC 9293 section 3.1: header length in words, high 4 bits */
};

/* Version and flow label: routers may remark the traffic class (DSCP, ECN). */
static const uint32_t v6_keep_mask = 0xf00fffff;

struct dedup_slot {
	uint64_t sig;		/* keyed hash, never 0; 0 marks an empty slot */
	int64_t seen_us;	/* packet time of the first sighting */
};

struct dedup {
	struct dedup_slot slot[DEDUP_BUCKETS][DEDUP_WAYS];
	uint64_t key[2];
	int64_t window_us;
	uint64_t count;
};

/* The signature under construction. */
struct dedup_sig {
	uint8_t b[DEDUP_SIG_MAX];
	uint32_t n;
};

static void sig_put(struct dedup_sig *s, const void *p, uint32_t n)
{
	if (n > sizeof(s->b) - s->n)
		n = (uint32_t)sizeof(s->b) - s->n;
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void sig_put32(struct dedup_sig *s, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	sig_put(s, b, 4);
}

/* n bytes at relative offset at of c, if all are captured; false leaves s as it was. */
static bool sig_put_from(struct dedup_sig *s, const struct cursor *c, uint32_t at, uint32_t n)
{
	if (!cursor_has(c, at, n))
		return false;
	sig_put(s, cursor_ptr(c) + at, n);
	return true;
}

static bool dedup_ip_fields(struct dedup_sig *s, const struct cursor *c, const struct packet *pkt)
{
	if (pkt->t.family == 4) {
		if (!cursor_need(c, V4_ADDRS + 8))
			return false;
		sig_put_from(s, c, V4_VER_IHL, 1);
		sig_put_from(s, c, V4_LEN_ID_FRAG, 6);
		sig_put_from(s, c, V4_PROTO, 1);
		sig_put_from(s, c, V4_ADDRS, 8);
		return true;
	}
	if (!cursor_need(c, V6_ADDRS + 32))
		return false;
	sig_put32(s, rd_be32(c, V6_VER_TC_FLOW) & v6_keep_mask);
	sig_put_from(s, c, V6_LEN_NEXT, 3);
	sig_put_from(s, c, V6_ADDRS, 32);
	/* The fragment header: decode has it; offsets and id tell fragments apart. */
	sig_put32(s, pkt->frag_id);
	sig_put32(s, pkt->frag_offset);
	sig_put32(s, pkt->more_fragments);
	return true;
}

/* Bytes of the transport header the signature takes, from l4 (its start). */
static uint32_t dedup_l4_len(const struct cursor *l4, const struct packet *pkt)
{
	if (pkt->later_fragment)
		return 0;
	switch (pkt->t.proto) {
	case PROTO_TCP:
		return pkt->has_l4 ? (uint32_t)(rd_u8(l4, TCP_DATA_OFF) >> 4) * 4 : 0;
	case PROTO_UDP:
		return pkt->has_l4 ? DEDUP_UDP_HDR : 0;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		/* decode needs only 4 bytes of ICMP; take what is captured of the 8. */
		return cursor_left(l4) < DEDUP_ICMP_HDR ? cursor_left(l4) : DEDUP_ICMP_HDR;
	default:
		return 0;
	}
}

/* The first payload bytes, all of them or none (see the top of the file). */
static void dedup_payload(struct dedup_sig *s, const struct cursor *l4, uint32_t at, const struct packet *pkt)
{
	uint32_t by_header = pkt->ip_len - pkt->ip_hdr_len, want;

	if (at > by_header)
		return;
	want = by_header - at < DEDUP_PAYLOAD ? by_header - at : DEDUP_PAYLOAD;
	sig_put_from(s, l4, at, want);
}

/* False when the packet lacks the IP header to sign (not decoded, or cut). */
static bool dedup_signature(const struct packet *pkt, struct dedup_sig *s)
{
	struct cursor c, l4;
	uint32_t l4_len;

	if (!pkt->l3 || (pkt->t.family != 4 && pkt->t.family != 6) || pkt->ip_hdr_len > pkt->ip_len)
		return false;
	c = cursor_make(pkt->l3, pkt->l3_cap);
	if (!dedup_ip_fields(s, &c, pkt))
		return false;
	l4 = c;
	if (!cursor_skip(&l4, pkt->ip_hdr_len))
		return false;
	l4_len = dedup_l4_len(&l4, pkt);
	if (!sig_put_from(s, &l4, 0, l4_len))
		return false;
	dedup_payload(s, &l4, l4_len, pkt);
	return true;
}

/* SipHash-1-3 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012). */
struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t dedup_rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline void sip_round(struct sip_state *s)
{
	s->v0 += s->v1; s->v1 = dedup_rotl(s->v1, 13); s->v1 ^= s->v0; s->v0 = dedup_rotl(s->v0, 32);
	s->v2 += s->v3; s->v3 = dedup_rotl(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = dedup_rotl(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = dedup_rotl(s->v1, 17); s->v1 ^= s->v2; s->v2 = dedup_rotl(s->v2, 32);
}

static inline uint64_t dedup_le64(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

static uint64_t dedup_siphash(const uint64_t key[2], const uint8_t *p, uint32_t n)
{
	struct sip_state s = { key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
			       key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL };
	uint64_t m, last = (uint64_t)n << 56;
	uint32_t i, tail = n & 7;

	for (i = 0; i + 8 <= n; i += 8) {
		m = dedup_le64(p + i);
		s.v3 ^= m;
		sip_round(&s);
		s.v0 ^= m;
	}
	for (uint32_t j = 0; j < tail; j++)
		last |= (uint64_t)p[i + j] << (8 * j);
	s.v3 ^= last;
	sip_round(&s);
	s.v0 ^= last;
	s.v2 ^= 0xff;
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

/* A random key; without getrandom, time and an address, which still differ per run. */
static void dedup_seed(uint64_t key[2])
{
	struct timespec ts;

	if (getrandom(key, 2 * sizeof(key[0]), GRND_NONBLOCK) == (ssize_t)(2 * sizeof(key[0])))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	key[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)ts.tv_sec;
	key[1] = (uint64_t)(uintptr_t)key * 0xc4ceb9fe1a85ec53ULL ^ key[0];
}

struct dedup *dedup_new(int64_t window_us)
{
	struct dedup *d = xcalloc(1, sizeof(*d));

	d->window_us = window_us > 0 ? window_us : 0;
	dedup_seed(d->key);
	return d;
}

static bool dedup_within(int64_t a, int64_t b, int64_t window)
{
	int64_t delta = a > b ? a - b : b - a;

	return delta < window;
}

/*
 * Look the hash up in its bucket, newest entry first. A miss puts the hash
 * in front, dropping the same hash seen too long ago, else the bucket's
 * last (least recently inserted) entry.
 */
static bool dedup_seen(struct dedup *d, uint64_t h, int64_t now)
{
	struct dedup_slot *b = d->slot[h >> (64 - DEDUP_BUCKET_BITS)];
	int drop = DEDUP_WAYS - 1;

	for (int i = 0; i < DEDUP_WAYS; i++) {
		if (b[i].sig != h)
			continue;
		if (dedup_within(now, b[i].seen_us, d->window_us))
			return true;
		drop = i;
		break;
	}
	memmove(&b[1], &b[0], (size_t)drop * sizeof(b[0]));
	b[0].sig = h;
	b[0].seen_us = now;
	return false;
}

bool dedup_check(struct dedup *d, const struct packet *pkt)
{
	struct dedup_sig s;
	uint64_t h;

	if (!d || d->window_us == 0)
		return false;
	s.n = 0;
	if (!dedup_signature(pkt, &s))
		return false;
	h = dedup_siphash(d->key, s.b, s.n) | 1;	/* 0 marks an empty slot */
	if (!dedup_seen(d, h, pkt->ts_us))
		return false;
	d->count++;
	return true;
}

uint64_t dedup_count(const struct dedup *d)
{
	return d ? d->count : 0;
}

void dedup_free(struct dedup *d)
{
	free(d);
}
