/* findings: classified flows aggregated into the audit's findings and the observed matrix */
#include "findings.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "findings_internal.h"
#include "health.h"
#include "prefix.h"
#include "inspect.h"
#include "portset.h"
#include "report.h"
#include "tls.h"

/*
 * Flow findings are aggregated as flows finish, keyed by kind, reason,
 * rule and host pair, each keeping a count, the evidence's time window and
 * one example flow. 'missing', 'fallback' and 'incomplete' need the whole
 * capture, so flows leave small traces (hosts seen per role and per rule,
 * TCP successes and EDT failures per host pair and port, group outcomes per
 * host pair) that findings_finish() turns into findings. Every table is
 * capped; what does not fit is counted.
 */
static const char *const kind_names[FK_COUNT] = {
	[FK_BLOCKED] = "blocked", [FK_FALLBACK] = "fallback", [FK_INCOMPLETE] = "incomplete",
	[FK_INTERRUPTED] = "interrupted", [FK_MISSING] = "missing", [FK_ONE_SIDED] = "one-sided",
	[FK_UNEXPECTED] = "unexpected", [FK_PENDING] = "pending", [FK_TLS_INTERCEPTED] = "tls-intercepted",
	[FK_MIDDLEBOX_RESET] = "middlebox-reset", [FK_WRONG_PROTOCOL] = "wrong-protocol",
	[FK_NOT_VISIBLE] = "not-visible",
};

static const char *const visibility_names[VIS_COUNT] = {
	[VIS_NONE] = "none", [VIS_BOTH] = "both", [VIS_FROM_ONLY] = "from-only", [VIS_TO_ONLY] = "to-only",
};

const char *findings_visibility_name(enum visibility v)
{
	return (unsigned)v < VIS_COUNT ? visibility_names[v] : "none";
}

void findings_set_covered(struct findings *fd, int64_t covered_us)
{
	fd->covered_us = covered_us;
}

static const char *const confidence_names[] = { "high", "medium", "low" };

bool findings_set_add(struct host_set *s, uint8_t family, const uint8_t *addr)
{
	struct host_entry *e;
	struct host_key k;

	memset(&k, 0, sizeof(k));
	k.family = family;
	memcpy(k.addr, addr, 16);
	HASH_FIND(hh, s->hash, &k, sizeof(k), e);
	if (e || s->n >= MAX_SET)
		return false;
	e = xcalloc(1, sizeof(*e));
	e->key = k;
	HASH_ADD(hh, s->hash, key, sizeof(k), e);
	s->n++;
	return true;
}

bool findings_set_has(const struct host_set *s, uint8_t family, const uint8_t *addr)
{
	struct host_entry *e;
	struct host_key k;

	memset(&k, 0, sizeof(k));
	k.family = family;
	memcpy(k.addr, addr, 16);
	HASH_FIND(hh, s->hash, &k, sizeof(k), e);
	return e != NULL;
}

void findings_set_free(struct host_set *s)
{
	struct host_entry *e, *tmp;

	HASH_ITER(hh, s->hash, e, tmp) {
		HASH_DEL(s->hash, e);
		free(e);
	}
}

static void groups_intern(struct findings *fd)
{
	const struct rule_set *rs = fd->rs;
	int r, q;

	fd->group_of = xmalloc(((size_t)rs->nrules + 1) * sizeof(int));
	for (r = 0; r < rs->nrules; r++) {
		fd->group_of[r] = -1;
		if (!rs->rules[r].group)
			continue;
		for (q = 0; q < r; q++)
			if (rs->rules[q].group && rs->rules[q].matrix == rs->rules[r].matrix &&
			    strcmp(rs->rules[q].group, rs->rules[r].group) == 0) {
				fd->group_of[r] = fd->group_of[q];
				break;
			}
		if (fd->group_of[r] < 0)
			fd->group_of[r] = fd->ngroups++;
	}
}

struct findings *findings_new(const struct rule_set *rs, const struct site *site)
{
	struct findings *fd = xcalloc(1, sizeof(*fd));
	int r;

	fasthash_seed_once();
	fd->rs = rs;
	fd->site = site;
	fd->stats = xcalloc((size_t)rs->nrules + 1, sizeof(*fd->stats));
	fd->today_us = (int64_t)time(NULL) * 1000000;
	fd->accept_used = xcalloc((size_t)(site ? site->naccepts : 0) + 1, sizeof(*fd->accept_used));
	for (r = 0; r < rs->nrules; r++)
		fd->stats[r].absent = -1;
	fd->covered_us = -1;
	fd->matched = xcalloc((size_t)rs->nrules + 1, sizeof(*fd->matched));
	fd->rule_origs = xcalloc((size_t)rs->nrules + 1, sizeof(*fd->rule_origs));
	fd->role_hosts = xcalloc((size_t)rs->nroles + 1, sizeof(*fd->role_hosts));
	fd->edt_ports = xcalloc(PORTSET_BYTES, 1);
	for (r = 0; r < rs->nrules; r++)
		if (rs->rules[r].category == CAT_EDT && (rs->rules[r].protos & RULE_UDP))
			portset_add_rule(fd->edt_ports, &rs->rules[r]);
	groups_intern(fd);
	return fd;
}

static enum finding_kind kind_of(enum verdict v, bool *is_finding)
{
	*is_finding = true;
	switch (v) {
	case V_BLOCKED:
		return FK_BLOCKED;
	case V_INTERRUPTED:
		return FK_INTERRUPTED;
	case V_ONE_SIDED:
		return FK_ONE_SIDED;
	case V_UNEXPECTED:
		return FK_UNEXPECTED;
	case V_PENDING:
		return FK_PENDING;
	default:
		*is_finding = false;
		return FK_COUNT;
	}
}

struct finding *findings_new_entry(struct findings *fd)
{
	struct finding *fi;

