/* fixtures: what several unit tests build on — a test matrix, and the server ports */
#include "fixtures.h"

#include <string.h>

#include <criterion/criterion.h>

#include "config.h"

void fixture_load(struct rule_set *rs, const char *rules_yaml, struct site *site, const char *site_yaml)
{
	struct load_error err;

	rules_init(rs);
	cr_assert_eq(rules_load_string(rs, "test.yaml", rules_yaml, strlen(rules_yaml), &err), 0, "%s:%d:%d: %s",
		     err.file, err.line, err.column, err.msg);
	if (!site)
		return;
	memset(site, 0, sizeof(*site));
	if (site_yaml)
		cr_assert_eq(site_load_string(site, "site.yaml", site_yaml, strlen(site_yaml), rs, NULL, NULL, &err), 0,
			     "%s:%d:%d: %s", err.file, err.line, err.column, err.msg);
}

/* The server ports without rules, and ICA's 1494 as a loaded Citrix rule would add it. */
uint8_t (*fixture_server_ports(void))[PORTSET_BYTES]
{
	static uint8_t ports[2][PORTSET_BYTES];

	config_server_ports(NULL, ports);
	portset_add(ports[0], 1494);
	portset_add(ports[1], 1494);
	return ports;
}

/*
 * A matrix of the Citrix shapes the audit handles differently: a group
 * (hdx), EDT over UDP, expect any and each, a deny, one-way, ICMP.
 */
const char fixture_rules_yaml[] =
	"matrix: test\n"
	"title: Test matrix\n"
	"rules:\n"
	"  - id: ica\n"
	"    category: ica-hdx\n"
	"    from: workspace-app\n"
	"    to: vda\n"
	"    proto: tcp\n"
	"    ports: [1494]\n"
	"    group: hdx\n"
	"  - id: cgp\n"
	"    category: ica-hdx\n"
	"    from: workspace-app\n"
	"    to: vda\n"
	"    proto: tcp\n"
	"    ports: [2598]\n"
	"    group: hdx\n"
	"  - id: edt\n"
	"    category: edt\n"
	"    from: workspace-app\n"
	"    to: vda\n"
	"    proto: udp\n"
	"    ports: [1494, 2598]\n"
	"  - id: license\n"
	"    category: licensing\n"
	"    from: ddc\n"
	"    to: license-server\n"
	"    proto: tcp\n"
	"    ports: [27000]\n"
	"    expect: any\n"
	"  - id: register\n"
	"    category: broker\n"
	"    from: vda\n"
	"    to: ddc\n"
	"    proto: tcp\n"
	"    ports: [80]\n"
	"    expect: each\n"
	"  - id: telnet\n"
	"    category: other\n"
	"    from: any\n"
	"    to: any\n"
	"    proto: tcp\n"
	"    ports: [23]\n"
	"    action: deny\n"
	"  - id: syslog\n"
	"    category: monitoring\n"
	"    from: vda\n"
	"    to: ddc\n"
	"    proto: udp\n"
	"    ports: [514]\n"
	"    one-way: true\n"
	"  - id: ping\n"
	"    category: monitoring\n"
	"    from: ddc\n"
	"    to: vda\n"
	"    proto: icmp\n"
	"    bidirectional: true\n";
