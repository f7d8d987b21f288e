/* site: the site inventory — which addresses play which role, and the audit's scope */
#ifndef FLOWAUDIT_SITE_H
#define FLOWAUDIT_SITE_H

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

struct prefix_table;	/* longest-prefix match, IPv4 and IPv6 (prefix.h) */

/* One address or CIDR prefix as written in the site file. */
struct site_prefix {
	uint8_t family;		/* 4 or 6 */
	uint8_t addr[16];	/* masked to len */
	uint8_t len;		/* prefix length: 32/128 for a single address */
	int role;		/* role index in the rule set; ROLE_NONE for scope entries */
	int line;		/* where it was written */
	int column;
};

/* One end of an accepted exception: a role, or an address or prefix. */
struct site_end {
	int role;			/* role index, or ROLE_NONE when pfx is the end */
	struct site_prefix pfx;
};

/*
 * An accepted exception ('accept:'): findings between these ends, on this
 * protocol and these ports (and of this kind) are known and approved: they
 * are listed apart with the reason and do not count for --fail-on.
 */
struct site_accept {
	struct site_end *from;
	int nfrom;			/* 0: any */
	struct site_end *to;
	int nto;
	uint8_t protos;			/* RULE_TCP | RULE_UDP | RULE_ICMP bits; 0: any */
	struct port_range *ports;
	int nports;			/* 0: any */
	int kind;			/* enum finding_kind, or -1: any */
	char *reason;
	int64_t until_us;		/* the end of the 'until' day (UTC), or 0: no end */
	char until[11];			/* as written, YYYY-MM-DD */
	int line;
	int column;
};

struct site {
	char *name;			/* 'site:' */
	char *file;
	struct site_prefix *prefixes;	/* every role address, in file order */
	int nprefixes;
	struct site_prefix *scope;	/* 'scope:' prefixes */
	int nscope;
	bool *matrix_on;		/* [rule_set.nmatrices]: applies? (default all) */
	/* tls: (an extension, docs/README.md) */
	char **tls_names;		/* server names to watch for interception, "*.example.com" or exact */
	int ntls_names;
	char **tls_issuers;		/* certificate issuers that are expected (substrings), besides public CAs */
	int ntls_issuers;
	struct site_accept *accepts;	/* accept: (an extension), in file order */
	int naccepts;
	struct prefix_table *roles_lpm;	/* address -> role, longest prefix wins */
	struct prefix_table *scope_lpm;	/* address -> in scope */
};

/*
 * Load a site file against the rules already loaded. A role name that no
 * loaded rule file knows is an error (a typo: "unknown role"); a known role
 * that no rule of the matrices this site applies uses is a warning. Matrix
 * names must be loaded ones. Two roles on the same prefix is an error;
 * overlapping prefixes of different lengths are fine (the longest wins).
 * Warnings go to warn. Returns 0, or -1 with err filled; nothing half-loaded.
 */
int site_load(struct site *s, const char *path, struct rule_set *rs, load_warn_fn warn, void *warn_ctx,
	      struct load_error *err);
int site_load_string(struct site *s, const char *name, const char *text, size_t len, struct rule_set *rs,
		     load_warn_fn warn, void *warn_ctx, struct load_error *err);

/* The role of an address (family 4: first 4 bytes), longest prefix; ROLE_NONE if none. */
int site_role_of(const struct site *s, uint8_t family, const uint8_t addr[16]);
/* True when one of roles[0..n) is 'any' or a role the site gives addresses to. */
bool site_defines_any(const struct site *s, const int *roles, int n);
/* True when the address is inside the site's scope. */
bool site_in_scope(const struct site *s, uint8_t family, const uint8_t addr[16]);
void site_free(struct site *s);

#endif
