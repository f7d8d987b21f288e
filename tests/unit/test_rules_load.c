/* test_rules_load: rule files — every field, every error with its position, folders, atomicity, hostile YAML */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rules.h"
#include "yaml_tree.h"

static struct rule_set rs;
static struct load_error err;

static void setup(void)
{
	rules_init(&rs);
	memset(&err, 0, sizeof(err));
}

static void teardown(void)
{
	rules_free(&rs);
}

TestSuite(rules_load, .init = setup, .fini = teardown);
TestSuite(yaml_tree, .init = setup, .fini = teardown);

static int load(const char *text)
{
	return rules_load_string(&rs, "test.yaml", text, strlen(text), &err);
}

/* A one-rule file whose rule continues at line 8 with extra (indented 4). */
static char *rule_with(const char *extra)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "matrix: m\n"
		 "rules:\n"
		 "  - id: a\n"
		 "    category: other\n"
		 "    from: x\n"
		 "    to: y\n"
		 "    proto: tcp\n"
		 "%s",
		 extra);
	return buf;
}

/* The load fails at line:column with a message holding every word given; nothing stays loaded. */
static void expect_error(const char *text, int line, int column, ...)
{
	const char *word;
	va_list ap;
	int nmatrices = rs.nmatrices, nrules = rs.nrules, nroles = rs.nroles, nfiles = rs.nfiles;

	cr_assert_eq(rules_load_string(&rs, "test.yaml", text, strlen(text), &err), -1, "loaded:\n%s", text);
	cr_expect_str_eq(err.file, "test.yaml");
	cr_expect_eq(err.line, line, "line %d, want %d: %s", err.line, line, err.msg);
	cr_expect_eq(err.column, column, "column %d, want %d: %s", err.column, column, err.msg);
	va_start(ap, column);
	while ((word = va_arg(ap, const char *)) != NULL)
		cr_expect(strstr(err.msg, word), "'%s' not in: %s", word, err.msg);
	va_end(ap);
	cr_expect_eq(rs.nmatrices, nmatrices);
	cr_expect_eq(rs.nrules, nrules);
	cr_expect_eq(rs.nroles, nroles);
	cr_expect_eq(rs.nfiles, nfiles);
}

static const char multi[] =
	"# two rules\n"
	"matrix: citrix-cvad\n"
	"title: Citrix Virtual Apps and Desktops\n"
	"source: doc.txt, section 3\n"
	"rules:\n"
	"  - id: ica\n"
	"    category: ica-hdx\n"
	"    from: [workspace-app, gateway]\n"
	"    to: vda\n"
	"    proto: [tcp, udp]\n"
	"    ports: [1494, \"16500-16509\", 2598]\n"
	"    description: ICA/HDX\n"
	"    expect: each\n"
	"    action: deny\n"
	"    bidirectional: true\n"
	"    group: hdx\n"
	"    exposure: internal\n"
	"  - id: ping\n"
	"    category: other\n"
	"    from: any\n"
	"    to: [vda]\n"
	"    proto: icmp\n";

Test(rules_load, loads_every_field_of_a_multi_rule_file)
{
	const struct rule *r;
	const struct matrix *m;

	cr_assert_eq(load(multi), 0, "%d:%d %s", err.line, err.column, err.msg);
	cr_assert_eq(rs.nmatrices, 1);
	m = &rs.matrices[0];
	cr_expect_str_eq(m->name, "citrix-cvad");
	cr_expect_str_eq(m->title, "Citrix Virtual Apps and Desktops");
	cr_expect_str_eq(m->source, "doc.txt, section 3");
	cr_expect_str_eq(m->file, "test.yaml");
	cr_expect_eq(m->first_rule, 0);
	cr_expect_eq(m->nrules, 2);
	cr_assert_eq(rs.nrules, 2);
	cr_assert_eq(rs.nfiles, 1);
	cr_expect_str_eq(rs.files[0], "test.yaml");

	r = &rs.rules[0];
	cr_expect_eq(r->matrix, 0);
	cr_expect_str_eq(r->id, "ica");
	cr_expect_str_eq(r->name, "citrix-cvad/ica");
	cr_expect_eq(r->category, CAT_ICA_HDX);
	cr_assert_eq(r->nfrom, 2);
	cr_expect_str_eq(rules_role_name(&rs, r->from[0]), "workspace-app");
	cr_expect_str_eq(rules_role_name(&rs, r->from[1]), "gateway");
	cr_assert_eq(r->nto, 1);
	cr_expect_str_eq(rules_role_name(&rs, r->to[0]), "vda");
	cr_expect_eq(r->protos, RULE_TCP | RULE_UDP);
	cr_assert_eq(r->nports, 3);
	cr_expect(r->ports[0].lo == 1494 && r->ports[0].hi == 1494);
	cr_expect(r->ports[1].lo == 16500 && r->ports[1].hi == 16509);
	cr_expect(r->ports[2].lo == 2598 && r->ports[2].hi == 2598);
	cr_expect_str_eq(r->description, "ICA/HDX");
	cr_expect_eq(r->expect, EXPECT_EACH);
	cr_expect_eq(r->action, ACTION_DENY);
	cr_expect(r->bidirectional);
	cr_expect_str_eq(r->group, "hdx");
	cr_expect_str_eq(r->exposure, "internal");
	cr_expect_eq(r->file, rs.files[0], "rule.file points into rs->files");
	cr_expect_eq(r->line, 6);
	cr_expect_eq(r->column, 5);

	r = &rs.rules[1];
	cr_expect_str_eq(r->name, "citrix-cvad/ping");
	cr_expect_eq(r->category, CAT_OTHER);
	cr_assert_eq(r->nfrom, 1);
	cr_expect_eq(r->from[0], ROLE_ANY);
	cr_expect_eq(r->to[0], rs.rules[0].to[0], "roles are interned");
	cr_expect_eq(r->protos, RULE_ICMP);
	cr_expect_eq(r->nports, 0);
	cr_expect_str_eq(r->description, "");
	cr_expect_eq(r->expect, EXPECT_OPTIONAL);
	cr_expect_eq(r->action, ACTION_ALLOW);
	cr_expect_not(r->bidirectional);
	cr_expect_null(r->group);
	cr_expect_null(r->exposure);
	cr_expect_eq(r->line, 18);
	cr_expect_eq(rs.nroles, 3);
}

