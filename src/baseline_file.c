/* baseline_file: the baseline as a file — JSON with sorted keys, written pretty, read through yaml_tree */
#include "baseline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "baseline_internal.h"
#include "community_id.h"
#include "conn_log.h"
#include "decode.h"
#include "inspect.h"
#include "tls.h"
#include "utf8.h"
#include "xalloc.h"
#include "yaml_tree.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/* Pretty printing: the document, its two lists and their records one member a line; deeper values inline. */
enum { BL_EXPAND_DEPTH = 3 };

/* Baselines at host granularity grow large: yaml_tree's limits are raised for them alone. */
static const struct yaml_tree_limits bl_limits = { .max_nodes = 8000000, .max_file = (size_t)64 << 20 };

/* ---- JSON text both JSON and libyaml read back unchanged ---- */

/* Characters libyaml will not take raw (not printable, or YAML 1.1 line breaks). */
static bool must_escape(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff ||
	       cp == 0xfffe || cp == 0xffff;
}

/* Bytes at the start of p that go out as they are: printable ASCII but '"' and '\\'. */
static size_t plain_run(const unsigned char *p)
{
	size_t i;

	for (i = 0; p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\'; i++)
		;
	return i;
}

/* cp (not a plain byte) in a string: an escape where escaped() writes one, else its UTF-8 bytes. */
static void escaped_char(struct json *j, uint32_t cp)
{
	char esc[16];	/* "\\uXXXX": must_escape() holds only code points below U+10000 */

	if (cp == '"' || cp == '\\') {
		esc[0] = '\\';
		esc[1] = (char)cp;
		json_raw(j, esc, 2);
	} else if (cp == '\n') {
		json_raw(j, "\\n", 2);
	} else if (cp == '\t') {
		json_raw(j, "\\t", 2);
	} else if (must_escape(cp)) {
		snprintf(esc, sizeof(esc), "\\u%04" PRIx32, cp);
		json_raw(j, esc, 6);
	} else if (cp < 0x80) {
		esc[0] = (char)cp;
		json_raw(j, esc, 1);
	} else if (cp < 0x800) {
		esc[0] = (char)(0xc0 | cp >> 6);
		esc[1] = (char)(0x80 | (cp & 0x3f));
		json_raw(j, esc, 2);
	} else if (cp < 0x10000) {
		esc[0] = (char)(0xe0 | cp >> 12);
		esc[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		esc[2] = (char)(0x80 | (cp & 0x3f));
		json_raw(j, esc, 3);
	} else {
		esc[0] = (char)(0xf0 | cp >> 18);
		esc[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		esc[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		esc[3] = (char)(0x80 | (cp & 0x3f));
		json_raw(j, esc, 4);
	}
}

static void escaped(struct json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n;
	uint32_t cp;

	json_raw(j, "\"", 1);
	while (*p) {
		size_t run = plain_run(p);

		if (run) {	/* most text: copied in one go */
			json_raw(j, (const char *)p, run);
			p += run;
			left -= run;
			continue;
		}
		n = utf8_decode(p, left, &cp);
		if (n == 0) {		/* a byte that is not UTF-8: read as Latin-1 */
			cp = *p;
			n = 1;
		}
		if (cp == '"' || cp == '\\' || must_escape(cp))
			escaped_char(j, cp);
		else
			json_raw(j, (const char *)p, n);	/* as it was, a stray byte too */
		p += n;
		left -= n;
	}
	json_raw(j, "\"", 1);
}

static void separate(struct json *j)
{
	if (j->need_comma)
		json_raw(j, ",", 1);
	j->need_comma = 1;
}

void bl_put_str(struct json *j, const char *s)
{
	separate(j);
	escaped(j, s);
}

void bl_put_key(struct json *j, const char *key)
{
	separate(j);
	escaped(j, key);
	json_raw(j, ":", 1);
	j->need_comma = 0;
}

void bl_put_str_or_null(struct json *j, const char *key, const char *s)
{
	bl_put_key(j, key);
	s ? bl_put_str(j, s) : json_null(j);
}

void bl_put_raw(struct json *j, const char *s)
{
	separate(j);
	json_raw(j, s, strlen(s));
}

/* ---- an example straight from a flow ---- */

/*
 * A conn log string as the example has always held it: json_str wrote it
 * (a byte that is not UTF-8, or a control character, as the Latin-1
 * character of that value), libyaml read it back, bl_put_str escaped it.
 * -1 where that reading back failed, so that the flow offered no example,
 * as it did: a character above U+FFFF (json_str writes a surrogate pair,
 * libyaml refuses it) or a string longer than yaml_tree takes.
 */
static int conn_str(struct json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n, read_back = 0;
	uint32_t cp;

	separate(j);
	json_raw(j, "\"", 1);
	while (left) {
		size_t run = plain_run(p);

		if (run) {
			json_raw(j, (const char *)p, run);
			p += run;
			left -= run;
			read_back += run;
			continue;
		}
		if (*p < 0x80 || (n = utf8_decode(p, left, &cp)) == 0) {
			cp = *p;
			n = 1;
		} else if (cp > 0xffff) {
			return -1;
		}
		escaped_char(j, cp);
		p += n;
		left -= n;
		read_back += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
	}
	json_raw(j, "\"", 1);
	return read_back > YAML_TREE_MAX_SCALAR ? -1 : 0;
}

static int conn_str_or_null(struct json *j, const char *s)
{
	if (s)
		return conn_str(j, s);
	json_null(j);
	return 0;
}

/*
 * The fields of conn_log.c's render(), less the uid, in sorted key order:
 * the bytes the conn log object, read back and made canonical, gave. It
 * has to follow render() field for field (test_baseline compares the two).
 */
int bl_example_render(struct json *j, const struct flow *f, const struct classification *cls,
		      const struct rule_set *rs)
{
	const struct tls_evidence *ev = f->tls;
	const struct rule *ru = rs && cls->rule >= 0 ? &rs->rules[cls->rule] : NULL;
	const char *tls_version = ev && ev->server_hello ? tls_version_name(ev->version) : NULL;
	bool rst_origin = rs && (cls->reason == R_RST_FROM_HOST || cls->reason == R_RST_FROM_PATH);
	bool rst_odd = f->rst & (FLOW_RST_TTL_ODD | FLOW_RST_IPID_ODD);
	int side = f->rst & FLOW_RST_FROM_RESP ? 1 : 0;
	int64_t duration = f->last_us - f->first_us;
	char a[ADDR_STRLEN], cid[COMMUNITY_ID_LEN];
	int rc = 0;

	/* Both name rst_from (a RST-answered SYN whose originator's own RST was odd): a duplicate key libyaml refused. */
	if (rst_origin && rst_odd)
		return -1;
	json_begin_object(j);
	if (rs) {
		JSON_KEY(j, "category");
		rc |= conn_str_or_null(j, ru ? rules_category_name(ru->category) : NULL);
	}
	if (ev && ev->chain) {
		JSON_KEY(j, "cert_chain");
		rc |= conn_str(j, ev->chain);
	}
	if (ev && ev->issuer) {
		JSON_KEY(j, "cert_issuer");
		rc |= conn_str(j, ev->issuer);
	}
	if (ev && ev->subject) {
		JSON_KEY(j, "cert_subject");
		rc |= conn_str(j, ev->subject);
	}
	if (ev && ev->server_hello) {
		JSON_KEY(j, "cert_visible");
		json_bool(j, ev->cert_visible);
	}
	if (community_id_v1(&f->orig, 0, cid, sizeof(cid)) == 0) {
		JSON_KEY(j, "community_id");
		rc |= conn_str(j, cid);
	}
	JSON_KEY(j, "conn_state");
	rc |= conn_str(j, conn_state_name(flow_conn_state(f)));
	if (duration > 0) {
		JSON_KEY(j, "duration");
		json_usec(j, duration);
	}
	if (f->hist.len) {
		JSON_KEY(j, "history");
		rc |= conn_str(j, f->hist.s);
	}
	JSON_KEY(j, "id.orig_h");
	rc |= conn_str(j, addr_format(f->orig.family, f->orig.src, a));
	JSON_KEY(j, "id.orig_p");
	json_u64(j, f->orig.sport);
	JSON_KEY(j, "id.resp_h");
	rc |= conn_str(j, addr_format(f->orig.family, f->orig.dst, a));
	JSON_KEY(j, "id.resp_p");
	json_u64(j, f->orig.dport);
	if (f->vlan_count >= 2) {
		JSON_KEY(j, "inner_vlan");
		json_u64(j, f->inner_vlan);
	}
	JSON_KEY(j, "ip_proto");
	json_u64(j, f->orig.proto);
	if (cls->local_orig >= 0) {
		JSON_KEY(j, "local_orig");
		json_bool(j, cls->local_orig);
		JSON_KEY(j, "local_resp");
		json_bool(j, cls->local_resp);
	}
	JSON_KEY(j, "missed_bytes");
	json_u64(j, flow_missed_bytes(f));
	if (duration > 0) {
		JSON_KEY(j, "orig_bytes");
		json_u64(j, flow_payload_bytes(f, 0));
	}
	JSON_KEY(j, "orig_ip_bytes");
	json_u64(j, f->side[0].ip_bytes);
	JSON_KEY(j, "orig_pkts");
	json_u64(j, f->side[0].pkts);
	if (rs) {
		JSON_KEY(j, "orig_role");
		rc |= conn_str_or_null(j, cls->orig_role >= 0 ? rules_role_name(rs, cls->orig_role) : NULL);
	}
	JSON_KEY(j, "proto");
	rc |= conn_str(j, conn_log_proto_name(f->orig.proto));
	if (rs) {
		JSON_KEY(j, "reason");
		rc |= conn_str_or_null(j, cls->reason != R_NONE ? reason_name(cls->reason) : NULL);
	}
	if (duration > 0) {
		JSON_KEY(j, "resp_bytes");
		json_u64(j, flow_payload_bytes(f, 1));
	}
	JSON_KEY(j, "resp_ip_bytes");
	json_u64(j, f->side[1].ip_bytes);
	JSON_KEY(j, "resp_pkts");
	json_u64(j, f->side[1].pkts);
	if (rs) {
		JSON_KEY(j, "resp_role");
		rc |= conn_str_or_null(j, cls->resp_role >= 0 ? rules_role_name(rs, cls->resp_role) : NULL);
	}
	if (rst_origin) {
		JSON_KEY(j, "rst_from");
		rc |= conn_str(j, "resp");
		JSON_KEY(j, "rst_side_ttl");
		json_u64(j, cls->rst_host_ttl);
		JSON_KEY(j, "rst_ttl");
		json_u64(j, f->first_ttl[1]);
	} else if (rst_odd) {
		JSON_KEY(j, "rst_from");
		rc |= conn_str(j, side ? "resp" : "orig");
		if (f->orig.family == 4) {
			JSON_KEY(j, "rst_ip_id");
			json_u64(j, f->rst_ip_id);
			JSON_KEY(j, "rst_side_ip_id");
			json_u64(j, f->ip_id_last[side]);
		}
		JSON_KEY(j, "rst_side_ttl");
		json_u64(j, f->first_ttl[side]);
		JSON_KEY(j, "rst_ttl");
		json_u64(j, f->rst_ttl);
	}
	if (rs) {
		JSON_KEY(j, "rule");
		rc |= conn_str_or_null(j, ru ? ru->name : NULL);
	}
	if (ev && ev->sni) {
		JSON_KEY(j, "server_name");
		rc |= conn_str(j, ev->sni);
	}
	if (f->service != SVC_NONE) {
		JSON_KEY(j, "service");
		rc |= conn_str(j, service_name(f->service));
	} else if (f->tunnel) {
		JSON_KEY(j, "service");
		rc |= conn_str(j, decode_tunnel_name(f->tunnel));
	}
	if (tls_version) {
		JSON_KEY(j, "tls_version");
		rc |= conn_str(j, tls_version);
	}
	JSON_KEY(j, "ts");
	json_usec(j, f->first_us);
	if (f->tunnel_parent[0]) {
		JSON_KEY(j, "tunnel_parents");
		json_begin_array(j);
		rc |= conn_str(j, f->tunnel_parent[0]);
		if (f->tunnel_parent[1])
			rc |= conn_str(j, f->tunnel_parent[1]);
		json_end_array(j);
	}
	if (rs) {
		JSON_KEY(j, "verdict");
		rc |= conn_str(j, verdict_name(cls->verdict));
	}
	if (f->vlan_count >= 1) {
		JSON_KEY(j, "vlan");
		json_u64(j, f->vlan);
	}
	json_end_object(j);
	return rc ? -1 : 0;
}

static bool json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		if (*++s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static int pair_cmp(const void *a, const void *b)
{
	return strcmp((*(struct yaml_tree_node *const *const *)a)[0]->value,
		      (*(struct yaml_tree_node *const *const *)b)[0]->value);
}

/* n as canonical JSON: keys sorted, strings re-escaped, plain scalars JSON's own; skip: a key left out. */
int bl_canonical(struct json *j, const struct yaml_tree_node *n, const char *skip, const char *file,
		     struct load_error *err)
{
	struct yaml_tree_node *const **pairs;
	int i, rc = 0, np = n->nkids / 2;

	if (n->kind == YAML_TREE_SCALAR) {
		if (!n->plain)
			bl_put_str(j, n->value);
		else if (yaml_tree_is_null(n))
			json_null(j);
		else if (!strcmp(n->value, "true") || !strcmp(n->value, "false") || json_number(n->value))
			bl_put_raw(j, n->value);
		else
			return yaml_tree_fail(err, file, n, "'%.60s' is not JSON (strings are quoted)", n->value);
		return 0;
	}
	if (n->kind == YAML_TREE_SEQUENCE) {
		json_begin_array(j);
		for (i = 0; i < n->nkids && rc == 0; i++)
			rc = bl_canonical(j, n->kids[i], NULL, file, err);
		json_end_array(j);
		return rc;
	}
	pairs = xmalloc((size_t)(np ? np : 1) * sizeof(*pairs));
	for (i = 0; i < np; i++)
		pairs[i] = &n->kids[2 * i];
	qsort(pairs, (size_t)np, sizeof(*pairs), pair_cmp);
	json_begin_object(j);
	for (i = 0; i < np && rc == 0; i++) {
		if (skip && !strcmp(pairs[i][0]->value, skip))
			continue;
		bl_put_key(j, pairs[i][0]->value);
		rc = bl_canonical(j, pairs[i][1], NULL, file, err);
	}
	json_end_object(j);
	free(pairs);
	return rc;
}

static void newline(struct json *out, int depth)
{
	json_raw(out, "\n", 1);
	while (depth-- > 0)
		json_raw(out, "  ", 2);
}

static bool punctuation(char c)
{
	return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' || c == '"';
}

/* Where the string starting at s[i] (its opening quote) ends: past its closing quote, or n when cut. */
static size_t string_end(const char *s, size_t i, size_t n)
{
	for (i++; i < n && s[i] != '"'; i += s[i] == '\\' ? 2 : 1)
		;
	return i < n ? i + 1 : n;
}

/*
 * Indent the compact document: containers down to BL_EXPAND_DEPTH one
 * member a line, deeper ones inline. Strings and the runs between the
 * punctuation go out in one copy each: byte by byte, this took more than
 * everything else of a save by host.
 */
static void pretty(struct json *out, const char *s, size_t n)
{
	int depth = 0;
	size_t i = 0, e;

	while (i < n) {
		char c = s[i];

		switch (c) {
		case '{':
		case '[':
			json_raw(out, &s[i], 1);
			if (i + 1 < n && (s[i + 1] == '}' || s[i + 1] == ']')) {
				json_raw(out, &s[++i], 1);
				break;
			}
			if (++depth <= BL_EXPAND_DEPTH)
				newline(out, depth);
			break;
		case '}':
		case ']':
			if (depth-- <= BL_EXPAND_DEPTH)
				newline(out, depth);
			json_raw(out, &s[i], 1);
			break;
		case ',':
			json_raw(out, ",", 1);
			depth <= BL_EXPAND_DEPTH ? newline(out, depth) : json_raw(out, " ", 1);
			break;
		case ':':
			json_raw(out, ": ", 2);
			break;
		case '"':
			e = string_end(s, i, n);
			json_raw(out, &s[i], e - i);
			i = e;
			continue;
		default:
			for (e = i + 1; e < n && !punctuation(s[e]); e++)
				;
			json_raw(out, &s[i], e - i);
			i = e;
			continue;
		}
		i++;
	}
	json_raw(out, "\n", 1);
}

/* ---- writing ---- */

static void put_ts(struct json *j, const char *key, bool has, int64_t us)
{
	bl_put_key(j, key);
	has ? json_usec(j, us) : json_null(j);
}

void bl_put_capture(struct json *j, const struct bl_capture *c)
{
	int i;

	json_begin_object(j);
	bl_put_key(j, "dropped");
	json_u64(j, c->dropped);
	bl_put_key(j, "duplicates");
	json_u64(j, c->duplicates);
	put_ts(j, "first_ts", c->has_ts, c->first_us);
	bl_put_str_or_null(j, "flowaudit", c->flowaudit);
	bl_put_key(j, "inputs");
	json_begin_array(j);
	for (i = 0; i < c->ninputs; i++)
		bl_put_str(j, c->inputs[i]);
	json_end_array(j);
	put_ts(j, "last_ts", c->has_ts, c->last_us);
	bl_put_key(j, "live");
	json_bool(j, c->live);
	bl_put_key(j, "packets");
	json_u64(j, c->packets);
	bl_put_str_or_null(j, "rules_digest", c->rules_digest);
	bl_put_str_or_null(j, "site", c->site);
	bl_put_str_or_null(j, "site_digest", c->site_digest);
	json_end_object(j);
}

static void put_path(struct json *j, const struct bl_path *p)
{
	enum verdict worst = bl_path_worst(p);
	int i;

	json_begin_object(j);
	bl_put_key(j, "example");
	p->example ? bl_put_raw(j, p->example) : json_null(j);
	put_ts(j, "first_ts", true, p->first_us);
	bl_put_key(j, "flows");
	json_begin_object(j);
	for (i = 0; i < BL_NVERDICTS; i++) {
		bl_put_key(j, verdict_name(bl_verdicts[i]));
		json_u64(j, p->flows[bl_verdicts[i]]);
	}
	json_end_object(j);
	put_ts(j, "last_ts", true, p->last_us);
	bl_put_str_or_null(j, "orig", p->orig);
	bl_put_key(j, "orig_ip_bytes");
	json_u64(j, p->orig_ip_bytes);
	bl_put_key(j, "port");
	json_u64(j, p->port);
	bl_put_str_or_null(j, "proto", p->proto);
	bl_put_str_or_null(j, "resp", p->resp);
	bl_put_key(j, "resp_ip_bytes");
	json_u64(j, p->resp_ip_bytes);
	bl_put_str_or_null(j, "rule", p->rule);
	bl_put_str_or_null(j, "verdict", worst < V_COUNT ? verdict_name(worst) : NULL);
	json_end_object(j);
}

int baseline_write(const struct baseline *b, FILE *out)
{
	struct json doc, text;
	struct bl_path **v;
	size_t n, i;
	int i2, rc;

	json_init(&doc);
	json_init(&text);
	json_begin_object(&doc);
	bl_put_key(&doc, "captures");
	json_begin_array(&doc);
	for (i2 = 0; i2 < b->ncaptures; i2++)
		bl_put_capture(&doc, &b->captures[i2]);
	json_end_array(&doc);
	bl_put_str_or_null(&doc, "granularity", bl_by_name(b->by));
	bl_put_key(&doc, "paths");
	json_begin_array(&doc);
	v = bl_sorted_paths(b, &n);
	for (i = 0; i < n; i++)
		put_path(&doc, v[i]);
	free(v);
	json_end_array(&doc);
	bl_put_key(&doc, "version");
	json_u64(&doc, BASELINE_VERSION);
	json_end_object(&doc);
	pretty(&text, doc.buf, doc.len);
	errno = 0;
	rc = json_write(&text, out);
	if (rc < 0 && !errno)
		errno = EIO;
	json_free(&doc);
	json_free(&text);
	return rc;
}

/* ---- reading ---- */

struct reader {
	const char *file;
	struct load_error *err;
};

static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/*
 * Seconds with up to 6 decimals (what json_usec writes) into microseconds,
 * exactly. At most about 2^61 us either way, the range of capture times
 * (capture_ts_us), so that spans between two times cannot overflow.
 */
int bl_parse_usec(const char *s, int64_t *out)
{
	bool neg = *s == '-';
	uint64_t sec = 0, frac = 0;
	char whole[24];
	size_t n;
	int digits = 0;

	s += neg;
	n = strcspn(s, ".");
	if (n == 0 || n >= sizeof(whole))
		return -1;
	memcpy(whole, s, n);
	whole[n] = '\0';
	if (parse_u64(whole, &sec) < 0 || sec > ((uint64_t)1 << 61) / 1000000)
		return -1;
	if (s[n] == '.') {
		for (s += n + 1; *s >= '0' && *s <= '9' && digits < 6; s++, digits++)
			frac = frac * 10 + (uint64_t)(*s - '0');
		if (digits == 0 || *s)
			return -1;
		for (; digits < 6; digits++)
			frac *= 10;
	} else if (s[n]) {
		return -1;
	}
	*out = (int64_t)(sec * 1000000 + frac) * (neg ? -1 : 1);
	return 0;
}

static const struct yaml_tree_node *need(struct reader *r, const struct yaml_tree_node *map, const char *key)
{
	const struct yaml_tree_node *v = yaml_tree_get(map, key);

	if (!v)
		yaml_tree_fail(r->err, r->file, map, "missing required key \"%s\"", key);
	return v;
}

static bool is_plain(const struct yaml_tree_node *v)
{
	return v->kind == YAML_TREE_SCALAR && v->plain;
}

static int get_u64(struct reader *r, const struct yaml_tree_node *map, const char *key, uint64_t max,
		   uint64_t *out)
{
	const struct yaml_tree_node *v = need(r, map, key);

	if (!v)
		return -1;
	if (!is_plain(v) || parse_u64(v->value, out) < 0 || *out > max)
		return yaml_tree_fail(r->err, r->file, v, "\"%s\" must be a whole number up to %" PRIu64 ", got %s",
				      key, max, v->kind == YAML_TREE_SCALAR ? v->value : yaml_tree_kind_name(v));
	return 0;
}

static int get_ts(struct reader *r, const struct yaml_tree_node *map, const char *key, bool nullable,
		  bool *has, int64_t *out)
{
	const struct yaml_tree_node *v = need(r, map, key);

	if (!v)
		return -1;
	*has = !yaml_tree_is_null(v);
	if (!*has && nullable)
		return 0;
	if (!is_plain(v) || bl_parse_usec(v->value, out) < 0)
		return yaml_tree_fail(r->err, r->file, v, "\"%s\" must be a time in seconds (at most 6 decimals)%s",
				      key, nullable ? " or null" : "");
	return 0;
}

/* A quoted string (copied into *out), or null when nullable (*out = NULL). */
static int get_str(struct reader *r, const struct yaml_tree_node *map, const char *key, bool nullable,
		   char **out)
{
	const struct yaml_tree_node *v = need(r, map, key);

	*out = NULL;
	if (!v)
		return -1;
	if (nullable && yaml_tree_is_null(v))
		return 0;
	if (v->kind != YAML_TREE_SCALAR || v->plain)
		return yaml_tree_fail(r->err, r->file, v, "\"%s\" must be a string%s, got %s", key,
				      nullable ? " or null" : "", v->kind == YAML_TREE_SCALAR ? v->value :
				      yaml_tree_kind_name(v));
	*out = xstrdup(v->value);
	return 0;
}

static int get_bool(struct reader *r, const struct yaml_tree_node *map, const char *key, bool *out)
{
	const struct yaml_tree_node *v = need(r, map, key);

	if (!v)
		return -1;
	if (!is_plain(v) || (strcmp(v->value, "true") && strcmp(v->value, "false")))
		return yaml_tree_fail(r->err, r->file, v, "\"%s\" must be true or false", key);
	*out = v->value[0] == 't';
	return 0;
}

static int need_kind(struct reader *r, const struct yaml_tree_node *v, enum yaml_tree_kind kind,
		     const char *what)
{
	if (v->kind == kind)
		return 0;
	return yaml_tree_fail(r->err, r->file, v, "%s must be %s, got %s", what,
			      kind == YAML_TREE_MAPPING ? "an object" : "a list", yaml_tree_kind_name(v));
}

static int read_capture(struct reader *r, const struct yaml_tree_node *n, struct bl_capture *c)
{
	static const char *const keys[] = { "dropped", "duplicates", "first_ts", "flowaudit", "inputs", "last_ts",
					    "live", "packets", "rules_digest", "site", "site_digest" };
	const struct yaml_tree_node *in;
	bool has_last;
	int i;

	if (need_kind(r, n, YAML_TREE_MAPPING, "a capture") < 0 ||
	    yaml_tree_check_keys(r->err, r->file, n, keys, (int)(sizeof(keys) / sizeof(keys[0]))) < 0 ||
	    get_u64(r, n, "dropped", UINT64_MAX, &c->dropped) < 0 ||
	    get_u64(r, n, "duplicates", UINT64_MAX, &c->duplicates) < 0 ||
	    get_u64(r, n, "packets", UINT64_MAX, &c->packets) < 0 ||
	    get_ts(r, n, "first_ts", true, &c->has_ts, &c->first_us) < 0 ||
	    get_ts(r, n, "last_ts", true, &has_last, &c->last_us) < 0 || get_bool(r, n, "live", &c->live) < 0 ||
	    get_str(r, n, "flowaudit", true, &c->flowaudit) < 0 ||
	    get_str(r, n, "rules_digest", true, &c->rules_digest) < 0 || get_str(r, n, "site", true, &c->site) < 0 ||
	    get_str(r, n, "site_digest", true, &c->site_digest) < 0 || !(in = need(r, n, "inputs")) ||
	    need_kind(r, in, YAML_TREE_SEQUENCE, "\"inputs\"") < 0)
		return -1;
	if (c->has_ts != has_last || (c->has_ts && c->first_us > c->last_us))
		return yaml_tree_fail(r->err, r->file, n, "\"first_ts\" and \"last_ts\" do not make a time span");
	c->inputs = xcalloc((size_t)(in->nkids ? in->nkids : 1), sizeof(*c->inputs));
	for (i = 0; i < in->nkids; i++) {
		if (in->kids[i]->kind != YAML_TREE_SCALAR || in->kids[i]->plain)
			return yaml_tree_fail(r->err, r->file, in->kids[i], "an input must be a string");
		c->inputs[c->ninputs++] = xstrdup(in->kids[i]->value);
	}
	return 0;
}

static int read_flows(struct reader *r, const struct yaml_tree_node *n, struct bl_path *p)
{
	const char *names[BL_NVERDICTS];
	int i;

	for (i = 0; i < BL_NVERDICTS; i++)
		names[i] = verdict_name(bl_verdicts[i]);
	if (need_kind(r, n, YAML_TREE_MAPPING, "\"flows\"") < 0 ||
	    yaml_tree_check_keys(r->err, r->file, n, names, BL_NVERDICTS) < 0)
		return -1;
	for (i = 0; i < BL_NVERDICTS; i++)
		if (yaml_tree_get(n, names[i]) && get_u64(r, n, names[i], UINT64_MAX, &p->flows[bl_verdicts[i]]) < 0)
			return -1;
	if (!bl_path_total(p))
		return yaml_tree_fail(r->err, r->file, n, "a path with no flows");
	return 0;
}

static int read_example(struct reader *r, struct baseline *b, const struct yaml_tree_node *ex, struct bl_path *p)
{
	if (!ex || yaml_tree_is_null(ex))
		return 0;
	if (need_kind(r, ex, YAML_TREE_MAPPING, "\"example\"") < 0)
		return -1;
	return bl_example_take(b, p, ex, NULL, r->file, r->err);
}

/* What a saved path's proto is: tcp, udp, icmp, or another protocol's number. It is printed unquoted. */
static bool proto_ok(const char *s)
{
	uint64_t v;

	return !strcmp(s, "tcp") || !strcmp(s, "udp") || !strcmp(s, "icmp") || (parse_u64(s, &v) == 0 && v <= 255);
}

static int read_path(struct reader *r, struct baseline *b, const struct yaml_tree_node *n)
{
	static const char *const keys[] = { "example", "first_ts", "flows", "last_ts", "orig", "orig_ip_bytes",
					    "port", "proto", "resp", "resp_ip_bytes", "rule", "verdict" };
	char *orig = NULL, *resp = NULL, *proto = NULL, *rule = NULL;
	struct bl_path tmp = { .port = 0 }, *p;
	const struct yaml_tree_node *flows;
	uint64_t port;
	bool has;
	int rc = -1;
	size_t before = HASH_COUNT(b->paths);

	if (need_kind(r, n, YAML_TREE_MAPPING, "a path") < 0 ||
	    yaml_tree_check_keys(r->err, r->file, n, keys, (int)(sizeof(keys) / sizeof(keys[0]))) < 0)
		return -1;
	if (get_str(r, n, "orig", true, &orig) < 0 || get_str(r, n, "resp", true, &resp) < 0 ||
	    get_str(r, n, "proto", false, &proto) < 0 || get_str(r, n, "rule", true, &rule) < 0 ||
	    get_u64(r, n, "port", 65535, &port) < 0 || !(flows = need(r, n, "flows")) ||
	    read_flows(r, flows, &tmp) < 0 || get_u64(r, n, "orig_ip_bytes", UINT64_MAX, &tmp.orig_ip_bytes) < 0 ||
	    get_u64(r, n, "resp_ip_bytes", UINT64_MAX, &tmp.resp_ip_bytes) < 0 ||
	    get_ts(r, n, "first_ts", false, &has, &tmp.first_us) < 0 ||
	    get_ts(r, n, "last_ts", false, &has, &tmp.last_us) < 0)
		goto out;
	if (!proto_ok(proto)) {
		yaml_tree_fail(r->err, r->file, yaml_tree_get(n, "proto"),
			       "\"proto\" must be \"tcp\", \"udp\", \"icmp\" or a protocol number, got \"%.20s\"",
			       proto);
		goto out;
	}
	if (tmp.first_us > tmp.last_us) {
		yaml_tree_fail(r->err, r->file, n, "\"first_ts\" is after \"last_ts\"");
		goto out;
	}
	p = bl_path_get(b, orig, resp, proto, (uint16_t)port, rule);
	if (HASH_COUNT(b->paths) == before) {
		yaml_tree_fail(r->err, r->file, n, "this path (%s -> %s %s/%u, rule %s) is listed twice",
			       orig ? orig : "null", resp ? resp : "null", proto, (unsigned)port, rule ? rule : "null");
		goto out;
	}
	memcpy(p->flows, tmp.flows, sizeof(p->flows));
	p->orig_ip_bytes = tmp.orig_ip_bytes;
	p->resp_ip_bytes = tmp.resp_ip_bytes;
	p->first_us = tmp.first_us;
	p->last_us = tmp.last_us;
	rc = read_example(r, b, yaml_tree_get(n, "example"), p);
out:
	free(orig);
	free(resp);
	free(proto);
	free(rule);
	return rc;
}

/* The version comes first: another version's file is refused for that alone, naming both. */
static int read_version(struct reader *r, const struct yaml_tree_node *root)
{
	const struct yaml_tree_node *v = yaml_tree_get(root, "version");
	uint64_t version;

	if (!v)
		return yaml_tree_fail(r->err, r->file, root, "not a flowaudit baseline: no \"version\"");
	if (!is_plain(v) || parse_u64(v->value, &version) < 0)
		return yaml_tree_fail(r->err, r->file, v, "\"version\" must be a whole number, got %s",
				      v->kind == YAML_TREE_SCALAR ? v->value : yaml_tree_kind_name(v));
	if (version != BASELINE_VERSION)
		return yaml_tree_fail(r->err, r->file, v,
				      "baseline format version %" PRIu64 " is not supported: this flowaudit (%s) reads "
				      "version %d; %s", version, PACKAGE_VERSION, BASELINE_VERSION,
				      version > BASELINE_VERSION ? "use a newer flowaudit" :
				      "save the baseline again with this flowaudit");
	return 0;
}

static int read_doc(struct reader *r, struct baseline *b, const struct yaml_tree_node *root)
{
	static const char *const keys[] = { "captures", "granularity", "paths", "version" };
	const struct yaml_tree_node *caps, *paths;
	char *by = NULL;
	int i;

	if (!root || root->kind != YAML_TREE_MAPPING)
		return yaml_tree_fail(r->err, r->file, root, "not a flowaudit baseline: expected a JSON object");
	if (read_version(r, root) < 0 ||
	    yaml_tree_check_keys(r->err, r->file, root, keys, (int)(sizeof(keys) / sizeof(keys[0]))) < 0 ||
	    get_str(r, root, "granularity", false, &by) < 0)
		return -1;
	if (strcmp(by, "role") && strcmp(by, "host")) {
		free(by);
		return yaml_tree_fail(r->err, r->file, yaml_tree_get(root, "granularity"),
				      "\"granularity\" must be \"role\" or \"host\"");
	}
	b->by = by[0] == 'h' ? BY_HOST : BY_ROLE;
	free(by);
	if (!(caps = need(r, root, "captures")) || need_kind(r, caps, YAML_TREE_SEQUENCE, "\"captures\"") < 0 ||
	    !(paths = need(r, root, "paths")) || need_kind(r, paths, YAML_TREE_SEQUENCE, "\"paths\"") < 0)
		return -1;
	b->captures = xcalloc((size_t)(caps->nkids ? caps->nkids : 1), sizeof(*b->captures));
	for (i = 0; i < caps->nkids; i++)
		if (read_capture(r, caps->kids[i], &b->captures[b->ncaptures++]) < 0)
			return -1;
	for (i = 0; i < paths->nkids; i++)
		if (read_path(r, b, paths->kids[i]) < 0)
			return -1;
	return 0;
}

struct baseline *baseline_read(const char *path, struct load_error *err)
{
	struct reader r = { .file = path, .err = err };
	struct yaml_tree_node *root = NULL;
	struct baseline *b;
	char *text = NULL;
	size_t len = 0;

	if (yaml_tree_read_file_limits(path, &bl_limits, &text, &len, err) < 0)
		return NULL;
	if (yaml_tree_parse_limits(path, text, len, &bl_limits, &root, err) < 0) {
		free(text);
		return NULL;
	}
	free(text);
	b = baseline_new(BY_ROLE);
	b->file = xstrdup(path);
	if (read_doc(&r, b, root) < 0) {
		baseline_free(b);
		b = NULL;
	}
	yaml_tree_free(root);
	return b;
}
