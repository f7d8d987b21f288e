/* test_privdrop: -Z USER: groups, gid, uid, and no way back (each test runs in its own process) */
#include <criterion/criterion.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"

static char errbuf[256];

Test(privdrop, unknown_user_fails_naming_the_user)
{
	cr_assert_eq(privdrop_to("fa-no-such-user", errbuf, sizeof(errbuf)), -1);
	cr_assert_str_eq(errbuf, "cannot drop privileges to 'fa-no-such-user': no such user");
}

Test(privdrop, dropping_to_the_current_user_is_a_noop)
{
	struct passwd *pw = getpwuid(getuid());
	uid_t uid = getuid();
	gid_t gid = getgid();

	cr_assert_not_null(pw);
	if (getgid() != pw->pw_gid)
		cr_skip_test("the current gid is not the user's primary group");
	cr_assert_eq(privdrop_to(pw->pw_name, errbuf, sizeof(errbuf)), 0, "%s", errbuf);
	cr_assert_eq(getuid(), uid);
	cr_assert_eq(getgid(), gid);
}

Test(privdrop, root_to_nobody_changes_every_id_and_cannot_come_back)
{
	gid_t groups[64];
	struct passwd *pw;
	int n, i;

	if (getuid() != 0)
		cr_skip_test("needs root");
	pw = getpwnam("nobody");
	if (!pw)
		cr_skip_test("no user 'nobody' here");
	cr_assert_eq(privdrop_to("nobody", errbuf, sizeof(errbuf)), 0, "%s", errbuf);
	cr_assert_eq(getuid(), pw->pw_uid);
	cr_assert_eq(geteuid(), pw->pw_uid);
	cr_assert_eq(getgid(), pw->pw_gid);
	cr_assert_eq(getegid(), pw->pw_gid);
	cr_assert_eq(setuid(0), -1);
	cr_assert_eq(setgid(0), -1);
	n = getgroups(64, groups);
	cr_assert_geq(n, 0);
	for (i = 0; i < n; i++)
		cr_assert_neq(groups[i], 0, "root's group kept as a supplementary group");
}

Test(privdrop, an_unprivileged_process_cannot_switch_user)
{
	const char *target = "root";

	if (getuid() == 0) {
		if (!getpwnam("nobody"))
			cr_skip_test("no user 'nobody' here");
		cr_assert_eq(privdrop_to("nobody", errbuf, sizeof(errbuf)), 0, "%s", errbuf);
	}
	cr_assert_eq(privdrop_to(target, errbuf, sizeof(errbuf)), -1);
	cr_assert(strncmp(errbuf, "cannot drop privileges to 'root': ", 34) == 0, "%s", errbuf);
}
