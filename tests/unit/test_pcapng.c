/* test_pcapng: the pcapng reader on files built here, in both byte orders, and on every cut and bent length */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pcapng.h"

/* A pcapng file being written, in one byte order (a second section may switch it). */
struct ng {
	uint8_t b[16384];
	size_t n;
	bool be;
};

static void put8(struct ng *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }

static void put16(struct ng *f, unsigned v)
{
	if (f->be) {
		put8(f, v >> 8);
		put8(f, v & 0xff);
	} else {
		put8(f, v & 0xff);
		put8(f, v >> 8);
	}
}

static void put32(struct ng *f, uint32_t v)
{
	if (f->be) {
		put16(f, v >> 16);
		put16(f, v & 0xffff);
	} else {
		put16(f, v & 0xffff);
		put16(f, v >> 16);
	}
}

static void put_bytes(struct ng *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void pad4(struct ng *f)
{
	while (f->n % 4)
		put8(f, 0);
}

/* Start a block; block_end fills in both lengths. */
static size_t block_start(struct ng *f, uint32_t type)
{
	size_t at = f->n;

	put32(f, type);
	put32(f, 0);
	return at;
}

static void block_end(struct ng *f, size_t at)
{
	size_t save = f->n;
	uint32_t len = (uint32_t)(f->n - at + 4);

	f->n = at + 4;
	put32(f, len);
	f->n = save;
	put32(f, len);
}

static void shb(struct ng *f, bool be)
{
	size_t at;

	f->be = be;
	at = block_start(f, 0x0A0D0D0A);
	put32(f, 0x1A2B3C4D);
	put16(f, 1);
	put16(f, 0);
	put32(f, 0xffffffff);	/* section length -1: unknown */
	put32(f, 0xffffffff);
	block_end(f, at);
}

/* An IDB; tsresol < 0: no if_tsresol option; tsoffset != 0: an if_tsoffset option. */
static void idb(struct ng *f, unsigned linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
	size_t at = block_start(f, 1);

	put16(f, linktype);
	put16(f, 0);
	put32(f, snaplen);
	put16(f, 2);	/* if_name, skipped */
	put16(f, 5);
	put_bytes(f, "veth0", 5);
	pad4(f);
	if (tsresol >= 0) {
		put16(f, 9);
		put16(f, 1);
		put8(f, (unsigned)tsresol);
		pad4(f);
	}
	if (tsoffset) {
		uint64_t v = (uint64_t)tsoffset;

		put16(f, 14);
		put16(f, 8);
		if (f->be) {
			put32(f, (uint32_t)(v >> 32));
			put32(f, (uint32_t)v);
		} else {
			put32(f, (uint32_t)v);
			put32(f, (uint32_t)(v >> 32));
		}
	}
	put16(f, 0);	/* opt_endofopt */
	put16(f, 0);
	block_end(f, at);
}

/* A packet of n bytes, byte i = fill + i. */
static void payload(struct ng *f, unsigned n, unsigned fill)
{
	unsigned i;

	for (i = 0; i < n; i++)
		put8(f, (fill + i) & 0xff);
	pad4(f);
}

static void epb(struct ng *f, uint32_t ifid, uint64_t ts, unsigned cap, unsigned len, unsigned fill)
{
	size_t at = block_start(f, 6);

	put32(f, ifid);
	put32(f, (uint32_t)(ts >> 32));
	put32(f, (uint32_t)ts);
	put32(f, cap);
	put32(f, len);
	payload(f, cap, fill);
	put16(f, 1);	/* opt_comment, not read */
	put16(f, 2);
	put_bytes(f, "hi", 2);
	pad4(f);
	put32(f, 0);
	block_end(f, at);
}

static void spb(struct ng *f, unsigned orig, unsigned stored, unsigned fill)
{
	size_t at = block_start(f, 3);

	put32(f, orig);
	payload(f, stored, fill);
	block_end(f, at);
}

static void pb(struct ng *f, unsigned ifid, uint64_t ts, unsigned cap, unsigned len)
{
	size_t at = block_start(f, 2);

	put16(f, ifid);
	put16(f, 7);	/* drops count */
	put32(f, (uint32_t)(ts >> 32));
	put32(f, (uint32_t)ts);
	put32(f, cap);
	put32(f, len);
	payload(f, cap, 0);
	block_end(f, at);
}

static void other(struct ng *f, uint32_t type, unsigned body)
{
	size_t at = block_start(f, type);

	payload(f, body, 0x55);
	block_end(f, at);
}

/* The reader over the bytes written. */
struct rd {
	FILE *fp;
	struct pcapng_reader r;
	int open_rc;
};

static void rd_open(struct rd *x, const uint8_t *b, size_t n)
{
	/* fmemopen may refuse a size of 0 */
	x->fp = n ? fmemopen((void *)b, n, "rb") : fopen("/dev/null", "rb");
	cr_assert(x->fp);
	x->open_rc = pcapng_open(&x->r, x->fp);
}

static void rd_close(struct rd *x)
{
	pcapng_free(&x->r);
	fclose(x->fp);
}

static int next(struct rd *x, const struct pcap_pkthdr **h, const uint8_t **d)
{
	return pcapng_next(&x->r, h, d);
}

static const uint64_t T0_US = 1700000000123456ULL;	/* 2023-11-14 22:13:20.123456 UTC */

static void basic(bool be)
{
	struct ng f = { 0 };
	struct rd x;
	const struct pcap_pkthdr *h;
	const uint8_t *d;

	shb(&f, be);
	idb(&f, 1, 65535, -1, 0);
	epb(&f, 0, T0_US, 60, 60, 10);
	epb(&f, 0, T0_US + 1000001, 33, 1500, 20);
	rd_open(&x, f.b, f.n);
	cr_assert_eq(x.open_rc, 0, "%s", x.r.err);
	cr_assert_eq(next(&x, &h, &d), 1, "%s", x.r.err);
	cr_assert_eq(x.r.swap, be != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__));
	cr_assert_eq(x.r.nifs, 1);
	cr_assert_eq(x.r.ifs[0].dlt, 1);
	cr_assert_eq(x.r.ifs[0].snaplen, 65535);
	cr_assert_eq(x.r.ifidx, 0);
	cr_assert_eq(h->ts.tv_sec, 1700000000);
	cr_assert_eq(h->ts.tv_usec, 123456);
	cr_assert_eq(h->caplen, 60);
	cr_assert_eq(h->len, 60);
	cr_assert_eq(d[0], 10);
	cr_assert_eq(d[59], 69);
	cr_assert_eq(next(&x, &h, &d), 1);
	cr_assert_eq(h->ts.tv_sec, 1700000001);
	cr_assert_eq(h->ts.tv_usec, 123457);
	cr_assert_eq(h->caplen, 33);
	cr_assert_eq(h->len, 1500);
	cr_assert_eq(d[32], 52);
	cr_assert_eq(next(&x, &h, &d), 0);
	cr_assert_eq(x.r.pos, (int64_t)f.n);
	cr_assert_eq(x.r.skipped, 0);
	rd_close(&x);
}

