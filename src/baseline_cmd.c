/* baseline_cmd: 'baseline save', 'baseline diff' and 'baseline merge' */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "baseline.h"
#include "evidence.h"
#include "outfile.h"
#include "report.h"
#include "xalloc.h"

/* Write a baseline to path whole ("-": standard output); an old file stays until the new one is complete. */
static int write_baseline(const struct baseline *bl, const char *path, char *errbuf, size_t errlen)
{
	struct outfile *of = outfile_open(path, OUTFILE_WHOLE, errbuf, errlen);
	int rc;

	if (!of)
		return -1;
	rc = baseline_write(bl, outfile_stream(of));
	if (rc != 0 && !outfile_error(of)) {
		snprintf(errbuf, errlen, "%s: cannot write the baseline", outfile_name(of));
		outfile_abort(of);
		return -1;
	}
	return outfile_commit(of, errbuf, errlen) != 0 || rc != 0 ? -1 : 0;
}

static struct baseline *read_baseline(const char *path, char *errbuf, size_t errlen)
{
	struct load_error err;
	struct baseline *bl = baseline_read(path, &err);

	if (!bl)
		audit_format_load_error(&err, errbuf, errlen);
	return bl;
}

static int baseline_save(const struct options *o, char *errbuf, size_t errlen)
{
	struct baseline *bl = baseline_new(o->by == BY_HOST ? BY_HOST : BY_ROLE);
	int status = audit_collect(o, bl, NULL, errbuf, errlen);

	if (status != EXIT_TROUBLE && write_baseline(bl, o->output, errbuf, errlen) != 0)
		status = EXIT_TROUBLE;
	baseline_free(bl);
	return status;
}

/* "workspace-app" or the host; "(no role)" for an end without one. */
static const char *end_name(const char *e)
{
	return e ? e : "(no role)";
}

/*
 * baseline diff --evidence: a file for each change that got worse and has
 * flows now (a path gone has none), with the packets of its flows in the
 * capture just read; a note on stderr says where.
 */
static int changes_evidence(const struct options *o, const struct baseline *before, const struct baseline *after,
			    struct audit_kept *kept, char *errbuf, size_t errlen)
{
	struct baseline_change *ch;
	struct evidence_change *ev;
	struct evidence_result res;
	struct evidence_context ctx = { .capture = &kept->capture, .filter = o->filter,
					.decode_flags = kept->decode_flags, .dedup_window_us = o->dedup_window_us,
					.vlan_key = o->table.vlan_key, .progress = !o->quiet && isatty(STDERR_FILENO),
					.live_iface = kept->capture.live ? o->iface : NULL };
	int n = baseline_diff_changes(before, after, o->min_flows, &ch), i, k = 0, rc;

	if (n < 0)
		return 0;
	ev = xcalloc((size_t)n + 1, sizeof(*ev));
	for (i = 0; i < n; i++) {
		struct evidence_change *e = &ev[k];

		if (!ch[i].worse || !strcmp(ch[i].kind, "gone"))
			continue;
		snprintf(e->id, sizeof(e->id), "%s", ch[i].id);
		e->kind = !strcmp(ch[i].kind, "new") ? "new" : "worse";
		snprintf(e->port, sizeof(e->port), "%s/%u", ch[i].proto, ch[i].port);
		e->rule = ch[i].rule;
		snprintf(e->what, sizeof(e->what), "%s -> %s %s, rule %s", end_name(ch[i].orig), end_name(ch[i].resp),
			 e->port, ch[i].rule ? ch[i].rule : "none");
		if (ch[i].before == V_COUNT)
			snprintf(e->verdicts, sizeof(e->verdicts), "a new path, %s (%llu %s)", verdict_name(ch[i].after),
				 (unsigned long long)ch[i].flows, report_plural(ch[i].flows, "flow", "flows"));
		else
			snprintf(e->verdicts, sizeof(e->verdicts), "worst verdict: %s before, %s now (%llu %s)",
				 verdict_name(ch[i].before), verdict_name(ch[i].after), (unsigned long long)ch[i].flows,
				 report_plural(ch[i].flows, "flow", "flows"));
		e->flows = ch[i].flows;
		k++;
	}
	rc = evidence_write_changes(kept->evidence, &ctx, ev, k, &res, errbuf, errlen);
	if (!o->quiet) {
		fputs("flowaudit: evidence: ", stderr);
		fprintf(stderr, "%d %s for the changes that got worse in ", res.nfiles, res.nfiles == 1 ? "file" : "files");
		report_text_safe(stderr, o->evidence);
		fprintf(stderr, " (index.json lists them), %llu packets\n", (unsigned long long)res.packets);
	}
	evidence_result_free(&res);
	free(ev);
	free(ch);
	return rc;
}