Test(rules_load, accepts_single_values_and_defaults_title_to_the_name)
{
	cr_assert_eq(load("matrix: m\nrules:\n  - {id: a, category: edt, from: x, to: y, proto: udp, ports: 1494}\n"
			  "  - {id: b, category: edt, from: x, to: y, proto: udp, ports: '16500-16509'}\n"),
		     0, "%s", err.msg);
	cr_expect_str_eq(rs.matrices[0].title, "m");
	cr_expect_null(rs.matrices[0].source);
	cr_expect(rs.rules[0].nports == 1 && rs.rules[0].ports[0].lo == 1494 && rs.rules[0].ports[0].hi == 1494);
	cr_expect(rs.rules[1].ports[0].lo == 16500 && rs.rules[1].ports[0].hi == 16509);
	cr_expect_eq(rs.rules[0].line, 3);
	cr_expect_eq(rs.rules[0].column, 5);
}

Test(rules_load, accepts_an_empty_rule_list)
{
	cr_assert_eq(load("matrix: m\nrules: []\n"), 0, "%s", err.msg);
	cr_expect_eq(rs.matrices[0].nrules, 0);
}

Test(rules_load, interns_roles_across_files)
{
	const char *two = "matrix: n\nrules:\n  - {id: a, category: other, from: y, to: z, proto: tcp, ports: 2}\n";

	cr_assert_eq(load(rule_with("    ports: [1]\n")), 0, "%s", err.msg);
	cr_assert_eq(rules_load_string(&rs, "two.yaml", two, strlen(two), &err), 0, "%s", err.msg);
	cr_expect_eq(rs.nroles, 3);
	cr_expect_eq(rs.rules[0].to[0], rs.rules[1].from[0]);
	cr_expect_eq(rs.rules[1].matrix, 1);
	cr_expect_eq(rs.matrices[1].first_rule, 1);
	cr_expect_str_eq(rs.rules[1].file, "two.yaml");
	cr_expect_eq(rules_matrix_index(&rs, "n"), 1);
	cr_expect_eq(rules_matrix_index(&rs, "nope"), -1);
	cr_expect_eq(rules_role_index(&rs, "z", false), 2);
	cr_expect_eq(rules_role_index(&rs, "nope", false), ROLE_NONE);
	cr_expect_eq(rules_role_index(&rs, "any", false), ROLE_ANY);
}

Test(rules_load, names_every_enum_value)
{
	static const char *const cats[] = { "ica-hdx", "edt", "ras", "licensing", "broker", "gateway", "management",
		"directory", "database", "provisioning", "monitoring", "cloud", "other" };
	int c;

	for (c = 0; c < CAT_COUNT; c++)
		cr_expect_str_eq(rules_category_name((enum rule_category)c), cats[c]);
	cr_expect_str_eq(rules_expect_name(EXPECT_OPTIONAL), "optional");
	cr_expect_str_eq(rules_expect_name(EXPECT_ANY), "any");
	cr_expect_str_eq(rules_expect_name(EXPECT_EACH), "each");
	cr_expect_str_eq(rules_action_name(ACTION_ALLOW), "allow");
	cr_expect_str_eq(rules_action_name(ACTION_DENY), "deny");
	cr_expect_str_eq(rules_role_name(&rs, ROLE_ANY), "any");
}

/* ---- one test per error kind ---------------------------------------------- */

Test(rules_load, rejects_unknown_key_listing_allowed_keys_and_a_suggestion)
{
	expect_error(rule_with("    ports: [80]\n    descripton: x\n"), 9, 5, "unknown key 'descripton'",
		     "allowed: id, category, from, to, proto, ports, description", "did you mean 'description'?", NULL);
}

Test(rules_load, rejects_unknown_top_level_key)
{
	expect_error("matrix: m\nversion: 2\nrules: []\n", 2, 1, "unknown key 'version'",
		     "allowed: matrix, title, source, rules", NULL);
}

Test(rules_load, rejects_ports_mapping_with_its_type)
{
	expect_error(rule_with("    ports: {a: 1}\n"), 8, 12,
		     "'ports' must be a sequence of ports or ranges, got a mapping", NULL);
}

