/* audit: the pipeline, wired: capture -> decode -> flow table -> classify -> findings, conn log -> report */
#include "audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "classify.h"
#include "config.h"
#include "conn_log.h"
#include "decode.h"
#include "findings.h"
#include "flow_table.h"
#include "report.h"
#include "summary.h"

struct audit {
	struct flow_table *table;
	struct conn_log *log;
	struct summary summary;
	struct rule_set rules;
	struct site *site;
	struct classifier *classifier;
	struct findings *findings;
	int64_t now_us;			/* newest packet time so far */
	uint64_t decode[DECODE_ERROR_COUNT];
};

/* Every flow that leaves the table passes here exactly once. */
static void on_flow_done(const struct flow *f, void *ctx)
{
	struct audit *a = ctx;
	struct classification cls;

	classify_flow(a->classifier, f, a->now_us, &cls);
	findings_add(a->findings, f, &cls);
	if (a->log)
		conn_log_write(a->log, f, &cls, &a->rules);
	summary_add_flow(&a->summary, f);
}

static void on_packet(void *ctx, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes)
{
	struct audit *a = ctx;
	struct packet pkt;
	enum decode_error e;

	memset(&pkt, 0, sizeof(pkt));
	pkt.ts_us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
	pkt.wire_len = h->len;
	pkt.cap_len = h->caplen;
	if (pkt.ts_us > a->now_us)
		a->now_us = pkt.ts_us;
	e = decode_frame(dlt, bytes, h->caplen, &pkt);
	if (pkt.note && pkt.note < DECODE_ERROR_COUNT)
		a->decode[pkt.note]++;
	if (e != DECODE_OK) {
		a->decode[e < DECODE_ERROR_COUNT ? e : DECODE_LINK_TRUNCATED]++;
		return;
	}
	a->decode[DECODE_OK]++;
	flow_table_packet(a->table, &pkt);
}

static uint64_t live_flows(void *ctx)
{
	struct audit *a = ctx;

	return flow_table_stats(a->table)->live;
}

/* Unmatchable rules are only counted here (rules check lists them); other warnings print. */
static void warn_line(void *ctx, const struct load_error *w)
{
	int *unmatchable = ctx;

	if (w->kind == LOAD_WARN_RULE_UNMATCHABLE) {
		(*unmatchable)++;
		return;
	}
	if (w->line)
		fprintf(stderr, "flowaudit: warning: %s:%d:%d: %s\n", w->file, w->line, w->column, w->msg);
	else
		fprintf(stderr, "flowaudit: warning: %s%s%s\n", w->file, w->file[0] ? ": " : "", w->msg);
}

void audit_format_load_error(const struct load_error *e, char *errbuf, size_t errlen)
{
	if (e->line)
		snprintf(errbuf, errlen, "%s:%d:%d: %s", e->file, e->line, e->column, e->msg);
	else if (e->file[0])
		snprintf(errbuf, errlen, "%s: %s", e->file, e->msg);
	else
		snprintf(errbuf, errlen, "%s", e->msg);
}

static FILE *open_report(const struct options *o, char *errbuf, size_t errlen)
{
	FILE *out;

	if (!o->output)
		return o->conn_log && strcmp(o->conn_log, "-") == 0 ? stderr : stdout;
	out = fopen(o->output, "w");
	if (!out)
		snprintf(errbuf, errlen, "%s: %s", o->output, strerror(errno));
	return out;
}

static bool want_color(const struct options *o, FILE *out)
{
	const char *no = getenv("NO_COLOR");

	if (o->color != COLOR_AUTO)
		return o->color == COLOR_ALWAYS;
	return o->format == FORMAT_TEXT && isatty(fileno(out)) && !(no && *no);
}

static int write_report(FILE *out, const struct options *o, const struct report_input *in)
{
	int rc = o->format == FORMAT_JSON ? report_json_write(out, in) : report_text_write(out, in);

	if (fflush(out) != 0)
		rc = -1;
	return rc;
}

