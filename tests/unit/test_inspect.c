/* test_inspect: services from the first bytes, forged resets, and what classify_wire makes of them */
#include <criterion/criterion.h>
#include <string.h>

#include "classify.h"
#include "tracker.h"
#include "inspect.h"
#include "rules.h"
#include "site.h"

enum { MAX_DONE = 16 };

static struct flow done[MAX_DONE];
static int ndone;
static struct inspect *insp;

static void collect(struct flow *f, void *ctx)
{
	(void)ctx;
	inspect_release(f, insp);	/* as the audit does before judging a flow */
	cr_assert_lt(ndone, MAX_DONE);
	done[ndone++] = *f;
}

static struct tracker *table(void)
{
	struct flow_table_config cfg;
	struct inspect_config icfg;
	struct tracker_hooks hooks;
	struct tracker *ft;

	flow_table_config_defaults(&cfg);
	inspect_config_defaults(&icfg);
	ndone = 0;
	ft = tracker_new(&cfg, NULL, collect, NULL);
	insp = inspect_new(&icfg);
	inspect_tracker_hooks(insp, &hooks);
	tracker_set_hooks(ft, &hooks);
	return ft;
}

static void finish(struct tracker *ft)
{
	tracker_flush(ft);
	tracker_free(ft);
}

/* A TCP packet 198.18.3.<s>:sport -> 198.18.3.<d>:dport, with payload. */
static struct packet tcp(uint8_t s, uint16_t sport, uint8_t d, uint16_t dport, uint8_t flags, uint32_t seq,
			 uint32_t ack, double t, const void *data, uint32_t len)
{
	struct packet p;

	memset(&p, 0, sizeof(p));
	p.ts_us = (int64_t)(t * 1e6);
	p.t.family = 4;
	p.t.proto = PROTO_TCP;
	p.t.src[0] = 198, p.t.src[1] = 18, p.t.src[2] = 3, p.t.src[3] = s;
	p.t.dst[0] = 198, p.t.dst[1] = 18, p.t.dst[2] = 3, p.t.dst[3] = d;
	p.t.sport = sport;
	p.t.dport = dport;
	p.has_l4 = true;
	p.ip_len = 40 + len;
	p.ip_hdr_len = 20;
	p.ttl = s == 1 ? 64 : 63;
	p.tcp_flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.payload = data;
	p.payload_cap = len;
	p.l4_payload_len = len;
	return p;
}

static const char ica_banner[] = "\x7f\x7f" "ICA\0\x01\x02";
static const char ssh_banner[] = "SSH-2.0-OpenSSH_9.2\r\n";

/* A handshake, the server's first bytes, the client's answer, then a FIN exchange, on dport. */
static void session(struct tracker *ft, uint16_t dport, const void *first, uint32_t n, uint32_t server_seq_skip)
{
	struct packet p;

	p = tcp(1, 43001, 2, dport, TCP_SYN, 1000, 0, 1.0, NULL, 0);
	tracker_packet(ft, &p);
	p = tcp(2, dport, 1, 43001, TCP_SYN | TCP_ACK, 5000, 1001, 1.1, NULL, 0);
	tracker_packet(ft, &p);
	p = tcp(1, 43001, 2, dport, TCP_ACK, 1001, 5001, 1.2, NULL, 0);
	tracker_packet(ft, &p);
	p = tcp(2, dport, 1, 43001, TCP_ACK | TCP_PSH, 5001 + server_seq_skip, 1001, 1.3, first, n);
	tracker_packet(ft, &p);
	p = tcp(1, 43001, 2, dport, TCP_ACK | TCP_PSH, 1001, 5001 + n, 1.4, "hello", 5);
	tracker_packet(ft, &p);
	p = tcp(1, 43001, 2, dport, TCP_FIN | TCP_ACK, 1006, 5001 + n, 1.5, NULL, 0);
	tracker_packet(ft, &p);
	p = tcp(2, dport, 1, 43001, TCP_FIN | TCP_ACK, 5001 + n, 1007, 1.6, NULL, 0);
	tracker_packet(ft, &p);
}

