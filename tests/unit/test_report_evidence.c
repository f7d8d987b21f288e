/*
 * test_report_evidence: --evidence in every report format. Findings made
 * from a few flows, and an evidence result written by hand (evidence.c is
 * not needed: the reports only read the result). Without --evidence no
 * format may show any of it: the text report is then exactly the one with
 * evidence minus its evidence lines.
 */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "classify.h"
#include "decode.h"
#include "evidence.h"
#include "findings.h"
#include "fixtures.h"
#include "flow_table.h"
#include "report.h"
#include "rules.h"
#include "site.h"
#include "summary.h"

static const char rules_yaml[] =
	"matrix: test\n"
	"title: Test matrix\n"
	"rules:\n"
	"  - id: ica\n"
	"    category: ica-hdx\n"
	"    from: workspace-app\n"
	"    to: vda\n"
	"    proto: tcp\n"
	"    ports: [1494]\n"
	"  - id: edt\n"
	"    category: edt\n"
	"    from: workspace-app\n"
	"    to: vda\n"
	"    proto: udp\n"
	"    ports: [1494]\n"
	"  - id: telnet\n"
	"    category: other\n"
	"    from: any\n"
	"    to: any\n"
	"    proto: tcp\n"
	"    ports: [23]\n"
	"    action: deny\n";

static const char site_yaml[] =
	"site: test\n"
	"roles:\n"
	"  workspace-app: 198.18.1.0/24\n"
	"  vda: 198.18.2.0/24\n"
	"scope: [198.18.0.0/15]\n"
	"accept:\n"
	"  - from: workspace-app\n"
	"    to: vda\n"
	"    proto: tcp\n"
	"    ports: [8443]\n"
	"    reason: a known exception\n";

static const int64_t t0 = 1800000000LL * 1000000;

static struct rule_set rs;
static struct site site;
static struct findings *fd;
static struct summary sum;
static struct capture_stats cs;
static struct flow_table_stats table;
static uint64_t decode[DECODE_ERROR_COUNT];
static struct report_input in;
static struct evidence_file files[32];
static struct evidence_result ev;
static int nlist;
static const struct finding *const *list;

static int rule_ix(const char *id)
{
	int r;

	for (r = 0; r < rs.nrules; r++)
		if (!strcmp(rs.rules[r].id, id))
			return r;
	cr_assert_fail("no rule %s", id);
	return -1;
}

/* A flow from client c to VDA d, as classify would have judged it. */
static void add_flow(uint8_t proto, int c, int d, uint16_t dport, enum verdict v, enum reason why, const char *rule)
{
	static int seq;
	struct flow f;
	struct classification cl;

	memset(&f, 0, sizeof(f));
	memset(&cl, 0, sizeof(cl));
	f.orig.family = 4;
	f.orig.proto = proto;
	f.orig.src[0] = f.orig.dst[0] = 198;
	f.orig.src[1] = f.orig.dst[1] = 18;
	f.orig.src[2] = 1;
	f.orig.src[3] = (uint8_t)c;
	f.orig.dst[2] = 2;
	f.orig.dst[3] = (uint8_t)d;
	f.orig.sport = (uint16_t)(40000 + seq);
	f.orig.dport = dport;
	f.first_us = t0 + 1000000LL * seq;
	f.last_us = f.first_us + 500000;
	f.uid_seq = (uint64_t)++seq;
	f.side[0].pkts = 3;
	f.side[1].pkts = v == V_OK ? 2 : 0;
	cl.verdict = v;
	cl.reason = why;
	cl.rule = rule ? rule_ix(rule) : -1;
	cl.orig_role = rules_role_index(&rs, "workspace-app", false);
	cl.resp_role = rules_role_index(&rs, "vda", false);
	cl.local_orig = cl.local_resp = 1;
	if (rule && rs.rules[cl.rule].action == ACTION_ALLOW)
		cl.matches[cl.nmatches++] = cl.rule;
	findings_add(fd, &f, &cl, NULL);
	summary_add_flow(&sum, &f);
}