	if (fd->n >= FINDINGS_MAX)
		return NULL;
	if (!fd->chunk[fd->n / FINDINGS_CHUNK])
		fd->chunk[fd->n / FINDINGS_CHUNK] = xmalloc(FINDINGS_CHUNK * sizeof(struct finding));
	fi = findings_at(fd, fd->n++);
	memset(fi, 0, sizeof(*fi));
	return fi;
}

static void key_of(struct agg_key *k, const struct flow *f, int rule, uint8_t kind, uint8_t reason)
{
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->reason = reason;
	k->family = f->orig.family;
	k->proto = f->orig.proto;
	k->port = f->orig.dport;
	k->rule = rule;
	memcpy(k->orig, f->orig.src, 16);
	memcpy(k->resp, f->orig.dst, 16);
}

static void widen(int64_t *first, int64_t *last, const struct flow *f, bool fresh)
{
	if (fresh || f->first_us < *first)
		*first = f->first_us;
	if (fresh || f->last_us > *last)
		*last = f->last_us;
}

void findings_rank_of(struct flow_rank *r, const struct flow *f)
{
	memset(r, 0, sizeof(*r));
	r->first_us = f->first_us;
	r->orig = f->orig;
	r->key_vlan = f->key_vlan;
}

/* flow_order_cmp's own order (flow_order_cmp_key), so that the two cannot drift apart. */
int findings_rank_cmp(const struct flow_rank *a, const struct flow_rank *b)
{
	return flow_order_cmp_key(a->first_us, &a->orig, a->key_vlan, b->first_us, &b->orig, b->key_vlan);
}

static int flow_rank_cmp(const struct flow *f, const struct flow_rank *r)
{
	struct flow_rank fr;

	findings_rank_of(&fr, f);
	return findings_rank_cmp(&fr, r);
}

/*
 * An edt or group entry's first blocked flow: f, when it is the least so far
 * by flow_order_cmp. Kept as a copy, with the finding it joined and its uid.
 */
static void offer_first(struct findings *fd, struct flow_example **first, const struct flow *f,
			const struct classification *cl, int finding)
{
	if (*first && flow_order_cmp(f, &(*first)->flow) >= 0)
		return;
	if (!*first)
		*first = xmalloc(sizeof(**first));
	(*first)->flow = *f;
	(*first)->cls = *cl;
	(*first)->finding = finding;
	flow_uid(f, fd->uid_seed, (*first)->uid);
}

void findings_example_into(struct finding *fi, const struct flow *ex, const struct classification *cl)
{
	fi->rule = cl->rule;
	fi->orig_role = cl->orig_role;
	fi->resp_role = cl->resp_role;
	fi->family = ex->orig.family;
	fi->proto = ex->orig.proto;
	fi->port = ex->orig.dport;
	memcpy(fi->orig_h, ex->orig.src, 16);
	memcpy(fi->resp_h, ex->orig.dst, 16);
	fi->has_example = true;
	fi->example = *ex;
	fi->example_class = *cl;
	fi->reason = cl->reason;
}

/* FNV-1a over the group's key in words: the same for the same input and site, whatever the order of flows. */
void findings_make_id(char out[FINDING_ID_LEN], const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= 0x100000001b3ULL;
	}
	snprintf(out, FINDING_ID_LEN, "F-%06x", (unsigned)((h ^ (h >> 24) ^ (h >> 48)) & 0xffffff));
}

static const char *role_word(const struct findings *fd, int role)
{
	return role >= 0 || role == ROLE_ANY ? rules_role_name(fd->rs, role) : "-";
}

/*
 * A group's key in words (names, not indices: stable when rules or roles are
 * added): kind, rule, roles, protocol, port, reason or why, and in port-only
 * mode the responder address.
 */
void findings_group_id(const struct findings *fd, char out[FINDING_ID_LEN], enum finding_kind kind, int rule,
		       int orig_role, int resp_role, int proto, unsigned port, const char *reason, int family,
		       const uint8_t *addr)
{
	char key[512], a[ADDR_STRLEN];

	snprintf(key, sizeof(key), "%s|%s|%s|%s|%d|%u|%s|%s", findings_kind_name(kind),
		 rule >= 0 ? fd->rs->rules[rule].name : "-", role_word(fd, orig_role), role_word(fd, resp_role), proto,
		 port, reason ? reason : "", addr ? addr_format(family, addr, a) : "");
	findings_make_id(out, key);
}

/* The derived findings (after the flow findings) go; findings_finish works them out again. */
static void drop_derived(struct findings *fd)
{
	int i;

	for (i = fd->nflow_findings; i < fd->n; i++) {
		free(findings_at(fd, i)->pairs);
		findings_at(fd, i)->pairs = NULL;
	}
	fd->n = fd->nflow_findings;
}

/*
 * The flow's host pair in its finding's pair table: a new pair counts one
 * more host; the pair names its first flow by uid.
 */
/* The entry of k (a pair of finding fi); a new pair counts one more host. NULL: the table is full. */
static struct finding_pair_entry *finding_pair_get(struct findings *fd, struct finding *fi,
						   const struct finding_pair_key *k)
{
	uint64_t h = fasthash64(k, sizeof(*k));
	struct finding_pair_entry *e = oaindex_find(&fd->fpairs_ix, h, k, sizeof(*k));

	if (e)
		return e;
	if (HASH_COUNT(fd->fpairs) >= MAX_SET) {
		fi->hosts_capped = true;
		return NULL;
	}
	e = xcalloc(1, sizeof(*e));
	e->key = *k;
	HASH_ADD(hh, fd->fpairs, key, sizeof(e->key), e);
	oaindex_add(&fd->fpairs_ix, h, e);
	fi->hosts++;
	return e;
}