Test(rules_load, rejects_port_out_of_range_with_line_and_column)
{
	expect_error(rule_with("    ports: [80, 70000]\n"), 8, 17, "port 70000 is out of range 1-65535", NULL);
}

Test(rules_load, rejects_port_zero)
{
	expect_error(rule_with("    ports: 0\n"), 8, 12, "port 0 is out of range 1-65535", NULL);
}

Test(rules_load, rejects_huge_port_number_without_overflow)
{
	expect_error(rule_with("    ports: [99999999999999999999999]\n"), 8, 13,
		     "port 99999999999999999999999 is out of range", NULL);
}

Test(rules_load, rejects_inverted_range_with_line_and_column)
{
	expect_error(rule_with("    ports: [2000-1000]\n"), 8, 13, "range 2000-1000 is inverted", NULL);
}

Test(rules_load, rejects_range_end_out_of_range)
{
	expect_error(rule_with("    ports: [\"1000-70000\"]\n"), 8, 13, "port 70000 is out of range 1-65535", NULL);
}

Test(rules_load, rejects_malformed_port_entries)
{
	static const char *const bad[] = { "abc", "80-", "-80", "1_000", "0x50", "80 ", "8O", "80-90-100", "true" };
	char extra[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(extra, sizeof(extra), "    ports: ['%s']\n", bad[i]);
		expect_error(rule_with(extra), 8, 13, "is not a port or a range like \"16500-16509\"", NULL);
	}
}

Test(rules_load, rejects_nested_sequence_in_ports)
{
	expect_error(rule_with("    ports: [[80]]\n"), 8, 13, "'ports' entries must be ports or ranges, got a sequence",
		     NULL);
}

Test(rules_load, rejects_empty_ports)
{
	expect_error(rule_with("    ports: []\n"), 8, 12, "'ports' is empty", NULL);
}

Test(rules_load, rejects_missing_ports_unless_icmp_only)
{
	expect_error(rule_with(""), 3, 5, "missing required key 'ports'", "icmp", NULL);
}

Test(rules_load, rejects_a_port_on_an_icmp_only_rule)
{
	expect_error("matrix: m\nrules:\n  - {id: a, category: other, from: x, to: y, proto: icmp, ports: [7]}\n", 3,
		     66, "'ports' given for an icmp-only rule", NULL);
}

Test(rules_load, accepts_ports_on_a_rule_mixing_icmp_and_tcp)
{
	cr_assert_eq(load("matrix: m\nrules:\n"
			  "  - {id: a, category: other, from: x, to: y, proto: [icmp, tcp], ports: 7}\n"),
		     0, "%s", err.msg);
	cr_expect_eq(rs.rules[0].protos, RULE_ICMP | RULE_TCP);
	cr_expect_eq(rs.rules[0].nports, 1);
}

Test(rules_load, rejects_unknown_category_listing_allowed_ones)
{
	expect_error("matrix: m\nrules:\n  - id: a\n    category: licencing\n", 4, 15, "unknown category 'licencing'",
		     "allowed: ica-hdx, edt, ras, licensing, broker, gateway, management, directory, database, "
		     "provisioning, monitoring, cloud, other",
		     "did you mean 'licensing'?", NULL);
}

Test(rules_load, rejects_unknown_proto_listing_allowed_ones)
{
	expect_error("matrix: m\nrules:\n  - {id: a, category: other, from: x, to: y, proto: [tcp, sctp]}\n", 3, 59,
		     "unknown proto 'sctp' (allowed: tcp, udp, icmp)", NULL);
}

Test(rules_load, rejects_unknown_expect_value)
{
	expect_error(rule_with("    ports: 1\n    expect: always\n"), 9, 13,
		     "unknown expect 'always' (allowed: optional, any, each)", NULL);
}

Test(rules_load, rejects_unknown_action_value)
{
	expect_error(rule_with("    ports: 1\n    action: drop\n"), 9, 13,
		     "unknown action 'drop' (allowed: allow, deny)", NULL);
}

Test(rules_load, rejects_unknown_exposure_value)
{
	expect_error(rule_with("    ports: 1\n    exposure: public\n"), 9, 15,
		     "unknown exposure 'public' (allowed: external, internal, localhost)", NULL);
}

Test(rules_load, rejects_non_boolean_bidirectional)
{
	expect_error(rule_with("    ports: 1\n    bidirectional: yes\n"), 9, 20,
		     "'bidirectional' must be true or false, got 'yes'", NULL);
	expect_error(rule_with("    ports: 1\n    bidirectional: 'true'\n"), 9, 20, "must be true or false", NULL);
}

Test(rules_load, rejects_wrong_type_for_a_string_field)
{
	expect_error(rule_with("    ports: 1\n    description: [a, b]\n"), 9, 18,
		     "'description' must be a string, got a sequence", NULL);
	expect_error("matrix: m\ntitle: {a: b}\nrules: []\n", 2, 8, "'title' must be a string, got a mapping", NULL);
}

