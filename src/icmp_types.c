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

/* The IANA types that nft(8) names (nft describe icmp type / icmpv6 type). */
const char *icmp_type_name(uint8_t proto, uint8_t type)
{
	static const char *const v4[] = {
		[ICMP4_ECHO_REPLY] = "echo-reply", [ICMP4_UNREACH] = "destination-unreachable",
		[ICMP4_SOURCE_QUENCH] = "source-quench", [ICMP4_REDIRECT] = "redirect", [ICMP4_ECHO] = "echo-request",
		[ICMP4_ROUTER_ADVERT] = "router-advertisement", [ICMP4_ROUTER_SOLICIT] = "router-solicitation",
		[ICMP4_TIME_EXCEEDED] = "time-exceeded", [ICMP4_PARAM_PROBLEM] = "parameter-problem",
		[ICMP4_TSTAMP] = "timestamp-request", [ICMP4_TSTAMP_REPLY] = "timestamp-reply",
		[ICMP4_INFO] = "info-request", [ICMP4_INFO_REPLY] = "info-reply", [ICMP4_MASK] = "address-mask-request",
		[ICMP4_MASK_REPLY] = "address-mask-reply",
	};
	static const char *const v6_errors[] = {
		[ICMP6_UNREACH] = "destination-unreachable", [ICMP6_PACKET_TOO_BIG] = "packet-too-big",
		[ICMP6_TIME_EXCEEDED] = "time-exceeded", [ICMP6_PARAM_PROBLEM] = "parameter-problem",
	};
	static const char *const v6_info[] = {	/* from ICMP6_ECHO (128) */
		"echo-request", "echo-reply", "mld-listener-query", "mld-listener-report", "mld-listener-done",
		"nd-router-solicit", "nd-router-advert", "nd-neighbor-solicit", "nd-neighbor-advert", "nd-redirect",
		"router-renumbering", NULL, NULL, "ind-neighbor-solicit", "ind-neighbor-advert", "mld2-listener-report",
	};

	if (proto == PROTO_ICMPV6) {
		if (type < sizeof(v6_errors) / sizeof(v6_errors[0]))
			return v6_errors[type];
		if (type >= ICMP6_ECHO && type - ICMP6_ECHO < (int)(sizeof(v6_info) / sizeof(v6_info[0])))
			return v6_info[type - ICMP6_ECHO];
		return NULL;
	}
	return type < sizeof(v4) / sizeof(v4[0]) ? v4[type] : NULL;
}
