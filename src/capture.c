/* capture: the offline packet sources (files, standard input), BPF filters and the read loop */
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
#include "report.h"
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
	fputs("\r\033[K", stderr);
	report_text_safe(stderr, in->path);	/* the path may hold anything */
	fprintf(stderr, ":%s %s packets, %s pkt/s, %s flows live", where, pk, rate, fl);
	fflush(stderr);
	pg->last = t;
	pg->last_packets = st->packets;
}

static void progress_clear(struct progress *pg)
{
	if (pg->on && pg->last > pg->start)
		fputs("\r\033[K", stderr);
}

/* One offline input as it is read. */
struct source {
	pcap_t *p;
	struct bpf_program prog;	/* the filter, applied here so that every record passes through read_input */
	bool filtered;
	bool ng;			/* pcapng: where a block ends cannot be told from the packet header */
	unsigned record_header;		/* pcap: bytes before each record's data (16, or 24 in Kuznetzov's variant) */
	int64_t next;			/* pcap: where the next record starts, summed from the lengths read */
};

/* The 24-byte record header of Kuznetzov's patched libpcap, which libpcap still reads (magic either way round). */
static unsigned record_header_size(FILE *f)
{
	uint8_t m[4];

	if (pread(fileno(f), m, sizeof(m), 0) != (ssize_t)sizeof(m))
		return 16;	/* a pipe: the usual header */
	if ((m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0xcd && m[3] == 0x34) ||
	    (m[0] == 0x34 && m[1] == 0xcd && m[2] == 0xb2 && m[3] == 0xa1))
		return 24;
	return 16;
}

/*
 * The file is opened here, not by pcap_open_offline, so that a file that
 * cannot be opened (errno) is told apart from one whose header libpcap
 * refuses: that damage is at byte 0, where the file header is.
 */
static pcap_t *open_file(const char *path, char *errbuf, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	const char *name = strcmp(path, "-") ? path : "standard input";
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	pcap_t *p;

	if (!f) {
		snprintf(errbuf, errlen, "cannot read %s: %s", name, strerror(errno));
		return NULL;
	}
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!p) {
		if (ferror(f))
			snprintf(errbuf, errlen, "cannot read %s: %s", name, perr);
		else
			snprintf(errbuf, errlen, "cannot read %s: %s (the file header, at byte 0)", name, perr);
		if (f != stdin)
			fclose(f);
	}
	return p;
}

static int open_input(const char *path, const char *filter, struct source *s, struct capture_input *in,
		      char *errbuf, size_t errlen)
{
	struct stat sb;
	FILE *f;

	if (!(s->p = open_file(path, errbuf, errlen)))
		return -1;
	in->path = path;
	in->dlt = pcap_datalink(s->p);
	in->snaplen = (uint32_t)pcap_snapshot(s->p);
	in->damage_at = -1;
	if (!decode_link_supported(in->dlt)) {
		snprintf(errbuf, errlen, "%s: unsupported link type %s (%d)", path, decode_link_name(in->dlt), in->dlt);
		return -1;
	}
	f = pcap_file(s->p);
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
		in->size = (uint64_t)sb.st_size;
	/* libpcap reports a pcapng file as version 1.0, a pcap file as 2.x */
	s->ng = pcap_major_version(s->p) == 1;
	s->record_header = record_header_size(f);
	s->next = ftello(f);
	if (s->next < 0)
		s->next = 24;	/* a pipe, after the 24-byte pcap file header */
	if (filter) {
		if (pcap_compile(s->p, &s->prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(errbuf, errlen, "bad filter '%s': %s", filter, pcap_geterr(s->p));
			return -1;
		}
		s->filtered = true;
	}
	return 0;
}

static void source_close(struct source *s)
{
	if (s->filtered)
		pcap_freecode(&s->prog);
	if (s->p)
		pcap_close(s->p);
}

void capture_account(struct capture_stats *st, const struct pcap_pkthdr *h)
{
	int64_t us = capture_ts_us(&h->ts);

	if (st->packets == 0 || us < st->first_us)
		st->first_us = us;
	if (st->packets && us < st->last_us)
		st->ts_backwards++;
	if (st->packets == 0 || us > st->last_us)
		st->last_us = us;
	st->packets++;
	st->wire_bytes += h->len;
}

/*
 * Read the file again from its start, without a filter, through `records`
 * records, and return the byte offset where the next one starts (-1 when it
 * cannot be read the same way again). libpcap does not say where it is in a
 * file, and asking (ftell) before every record costs a tenth of the read
 * loop, so the first reading does not ask: damage is rare, and reading again
 * up to it is cheap next to the audit. On the way, the pcap records libpcap
 * returned cut to the snaplen are counted: on disk they are longer.
 */
static int64_t reread(const char *path, uint64_t records, const struct source *s, struct capture_input *in)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	uint64_t n = 0, cut = 0;
	int64_t at = -1, next, cut_at = -1;
	pcap_t *p;
	FILE *f;

	if (!strcmp(path, "-") || !in->size || !(p = pcap_open_offline(path, perr)))
		return -1;
	f = pcap_file(p);
	/* glibc's ftell asks the kernel (lseek) every time until the stream has been positioned once */
	if (fseeko(f, ftello(f), SEEK_SET) != 0 || (at = ftello(f)) < 0)
		n = records + 1;
	while (n < records && pcap_next_ex(p, &h, &bytes) == 1 && (next = ftello(f)) >= 0) {
		if (!s->ng && h->caplen == in->snaplen && next - at > (int64_t)s->record_header + h->caplen) {
			if (!cut++)
				cut_at = at;
		}
		at = next;
		n++;
	}
	pcap_close(p);
	if (n != records)
		return -1;
	in->cut = cut;
	in->cut_at = cut_at;
	return at;
}

