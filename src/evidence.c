/* evidence: the packets behind every finding, one pcapng per finding (evidence.h) */
#include "evidence.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>

#include "addr.h"
#include "decode.h"
#include "dedup.h"
#include "fasthash.h"	/* uthash's hash for the tables here */
#include "fragments.h"
#include "icmp_types.h"
#include "json.h"
#include "outfile.h"
#include "pcapng.h"
#include "report.h"
#include "rules.h"
#include "site.h"
#include "verdict.h"
#include "xalloc.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/* An ICMP error (or a later fragment) is looked for this long after the last packet of its flow. */
#define EVIDENCE_ICMP_AFTER_US (10 * 1000000LL)

/* ---- the live buffers' budget, shared by every worker ---- */

struct evidence_budget {
	uint64_t cap;
	_Atomic uint64_t used;
	_Atomic uint64_t peak;
	_Atomic uint64_t dropped_packets;
	_Atomic uint64_t dropped_flows;
};

struct evidence_budget *evidence_budget_new(uint64_t cap)
{
	struct evidence_budget *b = xcalloc(1, sizeof(*b));

	b->cap = cap;
	return b;
}

void evidence_budget_free(struct evidence_budget *b)
{
	free(b);
}

static bool budget_take(struct evidence_budget *b, uint64_t n)
{
	uint64_t now = atomic_fetch_add_explicit(&b->used, n, memory_order_relaxed) + n;
	uint64_t peak = atomic_load_explicit(&b->peak, memory_order_relaxed);

	if (now > b->cap) {
		atomic_fetch_sub_explicit(&b->used, n, memory_order_relaxed);
		return false;
	}
	while (now > peak && !atomic_compare_exchange_weak_explicit(&b->peak, &peak, now, memory_order_relaxed,
								    memory_order_relaxed))
		;
	return true;
}

static void budget_give(struct evidence_budget *b, uint64_t n)
{
	atomic_fetch_sub_explicit(&b->used, n, memory_order_relaxed);
}

/* ---- a flow's buffered packets ---- */

struct ev_pkt {
	int64_t ts_us;
	uint64_t seq;
	uint32_t caplen;
	uint32_t len;
	int dlt;
	bool icmp;		/* an ICMP error quoting the flow */
	uint8_t data[];
};

struct evidence_buf {
	struct evidence_budget *budget;
	int refs;			/* the flow, or the groups holding it */
	uint32_t nhead;
	uint64_t after;			/* packets past the head: the last EVIDENCE_TAIL of them are in tail */
	int nicmp;
	struct ev_pkt *head[EVIDENCE_HEAD_LIVE];
	struct ev_pkt *tail[EVIDENCE_TAIL];
	struct ev_pkt *icmp[EVIDENCE_ICMP_MAX];
};

static void pkt_free(struct evidence_budget *b, struct ev_pkt *p)
{
	if (!p)
		return;
	budget_give(b, sizeof(*p) + p->caplen);
	free(p);
}

static void buf_unref(struct evidence_buf *eb)
{
	uint32_t i;
	int k;

	if (!eb || --eb->refs > 0)
		return;
	for (i = 0; i < eb->nhead; i++)
		pkt_free(eb->budget, eb->head[i]);
	for (k = 0; k < EVIDENCE_TAIL; k++)
		pkt_free(eb->budget, eb->tail[k]);
	for (k = 0; k < eb->nicmp; k++)
		pkt_free(eb->budget, eb->icmp[k]);
	budget_give(eb->budget, sizeof(*eb));
	free(eb);
}

/* ---- the flows behind each finding ---- */

/* One flow of a finding: how to find its packets, and what decided its verdict (for the comments). */
struct ev_flow {
	struct tuple orig;
	uint16_t key_vlan;
	bool outer;			/* the outer connection of a tunnel: matched on the outer header */
	int64_t first_us;
	int64_t last_us;
	uint64_t pkts;			/* its packets as the audit counted them */
	char uid[FLOW_UID_LEN];
	uint8_t verdict;
	uint8_t reason;
	uint8_t wire;			/* WF_* */
	uint8_t wrong_why;
	uint8_t tls_why;
	uint8_t rst_host_ttl;
	uint8_t rst;			/* FLOW_RST_* */
	uint8_t first_ttl[2];
	struct evidence_buf *buf;	/* buffered: its packets (shared by the groups holding it) */
	/* while writing */
	uint64_t seen;			/* its own packets met so far */
	int nicmp;
	uint32_t syns;
	bool keep_last;			/* the last own packet was kept: a later fragment follows it */
	bool commented_first, commented_rst, commented_payload[2];
	int group;			/* writing: the index of its finding's file */
};

struct ev_group {
	char id[FINDING_ID_LEN];
	UT_hash_handle hh;
	int n, cap;
	struct ev_flow *flows;		/* the least by order, at most cfg.max_flows, least first */
};

struct evidence {
	struct evidence_config cfg;
	struct evidence_budget *budget;
	uint64_t uid_seed;
	struct ev_group *groups;
};

struct evidence *evidence_new(const struct evidence_config *cfg, struct evidence_budget *budget, uint64_t uid_seed)
{
	struct evidence *ev = xcalloc(1, sizeof(*ev));

	ev->cfg = *cfg;
	if (ev->cfg.max_flows < 1)
		ev->cfg.max_flows = EVIDENCE_FLOWS_DEFAULT;
	if (ev->cfg.max_packets < 1)
		ev->cfg.max_packets = EVIDENCE_PACKETS_DEFAULT;
	ev->budget = budget;
	ev->uid_seed = uid_seed;
	return ev;
}

static void group_free(struct ev_group *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		buf_unref(g->flows[i].buf);
	free(g->flows);
	free(g);
}

void evidence_free(struct evidence *ev)
{
	struct ev_group *g, *tmp;

	if (!ev)
		return;
	HASH_ITER(hh, ev->groups, g, tmp) {
		HASH_DEL(ev->groups, g);
		group_free(g);
	}
	free(ev);
}

/* The head and tail a flow keeps of its packets: the last EVIDENCE_TAIL when the bound leaves room. */
static void split(const struct evidence_config *cfg, uint64_t *head, uint64_t *tail)
{
	uint64_t p = (uint64_t)cfg->max_packets;

	*tail = p >= 2 * EVIDENCE_TAIL ? EVIDENCE_TAIL : 0;
	*head = p - *tail;
	if (cfg->buffered && *head > EVIDENCE_HEAD_LIVE)
		*head = EVIDENCE_HEAD_LIVE;
}

/*
 * The last quarter of the cap is kept for the openings of flows still to
 * come (their first EVIDENCE_OPENING packets, and ICMP errors): a sensor
 * full of long, healthy sessions' packets would otherwise have no room for
 * the SYNs of the blocked flow the report is about.
 */
enum { EVIDENCE_OPENING = 4 };

