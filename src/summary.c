/* summary: what the finished flows add up to — counts by protocol and state, top talkers */
#include "summary.h"

#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "decode.h"
#include "fasthash.h"
#include "xalloc.h"

struct host_entry {
	uint8_t key[17];	/* family, then 16 address bytes */
	UT_hash_handle hh;
	struct host_count c;
};

void summary_init(struct summary *s)
{
	memset(s, 0, sizeof(*s));
	fasthash_seed_once();
}

static enum summary_proto proto_index(uint8_t proto)
{
	if (proto == PROTO_TCP)
		return SP_TCP;
	if (proto == PROTO_UDP)
		return SP_UDP;
	if (proto == PROTO_ICMP || proto == PROTO_ICMPV6)
		return SP_ICMP;
	return SP_OTHER;
}

/* The host table is capped: past SUMMARY_MAX_HOSTS new hosts are counted, not kept. */
static struct host_entry *host_get(struct summary *s, uint8_t family, const uint8_t *addr)
{
	struct host_entry *e;
	uint8_t key[17];

	key[0] = family;
	memcpy(key + 1, addr, 16);
	HASH_FIND(hh, s->host_table, key, sizeof(key), e);
	if (e)
		return e;
	if (s->hosts >= SUMMARY_MAX_HOSTS)
		return NULL;
	e = xcalloc(1, sizeof(*e));
	memcpy(e->key, key, sizeof(key));
	e->c.family = family;
	memcpy(e->c.addr, addr, 16);
	HASH_ADD(hh, s->host_table, key, sizeof(e->key), e);
	s->hosts++;
	return e;
}

void summary_add_flow(struct summary *s, const struct flow *f)
{
	enum summary_proto p = proto_index(f->orig.proto);
	uint64_t bytes = f->side[0].ip_bytes + f->side[1].ip_bytes;
	struct host_entry *o, *r;

	s->flows++;
	s->by_proto[p]++;
	if (f->tunnel && f->tunnel < TUNNEL_KIND_COUNT) {
		s->tunnels[f->tunnel]++;
		s->tunnels_mirror += f->tunnel_mirror;
	}
	s->tunnelled += f->tunnel_parent[0] != NULL;
	s->by_state[flow_conn_state(f)][p]++;
	s->ip_bytes += bytes;
	o = host_get(s, f->orig.family, f->orig.src);
	r = host_get(s, f->orig.family, f->orig.dst);
	if (o) {
		o->c.flows_orig++;
		o->c.bytes += bytes;
	}
	if (r) {
		r->c.flows_resp++;
		r->c.bytes += bytes;
	}
	if (!o || !r)
		s->hosts_untracked++;
}

static int host_cmp(const void *a, const void *b)
{
	const struct host_count *x = a, *y = b;
	uint64_t fx = x->flows_orig + x->flows_resp, fy = y->flows_orig + y->flows_resp;

	if (fx != fy)
		return fx < fy ? 1 : -1;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->family != y->family)
		return x->family - y->family;
	return memcmp(x->addr, y->addr, 16);
}

/* One pass keeping the n first in host_cmp order (a total order, so the result never depends on the hash). */
int summary_top_hosts(const struct summary *s, struct host_count *out, int n)
{
	struct host_entry *e, *tmp;
	int k = 0;

	if (n <= 0)
		return 0;
	HASH_ITER(hh, s->host_table, e, tmp) {
		int at;

		if (k == n && host_cmp(&e->c, &out[n - 1]) >= 0)
			continue;
		at = k < n ? k++ : n - 1;
		while (at > 0 && host_cmp(&e->c, &out[at - 1]) < 0) {
			out[at] = out[at - 1];
			at--;
		}
		out[at] = e->c;
	}
	return k;
}

void summary_free(struct summary *s)
{
	struct host_entry *e, *tmp;

	HASH_ITER(hh, s->host_table, e, tmp) {
		HASH_DEL(s->host_table, e);
		free(e);
	}
}

uint64_t summary_tunnels_named(const struct summary *s, int k)
{
	const char *name = decode_tunnel_name(k);
	uint64_t n = 0;
	int j;

	for (j = 1; j < TUNNEL_KIND_COUNT; j++) {
		if (strcmp(decode_tunnel_name(j), name) != 0)
			continue;
		if (j < k)
			return 0;
		n += s->tunnels[j];
	}
	return n;
}
