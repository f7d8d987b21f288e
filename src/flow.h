/* flow: one bidirectional connection, as the flow table keeps it */
#ifndef FLOWAUDIT_FLOW_H
#define FLOWAUDIT_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"
#include "tcp_state.h"

/* Per direction counters. */
struct tls_evidence;
struct inspect_buf;

struct flow_side {
	uint64_t pkts;
	uint64_t ip_bytes;	/* sum of IP datagram lengths */
	uint64_t payload_bytes;	/* UDP/ICMP: payload per length fields; TCP: see tcp_endpoint_size() */
};

/* Why a flow left the table. */
enum flow_end {
	FLOW_END_INACTIVE = 0,	/* inactivity timeout */
	FLOW_END_CLOSED,	/* TCP closed or reset, then the close delay passed */
	FLOW_END_CAPTURE,	/* end of the capture */
	FLOW_END_EVICTED,	/* --max-flows reached: oldest flow pushed out */
	FLOW_END_REUSED,	/* a new connection on the same 5-tuple */
	FLOW_END_ATTEMPT,	/* TCP attempt unanswered for tcp_attempt_delay */
};

/*
 * 440 bytes. What a packet needs first comes first: the hash, then orig,
 * which the lookup compares, then the times.
 */
struct evidence_buf;
struct flow {
	uint64_t hash;		/* flow_table_hash of its key (the table's index keeps it too) */
	struct tuple orig;	/* originator -> responder */
	uint16_t key_vlan;	/* the VLAN id in the key: 0 unless --vlan-key */
	int64_t first_us;
	int64_t last_us;
	int64_t lru_us;		/* last_us when put in its list (see flow_table.c) */
	struct flow *lru_prev;	/* expiry list of its timeout class, oldest first */
	struct flow *lru_next;
	uint64_t uid_seq;	/* creation number in its table */
	uint16_t vlan;		/* of the first packet */
	uint16_t inner_vlan;
	uint8_t vlan_count;
	uint8_t lru_class;
	bool flipped;		/* Zeek's '^': roles decided by a heuristic, not a SYN */
	uint8_t end;		/* enum flow_end */
	uint8_t settled_state;	/* a finished flow's conn_state + 1 (flow_settle); 0 while it may change */
	bool to_group;		/* the originator's first packet went to an Ethernet group address (broadcast) */
	uint8_t tunnel;		/* enum packet_tunnel: this flow is the outer connection of such a tunnel */
	bool tunnel_mirror;	/* ... one that carries Ethernet frames: a mirror's transport, not audited */
	const char *tunnel_parent[2];	/* a flow opened from a tunnel: the outer flows' uids (interned), or NULL;
					 * two, as each direction may ride its own (VXLAN's hashed source port) */

	/* An ICMP error that quoted a packet of this flow (last one wins). */
	bool icmp_error;
	uint8_t icmp_family;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint8_t first_ttl[2];	/* of each side's first packet */

	/* A forged reset (middlebox-reset): the first RST against the rest of its side. */
	uint8_t rst;		/* FLOW_RST_* bits */
	uint8_t rst_ttl;	/* that RST's TTL / hop limit */
	uint16_t rst_ip_id;	/* its IPv4 identification */
	uint16_t ip_id_last[2];	/* each side's last IPv4 identification (TCP) */
	uint8_t ip_id_run[2];	/* packets in a row whose identification went up by 1..FLOW_IPID_STEP */

	/* Wire evidence (inspect.h): what the first payload bytes said. */
	uint8_t service;	/* enum service */
	uint8_t wire;		/* WIRE_* bits */
	const struct tls_evidence *tls;	/* interned, NULL if no TLS/DTLS handshake was seen */
	struct inspect_buf *ib;	/* a handshake being followed; NULL once settled, always NULL when handed on */
	struct evidence_buf *evb;	/* --evidence from buffers: its packets kept so far (evidence.h), or NULL */
	bool evb_refused;		/* ... the cap refused it one: counted once */

	struct flow_side side[2];	/* [0] originator, [1] responder */
	struct tcp_endpoint tcp[2];
	struct history hist;
};

/* flow.rst bits. */
enum {
	FLOW_RST_SEEN = 1 << 0,		/* a RST came from a side that had sent before */
	FLOW_RST_FROM_RESP = 1 << 1,	/* ... from the responder */
	FLOW_RST_TTL_ODD = 1 << 2,	/* its TTL differs from that side's first packet */
	FLOW_RST_IPID_ODD = 1 << 3,	/* its IPv4 identification breaks that side's sequence */
};
/* The largest step between consecutive IPv4 identifications that still counts as one sequence. */
enum { FLOW_IPID_STEP = 64, FLOW_IPID_RUN = 3 };

/*
 * Zeek-style uid: 'C' + base62, from the seed, the first packet's time and
 * the originator's tuple: the same flow gets the same uid however many
 * workers there are and in whichever order flows were created.
 */
enum { FLOW_UID_LEN = 20 };
#define FLOW_UID_SEED_DEFAULT 0x666c6f7761756474ULL
void flow_uid(const struct flow *f, uint64_t seed, char out[FLOW_UID_LEN]);

/*
 * A total order of flows that does not depend on the order they were
 * created or finished in: first packet time, then the originator's and the
 * responder's endpoints, protocol, family and key VLAN. Whatever keeps "the
 * first" or "an example" of several flows picks the least by it, so that
 * the result is the same whichever worker saw which flow (--workers).
 */
int flow_order_cmp(const struct flow *a, const struct flow *b);
/* The same order on what it reads (first packet time, originator's tuple, key VLAN), for copies kept elsewhere. */
int flow_order_cmp_key(int64_t a_first_us, const struct tuple *a, uint16_t a_vlan, int64_t b_first_us,
		       const struct tuple *b, uint16_t b_vlan);

/*
 * The flow has left the table: work out its conn_state once, for the
 * classification, the conn log, the baseline and the summary that all read it.
 */
void flow_settle(struct flow *f);
/* conn_state of a finished (or current) flow. */
enum conn_state flow_conn_state(const struct flow *f);
/* Payload bytes sent by side 0 (orig) or 1 (resp), Zeek's orig_bytes / resp_bytes. */
uint64_t flow_payload_bytes(const struct flow *f, int side);
/* Zeek's missed_bytes: TCP payload both sides sent that the capture missed; 0 for other protocols. */
uint64_t flow_missed_bytes(const struct flow *f);

#endif
