/* community_id: the Community ID v1 flow hash (Zeek, Suricata, Arkime, Elastic) */
#ifndef FLOWAUDIT_COMMUNITY_ID_H
#define FLOWAUDIT_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

/* "1:" + base64(SHA-1) = 30 characters + NUL. */
enum { COMMUNITY_ID_LEN = 31 };

/*
 * Write the Community ID v1 of the flow t (in either direction; ICMP ports
 * as in struct tuple) with the given seed into out, NUL-terminated.
 * Returns 0, or -1 if outlen is too small.
 */
int community_id_v1(const struct tuple *t, uint16_t seed, char *out, size_t outlen);

#endif
