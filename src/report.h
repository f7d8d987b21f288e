/* report: the audit's summary for people (text) and programs (JSON) */
#ifndef FLOWAUDIT_REPORT_H
#define FLOWAUDIT_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "decode.h"
#include "flow_table.h"
#include "summary.h"

/* Everything a report is made of; the report only reads it. */
struct report_input {
	const char *mode;			/* "offline" */
	const char *filter;			/* BPF or NULL */
	const struct capture_stats *capture;
	const uint64_t *decode;			/* [DECODE_ERROR_COUNT] packets per decode outcome */
	const struct flow_table_stats *table;
	const struct summary *summary;
};

int report_text_write(FILE *out, const struct report_input *in);
int report_json_write(FILE *out, const struct report_input *in);

/* UTC time as "2026-11-22 05:30:01.123456". */
void report_format_time(int64_t us, char *out, size_t n);

#endif
