/* capture_live: a live capture on one interface: open, drop privileges, signals, the dispatch loop */
#include "capture.h"
#include "capture_internal.h"

#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "privdrop.h"
#include "report.h"
#include "xalloc.h"

enum {
	LIVE_TIMEOUT_MS = 250,	/* the loop wakes at least this often, so a quiet port still ticks */
	LIVE_BATCH = 256,	/* packets per dispatch, so clocks and flags are checked under load too */
};

#define LIVE_TICK_US 1000000		/* tick() at least this often */
#define LIVE_PROGRESS_US 5000000	/* the progress line at most this often */
#define LIVE_DRAIN_US 1000000		/* reading what is left in the ring at the stop takes at most this */

/*
 * The signal handlers only set these and break the loop; everything else
 * happens in the loop. SIGINT/SIGTERM store their number in live_stop,
 * SIGHUP asks for an interim report.
 */
static volatile sig_atomic_t live_stop;
static volatile sig_atomic_t live_report_due;
static pcap_t *volatile live_handle;

static const int live_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define LIVE_NSIGNALS (sizeof(live_signals) / sizeof(live_signals[0]))

/* What the packet callback and the loop share. */
struct live_run {
	pcap_t *p;
	int dlt;
	capture_packet_fn fn;
	void *ctx;
	struct capture_stats *st;
	struct pcap_stat raw;	/* pcap_stats' previous values: u_int counters that wrap */
	int64_t progress_at;	/* monotonic time of the last progress line, 0 = none shown */
	uint64_t progress_packets;
};

static int64_t live_clock_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void live_on_stop(int sig)
{
	live_stop = sig;
	if (live_handle)
		pcap_breakloop(live_handle);
}

static void live_on_hup(int sig)
{
	(void)sig;
	live_report_due = 1;
	if (live_handle)
		pcap_breakloop(live_handle);
}

/* No SA_RESTART: a signal must end the wait for packets (our poll(), libpcap's), not restart it. */
static void live_signals_install(pcap_t *p)
{
	struct sigaction sa;
	size_t i;

	live_stop = 0;
	live_report_due = 0;
	live_handle = p;
	for (i = 0; i < LIVE_NSIGNALS; i++) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = live_signals[i] == SIGHUP ? live_on_hup : live_on_stop;
		sigemptyset(&sa.sa_mask);
		sigaction(live_signals[i], &sa, NULL);
	}
}

/*
 * The handlers stay installed after the capture: they only set a flag, and
 * a second SIGINT (a user pressing Ctrl-C twice, timeout(1) signalling the
 * process and its group) must not kill the program while it writes the
 * final report. Only the handle goes, before it is closed.
 */
static void live_signals_release(void)
{
	live_handle = NULL;
}

/* One line per activation failure; warnings (no promiscuous mode, ...) are not failures. */
static void live_activate_error(pcap_t *p, const char *iface, int rc, char *errbuf, size_t errlen)
{
	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(errbuf, errlen, "%s: no such interface", iface);
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(errbuf, errlen, "%s: the interface is down", iface);
		break;
	case PCAP_ERROR_PERM_DENIED:
		snprintf(errbuf, errlen, "%s: permission denied (capturing needs root or CAP_NET_RAW)", iface);
		break;
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		snprintf(errbuf, errlen, "%s: permission denied for promiscuous mode (try -p)", iface);
		break;
	default:
		snprintf(errbuf, errlen, "%s: cannot capture: %s", iface,
			 *pcap_geterr(p) ? pcap_geterr(p) : pcap_statustostr(rc));
		break;
	}
}

