/* test_site_load: site files — roles to prefixes, longest match, scope, matrices, errors and warnings */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "site.h"

enum { MAX_WARN = 32 };

static struct rule_set rs;
static struct site site;
static struct load_error err;
static struct load_error warns[MAX_WARN];
static int nwarns;

static const char cvad[] =
	"matrix: citrix-cvad\n"
	"rules:\n"
	"  - {id: ica, category: ica-hdx, from: [workspace-app, gateway], to: vda, proto: tcp, ports: 1494}\n"
	"  - {id: broker, category: broker, from: vda, to: ddc, proto: tcp, ports: 80}\n"
	"  - {id: lic, category: licensing, from: [ddc, ddc], to: license-server, proto: tcp, ports: 27000}\n"
	"  - {id: ping, category: other, from: any, to: vda, proto: icmp}\n";
static const char backup[] =
	"matrix: backup\n"
	"rules:\n"
	"  - {id: ssh, category: other, from: backup-server, to: vda, proto: tcp, ports: 22}\n";

static void setup(void)
{
	rules_init(&rs);
	cr_assert_eq(rules_load_string(&rs, "cvad.yaml", cvad, strlen(cvad), &err), 0, "%s", err.msg);
	cr_assert_eq(rules_load_string(&rs, "backup.yaml", backup, strlen(backup), &err), 0, "%s", err.msg);
	memset(&site, 0, sizeof(site));
	memset(&err, 0, sizeof(err));
	nwarns = 0;
}

static void teardown(void)
{
	site_free(&site);
	rules_free(&rs);
}

TestSuite(site_load, .init = setup, .fini = teardown);

static void collect(void *ctx, const struct load_error *w)
{
	cr_assert_eq(ctx, &warns);
	cr_assert_lt(nwarns, MAX_WARN);
	warns[nwarns++] = *w;
}

static int load(const char *text)
{
	return site_load_string(&site, "site.yaml", text, strlen(text), &rs, collect, &warns, &err);
}

/* The load fails at line:column with every word given in the message; no warnings, nothing kept. */
static void expect_error(const char *text, int line, int column, ...)
{
	const char *word;
	va_list ap;

	cr_assert_eq(load(text), -1, "loaded:\n%s", text);
	cr_expect_str_eq(err.file, "site.yaml");
	cr_expect_eq(err.line, line, "line %d, want %d: %s", err.line, line, err.msg);
	cr_expect_eq(err.column, column, "column %d, want %d: %s", err.column, column, err.msg);
	va_start(ap, column);
	while ((word = va_arg(ap, const char *)) != NULL)
		cr_expect(strstr(err.msg, word), "'%s' not in: %s", word, err.msg);
	va_end(ap);
	cr_expect_eq(nwarns, 0, "no warnings from a failed load");
	cr_expect_null(site.name);
	cr_expect_null(site.roles_lpm);
	cr_expect_eq(site.nprefixes, 0);
}

static int role(const char *name)
{
	return rules_role_index(&rs, name, false);
}

static int role_of(const char *text)
{
	uint8_t a[16] = { 0 };

	if (inet_pton(AF_INET, text, a) == 1)
		return site_role_of(&site, 4, a);
	cr_assert_eq(inet_pton(AF_INET6, text, a), 1, "%s", text);
	return site_role_of(&site, 6, a);
}

static bool in_scope(const char *text)
{
	uint8_t a[16] = { 0 };

	if (inet_pton(AF_INET, text, a) == 1)
		return site_in_scope(&site, 4, a);
	cr_assert_eq(inet_pton(AF_INET6, text, a), 1, "%s", text);
	return site_in_scope(&site, 6, a);
}

static bool warned(const char *words)
{
	int i;

	for (i = 0; i < nwarns; i++)
		if (strstr(warns[i].msg, words))
			return true;
	return false;
}

static const char contract_site[] =
	"site: hq\n"
	"roles:\n"
	"  vda: [198.18.10.0/24]\n"
	"  ddc: [198.18.0.10, 198.18.0.11]\n"
	"  license-server: 198.18.0.20\n"
	"  workspace-app: [198.19.0.0/16]\n"
	"  gateway: [2001:db8:1::/48, 2001:db8:1:2::7]\n"
	"scope: [198.18.0.0/15, '2001:db8::/32']\n"
	"matrices: [citrix-cvad]\n";

