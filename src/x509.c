/* x509: a certificate's subject and issuer names by a bounded DER walk (RFC 5280), as RFC 4514 text */
#include "x509.h"

#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "utf8.h"

enum { NAME_ATV_MAX = 64 };	/* more attributes in one Name: not a certificate we render */

/* ---- text out, whole units at a time ---- */

void x509_out_init(struct x509_out *o, char *s, size_t cap)
{
	o->s = s;
	o->cap = cap;
	o->len = 0;
	o->full = cap == 0;
	if (cap)
		s[0] = '\0';
}

static void x509_out_put(struct x509_out *o, const char *b, size_t k)
{
	if (o->full || k >= o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->s + o->len, b, k);
	o->len += k;
	o->s[o->len] = '\0';
}

void x509_out_str(struct x509_out *o, const char *s)
{
	x509_out_put(o, s, strlen(s));
}

static void x509_out_hex(struct x509_out *o, const char *prefix, uint8_t b)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3] = { prefix[0], hex[b >> 4], hex[b & 15] };

	if (prefix[0])
		x509_out_put(o, e, 3);
	else
		x509_out_put(o, e + 1, 2);
}

/* RFC 4514 2.4: the specials anywhere, '#' or ' ' first and ' ' last take a backslash. */
static bool needs_backslash(uint32_t cp, bool first, bool last)
{
	switch (cp) {
	case ',': case '+': case '"': case '\\': case '<': case '>': case ';':
		return true;
	case '#':
		return first;
	case ' ':
		return first || last;
	default:
		return false;
	}
}

/* One character of an attribute value: escaped, \XX for a control character, else as UTF-8. */
static void x509_out_char(struct x509_out *o, uint32_t cp, bool first, bool last)
{
	char b[4];

	if (cp < 0x20 || cp == 0x7f) {
		x509_out_hex(o, "\\", (uint8_t)cp);
	} else if (needs_backslash(cp, first, last)) {
		b[0] = '\\';
		b[1] = (char)cp;
		x509_out_put(o, b, 2);
	} else if (cp < 0x80) {
		b[0] = (char)cp;
		x509_out_put(o, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		x509_out_put(o, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		x509_out_put(o, b, 3);
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		x509_out_put(o, b, 4);
	}
}

/* One DER TLV: low tag numbers, definite lengths of up to 4 bytes, all inside c. 0 or -1. */
static int der_next(struct cursor *c, uint8_t *tag, struct cursor *val)
{
	uint32_t len, hl = 2, k, i;

	if (!cursor_need(c, 2) || (rd_u8(c, 0) & 0x1f) == 0x1f)
		return -1;
	*tag = rd_u8(c, 0);
	len = rd_u8(c, 1);
	if (len & 0x80) {
		k = len & 0x7f;
		if (k == 0 || k > 4 || !cursor_has(c, 2, k))
			return -1;	/* indefinite (BER only), or longer than any input */
		for (len = 0, i = 0; i < k; i++)
			len = len << 8 | rd_u8(c, 2 + i);
		hl += k;
	}
	if (!cursor_has(c, hl, len))
		return -1;
	cursor_skip(c, hl);
	*val = cursor_sub(c, len);
	cursor_skip(c, len);
	return 0;
}

/* Attribute types by their DER OID bytes: RFC 4514 3 names, then OpenSSL's short names. */
static const struct {
	uint8_t len;
	uint8_t oid[11];
	const char *name;
} attr_names[] = {
	{ 3, { 0x55, 0x04, 0x03 }, "CN" },
	{ 3, { 0x55, 0x04, 0x06 }, "C" },
	{ 3, { 0x55, 0x04, 0x07 }, "L" },
	{ 3, { 0x55, 0x04, 0x08 }, "ST" },
	{ 3, { 0x55, 0x04, 0x0a }, "O" },
	{ 3, { 0x55, 0x04, 0x0b }, "OU" },
	{ 3, { 0x55, 0x04, 0x09 }, "street" },
	{ 3, { 0x55, 0x04, 0x05 }, "serialNumber" },
	{ 3, { 0x55, 0x04, 0x04 }, "SN" },
	{ 3, { 0x55, 0x04, 0x0c }, "title" },
	{ 3, { 0x55, 0x04, 0x0d }, "description" },
	{ 3, { 0x55, 0x04, 0x0f }, "businessCategory" },
	{ 3, { 0x55, 0x04, 0x11 }, "postalCode" },
	{ 3, { 0x55, 0x04, 0x2a }, "GN" },
	{ 3, { 0x55, 0x04, 0x2b }, "initials" },
	{ 3, { 0x55, 0x04, 0x2c }, "generationQualifier" },
	{ 3, { 0x55, 0x04, 0x2e }, "dnQualifier" },
	{ 3, { 0x55, 0x04, 0x41 }, "pseudonym" },
	{ 3, { 0x55, 0x04, 0x61 }, "organizationIdentifier" },
	{ 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19 }, "DC" },
	{ 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01 }, "UID" },
	{ 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 }, "emailAddress" },
	{ 11, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x01 }, "jurisdictionL" },
	{ 11, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x02 }, "jurisdictionST" },
	{ 11, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x03 }, "jurisdictionC" },
};

