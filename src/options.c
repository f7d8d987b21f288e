/* options: the command line, parsed into one struct; no side effects */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "xalloc.h"

enum {
	OPT_CONN_LOG = 256,
	OPT_FORMAT,
	OPT_VLAN_KEY,
	OPT_TCP_TIMEOUT,
	OPT_UDP_TIMEOUT,
	OPT_ICMP_TIMEOUT,
	OPT_TCP_CLOSE_DELAY,
	OPT_TCP_ATTEMPT_DELAY,
	OPT_MAX_FLOWS,
	OPT_RULES,
	OPT_SITE,
	OPT_FAIL_ON,
	OPT_COLOR,
	OPT_PENDING_WINDOW,
	OPT_DURATION,
	OPT_REPORT_INTERVAL,
	OPT_DEDUP_WINDOW,
	OPT_NO_INSPECT,
	OPT_NO_DECAP,
	OPT_BY,
	OPT_MIN_FLOWS,
};

static const struct option long_options[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "conn-log", required_argument, NULL, OPT_CONN_LOG },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "vlan-key", no_argument, NULL, OPT_VLAN_KEY },
	{ "tcp-timeout", required_argument, NULL, OPT_TCP_TIMEOUT },
	{ "udp-timeout", required_argument, NULL, OPT_UDP_TIMEOUT },
	{ "icmp-timeout", required_argument, NULL, OPT_ICMP_TIMEOUT },
	{ "tcp-close-delay", required_argument, NULL, OPT_TCP_CLOSE_DELAY },
	{ "tcp-attempt-delay", required_argument, NULL, OPT_TCP_ATTEMPT_DELAY },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "site", required_argument, NULL, OPT_SITE },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "colour", optional_argument, NULL, OPT_COLOR },
	{ "pending-window", required_argument, NULL, OPT_PENDING_WINDOW },
	{ "interface", required_argument, NULL, 'i' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "no-promiscuous-mode", no_argument, NULL, 'p' },
	{ "relinquish-privileges", required_argument, NULL, 'Z' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "report-interval", required_argument, NULL, OPT_REPORT_INTERVAL },
	{ "dedup-window", required_argument, NULL, OPT_DEDUP_WINDOW },
	{ "no-decap", no_argument, NULL, OPT_NO_DECAP },
	{ "no-inspect", no_argument, NULL, OPT_NO_INSPECT },
	{ "by", required_argument, NULL, OPT_BY },
	{ "min-flows", required_argument, NULL, OPT_MIN_FLOWS },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *out)
{
	fputs("usage: flowaudit [OPTIONS] -r FILE [-r FILE ...] [BPF-FILTER ...]\n"
	      "       flowaudit [OPTIONS] -i IFACE [BPF-FILTER ...]          (live: a mirror / SPAN port)\n"
	      "       flowaudit baseline save [OPTIONS] (-r FILE ... | -i IFACE) -o BASELINE.json\n"
	      "       flowaudit baseline diff BASELINE.json [OPTIONS] (-r FILE ... | -i IFACE | OTHER.json)\n"
	      "       flowaudit baseline merge A.json B.json ... -o ALL.json\n"
	      "       flowaudit rules check [--rules PATH ...] [--site FILE]\n"
	      "       flowaudit rules list  [--rules PATH ...]\n"
	      "\n"
	      "Audit the flows in pcap or pcapng captures against the Citrix / Parallels RAS port matrix.\n"
	      "\n"
	      "  -r, --read FILE         a capture to read (pcap or pcapng, '-' = stdin); repeatable, read in order\n"
	      "  BPF-FILTER              a tcpdump filter expression, e.g. 'net 198.18.0.0/15'\n"
	      "      --rules PATH        a rule file or a folder of them; repeatable (default: the shipped rules/)\n"
	      "      --site FILE         the site inventory: roles -> addresses, scope (without it: port-only mode)\n"
	      "      --conn-log FILE     write one JSON object per flow (JSON Lines), Zeek's conn.log fields plus\n"
	      "                          verdict, reason, rule, roles; '-' = stdout (the report then goes to stderr)\n"
	      "      --format text|json|html  the report on stdout: a table (default), one JSON document, or\n"
	      "                          one self-contained HTML page (use -o report.html)\n"
	      "  -o, --output FILE       write the report to FILE instead of stdout\n"
	      "      --fail-on LIST      findings that make the exit status 1 (default\n"
	      "                          blocked,missing,unexpected,interrupted,fallback,middlebox-reset,\n"
	      "                          tls-intercepted,wrong-protocol; 'none' for never)\n"
	      "      --color[=WHEN]      colour the text report: auto (default: on a terminal, unless NO_COLOR),\n"
	      "                          always, never\n"
	      "      --pending-window SECS  an unanswered opening this close to the end is 'pending' (default 3)\n"
	      "      --dedup-window MS   a packet seen again within MS ms is a mirror duplicate, counted once\n"
	      "                          (default 5; 0 = off)\n"
	      "      --no-decap          audit VXLAN / ERSPAN / GRE tunnels as flows instead of opening them\n"
	      "      --no-inspect        do not look at payload bytes (no service, TLS names, wrong-protocol,\n"
	      "                          tls-intercepted)\n"
	      "baseline:\n"
	      "      --by role|host      a path's ends: the roles (default) or the host addresses\n"
	      "      --min-flows N       a path that had fewer flows before does not count as gone (default 1)\n"
	      "live (-i IFACE; 'any' = every interface):\n"
	      "      --duration SECS     stop after SECS (default: at SIGINT or SIGTERM); the report follows\n"
	      "      --report-interval SECS  an interim report this often (to -o's file, replaced, or stderr);\n"
	      "                          SIGHUP asks for one too\n"
	      "  -s, --snaplen N         bytes captured per packet (default 65535: whole packets, as TLS\n"
	      "                          certificate names need; 256 still reads every header)\n"
	      "  -p                      do not put the interface in promiscuous mode\n"
	      "  -B, --buffer-size MIB   the kernel capture buffer (default 32)\n"
	      "  -Z USER                 drop root privileges to USER right after opening the interface\n"
	      "  -q, --quiet             no progress line on stderr\n"
	      "      --vlan-key          make the outer VLAN id part of the flow key (default: not, as Zeek)\n"
	      "      --tcp-timeout SECS  TCP inactivity timeout (default 300)\n"
	      "      --udp-timeout SECS  UDP inactivity timeout (default 60)\n"
	      "      --icmp-timeout SECS ICMP inactivity timeout (default 60)\n"
	      "      --tcp-close-delay SECS  how long a closed or reset TCP flow lingers (default 5)\n"
	      "      --tcp-attempt-delay SECS  an unanswered SYN ends its flow this long after it (default 5)\n"
	      "      --max-flows N       live flows at most; past it the oldest is finished early (default 1000000)\n"
	      "  -h, --help              this help\n"
	      "  -V, --version           the version\n"
	      "\n"
	      "Exit status: 0 no finding in --fail-on; 1 at least one; 2 usage error, bad rule or site file,\n"
	      "unreadable or damaged input (the report still covers what was read before the damage).\n",
	      out);
}

