/* audit: the pipeline, wired: capture -> decode -> flow table -> classify -> findings, conn log -> report */
#include "audit.h"

#include "baseline.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "classify.h"
#include "config.h"
#include "conn_log.h"
#include "decode.h"
#include "health.h"
#include "strtab.h"
#include "dedup.h"
#include "evidence.h"
#include "findings.h"
#include "outfile.h"
#include "flow_table.h"
#include "host_ttl.h"
#include "inspect.h"
#include "json.h"
#include "portset.h"
#include "report.h"
#include "summary.h"
#include "tracker.h"
#include "workers.h"
#include "xalloc.h"

/*
 * One worker's share of the audit: everything a flow touches from its first
 * packet to its judgement. With --workers 1 there is one, run by the reading
 * thread; with more, each runs in its own thread (workers.h) on the host
 * pairs given to it, and what they found is merged at the end (and for
 * each interim report).
 */
struct shard {
	struct audit *a;
	struct tracker *tracker;
	struct dedup *dedup;
	struct inspect *inspect;	/* NULL with --no-inspect */
	struct host_ttl *host_ttl;	/* each host's TTL at the capture point: who sent a RST */
	struct classifier *classifier;
	struct findings *findings;
	struct baseline *baseline;	/* baseline save / diff: the paths are collected here */
	struct summary summary;
	struct evidence *evidence;	/* --evidence: the flows behind each finding (and, buffered, their packets) */
	struct flow *deferred;		/* REJ flows whose responder's TTL is not known yet, oldest first */
	size_t ndeferred, deferred_cap;
	struct strtab *tunnel_uids;	/* outer tunnel flows' uids, for their inner flows' tunnel_parents */
	uint64_t tunnel_last_seq;	/* the last outer flow's uid_seq and its interned uid */
	const char *tunnel_last_uid;
	uint64_t decoded;		/* packets decoded and not duplicates (decode[DECODE_OK]) */
	int64_t now_us;			/* newest packet (or tick) time this shard has seen */
	struct json line;		/* its conn log lines are rendered here (conn_log_write) */
	_Atomic uint64_t live;		/* flows live, published after each batch (the progress line) */
};

struct audit {
	struct shard *shards;
	int nshards;
	struct workers *workers;	/* NULL with one shard */
	struct conn_log *log;
	const struct rule_set *rules;	/* own_rules, or a caller's (audit_run_loaded) */
	const struct site *site;	/* own_site, or a caller's; NULL without a site */
	struct rule_set own_rules;
	struct site *own_site;
	uint8_t server_ports[2][PORTSET_BYTES];	/* orienting flows without a SYN: Zeek's and the rules' */
	unsigned decode_flags;
	int64_t now_us;			/* newest packet (or, live, clock) time so far */
	uint64_t decode[DECODE_ERROR_COUNT];
	struct capture_health health;	/* what could not be read, by kind */
	struct flow_table_stats table;	/* the shards' figures, summed for the report */
	struct inspect_stats inspect;	/* the same */
	const struct options *o;
	struct baseline *baseline;	/* baseline save / diff: the caller's, shard 0 fills it */
	bool report_wanted;		/* an audit (not a baseline): its report goes out */
	struct outfile *report;		/* -o, or standard output; opened when the inputs are */
	FILE *report_fp;		/* without report: stderr (the conn log is on stdout, or interim reports) */
	bool report_tty;		/* the report goes to a terminal */
	unsigned interim_reports;
	pid_t report_child;		/* the process writing an interim report, or 0 */
	uint64_t seq;			/* packets read so far: each packet's number (evidence keeps their order) */
	bool evidence_buffered;		/* --evidence from buffers: live, or an input that cannot be read twice */
	bool evidence_by_path;		/* baseline diff --evidence: flows noted by path, not by finding */
	struct evidence_budget *evidence_budget;
	struct evidence_result evidence;	/* the files written, for the report */
};

static void flow_judged(struct shard *sh, struct flow *f, const struct classification *cls)
{
	struct audit *a = sh->a;
	struct finding_ids ids;

	findings_add(sh->findings, f, cls, &ids);
	if (sh->baseline) {
		const struct bl_path *p = baseline_add(sh->baseline, f, cls, a->rules);

		if (sh->evidence && a->evidence_by_path) {
			/* baseline diff --evidence: the flows are kept by path, for the changes */
			struct finding_ids path = { .n = 0 };

			if (p) {
				baseline_path_id(p, path.id[0]);
				path.n = 1;
			}
			evidence_note(sh->evidence, f, cls, &path);
		}
	}
	if (sh->evidence && !a->evidence_by_path)
		evidence_note(sh->evidence, f, cls, &ids);
	if (a->log)
		conn_log_write(a->log, &sh->line, f, cls, a->rules, &ids);
	summary_add_flow(&sh->summary, f);
}

/*
 * A RST answering a SYN is told from the host or from the path by the
 * host's TTL in its other packets, which may come later in the capture
 * than the refused attempt: such a flow waits (a copy, at most
 * AUDIT_DEFERRED_MAX of them) until its host has been seen, or offline the
 * end, live AUDIT_DEFERRED_US of capture time. Offline, the end is after
 * every worker's TTLs were merged, so the verdict does not depend on
 * which worker saw the host.
 */
enum { AUDIT_DEFERRED_MAX = 65536 };
#define AUDIT_DEFERRED_US (60 * 1000000LL)

