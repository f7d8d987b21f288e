/* baseline_diff: two baselines compared path by path — new, gone, changed — as text or JSON */
#include "baseline.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "baseline_internal.h"
#include "report.h"
#include "xalloc.h"

enum change_kind { CH_CHANGED = 0, CH_GONE, CH_NEW };

static const char *const change_names[] = { [CH_CHANGED] = "changed", [CH_GONE] = "gone", [CH_NEW] = "new" };

struct change {
	enum change_kind kind;
	const struct bl_path *before;	/* NULL for new */
	const struct bl_path *after;	/* NULL for gone */
	enum verdict vb;		/* worst verdict before, V_COUNT where absent */
	enum verdict va;
	bool worse;			/* counts for the exit status */
	int rank;			/* seriousness: higher first */
};

/* An after capture shorter than this share of the before one: a path may be gone only for lack of time. */
enum { SHORT_CAPTURE_PERCENT = 50 };

/*
 * Seriousness, most first: got worse or appeared in a bad state, by the
 * verdict it has now (blocked, interrupted), then gone (where the audit
 * puts 'missing'), then one-sided, unexpected and pending; then new ok
 * paths, then paths that got better.
 */
static int rank_of(const struct change *c)
{
	if (c->kind == CH_GONE)
		return 45;
	if (c->worse)
		return 10 * verdict_severity(c->va);
	return c->kind == CH_NEW ? 8 : 5;
}

static uint64_t shown_flows(const struct change *c)
{
	return bl_path_total(c->kind == CH_GONE ? c->before : c->after);
}

static const struct bl_path *path_of(const struct change *c)
{
	return c->before ? c->before : c->after;
}

static int change_cmp(const void *pa, const void *pb)
{
	const struct change *a = pa, *b = pb;
	uint64_t fa = shown_flows(a), fb = shown_flows(b);

	if (a->rank != b->rank)
		return b->rank - a->rank;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if (fa != fb)
		return fa > fb ? -1 : 1;
	return bl_path_cmp(path_of(a), path_of(b));
}

struct diff {
	struct change *v;
	size_t n;
	size_t worse;			/* changed for the worse */
	size_t gone;
	size_t fresh;			/* new, of which fresh_bad not ok */
	size_t fresh_bad;
	size_t better;
	size_t gone_hidden;		/* gone with fewer than min_flows before: not listed */
};

static void add_change(struct diff *d, enum change_kind kind, const struct bl_path *b, const struct bl_path *a)
{
	struct change *c = &d->v[d->n++];

	c->kind = kind;
	c->before = b;
	c->after = a;
	c->vb = b ? bl_path_worst(b) : V_COUNT;
	c->va = a ? bl_path_worst(a) : V_COUNT;
	if (kind == CH_CHANGED)
		c->worse = verdict_severity(c->va) > verdict_severity(c->vb);
	else
		c->worse = kind == CH_GONE || c->va != V_OK;
	c->rank = rank_of(c);
	if (kind == CH_GONE)
		d->gone++;
	else if (kind == CH_NEW)
		d->fresh++, d->fresh_bad += c->worse;
	else if (c->worse)
		d->worse++;
	else
		d->better++;
}

/* Walk both sorted path lists together. */
static void diff_build(struct diff *d, const struct baseline *before, const struct baseline *after,
		       uint64_t min_flows)
{
	size_t nb, na, i = 0, k = 0;
	struct bl_path **pb = bl_sorted_paths(before, &nb), **pa = bl_sorted_paths(after, &na);
	int c;

	memset(d, 0, sizeof(*d));
	d->v = xcalloc(nb + na + 1, sizeof(*d->v));
	while (i < nb || k < na) {
		c = i == nb ? 1 : k == na ? -1 : bl_path_cmp(pb[i], pa[k]);
		if (c < 0) {
			if (bl_path_total(pb[i]) >= min_flows)
				add_change(d, CH_GONE, pb[i], NULL);
			else
				d->gone_hidden++;
			i++;
		} else if (c > 0) {
			add_change(d, CH_NEW, NULL, pa[k++]);
		} else {
			if (bl_path_worst(pb[i]) != bl_path_worst(pa[k]))
				add_change(d, CH_CHANGED, pb[i], pa[k]);
			i++;
			k++;
		}
	}
	free(pb);
	free(pa);
	qsort(d->v, d->n, sizeof(*d->v), change_cmp);
}

