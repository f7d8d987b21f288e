/* test_workers: the reader's packets reach their worker, all of them, in order, with their bytes */
#include <criterion/criterion.h>
#include <string.h>

#include "workers.h"

enum { NPKT = 200000, MAXW = 4 };

struct state {
	int id;
	uint64_t packets;
	uint64_t bytes_ok;
	int64_t last_ts;	/* packets come in the order they were pushed */
	bool in_order;
	int64_t now_us;		/* the newest tick */
	unsigned modes;
	bool finished;
	uint64_t after_finish;
	uint64_t prefetch_bad;	/* a packet whose look-ahead stages did not both come first, once each */
};

static void on_packet(void *st, struct packet *pkt, unsigned mode)
{
	struct state *s = st;
	uint32_t i;
	bool ok = true;

	if (s->finished)
		s->after_finish++;
	if (!pkt->flow_hash_ok || !pkt->dedup_hash_ok || pkt->flow_hash != (uint64_t)pkt->ts_us)
		s->prefetch_bad++;
	if (pkt->ts_us <= s->last_ts)
		s->in_order = false;
	s->last_ts = pkt->ts_us;
	s->packets++;
	s->modes |= 1u << mode;
	/* the copied bytes: l3 holds ts_us's low byte repeated, the payload points inside it */
	for (i = 0; i < pkt->l3_cap; i++)
		if (pkt->l3[i] != (uint8_t)pkt->ts_us)
			ok = false;
	if (pkt->payload && (pkt->payload < pkt->l3 || pkt->payload + pkt->payload_cap > pkt->l3 + pkt->l3_cap))
		ok = false;
	s->bytes_ok += ok;
}

/* Stage 0 then stage 1, each once, before the packet's turn. */
static void on_prefetch(void *st, struct packet *pkt, unsigned mode, int stage)
{
	(void)st;
	(void)mode;
	if (stage == 0 && !pkt->flow_hash_ok) {
		pkt->flow_hash_ok = true;
		pkt->flow_hash = (uint64_t)pkt->ts_us;
	} else if (stage == 1 && pkt->flow_hash_ok && !pkt->dedup_hash_ok) {
		pkt->dedup_hash_ok = true;
	} else {
		pkt->flow_hash = UINT64_MAX;	/* out of order or twice */
	}
}

static void on_tick(void *st, int64_t now_us)
{
	struct state *s = st;

	if (now_us > s->now_us)
		s->now_us = now_us;
}

static void on_finish(void *st)
{
	((struct state *)st)->finished = true;
}

static const struct workers_ops ops = { .prefetch = on_prefetch, .packet = on_packet, .tick = on_tick,
					 .finish = on_finish };

static void v4(uint8_t out[16], uint32_t a)
{
	memset(out, 0, 16);
	out[0] = (uint8_t)(a >> 24);
	out[1] = (uint8_t)(a >> 16);
	out[2] = (uint8_t)(a >> 8);
	out[3] = (uint8_t)a;
}

static void run(int n)
{
	struct state st[MAXW];
	void *states[MAXW];
	uint64_t want[MAXW] = { 0 }, total = 0;
	static uint8_t frame[2048];
	struct workers *w;
	int i, k;

	memset(st, 0, sizeof(st));
	for (k = 0; k < n; k++) {
		st[k].id = k;
		st[k].in_order = true;
		st[k].last_ts = -1;
		states[k] = &st[k];
	}
	w = workers_start(n, states, &ops);
	cr_assert_eq(workers_count(w), n);
	for (i = 0; i < NPKT; i++) {
		struct packet p;
		uint32_t len = (uint32_t)(i % 1500) + 20;

		memset(&p, 0, sizeof(p));
		p.ts_us = i;
		p.t.family = 4;
		v4(p.t.src, 0xc6120000u + (uint32_t)(i % 5000));
		v4(p.t.dst, 0xc6130000u + (uint32_t)(i % 7));
		memset(frame, (uint8_t)i, len);
		p.l3 = frame;
		p.l3_cap = len;
		p.payload = frame + 20;
		p.payload_cap = len - 20;
		k = workers_pick(w, 4, p.t.src, p.t.dst);
		cr_assert_eq(k, workers_pick(w, 4, p.t.dst, p.t.src), "either order, the same worker");
		cr_assert(k >= 0 && k < n);
		want[k]++;
		workers_push(w, k, &p, (unsigned)(i % 3), i);
		if (i % 50000 == 0) {
			workers_sync(w);
			/* every worker idle, everything pushed so far done: the reader may read their states */
			for (k = 0; k < n; k++)
				cr_assert_eq(st[k].packets, want[k]);
		}
	}
	workers_tick(w, NPKT + 5);
	workers_stop(w);
	for (k = 0; k < n; k++) {
		cr_assert_eq(st[k].packets, want[k], "worker %d: %llu packets, %llu pushed", k,
			     (unsigned long long)st[k].packets, (unsigned long long)want[k]);
		cr_assert_eq(st[k].bytes_ok, want[k], "worker %d: every packet's bytes came with it", k);
		cr_assert(st[k].in_order);
		cr_assert_eq(st[k].now_us, NPKT + 5, "the last tick reached worker %d", k);
		cr_assert(st[k].finished);
		cr_assert_eq(st[k].after_finish, 0);
		cr_assert_eq(st[k].prefetch_bad, 0, "worker %d: %llu packets without both look-ahead stages", k,
			     (unsigned long long)st[k].prefetch_bad);
		total += st[k].packets;
		if (n > 1)
			cr_assert_gt(want[k], NPKT / n / 4, "worker %d got a fair share of 35,000 pairs: %llu", k,
				     (unsigned long long)want[k]);
	}
	cr_assert_eq(total, NPKT);
}

Test(workers, one_worker_gets_everything)
{
	run(1);
}

Test(workers, two_workers_share_by_host_pair)
{
	run(2);
}

Test(workers, four_workers_on_two_cores)
{
	run(4);
}

Test(workers, a_packet_without_bytes_goes_without_them)
{
	struct state st;
	void *states[1] = { &st };
	struct workers *w;
	struct packet p;

	memset(&st, 0, sizeof(st));
	st.in_order = true;
	st.last_ts = -1;
	w = workers_start(1, states, &ops);
	memset(&p, 0, sizeof(p));
	p.ts_us = 1;
	workers_push(w, 0, &p, 0, 1);
	workers_stop(w);
	cr_assert_eq(st.packets, 1);
	cr_assert_eq(st.bytes_ok, 1);
}