static void setup(void)
{
	fixture_load(&rs, rules_yaml, &site, site_yaml);
	fd = findings_new(&rs, &site);
	summary_init(&sum);
	/* EDT blocked while ICA works (a blocked finding and the fallback told under it), telnet, an accepted port */
	add_flow(PROTO_UDP, 1, 1, 1494, V_BLOCKED, R_NO_REPLY, "edt");
	add_flow(PROTO_UDP, 1, 1, 1494, V_BLOCKED, R_NO_REPLY, "edt");
	add_flow(PROTO_TCP, 1, 1, 1494, V_OK, R_ANSWERED, "ica");
	add_flow(PROTO_TCP, 2, 2, 23, V_UNEXPECTED, R_ANSWERED, "telnet");
	add_flow(PROTO_TCP, 3, 3, 8443, V_UNEXPECTED, R_ANSWERED, NULL);
	add_flow(PROTO_TCP, 3, 4, 9999, V_UNEXPECTED, R_ANSWERED, NULL);
	findings_finish(fd, t0, t0 + 10000000);
	list = findings_list(fd, &nlist);
	/* blocked, fallback, two unexpected, one accepted: the totals below are worked out for these */
	cr_assert_eq(nlist, 5, "%d findings", nlist);

	memset(&cs, 0, sizeof(cs));
	cs.packets = 20;
	cs.first_us = t0;
	cs.last_us = t0 + 10000000;
	in = (struct report_input){ .mode = "offline", .capture = &cs, .decode = decode, .table = &table,
				    .summary = &sum, .rules = &rs, .site = &site, .findings = fd };
}

static void teardown(void)
{
	findings_free(fd);
	summary_free(&sum);
	site_free(&site);
	rules_free(&rs);
}

TestSuite(report_evidence, .init = setup, .fini = teardown);

/*
 * One entry per finding, in list order, but none for the last one. The
 * first has its flows and packets cut by the bounds, the second is one
 * that could not be written; the rest hold all their flows.
 */
static void make_evidence(const char *dir, bool buffered)
{
	int i;

	memset(files, 0, sizeof(files));
	for (i = 0; i < nlist - 1; i++) {
		struct evidence_file *f = &files[i];

		snprintf(f->id, sizeof(f->id), "%s", list[i]->id);
		snprintf(f->name, sizeof(f->name), "%s-%s-%u.pcapng", list[i]->id, findings_kind_name(list[i]->kind),
			 list[i]->port);
		f->flows = f->flows_total = list[i]->count;
		f->packets = 5 * list[i]->count;
		f->written = true;
	}
	files[0].flows = 20;
	files[0].flows_total = 57;
	files[0].packets = 4000;
	files[0].icmp_errors = 2;
	files[0].packets_cut = 31;
	files[1].written = false;
	ev = (struct evidence_result){ .dir = dir, .files = files, .nfiles = nlist - 1, .packets = 4321, .bytes = 98765,
				       .buffered = buffered };
	if (buffered) {
		ev.memory_cap = 64ULL << 20;
		ev.memory_peak = 3ULL << 19;	/* 1.5 MiB */
		ev.dropped_packets = 310;
		ev.dropped_flows = 4;
	}
	in.evidence = &ev;
}

typedef int (*writer)(FILE *, const struct report_input *);

static char *render(writer w)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	cr_assert_not_null(out);
	cr_assert_eq(w(out, &in), 0);
	cr_assert_eq(fclose(out), 0);
	return buf;
}

static int occurrences(const char *s, const char *what)
{
	int n = 0;

	for (s = strstr(s, what); s; s = strstr(s + 1, what))
		n++;
	return n;
}

/* The last "id F-..." before p: the finding a line under it belongs to. */
static const char *owner_id(const char *text, const char *p, char *id, size_t n)
{
	const char *q, *last = NULL;

	for (q = strstr(text, "id F-"); q && q < p; q = strstr(q + 1, "id F-"))
		last = q;
	cr_assert_not_null(last);
	snprintf(id, n, "%.*s", (int)strspn(last + 3, "F-0123456789abcdef"), last + 3);
	return id;
}

