/* inspect: the first payload bytes of each flow -> Zeek's service, TLS names (the wire evidence) */
#ifndef FLOWAUDIT_INSPECT_H
#define FLOWAUDIT_INSPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

struct flow;

/* Zeek's service names. One name table: service_name(). */
enum service {
	SVC_NONE = 0, SVC_SSL, SVC_DTLS, SVC_ICA, SVC_CGP, SVC_HTTP, SVC_SSH, SVC_RDP, SVC_SMB, SVC_DNS,
	SVC_COUNT
};

/*
 * What a TLS or DTLS handshake showed, interned (strtab.h): flows to the
 * same server share one record, and a flow kept as a finding's example
 * keeps pointing at it. Strings are NULL where not seen.
 */
struct tls_evidence {
	const char *sni;		/* ClientHello server_name */
	const char *subject;		/* the leaf certificate's subject (TLS <= 1.2) */
	const char *issuer;		/* its issuer */
	const char *chain;		/* the issuers of the other certificates, " | " between */
	uint16_t version;		/* negotiated (ServerHello), 0 if not seen */
	uint16_t offered;		/* the client's highest offered version, 0 if not seen */
	uint8_t ncerts;			/* certificates in the Certificate message (capped at 255) */
	bool server_hello;		/* the ServerHello was seen */
	bool cert_visible;		/* the certificate is on the wire (TLS <= 1.2 and seen) */
	bool malformed;			/* a handshake message was broken */
};

/* flow.wire bits: how far inspection got, per direction (0 originator, 1 responder). */
enum {
	WIRE_DONE0 = 1 << 0,		/* nothing more to look at from the originator */
	WIRE_DONE1 = 1 << 1,
	WIRE_START0 = 1 << 2,		/* the originator's first payload bytes were seen */
	WIRE_START1 = 1 << 3,
};

struct inspect_config {
	uint32_t stream_max;		/* bytes buffered per direction for a TLS handshake (default 16 KiB) */
	uint64_t buffer_budget;		/* bytes buffered across all flows at once (default 64 MiB) */
	uint64_t evidence_budget;	/* bytes of interned evidence for the whole audit (default 32 MiB) */
};

struct inspect_stats {
	uint64_t flows;			/* flows whose first payload was looked at */
	uint64_t by_service[SVC_COUNT];	/* flows per detected service (SVC_NONE: nothing recognised) */
	uint64_t tls_handshakes;	/* ClientHellos parsed */
	uint64_t tls_certificates;	/* Certificate messages parsed */
	uint64_t tls_malformed;		/* handshakes with a broken message */
	uint64_t gaps;			/* directions given up: a missing segment, or a capture shorter than the packet */
	uint64_t over_budget;		/* handshakes not followed: the buffer budget was used up */
	uint64_t evidence_dropped;	/* evidence not kept: its table was full */
	uint64_t buffered_peak;		/* the most bytes buffered at once */
};

struct inspect;

void inspect_config_defaults(struct inspect_config *cfg);
struct inspect *inspect_new(const struct inspect_config *cfg);
/*
 * A packet of f, in direction dir, with payload, while (f->wire & WIRE_DONEdir)
 * is clear: the flow table calls it after updating the flow.
 */
void inspect_packet(struct inspect *in, struct flow *f, const struct packet *pkt, int dir);
/* The flow is leaving the table: settle what is buffered and free it (f->ib is NULL after). */
void inspect_flow_end(struct inspect *in, struct flow *f);
/* The roles of f were swapped (Zeek's flip): swap the per-direction state too. */
void inspect_swap(struct flow *f);
/* The hooks that put inspection on a tracker's packet path (tracker.h): inspect_packet and inspect_swap. */
struct tracker_hooks;
void inspect_tracker_hooks(struct inspect *in, struct tracker_hooks *out);
/*
 * inspect_flow_end for a flow that buffers something, as flow_table_foreach
 * calls it (ctx: the inspect): a flow leaving the table, or one still live
 * when the table is freed.
 */
void inspect_release(struct flow *f, void *in);
const struct inspect_stats *inspect_stats(const struct inspect *in);
void inspect_free(struct inspect *in);

const char *service_name(enum service s);	/* "" for SVC_NONE */
int service_parse(const char *name);		/* -1 if unknown */
const char *const *inspect_service_names(void);	/* the SVC_COUNT - 1 names after SVC_NONE's */

/* What the first payload bytes of one direction look like (TCP or UDP), from the bytes alone. */
enum service inspect_sniff(const uint8_t *p, uint32_t n, uint8_t proto, bool from_orig);

#endif
