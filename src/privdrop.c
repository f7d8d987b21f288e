/* privdrop: become an unprivileged user once the capture is open (tcpdump's droproot) */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Did the switch to uid/gid hold, with no way back to root? */
static const char *privdrop_check(uid_t uid, gid_t gid)
{
	if (getuid() != uid || geteuid() != uid)
		return "the user id did not change";
	if (getgid() != gid || getegid() != gid)
		return "the group id did not change";
	if (uid != 0 && setuid(0) == 0)
		return "root can still be regained";
	return NULL;
}

int privdrop_to(const char *user, char *errbuf, size_t errlen)
{
	const char *why;
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(errbuf, errlen, "cannot drop privileges to '%s': %s", user,
			 errno ? strerror(errno) : "no such user");
		return -1;
	}
	/* Already that user (started unprivileged with capture capabilities): nothing to drop. */
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid && getgid() == pw->pw_gid &&
	    getegid() == pw->pw_gid)
		return 0;
	/* Groups first: after setgid/setuid we may no longer change them. */
	if (initgroups(pw->pw_name, pw->pw_gid) != 0) {
		snprintf(errbuf, errlen, "cannot drop privileges to '%s': initgroups: %s", user, strerror(errno));
		return -1;
	}
	if (setgid(pw->pw_gid) != 0) {
		snprintf(errbuf, errlen, "cannot drop privileges to '%s': setgid(%lu): %s", user,
			 (unsigned long)pw->pw_gid, strerror(errno));
		return -1;
	}
	if (setuid(pw->pw_uid) != 0) {
		snprintf(errbuf, errlen, "cannot drop privileges to '%s': setuid(%lu): %s", user,
			 (unsigned long)pw->pw_uid, strerror(errno));
		return -1;
	}
	why = privdrop_check(pw->pw_uid, pw->pw_gid);
	if (why) {
		snprintf(errbuf, errlen, "cannot drop privileges to '%s': %s", user, why);
		return -1;
	}
	return 0;
}
