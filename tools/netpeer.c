/* netpeer: a tiny TCP/UDP/ICMP traffic peer for the network-namespace test captures */

/*
 * The test machine has no ping, nc or socat, so tests/netns/make-captures.sh
 * drives its namespaces with this program. Every subcommand is bounded: a
 * packet count, per-operation poll() timeouts, and an alarm() backstop that
 * ends the process whatever it is blocked in.
 *
 * proto-server / proto-client speak a little of an application protocol:
 * given bytes first from the server (a banner such as ICA's), then request /
 * answer rounds, so captures carry real first payload bytes.
 *
 * For the verdict captures (tests/netns/make-verdict-captures.sh): clients
 * can bind a local address (--bind-addr, many clients in one namespace) and
 * give up a connect after milliseconds (--connect-ms, before the kernel's
 * first SYN retransmission at 1 s); servers can take several connections
 * (--accept N, each in its own child process); proto-server can follow its
 * last answer with a long paced stream (--stream N, --stream-pause-ms M) and
 * abort instead of waiting for the client's FIN (--rst).
 *
 * Exit status: 0 done, 1 system error, 2 usage, 3 connection refused,
 * 4 timeout (no answer), 5 unreachable / prohibited (an ICMP error),
 * 6 connection reset by the peer.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum exit_code {
	EXIT_DONE = 0,
	EXIT_SYSTEM = 1,
	EXIT_USAGE = 2,
	EXIT_REFUSED = 3,
	EXIT_TIMEOUT = 4,
	EXIT_UNREACH = 5,
	EXIT_RESET = 6,
};

enum {
	MAX_COUNT = 1000,	/* datagrams, echo requests */
	MAX_BYTES = 1 << 20,	/* bytes sent or expected in one direction */
	MAX_SECONDS = 120,	/* any timeout */
	MAX_MSGS = 16,		/* rounds of proto-client / proto-server */
	MAX_MSG = 16384,	/* bytes in one MSG */
	MAX_STREAM = 64 << 20,	/* proto-server --stream */
	MAX_ACCEPT = 64,	/* servers: connections with --accept */
	STREAM_CHUNK = 65536,	/* --stream is sent in chunks of this size */
};

/* Options shared by all subcommands; each uses the ones it needs. */
struct opts {
	const char *addr;
	int port;
	int bind_port;		/* client source port, 0 = kernel's choice */
	const char *bind_addr;	/* client source address, NULL = kernel's choice */
	int connect_ms;		/* clients: connect timeout in ms, 0 = --timeout */
	int accept_n;		/* servers: connections to take, each in a child */
	long stream_len;	/* proto-server: bytes sent after the last answer */
	int stream_pause_ms;	/* proto-server: pause after each chunk of the stream */
	long send_len;		/* tcp-client: request bytes */
	long reply_len;		/* tcp-server: reply bytes */
	long expect_len;	/* tcp-client: reply bytes to wait for, -1 = until idle/EOF */
	int count;
	long size;
	int interval_ms;
	int delay_ms;		/* pause before replying / closing, so ACKs go out on their own */
	double wait_reply;	/* udp-client: seconds to wait for each reply, 0 = none */
	int timeout;		/* seconds for one operation */
	int alarm_s;		/* hard backstop for the whole process */
	int echo_id;
	bool rst;		/* abort with SO_LINGER {1, 0} instead of closing */
	bool rst_after_accept;
	bool echo;
	const char *ready_file;
	/* proto-server / proto-client */
	const char *greet;	/* MSG the server sends first, right after accept */
	const char *say[MAX_MSGS];	/* MSG the client sends in round i */
	int nsay;
	const char *answer[MAX_MSGS];	/* MSG the server answers in round i */
	int nanswer;
	long read_greet;	/* bytes the client reads before its first round */
	int hold_ms;		/* client: after the rounds, wait this long for the peer */
};

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "netpeer: hard time limit reached\n";
	ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)r;
	_exit(EXIT_TIMEOUT);
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int parse_addr(const char *text, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_family = AF_UNSPEC };
	struct addrinfo *res;
	int rc = getaddrinfo(text, NULL, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "netpeer: bad address %s: %s\n", text, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	return 0;
}

/* Wildcard address of the same family, with the given port. */
static void any_addr(int family, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof *s4;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof *s6;
	}
}

