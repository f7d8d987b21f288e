/* gen: write large deterministic synthetic captures for the flowaudit benchmarks */

/*
 * Every flow is a short script (a TCP session, an unanswered SYN, a UDP
 * exchange, an ICMP echo ...) played by one of `concurrent` generator slots.
 * Each packet comes from a slot picked at random, so thousands of flows
 * interleave as on a busy link; a slot whose flow is over starts the next
 * flow until --flows have started, then retires. Randomness comes from one
 * splitmix64 stream seeded by --seed and time from the packet index (spread
 * evenly over --duration), so the same arguments give the same bytes. IPv4, TCP, UDP and ICMP checksums are valid: payloads are a fixed
 * pattern whose prefix sums are computed once.
 *
 * usage: gen OUT.pcap --seed N --packets N --flows N [--concurrent N]
 *            [--duration SECS] [--snaplen N]
 *            [--workload mix|synflood|elephants|fullpayload]
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "../tools/netbytes.h"
#include "handshake.h"

enum {
	MSS = 1448,		/* full-size payload: 1500 MTU - IPv4 - TCP with timestamps */
	MAX_FRAME = 2048,	/* largest frame built: VLAN + IPv6 + TCP + MSS */
	SNAP_DEFAULT = 96,
	SNAP_FULL = 65535,
	ETH_MIN_FRAME = 60,	/* Ethernet minimum without FCS; shorter frames are padded */
	CONCURRENT_DEFAULT = 10000,	/* at most; and each slot plays FLOWS_PER_SLOT flows */
	FLOWS_PER_SLOT = 10,
	ELEPHANTS = 8,
	ELEPHANT_MIN_LEN = 16,	/* packets: handshake, a little data, close */
	ELEPHANT_FILL = 97,	/* percent of its expected share an elephant plays, so most close */
	CLIENT_HOSTS = 65534,	/* host numbers 1.. in the client /16 */
	SERVER_HOSTS = 1024,
	EPHEMERAL_FIRST = 32768,	/* Linux ip_local_port_range */
	EPHEMERAL_COUNT = 28232,
	VLAN_IDS = 4094,	/* 1..4094 (IEEE 802.1Q) */
	FLOOD_PORT_FIRST = 1024,	/* synflood client ports start here */
	ELEPHANT_SHARE = 90,	/* percent of packets the elephants carry */
	VLAN_SHARE = 10,	/* percent of flows 802.1Q-tagged */
	IPV6_SHARE = 15,	/* percent of flows over IPv6 */
	OUT_BUFFER = 1 << 20,
};

enum { ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_8021Q = 0x8100 };
enum { IP_ICMP = 1, IP_TCP = 6, IP_UDP = 17, IP_ICMPV6 = 58 };
enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };	/* RFC 9293 3.1 */
enum { ETH_ADDRS = 12, ETH_TYPE = 2, VLAN_TAG = 4, IPV4_HDR = 20, IPV6_HDR = 40, UDP_HDR = 8, ICMP_HDR = 8 };
enum { IPV4_DF = 0x4000, TTL_CLIENT = 64, TTL_SERVER = 128, TCP_WINDOW = 64240, ECHO_PAYLOAD = 56 };
enum { ICMP_ECHO_REPLY = 0, ICMP_UNREACH = 3, ICMP_PORT = 3, ICMP_ECHO = 8 };	/* RFC 792 */
enum { ICMP6_ECHO = 128, ICMP6_ECHO_REPLY = 129 };				/* RFC 4443 */
enum {
	TCP_HDR = 20,
	TCP_TS_HDR = 32,	/* + NOP, NOP, timestamps (RFC 7323) */
	TCP_SYN_HDR = 36,	/* + MSS, NOP, NOP, timestamps */
};

static const int64_t START_SEC = 1767225600;	/* 2026-01-01 00:00:00 UTC */
static const uint64_t FLOOD_SECONDS = 600;	/* synflood: 10 minutes */
static const uint64_t FLOW_GAP_US = 200000;	/* mean gap between packets of one flow */
static const uint64_t MAX_SECONDS = 1000000;

static const uint16_t tcp_ports[] = { 1494, 2598, 443, 27000, 7279, 80, 8080, 3389, 22 };
static const uint16_t udp_ports[] = { 1812, 53, 2598, 1494 };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum workload { WL_MIX, WL_SYNFLOOD, WL_ELEPHANTS, WL_FULLPAYLOAD };
static const char *const workload_names[] = { "mix", "synflood", "elephants", "fullpayload" };