static uint64_t total_flows(const struct baseline *b)
{
	const struct bl_path *p;
	uint64_t n = 0;

	for (p = b->paths; p; p = p->hh.next)
		n += bl_path_total(p);
	return n;
}

/* The captures' span, packets and drops, summed over a merged baseline's captures. */
struct span {
	bool has_ts;
	int64_t first_us;
	int64_t last_us;
	int64_t observed_us;
	uint64_t packets;
	uint64_t dropped;
};

static struct span span_of(const struct baseline *b)
{
	struct span s = { .observed_us = bl_observed_us(b) };
	int i;

	for (i = 0; i < b->ncaptures; i++) {
		const struct bl_capture *c = &b->captures[i];

		s.packets += c->packets;
		s.dropped += c->dropped;
		if (!c->has_ts)
			continue;
		if (!s.has_ts || c->first_us < s.first_us)
			s.first_us = c->first_us;
		if (!s.has_ts || c->last_us > s.last_us)
			s.last_us = c->last_us;
		s.has_ts = true;
	}
	return s;
}

static bool after_is_short(const struct span *b, const struct span *a)
{
	/* In double: a span of a few thousand years times 100 would overflow int64_t. */
	return b->observed_us > 0 && (double)a->observed_us * 100 < (double)b->observed_us * SHORT_CAPTURE_PERCENT;
}

/* ---- JSON ---- */

static void json_side(struct json *j, const char *key, const struct baseline *b)
{
	struct span s = span_of(b);
	int i;

	bl_put_key(j, key);
	json_begin_object(j);
	bl_put_key(j, "captures");
	json_begin_array(j);
	for (i = 0; i < b->ncaptures; i++)
		bl_put_capture(j, &b->captures[i]);
	json_end_array(j);
	bl_put_key(j, "first_ts");
	s.has_ts ? json_usec(j, s.first_us) : json_null(j);
	bl_put_key(j, "last_ts");
	s.has_ts ? json_usec(j, s.last_us) : json_null(j);
	bl_put_key(j, "duration");
	json_usec(j, s.observed_us);
	bl_put_key(j, "packets");
	json_u64(j, s.packets);
	bl_put_key(j, "dropped");
	json_u64(j, s.dropped);
	bl_put_key(j, "paths");
	json_u64(j, HASH_COUNT(b->paths));
	bl_put_key(j, "flows");
	json_u64(j, total_flows(b));
	json_end_object(j);
}

static void json_counts(struct json *j, const char *key, const struct bl_path *p)
{
	int i;

	bl_put_key(j, key);
	if (!p) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	for (i = 0; i < BL_NVERDICTS; i++)
		if (p->flows[bl_verdicts[i]]) {
			bl_put_key(j, verdict_name(bl_verdicts[i]));
			json_u64(j, p->flows[bl_verdicts[i]]);
		}
	json_end_object(j);
}

static void json_change(struct json *j, const struct change *c)
{
	const struct bl_path *p = path_of(c), *ex = c->kind == CH_GONE ? c->before : c->after;

	json_begin_object(j);
	bl_put_str_or_null(j, "change", change_names[c->kind]);
	bl_put_str_or_null(j, "orig", p->orig);
	bl_put_str_or_null(j, "resp", p->resp);
	bl_put_str_or_null(j, "proto", p->proto);
	bl_put_key(j, "port");
	json_u64(j, p->port);
	bl_put_str_or_null(j, "rule", p->rule);
	bl_put_str_or_null(j, "before", c->vb < V_COUNT ? verdict_name(c->vb) : NULL);
	bl_put_str_or_null(j, "after", c->va < V_COUNT ? verdict_name(c->va) : NULL);
	bl_put_key(j, "before_flows");
	json_u64(j, c->before ? bl_path_total(c->before) : 0);
	bl_put_key(j, "after_flows");
	json_u64(j, c->after ? bl_path_total(c->after) : 0);
	json_counts(j, "before_by_verdict", c->before);
	json_counts(j, "after_by_verdict", c->after);
	bl_put_key(j, "worse");
	json_bool(j, c->worse);
	bl_put_key(j, "example");
	ex->example ? bl_put_raw(j, ex->example) : json_null(j);
	json_end_object(j);
}

