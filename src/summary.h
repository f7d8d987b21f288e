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

/*
 * Everything here is a function of the set of flows added, never of their
 * order, so that summaries of disjoint sets of flows (--workers: one per
 * worker) merge into exactly the summary of all of them.
 */
struct summary {
	uint64_t flows;
	uint64_t by_proto[SP_COUNT];
	uint64_t by_state[CS_COUNT][SP_COUNT];
	uint64_t ip_bytes;
	uint64_t tunnels[TUNNEL_KIND_COUNT];	/* outer flows of the tunnels opened, by kind */
	uint64_t tunnels_mirror;	/* ... of which a remote mirror's transport (not audited) */
	uint64_t tunnelled;		/* flows opened from a tunnel (with tunnel_parents) */
	uint64_t hosts;			/* distinct hosts tracked: min(distinct hosts, SUMMARY_MAX_HOSTS) */
	uint64_t hosts_untracked;	/* flows with a host the host table does not keep */
	struct summary_hosts *host_table;	/* private */
};

/*
 * The host table keeps at most this many hosts. Past it, the hosts kept are
 * the SUMMARY_MAX_HOSTS that rank lowest by a fixed hash of the address (not
 * the first seen): a choice that depends on which hosts there are, not on
 * the order their flows came in, and that two tables can merge exactly. A
 * host kept has all its flows counted.
 */
enum { SUMMARY_MAX_HOSTS = 65536 };

void summary_init(struct summary *s);
void summary_add_flow(struct summary *s, const struct flow *f);
/*
 * Add src's flows into dst: afterwards dst is what adding the flows of both
 * to one summary would have given, in any order. src is left as it was (a
 * worker's summary may be merged again for a later interim report, but only
 * into a fresh dst: merging the same flows twice counts them twice).
 */
void summary_merge(struct summary *dst, const struct summary *src);
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