static void signal_ready(const struct opts *o)
{
	if (!o->ready_file)
		return;
	FILE *f = fopen(o->ready_file, "w");
	if (f) {
		fprintf(f, "ready\n");
		fclose(f);
	}
}

/* Wait until fd is readable (or writable); 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int rc;
	do
		rc = poll(&p, 1, timeout_ms);
	while (rc == -1 && errno == EINTR);
	return rc;
}

static int exit_for_errno(int err)
{
	switch (err) {
	case ECONNREFUSED: return EXIT_REFUSED;
	case ETIMEDOUT: return EXIT_TIMEOUT;
	case EHOSTUNREACH: case ENETUNREACH: case EACCES: case EPERM: return EXIT_UNREACH;
	case ECONNRESET: case EPIPE: return EXIT_RESET;
	default: return EXIT_SYSTEM;
	}
}

static void fill_pattern(char *buf, long n, char base)
{
	for (long i = 0; i < n; i++)
		buf[i] = (char)(base + i % 26);
}

static int send_all(int fd, long n, char base)
{
	static char buf[65536];
	while (n > 0) {
		long chunk = n < (long)sizeof buf ? n : (long)sizeof buf;
		fill_pattern(buf, chunk, base);
		ssize_t w = send(fd, buf, (size_t)chunk, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		n -= w;
	}
	return 0;
}

/*
 * Read until want bytes (want >= 0), EOF, or idle_ms without data.
 * Returns bytes read, or -errno.
 */
static long read_some(int fd, long want, int first_ms, int idle_ms)
{
	char buf[65536];
	long got = 0;
	int wait_ms = first_ms;
	while (want < 0 || got < want) {
		int rc = wait_fd(fd, POLLIN, wait_ms);
		if (rc <= 0)
			break;
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		got += r;
		wait_ms = idle_ms;
	}
	return got;
}

static void abort_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(fd);
}

/* A socket bound to port (0 = none) on bind_addr (NULL = the wildcard address). */
static int open_bound_addr(int family, int type, int proto, const char *bind_addr, int port)
{
	int fd = socket(family, type, proto);
	if (fd < 0) {
		perror("netpeer: socket");
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (port > 0 || bind_addr) {
		struct sockaddr_storage ss;
		socklen_t len;
		if (bind_addr) {
			if (parse_addr(bind_addr, port, &ss, &len) < 0 || ss.ss_family != family) {
				fprintf(stderr, "netpeer: --bind-addr %s: not an address of the peer's family\n", bind_addr);
				close(fd);
				return -1;
			}
		} else {
			any_addr(family, port, &ss, &len);
		}
		if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
			perror("netpeer: bind");
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int open_bound(int family, int type, int proto, int port)
{
	return open_bound_addr(family, type, proto, NULL, port);
}

/* A connection handler of a TCP server: runs the session on fd and closes it; returns an exit code. */
typedef int (*conn_handler)(const struct opts *o, int fd);

/*
 * Listen on --addr/--port, say ready, then accept one connection (bounded by
 * --timeout) and run h on it. With --accept N (N > 1), accept up to N
 * connections, each waited for at most --timeout, and run h on each in a
 * child process; the exit status is the first child's that is not 0 (or
 * EXIT_TIMEOUT when fewer than N came), once every child ended.
 */
static int tcp_serve(const struct opts *o, conn_handler h)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_addr(o->addr, o->port, &ss, &len) < 0)
		return EXIT_USAGE;
	int lfd = open_bound(ss.ss_family, SOCK_STREAM, 0, 0);
	if (lfd < 0)
		return EXIT_SYSTEM;
	int backlog = o->accept_n > 4 ? o->accept_n : 4;
	if (bind(lfd, (struct sockaddr *)&ss, len) < 0 || listen(lfd, backlog) < 0) {
		perror("netpeer: bind/listen");
		return EXIT_SYSTEM;
	}
	signal_ready(o);
	if (o->accept_n <= 1) {
		if (wait_fd(lfd, POLLIN, o->timeout * 1000) <= 0) {
			fprintf(stderr, "netpeer: no connection within %d s\n", o->timeout);
			return EXIT_TIMEOUT;
		}
		int fd = accept(lfd, NULL, NULL);
		close(lfd);
		if (fd < 0) {
			perror("netpeer: accept");
			return EXIT_SYSTEM;
		}
		return h(o, fd);
	}
	pid_t kids[MAX_ACCEPT];
	int nkids = 0, worst = EXIT_DONE;
	for (int i = 0; i < o->accept_n; i++) {
		if (wait_fd(lfd, POLLIN, o->timeout * 1000) <= 0) {
			fprintf(stderr, "netpeer: %d of %d connections within %d s\n", i, o->accept_n, o->timeout);
			worst = EXIT_TIMEOUT;
			break;
		}
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			perror("netpeer: accept");
			worst = EXIT_SYSTEM;
			break;
		}
		/* alarm() is not inherited: the child gets what is left of ours. */
		unsigned left = alarm(0);
		alarm(left);
		pid_t pid = fork();
		if (pid == 0) {
			close(lfd);
			alarm(left ? left : 1);
			_exit(h(o, fd));
		}
		close(fd);
		if (pid < 0) {
			perror("netpeer: fork");
			worst = EXIT_SYSTEM;
			break;
		}
		kids[nkids++] = pid;
	}
	close(lfd);
	for (int i = 0; i < nkids; i++) {
		int st = 0;
		while (waitpid(kids[i], &st, 0) < 0 && errno == EINTR)
			;
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_SYSTEM;
		if (code != EXIT_DONE && worst == EXIT_DONE)
			worst = code;
	}
	return worst;
}

