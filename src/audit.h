/* audit: the pipeline, wired: capture -> decode -> flow table -> classify -> findings, conn log -> report */
#ifndef FLOWAUDIT_AUDIT_H
#define FLOWAUDIT_AUDIT_H

#include <stddef.h>

#include "capture.h"
#include "options.h"
#include "rules.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_TROUBLE = 2 };

/*
 * Run an audit (files or an interface) as the options say. Returns the exit status; on
 * trouble errbuf holds one line (what went wrong, naming the file). A
 * damaged input still produces the report of what was read before it.
 */
int audit_run(const struct options *o, char *errbuf, size_t errlen);

struct site;
/*
 * The same with rules and a site already loaded (site may be NULL: port-only);
 * the options' --rules and --site are not read. For callers that run many
 * audits with one configuration: the capture fuzz harness.
 */
int audit_run_loaded(const struct options *o, const struct rule_set *rs, const struct site *site, char *errbuf,
		     size_t errlen);

/* "file:line:col: what" — the one line a rule or site error is reported as. */
void audit_format_load_error(const struct load_error *e, char *errbuf, size_t errlen);

struct baseline;
struct evidence;
struct evidence_budget;
/*
 * baseline diff --evidence: what audit_collect keeps for writing the files
 * of the changes once the diff is known: each flow noted under its path's
 * id (baseline_path_id), the capture's inputs, the decode flags.
 */
struct audit_kept {
	struct evidence *evidence;
	struct evidence_budget *budget;
	struct capture_stats capture;
	unsigned decode_flags;
};
void audit_kept_free(struct audit_kept *k);
/*
 * Capture as the options say, folding every finished flow into bl (no
 * report). Returns the exit status. kept (or NULL): with --evidence, what
 * the changes' files need (audit_kept_free).
 */
int audit_collect(const struct options *o, struct baseline *bl, struct audit_kept *kept, char *errbuf, size_t errlen);

/* flowaudit baseline save | diff | merge (baseline_cmd.c). Returns the exit status (diff: 1 when a path got worse or is gone). */
int audit_baseline_command(const struct options *o, char *errbuf, size_t errlen);

/* flowaudit rules check | rules list: load, then describe what was loaded. Returns the exit status. */
int audit_rules_command(const struct options *o, char *errbuf, size_t errlen);

#endif
