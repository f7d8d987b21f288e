/* pcapng: a bounds-checked reader of pcapng files (draft-ietf-opsawg-pcapng), block by block from a stdio stream */
#ifndef FLOWAUDIT_PCAPNG_H
#define FLOWAUDIT_PCAPNG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

/*
 * The largest block read, as libpcap caps it. A block is read whole into
 * memory, and its length field is whatever the file says (up to 4 GiB): the
 * cap bounds what a hostile header makes us allocate. 16 MiB holds the
 * largest packet any link type carries (262144 bytes) with room for options,
 * and every file libpcap reads is read here too.
 */
enum { PCAPNG_BLOCK_MAX = 16 * 1024 * 1024 };

/* One Interface Description Block, as the packets on it need it. */
struct pcapng_iface {
	int dlt;		/* the link type */
	uint32_t snaplen;	/* 0: none */
	bool tsres_pow2;	/* if_tsresol: the units are 2^-tsres_exp s, else 10^-tsres_exp s */
	uint8_t tsres_exp;	/* 6 unless if_tsresol says otherwise */
	int64_t tsoffset;	/* if_tsoffset: seconds added to every time stamp on it */
};

/* One stream as it is read. */
struct pcapng_reader {
	FILE *f;
	int64_t pos;			/* bytes read from the stream: where the next block starts */
	int64_t block_at;		/* where the block last read starts */
	bool swap;			/* the section's byte order is not this machine's */
	uint32_t section;		/* Section Header Blocks read; a new one resets the interfaces */
	struct pcapng_iface *ifs;	/* the section's interfaces, by id */
	uint32_t nifs;
	uint32_t capifs;
	uint32_t ifidx;			/* the interface of the packet last returned */
	uint64_t skipped;		/* blocks of other types (name resolution, statistics, custom, unknown) */
	uint8_t *buf;			/* the block last read, whole (type, length, body, length) */
	size_t bufsize;
	struct pcap_pkthdr hdr;		/* the packet last returned */
	char err[200];			/* what was wrong, when reading returned -1 */
	int64_t err_at;			/* the byte offset of the block it names */
};

/*
 * Start reading f (at its byte 0, which must be a Section Header Block).
 * Returns 0, or -1 with r->err and r->err_at set (r still to be freed).
 * The stream stays the caller's.
 */
int pcapng_open(struct pcapng_reader *r, FILE *f);

/*
 * The next packet (Enhanced, Simple or obsolete Packet Block), with its
 * interface in r->ifidx; other blocks are read on the way (interfaces,
 * sections) or skipped and counted. Returns 1 with *h and *data valid until
 * the next call, 0 at the end of the stream (between two blocks), -1 on a
 * malformed or cut block (r->err, r->err_at).
 */
int pcapng_next(struct pcapng_reader *r, const struct pcap_pkthdr **h, const uint8_t **data);

void pcapng_free(struct pcapng_reader *r);

/*
 * A time stamp of the interface's units since 1970 as seconds and
 * microseconds (rounded down), its if_tsoffset added; seconds beyond what
 * time_t holds are clamped.
 */
void pcapng_ts(const struct pcapng_iface *ifc, uint64_t ts, struct timeval *tv);

/*
 * Writing (pcapng_write.c), in this machine's byte order, as Wireshark and
 * libpcap read it: a Section Header Block with comments (opt_comment, one
 * per line given) and shb_userappl; one Interface Description Block per
 * link type (microsecond time stamps, the default if_tsresol); Enhanced
 * Packet Blocks with an optional comment. Each returns 0, or -1 when the
 * stream's write failed (its error indicator says why).
 */
int pcapng_write_section(FILE *f, const char *const *comments, int ncomments, const char *userappl);
int pcapng_write_interface(FILE *f, int dlt, uint32_t snaplen, const char *name, const char *description);
int pcapng_write_packet(FILE *f, uint32_t ifid, int64_t ts_us, const uint8_t *data, uint32_t caplen, uint32_t len,
			const char *comment);

#endif
