/* outfile: opening the files flowaudit writes, never through a symbolic link when running as root */
#ifndef FLOWAUDIT_OUTFILE_H
#define FLOWAUDIT_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * path opened for writing: truncated, or (fresh) created new, failing when it
 * exists (for the temporaries beside a file that is replaced whole). As
 * root a symbolic link is refused: someone who can write the folder (/tmp)
 * could point it at a file root should not overwrite. NULL with one line
 * in errbuf on failure.
 */
FILE *outfile_open(const char *path, bool fresh, char *errbuf, size_t errlen);

#endif
