/* classify_wire: what the payload evidence means — wrong-protocol, tls-intercepted */
#define _GNU_SOURCE	/* strcasestr */
#include "classify.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inspect.h"
#include "portset.h"
#include "xalloc.h"

/*
 * The Citrix Cloud service names that must not be inspected (CTX696422,
 * ../shared/seeds/001: "Citrix Cloud Service Addresses"), watched for a
 * substituted certificate. A site file adds its own under tls:
 * server_names.
 */
static const char *const cloud_names[] = {
	"*.cloud.com", "*.citrixworkspacesapi.net", "*.nssvc.net", "*.xendesktop.net",
	"*.blob.core.windows.net", "*.servicebus.windows.net",
};

/*
 * Issuers that name a TLS inspection product: the platforms CTX696422 lists
 * (Zscaler, Netskope, Cisco AnyConnect, Blue Coat, Palo Alto GlobalProtect,
 * Symantec ProxySG, Forcepoint) and other common ones. Matched as a
 * case-insensitive substring of the leaf's issuer or of its chain.
 */
static const char *const products[] = {
	"Zscaler", "Netskope", "Cisco Umbrella", "AnyConnect", "Blue Coat", "BlueCoat", "Palo Alto",
	"PAN-OS", "GlobalProtect", "ProxySG", "Symantec Web", "Forcepoint", "Websense", "Fortinet",
	"FortiGate", "Sophos", "Check Point", "Checkpoint", "McAfee Web Gateway", "Skyhigh", "Barracuda",
	"Menlo Security", "iboss", "Cloudflare Gateway", "Untangle", "WatchGuard", "SonicWall",
};

/*
 * Public certificate authorities whose intermediates sign the Citrix and
 * Azure service certificates, and the other large public CAs. Matched as a
 * case-insensitive substring of the leaf's issuer.
 */
static const char *const public_cas[] = {
	"DigiCert", "Microsoft", "Baltimore CyberTrust", "Let's Encrypt", "ISRG", "Sectigo", "COMODO",
	"USERTrust", "GlobalSign", "Entrust", "GoDaddy", "Go Daddy", "Starfield", "Amazon",
	"Google Trust Services", "O=Google", "IdenTrust", "Thawte", "GeoTrust", "RapidSSL", "QuoVadis",
	"Certum", "Buypass", "SSL.com", "Actalis", "HARICA", "SwissSign", "Telekom Security", "Certainly",
	"ZeroSSL", "Network Solutions", "Trustwave", "SECOM", "Izenpe",
};

struct wire_policy {
	const char **names;		/* watched server names: built in, then the site's */
	int nnames;
	const char *const *site_issuers;
	int nsite_issuers;
	uint8_t ica_ports[PORTSET_BYTES];	/* TCP ports some rule expects ICA on */
	uint8_t cgp_ports[PORTSET_BYTES];
};

struct wire_policy *classify_wire_new(const struct rule_set *rs, const struct site *site)
{
	struct wire_policy *wp = xcalloc(1, sizeof(*wp));
	size_t nb = sizeof(cloud_names) / sizeof(cloud_names[0]);
	int r, i;

	wp->nnames = (int)nb + (site ? site->ntls_names : 0);
	wp->names = xcalloc((size_t)wp->nnames, sizeof(*wp->names));
	for (i = 0; i < (int)nb; i++)
		wp->names[i] = cloud_names[i];
	for (; i < wp->nnames; i++)
		wp->names[i] = site->tls_names[i - (int)nb];
	if (site) {
		wp->site_issuers = (const char *const *)site->tls_issuers;
		wp->nsite_issuers = site->ntls_issuers;
	}
	for (r = 0; r < rs->nrules; r++) {
		const struct rule *ru = &rs->rules[r];

		if (!(ru->protos & RULE_TCP) || !(ru->expect_services & (1u << SVC_ICA | 1u << SVC_CGP)))
			continue;
		if (ru->expect_services & 1u << SVC_ICA)
			portset_add_rule(wp->ica_ports, ru);
		if (ru->expect_services & 1u << SVC_CGP)
			portset_add_rule(wp->cgp_ports, ru);
	}
	return wp;
}

void classify_wire_free(struct wire_policy *wp)
{
	if (!wp)
		return;
	free(wp->names);
	free(wp);
}

/* "*.example.com" matches every name under example.com (and example.com); anything else matches itself. */
static bool name_matches(const char *pattern, const char *name)
{
	size_t pl, nl = strlen(name);

	if (pattern[0] == '*' && pattern[1] == '.') {
		pattern += 2;
		pl = strlen(pattern);
		if (nl == pl)
			return strcasecmp(name, pattern) == 0;
		return nl > pl && name[nl - pl - 1] == '.' && strcasecmp(name + nl - pl, pattern) == 0;
	}
	return strcasecmp(pattern, name) == 0;
}