Test(pcapng, little_endian) { basic(false); }
Test(pcapng, big_endian) { basic(true); }

/* One interface with the given if_tsresol / if_tsoffset, one packet at ts: its time. */
static struct timeval one_ts(bool be, int tsresol, int64_t tsoffset, uint64_t ts)
{
	struct ng f = { 0 };
	struct rd x;
	const struct pcap_pkthdr *h;
	const uint8_t *d;
	struct timeval tv;

	shb(&f, be);
	idb(&f, 1, 0, tsresol, tsoffset);
	epb(&f, 0, ts, 14, 14, 0);
	rd_open(&x, f.b, f.n);
	cr_assert_eq(x.open_rc, 0);
	cr_assert_eq(next(&x, &h, &d), 1, "%s", x.r.err);
	tv = h->ts;
	rd_close(&x);
	return tv;
}

Test(pcapng, tsresol_nanoseconds)
{
	struct timeval tv = one_ts(false, 9, 0, 1700000000123456789ULL);

	cr_assert_eq(tv.tv_sec, 1700000000);
	cr_assert_eq(tv.tv_usec, 123456);	/* rounded down */
	tv = one_ts(true, 9, 0, 1700000000999999999ULL);
	cr_assert_eq(tv.tv_sec, 1700000000);
	cr_assert_eq(tv.tv_usec, 999999);
}

