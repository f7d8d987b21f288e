/* fuzz_util: what the harnesses share — the input as a file, the source tree, a sink for output */
#define _GNU_SOURCE
#include "fuzz_util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audit.h"
#include "classify.h"
#include "decode.h"
#include "findings.h"
#include "flow_table.h"
#include "report.h"
#include "summary.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif

const char *fuzz_input_path(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	size_t done = 0;
	ssize_t n;

	if (fd < 0) {
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fd < 0) {
			perror("fuzz: memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0)
		abort();
	while (done < size) {
		n = pwrite(fd, data + done, size - done, (off_t)done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	return path;
}

const char *fuzz_src_path(const char *rel)
{
	static char buf[8][4096];	/* a few in use at once: one harness names five files */
	static int next;
	const char *env = getenv("FLOWAUDIT_SRCDIR");
	char *out = buf[next++ % 8];

	snprintf(out, sizeof(buf[0]), "%s/%s", env && *env ? env : FUZZ_SRCDIR, rel);
	return out;
}

FILE *fuzz_sink(void)
{
	static FILE *sink;

	if (!sink && !(sink = fopen("/dev/null", "w"))) {
		perror("fuzz: /dev/null");
		abort();
	}
	return sink;
}

struct rule_set *fuzz_shipped_rules(void)
{
	static struct rule_set rs;
	static int loaded;
	struct load_error err;
	char line[1200];

	if (loaded)
		return &rs;
	rules_init(&rs);
	if (rules_load_path(&rs, fuzz_src_path("rules"), &err) != 0) {
		audit_format_load_error(&err, line, sizeof(line));
		fprintf(stderr, "fuzz: cannot load the shipped rules: %s (set FLOWAUDIT_SRCDIR)\n", line);
		abort();
	}
	loaded = 1;
	return &rs;
}

void fuzz_warn_quiet(void *ctx, const struct load_error *w)
{
	char line[1200];

	(void)ctx;
	audit_format_load_error(w, line, sizeof(line));
}

void fuzz_report_empty(const struct rule_set *rs, const struct site *site)
{
	struct capture_input in = { .path = "empty.pcap", .dlt = 1 };
	struct capture_stats cs = { .inputs = &in, .ninputs = 1 };
	struct flow_table_stats ts = { 0 };
	uint64_t decode[DECODE_ERROR_COUNT] = { 0 };
	struct findings *fd = findings_new(rs, site);
	struct summary sum;
	struct report_input ri;

	summary_init(&sum);
	findings_finish(fd, 0, 0);
	ri = (struct report_input){ .mode = "offline", .capture = &cs, .decode = decode, .table = &ts,
				    .summary = &sum, .rules = rs, .site = site, .findings = fd };
	report_text_write(fuzz_sink(), &ri);
	report_json_write(fuzz_sink(), &ri);
	report_html_write(fuzz_sink(), &ri);
	report_csv_write(fuzz_sink(), &ri);
	ri.csv_matrix = true;
	report_csv_write(fuzz_sink(), &ri);
	fflush(fuzz_sink());
	summary_free(&sum);
	findings_free(fd);
}