static void deferred_release(struct shard *sh, bool all)
{
	size_t i, kept = 0;

	for (i = 0; i < sh->ndeferred; i++) {
		struct flow *f = &sh->deferred[i];
		struct classification cls;

		if (!all && host_ttl_matches(sh->host_ttl, f->orig.family, f->orig.dst, f->first_ttl[1]) < 0 &&
		    sh->now_us - f->last_us < AUDIT_DEFERRED_US) {
			sh->deferred[kept++] = *f;
			continue;
		}
		classify_flow(sh->classifier, f, sh->now_us, &cls);
		flow_judged(sh, f, &cls);
	}
	sh->ndeferred = kept;
}

/* Outer tunnel flows' uids kept for tunnel_parents; past it, inner flows go without (about 400,000 tunnels). */
enum { AUDIT_TUNNEL_UIDS_MAX = 16 << 20 };

/* Every flow that leaves a table passes here exactly once. */
static void on_flow_done(struct flow *f, void *ctx)
{
	struct shard *sh = ctx;
	struct classification cls;

	inspect_release(f, sh->inspect);
	flow_settle(f);
	classify_flow(sh->classifier, f, sh->now_us, &cls);
	if (cls.verdict == V_BLOCKED && cls.reason == R_RST && sh->ndeferred < AUDIT_DEFERRED_MAX) {
		if (sh->ndeferred == sh->deferred_cap) {
			sh->deferred_cap = sh->deferred_cap ? 2 * sh->deferred_cap : 64;
			sh->deferred = xrealloc(sh->deferred, sh->deferred_cap * sizeof(*sh->deferred));
		}
		sh->deferred[sh->ndeferred++] = *f;
		return;
	}
	flow_judged(sh, f, &cls);
}

/*
 * The outer connection of the tunnel a packet came out of is a flow of its
 * own, as Zeek logs it (its inner flows name it in tunnel_parents). Returns
 * its uid, interned for the audit's lifetime, or NULL when it could not be
 * kept. The last one is remembered: a tunnel's packets come in runs.
 */
static const char *tunnel_outer_flow(struct shard *sh, const struct packet *pkt, struct flow **outer)
{
	char uid[FLOW_UID_LEN];
	struct packet op;
	struct flow *f;

	memset(&op, 0, sizeof(op));
	op.ts_us = pkt->ts_us;
	op.wire_len = pkt->wire_len;
	op.cap_len = pkt->cap_len;
	op.t = pkt->outer.t;
	op.ip_len = pkt->outer.ip_len;
	op.ttl = pkt->outer.ttl;
	op.has_l4 = op.t.proto == PROTO_UDP;
	op.l4_payload_len = pkt->outer.l4_payload_len;	/* the payload itself is the inner frame: not inspected */
	if (!(f = tracker_packet(sh->tracker, &op)))
		return NULL;
	if (outer)
		*outer = f;
	f->tunnel = pkt->tunnel;
	f->tunnel_mirror = pkt->outer.mirror;
	if (sh->tunnel_last_uid && sh->tunnel_last_seq == f->uid_seq)
		return sh->tunnel_last_uid;
	flow_uid(f, sh->a->o->table.uid_seed, uid);
	sh->tunnel_last_seq = f->uid_seq;
	sh->tunnel_last_uid = strtab_str(sh->tunnel_uids, uid);
	return sh->tunnel_last_uid;
}

/*
 * What a shard does with a decoded packet. An ICMP error is about the flow
 * it quotes and is a flow of its own; when a different worker owns each,
 * each gets the packet, one to attach it, one to account it.
 */
enum shard_mode {
	SM_PACKET = 0,	/* decoded: the duplicate check, then its flow */
	SM_OTHER,	/* another IP protocol (GRE, ESP, OSPF ...): a flow by addresses and protocol */
	SM_OUTER,	/* not decoded, but a tunnel carried it: the tunnel's own flow only */
	SM_OWN,		/* an ICMP error: its own flow only */
	SM_ATTACH,	/* an ICMP error: attach it to the flow it quotes only */
};

/* A worker's look ahead (workers.h): the packet's flow and duplicate-check hashes, then its flow's lines. */
static void shard_prefetch(void *state, struct packet *pkt, unsigned mode, int stage)
{
	struct shard *sh = state;

	if (mode != SM_PACKET && mode != SM_OTHER && mode != SM_OWN)
		return;
	if (pkt->tunnel && pkt->outer.valid)
		return;		/* the outer flow comes first */
	if (stage == 0) {
		tracker_prefetch(sh->tracker, pkt);
		dedup_prepare(sh->dedup, pkt);
	} else {
		tracker_prefetch_flow(sh->tracker, pkt);
	}
}

/* Buffered evidence: the packet joins its flow's buffer; an ICMP error also the buffer of the flow it quotes. */
static void shard_buffer(struct shard *sh, struct flow *f, const struct packet *pkt)
{
	if (!pkt->frame)
		return;
	if (f)
		evidence_buffer_packet(sh->evidence, f, pkt);
	if (pkt->has_quoted)
		evidence_buffer_icmp(sh->evidence, tracker_quoted_flow(sh->tracker, pkt), pkt);
}

