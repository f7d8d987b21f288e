/* rules_load: rule files (YAML) into a rule_set, checked field by field, all or nothing */
#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uthash.h>

#include "inspect.h"
#include "xalloc.h"
#include "yaml_tree.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Lists and roles are bounded so that a hostile file cannot make interning quadratic. */
enum { NAME_MAX_LEN = 63, PORT_MIN = 1, PORT_MAX = 65535, LIST_MAX = 1024, ROLES_MAX = 1024 };

static const char *const category_names[CAT_COUNT] = {
	"ica-hdx", "edt", "ras", "licensing", "broker", "gateway", "management",
	"directory", "database", "provisioning", "monitoring", "cloud", "other",
};
static const char *const expect_names[] = { "optional", "any", "each" };
static const char *const action_names[] = { "allow", "deny" };
static const char *const proto_names[] = { "tcp", "udp", "icmp" };
static const uint8_t proto_bits[] = { RULE_TCP, RULE_UDP, RULE_ICMP };
static const char *const exposure_names[] = { "external", "internal", "localhost" };
static const char *const matrix_keys[] = { "matrix", "title", "source", "rules" };
static const char *const rule_keys[] = {
	"id", "category", "from", "to", "proto", "ports", "description", "expect", "action",
	"bidirectional", "group", "exposure", "one-way", "expect_service", "expect_tls_issuer",
};

/* A rule id already used in the matrix being loaded. */
struct id_seen {
	const char *id;
	int line;
	UT_hash_handle hh;
};

struct loader {
	struct rule_set *rs;
	const char *file;		/* owned by rs->files */
	struct load_error *err;
	int matrix;			/* index of the matrix being loaded */
	struct id_seen *ids;
};

/* Counts before a call, to roll back to on error. */
struct snapshot {
	int nmatrices, nrules, nroles, nfiles;
};

/* Grow an array of n elements so one more fits (capacity: powers of two). */
static void *grow(void *p, int n, size_t size)
{
	if (n >= 4 && (n & (n - 1)) != 0)
		return p;
	return xrealloc(p, (size_t)(n < 4 ? 4 : 2 * n) * size);
}

void rules_init(struct rule_set *rs)
{
	memset(rs, 0, sizeof(*rs));
}

const char *rules_category_name(enum rule_category c)
{
	return (unsigned)c < CAT_COUNT ? category_names[c] : "?";
}

const char *rules_expect_name(enum rule_expect e)
{
	return (unsigned)e < (unsigned)COUNT(expect_names) ? expect_names[e] : "?";
}

const char *rules_action_name(enum rule_action a)
{
	return (unsigned)a < (unsigned)COUNT(action_names) ? action_names[a] : "?";
}

int rules_role_index(struct rule_set *rs, const char *name, bool add)
{
	int i;

	if (strcmp(name, "any") == 0)
		return ROLE_ANY;
	for (i = 0; i < rs->nroles; i++)
		if (strcmp(rs->roles[i], name) == 0)
			return i;
	if (!add)
		return ROLE_NONE;
	rs->roles = grow(rs->roles, rs->nroles, sizeof(*rs->roles));
	rs->roles[rs->nroles] = xstrdup(name);
	return rs->nroles++;
}

const char *rules_role_name(const struct rule_set *rs, int role)
{
	if (role == ROLE_ANY)
		return "any";
	if (role >= 0 && role < rs->nroles)
		return rs->roles[role];
	return "none";
}

int rules_matrix_index(const struct rule_set *rs, const char *name)
{
	int i;

	for (i = 0; i < rs->nmatrices; i++)
		if (strcmp(rs->matrices[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- field helpers ------------------------------------------------------ */

static int index_of(const char *word, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(word, names[i]) == 0)
			return i;
	return -1;
}

/* Free text (title, source, description, group) reaches reports and terminals: no control characters. */
static int get_string(struct loader *ld, const struct yaml_tree_node *map, const char *key, char **out)
{
	const struct yaml_tree_node *v;

	if (yaml_tree_get_text(ld->err, ld->file, map, key, false, &v) < 0)
		return -1;
	*out = v ? xstrdup(v->value) : NULL;
	return 0;
}

/* An optional enum value: *out untouched when absent. */
static int get_enum(struct loader *ld, const struct yaml_tree_node *map, const char *key, const char *what,
		    const char *const *names, int n, int *out)
{
	const struct yaml_tree_node *v;
	int i;

	if (yaml_tree_get_scalar(ld->err, ld->file, map, key, false, &v) < 0)
		return -1;
	if (!v)
		return 0;
	i = index_of(v->value, names, n);
	if (i < 0)
		return yaml_tree_fail_unknown(ld->err, ld->file, v, what, names, n);
	*out = i;
	return 0;
}

static bool name_ok(const char *s, bool lowercase_only, bool underscore)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (underscore && c == '_'))
			continue;
		if (!lowercase_only && c >= 'A' && c <= 'Z')
			continue;
		return false;
	}
	return true;
}

