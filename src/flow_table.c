/* flow_table: the hashed table of live flows: find, create, expire, evict */
#include "flow_table.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sys/random.h>
#include <time.h>

#include "asan.h"
#include "fasthash.h"
#include "xalloc.h"

/*
 * Flows live in slabs and are recycled through a free list, so the packet
 * path allocates only when the table grows past its high-water mark. Each
 * timeout class keeps a doubly linked list, oldest first, and expiry only
 * ever looks at the heads. A packet moves its flow to the tail only when
 * its last_us has moved LRU_GRAIN_US past lru_us (its last_us when it was
 * put there), or its class changed: moving on every packet touched two
 * neighbouring flows, two cache misses on a big table, for each packet.
 * A list is thus in lru_us order, and a flow's last_us is less than
 * LRU_GRAIN_US after its lru_us: a flow idle past its timeout can wait
 * behind a head that is not for at most that long, and eviction takes a
 * flow within that much of the oldest.
 */
enum { LRU_GRAIN_US = 1000000 };
enum { SLAB_FLOWS = 4096 };

/*
 * A finished flow goes back to the free list, not to free(): AddressSanitizer
 * would not see a use after that. Under ASan, a flow on the free list is
 * poisoned whole (its link included, unpoisoned only while taken), so any
 * read of a recycled flow is reported as one.
 */
#define flow_poison(f) asan_poison((f), sizeof(struct flow))
#define flow_unpoison(f) asan_unpoison((f), sizeof(struct flow))

struct slab {
	struct slab *next;
	struct flow flows[SLAB_FLOWS];
};

/*
 * The index holds each live flow's full hash beside a pointer to it, four
 * to a cache line: a lookup compares hashes in the array and touches only
 * the flow that matches, where uthash's chains touched every flow on the
 * way (a cache miss each: 84% of the lookup's time on the bench's mix).
 * At most half full; a flow leaving shifts the run after it back, so
 * there are no tombstones.
 */
struct slot {
	uint64_t h;
	struct flow *f;			/* NULL: empty */
};

enum { INDEX_MIN = 1 << 12 };

struct lru {
	struct flow *head;
	struct flow *tail;
};

struct flow_table {
	struct flow_table_config cfg;
	flow_done_fn done;
	void *ctx;
	struct slot *slots;		/* the index: open addressing, linear probing */
	uint64_t mask;			/* slots - 1 (a power of two) */
	struct lru lru[FLOW_CLASS_COUNT];
	struct slab *slabs;
	struct flow *free_list;		/* linked through lru_next */
	int64_t now_us;			/* newest packet time seen */
	int64_t next_check_us;		/* no head is due before this: advance skips its scan until then */
	struct flow_table_stats st;
};

void flow_table_config_defaults(struct flow_table_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* Zeek: tcp_inactivity_timeout 5 min, tcp_close_delay 5 s, udp/icmp 1 min. */
	cfg->timeout_us[FLOW_CLASS_TCP] = 300 * 1000000LL;
	cfg->timeout_us[FLOW_CLASS_TCP_CLOSED] = 5 * 1000000LL;
	cfg->timeout_us[FLOW_CLASS_UDP] = 60 * 1000000LL;
	cfg->timeout_us[FLOW_CLASS_ICMP] = 60 * 1000000LL;
	/* Zeek's tcp_attempt_delay: an unanswered attempt is removed 5 s after its first SYN. */
	cfg->timeout_us[FLOW_CLASS_TCP_ATTEMPT] = 5 * 1000000LL;
	cfg->max_flows = 1000000;
	cfg->uid_seed = FLOW_UID_SEED_DEFAULT;
}

/*
 * The hash seed is secret and new for every table: with a seed anyone can
 * read in the source, traffic could be crafted whose flows all fall into
 * one bucket, and every packet would walk that chain. Without getrandom,
 * the time and an address still differ per run.
 */
static uint64_t random_seed(const void *salt)
{
	uint64_t s;
	struct timespec ts;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
		return s;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000007ULL) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)salt;
}

struct flow_table *flow_table_new(const struct flow_table_config *cfg, flow_done_fn done, void *ctx)
{
	struct flow_table *ft = xcalloc(1, sizeof(*ft));

