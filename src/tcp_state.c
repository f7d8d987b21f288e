/* tcp_state: Zeek's TCP endpoint state machine, history letters, byte counts and conn_state */

#include <stddef.h>
#include <string.h>

#include "packet.h"
#include "tcp_state.h"

/*
 * tcp_state_update() follows the order of Zeek's TCPSessionAdapter::Process():
 * initialise this side's sequence numbers, record history, take the ack into
 * the peer, advance last_seq (or note a retransmission), then run the state
 * machine. Keeping that order keeps the history letters in Zeek's order.
 *
 * As in Zeek's TCP_Endpoint, ep->ack_seq is the highest ack the *peer* sent
 * for this side's data, in this side's sequence space. Size() takes the larger
 * of what was sent and what was acknowledged, so retransmissions do not count
 * twice and a segment missing from the capture still counts once acked.
 *
 * Differences from Zeek, all in corner cases Zeek gets wrong:
 * - When sequence numbers are (re)initialised and last_seq already lies past
 *   2^32 (an ISN of 0xffffffff, or a first midstream seq of 0), the wrap is
 *   counted; Zeek leaves it uncounted and relies on acks to hide it.
 * - Re-initialising also resets the wrap counters, which Zeek keeps.
 * - The last SYN/FIN/RST positions are kept modulo 2^32.
 * - A size whose top lies below the start is 0, not a 64-bit underflow.
 * - The history is capped at HISTORY_MAX letters.
 *
 * And one approximation: missed_bytes is kept per side with at most
 * TCP_GAP_HOLES pending holes, not Zeek's reassembly buffer (see "Content
 * gaps" below).
 */

/* Zeek ignores SYN and RST sequence jumps larger than this (TCP.cc). */
#define TCP_TOO_LARGE_SEQ_DELTA 1048576

enum { SIDE_ORIG = 0, SIDE_RESP = 1 };

/* Zeek's TCP_Endpoint::HistoryMasks: one bit per kind, shared by S and H. */
enum {
	HIST_SYN_PKT = 0x1,
	HIST_FIN_PKT = 0x2,
	HIST_RST_PKT = 0x4,
	HIST_FIN_RST_PKT = 0x8,
	HIST_DATA_PKT = 0x10,
	HIST_ACK_PKT = 0x20,
	HIST_MULTI_FLAG_PKT = 0x40,
	HIST_CORRUPT_PKT = 0x80,
	HIST_RXMIT = 0x100,
	HIST_WIN0 = 0x200,
};

static char hist_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static char hist_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static uint16_t hist_mask(char letter)
{
	switch (letter) {
	case 'S':
	case 'H': return HIST_SYN_PKT;
	case 'F': return HIST_FIN_PKT;
	case 'R': return HIST_RST_PKT;
	case 'I': return HIST_FIN_RST_PKT;
	case 'D': return HIST_DATA_PKT;
	case 'A': return HIST_ACK_PKT;
	case 'Q': return HIST_MULTI_FLAG_PKT;
	case 'C': return HIST_CORRUPT_PKT;
	case 'T': return HIST_RXMIT;
	case 'W': return HIST_WIN0;
	default: return 0;
	}
}

/* Append unconditionally (Zeek's Connection::AddHistory), if there is room. */
static void hist_append(struct history *h, bool is_orig, char letter)
{
	if (h->len >= HISTORY_MAX)
		return;
	letter = hist_upper(letter);
	h->s[h->len++] = is_orig ? letter : hist_lower(letter);
	h->s[h->len] = '\0';
}

/* Zeek's CheckHistory: record once per side; true if it was already recorded. */
static bool hist_check(struct history *h, bool is_orig, char letter)
{
	uint16_t mask = hist_mask(hist_upper(letter));
	uint16_t *seen = &h->seen[is_orig ? SIDE_ORIG : SIDE_RESP];

	if (mask != 0 && (*seen & mask))
		return true;
	*seen |= mask;
	hist_append(h, is_orig, letter);
	return false;
}

