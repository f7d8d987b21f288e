/* flow_table: the hashed table of live flows, their expiry and eviction */
#include "flow_table.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "asan.h"
#include "fragments.h"
#include "host_ttl.h"
#include "inspect.h"
#include "portset.h"
#include "xalloc.h"

/*
 * Flows live in slabs and are recycled through a free list, so the packet
 * path allocates only when the table grows past its high-water mark. Each
 * timeout class keeps a doubly linked list, oldest first, and expiry only
 * ever looks at the heads. A packet moves its flow to the tail only when
 * its last_us has moved LRU_GRAIN_US past lru_us (its last_us when it was
 * put there), or its class changed: moving on every packet touched two
 * neighbouring flows, two cache misses on a big table, for each packet.
 * A list is thus in lru_us order, and a flow's last_us is less than
 * LRU_GRAIN_US after its lru_us: a flow idle past its timeout can wait
 * behind a head that is not for at most that long, and eviction takes a
 * flow within that much of the oldest.
 */
enum { LRU_GRAIN_US = 1000000 };
enum { SLAB_FLOWS = 4096 };

/*
 * A finished flow goes back to the free list, not to free(): AddressSanitizer
 * would not see a use after that. Under ASan, a flow on the free list is
 * poisoned whole (its link included, unpoisoned only while taken), so any
 * read of a recycled flow is reported as one.
 */
#define flow_poison(f) asan_poison((f), sizeof(struct flow))
#define flow_unpoison(f) asan_unpoison((f), sizeof(struct flow))

struct slab {
	struct slab *next;
	struct flow flows[SLAB_FLOWS];
};

struct lru {
	struct flow *head;
	struct flow *tail;
};

struct flow_table {
	struct flow_table_config cfg;
	flow_done_fn done;
	void *ctx;
	struct flow *hash;		/* uthash head */
	struct lru lru[FLOW_CLASS_COUNT];
	struct slab *slabs;
	struct flow *free_list;		/* linked through lru_next */
	struct fragments *frags;
	struct inspect *inspect;	/* or NULL: no payload inspection */
	struct host_ttl *host_ttl;	/* or NULL: hosts' TTLs not noted */
	int64_t now_us;			/* newest packet time seen */
	int64_t next_check_us;		/* no head is due before this: advance skips its scan until then */
	const struct packet *pre_pkt;	/* flow_table_prefetch's packet and the hash it computed */
	uint64_t pre_hash;
	uint8_t builtin_ports[2][PORTSET_BYTES];
	struct flow_table_stats st;
};

/*
 * Registered service ports beyond 0-1023 that Zeek's analyzers claim as
 * likely server ports, plus the Citrix and Parallels RAS ports of the shipped
 * matrices. Used only to orient flows whose first packet is not a SYN.
 */
static const uint16_t builtin_tcp_ports[] = {
	1080, 1433, 1494, 1521, 1723, 1883, 2049, 2598, 2811, 3128, 3268, 3269, 3306, 3389,
	4443, 5060, 5222, 5223, 5269, 5432, 5900, 5985, 5986, 6379, 6666, 6667, 6668, 6669, 7279, 8000,
	8008, 8080, 8082, 8083, 8443, 8888, 9001, 9092, 20000, 20001, 20002, 20003,
	20009, 20020, 20030, 27000, 30004, 30006, 30110,
};
/* The tunnels' ports too (GTP-C/U, Teredo, AYIYA, VXLAN, GENEVE), as Zeek's tunnel analyzers register them. */
static const uint16_t builtin_udp_ports[] = {
	1194, 1494, 1812, 1813, 2123, 2152, 2598, 3389, 3391, 3544, 4500, 4789, 5060, 5072, 5353, 5355,
	6081, 20000, 20009, 27000, 30004, 30110,
};


void flow_table_config_defaults(struct flow_table_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* Zeek: tcp_inactivity_timeout 5 min, tcp_close_delay 5 s, udp/icmp 1 min. */
	cfg->timeout_us[FLOW_CLASS_TCP] = 300 * 1000000LL;
	cfg->timeout_us[FLOW_CLASS_TCP_CLOSED] = 5 * 1000000LL;
	cfg->timeout_us[FLOW_CLASS_UDP] = 60 * 1000000LL;
	cfg->timeout_us[FLOW_CLASS_ICMP] = 60 * 1000000LL;
	/* Zeek's tcp_attempt_delay: an unanswered attempt is removed 5 s after its first SYN. */
	cfg->timeout_us[FLOW_CLASS_TCP_ATTEMPT] = 5 * 1000000LL;
	cfg->max_flows = 1000000;
	cfg->seed = 0x666c6f7761756474ULL;
}