	ft->cfg = *cfg;
	if (ft->cfg.timeout_us[FLOW_CLASS_TCP_ATTEMPT] > ft->cfg.timeout_us[FLOW_CLASS_TCP])
		ft->cfg.timeout_us[FLOW_CLASS_TCP_ATTEMPT] = ft->cfg.timeout_us[FLOW_CLASS_TCP];
	if (!ft->cfg.fixed_hash_seed)
		ft->cfg.hash_seed = random_seed(ft);
	ft->done = done;
	ft->ctx = ctx;
	ft->next_check_us = INT64_MAX;
	ft->slots = xcalloc(INDEX_MIN, sizeof(*ft->slots));
	ft->mask = INDEX_MIN - 1;
	return ft;
}

/*
 * What a lookup compares: a tuple in either direction and the key's VLAN,
 * laid out as a flow's orig and key_vlan are, so that a flow is compared
 * in place and no copy of the key is stored.
 */
struct lookup {
	struct tuple t;
	uint16_t vlan;
};

_Static_assert(offsetof(struct flow, key_vlan) == offsetof(struct flow, orig) + sizeof(struct tuple),
	       "key_vlan must follow orig");
_Static_assert(offsetof(struct lookup, vlan) == sizeof(struct tuple), "lookup must be laid out as a flow's key");

/* Same flow: same protocol, family and VLAN, the endpoints equal one way or the other. */
static int lookup_cmp(const void *stored, const void *wanted)
{
	const struct lookup *x = stored, *y = wanted;

	if (x->vlan != y->vlan || x->t.proto != y->t.proto || x->t.family != y->t.family)
		return 1;
	if (x->t.sport == y->t.sport && x->t.dport == y->t.dport && !memcmp(x->t.src, y->t.src, 16) &&
	    !memcmp(x->t.dst, y->t.dst, 16))
		return 0;
	if (x->t.sport == y->t.dport && x->t.dport == y->t.sport && !memcmp(x->t.src, y->t.dst, 16) &&
	    !memcmp(x->t.dst, y->t.src, 16))
		return 0;
	return 1;
}


/*
 * fasthash's word step; the secret seed starts the state and is mixed in
 * again at the end, so that which tuples share a place cannot be worked
 * out without it. The same for both directions: the endpoints go in a fixed order (by
 * their bytes read as native words, which needs no canonical key built in
 * memory), then ports, VLAN, protocol and family.
 */
