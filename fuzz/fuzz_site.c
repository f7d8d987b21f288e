/* fuzz_site: the input as a site file, loaded against the shipped rules as 'flowaudit --site FILE' loads it */
#include <stdio.h>
#include <stdlib.h>

#include "addr.h"
#include "fuzz_util.h"
#include "site.h"

/* What 'rules check --site' prints of a site, and a role lookup for each of its prefixes. */
static void describe_site(const struct rule_set *rs, const struct site *s)
{
	char a[ADDR_STRLEN];
	int i;

	for (i = 0; i < s->nprefixes; i++) {
		const struct site_prefix *p = &s->prefixes[i];

		fprintf(fuzz_sink(), "%s %s/%u %d\n", rules_role_name(rs, p->role), addr_format(p->family, p->addr, a),
			p->len, site_role_of(s, p->family, p->addr));
	}
	for (i = 0; i < s->nscope; i++) {
		const struct site_prefix *p = &s->scope[i];

		fprintf(fuzz_sink(), "%s/%u %d\n", addr_format(p->family, p->addr, a), p->len,
			site_in_scope(s, p->family, p->addr));
	}
}

/*
 * site_load is what config_load calls for --site (the rules are loaded
 * once: site_load only reads them). A site that loads is also reported on,
 * as an audit of an empty capture: its expected paths are all missing.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule_set *rs = fuzz_shipped_rules();
	int nm = rs->nmatrices, nr = rs->nrules, nro = rs->nroles, nf = rs->nfiles;
	struct site site;
	struct load_error err;

	if (site_load(&site, fuzz_input_path(data, size), rs, fuzz_warn_quiet, NULL, &err) == 0) {
		describe_site(rs, &site);
		fuzz_report_empty(rs, &site);
		site_free(&site);
	}
	rules_truncate(rs, nm, nr, nro, nf);	/* a site's local rules go with it: the next input starts afresh */
	return 0;
}
