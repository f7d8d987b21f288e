/*
 * pcapng: a reader of our own, because libpcap reads one link type per file
 * and refuses a file whose interfaces differ (Wireshark on several
 * interfaces, pktmon etl2pcap). The format is draft-ietf-opsawg-pcapng;
 * section numbers below are that draft's. Every length in the file is
 * checked before it is used: a malformed file ends with an error naming
 * what was wrong and the offset of its block, never a read out of bounds.
 */
#include "pcapng.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Block type codes (section 10.1). Everything else is skipped and counted. */
enum {
	BT_SHB = 0x0A0D0D0A,	/* a palindrome: it reads the same in both byte orders */
	BT_IDB = 1,
	BT_PB = 2,		/* the obsolete Packet Block (appendix A) */
	BT_SPB = 3,
	BT_EPB = 6,
};

/* Every block (section 3.1): type, total length, body, the total length again; lengths count all of it. */
enum { BLK_TYPE = 0, BLK_LEN = 4, BLK_HDR = 8, BLK_TRAILER = 4, BLK_MIN = 12 };

/* Section Header Block (4.1): byte-order magic, major and minor version, section length (-1: unknown), options. */
enum { SHB_BOM = 8, SHB_MAJOR = 12, SHB_MINOR = 14, SHB_OPTIONS = 24, SHB_MIN = 28 };
enum { BYTE_ORDER_MAGIC = 0x1A2B3C4D, PCAPNG_MAJOR = 1 };

/* Interface Description Block (4.2): link type, reserved, snaplen, options. */
enum { IDB_LINKTYPE = 8, IDB_SNAPLEN = 12, IDB_OPTIONS = 16, IDB_MIN = 20 };

/* Enhanced Packet Block (4.3): interface id, time stamp (high, low), captured and original length, data, options. */
enum { EPB_IFID = 8, EPB_TS_HIGH = 12, EPB_TS_LOW = 16, EPB_CAPLEN = 20, EPB_ORIGLEN = 24, EPB_DATA = 28, EPB_MIN = 32 };

/* Simple Packet Block (4.4): original length, data; interface 0, no time stamp. */
enum { SPB_ORIGLEN = 8, SPB_DATA = 12, SPB_MIN = 16 };

/* Packet Block (appendix A): as the EPB with a 16-bit interface id and a 16-bit drops count. */
enum { PB_IFID = 8, PB_TS_HIGH = 12, PB_TS_LOW = 16, PB_CAPLEN = 20, PB_ORIGLEN = 24, PB_DATA = 28, PB_MIN = 32 };

/* Options (3.5): code, length of the value, the value padded to 32 bits. IDB options (4.2). */
enum { OPT_ENDOFOPT = 0, OPT_HDR = 4, IF_TSRESOL = 9, IF_TSOFFSET = 14 };

/*
 * The finest time stamp units read: past these a 64-bit count of them
 * cannot even reach one second (10^20 and 2^64 exceed it), so such a file
 * is broken rather than precise.
 */
enum { TSRES_MAX_POW10 = 19, TSRES_MAX_POW2 = 63 };

static int fail(struct pcapng_reader *r, int64_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct pcapng_reader *r, int64_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->err_at = at;
	return -1;
}

/* Reads at offsets already checked against the block length, in the section's byte order. */
static uint16_t get16(const struct pcapng_reader *r, uint32_t at)
{
	uint16_t v;

	memcpy(&v, r->buf + at, sizeof(v));
	return r->swap ? __builtin_bswap16(v) : v;
}

static uint32_t get32(const struct pcapng_reader *r, uint32_t at)
{
	uint32_t v;

	memcpy(&v, r->buf + at, sizeof(v));
	return r->swap ? __builtin_bswap32(v) : v;
}

/* A 64-bit option value: the whole value in the section's byte order (unlike the time stamp's two halves). */
static uint64_t get64(const struct pcapng_reader *r, uint32_t at)
{
	uint64_t v;

	memcpy(&v, r->buf + at, sizeof(v));
	return r->swap ? __builtin_bswap64(v) : v;
}

