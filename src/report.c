/* report: the audit's summary for people (text) and programs (JSON) */
#include "report.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "json.h"

enum { TOP_HOSTS = 10 };

static const char *const proto_names[SP_COUNT] = { "tcp", "udp", "icmp" };

/* Zeek's one-line meanings of the conn states, for the text report. */
static const char *const state_meaning[CS_COUNT] = {
	[CS_S0] = "attempt, no reply",
	[CS_S1] = "established, not closed",
	[CS_SF] = "normal establishment and termination",
	[CS_REJ] = "attempt rejected",
	[CS_S2] = "established, originator closed, no reply",
	[CS_S3] = "established, responder closed, no reply",
	[CS_RSTO] = "established, originator aborted (RST)",
	[CS_RSTR] = "established, responder aborted (RST)",
	[CS_RSTOS0] = "originator SYN then RST, no SYN-ACK",
	[CS_RSTRH] = "responder SYN-ACK then RST, no SYN",
	[CS_SH] = "originator SYN then FIN, no SYN-ACK",
	[CS_SHR] = "responder SYN-ACK then FIN, no SYN",
	[CS_OTH] = "no SYN seen: midstream, or not TCP/UDP",
};

void report_format_time(int64_t us, char *out, size_t n)
{
	time_t sec = (time_t)(us / 1000000);
	struct tm tm;
	char day[32];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, n, "%s.%06" PRId64, day, us % 1000000);
}

static uint64_t decode_problems(const struct report_input *in)
{
	uint64_t n = 0;
	int e;

	for (e = DECODE_LINK_TRUNCATED; e < DECODE_ERROR_COUNT; e++)
		if (e != DECODE_OTHER_PROTO)
			n += in->decode[e];
	return n;
}

static void text_inputs(FILE *out, const struct report_input *in)
{
	const struct capture_stats *c = in->capture;
	int i;

	for (i = 0; i < c->ninputs; i++) {
		const struct capture_input *ci = &c->inputs[i];

		fprintf(out, "%-12s %s (%s, %" PRIu64 " packets)%s%s\n", i ? "" : "input",
			strcmp(ci->path, "-") ? ci->path : "standard input", decode_link_name(ci->dlt),
			ci->packets, ci->damage[0] ? ": DAMAGED: " : "", ci->damage);
	}
	if (in->filter)
		fprintf(out, "%-12s %s\n", "filter", in->filter);
	if (c->packets) {
		char a[40], b[40];

		report_format_time(c->first_us, a, sizeof(a));
		report_format_time(c->last_us, b, sizeof(b));
		fprintf(out, "%-12s %s - %s UTC (%.3f s)\n", "time span", a, b,
			(double)(c->last_us - c->first_us) / 1e6);
	}
}

static void text_packets(FILE *out, const struct report_input *in)
{
	const struct capture_stats *c = in->capture;
	const struct flow_table_stats *t = in->table;

	fprintf(out, "%-12s %" PRIu64 " read, %" PRIu64 " in flows, %" PRIu64 " not IP, %" PRIu64
		" other IP protocols, %" PRIu64 " with decode problems\n", "packets", c->packets,
		in->decode[DECODE_OK], in->decode[DECODE_NOT_IP], in->decode[DECODE_OTHER_PROTO],
		decode_problems(in));
	if (c->ts_backwards)
		fprintf(out, "%-12s %" PRIu64 " packets older than one before them\n", "", c->ts_backwards);
	fprintf(out, "%-12s %" PRIu64 " (tcp %" PRIu64 ", udp %" PRIu64 ", icmp %" PRIu64 "), %" PRIu64
		" IP bytes\n", "flows", in->summary->flows, in->summary->by_proto[SP_TCP],
		in->summary->by_proto[SP_UDP], in->summary->by_proto[SP_ICMP], in->summary->ip_bytes);
	fprintf(out, "%-12s peak %" PRIu64 " live, %" PRIu64 " evicted, %" PRIu64 " reused 5-tuples, %" PRIu64
		" later fragments attributed, %" PRIu64 " ICMP errors matched to their flow\n", "flow table",
		t->peak_live, t->evicted, t->reused, t->fragments, t->icmp_errors_matched);
}

static void text_states(FILE *out, const struct report_input *in)
{
	int s, p;

	if (!in->summary->flows)
		return;
	fprintf(out, "\n%-8s %8s %8s %8s  %s\n", "state", "tcp", "udp", "icmp", "meaning");
	for (s = 0; s < CS_COUNT; s++) {
		const uint64_t *row = in->summary->by_state[s];

		if (!row[SP_TCP] && !row[SP_UDP] && !row[SP_ICMP])
			continue;
		fprintf(out, "%-8s", conn_state_name((enum conn_state)s));
		for (p = 0; p < SP_COUNT; p++)
			fprintf(out, " %8" PRIu64, row[p]);
		fprintf(out, "  %s\n", state_meaning[s]);
	}
}

static void text_decode(FILE *out, const struct report_input *in)
{
	int e;

	if (!decode_problems(in))
		return;
	fprintf(out, "\n%-24s %8s\n", "decode problem", "packets");
	for (e = DECODE_LINK_TRUNCATED; e < DECODE_ERROR_COUNT; e++)
		if (e != DECODE_OTHER_PROTO && in->decode[e])
			fprintf(out, "%-24s %8" PRIu64 "\n", decode_error_name((enum decode_error)e), in->decode[e]);
}

