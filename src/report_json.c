/* report_json: the audit as one JSON document — summary, matrix, findings, capture */
#include "report.h"

#include "addr.h"
#include "conn_log.h"
#include "evidence.h"
#include "inspect.h"
#include "json.h"

enum { TOP_HOSTS = 10 };

static const char *const proto_names[SP_COUNT] = { "tcp", "udp", "icmp", "unknown_transport" };

/* One list of health items: kind (a name or "EtherType 0x88b5"), frames, and what decode knows of it. */
static void json_health_items(struct json *j, const char *key, const struct health_item *items, int n)
{
	int i;

	json_key(j, key);
	json_begin_array(j);
	for (i = 0; i < n; i++) {
		json_begin_object(j);
		json_kv_str(j, "kind", items[i].label);
		json_kv_u64(j, "frames", items[i].frames);
		if (items[i].code) {
			json_kv_str(j, "layer", health_space_name(items[i].code));
			json_kv_u64(j, "value", DECODE_NOT_IP_VALUE(items[i].code));
		} else {
			json_kv_str(j, "layer", "decode");
		}
		json_end_object(j);
	}
	json_end_array(j);
}

/* What could not be read, by kind, and whether that is enough to doubt silence (health.h). */
static void json_health(struct json *j, const struct report_input *in)
{
	enum { SHOW = HEALTH_KINDS_MAX + DECODE_ERROR_COUNT };
	struct health_item items[SHOW];
	char bufs[SHOW][48], pct[32];
	int n;

	json_key(j, "health");
	if (!in->health) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_kv_u64(j, "frames", health_frames(in->health));
	json_kv_u64(j, "unreadable", health_unreadable(in->health));
	snprintf(pct, sizeof(pct), "%.1f", health_unreadable_percent(in->health));
	json_key(j, "unreadable_percent");
	json_num(j, pct);
	json_key(j, "degraded");
	json_bool(j, health_degraded(in->health));
	json_kv_u64(j, "warn_percent", HEALTH_WARN_PERMILLE / 10);
	n = health_unreadable_kinds(in->health, items, bufs, SHOW);
	json_health_items(j, "unreadable_by_kind", items, n);
	n = health_named_not_ip(in->health, items, bufs, SHOW);
	json_health_items(j, "not_ip", items, n);
	json_end_object(j);
}

static void json_capture(struct json *j, const struct report_input *in)
{
	const struct capture_stats *c = in->capture;
	int i, e;

	json_key(j, "capture");
	json_begin_object(j);
	json_kv_str(j, "mode", in->mode);
	json_key(j, "inputs");
	json_begin_array(j);
	for (i = 0; i < c->ninputs; i++) {
		json_begin_object(j);
		json_kv_str(j, "path", c->inputs[i].path);
		json_kv_str(j, "link_type", c->inputs[i].nlinks || !c->inputs[i].ng ?
					    decode_link_name(c->inputs[i].dlt) : "none");
		if (c->inputs[i].ng) {
			/* pcapng: every interface's link type (the one above is the first interface's) */
			int k;

			json_key(j, "link_types");
			json_begin_array(j);
			for (k = 0; k < c->inputs[i].nlinks; k++)
				json_str(j, decode_link_name(c->inputs[i].links[k]));
			json_end_array(j);
			json_kv_u64(j, "skipped_blocks", c->inputs[i].skipped_blocks);
			if (c->inputs[i].unsupported)
				json_kv_u64(j, "unsupported_packets", c->inputs[i].unsupported);
		}
		json_kv_u64(j, "packets", c->inputs[i].packets);
		if (!c->live && c->inputs[i].packets) {
			json_key(j, "first_ts");
			json_usec(j, c->inputs[i].first_us);
			json_key(j, "last_ts");
			json_usec(j, c->inputs[i].last_us);
		}
		if (c->inputs[i].compressed) {
			json_key(j, "compressed");
			json_bool(j, true);
		}
		if (c->inputs[i].damage[0])
			json_kv_str(j, "damage", c->inputs[i].damage);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "filter");
	in->filter ? json_str(j, in->filter) : json_null(j);
	json_kv_u64(j, "packets", c->packets);
	json_kv_u64(j, "wire_bytes", c->wire_bytes);
	json_kv_u64(j, "duplicates", in->duplicates);
	json_kv_u64(j, "dropped", c->dropped);
	if (c->live) {
		json_kv_str(j, "interface", c->iface ? c->iface : "");
		json_kv_u64(j, "received", c->received);
		json_kv_u64(j, "if_dropped", c->if_dropped);
		json_key(j, "stopped_by");
		c->stopped_by ? json_str(j, c->stopped_by) : json_null(j);
		json_key(j, "interim");
		json_bool(j, in->interim);
		json_key(j, "started_ts");
		json_usec(j, c->started_us);
		json_key(j, "stopped_ts");
		c->stopped_us ? json_usec(j, c->stopped_us) : json_null(j);
		json_kv_u64(j, "live_flows", in->live_flows);
	}
	json_key(j, "first_ts");
	c->packets ? json_usec(j, c->first_us) : json_null(j);
	json_key(j, "last_ts");
	c->packets ? json_usec(j, c->last_us) : json_null(j);
	if (!c->live) {
		json_key(j, "covered");	/* seconds: the union of the inputs' own spans */
		json_usec(j, c->covered_us);
	}
	json_kv_u64(j, "ts_backwards", c->ts_backwards);
	json_key(j, "decode");
	json_begin_object(j);
	for (e = 0; e < DECODE_ERROR_COUNT; e++)
		json_kv_u64(j, decode_error_name((enum decode_error)e), in->decode[e]);
	json_end_object(j);
	json_health(j, in);
	json_end_object(j);
}

