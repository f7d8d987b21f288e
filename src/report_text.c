/* report_text: the audit as a person reads it — header, observed matrix, findings, traffic */
#include "report.h"

#include <inttypes.h>
#include <string.h>

#include "addr.h"
#include "evidence.h"
#include "inspect.h"

enum { TOP_HOSTS = 10 };

/* Zeek's one-line meanings of the conn states. */
static const char *const state_meaning[CS_COUNT] = {
	[CS_S0] = "attempt, no reply",
	[CS_S1] = "established, not closed",
	[CS_SF] = "normal establishment and termination",
	[CS_REJ] = "attempt rejected",
	[CS_S2] = "established, originator closed, no reply",
	[CS_S3] = "established, responder closed, no reply",
	[CS_RSTO] = "established, originator aborted (RST)",
	[CS_RSTR] = "established, responder aborted (RST)",
	[CS_RSTOS0] = "originator SYN then RST, no SYN-ACK",
	[CS_RSTRH] = "responder SYN-ACK then RST, no SYN",
	[CS_SH] = "originator SYN then FIN, no SYN-ACK",
	[CS_SHR] = "responder SYN-ACK then FIN, no SYN",
	[CS_OTH] = "no SYN seen: midstream, or not TCP/UDP",
};

static const char *color_of(const char *word)
{
	if (!strcmp(word, "blocked") || !strcmp(word, "missing") || !strcmp(word, "WARNING") || !strcmp(word, "fallback") ||
	    !strcmp(word, "incomplete") || !strcmp(word, "tls-intercepted") || !strcmp(word, "middlebox-reset"))
		return "\033[1;31m";
	if (!strcmp(word, "interrupted") || !strcmp(word, "one-sided") || !strcmp(word, "unexpected") ||
	    !strcmp(word, "seen (deny)") || !strcmp(word, "wrong-protocol"))
		return "\033[33m";
	if (!strcmp(word, "ok"))
		return "\033[32m";
	return "\033[2m";
}

/* A status word, padded to width, coloured when asked. */
static void word(FILE *out, const struct report_input *in, const char *w, int width)
{
	size_t n = strlen(w);

	if (in->color)
		fputs(color_of(w), out);
	fputs(w, out);
	for (; (int)n < width; n++)
		fputc(' ', out);
	if (in->color)
		fputs("\033[0m", out);
}

/* Encrypted 802.11 and encapsulations decode does not open are not malformed: counted apart. */
static bool decode_is_problem(int e)
{
	return e != DECODE_OTHER_PROTO && e != DECODE_ENCRYPTED && e != DECODE_UNSUPPORTED;
}

static uint64_t decode_problems(const struct report_input *in)
{
	uint64_t n = 0;
	int e;

	for (e = DECODE_LINK_TRUNCATED; e < DECODE_ERROR_COUNT; e++)
		if (decode_is_problem(e))
			n += in->decode[e];
	return n;
}

/* Live: what the capture point saw and lost; drops make findings built on silence uncertain. */
static void text_capture_health(FILE *out, const struct report_input *in)
{
	const struct capture_stats *c = in->capture;

	fprintf(out, "%-12s live on ", in->interim ? "INTERIM" : "capture");
	report_text_safe(out, c->iface ? c->iface : "?");
	fprintf(out, " (%s): %" PRIu64 " received, %" PRIu64 " dropped by the kernel, %" PRIu64
		" by the interface%s%s\n", c->ninputs ? decode_link_name(c->inputs[0].dlt) : "?", c->received,
		c->dropped, c->if_dropped, c->stopped_by ? "; stopped by " : "", c->stopped_by ? c->stopped_by : "");
	if (c->dropped || c->if_dropped)
		fprintf(out, "%-12s packets were lost: blocked, missing and one-sided findings are uncertain\n",
			"WARNING");
	if (in->interim)
		fprintf(out, "%-12s %" PRIu64 " %s\n", "", in->live_flows,
			report_plural(in->live_flows, "flow still live is not in this report",
				      "flows still live are not in this report"));
	if (c->stopped_us > c->started_us) {
		char a[40], b[40], d[32];

		report_format_time(c->started_us, a, sizeof(a));
		report_format_time(c->stopped_us, b, sizeof(b));
		report_format_seconds(c->stopped_us - c->started_us, 3, d, sizeof(d));
		fprintf(out, "%-12s %s - %s UTC (%s s)\n", "listened", a, b, d);
	}
}

