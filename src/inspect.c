/* inspect: the first payload bytes of each flow -> Zeek's service, TLS names (the wire evidence) */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "strtab.h"
#include "tls.h"
#include "tracker.h"
#include "xalloc.h"

/*
 * Each direction of a flow is looked at from its first payload byte: the
 * first segment (TCP, and only when it starts the stream: the SYN was seen
 * and its sequence number follows the ISN) or datagram (UDP) names the
 * service. Only a TLS or DTLS handshake is followed further, in order and
 * without reassembly of anything out of order, until the ClientHello and
 * the server's first flight are parsed; then the buffers go and the flow
 * costs one test of f->wire per packet.
 */

enum { DTLS_MAX_DATAGRAMS = 16, STREAM_MIN = 2048 };

enum follow { FOLLOW_OFF = 0, FOLLOW_ON, FOLLOW_DONE };

/* A TLS/DTLS handshake being followed: the flow points at it while it lasts. */
struct inspect_buf {
	struct tls_client cli;
	struct tls_server srv;
	uint8_t *data[2];
	uint32_t len[2];
	uint32_t cap[2];
	uint32_t next_seq[2];		/* TCP: the sequence number of the next byte wanted */
	uint8_t follow[2];		/* enum follow */
	uint8_t datagrams[2];
	bool dtls;
	bool malformed;
};

struct inspect {
	struct inspect_config cfg;
	struct strtab *evidence;
	uint64_t buffered;		/* bytes held by every inspect_buf now */
	struct inspect_stats st;
};

static const char *const service_names[SVC_COUNT] = {
	[SVC_NONE] = "", [SVC_SSL] = "ssl", [SVC_DTLS] = "dtls", [SVC_ICA] = "ica", [SVC_CGP] = "cgp",
	[SVC_HTTP] = "http", [SVC_SSH] = "ssh", [SVC_RDP] = "rdp", [SVC_SMB] = "smb", [SVC_DNS] = "dns",
};

const char *service_name(enum service s)
{
	return (unsigned)s < SVC_COUNT ? service_names[s] : "";
}

const char *const *inspect_service_names(void)
{
	return service_names + 1;
}

int service_parse(const char *name)
{
	int s;

	for (s = 1; s < SVC_COUNT; s++)
		if (strcmp(name, service_names[s]) == 0)
			return s;
	return -1;
}

void inspect_config_defaults(struct inspect_config *cfg)
{
	cfg->stream_max = 16 * 1024;
	cfg->buffer_budget = 64ULL << 20;
	cfg->evidence_budget = 32ULL << 20;
}

struct inspect *inspect_new(const struct inspect_config *cfg)
{
	struct inspect *in = xcalloc(1, sizeof(*in));

	in->cfg = *cfg;
	if (in->cfg.stream_max < STREAM_MIN)
		in->cfg.stream_max = STREAM_MIN;
	in->evidence = strtab_new(cfg->evidence_budget);
	return in;
}

/* ---- what the first bytes say -------------------------------------------- */

static bool starts(const uint8_t *p, uint32_t n, const char *lit, uint32_t len)
{
	return n >= len && memcmp(p, lit, len) == 0;
}

static bool http_request(const uint8_t *p, uint32_t n)
{
	static const char *const methods[] = { "GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ",
					       "CONNECT ", "PATCH ", "TRACE " };
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		uint32_t len = (uint32_t)strlen(methods[i]);

		if (starts(p, n, methods[i], len))
			return n > len && p[len] != ' ';
	}
	return false;
}

/* A DNS message (RFC 1035 4.1): one question whose name parses, a sane header. */
static bool dns_message(const uint8_t *p, uint32_t n)
{
	uint32_t qd, an, ns, ar, i = 12, labels = 0;
	unsigned opcode;

	if (n < 17)
		return false;
	opcode = (p[2] >> 3) & 0x0f;
	qd = (uint32_t)p[4] << 8 | p[5];
	an = (uint32_t)p[6] << 8 | p[7];
	ns = (uint32_t)p[8] << 8 | p[9];
	ar = (uint32_t)p[10] << 8 | p[11];
	if (qd != 1 || (opcode != 0 && opcode != 4 && opcode != 5) || an > 256 || ns > 256 || ar > 256)
		return false;
	if (!(p[2] & 0x80) && an)	/* a query with answers */
		return false;
	while (i < n && p[i]) {
		if (p[i] > 63 || ++labels > 127)
			return false;
		i += 1u + p[i];
	}
	if (i >= n || i - 12 > 255 || i + 5 > n)
		return false;
	i++;
	/* QCLASS: IN, CH, HS, ANY, or IN with mDNS's unicast-response bit. */
	return p[i + 2] == 0x00 || p[i + 2] == 0x80 ? (p[i + 3] == 1 || p[i + 3] == 3 || p[i + 3] == 4 ||
						       p[i + 3] == 255) : false;
}

