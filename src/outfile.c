/* outfile: every file flowaudit writes: whole or not at all, never over a device or through a link as root */
#define _GNU_SOURCE	/* fopencookie, mkostemp */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "xalloc.h"

/* Where a stream's bytes go: a descriptor, and the first error writing to it. */
struct sink {
	int fd;
	int err;
	bool trunc_first;	/* OUTFILE_STREAM: the old content goes at the first write (or at the commit), not at the open */
};

struct outfile {
	char *path;		/* as given, for messages */
	char *target;		/* the file written: path, or the file a link points to (not root) */
	char *tmp;		/* the temporary being written, or NULL */
	enum outfile_how how;
	bool is_stdout;
	bool regular;		/* target is, or will be, a regular file */
	bool exists;
	struct stat old;	/* the target as it was (exists) */
	int keep_fd;		/* OUTFILE_REPLACE, regular: the target itself, for rewriting in place; else -1 */
	struct sink sink;
	FILE *f;
};

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
	struct sink *s = cookie;
	size_t done = 0;

	if (s->err)
		return s->err == EPIPE ? (ssize_t)n : 0;	/* the reader went away: the rest is dropped */
	if (s->trunc_first) {
		s->trunc_first = false;
		if (ftruncate(s->fd, 0) != 0) {
			s->err = errno;
			return 0;
		}
	}
	while (done < n) {
		ssize_t w = write(s->fd, buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			s->err = w < 0 ? errno : EIO;
			return s->err == EPIPE ? (ssize_t)n : 0;
		}
		done += (size_t)w;
	}
	return (ssize_t)n;
}

static FILE *sink_stream(struct sink *s)
{
	static const cookie_io_functions_t io = { .write = sink_write };

	return fopencookie(s, "w", io);
}

/* Flush the stream and close it (not the descriptor); the first error stays in the sink. */
static void sink_close_stream(struct sink *s, FILE *f)
{
	if (!f)
		return;
	if (fflush(f) != 0 && !s->err)
		s->err = errno ? errno : EIO;
	fclose(f);
}

static bool is_root(void)
{
	return geteuid() == 0;
}

static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 3;
}

/* The folder part of path ("." when it has none), newly allocated. */
static char *folder_of(const char *path)
{
	char *copy = xstrdup(path), *d = xstrdup(dirname(copy));

	free(copy);
	return d;
}

/*
 * May this symbolic link be followed? Not as root when its folder can be
 * written by anyone but root (/tmp): someone there could point it at a file
 * root should not overwrite. A link root's own folders hold (/dev/stdout) is
 * root's own doing.
 */
static bool link_allowed(const char *path)
{
	char *dir;
	struct stat ds;
	bool ok;

	if (!is_root())
		return true;
	dir = folder_of(path);
	ok = stat(dir, &ds) == 0 && ds.st_uid == 0 && !(ds.st_mode & (S_IWGRP | S_IWOTH));
	free(dir);
	return ok;
}

int outfile_check(const char *path, char *errbuf, size_t errlen)
{
	struct stat st;

	if (strcmp(path, "-") == 0)
		return 0;
	if (!*path) {
		snprintf(errbuf, errlen, "an empty output file name");
		return -1;
	}
	if (lstat(path, &st) != 0) {
		char *dir = folder_of(path);
		struct stat ds;
		int rc = 0;

		if (errno != ENOENT) {
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
			rc = -1;
		} else if (stat(dir, &ds) != 0 || !S_ISDIR(ds.st_mode)) {
			snprintf(errbuf, errlen, "%s: cannot write there: no folder %s", path, dir);
			rc = -1;
		}
		free(dir);
		return rc;
	}
	if (S_ISLNK(st.st_mode)) {
		if (!link_allowed(path)) {
			snprintf(errbuf, errlen, "%s: a symbolic link in a folder others can write; running as root, "
				 "flowaudit does not write through one (name the file itself)", path);
			return -1;
		}
		if (stat(path, &st) != 0) {
			snprintf(errbuf, errlen, "%s: a symbolic link to nothing (%s)", path, strerror(errno));
			return -1;
		}
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errlen, "%s: a folder, not a file", path);
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		snprintf(errbuf, errlen, "%s: a block device; flowaudit does not write to one", path);
		return -1;
	}
	return 0;
}

