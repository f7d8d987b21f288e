/* site_load: the site file (roles -> addresses, scope, matrices) checked against the loaded rules */
#define _GNU_SOURCE	/* strptime, timegm */
#include "site.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "findings.h"
#include "prefix.h"
#include "xalloc.h"
#include "yaml_tree.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

_Static_assert((int)PREFIX_NONE == (int)ROLE_NONE, "prefix_lookup's miss must read as ROLE_NONE");

enum { ADDR_TEXT_MAX = 64 };

static const char *const site_keys[] = { "site", "roles", "scope", "matrices", "tls", "rules", "accept" };
static const char *const accept_keys[] = { "from", "to", "proto", "ports", "kind", "reason", "until" };
static const char *const tls_keys[] = { "server_names", "issuers" };

struct site_loader {
	struct rule_set *rs;
	const char *file;
	struct load_error *err;
	struct site s;					/* being built; copied out on success */
	const struct yaml_tree_node **role_key;		/* [rs->nroles]: where the site defines it, or NULL */
};

static int fail(struct site_loader *ld, const struct yaml_tree_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct site_loader *ld, const struct yaml_tree_node *n, const char *fmt, ...)
{
	char msg[sizeof(ld->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return yaml_tree_fail(ld->err, ld->file, n, "%s", msg);
}

/* ---- addresses ------------------------------------------------------------ */

static void prefix_text(const struct site_prefix *p, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, addr, sizeof(addr));
	snprintf(buf, size, "%s/%d", addr, p->len);
}

static bool parse_length(const char *s, int max, int *len)
{
	int v = 0, i;

	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 3)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*len = v;
	return i > 0 && v <= max;
}