Test(inspect, first_bytes_name_the_service)
{
	static const uint8_t dns[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 5,
				       'c', 'l', 'o', 'u', 'd', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
	static const uint8_t rdp[] = { 3, 0, 0, 19, 14, 0xe0, 0, 0, 0, 0, 0, 1, 0, 8, 0, 3, 0, 0, 0 };
	static const uint8_t smb[] = { 0, 0, 0, 0x40, 0xfe, 'S', 'M', 'B', 64, 0 };
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x00, 0x40, 0x01 };

	cr_assert_eq(inspect_sniff((const uint8_t *)ica_banner, 6, PROTO_TCP, false), SVC_ICA);
	cr_assert_eq(inspect_sniff((const uint8_t *)"\x1a" "CGP/01", 7, PROTO_TCP, true), SVC_CGP);
	cr_assert_eq(inspect_sniff((const uint8_t *)"GET / HTTP/1.1\r\n", 16, PROTO_TCP, true), SVC_HTTP);
	cr_assert_eq(inspect_sniff((const uint8_t *)"HTTP/1.1 200 OK\r\n", 17, PROTO_TCP, false), SVC_HTTP);
	cr_assert_eq(inspect_sniff((const uint8_t *)"HTTP/1.1 200 OK\r\n", 17, PROTO_TCP, true), SVC_NONE);
	cr_assert_eq(inspect_sniff((const uint8_t *)ssh_banner, 21, PROTO_TCP, false), SVC_SSH);
	cr_assert_eq(inspect_sniff(rdp, sizeof(rdp), PROTO_TCP, true), SVC_RDP);
	cr_assert_eq(inspect_sniff(smb, sizeof(smb), PROTO_TCP, true), SVC_SMB);
	cr_assert_eq(inspect_sniff(dns, sizeof(dns), PROTO_UDP, true), SVC_DNS);
	cr_assert_eq(inspect_sniff(dns, sizeof(dns) - 3, PROTO_UDP, true), SVC_NONE, "a question cut short");
	cr_assert_eq(inspect_sniff(tls, sizeof(tls), PROTO_TCP, true), SVC_SSL);
	cr_assert_eq(inspect_sniff((const uint8_t *)"\x7f\x7fIC", 4, PROTO_TCP, false), SVC_NONE);
	cr_assert_eq(inspect_sniff((const uint8_t *)"hello world", 11, PROTO_TCP, true), SVC_NONE);
	cr_assert_eq(inspect_sniff((const uint8_t *)"", 0, PROTO_TCP, true), SVC_NONE);
	cr_assert_str_eq(service_name(SVC_SSL), "ssl");
	cr_assert_eq(service_parse("cgp"), SVC_CGP);
	cr_assert_eq(service_parse("ftp"), -1);
}

Test(inspect, the_server_banner_on_1494_is_ica)
{
	struct tracker *ft = table();

	session(ft, 1494, ica_banner, 8, 0);
	finish(ft);
	cr_assert_eq(ndone, 1);
	cr_assert_eq(done[0].service, SVC_ICA);
	cr_assert(done[0].wire & WIRE_START1);
	cr_assert(done[0].wire & WIRE_START0);
	cr_assert_null(done[0].ib);
	cr_assert_eq(inspect_stats(insp)->by_service[SVC_ICA], 1);
	inspect_free(insp);
}

Test(inspect, a_stream_whose_start_was_not_seen_says_nothing)
{
	struct tracker *ft = table();

	session(ft, 1494, ssh_banner, 21, 1000);	/* the server's first 1000 bytes were not captured */
	finish(ft);
	cr_assert_eq(done[0].service, SVC_NONE);
	cr_assert_not(done[0].wire & WIRE_START1);
	inspect_free(insp);
}

/* Responder packets with TTL 63 and IP IDs 100, 101, ...; then a RST from it with ttl and id. */
static struct flow reset_flow(uint8_t ttl, uint16_t id)
{
	struct tracker *ft = table();
	struct packet p;
	uint16_t i;

	p = tcp(1, 43001, 2, 443, TCP_SYN, 1000, 0, 1.0, NULL, 0);
	tracker_packet(ft, &p);
	for (i = 0; i < 5; i++) {
		p = tcp(2, 443, 1, 43001, i ? TCP_ACK : TCP_SYN | TCP_ACK, i ? 5001 + 10u * (i - 1) : 5000, 1001,
			1.1 + i * 0.1, i ? "0123456789" : NULL, i ? 10 : 0);
		p.ip_id = (uint16_t)(100 + i);
		tracker_packet(ft, &p);
		p = tcp(1, 43001, 2, 443, TCP_ACK, 1001, 5001 + 10u * i, 1.15 + i * 0.1, NULL, 0);
		p.ip_id = (uint16_t)(7000 + i);
		tracker_packet(ft, &p);
	}
	p = tcp(2, 443, 1, 43001, TCP_RST, 5041, 0, 2.0, NULL, 0);
	p.ttl = ttl;
	p.ip_id = id;
	tracker_packet(ft, &p);
	finish(ft);
	inspect_free(insp);
	cr_assert_eq(ndone, 1);
	return done[0];
}

Test(inspect, a_reset_with_another_ttl_is_forged)
{
	struct flow f = reset_flow(64, 105);
	enum reason r;

	cr_assert(f.rst & FLOW_RST_TTL_ODD);
	cr_assert_not(f.rst & FLOW_RST_IPID_ODD);
	cr_assert(f.rst & FLOW_RST_FROM_RESP);
	cr_assert_eq(f.rst_ttl, 64);
	cr_assert_eq(f.first_ttl[1], 63);
	cr_assert_eq(classify_outcome(&f, &r), V_INTERRUPTED);
	cr_assert_eq(r, R_MIDDLEBOX_RESET);
}