static void text_inputs(FILE *out, const struct report_input *in)
{
	const struct capture_stats *c = in->capture;
	int i;

	if (c->live)
		text_capture_health(out, in);
	for (i = 0; i < c->ninputs && !c->live; i++) {
		const struct capture_input *ci = &c->inputs[i];
		char links[200];

		fprintf(out, "%-12s ", i ? "" : "input");
		report_text_safe(out, strcmp(ci->path, "-") ? ci->path : "standard input");
		fprintf(out, " (%s, %" PRIu64 " %s)", capture_input_links(ci, links, sizeof(links)), ci->packets,
			report_plural(ci->packets, "packet", "packets"));
		if (ci->damage[0]) {
			fputs(": DAMAGED: ", out);
			report_text_safe(out, ci->damage);
		}
		fputc('\n', out);
	}
	if (in->filter) {
		fprintf(out, "%-12s ", "filter");
		report_text_safe(out, in->filter);
		fputc('\n', out);
	}
	if (c->packets) {
		char a[40], b[40], d[32];

		report_format_time(c->first_us, a, sizeof(a));
		report_format_time(c->last_us, b, sizeof(b));
		report_format_seconds(c->last_us - c->first_us, 3, d, sizeof(d));
		fprintf(out, "%-12s %s - %s UTC (%s s)\n", "time span", a, b, d);
		if (!c->live && c->ninputs > 1 && c->covered_us < c->last_us - c->first_us) {
			report_format_seconds(c->covered_us, 3, d, sizeof(d));
			fprintf(out, "%-12s %s s: the inputs' own spans, without the gaps between them\n", "covered", d);
		}
	}
}

static void text_mode(FILE *out, const struct report_input *in)
{
	char rules[80];

	if (!in->rules)
		return;
	if (in->site) {
		fprintf(out, "%-12s site ", "mode");
		report_text_safe(out, in->site->name);
		fprintf(out, " (%d %s, %d %s), ", in->site->nprefixes,
			report_plural((uint64_t)in->site->nprefixes, "role address", "role addresses"),
			in->site->nscope, report_plural((uint64_t)in->site->nscope, "scope prefix", "scope prefixes"));
	} else {
		fprintf(out, "%-12s port-only (no --site: rules match on protocol and port, roles unknown, "
			"nothing is 'unexpected' or 'missing'), ", "mode");
	}
	report_rules_text(in, rules, sizeof(rules));
	fprintf(out, "%s\n", rules);
	if (in->site && in->site->nscope == 0)
		fprintf(out, "%-12s the site file has no scope: nothing can be 'unexpected' (add scope: [PREFIX, ...])\n",
			"");
}

/*
 * What the capture carried besides IP, by name, and what could not be read,
 * by kind; a warning line when that is a large share (health.h).
 */
static void text_health(FILE *out, const struct report_input *in)
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
		fprintf(out, "%-12s ", "not IP");
		report_text_safe(out, list);
		fputc('\n', out);
	}
	bad = health_unreadable(in->health);
	if (!bad)
		return;
	n = health_unreadable_kinds(in->health, items, bufs, SHOW);
	health_items_format(items, n, " ", list, sizeof(list));
	fprintf(out, "%-12s %" PRIu64 " %s (%.1f%%): ", "unreadable", bad, report_plural(bad, "frame", "frames"),
		health_unreadable_percent(in->health));
	report_text_safe(out, list);
	fputc('\n', out);
}

/* Before the matrix and the findings: a capture this hard to read makes silence mean little. */
static void text_health_warning(FILE *out, const struct report_input *in)
{
	char line[256];

	if (!in->health || !health_degraded(in->health))
		return;
	health_summary(in->health, line, sizeof(line));
	word(out, in, "WARNING", 12);
	fputc(' ', out);
	report_text_safe(out, line);
	fprintf(out, ": flows in those frames are not in this audit, so 'missing', 'not-visible' and no-reply "
		     "findings may be wrong");
	fputc('\n', out);
}

