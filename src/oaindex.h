/* oaindex: an open-addressing index of (64-bit hash, entry) pairs beside a uthash table, for its lookups */
#ifndef FLOWAUDIT_OAINDEX_H
#define FLOWAUDIT_OAINDEX_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fasthash.h"
#include "xalloc.h"

/*
 * uthash lets a bucket's chain grow to ten entries before it doubles, and
 * a lookup compares the hash kept in each entry on the way: a cache miss
 * per entry on a big table. This index keeps each entry's full hash beside
 * its pointer, at most half full, so a lookup touches one line of the index
 * and the one entry that matches. The entries stay in their uthash table
 * (for iteration); entries are never removed one at a time. An entry's key
 * is its first klen bytes.
 */
struct oaindex {
	uint64_t *h;
	void **p;
	uint64_t mask;		/* size - 1, 0 before the first add */
	uint64_t n;
};

static inline void *oaindex_find(const struct oaindex *ix, uint64_t h, const void *key, size_t klen)
{
	uint64_t i;

	if (!ix->mask)
		return NULL;
	for (i = h & ix->mask; ix->p[i]; i = (i + 1) & ix->mask)
		if (ix->h[i] == h && !memcmp(ix->p[i], key, klen))
			return ix->p[i];
	return NULL;
}

static inline void oaindex_put(uint64_t *hs, void **ps, uint64_t mask, uint64_t h, void *p)
{
	uint64_t i;

	for (i = h & mask; ps[i]; i = (i + 1) & mask)
		;
	hs[i] = h;
	ps[i] = p;
}

/* Add an entry not in the index yet. */
static inline void oaindex_add(struct oaindex *ix, uint64_t h, void *p)
{
	if (2 * (ix->n + 1) > ix->mask + 1) {
		uint64_t size = ix->mask ? 2 * (ix->mask + 1) : 64, i;
		uint64_t *hs = xcalloc(size, sizeof(*hs));
		void **ps = xcalloc(size, sizeof(*ps));

		for (i = 0; ix->mask && i <= ix->mask; i++)
			if (ix->p[i])
				oaindex_put(hs, ps, size - 1, ix->h[i], ix->p[i]);
		free(ix->h);
		free(ix->p);
		ix->h = hs;
		ix->p = ps;
		ix->mask = size - 1;
	}
	oaindex_put(ix->h, ix->p, ix->mask, h, p);
	ix->n++;
}

static inline void oaindex_free(struct oaindex *ix)
{
	free(ix->h);
	free(ix->p);
	memset(ix, 0, sizeof(*ix));
}

#endif