static void note_finding_pair(struct findings *fd, struct finding *fi, int index, const struct flow *f)
{
	struct finding_pair_entry *e;
	struct finding_pair_key k;

	memset(&k, 0, sizeof(k));
	k.finding = index;
	k.family = f->orig.family;
	memcpy(k.orig, f->orig.src, 16);
	memcpy(k.resp, f->orig.dst, 16);
	if (!(e = finding_pair_get(fd, fi, &k)))
		return;
	if (!e->flows || flow_rank_cmp(f, &e->rank) < 0) {
		findings_rank_of(&e->rank, f);
		flow_uid(f, fd->uid_seed, e->uid);
	}
	e->flows++;
}

int findings_index_of(const struct findings *fd, const struct group_key *k)
{
	struct agg_entry *e;

	HASH_FIND(hh, fd->agg, k, sizeof(*k), e);
	return e ? e->index : -1;
}

/*
 * The flow's finding (new or grown); its index, or -1 when the list is full.
 * kout (may be NULL) gets its group key. Its example is its first flow by
 * flow_order_cmp, whatever order the flows come in.
 */
static int add_flow_finding(struct findings *fd, const struct flow *f, const struct classification *cl,
			    enum finding_kind kind, struct group_key *kout)
{
	struct agg_entry *e;
	struct group_key k;
	struct finding *fi;
	uint8_t why = kind == FK_WRONG_PROTOCOL ? cl->wrong_why : kind == FK_TLS_INTERCEPTED ? cl->tls_why : 0;

	/* Wire findings keep apart what they are about: the why, not the flow's outcome. */
	memset(&k, 0, sizeof(k));
	k.kind = (uint8_t)kind;
	k.reason = why ? (uint8_t)(R_COUNT + why) : (uint8_t)cl->reason;
	k.proto = f->orig.proto;
	k.port = f->orig.dport;
	k.rule = cl->rule;
	k.orig_role = cl->orig_role;
	k.resp_role = cl->resp_role;
	if (!fd->site) {
		k.family = f->orig.family;
		memcpy(k.resp, f->orig.dst, 16);
	}
	if (kout)
		*kout = k;
	HASH_FIND(hh, fd->agg, &k, sizeof(k), e);
	if (e) {
		fi = findings_at(fd, e->index);
		fi->count++;
		widen(&fi->first_us, &fi->last_us, f, false);
		if (flow_order_cmp(f, &fi->example) < 0)
			findings_example_into(fi, f, cl);
		note_finding_pair(fd, fi, e->index, f);
		return e->index;
	}
	drop_derived(fd);	/* derived findings come after; they are worked out again */
	if (fd->n >= MAX_FLOW_FINDINGS || !(fi = findings_new_entry(fd))) {
		fd->dropped++;
		return -1;
	}
	fd->nflow_findings = fd->n;
	findings_example_into(fi, f, cl);
	fi->kind = kind;
	fi->why = why;
	fi->count = 1;
	widen(&fi->first_us, &fi->last_us, f, true);
	findings_group_id(fd, fi->id, kind, cl->rule, cl->orig_role, cl->resp_role, f->orig.proto, f->orig.dport,
			  why ? classify_wire_why_text((enum wire_why)why) : reason_name(cl->reason), f->orig.family,
			  fd->site ? NULL : f->orig.dst);
	e = xcalloc(1, sizeof(*e));
	e->key = k;
	e->index = fd->n - 1;
	HASH_ADD(hh, fd->agg, key, sizeof(k), e);
	note_finding_pair(fd, fi, e->index, f);
	return e->index;
}

static void note_id(struct finding_ids *ids, const struct findings *fd, int index)
{
	if (ids && index >= 0 && ids->n < 4)
		snprintf(ids->id[ids->n++], FINDING_ID_LEN, "%s", findings_at(fd, index)->id);
}

void findings_set_uid_seed(struct findings *fd, uint64_t seed)
{
	fd->uid_seed = seed;
}

static bool track_edt(struct findings *fd, const struct flow *f, const struct classification *cl, int finding)
{
	struct edt_entry *e;
	struct agg_key k;
	uint16_t port = f->orig.dport;
	bool udp_fail = f->orig.proto == PROTO_UDP && cl->verdict == V_BLOCKED && cl->rule >= 0 &&
			fd->rs->rules[cl->rule].category == CAT_EDT;
	bool tcp_ok = f->orig.proto == PROTO_TCP && cl->verdict == V_OK;

	if (!portset_has(fd->edt_ports, port) || (!udp_fail && !tcp_ok))
		return true;
	key_of(&k, f, 0, 0, 0);
	k.proto = 0;
	FIND_OR_ADD(fd->edt, fd->edt_ix, k, e);
	if (!e)
		return false;
	if (tcp_ok) {
		e->tcp_ok = true;
		return true;
	}
	widen(&e->first_us, &e->last_us, f, e->udp_flows == 0);
	offer_first(fd, &e->first, f, cl, finding);
	e->udp_flows++;
	return true;
}

/*
 * A rule into an entry's ascending list (the least MAX_GROUP_RULES kept):
 * sorted, so that the list, its first rule and the note's wording do not
 * depend on which flow came first.
 */
static void note_rule(int *list, int *n, int rule)
{
	int i, k;

	for (i = 0; i < *n && list[i] < rule; i++)
		;
	if ((i < *n && list[i] == rule) || i == MAX_GROUP_RULES)
		return;
	k = *n < MAX_GROUP_RULES ? (*n)++ : MAX_GROUP_RULES - 1;
	for (; k > i; k--)
		list[k] = list[k - 1];
	list[i] = rule;
}

/* Every matching rule counts, not only the deciding one: groups may live in any matrix. */
static bool track_group(struct findings *fd, const struct flow *f, const struct classification *cl, int finding)
{
	struct group_entry *e;
	struct agg_key k;
	int i, g, r;

	if (cl->verdict != V_OK && cl->verdict != V_BLOCKED)
		return true;
	for (i = 0; i < cl->nmatches; i++) {
		r = cl->matches[i];
		if ((g = fd->group_of[r]) < 0)
			continue;
		key_of(&k, f, g, 0, 0);
		k.proto = 0;
		k.port = 0;
		FIND_OR_ADD(fd->groups, fd->groups_ix, k, e);
		if (!e)
			return false;
		if (cl->verdict == V_OK) {
			note_rule(e->ok, &e->nok, r);
			continue;
		}
		widen(&e->first_us, &e->last_us, f, e->blocked_flows == 0);
		offer_first(fd, &e->first, f, cl, finding);
		note_rule(e->blocked, &e->nblocked, r);
		e->blocked_flows++;
	}
	return true;
}