Test(rules_load, rejects_missing_required_keys)
{
	expect_error("title: t\nrules: []\n", 1, 1, "missing required key 'matrix'", NULL);
	expect_error("matrix: m\n", 1, 1, "missing required key 'rules'", NULL);
	expect_error("matrix: m\nrules:\n  - category: other\n", 3, 5, "missing required key 'id'", NULL);
	expect_error("matrix: m\nrules:\n  - id: a\n", 3, 5, "missing required key 'category'", NULL);
	expect_error("matrix: m\nrules:\n  - {id: a, category: other, to: y}\n", 3, 5, "missing required key 'from'",
		     NULL);
	expect_error("matrix: m\nrules:\n  - {id: a, category: other, from: y}\n", 3, 5, "missing required key 'to'",
		     NULL);
	expect_error("matrix: m\nrules:\n  - {id: a, category: other, from: x, to: y}\n", 3, 5,
		     "missing required key 'proto'", NULL);
}

Test(rules_load, rejects_empty_required_values)
{
	expect_error("matrix:\nrules: []\n", 1, 8, "'matrix' is empty", NULL);
	expect_error("matrix: m\nrules:\n  - {id: a, category: other, from: [], to: y}\n", 3, 36, "'from' is empty",
		     NULL);
}

Test(rules_load, rejects_role_list_of_the_wrong_type)
{
	expect_error("matrix: m\nrules:\n  - {id: a, category: other, from: {a: b}, to: y}\n", 3, 36,
		     "'from' must be a sequence of role names, got a mapping", NULL);
	expect_error("matrix: m\nrules:\n  - {id: a, category: other, from: x, to: [y, [z]]}\n", 3, 47,
		     "'to' entries must be role names, got a sequence", NULL);
}

Test(rules_load, rejects_bad_role_name)
{
	expect_error("matrix: m\nrules:\n  - {id: a, category: other, from: 'a b', to: y}\n", 3, 36,
		     "role name 'a b' must be", NULL);
}

Test(rules_load, rejects_duplicate_rule_id_naming_the_first_line)
{
	expect_error("matrix: m\nrules:\n"
		     "  - {id: a, category: other, from: x, to: y, proto: icmp}\n"
		     "  - {id: b, category: other, from: x, to: y, proto: icmp}\n"
		     "  - {id: a, category: other, from: x, to: y, proto: icmp}\n",
		     5, 10, "duplicate rule id 'a'", "first at line 3", NULL);
}

Test(rules_load, rejects_a_matrix_loaded_twice_naming_the_other_file)
{
	const char *again = "# again\nmatrix: m\nrules: []\n";

	cr_assert_eq(load("matrix: m\nrules: []\n"), 0);
	cr_assert_eq(rules_load_string(&rs, "other.yaml", again, strlen(again), &err), -1);
	cr_expect_str_eq(err.file, "other.yaml");
	cr_expect_eq(err.line, 2);
	cr_expect_eq(err.column, 9);
	cr_expect(strstr(err.msg, "matrix 'm' is already loaded from test.yaml"), "%s", err.msg);
	cr_expect_eq(rs.nmatrices, 1);
	cr_expect_eq(rs.nfiles, 1);
}

Test(rules_load, rejects_bad_matrix_name_and_rule_id)
{
	expect_error("matrix: Citrix\nrules: []\n", 1, 9, "matrix name 'Citrix' must be", "lowercase", NULL);
	expect_error("matrix: m\nrules:\n  - {id: a/b, category: other, from: x, to: y, proto: icmp}\n", 3, 10,
		     "rule id 'a/b' must be", NULL);
}

Test(rules_load, rejects_a_rule_that_is_not_a_mapping)
{
	expect_error("matrix: m\nrules:\n  - just text\n", 3, 5, "each rule must be a mapping, got a string", NULL);
	expect_error("matrix: m\nrules: {a: b}\n", 2, 8, "'rules' must be a sequence of rules, got a mapping", NULL);
}

Test(rules_load, rejects_empty_file_and_wrong_top_level)
{
	expect_error("", 0, 0, "the file is empty", NULL);
	expect_error("# only a comment\n", 0, 0, "the file is empty", NULL);
	expect_error("- a\n- b\n", 1, 1, "must be a mapping", "got a sequence", NULL);
}

/* ---- hostile YAML ----------------------------------------------------------- */

Test(yaml_tree, rejects_aliases_and_anchors)
{
	expect_error("matrix: &m m\nrules: []\n", 1, 9, "aliases are not supported", "'&m'", NULL);
	expect_error("rules: []\nmatrix: *m\n", 2, 9, "aliases are not supported", "'*m'", NULL);
}

Test(yaml_tree, rejects_billion_laughs_quickly)
{
	static const char lol[] =
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	clock_t t0 = clock();

	expect_error(lol, 1, 4, "aliases are not supported", NULL);
	cr_expect_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 0.5);
}

Test(yaml_tree, rejects_nesting_deeper_than_32)
{
	char text[2 * 40 + 16];

	memset(text, '[', 40);
	memset(text + 40, ']', 40);
	strcpy(text + 80, "\n");
	expect_error(text, 1, 33, "nesting deeper than 32 levels", NULL);
}

Test(yaml_tree, accepts_nesting_of_32)
{
	char text[2 * 32 + 16];
	struct yaml_tree_node *root;

	memset(text, '[', 32);
	memset(text + 32, ']', 32);
	cr_assert_eq(yaml_tree_parse("t", text, 64, &root, &err), 0, "%s", err.msg);
	yaml_tree_free(root);
}

