/* findings_internal: what findings.c and findings_derived.c share */
#ifndef FLOWAUDIT_FINDINGS_INTERNAL_H
#define FLOWAUDIT_FINDINGS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <uthash.h>

#include "fasthash.h"
#include "oaindex.h"
#include "findings.h"
#include "xalloc.h"

enum { MAX_FLOW_FINDINGS = 20000, MAX_SET = FINDINGS_MAX_PAIRS, MAX_GROUP_RULES = 8 };

/* Findings are stored in chunks that never move: no realloc doubling, pointers stay valid. */
enum { FINDINGS_CHUNK = 1024, FINDINGS_MAX = 2 * MAX_FLOW_FINDINGS };

/*
 * e = the entry keyed k in head, or a new zeroed one; NULL once the table
 * holds MAX_SET. ix is the table's index (oaindex.h): lookups go through
 * it, the uthash table keeps the entries for iteration. The key must be
 * the entry's first member.
 */
#define FIND_OR_ADD(head, ix, k, e)                                              \
	do {                                                                     \
		uint64_t _foa_h = fasthash64(&(k), sizeof(k));                 \
		(e) = oaindex_find(&(ix), _foa_h, &(k), sizeof(k));              \
		if (!(e) && HASH_COUNT(head) < MAX_SET) {                        \
			(e) = xcalloc(1, sizeof(*(e)));                          \
			(e)->key = (k);                                          \
			HASH_ADD(hh, (head), key, sizeof((e)->key), (e));        \
			oaindex_add(&(ix), _foa_h, (e));                         \
		}                                                                \
	} while (0)

struct host_key {
	uint8_t family;
	uint8_t addr[16];
};

struct host_entry {
	struct host_key key;
	UT_hash_handle hh;
};

struct host_set {
	struct host_entry *hash;
	size_t n;
};

struct agg_key {
	uint8_t kind;
	uint8_t reason;
	uint8_t family;
	uint8_t proto;
	uint16_t port;
	uint16_t pad;
	int32_t rule;
	uint8_t orig[16];
	uint8_t resp[16];
};

/* The group a flow finding is (findings.h: struct finding). */
struct group_key {
	uint8_t kind;
	uint8_t reason;			/* or R_COUNT + the wire why */
	uint8_t family;			/* port-only: the responder's */
	uint8_t proto;
	uint16_t port;
	uint16_t pad;
	int32_t rule;
	int32_t orig_role;
	int32_t resp_role;
	uint8_t resp[16];		/* port-only: the responder address; else zero */
};

struct agg_entry {
	struct group_key key;
	UT_hash_handle hh;
	int index;			/* into findings.list */
};

/* A host pair of a flow finding: (finding, pair) -> flows and an example uid. */
struct finding_pair_key {
	int32_t finding;
	uint8_t family;
	uint8_t orig[16];
	uint8_t resp[16];
};

/*
 * Where a flow stands in flow_order_cmp's order, without the whole flow: the
 * fields that order reads. Whatever keeps "the first flow" of several keeps
 * the least by that order, not the first added: flows are not added in
 * capture order, and with --workers each worker adds only its share, so
 * only an order of the flows themselves gives the same choice however they
 * were split and merged (findings_merge).
 */
struct flow_rank {
	int64_t first_us;
	struct tuple orig;
	uint16_t key_vlan;
};

void findings_rank_of(struct flow_rank *r, const struct flow *f);
/* flow_order_cmp of the flows the two ranks were taken from. */
int findings_rank_cmp(const struct flow_rank *a, const struct flow_rank *b);

struct finding_pair_entry {
	struct finding_pair_key key;
	UT_hash_handle hh;
	uint64_t flows;
	struct flow_rank rank;		/* of the pair's first flow (flow_order_cmp) ... */
	char uid[FLOW_UID_LEN];		/* ... and its uid */
};

/*
 * The first blocked flow of an edt or group entry (the least by
 * flow_order_cmp), a copy: the blocked finding it joined may have another
 * host pair's flow as its example, and keeps changing it as flows come.
 */
struct flow_example {
	struct flow flow;
	struct classification cls;
	int finding;			/* the flow finding it joined (for 'related'), or -1 */
	char uid[FLOW_UID_LEN];
};

/* Per host pair and port: did TCP work, did EDT's UDP fail (for 'fallback'). */
struct edt_entry {
	struct agg_key key;		/* kind/reason unused: family, port, orig, resp */
	UT_hash_handle hh;
	bool tcp_ok;
	uint64_t udp_flows;		/* blocked EDT UDP flows; the times and first are theirs */
	int64_t first_us;
	int64_t last_us;
	/* The first blocked UDP flow, or NULL: its rule and roles name the fallback it joins. */
	struct flow_example *first;
};

/* Per group and host pair: which of its rules worked and which were blocked. */
struct group_entry {
	struct agg_key key;		/* rule = group id */
	UT_hash_handle hh;
	int ok[MAX_GROUP_RULES];	/* rule indices, ascending: the same lists whatever the order of flows */
	int nok;
	int blocked[MAX_GROUP_RULES];
	int nblocked;
	int64_t first_us;		/* of the blocked flows */
	int64_t last_us;
	uint64_t blocked_flows;
	struct flow_example *first;	/* the first blocked flow (its roles name the group), or NULL */
};

