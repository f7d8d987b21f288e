/* test_health: what share of a capture could not be read, and what is named rather than lumped */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/health.h"

static void note_n(struct capture_health *h, int n, enum decode_error e, uint32_t code)
{
	while (n-- > 0)
		health_note(h, e, code);
}

Test(health, named_not_ip_is_understood)
{
	struct capture_health h = { 0 };

	note_n(&h, 90, DECODE_OK, 0);
	note_n(&h, 40, DECODE_NOT_IP, DECODE_NOT_IP_CODE(NOTIP_ETHERTYPE, 0x0806));	/* ARP */
	note_n(&h, 10, DECODE_NOT_IP, DECODE_NOT_IP_CODE(NOTIP_LLC, 0x42));		/* STP */
	note_n(&h, 5, DECODE_OTHER_PROTO, 0);
	cr_assert_eq(h.frames, 145);
	cr_assert_eq(health_unreadable(&h), 0);
	cr_assert_not(health_degraded(&h));
}

Test(health, unknown_ethertype_and_errors_count)
{
	struct capture_health h = { 0 };
	struct health_item items[8];
	char bufs[8][48];
	int n;

	note_n(&h, 80, DECODE_OK, 0);
	note_n(&h, 12, DECODE_NOT_IP, DECODE_NOT_IP_CODE(NOTIP_ETHERTYPE, 0x88b5));
	note_n(&h, 3, DECODE_ENCRYPTED, 0);
	note_n(&h, 5, DECODE_NOT_IP, DECODE_NOT_IP_CODE(NOTIP_ETHERTYPE, 0x88cc));	/* LLDP: named */
	cr_assert_eq(health_unreadable(&h), 15);
	cr_assert(health_degraded(&h));		/* 15 of 100 */
	n = health_unreadable_kinds(&h, items, bufs, 8);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(items[0].label, "EtherType 0x88b5");
	cr_assert_eq(items[0].frames, 12);
	cr_assert_str_eq(items[1].label, "wlan-encrypted");
	n = health_named_not_ip(&h, items, bufs, 8);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(items[0].label, "LLDP");
}

Test(health, threshold_is_five_percent_and_five_frames)
{
	struct capture_health h = { 0 };

	note_n(&h, 189, DECODE_OK, 0);
	note_n(&h, 10, DECODE_IPV4_TRUNCATED, 0);
	cr_assert(health_degraded(&h), "10 of 199 is 5.03%%");
	health_note(&h, DECODE_OK, 0);
	cr_assert(health_degraded(&h), "10 of 200 is 5%%: on the line counts");
	health_note(&h, DECODE_OK, 0);
	cr_assert_not(health_degraded(&h), "10 of 201 is 4.98%%: below the line");
}

Test(health, few_frames_never_warn)
{
	struct capture_health h = { 0 };

	note_n(&h, 4, DECODE_LINK_TRUNCATED, 0);
	cr_assert_not(health_degraded(&h), "4 frames, all unreadable: too few to judge a capture by");
	health_note(&h, DECODE_LINK_TRUNCATED, 0);
	cr_assert(health_degraded(&h));
}

Test(health, more_kinds_than_the_table_holds)
{
	struct capture_health h = { 0 };
	uint64_t bad;
	int i;

	for (i = 0; i < HEALTH_KINDS_MAX + 10; i++)
		health_note(&h, DECODE_NOT_IP, DECODE_NOT_IP_CODE(NOTIP_ETHERTYPE, 0x9100 + i));
	health_note(&h, DECODE_NOT_IP, DECODE_NOT_IP_CODE(NOTIP_ETHERTYPE, 0x0806));	/* ARP, past the table */
	bad = health_unreadable(&h);
	cr_assert_eq(bad, HEALTH_KINDS_MAX + 10);
	cr_assert_eq(h.not_ip_other, 11);
}

Test(health, summary_line)
{
	struct capture_health h = { 0 };
	char line[256];

	note_n(&h, 90, DECODE_OK, 0);
	note_n(&h, 10, DECODE_NOT_IP, DECODE_NOT_IP_CODE(NOTIP_ETHERTYPE, 0x88b5));
	health_summary(&h, line, sizeof(line));
	cr_assert_str_eq(line, "10.0% of 100 frames could not be read (EtherType 0x88b5: 10)");
}
