/* fuzz_packet: a few frames of one link type through decode, dedup, the flow table, classify, findings, reports */
#include <pcap/pcap.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "capture_internal.h"
#include "classify.h"
#include "conn_log.h"
#include "decode.h"
#include "dedup.h"
#include "findings.h"
#include "tracker.h"
#include "inspect.h"
#include "fuzz_packet.h"
#include "fuzz_util.h"
#include "json.h"
#include "report.h"
#include "site.h"
#include "summary.h"
#include "xalloc.h"

enum { NLINKS = FUZZ_PACKET_NLINKS, RECORD_HDR = FUZZ_PACKET_RECORD };

/* struct audit of src/audit.c, as much of it as the offline packet path uses. */
struct pipeline {
	struct tracker *table;
	struct summary summary;
	const struct rule_set *rules;
	const struct site *site;
	const struct classifier *classifier;
	struct findings *findings;
	struct dedup *dedup;
	struct inspect *inspect;
	struct baseline *baseline;
	struct json conn;
	uint64_t uid_seed;
	unsigned decode_flags;
	int64_t now_us;
	uint64_t decode[DECODE_ERROR_COUNT];
};

/* The shipped rules and pcaps/site-demo.yaml, loaded once. */
static const struct site *demo_site(struct rule_set *rs)
{
	static struct site site;
	static bool loaded;
	struct load_error err;

	if (!loaded) {
		if (site_load(&site, fuzz_src_path("pcaps/site-demo.yaml"), rs, fuzz_warn_quiet, NULL, &err) != 0) {
			fprintf(stderr, "fuzz: cannot load pcaps/site-demo.yaml: %s\n", err.msg);
			abort();
		}
		loaded = true;
	}
	return &site;
}

/*
 * The classifier only reads the rules and site; its port index is costly to
 * build (most of a run's time), so each of the two is built once.
 */
static const struct classifier *classifier_for(const struct rule_set *rs, const struct site *site)
{
	static struct classifier *with_site, *port_only;
	struct classifier **c = site ? &with_site : &port_only;

	if (!*c)
		*c = classify_new(rs, site, 3 * 1000000LL);
	return *c;
}

/* on_flow_done of audit.c; the conn log line is rendered, not written. */
static void on_flow_done(struct flow *f, void *ctx)
{
	struct pipeline *p = ctx;
	struct classification cls;

	inspect_release(f, p->inspect);
	classify_flow(p->classifier, f, p->now_us, &cls);
	findings_add(p->findings, f, &cls, NULL);
	baseline_add(p->baseline, f, &cls, p->rules);
	json_reset(&p->conn);
	conn_log_render(&p->conn, f, p->uid_seed, &cls, p->rules);
	summary_add_flow(&p->summary, f);
}

/* on_packet of audit.c, plus a decode with the other decap setting that must not crash either. */
static void on_packet(struct pipeline *p, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes)
{
	struct packet pkt, other;
	enum decode_error e;

	memset(&pkt, 0, sizeof(pkt));
	pkt.ts_us = capture_ts_us(&h->ts);
	pkt.wire_len = h->len;
	pkt.cap_len = h->caplen;
	other = pkt;
	if (pkt.ts_us > p->now_us)
		p->now_us = pkt.ts_us;
	decode_frame_ex(dlt, bytes, h->caplen, &other, p->decode_flags ^ DECODE_F_NO_DECAP);
	e = decode_frame_ex(dlt, bytes, h->caplen, &pkt, p->decode_flags);
	if (pkt.note && pkt.note < DECODE_ERROR_COUNT)
		p->decode[pkt.note]++;
	if (e != DECODE_OK) {
		p->decode[e < DECODE_ERROR_COUNT ? e : DECODE_LINK_TRUNCATED]++;
		return;
	}
	if (dedup_check(p->dedup, &pkt))
		return;
	p->decode[DECODE_OK]++;
	tracker_packet(p->table, &pkt);
}

static int64_t time_step(uint8_t step)
{
	if (step < 200)
		return step * 1000LL;
	if (step < 255)
		return (step - 199) * 10 * 1000000LL;
	return -1000000LL;
}