Test(report_evidence, text_names_each_findings_file_under_it)
{
	char *t, want[512], id[FINDING_ID_LEN + 4];
	int i;

	make_evidence("ev", false);
	t = render(report_text_write);
	for (i = 0; i < ev.nfiles; i++) {
		const char *p;

		if (!files[i].written)
			continue;
		snprintf(want, sizeof(want), "evidence %s (", files[i].name);
		p = strstr(t, want);
		cr_assert_not_null(p, "no line for %s in\n%s", files[i].name, t);
		cr_expect(p[-1] == ' ' && (p[-13] == '\n' || p[-15] == '\n'), "not indented as a finding's line:\n%s", t);
		cr_expect_str_eq(owner_id(t, p, id, sizeof(id)), files[i].id, "%s is under another finding:\n%s",
				 files[i].name, t);
	}
	snprintf(want, sizeof(want),
		 "\n            evidence %s (20 of 57 flows, 4000 packets, 2 of them ICMP errors, 31 packets over the "
		 "per-flow bound left out)\n", files[0].name);
	cr_expect_not_null(strstr(t, want), "want %s in\n%s", want, t);
	cr_expect_eq(occurrences(t, "evidence not written\n"), 1, "%s", t);
	cr_expect_eq(occurrences(t, ".pcapng ("), ev.nfiles - 1, "%s", t);
	snprintf(want, sizeof(want), "evidence %s", list[nlist - 1]->id);
	cr_expect_null(strstr(t, want), "the finding without an entry got a file:\n%s", t);
	free(t);
}

Test(report_evidence, text_counts_say_one_flow_and_one_packet)
{
	struct evidence_file f = { .flows = 1, .flows_total = 1, .packets = 1, .written = true };
	char c[256];

	report_evidence_counts(&f, c, sizeof(c));
	cr_expect_str_eq(c, "1 flow, 1 packet");
	f.icmp_errors = 1;
	f.packets = 3;
	f.packets_cut = 1;
	report_evidence_counts(&f, c, sizeof(c));
	cr_expect_str_eq(c, "1 flow, 3 packets, 1 of them an ICMP error, 1 packet over the per-flow bound left out");
	report_evidence_counts(&f, c, 8);
	cr_expect_str_eq(c, "1 flow,");
}

Test(report_evidence, text_has_an_evidence_section_before_the_words)
{
	char *t;
	const char *sec, *words;

	make_evidence("out/ev\x1b[31m", true);
	t = render(report_text_write);
	sec = strstr(t, "\nEVIDENCE\n");
	words = strstr(t, "\nWORDS\n");
	cr_assert_not_null(sec, "%s", t);
	cr_assert_not_null(words, "%s", t);
	cr_expect_lt(sec, words);
	cr_expect_not_null(strstr(sec, "\nEVIDENCE\n"
				  "3 files in out/ev\\x1b[31m (index.json lists them), 4321 packets, 98765 bytes\n"
				  "1 finding's file could not be written (the run's error line says why)\n"
				  "from live buffers: peak 1.5 MiB of the 64 MiB cap; 310 packets of 4 flows dropped by the cap\n"
				  "\nWORDS\n"),
			   "%s", sec);
	cr_expect_null(strchr(t, '\x1b'), "the directory's escape reached the terminal");
	free(t);
}

Test(report_evidence, text_buffers_line_leaves_out_drops_when_none)
{
	char line[256];

	make_evidence("ev", true);
	ev.dropped_packets = ev.dropped_flows = 0;
	ev.memory_peak = 1000;
	ev.memory_cap = 100ULL << 20;
	report_evidence_buffers(&ev, line, sizeof(line));
	cr_expect_str_eq(line, "peak <0.1 MiB of the 100 MiB cap");
	ev.buffered = false;
	report_evidence_buffers(&ev, line, sizeof(line));
	cr_expect_str_eq(line, "");
}

/* Without --evidence the text report is the one with it, less the evidence lines and section. */
Test(report_evidence, text_without_evidence_is_the_same_less_the_evidence)
{
	char *with, *without, *p, *keep;
	size_t n = 0;

	make_evidence("ev", true);
	with = render(report_text_write);
	in.evidence = NULL;
	without = render(report_text_write);
	cr_expect_null(strstr(without, "EVIDENCE"));
	cr_expect_null(strstr(without, ".pcapng"));
	cr_expect_null(strstr(without, "evidence not written"));
	keep = calloc(strlen(with) + 1, 1);
	cr_assert_not_null(keep);
	for (p = with; *p;) {
		size_t len = strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n');
		const char *text = p + strspn(p, " ");

		if (!strncmp(p, "\nEVIDENCE\n", 10)) {
			const char *blank = strstr(p + 1, "\n\n");	/* the blank line before WORDS */

			cr_assert_not_null(blank, "nothing after the evidence section:\n%s", p);
			p += blank + 1 - p;
			continue;
		}
		if (strncmp(text, "evidence ", 9)) {
			memcpy(keep + n, p, len);
			n += len;
		}
		p += len;
	}
	cr_expect_str_eq(keep, without);
	free(keep);
	free(with);
	free(without);
}

