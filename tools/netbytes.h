/* netbytes: big-endian fields and the Internet checksum (RFC 1071), for the tools that write packets */
#ifndef FLOWAUDIT_TOOLS_NETBYTES_H
#define FLOWAUDIT_TOOLS_NETBYTES_H

#include <stddef.h>
#include <stdint.h>

/* Shared by tools/craft.c, tools/rstinject.c and bench/gen.c; each is built on its own. */
static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static inline void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }

/* The one's-complement sum of n bytes as 16-bit words, unfolded (an odd last byte is the high half). */
static inline uint32_t sum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

/* Folded and complemented: the checksum field's value. */
static inline uint16_t sum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif
