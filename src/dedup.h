/* dedup: the same packet seen twice on a mirror port (SPAN on ingress and egress) is counted once */
#ifndef FLOWAUDIT_DEDUP_H
#define FLOWAUDIT_DEDUP_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

struct dedup;

/* window_us: how close in time two copies must be; 0 disables (dedup_check always false). */
struct dedup *dedup_new(int64_t window_us);
/*
 * True when pkt (decoded; pkt->l3 points at its IP header) repeats a packet
 * seen less than the window before: same addresses, protocol, IP id and
 * length, same transport header and first payload bytes, whatever the TTL,
 * checksums, VLAN tags or tunnel around it.
 */
bool dedup_check(struct dedup *d, const struct packet *pkt);
/* Work out pkt's hash ahead (pkt->dedup_hash) and start loading its bucket. */
void dedup_prepare(const struct dedup *d, struct packet *pkt);
/* The same check, the repeat not counted (a second worker's copy of a packet another counts). */
bool dedup_repeat(struct dedup *d, const struct packet *pkt);
uint64_t dedup_count(const struct dedup *d);
void dedup_free(struct dedup *d);

#endif