Test(pcapng, tsresol_power_of_two)
{
	/* 2^-10 s: 512 units are half a second, 1 unit 976.5625 us */
	struct timeval tv = one_ts(false, 0x80 | 10, 0, 1700000000ULL * 1024 + 512);

	cr_assert_eq(tv.tv_sec, 1700000000);
	cr_assert_eq(tv.tv_usec, 500000);
	tv = one_ts(true, 0x80 | 10, 0, 1700000000ULL * 1024 + 1);
	cr_assert_eq(tv.tv_usec, 976);
}

Test(pcapng, tsresol_coarse_and_extreme)
{
	struct pcapng_iface ifc = { .tsres_exp = 0 };
	struct timeval tv;

	/* whole seconds */
	tv = one_ts(false, 0, 0, 1700000000ULL);
	cr_assert_eq(tv.tv_sec, 1700000000);
	cr_assert_eq(tv.tv_usec, 0);
	/* 10^-19 s: the largest 64-bit count is 1.8 s; no overflow on the way */
	ifc.tsres_exp = 19;
	pcapng_ts(&ifc, UINT64_MAX, &tv);
	cr_assert_eq(tv.tv_sec, 1);
	cr_assert_eq(tv.tv_usec, 844674);
	/* 2^-63 s */
	ifc.tsres_pow2 = true;
	ifc.tsres_exp = 63;
	pcapng_ts(&ifc, UINT64_MAX, &tv);
	cr_assert_eq(tv.tv_sec, 1);
	cr_assert_eq(tv.tv_usec, 999999);
	/* seconds units, the largest count: beyond time_t's int64, clamped */
	ifc.tsres_pow2 = false;
	ifc.tsres_exp = 0;
	pcapng_ts(&ifc, UINT64_MAX, &tv);
	cr_assert_eq(tv.tv_sec, INT64_MAX);
	ifc.tsoffset = INT64_MAX;
	pcapng_ts(&ifc, UINT64_MAX, &tv);
	cr_assert_eq(tv.tv_sec, INT64_MAX);
}

Test(pcapng, tsresol_too_fine_is_an_error)
{
	struct ng f = { 0 };
	struct rd x;
	const struct pcap_pkthdr *h;
	const uint8_t *d;

	shb(&f, false);
	idb(&f, 1, 0, 20, 0);
	epb(&f, 0, 1, 14, 14, 0);
	rd_open(&x, f.b, f.n);
	cr_assert_eq(next(&x, &h, &d), -1);
	cr_assert(strstr(x.r.err, "if_tsresol 10^-20"), "%s", x.r.err);
	cr_assert_eq(x.r.err_at, 28);
	rd_close(&x);
}

Test(pcapng, tsoffset)
{
	struct timeval tv = one_ts(false, -1, 1000, 5);

	cr_assert_eq(tv.tv_sec, 1000);
	cr_assert_eq(tv.tv_usec, 5);
	tv = one_ts(true, 9, -1700000000, 1700000000000000001ULL);
	cr_assert_eq(tv.tv_sec, 0);
	cr_assert_eq(tv.tv_usec, 0);
	tv = one_ts(false, -1, -10, 2500000);
	cr_assert_eq(tv.tv_sec, -8);
	cr_assert_eq(tv.tv_usec, 500000);
}

Test(pcapng, simple_packet_block)
{
	struct ng f = { 0 };
	struct rd x;
	const struct pcap_pkthdr *h;
	const uint8_t *d;

	shb(&f, true);
	idb(&f, 1, 64, -1, 0);
	spb(&f, 100, 100, 1);	/* cut to the snaplen */
	spb(&f, 50, 50, 2);	/* the block has 52 bytes of room, 2 of them padding */
	spb(&f, 1500, 40, 3);	/* a writer that stored less than the snaplen: what the block holds */
	rd_open(&x, f.b, f.n);
	cr_assert_eq(next(&x, &h, &d), 1, "%s", x.r.err);
	cr_assert_eq(h->caplen, 64);
	cr_assert_eq(h->len, 100);
	cr_assert_eq(h->ts.tv_sec, 0);
	cr_assert_eq(d[63], 64);
	cr_assert_eq(next(&x, &h, &d), 1);
	cr_assert_eq(h->caplen, 50);
	cr_assert_eq(h->len, 50);
	cr_assert_eq(next(&x, &h, &d), 1);
	cr_assert_eq(h->caplen, 40);
	cr_assert_eq(h->len, 1500);
	cr_assert_eq(next(&x, &h, &d), 0);
	rd_close(&x);
}