/* What a flow's script does; the order matches kind_table. */
enum kind {
	K_TCP_SESSION,		/* handshake, data both ways, FIN close */
	K_TCP_SYN_ONLY,		/* SYN, retransmitted, never answered */
	K_TCP_REJECTED,		/* SYN answered by RST-ACK */
	K_TCP_RESET,		/* handshake, data, then a RST from either side */
	K_UDP_EXCHANGE,		/* request/reply pairs */
	K_UDP_ONE_WAY,		/* datagrams that get no answer */
	K_ICMP_ECHO,		/* echo request/reply pairs */
	K_ICMP_UNREACH,		/* UDP datagram answered by ICMP port unreachable (IPv4) */
	K_TCP_ELEPHANT,		/* a long bulk transfer: server data, client ACKs */
	KIND_COUNT,
};

/*
 * Share of new mix flows, and the script's length in packets:
 * fixed + times * (1 + a random number below spread), plus the data
 * segments where data is set.
 */
static const struct kind_info {
	uint8_t percent, fixed, times, spread;
	bool data;
} kind_table[] = {
	[K_TCP_SESSION] = { 55, 6, 0, 1, true },	/* 3 handshake + 3 close */
	[K_TCP_SYN_ONLY] = { 8, 0, 1, 3, false },	/* 1-3 SYNs */
	[K_TCP_REJECTED] = { 7, 2, 0, 1, false },
	[K_TCP_RESET] = { 5, 4, 0, 1, true },	/* 3 handshake + RST */
	[K_UDP_EXCHANGE] = { 12, 0, 2, 3, false },	/* 1-3 pairs */
	[K_UDP_ONE_WAY] = { 5, 0, 1, 4, false },
	[K_ICMP_ECHO] = { 5, 0, 2, 4, false },
	[K_ICMP_UNREACH] = { 3, 0, 2, 2, false },
	[K_TCP_ELEPHANT] = { 0, 6, 0, 1, true },
};

static bool kind_is_tcp(uint8_t k)
{
	return k <= K_TCP_RESET || k == K_TCP_ELEPHANT;
}

struct rng {
	uint64_t s;
};

/* splitmix64 (Steele, Lea, Flood 2014): one add, three xor-shift-multiplies. */
static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) by multiply-shift (Lemire), n < 2^32. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

static bool rng_chance(struct rng *r, uint32_t percent)
{
	return rng_below(r, 100) < percent;
}

/* One flow being played. Addresses derive from host numbers, keeping this small. */
struct flow {
	uint8_t kind;
	uint8_t v6;
	uint16_t vid;		/* 802.1Q VLAN id; 0: untagged */
	uint16_t cport;		/* client port; ICMP echo: identifier */
	uint16_t sport;		/* server port */
	uint16_t chost;		/* client 198.18.x.y / 2001:db8:c::x:y */
	uint16_t shost;		/* server 198.19.x.y / 2001:db8:5::x:y */
	uint16_t ip_id[2];	/* next IPv4 id: client [0], server [1] */
	uint16_t aux;		/* ICMP_UNREACH: payload of the datagram to quote */
	uint32_t step;		/* packets played */
	uint32_t len;		/* packets in the script */
	uint32_t seq[2];	/* next TCP sequence number: client [0], server [1] */
	uint16_t sent[2];	/* TCP payload bytes sent so far (saturating): where the opening bytes end */
};

/* The next packet of a flow, as its script decides it. */
struct pkt {
	bool from_server;
	uint8_t proto;
	uint8_t tcp_flags;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint32_t seq, ack;	/* TCP; ICMP echo: seq is the sequence number */
	uint32_t payload;	/* transport payload bytes on the wire */
};

struct config {
	const char *out;
	uint64_t seed, packets, flows, concurrent;
	uint64_t duration;	/* seconds the capture covers */
	uint32_t snaplen;
	enum workload workload;
};

struct gen {
	struct config cfg;
	struct rng rng;
	pcap_dumper_t *dump;
	struct flow *slots;
	uint64_t active;	/* slots in use; elephants first */
	uint64_t big;		/* leading elephant slots */
	uint64_t started;	/* flows started */
	uint64_t bg_started;	/* of which not elephants */
	uint64_t bg_budget;	/* packets meant for flows other than elephants */
	uint64_t bg_committed;	/* packets in the scripts of those started */
	uint64_t written;	/* packets written */
	uint32_t data_mean;	/* mean data segments of a TCP session */
	int64_t now_us;
	uint8_t frame[MAX_FRAME];
};