/* "tunnels      2 vxlan (mirror transport), 1 teredo; 14 flows inside" */
static void text_tunnels(FILE *out, const struct report_input *in)
{
	char line[512];

	if (!in->summary->tunnelled)
		return;
	report_tunnels_text(in, line, sizeof(line));
	fprintf(out, "%-12s %s\n", "tunnels", line);
}

static void text_packets(FILE *out, const struct report_input *in)
{
	const struct capture_stats *c = in->capture;
	const struct flow_table_stats *t = in->table;

	fprintf(out, "%-12s %" PRIu64 " read, %" PRIu64 " in flows, %" PRIu64 " not IP, %" PRIu64
		" other IP %s, %" PRIu64 " with decode problems\n", "packets", c->packets,
		in->decode[DECODE_OK], in->decode[DECODE_NOT_IP], in->decode[DECODE_OTHER_PROTO],
		report_plural(in->decode[DECODE_OTHER_PROTO], "protocol", "protocols"), decode_problems(in));
	if (in->decode[DECODE_ENCRYPTED] || in->decode[DECODE_UNSUPPORTED])
		fprintf(out, "%-12s %" PRIu64 " encrypted (802.11), %" PRIu64 " in an encapsulation not opened\n", "",
			in->decode[DECODE_ENCRYPTED], in->decode[DECODE_UNSUPPORTED]);
	if (c->ts_backwards)
		fprintf(out, "%-12s %" PRIu64 " %s\n", "", c->ts_backwards,
			report_plural(c->ts_backwards, "packet older than the one before it",
				      "packets older than one before them"));
	if (in->duplicates)
		fprintf(out, "%-12s %" PRIu64 " mirror %s counted once\n", "", in->duplicates,
			report_plural(in->duplicates, "duplicate", "duplicates"));
	fprintf(out, "%-12s %" PRIu64 " (tcp %" PRIu64 ", udp %" PRIu64 ", icmp %" PRIu64, "flows", in->summary->flows,
		in->summary->by_proto[SP_TCP], in->summary->by_proto[SP_UDP], in->summary->by_proto[SP_ICMP]);
	if (in->summary->by_proto[SP_OTHER])
		fprintf(out, ", other %" PRIu64, in->summary->by_proto[SP_OTHER]);
	fprintf(out, "), %" PRIu64 " IP %s\n", in->summary->ip_bytes, report_plural(in->summary->ip_bytes, "byte", "bytes"));
	text_tunnels(out, in);
	fprintf(out, "%-12s peak %" PRIu64 " live, %" PRIu64 " evicted, %" PRIu64 " %s reused, %" PRIu64
		" %s joined,\n%-12s %" PRIu64 " %s\n", "flow table", t->peak_live, t->evicted, t->reused,
		report_plural(t->reused, "5-tuple", "5-tuples"), t->fragments,
		report_plural(t->fragments, "fragment", "fragments"), "", t->icmp_errors_matched,
		report_plural(t->icmp_errors_matched, "ICMP error matched to the flow it quotes",
			      "ICMP errors matched to the flow they quote"));
}

