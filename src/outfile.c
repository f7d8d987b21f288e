/* outfile: opening the files flowaudit writes, never through a symbolic link when running as root */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

FILE *outfile_open(const char *path, bool fresh, char *errbuf, size_t errlen)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (fresh ? O_EXCL : O_TRUNC);
	bool root = geteuid() == 0;
	FILE *f;
	int fd;

	if (root)
		flags |= O_NOFOLLOW;
	fd = open(path, flags, 0644);
	if (fd < 0) {
		if (root && errno == ELOOP)
			snprintf(errbuf, errlen, "%s: a symbolic link; running as root, flowaudit does not write "
				 "through one (name the file itself)", path);
		else
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}
