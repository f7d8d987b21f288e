/* craft: write the crafted test captures (VLAN, QinQ, fragments, IPv6 extension headers, truncation, link types) */

/*
 * Some frames the namespace captures cannot give us (this kernel has no
 * 802.1Q module; Linux reassembles before we could cut; link types other
 * than Ethernet), so they are built byte by byte here and written with
 * libpcap's dump API. Every packet has correct IP/TCP/UDP checksums and
 * consistent sequence numbers, so each file has one unambiguous answer
 * (tests/golden/<name>.expect, explained in pcaps/README.md).
 *
 * usage: craft SUBCOMMAND FILE     write one capture
 *        craft all DIR             write all of them as DIR/<subcommand>.pcap
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

enum { MAX_FRAME = 4096, SNAP_FULL = 65535, SNAP_CUT = 96 };

/* Ethertypes and IP protocol numbers used here (IANA). */
enum {
	ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_8021Q = 0x8100, ETH_8021AD = 0x88a8,
	IP_HBH = 0, IP_TCP = 6, IP_UDP = 17, IP_FRAG = 44, IP_DSTOPTS = 60,
};

/* TCP flags (RFC 9293 section 3.1). */
enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };

/* One end of a crafted conversation. */
struct host {
	int family;		/* 4 or 6 */
	uint8_t addr[16];
	uint8_t mac[6];
	uint16_t port;
	uint32_t seq;		/* next sequence number to send */
	bool ext_headers;	/* IPv6: send hop-by-hop + destination options first */
};

/* The output file and how frames are wrapped for it. */
struct out {
	pcap_t *pcap;
	pcap_dumper_t *dump;
	int dlt;
	uint16_t tpid[2];	/* VLAN tag protocol ids, outer first */
	uint16_t vid[2];
	int ntags;
	uint32_t snap;		/* cut every record to this many bytes (0: never) */
	int64_t ts_us;
	uint16_t ip_id;
};

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }

static uint32_t sum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t sum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Transport checksum over the pseudo-header (RFC 768, RFC 8200 section 8.1). */
static uint16_t l4_checksum(const struct host *src, const struct host *dst, uint8_t proto,
			    const uint8_t *seg, size_t len)
{
	uint8_t tail[8] = { 0 };
	uint32_t sum = 0;
	size_t alen = src->family == 4 ? 4 : 16;
	sum = sum_add(sum, src->addr, alen);
	sum = sum_add(sum, dst->addr, alen);
	put32(tail, (uint32_t)len);
	tail[7] = proto;
	sum = sum_add(sum, tail, 8);
	return sum_fold(sum_add(sum, seg, len));
}

static void fill(uint8_t *p, size_t n, char base)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(base + i % 26);
}