static bool budget_room(const struct evidence_budget *b, bool opening)
{
	return opening || atomic_load_explicit(&b->used, memory_order_relaxed) < b->cap - b->cap / 4;
}

static struct ev_pkt *pkt_copy(struct evidence *ev, const struct packet *pkt, bool icmp, bool opening)
{
	struct ev_pkt *p;

	if (!budget_room(ev->budget, opening || icmp) || !budget_take(ev->budget, sizeof(*p) + pkt->cap_len)) {
		atomic_fetch_add_explicit(&ev->budget->dropped_packets, 1, memory_order_relaxed);
		return NULL;
	}
	p = xmalloc(sizeof(*p) + pkt->cap_len);
	p->ts_us = pkt->ts_us;
	p->seq = pkt->number;
	p->caplen = pkt->cap_len;
	p->len = pkt->wire_len;
	p->dlt = pkt->dlt;
	p->icmp = icmp;
	memcpy(p->data, pkt->frame, pkt->cap_len);
	return p;
}

/* A flow the cap refused a packet of: counted once. */
static void note_lost(struct evidence *ev, struct flow *f)
{
	if (!f->evb_refused) {
		f->evb_refused = true;
		atomic_fetch_add_explicit(&ev->budget->dropped_flows, 1, memory_order_relaxed);
	}
}

static struct evidence_buf *buf_of(struct evidence *ev, struct flow *f)
{
	if (!f->evb) {
		if (!budget_take(ev->budget, sizeof(*f->evb))) {
			atomic_fetch_add_explicit(&ev->budget->dropped_packets, 1, memory_order_relaxed);
			note_lost(ev, f);
			return NULL;
		}
		f->evb = xcalloc(1, sizeof(*f->evb));
		f->evb->budget = ev->budget;
		f->evb->refs = 1;
	}
	return f->evb;
}

void evidence_buffer_packet(struct evidence *ev, struct flow *f, const struct packet *pkt)
{
	struct evidence_buf *eb;
	uint64_t head, tail;
	struct ev_pkt *p;

	if (!ev || !f || !pkt->frame || !(eb = buf_of(ev, f)))
		return;
	split(&ev->cfg, &head, &tail);
	if (eb->nhead < head) {
		if (!(p = pkt_copy(ev, pkt, false, eb->nhead < EVIDENCE_OPENING))) {
			note_lost(ev, f);
			return;
		}
		eb->head[eb->nhead++] = p;
		return;
	}
	if (!tail)
		return;
	/* the oldest of the tail gives way (its memory first, so the cap does not refuse the newest) */
	pkt_free(ev->budget, eb->tail[eb->after % tail]);
	eb->tail[eb->after % tail] = NULL;
	if (!(p = pkt_copy(ev, pkt, false, false)))
		note_lost(ev, f);
	eb->tail[eb->after % tail] = p;
	eb->after++;
}

void evidence_buffer_icmp(struct evidence *ev, struct flow *f, const struct packet *pkt)
{
	struct evidence_buf *eb;
	struct ev_pkt *p;

	if (!ev || !f || !pkt->frame || !(eb = buf_of(ev, f)) || eb->nicmp >= EVIDENCE_ICMP_MAX)
		return;
	if (!(p = pkt_copy(ev, pkt, true, true))) {
		note_lost(ev, f);
		return;
	}
	eb->icmp[eb->nicmp++] = p;
}

void evidence_release(struct flow *f, void *ctx)
{
	(void)ctx;
	buf_unref(f->evb);
	f->evb = NULL;
}

static int ev_flow_cmp(const struct ev_flow *a, const struct ev_flow *b)
{
	return flow_order_cmp_key(a->first_us, &a->orig, a->key_vlan, b->first_us, &b->orig, b->key_vlan);
}

static void ev_flow_from(struct ev_flow *e, const struct flow *f, const struct classification *cls,
			 uint64_t uid_seed)
{
	memset(e, 0, sizeof(*e));
	e->orig = f->orig;
	e->key_vlan = f->key_vlan;
	e->outer = f->tunnel != TUNNEL_NONE;
	e->first_us = f->first_us;
	e->last_us = f->last_us;
	e->pkts = f->side[0].pkts + f->side[1].pkts;
	flow_uid(f, uid_seed, e->uid);
	e->verdict = (uint8_t)cls->verdict;
	e->reason = (uint8_t)cls->reason;
	e->wire = cls->wire;
	e->wrong_why = cls->wrong_why;
	e->tls_why = cls->tls_why;
	e->rst_host_ttl = cls->rst_host_ttl;
	e->rst = f->rst;
	e->first_ttl[0] = f->first_ttl[0];
	e->first_ttl[1] = f->first_ttl[1];
}

/* Keep e among the group's least flows; true when it was kept (it then holds a reference to its buffer). */
/*
 * Keep e among the group's least flows; true when it was kept (it then
 * holds a reference to its buffer). The list grows as flows come, up to
 * the bound: most findings have a flow or two.
 */
static bool group_offer(struct evidence *ev, struct ev_group *g, const struct ev_flow *e)
{
	int max = ev->cfg.max_flows, i;

	/* most flows of a big finding come after its first max: one comparison turns them away */
	if (g->n == max && ev_flow_cmp(e, &g->flows[max - 1]) >= 0)
		return false;
	for (i = 0; i < g->n; i++)
		if (ev_flow_cmp(e, &g->flows[i]) == 0)
			return false;	/* already there (merging the same flow twice cannot happen, but be safe) */
	if (g->n == max) {
		buf_unref(g->flows[max - 1].buf);
		g->n--;
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? (2 * g->cap < max ? 2 * g->cap : max) : 1;
		g->flows = xrealloc(g->flows, (size_t)g->cap * sizeof(*g->flows));
	}
	for (i = g->n; i > 0 && ev_flow_cmp(e, &g->flows[i - 1]) < 0; i--)
		g->flows[i] = g->flows[i - 1];
	g->flows[i] = *e;
	g->n++;
	if (e->buf)
		e->buf->refs++;
	return true;
}

static struct ev_group *group_get(struct evidence *ev, const char *id)
{
	struct ev_group *g;

	HASH_FIND_STR(ev->groups, id, g);
	if (!g) {
		g = xcalloc(1, sizeof(*g));
		snprintf(g->id, sizeof(g->id), "%s", id);
		HASH_ADD_STR(ev->groups, id, g);
	}
	return g;
}

void evidence_note(struct evidence *ev, struct flow *f, const struct classification *cls,
		   const struct finding_ids *ids)
{
	struct ev_flow e;
	bool filled = false;
	int i;

	if (!ev)
		return;
	for (i = 0; ids && i < ids->n; i++) {
		struct ev_group *g = group_get(ev, ids->id[i]);
		const struct ev_flow *last = g->n ? &g->flows[g->n - 1] : NULL;

		/* a big finding's later flows: turned away on the order alone, before anything is copied */
		if (g->n == ev->cfg.max_flows &&
		    flow_order_cmp_key(f->first_us, &f->orig, f->key_vlan, last->first_us, &last->orig, last->key_vlan) >= 0)
			continue;
		if (!filled) {
			ev_flow_from(&e, f, cls, ev->uid_seed);
			e.buf = f->evb;
			filled = true;
		}
		group_offer(ev, g, &e);
	}
	evidence_release(f, NULL);	/* the flow's own reference: the groups that kept it hold theirs */
}