/* Payload inspection: null with --no-inspect. */
static void json_payload(struct json *j, const struct report_input *in)
{
	const struct inspect_stats *st = in->inspect;
	int s;

	json_key(j, "payload");
	if (!st) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_kv_u64(j, "flows", st->flows);
	json_key(j, "services");
	json_begin_object(j);
	for (s = 1; s < SVC_COUNT; s++)
		if (st->by_service[s])
			json_kv_u64(j, service_name((enum service)s), st->by_service[s]);
	json_end_object(j);
	json_kv_u64(j, "tls_client_hellos", st->tls_handshakes);
	json_kv_u64(j, "tls_certificates", st->tls_certificates);
	json_kv_u64(j, "tls_malformed", st->tls_malformed);
	json_kv_u64(j, "tls_not_judged_tls13", findings_tls_hidden(in->findings));
	json_kv_u64(j, "cut_short", st->gaps);
	json_kv_u64(j, "over_budget", st->over_budget);
	json_kv_u64(j, "evidence_dropped", st->evidence_dropped);
	json_end_object(j);
}

static void json_flow_table(struct json *j, const struct flow_table_stats *t)
{
	json_key(j, "flow_table");
	json_begin_object(j);
	json_kv_u64(j, "peak_live", t->peak_live);
	json_kv_u64(j, "evicted", t->evicted);
	json_kv_u64(j, "reused", t->reused);
	json_kv_u64(j, "fragments", t->fragments);
	json_kv_u64(j, "fragment_orphans", t->fragment_orphans);
	json_kv_u64(j, "icmp_errors_matched", t->icmp_errors_matched);
	json_end_object(j);
}

static void json_talkers(struct json *j, const struct summary *s)
{
	struct host_count top[TOP_HOSTS];
	int i, n = summary_top_hosts(s, top, TOP_HOSTS);

	json_key(j, "top_talkers");
	json_begin_array(j);
	for (i = 0; i < n; i++) {
		char a[ADDR_STRLEN];

		json_begin_object(j);
		json_kv_str(j, "host", addr_format(top[i].family, top[i].addr, a));
		json_kv_u64(j, "flows", top[i].flows_orig + top[i].flows_resp);
		json_kv_u64(j, "flows_orig", top[i].flows_orig);
		json_kv_u64(j, "flows_resp", top[i].flows_resp);
		json_kv_u64(j, "ip_bytes", top[i].bytes);
		json_end_object(j);
	}
	json_end_array(j);
}

