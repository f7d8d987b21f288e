#define _GNU_SOURCE	/* fopencookie, versionsort, qsort_r */
/* capture: the offline packet sources (files, standard input), BPF filters and the read loop */
#include "capture.h"
#include "capture_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "decode.h"
#include "pcapng.h"
#include "report.h"
#include "xalloc.h"

struct progress {
	bool on;
	const char *label;	/* or NULL */
	bool flows;		/* show the flows live */
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
static void progress_show(struct progress *pg, int64_t pos, const struct capture_input *in,
			  const struct capture_stats *st, uint64_t live)
{
	char pk[16], rate[16], fl[16], where[64] = "";
	double t = now_seconds();

	if (t - pg->last < 0.5)
		return;
	if (in->size && pos >= 0)
		snprintf(where, sizeof(where), " %3.0f%% of %.1f MB,", 100.0 * (double)pos / (double)in->size,
			 (double)in->size / 1e6);
	capture_human(pk, sizeof(pk), (double)st->packets);
	capture_human(rate, sizeof(rate), (double)(st->packets - pg->last_packets) / (t - pg->last));
	capture_human(fl, sizeof(fl), (double)live);
	fputs("\r\033[K", stderr);
	if (pg->label)
		fprintf(stderr, "%s: ", pg->label);
	report_text_safe(stderr, in->path);	/* the path may hold anything */
	fprintf(stderr, ":%s %s packets, %s pkt/s", where, pk, rate);
	if (pg->flows)
		fprintf(stderr, ", %s flows live", fl);
	fflush(stderr);
	pg->last = t;
	pg->last_packets = st->packets;
}

static void progress_clear(struct progress *pg)
{
	if (pg->on && pg->last > pg->start)
		fputs("\r\033[K", stderr);
}

/* A pcapng interface as its packets are read: set up at its first packet. */
struct ng_if {
	int dlt;			/* as libpcap names it (LINKTYPE_RAW 101 is DLT_RAW) */
	uint32_t snaplen;		/* for BPF: the interface's, or the most libpcap captures */
	bool ready;			/* set up: supported said, the filter compiled */
	bool supported;
	bool filtered;
	bool owns_prog;			/* prog is this interface's own (else another's, freed with it) */
	uint32_t prog_if;		/* the interface whose program filters this one's packets */
	struct bpf_program prog;	/* the filter for this interface's link type and snaplen */
};

/* One offline input as it is read. */
struct source {
	pcap_t *p;			/* pcap: libpcap's reader */
	struct bpf_program prog;	/* the filter, applied here so that every record passes through source_next */
	bool filtered;
	bool ng;			/* pcapng: read by src/pcapng.c, not libpcap */
	const char *filter;		/* pcapng: compiled per interface */
	FILE *f;			/* pcapng: the stream */
	struct pcapng_reader ngr;
	struct ng_if *ngif;		/* pcapng: the current section's interfaces, by id */
	uint32_t nngif;
	uint32_t ng_section;		/* the section ngif belongs to */
	bool ng_started;		/* pcapng: a packet was read (the link types were checked) */
	bool ng_fatal;			/* pcapng: reading stopped at an interface that cannot be read at all */
	char ng_why[400];		/* why */
	int dlt;			/* the link type of the record waiting */
	unsigned record_header;		/* pcap: bytes before each record's data (16, or 24 in Kuznetzov's variant) */
	int64_t next;			/* pcap: where the next record starts, summed from the lengths read */
	/* the merge */
	const struct pcap_pkthdr *h;	/* the record waiting its turn (valid until the next read of this input) */
	const u_char *bytes;
	int64_t ts_us;			/* its time */
	int64_t first_us;		/* the first record's time (for opening inputs in time order) */
};

/* The 24-byte record header of Kuznetzov's patched libpcap, which libpcap still reads (magic either way round). */
static unsigned record_header_size(FILE *f)
{
	uint8_t m[4];

	if (fileno(f) < 0 || pread(fileno(f), m, sizeof(m), 0) != (ssize_t)sizeof(m))
		return 16;	/* a pipe or a compressed file: the usual header */
	if ((m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0xcd && m[3] == 0x34) ||
	    (m[0] == 0x34 && m[1] == 0xcd && m[2] == 0xb2 && m[3] == 0xa1))
		return 24;
	return 16;
}

bool capture_magic(const uint8_t *m, size_t n)
{
	static const uint8_t magics[][4] = { { 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },
					     { 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },
					     { 0x34, 0xcd, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xcd, 0x34 },
					     { 0x0a, 0x0d, 0x0d, 0x0a } };
	size_t k;

	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return true;	/* gzip: a compressed capture, most likely */
	for (k = 0; n >= 4 && k < sizeof(magics) / sizeof(magics[0]); k++)
		if (memcmp(m, magics[k], 4) == 0)
			return true;
	return false;
}

bool capture_looks_like_file(const char *path)
{
	struct stat st;
	uint8_t m[4];
	ssize_t n;
	int fd;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, m, sizeof(m));
	close(fd);
	return n > 0 && capture_magic(m, (size_t)n);
}

