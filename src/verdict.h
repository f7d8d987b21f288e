/* verdict: what the audit concludes about one flow — verdicts, reasons and their names */
#ifndef FLOWAUDIT_VERDICT_H
#define FLOWAUDIT_VERDICT_H

/* The contract's flow verdicts. One name table: verdict_name(). */
enum verdict {
	V_OK = 0,
	V_BLOCKED,
	V_INTERRUPTED,
	V_ONE_SIDED,
	V_UNEXPECTED,
	V_PENDING,
	V_UNMATCHED,
	V_RELATED,	/* an ICMP error, logged as its own flow; never a finding */
	V_COUNT
};

/* How a flow went. One name table: reason_name(). */
enum reason {
	R_NONE = 0,
	R_ANSWERED,
	R_NO_REPLY,
	R_RST,
	R_ICMP_ADMIN_PROHIBITED,
	R_ICMP_PORT_UNREACHABLE,
	R_ICMP_HOST_UNREACHABLE,
	R_ICMP_NET_UNREACHABLE,
	R_ICMP_TTL_EXCEEDED,
	R_ICMP_FRAG_NEEDED,
	R_ICMP_OTHER,
	R_RESET_AFTER_ESTABLISHED,	/* interrupted: a RST before the FIN exchange */
	R_NO_RESPONDER_PACKETS,		/* one-sided: the originator went on, nothing came back */
	R_NO_ORIGINATOR_PACKETS,	/* one-sided: only the responder was seen */
	R_ONE_WAY,			/* ok: a one-way rule (syslog, traps), nothing comes back by design */
	R_MIDDLEBOX_RESET,		/* interrupted by a RST that its sender's TTL or IP ID says was forged */
	R_ORIG_RESET,			/* ok: the originator reset an established connection (Zeek RSTO), not forged */
	R_RST_FROM_HOST,		/* blocked: the RST answering the SYN has the host's own TTL (nothing listening) */
	R_RST_FROM_PATH,		/* blocked: its TTL is not the host's (a device in the path answered for it) */
	R_MIRROR_TRANSPORT,		/* related: the outer flow of a tunnel carrying mirrored Ethernet frames */
	R_COUNT
};

const char *verdict_name(enum verdict v);
const char *reason_name(enum reason r);
/* Worst first: blocked > interrupted > one-sided > unexpected > pending > ok (the contract's order). */
int verdict_severity(enum verdict v);
/* The reason an ICMP or ICMPv6 error of this type/code gives the flow it quotes. */
enum reason verdict_icmp_reason(int family, int type, int code);

#endif
