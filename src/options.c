/* options: the command line, parsed into one struct; no side effects */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "findings.h"
#include "outfile.h"
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
	OPT_TABLE,
	OPT_ADD_RULES,
	OPT_WORKERS,
	OPT_UID_SEED,
	OPT_EVIDENCE,
	OPT_EVIDENCE_FLOWS,
	OPT_EVIDENCE_PACKETS,
	OPT_EVIDENCE_MEMORY,
	OPT_LAST,
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
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "uid-seed", required_argument, NULL, OPT_UID_SEED },
	{ "evidence", required_argument, NULL, OPT_EVIDENCE },
	{ "evidence-flows", required_argument, NULL, OPT_EVIDENCE_FLOWS },
	{ "evidence-packets", required_argument, NULL, OPT_EVIDENCE_PACKETS },
	{ "evidence-memory", required_argument, NULL, OPT_EVIDENCE_MEMORY },
	{ "no-inspect", no_argument, NULL, OPT_NO_INSPECT },
	{ "by", required_argument, NULL, OPT_BY },
	{ "min-flows", required_argument, NULL, OPT_MIN_FLOWS },
	{ "table", required_argument, NULL, OPT_TABLE },
	{ "add-rules", required_argument, NULL, OPT_ADD_RULES },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *out)
{
	fputs("usage: flowaudit [OPTIONS] -r FILE [-r FILE ...] [BPF-FILTER ...]\n"
	      "       flowaudit [OPTIONS] -i IFACE [BPF-FILTER ...]          (live: a mirror / SPAN port)\n"
	      "       flowaudit baseline save [OPTIONS] (-r FILE ... | -i IFACE) -o BASELINE.json\n"
	      "       flowaudit baseline diff BASELINE.json [OPTIONS] (-r FILE ... | -i IFACE | OTHER.json)\n"
	      "       flowaudit baseline merge A.json B.json ... -o ALL.json\n"
	      "       flowaudit rules check [--rules PATH ...] [--site FILE] [-o FILE]\n"
	      "       flowaudit rules list  [--rules PATH ...] [--site FILE] [--format text|json] [-o FILE]\n"
	      "\n"
	      "Audit the flows in pcap or pcapng captures against the Citrix / Parallels RAS port matrix.\n"
	      "Options go before or after the command words; '-' is standard input for an input and standard\n"
	      "output for an output; an option that does not apply to the command is an error. A file written\n"
	      "(-o, --conn-log) appears whole when the run ends well; a run that fails leaves old files as they were.\n"
	      "SECS takes a unit too: 500ms, 90s, 5m, 1h, 2d.\n"
	      "\n"
	      "  -r, --read FILE         a capture to read (pcap or pcapng, '-' = stdin); repeatable, read in order\n"
	      "  BPF-FILTER              a tcpdump filter expression, e.g. 'net 198.18.0.0/15'\n"
	      "      --rules PATH        a rule file or a folder of them; repeatable (default: the shipped rules/)\n"
	      "      --add-rules PATH    rule files added to the shipped matrices (or to --rules); repeatable\n"
	      "      --site FILE         the site inventory: roles -> addresses, scope (without it: port-only mode)\n"
	      "      --conn-log FILE     write one JSON object per flow (JSON Lines), Zeek's conn.log fields plus\n"
	      "                          verdict, reason, rule, roles; '-' = stdout (the report then goes to stderr)\n"
	      "      --format text|json|html|csv  the report on stdout: a table (default), one JSON document,\n"
	      "                          one self-contained HTML page (use -o report.html), or CSV rows\n"
	      "      --table findings|matrix  with --format csv: one row per finding (default) or per matrix cell\n"
	      "      --evidence DIR      write the packets behind each finding to DIR, one pcapng per finding\n"
	      "                          (F-ID-KIND-PROTO-PORT.pcapng, with comments), and DIR/index.json;\n"
	      "                          baseline diff: the flows behind each change that got worse\n"
	      "      --evidence-flows N  flows per finding in its file (default 20; the first by time)\n"
	      "      --evidence-packets N  packets per flow (default 200: the first N - 4 and the last 4; below 8,\n"
	      "                          the first N)\n"
	      "      --evidence-memory MIB  live (or -r -): the packets kept in memory at most (default 64);\n"
	      "                          a live flow keeps its first 16 and last 4 packets\n"
	      "  -o, --output FILE       write the report (baseline save / merge: the baseline) to FILE ('-' = stdout)\n"
	      "      --fail-on LIST      findings that make the exit status 1 (default\n"
	      "                          blocked,missing,unexpected,interrupted,fallback,middlebox-reset,\n"
	      "                          tls-intercepted,wrong-protocol; 'none' for never)\n"
	      "      --color[=WHEN]      colour the text report: auto (default: on a terminal, unless NO_COLOR),\n"
	      "                          always, never\n"
	      "      --pending-window SECS  an unanswered opening this close to the end is 'pending' (default 3)\n"
	      "      --dedup-window MS   a packet seen again within MS ms (or 2ms, 0.01s) is a mirror duplicate, counted once\n"
	      "                          (default 5; 0 = off)\n"
	      "      --no-decap          audit tunnels as flows instead of opening them: VXLAN, ERSPAN I/II/III,\n"
	      "                          GRE (Ethernet, IP, MPLS, PPTP), GENEVE, IP-in-IP (4, 41), Teredo, AYIYA, GTP-U\n"
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
	      "      --workers N         workers that keep flows, each on a core (default: the online cores, at\n"
	      "                          most 16; 1: one thread); the output is the same for every N\n"
	      "      --uid-seed N|random the conn log's uids: the same for the same input by default; 'random'\n"
	      "                          draws new ones every run, as Zeek's\n"
	      "  -h, --help              this help\n"
	      "  -V, --version           the version\n"
	      "\n"
	      "Exit status: 0 no finding in --fail-on; 1 at least one; 2 usage error, bad rule or site file,\n"
	      "unreadable or damaged input (the report still covers what was read before the damage).\n",
	      out);
}

