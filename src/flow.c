/* flow: the derived views of a flow: uid, conn_state, byte counts */
#include "flow.h"

#include <string.h>

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * 'C' and 18 base62 digits: Zeek's shape. Mixed from the seed, the first
 * packet's time and the originator's tuple (not the creation number, which
 * depends on how the packets were shared between workers), so the same
 * input gives the same uids (conn logs diff cleanly) while different
 * captures do not collide.
 */
void flow_uid(const struct flow *f, uint64_t seed, char out[FLOW_UID_LEN])
{
	uint64_t w[2], x, h = splitmix64(seed) ^ splitmix64((uint64_t)f->first_us);
	size_t i;
	int n = 0;

	for (i = 0; i < 16; i += 8) {
		memcpy(&x, f->orig.src + i, 8);
		h = splitmix64(h ^ x);
		memcpy(&x, f->orig.dst + i, 8);
		h = splitmix64(h ^ x);
	}
	h = splitmix64(h ^ ((uint64_t)f->orig.sport | (uint64_t)f->orig.dport << 16 | (uint64_t)f->key_vlan << 32 |
			    (uint64_t)f->orig.proto << 48 | (uint64_t)f->orig.family << 56));
	w[0] = h;
	w[1] = splitmix64(h ^ seed);
	out[n++] = 'C';
	for (i = 0; i < 2; i++) {
		int d;

		for (d = 0; d < 9; d++) {
			out[n++] = base62[w[i] % 62];
			w[i] /= 62;
		}
	}
	out[n] = '\0';
}

int flow_order_cmp_key(int64_t a_first_us, const struct tuple *a, uint16_t a_vlan, int64_t b_first_us,
		       const struct tuple *b, uint16_t b_vlan)
{
	int c;

	if (a_first_us != b_first_us)
		return a_first_us < b_first_us ? -1 : 1;
	if ((c = memcmp(a->src, b->src, 16)) || (c = memcmp(a->dst, b->dst, 16)))
		return c < 0 ? -1 : 1;
	if (a->sport != b->sport)
		return a->sport < b->sport ? -1 : 1;
	if (a->dport != b->dport)
		return a->dport < b->dport ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a_vlan != b_vlan)
		return a_vlan < b_vlan ? -1 : 1;
	return 0;
}

int flow_order_cmp(const struct flow *a, const struct flow *b)
{
	return flow_order_cmp_key(a->first_us, &a->orig, a->key_vlan, b->first_us, &b->orig, b->key_vlan);
}

void flow_settle(struct flow *f)
{
	f->settled_state = (uint8_t)(flow_conn_state(f) + 1);
}

enum conn_state flow_conn_state(const struct flow *f)
{
	if (f->settled_state)
		return (enum conn_state)(f->settled_state - 1);
	switch (f->orig.proto) {
	case PROTO_TCP:
		return conn_state_tcp(&f->tcp[0], &f->tcp[1], f->hist.s);
	case PROTO_UDP:
		return conn_state_udp(f->side[0].pkts > 0, f->side[1].pkts > 0);
	default:
		return CS_OTH;	/* Zeek's conn_state() is OTH for anything but TCP and UDP */
	}
}

uint64_t flow_payload_bytes(const struct flow *f, int side)
{
	if (f->orig.proto == PROTO_TCP)
		return tcp_endpoint_size(&f->tcp[side], &f->tcp[!side]);
	return f->side[side].payload_bytes;
}

uint64_t flow_missed_bytes(const struct flow *f)
{
	if (f->orig.proto != PROTO_TCP)
		return 0;
	return tcp_missed_bytes(&f->tcp[0]) + tcp_missed_bytes(&f->tcp[1]);
}
