/* findings: classified flows aggregated into the audit's findings and the observed matrix */
#ifndef FLOWAUDIT_FINDINGS_H
#define FLOWAUDIT_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
#include "flow.h"
#include "rules.h"
#include "site.h"

/* Finding kinds, most serious first. One name table: findings_kind_name(). */
enum finding_kind {
	FK_BLOCKED = 0,
	FK_TLS_INTERCEPTED,
	FK_FALLBACK,
	FK_INCOMPLETE,
	FK_MIDDLEBOX_RESET,
	FK_INTERRUPTED,
	FK_WRONG_PROTOCOL,
	FK_MISSING,
	FK_ONE_SIDED,
	FK_UNEXPECTED,
	FK_PENDING,
	FK_NOT_VISIBLE,		/* an expected path neither of whose roles appears: not visible from here */
	FK_COUNT
};

/* What a 'missing' finding's capture showed of its two roles. One name table: findings_visibility_name(). */
enum visibility { VIS_NONE = 0, VIS_BOTH, VIS_FROM_ONLY, VIS_TO_ONLY, VIS_COUNT };

enum confidence { CONF_HIGH = 0, CONF_MEDIUM, CONF_LOW };

/* "F-3a9c1e": a finding's id, from its group key: the same for the same input and site. */
enum { FINDING_ID_LEN = 12, FINDING_MAX_RELATED = 4, FINDING_TOP_PAIRS = 20 };

/* One host pair of a grouped finding: its flows and the uid of its first one (by flow_order_cmp). */
struct finding_pair {
	uint8_t family;
	uint8_t orig_h[16];
	uint8_t resp_h[16];
	uint64_t flows;
	char uid[FLOW_UID_LEN];
};

/* The ids of the findings one flow joined (findings_add), for the conn log's 'findings'. */
struct finding_ids {
	char id[4][FINDING_ID_LEN];
	int n;
};

/*
 * A finding is a group: in site mode one per (kind, rule, source role,
 * destination role, protocol, port, reason); in port-only mode one per
 * (kind, rule, protocol, port, responder address). Forty clients with the
 * same dropped port are one finding with hosts = 40.
 */
struct finding {
	char id[FINDING_ID_LEN];
	enum finding_kind kind;
	enum reason reason;		/* for flow findings */
	int rule;			/* -1 for unexpected flows that match no rule */
	int orig_role;
	int resp_role;
	uint8_t family;
	uint8_t proto;			/* PROTO_* (fallback: the UDP side) */
	uint16_t port;			/* the responder port */
	uint8_t orig_h[16];		/* the host pair (flow findings), or the silent host (missing/each) */
	uint8_t resp_h[16];
	bool has_host;			/* missing for expect: each names the silent host in orig_h */
	uint8_t visibility;		/* enum visibility: missing (and not-visible: VIS_NONE) */
	uint64_t count;			/* flows */
	int64_t first_us;		/* the evidence's first and last packet */
	int64_t last_us;
	enum confidence confidence;
	uint8_t why;			/* enum wire_why (classify.h): wrong-protocol, tls-intercepted */
	char note[160];			/* why the confidence is not high, or what the finding means */
	bool has_example;
	struct flow example;		/* its first flow by flow_order_cmp, as the conn log shows it */
	struct classification example_class;
	uint64_t hosts;			/* distinct host pairs among its flows */
	bool hosts_capped;		/* more pairs than the tables hold: hosts is a lower bound */
	struct finding_pair *pairs;	/* the host pairs with most flows first, at most FINDING_TOP_PAIRS */
	int npairs;
	char related[FINDING_MAX_RELATED][FINDING_ID_LEN];	/* fallback, incomplete: the blocked findings they explain */
	int nrelated;
	bool accepted;			/* covered by the site's accept entry accept_index: listed apart, not for --fail-on */
	int accept_index;
};

struct findings;
/* What became of each of the site's accept entries in findings_finish. */
enum accept_status { ACCEPT_USED = 0, ACCEPT_UNUSED, ACCEPT_EXPIRED };
/* Entry i of site->accepts: its status, and how many findings it accepted. */
enum accept_status findings_accept_status(const struct findings *fd, int i, uint64_t *findings);
/* The time accept entries' 'until' is compared with (default: now, the wall clock). */
void findings_set_today(struct findings *fd, int64_t now_us);
/* Accepted findings (not counted by findings_count). */
uint64_t findings_accepted(const struct findings *fd);

/* Flows with a wire finding, per rule or matrix cell: wrong-protocol, tls-intercepted, middlebox-reset. */
enum { WIRE_WRONG_PROTOCOL = 0, WIRE_TLS_INTERCEPTED, WIRE_MIDDLEBOX_RESET, WIRE_KINDS };