static uint8_t pattern[MSS];
static uint32_t pattern_sum[MSS + 1];	/* one's-complement sum of the first n bytes, unfolded */

static void pattern_init(void)
{
	for (size_t i = 0; i < MSS; i++)
		pattern[i] = (uint8_t)('a' + i % 26);
	for (size_t n = 0; n <= MSS; n++)
		pattern_sum[n] = sum_add(0, pattern, n);
}

/* ---- frame building ---- */

static void put_mac(uint8_t *p, bool server, uint16_t host)
{
	p[0] = 0x02;		/* locally administered */
	p[1] = 0;
	p[2] = 0;
	p[3] = server;
	put16(p + 4, host);
}

static uint32_t put_eth(uint8_t *b, const struct flow *f, bool from_server)
{
	uint32_t n = ETH_ADDRS;	/* destination, source */

	put_mac(b, !from_server, from_server ? f->chost : f->shost);
	put_mac(b + 6, from_server, from_server ? f->shost : f->chost);
	if (f->vid) {
		put16(b + n, ETH_8021Q);
		put16(b + n + 2, f->vid);
		n += VLAN_TAG;
	}
	put16(b + n, f->v6 ? ETH_IPV6 : ETH_IPV4);
	return n + ETH_TYPE;
}

static void put_addr(uint8_t *p, bool v6, bool server, uint16_t host)
{
	static const uint8_t net6[2][6] = { { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0c },
					    { 0x20, 0x01, 0x0d, 0xb8, 0, 0x05 } };
	if (!v6) {
		p[0] = 198;
		p[1] = (uint8_t)(18 + server);
		put16(p + 2, host);
		return;
	}
	memcpy(p, net6[server], 6);
	memset(p + 6, 0, 8);
	put16(p + 14, host);
}

/* IP header (RFC 791 / RFC 8200) for l4_len transport bytes; returns its length. */
static uint32_t put_ip(uint8_t *b, struct flow *f, bool from_server, uint8_t proto,
		       uint32_t l4_len, uint16_t id)
{
	uint16_t src = from_server ? f->shost : f->chost;
	uint16_t dst = from_server ? f->chost : f->shost;

	if (f->v6) {
		put32(b, 0x60000000);
		put16(b + 4, l4_len);
		b[6] = proto;
		b[7] = TTL_CLIENT;
		put_addr(b + 8, true, from_server, src);
		put_addr(b + 24, true, !from_server, dst);
		return IPV6_HDR;
	}
	b[0] = 0x45;
	b[1] = 0;
	put16(b + 2, IPV4_HDR + l4_len);
	put16(b + 4, id);
	put16(b + 6, IPV4_DF);
	b[8] = from_server ? TTL_SERVER : TTL_CLIENT;
	b[9] = proto;
	put16(b + 10, 0);
	put_addr(b + 12, false, from_server, src);
	put_addr(b + 16, false, !from_server, dst);
	put16(b + 10, sum_fold(sum_add(0, b, IPV4_HDR)));
	return IPV4_HDR;
}

/*
 * Transport checksum: pseudo-header (unless ICMPv4), hdr_len header bytes
 * (always even), then the payload: the pattern's (precomputed), or the
 * bytes at data when a session's opening is in it.
 */
static uint16_t l4_checksum(const uint8_t *ip, bool v6, uint8_t proto, const uint8_t *l4,
			    uint32_t hdr_len, uint32_t payload, const uint8_t *data)
{
	uint32_t len = hdr_len + payload;
	uint32_t sum = 0;

	if (proto != IP_ICMP) {
		sum = v6 ? sum_add(0, ip + 8, 32) : sum_add(0, ip + 12, 8);
		sum += proto + (len >> 16) + (len & 0xffff);
	}
	sum = sum_add(sum, l4, hdr_len) + (data ? sum_add(0, data, payload) : pattern_sum[payload]);
	return sum_fold(sum);
}

/*
 * How each side of a session on a port the audit looks into starts, so that
 * the payload inspection does its real work: ICA's server banner on 1494,
 * CGP's header on 2598, a real TLS 1.2 first flight on 443 (handshake.h).
 * The rest of the stream is the pattern.
 */
