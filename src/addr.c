/* addr: IP addresses as text, for reports only */
#include "addr.h"

#include <string.h>

/*
 * By hand rather than inet_ntop(3), which formats with sprintf and cost
 * about 2,000 instructions an address in the report and conn log paths.
 * The text is the same as glibc's inet_ntop, byte for byte (the unit test
 * compares them): RFC 5952 lower-case hex, the longest run of two or more
 * zero groups as "::" (the first of equal runs), and the last 32 bits as a
 * dotted quad for ::a.b.c.d and ::ffff:a.b.c.d.
 */

static char *put_u8(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *put_v4(char *p, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_u8(p, a[i]);
	}
	return p;
}

static char *put_hex16(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = v >= 0x1000 ? 12 : v >= 0x100 ? 8 : v >= 0x10 ? 4 : 0;

	for (; shift >= 0; shift -= 4)
		*p++ = hex[(v >> shift) & 0xf];
	return p;
}

static void format_v6(const uint8_t a[16], char *p)
{
	unsigned words[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0, i;

	for (i = 0; i < 8; i++) {
		words[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (words[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len)
				best = cur, best_len = cur_len;
			cur = -1;
		}
	}
	if (cur >= 0 && (best < 0 || cur_len > best_len))
		best = cur, best_len = cur_len;
	if (best >= 0 && best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
			p = put_v4(p, a + 12);
			break;
		}
		p = put_hex16(p, words[i]);
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	*p = '\0';
}

const char *addr_format(uint8_t family, const uint8_t a[16], char out[ADDR_STRLEN])
{
	if (family == 6) {
		format_v6(a, out);
	} else {
		char *p = put_v4(out, a);

		*p = '\0';
	}
	return out;
}
