/* portset: a set of TCP or UDP ports, one bit each */
#ifndef FLOWAUDIT_PORTSET_H
#define FLOWAUDIT_PORTSET_H

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

enum { PORTSET_BYTES = 65536 / 8 };

static inline void portset_add(uint8_t *set, uint16_t port)
{
	set[port >> 3] |= (uint8_t)(1u << (port & 7));
}

static inline bool portset_has(const uint8_t *set, uint16_t port)
{
	return (set[port >> 3] >> (port & 7)) & 1;
}

/* Every port of a rule's ranges. */
static inline void portset_add_rule(uint8_t *set, const struct rule *ru)
{
	unsigned p;
	int k;

	for (k = 0; k < ru->nports; k++)
		for (p = ru->ports[k].lo; p <= ru->ports[k].hi; p++)
			portset_add(set, (uint16_t)p);
}

#endif