static const uint8_t *opening(const struct flow *f, bool from_server, uint32_t *len)
{
	static const uint8_t ica[] = { 0x7f, 0x7f, 'I', 'C', 'A', 0 };
	static const uint8_t cgp[] = { 0x1a, 'C', 'G', 'P', '/', '0', '1' };

	switch (f->sport) {
	case 1494:
		*len = from_server ? sizeof(ica) : 0;
		return ica;
	case 2598:
		*len = sizeof(cgp);
		return cgp;
	case 443:
		*len = from_server ? sizeof(tls_server_flight) : sizeof(tls_client_flight);
		return from_server ? tls_server_flight : tls_client_flight;
	default:
		*len = 0;
		return NULL;
	}
}

static uint32_t put_tcp(uint8_t *b, const struct flow *f, const struct pkt *p, uint32_t ms)
{
	uint32_t hl = (p->tcp_flags & RST) ? TCP_HDR : (p->tcp_flags & SYN) ? TCP_SYN_HDR : TCP_TS_HDR;
	uint8_t *o = b + TCP_HDR;

	put16(b, p->from_server ? f->sport : f->cport);
	put16(b + 2, p->from_server ? f->cport : f->sport);
	put32(b + 4, p->seq);
	put32(b + 8, p->ack);
	b[12] = (uint8_t)(hl / 4 << 4);
	b[13] = p->tcp_flags;
	put16(b + 14, TCP_WINDOW);
	put32(b + 16, 0);	/* checksum, urgent pointer */
	if (hl == TCP_SYN_HDR) {
		o[0] = 2, o[1] = 4;	/* MSS */
		put16(o + 2, MSS + 12);
		o += 4;
	}
	if (hl != TCP_HDR) {
		o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;	/* NOP NOP TS */
		put32(o + 4, ms + (p->from_server ? f->shost : f->chost));
		put32(o + 8, (p->tcp_flags & ACK) ? ms - 1 : 0);
	}
	return hl;
}

static uint32_t put_udp(uint8_t *b, const struct flow *f, bool from_server, uint32_t payload)
{
	put16(b, from_server ? f->sport : f->cport);
	put16(b + 2, from_server ? f->cport : f->sport);
	put16(b + 4, UDP_HDR + payload);
	put16(b + 6, 0);
	return UDP_HDR;
}

/*
 * ICMP header; a port unreachable quotes the client's last datagram (its IP
 * header and 8 bytes, RFC 792), so the quote is part of the header here.
 */
static uint32_t put_icmp(uint8_t *b, struct flow *f, const struct pkt *p)
{
	b[0] = p->icmp_type;
	b[1] = p->icmp_code;
	put16(b + 2, 0);
	if (p->icmp_type == ICMP_UNREACH) {
		uint32_t q;
		put32(b + 4, 0);
		q = put_ip(b + ICMP_HDR, f, false, IP_UDP, UDP_HDR + f->aux,
			   (uint16_t)(f->ip_id[0] - 1));
		put_udp(b + ICMP_HDR + q, f, false, f->aux);
		put16(b + ICMP_HDR + q + 6, l4_checksum(b + ICMP_HDR, false, IP_UDP, b + ICMP_HDR + q,
							UDP_HDR, f->aux, NULL));
		return ICMP_HDR + q + UDP_HDR;
	}
	put16(b + 4, f->cport);
	put16(b + 6, p->seq);
	return ICMP_HDR;
}

/* The payload of a TCP segment that carries part of its side's opening, into out; false if none does. */
static bool opening_payload(struct flow *f, const struct pkt *p, uint8_t *out)
{
	uint32_t olen, at = f->sent[p->from_server], k;
	const uint8_t *o;

	if (p->proto != IP_TCP || !p->payload)
		return false;
	f->sent[p->from_server] = (uint16_t)(at + p->payload > 65535 ? 65535 : at + p->payload);
	o = opening(f, p->from_server, &olen);
	if (!o || at >= olen)
		return false;
	k = olen - at < p->payload ? olen - at : p->payload;
	memcpy(out, pattern, p->payload);
	memcpy(out, o + at, k);
	return true;
}