static void json_summary(struct json *j, const struct diff *d)
{
	bl_put_key(j, "summary");
	json_begin_object(j);
	bl_put_key(j, "worse");
	json_u64(j, d->worse);
	bl_put_key(j, "gone");
	json_u64(j, d->gone);
	bl_put_key(j, "new");
	json_u64(j, d->fresh);
	bl_put_key(j, "new_not_ok");
	json_u64(j, d->fresh_bad);
	bl_put_key(j, "better");
	json_u64(j, d->better);
	bl_put_key(j, "gone_below_min_flows");
	json_u64(j, d->gone_hidden);
	json_end_object(j);
}

static int diff_json(const struct baseline *before, const struct baseline *after,
		     const struct baseline_diff_options *opt, const struct diff *d, FILE *out)
{
	struct span sb = span_of(before), sa = span_of(after);
	struct json j;
	size_t i;
	int rc;

	json_init(&j);
	json_begin_object(&j);
	json_side(&j, "before", before);
	json_side(&j, "after", after);
	bl_put_key(&j, "changes");
	json_begin_array(&j);
	for (i = 0; i < d->n; i++)
		json_change(&j, &d->v[i]);
	json_end_array(&j);
	bl_put_str_or_null(&j, "granularity", bl_by_name(before->by));
	bl_put_key(&j, "min_flows");
	json_u64(&j, opt->min_flows);
	json_summary(&j, d);
	bl_put_key(&j, "site_differs");
	json_bool(&j, baseline_site_differs(before, after));
	bl_put_key(&j, "rules_differ");
	json_bool(&j, baseline_rules_differ(before, after));
	bl_put_key(&j, "after_shorter");
	json_bool(&j, after_is_short(&sb, &sa));
	json_end_object(&j);
	json_raw(&j, "\n", 1);
	rc = json_write(&j, out);
	json_free(&j);
	return rc;
}

/* ---- text ---- */

enum { SIDE_WIDTH = 40 };

/* "59.000 s", "3725.000 s (1h02m05s)". */
static void duration_text(int64_t us, char *out, size_t n)
{
	int64_t s = us / 1000000;

	if (s >= 3600)
		snprintf(out, n, "%.3f s (%" PRId64 "h%02" PRId64 "m%02" PRId64 "s)", (double)us / 1e6, s / 3600,
			 s / 60 % 60, s % 60);
	else if (s >= 60)
		snprintf(out, n, "%.3f s (%" PRId64 "m%02" PRId64 "s)", (double)us / 1e6, s / 60, s % 60);
	else
		snprintf(out, n, "%.3f s", (double)us / 1e6);
}

/* Printable ASCII only, cut to width with "..." in the middle. */
static void fit(char *s, size_t width)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			s[i] = '?';
	if (n > width && width > 8) {
		size_t head = (width - 3) / 2, tail = width - 3 - head;

		memmove(s + head + 3, s + n - tail, tail + 1);
		memcpy(s + head, "...", 3);
	}
}

static void row(FILE *out, const char *label, char *b, char *a)
{
	fit(b, SIDE_WIDTH);
	fit(a, SIDE_WIDTH * 2);
	fprintf(out, "%-12s %-*s  %s\n", label, SIDE_WIDTH, b, a);
}

