/* fixtures: what several unit tests build on (tests/unit/fixtures.c) */
#ifndef FLOWAUDIT_TEST_FIXTURES_H
#define FLOWAUDIT_TEST_FIXTURES_H

#include <stdint.h>

#include "portset.h"
#include "rules.h"
#include "site.h"

/* The server ports without rules, and ICA's 1494 as a loaded Citrix rule would add it. */
uint8_t (*fixture_server_ports(void))[PORTSET_BYTES];

/* A test matrix (rule-file YAML): ica and cgp (group hdx), edt, license (expect any), register
 * (expect each), telnet (deny), syslog (one-way), ping (icmp, bidirectional). */
extern const char fixture_rules_yaml[];

/*
 * rs (rules_init'd here) from rules_yaml, and site (zeroed, then loaded against rs) from
 * site_yaml unless site is NULL; a load error fails the test with file:line:col: what.
 */
void fixture_load(struct rule_set *rs, const char *rules_yaml, struct site *site, const char *site_yaml);

#endif
