/* rules: the port matrix as loaded from the rules/ folder — matrices, rules, roles */
#ifndef FLOWAUDIT_RULES_H
#define FLOWAUDIT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a setup error is; line and column are 1-based (0 = unknown). */
struct load_error {
	char file[512];
	int line;
	int column;
	char msg[512];
	int kind;		/* for warnings: enum load_warning */
};

/* Warnings a caller may treat apart (the audit summarises the unmatchable rules). */
enum load_warning { LOAD_WARN_OTHER = 0, LOAD_WARN_RULE_UNMATCHABLE };

/* A warning during loading (e.g. a role no rule uses); the caller prints it. */
typedef void (*load_warn_fn)(void *ctx, const struct load_error *w);

enum rule_proto_bit { RULE_TCP = 1, RULE_UDP = 2, RULE_ICMP = 4 };

enum rule_expect { EXPECT_OPTIONAL = 0, EXPECT_ANY, EXPECT_EACH };
enum rule_action { ACTION_ALLOW = 0, ACTION_DENY };

/* The contract's categories. One name table: rules_category_name(). */
enum rule_category {
	CAT_ICA_HDX = 0, CAT_EDT, CAT_RAS, CAT_LICENSING, CAT_BROKER, CAT_GATEWAY, CAT_MANAGEMENT,
	CAT_DIRECTORY, CAT_DATABASE, CAT_PROVISIONING, CAT_MONITORING, CAT_CLOUD, CAT_OTHER,
	CAT_COUNT
};

/* Roles are interned: a rule or site refers to a role by its index. */
enum { ROLE_ANY = -1, ROLE_NONE = -2 };

struct port_range {
	uint16_t lo;
	uint16_t hi;		/* inclusive; lo == hi for one port */
};

struct rule {
	int matrix;			/* index into rule_set.matrices */
	char *id;			/* unique within its matrix */
	char *name;			/* "matrix/id" */
	enum rule_category category;
	int *from;			/* role indices (ROLE_ANY for 'any') */
	int nfrom;
	int *to;
	int nto;
	uint8_t protos;			/* RULE_* bits */
	struct port_range *ports;	/* empty for ICMP-only rules */
	int nports;
	char *description;
	enum rule_expect expect;
	enum rule_action action;
	/* Extensions to the contract's format (documented in rules/README.md): */
	bool bidirectional;		/* the row also applies from 'to' to 'from' */
	bool one_way;			/* UDP with no reply by nature (syslog, traps, IPFIX): unanswered is ok */
	char *group;			/* rules of one group should work together ('incomplete'), or NULL */
	char *exposure;			/* Parallels RAS: "external", "internal", "localhost", or NULL */
	uint16_t expect_services;	/* expect_service: bit per enum service (inspect.h), 0 = any */
	char **tls_issuers;		/* expect_tls_issuer: accepted certificate issuers (substrings), or NULL */
	int ntls_issuers;
	/* Where it was defined, for messages. */
	const char *file;
	int line;
	int column;
};

struct matrix {
	char *name;			/* e.g. "citrix-cvad" */
	char *title;
	char *source;			/* the source document and section, or NULL */
	char *file;			/* the rule file it came from */
	int first_rule;			/* rules[first_rule .. first_rule + nrules) */
	int nrules;
	bool common;			/* rules/common/: common practice, not a vendor table; site mode only */
};

struct rule_set {
	struct matrix *matrices;
	int nmatrices;
	struct rule *rules;
	int nrules;
	char **roles;			/* interned role names */
	int nroles;
	char **files;			/* every file loaded, owned here */
	int nfiles;
};

void rules_init(struct rule_set *rs);
/*
 * Load a rule file, or every *.yaml / *.yml file of a folder (sorted by name),
 * adding to rs. Returns 0, or -1 with err filled (file, line, column, what);
 * on error nothing of that call stays loaded.
 */
int rules_load_path(struct rule_set *rs, const char *path, struct load_error *err);
/* Load from a string (tests, fuzzing); name is used in messages. */
int rules_load_string(struct rule_set *rs, const char *name, const char *text, size_t len,
		      struct load_error *err);
/*
 * A site file's own rules (its 'rules:' sequence, in the rule-file schema)
 * as a matrix named 'site' (rules 'site/<id>'), with the given title.
 * Returns 0, or -1 with err set (and nothing added).
 */
struct yaml_tree_node;
int rules_load_local(struct rule_set *rs, const char *file, const struct yaml_tree_node *rules, const char *title,
		     struct load_error *err);
/* Back to the first nmatrices, nrules, nroles, nfiles (what a site's local rules added goes; fuzzing). */
void rules_truncate(struct rule_set *rs, int nmatrices, int nrules, int nroles, int nfiles);
/* Index of a role name, interning it when add is true; ROLE_NONE if absent and !add. */
int rules_role_index(struct rule_set *rs, const char *name, bool add);
const char *rules_role_name(const struct rule_set *rs, int role);	/* "any" for ROLE_ANY */
const char *rules_category_name(enum rule_category c);
const char *rules_expect_name(enum rule_expect e);
const char *rules_action_name(enum rule_action a);
int rules_matrix_index(const struct rule_set *rs, const char *name);	/* -1 if absent */
void rules_free(struct rule_set *rs);

#endif
