/* classify: a finished flow against the port matrix and the site -> verdict, reason, rule, roles */
#include "classify.h"

#include <stdlib.h>
#include <string.h>

#include "host_ttl.h"
#include "icmp_types.h"
#include "xalloc.h"

/*
 * The rules are indexed once: for TCP and UDP a compressed table from the
 * responder port to the rules listing it (start[port] .. start[port + 1]
 * in cand), for ICMP one list. A flow then costs one slice of candidates,
 * each checked for its roles, whatever the number of rules.
 */
enum { IDX_TCP = 0, IDX_UDP, IDX_COUNT };

struct port_index {
	uint32_t *start;	/* 65537 offsets into cand */
	int *cand;
};

struct classifier {
	const struct rule_set *rs;
	const struct site *site;
	int64_t pending_window_us;
	struct port_index idx[IDX_COUNT];
	int *icmp_rules;
	int nicmp;
	struct wire_policy *wire;
	const struct host_ttl *host_ttl;	/* or NULL: a RST answering a SYN stays plain 'rst' */
};

static bool rule_enabled(const struct classifier *c, int r)
{
	int m = c->rs->rules[r].matrix;

	if (!c->site)
		return !c->rs->matrices[m].common;	/* common practice needs roles: site mode only */
	return !c->site->matrix_on || c->site->matrix_on[m];
}

static void index_build(struct classifier *c, int which, uint8_t bit)
{
	struct port_index *ix = &c->idx[which];
	uint32_t *fill;
	int r, k;
	uint32_t p;

	ix->start = xcalloc(65537, sizeof(*ix->start));
	for (r = 0; r < c->rs->nrules; r++) {
		const struct rule *ru = &c->rs->rules[r];

		if (!(ru->protos & bit) || !rule_enabled(c, r))
			continue;
		for (k = 0; k < ru->nports; k++)
			for (p = ru->ports[k].lo; p <= ru->ports[k].hi; p++)
				ix->start[p + 1]++;
	}
	for (p = 1; p <= 65536; p++)
		ix->start[p] += ix->start[p - 1];
	ix->cand = xmalloc(((size_t)ix->start[65536] + 1) * sizeof(*ix->cand));
	fill = xmalloc(65536 * sizeof(*fill));
	memcpy(fill, ix->start, 65536 * sizeof(*fill));
	for (r = 0; r < c->rs->nrules; r++) {
		const struct rule *ru = &c->rs->rules[r];

		if (!(ru->protos & bit) || !rule_enabled(c, r))
			continue;
		for (k = 0; k < ru->nports; k++)
			for (p = ru->ports[k].lo; p <= ru->ports[k].hi; p++)
				ix->cand[fill[p]++] = r;
	}
	free(fill);
}

struct classifier *classify_new(const struct rule_set *rs, const struct site *site, int64_t pending_window_us)
{
	struct classifier *c = xcalloc(1, sizeof(*c));
	int r;

	c->rs = rs;
	c->site = site;
	c->pending_window_us = pending_window_us;
	index_build(c, IDX_TCP, RULE_TCP);
	index_build(c, IDX_UDP, RULE_UDP);
	c->icmp_rules = xmalloc(((size_t)rs->nrules + 1) * sizeof(int));
	for (r = 0; r < rs->nrules; r++)
		if ((rs->rules[r].protos & RULE_ICMP) && rule_enabled(c, r))
			c->icmp_rules[c->nicmp++] = r;
	c->wire = classify_wire_new(rs, site);
	return c;
}

void classify_set_host_ttl(struct classifier *c, const struct host_ttl *ht)
{
	c->host_ttl = ht;
}

/*
 * A RST answering a SYN: from the host itself (its TTL at the capture point
 * is the one its other packets have: nothing listens on the port) or from a
 * device in the path answering for it (a firewall's reject). R_RST when the
 * host sent nothing else to compare with.
 */
enum reason classify_rst_origin(const struct classifier *c, const struct flow *f, uint8_t *host_ttl)
{
	int m = host_ttl_matches(c->host_ttl, f->orig.family, f->orig.dst, f->first_ttl[1]);

	*host_ttl = m < 0 ? 0 : m ? f->first_ttl[1] : host_ttl_of(c->host_ttl, f->orig.family, f->orig.dst);
	return m < 0 ? R_RST : m ? R_RST_FROM_HOST : R_RST_FROM_PATH;
}

