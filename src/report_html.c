/* report_html: the audit as one self-contained HTML page — header, the role matrix, the findings */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "capture.h"
#include "classify.h"
#include "decode.h"
#include "evidence.h"
#include "findings.h"
#include "flow_table.h"
#include "icmp_types.h"
#include "inspect.h"
#include "summary.h"
#include "tls.h"
#include "utf8.h"
#include "xalloc.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/*
 * No script, font or style from anywhere else: the page is read offline,
 * from a ticket or a mail. Every cell says its status in words, so it reads
 * without colour; details/summary opens a cell's rules and examples by
 * mouse or keyboard without any script; print CSS sets A4 landscape.
 * Anything that came from the wire or a file goes through report_html_text().
 */
static const char style[] =
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.5em;color:#1b1b1b}"
	"h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.4em 0 .5em;border-bottom:1px solid #ccc}"
	"dl.meta{display:grid;grid-template-columns:max-content auto;gap:.15em 1em;margin:0}"
	"dl.meta dt{font-weight:600}dl.meta dd{margin:0}"
	"table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.25em .45em;vertical-align:top}"
	"th{background:#f2f2f2;text-align:left;font-weight:600}"
	"td.cell{min-width:7em}td.cell summary{cursor:pointer;list-style:none}"
	"td.cell summary::-webkit-details-marker{display:none}"
	"td.cell summary:focus{outline:2px solid #1a5fb4}"
	".word{font-weight:700;text-transform:uppercase;font-size:.8em;letter-spacing:.03em}"
	".n{display:block;font-size:.8em;color:#333}"
	".st-ok{background:#d7f0d2}.st-blocked{background:#f7c6c2}.st-interrupted{background:#fbd9b0}"
	".st-one-sided{background:#fbeaa0}.st-unexpected{background:#e3cff3}.st-missing{background:#f0b9d6}"
	".st-pending{background:#e6e6e6}.st-not-exercised{background:#fff;color:#666}.st-none{background:#fafafa;color:#aaa}"
	".st-wrong-protocol{background:#e3cff3}.st-middlebox-reset,.st-tls-intercepted{background:#f7c6c2}"
	".st-not-visible{background:#fafafa;color:#666}"
	"p.health-warning{background:#f7c6c2;border:1px solid #c0392b;padding:.4em .6em;font-weight:600}"
	"ul.rules{margin:.3em 0 0;padding-left:1.1em;font-size:.85em}"
	".legend span{display:inline-block;padding:.1em .5em;margin:0 .3em .3em 0;border:1px solid #bbb}"
	"ol.findings{padding-left:1.4em}ol.findings li{margin:.2em 0 .8em}"
	".kind{font-weight:700;text-transform:uppercase;padding:0 .35em}"
	".k-blocked,.k-tls-intercepted,.k-middlebox-reset{background:#f7c6c2}.k-fallback,.k-incomplete,.k-interrupted"
	"{background:#fbd9b0}.k-wrong-protocol,.k-unexpected{background:#e3cff3}.k-missing{background:#f0b9d6}"
	".k-one-sided{background:#fbeaa0}.k-pending,.k-not-visible{background:#e6e6e6}"
	".ev{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere}"
	"footer{margin-top:2em;font-size:.8em;color:#666}"
	"@media print{@page{size:A4 landscape;margin:12mm}body{margin:0;font-size:11px}"
	"details>*:not(summary){display:block}td.cell{break-inside:avoid}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* Text from anywhere, for HTML: specials as entities, valid UTF-8 kept, any other byte or control as \xNN. */
void report_html_text(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), i = 0, k;
	uint32_t cp;

	while (i < n) {
		unsigned char c = p[i];

		if (c == '&')
			fputs("&amp;", out);
		else if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '"')
			fputs("&quot;", out);
		else if (c == '\'')
			fputs("&#39;", out);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, out);
		else if (c >= 0x80 && (k = utf8_decode(p + i, n - i, &cp)) > 0 && !(cp >= 0x80 && cp < 0xa0)) {
			fwrite(p + i, 1, k, out);
			i += k;
			continue;
		} else
			fprintf(out, "\\x%02X", c);
		i++;
	}
}

/* The matrix status of a cell or rule; CSS class st-<name>. */
enum cell_status { CS_NONE = 0, CS_NOT_EXERCISED, CS_NOT_VISIBLE, CS_OK, CS_PENDING, CS_MISSING, CS_UNEXPECTED,
		   CS_ONE_SIDED, CS_WRONG_PROTOCOL, CS_INTERRUPTED, CS_MIDDLEBOX_RESET, CS_TLS_INTERCEPTED, CS_BLOCKED,
		   CS_STATUS_COUNT };