/* Write one frame; cut (if nonzero) limits the captured length of this record. */
static void write_frame(struct out *o, const uint8_t *frame, uint32_t len, uint32_t cut)
{
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(o->ts_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(o->ts_us % 1000000);
	h.len = len;
	h.caplen = len;
	if (o->snap && h.caplen > o->snap)
		h.caplen = o->snap;
	if (cut && h.caplen > cut)
		h.caplen = cut;
	pcap_dump((u_char *)o->dump, &h, frame);
	o->ts_us += 1000;	/* 1 ms between packets */
}

/* Wrap an IP datagram in the output's link layer and write it. */
static void emit(struct out *o, const struct host *src, const struct host *dst,
		 const uint8_t *ip, uint32_t iplen, uint32_t cut_in_ip)
{
	uint8_t f[MAX_FRAME];
	uint32_t hl = 0;
	uint16_t etype = src->family == 4 ? ETH_IPV4 : ETH_IPV6;
	bool from_a = src->addr[src->family == 4 ? 3 : 15] == 1;	/* .1 / ::1 is the capturing side */

	memset(f, 0, sizeof f);
	switch (o->dlt) {
	case DLT_EN10MB:
		memcpy(f, dst->mac, 6);
		memcpy(f + 6, src->mac, 6);
		hl = 12;
		for (int i = 0; i < o->ntags; i++, hl += 4) {
			put16(f + hl, o->tpid[i]);
			put16(f + hl + 2, o->vid[i]);
		}
		put16(f + hl, etype);
		hl += 2;
		break;
	case DLT_LINUX_SLL:	/* pkttype, hatype, halen, addr[8], protocol */
		put16(f, from_a ? 4 : 0);	/* 4: sent by us, 0: to us */
		put16(f + 2, 1);
		put16(f + 4, 6);
		memcpy(f + 6, src->mac, 6);
		put16(f + 14, etype);
		hl = 16;
		break;
	case DLT_LINUX_SLL2:	/* protocol, reserved, ifindex, hatype, pkttype, halen, addr[8] */
		put16(f, etype);
		put32(f + 4, 2);
		put16(f + 8, 1);
		f[10] = from_a ? 4 : 0;
		f[11] = 6;
		memcpy(f + 12, src->mac, 6);
		hl = 20;
		break;
	case DLT_NULL: {	/* address family in the writer's byte order */
		uint32_t af = src->family == 4 ? 2 : 24;
		memcpy(f, &af, 4);
		hl = 4;
		break;
	}
	default:		/* DLT_RAW */
		break;
	}
	memcpy(f + hl, ip, iplen);
	uint32_t len = hl + iplen;
	if (o->dlt == DLT_EN10MB && len < 60)
		len = 60;	/* Ethernet minimum frame (without FCS): zero padding */
	write_frame(o, f, len, cut_in_ip ? hl + cut_in_ip : 0);
}

/* Build an IP header for payload of plen bytes in front of it at ip; returns header length. */
static uint32_t ip_header(struct out *o, uint8_t *ip, const struct host *src, const struct host *dst,
			  uint8_t proto, uint32_t plen, uint16_t frag_field)
{
	if (src->family == 4) {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, 20 + plen);
		put16(ip + 4, o->ip_id++);
		put16(ip + 6, frag_field ? frag_field : 0x4000);	/* DF unless fragmenting */
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, src->addr, 4);
		memcpy(ip + 16, dst->addr, 4);
		put16(ip + 10, sum_fold(sum_add(0, ip, 20)));
		return 20;
	}
	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, plen);
	ip[6] = proto;
	ip[7] = 64;
	memcpy(ip + 8, src->addr, 16);
	memcpy(ip + 24, dst->addr, 16);
	return 40;
}

/* Send a TCP segment from src to dst (advancing src->seq); cut limits the captured IP bytes. */
static void tcp_send(struct out *o, struct host *src, const struct host *dst, uint8_t flags,
		     uint32_t len, uint32_t cut)
{
	uint8_t ip[MAX_FRAME];
	uint8_t seg[MAX_FRAME];
	memset(seg, 0, 20);
	put16(seg, src->port);
	put16(seg + 2, dst->port);
	put32(seg + 4, src->seq);
	put32(seg + 8, (flags & ACK) ? dst->seq : 0);
	seg[12] = 5 << 4;
	seg[13] = flags;
	put16(seg + 14, 65535);
	fill(seg + 20, len, src->addr[src->family == 4 ? 3 : 15] == 1 ? 'A' : 'a');
	put16(seg + 16, l4_checksum(src, dst, IP_TCP, seg, 20 + len));
	src->seq += len + ((flags & SYN) ? 1 : 0) + ((flags & FIN) ? 1 : 0);

	uint32_t ext = 0;
	uint8_t first = IP_TCP;
	if (src->family == 6 && src->ext_headers) {
		/* Hop-by-hop (8 bytes, PadN) then destination options (8 bytes, PadN). */
		uint8_t eh[16] = { IP_DSTOPTS, 0, 1, 4, 0, 0, 0, 0, IP_TCP, 0, 1, 4, 0, 0, 0, 0 };
		first = IP_HBH;
		ext = sizeof eh;
		memcpy(ip + 40, eh, ext);
	}
	uint32_t hl = ip_header(o, ip, src, dst, first, ext + 20 + len, 0);
	memcpy(ip + hl + ext, seg, 20 + len);
	emit(o, src, dst, ip, hl + ext + 20 + len, cut);
}

/*
 * A complete TCP session: handshake, req bytes from the client, resp bytes
 * from the server in segments of at most 1400, client closes first.
 * History ShADadFf; client 6 packets, server 3 + ceil(resp / 1400).
 */
