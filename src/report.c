/* report: what the text and JSON reports share — times, rule rows, safe text */
#include "report.h"

#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "decode.h"
#include "evidence.h"
#include "icmp_types.h"
#include "inspect.h"
#include "tls.h"
#include "utf8.h"
#include "xalloc.h"

/* Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static char *put_digits(char *p, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

/*
 * "YYYY-MM-DD HH:MM:SS.uuuuuu", UTC. Formatted by hand for 1970-9999 (the
 * report prints two a finding, and gmtime_r + strftime + snprintf cost
 * about 2,700 instructions each); strftime outside that range.
 */
void report_format_time(int64_t us, char *out, size_t n)
{
	int64_t sec = us / 1000000, y;
	unsigned m, d, s;
	char buf[32], *p = buf;

	if (us < 0 || sec >= 253402300800LL) {
		time_t t = (time_t)sec;
		struct tm tm;
		char day[32];

		gmtime_r(&t, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(out, n, "%s.%06" PRId64, day, us % 1000000);
		return;
	}
	civil_from_days(sec / 86400, &y, &m, &d);
	s = (unsigned)(sec % 86400);
	p = put_digits(p, (uint64_t)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = ' ';
	p = put_digits(p, s / 3600, 2);
	*p++ = ':';
	p = put_digits(p, s / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, s % 60, 2);
	*p++ = '.';
	p = put_digits(p, (uint64_t)(us % 1000000), 6);
	if (n) {
		size_t len = (size_t)(p - buf) < n - 1 ? (size_t)(p - buf) : n - 1;

		memcpy(out, buf, len);
		out[len] = '\0';
	}
}

static bool text_utf8;	/* the locale's character set is UTF-8 (report_text_locale) */

void report_text_locale(void)
{
	const char *cs;

	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	text_utf8 = cs && strcmp(cs, "UTF-8") == 0;
}

/* Code points that a terminal takes as controls or as bidirectional embeddings, overrides and isolates. */
static bool text_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

void report_text_escape(FILE *out, const char *s, bool utf8)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	uint32_t cp;

	while (i < n) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f) {
			for (k = i; k < n && p[k] >= 0x20 && p[k] < 0x7f; k++)
				;
			fwrite(p + i, 1, k - i, out);	/* a run of printable ASCII at once */
			i = k;
		} else if (utf8 && c >= 0x80 && (k = utf8_decode(p + i, n - i, &cp)) > 0 && !text_unsafe(cp)) {
			fwrite(p + i, 1, k, out);
			i += k;
		} else {
			/* a sequence kept out is shown byte by byte: each of its bytes as \xNN */
			k = utf8 && c >= 0x80 ? utf8_decode(p + i, n - i, &cp) : 0;
			do
				fprintf(out, "\\x%02x", p[i++]);
			while (k && --k);
		}
	}
}

/* What each status and finding word means, for the glossary that ends the text and HTML reports. */
static const struct {
	const char *word, *meaning;
} glossary[] = {
	{ "blocked", "a path the matrix allows that was not answered: dropped (no-reply), refused by the host itself "
		     "(rst-from-host: nothing listens on the port), refused by a device in the path (rst-from-path: a "
		     "firewall's reject), or an ICMP error said why (icmp-...)" },
	{ "tls-intercepted", "TLS to a watched name whose certificate an inspection proxy issued, not the service" },
	{ "fallback", "EDT (UDP) failed while TCP on the same port worked between the same hosts: sessions run, "
		      "over the slower transport" },
	{ "incomplete", "some but not all ports of a group that only works together (e.g. licensing 27000 with 7279)" },
	{ "middlebox-reset", "a reset forged by a device in the path: its TTL or IP ID is not its sender's" },
	{ "interrupted", "established, then torn down by the server's reset before a normal close" },
	{ "wrong-protocol", "a port carrying another protocol than its rule expects (e.g. HTTP on ICA's 1494)" },
	{ "missing", "a path the site expects, between roles the capture sees, with no flow at all" },
	{ "one-sided", "only one direction was seen: asymmetric routing, or a mirror that sees half" },
	{ "unexpected", "inside the site's scope and allowed by no rule (or matched by a deny rule)" },
	{ "pending", "an opening too close to the end of the capture to judge" },
	{ "not-visible", "an expected path neither of whose roles appears in the capture: not visible from this "
			 "capture point, nothing can be said" },
	{ "ok", "answered as the matrix allows (orig-reset: the client closed with a reset, as monitors and many "
		"clients do)" },
	{ "not seen", "a rule of the applied matrices with no flow, that nothing requires" },
};