/* ---- lists: a scalar or a sequence of scalars --------------------------- */

static int list_len(const struct yaml_tree_node *v)
{
	return v->kind == YAML_TREE_SEQUENCE ? v->nkids : 1;
}

static const struct yaml_tree_node *list_item(const struct yaml_tree_node *v, int i)
{
	return v->kind == YAML_TREE_SEQUENCE ? v->kids[i] : v;
}

/* The list under a required key, checked for shape: non-empty, scalars only. */
static int get_list(struct loader *ld, const struct yaml_tree_node *map, const char *key, const char *what,
		    const struct yaml_tree_node **out)
{
	const struct yaml_tree_node *v = yaml_tree_get(map, key);
	int i;

	if (!v)
		return yaml_tree_fail(ld->err, ld->file, map, "missing required key '%s'", key);
	if (v->kind == YAML_TREE_MAPPING)
		return yaml_tree_fail(ld->err, ld->file, v, "'%s' must be a sequence of %s, got a mapping", key,
				      what);
	if (list_len(v) == 0 || yaml_tree_is_null(v))
		return yaml_tree_fail(ld->err, ld->file, v, "'%s' is empty", key);
	if (list_len(v) > LIST_MAX)
		return yaml_tree_fail(ld->err, ld->file, v, "'%s' lists more than %d entries", key, LIST_MAX);
	for (i = 0; i < list_len(v); i++)
		if (list_item(v, i)->kind != YAML_TREE_SCALAR || yaml_tree_is_null(list_item(v, i)))
			return yaml_tree_fail(ld->err, ld->file, list_item(v, i), "'%s' entries must be %s, got %s",
					      key, what, yaml_tree_kind_name(list_item(v, i)));
	*out = v;
	return 0;
}

static int get_roles(struct loader *ld, const struct yaml_tree_node *map, const char *key, int **roles, int *n)
{
	const struct yaml_tree_node *v, *item;
	int i, j, r;

	if (get_list(ld, map, key, "role names", &v) < 0)
		return -1;
	for (i = 0; i < list_len(v); i++) {
		item = list_item(v, i);
		if (!name_ok(item->value, false, true))
			return yaml_tree_fail(ld->err, ld->file, item,
					      "role name '%.60s' must be 1-%d letters, digits, hyphens or underscores",
					      item->value, NAME_MAX_LEN);
		r = rules_role_index(ld->rs, item->value, false);
		if (r == ROLE_NONE && ld->rs->nroles >= ROLES_MAX)
			return yaml_tree_fail(ld->err, ld->file, item, "more than %d distinct roles", ROLES_MAX);
		if (r == ROLE_NONE)
			r = rules_role_index(ld->rs, item->value, true);
		for (j = 0; j < *n && (*roles)[j] != r; j++)
			;
		if (j < *n)
			continue;
		*roles = grow(*roles, *n, sizeof(**roles));
		(*roles)[(*n)++] = r;
	}
	return 0;
}

static int get_protos(struct loader *ld, const struct yaml_tree_node *map, uint8_t *bits)
{
	const struct yaml_tree_node *v;
	int i, p;

	if (get_list(ld, map, "proto", "protocols", &v) < 0)
		return -1;
	for (i = 0; i < list_len(v); i++) {
		p = index_of(list_item(v, i)->value, proto_names, COUNT(proto_names));
		if (p < 0)
			return yaml_tree_fail_unknown(ld->err, ld->file, list_item(v, i), "proto", proto_names,
						      COUNT(proto_names));
		*bits |= proto_bits[p];
	}
	return 0;
}

/* Decimal digits at s into *v (saturating); returns the first non-digit. */
static const char *read_number(const char *s, unsigned long *v)
{
	*v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		*v = *v > 999999 ? 1000000 : *v * 10 + (unsigned long)(*s - '0');
	return s;
}

