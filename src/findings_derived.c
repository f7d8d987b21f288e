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

/*
 * One more host pair of a derived group: counted, and kept when it is among
 * the most flows. Ties are broken by address (findings_pair_cmp), so the
 * pairs kept do not depend on the order the hash table gives the entries in.
 */
static void derived_pair(struct finding *fi, uint8_t family, const uint8_t *a, const uint8_t *b, uint64_t flows,
			 const char *uid)
{
	struct finding_pair p;
	int k;

	fi->hosts++;
	memset(&p, 0, sizeof(p));
	p.family = family;
	memcpy(p.orig_h, a, 16);
	memcpy(p.resp_h, b, 16);
	p.flows = flows;
	memcpy(p.uid, uid, sizeof(p.uid));
	if (fi->npairs == FINDING_TOP_PAIRS && findings_pair_cmp(&fi->pairs[fi->npairs - 1], &p) <= 0)
		return;
	k = fi->npairs < FINDING_TOP_PAIRS ? fi->npairs++ : FINDING_TOP_PAIRS - 1;
	while (k > 0 && findings_pair_cmp(&fi->pairs[k - 1], &p) > 0) {
		fi->pairs[k] = fi->pairs[k - 1];
		k--;
	}
	fi->pairs[k] = p;
}

/*
 * A fallback or incomplete names the blocked findings its pairs' first
 * blocked flows joined, once each: in id order, the least
 * FINDING_MAX_RELATED when there are more, whatever the order entries come in.
 */
static void derived_related(struct findings *fd, struct finding *fi, int finding)
{
	const char *id;
	int i, k;

	if (finding < 0)
		return;
	id = findings_at(fd, finding)->id;
	for (i = 0; i < fi->nrelated && strcmp(fi->related[i], id) < 0; i++)
		;
	if ((i < fi->nrelated && !strcmp(fi->related[i], id)) || i == FINDING_MAX_RELATED)
		return;
	k = fi->nrelated < FINDING_MAX_RELATED ? fi->nrelated++ : FINDING_MAX_RELATED - 1;
	for (; k > i; k--)
		memcpy(fi->related[k], fi->related[k - 1], FINDING_ID_LEN);
	snprintf(fi->related[i], FINDING_ID_LEN, "%s", id);
}

/*
 * One host pair's entry joins its derived group: its flows, its time window,
 * its pair, its blocked finding. True when its first blocked flow is the
 * group's first so far (fresh: the group is new): then the caller makes it
 * the example and takes what the example decides.
 */
static bool derived_join(struct findings *fd, struct finding *fi, bool fresh, const struct agg_key *k, uint64_t flows,
			 int64_t first_us, int64_t last_us, const struct flow_example *first)
{
	bool least = fresh || flow_order_cmp(&first->flow, &fi->example) < 0;

	if (least)
		findings_example_into(fi, &first->flow, &first->cls);
	fi->count += flows;
	if (fresh || first_us < fi->first_us)
		fi->first_us = first_us;
	if (fresh || last_us > fi->last_us)
		fi->last_us = last_us;
	derived_pair(fi, k->family, k->orig, k->resp, flows, first->uid);
	derived_related(fd, fi, first->finding);
	return least;
}

/* One fallback per (EDT rule, roles, port) — port-only: per responder — over every host pair where it happened. */
void findings_find_fallback(struct findings *fd)
{
	struct edt_entry *e, *tmp;
	int from = fd->n;

	HASH_ITER(hh, fd->edt, e, tmp) {
		const struct classification *cl;
		char id[FINDING_ID_LEN];
		struct finding *fi;
		bool fresh;

		if (!e->tcp_ok || !e->first)
			continue;
		cl = &e->first->cls;
		findings_group_id(fd, id, FK_FALLBACK, cl->rule, cl->orig_role, cl->resp_role, PROTO_UDP, e->key.port,
				  NULL, e->key.family, fd->site ? NULL : e->key.resp);
		if (!(fi = derived_group(fd, id, from, &fresh)))
			continue;
		if (!derived_join(fd, fi, fresh, &e->key, e->udp_flows, e->first_us, e->last_us, e->first))
			continue;
		fi->kind = FK_FALLBACK;
		snprintf(fi->note, sizeof(fi->note),
			 "EDT over UDP %u failed (%s) while TCP %u worked between the same hosts", e->key.port,
			 reason_name(cl->reason), e->key.port);
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

		if (!e->nok || !e->nblocked || !e->first)
			continue;
		rule_ids(fd, e->ok, e->nok, ok, sizeof(ok));
		rule_ids(fd, e->blocked, e->nblocked, bad, sizeof(bad));
		findings_group_id(fd, id, FK_INCOMPLETE, e->blocked[0], e->first->cls.orig_role, e->first->cls.resp_role,
				  0, 0, bad, e->key.family, fd->site ? NULL : e->key.resp);
		if (!(fi = derived_group(fd, id, from, &fresh)))
			continue;
		if (!derived_join(fd, fi, fresh, &e->key, e->blocked_flows, e->first_us, e->last_us, e->first))
			continue;
		fi->kind = FK_INCOMPLETE;
		fi->rule = e->blocked[0];
		snprintf(fi->note, sizeof(fi->note), "group %s: %s worked, %s blocked", fd->rs->rules[e->blocked[0]].group,
			 ok, bad);
	}
}
