/* baseline: the audit's aggregate by path, saved as JSON, compared and merged */
#ifndef FLOWAUDIT_BASELINE_H
#define FLOWAUDIT_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "classify.h"
#include "flow.h"
#include "rules.h"
#include "site.h"

/* The file format's version; a reader refuses others, naming both. */
enum { BASELINE_VERSION = 1 };

enum baseline_by { BY_ROLE = 0, BY_HOST };

struct baseline;

/* What the capture was, as the baseline records it (the report's "capture" block, in short). */
struct baseline_capture {
	const char *const *inputs;	/* file names or the interface */
	int ninputs;
	bool live;
	int64_t first_us;
	int64_t last_us;
	uint64_t packets;
	uint64_t dropped;
	uint64_t duplicates;
	const char *site_name;		/* or NULL (port-only mode) */
};

struct baseline *baseline_new(enum baseline_by by);
/*
 * Fold one classified flow in: key (originating role or host, responding
 * role or host, protocol, responder port, rule), flows per verdict, bytes,
 * first and last seen, one example. Related and unmatched flows are left
 * out. rs/site give names; digests of both are recorded by baseline_finish.
 * The order of the calls does not show: the example kept is the one that
 * ranks first by verdict (worst), time (earliest), then its text.
 */
struct bl_path;
const struct bl_path *baseline_add(struct baseline *b, const struct flow *f, const struct classification *cls,
				   const struct rule_set *rs);
/* A path's id, "P-3a9c1e", from its key: the same path has the same id in every baseline. NULL path: "". */
enum { BASELINE_PATH_ID_LEN = 12 };
void baseline_path_id(const struct bl_path *p, char out[BASELINE_PATH_ID_LEN]);
/*
 * The paths of src (a worker's share of the flows of one capture, --workers)
 * added into dst: afterwards dst holds exactly what baseline_add of the
 * flows of both into one baseline would have made, byte for byte once
 * written, whatever the order of the flows and of the calls. Both are made
 * with the same granularity (anything else is a bug: it aborts). Neither is
 * finished: the captures are not touched (the run's baseline_finish records
 * its one capture on dst afterwards). src is left as it was; the same flows
 * absorbed twice count twice.
 */
void baseline_absorb(struct baseline *dst, const struct baseline *src);
/* Record the capture, the flowaudit version and digests of the rules and site. */
void baseline_finish(struct baseline *b, const struct baseline_capture *cap, const struct rule_set *rs,
		     const struct site *site);

/* JSON with sorted keys and a stable order of paths. Returns 0, or -1 (errno). */
int baseline_write(const struct baseline *b, FILE *out);
/* Read a baseline file; NULL with err filled (file, line, column, what) if it is not one we can read. */
struct baseline *baseline_read(const char *path, struct load_error *err);
/* Add every path of src into dst (several sensors, several captures); granularities must agree. */
int baseline_merge(struct baseline *dst, const struct baseline *src, struct load_error *err);
enum baseline_by baseline_granularity(const struct baseline *b);
/* Nonzero when the two were made with different site or rule digests (the diff warns). */
bool baseline_site_differs(const struct baseline *a, const struct baseline *b);
bool baseline_rules_differ(const struct baseline *a, const struct baseline *b);

struct baseline_diff_options {
	uint64_t min_flows;		/* a path must have had this many flows for its disappearance to count */
	bool json;			/* the JSON document of the contract, else text */
	bool html;			/* one HTML page, the audit report's layout (before json) */
};

/*
 * Compare before and after: new paths, gone paths (with at least min_flows
 * before), changed paths (their worst verdict changed: blocked >
 * interrupted > one-sided > unexpected > pending > ok), most serious first,
 * with counts and examples, the two captures' spans side by side. Writes the
 * report to out; returns 1 when a path got worse, is gone, or is new and not
 * ok, else 0; -1 when the granularities differ or the report cannot be written.
 */
int baseline_diff(const struct baseline *before, const struct baseline *after,
		  const struct baseline_diff_options *opt, FILE *out);

/* A change of the diff, as baseline_diff lists it. */
struct baseline_change {
	const char *kind;		/* "changed", "new", "gone" */
	bool worse;			/* counts for the exit status */
	char id[BASELINE_PATH_ID_LEN];	/* the path's id */
	const char *orig;		/* role or host, NULL: no role */
	const char *resp;
	const char *proto;
	uint16_t port;
	const char *rule;		/* NULL: no rule */
	enum verdict before;		/* the worst verdict before and now, V_COUNT where the path is absent */
	enum verdict after;
	uint64_t flows;			/* the path's flows now (before, for gone) */
};
/* The changes, most serious first, as baseline_diff reports them (free *out); their number, -1 on mismatch. */
int baseline_diff_changes(const struct baseline *before, const struct baseline *after, uint64_t min_flows,
			  struct baseline_change **out);

void baseline_free(struct baseline *b);

#endif
