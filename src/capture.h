/* capture: the packet sources — files, standard input, interfaces — BPF filters and the read loops */
#ifndef FLOWAUDIT_CAPTURE_H
#define FLOWAUDIT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include <pcap/pcap.h>

#include "packet.h"

/* One packet as read: its link type, header and bytes. */
typedef void (*capture_packet_fn)(void *ctx, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes);
/* For the progress line: how many flows are live now. */
typedef uint64_t (*capture_live_fn)(void *ctx);

/* The link types named per pcapng input (more distinct ones are read but not listed). */
enum { CAPTURE_LINKS_MAX = 8 };

struct capture_input {
	const char *path;	/* "-" is stdin */
	int dlt;
	uint64_t packets;	/* records the filter passed */
	uint64_t records;	/* records read whole, the filter's or not */
	uint64_t size;		/* file size in bytes, 0 if unknown (stdin, pipe) */
	char damage[256];	/* why reading stopped early: "at byte N, after K packets: what", "" if it did not */
	int64_t damage_at;	/* the byte offset of the record or block that could not be read, -1 unknown */
	uint32_t snaplen;	/* the file's snaplen, as libpcap applies it */
	uint64_t cut;		/* pcap records longer than the snaplen, which libpcap reads cut to it */
	int64_t cut_at;		/* the byte offset of the first of them */
	bool compressed;	/* read through zlib (gzip) */
	int64_t first_us;	/* its first and last packet (the filter's), when packets > 0 */
	int64_t last_us;
	/* pcapng, read by flowaudit's own reader (src/pcapng.c): one link type per interface */
	bool ng;
	int links[CAPTURE_LINKS_MAX];	/* its interfaces' link types, each once, in order of appearance */
	int nlinks;
	uint64_t unsupported;	/* packets on interfaces of a link type not decoded, skipped */
	int unsupported_dlt;	/* the first such link type */
	uint64_t skipped_blocks;	/* blocks neither packets, interfaces nor sections (statistics, names, custom) */
};


/*
 * Everything could be opened (inputs, filter; live: the interface, before
 * privileges are dropped): the outputs may be opened now. Returns 0, or -1
 * with errbuf set to stop before any packet is read.
 */
typedef int (*capture_ready_fn)(void *ctx, char *errbuf, size_t errlen);

struct capture_config {
	const char **paths;
	int npaths;
	const char *filter;	/* BPF, or NULL */
	bool progress;		/* a progress line on stderr */
	const char *progress_label;	/* NULL, or what the progress line starts with ("evidence") */
	capture_ready_fn ready;	/* or NULL */
};

struct capture_stats {
	bool live;		/* a live capture (the fields below marked live are valid) */
	const char *iface;	/* live: the interface */
	uint64_t received;	/* live: pcap_stats ps_recv, packets the filter passed to us */
	uint64_t dropped;	/* live: ps_drop, dropped by the kernel (buffer full) */
	uint64_t if_dropped;	/* live: ps_ifdrop, dropped by the interface or driver */
	const char *stopped_by;	/* live: "SIGINT", "SIGTERM", "duration", or "error" */
	int64_t started_us;	/* live: when capturing began and ended (wall clock): the observation window */
	int64_t stopped_us;
	uint64_t packets;	/* records read (after the BPF filter) */
	uint64_t wire_bytes;
	int64_t first_us;
	int64_t last_us;
	uint64_t ts_backwards;	/* packets older than one already seen */
	struct capture_input *inputs;	/* offline: every file read (a folder's files one by one) */
	int ninputs;
	int damaged;		/* inputs whose reading a read error ended early */
	int64_t covered_us;	/* offline: the union of the inputs' own spans (not the gaps between files) */
	int skipped_files;	/* offline: files in a -r folder that are not captures */
	char **owned;		/* the paths of a folder's files */
	int nowned;
};

/* The input's link type, or a pcapng file's interfaces' link types joined with " + ", into buf. */
const char *capture_input_links(const struct capture_input *in, char *buf, size_t n);
/* The first bytes of a pcap, pcapng or gzip file. */
bool capture_magic(const uint8_t *m, size_t n);
/* An existing regular file that starts as a capture does. */
bool capture_looks_like_file(const char *path);
/* The union of the inputs' own spans. */
int64_t capture_covered_us(const struct capture_stats *st);

