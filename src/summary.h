/* summary: what the finished flows add up to — counts by protocol and state, top talkers */
#ifndef FLOWAUDIT_SUMMARY_H
#define FLOWAUDIT_SUMMARY_H

#include <stdint.h>

#include "flow.h"
#include "tcp_state.h"

enum summary_proto { SP_TCP = 0, SP_UDP, SP_ICMP, SP_OTHER, SP_COUNT };	/* SP_OTHER: Zeek's unknown_transport */

struct host_count {
	uint8_t family;
	uint8_t addr[16];
	uint64_t flows_orig;	/* flows this host originated */
	uint64_t flows_resp;	/* flows this host answered or was sent */
	uint64_t bytes;		/* IP bytes it sent and received */
};

struct summary {
	uint64_t flows;
	uint64_t by_proto[SP_COUNT];
	uint64_t by_state[CS_COUNT][SP_COUNT];
	uint64_t ip_bytes;
	uint64_t tunnels[TUNNEL_KIND_COUNT];	/* outer flows of the tunnels opened, by kind */
	uint64_t tunnels_mirror;	/* ... of which a remote mirror's transport (not audited) */
	uint64_t tunnelled;		/* flows opened from a tunnel (with tunnel_parents) */
	uint64_t hosts;			/* distinct hosts tracked */
	uint64_t hosts_untracked;	/* flows whose hosts did not fit the host table */
	struct host_entry *host_table;	/* private */
};

enum { SUMMARY_MAX_HOSTS = 65536 };

void summary_init(struct summary *s);
void summary_add_flow(struct summary *s, const struct flow *f);
/* The n hosts with most flows (originated + answered), most first; returns how many were written. */
int summary_top_hosts(const struct summary *s, struct host_count *out, int n);
void summary_free(struct summary *s);
/*
 * Outer flows of the tunnels named as kind k is (ERSPAN I, II and III are
 * all "erspan"); 0 when an earlier kind has that name, so that a loop over
 * the kinds counts each name once.
 */
uint64_t summary_tunnels_named(const struct summary *s, int k);

#endif
