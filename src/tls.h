/* tls: TLS and DTLS handshakes as the wire shows them — ClientHello, ServerHello, Certificate names; no crypto */
#ifndef FLOWAUDIT_TLS_H
#define FLOWAUDIT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Both parsers take one direction's bytes from its first byte: for TCP the
 * in-order stream, for DTLS the datagrams' payloads one after another (every
 * datagram holds whole records). They are pure functions of those bytes: the
 * caller feeds the whole buffer again when more has arrived. Every read is
 * bounds-checked against n; nothing is allocated.
 */
enum tls_status {
	TLS_MORE = 0,		/* TLS so far; more bytes would tell more */
	TLS_DONE,		/* everything this direction can tell is known */
	TLS_NOT_TLS,		/* the first bytes are not TLS/DTLS handshake record framing */
	TLS_MALFORMED,		/* framing as TLS, then a broken message: stop; what was found stays */
};

enum { TLS_NAME_MAX = 256, TLS_CHAIN_MAX = 512 };

/* What the client's first flight says. */
struct tls_client {
	bool hello;			/* a complete ClientHello was parsed */
	uint16_t hello_version;		/* its legacy_version (0x0303 for TLS 1.2 and 1.3; 0xfefd DTLS 1.2) */
	uint16_t max_version;		/* the highest version offered (supported_versions, else hello_version) */
	char sni[TLS_NAME_MAX];		/* server_name host_name, "" if none; see tls_copy_name */
};

/* What the server's first flight says. */
struct tls_server {
	bool hello;			/* a ServerHello was parsed */
	uint16_t version;		/* negotiated: supported_versions' selected_version, else server_version */
	bool certificate;		/* a Certificate message was parsed (TLS <= 1.2, DTLS 1.0/1.2) */
	int ncerts;			/* certificates in it */
	char subject[TLS_NAME_MAX];	/* the leaf's subject, RFC 4514 string ("CN=a,O=b"), "" if unknown */
	char issuer[TLS_NAME_MAX];	/* the leaf's issuer, same form */
	char chain[TLS_CHAIN_MAX];	/* the issuers of the other certificates, in order, joined by " | " */
};

/*
 * TLS_DONE for the client once the ClientHello is parsed. For the server:
 * TLS 1.3 (certificates encrypted) once the ServerHello is parsed; TLS <= 1.2
 * once the Certificate message is parsed, or ServerHelloDone / a
 * ChangeCipherSpec came without one (resumption). A handshake message may
 * span records, and a record may hold several messages. DTLS: handshake
 * fragments of one message are joined when they arrive in order.
 */
enum tls_status tls_parse_client(const uint8_t *p, size_t n, bool dtls, struct tls_client *out);
enum tls_status tls_parse_server(const uint8_t *p, size_t n, bool dtls, struct tls_server *out);

/* True when p starts like a TLS (dtls false) or DTLS handshake record. */
bool tls_looks_like(const uint8_t *p, size_t n, bool dtls);

/* TLS 1.3 or DTLS 1.3 (or a TLS 1.3 draft, 0x7fXX): the certificates are encrypted on the wire. */
bool tls_version_is_13(uint16_t v);

/* Zeek's ssl.log names: "SSLv3" "TLSv10" "TLSv11" "TLSv12" "TLSv13" "DTLSv10" "DTLSv12" "DTLSv13"; NULL if unknown. */
const char *tls_version_name(uint16_t v);

/*
 * A DER certificate's subject and issuer as RFC 4514 strings, most specific
 * attribute first (CN before O before C), as OpenSSL's RFC 2253 printing and
 * Zeek show them. Attribute types by short name (CN, O, OU, C, L, ST, DC,
 * emailAddress, serialNumber, ...), others as a dotted OID. Values: bytes
 * that are printable ASCII or valid UTF-8 are kept, RFC 4514 specials are
 * backslash-escaped, anything else is \XX. BMPString is converted to UTF-8.
 * Truncated to fit (never a partial UTF-8 sequence). 0, or -1 if the DER is
 * not a certificate as far as the names.
 */
int tls_cert_names(const uint8_t *der, size_t n, char *subject, size_t subject_len, char *issuer,
		   size_t issuer_len);

#endif
