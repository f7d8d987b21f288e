/* privdrop: become an unprivileged user once the capture is open (tcpdump's droproot) */
#ifndef FLOWAUDIT_PRIVDROP_H
#define FLOWAUDIT_PRIVDROP_H

#include <stddef.h>

/*
 * Switch the process to USER: its groups (initgroups), then its gid, then
 * its uid, and check the switch holds (all four ids changed, setuid(0)
 * fails). Returns 0, or -1 with errbuf naming the user and the step that
 * failed. Dropping to the user we already are is a no-op that succeeds.
 */
int privdrop_to(const char *user, char *errbuf, size_t errlen);

#endif
