/* workers: decoded packets handed from the reader to N threads, by host pair, in batches through lock-free rings */
#ifndef FLOWAUDIT_WORKERS_H
#define FLOWAUDIT_WORKERS_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

/*
 * One reader thread (the caller) decodes each frame and pushes it to the
 * worker that owns its host pair; each worker but the first runs in its
 * own thread with state nobody else touches while it runs (the first is
 * the reader's own). A worker's packets go through
 * a single-producer, single-consumer ring of batches: no lock on the
 * packet path; a thread sleeps (futex) only when its ring is empty or full.
 *
 * packet: one packet for the worker's state (mode: the caller's, see
 * audit.c); tick: after each batch, the reader's time then (expiry moves
 * on even for a worker that had no packet of its own for a while); finish:
 * once, in the worker's thread, when it is stopped (it flushes its flows).
 * Worker threads block every signal: they go to the reader.
 */
struct workers_ops {
	/*
	 * Before packet k's turn, for packet k + WORKERS_AHEAD and then k +
	 * WORKERS_AHEAD / 2: stage 0 works out what the packet will look up
	 * and starts loading it, stage 1 starts loading what that names. NULL:
	 * none. The packet is the batch's copy: hashes may be kept in it.
	 */
	void (*prefetch)(void *state, struct packet *pkt, unsigned mode, int stage);
	void (*packet)(void *state, struct packet *pkt, unsigned mode);
	void (*tick)(void *state, int64_t now_us);
	void (*finish)(void *state);	/* workers_stop: the last thing the worker does */
};

enum { WORKERS_AHEAD = 8 };

struct workers;

/*
 * n workers, worker k working on states[k]: worker 0 in the caller's (the
 * reader's) thread, as each of its batches fills, and n - 1 threads. So n
 * workers keep n cores busy; the reader's thread, which also reads and
 * decodes everything, gets a third of the pairs another worker gets.
 * With n = 1 that is all: one thread, each batch worked on as soon as it
 * is full (or at a tick, sync or stop), with the same look-ahead.
 */
struct workers *workers_start(int n, void *const *states, const struct workers_ops *ops);

int workers_count(const struct workers *w);
/*
 * The worker of an unordered address pair (either order gives the same);
 * the pairing is seeded per run and tells nothing about the output.
 */
int workers_pick(const struct workers *w, int family, const uint8_t *a, const uint8_t *b);
/*
 * Queue a copy of pkt (and of the bytes its l3 and payload point into) for
 * worker k, with mode; now_us is the reader's time.
 */
void workers_push(struct workers *w, int k, const struct packet *pkt, unsigned mode, int64_t now_us);
/* Send every batch being filled, each carrying now_us (live: time passes without packets). */
void workers_tick(struct workers *w, int64_t now_us);
/*
 * Send everything and wait until every worker has done all it was given:
 * until the next push, the reader may read (and fork with) their states.
 */
void workers_sync(struct workers *w);
/* workers_sync, then end the threads and free. */
void workers_stop(struct workers *w);

#endif
