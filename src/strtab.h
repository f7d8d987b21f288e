/* strtab: interned byte strings and records, kept for the audit's lifetime, bounded in memory */
#ifndef FLOWAUDIT_STRTAB_H
#define FLOWAUDIT_STRTAB_H

#include <stddef.h>
#include <stdint.h>

/*
 * Wire evidence (a server name, a certificate's issuer) is the same for
 * thousands of flows and must outlive each of them: a finding keeps an
 * example flow by value, long after the flow left the table. So a flow
 * points into this table, which hands out one stable copy per distinct
 * value and frees nothing until strtab_free. Its size is capped: past the
 * cap, strtab_intern returns NULL and counts the miss.
 */
struct strtab;

struct strtab *strtab_new(size_t max_bytes);
/* A stable copy of len bytes at p (equal bytes: the same pointer), or NULL when full. */
const void *strtab_intern(struct strtab *st, const void *p, size_t len);
/* The same for a NUL-terminated string; NULL for NULL or "" too. */
const char *strtab_str(struct strtab *st, const char *s);
uint64_t strtab_misses(const struct strtab *st);	/* values not kept: the table was full */
size_t strtab_bytes(const struct strtab *st);
void strtab_free(struct strtab *st);

#endif