struct flow_table *flow_table_new(const struct flow_table_config *cfg, flow_done_fn done, void *ctx)
{
	struct flow_table *ft = xcalloc(1, sizeof(*ft));
	size_t i;

	ft->cfg = *cfg;
	if (ft->cfg.timeout_us[FLOW_CLASS_TCP_ATTEMPT] > ft->cfg.timeout_us[FLOW_CLASS_TCP])
		ft->cfg.timeout_us[FLOW_CLASS_TCP_ATTEMPT] = ft->cfg.timeout_us[FLOW_CLASS_TCP];
	ft->done = done;
	ft->ctx = ctx;
	ft->frags = fragments_new(cfg->seed);
	ft->next_check_us = INT64_MAX;
	for (i = 0; i < 1024; i++) {
		portset_add(ft->builtin_ports[0], (uint16_t)i);
		portset_add(ft->builtin_ports[1], (uint16_t)i);
	}
	for (i = 0; i < sizeof(builtin_tcp_ports) / sizeof(builtin_tcp_ports[0]); i++)
		portset_add(ft->builtin_ports[0], builtin_tcp_ports[i]);
	for (i = 0; i < sizeof(builtin_udp_ports) / sizeof(builtin_udp_ports[0]); i++)
		portset_add(ft->builtin_ports[1], builtin_udp_ports[i]);
	return ft;
}

bool flow_table_server_port(const struct flow_table *ft, uint8_t proto, uint16_t port)
{
	int i = proto == PROTO_TCP ? 0 : 1;

	if (ft->cfg.server_ports[i] && portset_has(ft->cfg.server_ports[i], port))
		return true;
	return portset_has(ft->builtin_ports[i], port);
}


/*
 * What a lookup compares: a tuple in either direction and the key's VLAN,
 * laid out as a flow's orig and key_vlan are, so that hh.key can point at
 * them and no copy of the key is stored.
 */
struct lookup {
	struct tuple t;
	uint16_t vlan;
};

_Static_assert(offsetof(struct flow, key_vlan) == offsetof(struct flow, orig) + sizeof(struct tuple),
	       "key_vlan must follow orig");
_Static_assert(offsetof(struct lookup, vlan) == sizeof(struct tuple), "lookup must be laid out as a flow's key");

/* Same flow: same protocol, family and VLAN, the endpoints equal one way or the other. */
static int lookup_cmp(const void *stored, const void *wanted)
{
	const struct lookup *x = stored, *y = wanted;

	if (x->vlan != y->vlan || x->t.proto != y->t.proto || x->t.family != y->t.family)
		return 1;
	if (x->t.sport == y->t.sport && x->t.dport == y->t.dport && !memcmp(x->t.src, y->t.src, 16) &&
	    !memcmp(x->t.dst, y->t.dst, 16))
		return 0;
	if (x->t.sport == y->t.dport && x->t.dport == y->t.sport && !memcmp(x->t.src, y->t.dst, 16) &&
	    !memcmp(x->t.dst, y->t.src, 16))
		return 0;
	return 1;
}

#undef HASH_KEYCMP
#define HASH_KEYCMP(a, b, n) ((void)(n), lookup_cmp((a), (b)))

static void lookup_make(struct lookup *l, const struct tuple *t, uint16_t vlan)
{
	l->t = *t;
	l->vlan = vlan;
}

