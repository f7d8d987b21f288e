/* craft: write the crafted test captures (VLAN, QinQ, fragments, IPv6 extension headers, truncation, link types, mirror tunnels and copies, malformed TLS) */

/*
 * Some frames the namespace captures cannot give us (this kernel has no
 * 802.1Q module; Linux reassembles before we could cut; link types other
 * than Ethernet), so they are built byte by byte here and written with
 * libpcap's dump API. Every packet has correct IP/TCP/UDP checksums (except
 * in offload-tso, where wrong ones are the point) and consistent sequence
 * numbers, so each file has one unambiguous answer
 * (tests/golden/<name>.expect, explained in pcaps/README.md).
 *
 * The bad-* captures are damaged on purpose (bad headers, lengths that lie,
 * odd pcapng blocks) after some good traffic; their damage is written raw,
 * around the dump API, and their pcapng files block by block.
 *
 * usage: craft SUBCOMMAND FILE     write one capture
 *        craft all DIR             write all of them as DIR/<subcommand>.pcap (.pcapng for the pcapng ones)
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "netbytes.h"

enum { MAX_FRAME = 4096, SNAP_FULL = 65535, SNAP_CUT = 96, SNAP_BIG = 262144 };

/* Ethertypes and IP protocol numbers used here (IANA). */
enum {
	ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_8021Q = 0x8100, ETH_8021AD = 0x88a8,
	IP_HBH = 0, IP_TCP = 6, IP_UDP = 17, IP_FRAG = 44, IP_GRE = 47, IP_DSTOPTS = 60,
};

/*
 * Tunnels (RFC 7348; GRE RFC 2784/2890 with ERSPAN, draft-foschiano-erspan-03;
 * GENEVE RFC 8926; MPLS over GRE RFC 4023; PPTP RFC 2637; Teredo RFC 4380).
 * The first five carry the Ethernet frame, the rest the IP packet.
 */
enum tunnel {
	TUN_NONE, TUN_VXLAN, TUN_ERSPAN2, TUN_ERSPAN3, TUN_ERSPAN1, TUN_GENEVE_ETH,
	TUN_GRE_MPLS, TUN_PPTP, TUN_TEREDO,
};
enum {
	VXLAN_PORT = 4789, VXLAN_SPORT = 49153, VXLAN_VNI = 5001, GENEVE_PORT = 6081, TEREDO_PORT = 3544,
	TEREDO_CLIENT_PORT = 50544, GRE_F_KEY = 0x2000, GRE_F_SEQ = 0x1000, GRE_F_ACK = 0x0080, GRE_ERSPAN2 = 0x88be,
	GRE_ERSPAN3 = 0x22eb, GRE_MPLS = 0x8847, GRE_PPP = 0x880b, ETH_TEB = 0x6558, IP_NO_NEXT = 59,
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
	enum tunnel tunnel;	/* wrap every frame for a remote mirror (198.18.9.1 -> .2) */
	uint16_t outer_vid;	/* 802.1Q tag of the mirror transport, 0 for none */
	uint16_t outer_id;	/* outer IPv4 identification */
	uint32_t gre_seq;	/* GRE sequence number, one per mirrored frame */
	bool dup;		/* write every frame twice: seen on the client's and the server's VLAN */
	uint32_t ndup;
	FILE *ng;		/* pcapng: packets go here as Enhanced Packet Blocks, not through the dump API */
	uint32_t ng_if;		/* pcapng: the interface of those blocks */
	uint8_t *grab;		/* keep the next frame here instead of writing it (once), to write it damaged */
	uint32_t grab_len;
	int mpls_labels;	/* an MPLS label stack of this many labels under the Ethernet header (0: none) */
	bool mpls_eth;		/* the stack carries an Ethernet frame (pseudowire), not IP */
	bool mpls_cw;		/* ... behind a 4-byte pseudowire control word */
	enum { SHIM_NONE = 0, SHIM_PPPOE, SHIM_VNTAG, SHIM_PBB } shim;	/* under the Ethernet header and tags */
	enum { LLC_NONE = 0, LLC_SNAP, LLC_SAP_IP } llc;	/* Ethernet: 802.3 length and LLC, not a type */
	bool wlan_qos;		/* 802.11: QoS data frames (TID 0) */
	bool wlan_htc;		/* ... with +HTC/Order and an HT control field */
	bool wlan_wds;		/* 802.11: To DS and From DS, four addresses (a bridge between two APs) */
	bool wlan_fcs;		/* radiotap / PPI: the frame ends with its FCS, and the radio header says so */
	bool rt_ext;		/* radiotap: a second (empty) presence word, so TSFT needs alignment padding */
	uint16_t wlan_seq;	/* 802.11 sequence number */
};

/* Little-endian fields: radiotap, PPI and the 802.11 sequence control. */
static void put_le16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put_le32(uint8_t *p, uint32_t v) { put_le16(p, v & 0xffff); put_le16(p + 2, v >> 16); }

/* The IEEE 802.3 FCS: CRC-32, reflected, polynomial 0x04c11db7, sent least significant byte first. */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* The access point of the 802.11 captures, and the second one of its WDS link. */
static const uint8_t wlan_bssid[6] = { 0x02, 0xfa, 0, 0, 0x0a, 0x01 };
static const uint8_t wlan_bssid2[6] = { 0x02, 0xfa, 0, 0, 0x0a, 0x02 };

/* LLC UI + SNAP with OUI 000000 (RFC 1042): the EtherType follows. */
static uint32_t put_snap(uint8_t *f, uint16_t etype)
{
	memcpy(f, (uint8_t[]){ 0xaa, 0xaa, 0x03, 0, 0, 0 }, 6);
	put16(f + 6, etype);
	return 8;
}

/*
 * An 802.11 data frame header (IEEE 802.11-2020 9.3.2.1) and LLC/SNAP: the
 * client (.1) is a station sending to the AP (To DS), the server's frames
 * come from the AP (From DS); a WDS frame has both and a fourth address.
 */
static uint32_t wlan_header(struct out *o, uint8_t *f, const struct host *src, const struct host *dst, bool from_a,
			    uint16_t etype)
{
	uint32_t n = 24;
	uint8_t flags = o->wlan_wds ? 0x03 : from_a ? 0x01 : 0x02;

	f[0] = o->wlan_qos ? 0x88 : 0x08;	/* data or QoS data */
	if (o->wlan_qos && o->wlan_htc)
		flags |= 0x80;
	f[1] = flags;
	put_le16(f + 2, 44);			/* duration, us */
	if (o->wlan_wds) {
		memcpy(f + 4, wlan_bssid2, 6);
		memcpy(f + 10, wlan_bssid, 6);
		memcpy(f + 16, dst->mac, 6);
		memcpy(f + 24, src->mac, 6);
		n = 30;
	} else if (from_a) {
		memcpy(f + 4, wlan_bssid, 6);
		memcpy(f + 10, src->mac, 6);
		memcpy(f + 16, dst->mac, 6);
	} else {
		memcpy(f + 4, dst->mac, 6);
		memcpy(f + 10, wlan_bssid, 6);
		memcpy(f + 16, src->mac, 6);
	}
	put_le16(f + 22, (uint32_t)(o->wlan_seq++ & 0x0fff) << 4);	/* fragment 0 */
	if (o->wlan_qos) {
		put_le16(f + n, 0);		/* TID 0, no A-MSDU */
		n += 2;
		if (o->wlan_htc) {
			put32(f + n, 0);
			n += 4;
		}
	}
	return n + put_snap(f + n, etype);
}

/*
 * Radiotap (radiotap.org): TSFT, Flags, Rate, Channel, antenna signal; an
 * empty second presence word when rt_ext. Flags 0x10 when the frame ends
 * with its FCS.
 */
static uint32_t radiotap_header(struct out *o, uint8_t *f)
{
	uint32_t n = 8;
	uint64_t tsft = (uint64_t)o->ts_us;

	f[0] = 0;
	f[1] = 0;
	put_le32(f + 4, 0x2fu | (o->rt_ext ? 0x80000000u : 0));
	if (o->rt_ext) {
		put_le32(f + 8, 0);
		n = 12;
	}
	while (n % 8)
		f[n++] = 0;			/* TSFT is 8-byte aligned */
	put_le32(f + n, (uint32_t)tsft);
	put_le32(f + n + 4, (uint32_t)(tsft >> 32));
	n += 8;
	f[n++] = o->wlan_fcs ? 0x10 : 0;	/* Flags */
	f[n++] = 108;				/* Rate: 54 Mb/s in 500 kb/s */
	put_le16(f + n, 2437);			/* Channel: 6 (MHz), 2 GHz OFDM */
	put_le16(f + n + 2, 0x00c0);
	n += 4;
	f[n++] = (uint8_t)-42;			/* antenna signal, dBm */
	put_le16(f + 2, n);
	return n;
}

