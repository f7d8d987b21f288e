/* addr: IP addresses as text, for reports only */
#ifndef FLOWAUDIT_ADDR_H
#define FLOWAUDIT_ADDR_H

#include <stdint.h>

enum { ADDR_STRLEN = 46 };	/* INET6_ADDRSTRLEN */

/* family 4: the first 4 bytes of a; family 6: all 16. */
const char *addr_format(uint8_t family, const uint8_t a[16], char out[ADDR_STRLEN]);

#endif
