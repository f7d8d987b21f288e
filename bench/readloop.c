/* readloop: the benchmark floor, reading every packet of a capture and decoding none */

/*
 * What any libpcap-based reader pays before doing work: pcap_open_offline
 * plus one pcap_next_ex per record. Each packet is touched only by adding
 * its captured length and first byte, so the loop cannot be optimised away.
 *
 * usage: readloop FILE
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <pcap/pcap.h>

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, bytes = 0, touch = 0;
	struct timespec t0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fputs("usage: readloop FILE\n", stderr);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "readloop: %s\n", errbuf);
		return 2;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
		touch += h->caplen ? data[0] : 0;
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "readloop: %s\n", pcap_geterr(p));
	pcap_close(p);
	double s = seconds_since(&t0);
	printf("packets %" PRIu64 " captured_bytes %" PRIu64 " wall %.3f s %.1f ns/packet (touch %" PRIu64 ")\n",
	       packets, bytes, s, packets ? s * 1e9 / (double)packets : 0.0, touch);
	return rc == PCAP_ERROR ? 1 : 0;
}
