/* tcp_state: per-endpoint TCP state, Zeek's history letters and conn_state */
#ifndef FLOWAUDIT_TCP_STATE_H
#define FLOWAUDIT_TCP_STATE_H

#include <stdbool.h>
#include <stdint.h>

/* Zeek's TCP endpoint states (analyzer/protocol/tcp/TCP_Endpoint.h). */
enum tcp_endpoint_state {
	TCPS_INACTIVE = 0,	/* nothing seen from this side */
	TCPS_SYN_SENT,
	TCPS_SYN_ACK_SENT,
	TCPS_PARTIAL,		/* traffic seen, but no SYN */
	TCPS_ESTABLISHED,
	TCPS_CLOSED,		/* FIN sent */
	TCPS_RESET,		/* RST sent */
};

/* Pending content gaps per side; more are merged (counting the data between as missed). */
enum { TCP_GAP_HOLES = 3 };

/* One side of a TCP connection, as far as conn_state and byte counts need. */
struct tcp_endpoint {
	uint8_t state;		/* enum tcp_endpoint_state */
	uint8_t prev_state;
	bool seq_seen;		/* start_seq is valid */
	bool syn_seen;		/* a SYN from this side */
	bool fin_seen;
	bool gap_on;		/* gap_hi is valid (content gaps: see below) */
	bool gap_fin;		/* gap_fin_seq is valid */
	uint8_t gap_nholes;
	uint32_t start_seq;	/* ISN, or first seq seen */
	uint32_t last_seq;	/* highest seq + len (+1 for SYN/FIN) sent */
	uint32_t ack_seq;	/* highest ack the peer sent for this side's data (this side's seq space) */
	uint32_t seq_wraps;	/* how often last_seq wrapped past 2^32 */
	uint32_t ack_wraps;	/* how often ack_seq wrapped past 2^32 */
	/* Low 32 bits of Zeek's relative seq of the last SYN, FIN (its end) and RST:
	 * a repeat at a new seq earns another history letter. */
	uint32_t hist_last_syn;
	uint32_t hist_last_fin;
	uint32_t hist_last_rst;
	/*
	 * Content gaps (Zeek's missed_bytes), bounded: gap_hi is the end of the
	 * highest data seen or acknowledged; below it, up to TCP_GAP_HOLES
	 * ranges [start, end) not seen yet. A hole counts once the peer acks
	 * past it (see tcp_state.c).
	 */
	uint32_t gap_hi;
	uint32_t gap_fin_seq;	/* seq of this side's FIN octet: acks stop there */
	uint32_t gap_hole[TCP_GAP_HOLES][2];	/* sorted, disjoint, all below gap_hi */
	uint64_t missed;	/* bytes of holes acknowledged past */
};

/* Conn states, in Zeek's names. One name table: conn_state_name(). */
enum conn_state {
	CS_S0 = 0, CS_S1, CS_SF, CS_REJ, CS_S2, CS_S3, CS_RSTO, CS_RSTR,
	CS_RSTOS0, CS_RSTRH, CS_SH, CS_SHR, CS_OTH,
	CS_COUNT
};

const char *conn_state_name(enum conn_state cs);

/* History: Zeek's letters, upper case for the originator, lower for the responder. */
enum { HISTORY_MAX = 24 };
struct history {
	char s[HISTORY_MAX + 1];	/* NUL-terminated */
	uint8_t len;
	uint16_t seen[2];		/* letters already recorded, per side (bit per letter) */
	bool roles_flipped;		/* set with '^' when Zeek would swap roles (a SYN answering a
					 * SYN-ACK seen first): the caller swaps orig/resp and clears it */
	uint32_t repeat[2][3];		/* counts for the repeating letters C, T, W (Zeek's 1, 10, 100 ... rule) */
	uint32_t repeat_gap[2];		/* the same for G */
};

/* Add a letter for side is_orig (the letter is given upper case), once per side. */
void history_add(struct history *h, bool is_orig, char letter);
/* Add a repeating letter (C, G, T, W): recorded at the 1st, 10th, 100th ... occurrence. */
void history_add_repeat(struct history *h, bool is_orig, char letter);

/*
 * Feed one TCP segment seen from side is_orig into both endpoints and the
 * history. flags are TCP_* bits; len is the payload length per the IP header.
 */
void tcp_state_update(struct tcp_endpoint *ep, struct tcp_endpoint *peer, struct history *h,
		      bool is_orig, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len);

/* Payload bytes this side sent, from sequence numbers, as Zeek's TCP_Endpoint::Size(). */
uint64_t tcp_endpoint_size(const struct tcp_endpoint *ep, const struct tcp_endpoint *peer);

/*
 * Payload bytes this side sent that the capture missed, as Zeek's
 * missed_bytes (the content_gap lengths) counts them for this side.
 */
uint64_t tcp_missed_bytes(const struct tcp_endpoint *ep);

/* True once both sides are closed or one has reset: the flow can be expired early. */
bool tcp_state_finished(const struct tcp_endpoint *orig, const struct tcp_endpoint *resp);

/*
 * Zeek's conn_state for a TCP flow (base/protocols/conn/main.zeek), a pure
 * function of both endpoints, their sizes and the history.
 */
enum conn_state conn_state_tcp(const struct tcp_endpoint *orig, const struct tcp_endpoint *resp,
			       const char *history);
/* For UDP and ICMP: from whether each side sent anything. */
enum conn_state conn_state_udp(bool orig_active, bool resp_active);

#endif