static void shard_packet(void *state, struct packet *pkt, unsigned mode)
{
	struct shard *sh = state;
	struct flow *f;

	if (pkt->ts_us > sh->now_us)
		sh->now_us = pkt->ts_us;
	switch (mode) {
	case SM_OTHER:
		/* as Zeek 7.1 logs unknown_transport */
		if (!dedup_check(sh->dedup, pkt)) {
			f = tracker_packet(sh->tracker, pkt);
			if (pkt->frame)
				shard_buffer(sh, f, pkt);
		}
		return;
	case SM_OUTER:
		f = NULL;
		tunnel_outer_flow(sh, pkt, &f);	/* the tunnel carried it, whatever it was */
		if (pkt->frame)
			evidence_buffer_packet(sh->evidence, f, pkt);
		return;
	case SM_ATTACH:
		/* the other copy is counted (decoded, duplicates) where it is accounted */
		if (!dedup_repeat(sh->dedup, pkt)) {
			tracker_advance(sh->tracker, pkt->ts_us);
			tracker_icmp_error(sh->tracker, pkt);
			if (pkt->frame)
				shard_buffer(sh, NULL, pkt);
		}
		return;
	default:
		break;
	}
	tracker_prefetch(sh->tracker, pkt);	/* its cache miss overlaps the duplicate check */
	if (dedup_check(sh->dedup, pkt))
		return;
	sh->decoded++;
	if (mode == SM_OWN) {
		f = tracker_packet_own(sh->tracker, pkt);
		if (pkt->frame)
			evidence_buffer_packet(sh->evidence, f, pkt);
		return;
	}
	if (pkt->tunnel && pkt->outer.valid) {
		struct flow *outer = NULL;
		const char *parent = tunnel_outer_flow(sh, pkt, &outer);

		if (pkt->frame)
			evidence_buffer_packet(sh->evidence, outer, pkt);	/* before the inner flow may end it */
		f = tracker_packet(sh->tracker, pkt);
		if (f && parent && f->tunnel_parent[0] != parent && f->tunnel_parent[1] != parent)
			f->tunnel_parent[f->tunnel_parent[0] ? 1 : 0] = parent;	/* a third stays unnamed */
		if (pkt->frame)
			shard_buffer(sh, f, pkt);
		return;
	}
	f = tracker_packet(sh->tracker, pkt);
	if (pkt->frame)
		shard_buffer(sh, f, pkt);
}

/* Time moves on for a shard (after each batch; live, with the clock): expiry, and REJ flows due. */
static void shard_tick(void *state, int64_t now_us)
{
	struct shard *sh = state;

	if (now_us > sh->now_us)
		sh->now_us = now_us;
	tracker_advance(sh->tracker, sh->now_us);
	if (sh->ndeferred)
		deferred_release(sh, false);
	atomic_store_explicit(&sh->live, tracker_live(sh->tracker), memory_order_relaxed);
}

/* The end of the capture, in the worker's thread: every flow still live finishes. */
static void shard_finish(void *state)
{
	struct shard *sh = state;

	tracker_flush(sh->tracker);
	atomic_store_explicit(&sh->live, 0, memory_order_relaxed);
}

static const struct workers_ops shard_ops = { .prefetch = shard_prefetch, .packet = shard_packet,
					      .tick = shard_tick, .finish = shard_finish };

static void shard_push(struct audit *a, int k, struct packet *pkt, enum shard_mode mode)
{
	workers_push(a->workers, k, pkt, mode, a->now_us);
}

static int shard_of(const struct audit *a, const struct tuple *t)
{
	return a->nshards > 1 ? workers_pick(a->workers, t->family, t->src, t->dst) : 0;
}

/*
 * The reading thread: decode, count what could not be read, and hand the
 * packet to the shard of its host pair: a tunnel's packets all go where
 * its outer flow is, an ICMP error also where the flow it quotes is. A
 * later fragment has its first fragment's addresses, so it goes there too.
 */
static void on_packet(void *ctx, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes)
{
	struct audit *a = ctx;
	struct packet pkt;
	enum decode_error e;
	int k;

	capture_packet_init(&pkt, dlt, h, ++a->seq);
	if (a->evidence_buffered)
		pkt.frame = bytes;
	if (pkt.ts_us > a->now_us)
		a->now_us = pkt.ts_us;
	e = decode_frame_ex(dlt, bytes, h->caplen, &pkt, a->decode_flags);
	health_note(&a->health, e, pkt.not_ip);
	if (pkt.note && pkt.note < DECODE_ERROR_COUNT)
		a->decode[pkt.note]++;
	if (e == DECODE_OTHER_PROTO) {
		a->decode[DECODE_OTHER_PROTO]++;
		shard_push(a, shard_of(a, pkt.tunnel && pkt.outer.valid ? &pkt.outer.t : &pkt.t), &pkt, SM_OTHER);
		return;
	}
	if (e != DECODE_OK) {
		a->decode[e < DECODE_ERROR_COUNT ? e : DECODE_LINK_TRUNCATED]++;
		if (pkt.tunnel && pkt.outer.valid)
			shard_push(a, shard_of(a, &pkt.outer.t), &pkt, SM_OUTER);
		return;
	}
	if (pkt.tunnel && pkt.outer.valid) {
		shard_push(a, shard_of(a, &pkt.outer.t), &pkt, SM_PACKET);
		return;
	}
	k = shard_of(a, &pkt.t);
	if (pkt.has_quoted && a->nshards > 1) {
		int q = shard_of(a, &pkt.quoted);

		if (q != k) {
			shard_push(a, q, &pkt, SM_ATTACH);
			shard_push(a, k, &pkt, SM_OWN);
			return;
		}
	}
	shard_push(a, k, &pkt, SM_PACKET);
}

/* Packets the capture skipped for their interface's link type (pcapng) could not be read either. */
static void health_from_capture(struct audit *a, const struct capture_stats *cs)
{
	uint64_t n = 0;
	int dlt = 0, i;

	for (i = 0; i < cs->ninputs; i++) {
		if (cs->inputs[i].unsupported && !n)
			dlt = cs->inputs[i].unsupported_dlt;
		n += cs->inputs[i].unsupported;
	}
	health_set_link_skipped(&a->health, n, dlt);
}

