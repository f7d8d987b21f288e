/* baseline_internal: the baseline's records, shared by baseline.c and baseline_diff.c */
#ifndef FLOWAUDIT_BASELINE_INTERNAL_H
#define FLOWAUDIT_BASELINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <uthash.h>

#include "baseline.h"
#include "fasthash.h"
#include "json.h"
#include "verdict.h"

/* One path: who talked to whom, how, under which rule, and how it went. */
struct bl_path {
	char *key;			/* the hash key: the five fields below, joined */
	size_t keylen;
	UT_hash_handle hh;
	char *orig;			/* role name or host address; NULL: an end with no role */
	char *resp;
	char *proto;			/* "tcp", "udp", "icmp" */
	uint16_t port;			/* the responder port (ICMP: the counterpart type) */
	char *rule;			/* "matrix/id", or NULL: matches no rule */
	uint64_t flows[V_COUNT];	/* by verdict; related and unmatched stay 0 */
	uint64_t orig_ip_bytes;
	uint64_t resp_ip_bytes;
	int64_t first_us;
	int64_t last_us;
	char *example;			/* canonical JSON object of one flow (the conn log's fields), or NULL */
	int example_severity;		/* its verdict's severity, and its ts: choose examples order-free */
	int64_t example_ts;
	char example_line[200];		/* the example as one line of text */
};

/* One capture a baseline was made from (a merged baseline has several). */
struct bl_capture {
	char **inputs;			/* file names, or the interface */
	int ninputs;
	bool live;
	bool has_ts;			/* false when no packet was read */
	int64_t first_us;
	int64_t last_us;
	uint64_t packets;
	uint64_t dropped;
	uint64_t duplicates;
	char *site;			/* NULL in port-only mode */
	char *site_digest;		/* "sha256:<hex>", NULL in port-only mode */
	char *rules_digest;
	char *flowaudit;		/* the version that made it */
};

struct baseline {
	enum baseline_by by;
	struct bl_path *paths;		/* uthash on key */
	struct bl_capture *captures;
	int ncaptures;
	char *file;			/* where it was read from (messages), or NULL */
	struct json scratch;		/* keys and examples are built here */
};

/* Verdicts a path counts, in the order the file writes them (sorted by name). */
enum { BL_NVERDICTS = 6 };
extern const enum verdict bl_verdicts[BL_NVERDICTS];

const char *bl_by_name(enum baseline_by by);
uint64_t bl_path_total(const struct bl_path *p);
/* The worst verdict present (the contract's order), V_COUNT when there is none. */
enum verdict bl_path_worst(const struct bl_path *p);
/* Total order on paths: orig, resp (null first), proto, port, rule (null first). */
int bl_path_cmp(const struct bl_path *a, const struct bl_path *b);
/* The paths sorted by bl_path_cmp; the caller frees the array (not the paths). */
struct bl_path **bl_sorted_paths(const struct baseline *b, size_t *n);
/* The path with these fields, made (with no flows) when it is not there yet. */
struct bl_path *bl_path_get(struct baseline *b, const char *orig, const char *resp, const char *proto,
			    uint16_t port, const char *rule);
/* Offer ex (a conn log object; skip: a key left out) as p's example; -1 with err when ex is not JSON. */
struct yaml_tree_node;
int bl_example_take(struct baseline *b, struct bl_path *p, const struct yaml_tree_node *ex, const char *skip,
		    const char *file, struct load_error *err);
/* Time the captures cover: the union of their spans, overlaps counted once. */
int64_t bl_observed_us(const struct baseline *b);

/* baseline_file.c: the JSON text layer. */
/* n as canonical JSON into j: keys sorted, strings re-escaped; -1 with err when n is not JSON. */
int bl_canonical(struct json *j, const struct yaml_tree_node *n, const char *skip, const char *file,
		 struct load_error *err);
/* Seconds with at most 6 decimals into microseconds, exactly; -1 if s is not that. */
int bl_parse_usec(const char *s, int64_t *out);
/* A string, escaped so that both JSON and libyaml read it back unchanged. */
void bl_put_str(struct json *j, const char *s);
void bl_put_key(struct json *j, const char *key);
void bl_put_str_or_null(struct json *j, const char *key, const char *s);
/* A value already in canonical JSON (an example). */
void bl_put_raw(struct json *j, const char *s);
/*
 * The flow's example, less its uid, as canonical JSON into j: byte for byte
 * what its conn log object (conn_log_render) gives once read back and made
 * canonical (bl_canonical), without writing and parsing it. -1 (j holding
 * garbage) where that reading back fails, and the flow offers no example.
 */
struct classification;
struct flow;
struct rule_set;
int bl_example_render(struct json *j, const struct flow *f, const struct classification *cls,
		      const struct rule_set *rs);
/* One capture record, keys sorted. */
void bl_put_capture(struct json *j, const struct bl_capture *c);

#endif
