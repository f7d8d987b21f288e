/* yaml_tree: one YAML document parsed (libyaml events) into a small bounded tree */
#include "yaml_tree.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>
#include <yaml.h>

#include "asan.h"
#include "xalloc.h"

/*
 * A tree's nodes, their text and their lists of kids come from one arena,
 * freed at once with the root: a node then costs its 48 bytes, its text and
 * one pointer in its parent, without a malloc header for each (a 60 MB
 * baseline of small scalars took 874 MB with one malloc per node and text).
 * Chunks grow from 4 KiB to 1 MiB; the first one's first object is the root.
 * Under AddressSanitizer a chunk's free space is poisoned and every object is
 * followed by a poisoned gap, so a read past an object is still reported.
 */
#define ARENA_GAP (FA_ASAN ? 16 : 0)

enum { ARENA_FIRST = 4096, ARENA_MAX = 1 << 20 };

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

/* A key already seen in an open mapping, for the duplicate check. */
struct seen_key {
	const struct yaml_tree_node *key;
	UT_hash_handle hh;
};

/* An open collection; its kids so far are pending[first_kid ...] of the builder. */
struct frame {
	struct yaml_tree_node *node;
	struct seen_key *keys;		/* mappings only */
	size_t first_kid;
	bool want_value;		/* mappings: the next node is a value */
};

struct builder {
	const char *name;
	const char *text;
	size_t len;
	struct load_error *err;
	struct yaml_tree_node *root;
	struct chunk *first, *last;	/* the arena */
	struct yaml_tree_node **pending;	/* kids of the open collections, innermost last */
	size_t npending, cap_pending;
	struct frame stack[YAML_TREE_MAX_DEPTH];
	int depth;
	int nodes;
	int max_nodes;
	int documents;
	bool done;
};

static const char *const standard_tags[] = {
	"!", YAML_NULL_TAG, YAML_BOOL_TAG, YAML_STR_TAG, YAML_INT_TAG, YAML_FLOAT_TAG,
	YAML_TIMESTAMP_TAG, YAML_SEQ_TAG, YAML_MAP_TAG,
};

/* libyaml marks are 0-based; this is the one place that makes them 1-based. */
static void pos_from_mark(yaml_mark_t m, int *line, int *column)
{
	*line = m.line < INT_MAX ? (int)m.line + 1 : INT_MAX;
	*column = m.column < INT_MAX ? (int)m.column + 1 : INT_MAX;
}

void yaml_tree_escape(char *dst, size_t size, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (size == 0)
		return;
	for (; *src; src++) {
		unsigned char c = (unsigned char)*src;

		if (c >= 0x20 && c < 0x7f) {
			if (n + 1 >= size)
				break;
			dst[n++] = (char)c;
		} else {
			if (n + 4 >= size)
				break;
			dst[n++] = '\\';
			dst[n++] = 'x';
			dst[n++] = hex[c >> 4];
			dst[n++] = hex[c & 15];
		}
	}
	dst[n] = '\0';
}

/* Messages quote file contents and paths; both are escaped here, once, for every caller. */
static void vset(struct load_error *err, const char *file, int line, int column, const char *fmt, va_list ap)
{
	char msg[sizeof(err->msg)];

	if (file && file != err->file)
		yaml_tree_escape(err->file, sizeof(err->file), file);
	err->line = line;
	err->column = column;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	yaml_tree_escape(err->msg, sizeof(err->msg), msg);
}

int yaml_tree_fail_at(struct load_error *err, const char *file, int line, int column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, file, line, column, fmt, ap);
	va_end(ap);
	return -1;
}

int yaml_tree_fail(struct load_error *err, const char *file, const struct yaml_tree_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, file, n ? n->line : 0, n ? n->column : 0, fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 3, 4)))
static int fail_at(struct builder *b, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	int line, column;

	pos_from_mark(m, &line, &column);
	va_start(ap, fmt);
	vset(b->err, b->name, line, column, fmt, ap);
	va_end(ap);
	return -1;
}