bool classify_wire_watched(const struct wire_policy *wp, const char *server_name)
{
	int i;

	if (!server_name)
		return false;
	for (i = 0; i < wp->nnames; i++)
		if (name_matches(wp->names[i], server_name))
			return true;
	return false;
}

static const char *find_any(const char *s, const char *const *words, int n)
{
	int i;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++)
		if (strcasestr(s, words[i]))
			return words[i];
	return NULL;
}

/* Which side speaks first decides which side's first bytes must show the service. */
static bool speaker_seen(const struct flow *f, int svc)
{
	switch (svc) {
	case SVC_ICA:
		return f->wire & WIRE_START1;		/* ICA: the server sends the banner */
	case SVC_SSH:
	case SVC_CGP:
		return f->wire & (WIRE_START0 | WIRE_START1);
	default:
		return f->wire & WIRE_START0;		/* the client opens */
	}
}

static bool service_on(int svc, uint8_t proto)
{
	if (svc == SVC_DTLS)
		return proto == PROTO_UDP;
	if (svc == SVC_DNS)
		return true;
	return proto == PROTO_TCP;
}

static void wrong_protocol(const struct wire_policy *wp, const struct rule *ru, const struct flow *f,
			   struct classification *cls)
{
	unsigned want = ru && ru->action == ACTION_ALLOW ? ru->expect_services : 0, svc;
	bool judged = false;

	for (svc = 1; svc < SVC_COUNT; svc++)
		if ((want & 1u << svc) && service_on((int)svc, f->orig.proto) && speaker_seen(f, (int)svc))
			judged = true;
	if (judged && !(want & 1u << f->service)) {
		cls->wire |= WF_WRONG_PROTOCOL;
		if (f->service != SVC_NONE)
			cls->wrong_why = WW_OTHER_SERVICE;
		else
			cls->wrong_why = want & 1u << SVC_ICA ? WW_NO_ICA_BANNER : WW_UNRECOGNISED;
		return;
	}
	if (f->orig.proto == PROTO_TCP && ((f->service == SVC_ICA && !portset_has(wp->ica_ports, f->orig.dport)) ||
					   (f->service == SVC_CGP && !portset_has(wp->cgp_ports, f->orig.dport)))) {
		cls->wire |= WF_WRONG_PROTOCOL;
		cls->wrong_why = WW_OFF_MATRIX;
	}
}

static void tls_intercepted(const struct wire_policy *wp, const struct rule *ru, const struct flow *f,
			    struct classification *cls)
{
	const struct tls_evidence *ev = f->tls;
	bool rule_issuers = ru && ru->ntls_issuers > 0;

	cls->tls_watched = rule_issuers || classify_wire_watched(wp, ev->sni);
	if (!cls->tls_watched || !ev->cert_visible || !ev->issuer)
		return;
	cls->product = find_any(ev->issuer, products, (int)(sizeof(products) / sizeof(products[0])));
	if (!cls->product)
		cls->product = find_any(ev->chain, products, (int)(sizeof(products) / sizeof(products[0])));
	if (cls->product) {
		cls->wire |= WF_TLS_INTERCEPTED;
		cls->tls_why = WW_ISSUER_PRODUCT;
		return;
	}
	if (find_any(ev->issuer, wp->site_issuers, wp->nsite_issuers))
		return;
	if (rule_issuers ? find_any(ev->issuer, (const char *const *)ru->tls_issuers, ru->ntls_issuers) != NULL
			 : find_any(ev->issuer, public_cas, (int)(sizeof(public_cas) / sizeof(public_cas[0]))) != NULL)
		return;
	cls->wire |= WF_TLS_INTERCEPTED;
	cls->tls_why = WW_ISSUER_UNEXPECTED;
}

void classify_wire(const struct wire_policy *wp, const struct rule_set *rs, const struct flow *f,
		   struct classification *cls)
{
	const struct rule *ru = cls->rule >= 0 ? &rs->rules[cls->rule] : NULL;

	if (f->orig.proto != PROTO_TCP && f->orig.proto != PROTO_UDP)
		return;
	wrong_protocol(wp, ru, f, cls);
	if (f->tls)
		tls_intercepted(wp, ru, f, cls);
}

static const char *const why_text[WW_COUNT] = {
	[WW_NONE] = "",
	[WW_NO_ICA_BANNER] = "the server's first bytes are not the ICA banner (7f 7f 'ICA' 00)",
	[WW_OTHER_SERVICE] = "the port's rule expects another protocol",
	[WW_UNRECOGNISED] = "the first bytes are not the protocol the port's rule expects",
	[WW_OFF_MATRIX] = "no loaded rule expects this protocol on this port",
	[WW_ISSUER_PRODUCT] = "the certificate's issuer names a TLS inspection product",
	[WW_ISSUER_UNEXPECTED] = "the certificate's issuer is not a public CA nor an expected issuer",
};

const char *classify_wire_why_text(enum wire_why w)
{
	return (unsigned)w < WW_COUNT ? why_text[w] : "";
}
