/* workers: decoded packets handed from the reader to N threads, by host pair, in batches through lock-free rings */
#include "workers.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fasthash.h"
#include "xalloc.h"

/*
 * A batch holds up to BATCH_PACKETS packets and the bytes they point into.
 * Each worker has RING_BATCHES of them, used round the ring: the reader
 * fills slot head % RING_BATCHES and publishes head; the worker works
 * through slot tail % RING_BATCHES and publishes tail. Batches are big
 * enough that the two threads rarely meet on one cache line, and the
 * reader blocks only when a worker is RING_BATCHES behind.
 */
enum { BATCH_PACKETS = 256, BATCH_BYTES = 128 * 1024, RING_BATCHES = 16, SPIN = 200 };

enum { BATCH_STOP = 1 };

struct item {
	struct packet pkt;
	unsigned mode;
};

struct batch {
	int n;
	uint32_t used;			/* bytes of data used */
	int64_t now_us;
	unsigned flags;
	struct item items[BATCH_PACKETS];
	uint8_t data[BATCH_BYTES];
};

struct worker {
	/* written by the reader */
	_Alignas(64) _Atomic uint32_t head;
	_Atomic uint32_t reader_waiting;
	/* written by the worker */
	_Alignas(64) _Atomic uint32_t tail;
	_Atomic uint32_t worker_waiting;
	_Alignas(64) struct batch *ring[RING_BATCHES];
	uint32_t fill;			/* reader: the slot being filled is open (head's slot) */
	bool open;
	bool inline_run;
	void *state;
	const struct workers_ops *ops;
	pthread_t thread;
};

struct workers {
	int n;
	uint32_t share0;		/* worker 0's part of the 32-bit pair hash range (workers_pick) */
	uint64_t seed;
	struct workers_ops ops;
	struct worker *w;
};