void evidence_merge(struct evidence *dst, struct evidence *src)
{
	struct ev_group *g, *tmp;
	int i;

	if (!dst || !src)
		return;
	HASH_ITER(hh, src->groups, g, tmp) {
		struct ev_group *d = group_get(dst, g->id);

		for (i = 0; i < g->n; i++)
			group_offer(dst, d, &g->flows[i]);
		HASH_DEL(src->groups, g);
		group_free(g);
	}
}

/* ---- what each packet shows: the comments on the packets that decided ---- */

static bool tcp_syn_only(const struct packet *p)
{
	return p->t.proto == PROTO_TCP && p->has_l4 && (p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN;
}

/*
 * The comment a packet of flow e gets, "" for none. dir: 0 the originator
 * sent it, 1 the responder. Called for its packets in order (the state in
 * e makes "the first ..." and "retransmitted").
 */
static void comment_for(struct ev_flow *e, const struct packet *p, int dir, bool icmp, char *out, size_t n)
{
	enum verdict v = (enum verdict)e->verdict;
	enum reason r = (enum reason)e->reason;
	char a[ADDR_STRLEN];

	out[0] = '\0';
	if (icmp) {
		const char *name = icmp_type_name(p->t.proto, p->icmp_type);

		if (r == R_ICMP_ADMIN_PROHIBITED && v == V_BLOCKED)
			snprintf(out, n, "ICMP admin prohibited from %s quoting this flow: a filter refused it",
				 addr_format(p->t.family, p->t.src, a));
		else
			snprintf(out, n, "ICMP %s (code %u) from %s quoting this flow%s", name ? name : "error",
				 p->icmp_code, addr_format(p->t.family, p->t.src, a),
				 v == V_BLOCKED ? ": the verdict's evidence" : "");
		return;
	}
	if (p->later_fragment)
		return;
	if (e->orig.proto == PROTO_TCP && p->has_l4) {
		if (dir == 0 && tcp_syn_only(p) && (v == V_BLOCKED || v == V_PENDING)) {
			e->syns++;
			if (v == V_PENDING)
				snprintf(out, n, "SYN%s, no answer yet (within the pending window at the end of the capture)",
					 e->syns > 1 ? " retransmitted" : "");
			else if (r == R_NO_REPLY)
				snprintf(out, n, e->syns > 1 ? "SYN retransmitted (%u), no answer" : "SYN, no answer",
					 e->syns);
			else if (e->syns > 1)
				snprintf(out, n, "SYN retransmitted (%u)", e->syns);
			return;
		}
		if ((p->tcp_flags & TCP_RST) && r == R_MIDDLEBOX_RESET) {
			/* every RST whose TTL is not its side's: each side may have been sent one */
			if (p->ttl != e->first_ttl[dir])
				snprintf(out, n, "RST forged by a device in the path: TTL %u where this side's packets have %u%s",
					 p->ttl, e->first_ttl[dir],
					 (e->rst & FLOW_RST_IPID_ODD) && !e->commented_rst ? "; its IP id breaks the side's sequence"
											   : "");
			e->commented_rst = true;
			return;
		}
		if ((p->tcp_flags & TCP_RST) && !e->commented_rst) {
			e->commented_rst = true;
			if (v == V_BLOCKED && dir == 1 && r == R_RST_FROM_PATH)
				snprintf(out, n, "RST from path: TTL %u, host's %u", p->ttl, e->rst_host_ttl);
			else if (v == V_BLOCKED && dir == 1 && r == R_RST_FROM_HOST)
				snprintf(out, n, "RST from the host, nothing listening: TTL %u, the host's own", p->ttl);
			else if (v == V_BLOCKED && dir == 1)
				snprintf(out, n, "RST answering the SYN (the host's own TTL is not known)");
			else if (v == V_INTERRUPTED)
				snprintf(out, n, "RST from the %s ends the established session before the FIN exchange",
					 dir ? "responder" : "originator");
			else if (r == R_ORIG_RESET)
				snprintf(out, n, "RST from the originator closes the session (not forged)");
			if (out[0])
				return;
		}
	}
	if (e->orig.proto == PROTO_UDP && dir == 0 && v == V_BLOCKED && r == R_NO_REPLY) {
		e->syns++;
		snprintf(out, n, e->syns > 1 ? "datagram repeated (%u), no answer" : "datagram, no answer", e->syns);
		return;
	}
	if ((e->wire & (WF_WRONG_PROTOCOL | WF_TLS_INTERCEPTED)) && p->l4_payload_len && p->has_l4 &&
	    !e->commented_payload[dir]) {
		bool tls = (e->wire & WF_TLS_INTERCEPTED) != 0;

		/* the side whose payload told: the server for a certificate, either for a protocol */
		if (!tls || dir == 1) {
			e->commented_payload[dir] = true;
			snprintf(out, n, "%s: %s", tls ? "TLS certificate" : "payload",
				 classify_wire_why_text((enum wire_why)(tls ? e->tls_why : e->wrong_why)));
			return;
		}
	}
	if (!e->commented_first) {
		e->commented_first = true;
		if (v == V_UNEXPECTED)
			snprintf(out, n, "first packet of a flow no rule of the matrix allows (unexpected)");
		else if (v == V_ONE_SIDED)
			snprintf(out, n, "%s", r == R_NO_ORIGINATOR_PACKETS ? "only the responder's side was seen"
								     : "only the originator's side was seen: nothing came back");
		else if (v == V_BLOCKED && e->orig.proto != PROTO_TCP && e->orig.proto != PROTO_UDP)
			snprintf(out, n, "first packet, %s", reason_name(r));
	}
}

/* ---- writing ---- */

struct lines {
	char *line[16];
	int n;
};

static void line_add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line_add(struct lines *l, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (l->n >= (int)(sizeof(l->line) / sizeof(l->line[0])))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	l->line[l->n++] = xstrdup(buf);
}

/* One finding's (or baseline change's) file while it is written. */
struct ev_file {
	const struct finding *fi;	/* NULL: a baseline change */
	struct lines lines;		/* the section comment */
	const char *kind;		/* for index.json */
	char port[48];
	const char *rule;
	const char *reason;		/* or NULL */
	bool accepted;
	bool absent;			/* missing, not-visible: no packets by nature */
	uint64_t flows_total;
	char id[FINDING_ID_LEN];
	char stem[96];			/* the file's name without .pcapng */
	char (*uids)[FLOW_UID_LEN];	/* its flows' uids, once written (for index.json) */
	int nuids;
	struct ev_flow *flows;		/* copies of the flows whose packets go in, least first (their buffers shared) */
	int nflows;
	struct outfile *of;
	FILE *fp;
	uint64_t packets, icmp, cut, bytes;
};

struct links {
	int dlt[64];
	int n;
};

static void links_add(struct links *l, int dlt)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->dlt[i] == dlt)
			return;
	if (l->n < (int)(sizeof(l->dlt) / sizeof(l->dlt[0])))
		l->dlt[l->n++] = dlt;
}

