/*
 * outfile: every file flowaudit writes goes through here (reports, conn
 * logs, baselines, rule listings).
 *
 * A regular file, or a path that does not exist yet, is written to a
 * temporary beside it (".NAME.flowaudit-XXXXXX", with the old file's mode,
 * or 0666 less the umask) and renamed into place only when everything was
 * written, flushed and synced: a run that fails, or is stopped, leaves the
 * old file as it was. A character device, a FIFO or "-" (standard output)
 * is written directly: nothing can be renamed over them. A block device or
 * a folder is refused. As root a symbolic link is refused (someone who can
 * write the folder, /tmp, could point it at a file root should not
 * overwrite); otherwise the file it points to is the one written.
 *
 * Every write is checked: the first error (ENOSPC, EIO, ...) is kept and
 * reported by outfile_commit as one line naming the file, and the
 * temporary is removed. EPIPE (the reader of a pipe went away, as with
 * '| head') is not an error: the rest is discarded.
 */
#ifndef FLOWAUDIT_OUTFILE_H
#define FLOWAUDIT_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct outfile;

enum outfile_how {
	OUTFILE_WHOLE = 0,	/* a regular file appears whole at outfile_commit, or not at all */
	OUTFILE_STREAM,		/* a regular file is truncated and written in place as it goes (a live conn log: tail -f) */
	OUTFILE_REPLACE,	/* written whole again by each outfile_rewrite (a live report, interim and final) */
};

/* Open path for writing as described above. NULL with one line in errbuf. */
struct outfile *outfile_open(const char *path, enum outfile_how how, char *errbuf, size_t errlen);
/* The stream to write (OUTFILE_WHOLE, OUTFILE_STREAM). */
FILE *outfile_stream(struct outfile *of);
/* The name for messages: the path, or "standard output". */
const char *outfile_name(const struct outfile *of);
bool outfile_is_stdout(const struct outfile *of);
/* The first write error so far (errno), 0 when none (EPIPE counts as none). */
int outfile_error(const struct outfile *of);

/*
 * OUTFILE_REPLACE: write the content again with fn (which returns 0, or -1
 * on its own failure): a regular file is replaced whole (temporary, then
 * rename; where no temporary can be made, privileges having been dropped
 * with -Z, the file opened at the start is rewritten in place); a device,
 * FIFO or stdout gets it appended. Returns 0, or -1 with errbuf set.
 */
int outfile_rewrite(struct outfile *of, int (*fn)(FILE *out, void *ctx), void *ctx, char *errbuf,
		    size_t errlen);

/*
 * Finish: flush, check every write, sync, rename the temporary into place,
 * close. Returns 0, or -1 with "PATH: cannot write: why" in errbuf (the
 * temporary removed, the old file untouched). Frees of; NULL is a no-op.
 */
int outfile_commit(struct outfile *of, char *errbuf, size_t errlen);
/* Give up: a temporary is removed, the old file stays as it was. Frees of; NULL is a no-op. */
void outfile_abort(struct outfile *of);

/*
 * Would a and b be the same file? "-" is standard output (or input); an
 * existing path is compared by device and inode, one that does not exist
 * by its folder's device and inode and its name.
 */
bool outfile_same(const char *a, const char *b);

/*
 * Can path be an output at all (before anything is opened)? Refuses a
 * folder, a block device, a missing folder and, as root, a symbolic link.
 * Returns 0, or -1 with errbuf set.
 */
int outfile_check(const char *path, char *errbuf, size_t errlen);

#endif
