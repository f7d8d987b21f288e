/* tls: ClientHello, ServerHello and Certificate names from TLS/DTLS handshake bytes (RFC 8446, 5246, 6347, 9147) */
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "tls.h"
#include "x509.h"

enum {
	CT_HANDSHAKE = 22,		/* record content types (RFC 8446 5.1) */
	CT_ALERT = 21,
	HT_HELLO_REQUEST = 0,		/* handshake message types (RFC 8446 4, RFC 6347 4.2.2) */
	HT_CLIENT_HELLO = 1,
	HT_SERVER_HELLO = 2,
	HT_HELLO_VERIFY_REQUEST = 3,
	HT_CERTIFICATE = 11,
	HT_SERVER_HELLO_DONE = 14,
	EXT_SERVER_NAME = 0,		/* RFC 6066 3 */
	EXT_SUPPORTED_VERSIONS = 43,	/* RFC 8446 4.2.1 */
	TLS_RECORD_HDR = 5,		/* type, version 2, length 2 */
	DTLS_RECORD_HDR = 13,		/* type, version 2, epoch 2, sequence 6, length 2 */
	TLS_HS_HDR = 4,			/* type, length 3 */
	DTLS_HS_HDR = 12,		/* type, length 3, message_seq 2, fragment_offset 3, fragment_length 3 */
	RECORD_MAX = 16384 + 2048,	/* TLSCiphertext's limit, the largest any version allows */
	HS_MSG_MAX = 65536,		/* larger messages are not joined: TLS_MALFORMED */
};

/* SHA-256("HelloRetryRequest"): the random of a ServerHello that is a HelloRetryRequest (RFC 8446 4.1.3). */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static uint32_t be24(const uint8_t *b)
{
	return (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
}

static bool version_ok(uint8_t major, uint8_t minor, bool dtls)
{
	if (dtls)
		return major == 0xfe && (minor == 0xff || minor == 0xfd || minor == 0xfc);
	return major == 3 && minor <= 4;
}

/*
 * The first record's header as far as n bytes show it: 1 a whole header
 * of this content type, 0 consistent so far, -1 not TLS/DTLS framing.
 */
static int first_record(const uint8_t *p, size_t n, bool dtls, uint8_t type)
{
	size_t hl = dtls ? DTLS_RECORD_HDR : TLS_RECORD_HDR, len;

	if (n == 0)
		return 0;
	if (p[0] != type)
		return -1;
	if (n >= 3 && !version_ok(p[1], p[2], dtls))
		return -1;
	if (n == 2 && p[1] != (dtls ? 0xfe : 3))
		return -1;
	if (dtls && n >= 5 && (p[3] | p[4]))
		return -1;	/* a first record is in epoch 0 */
	if (n < hl)
		return 0;
	len = (size_t)p[hl - 2] << 8 | p[hl - 1];
	return len > 0 && len <= RECORD_MAX ? 1 : -1;
}

bool tls_looks_like(const uint8_t *p, size_t n, bool dtls)
{
	size_t hl = dtls ? DTLS_RECORD_HDR : TLS_RECORD_HDR;

	if (first_record(p, n, dtls, CT_HANDSHAKE) != 1)
		return false;
	/* A first flight starts with a ClientHello, ServerHello or (DTLS) HelloVerifyRequest. */
	return n == hl || (p[hl] >= HT_CLIENT_HELLO && p[hl] <= (dtls ? HT_HELLO_VERIFY_REQUEST : HT_SERVER_HELLO));
}

const char *tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSLv3";
	case 0x0301: return "TLSv10";
	case 0x0302: return "TLSv11";
	case 0x0303: return "TLSv12";
	case 0x0304: return "TLSv13";
	case 0xfeff: return "DTLSv10";
	case 0xfefd: return "DTLSv12";
	case 0xfefc: return "DTLSv13";
	default: return NULL;
	}
}

int tls_cert_names(const uint8_t *der, size_t n, char *subject, size_t subject_len, char *issuer,
		   size_t issuer_len)
{
	struct x509_out s, i;

	x509_out_init(&s, subject, subject_len);
	x509_out_init(&i, issuer, issuer_len);
	if (x509_cert_names(der, n, &s, &i) == 0)
		return 0;
	x509_out_init(&s, subject, subject_len);
	x509_out_init(&i, issuer, issuer_len);
	return -1;
}

