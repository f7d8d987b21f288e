/* report: the audit for people (text, HTML) and programs (JSON) */
#ifndef FLOWAUDIT_REPORT_H
#define FLOWAUDIT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "verdict.h"

#include "capture.h"
#include "decode.h"
#include "findings.h"
#include "health.h"
#include "flow_table.h"
#include "rules.h"
#include "site.h"
#include "summary.h"

/* Everything a report is made of; the report only reads it. */
struct inspect_stats;

struct report_input {
	const char *mode;			/* "offline" */
	const char *filter;			/* BPF or NULL */
	const struct capture_stats *capture;
	const uint64_t *decode;			/* [DECODE_ERROR_COUNT] packets per decode outcome */
	const struct capture_health *health;	/* frames not read, by kind (NULL: none counted) */
	const struct flow_table_stats *table;
	const struct summary *summary;
	const struct rule_set *rules;
	const struct site *site;		/* NULL: port-only mode */
	const struct findings *findings;
	uint64_t uid_seed;
	uint64_t duplicates;			/* mirror duplicates removed */
	bool interim;				/* a live audit's interim report: live flows are not in it */
	uint64_t live_flows;			/* flows still in the table (interim reports) */
	bool color;				/* ANSI colour for the text report */
	const struct inspect_stats *inspect;	/* payload inspection, or NULL (--no-inspect) */
	bool csv_matrix;			/* --format csv --table matrix: the matrix's cells, not the findings */
	const struct evidence_result *evidence;	/* --evidence: the files written (evidence.h), or NULL */
};

int report_text_write(FILE *out, const struct report_input *in);
int report_json_write(FILE *out, const struct report_input *in);
/*
 * --evidence in JSON, for the report and index.json alike: a file's counts
 * (flows, flows_total, packets, icmp_errors, packets_cut), and the live
 * buffers' cap, peak and drops (nothing unless buffered).
 */
struct json;
struct evidence_file;
void report_json_evidence_counts(struct json *j, const struct evidence_file *ef);
void report_json_evidence_buffers(struct json *j, const struct evidence_result *ev);
/* The findings (or, csv_matrix, the matrix's cells) as CSV, RFC 4180: a header row, CRLF line ends. */
int report_csv_write(FILE *out, const struct report_input *in);
/* One self-contained HTML page: header, the role matrix (or the rules, port-only), the findings. */
int report_html_write(FILE *out, const struct report_input *in);
/* The HTML pages' shared parts: the head with the inline style, the footer, the escaper, a verdict's class. */
void report_html_begin(FILE *out, const char *title);
void report_html_end(FILE *out);
void report_html_text(FILE *out, const char *s);
const char *report_html_status_class(enum verdict v);	/* "blocked" ... "ok"; "none" for no flow */

/* UTC time as "2026-11-22 05:30:01.123456". */
void report_format_time(int64_t us, char *out, size_t n);
/*
 * Write s to out for a terminal: printable ASCII as is; outside a UTF-8
 * locale every other byte as \xNN. Under a UTF-8 locale (report_text_locale)
 * valid printable UTF-8 is kept, and still shown as \xNN of its bytes: C0
 * controls, DEL, C1 controls (U+0080-U+009F), invalid or overlong sequences,
 * surrogates, and the bidirectional overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069), which can make text on a terminal read other than it is.
 */
void report_text_safe(FILE *out, const char *s);
/* The same with the choice made by the caller: utf8 true as under a UTF-8 locale. */
void report_text_escape(FILE *out, const char *s, bool utf8);
/* Once at start-up: setlocale(LC_CTYPE, ""), and whether its character set is UTF-8 (for report_text_safe). */
void report_text_locale(void);
/* one when n is 1, else many: "1 rule", "2 rules", "0 rules". */
const char *report_plural(uint64_t n, const char *one, const char *many);
/*
 * A duration of us microseconds in seconds, without the unit: min_decimals
 * decimals, more when a short one would show fewer than two significant
 * digits, so that nothing non-zero reads as 0 (down to 0.000001).
 * 7357813 us, 3: "7.358"; 142 us, 3: "0.00014"; 42 s, 0: "42"; 380000 us, 0: "0.38".
 */