static int links_index(const struct links *l, int dlt)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->dlt[i] == dlt)
			return i;
	return -1;
}

static void links_of(const struct evidence_context *ctx, struct links *l)
{
	const struct capture_stats *cs = ctx->capture;
	int i, k;

	l->n = 0;
	for (i = 0; cs && i < cs->ninputs; i++) {
		if (cs->inputs[i].ng && cs->inputs[i].nlinks)
			for (k = 0; k < cs->inputs[i].nlinks; k++)
				links_add(l, cs->inputs[i].links[k]);
		else
			links_add(l, cs->inputs[i].dlt);
	}
}

/* A file name's stem from s on: lower-case letters and digits as they are, upper case lowered, the rest '-'. */
static void stem_clean(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			*s = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : '-';
}

/* "F-3a9c1e-blocked-udp-1494": id, kind, protocol and port, as a file name's stem (letters, digits, '-'). */
static void file_name(const struct finding *fi, char *out, size_t n)
{
	char port[48];

	report_finding_port(fi, port, sizeof(port));
	snprintf(out, n, "%s-%s-%s", fi->id, findings_kind_name(fi->kind), port);
	stem_clean(out + strlen(fi->id));
}

/* The section comment of a finding: what it is, why, its flows. */
static void section_lines(const struct evidence_context *ctx, const struct finding *fi, struct lines *l)
{
	const struct rule_set *rs = ctx->rules;
	const struct rule *ru = fi->rule >= 0 ? &rs->rules[fi->rule] : NULL;
	const char *meaning = report_word_meaning(findings_kind_name(fi->kind));
	char port[48], o[ADDR_STRLEN], r[ADDR_STRLEN];

	report_finding_port(fi, port, sizeof(port));
	line_add(l, "flowaudit evidence for finding %s: %s %s", fi->id, findings_kind_name(fi->kind), port);
	if (meaning)
		line_add(l, "%s: %s", findings_kind_name(fi->kind), meaning);
	line_add(l, "rule: %s%s%s", ru ? ru->name : "none (no rule of the matrix allows it)",
		 ru && ru->description ? " - " : "", ru && ru->description ? ru->description : "");
	if (ctx->site)
		line_add(l, "roles: %s -> %s", fi->orig_role >= 0 ? rules_role_name(rs, fi->orig_role) : "no role",
			 fi->resp_role >= 0 ? rules_role_name(rs, fi->resp_role) : "no role");
	if (fi->reason != R_NONE)
		line_add(l, "reason: %s", reason_name(fi->reason));
	if (fi->kind != FK_MISSING && fi->kind != FK_NOT_VISIBLE)
		line_add(l, "flows: %llu (%llu host pair%s), e.g. %s -> %s", (unsigned long long)fi->count,
			 (unsigned long long)fi->hosts, fi->hosts == 1 ? "" : "s", addr_format(fi->family, fi->orig_h, o),
			 addr_format(fi->family, fi->resp_h, r));
	if (fi->note[0])
		line_add(l, "note: %s", fi->note);
}

/* The section comment's last lines, for every file: which flows are here, who wrote it from what. */
static void section_tail(const struct evidence *ev, const struct evidence_context *ctx, struct ev_file *ef)
{
	const struct capture_stats *cs = ctx->capture;
	struct lines *l = &ef->lines;
	char inputs[512];
	uint64_t head, tail;
	size_t used = 0;
	int i;

	split(&ev->cfg, &head, &tail);
	if (ef->absent)
		line_add(l, "no packets: this path was expected and never seen; the evidence is the absence");
	else
		line_add(l, "here: %d of its %llu flows (the first by time, at most %d); of each, its first %llu packets%s",
			 ef->nflows, (unsigned long long)ef->flows_total, ev->cfg.max_flows, (unsigned long long)head,
			 tail ? " and its last 4" : "");
	inputs[0] = '\0';
	if (ctx->live_iface)
		snprintf(inputs, sizeof(inputs), "interface %s (live)", ctx->live_iface);
	for (i = 0; cs && !ctx->live_iface && i < cs->ninputs && used < sizeof(inputs); i++) {
		int w = snprintf(inputs + used, sizeof(inputs) - used, "%s%s", i ? ", " : "",
				 strcmp(cs->inputs[i].path, "-") ? cs->inputs[i].path : "standard input");

		if (w < 0)
			break;
		used += (size_t)w;
	}
	line_add(l, "flowaudit %s; input: %s%s%s", PACKAGE_VERSION, inputs, ctx->filter ? "; filter: " : "",
		 ctx->filter ? ctx->filter : "");
}

static int file_open(const struct evidence *ev, const struct evidence_context *ctx, struct ev_file *ef,
		     const struct links *lk, const char *name, char *errbuf, size_t errlen)
{
	char *path = xpath_join(ev->cfg.dir, name);
	int i;

	ef->of = outfile_open(path, OUTFILE_WHOLE, errbuf, errlen);
	free(path);
	if (!ef->of)
		return -1;
	ef->fp = outfile_stream(ef->of);
	pcapng_write_section(ef->fp, (const char *const *)ef->lines.line, ef->lines.n, "flowaudit " PACKAGE_VERSION);
	for (i = 0; i < lk->n; i++) {
		char desc[96];

		snprintf(desc, sizeof(desc), "link type %s, as captured", decode_link_name(lk->dlt[i]));
		pcapng_write_interface(ef->fp, lk->dlt[i], 0, ctx->live_iface, desc);
	}
	return 0;
}

static void file_packet(struct ev_file *ef, const struct links *lk, int dlt, int64_t ts_us, const uint8_t *data,
			uint32_t caplen, uint32_t len, const char *comment)
{
	int ifid = links_index(lk, dlt);

	if (!ef->fp || ifid < 0)
		return;
	pcapng_write_packet(ef->fp, (uint32_t)ifid, ts_us, data, caplen, len, comment && *comment ? comment : NULL);
	ef->packets++;
}

/* ---- which flows each finding's file holds ---- */

static bool pair_listed(const struct finding *fi, const struct ev_flow *e)
{
	int k;

	for (k = 0; k < fi->npairs; k++) {
		const struct finding_pair *p = &fi->pairs[k];

		if (p->family == e->orig.family && !memcmp(p->orig_h, e->orig.src, 16) && !memcmp(p->resp_h, e->orig.dst, 16))
			return true;
	}
	return !memcmp(fi->orig_h, e->orig.src, 16) && !memcmp(fi->resp_h, e->orig.dst, 16);
}

