/* report: what the text and JSON reports share — times, rule rows, safe text */
#include "report.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

void report_format_time(int64_t us, char *out, size_t n)
{
	time_t sec = (time_t)(us / 1000000);
	struct tm tm;
	char day[32];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, n, "%s.%06" PRId64, day, us % 1000000);
}

void report_text_safe(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			fputc(c, out);
		else
			fprintf(out, "\\x%02x", c);
	}
}

/*
 * A rule's status in the observed matrix: the worst verdict among its flows
 * (the contract's order), "missing" for an expected path with none, and
 * "not seen" for an optional one with none.
 */
const char *report_rule_status(const struct rule *ru, const struct rule_stats *st, bool port_only)
{
	static const enum verdict order[] = { V_BLOCKED, V_INTERRUPTED, V_ONE_SIDED, V_UNEXPECTED, V_PENDING, V_OK };
	size_t i;

	if (!st->total)
		return ru->expect != EXPECT_OPTIONAL && !port_only ? "missing" : "not seen";
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (st->flows[order[i]])
			return ru->action == ACTION_DENY ? "seen (deny)" : verdict_name(order[i]);
	return "ok";
}

void report_rule_ports(const struct rule *ru, char *out, size_t n)
{
	static const char *const names[] = { "tcp", "udp", "icmp" };
	size_t used = 0;
	int b, k, w;

	out[0] = '\0';
	for (b = 0; b < 3 && used < n; b++) {
		if (!(ru->protos & (1 << b)))
			continue;
		w = snprintf(out + used, n - used, "%s%s", used ? "+" : "", names[b]);
		used += w > 0 ? (size_t)w : 0;
	}
	for (k = 0; k < ru->nports && used < n; k++) {
		if (ru->ports[k].lo == ru->ports[k].hi)
			w = snprintf(out + used, n - used, "%c%u", k ? ',' : '/', ru->ports[k].lo);
		else
			w = snprintf(out + used, n - used, "%c%u-%u", k ? ',' : '/', ru->ports[k].lo, ru->ports[k].hi);
		used += w > 0 ? (size_t)w : 0;
	}
}
