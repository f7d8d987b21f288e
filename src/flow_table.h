/* flow_table: the hashed table of live flows, their expiry and eviction */
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
	uint64_t seed;				/* hash and uid seed */
	const uint8_t *server_ports[2];		/* optional bitmaps (65536 bits) for TCP, UDP; NULL: built-in list */
};

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

/* Called once for each flow that leaves the table; the flow is freed after it returns. */
typedef void (*flow_done_fn)(const struct flow *f, void *ctx);

struct flow_table;

void flow_table_config_defaults(struct flow_table_config *cfg);
struct flow_table *flow_table_new(const struct flow_table_config *cfg, flow_done_fn done, void *ctx);
/*
 * Start loading the hash bucket pkt's flow would be in, so that the cache
 * miss overlaps the work done before flow_table_packet (duplicate check);
 * the hash is kept for it.
 */
struct inspect;
/* Look at the first payload bytes of every flow (inspect.h); NULL (the default) turns it off. */
void flow_table_set_inspect(struct flow_table *ft, struct inspect *in);
/* Each side's first packet (not a RST) tells its host's TTL at the capture point (host_ttl.h). */
struct host_ttl;
void flow_table_set_host_ttl(struct flow_table *ft, struct host_ttl *ht);
void flow_table_prefetch(struct flow_table *ft, const struct packet *pkt);
/* Account one decoded packet (decode_frame returned DECODE_OK). */
struct flow;
/* The flow the packet went to (valid until the next call into the table), or NULL (an orphan fragment). */
struct flow *flow_table_packet(struct flow_table *ft, const struct packet *pkt);
/* Expire what has been idle longer than its timeout at time now_us. */
void flow_table_advance(struct flow_table *ft, int64_t now_us);
/* Finish every live flow (end of capture), oldest first. */
void flow_table_flush(struct flow_table *ft);
const struct flow_table_stats *flow_table_stats(const struct flow_table *ft);
void flow_table_free(struct flow_table *ft);

/* Zeek-like "likely server port" test used to orient flows without a SYN. */
bool flow_table_server_port(const struct flow_table *ft, uint8_t proto, uint16_t port);

#endif
