/* options: the command line, parsed into one struct; no side effects */
#ifndef FLOWAUDIT_OPTIONS_H
#define FLOWAUDIT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "flow_table.h"

enum report_format { FORMAT_TEXT = 0, FORMAT_JSON, FORMAT_HTML, FORMAT_CSV };
enum command { CMD_AUDIT = 0, CMD_RULES_CHECK, CMD_RULES_LIST, CMD_BASELINE_SAVE, CMD_BASELINE_DIFF,
	       CMD_BASELINE_MERGE };
enum color_mode { COLOR_AUTO = 0, COLOR_ALWAYS, COLOR_NEVER };

struct options {
	enum command command;
	const char **inputs;	/* -r FILE, in order */
	int ninputs;
	const char *iface;	/* -i IFACE: a live audit */
	int64_t duration_us;	/* --duration */
	int64_t report_interval_us;	/* --report-interval */
	int snaplen;		/* -s, 0 = default */
	bool no_promisc;	/* -p */
	const char *drop_user;	/* -Z USER */
	int buffer_mib;		/* -B MiB */
	int64_t dedup_window_us;	/* --dedup-window MS (default 5 ms, 0 off) */
	bool no_decap;		/* --no-decap */
	bool no_inspect;	/* --no-inspect: ports and packets only, no look at the payload */
	const char **baselines;	/* baseline diff A [B] / merge A B ...: the baseline files */
	int nbaselines;
	int by;			/* --by: -1 unset, else enum baseline_by */
	uint64_t min_flows;	/* --min-flows (default 1) */
	char *filter;		/* the trailing arguments joined, or NULL */
	const char *conn_log;	/* --conn-log FILE */
	const char *output;	/* -o FILE */
	enum report_format format;
	bool table_matrix;	/* --table matrix (with --format csv) */
	const char **rules;	/* --rules PATH, in order; none: the shipped matrices */
	int nrules;
	const char **add_rules;	/* --add-rules PATH: loaded after the shipped (or --rules) matrices */
	int nadd_rules;
	const char *site;	/* --site FILE */
	unsigned fail_on;	/* bit per enum finding_kind */
	enum color_mode color;
	int64_t pending_window_us;
	bool quiet;		/* -q */
	bool help;
	bool version;
	struct flow_table_config table;
	int workers;		/* --workers; 0: not given (the online cores, at most OPTIONS_WORKERS_MAX) */
	const char *evidence;	/* --evidence DIR, or NULL */
	int evidence_flows;	/* --evidence-flows; 0: the default */
	int evidence_packets;	/* --evidence-packets; 0: the default */
	uint64_t evidence_memory_mib;	/* --evidence-memory; 0: the default */
};

/* Returns 0, or -1 with errbuf set (a usage error). */
enum { OPTIONS_WORKERS_MAX = 64, OPTIONS_WORKERS_DEFAULT_MAX = 16 };

int options_parse(struct options *o, int argc, char **argv, char *errbuf, size_t errlen);
void options_free(struct options *o);
void options_usage(FILE *out);

#endif
