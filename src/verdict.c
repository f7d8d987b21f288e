/* verdict: what the audit concludes about one flow — verdicts, reasons and their names */
#include "verdict.h"

static const char *const verdict_names[V_COUNT] = {
	[V_OK] = "ok",
	[V_BLOCKED] = "blocked",
	[V_INTERRUPTED] = "interrupted",
	[V_ONE_SIDED] = "one-sided",
	[V_UNEXPECTED] = "unexpected",
	[V_PENDING] = "pending",
	[V_UNMATCHED] = "unmatched",
	[V_RELATED] = "related",
};

static const char *const reason_names[R_COUNT] = {
	[R_NONE] = "",
	[R_ANSWERED] = "answered",
	[R_NO_REPLY] = "no-reply",
	[R_RST] = "rst",
	[R_ICMP_ADMIN_PROHIBITED] = "icmp-admin-prohibited",
	[R_ICMP_PORT_UNREACHABLE] = "icmp-port-unreachable",
	[R_ICMP_HOST_UNREACHABLE] = "icmp-host-unreachable",
	[R_ICMP_NET_UNREACHABLE] = "icmp-net-unreachable",
	[R_ICMP_TTL_EXCEEDED] = "icmp-ttl-exceeded",
	[R_ICMP_FRAG_NEEDED] = "icmp-frag-needed",
	[R_ICMP_OTHER] = "icmp-other",
	[R_RESET_AFTER_ESTABLISHED] = "rst-after-established",
	[R_NO_RESPONDER_PACKETS] = "no-responder-packets",
	[R_NO_ORIGINATOR_PACKETS] = "no-originator-packets",
	[R_ONE_WAY] = "one-way",
	[R_MIDDLEBOX_RESET] = "middlebox-reset",
	[R_ORIG_RESET] = "orig-reset",
	[R_RST_FROM_HOST] = "rst-from-host",
	[R_RST_FROM_PATH] = "rst-from-path",
	[R_MIRROR_TRANSPORT] = "mirror-transport",
};

const char *verdict_name(enum verdict v)
{
	return (unsigned)v < V_COUNT ? verdict_names[v] : "unknown";
}

const char *reason_name(enum reason r)
{
	return (unsigned)r < R_COUNT ? reason_names[r] : "unknown";
}

int verdict_severity(enum verdict v)
{
	static const int sev[V_COUNT] = {
		[V_BLOCKED] = 6, [V_INTERRUPTED] = 5, [V_ONE_SIDED] = 4, [V_UNEXPECTED] = 3,
		[V_PENDING] = 2, [V_OK] = 1, [V_UNMATCHED] = 0, [V_RELATED] = 0,
	};

	return (unsigned)v < V_COUNT ? sev[v] : 0;
}

/* RFC 792 / RFC 1812 codes for v4 type 3, RFC 4443 codes for v6 type 1. */
static enum reason unreach4(int code)
{
	switch (code) {
	case 0: case 6: case 11:	/* net unreachable, unknown, for TOS */
		return R_ICMP_NET_UNREACHABLE;
	case 1: case 7: case 12:	/* host unreachable, unknown, for TOS */
		return R_ICMP_HOST_UNREACHABLE;
	case 3:
		return R_ICMP_PORT_UNREACHABLE;
	case 4:
		return R_ICMP_FRAG_NEEDED;
	case 9: case 10: case 13:	/* net, host, communication administratively prohibited */
	case 14: case 15:		/* precedence violation, cutoff: policy too */
		return R_ICMP_ADMIN_PROHIBITED;
	default:
		return R_ICMP_OTHER;
	}
}

static enum reason unreach6(int code)
{
	switch (code) {
	case 0:
		return R_ICMP_NET_UNREACHABLE;
	case 1: case 5: case 6:
		return R_ICMP_ADMIN_PROHIBITED;
	case 3:
		return R_ICMP_HOST_UNREACHABLE;
	case 4:
		return R_ICMP_PORT_UNREACHABLE;
	default:
		return R_ICMP_OTHER;
	}
}

enum reason verdict_icmp_reason(int family, int type, int code)
{
	if (family == 6) {
		if (type == 1)
			return unreach6(code);
		if (type == 2)
			return R_ICMP_FRAG_NEEDED;
		return type == 3 ? R_ICMP_TTL_EXCEEDED : R_ICMP_OTHER;
	}
	if (type == 3)
		return unreach4(code);
	return type == 11 ? R_ICMP_TTL_EXCEEDED : R_ICMP_OTHER;
}