static int tcp_server_conn(const struct opts *o, int fd)
{
	int rc;
	if (o->rst_after_accept) {
		msleep(o->delay_ms);
		abort_close(fd);
		return EXIT_DONE;
	}
	long got = read_some(fd, -1, o->timeout * 1000, 200);
	if (got < 0) {
		close(fd);
		return exit_for_errno((int)-got);
	}
	msleep(o->delay_ms);
	rc = send_all(fd, o->reply_len, 'a');
	if (rc < 0) {
		close(fd);
		return exit_for_errno(-rc);
	}
	if (o->rst) {
		msleep(o->delay_ms);
		abort_close(fd);
		return EXIT_DONE;
	}
	/* Wait for the client's FIN (EOF), then close: the client closes first. */
	long tail = read_some(fd, -1, o->timeout * 1000, o->timeout * 1000);
	close(fd);
	return tail < 0 ? exit_for_errno((int)-tail) : EXIT_DONE;
}

static int tcp_server(const struct opts *o)
{
	return tcp_serve(o, tcp_server_conn);
}

/* Non-blocking connect bounded by timeout_ms; returns 0 or an exit code. */
static int connect_bounded(int fd, const struct sockaddr_storage *ss, socklen_t len, int timeout_ms)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, (const struct sockaddr *)ss, len) < 0 && errno != EINPROGRESS)
		return exit_for_errno(errno);
	int rc = wait_fd(fd, POLLOUT, timeout_ms);
	if (rc == 0) {
		fprintf(stderr, "netpeer: connect timed out after %d ms\n", timeout_ms);
		return EXIT_TIMEOUT;
	}
	int err = 0;
	socklen_t elen = sizeof err;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	if (rc < 0 || err) {
		fprintf(stderr, "netpeer: connect: %s\n", strerror(err ? err : errno));
		return exit_for_errno(err ? err : errno);
	}
	fcntl(fd, F_SETFL, fl);
	return 0;
}

/* Connect from --bind-port to --addr/--port (bounded by --timeout): EXIT_DONE and *out, or why not. */
static int tcp_connect_to(const struct opts *o, int *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_addr(o->addr, o->port, &ss, &len) < 0)
		return EXIT_USAGE;
	int fd = open_bound_addr(ss.ss_family, SOCK_STREAM, 0, o->bind_addr, o->bind_port);
	if (fd < 0)
		return EXIT_SYSTEM;
	int rc = connect_bounded(fd, &ss, len, o->connect_ms > 0 ? o->connect_ms : o->timeout * 1000);
	if (rc != 0) {
		close(fd);
		return rc;
	}
	*out = fd;
	return EXIT_DONE;
}