enum service inspect_sniff(const uint8_t *p, uint32_t n, uint8_t proto, bool from_orig)
{
	if (!n)
		return SVC_NONE;
	if (proto == PROTO_UDP) {
		if (tls_looks_like(p, n, true))
			return SVC_DTLS;
		return dns_message(p, n) ? SVC_DNS : SVC_NONE;
	}
	if (starts(p, n, "\x7f\x7f" "ICA\0", 6))
		return SVC_ICA;
	if (starts(p, n, "\x1a" "CGP/01", 7))
		return SVC_CGP;
	if (tls_looks_like(p, n, false))
		return SVC_SSL;
	if (starts(p, n, "SSH-", 4) && (starts(p + 4, n - 4, "2.0-", 4) || starts(p + 4, n - 4, "1.99-", 5) ||
					starts(p + 4, n - 4, "1.5-", 4)))
		return SVC_SSH;
	if (from_orig ? http_request(p, n) : starts(p, n, "HTTP/1.", 7))
		return SVC_HTTP;
	/* TPKT (RFC 1006) carrying an X.224 connection request (orig) or confirm (resp): RDP's first PDU. */
	if (n >= 7 && p[0] == 3 && p[1] == 0 && ((uint32_t)p[2] << 8 | p[3]) >= 11 &&
	    (p[5] & 0xf0) == (from_orig ? 0xe0 : 0xd0))
		return SVC_RDP;
	/* A NetBIOS session message holding SMB1, SMB2/3 or an SMB3 transform header. */
	if (n >= 8 && p[0] == 0 && (p[4] == 0xff || p[4] == 0xfe || p[4] == 0xfd) && memcmp(p + 5, "SMB", 3) == 0)
		return SVC_SMB;
	return SVC_NONE;
}

/* ---- following a handshake ------------------------------------------------ */

static void buf_release(struct inspect *in, struct inspect_buf *ib, int dir)
{
	in->buffered -= ib->cap[dir];
	free(ib->data[dir]);
	ib->data[dir] = NULL;
	ib->cap[dir] = 0;
}

/* Make the handshake's evidence record and let the buffers go. */
static void settle(struct inspect *in, struct flow *f)
{
	struct inspect_buf *ib = f->ib;
	struct tls_evidence ev;
	int d;

	memset(&ev, 0, sizeof(ev));	/* interned by its bytes: the padding must be zero */
	if (ib->cli.hello) {
		ev.sni = strtab_str(in->evidence, ib->cli.sni);
		ev.offered = ib->cli.max_version;
	}
	if (ib->srv.hello) {
		ev.server_hello = true;
		ev.version = ib->srv.version;
	}
	if (ib->srv.certificate) {
		ev.cert_visible = true;
		ev.ncerts = (uint8_t)(ib->srv.ncerts > 255 ? 255 : ib->srv.ncerts < 0 ? 0 : ib->srv.ncerts);
		ev.subject = strtab_str(in->evidence, ib->srv.subject);
		ev.issuer = strtab_str(in->evidence, ib->srv.issuer);
		ev.chain = strtab_str(in->evidence, ib->srv.chain);
	}
	ev.malformed = ib->malformed;
	if (ib->cli.hello || ib->srv.hello || ib->malformed) {
		f->tls = strtab_intern(in->evidence, &ev, sizeof(ev));
		in->st.evidence_dropped = strtab_misses(in->evidence);
	}
	for (d = 0; d < 2; d++)
		buf_release(in, ib, d);
	in->buffered -= sizeof(*ib);
	free(ib);
	f->ib = NULL;
}

static void follow_end(struct inspect *in, struct flow *f, int dir)
{
	struct inspect_buf *ib = f->ib;

	ib->follow[dir] = FOLLOW_DONE;
	f->wire |= (uint8_t)(dir ? WIRE_DONE1 : WIRE_DONE0);
	buf_release(in, ib, dir);
	if (ib->follow[!dir] == FOLLOW_DONE)	/* else the other side's first flight is still to come */
		settle(in, f);
}