static void pipeline_new(struct pipeline *p, uint8_t b0, uint8_t b1)
{
	struct rule_set *rs = fuzz_shipped_rules();
	struct flow_table_config cfg;
	struct inspect_config icfg;
	struct tracker_hooks hooks;

	memset(p, 0, sizeof(*p));
	flow_table_config_defaults(&cfg);
	cfg.vlan_key = b0 & FUZZ_PACKET_VLAN_KEY;
	if (b1 >> 4)
		cfg.max_flows = b1 >> 4;
	p->rules = rs;
	p->site = b0 & FUZZ_PACKET_PORT_ONLY ? NULL : demo_site(rs);
	p->uid_seed = cfg.uid_seed;
	p->decode_flags = b0 & FUZZ_PACKET_NO_DECAP ? DECODE_F_NO_DECAP : 0;
	summary_init(&p->summary);
	json_init(&p->conn);
	p->classifier = classifier_for(rs, p->site);
	p->findings = findings_new(rs, p->site);
	p->baseline = baseline_new(b0 & FUZZ_PACKET_BY_HOST ? BY_HOST : BY_ROLE);
	p->table = tracker_new(&cfg, NULL, on_flow_done, p);
	p->dedup = dedup_new((b1 & 7) * 1000LL);
	inspect_config_defaults(&icfg);
	if (b1 >> 4) {		/* small limits all round: budgets that run out (over_budget, evidence_dropped) */
		icfg.buffer_budget = 8192;
		icfg.evidence_budget = 4096;
	}
	p->inspect = inspect_new(&icfg);
	inspect_tracker_hooks(p->inspect, &hooks);
	tracker_set_hooks(p->table, &hooks);
}

static void pipeline_free(struct pipeline *p)
{
	flow_table_foreach(tracker_table(p->table), inspect_release, p->inspect);
	tracker_free(p->table);
	findings_free(p->findings);
	baseline_free(p->baseline);
	inspect_free(p->inspect);	/* last: flows and findings point at its evidence */
	dedup_free(p->dedup);
	summary_free(&p->summary);
	json_free(&p->conn);
}

/* The end of audit_run: flush, finish, both reports; the baseline as 'baseline save' writes it. */
static void pipeline_finish(struct pipeline *p, struct capture_stats *cs, bool color)
{
	struct baseline_capture bc;
	struct report_input ri;
	struct flow_table_stats ts;
	const char *names[] = { cs->inputs[0].path };

	tracker_flush(p->table);
	tracker_stats(p->table, &ts);
	findings_set_drops(p->findings, 0);
	findings_finish(p->findings, cs->first_us, cs->last_us);
	ri = (struct report_input){ .mode = "offline", .capture = cs, .decode = p->decode,
				    .table = &ts, .summary = &p->summary, .rules = p->rules,
				    .site = p->site, .findings = p->findings, .uid_seed = p->uid_seed,
				    .duplicates = dedup_count(p->dedup), .live_flows = ts.live,
				    .color = color, .inspect = inspect_stats(p->inspect) };
	report_text_write(fuzz_sink(), &ri);
	report_json_write(fuzz_sink(), &ri);
	report_html_write(fuzz_sink(), &ri);
	report_csv_write(fuzz_sink(), &ri);
	ri.csv_matrix = true;
	report_csv_write(fuzz_sink(), &ri);
	bc = (struct baseline_capture){ .inputs = names, .ninputs = 1, .first_us = cs->first_us,
					.last_us = cs->last_us, .packets = cs->packets,
					.duplicates = dedup_count(p->dedup),
					.site_name = p->site ? p->site->name : NULL };
	baseline_finish(p->baseline, &bc, p->rules, p->site);
	baseline_write(p->baseline, fuzz_sink());
	fflush(fuzz_sink());
}

/* One record's frame: a copy of exactly its bytes, so ASan sees any read past the captured length. */
static void feed_frame(struct pipeline *p, struct capture_stats *cs, int64_t ts_us, const uint8_t *bytes,
		       size_t len, uint8_t cut)
{
	struct pcap_pkthdr h = { 0 };
	uint8_t *frame = xmalloc(len ? len : 1);

	h.ts.tv_sec = ts_us / 1000000;
	h.ts.tv_usec = ts_us % 1000000;
	h.caplen = (uint32_t)len;
	h.len = cut == 255 ? h.caplen / 2 : h.caplen + cut;
	capture_account(cs, &h);
	cs->inputs[0].packets++;
	memcpy(frame, bytes, len);
	on_packet(p, cs->inputs[0].dlt, &h, frame);
	free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline p;
	struct capture_input in = { .path = "fuzz" };
	struct capture_stats cs = { .inputs = &in, .ninputs = 1 };
	int64_t ts_us = 1700000000LL * 1000000;
	size_t at = FUZZ_PACKET_HDR, len;

	if (size < FUZZ_PACKET_HDR)
		return 0;
	in.dlt = fuzz_packet_links[(data[0] & 0x0f) % NLINKS];
	pipeline_new(&p, data[0], data[1]);
	while (size - at >= RECORD_HDR) {
		len = (size_t)data[at] << 8 | data[at + 1];
		ts_us += time_step(data[at + 2]);
		if (len > size - at - RECORD_HDR)
			len = size - at - RECORD_HDR;
		feed_frame(&p, &cs, ts_us, data + at + RECORD_HDR, len, data[at + 3]);
		at += RECORD_HDR + len;
	}
	pipeline_finish(&p, &cs, data[1] & FUZZ_PACKET_COLOR);
	pipeline_free(&p);
	return 0;
}