static int baseline_compare(const struct options *o, char *errbuf, size_t errlen)
{
	struct audit_kept kept;
	struct baseline_diff_options dopt = { .min_flows = o->min_flows, .json = o->format == FORMAT_JSON,
					      .html = o->format == FORMAT_HTML };
	struct baseline *before, *after = NULL;
	struct outfile *of;
	int status;

	memset(&kept, 0, sizeof(kept));
	if (!(before = read_baseline(o->baselines[0], errbuf, errlen)))
		return EXIT_TROUBLE;
	if (o->by >= 0 && (enum baseline_by)o->by != baseline_granularity(before)) {
		snprintf(errbuf, errlen, "%s was saved --by %s; diff it --by %s", o->baselines[0],
			 baseline_granularity(before) == BY_HOST ? "host" : "role", o->by == BY_HOST ? "host" : "role");
		baseline_free(before);
		return EXIT_TROUBLE;
	}
	if (o->nbaselines == 2) {
		after = read_baseline(o->baselines[1], errbuf, errlen);
		status = after ? EXIT_OK : EXIT_TROUBLE;
	} else {
		after = baseline_new(baseline_granularity(before));
		status = audit_collect(o, after, &kept, errbuf, errlen);
	}
	if (after && status != EXIT_TROUBLE && baseline_granularity(after) != baseline_granularity(before)) {
		snprintf(errbuf, errlen, "%s is --by %s and %s --by %s: compare baselines of one granularity",
			 o->baselines[0], baseline_granularity(before) == BY_HOST ? "host" : "role", o->baselines[1],
			 baseline_granularity(after) == BY_HOST ? "host" : "role");
		status = EXIT_TROUBLE;
	}
	if (after && status != EXIT_TROUBLE) {
		if (baseline_site_differs(before, after))
			fprintf(stderr, "flowaudit: warning: the baseline was made with another site file; the new "
				"capture is classified with the one given\n");
		if (baseline_rules_differ(before, after))
			fprintf(stderr, "flowaudit: warning: the baseline was made with other rules\n");
		if (!(of = outfile_open(o->output ? o->output : "-", OUTFILE_WHOLE, errbuf, errlen))) {
			status = EXIT_TROUBLE;
		} else {
			int worse = baseline_diff(before, after, &dopt, outfile_stream(of));

			if (worse < 0 && !outfile_error(of)) {
				snprintf(errbuf, errlen, "%s: cannot write the baseline diff", outfile_name(of));
				outfile_abort(of);
				status = EXIT_TROUBLE;
			} else if (outfile_commit(of, errbuf, errlen) != 0 || worse < 0) {
				status = EXIT_TROUBLE;
			} else if (status == EXIT_OK) {
				status = worse ? EXIT_FINDINGS : EXIT_OK;
			}
		}
		if (status != EXIT_TROUBLE && kept.evidence &&
		    changes_evidence(o, before, after, &kept, errbuf, errlen) != 0)
			status = EXIT_TROUBLE;
	}
	audit_kept_free(&kept);
	baseline_free(before);
	baseline_free(after);
	return status;
}

static int baseline_merge_files(const struct options *o, char *errbuf, size_t errlen)
{
	struct baseline *all = read_baseline(o->baselines[0], errbuf, errlen);
	struct load_error err;
	int i, status = EXIT_OK;

	for (i = 1; all && i < o->nbaselines && status == EXIT_OK; i++) {
		struct baseline *b = read_baseline(o->baselines[i], errbuf, errlen);

		if (!b || baseline_merge(all, b, &err) != 0) {
			if (b)
				audit_format_load_error(&err, errbuf, errlen);
			status = EXIT_TROUBLE;
		}
		baseline_free(b);
	}
	if (!all)
		return EXIT_TROUBLE;
	if (status == EXIT_OK && write_baseline(all, o->output, errbuf, errlen) != 0)
		status = EXIT_TROUBLE;
	baseline_free(all);
	return status;
}

int audit_baseline_command(const struct options *o, char *errbuf, size_t errlen)
{
	switch (o->command) {
	case CMD_BASELINE_SAVE:
		return baseline_save(o, errbuf, errlen);
	case CMD_BASELINE_DIFF:
		return baseline_compare(o, errbuf, errlen);
	default:
		return baseline_merge_files(o, errbuf, errlen);
	}
}
