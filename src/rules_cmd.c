/*
 * rules_cmd: 'rules check' (what was loaded) and 'rules list' (the matrix as
 * a table, or JSON). With --site, 'rules list' is the table a firewall
 * change request needs: the matrices the site applies, the rules that can
 * match with it, and the site's addresses beside each role.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "audit.h"
#include "config.h"
#include "json.h"
#include "outfile.h"
#include "report.h"
#include "xalloc.h"

/* The word for a count of n: "1 rule", "2 rules". */
static const char *plural(int n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void warn_line(void *ctx, const struct load_error *w)
{
	char line[1200];
	const bool *listing = ctx;

	/* rules list --site leaves unmatchable rules out and says how many; rules check names each. */
	if (*listing && w->kind == LOAD_WARN_RULE_UNMATCHABLE)
		return;
	audit_format_load_error(w, line, sizeof(line));
	fprintf(stderr, "flowaudit: warning: %s\n", line);
}

/* ---- rules check ------------------------------------------------------------ */

static void print_site(FILE *out, const struct rule_set *rs, const struct site *s)
{
	char a[ADDR_STRLEN];
	int i, m, on = 0;

	/* Names and paths are shown escaped: they come from files and the command line. */
	fputs("\nsite ", out);
	report_text_safe(out, s->name);
	fputs(" (", out);
	report_text_safe(out, s->file);
	fprintf(out, "): %d %s, %d %s\n", s->nprefixes, plural(s->nprefixes, "role address", "role addresses"),
		s->nscope, plural(s->nscope, "scope prefix", "scope prefixes"));
	for (i = 0; i < s->nprefixes; i++)
		fprintf(out, "  %-28s %s/%u\n", rules_role_name(rs, s->prefixes[i].role),
			addr_format(s->prefixes[i].family, s->prefixes[i].addr, a), s->prefixes[i].len);
	for (i = 0; i < s->nscope; i++)
		fprintf(out, "  %-28s %s/%u\n", i ? "" : "(scope)",
			addr_format(s->scope[i].family, s->scope[i].addr, a), s->scope[i].len);
	for (m = 0; m < rs->nmatrices; m++)
		on += !s->matrix_on || s->matrix_on[m];
	fprintf(out, "  applies %d of %d %s\n", on, rs->nmatrices, plural(rs->nmatrices, "matrix", "matrices"));
}

static void rules_check(FILE *out, const struct rule_set *rs, const struct site *s)
{
	int m, i;

	fprintf(out, "%d %s, %d %s, %d %s, from %d %s\n", rs->nmatrices, plural(rs->nmatrices, "matrix", "matrices"),
		rs->nrules, plural(rs->nrules, "rule", "rules"), rs->nroles, plural(rs->nroles, "role", "roles"),
		rs->nfiles, plural(rs->nfiles, "file", "files"));
	for (m = 0; m < rs->nmatrices; m++) {
		fprintf(out, "  %-34s %4d %s  ", rs->matrices[m].name, rs->matrices[m].nrules,
			plural(rs->matrices[m].nrules, "rule ", "rules"));
		report_text_safe(out, rs->matrices[m].file);
		fputc('\n', out);
	}
	fprintf(out, "\nroles:");
	for (i = 0; i < rs->nroles; i++)
		fprintf(out, "%s %s", i ? "," : "", rs->roles[i]);
	fprintf(out, "\n");
	if (s)
		print_site(out, rs, s);
}

/* ---- rules list: what the site keeps -------------------------------------------- */

struct listing {
	const struct rule_set *rs;
	const struct site *site;	/* NULL: every matrix, rule and role */
	bool *defined;			/* with a site: [nroles], the roles it gives addresses */
	int nmatrices;			/* matrices listed */
	int nrules;			/* rules listed */
	int left_out;			/* rules of those matrices that cannot match */
	int trimmed;			/* rules listed with a role the site does not define */
};

static bool matrix_listed(const struct listing *l, int m)
{
	return !l->site || !l->site->matrix_on || l->site->matrix_on[m];
}

/* A role that shows in a row: without a site every one; with it 'any' and the roles it defines. */
static bool role_shown(const struct listing *l, int role)
{
	return !l->site || role == ROLE_ANY || (role >= 0 && role < l->rs->nroles && l->defined[role]);
}

static int roles_shown(const struct listing *l, const int *roles, int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += role_shown(l, roles[i]);
	return k;
}

/*
 * As the site loader counts unmatchable rules (LOAD_WARN_RULE_UNMATCHABLE):
 * a rule can match when one of its 'from' roles and one of its 'to' roles
 * are 'any' or defined by the site.
 */
static bool rule_listed(const struct listing *l, const struct rule *ru)
{
	return matrix_listed(l, ru->matrix) && roles_shown(l, ru->from, ru->nfrom) > 0 &&
	       roles_shown(l, ru->to, ru->nto) > 0;
}

static void listing_init(struct listing *l, const struct rule_set *rs, const struct site *site)
{
	int i, m;

	memset(l, 0, sizeof(*l));
	l->rs = rs;
	l->site = site;
	if (site) {
		l->defined = xcalloc((size_t)rs->nroles + 1, sizeof(*l->defined));
		for (i = 0; i < site->nprefixes; i++)
			if (site->prefixes[i].role >= 0 && site->prefixes[i].role < rs->nroles)
				l->defined[site->prefixes[i].role] = true;
	}
	for (m = 0; m < rs->nmatrices; m++)
		l->nmatrices += matrix_listed(l, m);
	for (i = 0; i < rs->nrules; i++) {
		const struct rule *ru = &rs->rules[i];

		if (!matrix_listed(l, ru->matrix))
			continue;
		if (!rule_listed(l, ru)) {
			l->left_out++;
			continue;
		}
		l->nrules++;
		l->trimmed += roles_shown(l, ru->from, ru->nfrom) < ru->nfrom ||
			      roles_shown(l, ru->to, ru->nto) < ru->nto;
	}
}

static void listing_free(struct listing *l)
{
	free(l->defined);
}

/* One site address: prefix notation, or with bare a /32 or /128 as the address alone. */
static const char *prefix_text(const struct site_prefix *p, bool bare, char *buf, size_t n)
{
	char a[ADDR_STRLEN];

	addr_format(p->family, p->addr, a);
	if (bare && p->len == (p->family == 4 ? 32 : 128))
		snprintf(buf, n, "%s", a);
	else
		snprintf(buf, n, "%s/%u", a, p->len);
	return buf;
}

/* ---- rules list: text ------------------------------------------------------------ */

/* The roles of one side of a row, and with a site each one's addresses: "vda (198.18.10.0/24, 198.18.11.5)". */
static void text_roles(FILE *out, const struct listing *l, const int *roles, int n)
{
	char p[ADDR_STRLEN + 8];
	int i, k, shown = 0, naddr;

	for (i = 0; i < n; i++) {
		if (!role_shown(l, roles[i]))
			continue;
		fprintf(out, "%s%s", shown++ ? ", " : "", rules_role_name(l->rs, roles[i]));
		if (!l->site || roles[i] < 0)
			continue;
		naddr = 0;
		for (k = 0; k < l->site->nprefixes; k++)
			if (l->site->prefixes[k].role == roles[i])
				fprintf(out, "%s%s", naddr++ ? ", " : " (",
					prefix_text(&l->site->prefixes[k], true, p, sizeof(p)));
		fputs(naddr ? ")" : "", out);
	}
}

static void text_site_header(FILE *out, const struct listing *l)
{
	fputs("site ", out);
	report_text_safe(out, l->site->name);
	fputs(" (", out);
	report_text_safe(out, l->site->file);
	fprintf(out, ") applies %d of %d %s, %d %s listed\n", l->nmatrices, l->rs->nmatrices,
		plural(l->rs->nmatrices, "matrix", "matrices"), l->nrules, plural(l->nrules, "rule", "rules"));
	if (l->left_out)
		fprintf(out, "left out: %d %s that cannot match (the site defines none of %s source roles, or none of "
			"%s destination roles)\n", l->left_out, plural(l->left_out, "rule", "rules"),
			plural(l->left_out, "its", "their"), plural(l->left_out, "its", "their"));
	if (l->trimmed)
		fprintf(out, "left out of %d %s: the roles the site does not define\n", l->trimmed,
			plural(l->trimmed, "row", "rows"));
	fputc('\n', out);
}

/* The seeds' shape: Source | Destination | Type | Port | Details, one table per matrix. */
static void text_list(FILE *out, const struct listing *l)
{
	const struct rule_set *rs = l->rs;
	int m, r, shown = 0, nrules;

	if (l->site)
		text_site_header(out, l);
	for (m = 0; m < rs->nmatrices; m++) {
		const struct matrix *mx = &rs->matrices[m];

		if (!matrix_listed(l, m))
			continue;
		fputs(shown++ ? "\n" : "", out);
		report_text_safe(out, mx->title ? mx->title : mx->name);
		fprintf(out, " (%s)\n", mx->name);
		for (r = mx->first_rule, nrules = 0; r < mx->first_rule + mx->nrules; r++)
			nrules += rule_listed(l, &rs->rules[r]);
		if (!nrules) {
			fputs("(no rule of this matrix can match with the site)\n", out);
			continue;
		}
		fputs("Source | Destination | Type | Port | Details | Rule\n", out);
		for (r = mx->first_rule; r < mx->first_rule + mx->nrules; r++) {
			const struct rule *ru = &rs->rules[r];
			char ports[512], *slash;

			if (!rule_listed(l, ru))
				continue;
			report_rule_ports(ru, ports, sizeof(ports));
			slash = strchr(ports, '/');
			if (slash)
				*slash++ = '\0';
			for (char *c = ports; *c; c++)
				*c = *c == '+' ? ',' : (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
			text_roles(out, l, ru->from, ru->nfrom);
			fputs(" | ", out);
			text_roles(out, l, ru->to, ru->nto);
			fprintf(out, "%s | %s | %s | ", ru->bidirectional ? " (bidirectional)" : "", ports,
				slash ? slash : "-");
			report_text_safe(out, ru->description ? ru->description : "");
			fprintf(out, "%s%s | %s\n", ru->expect != EXPECT_OPTIONAL ? " [expected]" : "",
				ru->action == ACTION_DENY ? " [deny]" : "", ru->id);
		}
	}
}

/* ---- rules list: JSON ------------------------------------------------------------ */

static void json_str_or_null(struct json *j, const char *s)
{
	if (s)
		json_str(j, s);
	else
		json_null(j);
}

static void json_roles(struct json *j, const struct listing *l, const int *roles, int n)
{
	int i;

	json_begin_array(j);
	for (i = 0; i < n; i++)
		if (role_shown(l, roles[i]))
			json_str(j, rules_role_name(l->rs, roles[i]));
	json_end_array(j);
}

/* The site's addresses of the roles shown, in prefix notation; 'any' is every address. */
static void json_addresses(struct json *j, const struct listing *l, const int *roles, int n)
{
	char p[ADDR_STRLEN + 8];
	int i, k;

	json_begin_array(j);
	for (i = 0; i < n; i++) {
		if (!role_shown(l, roles[i]))
			continue;
		if (roles[i] == ROLE_ANY) {
			json_str(j, "0.0.0.0/0");
			json_str(j, "::/0");
			continue;
		}
		for (k = 0; k < l->site->nprefixes; k++)
			if (l->site->prefixes[k].role == roles[i])
				json_str(j, prefix_text(&l->site->prefixes[k], false, p, sizeof(p)));
	}
	json_end_array(j);
}

static void json_rule(struct json *j, const struct listing *l, const struct rule *ru)
{
	static const struct {
		int bit;
		const char *name;
	} protos[] = { { RULE_TCP, "tcp" }, { RULE_UDP, "udp" }, { RULE_ICMP, "icmp" } };
	size_t b;
	int k;

	json_begin_object(j);
	JSON_KEY(j, "id");
	json_str(j, ru->name);
	JSON_KEY(j, "from");
	json_roles(j, l, ru->from, ru->nfrom);
	JSON_KEY(j, "to");
	json_roles(j, l, ru->to, ru->nto);
	if (l->site) {
		JSON_KEY(j, "from_addresses");
		json_addresses(j, l, ru->from, ru->nfrom);
		JSON_KEY(j, "to_addresses");
		json_addresses(j, l, ru->to, ru->nto);
	}
	JSON_KEY(j, "protocols");
	json_begin_array(j);
	for (b = 0; b < sizeof(protos) / sizeof(protos[0]); b++)
		if (ru->protos & protos[b].bit)
			json_str(j, protos[b].name);
	json_end_array(j);
	JSON_KEY(j, "ports");
	json_begin_array(j);
	for (k = 0; k < ru->nports; k++) {
		json_begin_object(j);
		JSON_KEY(j, "lo");
		json_u64(j, ru->ports[k].lo);
		JSON_KEY(j, "hi");
		json_u64(j, ru->ports[k].hi);
		json_end_object(j);
	}
	json_end_array(j);
	JSON_KEY(j, "bidirectional");
	json_bool(j, ru->bidirectional);
	JSON_KEY(j, "expect");
	json_str(j, rules_expect_name(ru->expect));
	JSON_KEY(j, "action");
	json_str(j, rules_action_name(ru->action));
	JSON_KEY(j, "category");
	json_str(j, rules_category_name(ru->category));
	JSON_KEY(j, "description");
	json_str_or_null(j, ru->description);
	json_end_object(j);
}

static int json_list(FILE *out, const struct listing *l)
{
	const struct rule_set *rs = l->rs;
	struct json j;
	int m, r, rc;

	json_init(&j);
	json_begin_object(&j);
	if (l->site) {
		JSON_KEY(&j, "site");
		json_begin_object(&j);
		json_kv_str(&j, "name", l->site->name);
		json_kv_str(&j, "file", l->site->file);
		json_kv_u64(&j, "rules_left_out", (uint64_t)l->left_out);
		json_end_object(&j);
	}
	JSON_KEY(&j, "matrices");
	json_begin_array(&j);
	for (m = 0; m < rs->nmatrices; m++) {
		const struct matrix *mx = &rs->matrices[m];

		if (!matrix_listed(l, m))
			continue;
		json_begin_object(&j);
		json_kv_str(&j, "name", mx->name);
		JSON_KEY(&j, "title");
		json_str_or_null(&j, mx->title);
		JSON_KEY(&j, "source");
		json_str_or_null(&j, mx->source);
		json_kv_str(&j, "file", mx->file);
		JSON_KEY(&j, "rules");
		json_begin_array(&j);
		for (r = mx->first_rule; r < mx->first_rule + mx->nrules; r++)
			if (rule_listed(l, &rs->rules[r]))
				json_rule(&j, l, &rs->rules[r]);
		json_end_array(&j);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_raw(&j, "\n", 1);
	rc = json_write(&j, out);
	json_free(&j);
	return rc;
}

/* ---- the command ------------------------------------------------------------------ */

/* Write what was loaded to -o (standard output without it), whole or not at all. */
static int write_output(const struct options *o, const struct rule_set *rs, const struct site *site, char *errbuf,
			size_t errlen)
{
	struct outfile *of;
	struct listing l;
	int rc = 0;

	if (!(of = outfile_open(o->output ? o->output : "-", OUTFILE_WHOLE, errbuf, errlen)))
		return -1;
	if (o->command == CMD_RULES_CHECK) {
		rules_check(outfile_stream(of), rs, site);
	} else {
		listing_init(&l, rs, site);
		if (o->format == FORMAT_JSON)
			rc = json_list(outfile_stream(of), &l);
		else
			text_list(outfile_stream(of), &l);
		listing_free(&l);
	}
	if (rc != 0 && !outfile_error(of)) {
		snprintf(errbuf, errlen, "%s: cannot write the rule listing", outfile_name(of));
		outfile_abort(of);
		return -1;
	}
	return outfile_commit(of, errbuf, errlen) != 0 || rc != 0 ? -1 : 0;
}

int audit_rules_command(const struct options *o, char *errbuf, size_t errlen)
{
	struct rule_set rs;
	struct site *site = NULL;
	struct load_error err;
	bool listing = o->command == CMD_RULES_LIST;
	int status = EXIT_OK;

	rules_init(&rs);
	if (config_load(o, &rs, &site, warn_line, &listing, &err) != 0) {
		audit_format_load_error(&err, errbuf, errlen);
		status = EXIT_TROUBLE;
	} else if (write_output(o, &rs, site, errbuf, errlen) != 0) {
		status = EXIT_TROUBLE;
	}
	if (site) {
		site_free(site);
		free(site);
	}
	rules_free(&rs);
	return status;
}