/* Per rule: flows seen by verdict, for the observed matrix. */
struct rule_stats {
	uint64_t flows[V_COUNT];
	uint64_t wire[WIRE_KINDS];
	int absent;			/* FK_MISSING or FK_NOT_VISIBLE when findings_finish found one for it, else -1 */
	uint64_t total;
	int64_t first_us;
	int64_t last_us;
};

struct findings;

/* site NULL: port-only mode (no roles, nothing in scope, no 'missing'). */
struct findings *findings_new(const struct rule_set *rs, const struct site *site);
/*
 * ids (may be NULL) gets the ids of the findings the flow joined. The order
 * flows are added in does not matter: whatever is "first" (an example, a
 * pair's uid, the roles a derived finding is grouped by) is the least flow
 * by flow_order_cmp, and everything listed is sorted by a total order.
 */
void findings_add(struct findings *fd, const struct flow *f, const struct classification *cl, struct finding_ids *ids);
/*
 * Fold src into dst (--workers: each worker's findings into one). Both were
 * made by findings_new with the same rules and site; src is only read, and
 * dst keeps nothing of its memory (findings_free(src) after is fine). As
 * long as no table is full (the finding list, FINDINGS_MAX_PAIRS), dst is
 * then as if src's flows had been added to it too, in any order:
 * findings_finish(dst) (after findings_set_drops, _health, _covered) gives
 * the report one findings object fed every flow would have. Derived
 * findings (missing, fallback, incomplete) come from the merged tables in
 * findings_finish, so merge first; findings_list is empty from the merge to
 * the next findings_finish. Merging after a findings_finish (an interim
 * report) is allowed: the next one works everything out again. Full tables
 * count what they lose (findings_dropped, findings_untracked) as adding
 * does, though not always the same number. A host pair's uid was computed
 * by the findings that added its flow: give every part the same uid seed.
 */
void findings_merge(struct findings *dst, const struct findings *src);
/* The conn log's uid seed: a finding's host pairs name an example flow by its uid. */
void findings_set_uid_seed(struct findings *fd, uint64_t seed);
/* Packets the capture lost (kernel drops): findings built on silence become less certain. */
void findings_set_drops(struct findings *fd, uint64_t drops);
/*
 * What part of the capture could not be read (health.h): when it is a large
 * share, findings built on silence ('missing', 'not-visible', no reply,
 * one-sided) say so in their confidence. The findings keep the pointer.
 */
struct capture_health;
void findings_set_health(struct findings *fd, const struct capture_health *health);
/* Work out missing, fallback and incomplete, rate and sort; may be called again as flows keep coming. */
void findings_finish(struct findings *fd, int64_t capture_first_us, int64_t capture_last_us);
/*
 * Offline: the time the inputs cover (the union of their own spans), for
 * the confidence of 'missing' instead of first-to-last; -1 (the default):
 * first-to-last.
 */
void findings_set_covered(struct findings *fd, int64_t covered_us);

const struct finding *const *findings_list(const struct findings *fd, int *n);
const struct rule_stats *findings_rule_stats(const struct findings *fd);	/* [rs->nrules] */
uint64_t findings_count(const struct findings *fd, enum finding_kind k);	/* findings of a kind */
uint64_t findings_dropped(const struct findings *fd);
/* TLS sessions to watched names whose certificate the wire does not show (TLS 1.3): not judged. */
uint64_t findings_tls_hidden(const struct findings *fd);	/* flow findings not kept: the table was full */
/* Flows by source role, destination role and deciding rule (site mode; both roles known): the role matrix. */
struct role_pair_stats {
	int orig_role;
	int resp_role;
	int rule;			/* the deciding rule, -1 for none (unexpected) */
	uint64_t flows[V_COUNT];
	uint64_t wire[WIRE_KINDS];
	int example;			/* index of a finding of this cell's worst flows, or -1 */
};
enum { FINDINGS_MAX_ROLE_PAIRS = 65536 };
const struct role_pair_stats *findings_role_pairs(const struct findings *fd, int *n);
/* A finding by the index a role_pair_stats.example names. */
const struct finding *findings_get(const struct findings *fd, int i);

/* Entries a per-host-pair table (fallback, incomplete, one-sided ratio) holds at most. */
enum { FINDINGS_MAX_PAIRS = 65536 };
/* Flows whose host pair did not fit a per-pair table: fallback, incomplete and the one-sided ratio miss them. */
uint64_t findings_untracked(const struct findings *fd);
void findings_free(struct findings *fd);

const char *findings_kind_name(enum finding_kind k);
/* Parse "blocked" etc. into a kind; -1 if unknown. */
int findings_kind_parse(const char *name);
const char *findings_confidence_name(enum confidence c);
const char *findings_visibility_name(enum visibility v);

#endif