/* libyaml's reader reports a byte offset only: turn it into a 0-based mark. */
static yaml_mark_t mark_of_offset(const char *text, size_t len, size_t offset)
{
	yaml_mark_t m = { .index = offset };
	size_t i;

	if (offset > len)
		offset = len;
	for (i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

static int libyaml_fail(struct builder *b, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "cannot parse YAML";
	int line, column;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return fail_at(b, p->problem_mark, "out of memory while parsing YAML");
	case YAML_READER_ERROR:
		if (p->problem_value != -1)
			return fail_at(b, mark_of_offset(b->text, b->len, p->problem_offset), "%s: byte 0x%02X",
				       problem, (unsigned)p->problem_value);
		return fail_at(b, mark_of_offset(b->text, b->len, p->problem_offset), "%s", problem);
	default:
		if (!p->context)
			return fail_at(b, p->problem_mark, "%s", problem);
		pos_from_mark(p->context_mark, &line, &column);
		return fail_at(b, p->problem_mark, "%s (%s at line %d, column %d)", problem, p->context, line,
			       column);
	}
}

static int check_props(struct builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
		       const yaml_char_t *tag)
{
	size_t i;

	if (anchor)
		return fail_at(b, ev->start_mark, "anchors and aliases are not supported: '&%.40s'", anchor);
	if (!tag)
		return 0;
	for (i = 0; i < sizeof(standard_tags) / sizeof(standard_tags[0]); i++)
		if (strcmp((const char *)tag, standard_tags[i]) == 0)
			return 0;
	return fail_at(b, ev->start_mark, "tag '%.60s' is not supported (only the standard tags are)", tag);
}

static void *arena_alloc(struct builder *b, size_t size, size_t align)
{
	struct chunk *c = b->last;
	size_t off = c ? (c->used + align - 1) & ~(align - 1) : 0;

	if (!c || off > c->size || size + ARENA_GAP > c->size - off) {
		size_t want = c ? (c->size < ARENA_MAX ? c->size * 2 : ARENA_MAX) : ARENA_FIRST;

		if (want < size + ARENA_GAP)
			want = size + ARENA_GAP;
		c = xmalloc(sizeof(*c) + want);
		c->next = NULL;
		c->size = want;
		asan_poison(c->data, want);
		if (b->last)
			b->last->next = c;
		else
			b->first = c;
		b->last = c;
		off = 0;
	}
	asan_unpoison((char *)c->data + off, size);
	c->used = off + size + ARENA_GAP;
	return (char *)c->data + off;
}

static void arena_free(struct chunk *c)
{
	struct chunk *next;

	for (; c; c = next) {
		next = c->next;
		asan_unpoison(c->data, c->size);
		free(c);
	}
}

static struct yaml_tree_node *node_new(struct builder *b, const yaml_event_t *ev, enum yaml_tree_kind kind)
{
	struct yaml_tree_node *n;

	if (++b->nodes > b->max_nodes) {
		fail_at(b, ev->start_mark, "more than %d nodes", b->max_nodes);
		return NULL;
	}
	n = arena_alloc(b, sizeof(*n), alignof(struct yaml_tree_node));
	*n = (struct yaml_tree_node){ .kind = kind };
	pos_from_mark(ev->start_mark, &n->line, &n->column);
	return n;
}

static void push_kid(struct builder *b, struct yaml_tree_node *kid)
{
	if (b->npending == b->cap_pending) {
		b->cap_pending = b->cap_pending ? b->cap_pending * 2 : 64;
		b->pending = xrealloc(b->pending, b->cap_pending * sizeof(*b->pending));
	}
	b->pending[b->npending++] = kid;
}

static int add_key(struct builder *b, struct frame *f, struct yaml_tree_node *key)
{
	struct seen_key *s;

	if (key->kind != YAML_TREE_SCALAR)
		return yaml_tree_fail(b->err, b->name, key, "mapping keys must be strings, got %s",
				      yaml_tree_kind_name(key));
	HASH_FIND(hh, f->keys, key->value, key->len, s);
	if (s)
		return yaml_tree_fail(b->err, b->name, key, "duplicate key '%.80s' (first at line %d, column %d)",
				      key->value, s->key->line, s->key->column);
	s = xcalloc(1, sizeof(*s));
	s->key = key;
	HASH_ADD_KEYPTR(hh, f->keys, key->value, key->len, s);
	return 0;
}

/* Give a new node to the open collection (or make it the root). */
static int attach(struct builder *b, struct yaml_tree_node *n)
{
	struct frame *f;

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (f->node->kind == YAML_TREE_MAPPING) {
		if (!f->want_value && add_key(b, f, n) < 0)
			return -1;
		f->want_value = !f->want_value;
	}
	push_kid(b, n);
	return 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct yaml_tree_node *n;
	size_t len = ev->data.scalar.length;

	if (check_props(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag) < 0)
		return -1;
	if (len > YAML_TREE_MAX_SCALAR)
		return fail_at(b, ev->start_mark, "scalar longer than %d bytes (%zu)", YAML_TREE_MAX_SCALAR, len);
	if (memchr(ev->data.scalar.value, '\0', len))
		return fail_at(b, ev->start_mark, "a NUL character in a scalar is not supported");
	n = node_new(b, ev, YAML_TREE_SCALAR);
	if (!n)
		return -1;
	n->value = arena_alloc(b, len + 1, 1);
	memcpy(n->value, ev->data.scalar.value, len);
	n->value[len] = '\0';
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
	return attach(b, n);
}

static int on_start(struct builder *b, const yaml_event_t *ev, enum yaml_tree_kind kind,
		    const yaml_char_t *anchor, const yaml_char_t *tag)
{
	struct yaml_tree_node *n;

	if (check_props(b, ev, anchor, tag) < 0)
		return -1;
	if (b->depth == YAML_TREE_MAX_DEPTH)
		return fail_at(b, ev->start_mark, "nesting deeper than %d levels", YAML_TREE_MAX_DEPTH);
	n = node_new(b, ev, kind);
	if (!n || attach(b, n) < 0)
		return -1;
	b->stack[b->depth++] = (struct frame){ .node = n, .first_kid = b->npending };
	return 0;
}

/* Close the innermost collection: its kids move from pending to the arena (unless the parse failed). */
static void pop(struct builder *b, bool keep)
{
	struct frame *f = &b->stack[--b->depth];
	size_t n = b->npending - f->first_kid;
	struct seen_key *s, *tmp;

	if (n && keep) {
		f->node->kids = arena_alloc(b, n * sizeof(*f->node->kids), alignof(struct yaml_tree_node *));
		memcpy(f->node->kids, b->pending + f->first_kid, n * sizeof(*f->node->kids));
		f->node->nkids = (int)n;	/* at most max_nodes */
		b->npending = f->first_kid;
	}

	HASH_ITER(hh, f->keys, s, tmp) {
		HASH_DEL(f->keys, s);
		free(s);
	}
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1)
			return fail_at(b, ev->start_mark, "more than one document (a file holds one)");
		return 0;
	case YAML_ALIAS_EVENT:
		return fail_at(b, ev->start_mark, "anchors and aliases are not supported: '*%.40s'",
			       ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(b, ev, YAML_TREE_SEQUENCE, ev->data.sequence_start.anchor,
				ev->data.sequence_start.tag);
	case YAML_MAPPING_START_EVENT:
		return on_start(b, ev, YAML_TREE_MAPPING, ev->data.mapping_start.anchor,
				ev->data.mapping_start.tag);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth > 0)
			pop(b, true);
		return 0;
	case YAML_STREAM_END_EVENT:
		b->done = true;
		return 0;
	default:
		return 0;
	}
}

