/* x509: a certificate's subject and issuer names by a bounded DER walk (RFC 5280), as RFC 4514 text */
#ifndef FLOWAUDIT_X509_H
#define FLOWAUDIT_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Text output into a caller's buffer, one unit at a time: a unit (a UTF-8
 * sequence, an escape, a name) is written whole or not at all, and once
 * one does not fit nothing more is, so a truncated string is a prefix.
 */
struct x509_out {
	char *s;
	size_t cap, len;
	bool full;
};

void x509_out_init(struct x509_out *o, char *s, size_t cap);
void x509_out_str(struct x509_out *o, const char *s);

/*
 * The subject and issuer of a DER certificate, most specific attribute
 * first (tls.h's tls_cert_names says how values are written). No crypto, no
 * recursion, nothing read past n. 0, or -1 (what was written so far left)
 * if it is not a certificate as far as the names.
 */
int x509_cert_names(const uint8_t *der, size_t n, struct x509_out *subject, struct x509_out *issuer);

#endif
