/* health: how much of a capture flowaudit could read, and what it could not, by kind */
#ifndef FLOWAUDIT_HEALTH_H
#define FLOWAUDIT_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

/* Distinct not-IP kinds kept by name or number; the rest are counted together. */
enum { HEALTH_KINDS_MAX = 32 };

/*
 * A capture is called hard to read when at least this share of its frames
 * (in per mille) could not be read, and at least HEALTH_MIN_FRAMES of them.
 */
enum { HEALTH_WARN_PERMILLE = 50, HEALTH_MIN_FRAMES = 5 };

struct health_kind {
	uint32_t code;		/* DECODE_NOT_IP_CODE(space, value) */
	uint64_t frames;
};

struct capture_health {
	uint64_t frames;			/* every frame handed to decode */
	uint64_t failed[DECODE_ERROR_COUNT];	/* frames decode gave up on, by result (notes not included) */
	struct health_kind not_ip[HEALTH_KINDS_MAX];	/* DECODE_NOT_IP and DECODE_UNSUPPORTED frames, by what they carried */
	int nnot_ip;
	uint64_t not_ip_other;			/* kinds beyond HEALTH_KINDS_MAX */
	uint64_t not_ip_other_unknown;		/* ... of which decode knows no name */
	uint64_t link_skipped;			/* packets on pcapng interfaces of a link type decode does not read */
	int link_skipped_dlt;			/* the first such link type */
};

/* Frames read in all: those decoded and those skipped for their link type. */
uint64_t health_frames(const struct capture_health *h);
/* The capture's count of packets skipped for their interface's link type (set, not added: call any time). */
void health_set_link_skipped(struct capture_health *h, uint64_t packets, int dlt);

/* One frame's decode result e, with what it carried (pkt->not_ip) when e is DECODE_NOT_IP or DECODE_UNSUPPORTED. */
void health_note(struct capture_health *h, enum decode_error e, uint32_t not_ip);

/*
 * Frames not understood: decode errors (truncated, malformed, too deep),
 * encrypted 802.11, unsupported encapsulations, and not-IP frames of a kind
 * decode cannot name (an unknown EtherType). Named not-IP traffic (ARP,
 * LLDP, STP, CDP ...) and other IP protocols are understood.
 */
uint64_t health_unreadable(const struct capture_health *h);
/* The unreadable share is HEALTH_WARN_PERMILLE or more (of at least HEALTH_MIN_FRAMES frames). */
bool health_degraded(const struct capture_health *h);
/* Unreadable share in per cent. */
double health_unreadable_percent(const struct capture_health *h);

/*
 * The kinds of unreadable frames, largest first, as (label, frames) pairs:
 * decode results by name ("wlan-encrypted", "ipv4-truncated") and unknown
 * not-IP kinds ("EtherType 0x88b5"). Returns how many were written to the
 * arrays (at most max); labels point into bufs (max x 48 bytes).
 */
struct health_item {
	const char *label;
	uint64_t frames;
	uint32_t code;		/* not-IP code, or 0 for a decode result */
};
int health_unreadable_kinds(const struct capture_health *h, struct health_item *out, char (*bufs)[48], int max);
/* Named not-IP kinds (ARP, LLDP, ...), largest first, the same way. */
int health_named_not_ip(const struct capture_health *h, struct health_item *out, char (*bufs)[48], int max);

/* The layer a not-IP code names: "ethertype", "llc", "snap-cisco", "snap", "ppp", "802.11", "family", "tunnel". */
const char *health_space_name(uint32_t code);

/* items as "ARP 120, LLDP 4" (sep " ") or "EtherType 0x88b5: 20" (sep ": ") into buf, cut at len. */
void health_items_format(const struct health_item *items, int n, const char *sep, char *buf, size_t len);

/* "12.3% of 10000 frames could not be read (EtherType 0x88b5: 1000, wlan-encrypted: 200)" into buf. */
void health_summary(const struct capture_health *h, char *buf, size_t len);

#endif
