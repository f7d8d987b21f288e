/* fuzz_pcap: a whole capture file (pcap or pcapng) through the offline audit, as the program runs it */
#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "config.h"
#include "fuzz_util.h"
#include "options.h"

/* One configuration: its options as main() parses them, and the rules and site config_load made of them. */
struct setup {
	struct options o;
	struct rule_set rs;
	struct site *site;
};

static void load(struct setup *s, int argc, const char **argv)
{
	struct load_error err;
	char line[1200] = "";

	if (options_parse(&s->o, argc, (char **)argv, line, sizeof(line)) != 0) {
		fprintf(stderr, "fuzz: bad harness arguments: %s\n", line);
		abort();
	}
	rules_init(&s->rs);
	if (config_load(&s->o, &s->rs, &s->site, fuzz_warn_quiet, NULL, &err) != 0) {
		audit_format_load_error(&err, line, sizeof(line));
		fprintf(stderr, "fuzz: cannot load the rules or the site: %s (set FLOWAUDIT_SRCDIR)\n", line);
		abort();
	}
}

/*
 * Two audits of the file: port-only with the text report in one thread,
 * then with the demo site, the JSON report and the conn log in two workers
 * (their threads, hand-over and merge); everything goes to
 * /dev/null. Both use all the shipped rules. The options, rules and site are
 * loaded once (config_load, as main() does) and every input is audited by
 * audit_run_loaded: loading them for each input took two thirds of a run.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct setup text, json;
	static int ready;
	const char *path = fuzz_input_path(data, size);
	char err[1024];

	if (!ready) {
		const char *rules = fuzz_src_path("rules"), *site = fuzz_src_path("pcaps/site-demo.yaml");
		/* one thread, and two workers with their merge */
		const char *targv[] = { "flowaudit", "-q", "--fail-on", "none", "--rules", rules, "-r", path,
					"-o", "/dev/null", "--workers", "1" };
		const char *jargv[] = { "flowaudit", "-q", "--fail-on", "none", "--rules", rules, "--site", site,
					"--format", "json", "--conn-log", "/dev/null", "-r", path, "-o", "/dev/null",
					"--workers", "2" };

		load(&text, sizeof(targv) / sizeof(targv[0]), targv);
		load(&json, sizeof(jargv) / sizeof(jargv[0]), jargv);
		ready = 1;
	}
	audit_run_loaded(&text.o, &text.rs, text.site, err, sizeof(err));
	audit_run_loaded(&json.o, &json.rs, json.site, err, sizeof(err));
	return 0;
}