static const struct yaml_tree_limits default_limits = {
	.max_nodes = YAML_TREE_MAX_NODES,
	.max_file = YAML_TREE_MAX_FILE,
};

int yaml_tree_parse(const char *name, const char *text, size_t len, struct yaml_tree_node **root,
		    struct load_error *err)
{
	return yaml_tree_parse_limits(name, text, len, &default_limits, root, err);
}

int yaml_tree_parse_limits(const char *name, const char *text, size_t len, const struct yaml_tree_limits *lim,
			   struct yaml_tree_node **root, struct load_error *err)
{
	struct builder b = { .name = name, .text = text, .len = len, .err = err, .max_nodes = lim->max_nodes };
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0;

	*root = NULL;
	if (!text) {
		text = "";
		len = 0;
		b.text = text;
		b.len = 0;
	}
	if (!yaml_parser_initialize(&parser))
		return yaml_tree_fail(err, name, NULL, "out of memory while parsing YAML");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (rc == 0 && !b.done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = libyaml_fail(&b, &parser);
			break;
		}
		rc = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	while (b.depth > 0)
		pop(&b, rc == 0);
	free(b.pending);
	if (rc < 0) {
		arena_free(b.first);
		return -1;
	}
	*root = b.root;	/* the first node made: the first object of the first chunk */
	return 0;
}

void yaml_tree_free(struct yaml_tree_node *root)
{
	if (root)
		arena_free((struct chunk *)(void *)((char *)root - offsetof(struct chunk, data)));
}

int yaml_tree_read_file(const char *path, char **text, size_t *len, struct load_error *err)
{
	return yaml_tree_read_file_limits(path, &default_limits, text, len, err);
}