static const char *const status_names[CS_STATUS_COUNT] = {
	[CS_NONE] = "none", [CS_NOT_EXERCISED] = "not-exercised", [CS_NOT_VISIBLE] = "not-visible", [CS_OK] = "ok",
	[CS_PENDING] = "pending", [CS_MISSING] = "missing", [CS_UNEXPECTED] = "unexpected",
	[CS_ONE_SIDED] = "one-sided", [CS_WRONG_PROTOCOL] = "wrong-protocol", [CS_INTERRUPTED] = "interrupted",
	[CS_MIDDLEBOX_RESET] = "middlebox-reset", [CS_TLS_INTERCEPTED] = "tls-intercepted", [CS_BLOCKED] = "blocked",
};
static const char *const status_words[CS_STATUS_COUNT] = {
	[CS_NONE] = "no rule", [CS_NOT_EXERCISED] = "not exercised", [CS_NOT_VISIBLE] = "not visible", [CS_OK] = "ok",
	[CS_PENDING] = "pending", [CS_MISSING] = "missing", [CS_UNEXPECTED] = "unexpected",
	[CS_ONE_SIDED] = "one-sided", [CS_WRONG_PROTOCOL] = "wrong protocol", [CS_INTERRUPTED] = "interrupted",
	[CS_MIDDLEBOX_RESET] = "forged reset", [CS_TLS_INTERCEPTED] = "TLS intercepted", [CS_BLOCKED] = "blocked",
};

/* The worst of a cell's flows, wire findings included (report_worst_status's order). */
static enum cell_status status_of_flows(const uint64_t *flows, const uint64_t *wire)
{
	const char *w = report_worst_status(flows, wire);
	int s;

	for (s = CS_OK; s < CS_STATUS_COUNT; s++)
		if (strcmp(w, status_names[s]) == 0)
			return (enum cell_status)s;
	return CS_NOT_EXERCISED;
}

static bool has_role(const int *roles, int n, int role)
{
	int i;

	for (i = 0; i < n; i++)
		if (roles[i] == role || roles[i] == ROLE_ANY)
			return true;
	return false;
}

static bool rule_on(const struct report_input *in, int r)
{
	const struct site *s = in->site;

	return !s || !s->matrix_on || s->matrix_on[in->rules->rules[r].matrix];
}

/* Does allow rule r cover flows from role a to role b (either way round when bidirectional)? */
static bool rule_covers(const struct rule *ru, int a, int b)
{
	if (ru->action != ACTION_ALLOW)
		return false;
	if (has_role(ru->from, ru->nfrom, a) && has_role(ru->to, ru->nto, b))
		return true;
	return ru->bidirectional && has_role(ru->from, ru->nfrom, b) && has_role(ru->to, ru->nto, a);
}

/* Roles the site gives addresses, in the order of the rule set (stable across reports). */
static int site_roles(const struct report_input *in, int *out)
{
	int r, i, n = 0;

	for (r = 0; r < in->rules->nroles; r++)
		for (i = 0; i < in->site->nprefixes; i++)
			if (in->site->prefixes[i].role == r) {
				out[n++] = r;
				break;
			}
	return n;
}

/* The 'missing' findings, gathered once: each cell asks about its own pair. */
struct missing_list {
	const struct finding **v;
	int n;
};

static void missing_gather(const struct report_input *in, struct missing_list *m)
{
	const struct finding *const *list;
	int i, n;

	list = findings_list(in->findings, &n);
	m->v = xcalloc((size_t)n + 1, sizeof(*m->v));
	m->n = 0;
	for (i = 0; i < n; i++)
		if (list[i]->kind == FK_MISSING || list[i]->kind == FK_NOT_VISIBLE)
			m->v[m->n++] = list[i];
}

/* CS_MISSING or CS_NOT_VISIBLE when such a finding names the cell (and rule, unless -1); else CS_NOT_EXERCISED. */
static enum cell_status missing_between(const struct missing_list *m, int a, int b, int rule)
{
	enum cell_status st = CS_NOT_EXERCISED;
	int i;

	for (i = 0; i < m->n; i++)
		if (m->v[i]->orig_role == a && m->v[i]->resp_role == b && (rule < 0 || m->v[i]->rule == rule)) {
			if (m->v[i]->kind == FK_MISSING)
				return CS_MISSING;
			st = CS_NOT_VISIBLE;
		}
	return st;
}