static size_t get_bytes(struct pcapng_reader *r, void *dst, size_t n)
{
	size_t k = fread(dst, 1, n, r->f);

	r->pos += (int64_t)k;
	return k;
}

static int cut_short(struct pcapng_reader *r, const char *what, size_t want, size_t got)
{
	if (ferror(r->f))
		return fail(r, r->block_at, "read error: %s", strerror(errno ? errno : EIO));
	return fail(r, r->block_at, "%s cut short: the file ends after %zu of its %zu bytes", what, got, want);
}

static const char *block_name(uint32_t type)
{
	switch (type) {
	case BT_SHB:
		return "section header block";
	case BT_IDB:
		return "interface description block";
	case BT_EPB:
		return "enhanced packet block";
	case BT_SPB:
		return "simple packet block";
	case BT_PB:
		return "packet block";
	default:
		return "block";
	}
}

static uint32_t block_min(uint32_t type)
{
	switch (type) {
	case BT_SHB:
		return SHB_MIN;
	case BT_IDB:
		return IDB_MIN;
	case BT_EPB:
		return EPB_MIN;
	case BT_SPB:
		return SPB_MIN;
	case BT_PB:
		return PB_MIN;
	default:
		return BLK_MIN;
	}
}

/*
 * The next block, whole, into r->buf. A section header's byte-order magic is
 * read before its length, which is in the byte order the magic tells.
 * Returns 1, 0 at the end of the stream (between blocks), -1 on error.
 */
static int read_block(struct pcapng_reader *r, uint32_t *type, uint32_t *len)
{
	uint8_t head[SHB_BOM + 4];
	uint32_t have = BLK_HDR, min;
	size_t k;

	r->block_at = r->pos;
	k = get_bytes(r, head, BLK_HDR);
	if (k == 0 && !ferror(r->f))
		return 0;
	if (k < BLK_HDR)
		return cut_short(r, "a block header", BLK_HDR, k);
	memcpy(type, head + BLK_TYPE, 4);
	if (*type == BT_SHB) {
		uint32_t bom;

		if ((k = get_bytes(r, head + BLK_HDR, 4)) < 4)
			return cut_short(r, "a section header block", SHB_MIN, BLK_HDR + k);
		have += 4;
		memcpy(&bom, head + SHB_BOM, 4);
		if (bom == BYTE_ORDER_MAGIC)
			r->swap = false;
		else if (bom == __builtin_bswap32(BYTE_ORDER_MAGIC))
			r->swap = true;
		else
			return fail(r, r->block_at, "section header byte-order magic 0x%08x is not 0x1a2b3c4d either way round",
				    bom);
	} else if (r->swap) {
		*type = __builtin_bswap32(*type);
	}
	memcpy(len, head + BLK_LEN, 4);
	if (r->swap)
		*len = __builtin_bswap32(*len);
	min = block_min(*type);
	if (*len < min)
		return fail(r, r->block_at, "%s (type 0x%x) total length %u below its minimum of %u", block_name(*type),
			    *type, *len, min);
	if (*len % 4)
		return fail(r, r->block_at, "%s (type 0x%x) total length %u not a multiple of 4", block_name(*type), *type,
			    *len);
	if (*len > PCAPNG_BLOCK_MAX)
		return fail(r, r->block_at, "pcapng block size %u > maximum %u", *len, (unsigned)PCAPNG_BLOCK_MAX);
	if (r->bufsize < *len) {
		r->bufsize = *len < 4096 ? 4096 : *len;
		r->buf = xrealloc(r->buf, r->bufsize);
	}
	memcpy(r->buf, head, have);
	if ((k = get_bytes(r, r->buf + have, *len - have)) < *len - have)
		return cut_short(r, block_name(*type), *len, have + k);
	if (get32(r, *len - BLK_TRAILER) != *len)
		return fail(r, r->block_at, "%s total length %u at its end differs from the %u at its start",
			    block_name(*type), get32(r, *len - BLK_TRAILER), *len);
	return 1;
}

/*
 * The next option between *at and end (both within the block): 1 with its
 * code, length and value offset, 0 after the last (opt_endofopt, or none
 * left), -1 when an option runs past the end.
 */