/*
 * A gzip stream read through zlib, as a stdio stream for libpcap or the
 * pcapng reader. Its first bytes were read ahead, to tell pcap from pcapng
 * on a stream that cannot be read twice, and are given back first.
 */
struct gz_stream {
	gzFile gz;
	uint8_t head[4];
	unsigned nhead;
	unsigned at;
};

static ssize_t gz_read(void *cookie, char *buf, size_t n)
{
	struct gz_stream *g = cookie;
	size_t given = 0;
	int k;

	while (g->at < g->nhead && given < n)
		buf[given++] = (char)g->head[g->at++];
	if (given == n)
		return (ssize_t)given;
	n -= given;
	k = gzread(g->gz, buf + given, (unsigned)(n > (1u << 30) ? 1u << 30 : n));
	if (k < 0)
		return given ? (ssize_t)given : -1;
	return (ssize_t)given + k;
}

static int gz_close(void *cookie)
{
	struct gz_stream *g = cookie;
	int rc = gzclose(g->gz);

	free(g);
	return rc == Z_OK ? 0 : EOF;
}

/*
 * A file, or standard input, as a stream: through zlib when it is gzip'd
 * (standard input always goes through it: zlib passes what is not gzip
 * through unchanged). *compressed says which; magic gets the first bytes
 * of what the stream reads (*nmagic of them, up to 4). NULL with errno set.
 */
static FILE *open_stream(const char *path, bool *compressed, uint8_t magic[4], size_t *nmagic)
{
	static const cookie_io_functions_t gz_io = { .read = gz_read, .close = gz_close };
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	struct gz_stream *g;
	ssize_t k;
	int got;
	FILE *f;

	*compressed = false;
	*nmagic = 0;
	if (fd < 0)
		return NULL;
	if (!is_stdin && !((k = pread(fd, magic, 4, 0)) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)) {
		*nmagic = k > 0 ? (size_t)k : 0;
		if (!(f = fdopen(fd, "rb")))
			close(fd);
		return f;
	}
	g = xcalloc(1, sizeof(*g));
	if (!(g->gz = gzdopen(fd, "rb"))) {
		close(fd);
		free(g);
		errno = ENOMEM;
		return NULL;
	}
	gzbuffer(g->gz, 1 << 17);
	*compressed = !is_stdin;
	got = gzread(g->gz, g->head, sizeof(g->head));
	g->nhead = got > 0 ? (unsigned)got : 0;
	memcpy(magic, g->head, g->nhead);
	*nmagic = g->nhead;
	if (!(f = fopencookie(g, "rb", gz_io)))
		gz_close(g);
	return f;
}

/*
 * The file is opened here, not by pcap_open_offline, so that a file that
 * cannot be opened (errno) is told apart from one whose header libpcap
 * refuses: that damage is at byte 0, where the file header is.
 */
