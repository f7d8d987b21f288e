/* baseline: the audit's aggregate by path — built from classified flows, written, read and merged */
#include "baseline.h"

#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "addr.h"
#include "baseline_internal.h"
#include "xalloc.h"
#include "yaml_tree.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

const enum verdict bl_verdicts[BL_NVERDICTS] = {
	V_BLOCKED, V_INTERRUPTED, V_OK, V_ONE_SIDED, V_PENDING, V_UNEXPECTED,
};

const char *bl_by_name(enum baseline_by by)
{
	return by == BY_HOST ? "host" : "role";
}

uint64_t bl_path_total(const struct bl_path *p)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < BL_NVERDICTS; i++)
		n += p->flows[bl_verdicts[i]];
	return n;
}

enum verdict bl_path_worst(const struct bl_path *p)
{
	enum verdict worst = V_COUNT;
	int i;

	for (i = 0; i < BL_NVERDICTS; i++)
		if (p->flows[bl_verdicts[i]] &&
		    (worst == V_COUNT || verdict_severity(bl_verdicts[i]) > verdict_severity(worst)))
			worst = bl_verdicts[i];
	return worst;
}

static int cmp_null_first(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

int bl_path_cmp(const struct bl_path *a, const struct bl_path *b)
{
	int c;

	if ((c = cmp_null_first(a->orig, b->orig)) || (c = cmp_null_first(a->resp, b->resp)) ||
	    (c = strcmp(a->proto, b->proto)))
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return cmp_null_first(a->rule, b->rule);
}

static int path_ptr_cmp(const void *a, const void *b)
{
	return bl_path_cmp(*(struct bl_path *const *)a, *(struct bl_path *const *)b);
}

struct bl_path **bl_sorted_paths(const struct baseline *b, size_t *n)
{
	struct bl_path **v, *p;
	size_t i = 0;

	*n = HASH_COUNT(b->paths);
	v = xmalloc((*n ? *n : 1) * sizeof(*v));
	for (p = b->paths; p; p = p->hh.next)
		v[i++] = p;
	if (*n > 1)
		qsort(v, *n, sizeof(*v), path_ptr_cmp);
	return v;
}

/* ---- paths ---- */

static const char *proto_name(uint8_t proto, char buf[8])
{
	if (proto == PROTO_TCP)
		return "tcp";
	if (proto == PROTO_UDP)
		return "udp";
	if (proto == PROTO_ICMP || proto == PROTO_ICMPV6)
		return "icmp";
	snprintf(buf, 8, "%u", proto);
	return buf;
}

static void key_field(struct json *k, const char *s)
{
	json_raw(k, s ? s : "\x01", s ? strlen(s) + 1 : 2);
}

/* The port in decimal, as the key has it: snprintf cost more than the rest of a lookup. */
static void key_port(struct json *k, uint16_t port)
{
	char buf[6], *p = buf + sizeof(buf);

	*--p = '\0';
	do
		*--p = (char)('0' + port % 10);
	while (port /= 10);
	json_raw(k, p, (size_t)(buf + sizeof(buf) - p));
}

struct bl_path *bl_path_get(struct baseline *b, const char *orig, const char *resp, const char *proto,
				uint16_t port, const char *rule)
{
	struct json *k = &b->scratch;
	struct bl_path *p;

	json_reset(k);
	key_field(k, orig);
	key_field(k, resp);
	key_field(k, proto);
	key_port(k, port);
	key_field(k, rule);
	HASH_FIND(hh, b->paths, k->buf, k->len, p);
	if (p)
		return p;
	p = xcalloc(1, sizeof(*p));
	p->key = xmalloc(k->len);
	memcpy(p->key, k->buf, k->len);
	p->keylen = k->len;
	p->orig = orig ? xstrdup(orig) : NULL;
	p->resp = resp ? xstrdup(resp) : NULL;
	p->proto = xstrdup(proto);
	p->port = port;
	p->rule = rule ? xstrdup(rule) : NULL;
	p->first_us = INT64_MAX;
	p->last_us = INT64_MIN;
	p->example_severity = -1;
	p->example_ts = INT64_MAX;
	HASH_ADD_KEYPTR(hh, b->paths, p->key, p->keylen, p);
	return p;
}

static void path_free(struct bl_path *p)
{
	free(p->key);
	free(p->orig);
	free(p->resp);
	free(p->proto);
	free(p->rule);
	free(p->example);
	free(p);
}

static const char *scalar_of(const struct yaml_tree_node *map, const char *key)
{
	const struct yaml_tree_node *v = yaml_tree_get(map, key);

	return v && v->kind == YAML_TREE_SCALAR && !yaml_tree_is_null(v) ? v->value : NULL;
}

static int verdict_by_name(const char *name)
{
	int v;

	for (v = 0; name && v < V_COUNT; v++)
		if (!strcmp(name, verdict_name((enum verdict)v)))
			return v;
	return -1;
}

/* The example's verdict, time and one line of text, from its conn log object. */
static void example_summary(const struct yaml_tree_node *ex, int *severity, int64_t *ts, char *line, size_t n)
{
	const char *oh = scalar_of(ex, "id.orig_h"), *rh = scalar_of(ex, "id.resp_h");
	const char *op = scalar_of(ex, "id.orig_p"), *rp = scalar_of(ex, "id.resp_p");
	const char *verdict = scalar_of(ex, "verdict"), *reason = scalar_of(ex, "reason");
	const char *state = scalar_of(ex, "conn_state"), *t = scalar_of(ex, "ts");
	bool v6o = oh && strchr(oh, ':'), v6r = rh && strchr(rh, ':');
	int v = verdict_by_name(verdict);

	*severity = v >= 0 ? verdict_severity((enum verdict)v) : 0;
	if (!t || bl_parse_usec(t, ts) < 0)
		*ts = INT64_MAX;
	snprintf(line, n, "%s%s%s:%s -> %s%s%s:%s %s %s%s%s", v6o ? "[" : "", oh ? oh : "?", v6o ? "]" : "",
		 op ? op : "?", v6r ? "[" : "", rh ? rh : "?", v6r ? "]" : "", rp ? rp : "?", state ? state : "-",
		 verdict ? verdict : "?", reason ? "/" : "", reason ? reason : "");
}

/* Keep the example that sorts first: worst verdict, then earliest, then its text; flow order never matters. */
static void example_offer(struct bl_path *p, const char *json, int severity, int64_t ts, const char *line)
{
	if (p->example && (severity < p->example_severity ||
			   (severity == p->example_severity &&
			    (ts > p->example_ts || (ts == p->example_ts && strcmp(json, p->example) >= 0)))))
		return;
	free(p->example);
	p->example = xstrdup(json);
	p->example_severity = severity;
	p->example_ts = ts;
	snprintf(p->example_line, sizeof(p->example_line), "%s", line);
}

int bl_example_take(struct baseline *b, struct bl_path *p, const struct yaml_tree_node *ex, const char *skip,
		    const char *file, struct load_error *err)
{
	char line[sizeof(p->example_line)];
	int severity;
	int64_t ts;

	json_reset(&b->scratch);
	if (bl_canonical(&b->scratch, ex, skip, file, err) < 0)
		return -1;
	json_raw(&b->scratch, "", 1);
	example_summary(ex, &severity, &ts, line, sizeof(line));
	example_offer(p, b->scratch.buf, severity, ts, line);
	return 0;
}

/*
 * The time an example is ranked by: its ts as bl_parse_usec reads it back,
 * which is the flow's first_us unless that is beyond the range capture
 * times can have (then INT64_MAX, as an unreadable ts).
 */
static int64_t example_ts_of(int64_t first_us)
{
	uint64_t a = first_us < 0 ? (uint64_t)(-(first_us + 1)) + 1 : (uint64_t)first_us;

	return a / 1000000 > ((uint64_t)1 << 61) / 1000000 ? INT64_MAX : first_us;
}

/* t after the *at bytes of line (n bytes, always terminated), cut where snprintf would cut it. */
static void line_put(char *line, size_t n, size_t *at, const char *t)
{
	while (*t && *at + 1 < n)
		line[(*at)++] = *t++;
	line[*at] = '\0';
}

/* "addr:port", an IPv6 address in brackets. */
static void line_endpoint(char *line, size_t n, size_t *at, const char *addr, uint16_t port)
{
	char digits[8], *d = digits + sizeof(digits);
	bool v6 = strchr(addr, ':') != NULL;

	*--d = '\0';
	do
		*--d = (char)('0' + port % 10);
	while (port /= 10);
	line_put(line, n, at, v6 ? "[" : "");
	line_put(line, n, at, addr);
	line_put(line, n, at, v6 ? "]:" : ":");
	line_put(line, n, at, d);
}

/*
 * The flow as the conn log shows it, less its uid (run-specific: the file
 * would change each run), offered as p's example. Rendered straight from
 * the flow (bl_example_render), and only for a flow that may win: one whose
 * verdict and time rank at least as high as the example kept.
 */
static void example_from_flow(struct baseline *b, struct bl_path *p, const struct flow *f,
			      const struct classification *cls, const struct rule_set *rs)
{
	char oa[ADDR_STRLEN], ra[ADDR_STRLEN], line[sizeof(p->example_line)];
	/* Without rules the object has no verdict, and example_summary() ranked it 0. */
	int severity = rs ? verdict_severity(cls->verdict) : 0;
	int64_t ts = example_ts_of(f->first_us);
	const char *reason = rs && cls->reason != R_NONE ? reason_name(cls->reason) : NULL;
	size_t at = 0;

	if (p->example && (severity < p->example_severity ||
			   (severity == p->example_severity && ts > p->example_ts)))
		return;
	json_reset(&b->scratch);
	if (bl_example_render(&b->scratch, f, cls, rs) < 0)
		return;
	json_raw(&b->scratch, "", 1);
	/* example_summary()'s line from the same values, put together without snprintf (a third of the cost) */
	line[0] = '\0';
	line_endpoint(line, sizeof(line), &at, addr_format(f->orig.family, f->orig.src, oa), f->orig.sport);
	line_put(line, sizeof(line), &at, " -> ");
	line_endpoint(line, sizeof(line), &at, addr_format(f->orig.family, f->orig.dst, ra), f->orig.dport);
	line_put(line, sizeof(line), &at, " ");
	line_put(line, sizeof(line), &at, conn_state_name(flow_conn_state(f)));
	line_put(line, sizeof(line), &at, " ");
	line_put(line, sizeof(line), &at, rs ? verdict_name(cls->verdict) : "?");
	if (reason) {
		line_put(line, sizeof(line), &at, "/");
		line_put(line, sizeof(line), &at, reason);
	}
	example_offer(p, b->scratch.buf, severity, ts, line);
}

static void path_span(struct bl_path *p, int64_t first_us, int64_t last_us)
{
	if (first_us < p->first_us)
		p->first_us = first_us;
	if (last_us > p->last_us)
		p->last_us = last_us;
}

struct baseline *baseline_new(enum baseline_by by)
{
	struct baseline *b = xcalloc(1, sizeof(*b));

	fasthash_seed_once();
	b->by = by;
	json_init(&b->scratch);
	return b;
}

const struct bl_path *baseline_add(struct baseline *b, const struct flow *f, const struct classification *cls,
				   const struct rule_set *rs)
{
	char oa[ADDR_STRLEN], ra[ADDR_STRLEN], pb[8];
	const char *orig, *resp, *rule = cls->rule >= 0 ? rs->rules[cls->rule].name : NULL;
	struct bl_path *p;

	if ((unsigned)cls->verdict >= V_COUNT || cls->verdict == V_RELATED || cls->verdict == V_UNMATCHED)
		return NULL;
	if (b->by == BY_HOST) {
		orig = addr_format(f->orig.family, f->orig.src, oa);
		resp = addr_format(f->orig.family, f->orig.dst, ra);
	} else {
		orig = cls->orig_role >= 0 ? rules_role_name(rs, cls->orig_role) : NULL;
		resp = cls->resp_role >= 0 ? rules_role_name(rs, cls->resp_role) : NULL;
	}
	p = bl_path_get(b, orig, resp, proto_name(f->orig.proto, pb), f->orig.dport, rule);
	p->flows[cls->verdict]++;
	p->orig_ip_bytes += f->side[0].ip_bytes;
	p->resp_ip_bytes += f->side[1].ip_bytes;
	path_span(p, f->first_us, f->last_us);
	example_from_flow(b, p, f, cls, rs);
	return p;
}

/* FNV-1a of the key, as finding ids are made: the same in every run (fasthash64 is seeded per process). */
void baseline_path_id(const struct bl_path *p, char out[BASELINE_PATH_ID_LEN])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	out[0] = '\0';
	if (!p)
		return;
	for (i = 0; i < p->keylen; i++) {
		h ^= (unsigned char)p->key[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, BASELINE_PATH_ID_LEN, "P-%06x", (unsigned)((h ^ (h >> 24) ^ (h >> 48)) & 0xffffff));
}

/* ---- digests: what the rules and the site said, not how their files were laid out ---- */

static void dig_str(struct sha256_ctx *c, const char *s)
{
	uint8_t present = s != NULL;

	sha256_update(c, 1, &present);
	if (s)
		sha256_update(c, strlen(s) + 1, (const uint8_t *)s);
}

static void dig_int(struct sha256_ctx *c, uint32_t v)
{
	uint8_t be[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	sha256_update(c, 4, be);
}

static char *dig_hex(struct sha256_ctx *c)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char *s = xmalloc(7 + 2 * SHA256_DIGEST_SIZE + 1);
	int i;

	sha256_digest(c, SHA256_DIGEST_SIZE, d);
	memcpy(s, "sha256:", 7);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(s + 7 + 2 * i, 3, "%02x", d[i]);
	return s;
}

static void dig_roles(struct sha256_ctx *c, const struct rule_set *rs, const int *roles, int n)
{
	int i;

	dig_int(c, (uint32_t)n);
	for (i = 0; i < n; i++)
		dig_str(c, rules_role_name(rs, roles[i]));
}

static char *rules_digest(const struct rule_set *rs)
{
	struct sha256_ctx c;
	int r, k;

	sha256_init(&c);
	for (r = 0; r < rs->nrules; r++) {
		const struct rule *ru = &rs->rules[r];

		dig_str(&c, ru->name);
		dig_str(&c, rules_category_name(ru->category));
		dig_roles(&c, rs, ru->from, ru->nfrom);
		dig_roles(&c, rs, ru->to, ru->nto);
		dig_int(&c, ru->protos);
		dig_int(&c, (uint32_t)ru->nports);
		for (k = 0; k < ru->nports; k++)
			dig_int(&c, (uint32_t)ru->ports[k].lo << 16 | ru->ports[k].hi);
		dig_int(&c, (uint32_t)ru->expect << 16 | (uint32_t)ru->action << 8 | (uint32_t)ru->bidirectional << 1 |
			    ru->one_way);
		dig_str(&c, ru->group);
		dig_str(&c, ru->exposure);
	}
	return dig_hex(&c);
}

static void dig_prefixes(struct sha256_ctx *c, const struct rule_set *rs, const struct site_prefix *p, int n)
{
	int i;

	dig_int(c, (uint32_t)n);
	for (i = 0; i < n; i++) {
		dig_int(c, (uint32_t)p[i].family << 8 | p[i].len);
		sha256_update(c, 16, p[i].addr);
		dig_str(c, p[i].role >= 0 ? rules_role_name(rs, p[i].role) : NULL);
	}
}

static char *site_digest(const struct site *s, const struct rule_set *rs)
{
	struct sha256_ctx c;
	int m;

	sha256_init(&c);
	dig_str(&c, s->name);
	dig_prefixes(&c, rs, s->prefixes, s->nprefixes);
	dig_prefixes(&c, rs, s->scope, s->nscope);
	for (m = 0; rs && m < rs->nmatrices; m++)
		if (!s->matrix_on || s->matrix_on[m])
			dig_str(&c, rs->matrices[m].name);
	return dig_hex(&c);
}

static void capture_free(struct bl_capture *c)
{
	int i;

	for (i = 0; i < c->ninputs; i++)
		free(c->inputs[i]);
	free(c->inputs);
	free(c->site);
	free(c->site_digest);
	free(c->rules_digest);
	free(c->flowaudit);
}

void baseline_finish(struct baseline *b, const struct baseline_capture *cap, const struct rule_set *rs,
		     const struct site *site)
{
	struct bl_capture *c;
	int i;

	for (i = 0; i < b->ncaptures; i++)
		capture_free(&b->captures[i]);
	b->captures = xrealloc(b->captures, sizeof(*b->captures));
	b->ncaptures = 1;
	c = &b->captures[0];
	memset(c, 0, sizeof(*c));
	c->ninputs = cap->ninputs;
	c->inputs = xcalloc((size_t)(cap->ninputs ? cap->ninputs : 1), sizeof(*c->inputs));
	for (i = 0; i < cap->ninputs; i++)
		c->inputs[i] = xstrdup(cap->inputs[i]);
	c->live = cap->live;
	c->has_ts = cap->packets > 0 || (cap->live && cap->last_us > cap->first_us);
	c->first_us = cap->first_us;
	c->last_us = cap->last_us;
	c->packets = cap->packets;
	c->dropped = cap->dropped;
	c->duplicates = cap->duplicates;
	if (cap->site_name || site)
		c->site = xstrdup(cap->site_name ? cap->site_name : site->name);
	c->site_digest = site ? site_digest(site, rs) : NULL;
	c->rules_digest = rs ? rules_digest(rs) : NULL;
	c->flowaudit = xstrdup(PACKAGE_VERSION);
}

/* ---- merging and comparing ---- */

static bool same_capture(const struct bl_capture *a, const struct bl_capture *b)
{
	int i;

	if (a->ninputs != b->ninputs || a->has_ts != b->has_ts || a->first_us != b->first_us ||
	    a->last_us != b->last_us || a->packets != b->packets)
		return false;
	for (i = 0; i < a->ninputs; i++)
		if (strcmp(a->inputs[i], b->inputs[i]))
			return false;
	return true;
}

static void capture_copy(struct bl_capture *d, const struct bl_capture *s)
{
	int i;

	*d = *s;
	d->inputs = xcalloc((size_t)(s->ninputs ? s->ninputs : 1), sizeof(*d->inputs));
	for (i = 0; i < s->ninputs; i++)
		d->inputs[i] = xstrdup(s->inputs[i]);
	d->site = s->site ? xstrdup(s->site) : NULL;
	d->site_digest = s->site_digest ? xstrdup(s->site_digest) : NULL;
	d->rules_digest = s->rules_digest ? xstrdup(s->rules_digest) : NULL;
	d->flowaudit = s->flowaudit ? xstrdup(s->flowaudit) : NULL;
}

/* Captures in time order (then by what they read), so a merge's order does not show in the file. */
static int capture_cmp(const void *pa, const void *pb)
{
	const struct bl_capture *a = pa, *b = pb;
	int i, c;

	if (a->has_ts != b->has_ts)
		return a->has_ts ? 1 : -1;
	if (a->first_us != b->first_us)
		return a->first_us < b->first_us ? -1 : 1;
	if (a->last_us != b->last_us)
		return a->last_us < b->last_us ? -1 : 1;
	for (i = 0; i < a->ninputs && i < b->ninputs; i++)
		if ((c = strcmp(a->inputs[i], b->inputs[i])))
			return c;
	if (a->ninputs != b->ninputs)
		return a->ninputs - b->ninputs;
	if (a->packets != b->packets)
		return a->packets < b->packets ? -1 : 1;
	return cmp_null_first(a->site_digest, b->site_digest);
}

/*
 * Every path of src into dst: counts and bytes added, spans widened, the
 * example that ranks first of the two kept. Each of these is what adding
 * the flows behind both to one baseline gives, in any order.
 */
static void absorb_paths(struct baseline *dst, const struct baseline *src)
{
	const struct bl_path *s;
	struct bl_path *d;
	int v;

	for (s = src->paths; s; s = s->hh.next) {
		d = bl_path_get(dst, s->orig, s->resp, s->proto, s->port, s->rule);
		for (v = 0; v < V_COUNT; v++)
			d->flows[v] += s->flows[v];
		d->orig_ip_bytes += s->orig_ip_bytes;
		d->resp_ip_bytes += s->resp_ip_bytes;
		path_span(d, s->first_us, s->last_us);
		if (s->example)
			example_offer(d, s->example, s->example_severity, s->example_ts, s->example_line);
	}
}

void baseline_absorb(struct baseline *dst, const struct baseline *src)
{
	if (dst->by != src->by)
		abort();	/* a caller's bug: every worker's baseline is made with the granularity of the run */
	absorb_paths(dst, src);
}

int baseline_merge(struct baseline *dst, const struct baseline *src, struct load_error *err)
{
	int i, k;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", src->file ? src->file : "");
	if (dst->by != src->by) {
		snprintf(err->msg, sizeof(err->msg), "cannot merge a baseline by %s into one by %s",
			 bl_by_name(src->by), bl_by_name(dst->by));
		return -1;
	}
	for (i = 0; i < src->ncaptures; i++)
		for (k = 0; k < dst->ncaptures; k++)
			if (same_capture(&src->captures[i], &dst->captures[k])) {
				snprintf(err->msg, sizeof(err->msg), "the capture of %s is already in the baseline "
					 "(merging it twice would count its flows twice)",
					 src->captures[i].ninputs ? src->captures[i].inputs[0] : "(no input)");
				return -1;
			}
	dst->captures = xrealloc(dst->captures, (size_t)(dst->ncaptures + src->ncaptures + 1) *
				 sizeof(*dst->captures));
	for (i = 0; i < src->ncaptures; i++)
		capture_copy(&dst->captures[dst->ncaptures++], &src->captures[i]);
	qsort(dst->captures, (size_t)dst->ncaptures, sizeof(*dst->captures), capture_cmp);
	absorb_paths(dst, src);
	return 0;
}

enum baseline_by baseline_granularity(const struct baseline *b)
{
	return b->by;
}

static const char *digest_of(const struct bl_capture *c, bool site)
{
	return site ? c->site_digest : c->rules_digest;
}

/* Any capture of a against any of b: a merged baseline may hold several digests. */
static bool digests_differ(const struct baseline *a, const struct baseline *b, bool site)
{
	int i, k;

	for (i = 0; i < a->ncaptures; i++)
		for (k = 0; k < b->ncaptures; k++)
			if (cmp_null_first(digest_of(&a->captures[i], site), digest_of(&b->captures[k], site)))
				return true;
	return false;
}

bool baseline_site_differs(const struct baseline *a, const struct baseline *b)
{
	return digests_differ(a, b, true);
}

bool baseline_rules_differ(const struct baseline *a, const struct baseline *b)
{
	return digests_differ(a, b, false);
}

static int span_cmp(const void *pa, const void *pb)
{
	const int64_t *a = pa, *b = pb;

	return a[0] < b[0] ? -1 : a[0] > b[0];
}

int64_t bl_observed_us(const struct baseline *b)
{
	int64_t (*spans)[2] = xmalloc((size_t)(b->ncaptures + 1) * sizeof(*spans));
	int64_t total = 0, lo = 0, hi = 0;
	int i, n = 0;

	for (i = 0; i < b->ncaptures; i++)
		if (b->captures[i].has_ts) {
			spans[n][0] = b->captures[i].first_us;
			spans[n++][1] = b->captures[i].last_us;
		}
	qsort(spans, (size_t)n, sizeof(*spans), span_cmp);
	for (i = 0; i < n; i++) {
		if (i == 0 || spans[i][0] > hi) {
			total += hi - lo;
			lo = spans[i][0];
			hi = spans[i][1];
		} else if (spans[i][1] > hi) {
			hi = spans[i][1];
		}
	}
	total += hi - lo;
	free(spans);
	return total;
}

void baseline_free(struct baseline *b)
{
	struct bl_path *p, *tmp;
	int i;

	if (!b)
		return;
	HASH_ITER(hh, b->paths, p, tmp) {
		HASH_DEL(b->paths, p);
		path_free(p);
	}
	for (i = 0; i < b->ncaptures; i++)
		capture_free(&b->captures[i]);
	free(b->captures);
	free(b->file);
	json_free(&b->scratch);
	free(b);
}