static void file_add_flow(struct ev_file *ef, int max, const struct ev_flow *e)
{
	int i;

	for (i = 0; i < ef->nflows; i++)
		if (ev_flow_cmp(&ef->flows[i], e) == 0)
			return;
	if (ef->nflows == max) {
		if (ev_flow_cmp(e, &ef->flows[max - 1]) >= 0)
			return;
		ef->nflows--;
	}
	for (i = ef->nflows; i > 0 && ev_flow_cmp(e, &ef->flows[i - 1]) < 0; i--)
		ef->flows[i] = ef->flows[i - 1];
	ef->flows[i] = *e;
	ef->nflows++;
}

/*
 * A flow finding: its group's flows. A derived one (fallback, incomplete):
 * the flows of the blocked findings it explains, between its host pairs,
 * and its example. Missing and not-visible have none.
 */
static void file_flows(struct evidence *ev, struct ev_file *ef, const char *id)
{
	const struct finding *fi = ef->fi;
	int max = ev->cfg.max_flows, i, k;
	struct ev_group *g;

	ef->flows = xcalloc((size_t)max + 1, sizeof(*ef->flows));
	HASH_FIND_STR(ev->groups, id, g);
	if (g || !fi) {
		for (i = 0; g && i < g->n; i++)
			file_add_flow(ef, max, &g->flows[i]);
		return;
	}
	if (fi->kind != FK_FALLBACK && fi->kind != FK_INCOMPLETE)
		return;
	for (k = 0; k < fi->nrelated; k++) {
		HASH_FIND_STR(ev->groups, fi->related[k], g);
		for (i = 0; g && i < g->n; i++)
			if (pair_listed(fi, &g->flows[i]))
				file_add_flow(ef, max, &g->flows[i]);
	}
	if (fi->has_example && !ev->cfg.buffered) {
		struct ev_flow ex;

		ev_flow_from(&ex, &fi->example, &fi->example_class, ev->uid_seed);
		file_add_flow(ef, max, &ex);
	}
}

/* ---- offline: the second pass ---- */

struct ckey {
	uint8_t family;
	uint8_t proto;
	uint16_t pa;
	uint16_t pb;
	uint8_t a[16];
	uint8_t b[16];
};

struct centry {
	struct ckey key;
	UT_hash_handle hh;
	struct ev_flow **flows;
	int n, cap;
};

static void ckey_of(struct ckey *k, const struct tuple *t)
{
	int c = memcmp(t->src, t->dst, 16);

	memset(k, 0, sizeof(*k));
	k->family = t->family;
	k->proto = t->proto;
	if (c < 0 || (c == 0 && t->sport <= t->dport)) {
		memcpy(k->a, t->src, 16);
		memcpy(k->b, t->dst, 16);
		k->pa = t->sport;
		k->pb = t->dport;
	} else {
		memcpy(k->a, t->dst, 16);
		memcpy(k->b, t->src, 16);
		k->pa = t->dport;
		k->pb = t->sport;
	}
}

struct pass {
	struct evidence *ev;
	const struct evidence_context *ctx;
	struct ev_file *files;
	struct links lk;
	struct centry *index;
	struct dedup *dedup;
	struct fragments *frags;
	uint64_t head, tail;
	uint64_t seq;
};

static struct centry *index_find(struct pass *ps, const struct tuple *t)
{
	struct ckey k;
	struct centry *c;

	ckey_of(&k, t);
	HASH_FIND(hh, ps->index, &k, sizeof(k), c);
	return c;
}

static void index_add(struct pass *ps, struct ev_flow *e)
{
	struct centry *c = index_find(ps, &e->orig);

	if (!c) {
		c = xcalloc(1, sizeof(*c));
		ckey_of(&c->key, &e->orig);
		HASH_ADD(hh, ps->index, key, sizeof(c->key), c);
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 2;
		c->flows = xrealloc(c->flows, (size_t)c->cap * sizeof(*c->flows));
	}
	c->flows[c->n++] = e;
}

static int dir_of(const struct ev_flow *e, const struct tuple *t)
{
	return !(memcmp(t->src, e->orig.src, 16) == 0 && t->sport == e->orig.sport &&
		 memcmp(t->dst, e->orig.dst, 16) == 0);
}

/* A packet of flow e (or, icmp, an ICMP error quoting it): into its finding's file, if the bounds let it. */
static void pass_keep(struct pass *ps, struct ev_flow *e, const struct packet *pkt, int dlt,
		      const struct pcap_pkthdr *h, const uint8_t *bytes, bool icmp, const struct tuple *t)
{
	struct ev_file *ef = &ps->files[e->group];
	char comment[256];
	bool keep;

	if (icmp) {
		if (e->nicmp >= EVIDENCE_ICMP_MAX)
			return;
		e->nicmp++;
		ef->icmp++;
		comment_for(e, pkt, 1, true, comment, sizeof(comment));
		file_packet(ef, &ps->lk, dlt, pkt->ts_us, bytes, h->caplen, h->len, comment);
		return;
	}
	if (pkt->later_fragment) {
		keep = e->keep_last;
	} else {
		uint64_t i = e->seen++;

		keep = i < ps->head || (ps->tail && e->pkts > ps->head && i + ps->tail >= e->pkts);
		e->keep_last = keep;
	}
	if (!keep) {
		ef->cut++;
		return;
	}
	comment_for(e, pkt, dir_of(e, t), false, comment, sizeof(comment));
	file_packet(ef, &ps->lk, dlt, pkt->ts_us, bytes, h->caplen, h->len, comment);
}

static bool in_window(const struct ev_flow *e, int64_t ts, int64_t after)
{
	return ts >= e->first_us && ts <= e->last_us + after;
}

/* The flows of one tuple a packet may belong to; matched: one was found. */
static int pass_match(struct pass *ps, const struct tuple *t, uint16_t vlan, bool outer, int64_t ts, int64_t after,
		      struct ev_flow **out, int max)
{
	struct centry *c = index_find(ps, t);
	int i, n = 0;

	for (i = 0; c && i < c->n && n < max; i++) {
		struct ev_flow *e = c->flows[i];

		if (e->outer != outer || e->key_vlan != vlan || e->orig.proto != t->proto)
			continue;
		if (in_window(e, ts, after))
			out[n++] = e;
	}
	return n;
}

