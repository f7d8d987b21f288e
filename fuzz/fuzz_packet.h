/* fuzz_packet: the input format of the packet harness, shared with the seed maker */
#ifndef FLOWAUDIT_FUZZ_PACKET_H
#define FLOWAUDIT_FUZZ_PACKET_H

#include <pcap/pcap.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_PPI
#define DLT_PPI 192
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG 239
#endif

/*
 * The input:
 *   byte 0: bits 0-3 the link type (index into fuzz_packet_links, modulo), bit 4 --no-decap,
 *           bit 5 port-only (no site), bit 6 --vlan-key, bit 7 baseline --by host
 *   byte 1: bits 0-2 --dedup-window in ms (0 off), bit 3 colour, bits 4-7 --max-flows (0: the default;
 *           any other value also shrinks the payload inspection's budgets to a few KiB)
 *   then records: length (2 bytes, big-endian), time step (1), cut (1), that many frame bytes.
 * The time step: 0-199 ms forward, 200-254 that many tens of seconds past 199 forward (timeouts),
 * 255 one second back. The cut: bytes the frame had on the wire beyond the capture (the snaplen);
 * 255 claims a wire length below the captured one, as a damaged file can.
 */
/*
 * Four bits pick the link type, so the list holds 16: new ones go at the end
 * (the checked-in seeds keep their index). Bare 802.11 (105) is not listed:
 * PPI carries it (pph_dlt 105) and radiotap too, so its decoder is reached
 * behind an 8-byte header.
 */
static const int fuzz_packet_links[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, 101, DLT_IPV4,
					 DLT_IPV6, DLT_NULL, DLT_LOOP, DLT_PPP, DLT_PPP_SERIAL, DLT_C_HDLC,
					 DLT_FDDI, DLT_IEEE802_11_RADIO, DLT_PPI, DLT_NFLOG };

enum {
	FUZZ_PACKET_NLINKS = sizeof(fuzz_packet_links) / sizeof(fuzz_packet_links[0]),
	FUZZ_PACKET_HDR = 2,		/* the two option bytes */
	FUZZ_PACKET_RECORD = 4,		/* length, time step, cut */
	FUZZ_PACKET_NO_DECAP = 0x10,
	FUZZ_PACKET_PORT_ONLY = 0x20,
	FUZZ_PACKET_VLAN_KEY = 0x40,
	FUZZ_PACKET_BY_HOST = 0x80,
	FUZZ_PACKET_COLOR = 0x08,
};

#endif
