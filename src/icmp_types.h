/* icmp_types: ICMP and ICMPv6 message types, and which pair up as request/reply */
#ifndef FLOWAUDIT_ICMP_TYPES_H
#define FLOWAUDIT_ICMP_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* ICMP message types that pair up or carry a quote (IANA registries). */
enum {
	ICMP4_ECHO_REPLY = 0,
	ICMP4_UNREACH = 3,
	ICMP4_SOURCE_QUENCH = 4,
	ICMP4_REDIRECT = 5,
	ICMP4_ECHO = 8,
	ICMP4_ROUTER_ADVERT = 9,
	ICMP4_ROUTER_SOLICIT = 10,
	ICMP4_TIME_EXCEEDED = 11,
	ICMP4_PARAM_PROBLEM = 12,
	ICMP4_TSTAMP = 13,
	ICMP4_TSTAMP_REPLY = 14,
	ICMP4_INFO = 15,
	ICMP4_INFO_REPLY = 16,
	ICMP4_MASK = 17,
	ICMP4_MASK_REPLY = 18,

	ICMP6_UNREACH = 1,
	ICMP6_PACKET_TOO_BIG = 2,
	ICMP6_TIME_EXCEEDED = 3,
	ICMP6_PARAM_PROBLEM = 4,
	ICMP6_ECHO = 128,
	ICMP6_ECHO_REPLY = 129,
	ICMP6_MLD_QUERY = 130,
	ICMP6_MLD_REPORT = 131,
	ICMP6_ROUTER_SOLICIT = 133,
	ICMP6_ROUTER_ADVERT = 134,
	ICMP6_NEIGHBOR_SOLICIT = 135,
	ICMP6_NEIGHBOR_ADVERT = 136,
	ICMP6_NODE_INFO_QUERY = 139,
	ICMP6_NODE_INFO_REPLY = 140,
	ICMP6_HAAD_REQUEST = 144,
	ICMP6_HAAD_REPLY = 145,
};

/*
 * The ICMP "destination port" of Zeek and Community ID: the counterpart
 * type of a request/reply pair, else the code, with one_way set (may be NULL).
 * proto is PROTO_ICMP or PROTO_ICMPV6.
 */
uint16_t icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool *one_way);

/* True for the error messages that quote a packet: v4 3, 4, 5, 11, 12; v6 1-4. */
bool icmp_is_error(uint8_t proto, uint8_t type);

/* A type's name as nftables spells it ("echo-request", "destination-unreachable"), or NULL if it has none. */
const char *icmp_type_name(uint8_t proto, uint8_t type);

#endif
