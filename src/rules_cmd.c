/* rules_cmd: 'rules check' (what was loaded) and 'rules list' (the matrix as a table) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "audit.h"
#include "config.h"
#include "report.h"

static void warn_line(void *ctx, const struct load_error *w)
{
	char line[1200];

	(void)ctx;
	audit_format_load_error(w, line, sizeof(line));
	fprintf(stderr, "flowaudit: warning: %s\n", line);
}

static void print_site(const struct rule_set *rs, const struct site *s)
{
	char a[ADDR_STRLEN];
	int i, m, on = 0;

	/* Names and paths are shown escaped: they come from files and the command line. */
	fputs("\nsite ", stdout);
	report_text_safe(stdout, s->name);
	fputs(" (", stdout);
	report_text_safe(stdout, s->file);
	printf("): %d role addresses, %d scope prefixes\n", s->nprefixes, s->nscope);
	for (i = 0; i < s->nprefixes; i++)
		printf("  %-28s %s/%u\n", rules_role_name(rs, s->prefixes[i].role),
		       addr_format(s->prefixes[i].family, s->prefixes[i].addr, a), s->prefixes[i].len);
	for (i = 0; i < s->nscope; i++)
		printf("  %-28s %s/%u\n", i ? "" : "(scope)", addr_format(s->scope[i].family, s->scope[i].addr, a),
		       s->scope[i].len);
	for (m = 0; m < rs->nmatrices; m++)
		on += !s->matrix_on || s->matrix_on[m];
	printf("  applies %d of %d matrices\n", on, rs->nmatrices);
}

static void rules_check(const struct rule_set *rs, const struct site *s)
{
	int m, i;

	printf("%d matrices, %d rules, %d roles, from %d files\n", rs->nmatrices, rs->nrules, rs->nroles, rs->nfiles);
	for (m = 0; m < rs->nmatrices; m++) {
		printf("  %-34s %4d rules  ", rs->matrices[m].name, rs->matrices[m].nrules);
		report_text_safe(stdout, rs->matrices[m].file);
		putchar('\n');
	}
	printf("\nroles:");
	for (i = 0; i < rs->nroles; i++)
		printf("%s %s", i ? "," : "", rs->roles[i]);
	printf("\n");
	if (s)
		print_site(rs, s);
}

static void roles_joined(const struct rule_set *rs, const int *roles, int n, char *out, size_t len)
{
	size_t used = 0;
	int i, w;

	out[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		w = snprintf(out + used, len - used, "%s%s", i ? ", " : "", rules_role_name(rs, roles[i]));
		used += w > 0 ? (size_t)w : 0;
	}
}

/* The seeds' shape: Source | Destination | Type | Port | Details, one table per matrix. */
static void rules_list(const struct rule_set *rs)
{
	int m, r;

	for (m = 0; m < rs->nmatrices; m++) {
		const struct matrix *mx = &rs->matrices[m];

		fputs(m ? "\n" : "", stdout);
		report_text_safe(stdout, mx->title ? mx->title : mx->name);
		printf(" (%s)\n", mx->name);
		printf("Source | Destination | Type | Port | Details | Rule\n");
		for (r = mx->first_rule; r < mx->first_rule + mx->nrules; r++) {
			const struct rule *ru = &rs->rules[r];
			char from[256], to[256], ports[512], *slash;

			roles_joined(rs, ru->from, ru->nfrom, from, sizeof(from));
			roles_joined(rs, ru->to, ru->nto, to, sizeof(to));
			report_rule_ports(ru, ports, sizeof(ports));
			slash = strchr(ports, '/');
			if (slash)
				*slash++ = '\0';
			for (char *c = ports; *c; c++)
				*c = *c == '+' ? ',' : (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
			printf("%s | %s%s | %s | %s | ", from, to, ru->bidirectional ? " (bidirectional)" : "", ports,
			       slash ? slash : "-");
			report_text_safe(stdout, ru->description ? ru->description : "");
			printf("%s%s | %s\n", ru->expect != EXPECT_OPTIONAL ? " [expected]" : "",
			       ru->action == ACTION_DENY ? " [deny]" : "", ru->id);
		}
	}
}

int audit_rules_command(const struct options *o, char *errbuf, size_t errlen)
{
	struct rule_set rs;
	struct site *site = NULL;
	struct load_error err;
	int status = EXIT_OK;

	rules_init(&rs);
	if (config_load(o, &rs, &site, warn_line, NULL, &err) != 0) {
		audit_format_load_error(&err, errbuf, errlen);
		status = EXIT_TROUBLE;
	} else if (o->command == CMD_RULES_CHECK) {
		rules_check(&rs, site);
	} else {
		rules_list(&rs);
	}
	if (site) {
		site_free(site);
		free(site);
	}
	rules_free(&rs);
	return status;
}