/* Parse what one direction holds; the direction ends unless the parser wants more. */
static void parse(struct inspect *in, struct flow *f, int dir, bool more_possible)
{
	struct inspect_buf *ib = f->ib;
	enum tls_status s;

	if (dir == 0) {
		bool had = ib->cli.hello;

		s = tls_parse_client(ib->data[0], ib->len[0], ib->dtls, &ib->cli);
		in->st.tls_handshakes += !had && ib->cli.hello;
	} else {
		bool had = ib->srv.certificate;

		s = tls_parse_server(ib->data[1], ib->len[1], ib->dtls, &ib->srv);
		in->st.tls_certificates += !had && ib->srv.certificate;
	}
	/* A certificate message whose leaf has no readable names is broken too. */
	if (dir == 1 && ib->srv.certificate && !ib->srv.subject[0] && !ib->srv.issuer[0])
		s = TLS_MALFORMED;
	if (s == TLS_MORE && !more_possible)
		in->st.gaps++;		/* the flight ended (or could not be followed) before it was whole */
	if (s == TLS_MALFORMED && !ib->malformed) {
		ib->malformed = true;
		in->st.tls_malformed++;
	}
	if (s != TLS_MORE || !more_possible)
		follow_end(in, f, dir);
}

/* Append n bytes to a direction's buffer; false when the bound or the budget stops it. */
static bool append(struct inspect *in, struct inspect_buf *ib, int dir, const uint8_t *p, uint32_t n)
{
	uint32_t want = ib->len[dir] + n, cap = ib->cap[dir];
	bool fits = true;

	if (want > in->cfg.stream_max) {
		want = in->cfg.stream_max;
		fits = false;
	}
	if (want > cap) {
		uint32_t ncap = cap ? cap : STREAM_MIN;

		while (ncap < want)
			ncap = ncap > in->cfg.stream_max / 2 ? in->cfg.stream_max : ncap * 2;
		if (in->buffered + (ncap - cap) > in->cfg.buffer_budget) {
			in->st.over_budget++;
			return false;
		}
		ib->data[dir] = xrealloc(ib->data[dir], ncap);
		in->buffered += ncap - cap;
		ib->cap[dir] = ncap;
		if (in->buffered > in->st.buffered_peak)
			in->st.buffered_peak = in->buffered;
	}
	memcpy(ib->data[dir] + ib->len[dir], p, want - ib->len[dir]);
	ib->len[dir] = want;
	return fits;
}

static void follow_packet(struct inspect *in, struct flow *f, const struct packet *pkt, int dir)
{
	struct inspect_buf *ib = f->ib;
	const uint8_t *p = pkt->payload;
	uint32_t n = pkt->payload_cap;
	bool whole = pkt->payload_cap >= pkt->l4_payload_len, more = true;

	if (f->orig.proto == PROTO_TCP) {
		int32_t off = (int32_t)(pkt->seq - ib->next_seq[dir]);

		if (off > 0) {		/* a segment is missing: the stream cannot be followed */
			in->st.gaps++;
			follow_end(in, f, dir);
			return;
		}
		if ((uint32_t)-off >= pkt->l4_payload_len)
			return;		/* a retransmission of bytes already taken */
		if ((uint32_t)-off >= n) {
			in->st.gaps++;
			follow_end(in, f, dir);
			return;
		}
		p += -off;
		n -= (uint32_t)-off;
		ib->next_seq[dir] = pkt->seq + pkt->l4_payload_len;
	} else if (++ib->datagrams[dir] >= DTLS_MAX_DATAGRAMS) {
		more = false;
	}
	if (!whole)			/* the capture cut the packet short: what follows is unknown */
		more = false;
	if (!append(in, ib, dir, p, n))
		more = false;
	parse(in, f, dir, more);
}

/* Start following direction dir of a TLS/DTLS flow at its first payload packet. */
static void follow_start(struct inspect *in, struct flow *f, const struct packet *pkt, int dir)
{
	struct inspect_buf *ib = f->ib;

	if (!ib) {
		if (in->buffered + sizeof(*ib) + STREAM_MIN > in->cfg.buffer_budget) {
			in->st.over_budget++;
			f->wire |= WIRE_DONE0 | WIRE_DONE1;
			return;
		}
		ib = f->ib = xcalloc(1, sizeof(*ib));
		in->buffered += sizeof(*ib);
		ib->dtls = f->orig.proto == PROTO_UDP;
	}
	ib->follow[dir] = FOLLOW_ON;
	ib->next_seq[dir] = pkt->seq;
	follow_packet(in, f, pkt, dir);
}

