/* livetest: drive capture_run_live alone, for tests/netns/live-engine.sh */

/*
 * usage: livetest -i IFACE [--duration S] [--report-interval S] [-Z USER]
 *                 [-s SNAPLEN] [-p] [-B MIB] [--progress] [FILTER ...]
 *
 * Prints nothing per packet. Each interim report prints "interim N packets";
 * at the end it prints "key value" lines: packets, wire_bytes, received,
 * dropped, if_dropped, stopped_by, ticks, dlt, and with -Z the ids it ended
 * with. Exit status: 0 stopped by a signal or the duration, 1 a capture
 * error (the counts are still printed), 2 usage or open error.
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"

struct livetest {
	uint64_t packets;
	uint64_t ticks;
	int64_t last_tick_us;
};

static void on_packet(void *ctx, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes)
{
	struct livetest *t = ctx;

	(void)dlt;
	(void)h;
	(void)bytes;
	t->packets++;
}

static void on_tick(void *ctx, int64_t now_us)
{
	struct livetest *t = ctx;

	t->ticks++;
	t->last_tick_us = now_us;
}

static void on_report(void *ctx, const struct capture_stats *st)
{
	(void)ctx;
	printf("interim %llu packets\n", (unsigned long long)st->packets);
	fflush(stdout);
}

static uint64_t on_live(void *ctx)
{
	struct livetest *t = ctx;

	return t->packets;
}

static void usage(void)
{
	fputs("usage: livetest -i IFACE [--duration S] [--report-interval S] [-Z USER] [-s SNAPLEN] [-p]\n"
	      "                [-B MIB] [--progress] [FILTER ...]\n",
	      stderr);
	exit(2);
}

static int64_t seconds_us(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 86400)
		usage();
	return (int64_t)(v * 1e6);
}

/* The remaining words, joined by spaces, as tcpdump does; NULL when none. */
static char *join_filter(int argc, char **argv, int i)
{
	size_t n = 1;
	char *f;
	int k;

	if (i >= argc)
		return NULL;
	for (k = i; k < argc; k++)
		n += strlen(argv[k]) + 1;
	f = calloc(1, n);
	if (!f)
		exit(2);
	for (k = i; k < argc; k++) {
		if (k > i)
			strcat(f, " ");
		strcat(f, argv[k]);
	}
	return f;
}

static void print_ids(void)
{
	gid_t groups[64];
	int n = getgroups(64, groups), k;

	printf("uid %lu\neuid %lu\ngid %lu\negid %lu\ngroups", (unsigned long)getuid(), (unsigned long)geteuid(),
	       (unsigned long)getgid(), (unsigned long)getegid());
	for (k = 0; k < n; k++)
		printf(" %lu", (unsigned long)groups[k]);
	printf("\nregain_root %s\n", setuid(0) == 0 ? "yes" : "no");
}

int main(int argc, char **argv)
{
	struct capture_live_config cfg = { .promisc = true };
	struct capture_stats st;
	struct livetest t = { 0 };
	char errbuf[512] = "";
	char *filter;
	int i, rc;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-p") == 0) {
			cfg.promisc = false;
			continue;
		}
		if (strcmp(a, "--progress") == 0) {
			cfg.progress = true;
			continue;
		}
		if (!v)
			usage();
		if (strcmp(a, "-i") == 0)
			cfg.iface = v;
		else if (strcmp(a, "--duration") == 0)
			cfg.duration_us = seconds_us(v);
		else if (strcmp(a, "--report-interval") == 0)
			cfg.report_interval_us = seconds_us(v);
		else if (strcmp(a, "-Z") == 0)
			cfg.drop_user = v;
		else if (strcmp(a, "-s") == 0)
			cfg.snaplen = atoi(v);
		else if (strcmp(a, "-B") == 0)
			cfg.buffer_mib = atoi(v);
		else
			usage();
		i++;
	}
	if (!cfg.iface)
		usage();
	filter = join_filter(argc, argv, i);
	cfg.filter = filter;
	rc = capture_run_live(&cfg, on_packet, on_tick, on_report, on_live, &t, &st, errbuf, sizeof(errbuf));
	if (rc < 0) {
		fprintf(stderr, "livetest: %s\n", errbuf);
		free(filter);
		capture_stats_free(&st);
		return 2;
	}
	if (rc > 0)
		fprintf(stderr, "livetest: %s\n", errbuf);
	printf("packets %llu\nwire_bytes %llu\nreceived %llu\ndropped %llu\nif_dropped %llu\nstopped_by %s\n"
	       "ticks %llu\ndlt %d\ncallback_packets %llu\n",
	       (unsigned long long)st.packets, (unsigned long long)st.wire_bytes, (unsigned long long)st.received,
	       (unsigned long long)st.dropped, (unsigned long long)st.if_dropped, st.stopped_by,
	       (unsigned long long)t.ticks, st.ninputs ? st.inputs[0].dlt : -1, (unsigned long long)t.packets);
	if (cfg.drop_user)
		print_ids();
	free(filter);
	capture_stats_free(&st);
	return rc;
}