Test(site_load, loads_the_contract_example)
{
	const struct site_prefix *p;

	cr_assert_eq(load(contract_site), 0, "%d:%d %s", err.line, err.column, err.msg);
	cr_expect_str_eq(site.name, "hq");
	cr_expect_str_eq(site.file, "site.yaml");
	cr_assert_eq(site.nprefixes, 7);
	p = &site.prefixes[0];
	cr_expect(p->family == 4 && p->len == 24 && p->role == role("vda") && p->line == 3 && p->column == 9);
	cr_expect(p->addr[0] == 198 && p->addr[1] == 18 && p->addr[2] == 10 && p->addr[3] == 0);
	p = &site.prefixes[2];
	cr_expect(p->family == 4 && p->len == 32 && p->role == role("ddc") && p->line == 4 && p->column == 22);
	p = &site.prefixes[3];
	cr_expect(p->len == 32 && p->role == role("license-server") && p->line == 5 && p->column == 19);
	p = &site.prefixes[5];
	cr_expect(p->family == 6 && p->len == 48 && p->role == role("gateway"));
	cr_expect(site.prefixes[6].family == 6 && site.prefixes[6].len == 128);
	cr_assert_eq(site.nscope, 2);
	cr_expect(site.scope[0].len == 15 && site.scope[0].role == ROLE_NONE && site.scope[0].line == 8);
	cr_expect(site.scope[1].family == 6 && site.scope[1].len == 32);
	cr_expect(site.matrix_on[rules_matrix_index(&rs, "citrix-cvad")]);
	cr_expect_not(site.matrix_on[rules_matrix_index(&rs, "backup")]);

	cr_expect_eq(role_of("198.18.10.77"), role("vda"));
	cr_expect_eq(role_of("198.18.0.11"), role("ddc"));
	cr_expect_eq(role_of("198.18.0.12"), ROLE_NONE);
	cr_expect_eq(role_of("198.19.200.1"), role("workspace-app"));
	cr_expect_eq(role_of("2001:db8:1:ffff::1"), role("gateway"));
	cr_expect_eq(role_of("2001:db8:2::1"), ROLE_NONE);
	cr_expect(in_scope("198.19.255.255"));
	cr_expect(in_scope("2001:db8:ff::1"));
	cr_expect_not(in_scope("198.20.0.1"));
	cr_expect_not(in_scope("10.0.0.1"));
	cr_expect_eq(nwarns, 0, "first: %s", nwarns ? warns[0].msg : "");
}

Test(site_load, longest_prefix_wins)
{
	cr_assert_eq(load("site: s\nroles:\n  vda: [198.18.0.0/16, '2001:db8::/32']\n"
			  "  ddc: [198.18.0.10, 198.18.1.0/24, '2001:db8:0:1::/64']\n"
			  "  license-server: 198.18.1.128/25\n"),
		     0, "%s", err.msg);
	cr_expect_eq(role_of("198.18.0.10"), role("ddc"));
	cr_expect_eq(role_of("198.18.0.11"), role("vda"));
	cr_expect_eq(role_of("198.18.1.1"), role("ddc"));
	cr_expect_eq(role_of("198.18.1.129"), role("license-server"));
	cr_expect_eq(role_of("2001:db8:0:1::5"), role("ddc"));
	cr_expect_eq(role_of("2001:db8:0:2::5"), role("vda"));
	cr_expect_eq(role_of("203.0.113.1"), ROLE_NONE);
}

Test(site_load, defaults_to_every_matrix_and_no_scope)
{
	cr_assert_eq(load("site: s\nroles:\n  vda: 198.18.10.0/24\n  backup-server: 198.18.0.5\n"), 0, "%s", err.msg);
	cr_expect(site.matrix_on[0] && site.matrix_on[1]);
	cr_expect_eq(site.nscope, 0);
	cr_expect_not(in_scope("198.18.10.1"));
	cr_expect_not(warned("backup-server"), "backup-server is used by the backup matrix");
}