/* PPI 1.0: header (DLT 105) and one 802.11-Common field, whose flags say whether there is an FCS. */
static uint32_t ppi_header(struct out *o, uint8_t *f)
{
	memset(f, 0, 32);
	put_le16(f + 2, 32);
	put_le32(f + 4, DLT_IEEE802_11);
	put_le16(f + 8, 2);			/* 802.11-Common, 20 bytes */
	put_le16(f + 10, 20);
	put_le32(f + 12, (uint32_t)o->ts_us);	/* TSF timer */
	put_le16(f + 20, o->wlan_fcs ? 1 : 0);
	put_le16(f + 22, 108);			/* rate, 500 kb/s */
	put_le16(f + 24, 2437);
	put_le16(f + 26, 0x00c0);
	f[30] = (uint8_t)-42;
	f[31] = (uint8_t)-95;
	return 32;
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

static void ng_packet(struct out *o, const struct pcap_pkthdr *h, const uint8_t *frame);

/* Write one record at ts_us; cut (if nonzero) limits its captured length. */
static void write_record(struct out *o, const uint8_t *frame, uint32_t len, uint32_t cut, int64_t ts_us)
{
	struct pcap_pkthdr h;
	if (o->grab) {
		memcpy(o->grab, frame, len);
		o->grab_len = len;
		o->grab = NULL;
		return;
	}
	h.ts.tv_sec = (time_t)(ts_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(ts_us % 1000000);
	h.len = len;
	h.caplen = len;
	if (o->snap && h.caplen > o->snap)
		h.caplen = o->snap;
	if (cut && h.caplen > cut)
		h.caplen = cut;
	if (o->ng)
		ng_packet(o, &h, frame);
	else
		pcap_dump((u_char *)o->dump, &h, frame);
}

/* Write one frame; cut (if nonzero) limits the captured length of this record. */
static void write_frame(struct out *o, const uint8_t *frame, uint32_t len, uint32_t cut)
{
	write_record(o, frame, len, cut, o->ts_us);
	o->ts_us += 1000;	/* 1 ms between packets */
}

/*
 * The tunnel transport: outer Ethernet (tagged if outer_vid) / IPv4
 * 198.18.9.1 -> 198.18.9.2 / VXLAN, GENEVE or GRE (+ ERSPAN II/III) / the
 * frame; for the tunnels of IP packets (GRE + MPLS, PPTP, Teredo) the
 * packet, the outer datagram in the direction it travelled (from_a: .1 to .2).
 */
static void write_tunneled(struct out *o, const uint8_t *frame, uint32_t flen, const uint8_t *pkt, uint32_t plen,
			   bool from_a)
{
	uint8_t f[MAX_FRAME];
	uint32_t n = 12, ip, th;
	const uint8_t *inner = frame;
	uint32_t ilen = flen;
	uint8_t proto = IP_GRE;

	if (o->tunnel >= TUN_GRE_MPLS) {
		inner = pkt;
		ilen = plen;
	} else {
		from_a = true;
	}

	memset(f, 0, sizeof f);
	memcpy(f, (uint8_t[]){ 0x02, 0xfa, 0, 0, 9, 2 }, 6);
	memcpy(f + 6, (uint8_t[]){ 0x02, 0xfa, 0, 0, 9, 1 }, 6);
	if (o->outer_vid) {
		put16(f + n, ETH_8021Q);
		put16(f + n + 2, o->outer_vid);
		n += 4;
	}
	put16(f + n, ETH_IPV4);
	ip = n + 2;
	th = ip + 20;
	n = th;
	if (o->tunnel == TUN_VXLAN) {	/* UDP (checksum 0, RFC 7348 section 5), flags I, VNI */
		put16(f + n, VXLAN_SPORT);
		put16(f + n + 2, VXLAN_PORT);
		put16(f + n + 4, 16 + ilen);
		f[n + 8] = 0x08;
		put32(f + n + 12, VXLAN_VNI << 8);
		n += 16;
		proto = IP_UDP;
	} else if (o->tunnel == TUN_GENEVE_ETH) {
		/* UDP (checksum 0), GENEVE version 0 with 2 words of options, Ethernet, VNI; one option, 1 word. */
		put16(f + n, VXLAN_SPORT + 1);
		put16(f + n + 2, GENEVE_PORT);
		put16(f + n + 4, 8 + 16 + ilen);
		f[n + 8] = 2;
		put16(f + n + 10, ETH_TEB);
		put32(f + n + 12, VXLAN_VNI << 8);
		put16(f + n + 16, 0x0102);	/* option class */
		f[n + 18] = 0x80;		/* type, critical */
		f[n + 19] = 1;
		put32(f + n + 20, 0x0a0b0c0d);
		n += 24;
		proto = IP_UDP;
	} else if (o->tunnel == TUN_ERSPAN1) {	/* GRE without a sequence number: ERSPAN type I, no ERSPAN header */
		put16(f + n + 2, GRE_ERSPAN2);
		n += 4;
	} else if (o->tunnel == TUN_GRE_MPLS) {	/* GRE, one MPLS label: 100, bottom of stack, TTL 64 */
		put16(f + n + 2, GRE_MPLS);
		put32(f + n + 4, 100u << 12 | 1u << 8 | 64);
		n += 8;
	} else if (o->tunnel == TUN_PPTP) {
		/*
		 * Enhanced GRE version 1: key (payload length, the receiver's call id) and
		 * sequence number; the server's packets acknowledge the client's too.
		 * PPP with address and control (ff 03), protocol 0x0021 / 0x0057.
		 */
		put16(f + n, GRE_F_KEY | GRE_F_SEQ | (from_a ? 0 : GRE_F_ACK) | 1);
		put16(f + n + 2, GRE_PPP);
		put16(f + n + 4, 4 + ilen);
		put16(f + n + 6, from_a ? 0x4002 : 0x4001);
		put32(f + n + 8, o->gre_seq++);
		n += 12;
		if (!from_a) {
			put32(f + n, o->gre_seq - 2);
			n += 4;
		}
		f[n] = 0xff;
		f[n + 1] = 0x03;
		put16(f + n + 2, (inner[0] >> 4) == 4 ? 0x0021 : 0x0057);
		n += 4;
	} else if (o->tunnel == TUN_TEREDO) {
		/*
		 * UDP (checksum 0) between the client's mapped port and the server's.
		 * The client's packets carry the authentication indicator (client id
		 * "tcli", no authentication value, nonce, confirmation 0); the
		 * server's the origin indication (port 50544, address 198.18.9.1, both
		 * inverted: RFC 4380 section 5.1.1).
		 */
		uint32_t u = n, hl = from_a ? 13 + 4 : 8;

		put16(f + u, from_a ? TEREDO_CLIENT_PORT : TEREDO_PORT);
		put16(f + u + 2, from_a ? TEREDO_PORT : TEREDO_CLIENT_PORT);
		put16(f + u + 4, 8 + hl + ilen);
		n += 8;
		if (from_a) {
			put16(f + n, 1);
			f[n + 2] = 4;
			memcpy(f + n + 4, "tcli", 4);
			put32(f + n + 8, 0x464c4f57);	/* nonce */
			put32(f + n + 12, 0x41554454);
		} else {
			put16(f + n + 2, 0xffff ^ TEREDO_CLIENT_PORT);
			put32(f + n + 4, 0xffffffffu ^ (198u << 24 | 18u << 16 | 9u << 8 | 1u));
		}
		n += hl;
		proto = IP_UDP;
	} else {			/* GRE with a sequence number */
		put16(f + n, GRE_F_SEQ);
		put16(f + n + 2, o->tunnel == TUN_ERSPAN2 ? GRE_ERSPAN2 : GRE_ERSPAN3);
		put32(f + n + 4, o->gre_seq++);
		n += 8;
		if (o->tunnel == TUN_ERSPAN2) {	/* ver 1, VLAN 0, En 0 (untagged), session 1, index 0 */
			put16(f + n, 0x1000);
			put16(f + n + 2, 1);
			n += 8;
		} else {	/* ver 2, VLAN 100, session 2, timestamp (100 us), SGT 0, P=1 FT=0 O=1 */
			put16(f + n, 0x2000 | 100);
			put16(f + n + 2, 2);
			put32(f + n + 4, (uint32_t)(o->ts_us / 100));
			put16(f + n + 10, 0x8001);
			/* Platform-specific subheader, platform 3: port index 7, upper timestamp 0. */
			put32(f + n + 12, 3u << 26 | 7);
			n += 20;
		}
	}
	memcpy(f + n, inner, ilen);
	n += ilen;
	f[ip] = 0x45;
	put16(f + ip + 2, n - ip);
	put16(f + ip + 4, o->outer_id++);
	put16(f + ip + 6, 0x4000);
	f[ip + 8] = 64;
	f[ip + 9] = proto;
	memcpy(f + ip + 12, (uint8_t[]){ 198, 18, 9, from_a ? 1 : 2 }, 4);
	memcpy(f + ip + 16, (uint8_t[]){ 198, 18, 9, from_a ? 2 : 1 }, 4);
	put16(f + ip + 10, sum_fold(sum_add(0, f + ip, 20)));
	write_frame(o, f, n, 0);
}

/*
 * The same frame as the mirror's other port saw it after the router: 100 to
 * 500 us later, from the router's MAC, on the other VLAN, TTL one less and so
 * another IP checksum. Transport header and payload are untouched.
 */
static void write_routed_copy(struct out *o, const uint8_t *frame, uint32_t len, uint32_t hl, uint16_t vid)
{
	uint8_t f[MAX_FRAME];
	uint8_t *ip = f + hl;

	memcpy(f, frame, len);
	memcpy(f + 6, (uint8_t[]){ 0x02, 0xfa, 0, 0, 0, 0xfe }, 6);
	put16(f + 14, vid);
	if ((ip[0] >> 4) == 4) {
		ip[8]--;
		put16(ip + 10, 0);
		put16(ip + 10, sum_fold(sum_add(0, ip, 20)));
	} else {
		ip[7]--;
	}
	write_record(o, f, len, 0, o->ts_us + 100 + (o->ndup++ * 173) % 401);
}

/* Wrap an IP datagram in the output's link layer and write it. */
static void emit(struct out *o, const struct host *src, const struct host *dst,
		 const uint8_t *ip, uint32_t iplen, uint32_t cut_in_ip)
{
	uint8_t f[MAX_FRAME];
	uint32_t hl = 0, len_at = 0, radio = 0;
	uint16_t etype = src->family == 4 ? ETH_IPV4 : ETH_IPV6;
	bool from_a = src->addr[src->family == 4 ? 3 : 15] == 1;	/* .1 / ::1 is the capturing side */

	memset(f, 0, sizeof f);
	if (o->dup) {	/* the client's side is VLAN 100, the server's 200 */
		o->tpid[0] = ETH_8021Q;
		o->vid[0] = from_a ? 100 : 200;
		o->ntags = 1;
	}
	switch (o->dlt) {
	case DLT_EN10MB:
		memcpy(f, dst->mac, 6);
		memcpy(f + 6, src->mac, 6);
		hl = 12;
		for (int i = 0; i < o->ntags; i++, hl += 4) {
			put16(f + hl, o->tpid[i]);
			put16(f + hl + 2, o->vid[i]);
		}
		if (o->shim == SHIM_PPPOE) {	/* session 0x0b0b; length: PPP protocol + datagram */
			put16(f + hl, 0x8864);
			f[hl + 2] = 0x11;
			put16(f + hl + 4, 0x0b0b);
			put16(f + hl + 6, (uint16_t)(iplen + 2));
			put16(f + hl + 8, src->family == 4 ? 0x0021 : 0x0057);
			hl += 10;
			break;
		}
		if (o->shim == SHIM_VNTAG) {	/* d=0, dst vif 5, src vif 9 */
			put16(f + hl, 0x8926);
			put32(f + hl + 2, 5u << 16 | 9);
			hl += 6;
		} else if (o->shim == SHIM_PBB) {	/* I-SID 0x012345, then the customer's own MACs */
			put16(f + hl, 0x88e7);
			put32(f + hl + 2, 0x00012345);
			memcpy(f + hl + 6, dst->mac, 6);
			memcpy(f + hl + 12, src->mac, 6);
			hl += 18;
		}
		if (o->llc != LLC_NONE) {	/* IEEE 802.3: the length (set below), then LLC */
			len_at = hl;
			hl += 2;
			if (o->llc == LLC_SNAP) {
				hl += put_snap(f + hl, etype);
			} else {	/* DSAP = SSAP = 0x06 (IP), UI */
				memcpy(f + hl, (uint8_t[]){ 0x06, 0x06, 0x03 }, 3);
				hl += 3;
			}
			break;
		}
		if (o->mpls_labels) {	/* labels 1000, 1001, ...: TC 0, TTL 255, S on the last */
			put16(f + hl, 0x8847);
			hl += 2;
			for (int i = 0; i < o->mpls_labels; i++, hl += 4)
				put32(f + hl, (uint32_t)(1000 + i) << 12 | (i == o->mpls_labels - 1 ? 0x100u : 0) | 255);
			if (o->mpls_cw) {
				put32(f + hl, 0);
				hl += 4;
			}
			if (o->mpls_eth) {
				memcpy(f + hl, dst->mac, 6);
				memcpy(f + hl + 6, src->mac, 6);
				put16(f + hl + 12, etype);
				hl += 14;
			}
			break;
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
	case DLT_PPP:		/* HDLC-like framing, then the PPP protocol */
		f[0] = 0xff;
		f[1] = 0x03;
		put16(f + 2, src->family == 4 ? 0x0021 : 0x0057);
		hl = 4;
		break;
	case DLT_C_HDLC:	/* unicast address, control 0, then an EtherType */
		f[0] = 0x0f;
		put16(f + 2, etype);
		hl = 4;
		break;
	case DLT_NULL: {	/* address family in the writer's byte order */
		uint32_t af = src->family == 4 ? 2 : 24;
		memcpy(f, &af, 4);
		hl = 4;
		break;
	}
	case DLT_FDDI:		/* frame control: asynchronous LLC, priority 0; DA, SA; LLC/SNAP */
		f[0] = 0x50;
		memcpy(f + 1, dst->mac, 6);
		memcpy(f + 7, src->mac, 6);
		hl = 13 + put_snap(f + 13, etype);
		break;
	case DLT_IEEE802_11:
		hl = wlan_header(o, f, src, dst, from_a, etype);
		break;
	case DLT_IEEE802_11_RADIO:
		radio = radiotap_header(o, f);
		hl = radio + wlan_header(o, f + radio, src, dst, from_a, etype);
		break;
	case DLT_PPI:
		radio = ppi_header(o, f);
		hl = radio + wlan_header(o, f + radio, src, dst, from_a, etype);
		break;
	default:		/* DLT_RAW */
		break;
	}
	memcpy(f + hl, ip, iplen);
	uint32_t len = hl + iplen;
	if (len_at)
		put16(f + len_at, len - len_at - 2);
	if (radio && o->wlan_fcs) {
		put_le32(f + len, crc32_ieee(f + radio, len - radio));
		len += 4;
	}
	if (o->dlt == DLT_EN10MB && len < 60)
		len = 60;	/* Ethernet minimum frame (without FCS): zero padding */
	if (o->tunnel != TUN_NONE) {
		write_tunneled(o, f, len, f + hl, iplen, from_a);
		return;
	}
	if (o->dup) {
		write_record(o, f, len, 0, o->ts_us);
		write_routed_copy(o, f, len, hl, from_a ? 200 : 100);
		o->ts_us += 1000;
		return;
	}
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

/* Send a TCP segment carrying data (len bytes) from src to dst (advancing src->seq); cut limits the captured IP bytes. */
static void tcp_send_data(struct out *o, struct host *src, const struct host *dst, uint8_t flags,
			  const uint8_t *data, uint32_t len, uint32_t cut)
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
	memcpy(seg + 20, data, len);
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

/* Send a TCP segment of len pattern bytes ('A'.. from the client, 'a'.. from the server). */
static void tcp_send(struct out *o, struct host *src, const struct host *dst, uint8_t flags,
		     uint32_t len, uint32_t cut)
{
	static uint8_t data[MAX_FRAME];
	fill(data, len, src->addr[src->family == 4 ? 3 : 15] == 1 ? 'A' : 'a');
	tcp_send_data(o, src, dst, flags, data, len, cut);
}

/* The three-way handshake, the client opening. */
static void tcp_open(struct out *o, struct host *c, struct host *s)
{
	tcp_send(o, c, s, SYN, 0, 0);
	tcp_send(o, s, c, SYN | ACK, 0, 0);
	tcp_send(o, c, s, ACK, 0, 0);
}

/*
 * A complete TCP session: handshake, req bytes from the client, resp bytes
 * from the server in segments of at most 1400, client closes first.
 * History ShADadFf; client 6 packets, server 3 + ceil(resp / 1400).
 */
static void tcp_session(struct out *o, struct host *c, struct host *s, uint32_t req, uint32_t resp)
{
	tcp_open(o, c, s);
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

/*
 * A mirror of a provider link: MPLS. Two labels over IPv4 (a TCP session),
 * one label over IPv6 (a UDP exchange), and Ethernet over MPLS with and
 * without the pseudowire control word (TCP sessions).
 */
static void c_mpls(struct out *o)
{
	struct host c, s;

	o->mpls_labels = 2;
	hosts(&c, &s, 4, 41201, 1494);
	tcp_session(o, &c, &s, 64, 500);
	o->mpls_labels = 1;
	hosts(&c, &s, 6, 41202, 1494);
	udp_send(o, &c, &s, 200);
	udp_send(o, &s, &c, 100);
	o->mpls_labels = 2;
	o->mpls_eth = true;
	o->mpls_cw = true;
	hosts(&c, &s, 4, 41203, 2598);
	tcp_session(o, &c, &s, 64, 500);
	o->mpls_cw = false;
	hosts(&c, &s, 4, 41204, 443);
	tcp_session(o, &c, &s, 64, 500);
}

/* A TCP session behind each of the shims a mirror or an access link puts under Ethernet. */
static void c_pppoe(struct out *o)
{
	struct host c, s;

	o->shim = SHIM_PPPOE;
	hosts(&c, &s, 4, 41301, 1494);
	tcp_session(o, &c, &s, 64, 500);
	hosts(&c, &s, 6, 41302, 443);
	tcp_session(o, &c, &s, 64, 500);
}

static void c_vntag(struct out *o)
{
	struct host c, s;

	o->shim = SHIM_VNTAG;
	o->tpid[0] = ETH_8021Q, o->vid[0] = 30, o->ntags = 1;	/* the VLAN tag, then the VN-tag */
	hosts(&c, &s, 4, 41303, 2598);
	tcp_session(o, &c, &s, 64, 500);
}

static void c_pbb(struct out *o)
{
	struct host c, s;

	o->tpid[0] = ETH_8021AD, o->vid[0] = 7, o->ntags = 1;	/* the backbone's B-TAG */
	o->shim = SHIM_PBB;
	hosts(&c, &s, 4, 41304, 443);
	tcp_session(o, &c, &s, 64, 500);
}

static void c_ppp(struct out *o)
{
	struct host c, s;

	hosts(&c, &s, 4, 41305, 27000);
	tcp_session(o, &c, &s, 64, 500);
	hosts(&c, &s, 6, 41306, 443);
	tcp_session(o, &c, &s, 64, 500);
}

static void c_chdlc(struct out *o)
{
	struct host c, s;

	hosts(&c, &s, 4, 41307, 7279);
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

/* Inner hosts of the mirror-tunnel captures: 198.18.8.1 / .2 (the transport is 198.18.9.x). */
static void tunnel_hosts(struct host *c, struct host *s, uint16_t cport, uint16_t sport)
{
	hosts(c, s, 4, cport, sport);
	c->addr[2] = s->addr[2] = 8;
}

/* ERSPAN type II over an 802.1Q-tagged transport (VLAN 10); the mirrored frames are untagged. */
static void c_erspan2(struct out *o)
{
	struct host c, s;
	o->tunnel = TUN_ERSPAN2;
	o->outer_vid = 10;
	tunnel_hosts(&c, &s, 41016, 1494);
	tcp_session(o, &c, &s, 64, 500);
}

/* ERSPAN type III with the platform-specific subheader; the mirrored frames carry 802.1Q tag 100. */
static void c_erspan3(struct out *o)
{
	struct host c, s;
	o->tunnel = TUN_ERSPAN3;
	o->outer_vid = 10;
	o->tpid[0] = ETH_8021Q, o->vid[0] = 100, o->ntags = 1;
	tunnel_hosts(&c, &s, 41017, 2598);
	tcp_session(o, &c, &s, 64, 500);
}

static void c_vxlan(struct out *o)
{
	struct host c, s;
	o->tunnel = TUN_VXLAN;
	tunnel_hosts(&c, &s, 41018, 443);
	tcp_session(o, &c, &s, 64, 500);
}

/* ERSPAN type I: GRE 0x88BE without a sequence number and no ERSPAN header; untagged transport. */
static void c_erspan1(struct out *o)
{
	struct host c, s;
	o->tunnel = TUN_ERSPAN1;
	tunnel_hosts(&c, &s, 41401, 1494);
	tcp_session(o, &c, &s, 64, 500);
}

/* GENEVE carrying the Ethernet frame (protocol type 0x6558) with one option: an overlay, opened like a mirror. */
static void c_geneve_eth(struct out *o)
{
	struct host c, s;
	o->tunnel = TUN_GENEVE_ETH;
	tunnel_hosts(&c, &s, 41402, 443);
	tcp_session(o, &c, &s, 64, 500);
}

/* MPLS over GRE (RFC 4023): one label, then the IPv4 packet, each direction its own outer datagram. */
static void c_gre_mpls(struct out *o)
{
	struct host c, s;
	o->tunnel = TUN_GRE_MPLS;
	tunnel_hosts(&c, &s, 41403, 1494);
	tcp_session(o, &c, &s, 64, 500);
}

/* PPTP data channel: a TCP session over IPv4 and a UDP exchange over IPv6 in enhanced GRE / PPP. */
static void c_pptp(struct out *o)
{
	struct host c, s;
	o->tunnel = TUN_PPTP;
	tunnel_hosts(&c, &s, 41404, 1494);
	tcp_session(o, &c, &s, 64, 500);
	hosts(&c, &s, 6, 41405, 2598);
	udp_send(o, &c, &s, 100);
	udp_send(o, &s, &c, 100);
}

/*
 * Teredo: a bubble each way first (IPv6, no next header, no payload: they
 * only open the NAT mapping and stay the UDP flow), then a TCP session and
 * a UDP exchange over IPv6, the client's packets behind the authentication
 * indicator, the server's behind the origin indication.
 */
static void c_teredo(struct out *o)
{
	struct host c, s;
	uint8_t ip[64];
	o->tunnel = TUN_TEREDO;
	hosts(&c, &s, 6, 41406, 1494);
	emit(o, &c, &s, ip, ip_header(o, ip, &c, &s, IP_NO_NEXT, 0, 0), 0);
	emit(o, &s, &c, ip, ip_header(o, ip, &s, &c, IP_NO_NEXT, 0, 0), 0);
	tcp_session(o, &c, &s, 64, 500);
	hosts(&c, &s, 6, 41407, 2598);
	udp_send(o, &c, &s, 100);
	udp_send(o, &s, &c, 100);
}

/*
 * Every packet twice (SPAN on both VLANs of a router): a TCP session whose
 * request is retransmitted 1 ms later with a new IP id, then a UDP
 * request/reply exchanged twice.
 */
static void c_mirror_dup(struct out *o)
{
	struct host c, s;
	uint32_t req_seq;
	o->dup = true;
	hosts(&c, &s, 4, 41019, 1494);
	tcp_open(o, &c, &s);
	req_seq = c.seq;
	tcp_send(o, &c, &s, PSH | ACK, 64, 0);
	c.seq = req_seq;			/* the retransmission: same segment, next IP id */
	tcp_send(o, &c, &s, PSH | ACK, 64, 0);
	tcp_send(o, &s, &c, ACK, 0, 0);
	tcp_send(o, &s, &c, PSH | ACK, 500, 0);
	tcp_send(o, &c, &s, ACK, 0, 0);
	tcp_send(o, &c, &s, FIN | ACK, 0, 0);
	tcp_send(o, &s, &c, FIN | ACK, 0, 0);
	tcp_send(o, &c, &s, ACK, 0, 0);
	hosts(&c, &s, 4, 41020, 1812);
	for (int i = 0; i < 2; i++) {
		udp_send(o, &c, &s, 100);
		udp_send(o, &s, &c, 100);
	}
}

/*
 * offload-tso: what a host's own interface shows of its outgoing TCP with
 * checksum and segmentation offload on (Linux, tcpdump on the sender): the
 * kernel hands the tap its packets before the NIC (or veth) finishes them.
 * Every client packet carries a partial TCP checksum (the folded
 * pseudo-header sum, CHECKSUM_PARTIAL) or none (0); data goes out in
 * super-segments of 44 MSS (64240 bytes, IP total length 64280), one of them
 * also with IP header checksum 0 (IPv4 checksum offload), and one BIG TCP
 * segment of 48 MSS (70080 bytes) whose 70120-byte datagram does not fit the
 * 16-bit total length, which is therefore 0. The server's packets arrive
 * finished: wire-sized, correct checksums; its ACKs also acknowledge points
 * inside a super-segment. The answer is the clean session's.
 */
enum { OT_MSS = 1460, OT_BIG = 48 * OT_MSS + 40, OT_FRAME = 14 + OT_BIG };

/* One Ethernet frame of an IPv4 TCP segment of up to OT_BIG IP bytes from src to dst. */
static void ot_send(struct out *o, struct host *src, const struct host *dst, uint8_t flags, uint32_t len,
		    int tcp_sum, bool ip_sum, bool len_zero)
{
	static uint8_t f[OT_FRAME];
	uint8_t *ip = f + 14, *seg = ip + 20;
	uint32_t iplen = 20 + 20 + len;

	memset(f, 0, 60);	/* headers, and the padding of short frames */
	memcpy(f, dst->mac, 6);
	memcpy(f + 6, src->mac, 6);
	put16(f + 12, ETH_IPV4);
	put16(seg, src->port);
	put16(seg + 2, dst->port);
	put32(seg + 4, src->seq);
	put32(seg + 8, (flags & ACK) ? dst->seq : 0);
	seg[12] = 5 << 4;
	seg[13] = flags;
	put16(seg + 14, 65535);
	fill(seg + 20, len, src->addr[3] == 1 ? 'A' : 'a');
	if (tcp_sum > 0) {		/* correct */
		put16(seg + 16, l4_checksum(src, dst, IP_TCP, seg, 20 + len));
	} else if (tcp_sum < 0) {	/* partial: the pseudo-header sum the NIC completes */
		uint8_t ph[12];
		memcpy(ph, src->addr, 4);
		memcpy(ph + 4, dst->addr, 4);
		put32(ph + 8, 20 + len);
		ph[8] = 0;
		ph[9] = IP_TCP;
		put16(seg + 16, (uint16_t)~sum_fold(sum_add(0, ph, 12)));
	}
	src->seq += len + ((flags & SYN) ? 1 : 0) + ((flags & FIN) ? 1 : 0);
	ip_header(o, ip, src, dst, IP_TCP, 20 + len, 0);
	if (len_zero) {
		put16(ip + 2, 0);
		put16(ip + 10, 0);
		put16(ip + 10, sum_fold(sum_add(0, ip, 20)));
	}
	if (!ip_sum)
		put16(ip + 10, 0);
	uint32_t flen = 14 + iplen < 60 ? 60 : 14 + iplen;
	write_frame(o, f, flen, 0);
}

static void c_offload_tso(struct out *o)
{
	struct host c, s;
	hosts(&c, &s, 4, 41040, 1494);
	const int partial = -1, none = 0, good = 1;
	const uint32_t c0 = c.seq;	/* ISN: acks below are ISN + 1 + bytes */

	ot_send(o, &c, &s, SYN, 0, partial, true, false);
	ot_send(o, &s, &c, SYN | ACK, 0, good, true, false);
	ot_send(o, &c, &s, ACK, 0, partial, true, false);
	ot_send(o, &c, &s, ACK, 44 * OT_MSS, partial, true, false);		/* 64240 */
	ot_send(o, &c, &s, ACK, 44 * OT_MSS, none, false, false);		/* 64240, no checksums */
	/* The server's ACKs: every point it acks was reached by wire segments. */
	uint32_t sent = c.seq;
	c.seq = c0 + 1 + 2 * OT_MSS;
	ot_send(o, &s, &c, ACK, 0, good, true, false);
	c.seq = c0 + 1 + 44 * OT_MSS;
	ot_send(o, &s, &c, ACK, 0, good, true, false);
	c.seq = sent;
	ot_send(o, &s, &c, ACK, 0, good, true, false);
	ot_send(o, &c, &s, ACK, 48 * OT_MSS, partial, true, true);		/* 70080, BIG TCP: length 0 */
	ot_send(o, &c, &s, PSH | ACK, 204800 - 136 * OT_MSS, partial, true, false);	/* 6240 */
	sent = c.seq;
	c.seq = c0 + 1 + 112 * OT_MSS;
	ot_send(o, &s, &c, ACK, 0, good, true, false);
	c.seq = sent;
	ot_send(o, &s, &c, ACK, 0, good, true, false);
	/* The server's 2000-byte reply, as it arrives: two wire segments. */
	ot_send(o, &s, &c, ACK, 1400, good, true, false);
	ot_send(o, &s, &c, PSH | ACK, 600, good, true, false);
	ot_send(o, &c, &s, ACK, 0, partial, true, false);
	ot_send(o, &c, &s, FIN | ACK, 0, partial, true, false);
	ot_send(o, &s, &c, FIN | ACK, 0, good, true, false);
	ot_send(o, &c, &s, ACK, 0, partial, true, false);
}

/*
 * The malformed captures. Each starts with the same good traffic (a TCP
 * session :41050 -> :1494 and a UDP exchange :41051 -> :1812), then the
 * damage, then (where there is room) a second UDP exchange :41052 -> :1812
 * that only a reader which got past the damage sees. pcap records are in
 * the writer's byte order, as pcap_dump writes them; pcapng blocks too,
 * with the byte-order magic saying which (draft-ietf-opsawg-pcapng).
 */
enum { LINKTYPE_ETHERNET = 1, LINKTYPE_RAW = 101 };
enum { NG_SHB = 0x0a0d0d0a, NG_IDB = 1, NG_EPB = 6, NG_BOM = 0x1a2b3c4d };

static void bad_before(struct out *o)
{
	struct host c, s;
	hosts(&c, &s, 4, 41050, 1494);
	tcp_session(o, &c, &s, 64, 300);
	hosts(&c, &s, 4, 41051, 1812);
	udp_send(o, &c, &s, 100);
	udp_send(o, &s, &c, 100);
}

static void bad_after(struct out *o)
{
	struct host c, s;
	hosts(&c, &s, 4, 41052, 1812);
	udp_send(o, &c, &s, 100);
	udp_send(o, &s, &c, 100);
}

/* The frame of the request bad_after() would send first, built but not written; returns its length. */
static uint32_t bad_frame(struct out *o, uint8_t *frame)
{
	struct host c, s;
	o->grab = frame;
	hosts(&c, &s, 4, 41052, 1812);
	udp_send(o, &c, &s, 100);
	return o->grab_len;
}

static FILE *raw_file(struct out *o)
{
	return o->ng ? o->ng : pcap_dump_file(o->dump);
}

/* A pcap record header with lengths of our choosing; only its first n bytes are written. */
static void raw_header(struct out *o, uint32_t caplen, uint32_t len, size_t n)
{
	uint32_t h[4] = { (uint32_t)(o->ts_us / 1000000), (uint32_t)(o->ts_us % 1000000), caplen, len };
	fwrite(h, 1, n < sizeof h ? n : sizeof h, raw_file(o));
	o->ts_us += 1000;
}

/* One pcapng block: type, total length, body padded to 32 bits, total length again. */
static void ng_block(FILE *f, uint32_t type, const uint8_t *body, uint32_t n)
{
	static const uint8_t pad[4];
	uint32_t total = 12 + (n + 3) / 4 * 4;
	fwrite(&type, 4, 1, f);
	fwrite(&total, 4, 1, f);
	fwrite(body, 1, n, f);
	fwrite(pad, 1, total - 12 - n, f);
	fwrite(&total, 4, 1, f);
}

/* Section Header Block: byte-order magic, version 1.0, section length unknown (-1). */
static void ng_shb(FILE *f)
{
	uint8_t b[16];
	uint32_t bom = NG_BOM;
	uint16_t ver[2] = { 1, 0 };
	int64_t len = -1;
	memcpy(b, &bom, 4);
	memcpy(b + 4, ver, 4);
	memcpy(b + 8, &len, 8);
	ng_block(f, NG_SHB, b, sizeof b);
}

/* Interface Description Block: link type, reserved, snaplen; timestamps in microseconds (the default). */
static void ng_idb(FILE *f, int dlt, uint32_t snap)
{
	uint8_t b[8];
	uint16_t lt[2] = { (uint16_t)(dlt == DLT_RAW ? LINKTYPE_RAW : LINKTYPE_ETHERNET), 0 };
	memcpy(b, lt, 4);
	memcpy(b + 4, &snap, 4);
	ng_block(f, NG_IDB, b, sizeof b);
}

/* Enhanced Packet Block: interface, timestamp (high, low), captured and original length, data. */
static void ng_packet(struct out *o, const struct pcap_pkthdr *h, const uint8_t *frame)
{
	uint8_t b[20 + MAX_FRAME];
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
	uint32_t f[5] = { o->ng_if, (uint32_t)(ts >> 32), (uint32_t)ts, h->caplen, h->len };
	memcpy(b, f, sizeof f);
	memcpy(b + sizeof f, frame, h->caplen);
	ng_block(o->ng, NG_EPB, b, (uint32_t)sizeof f + h->caplen);
}

/* Bad magic: a good capture whose first byte is off by one bit (0xa1b2c3d5), so no reader knows it. */
static void c_bad_magic(struct out *o)
{
	FILE *f = raw_file(o);
	uint32_t magic = 0xa1b2c3d5;
	bad_before(o);
	bad_after(o);
	fflush(f);
	fseek(f, 0, SEEK_SET);
	fwrite(&magic, 4, 1, f);
	fseek(f, 0, SEEK_END);
}

/* Truncated global header: 20 of its 24 bytes, the link type missing. */
static void c_bad_global_header(struct out *o)
{
	FILE *f = raw_file(o);
	fflush(f);
	if (ftruncate(fileno(f), 20) != 0)
		perror("craft: ftruncate");
	fseek(f, 20, SEEK_SET);
}

/* Truncated record header: the good traffic, then 10 of a record header's 16 bytes. */
static void c_bad_record_header(struct out *o)
{
	bad_before(o);
	raw_header(o, 142, 142, 10);
}

/* The file says snaplen 96 and the good traffic keeps to it; the second exchange's records do not (142 bytes). */
static void c_bad_caplen_over_snaplen(struct out *o)
{
	o->snap = SNAP_CUT;
	bad_before(o);
	o->snap = 0;
	bad_after(o);
}

/*
 * A record whose captured length claims 40 bytes more than both its data and
 * the packet's length: a reader that trusts it takes the next record's header
 * as data and loses step. The second exchange follows.
 */
static void c_bad_caplen_over_record(struct out *o)
{
	uint8_t frame[MAX_FRAME];
	bad_before(o);
	uint32_t n = bad_frame(o, frame);
	raw_header(o, n + 40, n, 16);
	fwrite(frame, 1, n, raw_file(o));
	bad_after(o);
}

/* A record with captured length 0 (packet length 142), then the second exchange. */
static void c_bad_caplen_zero(struct out *o)
{
	uint8_t frame[MAX_FRAME];
	bad_before(o);
	raw_header(o, 0, bad_frame(o, frame), 16);
	bad_after(o);
}

/* A record header claiming 2 GiB (0x80000000) captured and on the wire, a frame, then the second exchange. */
static void c_bad_caplen_2g(struct out *o)
{
	uint8_t frame[MAX_FRAME];
	bad_before(o);
	uint32_t n = bad_frame(o, frame);
	raw_header(o, 0x80000000u, 0x80000000u, 16);
	fwrite(frame, 1, n, raw_file(o));
	bad_after(o);
}

/* The file ends in the middle of a packet: a whole record header (142 bytes), 20 bytes of its data. */
static void c_bad_ends_mid_packet(struct out *o)
{
	uint8_t frame[MAX_FRAME];
	bad_before(o);
	uint32_t n = bad_frame(o, frame);
	raw_header(o, n, n, 16);
	fwrite(frame, 1, 20, raw_file(o));
}

/* The second exchange 5 s before the good traffic's last packet: time going backwards, two packets. */
static void c_bad_time_backwards(struct out *o)
{
	bad_before(o);
	o->ts_us -= 5000000;
	bad_after(o);
}

/* pcapng: between the exchanges, a block of an unassigned type and one of a local-use type (high bit set). */
static void c_bad_ng_unknown(struct out *o)
{
	bad_before(o);
	ng_block(o->ng, 0x00000f1a, (const uint8_t *)"not a block type", 16);
	ng_block(o->ng, 0x80000f1a, (const uint8_t *)"local use", 9);
	bad_after(o);
}

/* pcapng: a block header claiming 2 GiB (0x80000000), a little of it, then the second exchange. */
static void c_bad_ng_oversized(struct out *o)
{
	uint32_t h[2] = { NG_EPB, 0x80000000u };
	uint8_t body[24] = { 0 };
	bad_before(o);
	fwrite(h, sizeof h, 1, o->ng);
	fwrite(body, sizeof body, 1, o->ng);
	bad_after(o);
}

/* pcapng: a second interface with another link type (raw IP), and the second exchange on it. */
static void c_bad_ng_linktype(struct out *o)
{
	bad_before(o);
	ng_idb(o->ng, DLT_RAW, SNAP_FULL);
	o->ng_if = 1;
	o->dlt = DLT_RAW;
	bad_after(o);
}

/*
 * hostile-packets: a valid TCP session (:41060 -> :1494), then one frame per
 * malformed kind the decoder must count and never follow, each from its own
 * client port (41061-41070): IPv4 header length 4 words, an IPv4 total length
 * past the frame, an IPv6 payload length past the frame, an IPv6 chain of 12
 * destination-options headers each naming another, an IPv6 hop-by-hop header
 * claiming 2048 bytes, TCP data offsets 2 and 15, an ICMP host unreachable
 * quoting an ICMP port unreachable, UDP length 0, and a whole SYN frame
 * captured to 1 byte. Only the fields under test lie; checksums are computed
 * over the bytes as written (an IPv4 header checksum over 20 bytes, an ICMP
 * quote's checksum over its 8 bytes). Self-contained: the hostile_* helpers
 * below and the shared builders above (hosts, tcp_session, ip_header, ...).
 */
enum { HOSTILE_ICMP = 1, HOSTILE_ICMP_UNREACH = 3 };

/* Ethernet to dst from src; returns the IP header's offset. */
static uint32_t hostile_eth(uint8_t *f, const struct host *src, const struct host *dst)
{
	memset(f, 0, MAX_FRAME);
	memcpy(f, dst->mac, 6);
	memcpy(f + 6, src->mac, 6);
	put16(f + 12, src->family == 4 ? ETH_IPV4 : ETH_IPV6);
	return 14;
}

/* A 20-byte SYN (data offset words in the high nibble of offset_byte), checksummed as it stands. */
static void hostile_syn(uint8_t *seg, const struct host *src, const struct host *dst, uint8_t offset_byte)
{
	memset(seg, 0, 20);
	put16(seg, src->port);
	put16(seg + 2, dst->port);
	put32(seg + 4, src->seq);
	seg[12] = offset_byte;
	seg[13] = SYN;
	put16(seg + 14, 65535);
	put16(seg + 16, l4_checksum(src, dst, IP_TCP, seg, 20));
}

static void hostile_ip4_sum(uint8_t *ip)
{
	put16(ip + 10, 0);
	put16(ip + 10, sum_fold(sum_add(0, ip, 20)));
}

/* Ethernet / IPv4 or IPv6 / SYN from the client, the IP header at *ip; returns the frame length (min 60). */
static uint32_t hostile_syn_frame(struct out *o, uint8_t *f, const struct host *c, const struct host *s,
				  uint8_t offset_byte, uint8_t **ip)
{
	uint32_t hl;

	*ip = f + hostile_eth(f, c, s);
	hl = ip_header(o, *ip, c, s, IP_TCP, 20, 0);
	hostile_syn(*ip + hl, c, s, offset_byte);
	return 14 + hl + 20 < 60 ? 60 : 14 + hl + 20;
}

static void c_hostile_packets(struct out *o)
{
	static uint8_t f[MAX_FRAME];
	struct host c, s;
	uint8_t *ip, *d;
	uint32_t len;

	hosts(&c, &s, 4, 41060, 1494);
	tcp_session(o, &c, &s, 64, 200);

	hosts(&c, &s, 4, 41061, 1494);		/* IHL 4: a header shorter than the fixed 20 bytes */
	len = hostile_syn_frame(o, f, &c, &s, 5 << 4, &ip);
	ip[0] = 0x44;
	hostile_ip4_sum(ip);
	write_frame(o, f, len, 0);

	hosts(&c, &s, 4, 41062, 1494);		/* total length 1500 in a 60-byte frame */
	len = hostile_syn_frame(o, f, &c, &s, 5 << 4, &ip);
	put16(ip + 2, 1500);
	hostile_ip4_sum(ip);
	write_frame(o, f, len, 0);

	hosts(&c, &s, 6, 41063, 1494);		/* IPv6 payload length 1000 in a 74-byte frame */
	len = hostile_syn_frame(o, f, &c, &s, 5 << 4, &ip);
	put16(ip + 4, 1000);
	write_frame(o, f, len, 0);

	hosts(&c, &s, 6, 41064, 1494);		/* 12 destination-options headers, each naming another */
	ip = f + hostile_eth(f, &c, &s);
	ip_header(o, ip, &c, &s, IP_DSTOPTS, 12 * 8, 0);
	for (int i = 0; i < 12; i++)
		memcpy(ip + 40 + 8 * i, (uint8_t[]){ IP_DSTOPTS, 0, 1, 4, 0, 0, 0, 0 }, 8);
	write_frame(o, f, 14 + 40 + 12 * 8, 0);

	hosts(&c, &s, 6, 41065, 1494);		/* hop-by-hop length 255 (2048 bytes) in a 28-byte payload */
	ip = f + hostile_eth(f, &c, &s);
	ip_header(o, ip, &c, &s, IP_HBH, 8 + 20, 0);
	memcpy(ip + 40, (uint8_t[]){ IP_TCP, 255, 1, 4, 0, 0, 0, 0 }, 8);
	hostile_syn(ip + 48, &c, &s, 5 << 4);
	write_frame(o, f, 14 + 40 + 8 + 20, 0);

	hosts(&c, &s, 4, 41066, 1494);		/* TCP data offset 2 words */
	len = hostile_syn_frame(o, f, &c, &s, 2 << 4, &ip);
	write_frame(o, f, len, 0);

	hosts(&c, &s, 4, 41067, 1494);		/* TCP data offset 15 words (60 bytes) in a 20-byte segment */
	len = hostile_syn_frame(o, f, &c, &s, 15 << 4, &ip);
	write_frame(o, f, len, 0);

	/* The server says host unreachable about a port unreachable the client sent it: an error about an error. */
	hosts(&c, &s, 4, 41068, 1494);
	ip = f + hostile_eth(f, &s, &c);
	ip_header(o, ip, &s, &c, HOSTILE_ICMP, 8 + 20 + 8, 0);
	d = ip + 20;
	d[0] = HOSTILE_ICMP_UNREACH;
	d[1] = 1;
	ip_header(o, d + 8, &c, &s, HOSTILE_ICMP, 8 + 20 + 8, 0);	/* the quoted error quoted 20 + 8 bytes */
	d[28] = HOSTILE_ICMP_UNREACH;
	d[29] = 3;
	put16(d + 30, sum_fold(sum_add(0, d + 28, 8)));
	put16(d + 2, sum_fold(sum_add(0, d, 36)));
	write_frame(o, f, 14 + 20 + 36, 0);

	hosts(&c, &s, 4, 41069, 1812);		/* UDP length 0 */
	ip = f + hostile_eth(f, &c, &s);
	ip_header(o, ip, &c, &s, IP_UDP, 8 + 10, 0);
	d = ip + 20;
	put16(d, c.port);
	put16(d + 2, s.port);
	fill(d + 8, 10, 'A');
	put16(d + 6, l4_checksum(&c, &s, IP_UDP, d, 18));
	write_frame(o, f, 14 + 20 + 18 < 60 ? 60 : 14 + 20 + 18, 0);

	hosts(&c, &s, 4, 41070, 1494);		/* a whole SYN frame, 1 byte of it captured */
	len = hostile_syn_frame(o, f, &c, &s, 5 << 4, &ip);
	write_frame(o, f, len, 1);
}

/*
 * tls-malformed: TLS 1.2 handshakes on TCP 443 whose content lies, in TCP
 * sessions that are themselves complete and correct (198.18.3.1 -> .2, the
 * address range of the payload captures): (a) :45021 a ClientHello cut in
 * the middle of its signature_algorithms extension, then the client closes;
 * (b) :45022 a ClientHello whose server_name extension is 21 bytes but whose
 * host name length (26) runs 10 bytes past it, into the next extension; the
 * server answers with a fatal decode_error alert and closes; (c) :45023 a
 * well-formed ClientHello and ServerHello (TLS 1.2), then a Certificate
 * message whose leaf's DER length (1028) runs past its 94-byte entry and
 * whose second certificate uses BER indefinite lengths (0x80), forbidden in
 * DER; the client answers with a bad_certificate alert and closes.
 */
enum {
	TLS_HANDSHAKE = 22, TLS_ALERT = 21,
	TLS_CLIENT_HELLO = 1, TLS_SERVER_HELLO = 2, TLS_CERTIFICATE = 11, TLS_SERVER_HELLO_DONE = 14,
};

static void put24(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 16); put16(p + 1, v); }

/* A TLS record header (version 0x0301 for the ClientHello, 0x0303 after it) at b; returns 5. */
static uint32_t tls_record(uint8_t *b, uint8_t type, uint16_t version, uint32_t len)
{
	b[0] = type;
	put16(b + 1, version);
	put16(b + 3, len);
	return 5;
}

/*
 * A whole ClientHello record (TLS 1.2, 4 ECDHE/RSA suites, extensions
 * server_name, supported_groups, ec_point_formats, signature_algorithms,
 * extended_master_secret, renegotiation_info) for host name sni. name_len
 * (0: the real length) is the server_name's host name length field. *sigalgs
 * is set to the offset of the signature_algorithms extension. Returns the
 * record's length.
 */
static uint32_t tls_client_hello(uint8_t *b, const char *sni, uint32_t name_len, uint32_t *sigalgs)
{
	static const uint8_t suites[] = { 0x00, 0x08, 0xc0, 0x2f, 0xc0, 0x30, 0xc0, 0x2b, 0x00, 0x9c };
	static const uint8_t groups[] = { 0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x18 };
	static const uint8_t points[] = { 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00 };
	static const uint8_t sigalg[] = { 0x00, 0x0d, 0x00, 0x0a, 0x00, 0x08,
					  0x04, 0x01, 0x05, 0x01, 0x08, 0x04, 0x04, 0x03 };
	static const uint8_t tail[] = { 0x00, 0x17, 0x00, 0x00, 0xff, 0x01, 0x00, 0x01, 0x00 };
	uint32_t n = 5 + 4, sl = (uint32_t)strlen(sni), ext;

	put16(b + n, 0x0303);			/* client_version */
	n += 2;
	for (int i = 0; i < 32; i++)		/* random */
		b[n++] = (uint8_t)(0xa0 + i);
	b[n++] = 0;				/* session_id: empty */
	memcpy(b + n, suites, sizeof suites);
	n += sizeof suites;
	b[n++] = 1;				/* compression: null */
	b[n++] = 0;
	ext = n;
	n += 2;
	put16(b + n, 0);			/* server_name (RFC 6066 section 3) */
	put16(b + n + 2, 5 + sl);
	put16(b + n + 4, 3 + sl);
	b[n + 6] = 0;				/* host_name */
	put16(b + n + 7, name_len ? name_len : sl);
	memcpy(b + n + 9, sni, sl);
	n += 9 + sl;
	memcpy(b + n, groups, sizeof groups);
	n += sizeof groups;
	memcpy(b + n, points, sizeof points);
	n += sizeof points;
	*sigalgs = n;
	memcpy(b + n, sigalg, sizeof sigalg);
	n += sizeof sigalg;
	memcpy(b + n, tail, sizeof tail);
	n += sizeof tail;
	put16(b + ext, n - ext - 2);
	b[5] = TLS_CLIENT_HELLO;
	put24(b + 6, n - 9);
	tls_record(b, TLS_HANDSHAKE, 0x0301, n - 5);
	return n;
}

/* The server's TLS 1.2 flight: ServerHello, a Certificate with broken DER, ServerHelloDone. */
static uint32_t tls_server_flight(uint8_t *b)
{
	/* Leaf: Certificate and tbsCertificate lengths (1028, 1020 bytes) past the 94 bytes there are. */
	static const uint8_t leaf[] = {
		0x30, 0x82, 0x04, 0x00, 0x30, 0x82, 0x03, 0xf8,
		0xa0, 0x03, 0x02, 0x01, 0x02,				/* version v3 */
		0x02, 0x04, 0x0a, 0x0b, 0x0c, 0x0d,			/* serial */
		0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
		0x30, 0x1a, 0x31, 0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03,	/* issuer CN= */
		0x0c, 0x0f, 'Z', 's', 'c', 'a', 'l', 'e', 'r', ' ', 'R', 'o', 'o', 't', ' ', 'C', 'A',
		0x30, 0x1e, 0x17, 0x0d, '2', '5', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z',
		0x17, 0x0d, '3', '5', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z',
	};
	/* Second certificate: BER indefinite lengths (0x80 ... 00 00), issuer C=US. */
	static const uint8_t chain[] = {
		0x30, 0x80, 0x30, 0x80,
		0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01,
		0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
		0x30, 0x80, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 'U', 'S',
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	uint32_t n = 0, start;

	/* ServerHello: 0x0303, random, 32-byte session id, ECDHE-RSA-AES128-GCM-SHA256, no compression,
	 * renegotiation_info and extended_master_secret. */
	start = n;
	n += 5 + 4;
	put16(b + n, 0x0303);
	n += 2;
	for (int i = 0; i < 32; i++)
		b[n++] = (uint8_t)(0x40 + i);
	b[n++] = 32;
	for (int i = 0; i < 32; i++)
		b[n++] = (uint8_t)(0x60 + i);
	put16(b + n, 0xc02f);
	n += 2;
	b[n++] = 0;
	memcpy(b + n, (uint8_t[]){ 0x00, 0x09, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17, 0x00, 0x00 }, 11);
	n += 11;
	b[start + 5] = TLS_SERVER_HELLO;
	put24(b + start + 6, n - start - 9);
	tls_record(b + start, TLS_HANDSHAKE, 0x0303, n - start - 5);

	/* Certificate: certificate_list of two entries, each a 3-byte length and its bytes. */
	start = n;
	n += 5 + 4 + 3;
	put24(b + n, sizeof leaf);
	memcpy(b + n + 3, leaf, sizeof leaf);
	n += 3 + sizeof leaf;
	put24(b + n, sizeof chain);
	memcpy(b + n + 3, chain, sizeof chain);
	n += 3 + sizeof chain;
	put24(b + start + 9, n - start - 12);
	b[start + 5] = TLS_CERTIFICATE;
	put24(b + start + 6, n - start - 9);
	tls_record(b + start, TLS_HANDSHAKE, 0x0303, n - start - 5);

	/* ServerHelloDone */
	n += tls_record(b + n, TLS_HANDSHAKE, 0x0303, 4);
	memcpy(b + n, (uint8_t[]){ TLS_SERVER_HELLO_DONE, 0, 0, 0 }, 4);
	return n + 4;
}

/* A fatal TLS 1.2 alert record (RFC 5246 section 7.2). */
static uint32_t tls_alert(uint8_t *b, uint8_t desc)
{
	uint32_t n = tls_record(b, TLS_ALERT, 0x0303, 2);
	b[n] = 2;
	b[n + 1] = desc;
	return n + 2;
}

static void tls_hosts(struct host *c, struct host *s, uint16_t cport)
{
	hosts(c, s, 4, cport, 443);
	c->addr[2] = s->addr[2] = 3;
	c->mac[4] = s->mac[4] = 3;
}

static void c_tls_malformed(struct out *o)
{
	struct host c, s;
	uint8_t b[MAX_FRAME];
	uint32_t n, sigalgs;

	/* (a) the ClientHello stops 8 bytes into signature_algorithms; the client closes. */
	tls_hosts(&c, &s, 45021);
	tcp_open(o, &c, &s);
	tls_client_hello(b, "truncated.cloud.com", 0, &sigalgs);
	tcp_send_data(o, &c, &s, PSH | ACK, b, sigalgs + 8, 0);
	tcp_send(o, &s, &c, ACK, 0, 0);
	tcp_send(o, &c, &s, FIN | ACK, 0, 0);
	tcp_send(o, &s, &c, FIN | ACK, 0, 0);
	tcp_send(o, &c, &s, ACK, 0, 0);

	/* (b) host name length 26 in a server_name extension that holds 16 bytes of name;
	 * the server sends decode_error (50) and closes first. */
	tls_hosts(&c, &s, 45022);
	tcp_open(o, &c, &s);
	n = tls_client_hello(b, "badsni.cloud.com", 16 + 10, &sigalgs);
	tcp_send_data(o, &c, &s, PSH | ACK, b, n, 0);
	n = tls_alert(b, 50);
	tcp_send_data(o, &s, &c, PSH | ACK, b, n, 0);
	tcp_send(o, &s, &c, FIN | ACK, 0, 0);
	tcp_send(o, &c, &s, ACK, 0, 0);
	tcp_send(o, &c, &s, FIN | ACK, 0, 0);
	tcp_send(o, &s, &c, ACK, 0, 0);

	/* (c) good hellos, a Certificate with broken DER; the client sends bad_certificate (42) and closes. */
	tls_hosts(&c, &s, 45023);
	tcp_open(o, &c, &s);
	n = tls_client_hello(b, "broken-cert.cloud.com", 0, &sigalgs);
	tcp_send_data(o, &c, &s, PSH | ACK, b, n, 0);
	n = tls_server_flight(b);
	tcp_send_data(o, &s, &c, PSH | ACK, b, n, 0);
	n = tls_alert(b, 42);
	tcp_send_data(o, &c, &s, PSH | ACK, b, n, 0);
	tcp_send(o, &s, &c, ACK, 0, 0);
	tcp_send(o, &c, &s, FIN | ACK, 0, 0);
	tcp_send(o, &s, &c, FIN | ACK, 0, 0);
	tcp_send(o, &c, &s, ACK, 0, 0);
}

/* Write a frame that is not IP as it is (Ethernet frames padded to 60 bytes). */
static void write_other(struct out *o, uint8_t *f, uint32_t len)
{
	if (o->dlt == DLT_EN10MB && len < 60) {
		memset(f + len, 0, 60 - len);
		len = 60;
	}
	write_frame(o, f, len, 0);
}

/* An 802.3 frame to dst from the client's MAC, with an optional 802.1Q tag: returns where the LLC starts. */
static uint32_t llc_frame(uint8_t *f, const uint8_t *dst, uint16_t vid)
{
	uint32_t n = 12;

	memcpy(f, dst, 6);
	memcpy(f + 6, (uint8_t[]){ 0x02, 0xfa, 0, 0, 2, 1 }, 6);
	if (vid) {
		put16(f + 12, ETH_8021Q);
		put16(f + 14, vid);
		n = 16;
	}
	return n + 2;
}

/* STP configuration BPDU (IEEE 802.1D 9.3.1) or, with vid, a PVST+ one (Cisco SNAP 0x010b) on that VLAN. */
static void stp_bpdu(struct out *o, uint16_t vid)
{
	uint8_t f[MAX_FRAME] = { 0 };
	uint8_t stp_mac[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 }, pvst_mac[6] = { 0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcd };
	uint32_t n = llc_frame(f, vid ? pvst_mac : stp_mac, vid), llc = n;

	if (vid) {
		memcpy(f + n, (uint8_t[]){ 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x01, 0x0b }, 8);
		n += 8;
	} else {
		memcpy(f + n, (uint8_t[]){ 0x42, 0x42, 0x03 }, 3);
		n += 3;
	}
	/* protocol 0, version 0, type 0 (configuration), flags 0; root id, cost 4, bridge id, port 0x8001 */
	memcpy(f + n + 5, (uint8_t[]){ 0x80, 0x00, 0x02, 0xfa, 0, 0, 0x0b, 0x01 }, 8);
	put32(f + n + 13, 4);
	memcpy(f + n + 17, (uint8_t[]){ 0x80, 0x00, 0x02, 0xfa, 0, 0, 0x0b, 0x02 }, 8);
	put16(f + n + 25, 0x8001);
	put16(f + n + 27, 1 << 8);	/* message age 1 s, max age 20, hello 2, forward delay 15 (1/256 s) */
	put16(f + n + 29, 20 << 8);
	put16(f + n + 31, 2 << 8);
	put16(f + n + 33, 15 << 8);
	n += 35;
	put16(f + llc - 2, n - llc);
	write_other(o, f, n);
}

/* CDP version 2 (Cisco SNAP 0x2000) with a Device-ID TLV "sw01". */
static void cdp_frame(struct out *o)
{
	uint8_t f[MAX_FRAME] = { 0 };
	uint32_t n = llc_frame(f, (uint8_t[]){ 0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc }, 0), llc = n, cdp;

	memcpy(f + n, (uint8_t[]){ 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00 }, 8);
	cdp = n += 8;
	f[n] = 2;		/* version */
	f[n + 1] = 180;		/* TTL */
	put16(f + n + 4, 1);	/* Device-ID */
	put16(f + n + 6, 8);
	memcpy(f + n + 8, "sw01", 4);
	n += 12;
	put16(f + cdp + 2, sum_fold(sum_add(0, f + cdp, n - cdp)));
	put16(f + llc - 2, n - llc);
	write_other(o, f, n);
}

/* A switch port's 802.3 frames: STP, CDP and PVST+, TCP over SNAP, UDP over LLC SAP 0x06. */
static void c_llc_snap(struct out *o)
{
	struct host c, s;

	stp_bpdu(o, 0);
	cdp_frame(o);
	stp_bpdu(o, 30);
	o->llc = LLC_SNAP;
	hosts(&c, &s, 4, 41308, 1494);
	tcp_session(o, &c, &s, 64, 500);
	o->llc = LLC_SAP_IP;
	hosts(&c, &s, 4, 41309, 1812);
	udp_send(o, &c, &s, 20);
	udp_send(o, &s, &c, 40);
	o->llc = LLC_NONE;
	stp_bpdu(o, 0);
}

static void c_fddi(struct out *o)
{
	struct host c, s;

	hosts(&c, &s, 4, 41310, 1494);
	tcp_session(o, &c, &s, 64, 500);
	hosts(&c, &s, 6, 41311, 443);
	udp_send(o, &c, &s, 100);
	udp_send(o, &s, &c, 100);
}

/* 802.11 management and protected frames, written as they are. */
static void wlan_beacon(struct out *o)
{
	uint8_t f[MAX_FRAME] = { 0 };

	f[0] = 0x80;			/* management, beacon */
	memset(f + 4, 0xff, 6);
	memcpy(f + 10, wlan_bssid, 6);
	memcpy(f + 16, wlan_bssid, 6);
	put_le16(f + 22, (uint32_t)(o->wlan_seq++ & 0x0fff) << 4);
	put_le32(f + 24, (uint32_t)o->ts_us);	/* timestamp (8) */
	put_le16(f + 32, 100);		/* beacon interval, TU */
	put_le16(f + 34, 0x0411);	/* ESS, privacy, short slot time */
	f[36] = 0;			/* SSID "fa-test" */
	f[37] = 7;
	memcpy(f + 38, "fa-test", 7);
	f[45] = 1;			/* supported rates */
	f[46] = 1;
	f[47] = 0x8c;
	write_frame(o, f, 48, 0);
}

/* A CCMP-protected QoS data frame from the client: CCMP header, 60 bytes of ciphertext, MIC. */
static void wlan_protected(struct out *o)
{
	uint8_t f[MAX_FRAME] = { 0 };
	uint32_t n = 0;

	if (o->dlt == DLT_IEEE802_11_RADIO)
		n = radiotap_header(o, f);
	f[n] = 0x88;
	f[n + 1] = 0x41;		/* To DS, Protected */
	memcpy(f + n + 4, wlan_bssid, 6);
	memcpy(f + n + 10, (uint8_t[]){ 0x02, 0xfa, 0, 0, 2, 1 }, 6);
	memcpy(f + n + 16, (uint8_t[]){ 0x02, 0xfa, 0, 0, 2, 2 }, 6);
	put_le16(f + n + 22, (uint32_t)(o->wlan_seq++ & 0x0fff) << 4);
	f[n + 28] = 1;			/* CCMP header: PN 1, Ext IV, key 0 */
	f[n + 31] = 0x20;
	fill(f + n + 34, 60 + 8, 'q');
	if (n && o->wlan_fcs)
		put_le32(f + n + 34 + 68, crc32_ieee(f + n, 34 + 68));
	write_frame(o, f, n + 34 + 68 + (n && o->wlan_fcs ? 4 : 0), 0);
}

/* QoS Null from the client: a power-save announcement, no data. */
static void wlan_qos_null(struct out *o)
{
	uint8_t f[MAX_FRAME] = { 0 };

	f[0] = 0xc8;
	f[1] = 0x11;			/* To DS, power management */
	memcpy(f + 4, wlan_bssid, 6);
	memcpy(f + 10, (uint8_t[]){ 0x02, 0xfa, 0, 0, 2, 1 }, 6);
	memcpy(f + 16, wlan_bssid, 6);
	put_le16(f + 22, (uint32_t)(o->wlan_seq++ & 0x0fff) << 4);
	write_frame(o, f, 26, 0);
}

/*
 * A wireless LAN seen from a monitor port: a beacon, a TCP session in plain
 * data frames, a UDP exchange in QoS data frames, a TCP session over a WDS
 * link in QoS data frames with HT control, a protected frame and a QoS Null.
 */
static void c_80211(struct out *o)
{
	struct host c, s;

	wlan_beacon(o);
	hosts(&c, &s, 4, 41312, 443);
	tcp_session(o, &c, &s, 64, 500);
	o->wlan_qos = true;
	hosts(&c, &s, 6, 41313, 443);
	udp_send(o, &c, &s, 100);
	udp_send(o, &s, &c, 100);
	o->wlan_wds = o->wlan_htc = true;
	hosts(&c, &s, 4, 41314, 2598);
	tcp_session(o, &c, &s, 64, 500);
	o->wlan_wds = o->wlan_htc = false;
	wlan_protected(o);
	wlan_qos_null(o);
}

/* Radiotap: a TCP session without FCS, then one whose frames end with their FCS (and two presence words). */
static void c_radiotap(struct out *o)
{
	struct host c, s;

	hosts(&c, &s, 4, 41315, 1494);
	tcp_session(o, &c, &s, 64, 500);
	o->wlan_fcs = o->rt_ext = o->wlan_qos = true;
	hosts(&c, &s, 4, 41316, 443);
	tcp_session(o, &c, &s, 64, 500);
	wlan_protected(o);
}

/* PPI with an 802.11-Common field: a TCP session, then a UDP exchange whose frames carry their FCS. */
static void c_ppi(struct out *o)
{
	struct host c, s;

	o->wlan_qos = true;
	hosts(&c, &s, 4, 41317, 1494);
	tcp_session(o, &c, &s, 64, 500);
	o->wlan_fcs = true;
	hosts(&c, &s, 6, 41318, 1812);
	udp_send(o, &c, &s, 100);
	udp_send(o, &s, &c, 60);
}

/* Mostly frames nothing can read (IEEE local experimental EtherType 0x88b5), around one TCP handshake. */
static void c_health_unreadable(struct out *o)
{
	struct host c, s;
	uint8_t f[MAX_FRAME];

	hosts(&c, &s, 4, 41319, 443);
	for (int i = 0; i < 20; i++) {
		if (i == 10)
			tcp_open(o, &c, &s);
		memcpy(f, (uint8_t[]){ 0x02, 0xfa, 0, 0, 2, 2 }, 6);
		memcpy(f + 6, (uint8_t[]){ 0x02, 0xfa, 0, 0, 2, 1 }, 6);
		put16(f + 12, 0x88b5);
		fill(f + 14, 100, 'u');
		write_other(o, f, 114);
	}
}

static const struct sub {
	const char *name;
	int dlt;
	void (*fn)(struct out *);
	const char *what;
} subs[] = {
	{ "vlan", DLT_EN10MB, c_vlan, "802.1Q (VLAN 100) TCP session" },
	{ "pppoe", DLT_EN10MB, c_pppoe, "PPPoE session frames: TCP over IPv4 and over IPv6" },
	{ "vntag", DLT_EN10MB, c_vntag, "802.1Q VLAN 30, then a Cisco VN-tag: TCP session" },
	{ "pbb", DLT_EN10MB, c_pbb, "802.1ah PBB: B-TAG 7, I-TAG (I-SID 0x012345), customer frame: TCP session" },
	{ "link-ppp", DLT_PPP, c_ppp, "PPP (ff 03 framing): TCP over IPv4 and over IPv6" },
	{ "link-chdlc", DLT_C_HDLC, c_chdlc, "Cisco HDLC: TCP session" },
	{ "llc-snap", DLT_EN10MB, c_llc_snap, "802.3: STP, CDP, PVST+, TCP over SNAP, UDP over SAP 0x06" },
	{ "link-fddi", DLT_FDDI, c_fddi, "FDDI with LLC/SNAP: TCP over IPv4, UDP over IPv6" },
	{ "link-80211", DLT_IEEE802_11, c_80211, "802.11: beacon, data, QoS data, WDS + HTC, protected, QoS Null" },
	{ "link-radiotap", DLT_IEEE802_11_RADIO, c_radiotap, "radiotap + 802.11: without and with FCS" },
	{ "link-ppi", DLT_PPI, c_ppi, "PPI + 802.11 QoS data: TCP without FCS, IPv6 UDP with FCS" },
	{ "health-unreadable", DLT_EN10MB, c_health_unreadable, "20 frames of EtherType 0x88b5, one handshake" },
	{ "mpls", DLT_EN10MB, c_mpls, "MPLS: 2 labels over IPv4 TCP, 1 over IPv6 UDP, Ethernet over MPLS with and without control word" },
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
	{ "offload-tso", DLT_EN10MB, c_offload_tso, "TCP as the sender sees it: TSO super-segments, bad checksums" },
	{ "erspan2", DLT_EN10MB, c_erspan2, "TCP session mirrored over ERSPAN II (GRE), VLAN 10 transport" },
	{ "erspan3", DLT_EN10MB, c_erspan3, "TCP session on VLAN 100 mirrored over ERSPAN III + subheader" },
	{ "vxlan", DLT_EN10MB, c_vxlan, "TCP session mirrored over VXLAN" },
	{ "erspan1", DLT_EN10MB, c_erspan1, "TCP session mirrored over ERSPAN type I (GRE 0x88be, no sequence number)" },
	{ "geneve-eth", DLT_EN10MB, c_geneve_eth, "TCP session in Ethernet over GENEVE with an option" },
	{ "gre-mpls", DLT_EN10MB, c_gre_mpls, "TCP session over MPLS over GRE" },
	{ "pptp", DLT_EN10MB, c_pptp, "PPTP enhanced GRE / PPP: TCP over IPv4, UDP over IPv6" },
	{ "teredo-indicators", DLT_EN10MB, c_teredo, "Teredo bubbles, then TCP and UDP over IPv6 behind auth/origin indicators" },
	{ "mirror-duplicates", DLT_EN10MB, c_mirror_dup, "every packet twice (routed copy), one real retransmission" },
	{ "hostile-packets", DLT_EN10MB, c_hostile_packets, "a TCP session, then one frame per malformed header kind" },
	{ "tls-malformed", DLT_EN10MB, c_tls_malformed, "TLS on 443: cut ClientHello, SNI length past its extension, broken certificate DER" },
	{ "bad-magic", DLT_EN10MB, c_bad_magic, "good traffic under a magic number one bit off" },
	{ "bad-global-header", DLT_EN10MB, c_bad_global_header, "20 of the file header's 24 bytes" },
	{ "bad-record-header", DLT_EN10MB, c_bad_record_header, "good traffic, then 10 of a record header's 16 bytes" },
	{ "bad-caplen-over-snaplen", DLT_EN10MB, c_bad_caplen_over_snaplen, "snaplen 96, then 142-byte records" },
	{ "bad-caplen-over-record", DLT_EN10MB, c_bad_caplen_over_record, "a captured length 40 past its record" },
	{ "bad-caplen-zero", DLT_EN10MB, c_bad_caplen_zero, "a record with captured length 0" },
	{ "bad-caplen-2g", DLT_EN10MB, c_bad_caplen_2g, "a record header claiming 2 GiB" },
	{ "bad-ends-mid-packet", DLT_EN10MB, c_bad_ends_mid_packet, "the file ends 20 bytes into a packet" },
	{ "bad-time-backwards", DLT_EN10MB, c_bad_time_backwards, "two packets 5 s older than the one before" },
	{ "bad-pcapng-unknown-block", DLT_EN10MB, c_bad_ng_unknown, "pcapng with blocks of unknown types" },
	{ "bad-pcapng-oversized-block", DLT_EN10MB, c_bad_ng_oversized, "pcapng block header claiming 2 GiB" },
	{ "bad-pcapng-linktype-change", DLT_EN10MB, c_bad_ng_linktype, "pcapng, second interface raw IP" },
};

/* The pcapng captures are told by their name. */
static bool is_pcapng(const struct sub *s)
{
	return strstr(s->name, "pcapng") != NULL;
}

/* A pcapng file: section header, one Ethernet interface, then the packets. */
static int write_one_ng(const struct sub *s, const char *path)
{
	struct out o = { .dlt = s->dlt, .ts_us = 1700000000LL * 1000000, .ip_id = 0x0100 };
	o.ng = fopen(path, "wb");
	if (!o.ng) {
		perror(path);
		return 1;
	}
	ng_shb(o.ng);
	ng_idb(o.ng, s->dlt, SNAP_FULL);
	s->fn(&o);
	return fclose(o.ng) != 0;
}

static int write_one(const struct sub *s, const char *path)
{
	struct out o = { .dlt = s->dlt, .ts_us = 1700000000LL * 1000000, .ip_id = 0x0100 };
	if (is_pcapng(s))
		return write_one_ng(s, path);
	o.pcap = pcap_open_dead(s->dlt, strcmp(s->name, "snaplen") == 0 ? SNAP_CUT :
				strcmp(s->name, "bad-caplen-over-snaplen") == 0 ? SNAP_CUT :
				strcmp(s->name, "offload-tso") == 0 ? SNAP_BIG : SNAP_FULL);
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
		fprintf(stderr, "  %-26s %s\n", subs[i].name, subs[i].what);
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
			const char *ext = is_pcapng(&subs[i]) ? "pcapng" : "pcap";
			snprintf(path, sizeof path, "%s/%s.%s", argv[2], subs[i].name, ext);
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
