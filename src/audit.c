/* audit: the pipeline, wired: capture -> decode -> flow table -> classify -> findings, conn log -> report */
#include "audit.h"

#include "baseline.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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
#include "findings.h"
#include "outfile.h"
#include "flow_table.h"
#include "host_ttl.h"
#include "inspect.h"
#include "report.h"
#include "summary.h"
#include "xalloc.h"

struct audit {
	struct flow_table *table;
	struct conn_log *log;
	struct summary summary;
	const struct rule_set *rules;	/* own_rules, or a caller's (audit_run_loaded) */
	const struct site *site;	/* own_site, or a caller's; NULL without a site */
	struct rule_set own_rules;
	struct site *own_site;
	struct classifier *classifier;
	struct findings *findings;
	struct dedup *dedup;
	struct inspect *inspect;	/* NULL with --no-inspect */
	struct host_ttl *host_ttl;	/* each host's TTL at the capture point: who sent a RST */
	struct flow *deferred;		/* REJ flows whose responder's TTL is not known yet, oldest first */
	size_t ndeferred, deferred_cap;
	unsigned decode_flags;
	int64_t now_us;			/* newest packet (or, live, clock) time so far */
	uint64_t decode[DECODE_ERROR_COUNT];
	struct capture_health health;	/* what could not be read, by kind */
	struct strtab *tunnel_uids;	/* outer tunnel flows' uids, for their inner flows' tunnel_parents */
	uint64_t tunnel_last_seq;	/* the last outer flow's uid_seq and its interned uid */
	const char *tunnel_last_uid;
	const struct options *o;
	struct baseline *baseline;	/* baseline save / diff: the paths are collected here */
	bool report_wanted;		/* an audit (not a baseline): its report goes out */
	struct outfile *report;		/* -o, or standard output; opened when the inputs are */
	FILE *report_fp;		/* without report: stderr (the conn log is on stdout, or interim reports) */
	bool report_tty;		/* the report goes to a terminal */
	unsigned interim_reports;
	pid_t report_child;		/* the process writing an interim report, or 0 */
};

static void flow_judged(struct audit *a, const struct flow *f, const struct classification *cls)
{
	struct finding_ids ids;

	findings_add(a->findings, f, cls, &ids);
	if (a->baseline)
		baseline_add(a->baseline, f, cls, a->rules);
	if (a->log)
		conn_log_write(a->log, f, cls, a->rules, &ids);
	summary_add_flow(&a->summary, f);
}

/*
 * A RST answering a SYN is told from the host or from the path by the
 * host's TTL in its other packets, which may come later in the capture
 * than the refused attempt: such a flow waits (a copy, at most
 * AUDIT_DEFERRED_MAX of them) until its host has been seen, or offline the
 * end, live AUDIT_DEFERRED_US of capture time.
 */
enum { AUDIT_DEFERRED_MAX = 65536 };
#define AUDIT_DEFERRED_US (60 * 1000000LL)

static void deferred_release(struct audit *a, bool all)
{
	size_t i, kept = 0;

	for (i = 0; i < a->ndeferred; i++) {
		struct flow *f = &a->deferred[i];
		struct classification cls;

		if (!all && host_ttl_matches(a->host_ttl, f->orig.family, f->orig.dst, f->first_ttl[1]) < 0 &&
		    a->now_us - f->last_us < AUDIT_DEFERRED_US) {
			a->deferred[kept++] = *f;
			continue;
		}
		classify_flow(a->classifier, f, a->now_us, &cls);
		flow_judged(a, f, &cls);
	}
	a->ndeferred = kept;
}

/* Outer tunnel flows' uids kept for tunnel_parents; past it, inner flows go without (about 400,000 tunnels). */
enum { AUDIT_TUNNEL_UIDS_MAX = 16 << 20 };

/* Every flow that leaves the table passes here exactly once. */
static void on_flow_done(const struct flow *f, void *ctx)
{
	struct audit *a = ctx;
	struct classification cls;

	classify_flow(a->classifier, f, a->now_us, &cls);
	if (cls.verdict == V_BLOCKED && cls.reason == R_RST && a->ndeferred < AUDIT_DEFERRED_MAX) {
		if (a->ndeferred == a->deferred_cap) {
			a->deferred_cap = a->deferred_cap ? 2 * a->deferred_cap : 64;
			a->deferred = xrealloc(a->deferred, a->deferred_cap * sizeof(*a->deferred));
		}
		a->deferred[a->ndeferred++] = *f;
		return;
	}
	flow_judged(a, f, &cls);
}