/* What the first payload bytes showed: services, TLS handshakes, and what could not be followed. */
static void text_payload(FILE *out, const struct report_input *in)
{
	const struct inspect_stats *st = in->inspect;
	const char *sep = ": ";
	int s;

	if (!st)
		return;
	fprintf(out, "%-12s %" PRIu64 " %s", "payload", st->flows,
		report_plural(st->flows, "flow with its first bytes seen", "flows with their first bytes seen"));
	for (s = 1; s < SVC_COUNT; s++)
		if (st->by_service[s]) {
			fprintf(out, "%s%s %" PRIu64, sep, service_name((enum service)s), st->by_service[s]);
			sep = ", ";
		}
	fprintf(out, "\n");
	if (st->tls_handshakes || st->tls_certificates || st->tls_malformed)
		fprintf(out, "%-12s %" PRIu64 " TLS/DTLS client %s, %" PRIu64 " certificate %s read, %" PRIu64
			" broken %s\n", "", st->tls_handshakes, report_plural(st->tls_handshakes, "hello", "hellos"),
			st->tls_certificates, report_plural(st->tls_certificates, "message", "messages"),
			st->tls_malformed, report_plural(st->tls_malformed, "handshake", "handshakes"));
	if (st->gaps || st->over_budget || st->evidence_dropped)
		fprintf(out, "%-12s %" PRIu64 " %s cut short (a missing segment or a short capture), %" PRIu64
			" not followed (buffer budget), %" PRIu64 " evidence %s not kept\n", "", st->gaps,
			report_plural(st->gaps, "handshake", "handshakes"), st->over_budget, st->evidence_dropped,
			report_plural(st->evidence_dropped, "value", "values"));
}

static void roles_text(const struct report_input *in, const int *roles, int n, char *out, size_t len)
{
	size_t used = 0;
	int i, w;

	out[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		w = snprintf(out + used, len - used, "%s%s", i ? "," : "", rules_role_name(in->rules, roles[i]));
		used += w > 0 ? (size_t)w : 0;
	}
}

static bool matrix_row_shown(const struct report_input *in, int r, const struct rule_stats *st)
{
	const struct rule *ru = &in->rules->rules[r];

	if (in->site && in->site->matrix_on && !in->site->matrix_on[ru->matrix])
		return false;
	return st->total || st->absent >= 0;
}

/* "from -> to", cut to at most width characters (out holds width + 1). */
static void roles_line(const struct report_input *in, const struct rule *ru, char *out, size_t width)
{
	char from[256], to[256], full[520];
	size_t n;

	roles_text(in, ru->from, ru->nfrom, from, sizeof(from));
	roles_text(in, ru->to, ru->nto, to, sizeof(to));
	snprintf(full, sizeof(full), "%s -> %s", from, to);
	n = strlen(full);
	if (n > width && width > 3) {
		memcpy(full + width - 3, "...", 4);
		n = width;
	}
	memcpy(out, full, n + 1);
}

static void text_matrix(FILE *out, const struct report_input *in)
{
	const struct rule_stats *stats = findings_rule_stats(in->findings);
	int r, shown = 0;

	fprintf(out, "\nMATRIX AS OBSERVED (rules that saw traffic or expect some)\n");
	fprintf(out, "%-15s %4s %4s %4s %4s %5s  %-16s %s\n", "status", "ok", "blkd", "pend", "intr", "1side",
		"proto/ports", "rule");
	for (r = 0; r < in->rules->nrules; r++) {
		const struct rule *ru = &in->rules->rules[r];
		const struct rule_stats *st = &stats[r];
		char ports[64], roles[96];

		if (!matrix_row_shown(in, r, st))
			continue;
		shown++;
		report_rule_ports(ru, ports, sizeof(ports));
		word(out, in, report_rule_status(ru, st), 15);
		fprintf(out, " %4" PRIu64 " %4" PRIu64 " %4" PRIu64 " %4" PRIu64 " %5" PRIu64 "  %-16s %s\n",
			st->flows[V_OK], st->flows[V_BLOCKED], st->flows[V_PENDING], st->flows[V_INTERRUPTED],
			st->flows[V_ONE_SIDED], ports, ru->name);
		roles_line(in, ru, roles, 90);
		fprintf(out, "%6s%s\n", "", roles);
	}
	if (!shown)
		fprintf(out, "(no flow matched a rule)\n");
}