/* One input as given; several by their base names, so that each shows. */
static void inputs_text(const struct baseline *b, char *out, size_t n)
{
	size_t used = 0;
	int i, k, w, count = 0;

	for (i = 0; i < b->ncaptures; i++)
		count += b->captures[i].ninputs;
	out[0] = '\0';
	for (i = 0; i < b->ncaptures; i++)
		for (k = 0; k < b->captures[i].ninputs && used < n; k++) {
			const char *in = b->captures[i].inputs[k], *slash = strrchr(in, '/');

			w = snprintf(out + used, n - used, "%s%s%s", used ? ", " : "", b->captures[i].live ? "live " : "",
				     count > 1 && slash && slash[1] ? slash + 1 : in);
			used += w > 0 ? (size_t)w : 0;
		}
	if (!out[0])
		snprintf(out, n, "-");
}

static void site_text(const struct baseline *b, char *out, size_t n)
{
	const struct bl_capture *c = b->ncaptures ? &b->captures[0] : NULL;

	if (!c)
		snprintf(out, n, "-");
	else if (!c->site_digest)
		snprintf(out, n, "none (port-only)");
	else
		snprintf(out, n, "%s %.19s%s", c->site ? c->site : "?", c->site_digest,
			 baseline_site_differs(b, b) ? " (several)" : "");
}

static void text_sides(FILE *out, const struct baseline *before, const struct baseline *after)
{
	struct span s[2] = { span_of(before), span_of(after) };
	const struct baseline *bl[2] = { before, after };
	char t[2][600];
	int i;

	fprintf(out, "%-12s %-*s  %s\n", "", SIDE_WIDTH, "before", "after");
	for (i = 0; i < 2; i++)
		inputs_text(bl[i], t[i], sizeof(t[i]));
	row(out, "inputs", t[0], t[1]);
	for (i = 0; i < 2; i++)
		s[i].has_ts ? report_format_time(s[i].first_us, t[i], sizeof(t[i])) : (void)snprintf(t[i], 8, "-");
	row(out, "from (UTC)", t[0], t[1]);
	for (i = 0; i < 2; i++)
		s[i].has_ts ? report_format_time(s[i].last_us, t[i], sizeof(t[i])) : (void)snprintf(t[i], 8, "-");
	row(out, "to (UTC)", t[0], t[1]);
	for (i = 0; i < 2; i++)
		duration_text(s[i].observed_us, t[i], sizeof(t[i]));
	row(out, "duration", t[0], t[1]);
	for (i = 0; i < 2; i++)
		snprintf(t[i], sizeof(t[i]), "%" PRIu64 " (%" PRIu64 " dropped)", s[i].packets, s[i].dropped);
	row(out, "packets", t[0], t[1]);
	for (i = 0; i < 2; i++)
		snprintf(t[i], sizeof(t[i]), "%u (%" PRIu64 " flows)", HASH_COUNT(bl[i]->paths), total_flows(bl[i]));
	row(out, "paths", t[0], t[1]);
	for (i = 0; i < 2; i++)
		site_text(bl[i], t[i], sizeof(t[i]));
	row(out, "site", t[0], t[1]);
}

static void text_warnings(FILE *out, const struct baseline *before, const struct baseline *after,
			  const struct diff *d)
{
	struct span sb = span_of(before), sa = span_of(after);
	char db[32], da[32];

	duration_text(sb.observed_us, db, sizeof(db));
	duration_text(sa.observed_us, da, sizeof(da));
	if (after_is_short(&sb, &sa))
		fprintf(out, "%-12s the after capture covers %s, the before capture %s: a path may be gone only\n"
			"%-12s because it was not used in the shorter time\n", "WARNING", da, db, "");
	if (baseline_site_differs(before, after))
		fprintf(out, "%-12s the site files differ: roles may have moved; paths are compared by name\n",
			"WARNING");
	if (baseline_rules_differ(before, after))
		fprintf(out, "%-12s the rules differ: a renamed rule shows as one path gone and one new\n",
			"WARNING");
	if (sb.dropped || sa.dropped)
		fprintf(out, "%-12s packets were dropped: blocked and gone paths are less certain\n", "WARNING");
	if (d->gone_hidden)
		fprintf(out, "%-12s %zu gone path%s with fewer flows than --min-flows not listed\n", "note",
			d->gone_hidden, d->gone_hidden == 1 ? "" : "s");
}