void report_format_seconds(int64_t us, int min_decimals, char *out, size_t n);
/* The tunnels opened: "4 vxlan; 2 flows inside; 4 of the tunnels' own flows a remote mirror's transport, not audited". */
void report_tunnels_text(const struct report_input *in, char *out, size_t n);
/* How many of the loaded matrices, and of their rules, the site applies (all without a site or a matrices: list). */
void report_rules_applied(const struct report_input *in, int *matrices, int *rules);
/* The same for the mode line: "28 matrices, 229 rules" when all apply, else "4 of 28 matrices apply (45 rules)". */
void report_rules_text(const struct report_input *in, char *out, size_t n);
struct finding;
/* The evidence of a wire finding (wrong-protocol, tls-intercepted, middlebox-reset), one line; "" else. */
void report_finding_evidence(const struct report_input *in, const struct finding *fi, char *out, size_t n);
/* The status word of a rule's row in the observed matrix, from its flows. */
/*
 * Which derived findings (fallback, incomplete: their related ids) explain
 * each blocked one, in list order, and which are told under one (text,
 * HTML) rather than as their own; built once per report. Asking each
 * finding about every other was quadratic: tens of thousands of findings
 * took seconds.
 */
struct report_related;
struct report_related *report_related_new(const struct finding *const *list, int n);
/* The indexes of the findings that explain list[i], *count of them (none unless list[i] is blocked). */
const int *report_related_of(const struct report_related *r, int i, int *count);
/* list[i] is told under a blocked finding of the list. */
bool report_related_nested(const struct report_related *r, int i);
void report_related_free(struct report_related *r);
/*
 * --evidence: the file of the finding with this id, or NULL (no entry, or
 * res NULL). The entries are in the findings' list order, so entry at (the
 * finding's index in findings_list) is looked at first, and only when it is
 * not the one the list is searched: a lookup per finding stays linear over
 * a report of many findings. at -1: search.
 */
struct evidence_result;
struct evidence_file;
const struct evidence_file *report_evidence_file(const struct evidence_result *res, int at, const char *id);
/*
 * What a finding's file holds, as a person reads it: "3 flows, 17 packets",
 * "20 of 57 flows, 4000 packets, 2 of them ICMP errors, 31 packets over the
 * per-flow bound left out" (text and HTML).
 */
void report_evidence_counts(const struct evidence_file *ef, char *out, size_t n);
/* The live buffers: "peak 12.3 MiB of the 64 MiB cap; 310 packets of 4 flows dropped by the cap"; "" when not buffered. */
void report_evidence_buffers(const struct evidence_result *res, char *out, size_t n);
/* The files written (not the entries that could not be). */
int report_evidence_written(const struct evidence_result *res);
/* What a status or finding word means (the reports' glossary), or NULL. */
const char *report_word_meaning(const char *word);
/* The words of the glossary this report shows (findings' kinds, matrix statuses), in order; their count. */
int report_words_used(const struct report_input *in, const char **words, int n);
const char *report_rule_status(const struct rule *ru, const struct rule_stats *st);
/* The worst of some flows (flows[V_COUNT], wire[WIRE_KINDS]), wire findings included: "blocked" ... "ok". */
const char *report_worst_status(const uint64_t *flows, const uint64_t *wire);
/* Protocols and ports of a rule as "tcp/1494,2598" or "udp/16500-16509" or "icmp". */
void report_rule_ports(const struct rule *ru, char *out, size_t n);
/*
 * A finding's protocol and port as a person reads them: "tcp/443", "udp/1494";
 * ICMP by the type of its example flow's first message, "icmp/echo-request"
 * (its port is Zeek's counterpart type or code), or "icmp" with no example.
 */
void report_finding_port(const struct finding *fi, char *out, size_t n);
/* The ICMP or ICMPv6 type name of a finding's example flow ("echo-request"), or NULL. */
const char *report_finding_icmp_type(const struct finding *fi);

#endif
