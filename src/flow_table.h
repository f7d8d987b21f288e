/* flow_table: the hashed table of live flows: find, create, expire, evict */
#ifndef FLOWAUDIT_FLOW_TABLE_H
#define FLOWAUDIT_FLOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "packet.h"

/* Timeout classes: each keeps its own expiry list, oldest first. */
enum flow_class {
	FLOW_CLASS_TCP = 0,	/* open TCP: tcp_inactivity_timeout */
	FLOW_CLASS_TCP_CLOSED,	/* closed or reset TCP: tcp_close_delay */
	FLOW_CLASS_UDP,
	FLOW_CLASS_ICMP,
	FLOW_CLASS_TCP_ATTEMPT,	/* SYN sent, nothing back: tcp_attempt_delay from the first SYN */
	FLOW_CLASS_COUNT
};

struct flow_table_config {
	int64_t timeout_us[FLOW_CLASS_COUNT];	/* inactivity timeout per class (the attempt class: from its first packet) */
	uint64_t max_flows;			/* live flows at most; the oldest is evicted past it */
	bool vlan_key;				/* make the outer VLAN id part of the flow key */
	bool fixed_hash_seed;			/* hash_seed as given (tests); else drawn at random per table */
	uint64_t hash_seed;
	uint64_t uid_seed;			/* the flows' uids (flow_uid): fixed by default, --uid-seed */
};

/* What the report says of the table (the tracker fills the last four). */
struct flow_table_stats {
	uint64_t flows;			/* flows created */
	uint64_t live;
	uint64_t peak_live;
	uint64_t evicted;		/* pushed out by max_flows */
	uint64_t reused;		/* a new connection on a finished 5-tuple */
	uint64_t fragments;		/* later fragments attributed to their flow */
	uint64_t fragment_orphans;	/* later fragments whose first fragment was not seen */
	uint64_t icmp_errors_matched;	/* ICMP errors attached to the flow they quote */
};

/* Called once for each flow that leaves the table; the flow is recycled after it returns. */
typedef void (*flow_done_fn)(struct flow *f, void *ctx);

struct flow_table;

void flow_table_config_defaults(struct flow_table_config *cfg);
struct flow_table *flow_table_new(const struct flow_table_config *cfg, flow_done_fn done, void *ctx);

/* The hash of a tuple (either direction) and key VLAN, with this table's random seed. */
uint64_t flow_table_hash(const struct flow_table *ft, const struct tuple *t, uint16_t vlan);
/* Start loading the index's place for that hash, so that its cache miss overlaps other work. */
void flow_table_prefetch(const struct flow_table *ft, uint64_t h);
/* With that place loaded: start loading the lines of the flow with that hash a packet touches. */
void flow_table_prefetch_flow(const struct flow_table *ft, uint64_t h);
/* The live flow of tuple t (either direction) and VLAN, or NULL. */
struct flow *flow_table_find(struct flow_table *ft, const struct tuple *t, uint16_t vlan, uint64_t h);
/*
 * A new flow with originator tuple orig (h: flow_table_hash of it), first
 * seen at ts_us, zeroed but for its key, times and uid number. Past
 * max_flows the oldest flow is evicted first. It is in class c until
 * flow_table_touch says otherwise.
 */
struct flow *flow_table_create(struct flow_table *ft, const struct tuple *orig, uint16_t vlan, int64_t ts_us,
			       uint64_t h, enum flow_class c);
/* f's last_us or class changed: keep its expiry list in order (cheap when neither moved much). */
void flow_table_touch(struct flow_table *ft, struct flow *f, enum flow_class c);
/* f leaves now (a new connection on its 5-tuple): handed to done, then recycled. */
void flow_table_end(struct flow_table *ft, struct flow *f, enum flow_end why);
/* Expire what has been idle longer than its timeout at time now_us. */
void flow_table_advance(struct flow_table *ft, int64_t now_us);
/* Finish every live flow (end of capture), oldest first. */
void flow_table_flush(struct flow_table *ft);
/* Every live flow, for a caller that must release what it hung on them before flow_table_free. */
void flow_table_foreach(struct flow_table *ft, void (*fn)(struct flow *f, void *ctx), void *ctx);
const struct flow_table_stats *flow_table_stats(const struct flow_table *ft);
void flow_table_free(struct flow_table *ft);

#endif