/* One address or prefix as written at n. */
static int parse_prefix(struct site_loader *ld, const struct yaml_tree_node *n, int role, struct site_prefix *p)
{
	char buf[ADDR_TEXT_MAX], *slash, fixed[ADDR_TEXT_MAX + 8];
	uint8_t masked[16];
	int max, len;

	memset(p, 0, sizeof(*p));
	if (n->len >= sizeof(buf))
		return fail(ld, n, "'%.40s...' is not an IPv4 or IPv6 address or prefix", n->value);
	memcpy(buf, n->value, n->len + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = 4;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = 6;
	else
		return fail(ld, n, "'%s' is not an IPv4 or IPv6 address or prefix", n->value);
	max = p->family == 4 ? 32 : 128;
	len = max;
	if (slash && !parse_length(slash + 1, max, &len))
		return fail(ld, n, "prefix length in '%s' must be 0-%d for IPv%d", n->value, max, p->family);
	p->len = (uint8_t)len;
	p->role = role;
	p->line = n->line;
	p->column = n->column;
	memcpy(masked, p->addr, sizeof(masked));
	prefix_mask(masked, len);
	if (memcmp(masked, p->addr, sizeof(masked)) != 0) {
		memcpy(p->addr, masked, sizeof(masked));
		prefix_text(p, fixed, sizeof(fixed));
		return fail(ld, n, "%s has host bits set; did you mean %s?", n->value, fixed);
	}
	return 0;
}

static void append_prefix(struct site_prefix **list, int *n, const struct site_prefix *p)
{
	if (*n >= 4 && (*n & (*n - 1)) != 0) {
		(*list)[(*n)++] = *p;
		return;
	}
	*list = xrealloc(*list, (size_t)(*n < 4 ? 4 : 2 * *n) * sizeof(**list));
	(*list)[(*n)++] = *p;
}

static const struct site_prefix *find_prefix(const struct site *s, const struct site_prefix *p)
{
	int i;

	for (i = 0; i < s->nprefixes; i++)
		if (s->prefixes[i].family == p->family && s->prefixes[i].len == p->len &&
		    memcmp(s->prefixes[i].addr, p->addr, 16) == 0)
			return &s->prefixes[i];
	return NULL;
}

/* The scalar or sequence of scalars under a role or 'scope', checked for shape. */
static int check_address_list(struct site_loader *ld, const struct yaml_tree_node *v, const char *label)
{
	int i;

	if (v->kind == YAML_TREE_MAPPING)
		return fail(ld, v, "%s must be an address, a prefix or a sequence of them, got a mapping", label);
	if (yaml_tree_is_null(v) || (v->kind == YAML_TREE_SEQUENCE && v->nkids == 0))
		return fail(ld, v, "%s lists no addresses", label);
	for (i = 0; v->kind == YAML_TREE_SEQUENCE && i < v->nkids; i++)
		if (v->kids[i]->kind != YAML_TREE_SCALAR || yaml_tree_is_null(v->kids[i]))
			return fail(ld, v->kids[i], "%s entries must be addresses or prefixes, got %s", label,
				    yaml_tree_kind_name(v->kids[i]));
	return 0;
}

static int add_role_prefix(struct site_loader *ld, const struct yaml_tree_node *n, int role)
{
	struct site_prefix p;
	const struct site_prefix *first;
	char text[ADDR_TEXT_MAX + 8];
	int existing;

	if (parse_prefix(ld, n, role, &p) < 0)
		return -1;
	if (prefix_add(ld->s.roles_lpm, p.family, p.addr, p.len, role, &existing) == 0) {
		append_prefix(&ld->s.prefixes, &ld->s.nprefixes, &p);
		return 0;
	}
	if (existing == role)
		return 0;	/* listed twice for one role: harmless */
	first = find_prefix(&ld->s, &p);
	prefix_text(&p, text, sizeof(text));
	return fail(ld, n, "%s is given to two roles: '%s' (line %d) and '%s' (line %d)", text,
		    rules_role_name(ld->rs, existing), first ? first->line : 0, rules_role_name(ld->rs, role),
		    n->line);
}

/* ---- roles ---------------------------------------------------------------- */

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int fail_unknown_role(struct site_loader *ld, const struct yaml_tree_node *key)
{
	const char **names = xcalloc((size_t)ld->rs->nroles + 1, sizeof(*names));
	char known[300] = "";
	const char *near;
	int rc;

	if (ld->rs->nroles > 0) {
		memcpy(names, ld->rs->roles, (size_t)ld->rs->nroles * sizeof(*names));
		qsort(names, (size_t)ld->rs->nroles, sizeof(*names), compare_names);
	}
	yaml_tree_join(known, sizeof(known), names, ld->rs->nroles);
	near = yaml_tree_suggest(key->value, names, ld->rs->nroles);
	rc = fail(ld, key, "unknown role '%.60s' (known roles: %s)%s%s%s", key->value,
		  ld->rs->nroles ? known : "none: no rule file is loaded", near ? "; did you mean '" : "",
		  near ? near : "", near ? "'?" : "");
	free(names);
	return rc;
}

static int load_role(struct site_loader *ld, const struct yaml_tree_node *key, const struct yaml_tree_node *v)
{
	char label[96];
	int role, i;

	if (strcmp(key->value, "any") == 0)
		return fail(ld, key, "role 'any' is reserved: rules use it to match every address");
	role = rules_role_index(ld->rs, key->value, false);
	if (role < 0)
		return fail_unknown_role(ld, key);
	ld->role_key[role] = key;
	snprintf(label, sizeof(label), "role '%.60s'", key->value);
	if (check_address_list(ld, v, label) < 0)
		return -1;
	if (v->kind == YAML_TREE_SCALAR)
		return add_role_prefix(ld, v, role);
	for (i = 0; i < v->nkids; i++)
		if (add_role_prefix(ld, v->kids[i], role) < 0)
			return -1;
	return 0;
}

static int load_roles(struct site_loader *ld, const struct yaml_tree_node *root)
{
	const struct yaml_tree_node *roles = yaml_tree_get(root, "roles");
	int i;

	if (!roles)
		return fail(ld, root, "missing required key 'roles'");
	if (roles->kind != YAML_TREE_MAPPING)
		return fail(ld, roles, "'roles' must be a mapping of role names to addresses, got %s",
			    yaml_tree_kind_name(roles));
	if (yaml_tree_map_size(roles) == 0)
		return fail(ld, roles, "'roles' is empty");
	ld->role_key = xcalloc((size_t)ld->rs->nroles + 1, sizeof(*ld->role_key));
	ld->s.roles_lpm = prefix_new();
	for (i = 0; i < yaml_tree_map_size(roles); i++)
		if (load_role(ld, yaml_tree_map_key(roles, i), yaml_tree_map_value(roles, i)) < 0)
			return -1;
	return 0;
}

/* ---- scope and matrices --------------------------------------------------- */

static int add_scope_prefix(struct site_loader *ld, const struct yaml_tree_node *n)
{
	struct site_prefix p;

	if (parse_prefix(ld, n, ROLE_NONE, &p) < 0)
		return -1;
	if (prefix_add(ld->s.scope_lpm, p.family, p.addr, p.len, 1, NULL) == 0)
		append_prefix(&ld->s.scope, &ld->s.nscope, &p);
	return 0;
}

static int load_scope(struct site_loader *ld, const struct yaml_tree_node *root)
{
	const struct yaml_tree_node *v = yaml_tree_get(root, "scope");
	int i;

	ld->s.scope_lpm = prefix_new();
	if (!v || (yaml_tree_is_null(v)))
		return 0;
	if (check_address_list(ld, v, "'scope'") < 0)
		return -1;
	if (v->kind == YAML_TREE_SCALAR)
		return add_scope_prefix(ld, v);
	for (i = 0; i < v->nkids; i++)
		if (add_scope_prefix(ld, v->kids[i]) < 0)
			return -1;
	return 0;
}

static int select_matrix(struct site_loader *ld, const struct yaml_tree_node *n)
{
	const char **names;
	int m, i, rc;

	if (n->kind != YAML_TREE_SCALAR || yaml_tree_is_null(n))
		return fail(ld, n, "'matrices' entries must be matrix names, got %s", yaml_tree_kind_name(n));
	m = rules_matrix_index(ld->rs, n->value);
	if (m >= 0) {
		ld->s.matrix_on[m] = true;
		return 0;
	}
	names = xcalloc((size_t)ld->rs->nmatrices + 1, sizeof(*names));
	for (i = 0; i < ld->rs->nmatrices; i++)
		names[i] = ld->rs->matrices[i].name;
	rc = yaml_tree_fail_unknown(ld->err, ld->file, n, "matrix", names, ld->rs->nmatrices);
	free(names);
	return rc;
}

static int load_matrices(struct site_loader *ld, const struct yaml_tree_node *root)
{
	const struct yaml_tree_node *v = yaml_tree_get(root, "matrices");
	int i;

	ld->s.matrix_on = xcalloc((size_t)ld->rs->nmatrices + 1, sizeof(*ld->s.matrix_on));
	if (!v || yaml_tree_is_null(v)) {
		for (i = 0; i < ld->rs->nmatrices; i++)
			ld->s.matrix_on[i] = true;
		return 0;
	}
	if (v->kind == YAML_TREE_MAPPING)
		return fail(ld, v, "'matrices' must be a sequence of matrix names, got a mapping");
	if (v->kind == YAML_TREE_SCALAR)
		return select_matrix(ld, v);
	if (v->nkids == 0)
		return fail(ld, v, "'matrices' is empty");
	for (i = 0; i < v->nkids; i++)
		if (select_matrix(ld, v->kids[i]) < 0)
			return -1;
	return 0;
}

/* A server name pattern: a DNS name, or "*." and one. */
static bool server_name_ok(const char *s)
{
	const char *p = s[0] == '*' && s[1] == '.' ? s + 2 : s;

	if (!*p || *p == '.')
		return false;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '.' || *p == '_'))
			return false;
	return true;
}