static int tcp_client(const struct opts *o)
{
	int fd, rc = tcp_connect_to(o, &fd);
	if (rc != EXIT_DONE)
		return rc;
	rc = send_all(fd, o->send_len, 'A');
	if (rc < 0) {
		close(fd);
		return exit_for_errno(-rc);
	}
	int idle = o->expect_len < 0 ? 1000 : o->timeout * 1000;
	long got = read_some(fd, o->expect_len, o->timeout * 1000, idle);
	if (got < 0) {
		fprintf(stderr, "netpeer: read: %s\n", strerror((int)-got));
		close(fd);
		return exit_for_errno((int)-got);
	}
	printf("received %ld\n", got);
	msleep(o->delay_ms);
	if (o->rst)
		abort_close(fd);
	else
		close(fd);
	return (o->expect_len >= 0 && got < o->expect_len) ? EXIT_TIMEOUT : EXIT_DONE;
}

static int udp_server(const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_addr(o->addr, o->port, &ss, &len) < 0)
		return EXIT_USAGE;
	int fd = open_bound(ss.ss_family, SOCK_DGRAM, 0, 0);
	if (fd < 0)
		return EXIT_SYSTEM;
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("netpeer: bind");
		return EXIT_SYSTEM;
	}
	signal_ready(o);
	static char buf[65536];
	for (int i = 0; i < o->count; i++) {
		if (wait_fd(fd, POLLIN, o->timeout * 1000) <= 0) {
			fprintf(stderr, "netpeer: got %d of %d datagrams\n", i, o->count);
			close(fd);
			return EXIT_TIMEOUT;
		}
		struct sockaddr_storage peer;
		socklen_t plen = sizeof peer;
		ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
		if (r < 0)
			continue;
		if (o->echo) {
			msleep(o->delay_ms);
			sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&peer, plen);
		}
	}
	close(fd);
	return EXIT_DONE;
}

static int udp_client(const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_addr(o->addr, o->port, &ss, &len) < 0)
		return EXIT_USAGE;
	int fd = open_bound_addr(ss.ss_family, SOCK_DGRAM, 0, o->bind_addr, o->bind_port);
	if (fd < 0)
		return EXIT_SYSTEM;
	static char buf[65536];
	int replies = 0;
	for (int i = 0; i < o->count; i++) {
		if (i > 0)
			msleep(o->interval_ms);
		fill_pattern(buf, o->size, (char)('A' + i % 26));
		if (sendto(fd, buf, (size_t)o->size, 0, (struct sockaddr *)&ss, len) < 0) {
			perror("netpeer: sendto");
			close(fd);
			return exit_for_errno(errno);
		}
		if (o->wait_reply > 0 && wait_fd(fd, POLLIN, (int)(o->wait_reply * 1000)) > 0 &&
		    recv(fd, buf, sizeof buf, 0) >= 0)
			replies++;
	}
	close(fd);
	printf("replies %d\n", replies);
	return (o->wait_reply > 0 && replies < o->count) ? EXIT_TIMEOUT : EXIT_DONE;
}

static uint16_t inet_sum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Is buf (from a raw socket) an echo reply to us? v4 raw sockets include the IP header. */
static bool is_our_reply(const uint8_t *buf, ssize_t n, int family, int id)
{
	if (family == AF_INET) {
		if (n < 20)
			return false;
		size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
		if ((size_t)n < ihl + 8)
			return false;
		buf += ihl;
		return buf[0] == ICMP_ECHOREPLY && (buf[4] << 8 | buf[5]) == id;
	}
	return n >= 8 && buf[0] == ICMP6_ECHO_REPLY && (buf[4] << 8 | buf[5]) == id;
}