Test(inspect, a_reset_breaking_the_ip_id_sequence_is_forged)
{
	struct flow f = reset_flow(63, 31337);
	enum reason r;

	cr_assert(f.rst & FLOW_RST_IPID_ODD);
	cr_assert_not(f.rst & FLOW_RST_TTL_ODD);
	cr_assert_eq(f.ip_id_last[1], 104, "the side's last identification before the RST is kept");
	cr_assert_eq(classify_outcome(&f, &r), V_INTERRUPTED);
	cr_assert_eq(r, R_MIDDLEBOX_RESET);
}

Test(inspect, the_endpoints_own_reset_is_not)
{
	struct flow f = reset_flow(63, 105);
	struct flow g = reset_flow(63, 0);	/* ID 0: Linux's RST outside a connection */
	enum reason r;

	cr_assert_eq(f.rst, FLOW_RST_SEEN | FLOW_RST_FROM_RESP);
	cr_assert_eq(classify_outcome(&f, &r), V_INTERRUPTED);
	cr_assert_eq(r, R_RESET_AFTER_ESTABLISHED);
	cr_assert_eq(g.rst, FLOW_RST_SEEN | FLOW_RST_FROM_RESP);
}

/* ---- classify_wire ---- */

static const char rules_yaml[] =
	"matrix: t\n"
	"rules:\n"
	"  - id: ica\n    category: ica-hdx\n    from: any\n    to: any\n    proto: tcp\n    ports: [1494]\n"
	"    expect_service: ica\n"
	"  - id: cgp\n    category: ica-hdx\n    from: any\n    to: any\n    proto: tcp\n    ports: [2598]\n"
	"    expect_service: [cgp]\n"
	"  - id: cloud\n    category: cloud\n    from: any\n    to: vda\n    proto: tcp\n    ports: [443]\n"
	"  - id: pinned\n    category: cloud\n    from: any\n    to: any\n    proto: tcp\n    ports: [8443]\n"
	"    expect_tls_issuer: [Corp Issuing CA]\n";

static struct rule_set rs;

static struct classification judge(const struct flow *f, const struct site *site)
{
	struct classifier *c = classify_new(&rs, site, 3000000);
	struct classification cls;

	classify_flow(c, f, f->last_us, &cls);
	classify_free(c);
	return cls;
}

static void load_rules(void)
{
	struct load_error err;

	rules_init(&rs);
	cr_assert_eq(rules_load_string(&rs, "t.yaml", rules_yaml, strlen(rules_yaml), &err), 0, "%s", err.msg);
}

/* A session on dport whose server speaks first with these bytes, classified in port-only mode. */
static struct classification judge_session(uint16_t dport, const char *first, uint32_t n)
{
	struct tracker *ft = table();
	struct classification c;

	session(ft, dport, first, n, 0);
	finish(ft);
	c = judge(&done[0], NULL);
	inspect_free(insp);
	return c;
}

Test(classify_wire, ica_rules_expect_the_banner, .init = load_rules)
{
	struct classification c;

	c = judge_session(1494, ica_banner, 8);
	cr_assert_eq(c.wire, 0, "ICA on 1494 is right");

	c = judge_session(1494, ssh_banner, 21);
	cr_assert_eq(c.wire, WF_WRONG_PROTOCOL);
	cr_assert_eq(c.wrong_why, WW_OTHER_SERVICE);

	c = judge_session(1494, "0123456789", 10);
	cr_assert_eq(c.wire, WF_WRONG_PROTOCOL);
	cr_assert_eq(c.wrong_why, WW_NO_ICA_BANNER);

	c = judge_session(1495, ica_banner, 8);
	cr_assert_eq(c.wire, WF_WRONG_PROTOCOL, "ICA where no rule expects it");
	cr_assert_eq(c.wrong_why, WW_OFF_MATRIX);

	c = judge_session(2598, "HTTP/1.1 200 OK\r\n", 17);
	cr_assert_eq(c.wire, WF_WRONG_PROTOCOL, "HTTP on the CGP port");
	rules_free(&rs);
}

/* A finished, answered TLS flow to port with this evidence. */
static struct flow tls_flow(uint16_t port, const struct tls_evidence *ev)
{
	struct tracker *ft = table();
	struct flow f;

	session(ft, port, "\x16\x03\x03\x00\x01\x02", 6, 0);
	finish(ft);
	inspect_free(insp);
	f = done[0];
	f.tls = ev;
	return f;
}

