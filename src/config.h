/* config: the rules and site an audit runs with — finding the shipped rules, loading both */
#ifndef FLOWAUDIT_CONFIG_H
#define FLOWAUDIT_CONFIG_H

#include <stddef.h>

#include "options.h"
#include "rules.h"
#include "site.h"

/*
 * The shipped rules folder: $FLOWAUDIT_RULES_DIR, else rules/ beside the
 * executable (an in-tree build), else the source tree's rules/ when the
 * executable sits in its build tree, else the installed data directory.
 * Returns 0 with the path in out, or -1 with what was tried in errbuf.
 */
int config_default_rules(char *out, size_t n, char *errbuf, size_t errlen);

/*
 * Load --rules (or the shipped rules) and --site into rs and *site
 * (NULL without --site). Warnings go to warn. Returns 0, or -1 with err set.
 */
int config_load(const struct options *o, struct rule_set *rs, struct site **site, load_warn_fn warn,
		void *warn_ctx, struct load_error *err);

#endif