static void pair_key(struct agg_key *k, uint8_t family, const uint8_t *a, const uint8_t *b)
{
	bool swap = memcmp(a, b, 16) > 0;

	memset(k, 0, sizeof(*k));
	k->family = family;
	memcpy(k->orig, swap ? b : a, 16);
	memcpy(k->resp, swap ? a : b, 16);
}

static bool track_pair(struct findings *fd, const struct flow *f, bool one_sided)
{
	struct pair_entry *e;
	struct agg_key k;

	pair_key(&k, f->orig.family, f->orig.src, f->orig.dst);
	FIND_OR_ADD(fd->pairs, fd->pairs_ix, k, e);
	if (!e)
		return false;
	e->flows++;
	e->one_sided += one_sided;
	return true;
}

static const struct pair_entry *pair_of(const struct findings *fd, const struct finding *fi)
{
	struct pair_entry *e;
	struct agg_key k;

	pair_key(&k, fi->family, fi->orig_h, fi->resp_h);
	e = oaindex_find(&fd->pairs_ix, fasthash64(&k, sizeof(k)), &k, sizeof(k));
	return e;
}

void findings_add(struct findings *fd, const struct flow *f, const struct classification *cl, struct finding_ids *ids)
{
	bool is_finding;
	enum finding_kind kind = kind_of(cl->verdict, &is_finding);
	struct group_key key;
	int i, finding;
	bool tracked = true;

	if (ids)
		ids->n = 0;
	fd->nflows_seen++;
	if (cl->verdict == V_RELATED)
		return;
	if (f->orig.proto == PROTO_TCP || f->orig.proto == PROTO_UDP) {
		fd->flows_two_way_capable++;
		if (cl->verdict == V_ONE_SIDED)
			fd->flows_one_sided++;
		tracked = track_pair(fd, f, cl->verdict == V_ONE_SIDED);
	}
	if (cl->rule >= 0) {
		struct rule_stats *st = &fd->stats[cl->rule];

		widen(&st->first_us, &st->last_us, f, st->total == 0);
		st->flows[cl->verdict]++;
		findings_count_wire(st->wire, cl->wire);
		st->total++;
	}
	for (i = 0; i < cl->nmatches; i++) {
		fd->matched[cl->matches[i]]++;
		if (fd->rs->rules[cl->matches[i]].expect == EXPECT_EACH)
			findings_set_add(&fd->rule_origs[cl->matches[i]], f->orig.family, f->orig.src);
	}
	if (cl->orig_role >= 0)
		findings_set_add(&fd->role_hosts[cl->orig_role], f->orig.family, f->orig.src);
	if (cl->resp_role >= 0)
		findings_set_add(&fd->role_hosts[cl->resp_role], f->orig.family, f->orig.dst);
	if (kind == FK_INTERRUPTED && cl->reason == R_MIDDLEBOX_RESET)
		kind = FK_MIDDLEBOX_RESET;	/* a refinement: the reset was forged */
	finding = is_finding ? add_flow_finding(fd, f, cl, kind, &key) : -1;
	note_id(ids, fd, finding);
	if (cl->orig_role >= 0 && cl->resp_role >= 0)
		findings_roles_add(fd, f, cl, finding, &key);
	if ((cl->wire & WF_MIDDLEBOX_RESET) && kind != FK_MIDDLEBOX_RESET)
		note_id(ids, fd, add_flow_finding(fd, f, cl, FK_MIDDLEBOX_RESET, NULL));
	if (cl->wire & WF_TLS_INTERCEPTED)
		note_id(ids, fd, add_flow_finding(fd, f, cl, FK_TLS_INTERCEPTED, NULL));
	if (cl->wire & WF_WRONG_PROTOCOL)
		note_id(ids, fd, add_flow_finding(fd, f, cl, FK_WRONG_PROTOCOL, NULL));
	if (cl->tls_watched && f->tls && tls_version_is_13(f->tls->version))
		fd->tls_hidden++;	/* the certificate is encrypted */
	tracked &= track_edt(fd, f, cl, finding);
	tracked &= track_group(fd, f, cl, finding);
	fd->untracked += !tracked;
}

/*
 * Merging (--workers): each worker adds the flows of its host pairs to its
 * own findings, and the main thread folds them into one. Every table is
 * keyed so that the same key in two parts is combined as adding its flows
 * to one would have: counts add, times widen, "first" flows are the least
 * by flow_order_cmp, sets unite. src's finding indices are not dst's: map
 * says where each of src's flow findings went (-1: dst's list was full).
 */