Test(site_load, accepts_a_single_scope_and_a_role_listing_a_prefix_twice)
{
	cr_assert_eq(load("site: s\nroles:\n  vda: [198.18.10.0/24, 198.18.10.0/24]\nscope: 0.0.0.0/0\n"), 0, "%s",
		     err.msg);
	cr_expect_eq(site.nprefixes, 1);
	cr_expect(in_scope("8.8.8.8"));
	cr_expect_not(in_scope("2001:db8::1"));
}

Test(site_load, rejects_host_bits_suggesting_the_network)
{
	expect_error("site: s\nroles:\n  vda: [198.18.10.0/25, 198.18.10.1/24]\n", 3, 25,
		     "198.18.10.1/24 has host bits set; did you mean 198.18.10.0/24?", NULL);
	expect_error("site: s\nroles:\n  vda: 2001:db8::1/48\n", 3, 8,
		     "2001:db8::1/48 has host bits set; did you mean 2001:db8::/48?", NULL);
	expect_error("site: s\nroles:\n  vda: 198.18.0.0/16\nscope: [10.1.2.3/8]\n", 4, 9,
		     "10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?", NULL);
}

Test(site_load, rejects_the_same_prefix_for_two_roles_naming_both_lines)
{
	expect_error("site: s\nroles:\n  ddc: [198.18.0.10]\n  vda:\n    - 198.18.10.0/24\n    - 198.18.0.10/32\n", 6,
		     7, "198.18.0.10/32 is given to two roles: 'ddc' (line 3) and 'vda' (line 6)", NULL);
}

Test(site_load, rejects_unknown_role_suggesting_the_closest)
{
	expect_error("site: s\nroles:\n  vda: 198.18.10.0/24\n  vdaa: 198.18.11.0/24\n", 4, 3,
		     "unknown role 'vdaa' (known roles: backup-server, ddc, gateway, license-server, vda, "
		     "workspace-app)",
		     "did you mean 'vda'?", NULL);
}

Test(site_load, rejects_unknown_role_without_a_far_suggestion)
{
	expect_error("site: s\nroles:\n  printer: 198.18.11.0/24\n", 3, 3, "unknown role 'printer' (known roles:",
		     NULL);
	cr_expect_null(strstr(err.msg, "did you mean"), "%s", err.msg);
}

Test(site_load, rejects_role_any)
{
	expect_error("site: s\nroles:\n  any: 0.0.0.0/0\n", 3, 3, "role 'any' is reserved", NULL);
}

Test(site_load, rejects_bad_addresses_and_lengths)
{
	expect_error("site: s\nroles:\n  vda: 198.18.10.300\n", 3, 8,
		     "'198.18.10.300' is not an IPv4 or IPv6 address or prefix", NULL);
	expect_error("site: s\nroles:\n  vda: [vda.example.com]\n", 3, 9, "is not an IPv4 or IPv6 address", NULL);
	expect_error("site: s\nroles:\n  vda: 198.18.10.0/33\n", 3, 8,
		     "prefix length in '198.18.10.0/33' must be 0-32 for IPv4", NULL);
	expect_error("site: s\nroles:\n  vda: 2001:db8::/129\n", 3, 8, "must be 0-128 for IPv6", NULL);
	expect_error("site: s\nroles:\n  vda: 198.18.10.0/\n", 3, 8, "prefix length", NULL);
	expect_error("site: s\nroles:\n  vda: 198.18.10.0/2x\n", 3, 8, "prefix length", NULL);
	expect_error("site: s\nroles:\n  vda: 198.18.10.0/0024\n", 3, 8, "prefix length", NULL);
}

Test(site_load, rejects_wrong_shapes)
{
	expect_error("site: s\nroles:\n  vda: {a: 1}\n", 3, 8,
		     "role 'vda' must be an address, a prefix or a sequence of them, got a mapping", NULL);
	expect_error("site: s\nroles:\n  vda: []\n", 3, 8, "role 'vda' lists no addresses", NULL);
	expect_error("site: s\nroles:\n  vda:\n", 3, 7, "role 'vda' lists no addresses", NULL);
	expect_error("site: s\nroles:\n  vda: [[1.2.3.4]]\n", 3, 9,
		     "role 'vda' entries must be addresses or prefixes, got a sequence", NULL);
	expect_error("site: s\nroles: [vda]\n", 2, 8,
		     "'roles' must be a mapping of role names to addresses, got a sequence", NULL);
	expect_error("site: s\nroles: {}\n", 2, 8, "'roles' is empty", NULL);
	expect_error("site: s\nroles:\n  vda: 198.18.10.0/24\nscope: {a: b}\n", 4, 8, "'scope' must be", NULL);
}

