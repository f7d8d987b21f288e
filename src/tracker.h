/* tracker: each decoded packet into its flow: who originated it, its counters, TCP state, resets, fragments, ICMP errors */
#ifndef FLOWAUDIT_TRACKER_H
#define FLOWAUDIT_TRACKER_H

#include <stdbool.h>
#include <stdint.h>

#include "flow_table.h"
#include "packet.h"
#include "portset.h"

/*
 * What the audit hangs on the packet path. payload: a packet of f in
 * direction dir carries payload and f->wire does not say that side is
 * done (inspect.h); swapped: f's roles were swapped mid-connection, so
 * whatever the hook keeps per side must swap too. Either may be NULL.
 */
struct tracker_hooks {
	void (*payload)(void *ctx, struct flow *f, const struct packet *pkt, int dir);
	void (*swapped)(void *ctx, struct flow *f);
	void *ctx;
};

struct host_ttl;
struct tracker;

/*
 * server_ports: for TCP and UDP, the ports that orient a flow whose first
 * packet is not a SYN (Zeek's likely server ports, and the loaded rules':
 * config_server_ports). Copied; NULL: those without rules.
 */
struct tracker *tracker_new(const struct flow_table_config *cfg, const uint8_t server_ports[2][PORTSET_BYTES],
			    flow_done_fn done, void *ctx);
void tracker_set_hooks(struct tracker *tr, const struct tracker_hooks *hooks);
/* Each side's first packet (not a RST) tells its host's TTL at the capture point (host_ttl.h); NULL: not noted. */
void tracker_set_host_ttl(struct tracker *tr, struct host_ttl *ht);
bool tracker_server_port(const struct tracker *tr, uint8_t proto, uint16_t port);

/*
 * Work out pkt's hash now (kept in pkt->flow_hash) and start loading its
 * place in the index, so that the cache miss overlaps other work (the
 * duplicate check, or the packets before it in a worker's batch).
 */
void tracker_prefetch(struct tracker *tr, struct packet *pkt);
/* A few packets later, once that place is in cache: start loading the flow it names. */
void tracker_prefetch_flow(struct tracker *tr, const struct packet *pkt);
/*
 * Account one decoded packet (DECODE_OK, or DECODE_OTHER_PROTO): time
 * first moves on, then it goes to its flow, made if new. Returns that flow
 * (valid until the next call), or NULL (an orphan fragment). An ICMP error
 * is also attached to the flow it quotes.
 */
struct flow *tracker_packet(struct tracker *tr, const struct packet *pkt);
/* Only attach an ICMP error to the flow it quotes (with workers, its own flow may be another's). */
void tracker_icmp_error(struct tracker *tr, const struct packet *pkt);
/* The flow an ICMP error quotes (pkt->quoted), or NULL: looked up only. */
struct flow *tracker_quoted_flow(struct tracker *tr, const struct packet *pkt);
/* Only account it as a packet of its own flow (the quoted flow is another worker's). */
struct flow *tracker_packet_own(struct tracker *tr, const struct packet *pkt);
void tracker_advance(struct tracker *tr, int64_t now_us);
void tracker_flush(struct tracker *tr);
/* The table's figures and the tracker's (reuse, fragments, ICMP errors). */
void tracker_stats(const struct tracker *tr, struct flow_table_stats *out);
uint64_t tracker_live(const struct tracker *tr);
struct flow_table *tracker_table(struct tracker *tr);
void tracker_free(struct tracker *tr);

#endif