static void tcp_session(struct out *o, struct host *c, struct host *s, uint32_t req, uint32_t resp)
{
	tcp_send(o, c, s, SYN, 0, 0);
	tcp_send(o, s, c, SYN | ACK, 0, 0);
	tcp_send(o, c, s, ACK, 0, 0);
	tcp_send(o, c, s, PSH | ACK, req, 0);
	tcp_send(o, s, c, ACK, 0, 0);
	while (resp > 0) {
		uint32_t n = resp > 1400 ? 1400 : resp;
		resp -= n;
		tcp_send(o, s, c, resp ? ACK : PSH | ACK, n, 0);
	}
	tcp_send(o, c, s, ACK, 0, 0);
	tcp_send(o, c, s, FIN | ACK, 0, 0);
	tcp_send(o, s, c, FIN | ACK, 0, 0);
	tcp_send(o, c, s, ACK, 0, 0);
}

/* Build a whole UDP datagram (header + len bytes) into d; returns its length. */
static uint32_t udp_build(uint8_t *d, const struct host *src, const struct host *dst, uint32_t len)
{
	memset(d, 0, 8);
	put16(d, src->port);
	put16(d + 2, dst->port);
	put16(d + 4, 8 + len);
	fill(d + 8, len, src->addr[src->family == 4 ? 3 : 15] == 1 ? 'A' : 'a');
	uint16_t sum = l4_checksum(src, dst, IP_UDP, d, 8 + len);
	put16(d + 6, sum ? sum : 0xffff);
	return 8 + len;
}

static void udp_send(struct out *o, const struct host *src, const struct host *dst, uint32_t len)
{
	uint8_t ip[MAX_FRAME];
	uint32_t hl = src->family == 4 ? 20 : 40;
	uint32_t dlen = udp_build(ip + hl, src, dst, len);
	ip_header(o, ip, src, dst, IP_UDP, dlen, 0);
	emit(o, src, dst, ip, hl + dlen, 0);
}

/* IPv4 fragments of datagram d (dlen bytes) with id, cut at the given offsets (multiples of 8). */
static void ip4_fragments(struct out *o, const struct host *src, const struct host *dst, uint16_t id,
			  const uint8_t *d, uint32_t dlen, const uint32_t *cuts, int ncuts)
{
	uint8_t ip[MAX_FRAME];
	for (int i = 0; i <= ncuts; i++) {
		uint32_t from = i ? cuts[i - 1] : 0;
		uint32_t to = i < ncuts ? cuts[i] : dlen;
		uint16_t ff = (uint16_t)((i < ncuts ? 0x2000 : 0) | (from / 8));
		uint16_t save = o->ip_id;
		o->ip_id = id;
		ip_header(o, ip, src, dst, IP_UDP, to - from, ff);
		o->ip_id = save;
		memcpy(ip + 20, d + from, to - from);
		emit(o, src, dst, ip, 20 + to - from, 0);
	}
}

/* IPv6 fragments (RFC 8200 section 4.5) of datagram d, cut at the given offsets. */
static void ip6_fragments(struct out *o, const struct host *src, const struct host *dst, uint32_t id,
			  const uint8_t *d, uint32_t dlen, const uint32_t *cuts, int ncuts)
{
	uint8_t ip[MAX_FRAME];
	for (int i = 0; i <= ncuts; i++) {
		uint32_t from = i ? cuts[i - 1] : 0;
		uint32_t to = i < ncuts ? cuts[i] : dlen;
		ip_header(o, ip, src, dst, IP_FRAG, 8 + to - from, 0);
		uint8_t *fh = ip + 40;
		fh[0] = IP_UDP;
		fh[1] = 0;
		put16(fh + 2, from | (i < ncuts ? 1 : 0));
		put32(fh + 4, id);
		memcpy(ip + 48, d + from, to - from);
		emit(o, src, dst, ip, 48 + to - from, 0);
	}
}