/*
 * Open every input (a folder: every capture file in it; gzip'd files
 * through zlib) and compile the filter, then read them as one stream in
 * time order, as mergecap does, calling fn for each packet. Returns 0 when everything was read; -1 with errbuf
 * set when nothing could be read (missing file, not a capture or a damaged
 * file header, bad filter, unsupported link type); 1 when an input was
 * damaged part way (its damage and damage_at say where): what was read
 * before stands and the next inputs are still read.
 */
int capture_run_offline(const struct capture_config *cfg, capture_packet_fn fn, capture_live_fn live,
			void *ctx, struct capture_stats *stats, char *errbuf, size_t errlen);
void capture_stats_free(struct capture_stats *stats);

/*
 * A record's time in microseconds. pcapng times are 64-bit: libpcap's
 * seconds can exceed what microseconds in an int64_t hold, so they are
 * clamped to +-2^61 us (73,000 years), where sums and differences of two
 * times cannot overflow either.
 */
static inline int64_t capture_ts_us(const struct timeval *tv)
{
	const int64_t max_s = ((int64_t)1 << 61) / 1000000;

	if (tv->tv_sec > max_s || tv->tv_sec < -max_s)
		return tv->tv_sec > 0 ? max_s * 1000000 : -max_s * 1000000;
	return (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

/*
 * The decoder's record of a packet as read (decode it next): zeroed, with
 * its time, lengths, link type and its number in the input.
 */
static inline void capture_packet_init(struct packet *pkt, int dlt, const struct pcap_pkthdr *h, uint64_t number)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->ts_us = capture_ts_us(&h->ts);
	pkt->wire_len = h->len;
	pkt->cap_len = h->caplen;
	pkt->dlt = dlt;
	pkt->number = number;
}

/* A live capture on a mirror / SPAN port. */
struct capture_live_config {
	const char *iface;		/* -i; "any" works (cooked capture) */
	const char *filter;		/* BPF, or NULL */
	int snaplen;			/* -s; default CAPTURE_SNAPLEN_DEFAULT */
	bool promisc;			/* default true; -p turns it off */
	int buffer_mib;			/* -B: kernel buffer size in MiB, 0 = CAPTURE_BUFFER_MIB_DEFAULT */
	int64_t duration_us;		/* --duration: stop after this long from the start, 0 = until a signal */
	int64_t report_interval_us;	/* --report-interval: an interim report this often, 0 = never */
	const char *drop_user;		/* -Z USER: drop root privileges right after opening, or NULL */
	bool progress;			/* a rate line on stderr every few seconds (a terminal, not -q) */
	capture_ready_fn ready;		/* or NULL */
};

/*
 * libpcap's 2 MiB kernel buffer overflows on bursts of a busy mirror port
 * (kernel drops at 50k pkt/s with the CPU a third busy); a sensor left
 * running for days can afford more.
 */
enum { CAPTURE_BUFFER_MIB_DEFAULT = 32 };

/*
 * Whole packets, as tcpdump takes them: a server's certificate chain spans
 * several full segments. 256 bytes is enough for every header the audit
 * reads (Ethernet + 3 VLAN tags + IPv6 with extension headers + TCP with
 * options + a quoted header) and the service banners, not for TLS names.
 */
enum { CAPTURE_SNAPLEN_DEFAULT = 65535 };

/* Called when no packet came for a while (at least every second) so quiet ports still expire flows. */
typedef void (*capture_tick_fn)(void *ctx, int64_t now_us);
/* An interim report is due (SIGHUP or --report-interval); stats are current. */
typedef void (*capture_report_fn)(void *ctx, const struct capture_stats *stats);

/*
 * Open the interface (and drop privileges if asked), print "listening on
 * IFACE" to stderr once packets can be received, then capture until SIGINT
 * or SIGTERM, the duration, or an error. Returns 0 when stopped by a signal
 * or the duration, -1 with errbuf set when the interface could not be
 * opened (missing, down, no permission, bad filter) or privileges could not
 * be dropped, 1 on a capture error after some packets (stats->stopped_by
 * "error", errbuf says what, stats->inputs[0].damage too): what was
 * captured stands. SIGINT, SIGTERM and SIGHUP stay caught after it returns,
 * so that a second Ctrl-C cannot cut the final report short.
 */
int capture_run_live(const struct capture_live_config *cfg, capture_packet_fn fn, capture_tick_fn tick,
		     capture_report_fn report, capture_live_fn live, void *ctx, struct capture_stats *stats,
		     char *errbuf, size_t errlen);

#endif