Test(site_load, rejects_missing_and_unknown_keys)
{
	expect_error("roles:\n  vda: 198.18.10.0/24\n", 1, 1, "missing required key 'site'", NULL);
	expect_error("site: s\n", 1, 1, "missing required key 'roles'", NULL);
	expect_error("site: s\nrole:\n  vda: 198.18.10.0/24\n", 2, 1, "unknown key 'role'",
		     "allowed: site, roles, scope, matrices", "did you mean 'roles'?", NULL);
	expect_error("", 0, 0, "the file is empty", NULL);
	expect_error("[a]\n", 1, 1, "a site file must be a mapping", NULL);
}

Test(site_load, rejects_unknown_matrix_suggesting_the_closest)
{
	expect_error("site: s\nroles:\n  vda: 198.18.10.0/24\nmatrices: [citrix-cvad, citrix-cvda]\n", 4, 25,
		     "unknown matrix 'citrix-cvda' (allowed: citrix-cvad, backup)", "did you mean 'citrix-cvad'?",
		     NULL);
	expect_error("site: s\nroles:\n  vda: 198.18.10.0/24\nmatrices: {a: b}\n", 4, 11,
		     "'matrices' must be a sequence of matrix names, got a mapping", NULL);
}

Test(site_load, rejects_hostile_yaml)
{
	expect_error("site: &a s\nroles:\n  vda: 198.18.10.0/24\n", 1, 7, "aliases are not supported", NULL);
	expect_error("site: s\nsite: t\n", 2, 1, "duplicate key 'site'", NULL);
	expect_error("site: s\xff\n", 1, 8, "invalid leading UTF-8 octet", NULL);
}

Test(site_load, warns_about_a_role_no_selected_rule_uses)
{
	cr_assert_eq(load("site: s\nroles:\n  vda: 198.18.10.0/24\n  backup-server: 198.18.0.5\n"
			  "  ddc: 198.18.0.10\n  license-server: 198.18.0.20\n  workspace-app: 198.19.0.0/16\n"
			  "  gateway: 198.18.0.1\nmatrices: [citrix-cvad]\n"),
		     0, "%s", err.msg);
	cr_assert_eq(nwarns, 1, "first: %s", nwarns ? warns[0].msg : "");
	cr_expect_str_eq(warns[0].file, "site.yaml");
	cr_expect_eq(warns[0].line, 4);
	cr_expect_eq(warns[0].column, 3);
	cr_expect_str_eq(warns[0].msg, "role 'backup-server' is not used by any rule of the selected matrices");
}

Test(site_load, warns_once_about_a_rule_the_site_gives_no_source_or_no_destination)
{
	cr_assert_eq(load("site: s\nroles:\n  vda: 198.18.10.0/24\n  workspace-app: 198.19.0.0/16\n"
			  "matrices: [citrix-cvad]\n"),
		     0, "%s", err.msg);
	cr_expect_not(warned("citrix-cvad/ica"), "ica still matches through workspace-app");
	cr_expect(warned("rule citrix-cvad/broker cannot match: the site defines none of its 'to' roles (ddc)"));
	cr_expect(warned("rule citrix-cvad/lic cannot match: the site defines none of its 'from' roles (ddc)"));
	cr_expect_not(warned("backup"), "the backup matrix is not selected");
	cr_expect_not(warned("ping"), "'any' matches every address");
	cr_assert_eq(nwarns, 2, "one warning per rule");
	cr_expect_eq(warns[0].kind, LOAD_WARN_RULE_UNMATCHABLE);
	cr_expect_str_eq(warns[0].file, "cvad.yaml");
	cr_expect_eq(warns[0].line, 4);
	cr_expect_eq(warns[0].column, 5);
}

Test(site_load, loads_without_a_warning_callback)
{
	cr_assert_eq(site_load_string(&site, "s.yaml", "site: s\nroles:\n  vda: 198.18.10.0/24\n", 37, &rs, NULL, NULL,
				      &err),
		     0, "%s", err.msg);
	cr_expect_eq(role_of("198.18.10.1"), role("vda"));
}

