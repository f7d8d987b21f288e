/* summary: what the finished flows add up to — counts by protocol and state, top talkers */
#include "summary.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fasthash.h"
#include "xalloc.h"

/*
 * The host table. Every finished flow looks up both its hosts, so a lookup
 * has to be cheap: the hosts sit in one dense array (no allocation per
 * host, freed at once, walked in one pass) and are found through an index
 * of 8-byte slots with linear probing. A slot holds the low half of the
 * key's hash (its home slot, and a tag that spares most key comparisons)
 * above the entry's number + 1; 0 is empty. The index is never more than
 * half full.
 *
 * Past SUMMARY_MAX_HOSTS the table keeps the hosts of lowest rank, a fixed
 * hash of the address (summary.h): a max-heap of the entries by rank says
 * which one a lower-ranked newcomer replaces. Because a host's rank never
 * changes, a host that is kept at the end was kept from its first flow on,
 * in whatever order the flows came: its counts are whole, and two tables
 * merge into exactly the table of all their flows.
 */
struct host_entry {
	struct host_count c;
	uint64_t rank;
	/*
	 * Flows whose other host ranks below this one (or is this one). The
	 * hosts kept are the lowest ranked, so such a flow has both hosts kept
	 * exactly while this one is: hosts_untracked is flows less the sum of
	 * owned over the hosts kept, whoever was replaced when.
	 */
	uint64_t owned;
};

struct summary_hosts {
	struct host_entry *e;
	uint32_t n;		/* entries in use */
	uint32_t cap;		/* entries allocated */
	uint64_t *slot;
	uint32_t mask;		/* slots - 1: a power of two */
	uint32_t *heap;		/* once full: entry numbers, a max-heap by rank */
	uint64_t seed;		/* the index's hash seed, read once: tables made on other threads never see it change */
	uint64_t tracked;	/* flows with both hosts kept */
	/*
	 * The entries the last flow's originator and responder were found in:
	 * a scan, a flood, a busy server finish flow after flow with one host
	 * in common, found again by one comparison instead of a lookup. An
	 * entry replaced since holds another address: the comparison fails.
	 */
	uint32_t last[2];
};

enum { HOSTS_FIRST_SLOTS = 1024, HOSTS_FIRST_ENTRIES = 256 };

/* The address as three words, family first: what the two hashes read. */
struct host_key {
	uint64_t w[3];
};

static inline void key_make(struct host_key *k, uint8_t family, const uint8_t *addr)
{
	uint8_t b[24] = { family };

	memcpy(b + 1, addr, 16);
	memcpy(k->w, b, sizeof(b));
}

/* Seeded (fasthash.h): nobody can choose addresses that pile up in one run of slots. */
static inline uint64_t index_hash(uint64_t seed, const struct host_key *k)
{
	uint64_t h = fasthash_word(fasthash_word(fasthash_word(seed, k->w[0]), k->w[1]), k->w[2]);

	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static inline uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Not seeded: which hosts a full table keeps must be the same in every run and every worker. */
static inline uint64_t host_rank(const struct host_key *k)
{
	return splitmix64(splitmix64(splitmix64(k->w[0]) ^ k->w[1]) ^ k->w[2]);
}

/* A total order: rank, then the address (two hosts may share a rank). */
static int rank_cmp(uint64_t ra, uint8_t fa, const uint8_t *aa, const struct host_entry *b)
{
	if (ra != b->rank)
		return ra < b->rank ? -1 : 1;
	if (fa != b->c.family)
		return fa < b->c.family ? -1 : 1;
	return memcmp(aa, b->c.addr, 16);
}

static inline bool entry_above(const struct host_entry *a, const struct host_entry *b)
{
	return rank_cmp(a->rank, a->c.family, a->c.addr, b) > 0;
}

static struct summary_hosts *hosts_new(void)
{
	struct summary_hosts *t = xcalloc(1, sizeof(*t));

	t->cap = HOSTS_FIRST_ENTRIES;
	t->e = xmalloc(t->cap * sizeof(*t->e));
	t->mask = HOSTS_FIRST_SLOTS - 1;
	t->slot = xcalloc(HOSTS_FIRST_SLOTS, sizeof(*t->slot));
	t->seed = fasthash_seed;
	t->last[0] = t->last[1] = UINT32_MAX;
	return t;
}

/* The slot that holds the host, or the empty one where it would go. */
static inline uint32_t slot_find(const struct summary_hosts *t, uint64_t h, uint8_t family, const uint8_t *addr)
{
	uint32_t i = (uint32_t)h & t->mask;
	uint64_t s;

	while ((s = t->slot[i])) {
		if ((uint32_t)(s >> 32) == (uint32_t)h) {
			const struct host_entry *e = &t->e[(uint32_t)s - 1];

			if (e->c.family == family && !memcmp(e->c.addr, addr, 16))
				return i;
		}
		i = (i + 1) & t->mask;
	}
	return i;
}

/* Twice the slots; a slot's home comes from the hash half it keeps, so nothing is hashed again. */
static void index_grow(struct summary_hosts *t)
{
	uint32_t old = t->mask + 1, i, j;
	uint64_t *slot = t->slot;

	t->mask = 2 * old - 1;
	t->slot = xcalloc(2 * (size_t)old, sizeof(*t->slot));
	for (i = 0; i < old; i++) {
		if (!slot[i])
			continue;
		for (j = (uint32_t)(slot[i] >> 32) & t->mask; t->slot[j]; j = (j + 1) & t->mask)
			;
		t->slot[j] = slot[i];
	}
	free(slot);
}

/* Empty slot i, moving later slots of the same run back so that every one stays reachable from its home. */
static void slot_delete(struct summary_hosts *t, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		uint32_t home;

		j = (j + 1) & t->mask;
		if (!t->slot[j])
			break;
		home = (uint32_t)(t->slot[j] >> 32) & t->mask;
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i] = 0;
}