static void futex_wait(_Atomic uint32_t *addr, uint32_t val)
{
	syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *addr)
{
	syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/*
 * Wait until *word is no longer val. The sleeper says it is going to sleep
 * (waiting = 1), then looks again: the other side stores the word, then
 * reads waiting, both sequentially consistent, so one of them sees the
 * other and no wake-up is lost.
 */
static uint32_t wait_change(_Atomic uint32_t *word, _Atomic uint32_t *waiting, uint32_t val)
{
	uint32_t v;
	int i;

	for (i = 0; i < SPIN; i++) {
		if ((v = atomic_load_explicit(word, memory_order_acquire)) != val)
			return v;
		cpu_relax();
	}
	for (;;) {
		atomic_store(waiting, 1);
		if ((v = atomic_load(word)) != val) {
			atomic_store(waiting, 0);
			return v;
		}
		futex_wait(word, val);
		atomic_store(waiting, 0);
		if ((v = atomic_load_explicit(word, memory_order_acquire)) != val)
			return v;
	}
}

static void publish(_Atomic uint32_t *word, _Atomic uint32_t *waiting, uint32_t val)
{
	atomic_store(word, val);
	if (atomic_load(waiting))
		futex_wake(word);
}

/* One batch, in order, each packet's look-ahead first; then the batch's time. */
static void run_batch(struct worker *wk, struct batch *b)
{
	const struct workers_ops *ops = wk->ops;
	int i;

	for (i = 0; ops->prefetch && i < b->n && i < WORKERS_AHEAD; i++)
		ops->prefetch(wk->state, &b->items[i].pkt, b->items[i].mode, 0);
	for (i = 0; ops->prefetch && i < b->n && i < WORKERS_AHEAD / 2; i++)
		ops->prefetch(wk->state, &b->items[i].pkt, b->items[i].mode, 1);
	for (i = 0; i < b->n; i++) {
		/* the flows (and duplicate buckets) of the packets ahead load while this one is worked on */
		if (ops->prefetch && i + WORKERS_AHEAD < b->n)
			ops->prefetch(wk->state, &b->items[i + WORKERS_AHEAD].pkt, b->items[i + WORKERS_AHEAD].mode, 0);
		if (ops->prefetch && i + WORKERS_AHEAD / 2 < b->n)
			ops->prefetch(wk->state, &b->items[i + WORKERS_AHEAD / 2].pkt, b->items[i + WORKERS_AHEAD / 2].mode,
				      1);
		ops->packet(wk->state, &b->items[i].pkt, b->items[i].mode);
	}
	ops->tick(wk->state, b->now_us);
	if (b->flags & BATCH_STOP)
		ops->finish(wk->state);
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	uint32_t tail = 0;

	for (;;) {
		struct batch *b;

		bool stop;

		wait_change(&wk->head, &wk->worker_waiting, tail);
		b = wk->ring[tail % RING_BATCHES];
		run_batch(wk, b);
		stop = b->flags & BATCH_STOP;	/* read before the batch is handed back: the reader refills it */
		publish(&wk->tail, &wk->reader_waiting, ++tail);
		if (stop)
			break;
	}
	return NULL;
}

struct workers *workers_start(int n, void *const *states, const struct workers_ops *ops)
{
	struct workers *w = xcalloc(1, sizeof(*w));
	sigset_t all, old;
	int k, i;

	fasthash_seed_once();
	w->n = n;
	w->seed = fasthash_seed;
	w->ops = *ops;
	w->w = xcalloc((size_t)n, sizeof(*w->w));
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);	/* inherited by the threads: stop and report signals go to the reader */
	/* 2^32 / (3n - 2): worker 0's share of the pairs, a third of another's */
	w->share0 = (uint32_t)((1ULL << 32) / (uint64_t)(3 * n - 2));
	for (k = 0; k < n; k++) {
		struct worker *wk = &w->w[k];

		for (i = 0; i < (k == 0 ? 1 : RING_BATCHES); i++)
			wk->ring[i] = xmalloc(sizeof(struct batch));
		wk->state = states[k];
		wk->ops = &w->ops;
		if (k == 0) {
			wk->inline_run = true;	/* the reading thread's own */
			continue;
		}
		if (pthread_create(&wk->thread, NULL, worker_main, wk) != 0) {
			fputs("flowaudit: cannot start a worker thread\n", stderr);
			exit(2);
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return w;
}

int workers_count(const struct workers *w)
{
	return w->n;
}

int workers_pick(const struct workers *w, int family, const uint8_t *a, const uint8_t *b)
{
	uint64_t x[2], y[2], h;
	uint32_t u;

	memcpy(x, a, 16);
	memcpy(y, b, 16);
	if (family == 4)
		x[1] = y[1] = 0;
	/* xor and sum are the same either way round */
	h = fasthash_word(w->seed, x[0] ^ y[0]);
	h = fasthash_word(h, x[1] ^ y[1]);
	h = fasthash_word(h, x[0] + y[0]);
	h = fasthash_word(h, x[1] + y[1]);
	h *= 0xc4ceb9fe1a85ec53ULL;
	u = (uint32_t)(h ^ (h >> 29));
	if (w->n == 1 || u < w->share0)
		return 0;
	return 1 + (int)((uint64_t)(u - w->share0) * (uint64_t)(w->n - 1) / ((1ULL << 32) - w->share0));
}

/* The batch the reader fills for worker wk, opened (waiting for a free slot) when needed. */
static struct batch *batch_open(struct worker *wk)
{
	struct batch *b;

	if (wk->open)
		return wk->ring[wk->inline_run ? 0 : wk->fill % RING_BATCHES];
	/* worker 0, the caller's own, has one batch, worked on as soon as it is sent */
	if (!wk->inline_run && wk->fill - atomic_load_explicit(&wk->tail, memory_order_acquire) >= RING_BATCHES) {
		uint32_t t = atomic_load(&wk->tail);

		while (wk->fill - t >= RING_BATCHES)
			t = wait_change(&wk->tail, &wk->reader_waiting, t);
	}
	b = wk->ring[wk->inline_run ? 0 : wk->fill % RING_BATCHES];
	b->n = 0;
	b->used = 0;
	b->flags = 0;
	wk->open = true;
	return b;
}

static void batch_send(struct worker *wk, int64_t now_us, unsigned flags)
{
	struct batch *b = batch_open(wk);

	b->now_us = now_us;
	b->flags = flags;
	wk->open = false;
	if (wk->inline_run) {
		run_batch(wk, b);	/* the same work, in this thread, with the same look-ahead */
		return;
	}
	publish(&wk->head, &wk->worker_waiting, ++wk->fill);
}

/* The span of frame bytes pkt points into: l3 .. and the payload, usually inside it. */
static void span(const struct packet *pkt, const uint8_t **lo, const uint8_t **hi)
{
	*lo = *hi = NULL;
	if (pkt->frame) {	/* buffered evidence: the whole frame, which normally holds the rest */
		*lo = pkt->frame;
		*hi = pkt->frame + pkt->cap_len;
	}
	if (pkt->l3) {
		if (!*lo || pkt->l3 < *lo)
			*lo = pkt->l3;
		if (!*hi || pkt->l3 + pkt->l3_cap > *hi)
			*hi = pkt->l3 + pkt->l3_cap;
	}
	if (pkt->payload && pkt->payload_cap) {
		if (!*lo || pkt->payload < *lo)
			*lo = pkt->payload;
		if (!*hi || pkt->payload + pkt->payload_cap > *hi)
			*hi = pkt->payload + pkt->payload_cap;
	}
}

void workers_push(struct workers *w, int k, const struct packet *pkt, unsigned mode, int64_t now_us)
{
	struct worker *wk = &w->w[k];
	const uint8_t *lo, *hi;
	struct batch *b = batch_open(wk);
	struct item *it;
	size_t len;

	span(pkt, &lo, &hi);
	len = lo ? (size_t)(hi - lo) : 0;
	if (len > BATCH_BYTES)
		len = 0, lo = NULL;	/* cannot happen below a 128 KiB snaplen; the packet goes without its bytes */
	if (b->n == BATCH_PACKETS || b->used + len > BATCH_BYTES) {
		batch_send(wk, now_us, 0);
		b = batch_open(wk);
	}
	it = &b->items[b->n++];
	it->pkt = *pkt;
	it->mode = mode;
	if (lo) {
		uint8_t *copy = b->data + b->used;

		memcpy(copy, lo, len);
		b->used += (uint32_t)((len + 7) & ~(size_t)7);
		if (b->used > BATCH_BYTES)
			b->used = BATCH_BYTES;
		if (pkt->frame)
			it->pkt.frame = copy + (pkt->frame - lo);
		if (pkt->l3)
			it->pkt.l3 = copy + (pkt->l3 - lo);
		if (pkt->payload)
			it->pkt.payload = pkt->payload_cap ? copy + (pkt->payload - lo) : NULL;
	} else {
		it->pkt.frame = NULL;
		it->pkt.l3 = NULL;
		it->pkt.l3_cap = 0;
		it->pkt.payload = NULL;
		it->pkt.payload_cap = 0;
	}
	if (b->n == BATCH_PACKETS)
		batch_send(wk, now_us, 0);
}

void workers_tick(struct workers *w, int64_t now_us)
{
	int k;

	for (k = 0; k < w->n; k++)
		batch_send(&w->w[k], now_us, 0);
}

void workers_sync(struct workers *w)
{
	int k;

	for (k = 0; k < w->n; k++) {
		struct worker *wk = &w->w[k];

		if (wk->open)
			batch_send(wk, INT64_MIN, 0);	/* no time of its own: the packets' */
	}
	for (k = 0; k < w->n; k++) {
		struct worker *wk = &w->w[k];
		uint32_t t = atomic_load(&wk->tail);

		while (!wk->inline_run && t != wk->fill)
			t = wait_change(&wk->tail, &wk->reader_waiting, t);
	}
}

void workers_stop(struct workers *w)
{
	int k, i;

	if (!w)
		return;
	workers_sync(w);
	for (k = 0; k < w->n; k++) {
		batch_send(&w->w[k], INT64_MIN, BATCH_STOP);
		if (!w->w[k].inline_run)
			pthread_join(w->w[k].thread, NULL);
		for (i = 0; i < RING_BATCHES; i++)
			free(w->w[k].ring[i]);	/* NULL past worker 0's one */
	}
	free(w->w);
	free(w);
}
