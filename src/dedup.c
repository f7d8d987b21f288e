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
 * 64-bit hash sits in a set-associative cache of (hash, first seen); a
 * packet whose hash is there, seen less than the window before, is a copy.
 * The key is random so nobody can craft a packet that hides a later one.
 *
 * The hash is wyhash's 128-bit multiply-fold (Wang Yi, the construction
 * Go's runtime uses for its map hash where AES is missing) over 16-byte
 * blocks, keyed with two random words: a few multiplications per packet.
 * It replaced SipHash-1-3, which with the signature's copying cost about
 * 650 instructions a packet (bench/README.md has the measurement).
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
	DEDUP_V4_HDR = 20,		/* RFC 791 section 3.1, without options */
	DEDUP_V6_HDR = 40,		/* RFC 8200 section 3 */
	DEDUP_TCP_MAX = 60,
	DEDUP_SIG_MAX = DEDUP_V6_HDR + 12 + DEDUP_TCP_MAX + DEDUP_PAYLOAD,
};

/* IPv4 and IPv6 header bytes the signature leaves out (set to 0 in its copy of the header). */
enum {
	V4_TOS = 1,
	V4_TTL = 8,
	V4_CHECKSUM = 10,	/* 2 bytes */
	V6_HOP_LIMIT = 7,
	TCP_DATA_OFF = 12,	/* RFC 9293 section 3.1: header length in words, high 4 bits */
};

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

/* The signature: n bytes, then zeros up to the next 16-byte block. */
struct dedup_sig {
	uint8_t b[DEDUP_SIG_MAX + 16];
	uint32_t n;
};

/*
 * The IP header as it is, less the bytes a router or a mirror may change:
 * IPv4 TOS, TTL, checksum (options are not copied); IPv6 traffic class and
 * hop limit, plus the fragment header's fields, which decode has.
 */
static bool dedup_ip_fields(struct dedup_sig *s, const struct cursor *c, const struct packet *pkt)
{
	if (pkt->t.family == 4) {
		if (!cursor_copy(c, 0, s->b, DEDUP_V4_HDR))
			return false;
		s->b[V4_TOS] = s->b[V4_TTL] = s->b[V4_CHECKSUM] = s->b[V4_CHECKSUM + 1] = 0;
		s->n = DEDUP_V4_HDR;
		return true;
	}
	if (!cursor_copy(c, 0, s->b, DEDUP_V6_HDR))
		return false;
	/* Version and flow label stay: routers may remark the traffic class (DSCP, ECN). */
	s->b[0] &= 0xf0;
	s->b[1] &= 0x0f;
	s->b[V6_HOP_LIMIT] = 0;
	memcpy(s->b + DEDUP_V6_HDR, &pkt->frag_id, 4);
	memcpy(s->b + DEDUP_V6_HDR + 4, &pkt->frag_offset, 4);
	s->b[DEDUP_V6_HDR + 8] = pkt->more_fragments;
	s->b[DEDUP_V6_HDR + 9] = s->b[DEDUP_V6_HDR + 10] = s->b[DEDUP_V6_HDR + 11] = 0;
	s->n = DEDUP_V6_HDR + 12;
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

/*
 * The transport header and the first payload bytes follow each other in
 * the packet: one copy. The payload is taken all or none (see the top).
 */
static bool dedup_l4_fields(struct dedup_sig *s, const struct cursor *l4, const struct packet *pkt)
{
	uint32_t hdr = dedup_l4_len(l4, pkt), by_header = pkt->ip_len - pkt->ip_hdr_len, n = hdr;

	if (hdr > DEDUP_TCP_MAX || !cursor_has(l4, 0, hdr))
		return false;
	if (hdr <= by_header) {
		uint32_t want = by_header - hdr < DEDUP_PAYLOAD ? by_header - hdr : DEDUP_PAYLOAD;

		if (cursor_has(l4, hdr, want))
			n += want;
	}
	memcpy(s->b + s->n, cursor_ptr(l4), n);
	s->n += n;
	return true;
}

/* False when the packet lacks the IP header to sign (not decoded, or cut). */
static bool dedup_signature(const struct packet *pkt, struct dedup_sig *s)
{
	struct cursor c, l4;

	if (!pkt->l3 || (pkt->t.family != 4 && pkt->t.family != 6) || pkt->ip_hdr_len > pkt->ip_len)
		return false;
	c = cursor_make(pkt->l3, pkt->l3_cap);
	if (!dedup_ip_fields(s, &c, pkt))
		return false;
	l4 = c;
	if (!cursor_skip(&l4, pkt->ip_hdr_len))
		return false;
	if (!dedup_l4_fields(s, &l4, pkt))
		return false;
	memset(s->b + s->n, 0, 16);
	return true;
}

/* 128-bit product, folded: wyhash's mum. */
static inline uint64_t dedup_mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
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

/* The keyed hash of n bytes at p, read in 16-byte blocks (zero-padded by the caller). */
static uint64_t dedup_hash(const uint64_t key[2], const uint8_t *p, uint32_t n)
{
	uint64_t h = key[0] ^ 0xa0761d6478bd642fULL;
	uint32_t i;

	for (i = 0; i < n; i += 16)
		h = dedup_mum(dedup_le64(p + i) ^ key[1] ^ 0xe7037ed1a0b428dbULL, dedup_le64(p + i + 8) ^ h);
	return dedup_mum(h ^ key[1], (uint64_t)n ^ 0x8ebc6af09c88c6e3ULL);
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
	for (int i = drop; i > 0; i--)
		b[i] = b[i - 1];
	b[0].sig = h;
	b[0].seen_us = now;
	return false;
}

/* The packet's keyed hash, never 0 (0 marks an empty slot); 0 when it is not a packet the check compares. */
static uint64_t dedup_packet_hash(const struct dedup *d, const struct packet *pkt)
{
	struct dedup_sig s;

	return dedup_signature(pkt, &s) ? dedup_hash(d->key, s.b, s.n) | 1 : 0;
}

void dedup_prepare(const struct dedup *d, struct packet *pkt)
{
	if (pkt->dedup_hash_ok || !d || d->window_us == 0)
		return;
	pkt->dedup_hash_ok = true;
	pkt->dedup_hash = dedup_packet_hash(d, pkt);
	if (pkt->dedup_hash)
		__builtin_prefetch(d->slot[pkt->dedup_hash >> (64 - DEDUP_BUCKET_BITS)], 1);
}

bool dedup_repeat(struct dedup *d, const struct packet *pkt)
{
	uint64_t h;

	if (!d || d->window_us == 0)
		return false;
	h = pkt->dedup_hash_ok ? pkt->dedup_hash : dedup_packet_hash(d, pkt);
	return h && dedup_seen(d, h, pkt->ts_us);
}

bool dedup_check(struct dedup *d, const struct packet *pkt)
{
	if (!dedup_repeat(d, pkt))
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