void inspect_packet(struct inspect *in, struct flow *f, const struct packet *pkt, int dir)
{
	uint8_t done = (uint8_t)(dir ? WIRE_DONE1 : WIRE_DONE0), start = (uint8_t)(dir ? WIRE_START1 : WIRE_START0);
	bool tcp = f->orig.proto == PROTO_TCP;
	enum service svc;

	if (f->ib && f->ib->follow[dir] == FOLLOW_ON) {
		follow_packet(in, f, pkt, dir);
		return;
	}
	if (!tcp && f->orig.proto != PROTO_UDP) {
		f->wire |= WIRE_DONE0 | WIRE_DONE1;
		return;
	}
	f->wire |= done;
	/*
	 * TCP: only the segment that starts the stream says what the stream
	 * is; and a capture that cut the first bytes short tells nothing.
	 */
	if ((tcp && (!f->tcp[dir].syn_seen || pkt->seq != f->tcp[dir].start_seq + 1)) ||
	    (pkt->payload_cap < pkt->l4_payload_len && pkt->payload_cap < 8)) {
		if (f->ib && f->ib->follow[dir] == FOLLOW_OFF)
			follow_end(in, f, dir);		/* this side's flight will not be seen */
		return;
	}
	if (!(f->wire & (WIRE_START0 | WIRE_START1)))
		in->st.flows++;
	f->wire |= start;
	svc = inspect_sniff(pkt->payload, pkt->payload_cap, f->orig.proto, dir == 0);
	if (f->service == SVC_NONE && svc != SVC_NONE) {
		f->service = (uint8_t)svc;
		in->st.by_service[svc]++;
	}
	/* A handshake is followed from whichever side opened it: the other side answers in kind. */
	if ((svc == SVC_SSL || svc == SVC_DTLS) ||
	    ((f->service == SVC_SSL || f->service == SVC_DTLS) && f->ib && f->ib->follow[dir] == FOLLOW_OFF)) {
		f->wire &= (uint8_t)~done;
		follow_start(in, f, pkt, dir);
	}
}

void inspect_flow_end(struct inspect *in, struct flow *f)
{
	if (!f->ib)
		return;
	if (f->ib->follow[0] == FOLLOW_ON)
		parse(in, f, 0, false);
	if (f->ib && f->ib->follow[1] == FOLLOW_ON)
		parse(in, f, 1, false);
	if (f->ib)
		settle(in, f);
}

void inspect_swap(struct flow *f)
{
	uint8_t w = f->wire;

	f->wire = (uint8_t)(((w & WIRE_DONE0) << 1) | ((w & WIRE_DONE1) >> 1) | ((w & WIRE_START0) << 1) |
			    ((w & WIRE_START1) >> 1));
	if (f->ib) {
		struct inspect_buf *ib = f->ib;
		uint8_t *d = ib->data[0];
		uint32_t l = ib->len[0], c = ib->cap[0], s = ib->next_seq[0];
		uint8_t fo = ib->follow[0], dg = ib->datagrams[0];

		ib->data[0] = ib->data[1], ib->data[1] = d;
		ib->len[0] = ib->len[1], ib->len[1] = l;
		ib->cap[0] = ib->cap[1], ib->cap[1] = c;
		ib->next_seq[0] = ib->next_seq[1], ib->next_seq[1] = s;
		ib->follow[0] = ib->follow[1], ib->follow[1] = fo;
		ib->datagrams[0] = ib->datagrams[1], ib->datagrams[1] = dg;
		/* What was parsed as one side's flight now belongs to the other: parse again from the bytes. */
		memset(&ib->cli, 0, sizeof(ib->cli));
		memset(&ib->srv, 0, sizeof(ib->srv));
	}
}

const struct inspect_stats *inspect_stats(const struct inspect *in)
{
	return &in->st;
}

void inspect_free(struct inspect *in)
{
	if (!in)
		return;
	strtab_free(in->evidence);
	free(in);
}

static void hook_payload(void *in, struct flow *f, const struct packet *pkt, int dir)
{
	inspect_packet(in, f, pkt, dir);
}

static void hook_swapped(void *in, struct flow *f)
{
	(void)in;
	inspect_swap(f);
}

void inspect_tracker_hooks(struct inspect *in, struct tracker_hooks *out)
{
	*out = (struct tracker_hooks){ .payload = hook_payload, .swapped = hook_swapped, .ctx = in };
}

void inspect_release(struct flow *f, void *in)
{
	if (f->ib)
		inspect_flow_end(in, f);
}