static void text_talkers(FILE *out, const struct report_input *in)
{
	struct host_count top[TOP_HOSTS];
	int i, n = summary_top_hosts(in->summary, top, TOP_HOSTS);

	if (!n)
		return;
	fprintf(out, "\n%-39s %8s %8s %8s %12s\n", "top talkers (by flows)", "flows", "as orig", "as resp",
		"IP bytes");
	for (i = 0; i < n; i++) {
		char a[ADDR_STRLEN];

		fprintf(out, "%-39s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %12" PRIu64 "\n",
			addr_format(top[i].family, top[i].addr, a), top[i].flows_orig + top[i].flows_resp,
			top[i].flows_orig, top[i].flows_resp, top[i].bytes);
	}
	if (in->summary->hosts_untracked)
		fprintf(out, "(%" PRIu64 " flows had hosts beyond the %d tracked)\n", in->summary->hosts_untracked,
			SUMMARY_MAX_HOSTS);
}

int report_text_write(FILE *out, const struct report_input *in)
{
	text_inputs(out, in);
	text_packets(out, in);
	text_states(out, in);
	text_decode(out, in);
	text_talkers(out, in);
	return ferror(out) ? -1 : 0;
}

static void json_capture(struct json *j, const struct report_input *in)
{
	const struct capture_stats *c = in->capture;
	int i, e;

	json_key(j, "capture");
	json_begin_object(j);
	json_kv_str(j, "mode", in->mode);
	json_key(j, "inputs");
	json_begin_array(j);
	for (i = 0; i < c->ninputs; i++) {
		json_begin_object(j);
		json_kv_str(j, "path", c->inputs[i].path);
		json_kv_str(j, "link_type", decode_link_name(c->inputs[i].dlt));
		json_kv_u64(j, "packets", c->inputs[i].packets);
		if (c->inputs[i].damage[0])
			json_kv_str(j, "damage", c->inputs[i].damage);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "filter");
	if (in->filter)
		json_str(j, in->filter);
	else
		json_null(j);
	json_kv_u64(j, "packets", c->packets);
	json_kv_u64(j, "wire_bytes", c->wire_bytes);
	json_kv_u64(j, "dropped", 0);
	json_key(j, "first_ts");
	c->packets ? json_usec(j, c->first_us) : json_null(j);
	json_key(j, "last_ts");
	c->packets ? json_usec(j, c->last_us) : json_null(j);
	json_kv_u64(j, "ts_backwards", c->ts_backwards);
	json_key(j, "decode");
	json_begin_object(j);
	for (e = 0; e < DECODE_ERROR_COUNT; e++)
		json_kv_u64(j, decode_error_name((enum decode_error)e), in->decode[e]);
	json_end_object(j);
	json_end_object(j);
}

static void json_summary(struct json *j, const struct report_input *in)
{
	const struct summary *s = in->summary;
	const struct flow_table_stats *t = in->table;
	struct host_count top[TOP_HOSTS];
	int p, st, i, n;

	json_key(j, "summary");
	json_begin_object(j);
	json_kv_u64(j, "flows", s->flows);
	json_kv_u64(j, "ip_bytes", s->ip_bytes);
	json_key(j, "by_proto");
	json_begin_object(j);
	for (p = 0; p < SP_COUNT; p++)
		json_kv_u64(j, proto_names[p], s->by_proto[p]);
	json_end_object(j);
	json_key(j, "conn_state");
	json_begin_object(j);
	for (st = 0; st < CS_COUNT; st++) {
		json_key(j, conn_state_name((enum conn_state)st));
		json_begin_object(j);
		for (p = 0; p < SP_COUNT; p++)
			json_kv_u64(j, proto_names[p], s->by_state[st][p]);
		json_end_object(j);
	}
	json_end_object(j);
	json_key(j, "flow_table");
	json_begin_object(j);
	json_kv_u64(j, "peak_live", t->peak_live);
	json_kv_u64(j, "evicted", t->evicted);
	json_kv_u64(j, "reused", t->reused);
	json_kv_u64(j, "fragments", t->fragments);
	json_kv_u64(j, "fragment_orphans", t->fragment_orphans);
	json_kv_u64(j, "icmp_errors_matched", t->icmp_errors_matched);
	json_end_object(j);
	json_key(j, "top_talkers");
	json_begin_array(j);
	n = summary_top_hosts(s, top, TOP_HOSTS);
	for (i = 0; i < n; i++) {
		char a[ADDR_STRLEN];

		json_begin_object(j);
		json_kv_str(j, "host", addr_format(top[i].family, top[i].addr, a));
		json_kv_u64(j, "flows", top[i].flows_orig + top[i].flows_resp);
		json_kv_u64(j, "flows_orig", top[i].flows_orig);
		json_kv_u64(j, "flows_resp", top[i].flows_resp);
		json_kv_u64(j, "ip_bytes", top[i].bytes);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

int report_json_write(FILE *out, const struct report_input *in)
{
	struct json j;
	int rc;

	json_init(&j);
	json_begin_object(&j);
	json_summary(&j, in);
	json_capture(&j, in);
	json_end_object(&j);
	json_raw(&j, "\n", 1);
	rc = json_write(&j, out);
	json_free(&j);
	return rc;
}
