/* tracker: each decoded packet into its flow: who originated it, its counters, TCP state, resets, fragments, ICMP errors */
#include "tracker.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fragments.h"
#include "host_ttl.h"
#include "xalloc.h"

struct tracker {
	struct flow_table *table;
	struct fragments *frags;
	struct tracker_hooks hooks;
	struct host_ttl *host_ttl;	/* or NULL: hosts' TTLs not noted */
	bool vlan_key;
	uint8_t server_ports[2][PORTSET_BYTES];
	struct flow_table_stats st;	/* reused, fragments, fragment_orphans, icmp_errors_matched */
};

struct tracker *tracker_new(const struct flow_table_config *cfg, const uint8_t server_ports[2][PORTSET_BYTES],
			    flow_done_fn done, void *ctx)
{
	struct tracker *tr = xcalloc(1, sizeof(*tr));

	tr->table = flow_table_new(cfg, done, ctx);
	tr->frags = fragments_new();
	tr->vlan_key = cfg->vlan_key;
	if (server_ports)
		memcpy(tr->server_ports, server_ports, sizeof(tr->server_ports));
	else
		config_server_ports(NULL, tr->server_ports);
	return tr;
}

void tracker_set_hooks(struct tracker *tr, const struct tracker_hooks *hooks)
{
	tr->hooks = *hooks;
}

void tracker_set_host_ttl(struct tracker *tr, struct host_ttl *ht)
{
	tr->host_ttl = ht;
}

bool tracker_server_port(const struct tracker *tr, uint8_t proto, uint16_t port)
{
	return portset_has(tr->server_ports[proto == PROTO_TCP ? 0 : 1], port);
}

/*
 * Zeek's AttemptTimer: the originator sent a SYN (its first packet) and the
 * responder nothing; tcp_attempt_delay after that SYN the connection is
 * removed, so a SYN retried later starts a new one (and a SYN flood does not
 * fill the table for tcp_inactivity_timeout).
 */
static bool tcp_attempt(const struct flow *f)
{
	return (f->tcp[0].state == TCPS_SYN_SENT || f->tcp[0].state == TCPS_SYN_ACK_SENT) &&
	       f->tcp[1].state == TCPS_INACTIVE;
}

static enum flow_class class_of(const struct flow *f)
{
	if (f->orig.proto == PROTO_TCP) {
		if (tcp_state_finished(&f->tcp[0], &f->tcp[1]))
			return FLOW_CLASS_TCP_CLOSED;
		return tcp_attempt(f) ? FLOW_CLASS_TCP_ATTEMPT : FLOW_CLASS_TCP;
	}
	if (f->orig.proto == PROTO_UDP)
		return FLOW_CLASS_UDP;
	return FLOW_CLASS_ICMP;
}


/*
 * Who originated a flow whose first packet we see now (Zeek's
 * WantConnection): the sender of a SYN; otherwise flip when only the
 * sender's port looks like a server port. For TCP with both ports plausible,
 * Zeek flips a non-SYN packet only when the destination port is the higher.
 */
