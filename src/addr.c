/* addr: IP addresses as text, for reports only */
#include "addr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

const char *addr_format(uint8_t family, const uint8_t a[16], char out[ADDR_STRLEN])
{
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, out, ADDR_STRLEN))
		out[0] = '\0';
	return out;
}