const char *report_word_meaning(const char *word)
{
	size_t i;

	for (i = 0; i < sizeof(glossary) / sizeof(glossary[0]); i++)
		if (!strcmp(glossary[i].word, word))
			return glossary[i].meaning;
	return NULL;
}

/* The status and finding words a report shows, in the glossary's order (at most n). */
int report_words_used(const struct report_input *in, const char **words, int n)
{
	const struct finding *const *list;
	const struct rule_stats *st;
	size_t g;
	int i, k, count = 0, nf;

	if (!in->rules || !in->findings)
		return 0;
	list = findings_list(in->findings, &nf);
	st = findings_rule_stats(in->findings);
	for (g = 0; g < sizeof(glossary) / sizeof(glossary[0]) && count < n; g++) {
		bool used = false;

		for (i = 0; i < nf && !used; i++)
			used = !strcmp(findings_kind_name(list[i]->kind), glossary[g].word);
		for (k = 0; k < in->rules->nrules && !used; k++)
			if (st[k].total || st[k].absent >= 0)
				used = !strcmp(report_rule_status(&in->rules->rules[k], &st[k]), glossary[g].word);
		if (used)
			words[count++] = glossary[g].word;
	}
	return count;
}

struct report_related {
	int *start;		/* [n + 1]: list[i]'s explainers are derived[start[i] .. start[i + 1]) */
	int *derived;
	bool *nested;		/* [n] */
};

struct id_index {
	const char *id;
	int index;
};

static int id_index_cmp(const void *a, const void *b)
{
	return strcmp(((const struct id_index *)a)->id, ((const struct id_index *)b)->id);
}

struct report_related *report_related_new(const struct finding *const *list, int n)
{
	struct report_related *r = xcalloc(1, sizeof(*r));
	struct id_index *blocked = xcalloc((size_t)n + 1, sizeof(*blocked));
	int *count = xcalloc((size_t)n + 1, sizeof(*count)), nb = 0, i, j, pass;

	r->start = xcalloc((size_t)n + 1, sizeof(*r->start));
	r->nested = xcalloc((size_t)n + 1, sizeof(*r->nested));
	for (i = 0; i < n; i++)
		if (list[i]->kind == FK_BLOCKED)
			blocked[nb++] = (struct id_index){ .id = list[i]->id, .index = i };
	qsort(blocked, (size_t)nb, sizeof(*blocked), id_index_cmp);
	/* twice over the derived findings: count each blocked finding's explainers, then place them in list order */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			for (i = 0; i < n; i++)
				r->start[i + 1] = r->start[i] + count[i];
			r->derived = xcalloc((size_t)r->start[n] + 1, sizeof(*r->derived));
			memset(count, 0, ((size_t)n + 1) * sizeof(*count));
		}
		for (i = 0; i < n; i++) {
			const struct finding *d = list[i];

			if (d->kind != FK_FALLBACK && d->kind != FK_INCOMPLETE)
				continue;
			for (j = 0; j < d->nrelated; j++) {
				struct id_index key = { .id = d->related[j] }, *b;
				int k;

				b = bsearch(&key, blocked, (size_t)nb, sizeof(*blocked), id_index_cmp);
				if (!b)
					continue;
				/* one place per (blocked, derived): a related id named twice counts once */
				for (k = 0; k < j && strcmp(d->related[k], d->related[j]); k++)
					;
				if (k < j)
					continue;
				r->nested[i] = true;
				if (pass == 1)
					r->derived[r->start[b->index] + count[b->index]] = i;
				count[b->index]++;
			}
		}
	}
	free(blocked);
	free(count);
	return r;
}