/*
 * Handshake messages read record by record. TLS messages are a byte stream
 * over the handshake records: one is used in place when a record holds it,
 * else copied into the caller's buffer. DTLS messages come as fragments
 * (each with its own header) that are joined when they arrive in order;
 * fragments of messages already read are retransmissions and skipped.
 * A record cut short by n is read as far as present: what it holds may
 * already complete a message.
 */
struct hs {
	const uint8_t *p;
	size_t n;
	bool dtls;
	size_t next;		/* offset of the next record header */
	const uint8_t *b;	/* the current record's body, the part present */
	size_t blen, bpos;
	bool cut;		/* the current record goes on past n */
	uint32_t next_seq;	/* DTLS: messages before this message_seq were read */
	bool joining;		/* DTLS: a fragmented message is being joined in the buffer */
	uint8_t jtype;
	uint16_t jseq;
	uint32_t jlen, jhave;	/* its length, and the bytes from offset 0 joined so far */
};

struct hs_msg {
	uint8_t type;
	const uint8_t *body;
	uint32_t len;
};

enum hs_rc { HS_OK, HS_MORE, HS_STOP, HS_BAD };	/* HS_STOP: a record of another type (or epoch) */

static void hs_init(struct hs *h, const uint8_t *p, size_t n, bool dtls)
{
	memset(h, 0, sizeof(*h));
	h->p = h->b = p;
	h->n = n;
	h->dtls = dtls;
}

/* Move to the next record; HS_OK when it is a handshake record. */
static enum hs_rc hs_record(struct hs *h)
{
	size_t hl = h->dtls ? DTLS_RECORD_HDR : TLS_RECORD_HDR;
	size_t left = h->n - h->next, len;
	const uint8_t *r = h->p + h->next;

	if (h->cut || left == 0)
		return HS_MORE;
	if (r[0] != CT_HANDSHAKE)
		return HS_STOP;
	if (left < hl)
		return HS_MORE;
	if (h->dtls && (r[3] | r[4]))
		return HS_STOP;		/* a later epoch: encrypted */
	len = (size_t)r[hl - 2] << 8 | r[hl - 1];
	if (!version_ok(r[1], r[2], h->dtls) || len == 0 || len > RECORD_MAX)
		return HS_BAD;
	h->b = r + hl;
	h->cut = len > left - hl;
	h->blen = h->cut ? left - hl : len;
	h->bpos = 0;
	h->next += hl + h->blen;
	return HS_OK;
}

/* The next k bytes of the TLS handshake stream; at a message boundary a record of another type is HS_STOP. */
static enum hs_rc hs_take(struct hs *h, uint32_t k, uint8_t *buf, const uint8_t **out, bool boundary)
{
	uint32_t got = 0;
	enum hs_rc rc;

	for (;;) {
		size_t c = h->blen - h->bpos;

		if (got == 0 && c >= k) {
			*out = h->b + h->bpos;
			h->bpos += k;
			return HS_OK;
		}
		if (c > k - got)
			c = k - got;
		if (c) {
			memcpy(buf + got, h->b + h->bpos, c);
			got += (uint32_t)c;
			h->bpos += c;
		}
		if (got == k) {
			*out = buf;
			return HS_OK;
		}
		rc = hs_record(h);
		if (rc == HS_STOP && (got || !boundary))
			return HS_BAD;	/* no other record may come inside a message (RFC 8446 5.1) */
		if (rc != HS_OK)
			return rc;
	}
}

static enum hs_rc hs_next_tls(struct hs *h, uint8_t *buf, struct hs_msg *m)
{
	uint8_t hdr[TLS_HS_HDR];
	const uint8_t *q;
	enum hs_rc rc;

	if ((rc = hs_take(h, TLS_HS_HDR, hdr, &q, true)) != HS_OK)
		return rc;
	m->type = q[0];
	m->len = be24(q + 1);
	if (m->len > HS_MSG_MAX)
		return HS_BAD;
	return hs_take(h, m->len, buf, &m->body, false);
}