/*
 * The outer connection of the tunnel a packet came out of is a flow of its
 * own, as Zeek logs it (its inner flows name it in tunnel_parents). Returns
 * its uid, interned for the audit's lifetime, or NULL when it could not be
 * kept. The last one is remembered: a tunnel's packets come in runs.
 */
static const char *tunnel_outer_flow(struct audit *a, const struct packet *pkt)
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
	if (!(f = flow_table_packet(a->table, &op)))
		return NULL;
	f->tunnel = pkt->tunnel;
	f->tunnel_mirror = pkt->outer.mirror;
	if (a->tunnel_last_uid && a->tunnel_last_seq == f->uid_seq)
		return a->tunnel_last_uid;
	flow_uid(f, a->o->table.seed, uid);
	a->tunnel_last_seq = f->uid_seq;
	a->tunnel_last_uid = strtab_str(a->tunnel_uids, uid);
	return a->tunnel_last_uid;
}

static void on_packet(void *ctx, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes)
{
	struct audit *a = ctx;
	struct packet pkt;
	enum decode_error e;

	memset(&pkt, 0, sizeof(pkt));
	pkt.ts_us = capture_ts_us(&h->ts);
	pkt.wire_len = h->len;
	pkt.cap_len = h->caplen;
	if (pkt.ts_us > a->now_us)
		a->now_us = pkt.ts_us;
	e = decode_frame_ex(dlt, bytes, h->caplen, &pkt, a->decode_flags);
	health_note(&a->health, e, pkt.not_ip);
	if (pkt.note && pkt.note < DECODE_ERROR_COUNT)
		a->decode[pkt.note]++;
	if (e == DECODE_OTHER_PROTO) {
		/* GRE, ESP, OSPF, VRRP ...: a flow by addresses and protocol, as Zeek 7.1 logs unknown_transport */
		a->decode[DECODE_OTHER_PROTO]++;
		if (!dedup_check(a->dedup, &pkt))
			flow_table_packet(a->table, &pkt);
		return;
	}
	if (e != DECODE_OK) {
		a->decode[e < DECODE_ERROR_COUNT ? e : DECODE_LINK_TRUNCATED]++;
		if (pkt.tunnel && pkt.outer.valid)
			tunnel_outer_flow(a, &pkt);	/* the tunnel carried it, whatever it was */
		return;
	}
	flow_table_prefetch(a->table, &pkt);	/* its cache miss overlaps the duplicate check */
	if (dedup_check(a->dedup, &pkt))
		return;
	a->decode[DECODE_OK]++;
	if (pkt.tunnel && pkt.outer.valid) {
		const char *parent = tunnel_outer_flow(a, &pkt);
		struct flow *f = flow_table_packet(a->table, &pkt);

		if (f && parent && f->tunnel_parent[0] != parent && f->tunnel_parent[1] != parent)
			f->tunnel_parent[f->tunnel_parent[0] ? 1 : 0] = parent;	/* a third stays unnamed */
		return;
	}
	flow_table_packet(a->table, &pkt);
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

/* Live: no packet for a while; time still passes for the flow table. */
static void on_tick(void *ctx, int64_t now_us)
{
	struct audit *a = ctx;

	if (now_us > a->now_us)
		a->now_us = now_us;
	flow_table_advance(a->table, a->now_us);
	if (a->ndeferred)
		deferred_release(a, false);
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

	if (o->conn_log && !(a->log = conn_log_open(o->conn_log, live, o->table.seed, errbuf, errlen)))
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

static void report_input_fill(struct audit *a, struct report_input *ri, const struct capture_stats *cs)
{
	*ri = (struct report_input){ .mode = cs->live ? "live" : "offline", .filter = a->o->filter, .capture = cs,
				     .decode = a->decode, .health = &a->health, .table = flow_table_stats(a->table),
				     .summary = &a->summary, .rules = a->rules, .site = a->site,
				     .findings = a->findings, .uid_seed = a->o->table.seed,
				     .duplicates = dedup_count(a->dedup),
				     .inspect = a->inspect ? inspect_stats(a->inspect) : NULL, .live_flows = flow_table_stats(a->table)->live,
				     .color = want_color(a), .csv_matrix = a->o->table_matrix };
}

static void write_interim(struct audit *a, const struct capture_stats *cs)
{
	struct report_input ri;

	findings_set_drops(a->findings, cs->dropped + cs->if_dropped);
	health_from_capture(a, cs);
	findings_set_health(a->findings, &a->health);
	findings_finish(a->findings, cs->first_us, cs->packets ? cs->last_us : cs->first_us);
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
	if (pid < 0)
		write_interim(a, cs);
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

/* Whatever output is still open belongs to a run that failed: it is dropped and the old files stay. */
static void audit_free(struct audit *a)
{
	conn_log_abort(a->log);
	a->log = NULL;
	outfile_abort(a->report);
	a->report = NULL;
	flow_table_free(a->table);
	strtab_free(a->tunnel_uids);
	a->tunnel_uids = NULL;
	free(a->deferred);
	a->deferred = NULL;
	a->ndeferred = 0;
	classify_free(a->classifier);
	host_ttl_free(a->host_ttl);
	findings_free(a->findings);
	inspect_free(a->inspect);	/* after everything that keeps flows: they point at its evidence */
	dedup_free(a->dedup);
	summary_free(&a->summary);
	if (a->own_site) {
		site_free(a->own_site);
		free(a->own_site);
	}
	rules_free(&a->own_rules);
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
	summary_init(&a->summary);
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
	a->classifier = classify_new(a->rules, a->site, o->pending_window_us);
	a->findings = findings_new(a->rules, a->site);
	findings_set_uid_seed(a->findings, o->table.seed);
	a->table = flow_table_new(&o->table, on_flow_done, a);
	a->host_ttl = host_ttl_new(1u << 20);
	flow_table_set_host_ttl(a->table, a->host_ttl);
	classify_set_host_ttl(a->classifier, a->host_ttl);
	if (!o->no_inspect) {
		struct inspect_config icfg;

		inspect_config_defaults(&icfg);
		a->inspect = inspect_new(&icfg);
		flow_table_set_inspect(a->table, a->inspect);
	}
	a->dedup = dedup_new(o->dedup_window_us);
	a->decode_flags = o->no_decap ? DECODE_F_NO_DECAP : 0;
	a->tunnel_uids = strtab_new(AUDIT_TUNNEL_UIDS_MAX);
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
	int rc, status;

	memset(&cs, 0, sizeof(cs));
	if (audit_setup(&a, o, rs, site, errbuf, errlen) != 0) {
		audit_free(&a);
		return EXIT_TROUBLE;
	}
	a.report_wanted = true;
	rc = run_capture(&a, o, &cs, errbuf, errlen);
	interim_wait(&a);
	if (rc < 0) {
		status = EXIT_TROUBLE;
		goto done;
	}
	if (cs.live)
		on_tick(&a, wall_clock_us());	/* a live capture ends now, not at its last packet */
	flow_table_flush(a.table);
	deferred_release(&a, true);
	findings_set_drops(a.findings, cs.dropped + cs.if_dropped);
	health_from_capture(&a, &cs);
	findings_set_health(a.findings, &a.health);
	if (!cs.live)
		findings_set_covered(a.findings, cs.covered_us);
	findings_finish(a.findings, cs.live ? cs.started_us : cs.first_us, cs.live ? cs.stopped_us : cs.last_us);
	status = findings_status(o, a.findings);
	if (!cs.live)
		damage_line(&cs, errbuf, errlen);
	if (rc > 0)
		status = EXIT_TROUBLE;
	if (a.log && conn_log_close(a.log, errbuf, errlen) != 0)
		status = EXIT_TROUBLE;
	a.log = NULL;
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

int audit_collect(const struct options *o, struct baseline *bl, char *errbuf, size_t errlen)
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
	a.baseline = bl;
	rc = run_capture(&a, o, &cs, errbuf, errlen);
	interim_wait(&a);
	if (rc >= 0) {
		struct baseline_capture bc;

		if (cs.live)
			on_tick(&a, wall_clock_us());
		flow_table_flush(a.table);
		deferred_release(&a, true);
		names = xcalloc((size_t)cs.ninputs + 1, sizeof(*names));
		for (i = 0; i < cs.ninputs; i++)
			names[i] = cs.inputs[i].path;
		bc = (struct baseline_capture){ .inputs = names, .ninputs = cs.ninputs, .live = cs.live,
						.first_us = cs.live ? cs.started_us : cs.first_us,
						.last_us = cs.live ? cs.stopped_us : cs.last_us,
						.packets = cs.packets, .dropped = cs.dropped + cs.if_dropped,
						.duplicates = dedup_count(a.dedup),
						.site_name = a.site ? a.site->name : NULL };
		baseline_finish(bl, &bc, a.rules, a.site);
		free(names);
		if (!cs.live)
			damage_line(&cs, errbuf, errlen);
		if (rc > 0)
			status = EXIT_TROUBLE;
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
