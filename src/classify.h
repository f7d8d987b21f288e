/* classify: a finished flow against the port matrix and the site -> verdict, reason, rule, roles */
#ifndef FLOWAUDIT_CLASSIFY_H
#define FLOWAUDIT_CLASSIFY_H

#include <stdint.h>

#include "flow.h"
#include "rules.h"
#include "site.h"
#include "verdict.h"

enum { CLASSIFY_MAX_MATCHES = 8 };

/* Findings from the wire evidence (classify_wire.c), bits of classification.wire. */
enum {
	WF_WRONG_PROTOCOL = 1 << 0,
	WF_TLS_INTERCEPTED = 1 << 1,
	WF_MIDDLEBOX_RESET = 1 << 2,
};

/* Why a wire finding. One name table: classify_wire_why_text(). */
enum wire_why {
	WW_NONE = 0,
	WW_NO_ICA_BANNER,		/* an ICA port's server spoke first, without the ICA banner */
	WW_OTHER_SERVICE,		/* the rule expects another service than the bytes show */
	WW_UNRECOGNISED,		/* the rule expects a service; the first bytes are none it knows */
	WW_OFF_MATRIX,			/* ICA or CGP on a port no loaded rule expects it on */
	WW_ISSUER_PRODUCT,		/* the certificate's issuer names an inspection product */
	WW_ISSUER_UNEXPECTED,		/* the issuer is neither a public CA nor an expected one */
	WW_COUNT
};

struct classification {
	enum verdict verdict;
	enum reason reason;
	int rule;			/* the deciding rule, index into rule_set.rules, or -1 */
	int orig_role;			/* role index or ROLE_NONE */
	int resp_role;
	int matches[CLASSIFY_MAX_MATCHES];	/* every allow rule the flow matches (for 'missing') */
	int nmatches;
	uint8_t wire;			/* WF_* bits */
	uint8_t wrong_why;		/* enum wire_why, for WF_WRONG_PROTOCOL */
	uint8_t tls_why;		/* enum wire_why, for WF_TLS_INTERCEPTED */
	bool tls_watched;		/* TLS to a watched name (or a rule with expect_tls_issuer) */
	uint8_t rst_host_ttl;		/* rst-from-host/path: the TTL the responder's own packets have, 0 unknown */
	const char *product;		/* the inspection product the issuer names, or NULL */
	int8_t local_orig;		/* Zeek's local_orig / local_resp: the end is inside the site's scope */
	int8_t local_resp;		/* (1 or 0); -1 when the site has no scope (Zeek: no Site::local_nets) */
};

struct classifier;

/* site NULL: port-only mode (rules match on protocol and port alone, nothing is in scope). */
struct classifier *classify_new(const struct rule_set *rs, const struct site *site, int64_t pending_window_us);
/* now_us: the newest packet time of the capture when the flow is classified. */
void classify_flow(const struct classifier *c, const struct flow *f, int64_t now_us, struct classification *out);
void classify_free(struct classifier *c);
/* The hosts' TTLs at the capture point (host_ttl.h), for who sent a RST answering a SYN. */
struct host_ttl;
void classify_set_host_ttl(struct classifier *c, const struct host_ttl *ht);
/* R_RST_FROM_HOST, R_RST_FROM_PATH, or R_RST when the responder's TTL is not known; *host_ttl its first TTL or 0. */
enum reason classify_rst_origin(const struct classifier *c, const struct flow *f, uint8_t *host_ttl);

/* ---- the wire evidence (classify_wire.c) ---- */
struct wire_policy;
struct wire_policy *classify_wire_new(const struct rule_set *rs, const struct site *site);
/* After the port verdict: wrong-protocol, tls-intercepted (WF_MIDDLEBOX_RESET is set with the outcome). */
void classify_wire(const struct wire_policy *wp, const struct rule_set *rs, const struct flow *f,
		   struct classification *cls);
void classify_wire_free(struct wire_policy *wp);
/* True when a server name is watched for interception (the Citrix Cloud names and the site's). */
bool classify_wire_watched(const struct wire_policy *wp, const char *server_name);
const char *classify_wire_why_text(enum wire_why w);

/*
 * How a flow went, from its packets alone: V_OK (answered), V_BLOCKED (with
 * no-reply, rst or an icmp-* reason), V_INTERRUPTED, V_ONE_SIDED, or
 * V_RELATED for an ICMP error message.
 */
enum verdict classify_outcome(const struct flow *f, enum reason *reason);

#endif
