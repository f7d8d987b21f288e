/* fuzz_rules: the input as a rule file, loaded as 'flowaudit rules check --rules FILE' loads it */
#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "config.h"
#include "fuzz_util.h"
#include "options.h"
#include "report.h"

/* What 'rules list' reads of every rule, rendered and thrown away. */
static void list_rules(const struct rule_set *rs)
{
	char ports[512];
	int r, i;

	for (r = 0; r < rs->nrules; r++) {
		const struct rule *ru = &rs->rules[r];

		report_rule_ports(ru, ports, sizeof(ports));
		for (i = 0; i < ru->nfrom; i++)
			fputs(rules_role_name(rs, ru->from[i]), fuzz_sink());
		for (i = 0; i < ru->nto; i++)
			fputs(rules_role_name(rs, ru->to[i]), fuzz_sink());
		report_text_safe(fuzz_sink(), ru->description ? ru->description : "");
		fprintf(fuzz_sink(), "%s %s %s %s\n", ports, rules_category_name(ru->category),
			rules_expect_name(ru->expect), rules_action_name(ru->action));
	}
}

/*
 * config_load is what audit_rules_command calls; its printing part is left
 * out (the lines it prints come from the same fields list_rules reads). A
 * rule set that loads is also reported on, as an audit of an empty capture.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[] = { "flowaudit", "rules", "check", "--rules", fuzz_input_path(data, size) };
	struct options o;
	struct rule_set rs;
	struct site *site = NULL;
	struct load_error err;
	char line[1200];

	if (options_parse(&o, 5, (char **)argv, line, sizeof(line)) != 0) {
		fprintf(stderr, "fuzz: bad harness arguments: %s\n", line);
		abort();
	}
	rules_init(&rs);
	if (config_load(&o, &rs, &site, fuzz_warn_quiet, NULL, &err) != 0) {
		audit_format_load_error(&err, line, sizeof(line));
	} else {
		list_rules(&rs);
		fuzz_report_empty(&rs, NULL);
	}
	rules_free(&rs);
	options_free(&o);
	return 0;
}