/* A new temporary beside the target, with the mode (and, as root, the owner) the target has or would get. */
static int make_temp(struct outfile *of, char **tmp_out)
{
	char *dir = folder_of(of->target), *copy = xstrdup(of->target), *base = basename(copy);
	size_t n = strlen(dir) + strlen(base) + 32;
	char *tmp = xmalloc(n);
	int fd;

	snprintf(tmp, n, "%s/.%s.flowaudit-XXXXXX", dir, base);
	free(dir);
	free(copy);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	if (of->exists) {
		if (fchmod(fd, of->old.st_mode & 07777) != 0)
			errno = 0;	/* the file keeps mkstemp's 0600: stricter, never looser */
		if (is_root() && fchown(fd, of->old.st_uid, of->old.st_gid) != 0)
			errno = 0;
	} else {
		mode_t mask = umask(0);

		umask(mask);
		if (fchmod(fd, 0666 & ~mask) != 0)
			errno = 0;
	}
	*tmp_out = tmp;
	return fd;
}

static void outfile_free(struct outfile *of)
{
	if (of->keep_fd >= 0)
		close(of->keep_fd);
	free(of->path);
	free(of->target);
	free(of->tmp);
	free(of);
}

static struct outfile *open_fail(struct outfile *of, const char *what, int err, char *errbuf, size_t errlen)
{
	snprintf(errbuf, errlen, "%s: %s%s", of->path, what, strerror(err));
	if (of->sink.fd >= 0 && !of->is_stdout)
		close(of->sink.fd);
	if (of->tmp)
		unlink(of->tmp);
	outfile_free(of);
	return NULL;
}

struct outfile *outfile_open(const char *path, enum outfile_how how, char *errbuf, size_t errlen)
{
	struct outfile *of;
	int nofollow = 0;
	struct stat st;

	if (outfile_check(path, errbuf, errlen) != 0)
		return NULL;
	of = xcalloc(1, sizeof(*of));
	of->path = xstrdup(path);
	of->how = how;
	of->keep_fd = -1;
	of->sink.fd = -1;
	if (strcmp(path, "-") == 0) {
		of->is_stdout = true;
		of->sink.fd = STDOUT_FILENO;
	} else {
		bool link = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
		char *real = NULL;

		if (!link)
			nofollow = is_root() ? O_NOFOLLOW : 0;	/* it was no link a moment ago: it must not become one */
		of->exists = stat(path, &of->old) == 0;
		of->regular = !of->exists || S_ISREG(of->old.st_mode);
		/* A regular file behind a link is replaced where it is: the temporary goes beside it, not the link. */
		if (link && of->regular && !(real = realpath(path, NULL)))
			return open_fail(of, "", errno, errbuf, errlen);
		of->target = real ? real : xstrdup(path);
		if (!of->regular) {
			/* A device or FIFO: written directly (a FIFO's open waits for its reader, as the shell's > does). */
			of->sink.fd = open(of->target, O_WRONLY | O_NOCTTY | O_CLOEXEC | nofollow);
			if (of->sink.fd < 0)
				return open_fail(of, "", errno, errbuf, errlen);
		} else if (how == OUTFILE_WHOLE) {
			of->sink.fd = make_temp(of, &of->tmp);
			if (of->sink.fd < 0)
				return open_fail(of, "cannot write a file beside it: ", errno, errbuf, errlen);
		} else {
			/* Opened now (before privileges are dropped), emptied only when the first bytes come. */
			int fd = open(of->target, O_WRONLY | O_CREAT | O_CLOEXEC | nofollow, 0666);

			if (fd < 0)
				return open_fail(of, "", errno, errbuf, errlen);
			if (how == OUTFILE_STREAM) {
				of->sink.fd = fd;
				of->sink.trunc_first = true;
			} else {
				of->keep_fd = fd;
			}
		}
	}
	if (of->sink.fd >= 0 && !(of->f = sink_stream(&of->sink)))
		return open_fail(of, "", errno, errbuf, errlen);
	return of;
}

FILE *outfile_stream(struct outfile *of)
{
	return of->f;
}

const char *outfile_name(const struct outfile *of)
{
	return of->is_stdout ? "standard output" : of->path;
}

bool outfile_is_stdout(const struct outfile *of)
{
	return of->is_stdout;
}

int outfile_error(const struct outfile *of)
{
	return of->sink.err == EPIPE ? 0 : of->sink.err;
}

static int write_error(const char *name, int err, char *errbuf, size_t errlen)
{
	snprintf(errbuf, errlen, "%s: cannot write: %s", name, strerror(err));
	return -1;
}

