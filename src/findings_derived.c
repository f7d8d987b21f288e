/* findings_derived: the findings only the whole capture shows — missing, fallback, incomplete */
#include <stdio.h>
#include <string.h>

#include "findings_internal.h"

/* A rule can be missing only when the site defines one of its 'from' and one of its 'to' roles. */
static bool rule_judgeable(const struct findings *fd, const struct rule *ru)
{
	if (fd->site->matrix_on && !fd->site->matrix_on[ru->matrix])
		return false;
	return site_defines_any(fd->site, ru->from, ru->nfrom) && site_defines_any(fd->site, ru->to, ru->nto);
}

/* Did any host of these roles appear in the capture (in any flow, as either end)? */
static bool some_role_seen(const struct findings *fd, const int *roles, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (roles[i] == ROLE_ANY ? fd->nflows_seen > 0 : roles[i] >= 0 && HASH_COUNT(fd->role_hosts[roles[i]].hash))
			return true;
	return false;
}

static enum visibility rule_visibility(const struct findings *fd, const struct rule *ru)
{
	bool from = some_role_seen(fd, ru->from, ru->nfrom), to = some_role_seen(fd, ru->to, ru->nto);

	return from && to ? VIS_BOTH : from ? VIS_FROM_ONLY : to ? VIS_TO_ONLY : VIS_NONE;
}

static struct finding *missing_new(struct findings *fd, int r)
{
	const struct rule *ru = &fd->rs->rules[r];
	struct finding *fi = findings_new_entry(fd);

	if (!fi)
		return NULL;
	fd->stats[r].absent = FK_MISSING;
	fi->kind = FK_MISSING;
	fi->visibility = VIS_BOTH;
	fi->rule = r;
	fi->orig_role = ru->nfrom ? ru->from[0] : ROLE_NONE;
	fi->resp_role = ru->nto ? ru->to[0] : ROLE_NONE;
	fi->proto = ru->protos & RULE_TCP ? PROTO_TCP : ru->protos & RULE_UDP ? PROTO_UDP : PROTO_ICMP;
	fi->port = ru->nports ? ru->ports[0].lo : 0;
	return fi;
}

/* expect: each — every listed single address and every seen address of each 'from' role. */
static void missing_each(struct findings *fd, int r)
{
	const struct rule *ru = &fd->rs->rules[r];
	const struct site *s = fd->site;
	struct host_set hosts = { 0 };
	struct host_entry *e, *tmp;
	int i, k;

	for (k = 0; k < ru->nfrom; k++) {
		for (i = 0; i < s->nprefixes; i++)
			if (s->prefixes[i].role == ru->from[k] &&
			    s->prefixes[i].len == (s->prefixes[i].family == 6 ? 128 : 32))
				findings_set_add(&hosts, s->prefixes[i].family, s->prefixes[i].addr);
		if (ru->from[k] >= 0)
			HASH_ITER(hh, fd->role_hosts[ru->from[k]].hash, e, tmp)
				findings_set_add(&hosts, e->key.family, e->key.addr);
	}
	HASH_ITER(hh, hosts.hash, e, tmp) {
		struct finding *fi;

		if (findings_set_has(&fd->rule_origs[r], e->key.family, e->key.addr) || !(fi = missing_new(fd, r)))
			continue;
		fi->visibility = rule_visibility(fd, ru);
		fi->has_host = true;
		fi->family = e->key.family;
		memcpy(fi->orig_h, e->key.addr, 16);
	}
	findings_set_free(&hosts);
}

void findings_find_missing(struct findings *fd)
{
	int r, i, from = fd->n;

	if (!fd->site)
		return;
	for (r = 0; r < fd->rs->nrules; r++) {
		const struct rule *ru = &fd->rs->rules[r];

		if (ru->action != ACTION_ALLOW || ru->expect == EXPECT_OPTIONAL || !rule_judgeable(fd, ru))
			continue;
		/*
		 * Nothing of either end in the capture: the capture point does not
		 * see this path, which says nothing of whether it works.
		 */
		if (rule_visibility(fd, ru) == VIS_NONE && fd->matched[r] == 0) {
			struct finding *fi = missing_new(fd, r);

			if (fi) {
				fi->kind = FK_NOT_VISIBLE;
				fi->visibility = VIS_NONE;
				fd->stats[r].absent = FK_NOT_VISIBLE;
			}
			continue;
		}
		if (ru->expect == EXPECT_ANY) {
			struct finding *fi = fd->matched[r] == 0 ? missing_new(fd, r) : NULL;

			if (fi)
				fi->visibility = rule_visibility(fd, ru);
		} else {
			missing_each(fd, r);
		}
	}
	for (i = from; i < fd->n; i++) {	/* ids: the rule, and for expect: each the silent host */
		struct finding *fi = findings_at(fd, i);

		findings_group_id(fd, fi->id, fi->kind, fi->rule, fi->orig_role, fi->resp_role, fi->proto, fi->port, NULL,
				  fi->family, fi->has_host ? fi->orig_h : NULL);
	}
}

/*
 * The derived finding with this id made in this findings_finish, or a new one
 * (NULL when the list is full). Few groups: a linear look is enough.
 */
static struct finding *derived_group(struct findings *fd, const char *id, int from, bool *fresh)
{
	struct finding *fi;
	int i;