static int *merge_flow_findings(struct findings *dst, const struct findings *src)
{
	const struct agg_entry **by_index = xcalloc((size_t)src->nflow_findings + 1, sizeof(*by_index));
	int i, *map = xmalloc(((size_t)src->nflow_findings + 1) * sizeof(*map));
	struct agg_entry *a, *at;

	/* In src's list order, not the hash's: which findings fit a list that fills up is then repeatable. */
	HASH_ITER(hh, src->agg, a, at)
		if (a->index < src->nflow_findings)
			by_index[a->index] = a;
	for (i = 0; i < src->nflow_findings; i++) {
		const struct finding *sf = findings_at(src, i);
		struct finding *fi;
		struct agg_entry *e;

		map[i] = -1;
		if (!by_index[i])
			continue;
		HASH_FIND(hh, dst->agg, &by_index[i]->key, sizeof(by_index[i]->key), e);
		if (e) {
			fi = findings_at(dst, e->index);
			fi->count += sf->count;
			if (sf->first_us < fi->first_us)
				fi->first_us = sf->first_us;
			if (sf->last_us > fi->last_us)
				fi->last_us = sf->last_us;
			if (flow_order_cmp(&sf->example, &fi->example) < 0)
				findings_example_into(fi, &sf->example, &sf->example_class);
			fi->hosts_capped |= sf->hosts_capped;
			map[i] = e->index;
			continue;
		}
		if (dst->n >= MAX_FLOW_FINDINGS || !(fi = findings_new_entry(dst))) {
			dst->dropped += sf->count;
			continue;
		}
		dst->nflow_findings = dst->n;
		*fi = *sf;
		/* its host pairs come with the pair table; its rating and acceptance with findings_finish */
		fi->hosts = 0;
		fi->pairs = NULL;
		fi->npairs = 0;
		fi->note[0] = '\0';
		fi->confidence = CONF_HIGH;
		fi->accepted = false;
		fi->accept_index = 0;
		e = xcalloc(1, sizeof(*e));
		e->key = by_index[i]->key;
		e->index = dst->n - 1;
		HASH_ADD(hh, dst->agg, key, sizeof(e->key), e);
		map[i] = e->index;
	}
	free(by_index);
	return map;
}

static void merge_finding_pairs(struct findings *dst, const struct findings *src, const int *map)
{
	struct finding_pair_entry *s, *st, *e;

	HASH_ITER(hh, src->fpairs, s, st) {
		struct finding_pair_key k = s->key;
		struct finding *fi;

		if (k.finding >= src->nflow_findings || map[k.finding] < 0)
			continue;	/* counted in dropped */
		k.finding = map[k.finding];
		fi = findings_at(dst, k.finding);
		if (!(e = finding_pair_get(dst, fi, &k)))
			continue;
		if (!e->flows || findings_rank_cmp(&s->rank, &e->rank) < 0) {
			e->rank = s->rank;
			memcpy(e->uid, s->uid, sizeof(e->uid));
		}
		e->flows += s->flows;
	}
}

/* An entry's first blocked flow from src: kept when it comes before dst's, its finding mapped to dst's list. */
static void merge_first(struct flow_example **dst, const struct flow_example *src, const int *map)
{
	if (!src || (*dst && flow_order_cmp(&src->flow, &(*dst)->flow) >= 0))
		return;
	if (!*dst)
		*dst = xmalloc(sizeof(**dst));
	**dst = *src;
	(*dst)->finding = src->finding >= 0 ? map[src->finding] : -1;
}

/* The window of an entry's blocked flows (fresh: dst had none). */
static void merge_window(int64_t *first, int64_t *last, int64_t sfirst, int64_t slast, bool fresh)
{
	if (fresh || sfirst < *first)
		*first = sfirst;
	if (fresh || slast > *last)
		*last = slast;
}

/*
 * The per-host-pair tables. A key in both parts is rare (a host pair's flows
 * go to one worker) but combined all the same. An entry that does not fit
 * counts its flows as untracked: near what adding would have counted, not
 * the same (adding counts a flow once whichever tables it missed, and an
 * EDT entry of TCP successes alone has no flows to count).
 */
static void merge_pair_tables(struct findings *dst, const struct findings *src, const int *map)
{
	struct pair_entry *p, *pt, *pe;
	struct edt_entry *d, *dt, *de;
	struct group_entry *g, *gt, *ge;
	int i;

	HASH_ITER(hh, src->pairs, p, pt) {
		FIND_OR_ADD(dst->pairs, dst->pairs_ix, p->key, pe);
		if (!pe) {
			dst->untracked += p->flows;
			continue;
		}
		pe->flows += p->flows;
		pe->one_sided += p->one_sided;
	}
	HASH_ITER(hh, src->edt, d, dt) {
		FIND_OR_ADD(dst->edt, dst->edt_ix, d->key, de);
		if (!de) {
			dst->untracked += d->udp_flows;
			continue;
		}
		de->tcp_ok |= d->tcp_ok;
		if (d->udp_flows)
			merge_window(&de->first_us, &de->last_us, d->first_us, d->last_us, de->udp_flows == 0);
		de->udp_flows += d->udp_flows;
		merge_first(&de->first, d->first, map);
	}
	HASH_ITER(hh, src->groups, g, gt) {
		FIND_OR_ADD(dst->groups, dst->groups_ix, g->key, ge);
		if (!ge) {
			dst->untracked += g->blocked_flows;
			continue;
		}
		for (i = 0; i < g->nok; i++)
			note_rule(ge->ok, &ge->nok, g->ok[i]);
		for (i = 0; i < g->nblocked; i++)
			note_rule(ge->blocked, &ge->nblocked, g->blocked[i]);
		if (g->blocked_flows)
			merge_window(&ge->first_us, &ge->last_us, g->first_us, g->last_us, ge->blocked_flows == 0);
		ge->blocked_flows += g->blocked_flows;
		merge_first(&ge->first, g->first, map);
	}
}

static void merge_set(struct host_set *dst, const struct host_set *src)
{
	struct host_entry *e, *t;

	HASH_ITER(hh, src->hash, e, t)
		findings_set_add(dst, e->key.family, e->key.addr);
}