void classify_free(struct classifier *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < IDX_COUNT; i++) {
		free(c->idx[i].start);
		free(c->idx[i].cand);
	}
	free(c->icmp_rules);
	classify_wire_free(c->wire);
	free(c);
}

static bool has_letter(const struct flow *f, char letter)
{
	return strchr(f->hist.s, letter) != NULL;
}

static enum reason blocked_reason(const struct flow *f)
{
	if (f->icmp_error)
		return verdict_icmp_reason(f->icmp_family, f->icmp_type, f->icmp_code);
	return R_NO_REPLY;
}

/* TCP, from Zeek's conn_state and history (contract: "Blocked vs one-sided"). */
static enum verdict tcp_outcome(const struct flow *f, enum reason *reason)
{
	enum conn_state cs = flow_conn_state(f);

	if (f->side[1].pkts == 0 && (has_letter(f, 'A') || has_letter(f, 'D') || has_letter(f, 'F'))) {
		*reason = R_NO_RESPONDER_PACKETS;
		return V_ONE_SIDED;
	}
	switch (cs) {
	case CS_REJ:
		*reason = R_RST;
		return V_BLOCKED;
	case CS_S0:
	case CS_RSTOS0:
		*reason = blocked_reason(f);
		return V_BLOCKED;
	case CS_RSTO:
	case CS_RSTR:
		if (has_letter(f, 'F') && has_letter(f, 'f')) {
			*reason = R_ANSWERED;
			return V_OK;
		}
		/* The RST that ended it was not its sender's own (flow.h, FLOW_RST_*): forged, whoever it names. */
		if (f->rst & (FLOW_RST_TTL_ODD | FLOW_RST_IPID_ODD)) {
			*reason = R_MIDDLEBOX_RESET;
			return V_INTERRUPTED;
		}
		/*
		 * Zeek's way round: the originator ending an established connection
		 * with a RST is how monitors (a NetScaler TCP probe) and many
		 * clients (Windows, .NET after an HTTP exchange) close; the path
		 * worked. The responder aborting is an interruption.
		 */
		if (cs == CS_RSTO) {
			*reason = R_ORIG_RESET;
			return V_OK;
		}
		*reason = R_RESET_AFTER_ESTABLISHED;
		return V_INTERRUPTED;
	case CS_SH:
		*reason = R_NO_RESPONDER_PACKETS;
		return V_ONE_SIDED;
	case CS_RSTRH:
	case CS_SHR:
		*reason = R_NO_ORIGINATOR_PACKETS;
		return V_ONE_SIDED;
	default:	/* S1 SF S2 S3, and OTH with both sides seen */
		if (f->side[1].pkts == 0) {
			*reason = R_NO_RESPONDER_PACKETS;
			return V_ONE_SIDED;
		}
		*reason = R_ANSWERED;
		return V_OK;
	}
}

enum verdict classify_outcome(const struct flow *f, enum reason *reason)
{
	bool icmp = f->orig.proto == PROTO_ICMP || f->orig.proto == PROTO_ICMPV6;

	/* What a remote mirror sends the sensor is not traffic of the site: the frames inside it are. */
	if (f->tunnel_mirror) {
		*reason = R_MIRROR_TRANSPORT;
		return V_RELATED;
	}
	if (icmp && icmp_is_error(f->orig.proto, (uint8_t)f->orig.sport)) {
		*reason = verdict_icmp_reason(f->orig.family, f->orig.sport, f->orig.dport);
		return V_RELATED;
	}
	if (f->side[0].pkts == 0) {
		*reason = R_NO_ORIGINATOR_PACKETS;
		return V_ONE_SIDED;
	}
	if (f->orig.proto == PROTO_TCP)
		return tcp_outcome(f, reason);
	if (f->side[1].pkts == 0) {
		*reason = blocked_reason(f);
		return V_BLOCKED;
	}
	*reason = R_ANSWERED;
	return V_OK;
}

static bool role_in(const int *roles, int n, int role)
{
	int i;

	for (i = 0; i < n; i++)
		if (roles[i] == ROLE_ANY || (role != ROLE_NONE && roles[i] == role))
			return true;
	return false;
}

