/* findings_roles: flows by source role, destination role and rule, for the role matrix of the HTML report */
#include "findings.h"

#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "xalloc.h"

/*
 * One entry per (source role, destination role, deciding rule) seen: small
 * (roles and rules are few), bounded by FINDINGS_MAX_ROLE_PAIRS; flows
 * beyond it are left out of the matrix (the findings still have them).
 */
void findings_roles_add(struct findings *fd, const struct classification *cl, int finding)
{
	struct role_pair_entry *e;
	struct role_pair_stats *st;
	int key[3] = { cl->orig_role, cl->resp_role, cl->rule };

	HASH_FIND(hh, fd->role_index, key, sizeof(key), e);
	if (!e) {
		if (fd->nrole_pairs >= FINDINGS_MAX_ROLE_PAIRS)
			return;
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
		memcpy(e->key, key, sizeof(key));
		e->index = fd->nrole_pairs++;
		HASH_ADD(hh, fd->role_index, key, sizeof(e->key), e);
	}
	st = &fd->role_pairs[e->index];
	st->flows[cl->verdict]++;
	findings_count_wire(st->wire, cl->wire);
	if (finding >= 0 && (st->example < 0 || verdict_severity(cl->verdict) >
						   verdict_severity(findings_at(fd, st->example)->example_class.verdict)))
		st->example = finding;
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
