/* conn_log: one JSON object per finished flow (JSON Lines), Zeek's conn.log fields */
#include "conn_log.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "community_id.h"
#include "decode.h"
#include "findings.h"
#include "inspect.h"
#include "json.h"
#include "tls.h"
#include "outfile.h"
#include "xalloc.h"

struct conn_log {
	pthread_mutex_t lock;		/* conn_log_write: workers take turns at the stream */
	struct outfile *of;
	FILE *out;
	bool flush_each;
	uint64_t uid_seed;
	char *iobuf;
};

enum { CONN_LOG_IOBUF = 1 << 20 };

struct conn_log *conn_log_open(const char *path, bool live, uint64_t uid_seed, char *errbuf, size_t errlen)
{
	struct conn_log *cl;
	struct outfile *of = outfile_open(path, live ? OUTFILE_STREAM : OUTFILE_WHOLE, errbuf, errlen);

	if (!of)
		return NULL;
	cl = xcalloc(1, sizeof(*cl));
	pthread_mutex_init(&cl->lock, NULL);
	cl->of = of;
	cl->out = outfile_stream(of);
	cl->uid_seed = uid_seed;
	cl->iobuf = xmalloc(CONN_LOG_IOBUF);
	setvbuf(cl->out, cl->iobuf, _IOFBF, CONN_LOG_IOBUF);
	if (live)
		cl->flush_each = true;
	return cl;
}

/* A key of the program's own (compile-time length, no escaping) and its value: one conn-log field. */
#define KV_STR(j, lit, v) (JSON_KEY((j), lit), json_str((j), (v)))
#define KV_U64(j, lit, v) (JSON_KEY((j), lit), json_u64((j), (v)))

const char *conn_log_proto_name(uint8_t proto)
{
	switch (proto) {
	case PROTO_TCP:
		return "tcp";
	case PROTO_UDP:
		return "udp";
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		return "icmp";
	default:
		return "unknown_transport";
	}
}

/* The contract's audit fields; roles and rule are null where there is none. */
static void render_audit(struct json *j, const struct classification *cls, const struct rule_set *rs)
{
	const struct rule *ru = cls->rule >= 0 ? &rs->rules[cls->rule] : NULL;

	KV_STR(j, "verdict", verdict_name(cls->verdict));
	JSON_KEY(j, "reason");
	cls->reason != R_NONE ? json_str(j, reason_name(cls->reason)) : json_null(j);
	JSON_KEY(j, "rule");
	ru ? json_str(j, ru->name) : json_null(j);
	JSON_KEY(j, "category");
	ru ? json_str(j, rules_category_name(ru->category)) : json_null(j);
	JSON_KEY(j, "orig_role");
	cls->orig_role >= 0 ? json_str(j, rules_role_name(rs, cls->orig_role)) : json_null(j);
	JSON_KEY(j, "resp_role");
	cls->resp_role >= 0 ? json_str(j, rules_role_name(rs, cls->resp_role)) : json_null(j);
}

/* A RST answering the SYN, told from the host or from the path: its TTL and the host's own (conn log). */
static void render_rst_origin(struct json *j, const struct flow *f, const struct classification *cls)
{
	if (cls->reason != R_RST_FROM_HOST && cls->reason != R_RST_FROM_PATH)
		return;
	KV_STR(j, "rst_from", "resp");
	KV_U64(j, "rst_ttl", f->first_ttl[1]);
	KV_U64(j, "rst_side_ttl", cls->rst_host_ttl);
}

/* The contract's wire-evidence fields, where seen. */
static void render_wire(struct json *j, const struct flow *f)
{
	const struct tls_evidence *ev = f->tls;
	const char *v;

	if (f->service != SVC_NONE)
		KV_STR(j, "service", service_name(f->service));
	else if (f->tunnel)
		KV_STR(j, "service", decode_tunnel_name(f->tunnel));	/* Zeek names a tunnel's outer connection so */
	if (ev) {
		if (ev->sni)
			KV_STR(j, "server_name", ev->sni);
		if (ev->server_hello && (v = tls_version_name(ev->version)))
			KV_STR(j, "tls_version", v);
		if (ev->subject)
			KV_STR(j, "cert_subject", ev->subject);
		if (ev->issuer)
			KV_STR(j, "cert_issuer", ev->issuer);
		if (ev->chain)
			KV_STR(j, "cert_chain", ev->chain);
		if (ev->server_hello) {
			JSON_KEY(j, "cert_visible");
			json_bool(j, ev->cert_visible);
		}
	}
	if (f->rst & (FLOW_RST_TTL_ODD | FLOW_RST_IPID_ODD)) {
		int side = f->rst & FLOW_RST_FROM_RESP ? 1 : 0;

		KV_STR(j, "rst_from", side ? "resp" : "orig");
		KV_U64(j, "rst_ttl", f->rst_ttl);
		KV_U64(j, "rst_side_ttl", f->first_ttl[side]);
		if (f->orig.family == 4) {
			KV_U64(j, "rst_ip_id", f->rst_ip_id);
			KV_U64(j, "rst_side_ip_id", f->ip_id_last[side]);
		}
	}
}