/*
 * A duration: a number with an optional unit, "90", "1.5s", "500ms", "5m",
 * "1h", "2d"; a bare number is in unit_us (seconds, or milliseconds for
 * --dedup-window). Between lo_us (exclusive, unless allow_zero) and a year.
 */
static int parse_duration(const char *s, int64_t *out_us, double unit_us, bool allow_zero, const char *what,
			  char *errbuf, size_t errlen)
{
	static const struct {
		const char *suffix;
		double us;
	} units[] = { { "ms", 1e3 }, { "s", 1e6 }, { "m", 60e6 }, { "h", 3600e6 }, { "d", 86400e6 } };
	char *end;
	double v, us = -1;
	size_t k;

	errno = 0;
	v = strtod(s, &end);
	if (!errno && end != s && isdigit((unsigned char)*s)) {
		if (!*end)
			us = v * unit_us;
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strcmp(end, units[k].suffix) == 0)
				us = v * units[k].us;
	}
	if (us < 0 || (us == 0 && !allow_zero) || (us > 0 && us < 1) || us > 86400e6 * 366) {
		snprintf(errbuf, errlen, "%s: '%s' is not a duration (a number of %s, or with a unit: 500ms, 90s, "
			 "5m, 1h, 2d; %s, at most a year)", what, s, unit_us == 1e6 ? "seconds" : "milliseconds",
			 allow_zero ? "0 or more" : "more than 0");
		return -1;
	}
	*out_us = (int64_t)(us + 0.5);
	return 0;
}