Test(site_load, loads_a_file_and_reports_a_missing_one)
{
	char path[] = "site-test-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fputs(contract_site, f);
	fclose(f);
	cr_expect_eq(site_load(&site, path, &rs, collect, &warns, &err), 0, "%s", err.msg);
	cr_expect_str_eq(site.file, path);
	cr_expect_eq(role_of("198.18.0.20"), role("license-server"));
	unlink(path);
	site_free(&site);
	cr_expect_eq(site_load(&site, "no-such-site.yaml", &rs, collect, &warns, &err), -1);
	cr_expect_str_eq(err.file, "no-such-site.yaml");
	cr_expect(strstr(err.msg, "No such file"), "%s", err.msg);
}

/* ---- hostile files: one line with a position, bounded work, nothing half-loaded -------------------------- */

/* site_load(path) fails at line:column with every word given; err.file is the path. */
static void expect_file_error(const char *path, int line, int column, ...)
{
	const char *word;
	va_list ap;

	cr_assert_eq(site_load(&site, path, &rs, collect, &warns, &err), -1, "%s loaded", path);
	cr_expect_str_eq(err.file, path);
	cr_expect_eq(err.line, line, "line %d, want %d: %s", err.line, line, err.msg);
	cr_expect_eq(err.column, column, "column %d, want %d: %s", err.column, column, err.msg);
	va_start(ap, column);
	while ((word = va_arg(ap, const char *)) != NULL)
		cr_expect(strstr(err.msg, word), "'%s' not in: %s", word, err.msg);
	va_end(ap);
	cr_expect_null(site.name);
	cr_expect_eq(nwarns, 0);
}

static void write_site(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(text, 1, n, f), n);
	fclose(f);
}

/* A FIFO would block open() and read(); /dev/zero never ends; a folder is no file: each refused at once. */
Test(site_load, a_fifo_a_device_or_a_folder_is_refused_without_reading, .timeout = 60)
{
	char dir[] = "site-test-XXXXXX", path[64];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/site.yaml", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	expect_file_error(path, 0, 0, "is a FIFO, not a regular file", NULL);
	unlink(path);
	expect_file_error("/dev/zero", 0, 0, "is a character device, not a regular file", NULL);
	expect_file_error(dir, 0, 0, "is a folder, not a regular file", NULL);
	rmdir(dir);
}

/* 100 MB, sparse: refused by fstat's size before a byte is read; the exact size shows it. */
Test(site_load, a_100_megabyte_file_is_refused_by_its_size)
{
	char path[] = "site-test-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, contract_site, strlen(contract_site)), (ssize_t)strlen(contract_site));
	cr_assert_eq(ftruncate(fd, 100 << 20), 0);
	close(fd);
	expect_file_error(path, 0, 0, "file is 104857600 bytes, more than the limit of 16 MiB", NULL);
	unlink(path);
}

/* Billion laughs, 10^6 levels, a huge scalar, bytes that are not UTF-8, NUL, a duplicate key: as files. */
Test(site_load, hostile_yaml_files_fail_at_their_first_offending_byte)
{
	static const char lol[] = "site: s\nroles:\n  vda: &a [198.18.10.1, 198.18.10.2]\n  ddc: [*a, *a, *a]\n";
	static const char latin1[] = "site: Z\xfcrich\nroles:\n  vda: 198.18.10.0/24\n";
	static const char nul[] = "site: s\nroles:\n  vda: 198.18.10.0/24\0\n";
	static const char dup[] = "site: s\nroles:\n  vda: 198.18.10.0/24\n  ddc: 198.18.0.10\n  vda: 198.18.11.0/24\n";
	size_t depth = 1000000, big = 1 << 20;
	char path[] = "site-test-XXXXXX", *text = malloc(2 * depth + 16);
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	write_site(path, lol, sizeof(lol) - 1);
	expect_file_error(path, 3, 8, "anchors and aliases are not supported: '&a'", NULL);
	strcpy(text, "site: s\nroles: ");
	memset(text + 15, '[', depth);
	write_site(path, text, 15 + depth);
	expect_file_error(path, 2, 39, "nesting deeper than 32 levels", NULL);
	strcpy(text, "site: ");
	memset(text + 6, 'x', big);
	strcpy(text + 6 + big, "\nroles: {vda: 198.18.10.0/24}\n");
	write_site(path, text, strlen(text));
	expect_file_error(path, 1, 7, "scalar longer than 65536 bytes (1048576)", NULL);
	write_site(path, latin1, sizeof(latin1) - 1);
	expect_file_error(path, 1, 8, "invalid leading UTF-8 octet", "0xFC", NULL);
	write_site(path, nul, sizeof(nul) - 1);
	expect_file_error(path, 3, 22, "control characters are not allowed", NULL);
	write_site(path, dup, sizeof(dup) - 1);
	expect_file_error(path, 5, 3, "duplicate key 'vda' (first at line 3, column 3)", NULL);
	unlink(path);
	free(text);
}