/* Port-only mode ignores roles; otherwise from/to must hold (either way round if bidirectional). */
static bool roles_match(const struct classifier *c, const struct rule *ru, int orig, int resp)
{
	if (!c->site)
		return true;
	if (role_in(ru->from, ru->nfrom, orig) && role_in(ru->to, ru->nto, resp))
		return true;
	return ru->bidirectional && role_in(ru->from, ru->nfrom, resp) && role_in(ru->to, ru->nto, orig);
}

/* The candidate rules for the flow's protocol and responder port. */
static const int *candidates(const struct classifier *c, const struct flow *f, int *n)
{
	const struct port_index *ix;

	switch (f->orig.proto) {
	case PROTO_TCP:
		ix = &c->idx[IDX_TCP];
		break;
	case PROTO_UDP:
		ix = &c->idx[IDX_UDP];
		break;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		*n = c->nicmp;
		return c->icmp_rules;
	default:
		*n = 0;
		return NULL;
	}
	*n = (int)(ix->start[f->orig.dport + 1] - ix->start[f->orig.dport]);
	return ix->cand + ix->start[f->orig.dport];
}

/*
 * When several allow rules match (the same port in several matrices, and in
 * port-only mode often), the audit's own subjects win: ICA/EDT, then
 * licensing and RAS, then brokering and gateways, then the rest.
 */
static int category_rank(enum rule_category cat)
{
	switch (cat) {
	case CAT_ICA_HDX:
	case CAT_EDT:
		return 0;
	case CAT_LICENSING:
	case CAT_RAS:
		return 1;
	case CAT_BROKER:
	case CAT_GATEWAY:
		return 2;
	case CAT_CLOUD:
		return 3;
	case CAT_DIRECTORY:
	case CAT_DATABASE:
	case CAT_PROVISIONING:
		return 4;
	default:
		return 5;
	}
}

/* Better category first; then a path the deployment expects over an optional one. */
static bool rule_better(const struct rule *a, const struct rule *b)
{
	int ra = category_rank(a->category), rb = category_rank(b->category);

	if (ra != rb)
		return ra < rb;
	return a->expect != EXPECT_OPTIONAL && b->expect == EXPECT_OPTIONAL;
}

/* The first deny rule that matches decides; else the best allow rule, first in load order. */
static void match_rules(const struct classifier *c, const struct flow *f, struct classification *out)
{
	int n, i, deny = -1;
	const int *cand = candidates(c, f, &n);

	out->rule = -1;
	for (i = 0; i < n; i++) {
		const struct rule *ru = &c->rs->rules[cand[i]];

		if (!roles_match(c, ru, out->orig_role, out->resp_role))
			continue;
		if (ru->action == ACTION_DENY) {
			if (deny < 0)
				deny = cand[i];
			continue;
		}
		if (out->rule < 0 || rule_better(ru, &c->rs->rules[out->rule]))
			out->rule = cand[i];
		if (out->nmatches < CLASSIFY_MAX_MATCHES)
			out->matches[out->nmatches++] = cand[i];
	}
	if (deny >= 0)
		out->rule = deny;
}

/* Unexpected and unmatched flows keep their outcome as answered / no-reply / rst / icmp-*. */
static enum reason plain_reason(enum verdict outcome, enum reason r)
{
	if (outcome == V_OK || outcome == V_INTERRUPTED)
		return R_ANSWERED;
	if (outcome == V_ONE_SIDED)
		return r == R_NO_ORIGINATOR_PACKETS ? R_ANSWERED : R_NO_REPLY;
	return r;
}

/*
 * Zeek's local_orig / local_resp: each end inside the site's scope, or -1
 * (unknown) without a scope; an end inside it puts the flow in scope.
 */
static void classify_local(const struct classifier *c, const struct flow *f, struct classification *out)
{
	out->local_orig = out->local_resp = -1;
	if (c->site && c->site->nscope) {
		out->local_orig = site_in_scope(c->site, f->orig.family, f->orig.src);
		out->local_resp = site_in_scope(c->site, f->orig.family, f->orig.dst);
	}
}

static bool in_scope(const struct classification *out)
{
	return out->local_orig == 1 || out->local_resp == 1;
}

/*
 * A unicast address of a host: not multicast (224/4, ff00::/8), not the
 * limited broadcast or the reserved 240/4, not unspecified (0.0.0.0, ::).
 */