static int parse_seconds(const char *s, int64_t *out_us, const char *what, char *errbuf, size_t errlen)
{
	return parse_duration(s, out_us, 1e6, false, what, errbuf, errlen);
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

/* --uid-seed: a number (decimal or 0x hex), or "random". */
static int parse_uid_seed(const char *s, uint64_t *out, char *errbuf, size_t errlen)
{
	char *end;
	unsigned long long v;

	if (!strcmp(s, "random")) {
		if (getrandom(out, sizeof(*out), GRND_NONBLOCK) != (ssize_t)sizeof(*out))
			*out = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
		return 0;
	}
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		snprintf(errbuf, errlen, "--uid-seed: '%s' is neither a whole number nor 'random'", s);
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
			size_t used = (size_t)snprintf(errbuf, errlen, "--fail-on: '%s' is not a finding kind (", tok);

			for (k = 0; k < FK_COUNT && used < errlen; k++)
				used += (size_t)snprintf(errbuf + used, errlen - used, "%s, ",
							 findings_kind_name((enum finding_kind)k));
			if (used < errlen)
				snprintf(errbuf + used, errlen - used, "or none)");
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
	case OPT_DEDUP_WINDOW:
		if (parse_duration(optarg, &o->dedup_window_us, 1e3, true, "--dedup-window", errbuf, errlen) != 0)
			return -1;
		if (o->dedup_window_us > 10 * 1000000) {
			snprintf(errbuf, errlen, "--dedup-window: '%s' is more than 10 s", optarg);
			return -1;
		}
		return 0;
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
		else if (strcmp(optarg, "csv") == 0)
			o->format = FORMAT_CSV;
		else {
			snprintf(errbuf, errlen, "--format: '%s' is not one of text, json, html, csv", optarg);
			return -1;
		}
		return 0;
	case OPT_TABLE:
		if (strcmp(optarg, "matrix") == 0)
			o->table_matrix = true;
		else if (strcmp(optarg, "findings") != 0) {
			snprintf(errbuf, errlen, "--table: '%s' is not one of findings, matrix", optarg);
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
	case OPT_WORKERS: {
		uint64_t n;

		if (parse_count(optarg, &n, "--workers", errbuf, errlen) != 0)
			return -1;
		if (n > OPTIONS_WORKERS_MAX) {
			snprintf(errbuf, errlen, "--workers: '%s' is more than %d", optarg, OPTIONS_WORKERS_MAX);
			return -1;
		}
		o->workers = (int)n;
		return 0;
	}
	case OPT_UID_SEED:
		return parse_uid_seed(optarg, &t->uid_seed, errbuf, errlen);
	case OPT_EVIDENCE:
		o->evidence = optarg;
		return 0;
	case OPT_EVIDENCE_FLOWS:
	case OPT_EVIDENCE_PACKETS:
	case OPT_EVIDENCE_MEMORY: {
		const char *what = c == OPT_EVIDENCE_FLOWS ? "--evidence-flows"
				   : c == OPT_EVIDENCE_PACKETS ? "--evidence-packets" : "--evidence-memory";
		uint64_t n;

		if (parse_count(optarg, &n, what, errbuf, errlen) != 0)
			return -1;
		if (n > (c == OPT_EVIDENCE_MEMORY ? 1u << 20 : 1000000u)) {
			snprintf(errbuf, errlen, "%s: '%s' is more than %u", what, optarg,
				 c == OPT_EVIDENCE_MEMORY ? 1u << 20 : 1000000u);
			return -1;
		}
		if (c == OPT_EVIDENCE_FLOWS)
			o->evidence_flows = (int)n;
		else if (c == OPT_EVIDENCE_PACKETS)
			o->evidence_packets = (int)n;
		else
			o->evidence_memory_mib = n;
		return 0;
	}
	case OPT_RULES:
		o->rules = xrealloc(o->rules, (size_t)(o->nrules + 1) * sizeof(*o->rules));
		o->rules[o->nrules++] = optarg;
		return 0;
	case OPT_SITE:
		o->site = optarg;
		return 0;
	case OPT_ADD_RULES:
		o->add_rules = xrealloc(o->add_rules, (size_t)(o->nadd_rules + 1) * sizeof(*o->add_rules));
		o->add_rules[o->nadd_rules++] = optarg;
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

/* Which commands each option applies to, and whether it may be given more than once. */
enum {
	C_AUDIT = 1 << CMD_AUDIT,
	C_RCHECK = 1 << CMD_RULES_CHECK,
	C_RLIST = 1 << CMD_RULES_LIST,
	C_BSAVE = 1 << CMD_BASELINE_SAVE,
	C_BDIFF = 1 << CMD_BASELINE_DIFF,
	C_BMERGE = 1 << CMD_BASELINE_MERGE,
	C_CAPTURE = C_AUDIT | C_BSAVE | C_BDIFF,	/* the commands that read packets */
	C_ALL = C_CAPTURE | C_RCHECK | C_RLIST | C_BMERGE,
};

static const struct {
	int code;
	unsigned cmds;
	bool repeatable;
} option_rules[] = {
	{ 'r', C_CAPTURE, true },
	{ 'i', C_CAPTURE, false },
	{ 's', C_CAPTURE, false },
	{ 'p', C_CAPTURE, true },
	{ 'Z', C_CAPTURE, false },
	{ 'B', C_CAPTURE, false },
	{ 'o', C_ALL, false },
	{ 'q', C_ALL, true },
	{ 'h', C_ALL, true },
	{ 'V', C_ALL, true },
	{ OPT_CONN_LOG, C_CAPTURE, false },
	{ OPT_FORMAT, C_AUDIT | C_RLIST | C_BDIFF, false },
	{ OPT_VLAN_KEY, C_CAPTURE, true },
	{ OPT_TCP_TIMEOUT, C_CAPTURE, false },
	{ OPT_UDP_TIMEOUT, C_CAPTURE, false },
	{ OPT_ICMP_TIMEOUT, C_CAPTURE, false },
	{ OPT_TCP_CLOSE_DELAY, C_CAPTURE, false },
	{ OPT_TCP_ATTEMPT_DELAY, C_CAPTURE, false },
	{ OPT_MAX_FLOWS, C_CAPTURE, false },
	{ OPT_WORKERS, C_CAPTURE, false },
	{ OPT_UID_SEED, C_CAPTURE, false },
	{ OPT_EVIDENCE, C_AUDIT | C_BDIFF, false },
	{ OPT_EVIDENCE_FLOWS, C_AUDIT | C_BDIFF, false },
	{ OPT_EVIDENCE_PACKETS, C_AUDIT | C_BDIFF, false },
	{ OPT_EVIDENCE_MEMORY, C_AUDIT | C_BDIFF, false },
	{ OPT_RULES, C_CAPTURE | C_RCHECK | C_RLIST, true },
	{ OPT_ADD_RULES, C_CAPTURE | C_RCHECK | C_RLIST, true },
	{ OPT_SITE, C_CAPTURE | C_RCHECK | C_RLIST, false },
	{ OPT_FAIL_ON, C_AUDIT, false },
	{ OPT_COLOR, C_AUDIT, false },
	{ OPT_PENDING_WINDOW, C_CAPTURE, false },
	{ OPT_DURATION, C_CAPTURE, false },
	{ OPT_REPORT_INTERVAL, C_AUDIT, false },
	{ OPT_DEDUP_WINDOW, C_CAPTURE, false },
	{ OPT_NO_INSPECT, C_CAPTURE, true },
	{ OPT_NO_DECAP, C_CAPTURE, true },
	{ OPT_BY, C_BSAVE | C_BDIFF, false },
	{ OPT_MIN_FLOWS, C_BDIFF, false },
	{ OPT_TABLE, C_AUDIT, false },
};

enum { NOPTION_RULES = sizeof(option_rules) / sizeof(option_rules[0]) };

static const char *const command_names[] = { "an audit", "rules check", "rules list", "baseline save",
					     "baseline diff", "baseline merge" };

/* "-r", "--format": how an option is named in messages. */
static void option_name(int code, char *out, size_t n)
{
	const struct option *lo;

	for (lo = long_options; lo->name; lo++)
		if (lo->val == code && code >= 256) {
			snprintf(out, n, "--%s", lo->name);
			return;
		}
	snprintf(out, n, "-%c", code);
}

/* "baseline save and diff": the commands in cmds, for "--by is for ..." */
static void commands_joined(unsigned cmds, char *out, size_t n)
{
	static const char *const short_names[] = { "audits", "rules check", "rules list", "baseline save",
						    "baseline diff", "baseline merge" };
	size_t used = 0;
	int k, total = 0, seen = 0;

	out[0] = '\0';
	for (k = 0; k <= CMD_BASELINE_MERGE; k++)
		total += (cmds >> k) & 1;
	for (k = 0; k <= CMD_BASELINE_MERGE && used < n; k++)
		if (cmds & (1u << k)) {
			seen++;
			used += (size_t)snprintf(out + used, n - used, "%s%s", seen == 1 ? "" : seen == total ? " and " : ", ",
						 short_names[k]);
		}
}

/* An existing regular file (a word that was probably meant as a capture or a baseline). */
static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* One source: files or an interface; live-only options only with -i. words: the positional words, for hints. */
static int options_check_inputs(const struct options *o, int nwords, char **words, char *errbuf, size_t errlen)
{
	int k;

	if (o->ninputs == 0 && !o->iface) {
		if (nwords > 0 && is_file(words[0]))
			snprintf(errbuf, errlen, "nothing to read: '%s' is a file; give a capture with -r (-r %s)",
				 words[0], words[0]);
		else
			snprintf(errbuf, errlen, "nothing to read: give a capture with -r FILE or an interface with "
				 "-i IFACE (see --help)");
		return -1;
	}
	for (k = 0; k < nwords; k++)
		if (capture_looks_like_file(words[k])) {
			snprintf(errbuf, errlen, "'%s' is a capture file, not part of a filter: give each capture its own "
				 "-r (-r %s)", words[k], words[k]);
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
	if (!o->evidence && (o->evidence_flows || o->evidence_packets || o->evidence_memory_mib)) {
		snprintf(errbuf, errlen, "--evidence-flows, --evidence-packets and --evidence-memory go with --evidence DIR");
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
	for (k = 0; k < n && k < (want ? want : 0); k++)
		if (capture_looks_like_file(words[k])) {
			if (o->command == CMD_BASELINE_MERGE)
				snprintf(errbuf, errlen, "'%s' is a capture, not a baseline: save one from it first "
					 "(flowaudit baseline save -r %s -o BASELINE.json)", words[k], words[k]);
			else
				snprintf(errbuf, errlen, "'%s' is a capture, not a baseline: give it with -r "
					 "(flowaudit baseline diff BEFORE.json -r %s)", words[k], words[k]);
			return -1;
		}
	if (n < want || (o->command == CMD_BASELINE_MERGE && n < 2)) {
		snprintf(errbuf, errlen, o->command == CMD_BASELINE_MERGE ?
			 "baseline merge needs two or more baseline files and -o (see --help)" :
			 "baseline diff needs a baseline file, then -r FILE, -i IFACE or a second baseline (see --help)");
		return -1;
	}
	o->baselines = xcalloc((size_t)want + 1, sizeof(*o->baselines));
	for (k = 0; k < want; k++)
		o->baselines[o->nbaselines++] = words[k];
	if (k < n)
		o->filter = join_args(n - k, words + k);
	if ((o->command == CMD_BASELINE_SAVE || o->command == CMD_BASELINE_MERGE) && !o->output) {
		snprintf(errbuf, errlen, "baseline %s needs -o BASELINE.json ('-o -': standard output)",
			 o->command == CMD_BASELINE_SAVE ? "save" : "merge");
		return -1;
	}
	if (o->command == CMD_BASELINE_MERGE || (o->command == CMD_BASELINE_DIFF && want == 2))
		return 0;
	return options_check_inputs(o, n - k, words + k, errbuf, errlen);
}

/* "rules check|list", "baseline save|diff|merge": the first two positional words, wherever they stand. */
static int parse_command(struct options *o, int *n, char ***words, char *errbuf, size_t errlen)
{
	static const struct {
		const char *word, *sub;
		enum command cmd;
	} cmds[] = { { "rules", "check", CMD_RULES_CHECK },	 { "rules", "list", CMD_RULES_LIST },
		     { "baseline", "save", CMD_BASELINE_SAVE }, { "baseline", "diff", CMD_BASELINE_DIFF },
		     { "baseline", "merge", CMD_BASELINE_MERGE } };
	const char *cmd = *n > 0 ? (*words)[0] : NULL, *sub = *n > 1 ? (*words)[1] : "";
	size_t k;

	if (!cmd || (strcmp(cmd, "rules") != 0 && strcmp(cmd, "baseline") != 0))
		return 0;
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (strcmp(cmd, cmds[k].word) == 0 && strcmp(sub, cmds[k].sub) == 0) {
			o->command = cmds[k].cmd;
			*n -= 2;
			*words += 2;
			return 0;
		}
	snprintf(errbuf, errlen, strcmp(cmd, "rules") == 0 ?
		 "rules: say 'rules check' or 'rules list' (see --help)" :
		 "baseline: say 'baseline save', 'baseline diff' or 'baseline merge' (see --help)");
	return -1;
}

/* Is the input path (an existing file) the output path? "-" as an input is standard input, never an output. */
static bool input_is_output(const char *in, const char *out)
{
	return strcmp(in, "-") != 0 && strcmp(out, "-") != 0 && is_file(in) && outfile_same(in, out);
}

/*
 * Outputs, checked before anything is opened: each can be written, no two
 * name the same file, and none is one of the run's inputs (a capture, the
 * site or a rule file; a baseline may be merged into itself, as the new file
 * replaces it only when complete).
 */
static int options_check_outputs(const struct options *o, char *errbuf, size_t errlen)
{
	const char *outs[2] = { o->output, o->conn_log }, *names[2] = { "-o", "--conn-log" };
	int i, k;

	for (i = 0; i < 2; i++) {
		if (!outs[i])
			continue;
		if (outfile_check(outs[i], errbuf, errlen) != 0)
			return -1;
		for (k = 0; k < o->ninputs; k++)
			if (input_is_output(o->inputs[k], outs[i])) {
				snprintf(errbuf, errlen, "%s %s is also a capture read with -r: name another output file",
					 names[i], outs[i]);
				return -1;
			}
		for (k = 0; k < o->nadd_rules; k++)
			if (input_is_output(o->add_rules[k], outs[i])) {
				snprintf(errbuf, errlen, "%s %s is also a rule file (--add-rules): name another output file",
					 names[i], outs[i]);
				return -1;
			}
		for (k = 0; k < o->nrules; k++)
			if (input_is_output(o->rules[k], outs[i])) {
				snprintf(errbuf, errlen, "%s %s is also a rule file (--rules): name another output file",
					 names[i], outs[i]);
				return -1;
			}
		if (o->site && input_is_output(o->site, outs[i])) {
			snprintf(errbuf, errlen, "%s %s is also the site file (--site): name another output file", names[i],
				 outs[i]);
			return -1;
		}
	}
	if (o->output && o->conn_log && outfile_same(o->output, o->conn_log)) {
		if (strcmp(o->output, "-") == 0 || strcmp(o->conn_log, "-") == 0)
			snprintf(errbuf, errlen, "-o %s and --conn-log %s both write to standard output: send one of them "
				 "to a file", o->output, o->conn_log);
		else
			snprintf(errbuf, errlen, "-o %s and --conn-log %s name the same file: give each its own", o->output,
				 o->conn_log);
		return -1;
	}
	return 0;
}

/* baseline diff A.json B.json reads no capture: the options about capturing and classifying would be ignored. */
static int options_two_baselines(const struct options *o, const unsigned char *given, char *errbuf, size_t errlen)
{
	static const int capture_only[] = { OPT_CONN_LOG, OPT_SITE, OPT_RULES, OPT_VLAN_KEY, OPT_TCP_TIMEOUT,
					    OPT_UDP_TIMEOUT, OPT_ICMP_TIMEOUT, OPT_TCP_CLOSE_DELAY, OPT_TCP_ATTEMPT_DELAY,
					    OPT_MAX_FLOWS, OPT_PENDING_WINDOW, OPT_DEDUP_WINDOW, OPT_NO_INSPECT,
					    OPT_NO_DECAP, OPT_WORKERS, OPT_UID_SEED, OPT_EVIDENCE, OPT_EVIDENCE_FLOWS,
					    OPT_EVIDENCE_PACKETS, OPT_EVIDENCE_MEMORY };
	size_t k;

	if (o->filter) {
		snprintf(errbuf, errlen, "baseline diff of two baseline files reads no capture: '%s' is neither a "
			 "baseline nor a filter for one", o->filter);
		return -1;
	}
	for (k = 0; k < sizeof(capture_only) / sizeof(capture_only[0]); k++)
		if (given[capture_only[k]]) {
			char name[32];

			option_name(capture_only[k], name, sizeof(name));
			snprintf(errbuf, errlen, "%s does not apply to baseline diff of two baseline files (it is for a "
				 "capture read with -r or -i)", name);
			return -1;
		}
	return 0;
}

int options_parse(struct options *o, int argc, char **argv, char *errbuf, size_t errlen)
{
	int c, k, n, longindex;
	unsigned char given[OPT_LAST] = { 0 };
	char **words;

	memset(o, 0, sizeof(*o));
	flow_table_config_defaults(&o->table);
	o->fail_on = 1u << FK_BLOCKED | 1u << FK_MISSING | 1u << FK_UNEXPECTED | 1u << FK_INTERRUPTED |
		     1u << FK_FALLBACK | 1u << FK_MIDDLEBOX_RESET | 1u << FK_TLS_INTERCEPTED | 1u << FK_WRONG_PROTOCOL;
	o->pending_window_us = 3 * 1000000LL;
	o->dedup_window_us = 5000;
	o->by = -1;
	o->min_flows = 1;
	optind = 1;
	opterr = 0;
	/* Options anywhere: before or after the command words, which are the first positional words. */
	while (longindex = -1, (c = getopt_long(argc, argv, "r:o:qhVi:s:pZ:B:", long_options, &longindex)) != -1) {
		if (c == '?' || c == ':') {
			if (optopt && optopt < 256)
				snprintf(errbuf, errlen, "-%c: %s (see --help)", optopt,
					 c == ':' ? "needs an argument" : "unknown option");
			else
				snprintf(errbuf, errlen, "%s: %s (see --help)", argv[optind - 1],
					 c == ':' ? "needs an argument" : "unknown option");
			return -1;
		}
		if (c > 0 && c < OPT_LAST && given[c] < 255)
			given[c]++;
		for (k = 0; k < NOPTION_RULES; k++)
			if (option_rules[k].code == c && !option_rules[k].repeatable && given[c] > 1) {
				char name[32];

				option_name(c, name, sizeof(name));
				snprintf(errbuf, errlen, "%s given twice (the second: '%s'): give it once", name,
					 optarg ? optarg : "");
				return -1;
			}
		if (parse_one(o, c, errbuf, errlen) != 0)
			return -1;
	}
	n = argc - optind;
	words = argv + optind;
	if (parse_command(o, &n, &words, errbuf, errlen) != 0)
		return -1;
	if (o->help || o->version)
		return 0;
	for (k = 0; k < NOPTION_RULES; k++) {
		char name[32], cmds[128];

		if (!given[option_rules[k].code] || (option_rules[k].cmds & (1u << o->command)))
			continue;
		option_name(option_rules[k].code, name, sizeof(name));
		commands_joined(option_rules[k].cmds, cmds, sizeof(cmds));
		snprintf(errbuf, errlen, "%s does not apply to %s (it is for %s)", name, command_names[o->command], cmds);
		return -1;
	}
	if (o->command == CMD_RULES_LIST && (o->format == FORMAT_HTML || o->format == FORMAT_CSV)) {
		snprintf(errbuf, errlen, "rules list --format: text or json");
		return -1;
	}
	if (o->command == CMD_BASELINE_DIFF && o->format == FORMAT_CSV) {
		snprintf(errbuf, errlen, "baseline diff --format: text, json or html");
		return -1;
	}
	if (given[OPT_TABLE] && o->format != FORMAT_CSV) {
		snprintf(errbuf, errlen, "--table chooses what --format csv writes: give --format csv");
		return -1;
	}
	if (o->command >= CMD_BASELINE_SAVE) {
		if (options_baseline(o, n, words, errbuf, errlen) != 0)
			return -1;
		if (o->command == CMD_BASELINE_DIFF && o->nbaselines == 2 &&
		    options_two_baselines(o, given, errbuf, errlen) != 0)
			return -1;
	} else if (o->command != CMD_AUDIT) {
		if (n > 0) {
			snprintf(errbuf, errlen, "rules %s takes no words ('%s'), only options (see --help)",
				 o->command == CMD_RULES_CHECK ? "check" : "list", words[0]);
			return -1;
		}
	} else {
		if (options_check_inputs(o, n, words, errbuf, errlen) != 0)
			return -1;
		if (n > 0)
			o->filter = join_args(n, words);
	}
	return options_check_outputs(o, errbuf, errlen);
}

void options_free(struct options *o)
{
	free(o->inputs);
	free(o->rules);
	free(o->add_rules);
	free(o->baselines);
	free(o->filter);
	memset(o, 0, sizeof(*o));
}
