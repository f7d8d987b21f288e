/* rstinject: forge the TCP resets of a middlebox, for the middlebox-reset test capture */

/*
 * Run in the router namespace of tests/netns/make-payload-captures.sh. It
 * sniffs one IPv4 TCP session to SERVER:PORT on IFACE (libpcap), follows the
 * next sequence number of each side, and once the session has carried
 * --after-data data segments and then been quiet for --quiet-ms, it sends,
 * through a raw socket (IP_HDRINCL), a RST+ACK spoofed from the client to the
 * server and one spoofed from the server to the client, each with the exact
 * sequence number the receiver expects (RFC 5961 section 3.2: only an exact
 * match resets at once). Their IP header is the forger's own: TTL --ttl
 * (default 64, the router's own, where the forwarded packets arrive with one
 * less) and IP ID --ip-id (default: random, outside the sender's sequence),
 * DF set, as a device in the path writes them.
 *
 * Bounded: it exits after injecting, or after --timeout seconds (an alarm()
 * backstop ends it whatever it is blocked in).
 *
 * usage: rstinject IFACE SERVER PORT [--client-port P] [--after-data N] [--quiet-ms M]
 *                  [--ttl T] [--ip-id N] [--timeout S] [--ready FILE]
 * Exit status: 0 injected, 1 system error, 2 usage, 4 timeout (the session
 * never became ready: not seen, no data, or closed first).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "netbytes.h"

enum { EXIT_DONE = 0, EXIT_SYSTEM = 1, EXIT_USAGE = 2, EXIT_TIMEOUT = 4 };
enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };
enum { ETH_HLEN = 14, ETH_IPV4 = 0x0800, IP_TCP = 6, MAX_SECONDS = 120 };

struct side {
	bool seen;
	uint32_t next_seq;	/* the highest seq + len (+ SYN/FIN) sent so far */
	uint16_t last_id;	/* IP ID of its last packet (reported) */
	uint8_t last_ttl;
};

struct state {
	struct in_addr server, client;
	uint16_t sport, cport;	/* server port; client port (0: the first one seen) */
	struct side side[2];	/* 0: client -> server, 1: server -> client */
	int data_pkts;
	bool closed;		/* FIN or RST seen: nothing left to reset */
	struct timespec last;	/* time of the last packet */
};

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "rstinject: time limit reached, nothing injected\n";
	ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)r;
	_exit(EXIT_TIMEOUT);
}

static long ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* One captured frame: Ethernet / IPv4 / TCP of the session, else ignored. */
static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *f)
{
	struct state *st = (struct state *)user;
	if (h->caplen < ETH_HLEN + 20 || get16(f + 12) != ETH_IPV4)
		return;
	const uint8_t *ip = f + ETH_HLEN;
	uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	uint32_t iplen = get16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != IP_TCP || h->caplen < ETH_HLEN + ihl + 20 ||
	    iplen < ihl + 20)
		return;
	const uint8_t *tcp = ip + ihl;
	uint32_t thl = (uint32_t)(tcp[12] >> 4) * 4;
	if (thl < 20 || iplen < ihl + thl)
		return;
	struct in_addr src, dst;
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	uint16_t sp = get16(tcp), dp = get16(tcp + 2);
	int dir;
	if (dst.s_addr == st->server.s_addr && dp == st->sport)
		dir = 0;
	else if (src.s_addr == st->server.s_addr && sp == st->sport)
		dir = 1;
	else
		return;
	uint16_t cport = dir == 0 ? sp : dp;
	struct in_addr caddr = dir == 0 ? src : dst;
	if (st->cport == 0)
		st->cport = cport;
	if (cport != st->cport)
		return;
	if (!st->side[0].seen && !st->side[1].seen)
		st->client = caddr;
	if (caddr.s_addr != st->client.s_addr)
		return;

	uint8_t flags = tcp[13];
	uint32_t len = iplen - ihl - thl;
	uint32_t end = get32(tcp + 4) + len + ((flags & SYN) ? 1 : 0) + ((flags & FIN) ? 1 : 0);
	struct side *s = &st->side[dir];
	if (!s->seen || (int32_t)(end - s->next_seq) > 0)
		s->next_seq = end;
	s->seen = true;
	s->last_id = get16(ip + 4);
	s->last_ttl = ip[8];
	if (len > 0)
		st->data_pkts++;
	if (flags & (FIN | RST))
		st->closed = true;
	clock_gettime(CLOCK_MONOTONIC, &st->last);
}