const int *report_related_of(const struct report_related *r, int i, int *count)
{
	*count = r->start[i + 1] - r->start[i];
	return r->derived + r->start[i];
}

bool report_related_nested(const struct report_related *r, int i)
{
	return r->nested[i];
}

void report_related_free(struct report_related *r)
{
	if (!r)
		return;
	free(r->start);
	free(r->derived);
	free(r->nested);
	free(r);
}

void report_text_safe(FILE *out, const char *s)
{
	report_text_escape(out, s, text_utf8);
}

const char *report_plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void report_format_seconds(int64_t us, int min_decimals, char *out, size_t n)
{
	int64_t a = us < 0 ? -us : us, scale = 1000000;
	int d;

	for (d = 0; d < min_decimals && d < 6; d++)
		scale /= 10;
	/* two significant digits: a in units of 10^-d s reaches 10 */
	while (d < 6 && a != 0 && a / scale < 10) {
		scale /= 10;
		d++;
	}
	snprintf(out, n, "%.*f", d, (double)us / 1e6);
}

void report_rules_applied(const struct report_input *in, int *matrices, int *rules)
{
	const struct rule_set *rs = in->rules;
	const bool *on = in->site ? in->site->matrix_on : NULL;
	int m, r;

	*matrices = *rules = 0;
	if (!rs)
		return;
	for (m = 0; m < rs->nmatrices; m++)
		*matrices += in->site ? !on || on[m] : !rs->matrices[m].common;
	for (r = 0; r < rs->nrules; r++)
		*rules += in->site ? !on || on[rs->rules[r].matrix] : !rs->matrices[rs->rules[r].matrix].common;
}

void report_rules_text(const struct report_input *in, char *out, size_t n)
{
	int nm, nr;

	report_rules_applied(in, &nm, &nr);
	if (!in->rules || nm == in->rules->nmatrices)
		snprintf(out, n, "%d %s, %d %s", nm, report_plural((uint64_t)nm, "matrix", "matrices"), nr,
			 report_plural((uint64_t)nr, "rule", "rules"));
	else
		snprintf(out, n, "%d of %d matrices %s (%d %s)", nm, in->rules->nmatrices,
			 nm == 1 ? "applies" : "apply", nr, report_plural((uint64_t)nr, "rule", "rules"));
}

void report_tunnels_text(const struct report_input *in, char *out, size_t n)
{
	const struct summary *sm = in->summary;
	size_t used = 0;
	int k, w;

	out[0] = '\0';
	for (k = 1; k < TUNNEL_KIND_COUNT && used + 1 < n; k++) {
		uint64_t c = summary_tunnels_named(sm, k);

		if (!c)
			continue;
		w = snprintf(out + used, n - used, "%s%" PRIu64 " %s", used ? ", " : "", c, decode_tunnel_name(k));
		used += w > 0 && (size_t)w < n - used ? (size_t)w : n - used - 1;
	}
	w = snprintf(out + used, n - used, "%s%" PRIu64 " %s inside", used ? "; " : "", sm->tunnelled,
		     report_plural(sm->tunnelled, "flow", "flows"));
	used += w > 0 && (size_t)w < n - used ? (size_t)w : n - used - 1;
	if (sm->tunnels_mirror)
		snprintf(out + used, n - used, "; %" PRIu64 " of the tunnels' own flows a remote mirror's transport, "
			 "not audited", sm->tunnels_mirror);
}

/*
 * A rule's status in the observed matrix: the worst verdict among its flows
 * (the contract's order), "missing" for an expected path with none, and
 * "not seen" for an optional one with none.
 */