static void json_summary(struct json *j, const struct report_input *in)
{
	const struct summary *s = in->summary;
	int p, st, k;

	json_key(j, "summary");
	json_begin_object(j);
	json_kv_str(j, "mode", !in->rules ? "flows" : in->site ? "site" : "port-only");
	json_key(j, "site");
	in->site ? json_str(j, in->site->name) : json_null(j);
	if (in->rules) {
		int nm, nr;

		report_rules_applied(in, &nm, &nr);
		json_kv_u64(j, "matrices", (uint64_t)in->rules->nmatrices);
		json_kv_u64(j, "matrices_applied", (uint64_t)nm);
		json_kv_u64(j, "rules", (uint64_t)in->rules->nrules);
		json_kv_u64(j, "rules_applied", (uint64_t)nr);
	}
	json_kv_u64(j, "flows", s->flows);
	json_kv_u64(j, "ip_bytes", s->ip_bytes);
	json_key(j, "tunnels");	/* outer flows by tunnel kind, and the flows opened from them */
	json_begin_object(j);
	for (p = 1; p < TUNNEL_KIND_COUNT; p++)
		if (summary_tunnels_named(s, p))
			json_kv_u64(j, decode_tunnel_name(p), summary_tunnels_named(s, p));
	json_end_object(j);
	json_kv_u64(j, "tunnels_mirror", s->tunnels_mirror);
	json_kv_u64(j, "tunnelled_flows", s->tunnelled);
	json_key(j, "by_proto");
	json_begin_object(j);
	for (p = 0; p < SP_COUNT; p++)
		json_kv_u64(j, proto_names[p], s->by_proto[p]);
	json_end_object(j);
	json_key(j, "conn_state");
	json_begin_object(j);
	for (st = 0; st < CS_COUNT; st++) {
		json_key(j, conn_state_name((enum conn_state)st));
		json_begin_object(j);
		for (p = 0; p < SP_COUNT; p++)
			json_kv_u64(j, proto_names[p], s->by_state[st][p]);
		json_end_object(j);
	}
	json_end_object(j);
	if (in->findings) {
		json_key(j, "findings");
		json_begin_object(j);
		for (k = 0; k < FK_COUNT; k++)
			json_kv_u64(j, findings_kind_name((enum finding_kind)k),
				    findings_count(in->findings, (enum finding_kind)k));
		json_end_object(j);
		json_kv_u64(j, "flows_not_itemised", findings_dropped(in->findings));
		json_kv_u64(j, "flows_pairs_untracked", findings_untracked(in->findings));
	}
	json_flow_table(j, in->table);
	json_payload(j, in);
	json_talkers(j, s);
	json_end_object(j);
}

static void json_roles(struct json *j, const struct report_input *in, const int *roles, int n)
{
	int i;

	json_begin_array(j);
	for (i = 0; i < n; i++)
		json_str(j, rules_role_name(in->rules, roles[i]));
	json_end_array(j);
}

static void json_matrix(struct json *j, const struct report_input *in)
{
	const struct rule_stats *stats = findings_rule_stats(in->findings);
	int r, v;

	json_key(j, "matrix");
	json_begin_array(j);
	for (r = 0; r < in->rules->nrules; r++) {
		const struct rule *ru = &in->rules->rules[r];
		char ports[256];

		if (!stats[r].total && stats[r].absent < 0)
			continue;
		if (in->site && in->site->matrix_on && !in->site->matrix_on[ru->matrix])
			continue;
		report_rule_ports(ru, ports, sizeof(ports));
		json_begin_object(j);
		json_kv_str(j, "rule", ru->name);
		json_kv_str(j, "category", rules_category_name(ru->category));
		json_key(j, "from");
		json_roles(j, in, ru->from, ru->nfrom);
		json_key(j, "to");
		json_roles(j, in, ru->to, ru->nto);
		json_kv_str(j, "ports", ports);
		json_kv_str(j, "expect", rules_expect_name(ru->expect));
		json_kv_str(j, "action", rules_action_name(ru->action));
		json_key(j, "flows");
		json_begin_object(j);
		for (v = 0; v < V_COUNT; v++)
			if (v != V_UNMATCHED && v != V_RELATED)
				json_kv_u64(j, verdict_name((enum verdict)v), stats[r].flows[v]);
		json_end_object(j);
		json_key(j, "wire");
		json_begin_object(j);
		json_kv_u64(j, "wrong-protocol", stats[r].wire[WIRE_WRONG_PROTOCOL]);
		json_kv_u64(j, "tls-intercepted", stats[r].wire[WIRE_TLS_INTERCEPTED]);
		json_kv_u64(j, "middlebox-reset", stats[r].wire[WIRE_MIDDLEBOX_RESET]);
		json_end_object(j);
		json_kv_str(j, "status", report_rule_status(ru, &stats[r]));
		json_end_object(j);
	}
	json_end_array(j);
}