/* Build p for flow f into g->frame and write it. */
static void emit(struct gen *g, struct flow *f, const struct pkt *p)
{
	uint8_t *b = g->frame;
	uint32_t eth = put_eth(b, f, p->from_server);
	uint32_t iphl = f->v6 ? IPV6_HDR : IPV4_HDR;
	uint8_t *l4 = b + eth + iphl;
	uint32_t l4hl, len;
	int csum_at;
	struct pcap_pkthdr h;
	uint8_t opened[MSS];
	bool has_opening = opening_payload(f, p, opened);

	switch (p->proto) {
	case IP_TCP:
		l4hl = put_tcp(l4, f, p, (uint32_t)(g->now_us / 1000));
		csum_at = 16;
		break;
	case IP_UDP:
		l4hl = put_udp(l4, f, p->from_server, p->payload);
		csum_at = 6;
		break;
	default:
		l4hl = put_icmp(l4, f, p);
		csum_at = 2;
		break;
	}
	put_ip(b + eth, f, p->from_server, p->proto, l4hl + p->payload, f->ip_id[p->from_server]++);
	uint16_t sum = l4_checksum(b + eth, f->v6, p->proto, l4, l4hl, p->payload, has_opening ? opened : NULL);
	put16(l4 + csum_at, (sum == 0 && p->proto == IP_UDP) ? 0xffff : sum);

	len = eth + iphl + l4hl + p->payload;
	if (len < ETH_MIN_FRAME) {
		memset(b + len, 0, ETH_MIN_FRAME - len);
		len = ETH_MIN_FRAME;
	}
	h.len = len;
	h.caplen = len < g->cfg.snaplen ? len : g->cfg.snaplen;
	uint32_t hdrs = eth + iphl + l4hl;
	if (h.caplen > hdrs && p->payload)
		memcpy(b + hdrs, has_opening ? opened : pattern,
		       h.caplen - hdrs < p->payload ? h.caplen - hdrs : p->payload);
	h.ts.tv_sec = (time_t)(g->now_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(g->now_us % 1000000);
	pcap_dump((u_char *)g->dump, &h, b);
	g->written++;
}

/* ---- flow scripts ---- */

/* A TCP segment from one side: take its sequence number and advance it. */
static void tcp_seg(struct flow *f, struct pkt *p, bool from_server, uint8_t flags, uint32_t payload)
{
	p->from_server = from_server;
	p->proto = IP_TCP;
	p->tcp_flags = flags;
	p->payload = payload;
	p->seq = f->seq[from_server];
	p->ack = (flags & ACK) ? f->seq[!from_server] : 0;
	f->seq[from_server] += payload + !!(flags & SYN) + !!(flags & FIN);
}

static uint32_t data_size(struct gen *g, bool from_server)
{
	if (g->cfg.workload == WL_FULLPAYLOAD)
		return MSS;
	if (!from_server)
		return 20 + rng_below(&g->rng, 480);
	return rng_chance(&g->rng, 40) ? MSS : 40 + rng_below(&g->rng, 1200);
}

/* A data segment: the first from the client, then either side; elephants: server data, client ACKs. */
static void tcp_data(struct gen *g, struct flow *f, struct pkt *p)
{
	if (f->kind == K_TCP_ELEPHANT && f->step > 3) {
		bool server = rng_below(&g->rng, 3) != 0;
		tcp_seg(f, p, server, ACK, server ? MSS : 0);
		return;
	}
	bool server = f->step > 3 && rng_chance(&g->rng, 60);
	tcp_seg(f, p, server, PSH | ACK, data_size(g, server));
}

static void script_tcp(struct gen *g, struct flow *f, struct pkt *p)
{
	uint32_t s = f->step, left = f->len - s;
	bool reset = f->kind == K_TCP_RESET;

	if (s == 0)
		tcp_seg(f, p, false, SYN, 0);
	else if (s == 1)
		tcp_seg(f, p, true, SYN | ACK, 0);
	else if (s == 2)
		tcp_seg(f, p, false, ACK, 0);
	else if (reset && left == 1)
		tcp_seg(f, p, rng_chance(&g->rng, 50), RST | ACK, 0);
	else if (!reset && left <= 3)
		tcp_seg(f, p, left == 2, left == 1 ? ACK : FIN | ACK, 0);
	else
		tcp_data(g, f, p);
}

static uint32_t udp_size(struct gen *g, uint16_t port, bool reply)
{
	switch (port) {
	case 53:
		return reply ? 60 + rng_below(&g->rng, 240) : 30 + rng_below(&g->rng, 30);
	case 1812:
		return reply ? 20 + rng_below(&g->rng, 40) : 80 + rng_below(&g->rng, 120);
	default:		/* Citrix EDT / session reliability */
		return 20 + rng_below(&g->rng, 1180);
	}
}

static void script_other(struct gen *g, struct flow *f, struct pkt *p)
{
	bool reply = f->step & 1;

	memset(p, 0, sizeof(*p));
	switch (f->kind) {
	case K_TCP_SYN_ONLY:
		tcp_seg(f, p, false, SYN, 0);
		f->seq[0]--;	/* a retransmission reuses the ISN */
		break;
	case K_TCP_REJECTED:
		tcp_seg(f, p, reply, reply ? RST | ACK : SYN, 0);
		p->seq = reply ? 0 : p->seq;
		break;
	case K_UDP_EXCHANGE:
	case K_UDP_ONE_WAY:
		p->from_server = f->kind == K_UDP_EXCHANGE && reply;
		p->proto = IP_UDP;
		p->payload = udp_size(g, f->sport, p->from_server);
		break;
	case K_ICMP_ECHO:
		p->from_server = reply;
		p->proto = f->v6 ? IP_ICMPV6 : IP_ICMP;
		p->icmp_type = f->v6 ? (reply ? ICMP6_ECHO_REPLY : ICMP6_ECHO) :
				       (reply ? ICMP_ECHO_REPLY : ICMP_ECHO);
		p->seq = f->step / 2 + 1;
		p->payload = ECHO_PAYLOAD;
		break;
	default:		/* K_ICMP_UNREACH */
		p->from_server = reply;
		p->proto = reply ? IP_ICMP : IP_UDP;
		p->icmp_type = ICMP_UNREACH;
		p->icmp_code = ICMP_PORT;
		if (!reply)
			f->aux = (uint16_t)udp_size(g, f->sport, false);
		p->payload = reply ? 0 : f->aux;
		break;
	}
}

/* Packets in the script of a new flow of kind k. */
static uint32_t script_length(struct gen *g, enum kind k)
{
	const struct kind_info *ki = &kind_table[k];
	uint32_t n = ki->fixed;

	if (ki->times)
		n += ki->times * (1 + rng_below(&g->rng, ki->spread));
	if (ki->data)
		n += 1 + rng_below(&g->rng, 2 * g->data_mean - 1);	/* mean data_mean */
	return n;
}

static enum kind pick_kind(struct gen *g)
{
	uint32_t r = rng_below(&g->rng, 100);
	int k = 0;

	while (k < KIND_COUNT - 1 && r >= kind_table[k].percent)
		r -= kind_table[k++].percent;
	return (enum kind)k;
}

/*
 * The mean data segments per TCP session that spreads the packets not yet
 * promised to a script evenly over the flows still to start, given the
 * fixed lengths of the other scripts; recomputed per flow, so the file ends
 * close to --packets and --flows together.
 */
static uint32_t data_mean_for(const struct gen *g)
{
	uint64_t fixed_x2 = 0, data_pct = 0, want_x200;
	uint64_t left = g->bg_budget > g->bg_committed ? g->bg_budget - g->bg_committed : 0;
	uint64_t flows = g->cfg.flows > g->bg_started ? g->cfg.flows - g->bg_started : 1;

	for (int k = 0; k < KIND_COUNT; k++) {
		const struct kind_info *ki = &kind_table[k];
		fixed_x2 += ki->percent * (2u * ki->fixed + ki->times * (1u + ki->spread));
		data_pct += ki->data ? ki->percent : 0;
	}
	want_x200 = left * 200 / flows;
	if (want_x200 <= fixed_x2 + 2 * data_pct)
		return 1;
	return (uint32_t)((want_x200 - fixed_x2 + data_pct) / (2 * data_pct));
}

/* Start a new flow in f; an elephant carries its share of the packets still to come. */
static void flow_start(struct gen *g, struct flow *f, bool elephant)
{
	struct rng *r = &g->rng;

	if (!elephant)
		g->data_mean = data_mean_for(g);
	memset(f, 0, sizeof(*f));
	f->kind = (uint8_t)(elephant ? K_TCP_ELEPHANT : pick_kind(g));
	f->v6 = f->kind != K_ICMP_UNREACH && rng_chance(r, IPV6_SHARE);
	f->vid = rng_chance(r, VLAN_SHARE) ? (uint16_t)(1 + rng_below(r, VLAN_IDS)) : 0;
	f->chost = (uint16_t)(1 + rng_below(r, CLIENT_HOSTS));
	f->shost = (uint16_t)(1 + rng_below(r, SERVER_HOSTS));
	f->cport = (uint16_t)(EPHEMERAL_FIRST + rng_below(r, EPHEMERAL_COUNT));
	f->ip_id[0] = (uint16_t)rng_next(r);
	f->ip_id[1] = (uint16_t)rng_next(r);
	f->seq[0] = (uint32_t)rng_next(r);
	f->seq[1] = (uint32_t)rng_next(r);
	if (kind_is_tcp(f->kind))
		f->sport = tcp_ports[rng_below(r, COUNT(tcp_ports))];
	else
		f->sport = udp_ports[rng_below(r, COUNT(udp_ports))];
	if (elephant) {
		uint64_t left = g->cfg.packets - g->written;
		uint64_t len = left * ELEPHANT_SHARE / 100 / ELEPHANTS * ELEPHANT_FILL / 100;
		f->len = (uint32_t)(len > ELEPHANT_MIN_LEN ? len : ELEPHANT_MIN_LEN);
	} else {
		f->len = script_length(g, (enum kind)f->kind);
		g->bg_committed += f->len;
		g->bg_started++;
	}
	g->started++;
}

/* ---- the main loops ---- */

static void advance_clock(struct gen *g)
{
	unsigned __int128 span_us = (unsigned __int128)g->cfg.duration * 1000000;
	g->now_us = START_SEC * 1000000 + (int64_t)(g->written * span_us / g->cfg.packets);
}

/* A slot to play from: elephants get their share, the rest is uniform. */
static uint64_t pick_slot(struct gen *g)
{
	uint64_t small = g->active - g->big;

	if (g->big && (small == 0 || rng_chance(&g->rng, ELEPHANT_SHARE)))
		return rng_below(&g->rng, (uint32_t)g->big);
	return g->big + rng_below(&g->rng, (uint32_t)small);
}

static void play_slots(struct gen *g)
{
	while (g->written < g->cfg.packets) {
		if (g->active == g->big)	/* every background flow done: start one more */
			flow_start(g, &g->slots[g->active++], false);
		uint64_t i = pick_slot(g);
		struct flow *f = &g->slots[i];
		if (f->step == f->len) {
			if (i < g->big || g->bg_started < g->cfg.flows) {
				flow_start(g, f, i < g->big);
			} else {
				*f = g->slots[--g->active];
				continue;
			}
		}
		struct pkt p;
		memset(&p, 0, sizeof(p));
		advance_clock(g);
		if (kind_is_tcp(f->kind) && f->kind != K_TCP_SYN_ONLY && f->kind != K_TCP_REJECTED)
			script_tcp(g, f, &p);
		else
			script_other(g, f, &p);
		emit(g, f, &p);
		f->step++;
	}
}

/* Every SYN from its own client address and port to one server port. */
static void play_synflood(struct gen *g)
{
	struct flow f;
	struct pkt p;

	memset(&f, 0, sizeof(f));
	f.shost = 1;
	f.sport = 443;
	while (g->written < g->cfg.packets) {
		uint64_t i = g->written;
		f.chost = (uint16_t)(i & 0xffff);
		f.cport = (uint16_t)(FLOOD_PORT_FIRST + (i >> 16));
		f.seq[0] = (uint32_t)rng_next(&g->rng);
		f.ip_id[0] = (uint16_t)i;
		advance_clock(g);
		memset(&p, 0, sizeof(p));
		tcp_seg(&f, &p, false, SYN, 0);
		emit(g, &f, &p);
	}
	g->started = g->written;
}

static int usage(void)
{
	fputs("usage: gen OUT.pcap --seed N --packets N --flows N [--concurrent N]\n"
	      "           [--duration SECS] [--snaplen N]\n"
	      "           [--workload mix|synflood|elephants|fullpayload]\n",
	      stderr);
	return 2;
}

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s == '-')
		return false;
	v = strtoull(s, &end, 10);
	if (*end || end == s || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/*
 * Long enough that packets of one flow are FLOW_GAP_US apart on average:
 * wider gaps would outlast the auditor's close delay and timeouts.
 */
static uint64_t default_duration(const struct config *c)
{
	uint64_t background = c->packets, s;

	if (c->workload == WL_SYNFLOOD)
		return FLOOD_SECONDS;
	if (c->workload == WL_ELEPHANTS)
		background = c->packets * (100 - ELEPHANT_SHARE) / 100;
	s = background * FLOW_GAP_US / c->concurrent / 1000000;
	return s < 1 ? 1 : s > MAX_SECONDS ? MAX_SECONDS : s;
}

static bool parse_args(struct config *c, int argc, char **argv)
{
	uint64_t snap = 0, wl = WL_MIX;
	bool seed = false, packets = false, flows = false;

	memset(c, 0, sizeof(*c));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true;
		if (a[0] != '-' && !c->out) {
			c->out = a;
			continue;
		}
		if (!strcmp(a, "--seed"))
			ok = seed = parse_u64(v, 0, UINT64_MAX, &c->seed);
		else if (!strcmp(a, "--packets"))
			ok = packets = parse_u64(v, 1, 1ULL << 32, &c->packets);
		else if (!strcmp(a, "--flows"))
			ok = flows = parse_u64(v, 1, 1ULL << 32, &c->flows);
		else if (!strcmp(a, "--concurrent"))
			ok = parse_u64(v, 1, 1ULL << 26, &c->concurrent);
		else if (!strcmp(a, "--duration"))
			ok = parse_u64(v, 1, MAX_SECONDS, &c->duration);
		else if (!strcmp(a, "--snaplen"))
			ok = parse_u64(v, ETH_MIN_FRAME, SNAP_FULL, &snap);
		else if (!strcmp(a, "--workload")) {
			for (wl = 0; wl < COUNT(workload_names) && v && strcmp(v, workload_names[wl]); wl++)
				;
			ok = wl < COUNT(workload_names);
		} else
			ok = false;
		if (!ok)
			return false;
		i++;
	}
	if (!c->out || !seed || !packets || !flows)
		return false;
	c->workload = (enum workload)wl;
	c->snaplen = (uint32_t)(snap ? snap : wl == WL_FULLPAYLOAD ? SNAP_FULL : SNAP_DEFAULT);
	if (!c->concurrent) {
		uint64_t n = (c->flows + FLOWS_PER_SLOT - 1) / FLOWS_PER_SLOT;
		c->concurrent = n < CONCURRENT_DEFAULT ? n : CONCURRENT_DEFAULT;
	}
	if (c->workload == WL_SYNFLOOD && c->packets > 65536ULL * (65536 - FLOOD_PORT_FIRST))
		return false;	/* distinct (address, port) pairs run out */
	if (c->concurrent > c->flows)
		return false;
	if (!c->duration)
		c->duration = default_duration(c);
	return true;
}