static bool addr_unicast(uint8_t family, const uint8_t *a)
{
	static const uint8_t zero[16];

	if (family == 4)
		return a[0] < 224 && memcmp(a, zero, 4) != 0;
	return a[0] != 0xff && memcmp(a, zero, 16) != 0;
}

/*
 * ICMP that keeps the link working, not a path anyone opens: ICMPv6
 * MLD (130-132, 143), router and neighbour discovery and redirect
 * (133-137; RFC 4861), ICMPv4 router advertisement and solicitation (9, 10).
 */
static bool icmp_link_control(const struct flow *f)
{
	uint16_t type = f->orig.sport;

	if (f->orig.proto == PROTO_ICMPV6)
		return (type >= 130 && type <= 137) || type == 143;
	return f->orig.proto == PROTO_ICMP && (type == 9 || type == 10);
}

static void classify_ports(const struct classifier *c, const struct flow *f, int64_t now_us,
			   struct classification *out)
{
	enum reason r = R_NONE;
	enum verdict outcome = classify_outcome(f, &r);

	memset(out, 0, sizeof(*out));
	out->rule = -1;
	classify_local(c, f, out);
	out->orig_role = c->site ? site_role_of(c->site, f->orig.family, f->orig.src) : ROLE_NONE;
	out->resp_role = c->site ? site_role_of(c->site, f->orig.family, f->orig.dst) : ROLE_NONE;
	out->reason = r;
	if (r == R_MIDDLEBOX_RESET)
		out->wire = WF_MIDDLEBOX_RESET;	/* kept when the verdict's reason becomes 'answered' */
	if (outcome == V_RELATED) {
		out->verdict = V_RELATED;
		return;
	}
	/*
	 * Rules name TCP, UDP and ICMP; another IP protocol (GRE, ESP, OSPF,
	 * VRRP, IGMP, a tunnel's outer flow) is logged, never judged: on a LAN
	 * most of it is the network's own, and no rule could say otherwise.
	 * So is the link's housekeeping (neighbour and router discovery, MLD)
	 * and what goes to a group or to everyone (multicast, broadcast: by
	 * address, or, for a subnet's broadcast, by the Ethernet destination) or
	 * comes from a host without an address yet: no answer is due to it,
	 * and 'no reply' there is how it works, not a blocked path.
	 */
	if ((f->orig.proto != PROTO_TCP && f->orig.proto != PROTO_UDP && f->orig.proto != PROTO_ICMP &&
	     f->orig.proto != PROTO_ICMPV6) ||
	    icmp_link_control(f) || f->to_group || !addr_unicast(f->orig.family, f->orig.dst) ||
	    !addr_unicast(f->orig.family, f->orig.src)) {
		out->verdict = V_UNMATCHED;
		return;
	}
	match_rules(c, f, out);
	if (out->rule >= 0 && c->rs->rules[out->rule].action == ACTION_ALLOW) {
		out->verdict = outcome;
		if (outcome == V_BLOCKED && r == R_NO_REPLY && c->rs->rules[out->rule].one_way) {
			out->verdict = V_OK;
			out->reason = R_ONE_WAY;
			return;
		}
		if (outcome == V_BLOCKED && r == R_RST && f->orig.proto == PROTO_TCP)
			out->reason = classify_rst_origin(c, f, &out->rst_host_ttl);
		/*
		 * Only the end of the capture cuts a wait short, and only for a
		 * first attempt: a flow that ended before had its chance, and an
		 * opening already sent again had its answer's time.
		 */
		if (outcome == V_BLOCKED && r == R_NO_REPLY && f->end == FLOW_END_CAPTURE && f->side[0].pkts == 1 &&
		    now_us - f->first_us < c->pending_window_us)
			out->verdict = V_PENDING;
		return;
	}
	out->reason = plain_reason(outcome, r);
	out->verdict = out->rule >= 0 || in_scope(out) ? V_UNEXPECTED : V_UNMATCHED;
}

void classify_flow(const struct classifier *c, const struct flow *f, int64_t now_us, struct classification *out)
{
	classify_ports(c, f, now_us, out);
	if (out->verdict != V_RELATED)
		classify_wire(c->wire, c->rs, f, out);
}