static bool should_flip(const struct tracker *tr, const struct packet *pkt)
{
	const struct tuple *t = &pkt->t;
	bool src_srv, dst_srv;

	if (t->proto != PROTO_TCP && t->proto != PROTO_UDP)
		return false;
	if (t->proto == PROTO_TCP && (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		return false;
	src_srv = tracker_server_port(tr, t->proto, t->sport);
	dst_srv = tracker_server_port(tr, t->proto, t->dport);
	if (!src_srv)
		return false;
	if (!dst_srv)
		return true;
	if (t->proto == PROTO_UDP)
		return false;
	return !(pkt->tcp_flags & TCP_SYN) && t->sport < t->dport;
}

static void tuple_reverse(struct tuple *out, const struct tuple *in)
{
	out->family = in->family;
	out->proto = in->proto;
	out->sport = in->dport;
	out->dport = in->sport;
	memcpy(out->src, in->dst, 16);
	memcpy(out->dst, in->src, 16);
}


/* 0 when the packet travels originator -> responder, else 1. */
static int packet_dir(const struct flow *f, const struct tuple *t)
{
	if (f->orig.sport == t->sport && memcmp(f->orig.src, t->src, 16) == 0)
		return 0;
	return 1;
}

/*
 * A new connection on the same 5-tuple (Zeek's IsReuse, simplified): a bare
 * SYN on a finished connection, or from the originator with another ISN
 * than its first SYN (a retransmitted SYN keeps its ISN).
 */
static bool is_reuse(const struct flow *f, const struct packet *pkt)
{
	const struct tcp_endpoint *o = &f->tcp[0];

	if (f->orig.proto != PROTO_TCP || (pkt->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return false;
	if (tcp_state_finished(&f->tcp[0], &f->tcp[1]))
		return true;
	return packet_dir(f, &pkt->t) == 0 && o->syn_seen && o->seq_seen && pkt->seq != o->start_seq;
}

/*
 * Zeek counts a fragmented datagram once, at its reassembled length. An
 * IPv6 first fragment carries an 8-byte fragment header that reassembly
 * removes; later fragments add only their payload (flow_table_packet).
 */
static uint32_t reassembled_len(const struct packet *pkt)
{
	if (pkt->fragment && pkt->t.family == 6 && pkt->ip_len >= 48)
		return pkt->ip_len - 8;
	return pkt->ip_len;
}

/* Zeek swaps the roles mid-connection when a bare SYN answers a SYN-ACK: follow it. */
static void flow_swap_roles(struct tracker *tr, struct flow *f)
{
	struct flow_side s = f->side[0];
	struct tcp_endpoint e = f->tcp[0];
	struct tuple t = f->orig;
	uint32_t r[3];

	f->side[0] = f->side[1];
	f->side[1] = s;
	f->tcp[0] = f->tcp[1];
	f->tcp[1] = e;
	tuple_reverse(&f->orig, &t);
	memcpy(r, f->hist.repeat[0], sizeof(r));
	memcpy(f->hist.repeat[0], f->hist.repeat[1], sizeof(r));
	memcpy(f->hist.repeat[1], r, sizeof(r));
	r[0] = f->hist.repeat_gap[0];
	f->hist.repeat_gap[0] = f->hist.repeat_gap[1];
	f->hist.repeat_gap[1] = r[0];
	f->flipped = true;
	f->hist.roles_flipped = false;
	if (tr->hooks.swapped)
		tr->hooks.swapped(tr->hooks.ctx, f);
}

static void tcp_update(struct tracker *tr, struct flow *f, const struct packet *pkt, int dir)
{
	struct tcp_endpoint *ep = &f->tcp[dir], *peer = &f->tcp[!dir];
	/* Zeek's 'W': a zero window that is not part of a reset. */
	bool zero_window = pkt->win == 0 && !(pkt->tcp_flags & TCP_RST) && peer->state != TCPS_CLOSED &&
			   ep->state != TCPS_RESET;

	tcp_state_update(ep, peer, &f->hist, dir == 0, pkt->tcp_flags, pkt->seq, pkt->ack, pkt->l4_payload_len);
	if (zero_window)
		history_add_repeat(&f->hist, dir == 0, 'W');
	if (f->hist.roles_flipped)
		flow_swap_roles(tr, f);
}

/*
 * A device in the path that resets a connection forges the RST in one
 * side's name, but cannot forge that side's distance: its TTL is not the
 * side's, and its IPv4 identification does not continue the side's
 * sequence. The first RST of a side that had sent before is checked
 * against that side's first packet and the run of its identifications. An
 * identification of 0 is no evidence: Linux sends RSTs outside a
 * connection with ID 0.
 */
static void tcp_reset_check(struct flow *f, const struct packet *pkt, int dir)
{
	const struct flow_side *s = &f->side[dir];

	if ((pkt->tcp_flags & TCP_RST) && !(f->rst & FLOW_RST_SEEN) && s->pkts > 0) {
		f->rst = (uint8_t)(FLOW_RST_SEEN | (dir ? FLOW_RST_FROM_RESP : 0));
		f->rst_ttl = pkt->ttl;
		f->rst_ip_id = pkt->ip_id;
		if (pkt->ttl != f->first_ttl[dir])
			f->rst |= FLOW_RST_TTL_ODD;
		if (pkt->t.family == 4 && f->ip_id_run[dir] >= FLOW_IPID_RUN && pkt->ip_id != 0 &&
		    (uint16_t)(pkt->ip_id - f->ip_id_last[dir] - 1) >= FLOW_IPID_STEP)
			f->rst |= FLOW_RST_IPID_ODD;
	}
	if (pkt->t.family == 4 && !(f->rst & FLOW_RST_SEEN)) {	/* kept as it was before the RST: evidence */
		uint16_t step = (uint16_t)(pkt->ip_id - f->ip_id_last[dir]);

		if (s->pkts > 0 && step >= 1 && step <= FLOW_IPID_STEP)
			f->ip_id_run[dir] += f->ip_id_run[dir] < 255;
		else
			f->ip_id_run[dir] = 0;
		f->ip_id_last[dir] = pkt->ip_id;
	}
}

static void flow_update(struct tracker *tr, struct flow *f, const struct packet *pkt)
{
	int dir = packet_dir(f, &pkt->t);
	struct flow_side *s = &f->side[dir];

	if (s->pkts == 0) {
		f->first_ttl[dir] = pkt->ttl;
		/* once per side of a flow, not per packet; a RST may be someone else's (rst-from-path) */
		if (tr->host_ttl && !(pkt->t.proto == PROTO_TCP && (pkt->tcp_flags & TCP_RST)))
			host_ttl_note(tr->host_ttl, pkt->t.family, pkt->t.src, pkt->ttl);
	}
	if (f->orig.proto == PROTO_TCP)
		tcp_reset_check(f, pkt, dir);
	s->pkts++;
	s->ip_bytes += reassembled_len(pkt);
	if (pkt->ts_us > f->last_us)
		f->last_us = pkt->ts_us;
	if (f->orig.proto == PROTO_TCP) {
		tcp_update(tr, f, pkt, dir);
		dir = packet_dir(f, &pkt->t);	/* the roles may have been swapped */
	} else {
		s->payload_bytes += pkt->l4_payload_len;
		if (f->orig.proto == PROTO_UDP)
			history_add(&f->hist, dir == 0, 'D');
	}
	/* WIRE_DONE0 / WIRE_DONE1 (inspect.h): that side has nothing more to show */
	if (pkt->l4_payload_len && tr->hooks.payload && !(f->wire & (dir ? 2 : 1)))
		tr->hooks.payload(tr->hooks.ctx, f, pkt, dir);
	flow_table_touch(tr->table, f, class_of(f));
}

static uint16_t key_vlan(const struct tracker *tr, const struct packet *pkt)
{
	return tr->vlan_key ? pkt->vlan : 0;
}

struct flow *tracker_quoted_flow(struct tracker *tr, const struct packet *pkt)
{
	uint16_t vlan = key_vlan(tr, pkt);

	if (!pkt->has_quoted)
		return NULL;
	return flow_table_find(tr->table, &pkt->quoted, vlan, flow_table_hash(tr->table, &pkt->quoted, vlan));
}

void tracker_icmp_error(struct tracker *tr, const struct packet *pkt)
{
	struct flow *f = tracker_quoted_flow(tr, pkt);

	if (!f)
		return;
	f->icmp_error = true;
	f->icmp_family = pkt->t.family;
	f->icmp_type = pkt->icmp_type;
	f->icmp_code = pkt->icmp_code;
	tr->st.icmp_errors_matched++;
}

void tracker_prefetch(struct tracker *tr, struct packet *pkt)
{
	if (pkt->later_fragment)
		return;
	if (!pkt->flow_hash_ok) {
		pkt->flow_hash = flow_table_hash(tr->table, &pkt->t, key_vlan(tr, pkt));
		pkt->flow_hash_ok = true;
	}
	flow_table_prefetch(tr->table, pkt->flow_hash);
}

void tracker_prefetch_flow(struct tracker *tr, const struct packet *pkt)
{
	if (pkt->flow_hash_ok)
		flow_table_prefetch_flow(tr->table, pkt->flow_hash);
}

/* A later fragment: its payload goes to its first fragment's flow. */
static struct flow *later_fragment(struct tracker *tr, const struct packet *pkt)
{
	const struct tuple *t = fragments_lookup(tr->frags, pkt);
	struct flow *f;

	if (!t || !(f = flow_table_find(tr->table, t, key_vlan(tr, pkt),
					flow_table_hash(tr->table, t, key_vlan(tr, pkt))))) {
		tr->st.fragment_orphans++;
		return NULL;
	}
	/* Reassembly counts one datagram: add only this fragment's payload. */
	f->side[packet_dir(f, t)].ip_bytes += pkt->ip_len - pkt->ip_hdr_len;
	tr->st.fragments++;
	return f;
}

/* The packet into its own flow, made when new (oriented as Zeek would). */
static struct flow *own_flow(struct tracker *tr, const struct packet *pkt)
{
	uint16_t vlan = key_vlan(tr, pkt);
	uint64_t h = pkt->flow_hash_ok ? pkt->flow_hash : flow_table_hash(tr->table, &pkt->t, vlan);
	struct flow *f;

	f = flow_table_find(tr->table, &pkt->t, vlan, h);
	if (f && is_reuse(f, pkt)) {
		flow_table_end(tr->table, f, FLOW_END_REUSED);
		tr->st.reused++;
		f = NULL;
	}
	if (!f) {
		struct tuple orig;
		bool flip = should_flip(tr, pkt);

		if (flip)
			tuple_reverse(&orig, &pkt->t);
		else
			orig = pkt->t;
		f = flow_table_create(tr->table, &orig, vlan, pkt->ts_us, h,
				      pkt->t.proto == PROTO_TCP ? FLOW_CLASS_TCP
				      : pkt->t.proto == PROTO_UDP ? FLOW_CLASS_UDP : FLOW_CLASS_ICMP);
		if (flip) {
			f->flipped = true;
			history_add(&f->hist, true, '^');
		} else {
			f->to_group = pkt->l2_group;
		}
		f->vlan_count = pkt->vlan_count;
		f->vlan = pkt->vlan;
		f->inner_vlan = pkt->inner_vlan;
	}
	flow_update(tr, f, pkt);
	return f;
}

struct flow *tracker_packet(struct tracker *tr, const struct packet *pkt)
{
	tracker_advance(tr, pkt->ts_us);
	if (pkt->later_fragment)
		return later_fragment(tr, pkt);
	if (pkt->fragment)
		fragments_remember(tr->frags, pkt);
	if (pkt->has_quoted)
		tracker_icmp_error(tr, pkt);
	return own_flow(tr, pkt);
}

struct flow *tracker_packet_own(struct tracker *tr, const struct packet *pkt)
{
	tracker_advance(tr, pkt->ts_us);
	if (pkt->fragment)
		fragments_remember(tr->frags, pkt);
	return own_flow(tr, pkt);
}

void tracker_advance(struct tracker *tr, int64_t now_us)
{
	flow_table_advance(tr->table, now_us);
	fragments_expire(tr->frags, now_us);
}

void tracker_flush(struct tracker *tr)
{
	flow_table_flush(tr->table);
}

void tracker_stats(const struct tracker *tr, struct flow_table_stats *out)
{
	const struct flow_table_stats *t = flow_table_stats(tr->table);

	*out = tr->st;
	out->flows = t->flows;
	out->live = t->live;
	out->peak_live = t->peak_live;
	out->evicted = t->evicted;
}

uint64_t tracker_live(const struct tracker *tr)
{
	return flow_table_stats(tr->table)->live;
}

struct flow_table *tracker_table(struct tracker *tr)
{
	return tr->table;
}

void tracker_free(struct tracker *tr)
{
	if (!tr)
		return;
	flow_table_free(tr->table);
	fragments_free(tr->frags);
	free(tr);
}