const char *report_rule_status(const struct rule *ru, const struct rule_stats *st)
{
	if (!st->total)
		return st->absent == FK_MISSING ? "missing" : st->absent == FK_NOT_VISIBLE ? "not-visible" : "not seen";
	if (ru->action == ACTION_DENY)
		return "seen (deny)";
	return report_worst_status(st->flows, st->wire);
}

const char *report_worst_status(const uint64_t *flows, const uint64_t *wire)
{
	/* The findings' order of seriousness: a wire finding is worse than an answered flow. */
	if (flows[V_BLOCKED])
		return "blocked";
	if (wire[WIRE_TLS_INTERCEPTED])
		return "tls-intercepted";
	if (wire[WIRE_MIDDLEBOX_RESET])
		return "middlebox-reset";
	if (flows[V_INTERRUPTED])
		return "interrupted";
	if (wire[WIRE_WRONG_PROTOCOL])
		return "wrong-protocol";
	if (flows[V_ONE_SIDED])
		return "one-sided";
	if (flows[V_UNEXPECTED])
		return "unexpected";
	if (flows[V_PENDING])
		return "pending";
	return flows[V_OK] ? "ok" : "not seen";
}

void report_rule_ports(const struct rule *ru, char *out, size_t n)
{
	static const char *const names[] = { "tcp", "udp", "icmp" };
	size_t used = 0;
	int b, k, w;

	out[0] = '\0';
	for (b = 0; b < 3 && used < n; b++) {
		if (!(ru->protos & (1 << b)))
			continue;
		w = snprintf(out + used, n - used, "%s%s", used ? "+" : "", names[b]);
		used += w > 0 ? (size_t)w : 0;
	}
	for (k = 0; k < ru->nports && used < n; k++) {
		if (ru->ports[k].lo == ru->ports[k].hi)
			w = snprintf(out + used, n - used, "%c%u", k ? ',' : '/', ru->ports[k].lo);
		else
			w = snprintf(out + used, n - used, "%c%u-%u", k ? ',' : '/', ru->ports[k].lo, ru->ports[k].hi);
		used += w > 0 ? (size_t)w : 0;
	}
}

const char *report_finding_icmp_type(const struct finding *fi)
{
	if ((fi->proto != PROTO_ICMP && fi->proto != PROTO_ICMPV6) || !fi->has_example)
		return NULL;
	/* The originator's type: Zeek's id.orig_p (its id.resp_p, the finding's port, is the counterpart or code). */
	return icmp_type_name(fi->proto, (uint8_t)fi->example.orig.sport);
}

/* prefix, then v in decimal, into buf (room for both); its length */
static size_t prefixed_number(char *buf, const char *prefix, unsigned v)
{
	size_t len = strlen(prefix);
	unsigned w = 1;

	memcpy(buf, prefix, len);
	while (v / 10 >= w)
		w *= 10;
	for (; w; w /= 10)
		buf[len++] = (char)('0' + v / w % 10);
	return len;
}

/* By hand, not snprintf: the text report writes one a finding, and there can be hundreds of thousands. */
void report_finding_port(const struct finding *fi, char *out, size_t n)
{
	const char *name = report_finding_icmp_type(fi);
	char buf[64];
	size_t len;

	if (fi->proto == PROTO_TCP || fi->proto == PROTO_UDP) {
		len = prefixed_number(buf, fi->proto == PROTO_TCP ? "tcp/" : "udp/", fi->port);
	} else if (name) {
		len = strlen(name) < sizeof(buf) - 5 ? strlen(name) : sizeof(buf) - 5;
		memcpy(buf, "icmp/", 5);
		memcpy(buf + 5, name, len);
		len += 5;
	} else if (fi->has_example) {
		len = prefixed_number(buf, "icmp/type-", fi->example.orig.sport);
	} else {
		len = 4;
		memcpy(buf, "icmp", len);	/* a 'missing' finding: a rule, no flow */
	}
	if (!n)
		return;
	if (len > n - 1)
		len = n - 1;
	memcpy(out, buf, len);
	out[len] = '\0';
}

