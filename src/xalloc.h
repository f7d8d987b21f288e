/* xalloc: allocation that exits on failure, for setup and table growth only */
#ifndef FLOWAUDIT_XALLOC_H
#define FLOWAUDIT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* "dir/name", with one '/' between them however dir ends, allocated. */
char *xpath_join(const char *dir, const char *name);

#endif