/* The per-rule and per-role tables, and the counters. */
static void merge_rules(struct findings *dst, const struct findings *src)
{
	const struct rule_set *rs = dst->rs;
	int r, v;

	for (r = 0; r < rs->nrules; r++) {
		const struct rule_stats *s = &src->stats[r];
		struct rule_stats *st = &dst->stats[r];

		if (s->total)
			merge_window(&st->first_us, &st->last_us, s->first_us, s->last_us, st->total == 0);
		for (v = 0; v < V_COUNT; v++)
			st->flows[v] += s->flows[v];
		for (v = 0; v < WIRE_KINDS; v++)
			st->wire[v] += s->wire[v];
		st->total += s->total;
		dst->matched[r] += src->matched[r];
		merge_set(&dst->rule_origs[r], &src->rule_origs[r]);
	}
	for (r = 0; r < rs->nroles; r++)
		merge_set(&dst->role_hosts[r], &src->role_hosts[r]);
	dst->dropped += src->dropped;
	dst->tls_hidden += src->tls_hidden;
	dst->untracked += src->untracked;
	dst->nflows_seen += src->nflows_seen;
	dst->flows_two_way_capable += src->flows_two_way_capable;
	dst->flows_one_sided += src->flows_one_sided;
}

void findings_merge(struct findings *dst, const struct findings *src)
{
	int *map;

	drop_derived(dst);	/* new flow findings go before the derived ones; findings_finish makes those again */
	free(dst->sorted);	/* the list is empty until findings_finish sorts it again */
	dst->sorted = NULL;
	map = merge_flow_findings(dst, src);
	merge_finding_pairs(dst, src, map);
	merge_pair_tables(dst, src, map);
	findings_roles_merge(dst, src);
	merge_rules(dst, src);
	free(map);
}

/*
 * A large share of the capture could not be read (health.h): a flow in those
 * frames is not in the audit, so silence may be ours. True when it said so.
 */
static bool rate_health(const struct findings *fd, struct finding *fi)
{
	bool noted = fi->confidence != CONF_HIGH && fi->kind != FK_NOT_VISIBLE;	/* keep a more specific reason */

	if (!fd->health || !health_degraded(fd->health))
		return false;
	if (fi->kind == FK_MISSING || fi->kind == FK_NOT_VISIBLE)
		fi->confidence = CONF_LOW;
	else if (fi->confidence == CONF_HIGH)
		fi->confidence = CONF_MEDIUM;
	if (!noted)
		snprintf(fi->note, sizeof(fi->note), "%.1f%% of the capture could not be read: the flows may be in those "
		 "frames", health_unreadable_percent(fd->health));
	return true;
}

/*
 * How sure a finding is, and why not more: a short capture for 'missing';
 * kernel drops for anything built on silence; a host pair whose flows are
 * mostly one-sided (the capture point probably sees one direction) for
 * 'no-reply' and 'one-sided'.
 */
static void rate(struct findings *fd, struct finding *fi, int64_t span_us)
{
	const struct pair_entry *pair = fi->kind == FK_MISSING ? NULL : pair_of(fd, fi);
	bool silence = fi->kind == FK_MISSING || fi->kind == FK_ONE_SIDED || fi->kind == FK_PENDING ||
		       fi->kind == FK_NOT_VISIBLE ||
		       ((fi->kind == FK_BLOCKED || fi->kind == FK_FALLBACK) && fi->reason == R_NO_REPLY);

	fi->confidence = CONF_HIGH;
	if (fi->kind == FK_NOT_VISIBLE) {
		fi->first_us = fi->last_us = 0;
		fi->confidence = CONF_LOW;
		snprintf(fi->note, sizeof(fi->note), "no host of either role appears in the capture: not visible from "
			 "this capture point");
		rate_health(fd, fi);
		return;
	}
	if (fi->kind == FK_MISSING && (fi->visibility == VIS_FROM_ONLY || fi->visibility == VIS_TO_ONLY)) {
		fi->first_us = fi->last_us = 0;
		fi->confidence = CONF_LOW;
		snprintf(fi->note, sizeof(fi->note), "no host of the %s role was ever seen: the capture point may not "
			 "see that end", fi->visibility == VIS_FROM_ONLY ? "destination" : "source");
	} else if (fi->kind == FK_MISSING) {
		fi->first_us = fi->last_us = 0;
		if (span_us < 60 * 1000000LL)
			fi->confidence = CONF_LOW;
		else if (span_us < 600 * 1000000LL)
			fi->confidence = CONF_MEDIUM;
		if (fi->confidence != CONF_HIGH) {
			char secs[32];

			report_format_seconds(span_us, 0, secs, sizeof(secs));	/* 0.38 s, not 0 s */
			snprintf(fi->note, sizeof(fi->note), "the capture spans only %s s", secs);
		}
	} else if (fi->kind == FK_PENDING) {
		fi->confidence = CONF_LOW;
		snprintf(fi->note, sizeof(fi->note), "the capture ended before an answer could come");
	} else if (silence && pair && pair->flows >= 2 && 2 * pair->one_sided >= pair->flows) {
		fi->confidence = CONF_LOW;
		snprintf(fi->note, sizeof(fi->note),
			 "%" PRIu64 " of %" PRIu64 " flows between these hosts are one-sided: the capture point "
			 "probably sees one direction only", pair->one_sided, pair->flows);
	} else if (fi->kind == FK_ONE_SIDED) {
		fi->confidence = CONF_MEDIUM;
		snprintf(fi->note, sizeof(fi->note), "asymmetric routing, or a mirror that sees one direction");
	}
	if (silence && rate_health(fd, fi))
		return;
	if (silence && fd->drops && fi->confidence == CONF_HIGH) {
		fi->confidence = CONF_MEDIUM;
		snprintf(fi->note, sizeof(fi->note), "the capture dropped %" PRIu64 " %s: possibly %s", fd->drops,
			 report_plural(fd->drops, "packet", "packets"), fi->kind == FK_MISSING ? "missing" : "blocked");
	}
}

/* Is addr inside the prefix? */
static bool in_prefix(const struct site_prefix *p, uint8_t family, const uint8_t *addr)
{
	uint8_t a[16];

	if (family != p->family)
		return false;
	memcpy(a, addr, 16);
	prefix_mask(a, p->len);
	return memcmp(a, p->addr, 16) == 0;
}

/*
 * Does one end of an accept entry cover the finding's side? A role end
 * matches the finding's role; an address end every address the finding has
 * on that side (its host pairs, when all are known; the silent host of a
 * missing finding).
 */
