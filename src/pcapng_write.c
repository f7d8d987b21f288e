/* pcapng_write: the blocks of a pcapng file the evidence files are made of (draft-ietf-opsawg-pcapng) */
#include "pcapng.h"

#include <string.h>

enum {
	BT_SHB = 0x0A0D0D0A,
	BT_IDB = 0x00000001,
	BT_EPB = 0x00000006,
	BYTE_ORDER_MAGIC = 0x1A2B3C4D,
	OPT_END = 0,
	OPT_COMMENT = 1,
	SHB_USERAPPL = 4,
	IF_NAME = 2,
	IF_DESCRIPTION = 3,
	/* an option's value is at most this long here; longer text is cut (a comment is a line or a few) */
	OPT_VALUE_MAX = 60000,
};

/* The bytes an option takes: code, length, value padded to 32 bits. */
static size_t opt_size(const char *s)
{
	size_t n;

	if (!s || !*s)
		return 0;
	n = strlen(s);
	if (n > OPT_VALUE_MAX)
		n = OPT_VALUE_MAX;
	return 4 + ((n + 3) & ~(size_t)3);
}

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, sizeof(v), 1, f);
}

static void put16(FILE *f, uint16_t v)
{
	fwrite(&v, sizeof(v), 1, f);
}

static void pad(FILE *f, size_t n)
{
	static const uint8_t zero[4];

	if (n & 3)
		fwrite(zero, 1, 4 - (n & 3), f);
}

static void put_opt(FILE *f, uint16_t code, const char *s)
{
	size_t n;

	if (!s || !*s)
		return;
	n = strlen(s);
	if (n > OPT_VALUE_MAX)
		n = OPT_VALUE_MAX;
	put16(f, code);
	put16(f, (uint16_t)n);
	fwrite(s, 1, n, f);
	pad(f, n);
}

static void put_end(FILE *f)
{
	put16(f, OPT_END);
	put16(f, 0);
}

static int done(FILE *f)
{
	return ferror(f) ? -1 : 0;
}

int pcapng_write_section(FILE *f, const char *const *comments, int ncomments, const char *userappl)
{
	size_t opts = opt_size(userappl);
	uint32_t total;
	int i;

	for (i = 0; i < ncomments; i++)
		opts += opt_size(comments[i]);
	if (opts)
		opts += 4;
	total = (uint32_t)(28 + opts);
	put32(f, BT_SHB);
	put32(f, total);
	put32(f, BYTE_ORDER_MAGIC);
	put16(f, 1);		/* major */
	put16(f, 0);		/* minor */
	put32(f, 0xffffffffu);	/* section length: not given (-1) */
	put32(f, 0xffffffffu);
	for (i = 0; i < ncomments; i++)
		put_opt(f, OPT_COMMENT, comments[i]);
	put_opt(f, SHB_USERAPPL, userappl);
	if (opts)
		put_end(f);
	put32(f, total);
	return done(f);
}

int pcapng_write_interface(FILE *f, int dlt, uint32_t snaplen, const char *name, const char *description)
{
	size_t opts = opt_size(name) + opt_size(description);
	uint32_t total;

	if (opts)
		opts += 4;
	total = (uint32_t)(20 + opts);
	put32(f, BT_IDB);
	put32(f, total);
	put16(f, (uint16_t)dlt);
	put16(f, 0);
	put32(f, snaplen);
	put_opt(f, IF_NAME, name);
	put_opt(f, IF_DESCRIPTION, description);
	if (opts)
		put_end(f);
	put32(f, total);
	return done(f);
}

int pcapng_write_packet(FILE *f, uint32_t ifid, int64_t ts_us, const uint8_t *data, uint32_t caplen, uint32_t len,
			const char *comment)
{
	size_t opts = opt_size(comment);
	uint64_t ts = ts_us > 0 ? (uint64_t)ts_us : 0;	/* the format's times start at 1970 */
	uint32_t total;

	if (opts)
		opts += 4;
	total = (uint32_t)(32 + ((caplen + 3) & ~3u) + opts);
	put32(f, BT_EPB);
	put32(f, total);
	put32(f, ifid);
	put32(f, (uint32_t)(ts >> 32));
	put32(f, (uint32_t)ts);
	put32(f, caplen);
	put32(f, len < caplen ? caplen : len);
	if (caplen)
		fwrite(data, 1, caplen, f);
	pad(f, caplen);
	put_opt(f, OPT_COMMENT, comment);
	if (opts)
		put_end(f);
	put32(f, total);
	return done(f);
}