static enum hs_rc hs_next_dtls(struct hs *h, uint8_t *buf, struct hs_msg *m)
{
	for (;;) {
		const uint8_t *f = h->b + h->bpos;
		size_t left = h->blen - h->bpos;
		uint32_t len, off, flen;
		uint16_t seq;
		uint8_t type;
		enum hs_rc rc;

		if (left == 0) {
			if ((rc = hs_record(h)) != HS_OK)
				return rc;
			continue;
		}
		if (left < DTLS_HS_HDR || left - DTLS_HS_HDR < be24(f + 9))
			return h->cut ? HS_MORE : HS_BAD;
		type = f[0];
		len = be24(f + 1);
		seq = (uint16_t)(f[4] << 8 | f[5]);
		off = be24(f + 6);
		flen = be24(f + 9);
		if (off > len || flen > len - off)
			return HS_BAD;
		h->bpos += DTLS_HS_HDR + flen;
		f += DTLS_HS_HDR;
		if (seq < h->next_seq)
			continue;
		if (!h->joining) {
			if (off != 0)
				continue;	/* its start was not seen: wait for a retransmission */
			if (flen == len) {
				m->type = type;
				m->body = f;
				m->len = len;
				h->next_seq = seq + 1u;
				return HS_OK;
			}
			if (len > HS_MSG_MAX)
				return HS_BAD;
			h->joining = true;
			h->jtype = type;
			h->jseq = seq;
			h->jlen = len;
			h->jhave = 0;
		}
		if (seq != h->jseq)
			continue;
		if (type != h->jtype || len != h->jlen)
			return HS_BAD;
		if (off <= h->jhave && off + flen > h->jhave) {
			memcpy(buf + h->jhave, f + (h->jhave - off), off + flen - h->jhave);
			h->jhave = off + flen;
		}
		if (h->jhave == h->jlen) {
			h->joining = false;
			h->next_seq = seq + 1u;
			m->type = type;
			m->body = buf;
			m->len = len;
			return HS_OK;
		}
	}
}

static enum hs_rc hs_next(struct hs *h, uint8_t *buf, struct hs_msg *m)
{
	return h->dtls ? hs_next_dtls(h, buf, m) : hs_next_tls(h, buf, m);
}

/* Skip an opaque vector with a 1- or 2-byte length of at most max bytes. */
static bool skip_vec(struct cursor *c, unsigned lenbytes, uint32_t max)
{
	uint32_t len;

	if (!cursor_need(c, lenbytes))
		return false;
	len = lenbytes == 1 ? rd_u8(c, 0) : rd_be16(c, 0);
	return len <= max && cursor_skip(c, lenbytes) && cursor_skip(c, len);
}

/* Version order: DTLS counts down (0xfeff 1.0, 0xfefd 1.2, 0xfefc 1.3). */
static unsigned version_rank(uint16_t v, bool dtls)
{
	return dtls ? 0xffffu - v : v;
}

static bool is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);	/* RFC 8701 */
}

bool tls_version_is_13(uint16_t v)
{
	return v == 0x0304 || v == 0xfefc || (v >> 8) == 0x7f;	/* 0x7fXX: TLS 1.3 drafts */
}

/*
 * The SNI as text: printable ASCII kept, any other byte (and the backslash)
 * as \xNN, as Zeek logs it. Truncated to fit, never inside an escape.
 */
static void tls_copy_name(char *dst, size_t cap, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] > 0x20 && s[i] < 0x7f && s[i] != '\\') {
			if (o + 1 >= cap)
				break;
			dst[o++] = (char)s[i];
		} else {
			if (o + 4 >= cap)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[s[i] >> 4];
			dst[o++] = hex[s[i] & 15];
		}
	}
	dst[o] = '\0';
}

/* server_name (RFC 6066 3): the first host_name. An empty or overlong one is malformed. */
static bool client_sni(struct cursor c, struct tls_client *out)
{
	uint32_t list, len;

	if (!cursor_need(&c, 2))
		return false;
	list = rd_be16(&c, 0);
	cursor_skip(&c, 2);
	if (list > cursor_left(&c))
		return false;
	c = cursor_sub(&c, list);
	while (cursor_left(&c)) {
		if (!cursor_need(&c, 3))
			return false;
		len = rd_be16(&c, 1);
		if (len == 0 || !cursor_has(&c, 3, len))
			return false;
		if (rd_u8(&c, 0) == 0 && !out->sni[0])
			tls_copy_name(out->sni, sizeof(out->sni), cursor_ptr(&c) + 3, len);
		cursor_skip(&c, 3 + len);
	}
	return true;
}