/* Live: no packet for a while; time still passes for the flow tables. */
static void on_tick(void *ctx, int64_t now_us)
{
	struct audit *a = ctx;

	if (now_us > a->now_us)
		a->now_us = now_us;
	workers_tick(a->workers, a->now_us);
}

static uint64_t live_flows(void *ctx)
{
	struct audit *a = ctx;
	uint64_t n = 0;
	int k;

	for (k = 0; k < a->nshards; k++)
		n += atomic_load_explicit(&a->shards[k].live, memory_order_relaxed);
	return n;
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

/*
 * The report goes to -o (a file appears whole, or not at all), or to
 * standard output; to stderr when the conn log has standard output.
 */
static bool conn_log_on_stdout(const struct options *o)
{
	return o->conn_log && outfile_same(o->conn_log, "-");
}

/* Opened once every input, the filter, the rules and the site were found good: a failed run changes no file. */
static int on_ready(void *ctx, char *errbuf, size_t errlen)
{
	struct audit *a = ctx;
	const struct options *o = a->o;
	bool live = o->iface != NULL;

	if (o->evidence && evidence_dir_prepare(o->evidence, o->drop_user, errbuf, errlen) != 0)
		return -1;
	if (o->conn_log && !(a->log = conn_log_open(o->conn_log, live, o->table.uid_seed, errbuf, errlen)))
		return -1;
	if (!a->report_wanted)
		return 0;
	if (o->output || !conn_log_on_stdout(o)) {
		const char *path = o->output ? o->output : "-";

		if (!(a->report = outfile_open(path, live ? OUTFILE_REPLACE : OUTFILE_WHOLE, errbuf, errlen)))
			return -1;
		a->report_tty = outfile_is_stdout(a->report) && isatty(STDOUT_FILENO);
	} else {
		a->report_tty = isatty(STDERR_FILENO);
	}
	return 0;
}

static bool want_color(const struct audit *a)
{
	const char *no = getenv("NO_COLOR");

	if (a->o->color != COLOR_AUTO)
		return a->o->color == COLOR_ALWAYS;
	return a->o->format == FORMAT_TEXT && a->report_tty && !(no && *no);
}

static int write_report(FILE *out, const struct options *o, const struct report_input *in)
{
	int rc = o->format == FORMAT_JSON   ? report_json_write(out, in)
		 : o->format == FORMAT_HTML ? report_html_write(out, in)
		 : o->format == FORMAT_CSV  ? report_csv_write(out, in)
					    : report_text_write(out, in);

	if (fflush(out) != 0)
		rc = -1;
	return rc;
}

struct report_job {
	const struct options *o;
	const struct report_input *in;
};

static int report_job_write(FILE *out, void *ctx)
{
	const struct report_job *job = ctx;

	return write_report(out, job->o, job->in);
}

/*
 * A live audit's report (interim and final) replaces -o's file whole, so a
 * reader never sees half a report; without -o, interim reports go to stderr.
 */
static int write_report_replacing(struct audit *a, const struct report_input *in, char *errbuf, size_t errlen)
{
	struct report_job job = { .o = a->o, .in = in };

	if (!a->report)
		return write_report(a->report_fp, a->o, in);
	return outfile_rewrite(a->report, report_job_write, &job, errbuf, errlen);
}

/*
 * Fold what shards 1.. found into shard 0, and sum the figures the report
 * gives, with every worker idle (workers_sync or stopped). Shard 0's
 * findings, summary and baseline are then the audit's. Before the final
 * merge the flows still live were finished and the refused attempts
 * judged; an interim report (in its forked child) merges what was judged
 * so far.
 */
static void shards_merge(struct audit *a)
{
	struct shard *s0 = &a->shards[0];
	int k;

	for (k = 1; k < a->nshards; k++) {
		struct shard *sh = &a->shards[k];

		findings_merge(s0->findings, sh->findings);
		evidence_merge(s0->evidence, sh->evidence);
		summary_merge(&s0->summary, &sh->summary);
		if (sh->baseline && s0->baseline)
			baseline_absorb(s0->baseline, sh->baseline);
	}
}

/* The figures the report gives, summed over the shards. */
static void shards_sum(struct audit *a)
{
	int k;
	size_t i;

	memset(&a->table, 0, sizeof(a->table));
	memset(&a->inspect, 0, sizeof(a->inspect));
	a->decode[DECODE_OK] = 0;
	for (k = 0; k < a->nshards; k++) {
		struct shard *sh = &a->shards[k];
		struct flow_table_stats t;

		tracker_stats(sh->tracker, &t);
		a->table.flows += t.flows;
		a->table.live += t.live;
		a->table.peak_live += t.peak_live;	/* each worker's peak: an upper bound of the whole's */
		a->table.evicted += t.evicted;
		a->table.reused += t.reused;
		a->table.fragments += t.fragments;
		a->table.fragment_orphans += t.fragment_orphans;
		a->table.icmp_errors_matched += t.icmp_errors_matched;
		a->decode[DECODE_OK] += sh->decoded;
		if (sh->inspect) {
			const struct inspect_stats *st = inspect_stats(sh->inspect);
			const uint64_t *src = (const uint64_t *)st;
			uint64_t *dst = (uint64_t *)&a->inspect;

			_Static_assert(sizeof(struct inspect_stats) % sizeof(uint64_t) == 0, "inspect_stats: counters only");
			for (i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
				dst[i] += src[i];
		}
	}
}

static uint64_t shards_duplicates(const struct audit *a)
{
	uint64_t n = 0;
	int k;

	for (k = 0; k < a->nshards; k++)
		n += dedup_count(a->shards[k].dedup);
	return n;
}

static void report_input_fill(struct audit *a, struct report_input *ri, const struct capture_stats *cs)
{
	shards_sum(a);
	*ri = (struct report_input){ .mode = cs->live ? "live" : "offline", .filter = a->o->filter, .capture = cs,
				     .decode = a->decode, .health = &a->health, .table = &a->table,
				     .summary = &a->shards[0].summary, .rules = a->rules, .site = a->site,
				     .findings = a->shards[0].findings, .uid_seed = a->o->table.uid_seed,
				     .duplicates = shards_duplicates(a),
				     .inspect = a->shards[0].inspect ? &a->inspect : NULL, .live_flows = a->table.live,
				     .color = want_color(a), .csv_matrix = a->o->table_matrix,
				     .evidence = a->o->evidence && a->evidence.files ? &a->evidence : NULL };
}

/*
 * --evidence: the files, once the findings are finished (interim reports
 * too, from the buffers). A failure is a warning for an interim report,
 * the run's error line for the final one; the report is written anyway.
 */
static int write_evidence(struct audit *a, const struct capture_stats *cs, bool interim, char *errbuf, size_t errlen)
{
	const struct evidence_context ctx = { .findings = a->shards[0].findings, .rules = a->rules, .site = a->site,
					.capture = cs, .filter = a->o->filter, .decode_flags = a->decode_flags,
					.dedup_window_us = a->o->dedup_window_us, .vlan_key = a->o->table.vlan_key,
					.progress = !a->o->quiet && isatty(STDERR_FILENO), .interim = interim,
					.live_iface = cs->live ? a->o->iface : NULL };
	int rc;

	if (!a->o->evidence || !a->shards[0].evidence)
		return 0;
	evidence_result_free(&a->evidence);
	rc = evidence_write(a->shards[0].evidence, &ctx, &a->evidence, errbuf, errlen);
	a->evidence.href = evidence_href_from(a->o->output, a->o->evidence);
	return rc;
}

/* An interim report; with workers, in the forked child only (the merge consumes the shards' findings). */
static void write_interim(struct audit *a, const struct capture_stats *cs)
{
	struct report_input ri;
	struct findings *fd = a->shards[0].findings;

	shards_merge(a);
	findings_set_drops(fd, cs->dropped + cs->if_dropped);
	health_from_capture(a, cs);
	findings_set_health(fd, &a->health);
	findings_finish(fd, cs->first_us, cs->packets ? cs->last_us : cs->first_us);
	if (a->o->evidence) {
		char ebuf[512];

		if (write_evidence(a, cs, true, ebuf, sizeof(ebuf)) != 0) {
			fputs("flowaudit: warning: interim evidence: ", stderr);
			report_text_safe(stderr, ebuf);
			fputc('\n', stderr);
		}
	}
	report_input_fill(a, &ri, cs);
	ri.interim = true;
	if (a->report && !outfile_is_stdout(a->report)) {
		char ebuf[512];

		if (write_report_replacing(a, &ri, ebuf, sizeof(ebuf)) != 0) {
			fputs("flowaudit: warning: interim report: ", stderr);
			report_text_safe(stderr, ebuf);
			fputc('\n', stderr);
		}
	} else {
		write_report(stderr, a->o, &ri);
	}
}

/* Wait for the interim report being written, if any (before the final one replaces -o's file). */
static void interim_wait(struct audit *a)
{
	if (a->report_child > 0)
		waitpid(a->report_child, NULL, 0);
	a->report_child = 0;
}

/*
 * SIGHUP or --report-interval: the findings so far, without stopping.
 * Built in a child process, from a copy-on-write snapshot of the audit, so
 * the capture loop goes on reading packets meanwhile (inline, a report of a
 * few hundred thousand flows stalled it for about a second). The child
 * ignores the stop signals, runs at a lower priority, writes, and leaves
 * with _exit (the parent's stdio buffers, the conn log's among them, are the
 * parent's to flush). A report due while the last one is still being
 * written is skipped; without fork, it is written inline as before.
 */
static void on_interim(void *ctx, const struct capture_stats *cs)
{
	struct audit *a = ctx;
	pid_t pid;

	if (a->report_child > 0) {
		if (waitpid(a->report_child, NULL, WNOHANG) == 0)
			return;	/* the previous report is still being written: skip this one */
		a->report_child = 0;
	}
	a->interim_reports++;
	if (a->workers)
		workers_sync(a->workers);	/* every worker idle: the child's copy of their states is whole */
	fflush(NULL);	/* a live conn log is flushed after every flow already (conn_log_open) */
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		/* The capture loop comes first: on a busy sensor the report may take a little longer. */
		if (nice(10) == -1)
			errno = 0;
		write_interim(a, cs);
		fflush(NULL);	/* only the report: every inherited buffer was flushed before the fork */
		_exit(0);
	}
	if (pid < 0 && a->nshards == 1)
		write_interim(a, cs);
	else if (pid < 0)
		fputs("flowaudit: warning: interim report skipped: cannot fork to write it\n", stderr);
	else
		a->report_child = pid;
}

static int findings_status(const struct options *o, const struct findings *fd)
{
	int k;

	for (k = 0; k < FK_COUNT; k++)
		if ((o->fail_on & (1u << k)) && findings_count(fd, (enum finding_kind)k))
			return EXIT_FINDINGS;
	return EXIT_OK;
}

/*
 * The first damaged input, with where the damage is ("at byte N, after K
 * packets: what libpcap said"), on the one error line; before it, a warning
 * for each file whose records libpcap read cut to its snaplen.
 */
static void damage_line(const struct capture_stats *cs, char *errbuf, size_t errlen)
{
	int i;

	if (cs->skipped_files)
		fprintf(stderr, "flowaudit: warning: %d %s in the folder(s) given with -r %s not a capture and %s "
			"skipped\n", cs->skipped_files, report_plural((uint64_t)cs->skipped_files, "file", "files"),
			cs->skipped_files == 1 ? "is" : "are", cs->skipped_files == 1 ? "was" : "were");

	for (i = 0; i < cs->ninputs; i++)
		if (cs->inputs[i].cut) {
			fputs("flowaudit: warning: ", stderr);
			report_text_safe(stderr, strcmp(cs->inputs[i].path, "-") ? cs->inputs[i].path : "standard input");
			fprintf(stderr, ": %llu records longer than the file's snaplen of %u (the first at byte %lld) were "
				"read cut to it, as libpcap reads them\n", (unsigned long long)cs->inputs[i].cut,
				cs->inputs[i].snaplen, (long long)cs->inputs[i].cut_at);
		}
	for (i = 0; i < cs->ninputs; i++)
		if (cs->inputs[i].unsupported) {
			fputs("flowaudit: warning: ", stderr);
			report_text_safe(stderr, strcmp(cs->inputs[i].path, "-") ? cs->inputs[i].path : "standard input");
			fprintf(stderr, ": %llu packets on interfaces of link type %s (%d), which flowaudit does not decode, "
				"were skipped\n", (unsigned long long)cs->inputs[i].unsupported,
				decode_link_name(cs->inputs[i].unsupported_dlt), cs->inputs[i].unsupported_dlt);
		}
	for (i = 0; i < cs->ninputs; i++)
		if (cs->inputs[i].damage[0]) {
			snprintf(errbuf, errlen, "%s: damaged %s; the report covers what was read before it",
				 strcmp(cs->inputs[i].path, "-") ? cs->inputs[i].path : "standard input",
				 cs->inputs[i].damage);
			return;
		}
}

static void shard_free(struct shard *sh)
{
	size_t i;

	if (sh->inspect)
		flow_table_foreach(tracker_table(sh->tracker), inspect_release, sh->inspect);	/* handshake buffers */
	if (sh->evidence) {
		flow_table_foreach(tracker_table(sh->tracker), evidence_release, NULL);	/* a run that failed */
		for (i = 0; i < sh->ndeferred; i++)
			evidence_release(&sh->deferred[i], NULL);
	}
	evidence_free(sh->evidence);
	tracker_free(sh->tracker);
	free(sh->deferred);
	classify_free(sh->classifier);
	host_ttl_free(sh->host_ttl);
	findings_free(sh->findings);
	if (sh->baseline != sh->a->baseline)
		baseline_free(sh->baseline);
	summary_free(&sh->summary);
	dedup_free(sh->dedup);
	json_free(&sh->line);
}

/* Whatever output is still open belongs to a run that failed: it is dropped and the old files stay. */
static void audit_free(struct audit *a)
{
	int k;

	workers_stop(a->workers);	/* a run that failed early: its threads end here */
	a->workers = NULL;
	conn_log_abort(a->log);
	a->log = NULL;
	outfile_abort(a->report);
	a->report = NULL;
	for (k = 0; k < a->nshards; k++)
		shard_free(&a->shards[k]);
	/* after everything that keeps flows: they point at the evidence and uids these hold */
	for (k = 0; k < a->nshards; k++) {
		inspect_free(a->shards[k].inspect);
		strtab_free(a->shards[k].tunnel_uids);
	}
	free(a->shards);
	a->shards = NULL;
	a->nshards = 0;
	evidence_budget_free(a->evidence_budget);
	a->evidence_budget = NULL;
	evidence_result_free(&a->evidence);
	if (a->own_site) {
		site_free(a->own_site);
		free(a->own_site);
	}
	rules_free(&a->own_rules);
}

static void shard_init(struct audit *a, struct shard *sh, const struct flow_table_config *tcfg)
{
	const struct options *o = a->o;

	sh->a = a;
	summary_init(&sh->summary);
	json_init(&sh->line);
	sh->classifier = classify_new(a->rules, a->site, o->pending_window_us);
	sh->findings = findings_new(a->rules, a->site);
	findings_set_uid_seed(sh->findings, o->table.uid_seed);
	sh->tracker = tracker_new(tcfg, (const uint8_t(*)[PORTSET_BYTES])a->server_ports, on_flow_done, sh);
	sh->host_ttl = host_ttl_new(1u << 20);
	tracker_set_host_ttl(sh->tracker, sh->host_ttl);
	classify_set_host_ttl(sh->classifier, sh->host_ttl);
	if (!o->no_inspect) {
		struct inspect_config icfg;
		struct tracker_hooks hooks;

		inspect_config_defaults(&icfg);
		sh->inspect = inspect_new(&icfg);
		inspect_tracker_hooks(sh->inspect, &hooks);
		tracker_set_hooks(sh->tracker, &hooks);
	}
	sh->dedup = dedup_new(o->dedup_window_us);
	sh->tunnel_uids = strtab_new(AUDIT_TUNNEL_UIDS_MAX);
	if (o->evidence) {
		struct evidence_config ecfg = { .dir = o->evidence, .max_flows = o->evidence_flows,
						.max_packets = o->evidence_packets, .buffered = a->evidence_buffered };

		sh->evidence = evidence_new(&ecfg, a->evidence_budget, o->table.uid_seed);
	}
}

/* Live, or an input that cannot be read a second time (standard input, a FIFO): evidence from buffers. */
static bool evidence_needs_buffers(const struct options *o)
{
	struct stat st;
	int i;

	if (o->iface)
		return true;
	for (i = 0; i < o->ninputs; i++)
		if (!strcmp(o->inputs[i], "-") || stat(o->inputs[i], &st) != 0 ||
		    !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
			return true;
	return false;
}

/* --workers, or the online cores (at most OPTIONS_WORKERS_DEFAULT_MAX); 1 keeps one thread. */
static int workers_wanted(const struct options *o)
{
	long n;

	if (o->workers > 0)
		return o->workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > OPTIONS_WORKERS_DEFAULT_MAX ? OPTIONS_WORKERS_DEFAULT_MAX : (int)n;
}

/* The shards, and with more than one the threads that run them (baseline: bl, or NULL). */
static void audit_start(struct audit *a, struct baseline *bl)
{
	int k, n = workers_wanted(a->o);
	void **states;
	struct flow_table_config tcfg = a->o->table;

	/* --max-flows bounds the whole: each worker keeps its share */
	if (tcfg.max_flows > 0)
		tcfg.max_flows = (tcfg.max_flows + (uint64_t)n - 1) / (uint64_t)n;
	a->baseline = bl;
	if (a->o->evidence) {
		a->evidence_buffered = evidence_needs_buffers(a->o);
		a->evidence_budget = evidence_budget_new((a->o->evidence_memory_mib ? a->o->evidence_memory_mib
									: EVIDENCE_MEMORY_MIB_DEFAULT) << 20);
	}
	a->nshards = n;
	a->shards = xcalloc((size_t)n, sizeof(*a->shards));
	for (k = 0; k < n; k++) {
		shard_init(a, &a->shards[k], &tcfg);
		if (bl)
			a->shards[k].baseline = k == 0 ? bl : baseline_new(baseline_granularity(bl));
	}
	states = xcalloc((size_t)n, sizeof(*states));
	for (k = 0; k < n; k++)
		states[k] = &a->shards[k];
	a->workers = workers_start(n, states, &shard_ops);
	free(states);
}

/*
 * The capture is over: every flow still live finishes (in its worker),
 * the hosts' TTLs of every worker are pooled, the refused attempts are
 * judged against them, and the shards are merged.
 */
static void audit_end(struct audit *a)
{
	struct shard *s0 = &a->shards[0];
	int k;

	workers_tick(a->workers, a->now_us);	/* every worker at the end's time */
	workers_stop(a->workers);
	a->workers = NULL;
	for (k = 1; k < a->nshards; k++) {
		host_ttl_merge(s0->host_ttl, a->shards[k].host_ttl);
		classify_set_host_ttl(a->shards[k].classifier, s0->host_ttl);
	}
	for (k = 0; k < a->nshards; k++) {
		a->shards[k].now_us = a->now_us;
		deferred_release(&a->shards[k], true);
	}
	shards_merge(a);
}

/*
 * Rules and site first: a bad one stops everything before any packet is
 * read. rs given: the caller's rules and site (site may be NULL) are used
 * as they are, and not freed.
 */
static int audit_setup(struct audit *a, const struct options *o, const struct rule_set *rs,
		       const struct site *site, char *errbuf, size_t errlen)
{
	struct load_error err;
	int unmatchable = 0;

	memset(a, 0, sizeof(*a));
	rules_init(&a->own_rules);
	if (rs) {
		a->rules = rs;
		a->site = site;
	} else {
		if (config_load(o, &a->own_rules, &a->own_site, warn_line, &unmatchable, &err) != 0) {
			audit_format_load_error(&err, errbuf, errlen);
			return -1;
		}
		a->rules = &a->own_rules;
		a->site = a->own_site;
	}
	if (a->site && a->site->nscope == 0) {
		fputs("flowaudit: warning: ", stderr);
		report_text_safe(stderr, a->site->file);
		fputs(": the site has no scope: nothing can be 'unexpected' (add scope: [PREFIX, ...])\n", stderr);
	}
	if (unmatchable && !o->quiet)
		fprintf(stderr, "flowaudit: note: %d rules of the selected matrices cannot match: the site defines "
			"none of their source or destination roles ('flowaudit rules check --site ...' lists them)\n",
			unmatchable);
	config_server_ports(a->rules, a->server_ports);
	a->decode_flags = o->no_decap ? DECODE_F_NO_DECAP : 0;
	a->o = o;
	a->report_fp = stderr;
	return 0;
}

static int64_t wall_clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int run_capture(struct audit *a, const struct options *o, struct capture_stats *cs, char *errbuf,
		       size_t errlen)
{
	bool progress = !o->quiet && isatty(STDERR_FILENO);

	if (o->iface) {
		struct capture_live_config lc = {
			.iface = o->iface, .filter = o->filter, .snaplen = o->snaplen, .promisc = !o->no_promisc,
			.buffer_mib = o->buffer_mib, .duration_us = o->duration_us,
			.report_interval_us = o->report_interval_us, .drop_user = o->drop_user, .progress = progress,
			.ready = on_ready,
		};

		return capture_run_live(&lc, on_packet, on_tick, on_interim, live_flows, a, cs, errbuf, errlen);
	} else {
		struct capture_config cc = { .paths = o->inputs, .npaths = o->ninputs, .filter = o->filter,
					     .progress = progress, .ready = on_ready };

		return capture_run_offline(&cc, on_packet, live_flows, a, cs, errbuf, errlen);
	}
}

/* The report, whole, where it goes; a write error is the run's one error line. */
static int write_final_report(struct audit *a, const struct report_input *ri, char *errbuf, size_t errlen)
{
	struct outfile *of = a->report;
	int rc;

	if (!of) {
		if (write_report(a->report_fp, a->o, ri) == 0)
			return 0;
		snprintf(errbuf, errlen, "standard error: cannot write the report");
		return -1;
	}
	if (a->o->iface) {
		rc = write_report_replacing(a, ri, errbuf, errlen);
	} else {
		rc = write_report(outfile_stream(of), a->o, ri);
		if (rc != 0 && !outfile_error(of))
			snprintf(errbuf, errlen, "%s: cannot write the report", outfile_name(of));
	}
	a->report = NULL;
	if (rc != 0 && !outfile_error(of)) {
		outfile_abort(of);
		return -1;
	}
	return outfile_commit(of, errbuf, errlen) != 0 || rc != 0 ? -1 : 0;
}

static int run_audit(const struct options *o, const struct rule_set *rs, const struct site *site, char *errbuf,
		     size_t errlen)
{
	struct audit a;
	struct capture_stats cs;
	struct report_input ri;
	struct findings *fd;
	int rc, status;

	memset(&cs, 0, sizeof(cs));
	if (audit_setup(&a, o, rs, site, errbuf, errlen) != 0) {
		audit_free(&a);
		return EXIT_TROUBLE;
	}
	a.report_wanted = true;
	audit_start(&a, NULL);
	rc = run_capture(&a, o, &cs, errbuf, errlen);
	interim_wait(&a);
	if (rc < 0) {
		status = EXIT_TROUBLE;
		goto done;
	}
	if (cs.live)
		on_tick(&a, wall_clock_us());	/* a live capture ends now, not at its last packet */
	audit_end(&a);
	fd = a.shards[0].findings;
	findings_set_drops(fd, cs.dropped + cs.if_dropped);
	health_from_capture(&a, &cs);
	findings_set_health(fd, &a.health);
	if (!cs.live)
		findings_set_covered(fd, cs.covered_us);
	findings_finish(fd, cs.live ? cs.started_us : cs.first_us, cs.live ? cs.stopped_us : cs.last_us);
	status = findings_status(o, fd);
	if (!cs.live)
		damage_line(&cs, errbuf, errlen);
	if (rc > 0)
		status = EXIT_TROUBLE;
	if (a.log && conn_log_close(a.log, errbuf, errlen) != 0)
		status = EXIT_TROUBLE;
	a.log = NULL;
	if (o->evidence) {
		char ebuf[512];

		if (write_evidence(&a, &cs, false, ebuf, sizeof(ebuf)) != 0) {
			if (status != EXIT_TROUBLE)
				snprintf(errbuf, errlen, "%s", ebuf);
			status = EXIT_TROUBLE;
		}
	}
	report_input_fill(&a, &ri, &cs);
	if (write_final_report(&a, &ri, errbuf, errlen) != 0)
		status = EXIT_TROUBLE;
done:
	audit_free(&a);
	capture_stats_free(&cs);
	return status;
}

int audit_run(const struct options *o, char *errbuf, size_t errlen)
{
	return run_audit(o, NULL, NULL, errbuf, errlen);
}

int audit_run_loaded(const struct options *o, const struct rule_set *rs, const struct site *site, char *errbuf,
		     size_t errlen)
{
	return run_audit(o, rs, site, errbuf, errlen);
}

void audit_kept_free(struct audit_kept *k)
{
	if (!k)
		return;
	evidence_free(k->evidence);
	evidence_budget_free(k->budget);
	capture_stats_free(&k->capture);
	memset(k, 0, sizeof(*k));
}

int audit_collect(const struct options *o, struct baseline *bl, struct audit_kept *kept, char *errbuf, size_t errlen)
{
	struct audit a;
	struct capture_stats cs;
	const char **names;
	int i, rc, status = EXIT_OK;

	memset(&cs, 0, sizeof(cs));
	if (audit_setup(&a, o, NULL, NULL, errbuf, errlen) != 0) {
		audit_free(&a);
		return EXIT_TROUBLE;
	}
	a.evidence_by_path = true;
	audit_start(&a, bl);
	rc = run_capture(&a, o, &cs, errbuf, errlen);
	interim_wait(&a);
	if (rc >= 0) {
		struct baseline_capture bc;

		if (cs.live)
			on_tick(&a, wall_clock_us());
		audit_end(&a);
		names = xcalloc((size_t)cs.ninputs + 1, sizeof(*names));
		for (i = 0; i < cs.ninputs; i++)
			names[i] = cs.inputs[i].path;
		bc = (struct baseline_capture){ .inputs = names, .ninputs = cs.ninputs, .live = cs.live,
						.first_us = cs.live ? cs.started_us : cs.first_us,
						.last_us = cs.live ? cs.stopped_us : cs.last_us,
						.packets = cs.packets, .dropped = cs.dropped + cs.if_dropped,
						.duplicates = shards_duplicates(&a),
						.site_name = a.site ? a.site->name : NULL };
		baseline_finish(bl, &bc, a.rules, a.site);
		free(names);
		if (!cs.live)
			damage_line(&cs, errbuf, errlen);
		if (rc > 0)
			status = EXIT_TROUBLE;
		if (kept && a.shards[0].evidence) {
			kept->evidence = a.shards[0].evidence;
			a.shards[0].evidence = NULL;
			kept->budget = a.evidence_budget;
			a.evidence_budget = NULL;
			kept->capture = cs;
			memset(&cs, 0, sizeof(cs));
			kept->decode_flags = a.decode_flags;
		}
	} else {
		status = EXIT_TROUBLE;
	}
	if (a.log && conn_log_close(a.log, errbuf, errlen) != 0)
		status = EXIT_TROUBLE;
	a.log = NULL;
	audit_free(&a);
	capture_stats_free(&cs);
	return status;
}
