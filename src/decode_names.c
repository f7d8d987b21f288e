/* decode_names: what a frame that is not IP carried, and the tunnels decode opens, by name */
#include <stdio.h>

#include "decode.h"

struct decode_name {
	uint16_t value;
	const char *name;
};

/* EtherTypes seen on enterprise and industrial LANs (IEEE EtherType registry). */
static const struct decode_name ethertypes[] = {
	{ 0x0806, "ARP" },	    { 0x0842, "Wake-on-LAN" },	{ 0x22f0, "AVTP" },	  { 0x22f3, "TRILL" },
	{ 0x6002, "DEC MOP" },	    { 0x6003, "DECnet" },	{ 0x6004, "DEC LAT" },	  { 0x8035, "RARP" },
	{ 0x809b, "AppleTalk" },    { 0x80f3, "AARP" },		{ 0x8137, "IPX" },	  { 0x8808, "Ethernet PAUSE" },
	{ 0x8809, "LACP" },	    { 0x8819, "CobraNet" },	{ 0x8863, "PPPoE discovery" },
	{ 0x8864, "PPPoE session" }, { 0x887b, "HomePlug" },	{ 0x888e, "EAPOL" },	  { 0x8892, "PROFINET" },
	{ 0x8899, "Realtek RRCP" }, { 0x88a2, "AoE" },		{ 0x88a4, "EtherCAT" },	  { 0x88ab, "Powerlink" },
	{ 0x88b8, "GOOSE" },	    { 0x88b9, "GSE" },		{ 0x88ba, "IEC 61850 SV" }, { 0x88cc, "LLDP" },
	{ 0x88cd, "SERCOS III" },   { 0x88d9, "LLTD" },		{ 0x88e1, "HomePlug AV" }, { 0x88e3, "MRP" },
	{ 0x88e5, "MACsec" },	    { 0x88f5, "MVRP" },		{ 0x88f6, "MMRP" },	  { 0x88f7, "PTP" },
	{ 0x88fb, "PRP" },	    { 0x8902, "CFM" },		{ 0x8906, "FCoE" },	  { 0x8914, "FIP" },
	{ 0x8915, "RoCE" },	    { 0x892f, "HSR" },		{ 0x893a, "IEEE 1905" },  { 0x894f, "NSH" },
	{ 0x8909, "Cisco MetaData" }, { 0x9000, "Ethernet loopback" },
};

/* 802.2 LLC service access points (IEEE 802 numbers). */
static const struct decode_name llc_saps[] = {
	{ 0x04, "SNA" },	  { 0x06, "IP over LLC" },	 { 0x42, "STP" },	  { 0x80, "XNS" },
	{ 0x98, "ARP over LLC" }, { 0xaa, "SNAP" },		 { 0xe0, "IPX" },	  { 0xf0, "NetBIOS" },
	{ 0xf4, "LAN management" }, { 0xfe, "OSI (IS-IS, CLNP)" }, { 0xff, "IPX (raw 802.3)" },
};

/* Cisco's SNAP protocol ids (OUI 00000c). */
static const struct decode_name cisco_pids[] = {
	{ 0x010b, "PVST+" }, { 0x0104, "PAgP" }, { 0x0111, "UDLD" }, { 0x2000, "CDP" },
	{ 0x2001, "CGMP" },  { 0x2003, "VTP" },	 { 0x2004, "DTP" },
};

/* PPP protocol numbers (IANA PPP DLL protocol numbers). */
static const struct decode_name ppp_protos[] = {
	{ 0x002b, "IPX over PPP" }, { 0x003d, "PPP multilink" }, { 0x00fd, "PPP compressed" },
	{ 0x8021, "IPCP" },	    { 0x8057, "IPV6CP" },	 { 0x80fd, "CCP" },
	{ 0x8281, "MPLSCP" },	    { 0xc021, "LCP" },		 { 0xc023, "PAP" },
	{ 0xc025, "LQR" },	    { 0xc223, "CHAP" },		 { 0xc227, "EAP over PPP" },
};

static const char *decode_name_find(const struct decode_name *t, size_t n, uint16_t value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

#define FIND(table, v) decode_name_find(table, sizeof(table) / sizeof(table[0]), v)

const char *decode_not_ip_name(uint32_t code)
{
	uint16_t v = DECODE_NOT_IP_VALUE(code);

	switch (DECODE_NOT_IP_SPACE(code)) {
	case NOTIP_ETHERTYPE:
		return FIND(ethertypes, v);
	case NOTIP_LLC:
		return FIND(llc_saps, v);
	case NOTIP_SNAP_CISCO:
		return FIND(cisco_pids, v);
	case NOTIP_PPP:
		return FIND(ppp_protos, v);
	case NOTIP_WLAN:	/* type << 4 | subtype (IEEE 802.11-2020 9.2.4.1.3) */
		switch (v >> 4) {
		case 0:
			return "802.11 management";
		case 1:
			return "802.11 control";
		case 2:	/* subtype bit 2: no data (Null, QoS Null, CF-Ack/-Poll); else one decode did not open */
			return v & 0x04 ? "802.11 null data" : "802.11 data";
		default:
			return "802.11 extension";
		}
	default:
		return NULL;
	}
}

const char *decode_not_ip_label(uint32_t code, char *buf, size_t len)
{
	const char *name = decode_not_ip_name(code);
	uint16_t v = DECODE_NOT_IP_VALUE(code);

	if (name)
		return name;
	switch (DECODE_NOT_IP_SPACE(code)) {
	case NOTIP_ETHERTYPE:
		snprintf(buf, len, "EtherType 0x%04x", v);
		break;
	case NOTIP_LLC:
		snprintf(buf, len, "LLC SAP 0x%02x", v);
		break;
	case NOTIP_SNAP_CISCO:
		snprintf(buf, len, "Cisco SNAP 0x%04x", v);
		break;
	case NOTIP_SNAP_OTHER:
		snprintf(buf, len, "SNAP protocol 0x%04x", v);
		break;
	case NOTIP_PPP:
		snprintf(buf, len, "PPP protocol 0x%04x", v);
		break;
	case NOTIP_FAMILY:
		snprintf(buf, len, "address family %u", v);
		break;
	case NOTIP_TUNNEL:
		snprintf(buf, len, "tunnel payload 0x%04x", v);
		break;
	default:
		snprintf(buf, len, "unknown");
		break;
	}
	return buf;
}

static const char *const tunnel_names[TUNNEL_KIND_COUNT] = {
	[TUNNEL_NONE] = "none",	    [TUNNEL_VXLAN] = "vxlan",	  [TUNNEL_ERSPAN2] = "erspan",
	[TUNNEL_ERSPAN3] = "erspan", [TUNNEL_GRE_ETH] = "gre",	  [TUNNEL_ERSPAN1] = "erspan",
	[TUNNEL_GENEVE] = "geneve", [TUNNEL_IPIP] = "ip",	  [TUNNEL_GRE_IP] = "gre",
	[TUNNEL_TEREDO] = "teredo", [TUNNEL_AYIYA] = "ayiya",	  [TUNNEL_GTPU] = "gtpv1",
};

const char *decode_tunnel_name(int kind)
{
	if (kind < 0 || kind >= TUNNEL_KIND_COUNT)
		return "unknown";
	return tunnel_names[kind];
}