/* An attribute type: its short name, else the dotted OID. -1 if the OID is broken. */
static int attr_type(struct cursor oid, struct x509_out *o)
{
	uint32_t n = cursor_left(&oid), i;
	uint64_t v = 0;
	bool first = true;
	char num[48];

	for (i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
		if (attr_names[i].len == n && memcmp(attr_names[i].oid, cursor_ptr(&oid), n) == 0) {
			x509_out_str(o, attr_names[i].name);
			return 0;
		}
	}
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		uint8_t b = rd_u8(&oid, i);

		if (v > UINT64_MAX >> 7)
			return -1;
		v = v << 7 | (b & 0x7f);
		if (b & 0x80) {
			if (i + 1 == n)
				return -1;	/* the last arc goes on */
			continue;
		}
		if (first) {	/* the first byte holds two arcs: 40 * X + Y (X.690 8.19.4) */
			unsigned x = v < 80 ? (unsigned)(v / 40) : 2;

			snprintf(num, sizeof(num), "%u.%llu", x, (unsigned long long)(v - 40u * x));
		} else {
			snprintf(num, sizeof(num), ".%llu", (unsigned long long)v);
		}
		x509_out_str(o, num);
		first = false;
		v = 0;
	}
	return 0;
}

/* A value of bytes: valid UTF-8 kept, any other byte as \XX (TeletexString's Latin-1, too). */
static void value_bytes(struct cursor v, struct x509_out *o)
{
	uint32_t n = cursor_left(&v), i = 0;
	const unsigned char *s = cursor_ptr(&v);

	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);

		if (k == 0) {
			x509_out_hex(o, "\\", s[i++]);
			continue;
		}
		x509_out_char(o, cp, i == 0, i + k == n);
		i += (uint32_t)k;
	}
}

/*
 * BMPString (UCS-2) and UniversalString (UCS-4), big-endian, as UTF-8.
 * A surrogate (UCS-2 has none; pairs are not joined) or a code point past
 * U+10FFFF becomes U+FFFD; bytes left over after the last whole character,
 * \XX.
 */
static void value_ucs(struct cursor v, unsigned width, struct x509_out *o)
{
	uint32_t n = cursor_left(&v), i, j;

	for (i = 0; i + width <= n; i += width) {
		uint32_t cp = 0;

		for (j = 0; j < width; j++)
			cp = cp << 8 | rd_u8(&v, i + j);
		if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			cp = 0xfffd;
		x509_out_char(o, cp, i == 0, i + width == n);
	}
	for (; i < n; i++)
		x509_out_hex(o, "\\", rd_u8(&v, i));
}

/* AttributeTypeAndValue: TYPE=value; any other value type as '#' and its DER in hex (RFC 4514 2.4). */
static int name_atv(struct cursor atv, struct x509_out *o)
{
	struct cursor oid, val;
	const uint8_t *tlv;
	uint8_t tag;
	uint32_t i, tlvlen;

	if (der_next(&atv, &tag, &oid) || tag != 0x06 || attr_type(oid, o))
		return -1;
	tlv = cursor_ptr(&atv);
	tlvlen = cursor_left(&atv);
	if (der_next(&atv, &tag, &val) || cursor_left(&atv))
		return -1;
	x509_out_put(o, "=", 1);
	switch (tag) {
	case 0x0c: case 0x12: case 0x13: case 0x14: case 0x15: case 0x16: case 0x19: case 0x1a: case 0x1b:
		value_bytes(val, o);	/* UTF8, Numeric, Printable, Teletex, Videotex, IA5, Graphic, Visible, General */
		break;
	case 0x1e:
		value_ucs(val, 2, o);	/* BMPString */
		break;
	case 0x1c:
		value_ucs(val, 4, o);	/* UniversalString */
		break;
	default:
		x509_out_put(o, "#", 1);
		for (i = 0; i < tlvlen; i++)
			x509_out_hex(o, "", tlv[i]);
	}
	return 0;
}

/*
 * Name ::= SEQUENCE OF RDN (SET OF AttributeTypeAndValue), rendered
 * backwards (RFC 4514 2.1) attribute by attribute, as OpenSSL's RFC 2253
 * printing does: within a multi-valued RDN, too.
 */
static int name_render(struct cursor name, struct x509_out *o)
{
	struct cursor rdn, atv[NAME_ATV_MAX];
	int rdn_of[NAME_ATV_MAX], k = 0, r = 0, i;
	uint8_t tag;

	for (; cursor_left(&name); r++) {
		if (der_next(&name, &tag, &rdn) || tag != 0x31 || !cursor_left(&rdn))
			return -1;
		while (cursor_left(&rdn)) {
			if (k == NAME_ATV_MAX || der_next(&rdn, &tag, &atv[k]) || tag != 0x30)
				return -1;
			rdn_of[k++] = r;
		}
	}
	for (i = k - 1; i >= 0; i--) {
		if (i != k - 1)
			x509_out_put(o, rdn_of[i] == rdn_of[i + 1] ? "+" : ",", 1);
		if (name_atv(atv[i], o))
			return -1;
	}
	return 0;
}

/*
 * Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
 * OPTIONAL, serialNumber, signature, issuer, validity, subject, ... }, ... }
 * (RFC 5280 4.1). -1, with what was written left, if it is not one.
 */
int x509_cert_names(const uint8_t *der, size_t n, struct x509_out *subject, struct x509_out *issuer)
{
	struct cursor c = cursor_make(der, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n), cert, tbs, v;
	uint8_t tag;

	if (der_next(&c, &tag, &cert) || tag != 0x30 || der_next(&cert, &tag, &tbs) || tag != 0x30 ||
	    der_next(&tbs, &tag, &v))
		return -1;
	if (tag == 0xa0 && der_next(&tbs, &tag, &v))
		return -1;	/* version, then serialNumber */
	if (tag != 0x02 || der_next(&tbs, &tag, &v) || tag != 0x30)
		return -1;	/* signature AlgorithmIdentifier */
	if (der_next(&tbs, &tag, &v) || tag != 0x30 || name_render(v, issuer))
		return -1;
	if (der_next(&tbs, &tag, &v) || tag != 0x30 || der_next(&tbs, &tag, &v) || tag != 0x30)
		return -1;	/* validity, subject */
	return name_render(v, subject);
}

