/* findings_derived: the findings only the whole capture shows — missing, fallback, incomplete */
#include <stdio.h>
#include <string.h>

#include "findings_internal.h"

static bool role_defined(const struct site *s, int role)
{
	int i;

	if (role == ROLE_ANY)
		return true;
	for (i = 0; i < s->nprefixes; i++)
		if (s->prefixes[i].role == role)
			return true;
	return false;
}

static bool some_role_defined(const struct site *s, const int *roles, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (role_defined(s, roles[i]))
			return true;
	return false;
}

/* A rule can be missing only when the site defines one of its 'from' and one of its 'to' roles. */
static bool rule_judgeable(const struct findings *fd, const struct rule *ru)
{
	if (fd->site->matrix_on && !fd->site->matrix_on[ru->matrix])
		return false;
	return some_role_defined(fd->site, ru->from, ru->nfrom) && some_role_defined(fd->site, ru->to, ru->nto);
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
	int r;

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
}

void findings_find_fallback(struct findings *fd)
{
	struct edt_entry *e, *tmp;

	HASH_ITER(hh, fd->edt, e, tmp) {
		struct finding *fi;

		if (!e->tcp_ok || !e->udp_blocked || !(fi = findings_new_entry(fd)))
			continue;
		findings_example_from(fd, fi, e->example_finding, e->example);
		fi->kind = FK_FALLBACK;
		fi->rule = e->udp_rule;
		fi->count = e->udp_flows;
		fi->first_us = e->first_us;
		fi->last_us = e->last_us;
		snprintf(fi->note, sizeof(fi->note), "EDT over UDP %u failed (%s) while TCP %u worked between the same hosts",
			 e->key.port, reason_name(fi->example_class.reason), e->key.port);
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

void findings_find_incomplete(struct findings *fd)
{
	struct group_entry *e, *tmp;

	HASH_ITER(hh, fd->groups, e, tmp) {
		char ok[64], bad[64];
		struct finding *fi;

		if (!e->nok || !e->nblocked || !(fi = findings_new_entry(fd)))
			continue;
		findings_example_from(fd, fi, e->example_finding, e->example);
		fi->kind = FK_INCOMPLETE;
		fi->rule = e->blocked[0];
		fi->count = (uint64_t)e->nblocked;
		fi->first_us = e->first_us;
		fi->last_us = e->last_us;
		rule_ids(fd, e->ok, e->nok, ok, sizeof(ok));
		rule_ids(fd, e->blocked, e->nblocked, bad, sizeof(bad));
		snprintf(fi->note, sizeof(fi->note), "group %s: %s worked, %s blocked",
			 fd->rs->rules[e->blocked[0]].group, ok, bad);
	}
}
