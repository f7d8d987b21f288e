/*
 * evidence: the packets behind every finding, one pcapng file per finding
 * (--evidence DIR), with an index.json that lists them.
 *
 * While the audit runs, each worker notes which flows joined which finding
 * (evidence_note): per finding the first flows by flow_order_cmp, at most
 * --evidence-flows of them (the finding's example is the least, so always
 * among them). The packets are then found one of two ways:
 *
 *  - Offline, from files: a second pass over the inputs once the findings
 *    are known (evidence_write_pass). Each packet is selected by its flow's
 *    5-tuple (either direction), key VLAN and time window; an ICMP error by
 *    the flow it quotes. Nothing is buffered: packets go straight into the
 *    files, so memory does not grow with the input.
 *  - Live, or from standard input: each flow keeps its first
 *    EVIDENCE_HEAD_LIVE and last EVIDENCE_TAIL packets in memory
 *    (evidence_buffer_packet), under one cap for the whole audit
 *    (--evidence-memory); what the cap refused is counted. A judged flow
 *    that no finding keeps gives its packets back at once.
 *
 * Every file is written through outfile (whole or not at all).
 */
#ifndef FLOWAUDIT_EVIDENCE_H
#define FLOWAUDIT_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "classify.h"
#include "findings.h"
#include "flow.h"
#include "packet.h"

enum {
	EVIDENCE_FLOWS_DEFAULT = 20,		/* flows per finding */
	EVIDENCE_PACKETS_DEFAULT = 200,		/* packets per flow */
	EVIDENCE_MEMORY_MIB_DEFAULT = 64,	/* live: buffered packets, all flows together */
	EVIDENCE_HEAD_LIVE = 16,		/* live: a flow's first packets kept */
	EVIDENCE_TAIL = 4,			/* a flow's last packets kept (live and offline) */
	EVIDENCE_ICMP_MAX = 8,			/* ICMP errors quoting one flow */
};

struct evidence_config {
	const char *dir;		/* --evidence DIR */
	int max_flows;			/* --evidence-flows N */
	int max_packets;		/* --evidence-packets N: per flow */
	uint64_t memory_cap;		/* --evidence-memory MiB, in bytes: live buffers */
	bool buffered;			/* keep packets as they come (live, standard input), not a second pass */
};

/* What was written, for the reports: one entry per finding, in the findings' list order. */
struct evidence_file {
	char id[FINDING_ID_LEN];
	char name[96];			/* "F-3a9c1e-blocked-udp-1494.pcapng", in dir */
	uint64_t flows;			/* flows whose packets are in it */
	uint64_t flows_total;		/* flows the finding has (count); more than flows: the bound cut it */
	uint64_t packets;		/* packets written */
	uint64_t icmp_errors;		/* of them, ICMP errors quoting those flows */
	uint64_t packets_cut;		/* packets of those flows left out by --evidence-packets */
	bool written;			/* false: could not be written (the run's error line says why) */
};

struct evidence_result {
	const char *dir;
	char *href;			/* the folder as the HTML report links it (relative to -o's folder), or NULL: dir */
	struct evidence_file *files;
	int nfiles;
	uint64_t packets;		/* packets written over all files */
	uint64_t bytes;			/* bytes of the files */
	bool buffered;			/* the packets came from the live buffers */
	uint64_t memory_cap;		/* buffered: the cap */
	uint64_t memory_peak;		/* buffered: the most the buffers held */
	uint64_t dropped_packets;	/* buffered: packets the cap refused */
	uint64_t dropped_flows;		/* buffered: flows that lost packets to the cap */
	bool interim;			/* written for an interim report */
};

/* One worker's share (each shard has one); the buffers' cap is shared through the config's owner. */
struct evidence;
/* The memory the live buffers of every worker use together. */
struct evidence_budget;
struct evidence_budget *evidence_budget_new(uint64_t cap);
void evidence_budget_free(struct evidence_budget *b);

struct evidence *evidence_new(const struct evidence_config *cfg, struct evidence_budget *budget, uint64_t uid_seed);
void evidence_free(struct evidence *ev);

/* Buffered mode: keep a copy of this packet (the frame pkt->frame, pkt->cap_len bytes) for flow f. */
void evidence_buffer_packet(struct evidence *ev, struct flow *f, const struct packet *pkt);
/* Buffered mode: an ICMP error quoting f (kept apart from f's own packets, at most EVIDENCE_ICMP_MAX). */
void evidence_buffer_icmp(struct evidence *ev, struct flow *f, const struct packet *pkt);
/* A flow left without a judgement (a run that failed): its buffer goes back. */
void evidence_release(struct flow *f, void *ev);

/*
 * A judged flow joined the findings ids names: remember it for each (and,
 * buffered, move its packets along). Every judged flow must pass here
 * when buffering, kept or not, so that its buffer is given back.
 */
void evidence_note(struct evidence *ev, struct flow *f, const struct classification *cls,
		   const struct finding_ids *ids);
/* Fold src into dst (--workers): dst takes src's flows and buffers; src is left empty. */
void evidence_merge(struct evidence *dst, struct evidence *src);

/* Where the files go and what names the section comment. */
struct evidence_context {
	const struct findings *findings;
	const struct rule_set *rules;
	const struct site *site;
	const struct capture_stats *capture;	/* the inputs (names, link types) */
	const char *filter;			/* BPF, or NULL */
	unsigned decode_flags;
	int64_t dedup_window_us;
	bool vlan_key;
	bool progress;				/* offline pass: a progress line on stderr */
	bool interim;
	const char *live_iface;			/* live: the interface (capture->inputs[0] has its link type) */
};

/*
 * Write every finding's file and index.json into the directory. Offline
 * from files: a second pass over the inputs (capture_run_offline); buffered:
 * from the buffers. res gets what was written (evidence_result_free).
 * Returns 0, or -1 with one line in errbuf (what was written stands).
 */
int evidence_write(struct evidence *ev, const struct evidence_context *ctx, struct evidence_result *res, char *errbuf,
		   size_t errlen);
void evidence_result_free(struct evidence_result *res);

/* A change of baseline diff that got worse: its path's flows were noted under id (baseline_path_id). */
struct evidence_change {
	char id[FINDING_ID_LEN];	/* "P-3a9c1e" */
	const char *kind;		/* "worse" (a path whose worst verdict got worse), "new" (a new path, not ok) */
	char port[24];			/* "tcp/1494" */
	const char *rule;		/* or NULL */
	char what[256];			/* "workspace-app -> vda tcp/1494 (rule citrix-cvad/...)" */
	char verdicts[128];		/* "worst verdict: ok before, blocked now (3 flows)" */
	uint64_t flows;			/* the path's flows in the capture */
};
/* The same as evidence_write for baseline diff: one file per change ("P-3a9c1e-worse-tcp-1494.pcapng"). */
int evidence_write_changes(struct evidence *ev, const struct evidence_context *ctx, const struct evidence_change *ch,
			   int n, struct evidence_result *res, char *errbuf, size_t errlen);

/*
 * Check (and create, one level) the directory before any packet is read;
 * one made here while root is given to owner (-Z USER, or NULL), who
 * writes the files. 0, or -1 with errbuf set.
 */
int evidence_dir_prepare(const char *dir, const char *owner, char *errbuf, size_t errlen);

/* The evidence folder relative to the report's folder (for the HTML links), or NULL (free it). */
char *evidence_href_from(const char *report_path, const char *dir);

#endif
