/* config: the rules and site an audit runs with — finding the shipped rules, loading both */
#ifndef FLOWAUDIT_CONFIG_H
#define FLOWAUDIT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "portset.h"
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

/*
 * The ports that orient a flow whose first packet is not a SYN (the
 * tracker's server ports), [0] TCP and [1] UDP: 0-1023, the ports Zeek's
 * analyzers and tunnel decoders register, and every TCP or UDP port a
 * loaded rule names in a range of fewer than CONFIG_SERVER_RANGE_MAX ports
 * (rs may be NULL: none).
 */
enum { CONFIG_SERVER_RANGE_MAX = 64 };
void config_server_ports(const struct rule_set *rs, uint8_t out[2][PORTSET_BYTES]);

#endif