static void json_role_or_null(struct json *j, const struct report_input *in, const char *key, int role)
{
	json_key(j, key);
	role >= 0 || role == ROLE_ANY ? json_str(j, rules_role_name(in->rules, role)) : json_null(j);
}

void report_json_evidence_counts(struct json *j, const struct evidence_file *ef)
{
	JSON_KEY(j, "flows");
	json_u64(j, ef->flows);
	JSON_KEY(j, "flows_total");
	json_u64(j, ef->flows_total);
	JSON_KEY(j, "packets");
	json_u64(j, ef->packets);
	JSON_KEY(j, "icmp_errors");
	json_u64(j, ef->icmp_errors);
	JSON_KEY(j, "packets_cut");
	json_u64(j, ef->packets_cut);
}

void report_json_evidence_buffers(struct json *j, const struct evidence_result *ev)
{
	if (!ev->buffered)
		return;
	JSON_KEY(j, "memory_cap");
	json_u64(j, ev->memory_cap);
	JSON_KEY(j, "memory_peak");
	json_u64(j, ev->memory_peak);
	JSON_KEY(j, "dropped_packets");
	json_u64(j, ev->dropped_packets);
	JSON_KEY(j, "dropped_flows");
	json_u64(j, ev->dropped_flows);
}

/*
 * --evidence: the finding's pcapng file. Its own key, evidence_file: a wire
 * finding's "evidence" (what the payload or the reset showed) was there first.
 */
static void json_evidence_file(struct json *j, const struct report_input *in, const struct finding *fi, int at)
{
	const struct evidence_file *ef = report_evidence_file(in->evidence, at, fi->id);

	if (!ef)
		return;
	JSON_KEY(j, "evidence_file");
	json_begin_object(j);
	JSON_KEY(j, "file");
	json_str(j, ef->name);
	JSON_KEY(j, "written");
	json_bool(j, ef->written);
	report_json_evidence_counts(j, ef);
	json_end_object(j);
}

/* at: the finding's index in findings_list (where its evidence entry is). */
static void json_finding(struct json *j, const struct report_input *in, const struct finding *fi, int at)
{
	const struct rule *ru = fi->rule >= 0 ? &in->rules->rules[fi->rule] : NULL;
	char a[ADDR_STRLEN];

	int i;

	json_begin_object(j);
	json_kv_str(j, "id", fi->id);
	json_kv_str(j, "kind", findings_kind_name(fi->kind));
	json_key(j, "rule");
	ru ? json_str(j, ru->name) : json_null(j);
	json_key(j, "category");
	ru ? json_str(j, rules_category_name(ru->category)) : json_null(j);
	json_role_or_null(j, in, "orig_role", fi->orig_role);
	json_role_or_null(j, in, "resp_role", fi->resp_role);
	json_kv_str(j, "proto", fi->proto == PROTO_TCP ? "tcp" : fi->proto == PROTO_UDP ? "udp" : "icmp");
	json_kv_u64(j, "port", fi->port);
	if (report_finding_icmp_type(fi))
		json_kv_str(j, "icmp_type", report_finding_icmp_type(fi));
	json_key(j, "reason");
	fi->reason != R_NONE ? json_str(j, reason_name(fi->reason)) : json_null(j);
	json_kv_u64(j, "count", fi->count);
	json_kv_u64(j, "flows", fi->count);
	if (fi->kind != FK_MISSING && fi->kind != FK_NOT_VISIBLE) {
		json_kv_u64(j, "hosts", fi->hosts);
		if (fi->hosts_capped) {
			json_key(j, "hosts_at_least");
			json_bool(j, true);
		}
		json_key(j, "pairs");
		json_begin_array(j);
		for (i = 0; i < fi->npairs; i++) {
			json_begin_object(j);
			json_kv_str(j, "orig_h", addr_format(fi->pairs[i].family, fi->pairs[i].orig_h, a));
			json_kv_str(j, "resp_h", addr_format(fi->pairs[i].family, fi->pairs[i].resp_h, a));
			json_kv_u64(j, "flows", fi->pairs[i].flows);
			json_kv_str(j, "uid", fi->pairs[i].uid);
			json_end_object(j);
		}
		json_end_array(j);
	}
	if (fi->nrelated) {
		json_key(j, "related");
		json_begin_array(j);
		for (i = 0; i < fi->nrelated; i++)
			json_str(j, fi->related[i]);
		json_end_array(j);
	}
	if (fi->has_host)
		json_kv_str(j, "host", addr_format(fi->family, fi->orig_h, a));
	json_key(j, "accepted");
	json_bool(j, fi->accepted);
	if (fi->accepted)
		json_kv_str(j, "accept_reason", in->site->accepts[fi->accept_index].reason);
	json_key(j, "first_ts");
	fi->has_example ? json_usec(j, fi->first_us) : json_null(j);
	json_key(j, "last_ts");
	fi->has_example ? json_usec(j, fi->last_us) : json_null(j);
	json_key(j, "capture_first_ts");
	in->capture->packets ? json_usec(j, in->capture->first_us) : json_null(j);
	json_key(j, "capture_last_ts");
	in->capture->packets ? json_usec(j, in->capture->last_us) : json_null(j);
	if (fi->kind == FK_MISSING || fi->kind == FK_NOT_VISIBLE)
		json_kv_str(j, "visibility", findings_visibility_name((enum visibility)fi->visibility));
	json_kv_str(j, "confidence", findings_confidence_name(fi->confidence));
	if (fi->note[0])
		json_kv_str(j, "note", fi->note);
	{
		char ev[1024];

		report_finding_evidence(in, fi, ev, sizeof(ev));
		if (ev[0])
			json_kv_str(j, "evidence", ev);
	}
	json_evidence_file(j, in, fi, at);
	json_key(j, "example");
	if (fi->has_example)
		conn_log_render(j, &fi->example, in->uid_seed, &fi->example_class, in->rules);
	else
		json_null(j);
	json_end_object(j);
}

