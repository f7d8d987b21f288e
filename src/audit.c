/* audit: the pipeline, wired: capture -> decode -> flow table -> conn log and summary -> report */
#include "audit.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "conn_log.h"
#include "decode.h"
#include "flow_table.h"
#include "report.h"
#include "summary.h"

struct audit {
	struct flow_table *table;
	struct conn_log *log;
	struct summary summary;
	uint64_t decode[DECODE_ERROR_COUNT];
};

/* Every flow that leaves the table passes here exactly once. */
static void on_flow_done(const struct flow *f, void *ctx)
{
	struct audit *a = ctx;

	if (a->log)
		conn_log_write(a->log, f);
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

static int write_report(FILE *out, const struct options *o, const struct report_input *in)
{
	int rc = o->format == FORMAT_JSON ? report_json_write(out, in) : report_text_write(out, in);

	if (fflush(out) != 0)
		rc = -1;
	return rc;
}

int audit_offline(const struct options *o, char *errbuf, size_t errlen)
{
	struct capture_config cc = { .paths = o->inputs, .npaths = o->ninputs, .filter = o->filter };
	struct audit a;
	struct capture_stats cs;
	struct report_input ri;
	FILE *out;
	int rc, status = EXIT_OK;

	memset(&a, 0, sizeof(a));
	cc.progress = !o->quiet && isatty(STDERR_FILENO);
	out = open_report(o, errbuf, errlen);
	if (!out)
		return EXIT_TROUBLE;
	if (o->conn_log && !(a.log = conn_log_open(o->conn_log, o->table.seed, errbuf, errlen))) {
		if (out != stdout && out != stderr)
			fclose(out);
		return EXIT_TROUBLE;
	}
	summary_init(&a.summary);
	a.table = flow_table_new(&o->table, on_flow_done, &a);
	rc = capture_run_offline(&cc, on_packet, live_flows, &a, &cs, errbuf, errlen);
	if (rc < 0) {
		status = EXIT_TROUBLE;
		goto done;
	}
	flow_table_flush(a.table);
	if (rc > 0) {
		int i;

		for (i = 0; i < cs.ninputs; i++)
			if (cs.inputs[i].damage[0]) {
				snprintf(errbuf, errlen, "%s: %s; the report covers what was read before it",
					 cs.inputs[i].path, cs.inputs[i].damage);
				break;
			}
		status = EXIT_TROUBLE;
	}
	if (a.log && conn_log_close(a.log, errbuf, errlen) != 0)
		status = EXIT_TROUBLE;
	a.log = NULL;
	ri = (struct report_input){ .mode = "offline", .filter = o->filter, .capture = &cs, .decode = a.decode,
				    .table = flow_table_stats(a.table), .summary = &a.summary };
	if (write_report(out, o, &ri) != 0) {
		snprintf(errbuf, errlen, "%s: cannot write the report", o->output ? o->output : "stdout");
		status = EXIT_TROUBLE;
	}
done:
	if (a.log)
		conn_log_close(a.log, errbuf, errlen);
	flow_table_free(a.table);
	summary_free(&a.summary);
	capture_stats_free(&cs);
	if (out != stdout && out != stderr)
		fclose(out);
	return status;
}