Test(pcapng, simple_packet_block_needs_an_interface)
{
	struct ng f = { 0 };
	struct rd x;
	const struct pcap_pkthdr *h;
	const uint8_t *d;

	shb(&f, false);
	spb(&f, 10, 10, 1);
	rd_open(&x, f.b, f.n);
	cr_assert_eq(next(&x, &h, &d), -1);
	cr_assert(strstr(x.r.err, "simple packet block on interface 0, but the section has 0 interfaces"), "%s",
		  x.r.err);
	rd_close(&x);
}

Test(pcapng, obsolete_packet_block)
{
	struct ng f = { 0 };
	struct rd x;
	const struct pcap_pkthdr *h;
	const uint8_t *d;

	shb(&f, false);
	idb(&f, 1, 0, -1, 0);
	idb(&f, 113, 0, 9, 0);	/* Linux cooked, nanoseconds */
	pb(&f, 1, 1700000000000001000ULL, 44, 44);
	rd_open(&x, f.b, f.n);
	cr_assert_eq(next(&x, &h, &d), 1, "%s", x.r.err);
	cr_assert_eq(x.r.ifidx, 1);
	cr_assert_eq(x.r.ifs[1].dlt, 113);
	cr_assert_eq(h->ts.tv_sec, 1700000000);
	cr_assert_eq(h->ts.tv_usec, 1);
	cr_assert_eq(h->caplen, 44);
	rd_close(&x);
}

Test(pcapng, other_blocks_skipped_and_counted)
{
	struct ng f = { 0 };
	struct rd x;
	const struct pcap_pkthdr *h;
	const uint8_t *d;
	int n = 0;

	shb(&f, false);
	other(&f, 4, 12);		/* name resolution */
	idb(&f, 1, 0, -1, 0);
	epb(&f, 0, T0_US, 20, 20, 0);
	other(&f, 5, 20);		/* interface statistics */
	other(&f, 0x0A, 16);		/* decryption secrets */
	other(&f, 0xBAD, 8);		/* custom, may be copied */
	other(&f, 0x40000BAD, 0);	/* custom, not to be copied */
	other(&f, 0x80000F1A, 4);	/* local use */
	other(&f, 0x12345678, 0);	/* unassigned */
	epb(&f, 0, T0_US + 1, 20, 20, 0);
	rd_open(&x, f.b, f.n);
	while (next(&x, &h, &d) == 1)
		n++;
	cr_assert_eq(n, 2);
	cr_assert_str_empty(x.r.err);
	cr_assert_eq(x.r.skipped, 7);
	rd_close(&x);
}

Test(pcapng, two_sections)
{
	struct ng f = { 0 };
	struct rd x;
	const struct pcap_pkthdr *h;
	const uint8_t *d;

	shb(&f, false);
	idb(&f, 1, 0, -1, 0);
	idb(&f, 101, 0, -1, 0);
	epb(&f, 1, T0_US, 20, 20, 0);
	shb(&f, true);		/* the other byte order; its interfaces count from 0 again */
	idb(&f, 276, 0, 9, 0);
	epb(&f, 0, 1700000000000000000ULL, 20, 20, 0);
	epb(&f, 1, T0_US, 20, 20, 0);	/* the first section's interface 1 is gone */
	rd_open(&x, f.b, f.n);
	cr_assert_eq(next(&x, &h, &d), 1);
	cr_assert_eq(x.r.ifs[x.r.ifidx].dlt, 101);
	cr_assert_eq(x.r.section, 1);
	cr_assert_eq(next(&x, &h, &d), 1, "%s", x.r.err);
	cr_assert_eq(x.r.section, 2);
	cr_assert_eq(x.r.nifs, 1);
	cr_assert_eq(x.r.ifs[0].dlt, 276);
	cr_assert_eq(h->ts.tv_sec, 1700000000);
	cr_assert_eq(next(&x, &h, &d), -1);
	cr_assert(strstr(x.r.err, "enhanced packet block on interface 1, but the section has 1 interface"), "%s",
		  x.r.err);
	cr_assert_eq(x.r.err_at, x.r.block_at);
	cr_assert_eq(x.r.err_at, (int64_t)f.n - 64);
	rd_close(&x);
}