static void pass_packet(void *vctx, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes)
{
	struct pass *ps = vctx;
	struct ev_flow *own[8], *outer[8], *quoting[8];
	int nown = 0, nouter = 0, nq = 0, i;
	struct packet pkt;
	enum decode_error e;
	uint16_t vlan;

	capture_packet_init(&pkt, dlt, h, ++ps->seq);
	e = decode_frame_ex(dlt, bytes, h->caplen, &pkt, ps->ctx->decode_flags);
	fragments_expire(ps->frags, pkt.ts_us);
	vlan = ps->ctx->vlan_key ? pkt.vlan : 0;
	if (pkt.tunnel && pkt.outer.valid)
		nouter = pass_match(ps, &pkt.outer.t, 0, true, pkt.ts_us, 0, outer, 8);
	if (e == DECODE_OK || e == DECODE_OTHER_PROTO) {
		if (pkt.later_fragment) {
			const struct tuple *ft = fragments_lookup(ps->frags, &pkt);

			/* a later fragment does not move its flow's last packet time: it may come after it */
			if (ft)
				nown = pass_match(ps, ft, vlan, false, pkt.ts_us, EVIDENCE_ICMP_AFTER_US, own, 8);
		} else {
			nown = pass_match(ps, &pkt.t, vlan, false, pkt.ts_us, 0, own, 8);
			if (nown && pkt.fragment)
				fragments_remember(ps->frags, &pkt);
		}
		if (pkt.has_quoted)
			nq = pass_match(ps, &pkt.quoted, vlan, false, pkt.ts_us, EVIDENCE_ICMP_AFTER_US, quoting, 8);
	}
	if (!nown && !nouter && !nq)
		return;
	/* the audit counted a packet the mirror showed twice once: so does its evidence */
	if ((e == DECODE_OK || e == DECODE_OTHER_PROTO) && dedup_check(ps->dedup, &pkt))
		return;
	for (i = 0; i < nouter; i++)
		pass_keep(ps, outer[i], &pkt, dlt, h, bytes, false, &pkt.outer.t);
	for (i = 0; i < nown; i++)
		pass_keep(ps, own[i], &pkt, dlt, h, bytes, false, &pkt.t);
	for (i = 0; i < nq; i++)
		pass_keep(ps, quoting[i], &pkt, dlt, h, bytes, true, &pkt.t);
}

/* Files open at once in one pass: more findings take more passes. */
static int files_per_pass(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1024;
	if (rl.rlim_cur < 96)
		return 16;
	return rl.rlim_cur - 64 > 4096 ? 4096 : (int)(rl.rlim_cur - 64);
}

static int second_pass(struct evidence *ev, const struct evidence_context *ctx, struct ev_file *files, int lo,
		       int hi, char *errbuf, size_t errlen)
{
	struct pass ps = { .ev = ev, .ctx = ctx, .files = files };
	const struct capture_stats *cs = ctx->capture;
	struct capture_config cc = { .filter = ctx->filter, .progress = ctx->progress,
				     .progress_label = "evidence" };
	struct capture_stats st;
	struct centry *c, *tmp;
	const char **paths;
	int i, k, rc;

	links_of(ctx, &ps.lk);
	split(&ev->cfg, &ps.head, &ps.tail);
	for (i = lo; i < hi; i++)
		for (k = 0; k < files[i].nflows; k++) {
			struct ev_flow *e = &files[i].flows[k];

			e->group = i;
			index_add(&ps, e);
		}
	ps.dedup = dedup_new(ctx->dedup_window_us);
	ps.frags = fragments_new();
	paths = xcalloc((size_t)cs->ninputs + 1, sizeof(*paths));
	for (i = 0; i < cs->ninputs; i++)
		paths[i] = cs->inputs[i].path;
	cc.paths = paths;
	cc.npaths = cs->ninputs;
	memset(&st, 0, sizeof(st));
	rc = capture_run_offline(&cc, pass_packet, NULL, &ps, &st, errbuf, errlen);
	capture_stats_free(&st);
	free(paths);
	dedup_free(ps.dedup);
	fragments_free(ps.frags);
	HASH_ITER(hh, ps.index, c, tmp) {
		HASH_DEL(ps.index, c);
		free(c->flows);
		free(c);
	}
	return rc < 0 ? -1 : 0;
}

/* ---- buffered: from memory ---- */

struct owned_pkt {
	struct ev_pkt *p;
	struct ev_flow *e;
};

/* The packets of a finding's flows in the order they were read. */
static int owned_order(const void *a, const void *b)
{
	uint64_t x = ((const struct owned_pkt *)a)->p->seq, y = ((const struct owned_pkt *)b)->p->seq;

	return x < y ? -1 : x > y;
}

static void write_buffered(const struct evidence_context *ctx, struct ev_file *ef,
			   const struct links *lk)
{
	struct owned_pkt *all;
	size_t n = 0, cap = 0, i;
	int k;

	for (k = 0; k < ef->nflows; k++) {
		const struct evidence_buf *eb = ef->flows[k].buf;

		if (eb)
			cap += eb->nhead + EVIDENCE_TAIL + (size_t)eb->nicmp;
	}
	all = xcalloc(cap + 1, sizeof(*all));
	for (k = 0; k < ef->nflows; k++) {
		struct ev_flow *e = &ef->flows[k];
		const struct evidence_buf *eb = e->buf;
		uint64_t kept_tail;
		uint32_t j;
		int t;

		if (!eb)
			continue;
		for (j = 0; j < eb->nhead; j++)
			all[n++] = (struct owned_pkt){ eb->head[j], e };
		for (t = 0; t < EVIDENCE_TAIL; t++)
			if (eb->tail[t])
				all[n++] = (struct owned_pkt){ eb->tail[t], e };
		for (t = 0; t < eb->nicmp; t++)
			all[n++] = (struct owned_pkt){ eb->icmp[t], e };
		/* packets between the head and the tail; those the cap refused are the budget's count */
		kept_tail = eb->after < EVIDENCE_TAIL ? eb->after : EVIDENCE_TAIL;
		ef->cut += eb->after - kept_tail;
	}
	qsort(all, n, sizeof(*all), owned_order);
	for (i = 0; i < n; i++) {
		struct ev_pkt *p = all[i].p;
		struct ev_flow *e = all[i].e;
		struct packet pkt;
		char comment[256];

		memset(&pkt, 0, sizeof(pkt));
		decode_frame_ex(p->dlt, p->data, p->caplen, &pkt, ctx->decode_flags);
		pkt.ts_us = p->ts_us;
		if (p->icmp) {
			ef->icmp++;
			comment_for(e, &pkt, 1, true, comment, sizeof(comment));
		} else {
			const struct tuple *t = e->outer && pkt.tunnel && pkt.outer.valid ? &pkt.outer.t : &pkt.t;

			comment_for(e, &pkt, dir_of(e, t), false, comment, sizeof(comment));
		}
		file_packet(ef, lk, p->dlt, p->ts_us, p->data, p->caplen, p->len, comment);
	}
	free(all);
}

/* ---- the whole ---- */