Test(yaml_tree, rejects_deep_nesting_of_100000_quickly)
{
	size_t n = 100000;
	char *text = malloc(n);

	memset(text, '[', n);
	cr_assert_eq(rules_load_string(&rs, "deep.yaml", text, n, &err), -1);
	cr_expect(strstr(err.msg, "nesting deeper than 32"), "%s", err.msg);
	free(text);
}

Test(yaml_tree, rejects_a_one_megabyte_scalar)
{
	size_t n = 1 << 20;
	char *text = malloc(n + 32);

	strcpy(text, "matrix: m\ntitle: ");
	memset(text + strlen(text), 'a', n);
	strcpy(text + 17 + n, "\n");
	expect_error(text, 2, 8, "scalar longer than 65536 bytes", NULL);
	free(text);
}

Test(yaml_tree, rejects_more_than_100000_nodes)
{
	size_t n = 100001, i;
	char *text = malloc(2 * n + 8);

	text[0] = '[';
	for (i = 0; i < n; i++) {
		text[1 + 2 * i] = '1';
		text[2 + 2 * i] = ',';
	}
	text[2 * n] = ']';
	text[2 * n + 1] = '\0';
	expect_error(text, 1, 2 * 99999 + 2, "more than 100000 nodes", NULL);
	free(text);
}

Test(yaml_tree, passes_on_libyaml_utf8_errors_with_position)
{
	expect_error("matrix: m\ntitle: caf\xe9\n", 2, 11, "incomplete UTF-8 octet sequence", NULL);
	expect_error("matrix: m\n\xff\xfe\n", 2, 1, "invalid leading UTF-8 octet", "0xFF", NULL);
	expect_error("a: b\n\xc3\xa9\xc3x\n", 2, 3, "invalid trailing UTF-8 octet", "0x78", NULL);
	expect_error("matrix: m\ntitle: a\x01\n", 2, 9, "control characters are not allowed", NULL);
}

Test(yaml_tree, rejects_a_nul_byte)
{
	cr_assert_eq(rules_load_string(&rs, "nul.yaml", "matrix: m\0\nrules: []\n", 21, &err), -1);
	cr_expect_eq(err.line, 1);
}

Test(yaml_tree, rejects_duplicate_keys_pointing_at_the_second)
{
	expect_error("matrix: m\nrules: []\nmatrix: n\n", 3, 1, "duplicate key 'matrix'", "first at line 1, column 1",
		     NULL);
	expect_error("matrix: m\nrules:\n  - {id: a, category: x, id: b}\n", 3, 26, "duplicate key 'id'", NULL);
}

Test(yaml_tree, rejects_a_second_document)
{
	expect_error("matrix: m\nrules: []\n---\nmatrix: n\n", 3, 1, "more than one document", NULL);
}

Test(yaml_tree, rejects_custom_tags_and_accepts_standard_ones)
{
	expect_error("matrix: !evil m\nrules: []\n", 1, 9, "tag '!evil' is not supported", NULL);
	expect_error("matrix: !!python/object m\nrules: []\n", 1, 9, "is not supported", NULL);
	cr_expect_eq(load("matrix: !!str m\nrules: !!seq []\n"), 0, "%s", err.msg);
}

Test(yaml_tree, rejects_non_scalar_keys)
{
	expect_error("? [a]\n: b\n", 1, 3, "mapping keys must be strings, got a sequence", NULL);
}

Test(yaml_tree, passes_on_libyaml_syntax_errors_with_position)
{
	expect_error("matrix: m\nrules: [a, b\n", 3, 1, "did not find expected ',' or ']'",
		     "while parsing a flow sequence at line 2, column 8", NULL);
	expect_error("matrix: m\n  bad: indent\n", 2, 6, "mapping values are not allowed", NULL);
}

Test(yaml_tree, treats_a_null_text_as_empty)
{
	cr_assert_eq(rules_load_string(&rs, "null.yaml", NULL, 0, &err), -1);
	cr_expect(strstr(err.msg, "the file is empty"), "%s", err.msg);
}

/* A list of 50,000 distinct roles used to take seconds: lists and roles are capped. */
Test(rules_load, rejects_huge_lists_and_too_many_roles_quickly)
{
	size_t cap = 1 << 20, n;
	char *text = malloc(cap);
	clock_t t0 = clock();
	int i;

	n = (size_t)snprintf(text, cap, "matrix: m\nrules:\n  - {id: a, category: other, to: y, proto: icmp, from: [");
	for (i = 0; i < 50000; i++)
		n += (size_t)snprintf(text + n, cap - n, "r%d,", i);
	snprintf(text + n - 1, cap - n + 1, "]}\n");
	expect_error(text, 3, 56, "'from' lists more than 1024 entries", NULL);	/* at the '[' */

	n = (size_t)snprintf(text, cap, "matrix: m\nrules:\n");
	for (i = 0; i < 2; i++) {
		int j;

		n += (size_t)snprintf(text + n, cap - n, "  - {id: a%d, category: other, to: y, proto: icmp, from: [", i);
		for (j = 0; j < 1000; j++)
			n += (size_t)snprintf(text + n, cap - n, "r%d-%d,", i, j);
		snprintf(text + n - 1, cap - n + 1, "]}\n");
		n = strlen(text);
	}
	/* 1000 roles in a0's 'from', then 'y': the 24th new role of a1, r1-23, is one too many. */
	expect_error(text, 4, 186, "more than 1024 distinct roles", NULL);
	free(text);
	cr_expect_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 2.0);
}