/* One change as table cells. */
struct cells {
	char before[48];
	char after[48];
	char ends[420];		/* "orig -> resp" */
	char pp[24];		/* "tcp/1494" */
	char rule[200];
};

enum { PATH_WIDTH_MAX = 32, RULE_WIDTH_MAX = 80 };

static void side_text(const struct bl_path *p, enum verdict v, char *out, size_t n)
{
	if (!p)
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%s %" PRIu64 "/%" PRIu64, verdict_name(v), p->flows[v], bl_path_total(p));
}

static void cells_of(const struct change *c, struct cells *t)
{
	const struct bl_path *p = path_of(c);

	side_text(c->before, c->vb, t->before, sizeof(t->before));
	side_text(c->after, c->va, t->after, sizeof(t->after));
	snprintf(t->ends, sizeof(t->ends), "%.200s -> %.200s", p->orig ? p->orig : "(no role)",
		 p->resp ? p->resp : "(no role)");
	fit(t->ends, PATH_WIDTH_MAX);
	snprintf(t->pp, sizeof(t->pp), "%.10s/%u", p->proto, p->port);
	snprintf(t->rule, sizeof(t->rule), "%s", p->rule ? p->rule : "(no rule)");
	fit(t->rule, RULE_WIDTH_MAX);
}

struct widths {
	int before;
	int after;
	int ends;
};

static void widen(int *w, const char *s)
{
	if ((int)strlen(s) > *w)
		*w = (int)strlen(s);
}

static void text_change(FILE *out, const struct change *c, const struct widths *w)
{
	const struct bl_path *ex = c->kind == CH_GONE ? c->before : c->after;
	struct cells t;
	char last[40];

	cells_of(c, &t);
	fprintf(out, "%c %-7s %-*s %-*s %-10s %-*s %s\n", c->worse ? '!' : ' ', change_names[c->kind], w->before, t.before,
		w->after, t.after, t.pp, w->ends, t.ends, t.rule);
	if (ex->example) {
		fputs("          e.g. ", out);
		report_text_safe(out, ex->example_line);
		fputc('\n', out);
	}
	if (c->kind == CH_GONE) {
		report_format_time(c->before->last_us, last, sizeof(last));
		fprintf(out, "          last seen %s UTC\n", last);
	}
}

static void text_table(FILE *out, const struct diff *d)
{
	struct widths w = { .before = 6, .after = 5, .ends = 12 };
	struct cells t;
	size_t i;

	for (i = 0; i < d->n; i++) {
		cells_of(&d->v[i], &t);
		widen(&w.before, t.before);
		widen(&w.after, t.after);
		widen(&w.ends, t.ends);
	}
	fprintf(out, "\n  %-7s %-*s %-*s %-10s %-*s %s\n", "CHANGE", w.before, "BEFORE", w.after, "AFTER",
		"PROTO/PORT", w.ends, "ORIG -> RESP", "RULE");
	for (i = 0; i < d->n; i++)
		text_change(out, &d->v[i], &w);
}

/* The closing line: what makes the exit status 1. */
static void text_verdict(FILE *out, const struct baseline_diff_options *opt, const struct diff *d)
{
	const char *sep = "";

	fputs("\n!", out);
	if (d->worse) {
		fprintf(out, " %zu got worse", d->worse);
		sep = ",";
	}
	if (d->gone) {
		fprintf(out, "%s %zu gone (paths of at least %" PRIu64 " flow%s)", sep, d->gone,
			opt->min_flows ? opt->min_flows : 1, opt->min_flows > 1 ? "s" : "");
		sep = ",";
	}
	if (d->fresh_bad)
		fprintf(out, "%s %zu new and not ok", sep, d->fresh_bad);
	fputc('\n', out);
}