static void heap_down(struct summary_hosts *t, uint32_t i)
{
	uint32_t n = t->n, x = t->heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && entry_above(&t->e[t->heap[c + 1]], &t->e[t->heap[c]]))
			c++;
		if (!entry_above(&t->e[t->heap[c]], &t->e[x]))
			break;
		t->heap[i] = t->heap[c];
		i = c;
	}
	t->heap[i] = x;
}

static void heap_build(struct summary_hosts *t)
{
	uint32_t i;

	t->heap = xmalloc(t->n * sizeof(*t->heap));
	for (i = 0; i < t->n; i++)
		t->heap[i] = i;
	for (i = t->n / 2; i-- > 0;)
		heap_down(t, i);
}

/*
 * A host not in the table: made, taking slot i of the index (h: its hash);
 * -1 when the table is full and the host ranks above every host kept. A
 * newcomer that ranks lower takes the place of the highest ranked, whose
 * number goes to *evicted. Out of line: the lookup of a known host, the
 * common case, stays small.
 */
static __attribute__((noinline)) int64_t host_add(struct summary_hosts *t, const struct host_key *k, uint64_t h,
						  uint32_t i, uint8_t family, const uint8_t *addr, int64_t *evicted)
{
	struct host_entry *e;
	uint64_t rank = host_rank(k);
	uint32_t at;

	if (t->n < SUMMARY_MAX_HOSTS) {
		if (2 * ((size_t)t->n + 1) > (size_t)t->mask + 1) {
			index_grow(t);
			i = slot_find(t, h, family, addr);
		}
		if (t->n == t->cap) {
			t->cap *= 2;
			t->e = xrealloc(t->e, t->cap * sizeof(*t->e));
		}
		at = t->n++;
	} else {
		struct host_key vk;
		uint32_t v;

		if (!t->heap)
			heap_build(t);
		at = t->heap[0];
		e = &t->e[at];
		if (rank_cmp(rank, family, addr, e) > 0)
			return -1;
		key_make(&vk, e->c.family, e->c.addr);
		for (v = (uint32_t)index_hash(t->seed, &vk) & t->mask; (uint32_t)t->slot[v] != at + 1;
		     v = (v + 1) & t->mask)
			;
		slot_delete(t, v);
		t->tracked -= e->owned;
		*evicted = at;
		i = slot_find(t, h, family, addr);
	}
	e = &t->e[at];
	memset(e, 0, sizeof(*e));
	e->c.family = family;
	memcpy(e->c.addr, addr, 16);
	e->rank = rank;
	t->slot[i] = (uint64_t)(uint32_t)h << 32 | (at + 1);
	if (t->heap)
		heap_down(t, 0);	/* the newcomer took the top's place, and ranks below it */
	return at;
}

/* The host's entry number, made when it is new (host_add); role: 0 originator, 1 responder (last[]). */
static inline int64_t host_get(struct summary_hosts *t, int role, uint8_t family, const uint8_t *addr,
			       int64_t *evicted)
{
	struct host_key k;
	uint32_t i, at = t->last[role];
	uint64_t h;
	int64_t got;

	if (at != UINT32_MAX && t->e[at].c.family == family && !memcmp(t->e[at].c.addr, addr, 16))
		return at;
	key_make(&k, family, addr);
	h = index_hash(t->seed, &k);
	i = slot_find(t, h, family, addr);
	got = t->slot[i] ? (uint32_t)t->slot[i] - 1 : host_add(t, &k, h, i, family, addr, evicted);
	if (got >= 0)
		t->last[role] = (uint32_t)got;
	return got;
}

void summary_init(struct summary *s)
{
	memset(s, 0, sizeof(*s));
	fasthash_seed_once();
}

static enum summary_proto proto_index(uint8_t proto)
{
	if (proto == PROTO_TCP)
		return SP_TCP;
	if (proto == PROTO_UDP)
		return SP_UDP;
	if (proto == PROTO_ICMP || proto == PROTO_ICMPV6)
		return SP_ICMP;
	return SP_OTHER;
}

static void hosts_settle(struct summary *s)
{
	s->hosts = s->host_table ? s->host_table->n : 0;
	s->hosts_untracked = s->flows - (s->host_table ? s->host_table->tracked : 0);
}

