/* findings_roles: flows by source role, destination role and rule, for the role matrix of the HTML report */
#include "findings.h"

#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "xalloc.h"

/* The cell (orig_role, resp_role, rule), new or old; NULL when the matrix is full. */
static struct role_pair_entry *role_cell(struct findings *fd, const int key[3])
{
	struct role_pair_entry *e;
	struct role_pair_stats *st;

	HASH_FIND(hh, fd->role_index, key, 3 * sizeof(int), e);
	if (e)
		return e;
	if (fd->nrole_pairs >= FINDINGS_MAX_ROLE_PAIRS)
		return NULL;
	if (fd->nrole_pairs == fd->role_pairs_cap) {
		fd->role_pairs_cap = fd->role_pairs_cap ? 2 * fd->role_pairs_cap : 64;
		fd->role_pairs = xrealloc(fd->role_pairs, (size_t)fd->role_pairs_cap * sizeof(*fd->role_pairs));
	}
	st = &fd->role_pairs[fd->nrole_pairs];
	memset(st, 0, sizeof(*st));
	st->orig_role = key[0];
	st->resp_role = key[1];
	st->rule = key[2];
	st->example = -1;
	e = xcalloc(1, sizeof(*e));
	memcpy(e->key, key, sizeof(e->key));
	e->index = fd->nrole_pairs++;
	HASH_ADD(hh, fd->role_index, key, sizeof(e->key), e);
	return e;
}

/*
 * A flow's finding offered as the cell's example: that of the worst flows,
 * and among equally bad ones that of the least by flow_order_cmp, so that
 * the choice does not depend on the order flows came in (or on which worker
 * saw them). Equal flows (never, in practice) fall back on the group key.
 */
static void offer_example(struct findings *fd, struct role_pair_entry *e, int severity, const struct flow_rank *rank,
			  const struct group_key *key)
{
	int c;

	if (e->has_best) {
		if (severity != e->best_severity) {
			if (severity < e->best_severity)
				return;
		} else if ((c = findings_rank_cmp(rank, &e->best_rank)) > 0 ||
			   (c == 0 && memcmp(key, &e->best, sizeof(*key)) >= 0)) {
			return;
		}
	}
	e->has_best = true;
	e->best_severity = severity;
	e->best_rank = *rank;
	e->best = *key;
	fd->role_pairs[e->index].example = findings_index_of(fd, key);
}

/*
 * One entry per (source role, destination role, deciding rule) seen: small
 * (roles and rules are few), bounded by FINDINGS_MAX_ROLE_PAIRS; flows
 * beyond it are left out of the matrix (the findings still have them).
 */
void findings_roles_add(struct findings *fd, const struct flow *f, const struct classification *cl, int finding,
			const struct group_key *key)
{
	int k[3] = { cl->orig_role, cl->resp_role, cl->rule };
	struct role_pair_entry *e = role_cell(fd, k);
	struct role_pair_stats *st;

	if (!e)
		return;
	st = &fd->role_pairs[e->index];
	st->flows[cl->verdict]++;
	findings_count_wire(st->wire, cl->wire);
	if (finding >= 0) {
		struct flow_rank rank;

		findings_rank_of(&rank, f);
		offer_example(fd, e, verdict_severity(cl->verdict), &rank, key);
	}
}

void findings_roles_merge(struct findings *dst, const struct findings *src)
{
	int i, v;

	for (i = 0; i < src->nrole_pairs; i++) {
		const struct role_pair_stats *s = &src->role_pairs[i];
		int k[3] = { s->orig_role, s->resp_role, s->rule };
		struct role_pair_entry *se, *e = role_cell(dst, k);
		struct role_pair_stats *st;

		if (!e)
			continue;
		st = &dst->role_pairs[e->index];
		for (v = 0; v < V_COUNT; v++)
			st->flows[v] += s->flows[v];
		for (v = 0; v < WIRE_KINDS; v++)
			st->wire[v] += s->wire[v];
		HASH_FIND(hh, src->role_index, k, sizeof(k), se);
		/* dst may not have taken the finding (its list was full): then it is no example */
		if (se && se->has_best && findings_index_of(dst, &se->best) >= 0)
			offer_example(dst, e, se->best_severity, &se->best_rank, &se->best);
	}
}

static int cell_cmp(const void *a, const void *b)
{
	const struct role_pair_stats *x = a, *y = b;

	if (x->orig_role != y->orig_role)
		return x->orig_role < y->orig_role ? -1 : 1;
	if (x->resp_role != y->resp_role)
		return x->resp_role < y->resp_role ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * The cells are made in the order flows come: sorted here, so that the CSV's
 * rows and the matrix do not depend on it. The index then points each entry
 * at its cell again, and the example at its finding's index.
 */
void findings_roles_finish(struct findings *fd)
{
	struct role_pair_entry *e;
	int i;

	if (fd->nrole_pairs > 1)
		qsort(fd->role_pairs, (size_t)fd->nrole_pairs, sizeof(*fd->role_pairs), cell_cmp);
	for (i = 0; i < fd->nrole_pairs; i++) {
		struct role_pair_stats *st = &fd->role_pairs[i];
		int k[3] = { st->orig_role, st->resp_role, st->rule };

		HASH_FIND(hh, fd->role_index, k, sizeof(k), e);
		e->index = i;
		st->example = e->has_best ? findings_index_of(fd, &e->best) : -1;
	}
}

const struct role_pair_stats *findings_role_pairs(const struct findings *fd, int *n)
{
	*n = fd->nrole_pairs;
	return fd->role_pairs;
}

const struct finding *findings_get(const struct findings *fd, int i)
{
	return findings_at(fd, i);
}

void findings_roles_free(struct findings *fd)
{
	struct role_pair_entry *e, *t;

	HASH_ITER(hh, fd->role_index, e, t) {
		HASH_DEL(fd->role_index, e);
		free(e);
	}
	free(fd->role_pairs);
}