Test(report_evidence, json_has_each_findings_file_and_the_totals)
{
	char *j, want[512];
	int i;

	make_evidence("ev\"dir", true);
	j = render(report_json_write);
	snprintf(want, sizeof(want),
		 "\"evidence_file\":{\"file\":\"%s\",\"written\":true,\"flows\":20,\"flows_total\":57,\"packets\":4000,"
		 "\"icmp_errors\":2,\"packets_cut\":31}",
		 files[0].name);
	cr_expect_not_null(strstr(j, want), "want %s in\n%s", want, j);
	snprintf(want, sizeof(want), "\"evidence_file\":{\"file\":\"%s\",\"written\":false,", files[1].name);
	cr_expect_not_null(strstr(j, want), "want %s in\n%s", want, j);
	cr_expect_eq(occurrences(j, "\"evidence_file\":"), ev.nfiles, "the finding without an entry has one");
	/* each in its own finding's object: after its id, before the next finding's */
	for (i = 0; i < ev.nfiles; i++) {
		char id[64], file[160];
		const char *a, *b, *next;

		snprintf(id, sizeof(id), "{\"id\":\"%.*s\"", FINDING_ID_LEN, files[i].id);
		snprintf(file, sizeof(file), "\"file\":\"%s\"", files[i].name);
		a = strstr(j, id);
		b = strstr(j, file);
		cr_assert_not_null(a);
		cr_assert_not_null(b);
		next = strstr(a + 1, "{\"id\":\"F-");
		cr_expect(a < b && (!next || b < next), "%s not in its finding's object", files[i].name);
	}
	cr_expect_not_null(strstr(j, ",\"evidence\":{\"dir\":\"ev\\\"dir\",\"index\":\"index.json\",\"files\":3,"
				     "\"not_written\":1,\"packets\":4321,\"bytes\":98765,\"buffered\":true,"
				     "\"memory_cap\":67108864,\"memory_peak\":1572864,\"dropped_packets\":310,"
				     "\"dropped_flows\":4}}\n"),
			   "%s", j);
	free(j);
	make_evidence("ev", false);
	j = render(report_json_write);
	cr_expect_not_null(strstr(j, "\"buffered\":false}}\n"), "%s", j);
	cr_expect_null(strstr(j, "memory_cap"));
	free(j);
}

Test(report_evidence, json_without_evidence_has_none)
{
	char *j = render(report_json_write);

	cr_expect_null(strstr(j, "evidence_file"));
	cr_expect_null(strstr(j, "\"evidence\":{"));
	cr_expect_null(strstr(j, "index.json"));
	free(j);
}

Test(report_evidence, csv_has_an_evidence_column_last)
{
	char *c, *row, want[256];
	int i;

	make_evidence("ev", false);
	c = render(report_csv_write);
	cr_expect(!strncmp(c, "id,", 3) && strstr(c, ",note,evidence\r\n") && strstr(c, "\r\n") == strstr(c, ",note,evidence\r\n") + 14,
		  "header: %s", c);
	for (i = 0; i < nlist; i++) {
		char *end;

		snprintf(want, sizeof(want), "\r\n%s,", list[i]->id);
		row = strstr(c, want);
		cr_assert_not_null(row, "no row for %s", list[i]->id);
		end = strstr(row + 2, "\r\n");
		cr_assert_not_null(end);
		*end = '\0';
		if (i < ev.nfiles && files[i].written) {
			snprintf(want, sizeof(want), ",%s", files[i].name);
			cr_expect(end - row >= (long)strlen(want) && !strcmp(end - strlen(want), want), "row %s", row);
		} else {
			cr_expect_eq(end[-1], ',', "a finding with no file written has an empty last field: %s", row);
		}
		*end = '\r';
	}
	free(c);
}

Test(report_evidence, csv_without_evidence_or_as_a_matrix_has_no_column)
{
	char *c = render(report_csv_write);

	cr_expect(strstr(c, ",note\r\n") && !strstr(c, "evidence") && !strstr(c, ".pcapng"), "%s", c);
	free(c);
	make_evidence("ev", false);
	in.csv_matrix = true;
	c = render(report_csv_write);
	cr_expect(!strstr(c, "evidence") && !strstr(c, ".pcapng"), "%s", c);
	free(c);
}

