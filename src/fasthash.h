/* fasthash: a seeded multiply-mix hash for the uthash tables of the report side */
#ifndef FLOWAUDIT_FASTHASH_H
#define FLOWAUDIT_FASTHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * uthash's default (Jenkins) hash cost 400-750 instructions a lookup on the
 * 17- to 40-byte keys of the summary, findings and baseline tables, which
 * take a few lookups per finished flow. This one reads 8 bytes at a time:
 * xor, multiply, fold the high half down, for each word, then a final
 * multiply. The seed is random per process (fasthash_seed_once), so nobody
 * can choose addresses that all fall into one chain.
 *
 * A file that wants it includes this header after <uthash.h> (or after a
 * header that includes it): uthash's macros read HASH_FUNCTION where they
 * are used. HASH_ITER order is insertion order either way.
 */
extern uint64_t fasthash_seed;

/* Draw the seed the first time; later calls keep it (tables hashed with it stay valid). */
void fasthash_seed_once(void);

static inline uint64_t fasthash_word(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* The whole 64-bit hash (open-addressing tables keep it beside their entries). */
static inline uint64_t fasthash64(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = fasthash_seed ^ ((uint64_t)len * 0x9e3779b97f4a7c15ULL), w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = fasthash_word(h, w);
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = fasthash_word(h, w);
	}
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static inline unsigned fasthash(const void *key, size_t len)
{
	return (unsigned)fasthash64(key, len);
}

#undef HASH_FUNCTION
#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = fasthash((keyptr), (keylen)))

#endif
