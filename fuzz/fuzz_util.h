/* fuzz_util: what the harnesses share — the input as a file, the source tree, a sink for output */
#ifndef FLOWAUDIT_FUZZ_UTIL_H
#define FLOWAUDIT_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rules.h"
#include "site.h"

/* The libFuzzer entry point every harness defines (also called by standalone.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The loaders read files: the input is written to one memory file made at
 * the first call and rewritten for each input, so nothing is left on disk
 * even when a run crashes. Returns its path (/proc/self/fd/N).
 */
const char *fuzz_input_path(const uint8_t *data, size_t size);
/* A file under the source tree (FUZZ_SRCDIR, or $FLOWAUDIT_SRCDIR); the last 8 results stay valid. */
const char *fuzz_src_path(const char *rel);
/* /dev/null, opened once: reports are rendered in full and thrown away. */
FILE *fuzz_sink(void);
/* The shipped rules, loaded once (aborts if they do not load: the harness would test nothing). */
struct rule_set *fuzz_shipped_rules(void);
/* A load warning callback that formats the line as the program does, and prints nothing. */
void fuzz_warn_quiet(void *ctx, const struct load_error *w);
/*
 * The audit of an empty capture with these rules and site (NULL: port-only):
 * findings worked out (missing paths), both reports rendered to the sink.
 */
void fuzz_report_empty(const struct rule_set *rs, const struct site *site);

#endif