struct findings {
	const struct rule_set *rs;
	const struct site *site;
	struct finding *chunk[(FINDINGS_MAX + FINDINGS_CHUNK - 1) / FINDINGS_CHUNK];
	int n;
	uint64_t dropped;
	uint64_t tls_hidden;		/* TLS 1.3 to watched names: the certificate is not on the wire */
	uint64_t untracked;		/* flows whose host pair found a per-pair table full (MAX_SET) */
	struct agg_entry *agg;
	struct rule_stats *stats;	/* [nrules] by deciding rule */
	uint64_t *matched;		/* [nrules] flows matching each allow rule */
	int64_t covered_us;		/* findings_set_covered, or -1 */
	int64_t today_us;		/* for accept entries' 'until' */
	uint64_t *accept_used;		/* [site->naccepts] findings each entry accepted */
	uint64_t accepted;		/* findings accepted in all */
	struct host_set *rule_origs;	/* [nrules] originators per rule (expect: each) */
	struct host_set *role_hosts;	/* [nroles] addresses seen per role */
	int *group_of;			/* [nrules] group id or -1 */
	int ngroups;
	uint8_t *edt_ports;		/* bitmap of UDP ports of edt rules */
	struct edt_entry *edt;
	struct group_entry *groups;
	struct oaindex edt_ix, groups_ix, pairs_ix;	/* their lookups (and pairs') */
	uint64_t nflows_seen;		/* every flow added */
	uint64_t flows_two_way_capable;	/* TCP/UDP flows, for the one-sided ratio */
	uint64_t flows_one_sided;
	uint64_t per_kind[FK_COUNT];
	struct pair_entry *pairs;	/* per host pair: flows and one-sided flows */
	struct finding_pair_entry *fpairs;	/* per flow finding and host pair */
	struct oaindex fpairs_ix;		/* its lookups */
	uint64_t uid_seed;

	int nflow_findings;		/* list[0 .. nflow_findings) are flow findings; derived ones follow */
	const struct finding **sorted;	/* the list, most serious first (rebuilt by findings_finish) */
	uint64_t drops;			/* packets the capture lost */
	const struct capture_health *health;	/* frames not read, or NULL */
	struct role_pair_entry *role_index;	/* (orig_role, resp_role, rule) -> role_pairs[] */
	struct role_pair_stats *role_pairs;
	int nrole_pairs;
	int role_pairs_cap;
};

/*
 * A cell's example finding is the one its first worst flow joined (the
 * least by flow_order_cmp of the flows of the worst verdict): kept by group
 * key, not by index, since indices differ between findings that are merged.
 */
struct role_pair_entry {
	int key[3];			/* orig_role, resp_role, rule */
	int index;
	UT_hash_handle hh;
	bool has_best;
	int best_severity;		/* verdict_severity of that flow */
	struct flow_rank best_rank;
	struct group_key best;		/* its finding */
};

/* findings_roles.c */
void findings_roles_add(struct findings *fd, const struct flow *f, const struct classification *cl, int finding,
			const struct group_key *key);
/* src's cells into dst's (findings_merge); dst's findings must already hold src's. */
void findings_roles_merge(struct findings *dst, const struct findings *src);
/* The cells in (source role, destination role, rule) order, and their examples looked up again. */
void findings_roles_finish(struct findings *fd);
void findings_roles_free(struct findings *fd);
/* The index of the flow finding with this group key, or -1. */
int findings_index_of(const struct findings *fd, const struct group_key *k);

/* Per unordered host pair: how many of its flows were one-sided (the mirror may see half). */
struct pair_entry {
	struct agg_key key;		/* family, orig/resp in address order */
	UT_hash_handle hh;
	uint64_t flows;
	uint64_t one_sided;
};

/* "F-xxxxxx" from a key in words; and from a group's parts (reason: its name or why; addr: port-only, or NULL). */
void findings_make_id(char out[FINDING_ID_LEN], const char *key);
void findings_group_id(const struct findings *fd, char out[FINDING_ID_LEN], enum finding_kind kind, int rule,
		       int orig_role, int resp_role, int proto, unsigned port, const char *reason, int family,
		       const uint8_t *addr);

/* One flow's wire findings (classification.wire, WF_* bits) into the WIRE_* counts of a rule or a cell. */
static inline void findings_count_wire(uint64_t wire[WIRE_KINDS], uint8_t bits)
{
	wire[WIRE_WRONG_PROTOCOL] += (bits & WF_WRONG_PROTOCOL) != 0;
	wire[WIRE_TLS_INTERCEPTED] += (bits & WF_TLS_INTERCEPTED) != 0;
	wire[WIRE_MIDDLEBOX_RESET] += (bits & WF_MIDDLEBOX_RESET) != 0;
}

/* Finding i of the list (flow findings first, then derived ones). */
static inline struct finding *findings_at(const struct findings *fd, int i)
{
	return &fd->chunk[i / FINDINGS_CHUNK][i % FINDINGS_CHUNK];
}

bool findings_set_add(struct host_set *s, uint8_t family, const uint8_t *addr);
bool findings_set_has(const struct host_set *s, uint8_t family, const uint8_t *addr);
void findings_set_free(struct host_set *s);
/* A new finding at the end of the list, or NULL when the list is full. */
struct finding *findings_new_entry(struct findings *fd);
/* Fill a finding's rule, roles, tuple and example from a flow and its classification. */
void findings_example_into(struct finding *fi, const struct flow *ex, const struct classification *cl);
/* Host pairs in the order a finding lists them: most flows first, then by address (a total order). */
int findings_pair_cmp(const struct finding_pair *x, const struct finding_pair *y);

/* The capture-wide findings (findings_derived.c), appended after the flow findings. */
void findings_find_missing(struct findings *fd);
void findings_find_fallback(struct findings *fd);
void findings_find_incomplete(struct findings *fd);

#endif