int evidence_dir_prepare(const char *dir, const char *owner, char *errbuf, size_t errlen)
{
	struct stat st;
	struct passwd *pw;

	if (!dir || !*dir) {
		snprintf(errbuf, errlen, "--evidence: no folder given");
		return -1;
	}
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			snprintf(errbuf, errlen, "--evidence %s: not a folder", dir);
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT || mkdir(dir, 0777) != 0) {
		snprintf(errbuf, errlen, "--evidence %s: cannot make the folder: %s", dir, strerror(errno));
		return -1;
	}
	/* -Z USER: the files are written after the switch, by USER, into the folder made here as root */
	if (owner && geteuid() == 0 && (pw = getpwnam(owner)) && chown(dir, pw->pw_uid, pw->pw_gid) != 0) {
		snprintf(errbuf, errlen, "--evidence %s: cannot give the folder to %s: %s", dir, owner, strerror(errno));
		return -1;
	}
	return 0;
}

static void index_json(const struct evidence *ev, const struct evidence_context *ctx, const struct ev_file *files,
		       const struct evidence_result *res, struct json *j)
{
	const struct capture_stats *cs = ctx->capture;
	int i, k;

	json_begin_object(j);
	json_kv_str(j, "flowaudit", PACKAGE_VERSION);
	JSON_KEY(j, "interim");
	json_bool(j, ctx->interim);
	json_kv_str(j, "source", res->buffered ? "buffers" : "second-pass");
	JSON_KEY(j, "inputs");
	json_begin_array(j);
	if (ctx->live_iface)
		json_str(j, ctx->live_iface);
	for (i = 0; cs && !ctx->live_iface && i < cs->ninputs; i++)
		json_str(j, cs->inputs[i].path);
	json_end_array(j);
	if (ctx->filter)
		json_kv_str(j, "filter", ctx->filter);
	JSON_KEY(j, "bounds");
	json_begin_object(j);
	json_kv_u64(j, "flows_per_finding", (uint64_t)ev->cfg.max_flows);
	json_kv_u64(j, "packets_per_flow", (uint64_t)ev->cfg.max_packets);
	report_json_evidence_buffers(j, res);
	json_end_object(j);
	JSON_KEY(j, "files");
	json_begin_array(j);
	for (i = 0; i < res->nfiles; i++) {
		const struct evidence_file *f = &res->files[i];
		const struct ev_file *ef = &files[i];

		json_begin_object(j);
		json_kv_str(j, "file", f->name);
		json_kv_str(j, "id", f->id);
		json_kv_str(j, "kind", ef->kind);
		json_kv_str(j, "port", ef->port);
		json_kv_str(j, "rule", ef->rule ? ef->rule : "");
		if (ef->reason)
			json_kv_str(j, "reason", ef->reason);
		JSON_KEY(j, "accepted");
		json_bool(j, ef->accepted);
		report_json_evidence_counts(j, f);
		JSON_KEY(j, "written");
		json_bool(j, f->written);
		JSON_KEY(j, "uids");
		json_begin_array(j);
		for (k = 0; k < files[i].nuids; k++)
			json_str(j, files[i].uids[k]);
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
	json_raw(j, "\n", 1);
}

static void result_begin(const struct evidence *ev, const struct evidence_context *ctx, struct evidence_result *res,
			 int n)
{
	memset(res, 0, sizeof(*res));
	res->dir = ev->cfg.dir;
	res->buffered = ev->cfg.buffered;
	res->interim = ctx->interim;
	if (ev->cfg.buffered) {
		res->memory_cap = ev->budget->cap;
		res->memory_peak = atomic_load(&ev->budget->peak);
		res->dropped_packets = atomic_load(&ev->budget->dropped_packets);
		res->dropped_flows = atomic_load(&ev->budget->dropped_flows);
	}
	res->files = xcalloc((size_t)n + 1, sizeof(*res->files));
	res->nfiles = n;
}

struct name_seen {
	UT_hash_handle hh;
	char name[96];
};

/* A file's name and counts in the result, once its flows are known; its writing state reset. */
static void file_ready(const struct evidence *ev, const struct evidence_context *ctx, struct ev_file *files, int i,
		       struct evidence_result *res, struct name_seen **names)
{
	struct evidence_file *f = &res->files[i];
	struct name_seen *ns;
	int k;

	snprintf(f->id, sizeof(f->id), "%s", files[i].id);
	snprintf(f->name, sizeof(f->name), "%.80s.pcapng", files[i].stem);
	HASH_FIND_STR(*names, f->name, ns);
	if (ns)	/* two of one id (a hash's coincidence): the later gets a number */
		snprintf(f->name, sizeof(f->name), "%.80s-%d.pcapng", files[i].stem, i);
	ns = xcalloc(1, sizeof(*ns));
	snprintf(ns->name, sizeof(ns->name), "%s", f->name);
	HASH_ADD_STR(*names, name, ns);
	f->flows = (uint64_t)files[i].nflows;
	f->flows_total = files[i].flows_total;
	for (k = 0; k < files[i].nflows; k++) {
		struct ev_flow *e = &files[i].flows[k];

		e->seen = 0;
		e->nicmp = 0;
		e->syns = 0;
		e->keep_last = false;
		e->commented_first = e->commented_rst = false;
		e->commented_payload[0] = e->commented_payload[1] = false;
	}
	section_tail(ev, ctx, &files[i]);
}

/* A written file keeps only its flows' uids (index.json); its flows and comment go. */
static void file_done(struct ev_file *ef)
{
	int k;

	ef->uids = xcalloc((size_t)ef->nflows + 1, sizeof(*ef->uids));
	for (k = 0; k < ef->nflows; k++)
		memcpy(ef->uids[k], ef->flows[k].uid, FLOW_UID_LEN);
	ef->nuids = ef->nflows;
	free(ef->flows);
	ef->flows = NULL;
	for (k = 0; k < ef->lines.n; k++)
		free(ef->lines.line[k]);
	ef->lines.n = 0;
}

/* Write files[0..n) (their flows and names ready) and index.json. */
static int write_files(struct evidence *ev, const struct evidence_context *ctx, struct ev_file *files, int n,
		       struct evidence_result *res, char *errbuf, size_t errlen)
{
	struct name_seen *names = NULL, *ns, *nstmp;
	struct links lk;
	struct json j;
	int i, k, rc = 0, step;
	char ebuf[512] = "";

	links_of(ctx, &lk);
	step = ev->cfg.buffered ? n : files_per_pass();
	for (i = 0; i < n; i += step) {
		int hi = i + step < n ? i + step : n;

		/* a pass's files only hold their flows: memory for a few thousand, whatever the findings */
		for (k = i; k < hi; k++) {
			file_flows(ev, &files[k], files[k].id);
			if (files[k].fi)
				section_lines(ctx, files[k].fi, &files[k].lines);
			file_ready(ev, ctx, files, k, res, &names);
		}
		for (k = i; k < hi; k++)
			if (file_open(ev, ctx, &files[k], &lk, res->files[k].name, ebuf, sizeof(ebuf)) != 0 && !rc) {
				snprintf(errbuf, errlen, "%s", ebuf);
				rc = -1;
			}
		if (ev->cfg.buffered) {
			for (k = i; k < hi; k++)
				if (files[k].fp)
					write_buffered(ctx, &files[k], &lk);
		} else if (hi > i && second_pass(ev, ctx, files, i, hi, ebuf, sizeof(ebuf)) != 0 && !rc) {
			snprintf(errbuf, errlen, "evidence: %s", ebuf);
			rc = -1;
		}
		for (k = i; k < hi; k++) {
			struct evidence_file *f = &res->files[k];

			f->packets = files[k].packets;
			f->icmp_errors = files[k].icmp;
			f->packets_cut = files[k].cut;
			if (files[k].of) {
				if (outfile_commit(files[k].of, ebuf, sizeof(ebuf)) == 0) {
					char *path = xpath_join(ev->cfg.dir, f->name);
					struct stat st;

					f->written = true;
					res->packets += f->packets;
					if (stat(path, &st) == 0)
						res->bytes += (uint64_t)st.st_size;
					free(path);
				} else if (!rc) {
					snprintf(errbuf, errlen, "%s", ebuf);
					rc = -1;
				}
				files[k].of = NULL;
				files[k].fp = NULL;
			}
			file_done(&files[k]);
		}
	}
	HASH_ITER(hh, names, ns, nstmp) {
		HASH_DEL(names, ns);
		free(ns);
	}
	json_init(&j);
	index_json(ev, ctx, files, res, &j);
	{
		char *path = xpath_join(ev->cfg.dir, "index.json");
		struct outfile *of = outfile_open(path, OUTFILE_WHOLE, ebuf, sizeof(ebuf));

		free(path);
		if (of) {
			fwrite(j.buf, 1, j.len, outfile_stream(of));
			if (outfile_commit(of, ebuf, sizeof(ebuf)) != 0 && !rc) {
				snprintf(errbuf, errlen, "%s", ebuf);
				rc = -1;
			}
		} else if (!rc) {
			snprintf(errbuf, errlen, "%s", ebuf);
			rc = -1;
		}
	}
	json_free(&j);
	for (i = 0; i < n; i++) {
		free(files[i].flows);
		free(files[i].uids);
		for (k = 0; k < files[i].lines.n; k++)
			free(files[i].lines.line[k]);
	}
	free(files);
	return rc;
}


int evidence_write(struct evidence *ev, const struct evidence_context *ctx, struct evidence_result *res, char *errbuf,
		   size_t errlen)
{
	const struct finding *const *list;
	struct ev_file *files;
	int n, i;

	list = findings_list(ctx->findings, &n);
	result_begin(ev, ctx, res, n);
	files = xcalloc((size_t)n + 1, sizeof(*files));
	for (i = 0; i < n; i++) {
		const struct finding *fi = list[i];
		struct ev_file *ef = &files[i];

		ef->fi = fi;
		ef->kind = findings_kind_name(fi->kind);
		report_finding_port(fi, ef->port, sizeof(ef->port));
		ef->rule = fi->rule >= 0 ? ctx->rules->rules[fi->rule].name : NULL;
		ef->reason = fi->reason != R_NONE ? reason_name(fi->reason) : NULL;
		ef->accepted = fi->accepted;
		ef->absent = fi->kind == FK_MISSING || fi->kind == FK_NOT_VISIBLE;
		ef->flows_total = fi->count;
		snprintf(ef->id, sizeof(ef->id), "%s", fi->id);
		file_name(fi, ef->stem, sizeof(ef->stem));
	}
	return write_files(ev, ctx, files, n, res, errbuf, errlen);
}

int evidence_write_changes(struct evidence *ev, const struct evidence_context *ctx, const struct evidence_change *ch,
			   int n, struct evidence_result *res, char *errbuf, size_t errlen)
{
	struct ev_file *files;
	int i;

	result_begin(ev, ctx, res, n);
	files = xcalloc((size_t)n + 1, sizeof(*files));
	for (i = 0; i < n; i++) {
		struct ev_file *ef = &files[i];

		ef->kind = ch[i].kind;
		snprintf(ef->port, sizeof(ef->port), "%s", ch[i].port);
		ef->rule = ch[i].rule;
		ef->flows_total = ch[i].flows;
		snprintf(ef->id, sizeof(ef->id), "%s", ch[i].id);
		line_add(&ef->lines, "flowaudit evidence for baseline change %s: %s", ch[i].id, ch[i].what);
		line_add(&ef->lines, "%s", ch[i].verdicts);
		snprintf(ef->stem, sizeof(ef->stem), "%s-%s-%s", ch[i].id, ch[i].kind, ch[i].port);
		stem_clean(ef->stem + strlen(ch[i].id));
	}
	return write_files(ev, ctx, files, n, res, errbuf, errlen);
}

void evidence_result_free(struct evidence_result *res)
{
	free(res->files);
	free(res->href);
	memset(res, 0, sizeof(*res));
}

/* The components of an absolute path: its '/' replaced by NULs, pointers to each in v (at most max). */
static int path_parts(char *p, char **v, int max)
{
	int n = 0;
	char *c;

	for (c = p; *c;) {
		while (*c == '/')
			*c++ = '\0';
		if (*c && n < max)
			v[n++] = c;
		while (*c && *c != '/')
			c++;
	}
	return n;
}

/*
 * The evidence folder as seen from the folder of the report (an HTML page
 * links the files): "../evidence" for -o out/report.html --evidence
 * evidence. NULL when either cannot be resolved (the report on standard
 * output, a folder that went away): the folder as given then.
 */
char *evidence_href_from(const char *report_path, const char *dir)
{
	enum { PARTS = 256 };
	char *rdir, *slash, *from, *to, *out, *f[PARTS], *t[PARTS];
	int nf, nt, k = 0, i;
	size_t n = 2;

	if (!report_path || !strcmp(report_path, "-") || !dir)
		return NULL;
	rdir = xstrdup(report_path);
	if ((slash = strrchr(rdir, '/')))
		slash[slash == rdir ? 1 : 0] = '\0';
	from = realpath(slash ? rdir : ".", NULL);
	to = realpath(dir, NULL);
	free(rdir);
	if (!from || !to) {
		free(from);
		free(to);
		return NULL;
	}
	nf = path_parts(from, f, PARTS);
	nt = path_parts(to, t, PARTS);
	while (k < nf && k < nt && !strcmp(f[k], t[k]))
		k++;
	for (i = k; i < nt; i++)
		n += strlen(t[i]) + 1;
	out = xmalloc(n + 3 * (size_t)(nf - k));
	out[0] = '\0';
	for (i = k; i < nf; i++)
		strcat(out, i + 1 < nf || k < nt ? "../" : "..");
	for (i = k; i < nt; i++) {
		strcat(out, t[i]);
		if (i + 1 < nt)
			strcat(out, "/");
	}
	if (!out[0])
		strcpy(out, ".");
	free(from);
	free(to);
	return out;
}
