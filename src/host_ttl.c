/* host_ttl: the TTL / hop limit each host's packets have at the capture point, to tell who sent a RST */
#include "host_ttl.h"

#include <stdlib.h>
#include <string.h>

#include "fasthash.h"
#include "xalloc.h"

/*
 * Open addressing over the entries themselves (24 bytes, linear probing, at
 * most half full, doubled as hosts come): a lookup is one cache line in the
 * usual case. Every flow side's first packet looks its host up, and with
 * uthash's chains that walk was a tenth of the audit's time on the bench's
 * mix. Hosts are never removed.
 */
struct host_entry {
	uint8_t key[17];	/* family, then 16 address bytes (IPv4 in the first 4); family 0: empty */
	uint8_t ttl[HOST_TTL_MAX];
	uint8_t n;
	uint8_t pad[2];
};

_Static_assert(sizeof(struct host_entry) == 24, "host_entry: 24 bytes");

enum { HOST_TABLE_MIN = 1024 };

struct host_ttl {
	struct host_entry *slot;
	uint64_t mask;
	uint32_t count;
	uint32_t max;
};

struct host_ttl *host_ttl_new(uint32_t max_hosts)
{
	struct host_ttl *ht = xcalloc(1, sizeof(*ht));

	fasthash_seed_once();
	ht->max = max_hosts;
	ht->slot = xcalloc(HOST_TABLE_MIN, sizeof(*ht->slot));
	ht->mask = HOST_TABLE_MIN - 1;
	return ht;
}

void host_ttl_free(struct host_ttl *ht)
{
	if (!ht)
		return;
	free(ht->slot);
	free(ht);
}

static void make_key(uint8_t key[17], int family, const uint8_t *addr)
{
	memset(key, 0, 17);
	key[0] = (uint8_t)family;
	memcpy(key + 1, addr, family == 4 ? 4 : 16);
}

/* The slot of key: its entry, or the empty slot where it would go. */
static struct host_entry *probe(const struct host_ttl *ht, const uint8_t key[17])
{
	uint64_t i = fasthash64(key, 17) & ht->mask;

	while (ht->slot[i].key[0] && memcmp(ht->slot[i].key, key, 17))
		i = (i + 1) & ht->mask;
	return &ht->slot[i];
}

static const struct host_entry *find(const struct host_ttl *ht, int family, const uint8_t *addr)
{
	const struct host_entry *e;
	uint8_t key[17];

	make_key(key, family, addr);
	e = probe(ht, key);
	return e->key[0] ? e : NULL;
}

static void grow(struct host_ttl *ht)
{
	struct host_ttl bigger = *ht;
	uint64_t i;

	bigger.mask = 2 * (ht->mask + 1) - 1;
	bigger.slot = xcalloc(bigger.mask + 1, sizeof(*bigger.slot));
	for (i = 0; i <= ht->mask; i++)
		if (ht->slot[i].key[0])
			*probe(&bigger, ht->slot[i].key) = ht->slot[i];
	free(ht->slot);
	*ht = bigger;
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
	uint8_t key[17];
	struct host_entry *e;

	make_key(key, family, addr);
	e = probe(ht, key);
	if (!e->key[0]) {
		if (ht->count >= ht->max)
			return;
		if (2 * ((uint64_t)ht->count + 1) > ht->mask + 1) {
			grow(ht);
			e = probe(ht, key);
		}
		memcpy(e->key, key, 17);
		ht->count++;
	}
	insert_ttl(e, ttl);
}

void host_ttl_merge(struct host_ttl *dst, const struct host_ttl *src)
{
	uint64_t k;
	int i;

	for (k = 0; k <= src->mask; k++) {
		const struct host_entry *e = &src->slot[k];

		for (i = 0; e->key[0] && i < e->n; i++)
			host_ttl_note(dst, e->key[0], e->key + 1, e->ttl[i]);
	}
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