static int diff_text(const struct baseline *before, const struct baseline *after,
		     const struct baseline_diff_options *opt, const struct diff *d, FILE *out)
{
	fprintf(out, "BASELINE DIFF by %s: %zu changed (%zu worse, %zu better), %zu gone, %zu new (%zu not ok)\n",
		bl_by_name(before->by), d->worse + d->better, d->worse, d->better, d->gone, d->fresh, d->fresh_bad);
	text_sides(out, before, after);
	text_warnings(out, before, after, d);
	if (d->n == 0)
		fprintf(out, "\nno changes: every path kept its verdict\n");
	else
		text_table(out, d);
	if (d->worse || d->gone || d->fresh_bad)
		text_verdict(out, opt, d);
	return ferror(out) ? -1 : 0;
}

/* ---- HTML: the same page as the audit's, before -> after ---- */

enum { HTML_ENDS_MAX = 64 };	/* a role matrix wider than this would not be read (nor fit a page) */

/* The ends of the paths of both baselines, sorted, without NULL (an end with no role); -1 past HTML_ENDS_MAX. */
static int html_ends(const struct baseline *before, const struct baseline *after, const char **v)
{
	const struct baseline *bl[2] = { before, after };
	const struct bl_path *p, *t;
	int n = 0, i, k, j;

	for (i = 0; i < 2; i++)
		HASH_ITER(hh, bl[i]->paths, p, t) {
			const char *e[2] = { p->orig, p->resp };

			for (k = 0; k < 2; k++) {
				if (!e[k])
					continue;
				for (j = 0; j < n && strcmp(v[j], e[k]); j++)
					;
				if (j < n)
					continue;
				if (n == HTML_ENDS_MAX)
					return -1;
				v[n++] = e[k];
			}
		}
	for (i = 1; i < n; i++)	/* insertion sort: at most HTML_ENDS_MAX */
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			const char *x = v[j];

			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return n;
}

static int end_index(const char *const *v, int n, const char *e)
{
	int i;

	for (i = 0; e && i < n; i++)
		if (!strcmp(v[i], e))
			return i;
	return -1;
}

/* Per cell: the worst verdict before and after (V_COUNT: none), changed paths, worse ones. */
struct html_cell {
	enum verdict vb, va;
	size_t changed, worse;
};

static void worst_into(enum verdict *w, enum verdict v)
{
	if (v != V_COUNT && (*w == V_COUNT || verdict_severity(v) > verdict_severity(*w)))
		*w = v;
}