static inline uint64_t hash_word(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/*
 * The hash of a lookup, the same for both directions: the endpoints go in
 * a fixed order (by their bytes read as native words, which needs no
 * canonical key built in memory), then ports, VLAN, protocol and family.
 */
static uint64_t lookup_hash(const struct lookup *l, uint64_t seed)
{
	const struct tuple *t = &l->t;
	uint64_t s[2], d[2], h = seed ^ 0x9e3779b97f4a7c15ULL;
	bool swap;

	memcpy(s, t->src, 16);
	memcpy(d, t->dst, 16);
	swap = s[0] != d[0] ? s[0] > d[0] : s[1] != d[1] ? s[1] > d[1] : t->sport > t->dport;
	h = hash_word(h, swap ? d[0] : s[0]);
	h = hash_word(h, swap ? d[1] : s[1]);
	h = hash_word(h, swap ? s[0] : d[0]);
	h = hash_word(h, swap ? s[1] : d[1]);
	h = hash_word(h, (uint64_t)(swap ? t->dport : t->sport) | (uint64_t)(swap ? t->sport : t->dport) << 16 |
				 (uint64_t)l->vlan << 32 | (uint64_t)t->proto << 48 | (uint64_t)t->family << 56);
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static struct flow *flow_find(struct flow_table *ft, const struct lookup *l, uint64_t h)
{
	struct flow *f = NULL;

	HASH_FIND_BYHASHVALUE(hh, ft->hash, l, sizeof(*l), (unsigned)h, f);
	return f;
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

static void lru_unlink(struct flow_table *ft, struct flow *f)
{
	struct lru *l = &ft->lru[f->lru_class];

	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		l->head = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct flow_table *ft, struct flow *f, enum flow_class c)
{
	struct lru *l = &ft->lru[c];

	f->lru_class = (uint8_t)c;
	f->lru_us = c == FLOW_CLASS_TCP_ATTEMPT ? f->first_us : f->last_us;
	if (f->lru_us + ft->cfg.timeout_us[c] < ft->next_check_us)
		ft->next_check_us = f->lru_us + ft->cfg.timeout_us[c];
	f->lru_next = NULL;
	f->lru_prev = l->tail;
	if (l->tail)
		l->tail->lru_next = f;
	else
		l->head = f;
	l->tail = f;
}

static struct flow *flow_alloc(struct flow_table *ft)
{
	struct flow *f;

	if (!ft->free_list) {
		struct slab *s = xmalloc(sizeof(*s));
		size_t i;

		s->next = ft->slabs;
		ft->slabs = s;
		for (i = 0; i < SLAB_FLOWS; i++) {
			s->flows[i].lru_next = ft->free_list;
			ft->free_list = &s->flows[i];
			flow_poison(&s->flows[i]);
		}
	}
	f = ft->free_list;
	flow_unpoison(f);
	ft->free_list = f->lru_next;
	memset(f, 0, sizeof(*f));
	return f;
}

/* Hand the flow to the sink, then take it out of the table. */
static void flow_finish(struct flow_table *ft, struct flow *f, enum flow_end why)
{
	f->end = (uint8_t)why;
	if (f->ib)
		inspect_flow_end(ft->inspect, f);
	ft->done(f, ft->ctx);
	lru_unlink(ft, f);
	HASH_DELETE(hh, ft->hash, f);
	ft->st.live--;
	f->lru_next = ft->free_list;
	ft->free_list = f;
	flow_poison(f);
}

/* When f, in class c, is due to leave; the attempt class counts from the first packet. */
static int64_t due_us(const struct flow_table *ft, const struct flow *f, int c)
{
	return (c == FLOW_CLASS_TCP_ATTEMPT ? f->first_us : f->last_us) + ft->cfg.timeout_us[c];
}

/* The flow idle longest across all classes (relative to its own timeout). */
static struct flow *oldest_flow(struct flow_table *ft)
{
	struct flow *best = NULL;
	int64_t best_left = 0;
	int c;

	for (c = 0; c < FLOW_CLASS_COUNT; c++) {
		struct flow *f = ft->lru[c].head;
		int64_t left;

		if (!f)
			continue;
		left = due_us(ft, f, c) - ft->now_us;
		if (!best || left < best_left) {
			best = f;
			best_left = left;
		}
	}
	return best;
}

void flow_table_advance(struct flow_table *ft, int64_t now_us)
{
	int c;

	if (now_us > ft->now_us)
		ft->now_us = now_us;
	fragments_expire(ft->frags, ft->now_us);
	/*
	 * Nothing leaves a list before its head does: until the earliest
	 * head is due (or a flow joins a list with an earlier due time, see
	 * lru_append), the scan is skipped.
	 */
	if (ft->now_us < ft->next_check_us)
		return;
	ft->next_check_us = INT64_MAX;
	for (c = 0; c < FLOW_CLASS_COUNT; c++) {
		struct flow *f;

		/* Zeek's attempt timer fires at its time; inactivity needs the timeout passed. */
		while ((f = ft->lru[c].head) && (c == FLOW_CLASS_TCP_ATTEMPT ? due_us(ft, f, c) <= ft->now_us
									   : due_us(ft, f, c) < ft->now_us))
			flow_finish(ft, f, c == FLOW_CLASS_TCP_CLOSED	 ? FLOW_END_CLOSED
					   : c == FLOW_CLASS_TCP_ATTEMPT ? FLOW_END_ATTEMPT
									 : FLOW_END_INACTIVE);
		if (f && due_us(ft, f, c) < ft->next_check_us)
			ft->next_check_us = due_us(ft, f, c);
	}
}

/*
 * Who originated a flow whose first packet we see now (Zeek's
 * WantConnection): the sender of a SYN; otherwise flip when only the
 * sender's port looks like a server port. For TCP with both ports plausible,
 * Zeek flips a non-SYN packet only when the destination port is the higher.
 */
static bool should_flip(const struct flow_table *ft, const struct packet *pkt)
{
	const struct tuple *t = &pkt->t;
	bool src_srv, dst_srv;

	if (t->proto != PROTO_TCP && t->proto != PROTO_UDP)
		return false;
	if (t->proto == PROTO_TCP && (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		return false;
	src_srv = flow_table_server_port(ft, t->proto, t->sport);
	dst_srv = flow_table_server_port(ft, t->proto, t->dport);
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

static struct flow *flow_create(struct flow_table *ft, const struct packet *pkt,
				const struct lookup *l, uint64_t h)
{
	struct flow *f;

	if (ft->st.live >= ft->cfg.max_flows && ft->cfg.max_flows > 0) {
		struct flow *victim = oldest_flow(ft);

		if (victim) {
			flow_finish(ft, victim, FLOW_END_EVICTED);
			ft->st.evicted++;
		}
	}
	f = flow_alloc(ft);
	f->key_vlan = l->vlan;
	if (should_flip(ft, pkt)) {
		tuple_reverse(&f->orig, &pkt->t);
		f->flipped = true;
		history_add(&f->hist, true, '^');
	} else {
		f->orig = pkt->t;
		f->to_group = pkt->l2_group;
	}
	f->uid_seq = ft->st.flows++;
	f->first_us = pkt->ts_us;
	f->last_us = pkt->ts_us;
	f->vlan_count = pkt->vlan_count;
	f->vlan = pkt->vlan;
	f->inner_vlan = pkt->inner_vlan;
	HASH_ADD_KEYPTR_BYHASHVALUE(hh, ft->hash, &f->orig, sizeof(struct lookup), (unsigned)h, f);
	lru_append(ft, f, class_of(f));
	if (++ft->st.live > ft->st.peak_live)
		ft->st.peak_live = ft->st.live;
	return f;
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
static void flow_swap_roles(struct flow *f)
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
	inspect_swap(f);
}

static void tcp_update(struct flow *f, const struct packet *pkt, int dir)
{
	struct tcp_endpoint *ep = &f->tcp[dir], *peer = &f->tcp[!dir];
	/* Zeek's 'W': a zero window that is not part of a reset. */
	bool zero_window = pkt->win == 0 && !(pkt->tcp_flags & TCP_RST) && peer->state != TCPS_CLOSED &&
			   ep->state != TCPS_RESET;

	tcp_state_update(ep, peer, &f->hist, dir == 0, pkt->tcp_flags, pkt->seq, pkt->ack, pkt->l4_payload_len);
	if (zero_window)
		history_add_repeat(&f->hist, dir == 0, 'W');
	if (f->hist.roles_flipped)
		flow_swap_roles(f);
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

static void flow_update(struct flow_table *ft, struct flow *f, const struct packet *pkt)
{
	int dir = packet_dir(f, &pkt->t);
	struct flow_side *s = &f->side[dir];
	enum flow_class c;

	if (s->pkts == 0) {
		f->first_ttl[dir] = pkt->ttl;
		/* once per side of a flow, not per packet; a RST may be someone else's (rst-from-path) */
		if (ft->host_ttl && !(pkt->t.proto == PROTO_TCP && (pkt->tcp_flags & TCP_RST)))
			host_ttl_note(ft->host_ttl, pkt->t.family, pkt->t.src, pkt->ttl);
	}
	if (f->orig.proto == PROTO_TCP)
		tcp_reset_check(f, pkt, dir);
	s->pkts++;
	s->ip_bytes += reassembled_len(pkt);
	if (pkt->ts_us > f->last_us)
		f->last_us = pkt->ts_us;
	if (f->orig.proto == PROTO_TCP) {
		tcp_update(f, pkt, dir);
		dir = packet_dir(f, &pkt->t);	/* the roles may have been swapped */
	} else {
		s->payload_bytes += pkt->l4_payload_len;
		if (f->orig.proto == PROTO_UDP)
			history_add(&f->hist, dir == 0, 'D');
	}
	if (pkt->l4_payload_len && ft->inspect && !(f->wire & (dir ? WIRE_DONE1 : WIRE_DONE0)))
		inspect_packet(ft->inspect, f, pkt, dir);
	c = class_of(f);
	if (c != f->lru_class || (c != FLOW_CLASS_TCP_ATTEMPT && f->last_us - f->lru_us >= LRU_GRAIN_US)) {
		lru_unlink(ft, f);
		lru_append(ft, f, c);
	}
}

/* An ICMP error names the flow it is about: attach it there (lookup only). */
static void attach_icmp_error(struct flow_table *ft, const struct packet *pkt)
{
	struct lookup l;
	struct flow *f;

	lookup_make(&l, &pkt->quoted, ft->cfg.vlan_key ? pkt->vlan : 0);
	f = flow_find(ft, &l, lookup_hash(&l, ft->cfg.seed));
	if (!f)
		return;
	f->icmp_error = true;
	f->icmp_family = pkt->t.family;
	f->icmp_type = pkt->icmp_type;
	f->icmp_code = pkt->icmp_code;
	ft->st.icmp_errors_matched++;
}

void flow_table_set_inspect(struct flow_table *ft, struct inspect *in)
{
	ft->inspect = in;
}

void flow_table_set_host_ttl(struct flow_table *ft, struct host_ttl *ht)
{
	ft->host_ttl = ht;
}

void flow_table_prefetch(struct flow_table *ft, const struct packet *pkt)
{
	struct lookup l;

	ft->pre_pkt = NULL;	/* callers reuse one packet buffer: a hash is only ever for this call's packet */
	if (pkt->later_fragment)
		return;
	lookup_make(&l, &pkt->t, ft->cfg.vlan_key ? pkt->vlan : 0);
	ft->pre_hash = lookup_hash(&l, ft->cfg.seed);
	ft->pre_pkt = pkt;
	if (ft->hash)
		__builtin_prefetch(&ft->hash->hh.tbl->buckets[(unsigned)ft->pre_hash &
							      (ft->hash->hh.tbl->num_buckets - 1)]);
}

struct flow *flow_table_packet(struct flow_table *ft, const struct packet *pkt)
{
	struct lookup l;
	struct flow *f;
	uint64_t h;

	flow_table_advance(ft, pkt->ts_us);
	if (pkt->later_fragment) {
		const struct tuple *t = fragments_lookup(ft->frags, pkt);

		if (!t) {
			ft->st.fragment_orphans++;
			return NULL;
		}
		lookup_make(&l, t, ft->cfg.vlan_key ? pkt->vlan : 0);
		f = flow_find(ft, &l, lookup_hash(&l, ft->cfg.seed));
		if (!f) {
			ft->st.fragment_orphans++;
			return NULL;
		}
		/* Reassembly counts one datagram: add only this fragment's payload. */
		f->side[packet_dir(f, t)].ip_bytes += pkt->ip_len - pkt->ip_hdr_len;
		ft->st.fragments++;
		return f;
	}
	if (pkt->fragment)
		fragments_remember(ft->frags, pkt);
	if (pkt->has_quoted)
		attach_icmp_error(ft, pkt);

	lookup_make(&l, &pkt->t, ft->cfg.vlan_key ? pkt->vlan : 0);
	h = ft->pre_pkt == pkt ? ft->pre_hash : lookup_hash(&l, ft->cfg.seed);
	ft->pre_pkt = NULL;
	f = flow_find(ft, &l, h);
	if (f && is_reuse(f, pkt)) {
		flow_finish(ft, f, FLOW_END_REUSED);
		ft->st.reused++;
		f = NULL;
	}
	if (!f)
		f = flow_create(ft, pkt, &l, h);
	flow_update(ft, f, pkt);
	return f;
}

void flow_table_flush(struct flow_table *ft)
{
	struct flow *f;

	while ((f = oldest_flow(ft)))
		flow_finish(ft, f, FLOW_END_CAPTURE);
}

const struct flow_table_stats *flow_table_stats(const struct flow_table *ft)
{
	return &ft->st;
}

void flow_table_free(struct flow_table *ft)
{
	struct slab *s;

	struct flow *f, *tmp;

	if (!ft)
		return;
	HASH_ITER(hh, ft->hash, f, tmp)
		if (f->ib)
			inspect_flow_end(ft->inspect, f);	/* frees the handshake buffers */
	HASH_CLEAR(hh, ft->hash);
	while ((s = ft->slabs)) {
		ft->slabs = s->next;
		asan_unpoison(s, sizeof(*s));
		free(s);
	}
	fragments_free(ft->frags);
	free(ft);
}