/* Every prefix of a valid file and many one-byte mutations: errors, never a crash. */
Test(yaml_tree, survives_truncation_and_mutation)
{
	size_t len = strlen(multi), i;
	char buf[sizeof(multi)];
	unsigned seed = 1;
	int k;

	for (i = 0; i < len; i++) {
		struct rule_set tmp;

		rules_init(&tmp);
		rules_load_string(&tmp, "cut.yaml", multi, i, &err);
		rules_free(&tmp);
	}
	for (k = 0; k < 3000; k++) {
		struct rule_set tmp;

		memcpy(buf, multi, len);
		seed = seed * 1103515245u + 12345u;
		buf[(seed >> 8) % len] = (char)(seed >> 20);
		seed = seed * 1103515245u + 12345u;
		buf[(seed >> 8) % len] = "[]{}:,-&*!|>'\"#\n \t\xff"[(seed >> 20) % 20];
		rules_init(&tmp);
		rules_load_string(&tmp, "mut.yaml", buf, len, &err);
		rules_free(&tmp);
	}
}

/* ---- paths, folders, atomicity ------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* A fresh folder in the current (build) directory. */
static char *make_dir(void)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "rules-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

static void remove_dir(const char *dir)
{
	char path[512];
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static const char file_a[] = "matrix: a\nrules:\n  - {id: r, category: other, from: x, to: y, proto: tcp, ports: 1}\n";
static const char file_b[] = "matrix: b\nrules:\n  - {id: r, category: other, from: y, to: z, proto: udp, ports: 2}\n";

Test(rules_load, loads_a_folder_sorted_by_name_ignoring_other_files)
{
	char *dir = make_dir(), path[128];

	write_file(dir, "b.yaml", file_b);
	write_file(dir, "a.yml", file_a);
	write_file(dir, "README.md", "not yaml: [\n");
	write_file(dir, "notes.txt", "x");
	cr_assert_eq(rules_load_path(&rs, dir, &err), 0, "%s: %s", err.file, err.msg);
	cr_assert_eq(rs.nmatrices, 2);
	cr_expect_str_eq(rs.matrices[0].name, "a");
	cr_expect_str_eq(rs.matrices[1].name, "b");
	cr_assert_eq(rs.nfiles, 2);
	snprintf(path, sizeof(path), "%s/a.yml", dir);
	cr_expect_str_eq(rs.files[0], path);
	cr_expect_str_eq(rs.rules[0].file, path);
	cr_expect_str_eq(rs.matrices[0].file, path);
	remove_dir(dir);
}

Test(rules_load, loads_a_single_file_path)
{
	char *dir = make_dir(), path[128];

	write_file(dir, "a.yml", file_a);
	snprintf(path, sizeof(path), "%s/a.yml", dir);
	cr_assert_eq(rules_load_path(&rs, path, &err), 0, "%s", err.msg);
	cr_expect_eq(rs.nrules, 1);
	remove_dir(dir);
}

Test(rules_load, rejects_an_empty_folder)
{
	char *dir = make_dir();

	write_file(dir, "README.md", "x");
	cr_assert_eq(rules_load_path(&rs, dir, &err), -1);
	cr_expect_str_eq(err.file, dir);
	cr_expect(strstr(err.msg, "no rule files"), "%s", err.msg);
	remove_dir(dir);
}

Test(rules_load, rejects_a_missing_path_and_a_device)
{
	cr_assert_eq(rules_load_path(&rs, "no/such/rules.yaml", &err), -1);
	cr_expect_str_eq(err.file, "no/such/rules.yaml");
	cr_expect(strstr(err.msg, "No such file"), "%s", err.msg);
	cr_assert_eq(rules_load_path(&rs, "/dev/null", &err), -1);
	cr_expect(strstr(err.msg, "not a file or a folder"), "%s", err.msg);
}

Test(rules_load, failing_second_file_leaves_the_first_load_intact)
{
	char *dir = make_dir(), path[128];

	cr_assert_eq(load(multi), 0);
	write_file(dir, "1-good.yaml", file_b);
	write_file(dir, "2-bad.yaml",
		   "matrix: c\nrules:\n  - {id: r, category: other, from: fresh, to: y, proto: tcp, ports: [5-1]}\n");
	cr_assert_eq(rules_load_path(&rs, dir, &err), -1);
	snprintf(path, sizeof(path), "%s/2-bad.yaml", dir);
	cr_expect_str_eq(err.file, path);
	cr_expect_eq(err.line, 3);
	cr_expect(strstr(err.msg, "range 5-1 is inverted"), "%s", err.msg);
	cr_expect_eq(rs.nmatrices, 1);
	cr_expect_eq(rs.nrules, 2);
	cr_expect_eq(rs.nroles, 3, "roles of the failed call are gone");
	cr_expect_eq(rs.nfiles, 1);
	cr_expect_eq(rules_matrix_index(&rs, "b"), -1);
	cr_expect_eq(rules_role_index(&rs, "z", false), ROLE_NONE);
	/* The set still works: the good file loads on its own now. */
	snprintf(path, sizeof(path), "%s/1-good.yaml", dir);
	cr_expect_eq(rules_load_path(&rs, path, &err), 0, "%s", err.msg);
	cr_expect_eq(rs.nmatrices, 2);
	remove_dir(dir);
}

Test(rules_load, every_shipped_rule_file_loads)
{
	const char *srcdir = getenv("SRCDIR") ? getenv("SRCDIR") : ".";
	char dir[512], path[1024];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/rules", srcdir);
	d = opendir(dir);
	while (d && (de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		struct rule_set one;

		if (l < 6 || strcmp(de->d_name + l - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		rules_init(&one);
		cr_expect_eq(rules_load_path(&one, path, &err), 0, "%s:%d:%d: %s", err.file, err.line, err.column,
			     err.msg);
		rules_free(&one);
		n++;
	}
	if (d)
		closedir(d);
	if (n == 0)
		cr_skip("no rule files in %s yet", dir);
	cr_expect_eq(rules_load_path(&rs, dir, &err), 0, "%s:%d:%d: %s", err.file, err.line, err.column, err.msg);
}

/* ---- hostile files: each a one-line error with its position, the work bounded by a limit ---------------- */

static void write_bytes(const char *dir, const char *name, const char *bytes, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(bytes, 1, n, f), n);
	fclose(f);
}

/* Loading dir/name fails at line:column with every word given; err.file is the path; nothing stays loaded. */
static void expect_file_error(const char *dir, const char *name, int line, int column, ...)
{
	char path[512];
	const char *word;
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_eq(rules_load_path(&rs, path, &err), -1, "%s loaded", path);
	cr_expect_str_eq(err.file, path);
	cr_expect_eq(err.line, line, "line %d, want %d: %s", err.line, line, err.msg);
	cr_expect_eq(err.column, column, "column %d, want %d: %s", err.column, column, err.msg);
	va_start(ap, column);
	while ((word = va_arg(ap, const char *)) != NULL)
		cr_expect(strstr(err.msg, word), "'%s' not in: %s", word, err.msg);
	va_end(ap);
	cr_expect_eq(rs.nmatrices, 0);
	cr_expect_eq(rs.nrules, 0);
	cr_expect_eq(rs.nfiles, 0);
}

/* Nine levels of nine aliases: 9^9 strings if expanded; the first anchor ends it. */
Test(rules_load, a_billion_laughs_file_fails_at_its_first_anchor)
{
	char *dir = make_dir(), text[2048];
	size_t n = 0;
	int level, i;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "a: &a [\"lol\"");
	for (i = 1; i < 9; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",\"lol\"");
	n += (size_t)snprintf(text + n, sizeof(text) - n, "]\n");
	for (level = 1; level < 9; level++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%c: &%c [", 'a' + level, 'a' + level);
		for (i = 0; i < 9; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s*%c", i ? "," : "", 'a' + level - 1);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "]\n");
	}
	write_bytes(dir, "lol.yaml", text, n);
	expect_file_error(dir, "lol.yaml", 1, 4, "anchors and aliases are not supported: '&a'", NULL);
	/* An alias with no anchor before it is refused too, where it stands. */
	write_file(dir, "alias.yaml", "matrix: m\nrules: *r\n");
	expect_file_error(dir, "alias.yaml", 2, 8, "anchors and aliases are not supported: '*r'", NULL);
	remove_dir(dir);
}

/* 10^6 levels, flow and block style: refused at the 33rd, so the rest is never parsed. */
Test(rules_load, a_million_levels_of_nesting_fail_at_the_33rd)
{
	size_t depth = 1000000, i;
	char *dir = make_dir(), *text = malloc(2 * depth + 2);

	memset(text, '[', depth);
	memset(text + depth, ']', depth);
	text[2 * depth] = '\n';
	write_bytes(dir, "flow.yaml", text, 2 * depth + 1);
	expect_file_error(dir, "flow.yaml", 1, 33, "nesting deeper than 32 levels", NULL);
	for (i = 0; i < depth; i++) {
		text[2 * i] = '-';
		text[2 * i + 1] = ' ';
	}
	text[2 * depth] = 'x';
	text[2 * depth + 1] = '\n';
	write_bytes(dir, "block.yaml", text, 2 * depth + 2);
	expect_file_error(dir, "block.yaml", 1, 65, "nesting deeper than 32 levels", NULL);
	free(text);
	remove_dir(dir);
}

Test(rules_load, a_huge_scalar_is_refused_at_its_start)
{
	size_t n = 15 << 20;	/* under the file limit, far over the scalar limit */
	char *dir = make_dir(), *text = malloc(n + 32);

	strcpy(text, "matrix: m\ntitle: ");
	memset(text + 17, 'a', n);
	strcpy(text + 17 + n, "\nrules: []\n");
	write_bytes(dir, "scalar.yaml", text, strlen(text));
	expect_file_error(dir, "scalar.yaml", 2, 8, "scalar longer than 65536 bytes (15728640)", NULL);
	free(text);
	remove_dir(dir);
}

/* 100 MB (sparse: nothing is written) is refused by its size alone: the message holds the exact size. */
Test(rules_load, a_100_megabyte_file_is_refused_before_it_is_read)
{
	char *dir = make_dir(), path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/big.yaml", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("matrix: m\nrules: []\n", f);
	fflush(f);
	cr_assert_eq(ftruncate(fileno(f), 100 << 20), 0);
	fclose(f);
	expect_file_error(dir, "big.yaml", 0, 0, "file is 104857600 bytes, more than the limit of 16 MiB", NULL);
	remove_dir(dir);
}

Test(rules_load, bytes_that_are_not_utf8_are_named_with_their_position)
{
	static const char latin1[] = "matrix: m\ntitle: Z\xfcrich\nrules: []\n";
	static const char cut[] = "matrix: m\nrules: []\n# caf\xc3r\xc3\xa9\n";
	char *dir = make_dir();

	write_bytes(dir, "latin1.yaml", latin1, sizeof(latin1) - 1);
	expect_file_error(dir, "latin1.yaml", 2, 9, "invalid leading UTF-8 octet", "0xFC", NULL);
	write_bytes(dir, "cut.yaml", cut, sizeof(cut) - 1);
	expect_file_error(dir, "cut.yaml", 3, 7, "invalid trailing UTF-8 octet", "0x72", NULL);
	remove_dir(dir);
}

Test(rules_load, a_nul_byte_raw_or_escaped_is_refused_where_it_is)
{
	char *dir = make_dir();

	write_bytes(dir, "nul.yaml", "matrix: m\0\nrules: []\n", 21);
	expect_file_error(dir, "nul.yaml", 1, 10, "control characters are not allowed", NULL);
	write_file(dir, "esc.yaml", "matrix: m\ntitle: \"a\\0b\"\nrules: []\n");
	expect_file_error(dir, "esc.yaml", 2, 8, "a NUL character in a scalar is not supported", NULL);
	remove_dir(dir);
}

Test(rules_load, a_duplicate_key_is_named_at_its_second_occurrence)
{
	char *dir = make_dir();

	write_file(dir, "dup.yaml", "matrix: m\nrules:\n  - id: a\n    category: other\n    id: b\n");
	expect_file_error(dir, "dup.yaml", 5, 5, "duplicate key 'id' (first at line 3, column 5)", NULL);
	remove_dir(dir);
}

/* A FIFO (never opened, or open would wait for a writer) and devices are refused, in a folder skipped. */
Test(rules_load, a_fifo_or_a_device_is_refused_without_reading, .timeout = 60)
{
	char *dir = make_dir(), path[512];

	snprintf(path, sizeof(path), "%s/fifo.yaml", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	expect_file_error(dir, "fifo.yaml", 0, 0, "not a file or a folder", NULL);
	write_file(dir, "good.yaml", file_a);
	cr_assert_eq(rules_load_path(&rs, dir, &err), 0, "%s", err.msg);
	cr_expect_eq(rs.nfiles, 1, "the FIFO in the folder is not read");
	rules_free(&rs);
	rules_init(&rs);
	cr_assert_eq(rules_load_path(&rs, "/dev/zero", &err), -1);
	cr_expect(strstr(err.msg, "not a file or a folder"), "%s", err.msg);
	remove_dir(dir);
}

/* Messages quote the file: an escape sequence in it reaches the message as text, never as a raw byte. */
Test(rules_load, control_characters_in_text_are_refused_and_quoted_escaped)
{
	char *dir = make_dir(), name[64];

	write_file(dir, "desc.yaml", "matrix: m\nrules:\n  - {id: a, category: other, from: x, to: y, proto: icmp,\n"
		   "     description: \"ok\\e[2J\\e]0;pwned\\a\\nrm -rf\"}\n");
	expect_file_error(dir, "desc.yaml", 4, 19, "'description' holds the control character U+001B", NULL);
	write_file(dir, "title.yaml", "matrix: m\ntitle: \"two\\nlines\"\nrules: []\n");
	expect_file_error(dir, "title.yaml", 2, 8, "'title' holds the control character U+000A", NULL);
	write_file(dir, "c1.yaml", "matrix: m\nrules: []\nsource: \"csi \\x9b31m\"\n");
	expect_file_error(dir, "c1.yaml", 3, 9, "'source' holds the control character U+009B", NULL);
	write_file(dir, "key.yaml", "matrix: m\n\"\\e[31mred\": 1\n\"\\e[31mred\": 2\n");
	expect_file_error(dir, "key.yaml", 3, 1, "duplicate key '\\x1b[31mred'", NULL);
	cr_expect_null(strchr(err.msg, '\033'), "raw ESC in: %s", err.msg);
	/* The file name is escaped too. */
	snprintf(name, sizeof(name), "bad\033[31m\n.yaml");
	write_file(dir, name, "matrix: m\nrules: [1\n");
	cr_assert_eq(rules_load_path(&rs, dir, &err), -1);
	cr_expect_null(strchr(err.file, '\033'), "raw ESC in: %s", err.file);
	cr_expect_null(strchr(err.file, '\n'), "raw newline in: %s", err.file);
	cr_expect(strstr(err.file, "bad\\x1b[31m\\x0a.yaml"), "%s", err.file);
	remove_dir(dir);
}