static void flow_line(FILE *out, const struct report_input *in, const struct flow *f,
		      const struct classification *cl)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN], t[40];

	(void)in;
	report_format_time(f->first_us, t, sizeof(t));
	if (f->orig.proto == PROTO_TCP || f->orig.proto == PROTO_UDP) {
		fprintf(out, "<span class=\"ev\">%s %s:%u &rarr; %s:%u, %s, history ",
			f->orig.proto == PROTO_TCP ? "tcp" : "udp", addr_format(f->orig.family, f->orig.src, a),
			f->orig.sport, addr_format(f->orig.family, f->orig.dst, b), f->orig.dport,
			conn_state_name(flow_conn_state(f)));
	} else {
		/* ICMP: the originator's message type, not Zeek's type/counterpart "ports" */
		const char *type = icmp_type_name(f->orig.proto, (uint8_t)f->orig.sport);

		fputs("<span class=\"ev\">icmp/", out);
		if (type)
			fputs(type, out);
		else
			fprintf(out, "type-%u", f->orig.sport);
		fprintf(out, " %s &rarr; %s, %s, history ", addr_format(f->orig.family, f->orig.src, a),
			addr_format(f->orig.family, f->orig.dst, b), conn_state_name(flow_conn_state(f)));
	}
	report_html_text(out, f->hist.len ? f->hist.s : "-");
	fprintf(out, ", %" PRIu64 "/%" PRIu64 " pkts, %s", f->side[0].pkts, f->side[1].pkts, verdict_name(cl->verdict));
	if (cl->reason != R_NONE)
		fprintf(out, " (%s)", reason_name(cl->reason));
	if (f->service) {
		fputs(", service ", out);
		report_html_text(out, service_name(f->service));
	}
	if (f->tls && f->tls->sni) {
		fputs(", SNI ", out);
		report_html_text(out, f->tls->sni);
	}
	if (f->tls && f->tls->issuer) {
		fputs(", issuer ", out);
		report_html_text(out, f->tls->issuer);
	}
	fprintf(out, ", %s UTC</span>", t);
}

/* One cell of the role matrix: its status word, counts, and (opened) its rules and an example flow. */
static void role_cell(FILE *out, const struct report_input *in, int a, int b, const struct role_pair_stats *rp,
		      int nrp, const struct missing_list *ml)
{
	const struct rule_set *rs = in->rules;
	uint64_t flows[V_COUNT] = { 0 }, wire[WIRE_KINDS] = { 0 };
	enum cell_status st, missing;
	bool covered = false;
	const struct finding *ex = NULL;
	int r, i, v, exv = -1;

	for (r = 0; r < rs->nrules; r++)
		if (rule_on(in, r) && rule_covers(&rs->rules[r], a, b))
			covered = true;
	for (i = 0; i < nrp; i++) {
		if (rp[i].orig_role != a || rp[i].resp_role != b)
			continue;
		for (v = 0; v < V_COUNT; v++)
			flows[v] += rp[i].flows[v];
		for (v = 0; v < WIRE_KINDS; v++)
			wire[v] += rp[i].wire[v];
		if (rp[i].example >= 0) {
			const struct finding *fi = findings_get(in->findings, rp[i].example);

			if (verdict_severity(fi->example_class.verdict) > exv) {
				ex = fi;
				exv = verdict_severity(fi->example_class.verdict);
			}
		}
	}
	missing = missing_between(ml, a, b, -1);
	st = status_of_flows(flows, wire);
	if (st == CS_NOT_EXERCISED && missing != CS_NOT_EXERCISED)
		st = missing;
	else if (st == CS_NOT_EXERCISED && !covered)
		st = CS_NONE;
	fprintf(out, "<td class=\"cell st-%s\" data-from=\"", status_names[st]);
	report_html_text(out, rules_role_name(rs, a));
	fputs("\" data-to=\"", out);
	report_html_text(out, rules_role_name(rs, b));
	fprintf(out, "\" data-status=\"%s\">", status_names[st]);
	if (st == CS_NONE) {
		fputs("<span class=\"word\">&mdash;</span></td>", out);
		return;
	}
	fprintf(out, "<details><summary><span class=\"word\">%s</span><span class=\"n\">", status_words[st]);
	if (st == CS_NOT_EXERCISED || st == CS_MISSING || st == CS_NOT_VISIBLE)
		fputs(st == CS_MISSING ? "expected, no flow" : st == CS_NOT_VISIBLE ? "expected; neither end in the capture"
										   : "a rule, no flow", out);
	else
		fprintf(out, "%" PRIu64 " ok", flows[V_OK]);
	{
		const struct {
			uint64_t n;
			const char *what;
		} counts[] = { { flows[V_BLOCKED], "blocked" },
			       { flows[V_PENDING], "pending" },
			       { wire[WIRE_WRONG_PROTOCOL], "wrong protocol" },
			       { wire[WIRE_TLS_INTERCEPTED], "TLS intercepted" },
			       { wire[WIRE_MIDDLEBOX_RESET], "forged reset" },
			       { flows[V_INTERRUPTED], "interrupted" },
			       { flows[V_ONE_SIDED], "one-sided" },
			       { flows[V_UNEXPECTED], "unexpected" } };

		for (i = 0; i < (int)(sizeof(counts) / sizeof(counts[0])); i++)
			if (counts[i].n)
				fprintf(out, " &middot; %" PRIu64 " %s", counts[i].n, counts[i].what);
	}
	fputs("</span></summary><ul class=\"rules\">", out);
	for (r = 0; r < rs->nrules; r++) {
		const struct rule *ru = &rs->rules[r];
		uint64_t rf[V_COUNT] = { 0 }, rw[WIRE_KINDS] = { 0 };
		char ports[64];
		enum cell_status rst;

		if (!rule_on(in, r) || !rule_covers(ru, a, b))
			continue;
		for (i = 0; i < nrp; i++)
			if (rp[i].orig_role == a && rp[i].resp_role == b && rp[i].rule == r) {
				for (v = 0; v < V_COUNT; v++)
					rf[v] += rp[i].flows[v];
				for (v = 0; v < WIRE_KINDS; v++)
					rw[v] += rp[i].wire[v];
			}
		rst = status_of_flows(rf, rw);
		if (rst == CS_NOT_EXERCISED)
			rst = missing_between(ml, a, b, r);
		report_rule_ports(ru, ports, sizeof(ports));
		fprintf(out, "<li><span class=\"word\">%s</span> ", status_words[rst]);
		report_html_text(out, ru->name);
		fputs(" ", out);
		report_html_text(out, ports);
		fputs("</li>", out);
	}
	if (flows[V_UNEXPECTED])
		fputs("<li><span class=\"word\">unexpected</span> flows no rule allows</li>", out);
	if (ex) {
		fputs("<li>e.g. ", out);
		flow_line(out, in, &ex->example, &ex->example_class);
		fputs("</li>", out);
	}
	fputs("</ul></details></td>", out);
}