static bool end_covers(const struct site_end *e, const struct finding *fi, bool orig)
{
	int role = orig ? fi->orig_role : fi->resp_role, k;

	if (e->role != ROLE_NONE)
		return role == e->role;
	if (fi->npairs && fi->hosts <= (uint64_t)fi->npairs && !fi->hosts_capped) {
		for (k = 0; k < fi->npairs; k++)
			if (!in_prefix(&e->pfx, fi->pairs[k].family, orig ? fi->pairs[k].orig_h : fi->pairs[k].resp_h))
				return false;
		return true;
	}
	if (fi->has_example && fi->hosts <= 1)
		return in_prefix(&e->pfx, fi->family, orig ? fi->orig_h : fi->resp_h);
	return orig && fi->has_host && in_prefix(&e->pfx, fi->family, fi->orig_h);
}

static bool ends_cover(const struct site_end *ends, int n, const struct finding *fi, bool orig)
{
	int i;

	if (n == 0)
		return true;
	for (i = 0; i < n; i++)
		if (end_covers(&ends[i], fi, orig))
			return true;
	return false;
}

static bool accept_covers(const struct site_accept *a, const struct finding *fi)
{
	uint8_t bit = fi->proto == PROTO_TCP ? RULE_TCP : fi->proto == PROTO_UDP ? RULE_UDP : RULE_ICMP;
	int k;

	if ((a->kind >= 0 && a->kind != (int)fi->kind) || (a->protos && !(a->protos & bit)))
		return false;
	if (a->nports) {
		for (k = 0; k < a->nports && (fi->port < a->ports[k].lo || fi->port > a->ports[k].hi); k++)
			;
		if (k == a->nports)
			return false;
	}
	return ends_cover(a->from, a->nfrom, fi, true) && ends_cover(a->to, a->nto, fi, false);
}

/* An entry past its 'until' day accepts nothing. */
static bool accept_expired(const struct findings *fd, const struct site_accept *a)
{
	return a->until_us && fd->today_us >= a->until_us;
}

/* The first of the site's accept entries, not expired, that covers the finding accepts it. */
static void accept_finding(struct findings *fd, struct finding *fi)
{
	int i;

	fi->accepted = false;
	for (i = 0; fd->site && i < fd->site->naccepts; i++) {
		const struct site_accept *a = &fd->site->accepts[i];

		if (accept_expired(fd, a) || !accept_covers(a, fi))
			continue;
		fi->accepted = true;
		fi->accept_index = i;
		fd->accept_used[i]++;
		return;
	}
}

enum accept_status findings_accept_status(const struct findings *fd, int i, uint64_t *findings)
{
	const struct site_accept *a = &fd->site->accepts[i];

	*findings = fd->accept_used[i];
	if (accept_expired(fd, a))
		return ACCEPT_EXPIRED;
	return fd->accept_used[i] ? ACCEPT_USED : ACCEPT_UNUSED;
}

void findings_set_today(struct findings *fd, int64_t now_us)
{
	fd->today_us = now_us;
}

uint64_t findings_accepted(const struct findings *fd)
{
	return fd->accepted;
}

/*
 * Most serious first, then most flows. A total order (the rest of the group
 * key, then the id, break ties): the list is built in the order flows came,
 * which differs from run to run with --workers.
 */
static int finding_cmp(const void *a, const void *b)
{
	const struct finding *x = *(const struct finding *const *)a, *y = *(const struct finding *const *)b;
	int c;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->rule != y->rule)
		return x->rule - y->rule;
	if (x->port != y->port)
		return (int)x->port - (int)y->port;
	if ((c = memcmp(x->orig_h, y->orig_h, 16)))
		return c;
	if ((c = memcmp(x->resp_h, y->resp_h, 16)))
		return c;
	if (x->proto != y->proto)
		return (int)x->proto - (int)y->proto;
	if (x->family != y->family)
		return (int)x->family - (int)y->family;
	if (x->orig_role != y->orig_role)
		return x->orig_role < y->orig_role ? -1 : 1;
	if (x->resp_role != y->resp_role)
		return x->resp_role < y->resp_role ? -1 : 1;
	if (x->reason != y->reason)
		return (int)x->reason - (int)y->reason;
	if (x->why != y->why)
		return (int)x->why - (int)y->why;
	if ((c = strcmp(x->id, y->id)))
		return c;
	return strcmp(x->note, y->note);
}

/*
 * Repeatable (a live audit reports many times): the derived findings of a
 * previous call are dropped and worked out again, and the sorted view is
 * an array of pointers, so the aggregation's indices into the list stay valid.
 */
int findings_pair_cmp(const struct finding_pair *x, const struct finding_pair *y)
{
	int c;

	if (x->flows != y->flows)
		return x->flows < y->flows ? 1 : -1;
	if ((c = memcmp(x->orig_h, y->orig_h, 16)))
		return c;
	if ((c = memcmp(x->resp_h, y->resp_h, 16)))
		return c;
	return (int)x->family - (int)y->family;
}

static int cmp_pair(const void *a, const void *b)
{
	return findings_pair_cmp(a, b);
}