/* Text after a 12-column indent, wrapped at 100 columns. */
static void wrapped(FILE *out, const char *text)
{
	int col = 12;

	fprintf(out, "%12s", "");
	while (*text) {
		size_t w = strcspn(text, " ");

		if (col > 12 && col + 1 + (int)w > 100) {
			fprintf(out, "\n%12s", "");
			col = 12;
		} else if (col > 12) {
			fputc(' ', out);
			col++;
		}
		fwrite(text, 1, w, out);
		col += (int)w;
		text += w;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

/*
 * A line built in memory and written with one fwrite: a report can hold
 * hundreds of thousands of findings, and fprintf with its format parsing
 * was most of the cost of writing them.
 */
struct line {
	char b[1024];
	size_t n;
};

static void line_str(struct line *l, const char *s)
{
	size_t len = strlen(s);

	if (len > sizeof(l->b) - l->n)
		len = sizeof(l->b) - l->n;
	memcpy(l->b + l->n, s, len);
	l->n += len;
}

/* s, then spaces up to width (printf's %-*s). */
static void line_pad(struct line *l, const char *s, size_t width)
{
	size_t start = l->n;

	line_str(l, s);
	while (l->n - start < width && l->n < sizeof(l->b))
		l->b[l->n++] = ' ';
}

static void line_u64(struct line *l, uint64_t v)
{
	char d[20];
	size_t i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i);
	if (sizeof(d) - i > sizeof(l->b) - l->n)
		return;
	memcpy(l->b + l->n, d + i, sizeof(d) - i);
	l->n += sizeof(d) - i;
}

static void line_write(struct line *l, FILE *out)
{
	fwrite(l->b, 1, l->n, out);
	l->n = 0;
}

static void finding_evidence(FILE *out, struct line *l, const struct finding *fi)
{
	const struct flow *ex = &fi->example;
	char a[40], b[40];

	if (!fi->has_example)
		return;
	report_format_time(fi->first_us, a, sizeof(a));
	report_format_time(fi->last_us, b, sizeof(b));
	line_pad(l, "", 12);
	line_str(l, "e.g. ");
	line_str(l, conn_state_name(flow_conn_state(ex)));
	line_str(l, ", history ");
	line_str(l, ex->hist.len ? ex->hist.s : "-");
	line_str(l, ", ");
	line_u64(l, ex->side[0].pkts);
	line_str(l, "/");
	line_u64(l, ex->side[1].pkts);
	line_str(l, " pkts; seen ");
	line_str(l, a);
	line_str(l, " - ");
	line_str(l, b + 11);
	line_str(l, "\n");
	line_write(l, out);
}

/* What the payload or the reset showed; from the wire, so escaped. */
static void wire_evidence(FILE *out, const struct report_input *in, const struct finding *fi)
{
	char ev[1024];

	report_finding_evidence(in, fi, ev, sizeof(ev));
	if (!ev[0])
		return;
	fprintf(out, "%12s", "");
	report_text_safe(out, ev);
	fputc('\n', out);
}

/*
 * --evidence: the finding's pcapng file and what is in it, indent columns
 * in. Nothing without --evidence, or for a finding the result has no entry
 * for. The name is the evidence code's own, but printed as safe text all
 * the same.
 */
static void evidence_line(FILE *out, const struct report_input *in, const struct finding *fi, int at, int indent)
{
	const struct evidence_file *ef = report_evidence_file(in->evidence, at, fi->id);
	char counts[256];

	if (!ef)
		return;
	fprintf(out, "%*s", indent, "");
	if (!ef->written) {
		fputs("evidence not written\n", out);
		return;
	}
	fputs("evidence ", out);
	report_text_safe(out, ef->name);
	report_evidence_counts(ef, counts, sizeof(counts));
	fprintf(out, " (%s)\n", counts);
}

/* at: the finding's index in findings_list (where its evidence entry is). */
static void text_finding(FILE *out, const struct report_input *in, const struct finding *fi, int at)
{
	const struct rule *ru = fi->rule >= 0 ? &in->rules->rules[fi->rule] : NULL;
	char o[ADDR_STRLEN], r[ADDR_STRLEN], line[512], port[48];
	struct line l = { .n = 0 };
	size_t start;

	word(out, in, findings_kind_name(fi->kind), 11);
	line_str(&l, " ");
	start = l.n;
	report_finding_port(fi, port, sizeof(port));
	line_str(&l, port);
	while (l.n - start < 10)
		l.b[l.n++] = ' ';
	line_str(&l, " ");
	if (fi->kind == FK_MISSING || fi->kind == FK_NOT_VISIBLE) {
		line_str(&l, rules_role_name(in->rules, fi->orig_role));
		line_str(&l, " -> ");
		line_str(&l, rules_role_name(in->rules, fi->resp_role));
		if (fi->has_host) {
			line_str(&l, ": silent host ");
			line_str(&l, addr_format(fi->family, fi->orig_h, o));
		}
	} else {
		line_str(&l, addr_format(fi->family, fi->orig_h, o));
		line_str(&l, " -> ");
		line_str(&l, addr_format(fi->family, fi->resp_h, r));
		line_str(&l, "  ");
		line_u64(&l, fi->count);
		line_str(&l, fi->count == 1 ? " flow" : " flows");
		if (fi->hosts > 1) {
			line_str(&l, ", ");
			line_u64(&l, fi->hosts);
			line_str(&l, fi->hosts_capped ? "+ host pairs" : " host pairs");
		}
		if (fi->reason != R_NONE) {
			line_str(&l, ", ");
			line_str(&l, reason_name(fi->reason));
		}
	}
	line_str(&l, "\n");
	line_pad(&l, "", 12);
	line_str(&l, "rule ");
	line_str(&l, ru ? ru->name : "none");
	if (fi->kind != FK_MISSING && fi->kind != FK_NOT_VISIBLE && in->site) {
		line_str(&l, " (");
		line_str(&l, fi->orig_role >= 0 ? rules_role_name(in->rules, fi->orig_role) : "no role");
		line_str(&l, " -> ");
		line_str(&l, fi->resp_role >= 0 ? rules_role_name(in->rules, fi->resp_role) : "no role");
		line_str(&l, ")");
	}
	line_str(&l, "  id ");
	line_str(&l, fi->id);
	line_str(&l, "\n");
	if (fi->hosts > 1 && fi->npairs) {
		int k, show = fi->npairs < 4 ? fi->npairs : 4;

		line_pad(&l, "", 12);
		line_str(&l, "hosts ");
		for (k = 0; k < show; k++) {
			line_str(&l, k ? ", " : "");
			line_str(&l, addr_format(fi->pairs[k].family, fi->pairs[k].orig_h, o));
			line_str(&l, " -> ");
			line_str(&l, addr_format(fi->pairs[k].family, fi->pairs[k].resp_h, r));
			line_str(&l, " (");
			line_u64(&l, fi->pairs[k].flows);
			line_str(&l, ")");
		}
		if (fi->hosts > (uint64_t)show) {
			line_str(&l, " and ");
			line_u64(&l, fi->hosts - (uint64_t)show);
			line_str(&l, " more");
		}
		line_str(&l, "\n");
	}
	line_write(&l, out);
	finding_evidence(out, &l, fi);
	wire_evidence(out, in, fi);
	if (fi->confidence != CONF_HIGH) {
		snprintf(line, sizeof(line), "confidence %s%s%s", findings_confidence_name(fi->confidence),
			 fi->note[0] ? ": " : "", fi->note);
		wrapped(out, line);
	} else if (fi->note[0]) {
		snprintf(line, sizeof(line), "note: %s", fi->note);
		wrapped(out, line);
	}
	evidence_line(out, in, fi, at, 12);
}

/* Why an accepted finding is accepted: the entry's reason, where it is, until when. */
static void text_accepted(FILE *out, const struct report_input *in, const struct finding *fi)
{
	const struct site_accept *a = &in->site->accepts[fi->accept_index];
	char line[600];

	snprintf(line, sizeof(line), "accepted: %s (%s:%d%s%s)", a->reason, in->site->file, a->line,
		 a->until[0] ? ", until " : "", a->until);
	wrapped(out, line);
}

/* Accept entries that expired (they accept nothing) or matched nothing (stale): an audit result too. */
static void text_exceptions(FILE *out, const struct report_input *in)
{
	int i;

	for (i = 0; in->site && i < in->site->naccepts; i++) {
		const struct site_accept *a = &in->site->accepts[i];
		uint64_t used;
		enum accept_status st = findings_accept_status(in->findings, i, &used);

		if (st == ACCEPT_USED)
			continue;
		fprintf(out, "%s accept entry at ", st == ACCEPT_EXPIRED ? "expired:" : "unused: ");
		report_text_safe(out, in->site->file);
		fprintf(out, ":%d (", a->line);
		report_text_safe(out, a->reason);
		if (st == ACCEPT_EXPIRED)
			fprintf(out, ") ended on %s: it accepts nothing\n", a->until);
		else
			fputs(") matched no finding: remove it if the exception is gone\n", out);
	}
}

/* A fallback or incomplete under the blocked finding it explains: one line (wrapped), its id and host pairs. */
static void text_related(FILE *out, const struct report_input *in, const struct finding *fi)
{
	char line[512];

	snprintf(line, sizeof(line), "+ %s: %s (%" PRIu64 " %s, %" PRIu64 " host %s; id %s)",
		 findings_kind_name(fi->kind), fi->note, fi->count, report_plural(fi->count, "flow", "flows"), fi->hosts,
		 report_plural(fi->hosts, "pair", "pairs"), fi->id);
	(void)in;
	wrapped(out, line);
}

static void text_findings(FILE *out, const struct report_input *in)
{
	int i, n;
	const struct finding *const *list = findings_list(in->findings, &n);
	uint64_t u;

	uint64_t acc = findings_accepted(in->findings);
	struct report_related *rel;
	int pass;

	fprintf(out, "\nFINDINGS (%d, most serious first)\n", n - (int)acc);
	if (n == (int)acc)
		fprintf(out, "none\n");
	/*
	 * A fallback or incomplete is told under the blocked finding it explains,
	 * not as a block of its own; accepted exceptions come after the rest.
	 */
	rel = report_related_new(list, n);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && acc)
			fprintf(out, "\nACCEPTED (%" PRIu64 ", the site's exceptions: not counted for --fail-on)\n", acc);
		for (i = 0; i < n; i++) {
			const int *ex;
			int k, nex;

			if (list[i]->accepted != (pass == 1) || report_related_nested(rel, i))
				continue;
			text_finding(out, in, list[i], i);
			if (list[i]->accepted)
				text_accepted(out, in, list[i]);
			ex = report_related_of(rel, i, &nex);
			for (k = 0; k < nex; k++) {
				text_related(out, in, list[ex[k]]);
				/* under the "+ " of its line: the related finding's file, not the blocked one's */
				evidence_line(out, in, list[ex[k]], ex[k], 14);
			}
		}
	}
	report_related_free(rel);
	text_exceptions(out, in);
	if ((u = findings_untracked(in->findings)))
		fprintf(out, "(%" PRIu64 " %s beyond the %d tracked per table: fallback, incomplete and one-sided "
			"ratios do not count %s)\n", u,
			report_plural(u, "flow had a host pair", "flows had host pairs"), FINDINGS_MAX_PAIRS,
			report_plural(u, "it", "them"));
	if ((u = findings_tls_hidden(in->findings)))
		fprintf(out, "(%" PRIu64 " %s\n", u,
			report_plural(u, "TLS 1.3 session to watched names was not judged for interception: its "
				      "certificate is encrypted on the wire)",
				      "TLS 1.3 sessions to watched names were not judged for interception: their "
				      "certificates are encrypted on the wire)"));
	if ((u = findings_dropped(in->findings)))
		fprintf(out, "(%" PRIu64 " more %s not itemised: the findings table was full)\n", u,
			report_plural(u, "flow with findings was", "flows with findings were"));
}