static int load_tls(struct site_loader *ld, const struct yaml_tree_node *root)
{
	const struct yaml_tree_node *v = yaml_tree_get(root, "tls");
	int i;

	if (!v || yaml_tree_is_null(v))
		return 0;
	if (v->kind != YAML_TREE_MAPPING)
		return fail(ld, v, "'tls' must be a mapping with keys server_names, issuers; got %s",
			    yaml_tree_kind_name(v));
	if (yaml_tree_check_keys(ld->err, ld->file, v, tls_keys, COUNT(tls_keys)) < 0 ||
	    yaml_tree_get_text_list(ld->err, ld->file, v, "server_names", 4096, 253, &ld->s.tls_names,
				    &ld->s.ntls_names) < 0 ||
	    yaml_tree_get_text_list(ld->err, ld->file, v, "issuers", 1024, 200, &ld->s.tls_issuers,
				    &ld->s.ntls_issuers) < 0)
		return -1;
	for (i = 0; i < ld->s.ntls_names; i++)
		if (!server_name_ok(ld->s.tls_names[i])) {
			const struct yaml_tree_node *names = yaml_tree_get(v, "server_names");

			return fail(ld, names->kind == YAML_TREE_SEQUENCE ? names->kids[i] : names,
				    "server name '%.80s' must be a DNS name or '*.' and one, like '*.example.com'",
				    ld->s.tls_names[i]);
		}
	return 0;
}

