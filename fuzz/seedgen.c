/* seedgen: packet-harness seeds from capture files — every file whole, and its first packets one by one */
#include <pcap/pcap.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_packet.h"

enum {
	SEED_MAX = 65536,	/* bytes in one seed: the packets that fit, in order */
	SEED_SINGLES = 48,	/* packets of a file that also become a seed of their own */
	SEED_DEDUP_MS = 5,	/* the program's default --dedup-window */
};

struct seed {
	uint8_t buf[SEED_MAX];
	size_t len;
	int64_t last_us;
};

static void seed_start(struct seed *s, int link, int64_t first_us)
{
	s->buf[0] = (uint8_t)link;
	s->buf[1] = SEED_DEDUP_MS;
	s->len = FUZZ_PACKET_HDR;
	s->last_us = first_us;
}

/* The time step byte closest to the real gap (see fuzz_packet.h). */
static uint8_t time_step(int64_t gap_us)
{
	int64_t tens;

	if (gap_us < 0)
		return 255;
	if (gap_us < 200000)
		return (uint8_t)(gap_us / 1000);
	tens = gap_us / 10000000;
	return (uint8_t)(tens < 1 ? 200 : tens > 55 ? 254 : 199 + tens);
}

/* Append one packet; false when it does not fit. */
static int seed_add(struct seed *s, const struct pcap_pkthdr *h, const uint8_t *bytes)
{
	int64_t us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
	uint32_t cap = h->caplen > 0xffff ? 0xffff : h->caplen;
	uint32_t cut = h->len > h->caplen ? h->len - h->caplen : 0;

	if (s->len + FUZZ_PACKET_RECORD + cap > SEED_MAX)
		return 0;
	s->buf[s->len++] = (uint8_t)(cap >> 8);
	s->buf[s->len++] = (uint8_t)cap;
	s->buf[s->len++] = time_step(us - s->last_us);
	s->buf[s->len++] = (uint8_t)(cut > 254 ? 254 : cut);
	memcpy(s->buf + s->len, bytes, cap);
	s->len += cap;
	s->last_us = us;
	return 1;
}

static int seed_write(const struct seed *s, const char *dir, const char *base, const char *suffix)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%s", dir, base, suffix);
	f = fopen(path, "wb");
	if (!f || fwrite(s->buf, 1, s->len, f) != s->len || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static int link_index(int dlt)
{
	int i;

	for (i = 0; i < FUZZ_PACKET_NLINKS; i++)
		if (fuzz_packet_links[i] == dlt)
			return i;
	return -1;
}

/* One capture: a seed of all its packets that fit and one per packet for its first SEED_SINGLES. */
static int seed_file(const char *path, const char *dir)
{
	static struct seed all, one;
	char err[PCAP_ERRBUF_SIZE], suffix[32];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct pcap_pkthdr *h;
	const uint8_t *bytes;
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, err);
	int link, n = 0, rc = 0;

	if (!p) {
		fprintf(stderr, "seedgen: %s: %s (skipped)\n", path, err);
		return 0;
	}
	link = link_index(pcap_datalink(p));
	while (link >= 0 && pcap_next_ex(p, &h, &bytes) == 1) {
		int64_t us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;

		if (n == 0)
			seed_start(&all, link, us);
		seed_add(&all, h, bytes);
		if (n < SEED_SINGLES) {
			seed_start(&one, link, us);
			seed_add(&one, h, bytes);
			snprintf(suffix, sizeof(suffix), "%03d", n);
			rc |= seed_write(&one, dir, base, suffix);
		}
		n++;
	}
	if (n)
		rc |= seed_write(&all, dir, base, "all");
	pcap_close(p);
	return rc;
}

int main(int argc, char **argv)
{
	int i, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: seedgen OUTDIR CAPTURE...\n");
		return 2;
	}
	for (i = 2; i < argc; i++)
		rc |= seed_file(argv[i], argv[1]);
	return rc ? 1 : 0;
}