static void text_states(FILE *out, const struct report_input *in)
{
	int s, p;
	bool other = in->summary->by_proto[SP_OTHER] > 0;	/* a column only when there are such flows */

	if (!in->summary->flows)
		return;
	fprintf(out, "\n%-8s %8s %8s %8s%s  %s\n", "state", "tcp", "udp", "icmp", other ? "    other" : "", "meaning");
	for (s = 0; s < CS_COUNT; s++) {
		const uint64_t *row = in->summary->by_state[s];

		if (!row[SP_TCP] && !row[SP_UDP] && !row[SP_ICMP] && !row[SP_OTHER])
			continue;
		fprintf(out, "%-8s", conn_state_name((enum conn_state)s));
		for (p = 0; p < SP_COUNT; p++)
			if (p != SP_OTHER || other)
				fprintf(out, " %8" PRIu64, row[p]);
		fprintf(out, "  %s\n", state_meaning[s]);
	}
}

static void text_decode(FILE *out, const struct report_input *in)
{
	int e;

	if (!decode_problems(in))
		return;
	fprintf(out, "\n%-24s %8s\n", "decode problem", "packets");
	for (e = DECODE_LINK_TRUNCATED; e < DECODE_ERROR_COUNT; e++)
		if (decode_is_problem(e) && in->decode[e])
			fprintf(out, "%-24s %8" PRIu64 "\n", decode_error_name((enum decode_error)e), in->decode[e]);
}