uint64_t flow_table_hash(const struct flow_table *ft, const struct tuple *t, uint16_t vlan)
{
	uint64_t s[2], d[2], seed = ft->cfg.hash_seed, h = seed ^ 0x9e3779b97f4a7c15ULL;
	bool swap;

	memcpy(s, t->src, 16);
	memcpy(d, t->dst, 16);
	swap = s[0] != d[0] ? s[0] > d[0] : s[1] != d[1] ? s[1] > d[1] : t->sport > t->dport;
	h = fasthash_word(h, swap ? d[0] : s[0]);
	h = fasthash_word(h, swap ? d[1] : s[1]);
	h = fasthash_word(h, swap ? s[0] : d[0]);
	h = fasthash_word(h, swap ? s[1] : d[1]);
	h = fasthash_word(h, (uint64_t)(swap ? t->dport : t->sport) | (uint64_t)(swap ? t->sport : t->dport) << 16 |
				 (uint64_t)vlan << 32 | (uint64_t)t->proto << 48 | (uint64_t)t->family << 56);
	h = fasthash_word(h, seed >> 7 | seed << 57);
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

void flow_table_prefetch(const struct flow_table *ft, uint64_t h)
{
	__builtin_prefetch(&ft->slots[h & ft->mask]);
}

void flow_table_prefetch_flow(const struct flow_table *ft, uint64_t h)
{
	uint64_t i;

	for (i = h & ft->mask; ft->slots[i].f; i = (i + 1) & ft->mask)
		if (ft->slots[i].h == h) {
			const char *f = (const char *)ft->slots[i].f;
			size_t off;

			for (off = 0; off < sizeof(struct flow); off += 64)
				__builtin_prefetch(f + off, 1);
			return;
		}
}

struct flow *flow_table_find(struct flow_table *ft, const struct tuple *t, uint16_t vlan, uint64_t h)
{
	struct lookup l;
	uint64_t i;

	l.t = *t;
	l.vlan = vlan;
	for (i = h & ft->mask; ft->slots[i].f; i = (i + 1) & ft->mask)
		if (ft->slots[i].h == h && lookup_cmp(&ft->slots[i].f->orig, &l) == 0)
			return ft->slots[i].f;
	return NULL;
}

static void index_put(struct slot *slots, uint64_t mask, uint64_t h, struct flow *f)
{
	uint64_t i;

	for (i = h & mask; slots[i].f; i = (i + 1) & mask)
		;
	slots[i].h = h;
	slots[i].f = f;
}

/* Twice the slots, every flow placed again (amortised over the flows that filled it). */
static void index_grow(struct flow_table *ft)
{
	uint64_t n = (ft->mask + 1) * 2, i;
	struct slot *slots = xcalloc(n, sizeof(*slots));

	for (i = 0; i <= ft->mask; i++)
		if (ft->slots[i].f)
			index_put(slots, n - 1, ft->slots[i].h, ft->slots[i].f);
	free(ft->slots);
	ft->slots = slots;
	ft->mask = n - 1;
}

/* Take f out of the index; the entries after it that probed past its slot move back. */
static void index_remove(struct flow_table *ft, struct flow *f)
{
	uint64_t i = f->hash & ft->mask, j, k;

	while (ft->slots[i].f != f)
		i = (i + 1) & ft->mask;
	j = i;
	for (;;) {
		j = (j + 1) & ft->mask;
		if (!ft->slots[j].f)
			break;
		k = ft->slots[j].h & ft->mask;	/* where the entry at j wants to be */
		/* it may stay unless its home lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		ft->slots[i] = ft->slots[j];
		i = j;
	}
	ft->slots[i].f = NULL;
	ft->slots[i].h = 0;
}

static void lru_unlink(struct flow_table *ft, struct flow *f)
{
	struct lru *l = &ft->lru[f->lru_class];

	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		l->head = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct flow_table *ft, struct flow *f, enum flow_class c)
{
	struct lru *l = &ft->lru[c];

	f->lru_class = (uint8_t)c;
	f->lru_us = c == FLOW_CLASS_TCP_ATTEMPT ? f->first_us : f->last_us;
	if (f->lru_us + ft->cfg.timeout_us[c] < ft->next_check_us)
		ft->next_check_us = f->lru_us + ft->cfg.timeout_us[c];
	f->lru_next = NULL;
	f->lru_prev = l->tail;
	if (l->tail)
		l->tail->lru_next = f;
	else
		l->head = f;
	l->tail = f;
}

static struct flow *flow_alloc(struct flow_table *ft)
{
	struct flow *f;

	if (!ft->free_list) {
		struct slab *s = xmalloc(sizeof(*s));
		size_t i;

		s->next = ft->slabs;
		ft->slabs = s;
		for (i = 0; i < SLAB_FLOWS; i++) {
			s->flows[i].lru_next = ft->free_list;
			ft->free_list = &s->flows[i];
			flow_poison(&s->flows[i]);
		}
	}
	f = ft->free_list;
	flow_unpoison(f);
	ft->free_list = f->lru_next;
	memset(f, 0, sizeof(*f));
	return f;
}

void flow_table_end(struct flow_table *ft, struct flow *f, enum flow_end why)
{
	f->end = (uint8_t)why;
	ft->done(f, ft->ctx);
	lru_unlink(ft, f);
	index_remove(ft, f);
	ft->st.live--;
	f->lru_next = ft->free_list;
	ft->free_list = f;
	flow_poison(f);
}

/* When f, in class c, is due to leave; the attempt class counts from the first packet. */
static int64_t due_us(const struct flow_table *ft, const struct flow *f, int c)
{
	return (c == FLOW_CLASS_TCP_ATTEMPT ? f->first_us : f->last_us) + ft->cfg.timeout_us[c];
}

/* The flow idle longest across all classes (relative to its own timeout). */
static struct flow *oldest_flow(struct flow_table *ft)
{
	struct flow *best = NULL;
	int64_t best_left = 0;
	int c;

	for (c = 0; c < FLOW_CLASS_COUNT; c++) {
		struct flow *f = ft->lru[c].head;
		int64_t left;

		if (!f)
			continue;
		left = due_us(ft, f, c) - ft->now_us;
		if (!best || left < best_left) {
			best = f;
			best_left = left;
		}
	}
	return best;
}

void flow_table_advance(struct flow_table *ft, int64_t now_us)
{
	int c;

	if (now_us > ft->now_us)
		ft->now_us = now_us;
	/*
	 * Nothing leaves a list before its head does: until the earliest
	 * head is due (or a flow joins a list with an earlier due time, see
	 * lru_append), the scan is skipped.
	 */
	if (ft->now_us < ft->next_check_us)
		return;
	ft->next_check_us = INT64_MAX;
	for (c = 0; c < FLOW_CLASS_COUNT; c++) {
		struct flow *f;

		/* Zeek's attempt timer fires at its time; inactivity needs the timeout passed. */
		while ((f = ft->lru[c].head) && (c == FLOW_CLASS_TCP_ATTEMPT ? due_us(ft, f, c) <= ft->now_us
									   : due_us(ft, f, c) < ft->now_us))
			flow_table_end(ft, f, c == FLOW_CLASS_TCP_CLOSED    ? FLOW_END_CLOSED
					      : c == FLOW_CLASS_TCP_ATTEMPT ? FLOW_END_ATTEMPT
									    : FLOW_END_INACTIVE);
		if (f && due_us(ft, f, c) < ft->next_check_us)
			ft->next_check_us = due_us(ft, f, c);
	}
}

struct flow *flow_table_create(struct flow_table *ft, const struct tuple *orig, uint16_t vlan, int64_t ts_us,
			       uint64_t h, enum flow_class c)
{
	struct flow *f;

	if (ft->st.live >= ft->cfg.max_flows && ft->cfg.max_flows > 0) {
		struct flow *victim = oldest_flow(ft);

		if (victim) {
			flow_table_end(ft, victim, FLOW_END_EVICTED);
			ft->st.evicted++;
		}
	}
	f = flow_alloc(ft);
	f->orig = *orig;
	f->key_vlan = vlan;
	f->uid_seq = ft->st.flows++;
	f->first_us = ts_us;
	f->last_us = ts_us;
	f->hash = h;
	if (2 * (ft->st.live + 1) > ft->mask + 1)
		index_grow(ft);
	index_put(ft->slots, ft->mask, h, f);
	lru_append(ft, f, c);
	if (++ft->st.live > ft->st.peak_live)
		ft->st.peak_live = ft->st.live;
	return f;
}

void flow_table_touch(struct flow_table *ft, struct flow *f, enum flow_class c)
{
	if (c != f->lru_class || (c != FLOW_CLASS_TCP_ATTEMPT && f->last_us - f->lru_us >= LRU_GRAIN_US)) {
		lru_unlink(ft, f);
		lru_append(ft, f, c);
	}
}

void flow_table_flush(struct flow_table *ft)
{
	struct flow *f;

	while ((f = oldest_flow(ft)))
		flow_table_end(ft, f, FLOW_END_CAPTURE);
}

void flow_table_foreach(struct flow_table *ft, void (*fn)(struct flow *f, void *ctx), void *ctx)
{
	uint64_t i;

	for (i = 0; i <= ft->mask; i++)
		if (ft->slots[i].f)
			fn(ft->slots[i].f, ctx);
}

const struct flow_table_stats *flow_table_stats(const struct flow_table *ft)
{
	return &ft->st;
}

void flow_table_free(struct flow_table *ft)
{
	struct slab *s;

	if (!ft)
		return;
	free(ft->slots);
	while ((s = ft->slabs)) {
		ft->slabs = s->next;
		asan_unpoison(s, sizeof(*s));
		free(s);
	}
	free(ft);
}
