/* yaml_tree: one YAML document parsed (libyaml events) into a small bounded tree */
#ifndef FLOWAUDIT_YAML_TREE_H
#define FLOWAUDIT_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "rules.h"	/* struct load_error */

/* Limits; inputs beyond them are rejected, never truncated. */
enum {
	YAML_TREE_MAX_DEPTH = 32,		/* nested collections */
	YAML_TREE_MAX_SCALAR = 64 * 1024,	/* bytes in one scalar */
	YAML_TREE_MAX_NODES = 100000,
	YAML_TREE_MAX_FILE = 16 * 1024 * 1024,	/* bytes of a file read from disk */
};

enum yaml_tree_kind { YAML_TREE_SCALAR, YAML_TREE_SEQUENCE, YAML_TREE_MAPPING };

struct yaml_tree_node {
	/* Scalar: NUL-terminated text (a NUL inside is rejected). */
	char *value;
	/* Sequence: items. Mapping: kids[2i] is a key (a scalar), kids[2i + 1] its value. */
	struct yaml_tree_node **kids;
	size_t len;
	int nkids;
	int line;			/* 1-based, where the node starts */
	int column;
	enum yaml_tree_kind kind;
	bool plain;			/* unquoted and untagged: may be a number, bool or null */
};

/*
 * Parse text (not NUL-terminated; len bytes) as one YAML document. *root is
 * NULL for an empty stream. Returns 0, or -1 with err filled (file = name).
 * The nodes, their text and their lists of kids live in one arena that
 * belongs to the root: only the root is given to yaml_tree_free.
 */
int yaml_tree_parse(const char *name, const char *text, size_t len, struct yaml_tree_node **root,
		    struct load_error *err);
/* Limits a reader of bigger files (baselines) may raise; the defaults are the enum above. */
struct yaml_tree_limits {
	int max_nodes;
	size_t max_file;
};
int yaml_tree_parse_limits(const char *name, const char *text, size_t len, const struct yaml_tree_limits *lim,
			   struct yaml_tree_node **root, struct load_error *err);
void yaml_tree_free(struct yaml_tree_node *root);

/*
 * Read a whole regular file (at most YAML_TREE_MAX_FILE bytes, checked by
 * fstat before reading) into *text; -1 with err filled. A FIFO, device or
 * folder is refused without reading.
 */
int yaml_tree_read_file(const char *path, char **text, size_t *len, struct load_error *err);
int yaml_tree_read_file_limits(const char *path, const struct yaml_tree_limits *lim, char **text, size_t *len,
			       struct load_error *err);

/* Mapping helpers. */
int yaml_tree_map_size(const struct yaml_tree_node *map);
const struct yaml_tree_node *yaml_tree_map_key(const struct yaml_tree_node *map, int i);
const struct yaml_tree_node *yaml_tree_map_value(const struct yaml_tree_node *map, int i);
const struct yaml_tree_node *yaml_tree_get(const struct yaml_tree_node *map, const char *key);

/* "a mapping", "a sequence", "a string", "null": for "must be X, got Y" messages. */
const char *yaml_tree_kind_name(const struct yaml_tree_node *n);
/* True for a plain empty, "~" or "null" scalar. */
bool yaml_tree_is_null(const struct yaml_tree_node *n);

/*
 * Fill err (line and column from n, or 0 when n is NULL) and return -1. The
 * file name and the message are stored escaped (yaml_tree_escape): messages
 * quote file contents, and they end up on a terminal.
 */
int yaml_tree_fail(struct load_error *err, const char *file, const struct yaml_tree_node *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same at an explicit line and column (warnings about a rule, for one). */
int yaml_tree_fail_at(struct load_error *err, const char *file, int line, int column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* src into dst (size bytes, always terminated) with every byte outside printable ASCII as \xNN. */
void yaml_tree_escape(char *dst, size_t size, const char *src);

/*
 * Loader helpers; each returns 0, or -1 with err filled.
 * check_keys: every key of map is one of keys ("unknown key 'x' (allowed: ...)").
 * get_scalar: *out = the scalar under key, NULL when absent or null (an
 * error when required: "missing required key", "'x' is empty"; also when
 * not a scalar: "'x' must be a string, got a sequence").
 * fail_unknown: "unknown WHAT 'x' (allowed: a, b); did you mean 'y'?" at n.
 */
int yaml_tree_check_keys(struct load_error *err, const char *file, const struct yaml_tree_node *map,
			 const char *const *keys, int n);
int yaml_tree_get_scalar(struct load_error *err, const char *file, const struct yaml_tree_node *map,
			 const char *key, bool required, const struct yaml_tree_node **out);
/*
 * get_text: get_scalar for text that is printed (names, titles,
 * descriptions): a control character (C0, DEL, C1) in it is an error.
 */
int yaml_tree_get_text(struct load_error *err, const char *file, const struct yaml_tree_node *map,
		       const char *key, bool required, const struct yaml_tree_node **out);
int yaml_tree_fail_unknown(struct load_error *err, const char *file, const struct yaml_tree_node *n,
			   const char *what, const char *const *names, int count);
/*
 * An optional list of text under key: a scalar or a sequence of scalars,
 * each non-empty, at most max_len bytes, without control characters; at
 * most max entries. *out (xstrdup'd strings, NULL when absent) and *n.
 */
int yaml_tree_get_text_list(struct load_error *err, const char *file, const struct yaml_tree_node *map,
			    const char *key, int max, size_t max_len, char ***out, int *n);
void yaml_tree_free_list(char **list, int n);

/* The name in names[0..n) closest to word by edit distance if it is close (≤ 2, and less than half), or NULL. */
const char *yaml_tree_suggest(const char *word, const char *const *names, int n);
/* Append names joined by ", " to buf (size bytes), ending in "..." when it does not fit. */
void yaml_tree_join(char *buf, size_t size, const char *const *names, int n);

#endif