static int parse_port(struct loader *ld, const struct yaml_tree_node *n, struct port_range *out)
{
	const char *s = n->value, *end, *hi_s = NULL, *hi_end;
	unsigned long lo, hi;

	end = read_number(s, &lo);
	hi = lo;
	hi_end = end;
	if (end != s && *end == '-') {
		hi_s = end + 1;
		hi_end = read_number(hi_s, &hi);
	}
	if (end == s || hi_end == hi_s || *hi_end != '\0')
		return yaml_tree_fail(ld->err, ld->file, n,
				      "'ports' entry '%.40s' is not a port or a range like \"16500-16509\"", s);
	if (lo < PORT_MIN || lo > PORT_MAX)
		return yaml_tree_fail(ld->err, ld->file, n, "port %.*s is out of range %d-%d", (int)(end - s), s,
				      PORT_MIN, PORT_MAX);
	if (hi_s && (hi < PORT_MIN || hi > PORT_MAX))
		return yaml_tree_fail(ld->err, ld->file, n, "port %.*s is out of range %d-%d",
				      (int)(hi_end - hi_s), hi_s, PORT_MIN, PORT_MAX);
	if (lo > hi)
		return yaml_tree_fail(ld->err, ld->file, n, "range %lu-%lu is inverted", lo, hi);
	out->lo = (uint16_t)lo;
	out->hi = (uint16_t)hi;
	return 0;
}

static int get_ports(struct loader *ld, const struct yaml_tree_node *map, struct rule *r)
{
	const struct yaml_tree_node *v = yaml_tree_get(map, "ports");
	int i;

	if (r->protos == RULE_ICMP) {
		if (v && !yaml_tree_is_null(v))
			return yaml_tree_fail(ld->err, ld->file, v,
					      "'ports' given for an icmp-only rule (ICMP has no ports)");
		return 0;
	}
	if (!v)
		return yaml_tree_fail(ld->err, ld->file, map,
				      "missing required key 'ports' (required unless proto is icmp only)");
	if (get_list(ld, map, "ports", "ports or ranges", &v) < 0)
		return -1;
	r->ports = xcalloc((size_t)list_len(v), sizeof(*r->ports));
	for (i = 0; i < list_len(v); i++)
		if (parse_port(ld, list_item(v, i), &r->ports[r->nports++]) < 0)
			return -1;
	return 0;
}

/* ---- one rule ------------------------------------------------------------ */

static void free_rule(struct rule *r)
{
	free(r->id);
	free(r->name);
	free(r->from);
	free(r->to);
	free(r->ports);
	free(r->description);
	free(r->group);
	free(r->exposure);
	yaml_tree_free_list(r->tls_issuers, r->ntls_issuers);
}

static int rule_identity(struct loader *ld, const struct yaml_tree_node *map, struct rule *r)
{
	const struct yaml_tree_node *v;
	const struct matrix *m = &ld->rs->matrices[ld->matrix];
	struct id_seen *seen;
	size_t size;

	if (yaml_tree_get_scalar(ld->err, ld->file, map, "id", true, &v) < 0)
		return -1;
	if (!name_ok(v->value, false, false))
		return yaml_tree_fail(ld->err, ld->file, v, "rule id '%.60s' must be 1-%d letters, digits or hyphens",
				      v->value, NAME_MAX_LEN);
	HASH_FIND_STR(ld->ids, v->value, seen);
	if (seen)
		return yaml_tree_fail(ld->err, ld->file, v, "duplicate rule id '%s' (first at line %d)", v->value,
				      seen->line);
	r->id = xstrdup(v->value);
	size = strlen(m->name) + strlen(r->id) + 2;
	r->name = xmalloc(size);
	snprintf(r->name, size, "%s/%s", m->name, r->id);
	r->matrix = ld->matrix;
	r->file = ld->file;
	r->line = map->line;
	r->column = map->column;
	return 0;
}

static int rule_match(struct loader *ld, const struct yaml_tree_node *map, struct rule *r)
{
	const struct yaml_tree_node *v;
	int cat = -1;

	if (yaml_tree_get_scalar(ld->err, ld->file, map, "category", true, &v) < 0 ||
	    get_enum(ld, map, "category", "category", category_names, CAT_COUNT, &cat) < 0)
		return -1;
	r->category = (enum rule_category)cat;
	if (get_roles(ld, map, "from", &r->from, &r->nfrom) < 0 || get_roles(ld, map, "to", &r->to, &r->nto) < 0 ||
	    get_protos(ld, map, &r->protos) < 0)
		return -1;
	return get_ports(ld, map, r);
}