static void render(struct json *j, const struct flow *f, uint64_t uid_seed, const struct classification *cls,
		   const struct rule_set *rs, const struct finding_ids *ids)
{
	char uid[FLOW_UID_LEN], a[ADDR_STRLEN], cid[COMMUNITY_ID_LEN];
	int64_t duration = f->last_us - f->first_us;

	flow_uid(f, uid_seed, uid);
	json_begin_object(j);
	JSON_KEY(j, "ts");
	json_usec(j, f->first_us);
	KV_STR(j, "uid", uid);
	KV_STR(j, "id.orig_h", addr_format(f->orig.family, f->orig.src, a));
	KV_U64(j, "id.orig_p", f->orig.sport);
	KV_STR(j, "id.resp_h", addr_format(f->orig.family, f->orig.dst, a));
	KV_U64(j, "id.resp_p", f->orig.dport);
	KV_STR(j, "proto", conn_log_proto_name(f->orig.proto));
	KV_U64(j, "ip_proto", f->orig.proto);	/* Zeek 7.1's field: the IP protocol number, for any transport */
	/* Zeek sets duration and byte counts only when the duration is positive. */
	if (duration > 0) {
		JSON_KEY(j, "duration");
		json_usec(j, duration);
		KV_U64(j, "orig_bytes", flow_payload_bytes(f, 0));
		KV_U64(j, "resp_bytes", flow_payload_bytes(f, 1));
	}
	KV_STR(j, "conn_state", conn_state_name(flow_conn_state(f)));
	KV_U64(j, "missed_bytes", flow_missed_bytes(f));
	if (f->hist.len)
		KV_STR(j, "history", f->hist.s);
	KV_U64(j, "orig_pkts", f->side[0].pkts);
	KV_U64(j, "orig_ip_bytes", f->side[0].ip_bytes);
	KV_U64(j, "resp_pkts", f->side[1].pkts);
	KV_U64(j, "resp_ip_bytes", f->side[1].ip_bytes);
	if (community_id_v1(&f->orig, 0, cid, sizeof(cid)) == 0)
		KV_STR(j, "community_id", cid);
	if (f->tunnel_parent[0]) {
		JSON_KEY(j, "tunnel_parents");	/* Zeek: a set of the outer connections' uids */
		json_begin_array(j);
		json_str(j, f->tunnel_parent[0]);
		if (f->tunnel_parent[1])
			json_str(j, f->tunnel_parent[1]);
		json_end_array(j);
	}
	if (f->vlan_count >= 1)
		KV_U64(j, "vlan", f->vlan);
	if (f->vlan_count >= 2)
		KV_U64(j, "inner_vlan", f->inner_vlan);
	render_wire(j, f);
	if (cls && cls->local_orig >= 0) {
		JSON_KEY(j, "local_orig");
		json_bool(j, cls->local_orig);
		JSON_KEY(j, "local_resp");
		json_bool(j, cls->local_resp);
	}
	if (cls && rs) {
		render_audit(j, cls, rs);
		render_rst_origin(j, f, cls);
	}
	if (ids && ids->n) {
		int i;

		JSON_KEY(j, "findings");
		json_begin_array(j);
		for (i = 0; i < ids->n; i++)
			json_str(j, ids->id[i]);
		json_end_array(j);
	}
	json_end_object(j);
}

void conn_log_render(struct json *j, const struct flow *f, uint64_t uid_seed, const struct classification *cls,
		     const struct rule_set *rs)
{
	render(j, f, uid_seed, cls, rs, NULL);
}

void conn_log_write(struct conn_log *cl, struct json *j, const struct flow *f, const struct classification *cls,
		    const struct rule_set *rs, const struct finding_ids *ids)
{
	json_reset(j);
	render(j, f, cl->uid_seed, cls, rs, ids);
	json_raw(j, "\n", 1);
	pthread_mutex_lock(&cl->lock);
	if (json_write(j, cl->out) == 0 && cl->flush_each)
		fflush(cl->out);
	pthread_mutex_unlock(&cl->lock);
}

int conn_log_close(struct conn_log *cl, char *errbuf, size_t errlen)
{
	int rc;

	if (!cl)
		return 0;
	rc = outfile_commit(cl->of, errbuf, errlen);
	pthread_mutex_destroy(&cl->lock);
	free(cl->iobuf);
	free(cl);
	return rc;
}

void conn_log_abort(struct conn_log *cl)
{
	if (!cl)
		return;
	outfile_abort(cl->of);
	pthread_mutex_destroy(&cl->lock);
	free(cl->iobuf);
	free(cl);
}