/* supported_versions (RFC 8446 4.2.1): the highest listed for this protocol, GREASE ignored. */
static bool client_versions(struct cursor c, bool dtls, struct tls_client *out)
{
	uint32_t len, i;
	bool any = false;

	if (!cursor_need(&c, 1))
		return false;
	len = rd_u8(&c, 0);
	if (!cursor_has(&c, 1, len) || len % 2)
		return false;
	for (i = 1; i + 1 <= len; i += 2) {
		uint16_t v = rd_be16(&c, i);

		if (is_grease(v) || (v >> 8) != (dtls ? 0xfe : 0x03))
			continue;
		if (!any || version_rank(v, dtls) > version_rank(out->max_version, dtls))
			out->max_version = v;
		any = true;
	}
	return true;
}

/* The extensions block that ends a hello: each extension's bytes to fn(type, body, ctx); false if broken. */
static bool walk_extensions(struct cursor *c, bool (*fn)(uint16_t, struct cursor, void *), void *ctx)
{
	uint32_t len;

	if (cursor_left(c) == 0)
		return true;	/* no extensions at all (SSLv3 style) */
	if (!cursor_need(c, 2) || !cursor_has(c, 2, len = rd_be16(c, 0)))
		return false;
	cursor_skip(c, 2);
	*c = cursor_sub(c, len);
	while (cursor_left(c)) {
		struct cursor e = *c;
		uint32_t elen;

		if (!cursor_need(c, 4) || !cursor_has(c, 4, elen = rd_be16(c, 2)))
			return false;
		cursor_skip(&e, 4);
		if (!fn(rd_be16(c, 0), cursor_sub(&e, elen), ctx))
			return false;
		cursor_skip(c, 4 + elen);
	}
	return true;
}

struct client_ctx {
	bool dtls;
	struct tls_client *out;
};

static bool client_ext(uint16_t type, struct cursor body, void *arg)
{
	struct client_ctx *x = arg;

	if (type == EXT_SERVER_NAME && cursor_left(&body))
		return client_sni(body, x->out);
	if (type == EXT_SUPPORTED_VERSIONS)
		return client_versions(body, x->dtls, x->out);
	return true;
}

/* ClientHello (RFC 8446 4.1.2; DTLS adds the cookie, RFC 6347 4.2.1). */
static enum tls_status client_hello(const struct hs_msg *m, bool dtls, struct tls_client *out)
{
	struct cursor c = cursor_make(m->body, m->len);
	struct client_ctx x = { dtls, out };

	if (m->type != HT_CLIENT_HELLO || !cursor_need(&c, 34))
		return TLS_MALFORMED;
	out->hello_version = out->max_version = rd_be16(&c, 0);
	cursor_skip(&c, 34);	/* legacy_version, random */
	if (!skip_vec(&c, 1, 32) || (dtls && !skip_vec(&c, 1, 255)) || !skip_vec(&c, 2, 0xffff) ||
	    !skip_vec(&c, 1, 255) || !walk_extensions(&c, client_ext, &x))
		return TLS_MALFORMED;
	out->hello = true;
	return TLS_DONE;
}

/* The first ClientHello read whole (DTLS: usually the one a HelloVerifyRequest answers; its resend says the same). */
enum tls_status tls_parse_client(const uint8_t *p, size_t n, bool dtls, struct tls_client *out)
{
	uint8_t buf[HS_MSG_MAX];
	struct hs h;
	struct hs_msg m;
	int first = first_record(p, n, dtls, CT_HANDSHAKE);

	memset(out, 0, sizeof(*out));
	if (first <= 0)
		return first == 0 ? TLS_MORE : TLS_NOT_TLS;
	hs_init(&h, p, n, dtls);
	switch (hs_next(&h, buf, &m)) {
	case HS_OK:
		return client_hello(&m, dtls, out);
	case HS_MORE:
		return TLS_MORE;
	default:
		return TLS_MALFORMED;
	}
}

static bool server_ext(uint16_t type, struct cursor body, void *arg)
{
	struct tls_server *out = arg;

	if (type != EXT_SUPPORTED_VERSIONS)
		return true;
	if (cursor_left(&body) != 2)
		return false;
	out->version = rd_be16(&body, 0);
	return true;
}

/*
 * ServerHello (RFC 8446 4.1.3). TLS_DONE when it settles TLS 1.3: the rest
 * is encrypted. A HelloRetryRequest counts as the hello: it names the
 * version already, and after it only the certificates, encrypted, could add
 * anything.
 */
static enum tls_status server_hello(const struct hs_msg *m, struct tls_server *out)
{
	struct cursor c = cursor_make(m->body, m->len);
	bool hrr;

