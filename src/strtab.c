/* strtab: interned byte strings and records, kept for the audit's lifetime, bounded in memory */
#include "strtab.h"

#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "fasthash.h"
#include "xalloc.h"

struct entry {
	UT_hash_handle hh;
	size_t len;
	max_align_t data[];	/* aligned: records (structs) are interned too */
};

struct strtab {
	struct entry *hash;
	size_t bytes;
	size_t max_bytes;
	uint64_t misses;
};

struct strtab *strtab_new(size_t max_bytes)
{
	struct strtab *st = xcalloc(1, sizeof(*st));

	fasthash_seed_once();
	st->max_bytes = max_bytes;
	return st;
}

const void *strtab_intern(struct strtab *st, const void *p, size_t len)
{
	struct entry *e;
	size_t need;

	HASH_FIND(hh, st->hash, p, len, e);
	if (e)
		return e->data;
	need = sizeof(*e) + len;
	if (len > st->max_bytes || st->bytes + need > st->max_bytes) {
		st->misses++;
		return NULL;
	}
	e = xmalloc(need);
	e->len = len;
	memcpy(e->data, p, len);
	HASH_ADD_KEYPTR(hh, st->hash, e->data, len, e);
	st->bytes += need;
	return e->data;
}

const char *strtab_str(struct strtab *st, const char *s)
{
	if (!s || !*s)
		return NULL;
	return strtab_intern(st, s, strlen(s) + 1);
}

uint64_t strtab_misses(const struct strtab *st)
{
	return st->misses;
}

size_t strtab_bytes(const struct strtab *st)
{
	return st->bytes;
}

void strtab_free(struct strtab *st)
{
	struct entry *e, *tmp;

	if (!st)
		return;
	HASH_ITER(hh, st->hash, e, tmp) {
		HASH_DELETE(hh, st->hash, e);
		free(e);
	}
	free(st);
}
