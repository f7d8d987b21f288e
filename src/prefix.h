/* prefix: longest-prefix-match table, IPv4 and IPv6 prefixes to int values */
#ifndef FLOWAUDIT_PREFIX_H
#define FLOWAUDIT_PREFIX_H

#include <stdint.h>

/* What prefix_lookup returns when nothing matches; equal to ROLE_NONE (rules.h). */
enum { PREFIX_NONE = -2 };

struct prefix_table;

struct prefix_table *prefix_new(void);
/*
 * Add family (4 or 6) addr/len -> value; addr holds 16 bytes (IPv4: the first
 * 4) and is masked to len here. Returns 0 when added, 1 when that exact prefix
 * is already present (*existing_value set, table unchanged), -1 for a bad
 * family or length.
 */
int prefix_add(struct prefix_table *t, uint8_t family, const uint8_t addr[16], int len, int value,
	       int *existing_value);
/* The value of the longest prefix containing addr, or PREFIX_NONE. */
int prefix_lookup(const struct prefix_table *t, uint8_t family, const uint8_t addr[16]);
/* Number of prefixes stored. */
int prefix_count(const struct prefix_table *t);
void prefix_free(struct prefix_table *t);

/* Zero the bits of addr beyond len (len within 0..bits of the family). */
void prefix_mask(uint8_t addr[16], int len);

#endif
