/* health: how much of a capture flowaudit could read, and what it could not, by kind */
#include "health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void health_note(struct capture_health *h, enum decode_error e, uint32_t not_ip)
{
	int i;

	h->frames++;
	if (e == DECODE_OK)
		return;
	if ((unsigned)e >= DECODE_ERROR_COUNT)
		e = DECODE_LINK_TRUNCATED;
	h->failed[e]++;
	if (e != DECODE_NOT_IP)
		return;
	for (i = 0; i < h->nnot_ip; i++) {
		if (h->not_ip[i].code == not_ip) {
			h->not_ip[i].frames++;
			return;
		}
	}
	if (h->nnot_ip < HEALTH_KINDS_MAX) {
		h->not_ip[h->nnot_ip].code = not_ip;
		h->not_ip[h->nnot_ip++].frames = 1;
		return;
	}
	h->not_ip_other++;
	if (!decode_not_ip_name(not_ip))
		h->not_ip_other_unknown++;
}

/* A not-IP kind the report can name (ARP, LLDP ...) was understood; an unknown EtherType was not. */
static bool kind_known(uint32_t code)
{
	return code && decode_not_ip_name(code) != NULL;
}

/* Decode results that are not a failure to read: IP in flows, other IP protocols, not-IP frames (judged by kind). */
static bool result_counts(int e)
{
	return e != DECODE_OK && e != DECODE_NOT_IP && e != DECODE_OTHER_PROTO;
}

uint64_t health_frames(const struct capture_health *h)
{
	return h->frames + h->link_skipped;
}

void health_set_link_skipped(struct capture_health *h, uint64_t packets, int dlt)
{
	h->link_skipped = packets;
	h->link_skipped_dlt = dlt;
}

uint64_t health_unreadable(const struct capture_health *h)
{
	uint64_t n = h->not_ip_other_unknown + h->link_skipped;
	int e, i;

	for (e = 0; e < DECODE_ERROR_COUNT; e++)
		if (result_counts(e))
			n += h->failed[e];
	for (i = 0; i < h->nnot_ip; i++)
		if (!kind_known(h->not_ip[i].code))
			n += h->not_ip[i].frames;
	return n;
}

bool health_degraded(const struct capture_health *h)
{
	uint64_t bad = health_unreadable(h);

	return bad >= HEALTH_MIN_FRAMES && bad * 1000 >= (uint64_t)HEALTH_WARN_PERMILLE * health_frames(h);
}

double health_unreadable_percent(const struct capture_health *h)
{
	return health_frames(h) ? 100.0 * (double)health_unreadable(h) / (double)health_frames(h) : 0.0;
}

static int item_cmp(const void *a, const void *b)
{
	const struct health_item *x = a, *y = b;

	if (x->frames != y->frames)
		return x->frames < y->frames ? 1 : -1;
	return strcmp(x->label, y->label);
}

/* Fill out[] with the items of one family (known: named not-IP kinds; else the unreadable ones), sorted. */
static int health_items(const struct capture_health *h, bool named, struct health_item *out, char (*bufs)[48],
			int max)
{
	struct health_item all[DECODE_ERROR_COUNT + HEALTH_KINDS_MAX + 3];
	char lbl[HEALTH_KINDS_MAX + 1][48];
	int n = 0, e, i;

	if (!named) {
		for (e = 0; e < DECODE_ERROR_COUNT; e++)
			if (result_counts(e) && h->failed[e])
				all[n++] = (struct health_item){ decode_error_name((enum decode_error)e), h->failed[e], 0 };
	}
	for (i = 0; i < h->nnot_ip; i++) {
		if (kind_known(h->not_ip[i].code) != named)
			continue;
		all[n++] = (struct health_item){ decode_not_ip_label(h->not_ip[i].code, lbl[i], sizeof(lbl[i])),
						 h->not_ip[i].frames, h->not_ip[i].code };
	}
	if (!named && h->link_skipped) {
		snprintf(lbl[HEALTH_KINDS_MAX], sizeof(lbl[0]), "link type %s", decode_link_name(h->link_skipped_dlt));
		all[n++] = (struct health_item){ lbl[HEALTH_KINDS_MAX], h->link_skipped, 0 };
	}
	if (!named && h->not_ip_other_unknown)
		all[n++] = (struct health_item){ "other unknown kinds", h->not_ip_other_unknown, 0 };
	if (named && h->not_ip_other > h->not_ip_other_unknown)
		all[n++] = (struct health_item){ "other kinds", h->not_ip_other - h->not_ip_other_unknown, 0 };
	qsort(all, (size_t)n, sizeof(all[0]), item_cmp);
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		snprintf(bufs[i], 48, "%s", all[i].label);
		out[i] = all[i];
		out[i].label = bufs[i];
	}
	return n;
}

int health_unreadable_kinds(const struct capture_health *h, struct health_item *out, char (*bufs)[48], int max)
{
	return health_items(h, false, out, bufs, max);
}

int health_named_not_ip(const struct capture_health *h, struct health_item *out, char (*bufs)[48], int max)
{
	return health_items(h, true, out, bufs, max);
}

void health_items_format(const struct health_item *items, int n, const char *sep, char *buf, size_t len)
{
	size_t used = 0;
	int i, k;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < n && used + 1 < len; i++) {
		k = snprintf(buf + used, len - used, "%s%s%s%llu", i ? ", " : "", items[i].label, sep,
			     (unsigned long long)items[i].frames);
		if (k < 0)
			break;
		used += (size_t)k < len - used ? (size_t)k : len - used - 1;
	}
}

void health_summary(const struct capture_health *h, char *buf, size_t len)
{
	struct health_item items[4];
	char bufs[4][48], list[4 * 72];
	int n = health_unreadable_kinds(h, items, bufs, 4);

	health_items_format(items, n, ": ", list, sizeof(list));
	snprintf(buf, len, "%.1f%% of %llu frames could not be read%s%s%s", health_unreadable_percent(h),
		 (unsigned long long)health_frames(h), n ? " (" : "", list, n ? ")" : "");
}

const char *health_space_name(uint32_t code)
{
	static const char *const names[] = {
		[NOTIP_NONE] = "unknown", [NOTIP_ETHERTYPE] = "ethertype", [NOTIP_LLC] = "llc",
		[NOTIP_SNAP_CISCO] = "snap-cisco", [NOTIP_SNAP_OTHER] = "snap", [NOTIP_PPP] = "ppp",
		[NOTIP_WLAN] = "802.11", [NOTIP_FAMILY] = "family", [NOTIP_TUNNEL] = "tunnel",
	};
	unsigned s = DECODE_NOT_IP_SPACE(code);

	return s < sizeof(names) / sizeof(names[0]) && names[s] ? names[s] : "unknown";
}