static int parse_seconds(const char *s, int64_t *out_us, const char *what, char *errbuf, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v <= 0 || v > 86400.0 * 365) {
		snprintf(errbuf, errlen, "%s: '%s' is not a number of seconds (0 < SECS <= 1 year)", what, s);
		return -1;
	}
	*out_us = (int64_t)(v * 1e6);
	return 0;
}

static int parse_count(const char *s, uint64_t *out, const char *what, char *errbuf, size_t errlen)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v == 0) {
		snprintf(errbuf, errlen, "%s: '%s' is not a positive whole number", what, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* "blocked,missing" -> bits of enum finding_kind; "none" -> 0. */
static int parse_fail_on(const char *list, unsigned *out, char *errbuf, size_t errlen)
{
	char *copy = xstrdup(list), *save = NULL, *tok;
	unsigned bits = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int k = findings_kind_parse(tok);

		if (strcmp(tok, "none") == 0)
			continue;
		if (k < 0) {
			snprintf(errbuf, errlen, "--fail-on: '%s' is not a finding kind (blocked, fallback, incomplete, "
				 "interrupted, missing, one-sided, unexpected, pending, or none)", tok);
			free(copy);
			return -1;
		}
		bits |= 1u << k;
	}
	free(copy);
	*out = bits;
	return 0;
}

static int parse_int(const char *s, int *out, int lo, int hi, const char *what, char *errbuf, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		snprintf(errbuf, errlen, "%s: '%s' is not a whole number from %d to %d", what, s, lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static char *join_args(int argc, char **argv)
{
	size_t n = 0;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	s = xmalloc(n + 1);
	s[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int parse_one(struct options *o, int c, char *errbuf, size_t errlen)
{
	struct flow_table_config *t = &o->table;

	switch (c) {
	case 'r':
		o->inputs = xrealloc(o->inputs, (size_t)(o->ninputs + 1) * sizeof(*o->inputs));
		o->inputs[o->ninputs++] = optarg;
		return 0;
	case 'i':
		o->iface = optarg;
		return 0;
	case 'p':
		o->no_promisc = true;
		return 0;
	case 'Z':
		o->drop_user = optarg;
		return 0;
	case 's':
		return parse_int(optarg, &o->snaplen, 64, 262144, "-s", errbuf, errlen);
	case 'B':
		return parse_int(optarg, &o->buffer_mib, 1, 65536, "-B", errbuf, errlen);
	case OPT_DURATION:
		return parse_seconds(optarg, &o->duration_us, "--duration", errbuf, errlen);
	case OPT_REPORT_INTERVAL:
		return parse_seconds(optarg, &o->report_interval_us, "--report-interval", errbuf, errlen);
	case OPT_DEDUP_WINDOW: {
		int ms;

		if (parse_int(optarg, &ms, 0, 10000, "--dedup-window", errbuf, errlen) != 0)
			return -1;
		o->dedup_window_us = (int64_t)ms * 1000;
		return 0;
	}
	case OPT_NO_DECAP:
		o->no_decap = true;
		return 0;
	case OPT_NO_INSPECT:
		o->no_inspect = true;
		return 0;
	case OPT_BY:
		if (strcmp(optarg, "role") == 0)
			o->by = 0;
		else if (strcmp(optarg, "host") == 0)
			o->by = 1;
		else {
			snprintf(errbuf, errlen, "--by: '%s' is not one of role, host", optarg);
			return -1;
		}
		return 0;
	case OPT_MIN_FLOWS:
		return parse_count(optarg, &o->min_flows, "--min-flows", errbuf, errlen);
	case 'o':
		o->output = optarg;
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	case 'h':
		o->help = true;
		return 0;
	case 'V':
		o->version = true;
		return 0;
	case OPT_CONN_LOG:
		o->conn_log = optarg;
		return 0;
	case OPT_FORMAT:
		if (strcmp(optarg, "text") == 0)
			o->format = FORMAT_TEXT;
		else if (strcmp(optarg, "json") == 0)
			o->format = FORMAT_JSON;
		else if (strcmp(optarg, "html") == 0)
			o->format = FORMAT_HTML;
		else {
			snprintf(errbuf, errlen, "--format: '%s' is not one of text, json, html", optarg);
			return -1;
		}
		return 0;
	case OPT_VLAN_KEY:
		t->vlan_key = true;
		return 0;
	case OPT_TCP_TIMEOUT:
		return parse_seconds(optarg, &t->timeout_us[FLOW_CLASS_TCP], "--tcp-timeout", errbuf, errlen);
	case OPT_UDP_TIMEOUT:
		return parse_seconds(optarg, &t->timeout_us[FLOW_CLASS_UDP], "--udp-timeout", errbuf, errlen);
	case OPT_ICMP_TIMEOUT:
		return parse_seconds(optarg, &t->timeout_us[FLOW_CLASS_ICMP], "--icmp-timeout", errbuf, errlen);
	case OPT_TCP_CLOSE_DELAY:
		return parse_seconds(optarg, &t->timeout_us[FLOW_CLASS_TCP_CLOSED], "--tcp-close-delay", errbuf,
				     errlen);
	case OPT_TCP_ATTEMPT_DELAY:
		return parse_seconds(optarg, &t->timeout_us[FLOW_CLASS_TCP_ATTEMPT], "--tcp-attempt-delay", errbuf,
				     errlen);
	case OPT_MAX_FLOWS:
		return parse_count(optarg, &t->max_flows, "--max-flows", errbuf, errlen);
	case OPT_RULES:
		o->rules = xrealloc(o->rules, (size_t)(o->nrules + 1) * sizeof(*o->rules));
		o->rules[o->nrules++] = optarg;
		return 0;
	case OPT_SITE:
		o->site = optarg;
		return 0;
	case OPT_FAIL_ON:
		return parse_fail_on(optarg, &o->fail_on, errbuf, errlen);
	case OPT_COLOR:
		if (!optarg || strcmp(optarg, "always") == 0)
			o->color = COLOR_ALWAYS;
		else if (strcmp(optarg, "never") == 0)
			o->color = COLOR_NEVER;
		else if (strcmp(optarg, "auto") == 0)
			o->color = COLOR_AUTO;
		else {
			snprintf(errbuf, errlen, "--color: '%s' is not one of auto, always, never", optarg);
			return -1;
		}
		return 0;
	case OPT_PENDING_WINDOW:
		return parse_seconds(optarg, &o->pending_window_us, "--pending-window", errbuf, errlen);
	default:
		snprintf(errbuf, errlen, "unknown option (see --help)");
		return -1;
	}
}

/* One source: files or an interface; live-only options only with -i. */
static int options_check_inputs(const struct options *o, char *errbuf, size_t errlen)
{
	if (o->ninputs == 0 && !o->iface) {
		snprintf(errbuf, errlen, "nothing to read: give a capture with -r FILE or an interface with -i IFACE "
			 "(see --help)");
		return -1;
	}
	if (o->ninputs && o->iface) {
		snprintf(errbuf, errlen, "-r and -i cannot be used together: audit files or an interface");
		return -1;
	}
	if (!o->iface && (o->duration_us || o->report_interval_us || o->drop_user || o->snaplen ||
			  o->no_promisc || o->buffer_mib)) {
		snprintf(errbuf, errlen, "--duration, --report-interval, -s, -p, -B and -Z are for live audits (-i)");
		return -1;
	}
	return 0;
}

/*
 * baseline save: the positional words are the filter. diff: the first is the
 * baseline; then another baseline when there is no -r/-i, else the filter.
 * merge: every positional word is a baseline.
 */
static int options_baseline(struct options *o, int n, char **words, char *errbuf, size_t errlen)
{
	int k = 0, want = 0;

	if (o->command == CMD_BASELINE_DIFF)
		want = o->ninputs || o->iface ? 1 : 2;
	else if (o->command == CMD_BASELINE_MERGE)
		want = n;
	if (n < want || (o->command == CMD_BASELINE_MERGE && n < 2)) {
		snprintf(errbuf, errlen, o->command == CMD_BASELINE_MERGE ?
			 "baseline merge needs two or more baseline files and -o (see --help)" :
			 "baseline diff needs a baseline file, then -r FILE, -i IFACE or a second baseline (see --help)");
		return -1;
	}
	o->baselines = xcalloc((size_t)want + 1, sizeof(*o->baselines));
	for (; k < want; k++)
		o->baselines[o->nbaselines++] = words[k];
	if (k < n)
		o->filter = join_args(n - k, words + k);
	if ((o->command == CMD_BASELINE_SAVE || o->command == CMD_BASELINE_MERGE) && !o->output) {
		snprintf(errbuf, errlen, "baseline %s needs -o BASELINE.json",
			 o->command == CMD_BASELINE_SAVE ? "save" : "merge");
		return -1;
	}
	if (o->command == CMD_BASELINE_MERGE || (o->command == CMD_BASELINE_DIFF && want == 2))
		return 0;
	return options_check_inputs(o, errbuf, errlen);
}

/* "rules check|list" and the commands of later versions come first; the options follow. */
static int parse_command(struct options *o, int *argc, char ***argv, char *errbuf, size_t errlen)
{
	const char *cmd = *argc > 1 ? (*argv)[1] : NULL;

	if (!cmd || cmd[0] == '-')
		return 0;
	if (strcmp(cmd, "rules") == 0) {
		const char *sub = *argc > 2 ? (*argv)[2] : "";

		if (strcmp(sub, "check") == 0)
			o->command = CMD_RULES_CHECK;
		else if (strcmp(sub, "list") == 0)
			o->command = CMD_RULES_LIST;
		else {
			snprintf(errbuf, errlen, "rules: say 'rules check' or 'rules list' (see --help)");
			return -1;
		}
		*argc -= 2;
		*argv += 2;
		return 0;
	}
	if (strcmp(cmd, "baseline") == 0) {
		const char *sub = *argc > 2 ? (*argv)[2] : "";

		if (strcmp(sub, "save") == 0)
			o->command = CMD_BASELINE_SAVE;
		else if (strcmp(sub, "diff") == 0)
			o->command = CMD_BASELINE_DIFF;
		else if (strcmp(sub, "merge") == 0)
			o->command = CMD_BASELINE_MERGE;
		else {
			snprintf(errbuf, errlen, "baseline: say 'baseline save', 'baseline diff' or 'baseline merge' "
				 "(see --help)");
			return -1;
		}
		*argc -= 2;
		*argv += 2;
		return 0;
	}
	return 0;
}

int options_parse(struct options *o, int argc, char **argv, char *errbuf, size_t errlen)
{
	int c;

	memset(o, 0, sizeof(*o));
	flow_table_config_defaults(&o->table);
	o->fail_on = 1u << FK_BLOCKED | 1u << FK_MISSING | 1u << FK_UNEXPECTED | 1u << FK_INTERRUPTED |
		     1u << FK_FALLBACK | 1u << FK_MIDDLEBOX_RESET | 1u << FK_TLS_INTERCEPTED | 1u << FK_WRONG_PROTOCOL;
	o->pending_window_us = 3 * 1000000LL;
	o->dedup_window_us = 5000;
	o->by = -1;
	o->min_flows = 1;
	if (parse_command(o, &argc, &argv, errbuf, errlen) != 0)
		return -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:o:qhVi:s:pZ:B:", long_options, NULL)) != -1) {
		if (c == '?' || c == ':') {
			if (optopt && optopt < 256)
				snprintf(errbuf, errlen, "-%c: %s (see --help)", optopt,
					 c == ':' ? "needs an argument" : "unknown option");
			else
				snprintf(errbuf, errlen, "%s: %s (see --help)", argv[optind - 1],
					 c == ':' ? "needs an argument" : "unknown option");
			return -1;
		}
		if (parse_one(o, c, errbuf, errlen) != 0)
			return -1;
	}
	if (o->help || o->version)
		return 0;
	if (o->command >= CMD_BASELINE_SAVE)
		return options_baseline(o, argc - optind, argv + optind, errbuf, errlen);
	if (o->command != CMD_AUDIT) {
		if (optind < argc || o->ninputs) {
			snprintf(errbuf, errlen, "rules %s takes only --rules and --site (see --help)",
				 o->command == CMD_RULES_CHECK ? "check" : "list");
			return -1;
		}
		return 0;
	}
	if (optind < argc)
		o->filter = join_args(argc - optind, argv + optind);
	return options_check_inputs(o, errbuf, errlen);
	return 0;
}

void options_free(struct options *o)
{
	free(o->inputs);
	free(o->rules);
	free(o->baselines);
	free(o->filter);
	memset(o, 0, sizeof(*o));
}