/* A RST+ACK from (src, sport) to (dst, dport), IPv4 header included, DF set. */
static int send_rst(int fd, struct in_addr src, uint16_t sport, struct in_addr dst, uint16_t dport,
		    uint32_t seq, uint32_t ack, int ttl, uint16_t id)
{
	uint8_t pkt[40] = { 0 };
	uint8_t *tcp = pkt + 20;
	pkt[0] = 0x45;
	put16(pkt + 2, sizeof pkt);
	put16(pkt + 4, id);
	put16(pkt + 6, 0x4000);
	pkt[8] = (uint8_t)ttl;
	pkt[9] = IP_TCP;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	put16(pkt + 10, sum_fold(sum_add(0, pkt, 20)));
	put16(tcp, sport);
	put16(tcp + 2, dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = RST | ACK;
	/* window 0, urgent pointer 0; checksum over the pseudo-header and the segment */
	uint8_t pseudo[12];
	memcpy(pseudo, pkt + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IP_TCP;
	put16(pseudo + 10, 20);
	put16(tcp + 16, sum_fold(sum_add(sum_add(0, pseudo, 12), tcp, 20)));

	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = dst };
	if (sendto(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)sizeof pkt) {
		perror("rstinject: sendto");
		return -1;
	}
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &src, a, sizeof a);
	inet_ntop(AF_INET, &dst, b, sizeof b);
	printf("injected RST+ACK %s:%u > %s:%u seq %u ack %u ttl %d id 0x%04x\n", a, sport, b, dport,
	       seq, ack, ttl, id);
	return 0;
}