/* What a path is when it is not a regular file, for "is a FIFO, not a regular file". */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a folder";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a special file";
}

/*
 * All of fd into *text (NUL-terminated), at most max bytes; hint is its size
 * by fstat (a file may grow meanwhile, and /proc says 0). Returns 0, -1 on a
 * read error (errno), -2 when there is more than max.
 */
static int read_all(int fd, size_t hint, size_t max, char **text, size_t *len)
{
	size_t cap = (hint < max ? hint : max) + 1, n = 0;
	char *buf = xmalloc(cap + 1);
	ssize_t got;

	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(buf);
				return -2;
			}
			cap = cap > max / 2 ? max + 1 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			free(buf);
			errno = e;
			return -1;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/*
 * Only a regular file is read, and only when its size is within the limit:
 * a FIFO would block the open and the read, /dev/zero never ends, and a
 * 100 MB file is refused before a byte of it is read. O_NONBLOCK makes the
 * open of a FIFO return at once so that fstat can refuse it.
 */
int yaml_tree_read_file_limits(const char *path, const struct yaml_tree_limits *lim, char **text, size_t *len,
			       struct load_error *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), rc, e;
	struct stat st;

	if (fd < 0)
		return yaml_tree_fail(err, path, NULL, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return yaml_tree_fail(err, path, NULL, "cannot read: %s", strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return yaml_tree_fail(err, path, NULL, "is %s, not a regular file", file_kind(st.st_mode));
	}
	if ((uintmax_t)st.st_size > lim->max_file) {
		close(fd);
		return yaml_tree_fail(err, path, NULL, "file is %jd bytes, more than the limit of %zu MiB",
				      (intmax_t)st.st_size, lim->max_file >> 20);
	}
	rc = read_all(fd, (size_t)st.st_size, lim->max_file, text, len);
	e = errno;
	close(fd);
	if (rc == -1)
		return yaml_tree_fail(err, path, NULL, "cannot read: %s", strerror(e));
	if (rc == -2)
		return yaml_tree_fail(err, path, NULL, "file grew past the limit of %zu MiB while it was read",
				      lim->max_file >> 20);
	return 0;
}

int yaml_tree_map_size(const struct yaml_tree_node *map)
{
	return map && map->kind == YAML_TREE_MAPPING ? map->nkids / 2 : 0;
}

const struct yaml_tree_node *yaml_tree_map_key(const struct yaml_tree_node *map, int i)
{
	return map->kids[2 * i];
}

/* A key whose value never came (cannot happen after a successful parse) reads as NULL. */
const struct yaml_tree_node *yaml_tree_map_value(const struct yaml_tree_node *map, int i)
{
	return 2 * i + 1 < map->nkids ? map->kids[2 * i + 1] : NULL;
}

const struct yaml_tree_node *yaml_tree_get(const struct yaml_tree_node *map, const char *key)
{
	int i;

	for (i = 0; i < yaml_tree_map_size(map); i++)
		if (strcmp(yaml_tree_map_key(map, i)->value, key) == 0)
			return yaml_tree_map_value(map, i);
	return NULL;
}

bool yaml_tree_is_null(const struct yaml_tree_node *n)
{
	return n->kind == YAML_TREE_SCALAR && n->plain &&
	       (n->len == 0 || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
		strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0);
}

const char *yaml_tree_kind_name(const struct yaml_tree_node *n)
{
	switch (n->kind) {
	case YAML_TREE_MAPPING:
		return "a mapping";
	case YAML_TREE_SEQUENCE:
		return "a sequence";
	default:
		return yaml_tree_is_null(n) ? "null" : "a string";
	}
}

enum { SUGGEST_MAX = 64 };

static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[SUGGEST_MAX + 1], diag, up;

	if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
		return INT_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