void summary_add_flow(struct summary *s, const struct flow *f)
{
	enum summary_proto p = proto_index(f->orig.proto);
	uint64_t bytes = f->side[0].ip_bytes + f->side[1].ip_bytes;
	struct summary_hosts *t;
	int64_t o, r, evicted = -1, unused = -1;

	s->flows++;
	s->by_proto[p]++;
	if (f->tunnel && f->tunnel < TUNNEL_KIND_COUNT) {
		s->tunnels[f->tunnel]++;
		s->tunnels_mirror += f->tunnel_mirror;
	}
	s->tunnelled += f->tunnel_parent[0] != NULL;
	s->by_state[flow_conn_state(f)][p]++;
	s->ip_bytes += bytes;
	if (!s->host_table)
		s->host_table = hosts_new();
	t = s->host_table;
	o = host_get(t, 0, f->orig.family, f->orig.src, &unused);
	if (!memcmp(f->orig.src, f->orig.dst, 16)) {
		r = o;
	} else {
		r = host_get(t, 1, f->orig.family, f->orig.dst, &evicted);
		if (evicted == o)
			o = -1;	/* the responder, ranking lower, took the originator's place */
	}
	if (o >= 0) {
		t->e[o].c.flows_orig++;
		t->e[o].c.bytes += bytes;
	}
	if (r >= 0) {
		t->e[r].c.flows_resp++;
		t->e[r].c.bytes += bytes;
	}
	if (o >= 0 && r >= 0) {
		t->e[entry_above(&t->e[r], &t->e[o]) ? r : o].owned++;
		t->tracked++;
	}
	hosts_settle(s);
}

void summary_merge(struct summary *dst, const struct summary *src)
{
	const struct summary_hosts *st = src->host_table;
	int p, k;
	uint32_t i;

	dst->flows += src->flows;
	for (p = 0; p < SP_COUNT; p++)
		dst->by_proto[p] += src->by_proto[p];
	for (k = 0; k < CS_COUNT; k++)
		for (p = 0; p < SP_COUNT; p++)
			dst->by_state[k][p] += src->by_state[k][p];
	dst->ip_bytes += src->ip_bytes;
	for (k = 0; k < TUNNEL_KIND_COUNT; k++)
		dst->tunnels[k] += src->tunnels[k];
	dst->tunnels_mirror += src->tunnels_mirror;
	dst->tunnelled += src->tunnelled;
	if (st && st->n) {
		struct summary_hosts *t;

		if (!dst->host_table)
			dst->host_table = hosts_new();
		t = dst->host_table;
		/* A host kept in the union is kept in each part (fewer hosts rank below it there): its sums are whole. */
		for (i = 0; i < st->n; i++) {
			const struct host_entry *x = &st->e[i];
			int64_t evicted = -1, at = host_get(t, 0, x->c.family, x->c.addr, &evicted);

			if (at < 0)
				continue;
			t->e[at].c.flows_orig += x->c.flows_orig;
			t->e[at].c.flows_resp += x->c.flows_resp;
			t->e[at].c.bytes += x->c.bytes;
			t->e[at].owned += x->owned;
			t->tracked += x->owned;
		}
	}
	hosts_settle(dst);
}

static int host_cmp(const void *a, const void *b)
{
	const struct host_count *x = a, *y = b;
	uint64_t fx = x->flows_orig + x->flows_resp, fy = y->flows_orig + y->flows_resp;

	if (fx != fy)
		return fx < fy ? 1 : -1;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->family != y->family)
		return x->family - y->family;
	return memcmp(x->addr, y->addr, 16);
}

/* The n first in host_cmp order: a total order, so the result never depends on the table's. */
int summary_top_hosts(const struct summary *s, struct host_count *out, int n)
{
	const struct summary_hosts *t = s->host_table;
	uint32_t i;
	int k = 0;

	if (n <= 0 || !t)
		return 0;
	if ((uint32_t)n >= t->n) {	/* all of them: a sort, not n insertions into a list of n */
		for (i = 0; i < t->n; i++)
			out[i] = t->e[i].c;
		qsort(out, t->n, sizeof(*out), host_cmp);
		return (int)t->n;
	}
	for (i = 0; i < t->n; i++) {
		const struct host_count *c = &t->e[i].c;
		int at;

		if (k == n && host_cmp(c, &out[n - 1]) >= 0)
			continue;
		at = k < n ? k++ : n - 1;
		while (at > 0 && host_cmp(c, &out[at - 1]) < 0) {
			out[at] = out[at - 1];
			at--;
		}
		out[at] = *c;
	}
	return k;
}

void summary_free(struct summary *s)
{
	struct summary_hosts *t = s->host_table;

	if (!t)
		return;
	free(t->e);
	free(t->slot);
	free(t->heap);
	free(t);
	s->host_table = NULL;
}

uint64_t summary_tunnels_named(const struct summary *s, int k)
{
	const char *name = decode_tunnel_name(k);
	uint64_t n = 0;
	int j;

	for (j = 1; j < TUNNEL_KIND_COUNT; j++) {
		if (strcmp(decode_tunnel_name(j), name) != 0)
			continue;
		if (j < k)
			return 0;
		n += s->tunnels[j];
	}
	return n;
}