static int next_option(struct pcapng_reader *r, uint32_t *at, uint32_t end, uint16_t *code, uint16_t *olen,
		       uint32_t *val, const char *block)
{
	uint32_t padded;

	if (*at >= end)
		return 0;
	if (end - *at < OPT_HDR)
		return fail(r, r->block_at, "%s: an option header cut by the end of the block (%u bytes left)", block,
			    end - *at);
	*code = get16(r, *at);
	*olen = get16(r, *at + 2);
	if (*code == OPT_ENDOFOPT)
		return 0;
	padded = ((uint32_t)*olen + 3) & ~3u;
	if (padded > end - *at - OPT_HDR)
		return fail(r, r->block_at, "%s: option %u of %u bytes runs past the end of the block", block, *code,
			    *olen);
	*val = *at + OPT_HDR;
	*at += OPT_HDR + padded;
	return 1;
}

static int read_shb(struct pcapng_reader *r, uint32_t len)
{
	uint16_t major = get16(r, SHB_MAJOR), code = 0, olen = 0;
	uint32_t at = SHB_OPTIONS, val = 0;
	int rc;

	/* A new major version may lay its blocks out otherwise: nothing in it can be read (4.1). */
	if (major != PCAPNG_MAJOR)
		return fail(r, r->block_at, "section header version %u.%u (only 1.x is read)", major,
			    get16(r, SHB_MINOR));
	while ((rc = next_option(r, &at, len - BLK_TRAILER, &code, &olen, &val, "section header block")) == 1)
		;
	if (rc < 0)
		return -1;
	/* Interface ids count from 0 in each section (4.1). */
	r->nifs = 0;
	r->section++;
	return 0;
}

static int read_idb(struct pcapng_reader *r, uint32_t len)
{
	struct pcapng_iface ifc = { .dlt = get16(r, IDB_LINKTYPE), .snaplen = get32(r, IDB_SNAPLEN), .tsres_exp = 6 };
	uint32_t at = IDB_OPTIONS, val = 0;
	uint16_t code = 0, olen = 0;
	int rc;

	while ((rc = next_option(r, &at, len - BLK_TRAILER, &code, &olen, &val, "interface description block")) == 1) {
		if (code == IF_TSRESOL) {
			uint8_t v;

			if (olen != 1)
				return fail(r, r->block_at, "if_tsresol of %u bytes, not 1", olen);
			v = r->buf[val];
			ifc.tsres_pow2 = v & 0x80;
			ifc.tsres_exp = v & 0x7f;
			if (ifc.tsres_exp > (ifc.tsres_pow2 ? TSRES_MAX_POW2 : TSRES_MAX_POW10))
				return fail(r, r->block_at, "if_tsresol %s^-%u finer than a 64-bit time stamp can count",
					    ifc.tsres_pow2 ? "2" : "10", ifc.tsres_exp);
		} else if (code == IF_TSOFFSET) {
			if (olen != 8)
				return fail(r, r->block_at, "if_tsoffset of %u bytes, not 8", olen);
			ifc.tsoffset = (int64_t)get64(r, val);
		}
	}
	if (rc < 0)
		return -1;
	if (r->nifs == r->capifs) {
		r->capifs = r->capifs ? 2 * r->capifs : 4;
		r->ifs = xrealloc(r->ifs, r->capifs * sizeof(*r->ifs));
	}
	r->ifs[r->nifs++] = ifc;
	return 0;
}

void pcapng_ts(const struct pcapng_iface *ifc, uint64_t ts, struct timeval *tv)
{
	unsigned __int128 units = 1, frac;
	uint64_t secs;
	int64_t s;
	unsigned k;

	if (ifc->tsres_pow2)
		units <<= ifc->tsres_exp;
	else
		for (k = 0; k < ifc->tsres_exp; k++)
			units *= 10;
	secs = (uint64_t)(ts / units);
	frac = ts % units;
	/* frac < units <= 2^64, so frac * 10^6 fits in 128 bits */
	tv->tv_usec = (suseconds_t)(frac * 1000000u / units);
	s = secs > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)secs;
	if (__builtin_add_overflow(s, ifc->tsoffset, &s))
		s = ifc->tsoffset < 0 ? INT64_MIN : INT64_MAX;
	tv->tv_sec = (time_t)s;
}