Test(report_evidence, html_links_each_findings_file)
{
	char *h, want[512];
	int i;

	make_evidence("ev dir/&\"<x>", true);
	h = render(report_html_write);
	for (i = 0; i < ev.nfiles; i++) {
		if (!files[i].written)
			continue;
		snprintf(want, sizeof(want), "evidence <a class=\"ev\" href=\"ev%%20dir/%%26%%22%%3Cx%%3E/%s\">%s</a> (",
			 files[i].name, files[i].name);
		cr_expect_not_null(strstr(h, want), "want %s", want);
	}
	snprintf(want, sizeof(want), "%s</a> (20 of 57 flows, 4000 packets, 2 of them ICMP errors, 31 packets over "
		 "the per-flow bound left out)", files[0].name);
	cr_expect_not_null(strstr(h, want), "want %s", want);
	cr_expect_eq(occurrences(h, "<br>evidence not written"), 1);
	cr_expect_not_null(strstr(h, "<section id=\"evidence\"><h2>Evidence</h2><p>3 files in <span class=\"ev\">"
				     "ev dir/&amp;&quot;&lt;x&gt;</span> (<a href=\"ev%20dir/%26%22%3Cx%3E/index.json\">"
				     "index.json</a> lists them), 4321 packets, 98765 bytes</p>"),
			   "%s", strstr(h, "<section id=\"evidence\">"));
	cr_expect_not_null(strstr(h, "<p>From live buffers: peak 1.5 MiB of the 64 MiB cap; 310 packets of 4 flows "
				     "dropped by the cap.</p>"));
	cr_expect_lt(strstr(h, "<section id=\"evidence\">"), strstr(h, "<section id=\"glossary\">"));
	cr_expect_null(strstr(h, "<x>"), "the directory's markup reached the page");
	free(h);
}

/* A directory's runs of slashes are one in the link: "//host/x" would be another host. */
Test(report_evidence, html_link_has_no_double_slash)
{
	char *h, want[256];

	make_evidence("//srv//ev/", false);
	h = render(report_html_write);
	snprintf(want, sizeof(want), "href=\"/srv/ev/%s\"", files[0].name);
	cr_expect_not_null(strstr(h, want), "want %s", want);
	cr_expect_not_null(strstr(h, "href=\"/srv/ev/index.json\""));
	cr_expect_null(strstr(h, "href=\"//"));
	free(h);
	make_evidence("ev:x", false);
	h = render(report_html_write);
	cr_expect_not_null(strstr(h, "href=\"ev%3Ax/index.json\""), "a colon must not make a scheme");
	free(h);
}

Test(report_evidence, html_without_evidence_has_none)
{
	char *h = render(report_html_write);

	cr_expect_null(strstr(h, "id=\"evidence\""));
	cr_expect_null(strstr(h, ".pcapng"));
	cr_expect_null(strstr(h, "evidence not written"));
	cr_expect_null(strstr(h, "index.json"));
	free(h);
}

/* The entry at the finding's index is taken only when it is that finding's; else the list is searched. */
Test(report_evidence, lookup_takes_the_hint_only_when_it_is_right)
{
	make_evidence("ev", false);
	cr_expect_eq(report_evidence_file(&ev, 0, files[0].id), &files[0]);
	cr_expect_eq(report_evidence_file(&ev, 2, files[0].id), &files[0]);
	cr_expect_eq(report_evidence_file(&ev, -1, files[2].id), &files[2]);
	cr_expect_eq(report_evidence_file(&ev, 1000, files[2].id), &files[2]);
	cr_expect_null(report_evidence_file(&ev, nlist - 1, list[nlist - 1]->id));
	cr_expect_null(report_evidence_file(NULL, 0, files[0].id));
	cr_expect_eq(report_evidence_written(&ev), ev.nfiles - 1);
}

/* Entries in another order than the findings (the hint always wrong): every finding still finds its own. */
Test(report_evidence, entries_out_of_order_are_still_found)
{
	struct evidence_file rev[32];
	char *t, want[256], id[FINDING_ID_LEN + 4];
	int i;

	make_evidence("ev", false);
	for (i = 0; i < ev.nfiles; i++)
		rev[i] = files[ev.nfiles - 1 - i];
	ev.files = rev;
	t = render(report_text_write);
	for (i = 0; i < ev.nfiles; i++) {
		const char *p;

		if (!rev[i].written)
			continue;
		snprintf(want, sizeof(want), "evidence %s (", rev[i].name);
		p = strstr(t, want);
		cr_assert_not_null(p, "no line for %s", rev[i].name);
		cr_expect_str_eq(owner_id(t, p, id, sizeof(id)), rev[i].id);
	}
	free(t);
}