static void json_findings(struct json *j, const struct report_input *in)
{
	static const char *const status[] = { "used", "unused", "expired" };
	int i, n;
	const struct finding *const *list = findings_list(in->findings, &n);

	json_key(j, "findings");
	json_begin_array(j);
	for (i = 0; i < n; i++)
		json_finding(j, in, list[i], i);
	json_end_array(j);
	if (!in->site)
		return;
	json_key(j, "accept");
	json_begin_array(j);
	for (i = 0; i < in->site->naccepts; i++) {
		const struct site_accept *a = &in->site->accepts[i];
		uint64_t used;
		enum accept_status st = findings_accept_status(in->findings, i, &used);

		json_begin_object(j);
		json_kv_u64(j, "line", (uint64_t)a->line);
		json_kv_str(j, "reason", a->reason);
		json_key(j, "until");
		a->until[0] ? json_str(j, a->until) : json_null(j);
		json_kv_str(j, "status", status[st]);
		json_kv_u64(j, "findings", used);
		json_end_object(j);
	}
	json_end_array(j);
}

/* --evidence: where the files are, how much they hold, and (live) what the buffers' cap refused. */
static void json_evidence(struct json *j, const struct report_input *in)
{
	const struct evidence_result *ev = in->evidence;
	int written;

	if (!ev)
		return;
	written = report_evidence_written(ev);
	JSON_KEY(j, "evidence");
	json_begin_object(j);
	JSON_KEY(j, "dir");
	json_str(j, ev->dir);
	JSON_KEY(j, "index");
	json_str(j, "index.json");
	JSON_KEY(j, "files");
	json_u64(j, (uint64_t)written);
	JSON_KEY(j, "not_written");
	json_u64(j, (uint64_t)(ev->nfiles - written));
	JSON_KEY(j, "packets");
	json_u64(j, ev->packets);
	JSON_KEY(j, "bytes");
	json_u64(j, ev->bytes);
	JSON_KEY(j, "buffered");
	json_bool(j, ev->buffered);
	report_json_evidence_buffers(j, ev);
	json_end_object(j);
}

int report_json_write(FILE *out, const struct report_input *in)
{
	struct json j;
	int rc;

	json_init(&j);
	json_begin_object(&j);
	json_summary(&j, in);
	if (in->rules && in->findings) {
		json_matrix(&j, in);
		json_findings(&j, in);
	}
	json_capture(&j, in);
	json_evidence(&j, in);
	json_end_object(&j);
	json_raw(&j, "\n", 1);
	rc = json_write(&j, out);
	json_free(&j);
	return rc;
}