	for (i = from; i < fd->n; i++)
		if (!strcmp(findings_at(fd, i)->id, id)) {
			*fresh = false;
			return findings_at(fd, i);
		}
	*fresh = true;
	if (!(fi = findings_new_entry(fd)))
		return NULL;
	snprintf(fi->id, sizeof(fi->id), "%s", id);
	fi->pairs = xcalloc(FINDING_TOP_PAIRS, sizeof(*fi->pairs));
	return fi;
}

/* One more host pair of a derived group: counted, and kept when it is among the most flows. */
static void derived_pair(struct finding *fi, uint8_t family, const uint8_t *a, const uint8_t *b, uint64_t flows,
			 const char *uid)
{
	struct finding_pair *p;
	int k;

	fi->hosts++;
	if (fi->npairs == FINDING_TOP_PAIRS && fi->pairs[fi->npairs - 1].flows >= flows)
		return;
	k = fi->npairs < FINDING_TOP_PAIRS ? fi->npairs++ : FINDING_TOP_PAIRS - 1;
	while (k > 0 && fi->pairs[k - 1].flows < flows) {
		fi->pairs[k] = fi->pairs[k - 1];
		k--;
	}
	p = &fi->pairs[k];
	p->family = family;
	memcpy(p->orig_h, a, 16);
	memcpy(p->resp_h, b, 16);
	p->flows = flows;
	memcpy(p->uid, uid, sizeof(p->uid));
}

/* A fallback or incomplete names the blocked finding its blocked flow joined, once. */
static void derived_related(struct findings *fd, struct finding *fi, int example_finding)
{
	const char *id;
	int i;

	if (example_finding < 0)
		return;
	id = findings_at(fd, example_finding)->id;
	for (i = 0; i < fi->nrelated; i++)
		if (!strcmp(fi->related[i], id))
			return;
	if (fi->nrelated < FINDING_MAX_RELATED)
		snprintf(fi->related[fi->nrelated++], FINDING_ID_LEN, "%s", id);
}

/* One host pair's entry joins its derived group: its flows, its time window, its pair, its blocked finding. */
static void derived_join(struct findings *fd, struct finding *fi, const struct agg_key *k, uint64_t flows,
			 int64_t first_us, int64_t last_us, const char *uid, int example_finding)
{
	fi->count += flows;
	if (first_us < fi->first_us)
		fi->first_us = first_us;
	if (last_us > fi->last_us)
		fi->last_us = last_us;
	derived_pair(fi, k->family, k->orig, k->resp, flows, uid);
	derived_related(fd, fi, example_finding);
}

/* One fallback per (EDT rule, roles, port) — port-only: per responder — over every host pair where it happened. */
void findings_find_fallback(struct findings *fd)
{
	struct edt_entry *e, *tmp;
	int from = fd->n;

	HASH_ITER(hh, fd->edt, e, tmp) {
		char id[FINDING_ID_LEN];
		struct finding *fi;
		bool fresh;

		if (!e->tcp_ok || !e->udp_blocked)
			continue;
		findings_group_id(fd, id, FK_FALLBACK, e->udp_rule, e->orig_role, e->resp_role, PROTO_UDP, e->key.port,
				  NULL, e->key.family, fd->site ? NULL : e->key.resp);
		if (!(fi = derived_group(fd, id, from, &fresh)))
			continue;
		if (fresh) {
			findings_example_from(fd, fi, e->example_finding, e->example);
			fi->kind = FK_FALLBACK;
			fi->rule = e->udp_rule;
			fi->first_us = e->first_us;
			fi->last_us = e->last_us;
			snprintf(fi->note, sizeof(fi->note),
				 "EDT over UDP %u failed (%s) while TCP %u worked between the same hosts", e->key.port,
				 reason_name(fi->example_class.reason), e->key.port);
		}
		derived_join(fd, fi, &e->key, e->udp_flows, e->first_us, e->last_us, e->uid, e->example_finding);
	}
}

static void rule_ids(const struct findings *fd, const int *rules, int n, char *out, size_t len)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		int w = snprintf(out + used, len - used, "%s%s", i ? ", " : "", fd->rs->rules[rules[i]].id);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* One incomplete per (group, failing rules, roles) over every host pair where the group only partly worked. */
void findings_find_incomplete(struct findings *fd)
{
	struct group_entry *e, *tmp;
	int from = fd->n;

	HASH_ITER(hh, fd->groups, e, tmp) {
		char ok[64], bad[64], id[FINDING_ID_LEN];
		struct finding *fi;
		bool fresh;

		if (!e->nok || !e->nblocked)
			continue;
		rule_ids(fd, e->ok, e->nok, ok, sizeof(ok));
		rule_ids(fd, e->blocked, e->nblocked, bad, sizeof(bad));
		findings_group_id(fd, id, FK_INCOMPLETE, e->blocked[0], e->orig_role, e->resp_role, 0, 0, bad,
				  e->key.family, fd->site ? NULL : e->key.resp);
		if (!(fi = derived_group(fd, id, from, &fresh)))
			continue;
		if (fresh) {
			findings_example_from(fd, fi, e->example_finding, e->example);
			fi->kind = FK_INCOMPLETE;
			fi->rule = e->blocked[0];
			fi->first_us = e->first_us;
			fi->last_us = e->last_us;
			snprintf(fi->note, sizeof(fi->note), "group %s: %s worked, %s blocked",
				 fd->rs->rules[e->blocked[0]].group, ok, bad);
		}
		derived_join(fd, fi, &e->key, e->blocked_flows, e->first_us, e->last_us, e->uid, e->example_finding);
	}
}