static int icmp_echo(const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_addr(o->addr, 0, &ss, &len) < 0)
		return EXIT_USAGE;
	int v6 = ss.ss_family == AF_INET6;
	int fd = socket(ss.ss_family, SOCK_RAW, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (fd < 0) {
		perror("netpeer: raw socket");
		return EXIT_SYSTEM;
	}
	uint8_t pkt[8 + 1472];
	uint8_t buf[2048];
	long size = o->size > 1472 ? 1472 : o->size;
	int replies = 0;
	for (int seq = 1; seq <= o->count; seq++) {
		if (seq > 1)
			msleep(o->interval_ms);
		memset(pkt, 0, 8);
		pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
		pkt[4] = (uint8_t)(o->echo_id >> 8);
		pkt[5] = (uint8_t)o->echo_id;
		pkt[6] = (uint8_t)(seq >> 8);
		pkt[7] = (uint8_t)seq;
		fill_pattern((char *)pkt + 8, size, 'a');
		if (!v6) {	/* the kernel fills the ICMPv6 checksum itself */
			uint16_t c = inet_sum(pkt, 8 + (size_t)size);
			pkt[2] = (uint8_t)(c >> 8);
			pkt[3] = (uint8_t)c;
		}
		if (sendto(fd, pkt, 8 + (size_t)size, 0, (struct sockaddr *)&ss, len) < 0) {
			perror("netpeer: sendto");
			close(fd);
			return exit_for_errno(errno);
		}
		for (int tries = 0; tries < 16; tries++) {
			if (wait_fd(fd, POLLIN, o->timeout * 1000) <= 0)
				break;
			ssize_t r = recv(fd, buf, sizeof buf, 0);
			if (r > 0 && is_our_reply(buf, r, ss.ss_family, o->echo_id)) {
				replies++;
				break;
			}
		}
	}
	close(fd);
	printf("replies %d\n", replies);
	return replies == o->count ? EXIT_DONE : EXIT_TIMEOUT;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/*
 * A MSG of proto-server / proto-client: hex bytes, then optionally "+N" for N
 * bytes of the fill pattern (base), e.g. "7f7f49434100+200". Decodes into buf
 * (MAX_MSG bytes); returns the length, or -1 if the text is not a MSG.
 */
static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long decode_msg(const char *text, char *buf, char base)
{
	long n = 0;
	const char *p = text;
	for (; *p && *p != '+'; p += 2) {
		int hi = hex_digit(p[0]), lo = hex_digit(p[1]);
		if (hi < 0 || lo < 0 || n >= MAX_MSG)
			return -1;
		buf[n++] = (char)(hi << 4 | lo);
	}
	if (*p == '+') {
		long extra;
		if (!parse_long(p + 1, 0, MAX_MSG, &extra) || n + extra > MAX_MSG)
			return -1;
		fill_pattern(buf + n, extra, base);
		n += extra;
	}
	return n;
}

/* Send one MSG whole; 0 or -errno. */
static int send_msg(int fd, const char *text, char base)
{
	static char buf[MAX_MSG];
	long n = decode_msg(text, buf, base);
	long off = 0;
	while (off < n) {
		ssize_t w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += w;
	}
	return 0;
}

/* --stream: len bytes of the fill pattern in chunks, with a pause after each; 0 or -errno. */
static int send_stream(int fd, long len, int pause_ms)
{
	while (len > 0) {
		long chunk = len < STREAM_CHUNK ? len : STREAM_CHUNK;
		int rc = send_all(fd, chunk, 'a');
		if (rc < 0)
			return rc;
		len -= chunk;
		if (len > 0 && pause_ms > 0)
			msleep(pause_ms);
	}
	return 0;
}

/*
 * proto-server: accept one connection (--accept N: N, each in a child); send
 * --greet first (if given); then for each --answer: read a request (until
 * 200 ms idle), wait --delay-ms, send the answer; then --stream bytes (if
 * given, after all the rounds). Then wait for the client's FIN (or reset)
 * and close, or with --rst wait --delay-ms and abort (SO_LINGER 0).
 */
static int proto_server_conn(const struct opts *o, int fd)
{
	int rc = o->greet ? send_msg(fd, o->greet, 'a') : 0;
	long got = 0;
	int i;
	for (i = 0; rc == 0 && i < o->nanswer; i++) {
		got = read_some(fd, -1, o->timeout * 1000, 200);
		if (got <= 0)
			break;
		msleep(o->delay_ms);
		rc = send_msg(fd, o->answer[i], 'a');
	}
	if (rc == 0 && got >= 0 && i == o->nanswer && o->stream_len > 0)
		rc = send_stream(fd, o->stream_len, o->stream_pause_ms);
	if (rc < 0 || got < 0) {
		close(fd);
		return exit_for_errno(rc < 0 ? -rc : (int)-got);
	}
	if (o->rst) {
		msleep(o->delay_ms);
		abort_close(fd);
		return EXIT_DONE;
	}
	/* The client closes first (or aborts): wait for its FIN, then close. */
	long tail = read_some(fd, -1, o->timeout * 1000, o->timeout * 1000);
	close(fd);
	return tail < 0 ? exit_for_errno((int)-tail) : EXIT_DONE;
}

static int proto_server(const struct opts *o)
{
	return tcp_serve(o, proto_server_conn);
}

/*
 * proto-client: connect; read --read-greet bytes (the server speaks first);
 * then for each --say: wait --delay-ms, send it, read the answer (up to 1 s
 * for its first byte, then until 200 ms idle). Then wait up to --hold-ms for
 * the peer (a reset ends the wait: exit 6), wait --delay-ms and close, or
 * abort with SO_LINGER 0 (--rst).
 */
static int proto_client(const struct opts *o)
{
	int fd, rc = tcp_connect_to(o, &fd);
	if (rc != EXIT_DONE)
		return rc;
	long total = 0, got = 0;
	if (o->read_greet > 0) {
		got = read_some(fd, o->read_greet, o->timeout * 1000, o->timeout * 1000);
		if (got >= 0 && got < o->read_greet) {
			fprintf(stderr, "netpeer: greeting: %ld of %ld bytes\n", got, o->read_greet);
			close(fd);
			return EXIT_TIMEOUT;
		}
		total += got > 0 ? got : 0;
	}
	for (int i = 0; got >= 0 && i < o->nsay; i++) {
		msleep(o->delay_ms);
		rc = send_msg(fd, o->say[i], 'A');
		if (rc < 0) {
			close(fd);
			return exit_for_errno(-rc);
		}
		got = read_some(fd, -1, 1000, 200);
		total += got > 0 ? got : 0;
	}
	if (got >= 0 && o->hold_ms > 0)
		got = read_some(fd, -1, o->hold_ms, o->hold_ms);
	printf("received %ld\n", total);
	if (got < 0) {
		fprintf(stderr, "netpeer: read: %s\n", strerror((int)-got));
		close(fd);
		return exit_for_errno((int)-got);
	}
	msleep(o->delay_ms);
	if (o->rst)
		abort_close(fd);
	else
		close(fd);
	return EXIT_DONE;
}

static void usage(void)
{
	fputs("usage: netpeer tcp-server ADDR PORT [--reply N] [--rst] [--rst-after-accept] [--once] [--accept N]\n"
	      "       netpeer tcp-client ADDR PORT [--send N] [--expect N] [--rst] [--bind-port P]\n"
	      "       netpeer udp-server ADDR PORT [--echo] [--count N]\n"
	      "       netpeer udp-client ADDR PORT [--count N] [--size N] [--wait-reply S] [--bind-port P]\n"
	      "       netpeer icmp-echo ADDR [--count N] [--size N] [--id N]\n"
	      "       netpeer proto-server ADDR PORT [--greet MSG] [--answer MSG]... [--stream N]\n"
	      "               [--stream-pause-ms M] [--rst] [--accept N]\n"
	      "       netpeer proto-client ADDR PORT [--read-greet N] [--say MSG]... [--hold-ms M] [--rst]\n"
	      "               [--bind-port P]\n"
	      "MSG: hex bytes, then optionally +N bytes of a fill pattern (7f7f49434100+200)\n"
	      "clients: [--bind-addr A] (local address) [--connect-ms M] (connect timeout, instead of --timeout)\n"
	      "common: [--timeout S] [--delay-ms M] [--interval-ms M] [--ready FILE] [--alarm S]\n",
	      stderr);
}

static bool parse_option(struct opts *o, const char *name, const char *val, bool *used_val)
{
	long v = 0;
	*used_val = true;
	struct { const char *name; long lo, hi; } num[] = {
		{ "--reply", 0, MAX_BYTES }, { "--send", 0, MAX_BYTES }, { "--expect", 0, MAX_BYTES },
		{ "--count", 1, MAX_COUNT }, { "--size", 0, 65000 }, { "--interval-ms", 0, 10000 },
		{ "--delay-ms", 0, 10000 }, { "--timeout", 1, MAX_SECONDS }, { "--alarm", 1, MAX_SECONDS },
		{ "--bind-port", 1, 65535 }, { "--id", 0, 65535 }, { "--wait-reply", 0, 30 },
		{ "--read-greet", 0, MAX_MSG }, { "--hold-ms", 0, MAX_SECONDS * 1000 },
		{ "--connect-ms", 1, MAX_SECONDS * 1000 }, { "--accept", 1, MAX_ACCEPT },
		{ "--stream", 0, MAX_STREAM }, { "--stream-pause-ms", 0, 10000 },
	};
	for (size_t i = 0; i < sizeof num / sizeof num[0]; i++) {
		if (strcmp(name, num[i].name) != 0)
			continue;
		if (!val || !parse_long(val, num[i].lo, num[i].hi, &v))
			return false;
		switch (i) {
		case 0: o->reply_len = v; break;
		case 1: o->send_len = v; break;
		case 2: o->expect_len = v; break;
		case 3: o->count = (int)v; break;
		case 4: o->size = v; break;
		case 5: o->interval_ms = (int)v; break;
		case 6: o->delay_ms = (int)v; break;
		case 7: o->timeout = (int)v; break;
		case 8: o->alarm_s = (int)v; break;
		case 9: o->bind_port = (int)v; break;
		case 10: o->echo_id = (int)v; break;
		case 11: o->wait_reply = (double)v; break;
		case 12: o->read_greet = v; break;
		case 13: o->hold_ms = (int)v; break;
		case 14: o->connect_ms = (int)v; break;
		case 15: o->accept_n = (int)v; break;
		case 16: o->stream_len = v; break;
		case 17: o->stream_pause_ms = (int)v; break;
		}
		return true;
	}
	if (strcmp(name, "--ready") == 0 && val) {
		o->ready_file = val;
		return true;
	}
	if (strcmp(name, "--bind-addr") == 0 && val) {
		o->bind_addr = val;
		return true;
	}
	if (strcmp(name, "--greet") == 0 || strcmp(name, "--say") == 0 || strcmp(name, "--answer") == 0) {
		static char check[MAX_MSG];
		if (!val || decode_msg(val, check, 'a') < 0)
			return false;
		if (name[2] == 'g')
			o->greet = val;
		else if (name[2] == 's' && o->nsay < MAX_MSGS)
			o->say[o->nsay++] = val;
		else if (name[2] == 'a' && o->nanswer < MAX_MSGS)
			o->answer[o->nanswer++] = val;
		else
			return false;
		return true;
	}
	*used_val = false;
	if (strcmp(name, "--rst") == 0)
		o->rst = true;
	else if (strcmp(name, "--rst-after-accept") == 0)
		o->rst_after_accept = true;
	else if (strcmp(name, "--echo") == 0)
		o->echo = true;
	else if (strcmp(name, "--once") != 0)	/* servers always handle one connection */
		return false;
	return true;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.expect_len = -1, .count = 1, .size = 64, .interval_ms = 200, .delay_ms = 100,
		.timeout = 5, .alarm_s = 30, .echo_id = 0x4641,
	};
	if (argc < 3) {
		usage();
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	o.addr = argv[2];
	int i = 3;
	if (strcmp(cmd, "icmp-echo") != 0) {
		long p;
		if (argc < 4 || !parse_long(argv[3], 1, 65535, &p)) {
			usage();
			return EXIT_USAGE;
		}
		o.port = (int)p;
		i = 4;
	}
	for (; i < argc; i++) {
		bool used_val;
		if (!parse_option(&o, argv[i], i + 1 < argc ? argv[i + 1] : NULL, &used_val)) {
			fprintf(stderr, "netpeer: bad option %s\n", argv[i]);
			usage();
			return EXIT_USAGE;
		}
		if (used_val)
			i++;
	}
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)o.alarm_s);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (strcmp(cmd, "tcp-server") == 0)
		return tcp_server(&o);
	if (strcmp(cmd, "tcp-client") == 0)
		return tcp_client(&o);
	if (strcmp(cmd, "udp-server") == 0)
		return udp_server(&o);
	if (strcmp(cmd, "udp-client") == 0)
		return udp_client(&o);
	if (strcmp(cmd, "icmp-echo") == 0)
		return icmp_echo(&o);
	if (strcmp(cmd, "proto-server") == 0)
		return proto_server(&o);
	if (strcmp(cmd, "proto-client") == 0)
		return proto_client(&o);
	usage();
	return EXIT_USAGE;
}
