/* fuzz_baseline: the input as a baseline file, read as 'baseline diff' and 'baseline merge' read one */
#include <stdio.h>

#include "baseline.h"
#include "fuzz_util.h"

/*
 * baseline_read is what the diff and merge commands call. A baseline that
 * reads is also used as they use it: written back, merged into an empty
 * one and compared with that copy (nothing changed), and compared with an
 * empty baseline both ways (every path gone, then every path new), as text
 * and as JSON. (Merging it twice is refused: its capture would count twice.)
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baseline_diff_options text = { .min_flows = 1 }, json = { .min_flows = 2, .json = true },
				     html = { .min_flows = 1, .html = true };
	struct load_error err;
	struct baseline *b = baseline_read(fuzz_input_path(data, size), &err), *copy, *empty;

	if (!b)
		return 0;
	baseline_write(b, fuzz_sink());
	copy = baseline_new(baseline_granularity(b));
	empty = baseline_new(baseline_granularity(b));
	if (baseline_merge(copy, b, &err) == 0) {
		baseline_site_differs(b, copy);
		baseline_rules_differ(b, copy);
		baseline_diff(b, copy, &json, fuzz_sink());
		baseline_write(copy, fuzz_sink());
	}
	baseline_diff(b, empty, &text, fuzz_sink());
	baseline_diff(empty, b, &json, fuzz_sink());
	baseline_diff(b, b, &text, fuzz_sink());
	baseline_diff(b, empty, &html, fuzz_sink());
	baseline_diff(b, b, &html, fuzz_sink());
	fflush(fuzz_sink());
	baseline_free(empty);
	baseline_free(copy);
	baseline_free(b);
	return 0;
}