Test(pcapng, interface_after_packets)
{
	struct ng f = { 0 };
	struct rd x;
	const struct pcap_pkthdr *h;
	const uint8_t *d;

	shb(&f, true);
	idb(&f, 1, 0, -1, 0);
	epb(&f, 0, T0_US, 20, 20, 0);
	idb(&f, 0, 0, 0x80 | 20, 0);	/* BSD loopback, 2^-20 s */
	epb(&f, 1, 1700000000ULL << 20, 24, 24, 0);
	epb(&f, 0, T0_US + 2, 20, 20, 0);
	rd_open(&x, f.b, f.n);
	cr_assert_eq(next(&x, &h, &d), 1);
	cr_assert_eq(x.r.nifs, 1);
	cr_assert_eq(next(&x, &h, &d), 1, "%s", x.r.err);
	cr_assert_eq(x.r.nifs, 2);
	cr_assert_eq(x.r.ifidx, 1);
	cr_assert_eq(h->ts.tv_sec, 1700000000);
	cr_assert_eq(h->ts.tv_usec, 0);
	cr_assert_eq(next(&x, &h, &d), 1);
	cr_assert_eq(x.r.ifidx, 0);
	cr_assert_eq(next(&x, &h, &d), 0);
	rd_close(&x);
}

/* Read a whole file: 0 at a clean end, -1 on an error (with a message and an offset inside the file). */
static int read_all(const uint8_t *b, size_t n, int *packets, struct pcapng_reader *out)
{
	struct rd x;
	const struct pcap_pkthdr *h;
	const uint8_t *d;
	int rc, guard = 0;

	*packets = 0;
	rd_open(&x, b, n);
	if (x.open_rc == 0) {
		while ((rc = next(&x, &h, &d)) == 1) {
			cr_assert_leq(h->caplen, PCAPNG_BLOCK_MAX);
			cr_assert(d >= x.r.buf && d + h->caplen <= x.r.buf + x.r.bufsize);
			(*packets)++;
			cr_assert_lt(++guard, 10000);
		}
	} else {
		rc = -1;
	}
	if (rc < 0) {
		cr_assert_neq(x.r.err[0], '\0');
		cr_assert(x.r.err_at >= 0 && x.r.err_at <= (int64_t)n, "err_at %lld of %zu", (long long)x.r.err_at, n);
	}
	if (out) {
		memcpy(out->err, x.r.err, sizeof(out->err));
		out->err_at = x.r.err_at;
		out->skipped = x.r.skipped;
	}
	rd_close(&x);
	return rc;
}

/* A file with a little of everything, for the hostile-input loops; block starts in starts[]. */
static void everything(struct ng *f, size_t *starts, int *nstarts)
{
	*nstarts = 0;
#define AT() (starts[(*nstarts)++] = f->n)
	AT(); shb(f, false);
	AT(); idb(f, 1, 65535, 9, 3600);
	AT(); epb(f, 0, 1700000000000000000ULL, 60, 60, 1);
	AT(); other(f, 5, 20);
	AT(); idb(f, 113, 0, -1, 0);
	AT(); pb(f, 1, T0_US, 17, 40);
	AT(); spb(f, 30, 30, 2);
	AT(); shb(f, true);
	AT(); idb(f, 101, 128, 0x80 | 10, 0);
	AT(); epb(f, 0, 1024, 40, 40, 3);
#undef AT
}

Test(pcapng, the_everything_file_reads)
{
	struct ng f = { 0 };
	size_t starts[16];
	int n, packets;
	struct pcapng_reader r;

	everything(&f, starts, &n);
	cr_assert_eq(read_all(f.b, f.n, &packets, &r), 0, "%s", r.err);
	cr_assert_eq(packets, 4);
	cr_assert_eq(r.skipped, 1);
}

Test(pcapng, cut_at_every_byte)
{
	struct ng f = { 0 };
	size_t starts[16], cut;
	int n, packets, k, clean = 0;
	struct pcapng_reader r;

	everything(&f, starts, &n);
	for (cut = 0; cut < f.n; cut++) {
		int rc = read_all(f.b, cut, &packets, &r);
		bool boundary = false;

		for (k = 1; k < n; k++)
			boundary |= starts[k] == cut;
		if (boundary) {
			cr_assert_eq(rc, 0, "cut at %zu, a block boundary: %s", cut, r.err);
			clean++;
		} else {
			cr_assert_eq(rc, -1, "cut at %zu inside a block read as whole", cut);
			/* the offset is that of the block cut short */
			for (k = n - 1; k > 0 && starts[k] > cut; k--)
				;
			cr_assert_eq(r.err_at, (int64_t)starts[k], "cut at %zu: %s at %lld", cut, r.err,
				     (long long)r.err_at);
			cr_assert(strstr(r.err, "cut short") || strstr(r.err, "empty"), "cut at %zu: %s", cut, r.err);
		}
	}
	cr_assert_eq(clean, n - 1);
}