static void role_matrix(FILE *out, const struct report_input *in)
{
	const struct role_pair_stats *rp;
	int *roles = xcalloc((size_t)in->rules->nroles + 1, sizeof(*roles));
	int n = site_roles(in, roles), nrp, i, j;
	struct missing_list ml;

	rp = findings_role_pairs(in->findings, &nrp);
	missing_gather(in, &ml);
	fputs("<table class=\"matrix\" id=\"role-matrix\"><caption>Rows: source role; columns: destination role. "
	      "Open a cell for its rules and an example flow.</caption><thead><tr><th scope=\"col\">from \\ to</th>",
	      out);
	for (j = 0; j < n; j++) {
		fputs("<th scope=\"col\">", out);
		report_html_text(out, rules_role_name(in->rules, roles[j]));
		fputs("</th>", out);
	}
	fputs("</tr></thead><tbody>", out);
	for (i = 0; i < n; i++) {
		fputs("<tr><th scope=\"row\">", out);
		report_html_text(out, rules_role_name(in->rules, roles[i]));
		fputs("</th>", out);
		for (j = 0; j < n; j++)
			role_cell(out, in, roles[i], roles[j], rp, nrp, &ml);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	free(ml.v);
	free(roles);
}

/* In the header's list: what the capture carried besides IP, by name, and what could not be read, by kind. */
static void html_health(FILE *out, const struct report_input *in)
{
	enum { SHOW = 8 };
	struct health_item items[SHOW];
	char bufs[SHOW][48], list[SHOW * 72];
	uint64_t bad;
	int n;

	if (!in->health || !health_frames(in->health))
		return;
	n = health_named_not_ip(in->health, items, bufs, SHOW);
	if (n) {
		health_items_format(items, n, " ", list, sizeof(list));
		fputs("<dt>not IP</dt><dd>", out);
		report_html_text(out, list);
		fputs("</dd>", out);
	}
	bad = health_unreadable(in->health);
	n = health_unreadable_kinds(in->health, items, bufs, SHOW);
	health_items_format(items, n, " ", list, sizeof(list));
	fprintf(out, "<dt>unreadable</dt><dd>%" PRIu64 " %s (%.1f%%)%s", bad, report_plural(bad, "frame", "frames"),
		health_unreadable_percent(in->health), n ? ": " : "");
	report_html_text(out, list);
	fputs("</dd>", out);
}

/* Port-only: no roles, so the rules that saw traffic or expect some, grouped by matrix. */
static void rule_matrix(FILE *out, const struct report_input *in)
{
	const struct rule_stats *stats = findings_rule_stats(in->findings);
	int r, m = -1, shown = 0;

	fputs("<table class=\"matrix\" id=\"rule-matrix\"><caption>Port-only mode (no site file): the rules that saw "
	      "traffic, by matrix.</caption><thead><tr><th scope=\"col\">status</th><th scope=\"col\">rule</th>"
	      "<th scope=\"col\">ports</th><th scope=\"col\">ok</th><th scope=\"col\">blocked</th>"
	      "<th scope=\"col\">pending</th><th scope=\"col\">interrupted</th><th scope=\"col\">one-sided</th>"
	      "</tr></thead><tbody>",
	      out);
	for (r = 0; r < in->rules->nrules; r++) {
		const struct rule *ru = &in->rules->rules[r];
		const struct rule_stats *st = &stats[r];
		enum cell_status cs = status_of_flows(st->flows, st->wire);
		char ports[64];

		if (!st->total)
			continue;
		if (ru->matrix != m) {
			m = ru->matrix;
			fputs("<tr><th colspan=\"8\" scope=\"rowgroup\">", out);
			report_html_text(out, in->rules->matrices[m].title ? in->rules->matrices[m].title
								    : in->rules->matrices[m].name);
			fputs("</th></tr>", out);
		}
		shown++;
		report_rule_ports(ru, ports, sizeof(ports));
		fprintf(out, "<tr><td class=\"cell st-%s\" data-rule=\"", status_names[cs]);
		report_html_text(out, ru->name);
		fprintf(out, "\" data-status=\"%s\"><span class=\"word\">%s</span></td><td>", status_names[cs],
			status_words[cs]);
		report_html_text(out, ru->name);
		fputs("</td><td>", out);
		report_html_text(out, ports);
		fprintf(out, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64
			"</td></tr>\n", st->flows[V_OK], st->flows[V_BLOCKED], st->flows[V_PENDING], st->flows[V_INTERRUPTED],
			st->flows[V_ONE_SIDED]);
	}
	if (!shown)
		fputs("<tr><td colspan=\"8\">no flow matched a rule</td></tr>", out);
	fputs("</tbody></table>\n", out);
}

static void legend(FILE *out)
{
	int s;

	fputs("<p class=\"legend\">", out);
	for (s = CS_STATUS_COUNT - 1; s >= 0; s--) {
		const char *meaning = report_word_meaning(status_names[s]);

		fprintf(out, "<span class=\"st-%s\"", status_names[s]);
		if (meaning) {
			fputs(" title=\"", out);
			report_html_text(out, meaning);
			fputs("\"", out);
		}
		fprintf(out, ">%s</span>", status_words[s]);
	}
	fputs("<br>Each colour is a status: hover it for what it means, or read Words at the "
	      "end.</p>\n", out);
}

static void header(FILE *out, const struct report_input *in)
{
	const struct capture_stats *c = in->capture;
	char a[40], b[40], d[32], rules[80];
	int i;

	fputs("<header><h1>flowaudit: ", out);
	if (in->site)
		report_html_text(out, in->site->name);
	else
		fputs("port-only audit", out);
	fputs("</h1><dl class=\"meta\"><dt>inputs</dt><dd>", out);
	if (c->live) {
		fputs("live on ", out);
		report_html_text(out, c->iface ? c->iface : "?");
	}
	for (i = 0; i < c->ninputs; i++) {
		char links[200];

		if (i)
			fputs("<br>", out);
		report_html_text(out, c->inputs[i].path);
		fprintf(out, " (%s, %" PRIu64 " %s)", capture_input_links(&c->inputs[i], links, sizeof(links)),
			c->inputs[i].packets,
			report_plural(c->inputs[i].packets, "packet", "packets"));
		if (c->inputs[i].damage[0]) {
			fputs(" &mdash; damaged: ", out);
			report_html_text(out, c->inputs[i].damage);
		}
	}
	fputs("</dd>", out);
	if (in->filter) {
		fputs("<dt>filter</dt><dd>", out);
		report_html_text(out, in->filter);
		fputs("</dd>", out);
	}
	if (c->packets) {
		report_format_time(c->first_us, a, sizeof(a));
		report_format_time(c->last_us, b, sizeof(b));
		report_format_seconds(c->last_us - c->first_us, 3, d, sizeof(d));
		fprintf(out, "<dt>time span</dt><dd>%s &ndash; %s UTC (%s s)</dd>", a, b, d);
		if (!c->live && c->ninputs > 1 && c->covered_us < c->last_us - c->first_us) {
			report_format_seconds(c->covered_us, 3, d, sizeof(d));
			fprintf(out, "<dt>covered</dt><dd>%s s: the inputs' own spans, without the gaps between them</dd>", d);
		}
	}
	fprintf(out, "<dt>packets</dt><dd>%" PRIu64 " read, %" PRIu64 " in flows, %" PRIu64 " mirror %s</dd>",
		c->packets, in->decode[DECODE_OK], in->duplicates,
		report_plural(in->duplicates, "duplicate", "duplicates"));
	html_health(out, in);
	fprintf(out, "<dt>drops</dt><dd>%" PRIu64 " by the kernel, %" PRIu64 " by the interface%s</dd>", c->dropped,
		c->if_dropped, c->live ? "" : " (offline: none)");
	fprintf(out, "<dt>flows</dt><dd>%" PRIu64 " (tcp %" PRIu64 ", udp %" PRIu64 ", icmp %" PRIu64 ")</dd>",
		in->summary->flows, in->summary->by_proto[SP_TCP], in->summary->by_proto[SP_UDP],
		in->summary->by_proto[SP_ICMP]);
	if (in->summary->tunnelled) {
		char line[512];

		report_tunnels_text(in, line, sizeof(line));
		fputs("<dt>tunnels</dt><dd>", out);
		report_html_text(out, line);
		fputs("</dd>", out);
	}
	if (in->summary->by_proto[SP_OTHER])
		fprintf(out, "<dt>other IP protocols</dt><dd>%" PRIu64 " %s (GRE, ESP, OSPF, VRRP ...: logged, never "
			"judged)</dd>", in->summary->by_proto[SP_OTHER],
			report_plural(in->summary->by_proto[SP_OTHER], "flow", "flows"));
	fputs("<dt>mode</dt><dd>", out);
	if (in->site) {
		fputs("site ", out);
		report_html_text(out, in->site->name);
		fputs(", ", out);
	} else {
		fputs("port-only (no site file: roles unknown), ", out);
	}
	report_rules_text(in, rules, sizeof(rules));
	fputs(rules, out);
	if (in->interim)
		fputs("; interim report of a live audit", out);
	fputs("</dd></dl></header>\n", out);
}

/* Before the matrix: a capture this hard to read makes silence mean little. */
static void html_health_warning(FILE *out, const struct report_input *in)
{
	char line[256];

	if (!in->health || !health_degraded(in->health))
		return;
	health_summary(in->health, line, sizeof(line));
	fputs("<p class=\"health-warning\" role=\"alert\">Warning: ", out);
	report_html_text(out, line);
	fputs(". Flows in those frames are not in this audit, so &lsquo;missing&rsquo;, &lsquo;not-visible&rsquo; and "
	      "no-reply findings may be wrong.</p>\n", out);
}

/* One part of a URL path: bytes outside [A-Za-z0-9._~/-] as %XX, so nothing in it can end the attribute or name a scheme. */
static void url_part(FILE *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '~' || c == '/' || c == '-')
			fputc(c, out);
		else
			fprintf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

/*
 * The href of a file in the --evidence directory: DIR/NAME, DIR as given
 * (relative to where flowaudit ran: the page is usually read beside it).
 * Runs of slashes are written as one: "//host/x" would link to another
 * host, and on Linux it names the same directory as "/host/x".
 */
static void evidence_href(FILE *out, const char *dir, const char *name)
{
	const char *p;
	char last = '\0';

	for (p = dir; *p; p++) {
		if (*p == '/' && last == '/')
			continue;
		url_part(out, p, 1);
		last = *p;
	}
	if (last && last != '/')
		fputc('/', out);
	url_part(out, name, strlen(name));
}

/*
 * --evidence: a link to the finding's pcapng file and what it holds, after
 * sep; nothing without --evidence or an entry. at: the finding's index in
 * findings_list (where its entry is).
 */
static void evidence_link(FILE *out, const struct report_input *in, const struct finding *fi, int at, const char *sep)
{
	const struct evidence_file *ef = report_evidence_file(in->evidence, at, fi->id);
	char counts[256];

	if (!ef)
		return;
	fputs(sep, out);
	if (!ef->written) {
		fputs("evidence not written", out);
		return;
	}
	fputs("evidence <a class=\"ev\" href=\"", out);
	evidence_href(out, in->evidence->href ? in->evidence->href : in->evidence->dir, ef->name);
	fputs("\">", out);
	report_html_text(out, ef->name);
	report_evidence_counts(ef, counts, sizeof(counts));
	fputs("</a> (", out);
	report_html_text(out, counts);
	fputs(")", out);
}

/* The site's accepted exceptions: the findings they cover with the reason, then entries expired or unused. */
static void html_accepted(FILE *out, const struct report_input *in, const struct finding *const *list, int n)
{
	char o[ADDR_STRLEN], r[ADDR_STRLEN], port[48];
	int i;

	if (!in->site || !in->site->naccepts)
		return;
	fprintf(out, "<section id=\"accepted\"><h2>Accepted exceptions (%" PRIu64 ", not counted for --fail-on)</h2><ol>",
		findings_accepted(in->findings));
	for (i = 0; i < n; i++) {
		const struct finding *fi = list[i];
		const char *kind = findings_kind_name(fi->kind);

		if (!fi->accepted)
			continue;
		report_finding_port(fi, port, sizeof(port));
		fprintf(out, "<li class=\"finding accepted\" id=\"%s\" data-kind=\"%s\" data-id=\"%s\"><span class=\"kind k-%s\">%s</span> %s ",
			fi->id, kind, fi->id, kind, kind, port);
		if (fi->has_example)
			fprintf(out, "%s &rarr; %s, ", addr_format(fi->family, fi->orig_h, o),
				addr_format(fi->family, fi->resp_h, r));
		fprintf(out, "%" PRIu64 " flow%s &middot; id <span class=\"ev\">%s</span><br>accepted: ", fi->count,
			fi->count == 1 ? "" : "s", fi->id);
		report_html_text(out, in->site->accepts[fi->accept_index].reason);
		fprintf(out, " (line %d)", in->site->accepts[fi->accept_index].line);
		evidence_link(out, in, fi, i, "<br>");
		fputs("</li>\n", out);
	}
	fputs("</ol>", out);
	for (i = 0; i < in->site->naccepts; i++) {
		uint64_t used;
		enum accept_status st = findings_accept_status(in->findings, i, &used);

		if (st == ACCEPT_USED)
			continue;
		fprintf(out, "<p class=\"exception-%s\">%s accept entry at line %d (", st == ACCEPT_EXPIRED ? "expired" : "unused",
			st == ACCEPT_EXPIRED ? "Expired" : "Unused", in->site->accepts[i].line);
		report_html_text(out, in->site->accepts[i].reason);
		if (st == ACCEPT_EXPIRED) {
			fputs(") ended on ", out);
			report_html_text(out, in->site->accepts[i].until);
			fputs(": it accepts nothing.</p>", out);
		} else {
			fputs(") matched no finding.</p>", out);
		}
	}
	fputs("</section>\n", out);
}

static void findings_section(FILE *out, const struct report_input *in)
{
	const struct finding *const *list;
	char o[ADDR_STRLEN], r[ADDR_STRLEN], ev[1024], t1[40], t2[40], port[48];
	struct report_related *rel;
	int i, n;

	list = findings_list(in->findings, &n);
	rel = report_related_new(list, n);
	fprintf(out, "<section id=\"findings\"><h2>Findings (%d, most serious first)</h2>\n",
		n - (int)findings_accepted(in->findings));
	if (n == (int)findings_accepted(in->findings))
		fputs("<p>none</p>", out);
	fputs("<ol class=\"findings\">", out);
	for (i = 0; i < n; i++) {
		const struct finding *fi = list[i];
		const struct rule *ru = fi->rule >= 0 ? &in->rules->rules[fi->rule] : NULL;
		const char *kind = findings_kind_name(fi->kind);
		const int *ex;
		int k, nex, nested = 0;

		if (report_related_nested(rel, i) || fi->accepted)
			continue;	/* told under the blocked finding it explains, or with the accepted ones */
		report_finding_port(fi, port, sizeof(port));
		fprintf(out, "<li class=\"finding\" id=\"%s\" data-kind=\"%s\" data-id=\"%s\"><span class=\"kind k-%s\">%s</span> "
			"%s ", fi->id, kind, fi->id, kind, kind, port);
		if (fi->kind == FK_MISSING || fi->kind == FK_NOT_VISIBLE) {
			report_html_text(out, rules_role_name(in->rules, fi->orig_role));
			fputs(" &rarr; ", out);
			report_html_text(out, rules_role_name(in->rules, fi->resp_role));
			if (fi->has_host)
				fprintf(out, ": silent host %s", addr_format(fi->family, fi->orig_h, o));
		} else {
			fprintf(out, "%s &rarr; %s, %" PRIu64 " flow%s", addr_format(fi->family, fi->orig_h, o),
				addr_format(fi->family, fi->resp_h, r), fi->count, fi->count == 1 ? "" : "s");
			if (fi->hosts > 1)
				fprintf(out, ", %" PRIu64 "%s host pairs", fi->hosts, fi->hosts_capped ? "+" : "");
			if (fi->reason != R_NONE)
				fprintf(out, ", %s", reason_name(fi->reason));
		}
		fputs("<br>rule ", out);
		report_html_text(out, ru ? ru->name : "none");
		if (fi->kind != FK_MISSING && fi->kind != FK_NOT_VISIBLE && in->site) {
			fputs(" (", out);
			report_html_text(out, fi->orig_role >= 0 ? rules_role_name(in->rules, fi->orig_role) : "no role");
			fputs(" &rarr; ", out);
			report_html_text(out, fi->resp_role >= 0 ? rules_role_name(in->rules, fi->resp_role) : "no role");
			fputs(")", out);
		}
		fprintf(out, " &middot; id <span class=\"ev\">%s</span>", fi->id);
		if (fi->hosts > 1 && fi->npairs) {
			fputs("<br>hosts ", out);
			for (k = 0; k < fi->npairs && k < 8; k++)
				fprintf(out, "%s%s &rarr; %s (%" PRIu64 ")", k ? ", " : "",
					addr_format(fi->pairs[k].family, fi->pairs[k].orig_h, o),
					addr_format(fi->pairs[k].family, fi->pairs[k].resp_h, r), fi->pairs[k].flows);
			if (fi->hosts > (uint64_t)k)
				fprintf(out, " and %" PRIu64 " more", fi->hosts - (uint64_t)k);
		}
		if (fi->has_example) {
			report_format_time(fi->first_us, t1, sizeof(t1));
			report_format_time(fi->last_us, t2, sizeof(t2));
			fputs("<br>e.g. ", out);
			flow_line(out, in, &fi->example, &fi->example_class);
			fprintf(out, "<br>seen %s &ndash; %s UTC", t1, t2 + 11);
		}
		report_finding_evidence(in, fi, ev, sizeof(ev));
		if (ev[0]) {
			fputs("<br><span class=\"ev\">", out);
			report_html_text(out, ev);
			fputs("</span>", out);
		}
		if (fi->confidence != CONF_HIGH || fi->note[0]) {
			fprintf(out, "<br>confidence %s", findings_confidence_name(fi->confidence));
			if (fi->note[0]) {
				fputs(": ", out);
				report_html_text(out, fi->note);
			}
		}
		evidence_link(out, in, fi, i, "<br>");
		ex = report_related_of(rel, i, &nex);
		for (k = 0; k < nex; k++) {
			const struct finding *d = list[ex[k]];

			fputs(nested++ ? "" : "<ul class=\"related\">", out);
			fprintf(out, "<li class=\"finding\" id=\"%s\" data-kind=\"%s\" data-id=\"%s\"><span class=\"kind k-%s\">%s"
				"</span> ", d->id, findings_kind_name(d->kind), d->id, findings_kind_name(d->kind),
				findings_kind_name(d->kind));
			report_html_text(out, d->note);
			fprintf(out, " (%" PRIu64 " flow%s, %" PRIu64 " host pair%s) &middot; id <span class=\"ev\">%s</span>",
				d->count, d->count == 1 ? "" : "s", d->hosts, d->hosts == 1 ? "" : "s", d->id);
			evidence_link(out, in, d, ex[k], "<br>");
			fputs("</li>", out);
		}
		fputs(nested ? "</ul></li>\n" : "</li>\n", out);
	}
	report_related_free(rel);
	fputs("</ol></section>\n", out);
	html_accepted(out, in, list, n);
}

void report_html_begin(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	      "<meta name=\"generator\" content=\"flowaudit " PACKAGE_VERSION "\"><title>flowaudit: ",
	      out);
	report_html_text(out, title);
	fprintf(out, "</title><style>%s</style></head>\n<body>\n", style);
}