static void ev_append(char *out, size_t n, size_t *at, const char *s)
{
	size_t len = strlen(s);

	if (*at + 1 >= n)
		return;
	if (len > n - 1 - *at)
		len = n - 1 - *at;
	memcpy(out + *at, s, len);
	*at += len;
	out[*at] = '\0';
}

/* The evidence of a wire finding, one line, from its example flow; "" for other kinds. */
void report_finding_evidence(const struct report_input *in, const struct finding *fi, char *out, size_t n)
{
	const struct flow *f = &fi->example;
	const struct classification *cl = &fi->example_class;
	const struct rule *ru = cl->rule >= 0 ? &in->rules->rules[cl->rule] : NULL;
	char num[64];
	size_t at = 0;
	int svc;

	out[0] = '\0';
	if (!fi->has_example || n == 0)
		return;
	if (fi->kind == FK_WRONG_PROTOCOL) {
		ev_append(out, n, &at, "service ");
		ev_append(out, n, &at, f->service ? service_name(f->service) : "not recognised");
		if (ru && ru->expect_services && fi->why != WW_OFF_MATRIX) {
			const char *sep = ", expected ";

			for (svc = 1; svc < SVC_COUNT; svc++)
				if (ru->expect_services & 1u << svc) {
					ev_append(out, n, &at, sep);
					ev_append(out, n, &at, service_name(svc));
					sep = " or ";
				}
		}
		ev_append(out, n, &at, ": ");
		ev_append(out, n, &at, classify_wire_why_text(fi->why));
	} else if (fi->kind == FK_TLS_INTERCEPTED && f->tls) {
		const struct tls_evidence *ev = f->tls;
		const char *v = tls_version_name(ev->version);

		ev_append(out, n, &at, "server name ");
		ev_append(out, n, &at, ev->sni ? ev->sni : "(none)");
		if (v) {
			ev_append(out, n, &at, ", ");
			ev_append(out, n, &at, v);
		}
		ev_append(out, n, &at, "; subject ");
		ev_append(out, n, &at, ev->subject ? ev->subject : "(none)");
		ev_append(out, n, &at, "; issuer ");
		ev_append(out, n, &at, ev->issuer ? ev->issuer : "(none)");
		ev_append(out, n, &at, ": ");
		ev_append(out, n, &at, classify_wire_why_text(fi->why));
		if (cl->product) {
			ev_append(out, n, &at, " (");
			ev_append(out, n, &at, cl->product);
			ev_append(out, n, &at, ")");
		}
	} else if (fi->kind == FK_MIDDLEBOX_RESET && (f->rst & (FLOW_RST_TTL_ODD | FLOW_RST_IPID_ODD))) {
		int side = f->rst & FLOW_RST_FROM_RESP ? 1 : 0;

		snprintf(num, sizeof(num), "RST from the %s with TTL %u", side ? "responder" : "originator",
			 (unsigned)f->rst_ttl);
		ev_append(out, n, &at, num);
		if (f->orig.family == 4) {
			snprintf(num, sizeof(num), ", IP ID %u", (unsigned)f->rst_ip_id);
			ev_append(out, n, &at, num);
		}
		snprintf(num, sizeof(num), "; that side's other packets: TTL %u", (unsigned)f->first_ttl[side]);
		ev_append(out, n, &at, num);
		if (f->orig.family == 4) {
			snprintf(num, sizeof(num), ", IP IDs rising to %u", (unsigned)f->ip_id_last[side]);
			ev_append(out, n, &at, num);
		}
		ev_append(out, n, &at, ": forged by a device in the path");
	} else if (cl->reason == R_RST_FROM_HOST || cl->reason == R_RST_FROM_PATH ||
		   (cl->reason == R_RST && fi->kind == FK_BLOCKED && f->orig.proto == PROTO_TCP)) {
		snprintf(num, sizeof(num), "RST answering the SYN with TTL %u", (unsigned)f->first_ttl[1]);
		ev_append(out, n, &at, num);
		if (cl->reason == R_RST) {
			ev_append(out, n, &at, "; the host sent nothing else to compare it with: refused by the host, or "
				  "rejected in the path");
		} else {
			snprintf(num, sizeof(num), "; the host's own packets: TTL %u", (unsigned)cl->rst_host_ttl);
			ev_append(out, n, &at, num);
			ev_append(out, n, &at, cl->reason == R_RST_FROM_HOST
						       ? ": the host itself refused, nothing listens on the port (a service "
							 "or application problem, not the firewall)"
						       : ": a device in the path answered for the host (a firewall's reject)");
		}
	}
}