/* Write fn's content whole into a new temporary and rename it over the target; -1 with errno when no temporary. */
static int rewrite_whole(struct outfile *of, int (*fn)(FILE *, void *), void *ctx, char *errbuf, size_t errlen)
{
	struct sink s = { .fd = -1 };
	char *tmp = NULL;
	FILE *f;
	int rc;

	of->exists = stat(of->target, &of->old) == 0;
	if ((s.fd = make_temp(of, &tmp)) < 0)
		return -2;
	f = sink_stream(&s);
	rc = f ? fn(f, ctx) : -1;
	sink_close_stream(&s, f);
	if (!s.err && fsync(s.fd) != 0)
		s.err = errno;
	close(s.fd);
	if (!s.err && rc == 0 && rename(tmp, of->target) != 0)
		s.err = errno;
	if (s.err || rc != 0) {
		unlink(tmp);
		free(tmp);
		return write_error(of->path, s.err ? s.err : EIO, errbuf, errlen);
	}
	free(tmp);
	return 0;
}

int outfile_rewrite(struct outfile *of, int (*fn)(FILE *out, void *ctx), void *ctx, char *errbuf, size_t errlen)
{
	struct sink s;
	FILE *f;
	int rc;

	if (of->regular && !of->is_stdout && of->keep_fd >= 0) {
		rc = rewrite_whole(of, fn, ctx, errbuf, errlen);
		if (rc != -2)
			return rc;
		/* No temporary beside it (privileges dropped): the file opened at the start, rewritten in place. */
		if (ftruncate(of->keep_fd, 0) != 0 || lseek(of->keep_fd, 0, SEEK_SET) != 0)
			return write_error(of->path, errno, errbuf, errlen);
		s = (struct sink){ .fd = of->keep_fd };
		f = sink_stream(&s);
		rc = f ? fn(f, ctx) : -1;
		sink_close_stream(&s, f);
		if (s.err && s.err != EPIPE)
			return write_error(of->path, s.err, errbuf, errlen);
		return rc == 0 ? 0 : write_error(of->path, EIO, errbuf, errlen);
	}
	rc = fn(of->f, ctx);
	if (fflush(of->f) != 0 && !of->sink.err)
		of->sink.err = errno ? errno : EIO;
	if (of->sink.err && of->sink.err != EPIPE)
		return write_error(outfile_name(of), of->sink.err, errbuf, errlen);
	return rc == 0 ? 0 : write_error(outfile_name(of), EIO, errbuf, errlen);
}

int outfile_commit(struct outfile *of, char *errbuf, size_t errlen)
{
	int rc = 0;

	if (!of)
		return 0;
	sink_close_stream(&of->sink, of->f);
	of->f = NULL;
	if (of->sink.trunc_first && !of->sink.err && ftruncate(of->sink.fd, 0) != 0)
		of->sink.err = errno;	/* nothing was written: the file is left empty, as the run found it */
	if (of->tmp && !of->sink.err && fsync(of->sink.fd) != 0)
		of->sink.err = errno;
	if (of->sink.fd >= 0 && !of->is_stdout && close(of->sink.fd) != 0 && !of->sink.err && of->tmp)
		of->sink.err = errno;
	if (of->tmp && !of->sink.err && rename(of->tmp, of->target) != 0)
		of->sink.err = errno;
	if (of->sink.err && of->sink.err != EPIPE)
		rc = write_error(outfile_name(of), of->sink.err, errbuf, errlen);
	if (of->tmp && rc != 0)
		unlink(of->tmp);
	outfile_free(of);
	return rc;
}

void outfile_abort(struct outfile *of)
{
	if (!of)
		return;
	if (of->f)
		fclose(of->f);
	if (of->sink.fd >= 0 && !of->is_stdout)
		close(of->sink.fd);
	if (of->tmp)
		unlink(of->tmp);
	if (of->target && !of->exists && (of->sink.trunc_first || of->keep_fd >= 0))
		unlink(of->target);	/* made empty at the open, for a run that then failed */
	outfile_free(of);
}

/* The file a name stands for: "-" is the descriptor fd (standard input or output). */
static int stat_name(const char *name, int fd, struct stat *st)
{
	return strcmp(name, "-") == 0 ? fstat(fd, st) : stat(name, st);
}

static bool same_new_path(const char *a, const char *b)
{
	char *da = folder_of(a), *db = folder_of(b), *ca = xstrdup(a), *cb = xstrdup(b);
	struct stat sa, sb;
	bool same = stat(da, &sa) == 0 && stat(db, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
		    strcmp(basename(ca), basename(cb)) == 0;

	free(da);
	free(db);
	free(ca);
	free(cb);
	return same;
}

bool outfile_same(const char *a, const char *b)
{
	struct stat sa, sb;
	bool ha, hb;

	if (strcmp(a, "-") == 0 && strcmp(b, "-") == 0)
		return true;
	ha = stat_name(a, STDOUT_FILENO, &sa) == 0;
	hb = stat_name(b, STDOUT_FILENO, &sb) == 0;
	if (ha && hb)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && !is_dev_null(&sa);
	if (ha || hb)
		return false;
	return same_new_path(a, b);
}