void report_html_end(FILE *out)
{
	fputs("<footer>flowaudit " PACKAGE_VERSION ": a passive audit; nothing was sent.</footer>\n</body></html>\n",
	      out);
}

const char *report_html_status_class(enum verdict v)
{
	switch (v) {
	case V_BLOCKED:
		return "blocked";
	case V_INTERRUPTED:
		return "interrupted";
	case V_ONE_SIDED:
		return "one-sided";
	case V_UNEXPECTED:
		return "unexpected";
	case V_PENDING:
		return "pending";
	case V_OK:
		return "ok";
	default:
		return "none";
	}
}

/* --evidence: where the files are (a link to their index), how much they hold, and the live buffers' cap. */
static void html_evidence(FILE *out, const struct report_input *in)
{
	const struct evidence_result *ev = in->evidence;
	char line[256];
	int written, missing;

	if (!ev)
		return;
	written = report_evidence_written(ev);
	missing = ev->nfiles - written;
	fprintf(out, "<section id=\"evidence\"><h2>Evidence</h2><p>%d %s in <span class=\"ev\">", written,
		report_plural((uint64_t)written, "file", "files"));
	report_html_text(out, ev->dir);
	fputs("</span> (<a href=\"", out);
	evidence_href(out, ev->href ? ev->href : ev->dir, "index.json");
	fprintf(out, "\">index.json</a> lists them), %" PRIu64 " %s, %" PRIu64 " %s</p>", ev->packets,
		report_plural(ev->packets, "packet", "packets"), ev->bytes, report_plural(ev->bytes, "byte", "bytes"));
	if (missing > 0)
		fprintf(out, "<p>%d %s could not be written (the run's error line says why).</p>", missing,
			report_plural((uint64_t)missing, "finding's file", "findings' files"));
	report_evidence_buffers(ev, line, sizeof(line));
	if (line[0]) {
		fputs("<p>From live buffers: ", out);
		report_html_text(out, line);
		fputs(".</p>", out);
	}
	fputs("</section>\n", out);
}

/* The words of this report, each with what it means (the legend's colours, in words). */
static void html_glossary(FILE *out, const struct report_input *in)
{
	const char *words[32];
	int i, n = report_words_used(in, words, 32);

	if (!n)
		return;
	fputs("<section id=\"glossary\"><h2>Words</h2><dl class=\"meta\">", out);
	for (i = 0; i < n; i++) {
		fputs("<dt>", out);
		report_html_text(out, words[i]);
		fputs("</dt><dd>", out);
		report_html_text(out, report_word_meaning(words[i]));
		fputs("</dd>", out);
	}
	fputs("</dl></section>\n", out);
}

int report_html_write(FILE *out, const struct report_input *in)
{
	report_html_begin(out, in->site ? in->site->name : "port-only audit");
	header(out, in);
	html_health_warning(out, in);
	fputs("<section id=\"matrix\"><h2>Matrix as observed</h2>\n", out);
	legend(out);
	if (in->site)
		role_matrix(out, in);
	else
		rule_matrix(out, in);
	fputs("</section>\n", out);
	findings_section(out, in);
	html_evidence(out, in);
	html_glossary(out, in);
	report_html_end(out);
	return ferror(out) ? -1 : 0;
}