/* ---- warnings ------------------------------------------------------------- */

static void warn_at(load_warn_fn warn, void *ctx, const char *file, int line, int column, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Through yaml_tree_fail_at, so that the file name is escaped as in errors. */
static void warn_at(load_warn_fn warn, void *ctx, const char *file, int line, int column, const char *fmt, ...)
{
	struct load_error w = { .line = line, .column = column };
	char msg[sizeof(w.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	yaml_tree_fail_at(&w, file ? file : "", line, column, "%s", msg);
	warn(ctx, &w);
}

static void mark_used(const int *roles, int n, bool *used)
{
	int i;

	for (i = 0; i < n; i++)
		if (roles[i] >= 0)
			used[roles[i]] = true;
}

/* True when one of the roles is 'any' or defined by the site. */
static bool some_defined(const struct site_loader *ld, const int *roles, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (roles[i] == ROLE_ANY || (roles[i] >= 0 && ld->role_key[roles[i]]))
			return true;
	return false;
}

/* A rule cannot match when the site defines none of its 'from' roles, or none of its 'to' roles. */
static void warn_unmatchable(struct site_loader *ld, const struct rule *r, load_warn_fn warn, void *ctx)
{
	bool from = some_defined(ld, r->from, r->nfrom), to = some_defined(ld, r->to, r->nto);
	struct load_error w = { .line = r->line, .column = r->column, .kind = LOAD_WARN_RULE_UNMATCHABLE };

	if (from && to)
		return;
	yaml_tree_fail_at(&w, r->file ? r->file : "", r->line, r->column,
			  "rule %s cannot match: the site defines none of its '%s' roles (%s%s)", r->name,
			  from ? "to" : "from", rules_role_name(ld->rs, from ? r->to[0] : r->from[0]),
			  (from ? r->nto : r->nfrom) > 1 ? ", ..." : "");
	warn(ctx, &w);
}

static void emit_warnings(struct site_loader *ld, load_warn_fn warn, void *ctx)
{
	const struct rule_set *rs = ld->rs;
	bool *used = xcalloc((size_t)rs->nroles + 1, sizeof(*used));
	int i;

	for (i = 0; i < rs->nrules; i++) {
		if (!ld->s.matrix_on[rs->rules[i].matrix] && !rs->matrices[rs->rules[i].matrix].common)
			continue;
		mark_used(rs->rules[i].from, rs->rules[i].nfrom, used);
		mark_used(rs->rules[i].to, rs->rules[i].nto, used);
	}
	for (i = 0; i < rs->nroles; i++)
		if (ld->role_key[i] && !used[i])
			warn_at(warn, ctx, ld->file, ld->role_key[i]->line, ld->role_key[i]->column,
				"role '%s' is not used by any rule of the selected matrices", rs->roles[i]);
	for (i = 0; i < rs->nrules; i++)	/* common practice applies only where it can: no warning */
		if (ld->s.matrix_on[rs->rules[i].matrix] && !rs->matrices[rs->rules[i].matrix].common)
			warn_unmatchable(ld, &rs->rules[i], warn, ctx);
	free(used);
}

/* ---- accepted exceptions ------------------------------------------------------ */

/* A role the site defines, or an address or prefix. */
static int parse_end(struct site_loader *ld, const struct yaml_tree_node *n, struct site_end *e)
{
	const char **names;
	const char *near;
	int role, i, rc;

	memset(e, 0, sizeof(*e));
	e->role = ROLE_NONE;
	if (n->kind != YAML_TREE_SCALAR || yaml_tree_is_null(n))
		return fail(ld, n, "an accept entry's 'from' and 'to' are roles, addresses or prefixes, got %s",
			    yaml_tree_kind_name(n));
	if (strchr(n->value, '.') || strchr(n->value, ':'))
		return parse_prefix(ld, n, ROLE_NONE, &e->pfx);
	role = rules_role_index(ld->rs, n->value, false);
	if (role >= 0 && ld->role_key[role]) {
		e->role = role;
		return 0;
	}
	names = xcalloc((size_t)ld->rs->nroles + 1, sizeof(*names));
	for (i = 0, rc = 0; i < ld->rs->nroles; i++)
		if (ld->role_key[i])
			names[rc++] = ld->rs->roles[i];
	near = yaml_tree_suggest(n->value, names, rc);
	rc = fail(ld, n, "accept: '%.60s' is neither a role the site defines nor an address or prefix%s%s%s", n->value,
		  near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
	free(names);
	return rc;
}

static int parse_ends(struct site_loader *ld, const struct yaml_tree_node *v, struct site_end **ends, int *n)
{
	int i;

	if (!v || yaml_tree_is_null(v))
		return 0;
	if (v->kind == YAML_TREE_SCALAR) {
		*ends = xcalloc(1, sizeof(**ends));
		*n = 1;
		return parse_end(ld, v, *ends);
	}
	if (v->kind != YAML_TREE_SEQUENCE)
		return fail(ld, v, "expected a role, address or prefix, or a list of them; got %s", yaml_tree_kind_name(v));
	*ends = xcalloc((size_t)v->nkids + 1, sizeof(**ends));
	for (i = 0; i < v->nkids; i++, (*n)++)
		if (parse_end(ld, v->kids[i], &(*ends)[i]) < 0)
			return -1;
	return 0;
}

/* ports: 1494, [1494, 2598], "27000-27009" */
static int parse_accept_ports(struct site_loader *ld, const struct yaml_tree_node *v, struct site_accept *a)
{
	int i, count;

	if (!v || yaml_tree_is_null(v))
		return 0;
	count = v->kind == YAML_TREE_SEQUENCE ? v->nkids : 1;
	a->ports = xcalloc((size_t)count + 1, sizeof(*a->ports));
	for (i = 0; i < count; i++) {
		const struct yaml_tree_node *p = v->kind == YAML_TREE_SEQUENCE ? v->kids[i] : v;
		unsigned long lo, hi;
		char *end;

		if (p->kind != YAML_TREE_SCALAR)
			return fail(ld, p, "a port is a number or a range N-M, got %s", yaml_tree_kind_name(p));
		lo = strtoul(p->value, &end, 10);
		hi = lo;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (end == p->value || *end || lo > 65535 || hi > 65535 || hi < lo)
			return fail(ld, p, "'%.40s' is not a port (0-65535) or a range N-M", p->value);
		a->ports[a->nports++] = (struct port_range){ .lo = (uint16_t)lo, .hi = (uint16_t)hi };
	}
	return 0;
}

/* until: YYYY-MM-DD, the end of that day in UTC. */
static int parse_until(struct site_loader *ld, const struct yaml_tree_node *v, struct site_accept *a)
{
	struct tm tm;
	char *end;

	if (!v || yaml_tree_is_null(v))
		return 0;
	memset(&tm, 0, sizeof(tm));
	end = v->kind == YAML_TREE_SCALAR ? strptime(v->value, "%Y-%m-%d", &tm) : NULL;
	if (!end || *end || v->len != 10)
		return fail(ld, v, "'until' is a date, YYYY-MM-DD");
	snprintf(a->until, sizeof(a->until), "%s", v->value);
	a->until_us = ((int64_t)timegm(&tm) + 86400) * 1000000;
	return 0;
}

static int load_accept(struct site_loader *ld, const struct yaml_tree_node *m, struct site_accept *a)
{
	const struct yaml_tree_node *v;
	static const char *const protos[] = { "tcp", "udp", "icmp" };
	static const uint8_t bits[] = { RULE_TCP, RULE_UDP, RULE_ICMP };
	int i, k;

	a->kind = -1;
	a->line = m->line;
	a->column = m->column;
	if (m->kind != YAML_TREE_MAPPING)
		return fail(ld, m, "each accept entry is a mapping with keys from, to, proto, ports, kind, reason, until; "
			    "got %s", yaml_tree_kind_name(m));
	if (yaml_tree_check_keys(ld->err, ld->file, m, accept_keys, COUNT(accept_keys)) < 0 ||
	    yaml_tree_get_text(ld->err, ld->file, m, "reason", true, &v) < 0)
		return -1;
	a->reason = xstrdup(v->value);
	if (parse_ends(ld, yaml_tree_get(m, "from"), &a->from, &a->nfrom) < 0 ||
	    parse_ends(ld, yaml_tree_get(m, "to"), &a->to, &a->nto) < 0 ||
	    parse_accept_ports(ld, yaml_tree_get(m, "ports"), a) < 0 || parse_until(ld, yaml_tree_get(m, "until"), a) < 0)
		return -1;
	if ((v = yaml_tree_get(m, "proto")) && !yaml_tree_is_null(v)) {
		int count = v->kind == YAML_TREE_SEQUENCE ? v->nkids : 1;

		for (i = 0; i < count; i++) {
			const struct yaml_tree_node *p = v->kind == YAML_TREE_SEQUENCE ? v->kids[i] : v;

			for (k = 0; k < 3 && (p->kind != YAML_TREE_SCALAR || strcmp(p->value, protos[k])); k++)
				;
			if (k == 3)
				return yaml_tree_fail_unknown(ld->err, ld->file, p, "protocol", protos, 3);
			a->protos |= bits[k];
		}
	}
	if ((v = yaml_tree_get(m, "kind")) && !yaml_tree_is_null(v)) {
		if (v->kind != YAML_TREE_SCALAR || (a->kind = findings_kind_parse(v->value)) < 0) {
			const char *names[FK_COUNT];

			for (k = 0; k < FK_COUNT; k++)
				names[k] = findings_kind_name((enum finding_kind)k);
			return yaml_tree_fail_unknown(ld->err, ld->file, v, "finding kind", names, FK_COUNT);
		}
	}
	return 0;
}

static int load_accepts(struct site_loader *ld, const struct yaml_tree_node *root)
{
	const struct yaml_tree_node *v = yaml_tree_get(root, "accept");
	int i;

	if (!v || yaml_tree_is_null(v))
		return 0;
	if (v->kind != YAML_TREE_SEQUENCE)
		return fail(ld, v, "'accept' must be a sequence of entries, got %s", yaml_tree_kind_name(v));
	ld->s.accepts = xcalloc((size_t)v->nkids + 1, sizeof(*ld->s.accepts));
	for (i = 0; i < v->nkids; i++, ld->s.naccepts++)
		if (load_accept(ld, v->kids[i], &ld->s.accepts[i]) < 0) {
			ld->s.naccepts++;	/* freed with the site */
			return -1;
		}
	return 0;
}

/* ---- local rules ------------------------------------------------------------ */

/* A role a local rule names must be one the site defines (or 'any'): a typo is an error, not a new role. */
static int check_local_role(struct site_loader *ld, const struct yaml_tree_node *name, const char *const *defined,
			    int ndefined)
{
	const char *near;
	char known[300] = "";
	int i;

	if (name->kind != YAML_TREE_SCALAR || strcmp(name->value, "any") == 0)
		return 0;	/* the rule loader says what is wrong with a non-name */
	for (i = 0; i < ndefined; i++)
		if (strcmp(name->value, defined[i]) == 0)
			return 0;
	near = yaml_tree_suggest(name->value, defined, ndefined);
	yaml_tree_join(known, sizeof(known), defined, ndefined);
	return fail(ld, name, "local rule names role '%.60s', which the site does not define (its roles: %s)%s%s%s",
		    name->value, known, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

/*
 * 'rules:' in the site file: rules of the site's own, in the rule-file
 * schema, loaded as the matrix 'site' (rules site/<id>), always applied.
 * Loaded before the roles, which may then name the roles only they use.
 */
static int load_local_rules(struct site_loader *ld, const struct yaml_tree_node *root)
{
	const struct yaml_tree_node *rules = yaml_tree_get(root, "rules"), *roles = yaml_tree_get(root, "roles");
	static const char *const sides[] = { "from", "to" };
	const char **defined;
	char title[200];
	int i, k, s, n = 0, rc = 0;

	if (!rules || yaml_tree_is_null(rules))
		return 0;
	defined = xcalloc((size_t)(roles && roles->kind == YAML_TREE_MAPPING ? yaml_tree_map_size(roles) : 0) + 1,
			  sizeof(*defined));
	if (roles && roles->kind == YAML_TREE_MAPPING)
		for (i = 0; i < yaml_tree_map_size(roles); i++)
			defined[n++] = yaml_tree_map_key(roles, i)->value;
	for (i = 0; rules->kind == YAML_TREE_SEQUENCE && i < rules->nkids && rc == 0; i++) {
		const struct yaml_tree_node *r = rules->kids[i];

		if (r->kind != YAML_TREE_MAPPING)
			continue;
		for (s = 0; s < 2 && rc == 0; s++) {
			const struct yaml_tree_node *v = yaml_tree_get(r, sides[s]);

			if (!v)
				continue;
			if (v->kind == YAML_TREE_SCALAR)
				rc = check_local_role(ld, v, defined, n);
			for (k = 0; v->kind == YAML_TREE_SEQUENCE && k < v->nkids && rc == 0; k++)
				rc = check_local_role(ld, v->kids[k], defined, n);
		}
	}
	free(defined);
	if (rc < 0)
		return -1;
	snprintf(title, sizeof(title), "Local rules (site file %.150s)", ld->file);
	return rules_load_local(ld->rs, ld->file, rules, title, ld->err);
}

/* ---- entry points --------------------------------------------------------- */

static int load_site(struct site_loader *ld, const struct yaml_tree_node *root)
{
	const struct yaml_tree_node *name;

	if (!root)
		return fail(ld, NULL, "the file is empty: expected a mapping with keys site, roles, scope, matrices");
	if (root->kind != YAML_TREE_MAPPING)
		return fail(ld, root, "a site file must be a mapping with keys site, roles, scope, matrices; got %s",
			    yaml_tree_kind_name(root));
	if (yaml_tree_check_keys(ld->err, ld->file, root, site_keys, COUNT(site_keys)) < 0 ||
	    yaml_tree_get_text(ld->err, ld->file, root, "site", true, &name) < 0)
		return -1;
	ld->s.name = xstrdup(name->value);
	ld->s.file = xstrdup(ld->file);
	if (load_local_rules(ld, root) < 0 || load_matrices(ld, root) < 0 || load_roles(ld, root) < 0 ||
	    load_scope(ld, root) < 0 || load_tls(ld, root) < 0 || load_accepts(ld, root) < 0)
		return -1;
	{
		int site_matrix = rules_matrix_index(ld->rs, "site");

		if (site_matrix >= 0 && yaml_tree_get(root, "rules"))
			ld->s.matrix_on[site_matrix] = true;	/* the site's own rules always apply */
	}
	return 0;
}

int site_load_string(struct site *s, const char *name, const char *text, size_t len, struct rule_set *rs,
		     load_warn_fn warn, void *warn_ctx, struct load_error *err)
{
	struct site_loader ld = { .rs = rs, .file = name ? name : "<string>", .err = err };
	struct yaml_tree_node *root;
	int rc;

	memset(s, 0, sizeof(*s));
	if (yaml_tree_parse(ld.file, text, len, &root, err) < 0)
		return -1;
	rc = load_site(&ld, root);
	if (rc == 0 && warn)
		emit_warnings(&ld, warn, warn_ctx);
	yaml_tree_free(root);
	free(ld.role_key);
	if (rc < 0)
		site_free(&ld.s);
	else
		*s = ld.s;
	return rc;
}

int site_load(struct site *s, const char *path, struct rule_set *rs, load_warn_fn warn, void *warn_ctx,
	      struct load_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	if (yaml_tree_read_file(path, &text, &len, err) < 0)
		return -1;
	rc = site_load_string(s, path, text, len, rs, warn, warn_ctx, err);
	free(text);
	return rc;
}

int site_role_of(const struct site *s, uint8_t family, const uint8_t addr[16])
{
	return prefix_lookup(s->roles_lpm, family, addr);
}

bool site_in_scope(const struct site *s, uint8_t family, const uint8_t addr[16])
{
	return prefix_lookup(s->scope_lpm, family, addr) != PREFIX_NONE;
}

bool site_defines_any(const struct site *s, const int *roles, int n)
{
	int i, k;

	for (i = 0; i < n; i++) {
		if (roles[i] == ROLE_ANY)
			return true;
		for (k = 0; k < s->nprefixes; k++)
			if (s->prefixes[k].role == roles[i])
				return true;
	}
	return false;
}

void site_free(struct site *s)
{
	free(s->name);
	free(s->file);
	free(s->prefixes);
	free(s->scope);
	free(s->matrix_on);
	prefix_free(s->roles_lpm);
	prefix_free(s->scope_lpm);
	yaml_tree_free_list(s->tls_names, s->ntls_names);
	yaml_tree_free_list(s->tls_issuers, s->ntls_issuers);
	for (int i = 0; i < s->naccepts; i++) {
		free(s->accepts[i].from);
		free(s->accepts[i].to);
		free(s->accepts[i].ports);
		free(s->accepts[i].reason);
	}
	free(s->accepts);
	memset(s, 0, sizeof(*s));
}
