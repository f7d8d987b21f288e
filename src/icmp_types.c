/* icmp_types: ICMP and ICMPv6 message types, and which pair up as request/reply */
#include "icmp_types.h"

#include <stddef.h>

#include "packet.h"

/* Zeek's ICMP4_counterpart / ICMP6_counterpart, as Community ID uses them. */
uint16_t icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool *one_way)
{
	static const uint8_t v4[][2] = {
		{ ICMP4_ECHO, ICMP4_ECHO_REPLY },
		{ ICMP4_TSTAMP, ICMP4_TSTAMP_REPLY },
		{ ICMP4_INFO, ICMP4_INFO_REPLY },
		{ ICMP4_ROUTER_SOLICIT, ICMP4_ROUTER_ADVERT },
		{ ICMP4_MASK, ICMP4_MASK_REPLY },
	};
	static const uint8_t v6[][2] = {
		{ ICMP6_ECHO, ICMP6_ECHO_REPLY },
		{ ICMP6_MLD_QUERY, ICMP6_MLD_REPORT },
		{ ICMP6_ROUTER_SOLICIT, ICMP6_ROUTER_ADVERT },
		{ ICMP6_NEIGHBOR_SOLICIT, ICMP6_NEIGHBOR_ADVERT },
		{ ICMP6_NODE_INFO_QUERY, ICMP6_NODE_INFO_REPLY },
		{ ICMP6_HAAD_REQUEST, ICMP6_HAAD_REPLY },
	};
	const uint8_t (*pairs)[2] = proto == PROTO_ICMPV6 ? v6 : v4;
	size_t n = proto == PROTO_ICMPV6 ? sizeof(v6) / sizeof(v6[0]) : sizeof(v4) / sizeof(v4[0]);
	size_t i;

	for (i = 0; i < n; i++) {
		if (pairs[i][0] == type || pairs[i][1] == type) {
			if (one_way)
				*one_way = false;
			return pairs[i][0] == type ? pairs[i][1] : pairs[i][0];
		}
	}
	if (one_way)
		*one_way = true;
	return code;
}

/* Error messages quote the packet they are about (RFC 792, RFC 4443 section 3). */
bool icmp_is_error(uint8_t proto, uint8_t type)
{
	if (proto == PROTO_ICMPV6)
		return type == ICMP6_UNREACH || type == ICMP6_PACKET_TOO_BIG ||
		       type == ICMP6_TIME_EXCEEDED || type == ICMP6_PARAM_PROBLEM;
	return type == ICMP4_UNREACH || type == ICMP4_SOURCE_QUENCH || type == ICMP4_REDIRECT ||
	       type == ICMP4_TIME_EXCEEDED || type == ICMP4_PARAM_PROBLEM;
}