/* The two hosts of every crafted file: 198.18.2.1 / 2001:db8:2::1 (client) and .2 / ::2 (server). */
static void hosts(struct host *c, struct host *s, int family, uint16_t cport, uint16_t sport)
{
	memset(c, 0, sizeof *c);
	memset(s, 0, sizeof *s);
	c->family = s->family = family;
	if (family == 4) {
		memcpy(c->addr, (uint8_t[]){ 198, 18, 2, 1 }, 4);
		memcpy(s->addr, (uint8_t[]){ 198, 18, 2, 2 }, 4);
	} else {
		uint8_t p[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2 };
		memcpy(c->addr, p, 16);
		memcpy(s->addr, p, 16);
		c->addr[15] = 1;
		s->addr[15] = 2;
	}
	memcpy(c->mac, (uint8_t[]){ 0x02, 0xfa, 0, 0, 2, 1 }, 6);
	memcpy(s->mac, (uint8_t[]){ 0x02, 0xfa, 0, 0, 2, 2 }, 6);
	c->port = cport;
	s->port = sport;
	c->seq = 1000000;
	s->seq = 2000000;
}

static void c_vlan(struct out *o)
{
	struct host c, s;
	o->tpid[0] = ETH_8021Q, o->vid[0] = 100, o->ntags = 1;
	hosts(&c, &s, 4, 41001, 1494);
	tcp_session(o, &c, &s, 64, 500);
}

static void c_qinq(struct out *o)
{
	struct host c, s;
	o->tpid[0] = ETH_8021AD, o->vid[0] = 200;
	o->tpid[1] = ETH_8021Q, o->vid[1] = 100;
	o->ntags = 2;
	hosts(&c, &s, 4, 41002, 2598);
	tcp_session(o, &c, &s, 64, 500);
}

/* UDP 2000 bytes in 3 fragments, a 100-byte reply, then an orphan last fragment. */
static void c_ipv4_frag(struct out *o)
{
	struct host c, s;
	uint8_t d[MAX_FRAME];
	hosts(&c, &s, 4, 41003, 1812);
	uint32_t dlen = udp_build(d, &c, &s, 2000);
	ip4_fragments(o, &c, &s, 0x1001, d, dlen, (uint32_t[]){ 680, 1360 }, 2);
	udp_send(o, &s, &c, 100);
	/* Orphan: the tail (offset 1480) of a datagram whose earlier fragments never come. */
	struct host c2 = c;
	c2.port = 41103;
	dlen = udp_build(d, &c2, &s, 1672);
	const uint8_t *tail = d + 1480;
	uint8_t ip[MAX_FRAME];
	uint16_t save = o->ip_id;
	o->ip_id = 0x1002;
	ip_header(o, ip, &c2, &s, IP_UDP, dlen - 1480, 1480 / 8);
	o->ip_id = save;
	memcpy(ip + 20, tail, dlen - 1480);
	emit(o, &c2, &s, ip, 20 + dlen - 1480, 0);
}

/* UDP over IPv6, 1600 bytes in 2 fragments, and a 100-byte reply. */
static void c_ipv6_frag(struct out *o)
{
	struct host c, s;
	uint8_t d[MAX_FRAME];
	hosts(&c, &s, 6, 41004, 443);
	uint32_t dlen = udp_build(d, &c, &s, 1600);
	ip6_fragments(o, &c, &s, 0x46410001, d, dlen, (uint32_t[]){ 1232 }, 1);
	udp_send(o, &s, &c, 100);
}

/* TCP over IPv6; the client's packets carry hop-by-hop + destination options headers. */
static void c_ipv6_ext(struct out *o)
{
	struct host c, s;
	hosts(&c, &s, 6, 41005, 1494);
	c.ext_headers = true;
	tcp_session(o, &c, &s, 64, 300);
}

/* A TCP session captured with a 96-byte snaplen: headers whole, payload cut. */
static void c_snaplen(struct out *o)
{
	struct host c, s;
	hosts(&c, &s, 4, 41006, 1494);
	o->snap = SNAP_CUT;
	tcp_session(o, &c, &s, 1000, 2800);
}

/* A good TCP session, then SYNs cut inside the IPv4 header, the TCP header and the IPv6 header. */
static void c_truncated_headers(struct out *o)
{
	struct host c, s;
	hosts(&c, &s, 4, 41007, 1494);
	tcp_session(o, &c, &s, 64, 200);
	hosts(&c, &s, 4, 41008, 1494);
	tcp_send(o, &c, &s, SYN, 0, 12);	/* 12 of 20 IPv4 header bytes */
	hosts(&c, &s, 4, 41009, 1494);
	tcp_send(o, &c, &s, SYN, 0, 20 + 12);	/* 12 of 20 TCP header bytes */
	hosts(&c, &s, 6, 41010, 1494);
	tcp_send(o, &c, &s, SYN, 0, 30);	/* 30 of 40 IPv6 header bytes */
}