/* Each flow finding's host pairs, most flows first, the top FINDING_TOP_PAIRS kept. */
static void gather_pairs(struct findings *fd)
{
	struct finding_pair_entry *e, *t;
	int i, *fill = xcalloc((size_t)fd->nflow_findings + 1, sizeof(*fill));

	for (i = 0; i < fd->nflow_findings; i++) {
		struct finding *fi = findings_at(fd, i);

		free(fi->pairs);
		fi->pairs = NULL;
		fi->npairs = 0;
	}
	for (i = 0; i < fd->nflow_findings; i++) {
		struct finding *fi = findings_at(fd, i);

		fi->pairs = xcalloc(fi->hosts ? fi->hosts : 1, sizeof(*fi->pairs));
	}
	HASH_ITER(hh, fd->fpairs, e, t) {
		struct finding *fi = findings_at(fd, e->key.finding);
		struct finding_pair *p;

		if (e->key.finding >= fd->nflow_findings || (uint64_t)fill[e->key.finding] >= fi->hosts)
			continue;
		p = &fi->pairs[fill[e->key.finding]++];
		p->family = e->key.family;
		memcpy(p->orig_h, e->key.orig, 16);
		memcpy(p->resp_h, e->key.resp, 16);
		p->flows = e->flows;
		memcpy(p->uid, e->uid, sizeof(p->uid));
	}
	for (i = 0; i < fd->nflow_findings; i++) {
		struct finding *fi = findings_at(fd, i);

		fi->npairs = fill[i];
		qsort(fi->pairs, (size_t)fi->npairs, sizeof(*fi->pairs), cmp_pair);
		if (fi->npairs > FINDING_TOP_PAIRS)
			fi->npairs = FINDING_TOP_PAIRS;
	}
	free(fill);
}

void findings_finish(struct findings *fd, int64_t capture_first_us, int64_t capture_last_us)
{
	int i;

	drop_derived(fd);
	gather_pairs(fd);
	for (i = 0; i < fd->rs->nrules; i++)
		fd->stats[i].absent = -1;
	findings_find_missing(fd);
	findings_find_fallback(fd);
	findings_find_incomplete(fd);
	memset(fd->per_kind, 0, sizeof(fd->per_kind));
	free(fd->sorted);
	fd->sorted = fd->n ? xmalloc((size_t)fd->n * sizeof(*fd->sorted)) : NULL;
	if (fd->site)
		memset(fd->accept_used, 0, (size_t)fd->site->naccepts * sizeof(*fd->accept_used));
	fd->accepted = 0;
	for (i = 0; i < fd->n; i++) {
		struct finding *fi = findings_at(fd, i);

		/*
		 * A flow finding outlives a findings_finish: the note an earlier
		 * rating gave it goes (rate writes one only when it lowers the
		 * confidence). Derived findings are new, with the note they were made with.
		 */
		if (i < fd->nflow_findings)
			fi->note[0] = '\0';
		rate(fd, fi, fd->covered_us >= 0 ? fd->covered_us : capture_last_us - capture_first_us);
		accept_finding(fd, fi);
		if (fi->accepted)
			fd->accepted++;
		else
			fd->per_kind[fi->kind]++;
		fd->sorted[i] = fi;
	}
	if (fd->n > 1)
		qsort(fd->sorted, (size_t)fd->n, sizeof(*fd->sorted), finding_cmp);
	findings_roles_finish(fd);
}

void findings_set_drops(struct findings *fd, uint64_t drops)
{
	fd->drops = drops;
}

void findings_set_health(struct findings *fd, const struct capture_health *health)
{
	fd->health = health;
}

const struct finding *const *findings_list(const struct findings *fd, int *n)
{
	*n = fd->sorted ? fd->n : 0;
	return fd->sorted;
}

const struct rule_stats *findings_rule_stats(const struct findings *fd)
{
	return fd->stats;
}

uint64_t findings_count(const struct findings *fd, enum finding_kind k)
{
	return (unsigned)k < FK_COUNT ? fd->per_kind[k] : 0;
}

uint64_t findings_tls_hidden(const struct findings *fd)
{
	return fd->tls_hidden;
}

uint64_t findings_untracked(const struct findings *fd)
{
	return fd->untracked;
}

uint64_t findings_dropped(const struct findings *fd)
{
	return fd->dropped;
}

void findings_free(struct findings *fd)
{
	struct agg_entry *a, *at;
	struct edt_entry *e, *et;
	struct group_entry *g, *gt;
	struct pair_entry *pe, *pt;
	int i;

	if (!fd)
		return;
	HASH_ITER(hh, fd->agg, a, at) {
		HASH_DEL(fd->agg, a);
		free(a);
	}
	HASH_ITER(hh, fd->edt, e, et) {
		HASH_DEL(fd->edt, e);
		free(e->first);
		free(e);
	}
	HASH_ITER(hh, fd->groups, g, gt) {
		HASH_DEL(fd->groups, g);
		free(g->first);
		free(g);
	}
	oaindex_free(&fd->edt_ix);
	oaindex_free(&fd->groups_ix);
	oaindex_free(&fd->pairs_ix);
	HASH_ITER(hh, fd->pairs, pe, pt) {
		HASH_DEL(fd->pairs, pe);
		free(pe);
	}
	{
		struct finding_pair_entry *fp, *ft;

		oaindex_free(&fd->fpairs_ix);
		HASH_ITER(hh, fd->fpairs, fp, ft) {
			HASH_DEL(fd->fpairs, fp);
			free(fp);
		}
		for (i = 0; i < fd->n; i++)
			free(findings_at(fd, i)->pairs);
	}
	free(fd->sorted);
	findings_roles_free(fd);
	for (i = 0; i < fd->rs->nrules; i++)
		findings_set_free(&fd->rule_origs[i]);
	for (i = 0; i < fd->rs->nroles; i++)
		findings_set_free(&fd->role_hosts[i]);
	free(fd->rule_origs);
	free(fd->role_hosts);
	free(fd->stats);
	free(fd->accept_used);
	free(fd->matched);
	free(fd->group_of);
	free(fd->edt_ports);
	for (i = 0; i < (int)(sizeof(fd->chunk) / sizeof(fd->chunk[0])); i++)
		free(fd->chunk[i]);
	free(fd);
}

const char *findings_kind_name(enum finding_kind k)
{
	return (unsigned)k < FK_COUNT ? kind_names[k] : "unknown";
}

int findings_kind_parse(const char *name)
{
	int k;

	for (k = 0; k < FK_COUNT; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	return -1;
}

const char *findings_confidence_name(enum confidence c)
{
	return (unsigned)c <= CONF_LOW ? confidence_names[c] : "unknown";
}
