/* fuzz_pcap: a whole capture file (pcap or pcapng) through the offline audit, as the program runs it */
#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "fuzz_util.h"
#include "options.h"

/* Parse argv as main() does and run the audit; a usage error here is a harness bug. */
static void run(int argc, const char **argv)
{
	struct options o;
	char err[1024] = "";

	if (options_parse(&o, argc, (char **)argv, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: bad harness arguments: %s\n", err);
		abort();
	}
	audit_run(&o, err, sizeof(err));
	options_free(&o);
}

/*
 * Two audits of the file: port-only with the text report, then with the
 * demo site, the JSON report and the conn log. Everything goes to
 * /dev/null. The rules are the four matrices the demo site applies (--rules
 * each): loading all of them twice took most of a run.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_path(data, size);
	const char *cloud = fuzz_src_path("rules/citrix-cloud.yaml"), *cvad = fuzz_src_path("rules/citrix-cvad.yaml");
	const char *lic = fuzz_src_path("rules/citrix-licensing.yaml");
	const char *sf = fuzz_src_path("rules/citrix-storefront.yaml");
	const char *site = fuzz_src_path("pcaps/site-demo.yaml");
	const char *text[] = { "flowaudit", "-q", "--fail-on", "none", "--rules", cloud, "--rules", cvad,
			       "--rules", lic, "--rules", sf, "-r", path, "-o", "/dev/null" };
	const char *json[] = { "flowaudit", "-q", "--fail-on", "none", "--rules", cloud, "--rules", cvad,
			       "--rules", lic, "--rules", sf, "--site", site, "--format", "json",
			       "--conn-log", "/dev/null", "-r", path, "-o", "/dev/null" };

	run(sizeof(text) / sizeof(text[0]), text);
	run(sizeof(json) / sizeof(json[0]), json);
	return 0;
}
