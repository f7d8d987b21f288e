/* capture: the packet sources (offline files now), filters and the read loop */
#include "capture.h"
#include "capture_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "xalloc.h"

struct progress {
	bool on;
	double start;
	double last;
	uint64_t last_packets;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void capture_human(char *out, size_t n, double v)
{
	if (v >= 1e9)
		snprintf(out, n, "%.1fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(out, n, "%.1fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(out, n, "%.1fk", v / 1e3);
	else
		snprintf(out, n, "%.0f", v);
}

/* One line on stderr, rewritten in place: position in the file, rate, live flows. */
static void progress_show(struct progress *pg, pcap_t *p, const struct capture_input *in,
			  const struct capture_stats *st, uint64_t live)
{
	char pk[16], rate[16], fl[16], where[64] = "";
	double t = now_seconds();
	FILE *f = pcap_file(p);

	if (t - pg->last < 0.5)
		return;
	if (in->size && f) {
		long pos = ftell(f);

		if (pos >= 0)
			snprintf(where, sizeof(where), " %3.0f%% of %.1f MB,", 100.0 * (double)pos / (double)in->size,
				 (double)in->size / 1e6);
	}
	capture_human(pk, sizeof(pk), (double)st->packets);
	capture_human(rate, sizeof(rate), (double)(st->packets - pg->last_packets) / (t - pg->last));
	capture_human(fl, sizeof(fl), (double)live);
	fprintf(stderr, "\r\033[K%s:%s %s packets, %s pkt/s, %s flows live", in->path, where, pk, rate, fl);
	fflush(stderr);
	pg->last = t;
	pg->last_packets = st->packets;
}

static void progress_clear(struct progress *pg)
{
	if (pg->on && pg->last > pg->start)
		fputs("\r\033[K", stderr);
}

static int open_input(const char *path, const char *filter, pcap_t **out, struct capture_input *in,
		      char *errbuf, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	struct stat sb;
	pcap_t *p;

	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!p) {
		snprintf(errbuf, errlen, "cannot read %s: %s", strcmp(path, "-") ? path : "standard input", perr);
		return -1;
	}
	in->path = path;
	in->dlt = pcap_datalink(p);
	if (!decode_link_supported(in->dlt)) {
		snprintf(errbuf, errlen, "%s: unsupported link type %s (%d)", path, decode_link_name(in->dlt), in->dlt);
		pcap_close(p);
		return -1;
	}
	if (pcap_file(p) && fstat(fileno(pcap_file(p)), &sb) == 0 && S_ISREG(sb.st_mode))
		in->size = (uint64_t)sb.st_size;
	if (filter) {
		if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(errbuf, errlen, "bad filter '%s': %s", filter, pcap_geterr(p));
			pcap_close(p);
			return -1;
		}
		if (pcap_setfilter(p, &prog) != 0) {
			snprintf(errbuf, errlen, "%s: cannot apply filter: %s", path, pcap_geterr(p));
			pcap_freecode(&prog);
			pcap_close(p);
			return -1;
		}
		pcap_freecode(&prog);
	}
	*out = p;
	return 0;
}

void capture_account(struct capture_stats *st, const struct pcap_pkthdr *h)
{
	int64_t us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;

	if (st->packets == 0 || us < st->first_us)
		st->first_us = us;
	if (st->packets && us < st->last_us)
		st->ts_backwards++;
	if (st->packets == 0 || us > st->last_us)
		st->last_us = us;
	st->packets++;
	st->wire_bytes += h->len;
}

/* Read one input to its end; returns 0, or 1 on damage (recorded in st). */
static int read_input(pcap_t *p, struct capture_input *in, const struct capture_config *cfg,
		      capture_packet_fn fn, capture_live_fn live, void *ctx, struct capture_stats *st,
		      struct progress *pg)
{
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int rc;

	while ((rc = pcap_next_ex(p, &h, &bytes)) == 1) {
		capture_account(st, h);
		in->packets++;
		fn(ctx, in->dlt, h, bytes);
		if (pg->on && (st->packets & 0xffff) == 0)
			progress_show(pg, p, in, st, live ? live(ctx) : 0);
	}
	(void)cfg;
	if (rc == PCAP_ERROR) {
		snprintf(in->damage, sizeof(in->damage), "%s (after %llu packets)", pcap_geterr(p),
			 (unsigned long long)in->packets);
		st->damaged++;
		return 1;
	}
	return 0;
}

int capture_run_offline(const struct capture_config *cfg, capture_packet_fn fn, capture_live_fn live,
			void *ctx, struct capture_stats *st, char *errbuf, size_t errlen)
{
	pcap_t **handles = xcalloc((size_t)cfg->npaths, sizeof(*handles));
	struct progress pg = { .on = cfg->progress };
	int i, rc = 0, stdin_used = 0;

	memset(st, 0, sizeof(*st));
	st->inputs = xcalloc((size_t)cfg->npaths, sizeof(*st->inputs));
	st->ninputs = cfg->npaths;
	for (i = 0; i < cfg->npaths; i++) {
		if (strcmp(cfg->paths[i], "-") == 0 && stdin_used++) {
			snprintf(errbuf, errlen, "standard input ('-r -') can be read only once");
			rc = -1;
			break;
		}
		if (open_input(cfg->paths[i], cfg->filter, &handles[i], &st->inputs[i], errbuf, errlen) != 0) {
			rc = -1;
			break;
		}
	}
	pg.start = pg.last = now_seconds();
	for (i = 0; rc >= 0 && i < cfg->npaths; i++)
		if (read_input(handles[i], &st->inputs[i], cfg, fn, live, ctx, st, &pg) != 0)
			rc = 1;
	progress_clear(&pg);
	for (i = 0; i < cfg->npaths; i++)
		if (handles[i])
			pcap_close(handles[i]);
	free(handles);
	return rc;
}

void capture_stats_free(struct capture_stats *st)
{
	free(st->inputs);
	st->inputs = NULL;
}