/* The site name is printed in every report: a control character in it is refused, and messages stay escaped. */
Test(site_load, control_characters_are_refused_and_never_reach_a_message_raw)
{
	expect_error("site: \"hq\\e[2J\"\nroles:\n  vda: 198.18.10.0/24\n", 1, 7,
		     "'site' holds the control character U+001B", NULL);
	expect_error("site: \"two\\nlines\"\nroles:\n  vda: 198.18.10.0/24\n", 1, 7,
		     "'site' holds the control character U+000A", NULL);
	expect_error("site: s\nroles:\n  \"vda\\e[31m\": 198.18.10.0/24\n", 3, 3, "unknown role 'vda\\x1b[31m'",
		     NULL);
	cr_expect_null(strchr(err.msg, '\033'), "raw ESC in: %s", err.msg);
	expect_error("site: s\nroles:\n  vda: \"198.18.10.1\\e[2J\"\n", 3, 8,
		     "'198.18.10.1\\x1b[2J' is not an IPv4 or IPv6 address", NULL);
	cr_expect_null(strchr(err.msg, '\033'), "raw ESC in: %s", err.msg);
	/* UTF-8 that is not a control character is a fine name. */
	cr_assert_eq(load("site: \"Z\xc3\xbcrich \xe2\x80\x93 HQ\"\nroles:\n  vda: 198.18.10.0/24\n"), 0, "%s",
		     err.msg);
	cr_expect_str_eq(site.name, "Z\xc3\xbcrich \xe2\x80\x93 HQ");
}

/* A warning names the rule file: a control character in its path is escaped there too. */
Test(site_load, a_warning_escapes_the_file_name)
{
	static const char evil[] =
		"matrix: e\nrules:\n  - {id: r, category: other, from: nobody, to: vda, proto: tcp, ports: 9}\n";
	int i;

	cr_assert_eq(rules_load_string(&rs, "evil\033[2J.yaml", evil, strlen(evil), &err), 0, "%s", err.msg);
	cr_assert_eq(load("site: s\nroles:\n  vda: 198.18.10.0/24\n"), 0, "%s", err.msg);
	for (i = 0; i < nwarns && !strstr(warns[i].msg, "rule e/r cannot match"); i++)
		;
	cr_assert_lt(i, nwarns, "no warning about e/r");
	cr_expect_str_eq(warns[i].file, "evil\\x1b[2J.yaml");
	cr_expect_eq(warns[i].line, 3);
	cr_expect_eq(warns[i].column, 5);
}

/* Truncations and mutations of a valid site: errors, never a crash or a leak. */
Test(site_load, survives_truncation_and_mutation)
{
	size_t len = strlen(contract_site), i;
	char buf[sizeof(contract_site)];
	unsigned seed = 7;
	int k;

	for (i = 0; i < len; i++) {
		if (site_load_string(&site, "cut.yaml", contract_site, i, &rs, collect, &warns, &err) == 0)
			site_free(&site);
		nwarns = 0;
	}
	for (k = 0; k < 3000; k++) {
		memcpy(buf, contract_site, len);
		seed = seed * 1103515245u + 12345u;
		buf[(seed >> 8) % len] = "0123456789abcdef:./[]{}-,\n "[(seed >> 20) % 27];
		if (site_load_string(&site, "mut.yaml", buf, len, &rs, collect, &warns, &err) == 0)
			site_free(&site);
		nwarns = 0;
	}
}