/* Name the damage: what libpcap (or the record check) said, and where. */
static void damaged(struct source *s, struct capture_input *in, struct capture_stats *st, const char *what)
{
	int64_t at = reread(in->path, in->records, s, in);

	if (at < 0 && !s->ng)
		at = s->next;	/* a pipe: the sum of the lengths, right unless libpcap cut a record to the snaplen */
	in->damage_at = at;
	if (at >= 0)
		snprintf(in->damage, sizeof(in->damage), "at byte %lld, after %llu packets: %s", (long long)at,
			 (unsigned long long)in->records, what);
	else
		snprintf(in->damage, sizeof(in->damage), "after %llu packets: %s", (unsigned long long)in->records,
			 what);
	st->damaged++;
}

/*
 * A pcap file read to its end should end where the record lengths say; when
 * it does not, libpcap cut records longer than the file's snaplen to it
 * (a broken writer; libpcap allows it for old Solaris captures): find them.
 */
static void check_cut(struct source *s, struct capture_input *in)
{
	FILE *f = pcap_file(s->p);
	int64_t end;

	if (s->ng || !f || (end = ftello(f)) < 0 || end == s->next)
		return;
	reread(in->path, in->records, s, in);
}

/* Read one input to its end; returns 0, or 1 on damage (recorded in in and st). */
static int read_input(struct source *s, struct capture_input *in, capture_packet_fn fn, capture_live_fn live,
		      void *ctx, struct capture_stats *st, struct progress *pg)
{
	char what[160];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int rc;

	while ((rc = pcap_next_ex(s->p, &h, &bytes)) == 1) {
		/*
		 * libpcap checks a record's captured length against the snaplen,
		 * not against the packet's own length. In a pcap file the
		 * captured length is also what says where the next record
		 * starts, so when it claims more than the packet had, the field
		 * is corrupt and what follows would be read from the wrong
		 * place: stop here rather than audit that. (A pcapng block has
		 * its own length, but the record contradicts itself just the
		 * same: one rule for both.)
		 */
		if (h->caplen > h->len) {
			snprintf(what, sizeof(what), "captured length %u larger than the packet length %u", h->caplen,
				 h->len);
			damaged(s, in, st, what);
			return 1;
		}
		in->records++;
		s->next += s->record_header + h->caplen;
		if (s->filtered && !pcap_offline_filter(&s->prog, h, bytes))
			continue;
		capture_account(st, h);
		in->packets++;
		fn(ctx, in->dlt, h, bytes);
		if (pg->on && (st->packets & 0xffff) == 0)
			progress_show(pg, s->p, in, st, live ? live(ctx) : 0);
	}
	/*
	 * No guard of our own against huge length claims: libpcap 1.10 refuses
	 * a captured length above 262144 bytes (the most it allows for the
	 * link types we read) before allocating for it, and pcapng blocks above
	 * 16 MiB, so a hostile header costs at most that, once.
	 */
	if (rc == PCAP_ERROR) {
		damaged(s, in, st, pcap_geterr(s->p));
		return 1;
	}
	check_cut(s, in);
	return 0;
}

int capture_run_offline(const struct capture_config *cfg, capture_packet_fn fn, capture_live_fn live,
			void *ctx, struct capture_stats *st, char *errbuf, size_t errlen)
{
	struct source *src = xcalloc((size_t)cfg->npaths, sizeof(*src));
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
		if (open_input(cfg->paths[i], cfg->filter, &src[i], &st->inputs[i], errbuf, errlen) != 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && cfg->ready && cfg->ready(ctx, errbuf, errlen) != 0)
		rc = -1;
	pg.start = pg.last = now_seconds();
	for (i = 0; rc >= 0 && i < cfg->npaths; i++)
		if (read_input(&src[i], &st->inputs[i], fn, live, ctx, st, &pg) != 0)
			rc = 1;
	progress_clear(&pg);
	for (i = 0; i < cfg->npaths; i++)
		source_close(&src[i]);
	free(src);
	return rc;
}

void capture_stats_free(struct capture_stats *st)
{
	free(st->inputs);
	st->inputs = NULL;
}