static int findings_status(const struct options *o, const struct findings *fd)
{
	int k;

	for (k = 0; k < FK_COUNT; k++)
		if ((o->fail_on & (1u << k)) && findings_count(fd, (enum finding_kind)k))
			return EXIT_FINDINGS;
	return EXIT_OK;
}

static void damage_line(const struct capture_stats *cs, char *errbuf, size_t errlen)
{
	int i;

	for (i = 0; i < cs->ninputs; i++)
		if (cs->inputs[i].damage[0]) {
			snprintf(errbuf, errlen, "%s: %s; the report covers what was read before it", cs->inputs[i].path,
				 cs->inputs[i].damage);
			return;
		}
}

static void audit_free(struct audit *a)
{
	if (a->log) {
		char ignore[256];

		conn_log_close(a->log, ignore, sizeof(ignore));
	}
	flow_table_free(a->table);
	classify_free(a->classifier);
	findings_free(a->findings);
	summary_free(&a->summary);
	if (a->site) {
		site_free(a->site);
		free(a->site);
	}
	rules_free(&a->rules);
}

/* Rules and site first: a bad one stops everything before any packet is read. */
static int audit_setup(struct audit *a, const struct options *o, char *errbuf, size_t errlen)
{
	struct load_error err;
	int unmatchable = 0;

	memset(a, 0, sizeof(*a));
	rules_init(&a->rules);
	summary_init(&a->summary);
	if (config_load(o, &a->rules, &a->site, warn_line, &unmatchable, &err) != 0) {
		audit_format_load_error(&err, errbuf, errlen);
		return -1;
	}
	if (unmatchable)
		fprintf(stderr, "flowaudit: note: %d rules of the selected matrices cannot match: the site defines "
			"none of their source or destination roles ('flowaudit rules check --site ...' lists them)\n",
			unmatchable);
	a->classifier = classify_new(&a->rules, a->site, o->pending_window_us);
	a->findings = findings_new(&a->rules, a->site);
	a->table = flow_table_new(&o->table, on_flow_done, a);
	if (o->conn_log && !(a->log = conn_log_open(o->conn_log, o->table.seed, errbuf, errlen)))
		return -1;
	return 0;
}

int audit_offline(const struct options *o, char *errbuf, size_t errlen)
{
	struct capture_config cc = { .paths = o->inputs, .npaths = o->ninputs, .filter = o->filter };
	struct audit a;
	struct capture_stats cs;
	struct report_input ri;
	FILE *out;
	int rc, status;

	memset(&cs, 0, sizeof(cs));
	if (audit_setup(&a, o, errbuf, errlen) != 0 || !(out = open_report(o, errbuf, errlen))) {
		audit_free(&a);
		return EXIT_TROUBLE;
	}
	cc.progress = !o->quiet && isatty(STDERR_FILENO);
	rc = capture_run_offline(&cc, on_packet, live_flows, &a, &cs, errbuf, errlen);
	if (rc < 0) {
		status = EXIT_TROUBLE;
		goto done;
	}
	flow_table_flush(a.table);
	findings_finish(a.findings, cs.first_us, cs.last_us);
	status = findings_status(o, a.findings);
	if (rc > 0) {
		damage_line(&cs, errbuf, errlen);
		status = EXIT_TROUBLE;
	}
	if (a.log && conn_log_close(a.log, errbuf, errlen) != 0)
		status = EXIT_TROUBLE;
	a.log = NULL;
	ri = (struct report_input){ .mode = "offline", .filter = o->filter, .capture = &cs, .decode = a.decode,
				    .table = flow_table_stats(a.table), .summary = &a.summary, .rules = &a.rules,
				    .site = a.site, .findings = a.findings, .uid_seed = o->table.seed,
				    .color = want_color(o, out) };
	if (write_report(out, o, &ri) != 0) {
		snprintf(errbuf, errlen, "%s: cannot write the report", o->output ? o->output : "stdout");
		status = EXIT_TROUBLE;
	}
done:
	audit_free(&a);
	capture_stats_free(&cs);
	if (out != stdout && out != stderr)
		fclose(out);
	return status;
}