static int open_output(struct gen *g, pcap_t **dead, FILE **fp)
{
	*dead = pcap_open_dead(DLT_EN10MB, (int)g->cfg.snaplen);
	*fp = fopen(g->cfg.out, "wb");
	if (!*dead || !*fp) {
		perror(g->cfg.out);
		return -1;
	}
	setvbuf(*fp, NULL, _IOFBF, OUT_BUFFER);
	g->dump = pcap_dump_fopen(*dead, *fp);
	if (!g->dump) {
		fprintf(stderr, "gen: %s: %s\n", g->cfg.out, pcap_geterr(*dead));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct gen g;
	pcap_t *dead;
	FILE *fp;
	struct stat st;

	if (!parse_args(&g.cfg, argc, argv))
		return usage();
	pattern_init();
	g.rng.s = g.cfg.seed;
	g.bg_budget = g.cfg.workload == WL_ELEPHANTS ?
		      g.cfg.packets * (100 - ELEPHANT_SHARE) / 100 : g.cfg.packets;
	if (open_output(&g, &dead, &fp) != 0)
		return 1;
	if (g.cfg.workload == WL_SYNFLOOD) {
		play_synflood(&g);
	} else {
		g.big = g.cfg.workload == WL_ELEPHANTS ? ELEPHANTS : 0;
		g.slots = calloc(g.cfg.concurrent + g.big, sizeof(*g.slots));
		if (!g.slots) {
			perror("gen");
			return 1;
		}
		for (g.active = 0; g.active < g.big; g.active++)
			flow_start(&g, &g.slots[g.active], true);
		for (; g.active < g.big + g.cfg.concurrent; g.active++)
			flow_start(&g, &g.slots[g.active], false);
		play_slots(&g);
	}
	if (pcap_dump_flush(g.dump) != 0 || ferror(fp)) {
		perror(g.cfg.out);
		return 1;
	}
	pcap_dump_close(g.dump);
	pcap_close(dead);
	free(g.slots);
	if (stat(g.cfg.out, &st) != 0) {
		perror(g.cfg.out);
		return 1;
	}
	printf("packets written %" PRIu64 ", flows %" PRIu64 ", file size %lld bytes (%.1f MiB)\n",
	       g.written, g.started, (long long)st.st_size, (double)st.st_size / (1 << 20));
	return 0;
}
