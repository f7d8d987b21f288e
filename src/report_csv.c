/* report_csv: the findings, or the matrix's cells, as CSV (RFC 4180) for a spreadsheet or a change board */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "evidence.h"
#include "findings.h"
#include "report.h"

/*
 * One field: quoted when it holds a comma, a quote or a line break (quotes
 * doubled). A field a spreadsheet would take for a formula (= + - @ at the
 * start: a rule or site name from a file) is shown with a leading quote.
 */
static void field(FILE *out, const char *s, bool last)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	bool formula = *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r';

	if (quote)
		fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	if (quote)
		fputc('"', out);
	fputs(last ? "\r\n" : ",", out);
}

static void field_u64(FILE *out, uint64_t v, bool last)
{
	char b[24];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	field(out, b, last);
}

static const char *role_or_empty(const struct report_input *in, int role)
{
	return role >= 0 || role == ROLE_ANY ? rules_role_name(in->rules, role) : "";
}

static const char *proto_word(uint8_t proto)
{
	return proto == PROTO_TCP ? "tcp" : proto == PROTO_UDP ? "udp" : "icmp";
}

static void csv_findings(FILE *out, const struct report_input *in)
{
	static const char *const head[] = { "id", "kind", "proto", "port", "orig_role", "resp_role", "rule", "reason",
					    "hosts", "flows", "first_seen", "last_seen", "confidence", "example_orig_h",
					    "example_resp_h", "accepted", "related", "visibility", "note" };
	const struct finding *const *list;
	bool ev = in->evidence != NULL;	/* --evidence: one more column, last, so that the others keep their places */
	int i, k, n;
	size_t h;

	for (h = 0; h < sizeof(head) / sizeof(head[0]); h++)
		field(out, head[h], !ev && h + 1 == sizeof(head) / sizeof(head[0]));
	if (ev)
		field(out, "evidence", true);
	list = findings_list(in->findings, &n);
	for (i = 0; i < n; i++) {
		const struct finding *fi = list[i];
		bool derived_path = fi->kind == FK_MISSING || fi->kind == FK_NOT_VISIBLE;
		char a[ADDR_STRLEN], t[40], rel[FINDING_MAX_RELATED * FINDING_ID_LEN + 8] = "";

		field(out, fi->id, false);
		field(out, findings_kind_name(fi->kind), false);
		field(out, proto_word(fi->proto), false);
		field_u64(out, fi->port, false);
		field(out, role_or_empty(in, fi->orig_role), false);
		field(out, role_or_empty(in, fi->resp_role), false);
		field(out, fi->rule >= 0 ? in->rules->rules[fi->rule].name : "", false);
		field(out, fi->reason != R_NONE ? reason_name(fi->reason) : "", false);
		field_u64(out, derived_path ? 0 : fi->hosts, false);
		field_u64(out, fi->count, false);
		report_format_time(fi->first_us, t, sizeof(t));
		field(out, fi->has_example ? t : "", false);
		report_format_time(fi->last_us, t, sizeof(t));
		field(out, fi->has_example ? t : "", false);
		field(out, findings_confidence_name(fi->confidence), false);
		field(out, fi->has_example || fi->has_host ? addr_format(fi->family, fi->orig_h, a) : "", false);
		field(out, fi->has_example ? addr_format(fi->family, fi->resp_h, a) : "", false);
		field(out, fi->accepted ? "true" : "false", false);
		for (k = 0; k < fi->nrelated; k++) {
			strcat(rel, k ? " " : "");
			strcat(rel, fi->related[k]);
		}
		field(out, rel, false);
		field(out, derived_path ? findings_visibility_name((enum visibility)fi->visibility) : "", false);
		field(out, fi->note, !ev);
		if (ev) {
			/* the file in the --evidence directory; empty when none was written */
			const struct evidence_file *ef = report_evidence_file(in->evidence, i, fi->id);

			field(out, ef && ef->written ? ef->name : "", true);
		}
	}
}

static const char *const count_head[] = { "ok", "blocked", "pending", "interrupted", "one_sided", "unexpected",
					  "wrong_protocol", "tls_intercepted", "middlebox_reset" };

static void counts(FILE *out, const uint64_t *flows, const uint64_t *wire)
{
	const uint64_t v[] = { flows[V_OK],	    flows[V_BLOCKED],	    flows[V_PENDING],
			       flows[V_INTERRUPTED], flows[V_ONE_SIDED],     flows[V_UNEXPECTED],
			       wire[WIRE_WRONG_PROTOCOL], wire[WIRE_TLS_INTERCEPTED], wire[WIRE_MIDDLEBOX_RESET] };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		field_u64(out, v[i], i + 1 == sizeof(v) / sizeof(v[0]));
}

/* The roles of a rule side joined by spaces (port-only rows name the rule's roles). */
static void roles_joined(const struct report_input *in, const int *roles, int n, char *out, size_t len)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n && used + 1 < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? " " : "", rules_role_name(in->rules, roles[i]));
}

/* Site mode: one row per (source role, destination role, rule) seen; port-only: one per rule that saw flows. */
static void csv_matrix(FILE *out, const struct report_input *in)
{
	size_t h;
	int i, n;

	field(out, "from", false);
	field(out, "to", false);
	field(out, "rule", false);
	field(out, "status", false);
	for (h = 0; h < sizeof(count_head) / sizeof(count_head[0]); h++)
		field(out, count_head[h], h + 1 == sizeof(count_head) / sizeof(count_head[0]));
	if (in->site) {
		const struct role_pair_stats *rp = findings_role_pairs(in->findings, &n);

		for (i = 0; i < n; i++) {
			field(out, role_or_empty(in, rp[i].orig_role), false);
			field(out, role_or_empty(in, rp[i].resp_role), false);
			field(out, rp[i].rule >= 0 ? in->rules->rules[rp[i].rule].name : "", false);
			field(out, report_worst_status(rp[i].flows, rp[i].wire), false);
			counts(out, rp[i].flows, rp[i].wire);
		}
	}
	{
		const struct rule_stats *st = findings_rule_stats(in->findings);
		char from[512], to[512];

		for (i = 0; i < in->rules->nrules; i++) {
			const struct rule *ru = &in->rules->rules[i];

			/* site mode: the cells above hold the flows; here the expected paths with none */
			if (in->site ? st[i].total || st[i].absent < 0 : !st[i].total)
				continue;
			roles_joined(in, ru->from, ru->nfrom, from, sizeof(from));
			roles_joined(in, ru->to, ru->nto, to, sizeof(to));
			field(out, from, false);
			field(out, to, false);
			field(out, ru->name, false);
			field(out, report_rule_status(ru, &st[i]), false);
			counts(out, st[i].flows, st[i].wire);
		}
	}
}

int report_csv_write(FILE *out, const struct report_input *in)
{
	if (!in->rules || !in->findings)
		return 0;
	if (in->csv_matrix)
		csv_matrix(out, in);
	else
		csv_findings(out, in);
	return ferror(out) ? -1 : 0;
}