/* The interface id of a packet block, checked against the section's interfaces. */
static int check_if(struct pcapng_reader *r, uint32_t type, uint32_t id)
{
	if (id >= r->nifs)
		return fail(r, r->block_at, "%s on interface %u, but the section has %u interface%s", block_name(type), id,
			    r->nifs, r->nifs == 1 ? "" : "s");
	r->ifidx = id;
	return 0;
}

/* EPB and PB: the same fields at the same offsets after the interface id. */
static int read_packet(struct pcapng_reader *r, uint32_t type, uint32_t len, const uint8_t **data)
{
	uint32_t id = type == BT_EPB ? get32(r, EPB_IFID) : get16(r, PB_IFID);
	uint32_t caplen = get32(r, EPB_CAPLEN), room = len - EPB_MIN;
	uint64_t ts = (uint64_t)get32(r, EPB_TS_HIGH) << 32 | get32(r, EPB_TS_LOW);

	if (check_if(r, type, id) != 0)
		return -1;
	if (caplen > room)
		return fail(r, r->block_at, "%s captured length %u larger than the %u bytes the block has room for",
			    block_name(type), caplen, room);
	pcapng_ts(&r->ifs[id], ts, &r->hdr.ts);
	r->hdr.caplen = caplen;
	r->hdr.len = get32(r, EPB_ORIGLEN);
	*data = r->buf + EPB_DATA;
	return 1;
}

/* SPB: interface 0, no time stamp (0, as libpcap and Wireshark read it), captured as much as the block holds. */
static int read_spb(struct pcapng_reader *r, uint32_t len, const uint8_t **data)
{
	uint32_t orig = get32(r, SPB_ORIGLEN), cap = len - SPB_MIN;
	const struct pcapng_iface *ifc;

	if (check_if(r, BT_SPB, 0) != 0)
		return -1;
	ifc = &r->ifs[0];
	/* the block's room includes the padding: the packet is no longer than it was on the wire, nor the snaplen */
	if (cap > orig)
		cap = orig;
	if (ifc->snaplen && cap > ifc->snaplen)
		cap = ifc->snaplen;
	memset(&r->hdr.ts, 0, sizeof(r->hdr.ts));
	r->hdr.caplen = cap;
	r->hdr.len = orig;
	*data = r->buf + SPB_DATA;
	return 1;
}

int pcapng_next(struct pcapng_reader *r, const struct pcap_pkthdr **h, const uint8_t **data)
{
	uint32_t type, len;
	int rc;

	for (;;) {
		if ((rc = read_block(r, &type, &len)) <= 0)
			return rc;
		switch (type) {
		case BT_SHB:
			rc = read_shb(r, len);
			break;
		case BT_IDB:
			rc = read_idb(r, len);
			break;
		case BT_EPB:
		case BT_PB:
			rc = read_packet(r, type, len, data);
			break;
		case BT_SPB:
			rc = read_spb(r, len, data);
			break;
		default:
			/* name resolution, statistics, decryption secrets, custom, pktmon's and unknown blocks */
			r->skipped++;
			rc = 0;
			break;
		}
		if (rc < 0)
			return -1;
		if (rc == 1) {
			*h = &r->hdr;
			return 1;
		}
	}
}

int pcapng_open(struct pcapng_reader *r, FILE *f)
{
	uint32_t type, len;
	int rc;

	memset(r, 0, sizeof(*r));
	r->f = f;
	r->err_at = -1;
	rc = read_block(r, &type, &len);
	if (rc == 0)
		return fail(r, 0, "an empty file");
	if (rc < 0)
		return -1;
	if (type != BT_SHB)
		return fail(r, 0, "the first block is of type 0x%x, not a section header block", type);
	return read_shb(r, len);
}

void pcapng_free(struct pcapng_reader *r)
{
	free(r->ifs);
	free(r->buf);
	r->ifs = NULL;
	r->buf = NULL;
	r->nifs = r->capifs = 0;
	r->bufsize = 0;
}