Test(classify_wire, tls_to_cloud_names_is_judged_by_its_issuer, .init = load_rules)
{
	struct tls_evidence zs = { .sni = "connector.cloud.com", .issuer = "CN=Zscaler Intermediate Root CA,O=Zscaler Inc.",
				   .subject = "CN=*.cloud.com", .version = 0x0303, .server_hello = true,
				   .cert_visible = true };
	struct tls_evidence dc = zs, corp = zs, other = zs, t13 = zs, pinned = zs;
	struct classification c;
	struct flow f;

	dc.issuer = "CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1,O=DigiCert Inc,C=US";
	corp.issuer = "CN=Corp Issuing CA,O=Example";
	other.sni = "intranet.example.org";
	t13.version = 0x0304;
	t13.cert_visible = false;
	t13.issuer = NULL;
	pinned.sni = NULL;

	f = tls_flow(443, &zs);
	c = judge(&f, NULL);
	cr_assert_eq(c.wire, WF_TLS_INTERCEPTED);
	cr_assert_eq(c.tls_why, WW_ISSUER_PRODUCT);
	cr_assert_str_eq(c.product, "Zscaler");

	f = tls_flow(443, &dc);
	c = judge(&f, NULL);
	cr_assert_eq(c.wire, 0, "a public CA");
	cr_assert(c.tls_watched);

	f = tls_flow(443, &corp);
	c = judge(&f, NULL);
	cr_assert_eq(c.wire, WF_TLS_INTERCEPTED);
	cr_assert_eq(c.tls_why, WW_ISSUER_UNEXPECTED);

	f = tls_flow(443, &other);
	c = judge(&f, NULL);
	cr_assert_eq(c.wire, 0, "not a watched name");
	cr_assert_not(c.tls_watched);

	f = tls_flow(443, &t13);
	c = judge(&f, NULL);
	cr_assert_eq(c.wire, 0, "TLS 1.3: nothing to judge");
	cr_assert(c.tls_watched);

	f = tls_flow(8443, &pinned);
	c = judge(&f, NULL);
	cr_assert_eq(c.wire, WF_TLS_INTERCEPTED, "expect_tls_issuer narrows the issuers to its own");
	pinned.issuer = corp.issuer;
	c = judge(&f, NULL);
	cr_assert_eq(c.wire, 0);
	rules_free(&rs);
}

Test(classify_wire, the_site_adds_names_and_issuers, .init = load_rules)
{
	static const char site_yaml[] = "site: s\nroles:\n  vda: 198.18.3.2\n"
					"tls:\n  server_names: ['*.example.org', exact.example.net]\n"
					"  issuers: [Corp Issuing CA]\n";
	struct tls_evidence corp = { .sni = "connector.cloud.com", .issuer = "CN=Corp Issuing CA,O=Example",
				     .version = 0x0303, .server_hello = true, .cert_visible = true };
	struct tls_evidence zs = corp;
	struct load_error err;
	struct classification c;
	struct site site;
	struct flow f;

	zs.sni = "a.b.example.org";
	zs.issuer = "CN=Netskope Inline CA";
	cr_assert_eq(site_load_string(&site, "s.yaml", site_yaml, strlen(site_yaml), &rs, NULL, NULL, &err), 0, "%s",
		     err.msg);
	f = tls_flow(443, &corp);
	c = judge(&f, &site);
	cr_assert_eq(c.wire, 0, "the site expects this issuer");
	f = tls_flow(443, &zs);
	c = judge(&f, &site);
	cr_assert_eq(c.wire, WF_TLS_INTERCEPTED, "the site watches *.example.org");
	cr_assert_str_eq(c.product, "Netskope");
	site_free(&site);
	rules_free(&rs);
}

Test(classify_wire, bad_tls_settings_are_named_with_their_place, .init = load_rules)
{
	static const char bad_site[] = "site: s\nroles:\n  vda: 198.18.3.2\ntls:\n  server_names: ['exa mple.com']\n";
	static const char bad_rule[] = "matrix: u\nrules:\n  - id: x\n    category: other\n    from: any\n    to: any\n"
				       "    proto: tcp\n    ports: [1]\n    expect_service: ica2\n";
	struct load_error err;
	struct site site;

	cr_assert_eq(site_load_string(&site, "s.yaml", bad_site, strlen(bad_site), &rs, NULL, NULL, &err), -1);
	cr_assert_eq(err.line, 5, "%s", err.msg);
	cr_assert(strstr(err.msg, "server name"), "%s", err.msg);
	cr_assert_eq(rules_load_string(&rs, "u.yaml", bad_rule, strlen(bad_rule), &err), -1);
	cr_assert_eq(err.line, 9);
	cr_assert(strstr(err.msg, "ica2"), "%s", err.msg);
	cr_assert(strstr(err.msg, "ica"), "%s", err.msg);
	rules_free(&rs);
}