/* Every length field of every block (leading, trailing, captured, option) bent to every awkward value. */
Test(pcapng, bent_lengths)
{
	static const uint32_t bent[] = { 0, 1, 4, 8, 11, 12, 13, 16, 20, 28, 32, 0x7fffffff, 0x80000000, 0xfffffffc,
					 0xffffffff, PCAPNG_BLOCK_MAX, PCAPNG_BLOCK_MAX + 4 };
	struct ng f = { 0 }, g;
	size_t starts[16];
	int n, k, packets, errors = 0;
	unsigned v, field;
	struct pcapng_reader r;

	everything(&f, starts, &n);
	starts[n] = f.n;
	for (k = 0; k < n; k++) {
		bool be = k >= 7;	/* the second section is big-endian */
		size_t len = starts[k + 1] - starts[k];
		/* fields: leading length, trailing length, and every 32-bit word of the body (caplen, lengths) */
		for (field = 0; field < len / 4 - 1; field++) {
			for (v = 0; v < sizeof(bent) / sizeof(bent[0]); v++) {
				size_t at = starts[k] + (field == 0 ? 4 : field == 1 ? len - 4 : 4 * field);
				int rc;

				if (field >= 2 && 4 * field >= len - 4)
					continue;
				g = f;
				g.n = at;
				g.be = be;
				put32(&g, bent[v]);
				rc = read_all(g.b, f.n, &packets, &r);
				cr_assert(rc == 0 || rc == -1);
				errors += rc < 0;
			}
		}
	}
	cr_assert_gt(errors, 100);
}

Test(pcapng, named_errors)
{
	struct ng f = { 0 }, g;
	struct pcapng_reader r;
	int packets;
	size_t epb_at;

	shb(&f, false);
	idb(&f, 1, 0, -1, 0);
	epb_at = f.n;
	epb(&f, 0, T0_US, 20, 20, 0);

	g = f;	/* the trailing length differs */
	g.n = g.n - 4;
	put32(&g, 52);
	g.n = f.n;
	cr_assert_eq(read_all(g.b, g.n, &packets, &r), -1);
	cr_assert_eq(packets, 0);
	cr_assert(strstr(r.err, "total length 52 at its end differs from the 64 at its start"), "%s", r.err);
	cr_assert_eq(r.err_at, (int64_t)epb_at);

	g = f;	/* captured length past the block (its room is everything between the fixed fields and the end) */
	g.n = epb_at + 20;
	put32(&g, 33);
	g.n = f.n;
	cr_assert_eq(read_all(g.b, g.n, &packets, &r), -1);
	cr_assert(strstr(r.err, "captured length 33 larger than the 32 bytes the block has room for"), "%s", r.err);

	g = f;	/* not a multiple of 4 */
	g.n = epb_at + 4;
	put32(&g, 50);
	g.n = f.n;
	cr_assert_eq(read_all(g.b, g.n, &packets, &r), -1);
	cr_assert(strstr(r.err, "total length 50 not a multiple of 4"), "%s", r.err);

	g = f;	/* too short for its type */
	g.n = epb_at + 4;
	put32(&g, 12);
	g.n = f.n;
	cr_assert_eq(read_all(g.b, g.n, &packets, &r), -1);
	cr_assert(strstr(r.err, "enhanced packet block (type 0x6) total length 12 below its minimum of 32"), "%s",
		  r.err);

	g = f;	/* 2 GiB */
	g.n = epb_at + 4;
	put32(&g, 0x80000000);
	g.n = f.n;
	cr_assert_eq(read_all(g.b, g.n, &packets, &r), -1);
	cr_assert(strstr(r.err, "pcapng block size 2147483648 > maximum 16777216"), "%s", r.err);

	g = f;	/* an IDB option running past the block: if_name claims 200 bytes */
	g.n = 28 + 16 + 2;
	put16(&g, 200);
	g.n = f.n;
	cr_assert_eq(read_all(g.b, g.n, &packets, &r), -1);
	cr_assert(strstr(r.err, "interface description block: option 2 of 200 bytes runs past the end"), "%s", r.err);
	cr_assert_eq(r.err_at, 28);

	g = f;	/* version 2.0 */
	g.n = 12;
	put16(&g, 2);
	g.n = f.n;
	cr_assert_eq(read_all(g.b, g.n, &packets, &r), -1);
	cr_assert(strstr(r.err, "section header version 2.0"), "%s", r.err);
	cr_assert_eq(r.err_at, 0);

	g = f;	/* a byte-order magic that is neither */
	g.b[8] = 0x4e;
	cr_assert_eq(read_all(g.b, g.n, &packets, &r), -1);
	cr_assert(strstr(r.err, "byte-order magic"), "%s", r.err);
}