static void text_talkers(FILE *out, const struct report_input *in)
{
	struct host_count top[TOP_HOSTS];
	int i, n = summary_top_hosts(in->summary, top, TOP_HOSTS);

	if (!n)
		return;
	fprintf(out, "\n%-39s %8s %8s %8s %12s\n", "top talkers (by flows)", "flows", "as orig", "as resp",
		"IP bytes");
	for (i = 0; i < n; i++) {
		char a[ADDR_STRLEN];

		fprintf(out, "%-39s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %12" PRIu64 "\n",
			addr_format(top[i].family, top[i].addr, a), top[i].flows_orig + top[i].flows_resp,
			top[i].flows_orig, top[i].flows_resp, top[i].bytes);
	}
	if (in->summary->hosts_untracked)
		fprintf(out, "(%" PRIu64 " %s beyond the %d tracked)\n", in->summary->hosts_untracked,
			report_plural(in->summary->hosts_untracked, "flow had hosts", "flows had hosts"),
			SUMMARY_MAX_HOSTS);
}

/*
 * --evidence: where the files went and how much they hold; the live
 * buffers' peak against their cap, and what the cap refused (a finding's
 * file may then lack packets its flows had).
 */
static void text_evidence(FILE *out, const struct report_input *in)
{
	const struct evidence_result *ev = in->evidence;
	char line[256];
	int written, missing;

	if (!ev)
		return;
	written = report_evidence_written(ev);
	missing = ev->nfiles - written;
	fprintf(out, "\nEVIDENCE\n%d %s in ", written, report_plural((uint64_t)written, "file", "files"));
	report_text_safe(out, ev->dir);
	fprintf(out, " (index.json lists them), %" PRIu64 " %s, %" PRIu64 " %s\n", ev->packets,
		report_plural(ev->packets, "packet", "packets"), ev->bytes, report_plural(ev->bytes, "byte", "bytes"));
	if (missing > 0)
		fprintf(out, "%d %s could not be written (the run's error line says why)\n", missing,
			report_plural((uint64_t)missing, "finding's file", "findings' files"));
	report_evidence_buffers(ev, line, sizeof(line));
	if (line[0])
		fprintf(out, "from live buffers: %s\n", line);
}

/* The words of this report, each with what it means. */
static void text_glossary(FILE *out, const struct report_input *in)
{
	const char *words[32];
	char line[600];
	int i, n = report_words_used(in, words, 32);

	if (!n)
		return;
	fprintf(out, "\nWORDS\n");
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s: %s", words[i], report_word_meaning(words[i]));
		wrapped(out, line);
	}
}

int report_text_write(FILE *out, const struct report_input *in)
{
	text_inputs(out, in);
	text_mode(out, in);
	text_packets(out, in);
	text_health(out, in);
	text_health_warning(out, in);
	text_payload(out, in);
	if (in->rules && in->findings) {
		text_matrix(out, in);
		text_findings(out, in);
	}
	fprintf(out, "\nTRAFFIC\n");
	text_states(out, in);
	text_decode(out, in);
	text_talkers(out, in);
	text_evidence(out, in);
	text_glossary(out, in);
	return ferror(out) ? -1 : 0;
}
