/* capture_internal: what the offline and live readers share */
#ifndef FLOWAUDIT_CAPTURE_INTERNAL_H
#define FLOWAUDIT_CAPTURE_INTERNAL_H

#include <stddef.h>

#include "capture.h"

/* Count one packet: first and last time, time going backwards, wire bytes. */
void capture_account(struct capture_stats *st, const struct pcap_pkthdr *h);
/* 1234567 -> "1.2M", for progress lines. */
void capture_human(char *out, size_t n, double v);

#endif