static int get_bool(struct loader *ld, const struct yaml_tree_node *map, const char *key, bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" }, *const no[] = { "false", "False", "FALSE" };
	const struct yaml_tree_node *v;

	if (yaml_tree_get_scalar(ld->err, ld->file, map, key, false, &v) < 0)
		return -1;
	if (!v)
		return 0;
	if (v->plain && index_of(v->value, yes, COUNT(yes)) >= 0)
		*out = true;
	else if (v->plain && index_of(v->value, no, COUNT(no)) >= 0)
		*out = false;
	else
		return yaml_tree_fail(ld->err, ld->file, v, "'%s' must be true or false, got '%.40s'", key, v->value);
	return 0;
}

/* expect_service: what the payload must look like on this rule's ports (inspect.h's names). */
static int get_services(struct loader *ld, const struct yaml_tree_node *map, struct rule *r)
{
	char **names;
	int i, n, svc;

	if (yaml_tree_get_text_list(ld->err, ld->file, map, "expect_service", SVC_COUNT, 16, &names, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		svc = service_parse(names[i]);
		if (svc < 0) {
			const struct yaml_tree_node *v = yaml_tree_get(map, "expect_service");
			const char *const *known = inspect_service_names();

			yaml_tree_free_list(names, n);
			return yaml_tree_fail_unknown(ld->err, ld->file, v->kind == YAML_TREE_SEQUENCE ? v->kids[i] : v,
						      "service", known, SVC_COUNT - 1);
		}
		r->expect_services |= (uint16_t)(1u << svc);
	}
	yaml_tree_free_list(names, n);
	return yaml_tree_get_text_list(ld->err, ld->file, map, "expect_tls_issuer", LIST_MAX, 200, &r->tls_issuers,
				       &r->ntls_issuers);
}

static int rule_extras(struct loader *ld, const struct yaml_tree_node *map, struct rule *r)
{
	int expect = EXPECT_OPTIONAL, action = ACTION_ALLOW, exposure = -1;

	if (get_string(ld, map, "description", &r->description) < 0 ||
	    get_enum(ld, map, "expect", "expect", expect_names, COUNT(expect_names), &expect) < 0 ||
	    get_enum(ld, map, "action", "action", action_names, COUNT(action_names), &action) < 0 ||
	    get_bool(ld, map, "bidirectional", &r->bidirectional) < 0 ||
	    get_bool(ld, map, "one-way", &r->one_way) < 0 || get_string(ld, map, "group", &r->group) < 0 ||
	    get_enum(ld, map, "exposure", "exposure", exposure_names, COUNT(exposure_names), &exposure) < 0 ||
	    get_services(ld, map, r) < 0)
		return -1;
	if (!r->description)
		r->description = xstrdup("");
	r->expect = (enum rule_expect)expect;
	r->action = (enum rule_action)action;
	if (exposure >= 0)
		r->exposure = xstrdup(exposure_names[exposure]);
	return 0;
}

static int load_rule(struct loader *ld, const struct yaml_tree_node *map)
{
	struct rule_set *rs = ld->rs;
	struct rule r = { 0 };
	struct id_seen *seen;

	if (map->kind != YAML_TREE_MAPPING)
		return yaml_tree_fail(ld->err, ld->file, map, "each rule must be a mapping, got %s",
				      yaml_tree_kind_name(map));
	if (yaml_tree_check_keys(ld->err, ld->file, map, rule_keys, COUNT(rule_keys)) < 0 ||
	    rule_identity(ld, map, &r) < 0 || rule_match(ld, map, &r) < 0 || rule_extras(ld, map, &r) < 0) {
		free_rule(&r);
		return -1;
	}
	rs->rules = grow(rs->rules, rs->nrules, sizeof(*rs->rules));
	rs->rules[rs->nrules++] = r;
	rs->matrices[ld->matrix].nrules++;
	seen = xcalloc(1, sizeof(*seen));
	seen->id = rs->rules[rs->nrules - 1].id;
	seen->line = map->line;
	HASH_ADD_KEYPTR(hh, ld->ids, seen->id, strlen(seen->id), seen);
	return 0;
}

/* ---- one file ------------------------------------------------------------ */

static void free_matrix(struct matrix *m)
{
	free(m->name);
	free(m->title);
	free(m->source);
	free(m->file);
}

static int matrix_header(struct loader *ld, const struct yaml_tree_node *root)
{
	struct rule_set *rs = ld->rs;
	const struct yaml_tree_node *v;
	struct matrix *m;
	int other;

	if (yaml_tree_get_scalar(ld->err, ld->file, root, "matrix", true, &v) < 0)
		return -1;
	if (!name_ok(v->value, true, false))
		return yaml_tree_fail(ld->err, ld->file, v,
				      "matrix name '%.60s' must be 1-%d lowercase letters, digits or hyphens", v->value,
				      NAME_MAX_LEN);
	other = rules_matrix_index(rs, v->value);
	if (other >= 0)
		return yaml_tree_fail(ld->err, ld->file, v, "matrix '%s' is already loaded from %.300s", v->value,
				      rs->matrices[other].file);
	rs->matrices = grow(rs->matrices, rs->nmatrices, sizeof(*rs->matrices));
	ld->matrix = rs->nmatrices++;
	m = &rs->matrices[ld->matrix];
	*m = (struct matrix){ .name = xstrdup(v->value), .file = xstrdup(ld->file), .first_rule = rs->nrules };
	if (get_string(ld, root, "title", &m->title) < 0 || get_string(ld, root, "source", &m->source) < 0)
		return -1;
	if (!m->title)
		m->title = xstrdup(m->name);
	return 0;
}

static int load_matrix(struct loader *ld, const struct yaml_tree_node *root)
{
	const struct yaml_tree_node *rules;
	int i;

	if (!root)
		return yaml_tree_fail(ld->err, ld->file, NULL,
				      "the file is empty: expected a mapping with keys matrix, title, source, rules");
	if (root->kind != YAML_TREE_MAPPING)
		return yaml_tree_fail(ld->err, ld->file, root,
				      "a rule file must be a mapping with keys matrix, title, source, rules; got %s",
				      yaml_tree_kind_name(root));
	if (yaml_tree_check_keys(ld->err, ld->file, root, matrix_keys, COUNT(matrix_keys)) < 0 ||
	    matrix_header(ld, root) < 0)
		return -1;
	rules = yaml_tree_get(root, "rules");
	if (!rules)
		return yaml_tree_fail(ld->err, ld->file, root, "missing required key 'rules'");
	if (rules->kind != YAML_TREE_SEQUENCE && !yaml_tree_is_null(rules))
		return yaml_tree_fail(ld->err, ld->file, rules, "'rules' must be a sequence of rules, got %s",
				      yaml_tree_kind_name(rules));
	for (i = 0; i < rules->nkids; i++)
		if (load_rule(ld, rules->kids[i]) < 0)
			return -1;
	return 0;
}

static const char *add_file(struct rule_set *rs, const char *name)
{
	rs->files = grow(rs->files, rs->nfiles, sizeof(*rs->files));
	rs->files[rs->nfiles] = xstrdup(name);
	return rs->files[rs->nfiles++];
}

static int load_text(struct rule_set *rs, const char *name, const char *text, size_t len, struct load_error *err)
{
	struct loader ld = { .rs = rs, .file = add_file(rs, name), .err = err };
	struct yaml_tree_node *root;
	struct id_seen *s, *tmp;
	int rc;

	if (yaml_tree_parse(ld.file, text, len, &root, err) < 0)
		return -1;
	rc = load_matrix(&ld, root);
	HASH_ITER(hh, ld.ids, s, tmp) {
		HASH_DEL(ld.ids, s);
		free(s);
	}
	yaml_tree_free(root);
	return rc;
}

static int load_file(struct rule_set *rs, const char *path, struct load_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (yaml_tree_read_file(path, &text, &len, err) < 0)
		return -1;
	rc = load_text(rs, path, text, len, err);
	free(text);
	return rc;
}

/* ---- folders, atomicity -------------------------------------------------- */

static bool is_rule_file_name(const char *n)
{
	size_t l = strlen(n);

	return n[0] != '.' && ((l > 5 && strcmp(n + l - 5, ".yaml") == 0) || (l > 4 && strcmp(n + l - 4, ".yml") == 0));
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular *.yaml / *.yml files of a folder, full paths, sorted by name. */
static int list_folder(const char *dir, char ***paths, int *n, struct load_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	char *p;

	if (!d)
		return yaml_tree_fail(err, dir, NULL, "cannot open folder: %s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!is_rule_file_name(de->d_name))
			continue;
		p = xpath_join(dir, de->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			*paths = grow(*paths, *n, sizeof(**paths));
			(*paths)[(*n)++] = p;
		} else {
			free(p);
		}
	}
	closedir(d);
	if (*n == 0)
		return yaml_tree_fail(err, dir, NULL, "no rule files (*.yaml, *.yml) in this folder");
	qsort(*paths, (size_t)*n, sizeof(**paths), compare_names);
	return 0;
}

static int load_folder(struct rule_set *rs, const char *dir, struct load_error *err)
{
	char **paths = NULL;
	int n = 0, i, rc;

	rc = list_folder(dir, &paths, &n, err);
	for (i = 0; rc == 0 && i < n; i++)
		rc = load_file(rs, paths[i], err);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

static struct snapshot take_snapshot(const struct rule_set *rs)
{
	return (struct snapshot){ rs->nmatrices, rs->nrules, rs->nroles, rs->nfiles };
}

static void roll_back(struct rule_set *rs, const struct snapshot *s)
{
	while (rs->nrules > s->nrules)
		free_rule(&rs->rules[--rs->nrules]);
	while (rs->nmatrices > s->nmatrices)
		free_matrix(&rs->matrices[--rs->nmatrices]);
	while (rs->nroles > s->nroles)
		free(rs->roles[--rs->nroles]);
	while (rs->nfiles > s->nfiles)
		free(rs->files[--rs->nfiles]);
}

int rules_load_path(struct rule_set *rs, const char *path, struct load_error *err)
{
	struct snapshot snap = take_snapshot(rs);
	struct stat st;
	int rc;

	if (stat(path, &st) < 0)
		return yaml_tree_fail(err, path, NULL, "cannot open: %s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		rc = load_folder(rs, path, err);
	else if (S_ISREG(st.st_mode))
		rc = load_file(rs, path, err);
	else
		return yaml_tree_fail(err, path, NULL, "not a file or a folder");
	if (rc < 0)
		roll_back(rs, &snap);
	return rc;
}

int rules_load_string(struct rule_set *rs, const char *name, const char *text, size_t len,
		      struct load_error *err)
{
	struct snapshot snap = take_snapshot(rs);
	int rc = load_text(rs, name ? name : "<string>", text, len, err);

	if (rc < 0)
		roll_back(rs, &snap);
	return rc;
}

void rules_truncate(struct rule_set *rs, int nmatrices, int nrules, int nroles, int nfiles)
{
	struct snapshot s = { nmatrices, nrules, nroles, nfiles };

	roll_back(rs, &s);
}

int rules_load_local(struct rule_set *rs, const char *file, const struct yaml_tree_node *rules, const char *title,
		     struct load_error *err)
{
	struct snapshot snap = take_snapshot(rs);
	struct loader ld = { .rs = rs, .file = add_file(rs, file), .err = err };
	struct id_seen *s, *tmp;
	struct matrix *m;
	int i, rc = 0;

	if (rules->kind != YAML_TREE_SEQUENCE && !yaml_tree_is_null(rules))
		return yaml_tree_fail(err, file, rules, "'rules' must be a sequence of rules, got %s",
				      yaml_tree_kind_name(rules));
	if (rules_matrix_index(rs, "site") >= 0) {
		roll_back(rs, &snap);
		return yaml_tree_fail(err, file, rules, "a matrix named 'site' is already loaded: local rules need the name");
	}
	rs->matrices = grow(rs->matrices, rs->nmatrices, sizeof(*rs->matrices));
	ld.matrix = rs->nmatrices++;
	m = &rs->matrices[ld.matrix];
	*m = (struct matrix){ .name = xstrdup("site"), .file = xstrdup(file), .first_rule = rs->nrules,
			      .title = xstrdup(title), .source = xstrdup("the site file's own rules") };
	for (i = 0; i < rules->nkids && rc == 0; i++)
		rc = load_rule(&ld, rules->kids[i]);
	HASH_ITER(hh, ld.ids, s, tmp) {
		HASH_DEL(ld.ids, s);
		free(s);
	}
	if (rc < 0)
		roll_back(rs, &snap);
	return rc;
}

void rules_free(struct rule_set *rs)
{
	roll_back(rs, &(struct snapshot){ 0 });
	free(rs->rules);
	free(rs->matrices);
	free(rs->roles);
	free(rs->files);
	rules_init(rs);
}