/* Random bytes changed, a fixed seed: every run ends, cleanly or with an error. */
Test(pcapng, random_damage)
{
	struct ng f = { 0 }, g;
	size_t starts[16];
	int n, round, packets, k;

	everything(&f, starts, &n);
	srand(18);
	for (round = 0; round < 3000; round++) {
		g = f;
		for (k = 0; k < 1 + round % 4; k++)
			g.b[(size_t)rand() % f.n] = (uint8_t)rand();
		read_all(g.b, f.n - (size_t)(round % 7), &packets, NULL);
	}
}

/*
 * The writer (pcapng_write.c): what it writes, this reader reads back —
 * the link types of two interfaces, each packet's interface, time, bytes
 * and lengths — and every block's two length fields agree and are a
 * multiple of 4, comments and odd-sized packets included.
 */
Test(pcapng_write, round_trip)
{
	static const uint8_t a[5] = { 1, 2, 3, 4, 5 }, b[64] = { 0xaa };
	const char *comments[] = { "finding F-000001: blocked tcp/1494", "rule: citrix-cvad/x", "" };
	char *buf = NULL;
	size_t len = 0, at;
	FILE *f = open_memstream(&buf, &len);
	struct pcapng_reader r;
	const struct pcap_pkthdr *h;
	const uint8_t *data;
	FILE *in;

	cr_assert(f);
	cr_assert_eq(pcapng_write_section(f, comments, 3, "flowaudit test"), 0);
	cr_assert_eq(pcapng_write_interface(f, 1, 0, NULL, "link type ethernet"), 0);
	cr_assert_eq(pcapng_write_interface(f, 101, 0, "span0", NULL), 0);
	cr_assert_eq(pcapng_write_packet(f, 0, 1700000000123456LL, a, 5, 60, "SYN, no answer"), 0);
	cr_assert_eq(pcapng_write_packet(f, 1, 1700000001000001LL, b, 64, 64, NULL), 0);
	cr_assert_eq(fclose(f), 0);

	/* every block: the length at both ends, a multiple of 4 */
	for (at = 0; at + 12 <= len;) {
		uint32_t first, last;

		memcpy(&first, buf + at + 4, 4);
		cr_assert_eq(first % 4, 0, "block at %zu: length %u", at, first);
		cr_assert_leq(at + first, len);
		memcpy(&last, buf + at + first - 4, 4);
		cr_assert_eq(first, last, "block at %zu", at);
		at += first;
	}
	cr_assert_eq(at, len);

	in = fmemopen(buf, len, "rb");
	cr_assert(in);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(pcapng_open(&r, in), 0, "%s", r.err);
	cr_assert_eq(pcapng_next(&r, &h, &data), 1, "%s", r.err);
	cr_assert_eq(r.ifidx, 0);
	cr_assert_eq(r.ifs[0].dlt, 1);
	cr_assert_eq(h->ts.tv_sec, 1700000000);
	cr_assert_eq(h->ts.tv_usec, 123456);
	cr_assert_eq(h->caplen, 5);
	cr_assert_eq(h->len, 60);
	cr_assert_arr_eq(data, a, 5);
	cr_assert_eq(pcapng_next(&r, &h, &data), 1, "%s", r.err);
	cr_assert_eq(r.ifidx, 1);
	cr_assert_eq(r.ifs[1].dlt, 101);
	cr_assert_eq(h->ts.tv_sec, 1700000001);
	cr_assert_eq(h->ts.tv_usec, 1);
	cr_assert_eq(h->caplen, 64);
	cr_assert_arr_eq(data, b, 64);
	cr_assert_eq(pcapng_next(&r, &h, &data), 0);
	pcapng_free(&r);
	fclose(in);
	free(buf);
}