	if (!cursor_need(&c, 34))
		return TLS_MALFORMED;
	out->version = rd_be16(&c, 0);
	hrr = memcmp(cursor_ptr(&c) + 2, hrr_random, sizeof(hrr_random)) == 0;
	cursor_skip(&c, 34);
	if (!skip_vec(&c, 1, 32) || !cursor_skip(&c, 3) || !walk_extensions(&c, server_ext, out))
		return TLS_MALFORMED;	/* session_id, cipher_suite, compression_method, extensions */
	out->hello = true;
	return hrr || tls_version_is_13(out->version) ? TLS_DONE : TLS_MORE;
}

/* One more issuer for the chain, after " | "; a certificate whose names are broken is left out. */
static void chain_add(struct x509_out *chain, const uint8_t *der, size_t n)
{
	struct x509_out mark = *chain, none;
	size_t sep;
	bool full;
	int rc;

	x509_out_init(&none, NULL, 0);
	if (chain->len)
		x509_out_str(chain, " | ");
	sep = chain->len;
	rc = x509_cert_names(der, n, &none, chain);
	if (rc == 0 && chain->len > sep)
		return;
	full = chain->full;
	*chain = mark;
	chain->s[chain->len] = '\0';
	if (rc == 0)
		chain->full = full;	/* it did not fit: no later, shorter one after it */
}

/* Certificate (RFC 5246 7.4.2): the leaf's names, and the other certificates' issuers as the chain. */
static enum tls_status certificate(const struct hs_msg *m, struct tls_server *out)
{
	struct cursor c = cursor_make(m->body, m->len);
	struct x509_out subject, issuer, chain;
	uint32_t len;

	x509_out_init(&chain, out->chain, sizeof(out->chain));
	if (!cursor_need(&c, 3) || be24(cursor_ptr(&c)) > cursor_left(&c) - 3)
		return TLS_MALFORMED;
	len = be24(cursor_ptr(&c));
	cursor_skip(&c, 3);
	c = cursor_sub(&c, len);
	while (cursor_left(&c)) {
		if (!cursor_need(&c, 3) || !cursor_has(&c, 3, len = be24(cursor_ptr(&c))))
			return TLS_MALFORMED;
		if (out->ncerts == 0) {
			x509_out_init(&subject, out->subject, sizeof(out->subject));
			x509_out_init(&issuer, out->issuer, sizeof(out->issuer));
			if (x509_cert_names(cursor_ptr(&c) + 3, len, &subject, &issuer)) {
				out->subject[0] = '\0';
				out->issuer[0] = '\0';
			}
		} else {
			chain_add(&chain, cursor_ptr(&c) + 3, len);
		}
		out->ncerts++;
		cursor_skip(&c, 3 + len);
	}
	out->certificate = true;
	return TLS_DONE;
}

enum tls_status tls_parse_server(const uint8_t *p, size_t n, bool dtls, struct tls_server *out)
{
	uint8_t buf[HS_MSG_MAX];
	struct hs h;
	struct hs_msg m;
	enum tls_status st;
	int first = first_record(p, n, dtls, CT_HANDSHAKE);

	memset(out, 0, sizeof(*out));
	if (first < 0 && n && p[0] == CT_ALERT)
		first = first_record(p, n, dtls, CT_ALERT);	/* a refusal: an alert and nothing else */
	if (first <= 0)
		return first == 0 ? TLS_MORE : TLS_NOT_TLS;
	hs_init(&h, p, n, dtls);
	for (;;) {
		switch (hs_next(&h, buf, &m)) {
		case HS_OK:
			break;
		case HS_MORE:
			return TLS_MORE;
		case HS_STOP:
			return TLS_DONE;	/* ChangeCipherSpec (resumption), an alert, or encrypted records */
		default:
			return TLS_MALFORMED;
		}
		if (!out->hello) {
			if (m.type == HT_SERVER_HELLO) {
				if ((st = server_hello(&m, out)) != TLS_MORE)
					return st;
			} else if (m.type != HT_HELLO_REQUEST && !(dtls && m.type == HT_HELLO_VERIFY_REQUEST)) {
				return TLS_MALFORMED;
			}
		} else if (m.type == HT_CERTIFICATE) {
			return certificate(&m, out);
		} else if (m.type == HT_SERVER_HELLO_DONE) {
			return TLS_DONE;
		}
	}
}
