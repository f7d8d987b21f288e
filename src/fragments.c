/* fragments: which flow a later IP fragment belongs to, learned from the first */
#include "fragments.h"

#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "fasthash.h"
#include "xalloc.h"

/*
 * We do not reassemble: the first fragment carries the ports, so its tuple
 * is kept under (addresses, protocol, id) and later fragments borrow it.
 * Entries live 60 s (Zeek's frag_timeout is off by default; Linux uses 30 s)
 * and the table is capped, oldest dropped first.
 */
enum { FRAG_MAX = 65536 };
static const int64_t frag_timeout_us = 60 * 1000000LL;

struct frag_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	uint8_t proto;
	uint8_t family;
	uint8_t pad[2];
};

struct frag {
	struct frag_key key;
	UT_hash_handle hh;
	struct tuple t;
	int64_t first_us;
	struct frag *next;	/* insertion order, for expiry */
};

struct fragments {
	struct frag *hash;
	struct frag *oldest;
	struct frag *newest;
	size_t count;
};

/* Hashed with the per-process random seed (fasthash.h): fragment ids are the sender's to choose. */
struct fragments *fragments_new(void)
{
	fasthash_seed_once();
	return xcalloc(1, sizeof(struct fragments));
}

static void frag_key_make(struct frag_key *k, const struct packet *pkt)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, pkt->t.src, 16);
	memcpy(k->dst, pkt->t.dst, 16);
	k->id = pkt->frag_id;
	k->proto = pkt->t.proto;
	k->family = pkt->t.family;
}

static void drop_oldest(struct fragments *fr)
{
	struct frag *e = fr->oldest;

	fr->oldest = e->next;
	if (!fr->oldest)
		fr->newest = NULL;
	HASH_DEL(fr->hash, e);
	fr->count--;
	free(e);
}

void fragments_remember(struct fragments *fr, const struct packet *pkt)
{
	struct frag_key k;
	struct frag *e;

	if (pkt->later_fragment || !pkt->has_l4)
		return;
	frag_key_make(&k, pkt);
	HASH_FIND(hh, fr->hash, &k, sizeof(k), e);
	if (e) {
		e->t = pkt->t;
		return;
	}
	if (fr->count >= FRAG_MAX)
		drop_oldest(fr);
	e = xcalloc(1, sizeof(*e));
	e->key = k;
	e->t = pkt->t;
	e->first_us = pkt->ts_us;
	HASH_ADD(hh, fr->hash, key, sizeof(e->key), e);
	if (fr->newest)
		fr->newest->next = e;
	else
		fr->oldest = e;
	fr->newest = e;
	fr->count++;
}

const struct tuple *fragments_lookup(struct fragments *fr, const struct packet *pkt)
{
	struct frag_key k;
	struct frag *e;

	frag_key_make(&k, pkt);
	HASH_FIND(hh, fr->hash, &k, sizeof(k), e);
	return e ? &e->t : NULL;
}

void fragments_expire(struct fragments *fr, int64_t now_us)
{
	while (fr->oldest && now_us - fr->oldest->first_us > frag_timeout_us)
		drop_oldest(fr);
}

void fragments_free(struct fragments *fr)
{
	if (!fr)
		return;
	while (fr->oldest)
		drop_oldest(fr);
	free(fr);
}