const char *yaml_tree_suggest(const char *word, const char *const *names, int n)
{
	const char *best = NULL;
	int best_d = 3, d, i;

	for (i = 0; i < n; i++) {
		d = edit_distance(word, names[i]);
		if (d < best_d && 2 * (size_t)d < strlen(names[i])) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}

void yaml_tree_join(char *buf, size_t size, const char *const *names, int n)
{
	size_t pos = strlen(buf), need;
	int i;

	for (i = 0; i < n; i++) {
		need = strlen(names[i]) + (i ? 2 : 0);
		if (pos + need + 4 >= size) {
			snprintf(buf + pos, size - pos, "...");
			return;
		}
		pos += (size_t)snprintf(buf + pos, size - pos, "%s%s", i ? ", " : "", names[i]);
	}
}

int yaml_tree_fail_unknown(struct load_error *err, const char *file, const struct yaml_tree_node *n,
			   const char *what, const char *const *names, int count)
{
	char allowed[320] = "";
	const char *near = yaml_tree_suggest(n->value, names, count);

	yaml_tree_join(allowed, sizeof(allowed), names, count);
	return yaml_tree_fail(err, file, n, "unknown %s '%.60s' (allowed: %s)%s%s%s", what, n->value, allowed,
			      near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

int yaml_tree_check_keys(struct load_error *err, const char *file, const struct yaml_tree_node *map,
			 const char *const *keys, int n)
{
	const struct yaml_tree_node *key;
	int i, j;

	for (i = 0; i < yaml_tree_map_size(map); i++) {
		key = yaml_tree_map_key(map, i);
		for (j = 0; j < n && strcmp(key->value, keys[j]) != 0; j++)
			;
		if (j == n)
			return yaml_tree_fail_unknown(err, file, key, "key", keys, n);
	}
	return 0;
}

int yaml_tree_get_scalar(struct load_error *err, const char *file, const struct yaml_tree_node *map,
			 const char *key, bool required, const struct yaml_tree_node **out)
{
	const struct yaml_tree_node *v = yaml_tree_get(map, key);

	*out = NULL;
	if (!v)
		return required ? yaml_tree_fail(err, file, map, "missing required key '%s'", key) : 0;
	if (v->kind != YAML_TREE_SCALAR)
		return yaml_tree_fail(err, file, v, "'%s' must be a string, got %s", key, yaml_tree_kind_name(v));
	if (yaml_tree_is_null(v))
		return required ? yaml_tree_fail(err, file, v, "'%s' is empty", key) : 0;
	*out = v;
	return 0;
}

/* The first control character (C0, DEL, or C1 as UTF-8) in s, or -1. */
static long control_char(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return *p;
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return p[1];
	}
	return -1;
}

int yaml_tree_get_text_list(struct load_error *err, const char *file, const struct yaml_tree_node *map,
			    const char *key, int max, size_t max_len, char ***out, int *n)
{
	const struct yaml_tree_node *v = yaml_tree_get(map, key), *item;
	int i, count;
	long c;

	*out = NULL;
	*n = 0;
	if (!v || yaml_tree_is_null(v))
		return 0;
	if (v->kind == YAML_TREE_MAPPING)
		return yaml_tree_fail(err, file, v, "'%s' must be a string or a sequence of strings, got a mapping", key);
	count = v->kind == YAML_TREE_SEQUENCE ? v->nkids : 1;
	if (count <= 0)
		return 0;
	if (count > max)
		return yaml_tree_fail(err, file, v, "'%s' lists more than %d entries", key, max);
	for (i = 0; i < count; i++) {
		item = v->kind == YAML_TREE_SEQUENCE ? v->kids[i] : v;
		if (item->kind != YAML_TREE_SCALAR || yaml_tree_is_null(item) || !item->value[0])
			return yaml_tree_fail(err, file, item, "'%s' entries must be non-empty strings, got %s", key,
					      yaml_tree_is_null(item) || item->kind == YAML_TREE_SCALAR ? "an empty one"
												    : yaml_tree_kind_name(item));
		if (strlen(item->value) > max_len)
			return yaml_tree_fail(err, file, item, "'%s' entry is longer than %zu bytes", key, max_len);
		if ((c = control_char(item->value)) >= 0)
			return yaml_tree_fail(err, file, item, "'%s' entry holds the control character U+%04lX", key,
					      (unsigned long)c);
	}
	*out = xcalloc((size_t)count, sizeof(**out));
	for (i = 0; i < count; i++)
		(*out)[i] = xstrdup((v->kind == YAML_TREE_SEQUENCE ? v->kids[i] : v)->value);
	*n = count;
	return 0;
}

void yaml_tree_free_list(char **list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int yaml_tree_get_text(struct load_error *err, const char *file, const struct yaml_tree_node *map,
		       const char *key, bool required, const struct yaml_tree_node **out)
{
	long c;

	if (yaml_tree_get_scalar(err, file, map, key, required, out) < 0)
		return -1;
	if (!*out || (c = control_char((*out)->value)) < 0)
		return 0;
	yaml_tree_fail(err, file, *out, "'%s' holds the control character U+%04lX; a text field is one line of "
		       "printable characters", key, (unsigned long)c);
	*out = NULL;
	return -1;
}