static pcap_t *open_file(const char *path, FILE *f, bool compressed, char *errbuf, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	const char *name = strcmp(path, "-") ? path : "standard input";
	pcap_t *p;

	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!p) {
		if (ferror(f))
			snprintf(errbuf, errlen, "cannot read %s: %s", name, perr);
		else
			snprintf(errbuf, errlen, "cannot read %s: %s (the file header, at byte 0%s)", name, perr,
				 compressed ? " of the decompressed stream" : "");
		fclose(f);
	}
	return p;
}

/*
 * pcapng goes to our own reader: libpcap reads one link type per file and
 * refuses a file whose interfaces differ. The section header is read here;
 * the interfaces come with the packets (an interface may be described
 * after packets on others).
 */
static int open_ng(const char *path, FILE *f, const char *filter, struct source *s, struct capture_input *in,
		   char *errbuf, size_t errlen)
{
	struct stat sb;

	s->ng = in->ng = true;
	s->f = f;
	s->filter = filter;
	in->dlt = -1;
	if (pcapng_open(&s->ngr, f) != 0) {
		snprintf(errbuf, errlen, "cannot read %s: %s (the file header, at byte 0%s)",
			 strcmp(path, "-") ? path : "standard input", s->ngr.err,
			 in->compressed ? " of the decompressed stream" : "");
		return -1;
	}
	if (fileno(f) >= 0 && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
		in->size = (uint64_t)sb.st_size;
	return 0;
}

static int open_input(const char *path, const char *filter, struct source *s, struct capture_input *in,
		      char *errbuf, size_t errlen)
{
	static const uint8_t ng_magic[4] = { 0x0a, 0x0d, 0x0d, 0x0a };
	uint8_t m[4];
	size_t nm;
	struct stat sb;
	FILE *f = open_stream(path, &in->compressed, m, &nm);

	in->path = path;
	in->damage_at = -1;
	if (!f) {
		snprintf(errbuf, errlen, "cannot read %s: %s", strcmp(path, "-") ? path : "standard input",
			 strerror(errno));
		return -1;
	}
	if (nm == 4 && memcmp(m, ng_magic, 4) == 0)
		return open_ng(path, f, filter, s, in, errbuf, errlen);
	if (!(s->p = open_file(path, f, in->compressed, errbuf, errlen)))
		return -1;
	in->dlt = s->dlt = pcap_datalink(s->p);
	in->snaplen = (uint32_t)pcap_snapshot(s->p);
	if (!decode_link_supported(in->dlt)) {
		snprintf(errbuf, errlen, "%s: unsupported link type %s (%d)", path, decode_link_name(in->dlt), in->dlt);
		return -1;
	}
	if (fileno(f) >= 0 && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
		in->size = (uint64_t)sb.st_size;
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

/* The interfaces of a section that ended (or of the file). */
static void ng_ifs_free(struct source *s)
{
	uint32_t k;

	for (k = 0; k < s->nngif; k++)
		if (s->ngif[k].owns_prog)
			pcap_freecode(&s->ngif[k].prog);
	free(s->ngif);
	s->ngif = NULL;
	s->nngif = 0;
}

/* Close the input, if open, and leave the source empty (closing it again is a no-op). */
static void source_close(struct source *s)
{
	if (s->filtered)
		pcap_freecode(&s->prog);
	if (s->p)
		pcap_close(s->p);
	if (s->ng) {
		ng_ifs_free(s);
		pcapng_free(&s->ngr);
		if (s->f)
			fclose(s->f);
	}
	memset(s, 0, sizeof(*s));
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

	if (s->ng || !strcmp(path, "-") || !in->size || !(p = pcap_open_offline(path, perr)))
		return -1;
	f = pcap_file(p);
	/* glibc's ftell asks the kernel (lseek) every time until the stream has been positioned once */
	if (fseeko(f, ftello(f), SEEK_SET) != 0 || (at = ftello(f)) < 0)
		n = records + 1;
	while (n < records && pcap_next_ex(p, &h, &bytes) == 1 && (next = ftello(f)) >= 0) {
		if (h->caplen == in->snaplen && next - at > (int64_t)s->record_header + h->caplen) {
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
	/* the pcapng reader knows where every block starts, even in a pipe */
	int64_t at = s->ng ? s->ngr.block_at : reread(in->path, in->records, s, in);

	if (at < 0 && !s->ng)
		at = s->next;	/* a pipe: the sum of the lengths, right unless libpcap cut a record to the snaplen */
	in->damage_at = at;
	if (at >= 0)
		snprintf(in->damage, sizeof(in->damage), "at byte %lld%s, after %llu packets: %s", (long long)at,
			 in->compressed ? " of the decompressed stream" : "", (unsigned long long)in->records, what);
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
	FILE *f = s->ng ? NULL : pcap_file(s->p);
	int64_t end;

	if (!f || (end = ftello(f)) < 0 || end == s->next)
		return;
	reread(in->path, in->records, s, in);
}

/* The most libpcap captures of any link type (its MAXIMUM_SNAPLEN): the snaplen for BPF when the file gives none. */
enum { NG_SNAPLEN_MAX = 262144, LINKTYPE_RAW_IP = 101 };

/* Stop reading a pcapng input at an interface that cannot be read at all; while peeking, no run starts. */
static int ng_fatal(struct source *s, struct capture_input *in, struct capture_stats *st, const char *what)
{
	s->ng_fatal = true;
	snprintf(s->ng_why, sizeof(s->ng_why), "%s", what);
	damaged(s, in, st, what);
	return -1;
}

/*
 * Set up interface k of the section: whether we decode its link type, and
 * the filter compiled for its link type and snaplen, as libpcap would for
 * a file of that type alone. An interface like one of the few before it
 * shares its program: a file of a thousand interfaces of one type (a
 * hostile one) compiles the filter once.
 */
static int ng_setup(struct source *s, struct capture_input *in, struct capture_stats *st, uint32_t k)
{
	enum { SHARE_LOOKBACK = 16 };
	struct ng_if *ifc = &s->ngif[k];
	uint32_t snap = s->ngr.ifs[k].snaplen, j;
	char what[400];
	pcap_t *dead;

	ifc->snaplen = snap && snap < NG_SNAPLEN_MAX ? snap : NG_SNAPLEN_MAX;
	ifc->prog_if = k;
	ifc->supported = decode_link_supported(ifc->dlt);
	if (!ifc->supported || !s->filter)
		return 0;
	for (j = k; j-- > 0 && k - j <= SHARE_LOOKBACK;)
		if (s->ngif[j].filtered && s->ngif[j].dlt == ifc->dlt && s->ngif[j].snaplen == ifc->snaplen) {
			ifc->prog_if = s->ngif[j].prog_if;
			ifc->filtered = true;
			return 0;
		}
	if (!(dead = pcap_open_dead_with_tstamp_precision(ifc->dlt, (int)ifc->snaplen, PCAP_TSTAMP_PRECISION_MICRO))) {
		snprintf(what, sizeof(what), "cannot compile the filter for interface %u (%s): out of memory", k,
			 decode_link_name(ifc->dlt));
		return ng_fatal(s, in, st, what);
	}
	if (pcap_compile(dead, &ifc->prog, s->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(what, sizeof(what), "bad filter '%s' for interface %u, link type %s: %s", s->filter, k,
			 decode_link_name(ifc->dlt), pcap_geterr(dead));
		pcap_close(dead);
		return ng_fatal(s, in, st, what);
	}
	pcap_close(dead);
	ifc->filtered = ifc->owns_prog = true;
	return 0;
}

/*
 * The interfaces the reader has met since the last packet: their link
 * types are listed for the report and each is set up. They are met at the
 * file's first packet at the latest, where writers put them (an interface
 * described after packets on others is set up then), so a filter that does
 * not compile for one stops the run before anything is read.
 */
static int ng_sync(struct source *s, struct capture_input *in, struct capture_stats *st)
{
	const struct pcapng_reader *r = &s->ngr;
	uint32_t k;
	int j;

	if (s->ng_section != r->section) {
		ng_ifs_free(s);
		s->ng_section = r->section;
	}
	if (r->nifs <= s->nngif)
		return 0;
	s->ngif = xrealloc(s->ngif, r->nifs * sizeof(*s->ngif));
	memset(s->ngif + s->nngif, 0, (r->nifs - s->nngif) * sizeof(*s->ngif));
	for (k = s->nngif; k < r->nifs; k++) {
		/* libpcap reads LINKTYPE_RAW as DLT_RAW; so does this (the BPF compiler knows only the latter) */
		int dlt = r->ifs[k].dlt == LINKTYPE_RAW_IP ? DLT_RAW : r->ifs[k].dlt;

		s->ngif[k].dlt = dlt;
		for (j = 0; j < in->nlinks && in->links[j] != dlt; j++)
			;
		if (j == in->nlinks && in->nlinks < CAPTURE_LINKS_MAX)
			in->links[in->nlinks++] = dlt;
		if (in->dlt < 0) {
			in->dlt = dlt;
			in->snaplen = r->ifs[k].snaplen;
		}
	}
	s->nngif = r->nifs;
	if (!s->ng_started) {
		s->ng_started = true;
		for (k = 0; k < r->nifs && !decode_link_supported(s->ngif[k].dlt); k++)
			;
		if (k == r->nifs) {
			char what[160];

			snprintf(what, sizeof(what), "unsupported link type %s (%d)%s", decode_link_name(s->ngif[0].dlt),
				 s->ngif[0].dlt, r->nifs > 1 ? " on every interface" : "");
			return ng_fatal(s, in, st, what);
		}
	}
	for (k = 0; k < r->nifs; k++)
		if (!s->ngif[k].ready) {
			s->ngif[k].ready = true;
			if (ng_setup(s, in, st, k) != 0)
				return -1;
		}
	return 0;
}

/* source_next for pcapng: the next packet the filter of its interface passes, on an interface we decode. */
static int ng_next(struct source *s, struct capture_input *in, struct capture_stats *st)
{
	char what[160];
	int rc;

	while ((rc = pcapng_next(&s->ngr, &s->h, &s->bytes)) == 1) {
		struct ng_if *ifc;

		if (ng_sync(s, in, st) != 0)
			return -1;
		/* the rule source_next applies to pcap, for the same reason: the record contradicts itself */
		if (s->h->caplen > s->h->len) {
			snprintf(what, sizeof(what), "captured length %u larger than the packet length %u",
				 s->h->caplen, s->h->len);
			damaged(s, in, st, what);
			return -1;
		}
		in->records++;
		in->skipped_blocks = s->ngr.skipped;
		ifc = &s->ngif[s->ngr.ifidx];
		if (!ifc->supported) {
			if (!in->unsupported++)
				in->unsupported_dlt = ifc->dlt;
			continue;
		}
		if (ifc->filtered && !pcap_offline_filter(&s->ngif[ifc->prog_if].prog, s->h, s->bytes))
			continue;
		s->dlt = ifc->dlt;
		s->ts_us = capture_ts_us(&s->h->ts);
		return 1;
	}
	in->skipped_blocks = s->ngr.skipped;
	if (rc < 0) {
		damaged(s, in, st, s->ngr.err);
		return -1;
	}
	return 0;
}

const char *capture_input_links(const struct capture_input *in, char *buf, size_t n)
{
	size_t used = 0;
	int k;

	if (!in->ng)
		return decode_link_name(in->dlt);
	if (!in->nlinks)
		return "no interface";
	buf[0] = '\0';
	for (k = 0; k < in->nlinks && used < n; k++) {
		int w = snprintf(buf + used, n - used, "%s%s", k ? " + " : "", decode_link_name(in->links[k]));

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

/*
 * The input's next record that the filter passes, left waiting in s->h and
 * s->bytes. Returns 1, 0 at the end, -1 on damage (recorded in in and st).
 */
static inline __attribute__((always_inline)) int source_next(struct source *s, struct capture_input *in,
							     struct capture_stats *st)
{
	struct pcap_pkthdr *h;
	char what[160];
	int rc;

	if (s->ng)
		return ng_next(s, in, st);
	while ((rc = pcap_next_ex(s->p, &h, &s->bytes)) == 1) {
		s->h = h;
		/*
		 * libpcap checks a record's captured length against the snaplen,
		 * not against the packet's own length. In a pcap file the
		 * captured length is also what says where the next record
		 * starts, so when it claims more than the packet had, the field
		 * is corrupt and what follows would be read from the wrong
		 * place: stop here rather than audit that. (ng_next applies the
		 * same rule to pcapng.)
		 */
		if (s->h->caplen > s->h->len) {
			snprintf(what, sizeof(what), "captured length %u larger than the packet length %u",
				 s->h->caplen, s->h->len);
			damaged(s, in, st, what);
			return -1;
		}
		in->records++;
		s->next += s->record_header + s->h->caplen;
		if (s->filtered && !pcap_offline_filter(&s->prog, s->h, s->bytes))
			continue;
		s->ts_us = capture_ts_us(&s->h->ts);
		return 1;
	}
	/*
	 * No guard of our own against huge length claims: libpcap 1.10 refuses
	 * a captured length above 262144 bytes (the most it allows for the
	 * link types we read) before allocating for it, and pcapng blocks above
	 * 16 MiB, so a hostile header costs at most that, once.
	 */
	if (rc == PCAP_ERROR) {
		damaged(s, in, st, pcap_geterr(s->p));
		return -1;
	}
	check_cut(s, in);
	return 0;
}

/* The inputs whose next record is due first, as a binary heap of source indices: by time, then input order. */
struct heap {
	int *v;
	int n;
	const struct source *src;
};

static bool heap_before(const struct heap *hp, int a, int b)
{
	const struct source *x = &hp->src[a], *y = &hp->src[b];

	return x->ts_us < y->ts_us || (x->ts_us == y->ts_us && a < b);
}

static void heap_push(struct heap *hp, int i)
{
	int k = hp->n++, up;

	hp->v[k] = i;
	for (; k > 0 && heap_before(hp, hp->v[k], hp->v[up = (k - 1) / 2]); k = up) {
		int t = hp->v[k];

		hp->v[k] = hp->v[up];
		hp->v[up] = t;
	}
}

static int heap_pop(struct heap *hp)
{
	int top = hp->v[0], k = 0;

	hp->v[0] = hp->v[--hp->n];
	for (;;) {
		int l = 2 * k + 1, r = l + 1, m = k, t;

		if (l < hp->n && heap_before(hp, hp->v[l], hp->v[m]))
			m = l;
		if (r < hp->n && heap_before(hp, hp->v[r], hp->v[m]))
			m = r;
		if (m == k)
			break;
		t = hp->v[k];
		hp->v[k] = hp->v[m];
		hp->v[m] = t;
		k = m;
	}
	return top;
}

/*
 * Above this many inputs, a regular file is closed after its first record
 * was looked at and opened again when its turn comes: a folder of a
 * thousand rotated files keeps one or two open, not a thousand (each
 * libpcap handle holds a snaplen-sized buffer and a descriptor).
 */
enum { CAPTURE_KEEP_OPEN = 16 };

/* The records of one input counted again from its start (it is opened a second time). */
static void input_restart(struct capture_input *in)
{
	in->records = 0;
	in->cut = 0;
	in->cut_at = -1;
	in->unsupported = 0;
}

static int source_open_and_peek(const char *path, const char *filter, struct source *s, struct capture_input *in,
				struct capture_stats *st, char *errbuf, size_t errlen)
{
	int r;

	if (open_input(path, filter, s, in, errbuf, errlen) != 0)
		return -2;
	r = source_next(s, in, st);
	if (r == 1)
		s->first_us = s->ts_us;
	if (r < 0 && s->ng_fatal) {
		/* no interface can be read, or the filter does not compile for one: refused, as for a pcap file */
		snprintf(errbuf, errlen, "%s: %s", path, s->ng_why);
		in->damage[0] = '\0';
		in->damage_at = -1;
		st->damaged--;
		return -2;
	}
	return r;
}

/* Count the packet delivered from input in: the input's own first and last time, for the covered time. */
static void input_account(struct capture_input *in, int64_t ts)
{
	if (in->packets == 0 || ts < in->first_us)
		in->first_us = ts;
	if (in->packets == 0 || ts > in->last_us)
		in->last_us = ts;
	in->packets++;
}

/* The union of the inputs' own spans: two files taken hours apart cover their two spans, not the hours between. */
static int cmp_span(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

int64_t capture_covered_us(const struct capture_stats *st)
{
	int64_t (*sp)[2] = xcalloc((size_t)st->ninputs + 1, sizeof(*sp)), covered = 0, end = INT64_MIN;
	int i, n = 0;

	for (i = 0; i < st->ninputs; i++)
		if (st->inputs[i].packets) {
			sp[n][0] = st->inputs[i].first_us;
			sp[n][1] = st->inputs[i].last_us;
			n++;
		}
	qsort(sp, (size_t)n, sizeof(*sp), cmp_span);
	for (i = 0; i < n; i++) {
		if (sp[i][1] <= end)
			continue;
		covered += sp[i][1] - (sp[i][0] > end ? sp[i][0] : end);
		end = sp[i][1];
	}
	free(sp);
	return covered;
}

/* A folder: every capture file in it (by its first bytes; hidden files skipped), in name order. */
static int expand_folder(const char *dir, struct capture_stats *st, char *errbuf, size_t errlen)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, versionsort), i, found = 0, skipped = 0;

	if (n < 0) {
		snprintf(errbuf, errlen, "cannot read the folder %s: %s", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char *path = xpath_join(dir, ents[i]->d_name);

		if (ents[i]->d_name[0] == '.' || !capture_looks_like_file(path)) {
			struct stat sb;

			skipped += ents[i]->d_name[0] != '.' && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
			free(path);
		} else {
			st->owned = xrealloc(st->owned, (size_t)(st->nowned + 1) * sizeof(*st->owned));
			st->owned[st->nowned++] = path;
			found++;
		}
		free(ents[i]);
	}
	free(ents);
	if (!found) {
		snprintf(errbuf, errlen, "%s: a folder with no pcap, pcapng or gzip'd capture file in it", dir);
		return -1;
	}
	st->skipped_files += skipped;
	return 0;
}

/* The inputs as files: -r FOLDER stands for the capture files in it. */
static int expand_inputs(const struct capture_config *cfg, struct capture_stats *st, const char ***paths, int *n,
			 char *errbuf, size_t errlen)
{
	int i, k, from;
	struct stat sb;

	*paths = NULL;
	*n = 0;
	for (i = 0; i < cfg->npaths; i++) {
		const char *p = cfg->paths[i];

		if (strcmp(p, "-") != 0 && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			from = st->nowned;
			if (expand_folder(p, st, errbuf, errlen) != 0)
				return -1;
			*paths = xrealloc(*paths, (size_t)(*n + st->nowned - from) * sizeof(**paths));
			for (k = from; k < st->nowned; k++)
				(*paths)[(*n)++] = st->owned[k];
		} else {
			*paths = xrealloc(*paths, (size_t)(*n + 1) * sizeof(**paths));
			(*paths)[(*n)++] = p;
		}
	}
	return 0;
}

static int cmp_first(const void *a, const void *b, void *ctx)
{
	const struct source *src = ctx;
	int x = *(const int *)a, y = *(const int *)b;

	if (src[x].first_us != src[y].first_us)
		return src[x].first_us < src[y].first_us ? -1 : 1;
	return x - y;
}

int capture_run_offline(const struct capture_config *cfg, capture_packet_fn fn, capture_live_fn live,
			void *ctx, struct capture_stats *st, char *errbuf, size_t errlen)
{
	struct progress pg = { .on = cfg->progress, .label = cfg->progress_label, .flows = live != NULL };
	struct source *src = NULL;
	struct heap hp = { 0 };
	const char **paths = NULL;
	int *waiting = NULL, nwaiting = 0, w = 0;
	int i, n = 0, r, rc = 0, stdin_used = 0;

	memset(st, 0, sizeof(*st));
	if (expand_inputs(cfg, st, &paths, &n, errbuf, errlen) != 0) {
		free(paths);
		return -1;
	}
	src = xcalloc((size_t)n + 1, sizeof(*src));
	st->inputs = xcalloc((size_t)n + 1, sizeof(*st->inputs));
	st->ninputs = n;
	hp.v = xcalloc((size_t)n + 1, sizeof(*hp.v));
	hp.src = src;
	waiting = xcalloc((size_t)n + 1, sizeof(*waiting));
	/*
	 * Every input is opened, its filter compiled and its first record read
	 * before any packet is audited: a missing file or a bad filter stops
	 * the run here, before any output is opened, and the first records say
	 * in which order the inputs join the stream.
	 */
	for (i = 0; i < n && rc == 0; i++) {
		st->inputs[i].path = paths[i];
		if (strcmp(paths[i], "-") == 0 && stdin_used++) {
			snprintf(errbuf, errlen, "standard input ('-r -') can be read only once");
			rc = -1;
			break;
		}
		r = source_open_and_peek(paths[i], cfg->filter, &src[i], &st->inputs[i], st, errbuf, errlen);
		if (r == -2) {
			rc = -1;
		} else if (r == 1 && n > CAPTURE_KEEP_OPEN && st->inputs[i].size) {
			int64_t first = src[i].first_us;

			source_close(&src[i]);	/* opened again when the stream reaches its first record */
			src[i].first_us = first;
			waiting[nwaiting++] = i;
		} else if (r == 1) {
			heap_push(&hp, i);
		} else {
			if (r < 0)
				rc = 1;
			source_close(&src[i]);
		}
	}
	qsort_r(waiting, (size_t)nwaiting, sizeof(*waiting), cmp_first, src);
	if (rc >= 0 && cfg->ready && cfg->ready(ctx, errbuf, errlen) != 0)
		rc = -1;
	pg.start = pg.last = now_seconds();
	while (rc >= 0) {
		struct source *s;
		struct capture_input *in;

		/* A closed input joins when the stream reaches its first record. */
		while (w < nwaiting && (hp.n == 0 || src[waiting[w]].first_us <= src[hp.v[0]].ts_us)) {
			char ebuf[512];

			i = waiting[w++];
			input_restart(&st->inputs[i]);
			r = source_open_and_peek(st->inputs[i].path, cfg->filter, &src[i], &st->inputs[i], st, ebuf,
						 sizeof(ebuf));
			if (r == 1) {
				heap_push(&hp, i);
				continue;
			}
			if (r == -2) {
				snprintf(st->inputs[i].damage, sizeof(st->inputs[i].damage), "could not be opened again: %.200s",
					 ebuf);
				st->damaged++;
			}
			rc = r ? 1 : rc;
			source_close(&src[i]);
		}
		if (hp.n == 0)
			break;
		i = heap_pop(&hp);
		s = &src[i];
		in = &st->inputs[i];
		/* The only input open (one file, or rotated files one after the other): no heap work per packet. */
		do {
			capture_account(st, s->h);
			input_account(in, s->ts_us);
			fn(ctx, s->dlt, s->h, s->bytes);
			if (pg.on && (st->packets & 0xffff) == 0)
				progress_show(&pg, in->compressed ? -1 : s->ng ? s->ngr.pos : ftello(pcap_file(s->p)), in,
					      st, live ? live(ctx) : 0);
			r = source_next(s, in, st);
		} while (r == 1 && hp.n == 0 && (w >= nwaiting || src[waiting[w]].first_us > s->ts_us));
		if (r == 1) {
			heap_push(&hp, i);
		} else {
			if (r < 0)
				rc = 1;
			source_close(s);
		}
	}
	progress_clear(&pg);
	for (i = 0; i < n; i++)
		source_close(&src[i]);
	st->covered_us = capture_covered_us(st);
	free(src);
	free(hp.v);
	free(waiting);
	free(paths);
	return rc;
}

void capture_stats_free(struct capture_stats *st)
{
	int i;

	free(st->inputs);
	st->inputs = NULL;
	for (i = 0; i < st->nowned; i++)
		free(st->owned[i]);
	free(st->owned);
	st->owned = NULL;
	st->nowned = 0;
}