/* The entry of the finding with this id, or NULL. */
static const struct evidence_file *find_file(const struct evidence_result *res, const char *id)
{
	int i;

	for (i = 0; i < res->nfiles; i++)
		if (!strcmp(res->files[i].id, id))
			return &res->files[i];
	return NULL;
}

const struct evidence_file *report_evidence_file(const struct evidence_result *res, int at, const char *id)
{
	if (!res)
		return NULL;
	if (at >= 0 && at < res->nfiles && !strcmp(res->files[at].id, id))
		return &res->files[at];
	return find_file(res, id);
}

void report_evidence_counts(const struct evidence_file *ef, char *out, size_t n)
{
	char num[96];
	size_t at = 0;

	if (n == 0)
		return;
	out[0] = '\0';
	if (ef->flows < ef->flows_total)
		snprintf(num, sizeof(num), "%" PRIu64 " of %" PRIu64 " flows", ef->flows, ef->flows_total);
	else
		snprintf(num, sizeof(num), "%" PRIu64 " %s", ef->flows, report_plural(ef->flows, "flow", "flows"));
	ev_append(out, n, &at, num);
	snprintf(num, sizeof(num), ", %" PRIu64 " %s", ef->packets, report_plural(ef->packets, "packet", "packets"));
	ev_append(out, n, &at, num);
	if (ef->icmp_errors) {
		snprintf(num, sizeof(num), ", %" PRIu64 " of them %s", ef->icmp_errors,
			 report_plural(ef->icmp_errors, "an ICMP error", "ICMP errors"));
		ev_append(out, n, &at, num);
	}
	if (ef->packets_cut) {
		snprintf(num, sizeof(num), ", %" PRIu64 " %s over the per-flow bound left out", ef->packets_cut,
			 report_plural(ef->packets_cut, "packet", "packets"));
		ev_append(out, n, &at, num);
	}
}

/*
 * Bytes in MiB, one decimal; a little that would round to 0.0 reads
 * "<0.1", so that a buffer that held something never reads as empty.
 */
static void mib(uint64_t bytes, char *out, size_t n)
{
	double m = (double)bytes / (1024.0 * 1024.0);

	if (bytes % (1024 * 1024) == 0)
		snprintf(out, n, "%" PRIu64, bytes / (1024 * 1024));
	else if (m < 0.05)
		snprintf(out, n, "<0.1");
	else
		snprintf(out, n, "%.1f", m);
}

void report_evidence_buffers(const struct evidence_result *res, char *out, size_t n)
{
	char peak[32], cap[32];
	int w;

	if (n == 0)
		return;
	out[0] = '\0';
	if (!res->buffered)
		return;
	mib(res->memory_peak, peak, sizeof(peak));
	mib(res->memory_cap, cap, sizeof(cap));
	w = snprintf(out, n, "peak %s MiB of the %s MiB cap", peak, cap);
	if ((res->dropped_packets || res->dropped_flows) && w > 0 && (size_t)w < n)
		snprintf(out + w, n - (size_t)w, "; %" PRIu64 " %s of %" PRIu64 " %s dropped by the cap",
			 res->dropped_packets, report_plural(res->dropped_packets, "packet", "packets"),
			 res->dropped_flows, report_plural(res->dropped_flows, "flow", "flows"));
}

int report_evidence_written(const struct evidence_result *res)
{
	int i, n = 0;

	for (i = 0; i < res->nfiles; i++)
		n += res->files[i].written;
	return n;
}