static void c_sll(struct out *o)
{
	struct host c, s;
	hosts(&c, &s, 4, 41011, 443);
	tcp_session(o, &c, &s, 64, 300);
}

static void c_sll2(struct out *o)
{
	struct host c, s;
	hosts(&c, &s, 4, 41012, 443);
	tcp_session(o, &c, &s, 64, 300);
}

/* Raw IP: an IPv4 TCP session and an IPv6 UDP request/reply. */
static void c_raw(struct out *o)
{
	struct host c, s;
	hosts(&c, &s, 4, 41013, 8080);
	tcp_session(o, &c, &s, 64, 300);
	hosts(&c, &s, 6, 41014, 1812);
	udp_send(o, &c, &s, 50);
	udp_send(o, &s, &c, 80);
}

static void c_null(struct out *o)
{
	struct host c, s;
	hosts(&c, &s, 4, 41015, 1494);
	tcp_session(o, &c, &s, 64, 300);
}

static const struct sub {
	const char *name;
	int dlt;
	void (*fn)(struct out *);
	const char *what;
} subs[] = {
	{ "vlan", DLT_EN10MB, c_vlan, "802.1Q (VLAN 100) TCP session" },
	{ "qinq", DLT_EN10MB, c_qinq, "802.1ad 200 + 802.1Q 100 TCP session" },
	{ "ipv4-fragments", DLT_EN10MB, c_ipv4_frag, "UDP in 3 IPv4 fragments, reply, orphan fragment" },
	{ "ipv6-fragments", DLT_EN10MB, c_ipv6_frag, "UDP in 2 IPv6 fragments, reply" },
	{ "ipv6-ext-headers", DLT_EN10MB, c_ipv6_ext, "IPv6 TCP with hop-by-hop + destination options" },
	{ "snaplen", DLT_EN10MB, c_snaplen, "TCP session, payload cut by a 96-byte snaplen" },
	{ "truncated-headers", DLT_EN10MB, c_truncated_headers, "frames cut inside IP/TCP headers" },
	{ "link-sll", DLT_LINUX_SLL, c_sll, "Linux cooked v1 TCP session" },
	{ "link-sll2", DLT_LINUX_SLL2, c_sll2, "Linux cooked v2 TCP session" },
	{ "link-raw", DLT_RAW, c_raw, "raw IP: IPv4 TCP session, IPv6 UDP exchange" },
	{ "link-null", DLT_NULL, c_null, "BSD loopback TCP session" },
};

static int write_one(const struct sub *s, const char *path)
{
	struct out o = { .dlt = s->dlt, .ts_us = 1700000000LL * 1000000, .ip_id = 0x0100 };
	o.pcap = pcap_open_dead(s->dlt, strcmp(s->name, "snaplen") == 0 ? SNAP_CUT : SNAP_FULL);
	if (!o.pcap) {
		fprintf(stderr, "craft: pcap_open_dead failed\n");
		return 1;
	}
	o.dump = pcap_dump_open(o.pcap, path);
	if (!o.dump) {
		fprintf(stderr, "craft: %s: %s\n", path, pcap_geterr(o.pcap));
		pcap_close(o.pcap);
		return 1;
	}
	s->fn(&o);
	pcap_dump_close(o.dump);
	pcap_close(o.pcap);
	return 0;
}

static void usage(void)
{
	fputs("usage: craft SUBCOMMAND FILE | craft all DIR\nsubcommands:\n", stderr);
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		fprintf(stderr, "  %-18s %s\n", subs[i].name, subs[i].what);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		usage();
		return 2;
	}
	size_t n = sizeof subs / sizeof subs[0];
	if (strcmp(argv[1], "all") == 0) {
		int rc = 0;
		for (size_t i = 0; i < n; i++) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s.pcap", argv[2], subs[i].name);
			rc |= write_one(&subs[i], path);
		}
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return write_one(&subs[i], argv[2]);
	usage();
	return 2;
}
