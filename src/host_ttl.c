/* host_ttl: the TTL / hop limit each host's packets have at the capture point, to tell who sent a RST */
#include "host_ttl.h"

#include <string.h>

#include <uthash.h>

#include "fasthash.h"	/* after uthash.h: its macros use fasthash (uthash's Jenkins hash cost 4x more here) */
#include "xalloc.h"

struct host_entry {
	uint8_t key[17];	/* family, then 16 address bytes (IPv4 in the first 4) */
	uint8_t ttl[HOST_TTL_MAX];
	uint8_t n;
	UT_hash_handle hh;
};

/* Entries come from chunks of HOST_CHUNK (one malloc per chunk, not per host), freed with the table. */
enum { HOST_CHUNK = 1024 };

struct host_ttl {
	struct host_entry *hosts;
	uint32_t count;
	uint32_t max;
	struct host_entry **chunks;
	uint32_t nchunks;
};

struct host_ttl *host_ttl_new(uint32_t max_hosts)
{
	struct host_ttl *ht = xcalloc(1, sizeof(*ht));

	fasthash_seed_once();
	ht->max = max_hosts;
	return ht;
}

void host_ttl_free(struct host_ttl *ht)
{
	uint32_t i;

	if (!ht)
		return;
	HASH_CLEAR(hh, ht->hosts);
	for (i = 0; i < ht->nchunks; i++)
		free(ht->chunks[i]);
	free(ht->chunks);
	free(ht);
}

static void make_key(uint8_t key[17], int family, const uint8_t *addr)
{
	memset(key, 0, 17);
	key[0] = (uint8_t)family;
	memcpy(key + 1, addr, family == 4 ? 4 : 16);
}

static struct host_entry *find(const struct host_ttl *ht, int family, const uint8_t *addr)
{
	struct host_entry *e;
	uint8_t key[17];

	make_key(key, family, addr);
	HASH_FIND(hh, ht->hosts, key, sizeof(key), e);
	return e;
}

/*
 * The values are kept largest first, and past HOST_TTL_MAX the smallest
 * goes: a set, whatever order the packets (or the workers) came in.
 */
static void insert_ttl(struct host_entry *e, uint8_t ttl)
{
	int i, j;

	for (i = 0; i < e->n && e->ttl[i] > ttl; i++)
		;
	if ((i < e->n && e->ttl[i] == ttl) || i == HOST_TTL_MAX)
		return;
	j = e->n < HOST_TTL_MAX ? e->n++ : HOST_TTL_MAX - 1;
	for (; j > i; j--)
		e->ttl[j] = e->ttl[j - 1];
	e->ttl[i] = ttl;
}

void host_ttl_note(struct host_ttl *ht, int family, const uint8_t *addr, uint8_t ttl)
{
	struct host_entry *e = find(ht, family, addr);

	if (!e) {
		if (ht->count >= ht->max)
			return;
		if (ht->count % HOST_CHUNK == 0) {
			ht->chunks = xrealloc(ht->chunks, (ht->nchunks + 1) * sizeof(*ht->chunks));
			ht->chunks[ht->nchunks++] = xmalloc(HOST_CHUNK * sizeof(struct host_entry));
		}
		e = &ht->chunks[ht->count / HOST_CHUNK][ht->count % HOST_CHUNK];
		memset(e, 0, sizeof(*e));
		make_key(e->key, family, addr);
		HASH_ADD(hh, ht->hosts, key, sizeof(e->key), e);
		ht->count++;
	}
	insert_ttl(e, ttl);
}

void host_ttl_merge(struct host_ttl *dst, const struct host_ttl *src)
{
	const struct host_entry *e, *tmp;
	int i;

	HASH_ITER(hh, src->hosts, e, tmp)
		for (i = 0; i < e->n; i++)
			host_ttl_note(dst, e->key[0], e->key + 1, e->ttl[i]);
}

int host_ttl_matches(const struct host_ttl *ht, int family, const uint8_t *addr, uint8_t ttl)
{
	const struct host_entry *e = ht ? find(ht, family, addr) : NULL;
	int i;

	if (!e || !e->n)
		return -1;
	for (i = 0; i < e->n; i++)
		if (e->ttl[i] == ttl)
			return 1;
	return 0;
}

uint8_t host_ttl_of(const struct host_ttl *ht, int family, const uint8_t *addr)
{
	const struct host_entry *e = ht ? find(ht, family, addr) : NULL;

	return e && e->n ? e->ttl[0] : 0;
}