void history_add(struct history *h, bool is_orig, char letter)
{
	(void)hist_check(h, is_orig, letter);
}

static uint32_t *hist_repeat_count(struct history *h, int side, char letter)
{
	switch (letter) {
	case 'C': return &h->repeat[side][0];
	case 'T': return &h->repeat[side][1];
	case 'W': return &h->repeat[side][2];
	case 'G': return &h->repeat_gap[side];
	default: return NULL;
	}
}

static bool is_power_of_ten(uint32_t n)
{
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	return n == 1;
}

/* Zeek's ScaledHistoryEntry with base 10: letters at the 1st, 10th, 100th ... time. */
void history_add_repeat(struct history *h, bool is_orig, char letter)
{
	letter = hist_upper(letter);
	uint32_t *n = hist_repeat_count(h, is_orig ? SIDE_ORIG : SIDE_RESP, letter);

	if (n == NULL || *n == UINT32_MAX)
		return;
	if (is_power_of_ten(++*n))
		hist_append(h, is_orig, letter);
}

static int32_t seq_delta(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static uint64_t seq_full(uint32_t seq, uint64_t wraps)
{
	return (wraps << 32) + seq;
}

static void ep_set_state(struct tcp_endpoint *ep, enum tcp_endpoint_state s)
{
	if (ep->state == s)
		return;
	ep->prev_state = ep->state;
	ep->state = (uint8_t)s;
}

/* Zeek's InitStartSeq/InitAckSeq/InitLastSeq: the ack starts at the start. */
static void ep_init_seq(struct tcp_endpoint *ep, uint32_t start, uint32_t last)
{
	ep->seq_seen = true;
	ep->start_seq = start;
	ep->ack_seq = start;
	ep->last_seq = last;
	ep->seq_wraps = last < start;
	ep->ack_wraps = 0;
	/* Gaps are looked for from the first data octet on (relative seq 1), never before. */
	ep->gap_on = true;
	ep->gap_fin = false;
	ep->gap_nholes = 0;
	ep->gap_hi = start + 1;
}

/* Zeek's init_endpoint(): when a packet from this side (re)sets its numbering. */
static void ep_init(struct tcp_endpoint *ep, uint8_t flags, uint32_t seq, uint32_t one_past)
{
	bool syn = flags & TCP_SYN;

	switch (ep->state) {
	case TCPS_INACTIVE:
		if (syn)
			ep_init_seq(ep, seq, one_past);
		else	/* midstream: number as if a SYN came first; this packet is new data */
			ep_init_seq(ep, seq - 1, seq);
		break;
	case TCPS_SYN_SENT:
	case TCPS_SYN_ACK_SENT:
		if (syn && seq != ep->start_seq)
			ep_init_seq(ep, seq, one_past);
		break;
	case TCPS_ESTABLISHED:
	case TCPS_PARTIAL:
		/* Guess the connection never got going and this SYN starts it. */
		if (syn)
			ep_init_seq(ep, seq, one_past);
		break;
	case TCPS_RESET:
		/* Numbering came from a RST, perhaps spoofed: trust the SYN. */
		if (syn && ep->prev_state == TCPS_INACTIVE)
			ep_init_seq(ep, seq, one_past);
		break;
	default:
		break;
	}
}

/* A SYN, FIN or RST seen again at a new position earns another letter. */
static void hist_control(struct history *h, bool is_orig, char letter,
			 uint32_t *last_pos, uint32_t pos)
{
	if (hist_check(h, is_orig, letter) && pos != *last_pos)
		hist_append(h, is_orig, letter);
	*last_pos = pos;
}

/* Zeek's update_history(); rel_seq is the segment's seq relative to the ISN. */
static void tcp_history(struct tcp_endpoint *ep, struct history *h, bool is_orig,
			uint8_t flags, uint32_t rel_seq, uint32_t len)
{
	bool syn = flags & TCP_SYN, fin = flags & TCP_FIN, rst = flags & TCP_RST;
	int bits = syn + fin + rst;

	if (bits > 1) {
		hist_check(h, is_orig, (fin && rst) ? 'I' : 'Q');
	} else if (syn) {
		hist_control(h, is_orig, (flags & TCP_ACK) ? 'H' : 'S', &ep->hist_last_syn, rel_seq);
	} else if (fin) {
		/* A FIN's position is at the end of its data. */
		hist_control(h, is_orig, 'F', &ep->hist_last_fin, rel_seq + len);
	} else if (rst) {
		hist_control(h, is_orig, 'R', &ep->hist_last_rst, rel_seq);
	} else if (len > 0) {
		hist_check(h, is_orig, 'D');
	} else if (flags & TCP_ACK) {
		hist_check(h, is_orig, 'A');
	}
}

/* Zeek's get_relative_seq() underflow test for an ack against the peer's numbering. */
static bool ack_underflow(const struct tcp_endpoint *peer, uint32_t ack)
{
	int32_t d = seq_delta(ack, peer->ack_seq);
	uint32_t wraps = peer->ack_wraps;

	if (d < 0 && wraps > 0 && ack > peer->ack_seq)
		wraps--;
	else if (d > 0 && ack < peer->ack_seq)
		wraps++;
	return wraps == 0 && seq_delta(ack, peer->start_seq) < 0;
}

/* Zeek's init_peer() / update_ack_seq(): the ack moves the peer's ack_seq. */
static void peer_take_ack(struct tcp_endpoint *peer, uint8_t flags, uint32_t ack)
{
	if (peer->state == TCPS_INACTIVE) {
		/* Number the silent side as if its SYN had been seen. */
		ep_init_seq(peer, ack - 1, ack - 1);
		return;
	}
	/* Acks in RSTs are not trusted. */
	if ((flags & TCP_RST) || ack_underflow(peer, ack))
		return;

	int32_t d = seq_delta(ack, peer->ack_seq);

	/* An ack of 0 far ahead is more likely broken than a wrap. */
	if (ack == 0 && d > TCP_TOO_LARGE_SEQ_DELTA)
		return;
	if (d > 0) {
		if (ack < peer->ack_seq)
			peer->ack_wraps++;
		peer->ack_seq = ack;
	}
}

static void ep_advance_last(struct tcp_endpoint *ep, uint32_t seq)
{
	if (seq < ep->last_seq)
		ep->seq_wraps++;
	ep->last_seq = seq;
}

/* Zeek's update_last_seq(): new data moves last_seq, old data is a retransmission. */
static void ep_update_last(struct tcp_endpoint *ep, struct history *h, bool is_orig,
			   uint8_t flags, uint32_t one_past, uint32_t len)
{
	int32_t d = seq_delta(one_past, ep->last_seq);
	bool wild = d > TCP_TOO_LARGE_SEQ_DELTA || d < -TCP_TOO_LARGE_SEQ_DELTA;

	if ((flags & (TCP_SYN | TCP_RST)) && wild)
		return;
	if ((flags & TCP_FIN) && ep->last_seq == ep->start_seq + 1)
		/* Only SYN and FIN seen: take the FIN even behind, for > 2 GB transfers. */
		ep_advance_last(ep, one_past);
	else if (ep->state == TCPS_RESET)
		return;
	else if (d > 0)
		ep_advance_last(ep, one_past);
	else if (len > 0)
		history_add_repeat(h, is_orig, 'T');
}

/* A responder's SYN or SYN-ACK from INACTIVE. */
static void st_syn_answer(struct tcp_endpoint *ep, struct tcp_endpoint *peer, struct history *h,
			  uint8_t flags, uint32_t seq)
{
	if (!(flags & TCP_ACK) && peer->state == TCPS_SYN_ACK_SENT && seq == ep->start_seq) {
		/* The SYN-ACK was seen before its SYN: Zeek flips roles here. */
		hist_append(h, true, '^');
		h->roles_flipped = true;
		ep_set_state(peer, TCPS_ESTABLISHED);
	}
	if (peer->state == TCPS_SYN_SENT)
		ep_set_state(peer, TCPS_ESTABLISHED);
	ep_set_state(ep, TCPS_ESTABLISHED);
}

/* Zeek's UpdateInactiveState(). */
static void st_inactive(struct tcp_endpoint *ep, struct tcp_endpoint *peer, struct history *h,
			bool is_orig, uint8_t flags, uint32_t seq, uint32_t len)
{
	if (flags & TCP_SYN) {
		if (is_orig)
			ep_set_state(ep, (flags & TCP_ACK) ? TCPS_SYN_ACK_SENT : TCPS_SYN_SENT);
		else
			st_syn_answer(ep, peer, h, flags, seq);
	}
	if (flags & TCP_FIN)
		ep_set_state(ep, TCPS_CLOSED);
	if (flags & TCP_RST)
		ep_set_state(ep, TCPS_RESET);
	if (ep->state != TCPS_INACTIVE)
		return;

	if (!is_orig && len == 0 && peer->state == TCPS_SYN_SENT)
		return;	/* some stacks ack a SYN before answering it: not partial */
	if ((flags & TCP_ACK) && peer->state == TCPS_ESTABLISHED)
		ep_set_state(ep, TCPS_ESTABLISHED);	/* our SYN was missed */
	else
		ep_set_state(ep, TCPS_PARTIAL);
}

/* Zeek's UpdateSYN_SentState(). */
static void st_syn_sent(struct tcp_endpoint *ep, uint8_t flags)
{
	if (flags & TCP_FIN)
		ep_set_state(ep, TCPS_CLOSED);
	if (flags & TCP_RST)
		ep_set_state(ep, TCPS_RESET);
}

/* Zeek's UpdateEstablishedState(), also for PARTIAL. */
static void st_established(struct tcp_endpoint *ep, struct tcp_endpoint *peer, uint8_t flags)
{
	if ((flags & TCP_SYN) && !(flags & TCP_ACK) && ep->state == TCPS_PARTIAL &&
	    peer->state == TCPS_INACTIVE)
		ep_set_state(ep, TCPS_SYN_SENT);
	if ((flags & TCP_FIN) && !(flags & TCP_RST)) {
		ep_set_state(ep, TCPS_CLOSED);
		/* The peer's FIN then RST was a normal close after all. */
		if (peer->state == TCPS_RESET && peer->prev_state == TCPS_CLOSED)
			ep_set_state(peer, TCPS_CLOSED);
	}
	if (flags & TCP_RST)
		ep_set_state(ep, TCPS_RESET);
}

/* Zeek's UpdateClosedState(): a RST after a full FIN exchange changes nothing. */
static void st_closed(struct tcp_endpoint *ep, const struct tcp_endpoint *peer, uint8_t flags)
{
	if ((flags & TCP_RST) && peer->state != TCPS_CLOSED)
		ep_set_state(ep, TCPS_RESET);
}

static void tcp_state_machine(struct tcp_endpoint *ep, struct tcp_endpoint *peer, struct history *h,
			      bool is_orig, uint8_t flags, uint32_t seq, uint32_t len)
{
	switch (ep->state) {
	case TCPS_INACTIVE:
		st_inactive(ep, peer, h, is_orig, flags, seq, len);
		break;
	case TCPS_SYN_SENT:
	case TCPS_SYN_ACK_SENT:
		st_syn_sent(ep, flags);
		break;
	case TCPS_ESTABLISHED:
	case TCPS_PARTIAL:
		st_established(ep, peer, flags);
		break;
	case TCPS_CLOSED:
		st_closed(ep, peer, flags);
		break;
	default:	/* RESET: nothing moves it */
		break;
	}
}

/*
 * Content gaps, Zeek's missed_bytes. Zeek's reassembler delivers a side's
 * data in order; when the peer acknowledges past data it never saw
 * (TCP_Reassembler::AckReceived -> Undelivered -> Gap), the skipped octets
 * are a content_gap, and conn.log's missed_bytes is the sum of their
 * lengths. Zeek reports a gap only while both sides are established or
 * closed after being established: partial (midstream) connections and
 * reset ones are not counted. Each gap is also a history letter G (g for
 * the responder's data), at the 1st, 10th, 100th ... Acks stop at the FIN octet. Data never
 * acknowledged is never a gap, not even at the connection's end (its Done()
 * reports none), and data that arrives after its range was acknowledged
 * fills nothing.
 *
 * Here, without a buffer: gap_hi is the end of the highest data seen or
 * acknowledged, and below it up to TCP_GAP_HOLES ranges not seen yet. A
 * segment past gap_hi opens a hole, a later one (a retransmission, or
 * reordering) fills it, an ack past a hole or past gap_hi counts the
 * octets. One hole too many merges the two closest, counting the data
 * between them as missed too. A jump of more than GAP_ABSURD is no gap but
 * a new sequence space (or garbage), as Zeek's sanity checks have it.
 */
enum { GAP_ABSURD = 1 << 30 };

/* Keep n holes (at most TCP_GAP_HOLES + 1): one too many merges the two closest. */
static void gap_store(struct tcp_endpoint *ep, uint32_t h[][2], int n)
{
	if (n > TCP_GAP_HOLES) {
		int i, best = 0;

		for (i = 1; i < n - 1; i++)
			if (h[i + 1][0] - h[i][1] < h[best + 1][0] - h[best][1])
				best = i;
		h[best][1] = h[best + 1][1];
		memmove(h[best + 1], h[best + 2], (size_t)(n - best - 2) * sizeof(h[0]));
		n--;
	}
	memcpy(ep->gap_hole, h, (size_t)n * sizeof(h[0]));
	ep->gap_nholes = (uint8_t)n;
}

/* Data [s, e) seen from this side. */
static void gap_data(struct tcp_endpoint *ep, uint32_t s, uint32_t e)
{
	uint32_t h[TCP_GAP_HOLES + 1][2];
	int32_t past = seq_delta(s, ep->gap_hi);
	int i, n = 0;

	if (!ep->gap_on || s == e)
		return;
	if (past == 0 && ep->gap_nholes == 0) {	/* in order: the common case */
		ep->gap_hi = e;
		return;
	}
	if (past > GAP_ABSURD) {	/* a new sequence space, not a gap */
		ep->gap_nholes = 0;
		ep->gap_hi = e;
		return;
	}
	if (seq_delta(e, ep->gap_hi) < -GAP_ABSURD)
		return;
	for (i = 0; i < ep->gap_nholes; i++) {
		uint32_t hs = ep->gap_hole[i][0], he = ep->gap_hole[i][1];

		if (seq_delta(e, hs) <= 0 || seq_delta(s, he) >= 0) {
			h[n][0] = hs, h[n++][1] = he;
			continue;
		}
		if (seq_delta(s, hs) > 0)
			h[n][0] = hs, h[n++][1] = s;
		if (seq_delta(e, he) < 0)
			h[n][0] = e, h[n++][1] = he;
	}
	if (past > 0)
		h[n][0] = ep->gap_hi, h[n++][1] = s;
	if (seq_delta(e, ep->gap_hi) > 0)
		ep->gap_hi = e;
	gap_store(ep, h, n);
}

/*
 * The peer acknowledged this side's data up to ack: what it skips is missed.
 * Returns the number of gaps (Zeek's content_gap events) it passed.
 */
static int gap_ack(struct tcp_endpoint *ep, uint32_t ack, bool count)
{
	uint32_t h[TCP_GAP_HOLES + 1][2];
	uint64_t missed = 0;
	int32_t past;
	int i, n = 0, gaps = 0;

	if (!ep->gap_on)
		return 0;
	if (ep->gap_fin && seq_delta(ack, ep->gap_fin_seq) > 0)
		ack = ep->gap_fin_seq;
	past = seq_delta(ack, ep->gap_hi);
	if (past > GAP_ABSURD || (past <= 0 && ep->gap_nholes == 0))
		return 0;
	for (i = 0; i < ep->gap_nholes; i++) {
		uint32_t hs = ep->gap_hole[i][0], he = ep->gap_hole[i][1];

		if (seq_delta(ack, hs) <= 0) {
			h[n][0] = hs, h[n++][1] = he;
		} else if (seq_delta(ack, he) >= 0) {
			missed += he - hs;
			gaps++;
		} else {
			missed += ack - hs;
			gaps++;
			h[n][0] = ack, h[n++][1] = he;
		}
	}
	if (past > 0) {
		missed += (uint32_t)past;
		gaps++;
		ep->gap_hi = ack;
	}
	gap_store(ep, h, n);
	if (!count)
		return 0;
	ep->missed += missed;
	return gaps;
}

/* Zeek's is_clean(): established, or closed from established. */
static bool gap_clean(const struct tcp_endpoint *ep)
{
	return ep->state == TCPS_ESTABLISHED ||
	       (ep->state == TCPS_CLOSED && ep->prev_state == TCPS_ESTABLISHED);
}

/* One segment's data and ack; a counted gap is Zeek's letter G for the side whose data it was. */
static void tcp_gaps(struct tcp_endpoint *ep, struct tcp_endpoint *peer, struct history *h, bool is_orig,
		     uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
	int gaps;

	/* A RST's data is not part of the stream, and its ack is not trusted. */
	if (flags & TCP_RST)
		return;
	if (flags & TCP_SYN)
		seq++;
	if (flags & TCP_FIN) {
		ep->gap_fin = true;
		ep->gap_fin_seq = seq + len;
	}
	gap_data(ep, seq, seq + len);
	if (!(flags & TCP_ACK))
		return;
	gaps = gap_ack(peer, ack, gap_clean(peer) && gap_clean(ep));
	while (gaps-- > 0)
		history_add_repeat(h, !is_orig, 'G');
}

uint64_t tcp_missed_bytes(const struct tcp_endpoint *ep)
{
	return ep->missed;
}

void tcp_state_update(struct tcp_endpoint *ep, struct tcp_endpoint *peer, struct history *h,
		      bool is_orig, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
	/* SYN and FIN take one seq each; a RST's data is not part of the stream. */
	uint32_t seg_len = (flags & TCP_RST) ? 0 : len;

	if (flags & TCP_SYN)
		seg_len++;
	if (flags & TCP_FIN)
		seg_len++;
	uint32_t one_past = seq + seg_len;

	ep_init(ep, flags, seq, one_past);
	tcp_history(ep, h, is_orig, flags, seq - ep->start_seq, len);
	if (flags & TCP_SYN)
		ep->syn_seen = true;
	if (flags & TCP_FIN)
		ep->fin_seen = true;
	if (flags & TCP_ACK)
		peer_take_ack(peer, flags, ack);
	ep_update_last(ep, h, is_orig, flags, one_past, len);
	tcp_state_machine(ep, peer, h, is_orig, flags, seq, len);
	tcp_gaps(ep, peer, h, is_orig, flags, seq, ack, len);
}

/* Zeek's NoDataAcked(): one octet may be acked, for the SYN. */
static bool ep_no_data_acked(const struct tcp_endpoint *ep)
{
	uint64_t ack = seq_full(ep->ack_seq, ep->ack_wraps);

	return ack == ep->start_seq || ack == (uint64_t)ep->start_seq + 1;
}

uint64_t tcp_endpoint_size(const struct tcp_endpoint *ep, const struct tcp_endpoint *peer)
{
	/* A half-open connection found and aborted: its acks are stale, not data. */
	if (ep->prev_state == TCPS_SYN_SENT && ep->state == TCPS_RESET &&
	    peer->state == TCPS_INACTIVE && !ep_no_data_acked(ep))
		return 0;

	uint64_t last = seq_full(ep->last_seq, ep->seq_wraps);
	uint64_t ack = seq_full(ep->ack_seq, ep->ack_wraps);
	uint64_t top = last > ack ? last : ack;

	if (top <= ep->start_seq)
		return 0;
	/* Not the SYN octet (midstream numbering pretends one), nor the FIN's. */
	uint64_t size = top - ep->start_seq - 1;

	if (ep->fin_seen && size > 0)
		size--;
	return size;
}

/*
 * When Zeek's ConnectionClosed() finds the close complete and schedules the
 * connection's removal after tcp_close_delay: a side reset, both closed, or
 * one closed while the other never sent anything.
 */
bool tcp_state_finished(const struct tcp_endpoint *orig, const struct tcp_endpoint *resp)
{
	bool oc = orig->state == TCPS_CLOSED, rc = resp->state == TCPS_CLOSED;

	if (orig->state == TCPS_RESET || resp->state == TCPS_RESET)
		return true;
	if (oc && rc)
		return true;
	return (oc && resp->state == TCPS_INACTIVE) || (rc && orig->state == TCPS_INACTIVE);
}

/* main.zeek's RSTOS0 test: the whole history matches ^?S[^HAFGIQ]*R.* */
static bool history_is_rstos0(const char *hist)
{
	if (hist == NULL)
		return false;
	if (*hist == '^')
		hist++;
	if (*hist++ != 'S')
		return false;
	for (; *hist != '\0'; hist++) {
		switch (*hist) {
		case 'R': return true;
		case 'H': case 'A': case 'F': case 'G': case 'I': case 'Q': return false;
		default: break;
		}
	}
	return false;
}

static bool st_inactive_like(uint8_t s)
{
	return s == TCPS_INACTIVE || s == TCPS_PARTIAL;
}

enum conn_state conn_state_tcp(const struct tcp_endpoint *orig, const struct tcp_endpoint *resp,
			       const char *history)
{
	uint8_t os = orig->state, rs = resp->state;
	bool o_inactive = st_inactive_like(os), r_inactive = st_inactive_like(rs);

	if (rs == TCPS_RESET) {
		if (os == TCPS_SYN_SENT || os == TCPS_SYN_ACK_SENT ||
		    (os == TCPS_RESET && tcp_endpoint_size(orig, resp) == 0 &&
		     tcp_endpoint_size(resp, orig) == 0))
			return CS_REJ;
		return o_inactive ? CS_RSTRH : CS_RSTR;
	}
	if (os == TCPS_RESET) {
		if (!r_inactive)
			return CS_RSTO;
		return history_is_rstos0(history) ? CS_RSTOS0 : CS_OTH;
	}
	if (os == TCPS_CLOSED && rs == TCPS_CLOSED)
		return CS_SF;
	if (os == TCPS_CLOSED)
		return r_inactive ? CS_SH : CS_S2;
	if (rs == TCPS_CLOSED)
		return o_inactive ? CS_SHR : CS_S3;
	if (os == TCPS_SYN_SENT && rs == TCPS_INACTIVE)
		return CS_S0;
	if (os == TCPS_ESTABLISHED && rs == TCPS_ESTABLISHED)
		return CS_S1;
	return CS_OTH;
}

/*
 * main.zeek's UDP branch: a side is active once it sent a packet. Zeek gives
 * ICMP (and every other protocol) "OTH" unconditionally; this is for UDP only.
 */
enum conn_state conn_state_udp(bool orig_active, bool resp_active)
{
	if (orig_active)
		return resp_active ? CS_SF : CS_S0;
	return resp_active ? CS_SHR : CS_OTH;
}

static const char *const conn_state_names[CS_COUNT] = {
	[CS_S0] = "S0",
	[CS_S1] = "S1",
	[CS_SF] = "SF",
	[CS_REJ] = "REJ",
	[CS_S2] = "S2",
	[CS_S3] = "S3",
	[CS_RSTO] = "RSTO",
	[CS_RSTR] = "RSTR",
	[CS_RSTOS0] = "RSTOS0",
	[CS_RSTRH] = "RSTRH",
	[CS_SH] = "SH",
	[CS_SHR] = "SHR",
	[CS_OTH] = "OTH",
};

const char *conn_state_name(enum conn_state cs)
{
	if ((unsigned)cs >= CS_COUNT)
		return "OTH";	/* Zeek's catch-all */
	return conn_state_names[cs];
}
