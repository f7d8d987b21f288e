/* config: the rules and site an audit runs with — finding the shipped rules, loading both */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

#ifndef FLOWAUDIT_SRCDIR
#define FLOWAUDIT_SRCDIR "."
#endif
#if defined(__has_include)
#if __has_include("flowaudit_paths.h")
#include "flowaudit_paths.h"
#endif
#endif
#ifndef FLOWAUDIT_PKGDATADIR
#define FLOWAUDIT_PKGDATADIR "/usr/local/share/flowaudit"
#endif

static bool is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* The folder the running executable is in, from /proc/self/exe. */
static bool exe_dir(char *out, size_t n)
{
	char buf[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (len <= 0)
		return false;
	buf[len] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	snprintf(out, n, "%s", buf);
	return true;
}

int config_default_rules(char *out, size_t n, char *errbuf, size_t errlen)
{
	const char *env = getenv("FLOWAUDIT_RULES_DIR");
	char dir[PATH_MAX], cand[PATH_MAX + 32];
	bool have_exe = exe_dir(dir, sizeof(dir));

	if (env && *env) {
		snprintf(out, n, "%s", env);
		return 0;
	}
	if (have_exe) {
		snprintf(cand, sizeof(cand), "%s/rules", dir);
		if (is_dir(cand)) {
			snprintf(out, n, "%s", cand);
			return 0;
		}
		snprintf(cand, sizeof(cand), "%s/Makefile", dir);
		if (exists(cand) && is_dir(FLOWAUDIT_SRCDIR "/rules")) {
			snprintf(out, n, "%s", FLOWAUDIT_SRCDIR "/rules");
			return 0;
		}
	}
	if (is_dir(FLOWAUDIT_PKGDATADIR "/rules")) {
		snprintf(out, n, "%s", FLOWAUDIT_PKGDATADIR "/rules");
		return 0;
	}
	snprintf(errbuf, errlen, "no shipped rules found (looked beside the program, in %s/rules and in %s/rules); "
		 "give --rules PATH", FLOWAUDIT_SRCDIR, FLOWAUDIT_PKGDATADIR);
	return -1;
}

/* A common matrix applies to a site that defines a source and a destination role of one of its rules. */
static bool common_applies(const struct rule_set *rs, const struct site *s, int m)
{
	const struct matrix *mx = &rs->matrices[m];
	int r;

	for (r = mx->first_rule; r < mx->first_rule + mx->nrules; r++)
		if (site_defines_any(s, rs->rules[r].from, rs->rules[r].nfrom) &&
		    site_defines_any(s, rs->rules[r].to, rs->rules[r].nto))
			return true;
	return false;
}

int config_load(const struct options *o, struct rule_set *rs, struct site **site, load_warn_fn warn,
		void *warn_ctx, struct load_error *err)
{
	char path[PATH_MAX];
	int i, added_from, added_to;

	memset(err, 0, sizeof(*err));
	*site = NULL;
	if (o->nrules == 0) {
		if (config_default_rules(path, sizeof(path), err->msg, sizeof(err->msg)) != 0)
			return -1;
		if (rules_load_path(rs, path, err) != 0)
			return -1;
		/* rules/common/: what every Windows-based site carries; the roles say where it applies */
		if (strlen(path) + sizeof("/common") <= sizeof(path)) {
			int from = rs->nmatrices, m;

			strcat(path, "/common");
			if (is_dir(path) && rules_load_path(rs, path, err) != 0)
				return -1;
			for (m = from; m < rs->nmatrices; m++)
				rs->matrices[m].common = true;
		}
	}
	for (i = 0; i < o->nrules; i++)
		if (rules_load_path(rs, o->rules[i], err) != 0)
			return -1;
	added_from = rs->nmatrices;
	for (i = 0; i < o->nadd_rules; i++)
		if (rules_load_path(rs, o->add_rules[i], err) != 0)
			return -1;
	added_to = rs->nmatrices;
	if (!o->site)
		return 0;
	*site = xcalloc(1, sizeof(**site));
	if (site_load(*site, o->site, rs, warn, warn_ctx, err) != 0) {
		free(*site);
		*site = NULL;
		return -1;
	}
	/* --add-rules matrices apply whatever the site's 'matrices:' list says: they were asked for by name */
	for (i = added_from; i < added_to; i++)
		(*site)->matrix_on[i] = true;
	/* the common ones apply where the site defines the roles of one of their rules, and nowhere else */
	for (i = 0; i < rs->nmatrices; i++)
		if (rs->matrices[i].common)
			(*site)->matrix_on[i] = common_applies(rs, *site, i);
	return 0;
}

/*
 * Registered service ports beyond 0-1023 that Zeek's analyzers claim as
 * likely server ports. The Citrix and Parallels RAS ports come from the
 * rules that are loaded, with the site's own.
 */
static const uint16_t zeek_tcp_ports[] = {
	1080, 1433, 1521, 1723, 1883, 2049, 2811, 3128, 3268, 3269, 3306, 3389, 4443, 5060, 5222, 5223,
	5269, 5432, 5900, 5985, 5986, 6379, 6666, 6667, 6668, 6669, 8000, 8008, 8080, 8082, 8083, 8443,
	8888, 9001, 9092, 20000,
};
/* The tunnels' ports too (GTP-C/U, Teredo, AYIYA, VXLAN, GENEVE), as Zeek's tunnel analyzers register them. */
static const uint16_t zeek_udp_ports[] = {
	1194, 1812, 1813, 2123, 2152, 3544, 4500, 4789, 5060, 5072, 5353, 5355, 6081, 20000,
};

void config_server_ports(const struct rule_set *rs, uint8_t out[2][PORTSET_BYTES])
{
	size_t i;
	int r;

	memset(out, 0, 2 * PORTSET_BYTES);
	for (i = 0; i < 1024; i++) {
		portset_add(out[0], (uint16_t)i);
		portset_add(out[1], (uint16_t)i);
	}
	for (i = 0; i < sizeof(zeek_tcp_ports) / sizeof(zeek_tcp_ports[0]); i++)
		portset_add(out[0], zeek_tcp_ports[i]);
	for (i = 0; i < sizeof(zeek_udp_ports) / sizeof(zeek_udp_ports[0]); i++)
		portset_add(out[1], zeek_udp_ports[i]);
	/*
	 * A rule's wide range (RPC's dynamic 49152-65535) is where clients'
	 * own ports fall too: it says nothing about which side serves.
	 */
	for (r = 0; rs && r < rs->nrules; r++) {
		const struct rule *ru = &rs->rules[r];
		int k;

		for (k = 0; k < ru->nports; k++) {
			unsigned p;

			if (ru->ports[k].hi - ru->ports[k].lo >= CONFIG_SERVER_RANGE_MAX)
				continue;
			for (p = ru->ports[k].lo; p <= ru->ports[k].hi; p++) {
				if (ru->protos & RULE_TCP)
					portset_add(out[0], (uint16_t)p);
				if (ru->protos & RULE_UDP)
					portset_add(out[1], (uint16_t)p);
			}
		}
	}
}
