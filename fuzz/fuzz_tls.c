/* fuzz_tls: the input as one direction of a TLS/DTLS handshake, and as a DER certificate */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "tls.h"
#include "utf8.h"

/*
 * Text the parsers hand out: NUL-terminated inside its buffer, valid
 * UTF-8, no control character, and every backslash a whole escape: \xNN
 * in an SNI; \XX or a backslash before a special in an RFC 4514 name.
 */
static void check_text(const char *s, size_t cap, bool sni)
{
	const char *end = memchr(s, '\0', cap);
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i, k;
	uint32_t cp;

	if (!end)
		abort();
	n = (size_t)(end - s);
	for (i = 0; i < n; i += k) {
		k = utf8_decode(u + i, n - i, &cp);
		if (k == 0 || cp < 0x20 || cp == 0x7f)
			abort();
		if (cp != '\\')
			continue;
		if (sni ? (i + 3 < n && u[i + 1] == 'x' && strchr("0123456789abcdef", u[i + 2]) &&
			   strchr("0123456789abcdef", u[i + 3]))
			: (i + 2 < n && strchr("0123456789ABCDEF", u[i + 1]) && strchr("0123456789ABCDEF", u[i + 2])))
			k = sni ? 4 : 3;
		else if (!sni && i + 1 < n && strchr(",+\"\\<>;# ", u[i + 1]))
			k = 2;
		else
			abort();
	}
}

/* Names into buffers of cap bytes: the same answer as with room enough, cut to a prefix. */
static void check_names(const uint8_t *der, size_t n, size_t cap)
{
	char s[TLS_NAME_MAX], i[TLS_NAME_MAX], ss[TLS_NAME_MAX], is[TLS_NAME_MAX];
	int rc = tls_cert_names(der, n, s, sizeof(s), i, sizeof(i));

	check_text(s, sizeof(s), false);
	check_text(i, sizeof(i), false);
	if (rc != 0 && (s[0] || i[0]))
		abort();
	if (tls_cert_names(der, n, ss, cap, is, cap) != rc)
		abort();
	if (strncmp(ss, s, strlen(ss)) || strncmp(is, i, strlen(is)) || strlen(ss) >= cap || strlen(is) >= cap)
		abort();
}

/*
 * The first byte: bit 0 DTLS, bit 1 the server's direction, the other six
 * the share of the stream (in 64ths) parsed first on its own: a prefix that
 * already gives an answer other than TLS_MORE must give the whole stream's
 * answer, since the parsers are pure functions of the bytes up to it.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_client c, cp;
	struct tls_server s, sp;
	enum tls_status st, pst;
	const uint8_t *p = data + 1;
	size_t n, prefix;
	bool dtls, srv;

	if (size == 0)
		return 0;
	check_names(data, size, 1 + data[size - 1] % TLS_NAME_MAX);
	dtls = data[0] & 1;
	srv = data[0] & 2;
	n = size - 1;
	prefix = n * (data[0] >> 2) / 64;
	if (srv) {
		st = tls_parse_server(p, n, dtls, &s);
		check_text(s.subject, sizeof(s.subject), false);
		check_text(s.issuer, sizeof(s.issuer), false);
		check_text(s.chain, sizeof(s.chain), false);
		(void)tls_version_name(s.version);
		pst = tls_parse_server(p, prefix, dtls, &sp);
		if (pst != TLS_MORE && (pst != st || memcmp(&s, &sp, sizeof(s))))
			abort();
	} else {
		st = tls_parse_client(p, n, dtls, &c);
		check_text(c.sni, sizeof(c.sni), true);
		(void)tls_version_name(c.max_version);
		pst = tls_parse_client(p, prefix, dtls, &cp);
		if (pst != TLS_MORE && (pst != st || memcmp(&c, &cp, sizeof(c))))
			abort();
	}
	if (tls_looks_like(p, n, dtls) && st == TLS_NOT_TLS)
		abort();
	return 0;
}