static void html_matrix(FILE *out, const struct baseline *before, const struct baseline *after, const struct diff *d)
{
	const char *ends[HTML_ENDS_MAX];
	const struct bl_path *p, *t;
	struct html_cell *cells;
	int n = html_ends(before, after, ends), i, j;
	size_t c;

	if (n < 0) {
		fprintf(out, "<p>more than %d roles: no matrix, the changes follow</p>\n", HTML_ENDS_MAX);
		return;
	}
	cells = xcalloc((size_t)n * (size_t)n + 1, sizeof(*cells));
	for (i = 0; i < n * n; i++)
		cells[i].vb = cells[i].va = V_COUNT;
	HASH_ITER(hh, before->paths, p, t)
		if ((i = end_index(ends, n, p->orig)) >= 0 && (j = end_index(ends, n, p->resp)) >= 0)
			worst_into(&cells[i * n + j].vb, bl_path_worst(p));
	HASH_ITER(hh, after->paths, p, t)
		if ((i = end_index(ends, n, p->orig)) >= 0 && (j = end_index(ends, n, p->resp)) >= 0)
			worst_into(&cells[i * n + j].va, bl_path_worst(p));
	for (c = 0; c < d->n; c++) {
		p = path_of(&d->v[c]);
		if ((i = end_index(ends, n, p->orig)) >= 0 && (j = end_index(ends, n, p->resp)) >= 0) {
			cells[i * n + j].changed++;
			cells[i * n + j].worse += d->v[c].worse;
		}
	}
	fputs("<table class=\"matrix\" id=\"diff-matrix\"><caption>Rows: source role; columns: destination role; "
	      "each cell: its worst verdict before &rarr; after.</caption><thead><tr><th scope=\"col\">from \\ to</th>",
	      out);
	for (j = 0; j < n; j++) {
		fputs("<th scope=\"col\">", out);
		report_html_text(out, ends[j]);
		fputs("</th>", out);
	}
	fputs("</tr></thead><tbody>", out);
	for (i = 0; i < n; i++) {
		fputs("<tr><th scope=\"row\">", out);
		report_html_text(out, ends[i]);
		fputs("</th>", out);
		for (j = 0; j < n; j++) {
			const struct html_cell *x = &cells[i * n + j];
			const char *cls = x->va != V_COUNT ? report_html_status_class(x->va)
					  : x->vb != V_COUNT ? "missing" : "none";
			const char *wb = x->vb != V_COUNT ? verdict_name(x->vb) : "none";
			const char *wa = x->va != V_COUNT ? verdict_name(x->va) : x->vb != V_COUNT ? "gone" : "none";

			fprintf(out, "<td class=\"cell st-%s\" data-from=\"", cls);
			report_html_text(out, ends[i]);
			fputs("\" data-to=\"", out);
			report_html_text(out, ends[j]);
			fprintf(out, "\" data-before=\"%s\" data-after=\"%s\">", wb, wa);
			if (x->vb == V_COUNT && x->va == V_COUNT) {
				fputs("<span class=\"word\">&mdash;</span></td>", out);
				continue;
			}
			fprintf(out, "<span class=\"word\">%s &rarr; %s</span>", x->vb != V_COUNT ? wb : "new", wa);
			if (x->changed)
				fprintf(out, "<span class=\"n\">%zu path%s changed%s</span>", x->changed,
					x->changed == 1 ? "" : "s", x->worse ? ", worse" : "");
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	free(cells);
}

static void html_td(FILE *out, const char *text)
{
	fputs("<td>", out);
	report_html_text(out, text);
	fputs("</td>", out);
}

static int diff_html(const struct baseline *before, const struct baseline *after,
		     const struct baseline_diff_options *opt, const struct diff *d, FILE *out)
{
	struct span s[2] = { span_of(before), span_of(after) };
	const struct baseline *bl[2] = { before, after };
	char t[600];
	size_t i;
	int k;

	(void)opt;
	report_html_begin(out, "baseline diff");
	fprintf(out, "<header><h1>flowaudit: baseline diff by %s</h1><p>%zu changed (%zu worse, %zu better), %zu gone, "
		"%zu new (%zu not ok)</p><table><thead><tr><th></th><th scope=\"col\">before</th>"
		"<th scope=\"col\">after</th></tr></thead><tbody>",
		bl_by_name(before->by), d->worse + d->better, d->worse, d->better, d->gone, d->fresh, d->fresh_bad);
	fputs("<tr><th scope=\"row\">inputs</th>", out);
	for (k = 0; k < 2; k++) {
		inputs_text(bl[k], t, sizeof(t));
		html_td(out, t);
	}
	fputs("</tr><tr><th scope=\"row\">span (UTC)</th>", out);
	for (k = 0; k < 2; k++) {
		char a[40], b[40];

		if (s[k].has_ts) {
			report_format_time(s[k].first_us, a, sizeof(a));
			report_format_time(s[k].last_us, b, sizeof(b));
			fprintf(out, "<td>%s &ndash; %s</td>", a, b);
		} else {
			fputs("<td>-</td>", out);
		}
	}
	fputs("</tr><tr><th scope=\"row\">packets</th>", out);
	for (k = 0; k < 2; k++)
		fprintf(out, "<td>%" PRIu64 " (%" PRIu64 " dropped)</td>", s[k].packets, s[k].dropped);
	fputs("</tr><tr><th scope=\"row\">paths</th>", out);
	for (k = 0; k < 2; k++)
		fprintf(out, "<td>%u (%" PRIu64 " flows)</td>", HASH_COUNT(bl[k]->paths), total_flows(bl[k]));
	fputs("</tr><tr><th scope=\"row\">site</th>", out);
	for (k = 0; k < 2; k++) {
		site_text(bl[k], t, sizeof(t));
		html_td(out, t);
	}
	fputs("</tr></tbody></table></header>\n", out);
	if (before->by == BY_ROLE) {
		fputs("<section id=\"matrix\"><h2>Matrix, before &rarr; after</h2>\n", out);
		html_matrix(out, before, after, d);
		fputs("</section>\n", out);
	}
	fprintf(out, "<section id=\"changes\"><h2>Changes (%zu, most serious first)</h2>", d->n);
	if (!d->n)
		fputs("<p>no changes: every path kept its verdict</p>", out);
	else
		fputs("<table id=\"changes-table\"><thead><tr><th scope=\"col\">change</th><th scope=\"col\">before</th>"
		      "<th scope=\"col\">after</th><th scope=\"col\">proto/port</th><th scope=\"col\">orig &rarr; "
		      "resp</th><th scope=\"col\">rule</th></tr></thead><tbody>",
		      out);
	for (i = 0; i < d->n; i++) {
		const struct change *c = &d->v[i];
		const struct bl_path *p = path_of(c), *ex = c->kind == CH_GONE ? c->before : c->after;
		char sb[48], sa[48];

		side_text(c->before, c->vb, sb, sizeof(sb));
		side_text(c->after, c->va, sa, sizeof(sa));
		fprintf(out, "<tr class=\"change\" data-change=\"%s\"><td class=\"st-%s\"><span class=\"word\">%s%s</span></td>"
			"<td>%s</td><td>%s</td><td>", change_names[c->kind],
			c->worse ? "blocked" : c->kind == CH_GONE ? "missing" : "ok", c->worse ? "worse: " : "",
			change_names[c->kind], sb, sa);
		report_html_text(out, p->proto);
		fprintf(out, "/%u</td><td>", p->port);
		report_html_text(out, p->orig ? p->orig : "(no role)");
		fputs(" &rarr; ", out);
		report_html_text(out, p->resp ? p->resp : "(no role)");
		fputs("</td><td>", out);
		report_html_text(out, p->rule ? p->rule : "(no rule)");
		if (ex->example) {
			fputs("<br><span class=\"ev\">e.g. ", out);
			report_html_text(out, ex->example_line);
			fputs("</span>", out);
		}
		fputs("</td></tr>\n", out);
	}
	if (d->n)
		fputs("</tbody></table>", out);
	fputs("</section>\n", out);
	report_html_end(out);
	return ferror(out) ? -1 : 0;
}

int baseline_diff(const struct baseline *before, const struct baseline *after,
		  const struct baseline_diff_options *opt, FILE *out)
{
	struct diff d;
	int rc;

	if (before->by != after->by)
		return -1;
	diff_build(&d, before, after, opt->min_flows);
	rc = opt->html ? diff_html(before, after, opt, &d, out)
	     : opt->json ? diff_json(before, after, opt, &d, out)
			 : diff_text(before, after, opt, &d, out);
	free(d.v);
	if (rc < 0)
		return -1;
	return d.worse || d.gone || d.fresh_bad ? 1 : 0;
}

int baseline_diff_changes(const struct baseline *before, const struct baseline *after, uint64_t min_flows,
			  struct baseline_change **out)
{
	struct diff d;
	size_t i;

	*out = NULL;
	if (before->by != after->by)
		return -1;
	diff_build(&d, before, after, min_flows);
	*out = xcalloc(d.n + 1, sizeof(**out));
	for (i = 0; i < d.n; i++) {
		const struct change *c = &d.v[i];
		const struct bl_path *p = c->after ? c->after : c->before;
		struct baseline_change *o = &(*out)[i];

		o->kind = change_names[c->kind];
		o->worse = c->worse;
		baseline_path_id(p, o->id);
		o->orig = p->orig;
		o->resp = p->resp;
		o->proto = p->proto;
		o->port = p->port;
		o->rule = p->rule;
		o->before = c->vb;
		o->after = c->va;
		o->flows = shown_flows(c);
	}
	free(d.v);
	return (int)i;
}
