/* capture: the packet sources (offline files now), filters and the read loop */
#ifndef FLOWAUDIT_CAPTURE_H
#define FLOWAUDIT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

/* One packet as read: its link type, header and bytes. */
typedef void (*capture_packet_fn)(void *ctx, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes);
/* For the progress line: how many flows are live now. */
typedef uint64_t (*capture_live_fn)(void *ctx);

struct capture_input {
	const char *path;	/* "-" is stdin */
	int dlt;
	uint64_t packets;
	uint64_t size;		/* file size in bytes, 0 if unknown (stdin, pipe) */
	char damage[256];	/* why reading stopped early, "" if it did not */
};

struct capture_config {
	const char **paths;
	int npaths;
	const char *filter;	/* BPF, or NULL */
	bool progress;		/* a progress line on stderr */
};

struct capture_stats {
	uint64_t packets;	/* records read (after the BPF filter) */
	uint64_t wire_bytes;
	int64_t first_us;
	int64_t last_us;
	uint64_t ts_backwards;	/* packets older than one already seen */
	struct capture_input *inputs;
	int ninputs;
	int damaged;		/* inputs whose reading a read error ended early */
};

/*
 * Open every input and compile the filter, then read them in order, calling
 * fn for each packet. Returns 0 when everything was read; -1 with errbuf
 * set when nothing could be read (missing file, not a capture, bad filter,
 * unsupported link type); 1 when an input was damaged (its damage says
 * where): what was read before stands and the next inputs are still read.
 */
int capture_run_offline(const struct capture_config *cfg, capture_packet_fn fn, capture_live_fn live,
			void *ctx, struct capture_stats *stats, char *errbuf, size_t errlen);
void capture_stats_free(struct capture_stats *stats);

#endif