static uint16_t pick_id(long opt)
{
	uint16_t id = 0;
	if (opt >= 0)
		return (uint16_t)opt;
	while (id == 0)
		if (getrandom(&id, sizeof id, 0) != (ssize_t)sizeof id)
			id = (uint16_t)(time(NULL) ^ getpid());
	return id;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (errno || *s == '\0' || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static void usage(void)
{
	fputs("usage: rstinject IFACE SERVER PORT [--client-port P] [--after-data N] [--quiet-ms M]\n"
	      "                 [--ttl T] [--ip-id N] [--timeout S] [--ready FILE]\n", stderr);
}

int main(int argc, char **argv)
{
	struct state st = { 0 };
	long after_data = 2, quiet_ms = 500, ttl = 64, ip_id = -1, timeout = 20, cport = 0, v;
	const char *ready = NULL;

	if (argc < 4 || inet_pton(AF_INET, argv[2], &st.server) != 1 || !parse_long(argv[3], 1, 65535, &v)) {
		usage();
		return EXIT_USAGE;
	}
	const char *iface = argv[1];
	st.sport = (uint16_t)v;
	for (int i = 4; i < argc; i++) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		long *dst = NULL, lo = 0, hi = 0;
		if (strcmp(argv[i], "--ready") == 0 && val) {
			ready = val;
			i++;
			continue;
		}
		if (strcmp(argv[i], "--client-port") == 0)
			lo = 1, hi = 65535, dst = &cport;
		else if (strcmp(argv[i], "--after-data") == 0)
			lo = 0, hi = 1000, dst = &after_data;
		else if (strcmp(argv[i], "--quiet-ms") == 0)
			lo = 0, hi = 10000, dst = &quiet_ms;
		else if (strcmp(argv[i], "--ttl") == 0)
			lo = 1, hi = 255, dst = &ttl;
		else if (strcmp(argv[i], "--ip-id") == 0)
			lo = 0, hi = 65535, dst = &ip_id;
		else if (strcmp(argv[i], "--timeout") == 0)
			lo = 1, hi = MAX_SECONDS, dst = &timeout;
		if (!dst || !val || !parse_long(val, lo, hi, dst)) {
			fprintf(stderr, "rstinject: bad option %s\n", argv[i]);
			usage();
			return EXIT_USAGE;
		}
		i++;
	}
	st.cport = (uint16_t)cport;
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)timeout + 2);
	setvbuf(stdout, NULL, _IOLBF, 0);

	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);	/* IPPROTO_RAW implies IP_HDRINCL */
	int one = 1;
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) < 0) {
		perror("rstinject: raw socket");
		return EXIT_SYSTEM;
	}

	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_create(iface, err);
	if (!p) {
		fprintf(stderr, "rstinject: %s: %s\n", iface, err);
		return EXIT_SYSTEM;
	}
	pcap_set_snaplen(p, 128);
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, 50);
	if (pcap_activate(p) < 0) {
		fprintf(stderr, "rstinject: %s: %s\n", iface, pcap_geterr(p));
		return EXIT_SYSTEM;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "rstinject: %s is not Ethernet\n", iface);
		return EXIT_SYSTEM;
	}
	char filter[128];
	struct bpf_program prog;
	snprintf(filter, sizeof filter, "ip and tcp and host %s and port %u", argv[2], st.sport);
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(p, &prog) < 0 ||
	    pcap_setnonblock(p, 1, err) < 0) {
		fprintf(stderr, "rstinject: filter: %s\n", pcap_geterr(p));
		return EXIT_SYSTEM;
	}
	pcap_freecode(&prog);
	int pfd = pcap_get_selectable_fd(p);
	if (pfd < 0) {
		fprintf(stderr, "rstinject: no selectable fd on %s\n", iface);
		return EXIT_SYSTEM;
	}
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f) {
			fputs("ready\n", f);
			fclose(f);
		}
	}

	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (ms_since(&start) < timeout * 1000) {
		struct pollfd pf = { .fd = pfd, .events = POLLIN };
		if (poll(&pf, 1, 20) < 0 && errno != EINTR) {
			perror("rstinject: poll");
			return EXIT_SYSTEM;
		}
		if (pcap_dispatch(p, -1, on_packet, (u_char *)&st) < 0) {
			fprintf(stderr, "rstinject: %s\n", pcap_geterr(p));
			return EXIT_SYSTEM;
		}
		if (st.closed) {
			fprintf(stderr, "rstinject: the session closed before it was quiet\n");
			return EXIT_TIMEOUT;
		}
		if (!st.side[0].seen || !st.side[1].seen || st.data_pkts < after_data ||
		    ms_since(&st.last) < quiet_ms)
			continue;
		for (int d = 0; d < 2; d++)
			fprintf(stderr, "rstinject: last %s packet: ttl %u id 0x%04x\n",
				d ? "server" : "client", st.side[d].last_ttl, st.side[d].last_id);
		/* To the server first (as from the client), then to the client (as from the server). */
		if (send_rst(fd, st.client, st.cport, st.server, st.sport, st.side[0].next_seq,
			     st.side[1].next_seq, (int)ttl, pick_id(ip_id)) < 0 ||
		    send_rst(fd, st.server, st.sport, st.client, st.cport, st.side[1].next_seq,
			     st.side[0].next_seq, (int)ttl, pick_id(ip_id)) < 0)
			return EXIT_SYSTEM;
		pcap_close(p);
		close(fd);
		return EXIT_DONE;
	}
	fprintf(stderr, "rstinject: no quiet session with %ld data segments within %ld s\n", after_data,
		timeout);
	return EXIT_TIMEOUT;
}