static int live_set_filter(pcap_t *p, const char *iface, const char *filter, char *errbuf, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	bpf_u_int32 net, mask = PCAP_NETMASK_UNKNOWN;
	struct bpf_program prog;

	/* The netmask only matters for 'ip broadcast'; "any" and address-less interfaces have none. */
	if (pcap_lookupnet(iface, &net, &mask, perr) != 0)
		mask = PCAP_NETMASK_UNKNOWN;
	if (pcap_compile(p, &prog, filter, 1, mask) != 0) {
		snprintf(errbuf, errlen, "bad filter '%s': %s", filter, pcap_geterr(p));
		return -1;
	}
	if (pcap_setfilter(p, &prog) != 0) {
		snprintf(errbuf, errlen, "%s: cannot apply filter: %s", iface, pcap_geterr(p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

/* Create, configure and activate the handle, check its link type, apply the filter. */
static pcap_t *live_open(const struct capture_live_config *cfg, char *errbuf, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	int64_t buffer = (int64_t)(cfg->buffer_mib > 0 ? cfg->buffer_mib : CAPTURE_BUFFER_MIB_DEFAULT) << 20;
	int rc, dlt;
	pcap_t *p;

	p = pcap_create(cfg->iface, perr);
	if (!p) {
		snprintf(errbuf, errlen, "%s: cannot capture: %s", cfg->iface, perr);
		return NULL;
	}
	pcap_set_snaplen(p, cfg->snaplen > 0 ? cfg->snaplen : CAPTURE_SNAPLEN_DEFAULT);
	/* "any" has no promiscuous mode (libpcap would only warn); the member interfaces keep theirs. */
	pcap_set_promisc(p, cfg->promisc && strcmp(cfg->iface, "any") != 0);
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, LIVE_TIMEOUT_MS);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
	if (buffer > 0)
		pcap_set_buffer_size(p, buffer > INT_MAX ? INT_MAX : (int)buffer);
	rc = pcap_activate(p);
	if (rc < 0) {
		live_activate_error(p, cfg->iface, rc, errbuf, errlen);
		pcap_close(p);
		return NULL;
	}
	dlt = pcap_datalink(p);
	if (!decode_link_supported(dlt)) {
		snprintf(errbuf, errlen, "%s: unsupported link type %s (%d)", cfg->iface, decode_link_name(dlt), dlt);
		pcap_close(p);
		return NULL;
	}
	if (cfg->filter && live_set_filter(p, cfg->iface, cfg->filter, errbuf, errlen) != 0) {
		pcap_close(p);
		return NULL;
	}
	/* The loop polls the descriptor itself (see live_loop). */
	if (pcap_setnonblock(p, 1, perr) != 0) {
		snprintf(errbuf, errlen, "%s: cannot capture: %s", cfg->iface, perr);
		pcap_close(p);
		return NULL;
	}
	return p;
}

static void live_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct live_run *run = (struct live_run *)user;

	capture_account(run->st, h);
	run->st->inputs[0].packets++;
	run->fn(run->ctx, run->dlt, h, bytes);
}

/* Kernel counters into stats; unsigned differences survive libpcap's 32-bit wrap. */
static void live_refresh_stats(struct live_run *run)
{
	struct capture_stats *st = run->st;
	struct pcap_stat ps;

	if (pcap_stats(run->p, &ps) != 0)
		return;
	st->received += (u_int)(ps.ps_recv - run->raw.ps_recv);
	st->dropped += (u_int)(ps.ps_drop - run->raw.ps_drop);
	st->if_dropped += (u_int)(ps.ps_ifdrop - run->raw.ps_ifdrop);
	run->raw = ps;
}

/* "IFACE: N packets, R pkt/s, D dropped, F flows live", rewritten in place. */
static void live_progress(struct live_run *run, int64_t now, int64_t since, uint64_t flows)
{
	const struct capture_stats *st = run->st;
	char pk[16], rate[16], dr[16], fl[16];
	double secs = (double)(now - since) / 1e6;

	live_refresh_stats(run);
	capture_human(pk, sizeof(pk), (double)st->packets);
	capture_human(rate, sizeof(rate), secs > 0 ? (double)(st->packets - run->progress_packets) / secs : 0);
	capture_human(dr, sizeof(dr), (double)(st->dropped + st->if_dropped));
	capture_human(fl, sizeof(fl), (double)flows);
	fputs("\r\033[K", stderr);
	report_text_safe(stderr, st->iface);
	fprintf(stderr, ": %s packets, %s pkt/s, %s dropped, %s flows live", pk, rate, dr, fl);
	fflush(stderr);
	run->progress_at = now;
	run->progress_packets = st->packets;
}

static void live_progress_clear(struct live_run *run)
{
	if (run->progress_at) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		run->progress_at = 0;
	}
}

/* The interface went away or the socket failed: say so in errbuf and, as for a damaged file, on the input. */
static void live_capture_error(struct live_run *run, const char *iface, char *errbuf, size_t errlen)
{
	struct capture_stats *st = run->st;

	snprintf(errbuf, errlen, "%s: %s", iface, pcap_geterr(run->p));
	snprintf(st->inputs[0].damage, sizeof(st->inputs[0].damage), "%s (after %llu packets)", pcap_geterr(run->p),
		 (unsigned long long)st->packets);
	st->damaged = 1;
	st->stopped_by = "error";
}

/* Milliseconds until the next thing the loop must do, at most LIVE_TIMEOUT_MS. */
static int live_wait_ms(int64_t now, const int64_t *due, int n)
{
	int64_t wait = (int64_t)LIVE_TIMEOUT_MS * 1000;
	int i;

	for (i = 0; i < n; i++)
		if (due[i] > 0 && due[i] - now < wait)
			wait = due[i] - now;
	return wait <= 0 ? 0 : (int)((wait + 999) / 1000);
}

/*
 * At the stop, packets the kernel already counted as received are still in
 * the ring: read them, so the audit covers what "received" says (a 60-minute
 * run at 50,000 pkt/s left about 3,000 unread). Non-blocking and bounded:
 * until a batch comes back short (the ring is empty; under load it refills,
 * but we read far faster than it fills), a second signal, or LIVE_DRAIN_US.
 * The first dispatch may return PCAP_ERROR_BREAK: the stopping signal's own
 * pcap_breakloop(), not yet consumed.
 */
static void live_drain(struct live_run *run)
{
	int64_t until = live_clock_us(CLOCK_MONOTONIC) + LIVE_DRAIN_US;
	int n = pcap_dispatch(run->p, LIVE_BATCH, live_packet, (u_char *)run);

	if (n == PCAP_ERROR_BREAK)
		n = LIVE_BATCH;
	while (n == LIVE_BATCH && live_clock_us(CLOCK_MONOTONIC) < until)
		n = pcap_dispatch(run->p, LIVE_BATCH, live_packet, (u_char *)run);
}

/*
 * The read loop; returns 0 when a signal or the duration stopped it, 1 on a
 * capture error. The handle is non-blocking and we poll() its descriptor
 * ourselves: since libpcap 1.10, a blocking pcap_dispatch() on Linux does not
 * return when its timeout expires with no packet (libpcap issue #1001), so a
 * quiet port would never reach the duration, tick or report checks. A signal
 * interrupts poll() (no SA_RESTART); one that lands just before it waits at
 * most LIVE_TIMEOUT_MS.
 */
static int live_loop(const struct capture_live_config *cfg, struct live_run *run, capture_tick_fn tick,
		     capture_report_fn report, capture_live_fn live, char *errbuf, size_t errlen)
{
	struct capture_stats *st = run->st;
	struct pollfd pfd = { .fd = pcap_get_selectable_fd(run->p), .events = POLLIN };
	int64_t now = live_clock_us(CLOCK_MONOTONIC), start = now, shown = now;
	int64_t due[3] = { /* end */ cfg->duration_us > 0 ? start + cfg->duration_us : 0,
			   /* tick */ tick ? start + LIVE_TICK_US : 0,
			   /* report */ cfg->report_interval_us > 0 ? start + cfg->report_interval_us : 0 };
	int n, rc = 0;

	for (;;) {
		n = pcap_dispatch(run->p, LIVE_BATCH, live_packet, (u_char *)run);
		if (n == PCAP_ERROR) {
			live_capture_error(run, cfg->iface, errbuf, errlen);
			rc = 1;
			break;
		}
		if (live_stop) {
			st->stopped_by = live_stop == SIGINT ? "SIGINT" : "SIGTERM";
			live_drain(run);
			break;
		}
		now = live_clock_us(CLOCK_MONOTONIC);
		if (due[0] && now >= due[0]) {
			st->stopped_by = "duration";
			live_drain(run);
			break;
		}
		if (due[1] && now >= due[1]) {
			tick(run->ctx, live_clock_us(CLOCK_REALTIME));
			due[1] = now + LIVE_TICK_US;
		}
		if (live_report_due || (due[2] && now >= due[2])) {
			live_report_due = 0;
			if (due[2])
				due[2] = now + cfg->report_interval_us;
			live_refresh_stats(run);
			live_progress_clear(run);
			if (report)
				report(run->ctx, st);
		}
		if (cfg->progress && now - shown >= LIVE_PROGRESS_US) {
			live_progress(run, now, shown, live ? live(run->ctx) : 0);
			shown = now;
		}
		/* A full batch: more is probably waiting. Otherwise sleep until a packet or the next due time. */
		if (n < LIVE_BATCH && !live_stop && !live_report_due)
			poll(&pfd, pfd.fd >= 0 ? 1 : 0, live_wait_ms(now, due, 3));
	}
	live_refresh_stats(run);
	live_progress_clear(run);
	return rc;
}

int capture_run_live(const struct capture_live_config *cfg, capture_packet_fn fn, capture_tick_fn tick,
		     capture_report_fn report, capture_live_fn live, void *ctx, struct capture_stats *st,
		     char *errbuf, size_t errlen)
{
	struct live_run run = { .fn = fn, .ctx = ctx, .st = st };
	const char *name;
	int rc;

	memset(st, 0, sizeof(*st));
	st->live = true;
	st->iface = cfg->iface;
	run.p = live_open(cfg, errbuf, errlen);
	if (!run.p)
		return -1;
	if (cfg->ready && cfg->ready(ctx, errbuf, errlen) != 0) {
		pcap_close(run.p);
		return -1;
	}
	/* Everything is open; from here on we need no privilege. */
	if (cfg->drop_user && privdrop_to(cfg->drop_user, errbuf, errlen) != 0) {
		pcap_close(run.p);
		return -1;
	}
	run.dlt = pcap_datalink(run.p);
	st->inputs = xcalloc(1, sizeof(*st->inputs));
	st->ninputs = 1;
	st->inputs[0].path = cfg->iface;
	st->inputs[0].dlt = run.dlt;
	live_signals_install(run.p);
	name = pcap_datalink_val_to_name(run.dlt);
	fputs("listening on ", stderr);
	report_text_safe(stderr, cfg->iface);
	fprintf(stderr, ", link-type %s (%s), snapshot length %d bytes\n", name ? name : "?", decode_link_name(run.dlt),
		pcap_snapshot(run.p));
	fflush(stderr);
	st->started_us = live_clock_us(CLOCK_REALTIME);
	rc = live_loop(cfg, &run, tick, report, live, errbuf, errlen);
	st->stopped_us = live_clock_us(CLOCK_REALTIME);
	live_signals_release();
	pcap_close(run.p);
	return rc;
}
