#!/bin/bash
# make-payload-captures.sh: the payload-inspection captures (issue 8) from real software in network namespaces
#
# usage: tests/netns/make-payload-captures.sh [OUTDIR] [SECTION ...]
#
# OUTDIR defaults to pcaps/ of this tree; SECTIONs are the capture names
# below (default: all). Needs root, `ip netns`, openssl, tc and a C compiler
# with libpcap (else prints SKIP, exits 77). About a minute. Run by hand, not
# by make check; check the captures (pcaps/README.md) before committing.
#
# Tools: $NETPEER, $RSTINJECT and $CRAFT (a build tree's tools/netpeer,
# tools/rstinject, tools/craft) when set, else built here from tools/*.c.
# The test CA material (keys and certificates named like Zscaler's and
# DigiCert's) is made afresh in a temporary directory and deleted on exit:
# no private key is ever written to the tree.
#
# Addresses (see lib.sh for the two-host pair; here on another /24):
#   client 198.18.3.1, 2001:db8:3::1   server 198.18.3.2, 2001:db8:3::2
#   middlebox-reset only: client 198.18.3.1/24 -- router 198.18.3.254 | 198.18.4.254
#   -- server 198.18.4.2/24, captured on a mirror of both router egresses.
# Client ports (fixed: s_client -bind, netpeer --bind-port): 45001-45012;
# crafted tls-malformed: 45021-45023.
#
#   tls12-intercepted  45001 -> 198.18.3.2 tcp 443   TLS 1.2, SNI connector.cloud.com, chain "Zscaler"
#   tls12-public       45002 -> 198.18.3.2 tcp 443   TLS 1.2, SNI customer.xendesktop.net, chain "DigiCert"
#   tls13-cloud        45003 -> [2001:db8:3::2] tcp 443  TLS 1.3, SNI connector.cloud.com, chain "Zscaler"
#   dtls12             45004 -> 198.18.3.2 udp 443   DTLS 1.2, SNI customer.xendesktop.net, chain "DigiCert"
#   ica-cgp            45005 (v4), 45006 (v6) -> tcp 1494 ICA banner; 45007 -> tcp 2598 CGP
#   wrong-protocol     45008 -> tcp 2598 HTTP; 45009 -> tcp 1494 SSH banner; 45010 -> tcp 1495 ICA banner
#   middlebox-reset    45011 -> 198.18.4.2 tcp 1494 forged RSTs (tools/rstinject); 45012 genuine RST
#   tls-malformed      crafted by tools/craft tls-malformed (45021-45023 -> tcp 443)

# Scenario functions are called indirectly ("sc_${name}"), which shellcheck cannot see.
# shellcheck disable=SC2317
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/pcaps}
[ $# -gt 0 ] && shift

# shellcheck source=tests/netns/lib.sh
. "$here/lib.sh"
fa_require
for t in openssl tc gcc pkg-config chrt taskset; do
	command -v "$t" >/dev/null 2>&1 || fa_skip "$t not installed"
done

# The two-host pair of lib.sh, on the payload captures' own addresses.
FA_CLI4=198.18.3.1
FA_SRV4=198.18.3.2
FA_CLI6=2001:db8:3::1
FA_SRV6=2001:db8:3::2
FA_CLI_MAC=02:fa:00:00:03:01
FA_SRV_MAC=02:fa:00:00:03:02

# middlebox-reset: router and sensor namespaces (besides lib.sh's cli and srv).
MB_RTR=
MB_MON=
MB_SRV4=198.18.4.2
MB_RTR_CLI4=198.18.3.254
MB_RTR_SRV4=198.18.4.254
MB_RTR_CLI_MAC=02:fa:00:00:03:fe
MB_RTR_SRV_MAC=02:fa:00:00:04:fe
MB_SRV_MAC=02:fa:00:00:04:02

mb_teardown() {
	local ns
	for ns in "$MB_RTR" "$MB_MON"; do
		if [ -n "$ns" ]; then ip netns delete "$ns" 2>/dev/null || true; fi
	done
	MB_RTR=
	MB_MON=
}
# lib.sh's cleanup is not written for errexit (kill of a PID that already ended fails).
trap 'rc=$?; set +e; mb_teardown; fa_cleanup; exit $rc' EXIT

mkdir -p "$out" || fa_die "cannot create $out"
out=$(cd "$out" && pwd)

# tool VAR NAME [LIBS...]: VAR keeps the build tree's binary it names, else tools/NAME.c is built here.
tool() {
	local var=$1 name=$2
	shift 2
	if [ -z "${!var:-}" ] || [ ! -x "${!var}" ]; then
		fa_build_tool "$name" "$var" "$@"
	fi
}
PCAP_LIBS=$(pkg-config --cflags --libs libpcap 2>/dev/null || echo -lpcap)
tool NETPEER netpeer
FA_NETPEER=$NETPEER
# shellcheck disable=SC2086 # pkg-config's words
tool RSTINJECT rstinject $PCAP_LIBS
# shellcheck disable=SC2086
tool CRAFT craft $PCAP_LIBS

FAILED=0

# wait_rc PID SECS: wait (bounded) for a PID we started (not in a subshell: it must be our
# child); WAIT_RC is its exit status, or "killed" when it had to be killed after SECS.
wait_rc() {
	if live_wait "$1" "$2"; then WAIT_RC=$LIVE_RC; else WAIT_RC=killed; fi
}

# --- test CA material -------------------------------------------------------

PKI=$FA_TMP/pki

# serial: a random 64-bit serial number with its top bits 0101, so that its DER
# encoding is always 8 bytes (and the certificates, the same length every run).
serial() { printf '0x5%s\n' "$(openssl rand -hex 8 | cut -c2-)"; }

# ca NAME SUBJECT [ISSUER]: a CA certificate (self-signed without ISSUER).
ca() {
	local name=$1 subj=$2 issuer=${3:-}
	if [ -z "$issuer" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "$subj" \
			-keyout "$PKI/$name.key" -out "$PKI/$name.pem" \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
			2>/dev/null || fa_die "openssl: root CA $name"
		return
	fi
	openssl req -new -newkey rsa:2048 -nodes -subj "$subj" -keyout "$PKI/$name.key" \
		-out "$PKI/$name.csr" 2>/dev/null || fa_die "openssl: request $name"
	printf '%s\n' 'basicConstraints=critical,CA:TRUE,pathlen:0' 'keyUsage=critical,keyCertSign,cRLSign' \
		'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid' >"$PKI/$name.ext"
	openssl x509 -req -sha256 -days 1825 -in "$PKI/$name.csr" -CA "$PKI/$issuer.pem" \
		-CAkey "$PKI/$issuer.key" -set_serial "$(serial)" -extfile "$PKI/$name.ext" \
		-out "$PKI/$name.pem" 2>/dev/null || fa_die "openssl: CA $name"
}

# leaf NAME SUBJECT ISSUER SAN: a TLS server certificate.
leaf() {
	local name=$1 subj=$2 issuer=$3 san=$4
	openssl req -new -newkey rsa:2048 -nodes -subj "$subj" -keyout "$PKI/$name.key" \
		-out "$PKI/$name.csr" 2>/dev/null || fa_die "openssl: request $name"
	printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
		'extendedKeyUsage=serverAuth' "subjectAltName=$san" 'authorityKeyIdentifier=keyid' >"$PKI/$name.ext"
	openssl x509 -req -sha256 -days 397 -in "$PKI/$name.csr" -CA "$PKI/$issuer.pem" \
		-CAkey "$PKI/$issuer.key" -set_serial "$(serial)" -extfile "$PKI/$name.ext" \
		-out "$PKI/$name.pem" 2>/dev/null || fa_die "openssl: certificate $name"
}

make_pki() {
	mkdir -p "$PKI"
	chmod 700 "$PKI"
	# An inspection proxy's CA (named like Zscaler's) and the leaf it forges for *.cloud.com.
	ca zs-root '/C=US/ST=California/L=San Jose/O=Zscaler Inc./OU=Zscaler Inc./CN=Zscaler Root CA'
	ca zs-inter '/C=US/O=Zscaler Inc./OU=Zscaler Inc./CN=Zscaler Intermediate Root CA (zscaler.net)' zs-root
	leaf zs-leaf '/C=US/ST=Florida/L=Fort Lauderdale/O=Cloud Software Group, Inc./CN=*.cloud.com' zs-inter \
		'DNS:*.cloud.com,DNS:cloud.com'
	# A public CA (named like DigiCert's) and a Citrix Cloud leaf it issued.
	ca dc-root '/C=US/O=DigiCert Inc/OU=www.digicert.com/CN=DigiCert Global Root G2'
	ca dc-inter '/C=US/O=DigiCert Inc/CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1' dc-root
	leaf dc-leaf '/C=US/ST=Florida/L=Fort Lauderdale/O=Cloud Software Group, Inc./CN=*.xendesktop.net' \
		dc-inter 'DNS:*.xendesktop.net,DNS:xendesktop.net'
}

# --- TLS and DTLS with openssl ----------------------------------------------

# The first CPU this script may run on (s_client and s_server share it, see tls_pair).
CPU=$(taskset -pc $$ | sed 's/.*: *//; s/[,-].*//')

# lines_after DELAY GAP TAIL LINES...: shell text that prints LINES one by one
# after DELAY seconds, GAP seconds apart, then waits TAIL seconds (the input of
# s_client or s_server, which end their connection when it ends).
lines_after() {
	local text="sleep $1; " gap=$2 tail=$3 line
	shift 3
	for line in "$@"; do
		text+="printf '%s\\n' '$line'; sleep $gap; "
	done
	printf '{ %s sleep %s; }' "$text" "$tail"
}

# tls_pair CHAIN SERVER_ACCEPT CLIENT_CONNECT CLIENT_BIND SNI VERSION_FLAG LINES...
# openssl s_server (one connection: -naccept 1) with CHAIN's leaf and
# intermediate on the wire, and s_client sending LINES 0.3 s apart, then
# ending its input: close_notify and FIN from s_client, then from s_server.
# Over TLS the server answers each line reversed (-rev); over DTLS (where
# s_server has no -rev) it sends its own lines ("ack: LINE") from its input,
# 0.75 s after it starts and 0.3 s apart: timed, so they fall between the
# client's, each about 0.1 to 0.4 s after one.
tls_pair() {
	local chain=$1 accept=$2 connect=$3 bind=$4 sni=$5 ver=$6
	shift 6
	local slog=$FA_TMP/s_server.$RANDOM.log clog=$FA_TMP/s_client.$RANDOM.log srv line
	local server=(openssl s_server -accept "$accept" -naccept 1 "$ver" -cert "$PKI/$chain-leaf.pem"
		-key "$PKI/$chain-leaf.key" -cert_chain "$PKI/$chain-inter.pem")
	local client_mtu=() rt=()
	[[ $accept == \[* ]] && server+=(-6)
	if [ "$ver" = -dtls1_2 ]; then
		# Unconnected, s_server cannot ask the socket for the path MTU and
		# would cut its flight into 256-byte datagrams; say 1400 (both sides).
		server+=(-mtu 1400)
		client_mtu=(-mtu 1400)
		local acks=()
		for line in "$@"; do acks+=("ack: $line"); done
		fa_bg "$FA_NS_SRV" 20 bash -c "$(lines_after 0.75 0.3 3 "${acks[@]}") | exec ${server[*]}" \
			>"$slog" 2>&1
	else
		fa_bg "$FA_NS_SRV" 20 taskset -c "$CPU" "${server[@]}" -rev </dev/null >"$slog" 2>&1
		# s_client sends close_notify, then FIN; s_server answers the close_notify
		# with its own and a FIN. On one CPU, s_client real-time (chrt -f) and
		# s_server not, the server cannot answer between the client's two, so
		# the client's FIN always comes first (on a busy machine it otherwise
		# often does not: ShADadfF instead of ShADadFf).
		rt=(chrt -f 10 taskset -c "$CPU")
	fi
	srv=$FA_LAST_PID
	fa_wait_file "$slog" ACCEPT
	local rc=0
	fa_in "$FA_NS_CLI" 15 bash -c "$(lines_after 0.3 0.3 1 "$@") | exec ${rt[*]} openssl s_client \
		-connect '$connect' -bind '$bind' -servername '$sni' $ver ${client_mtu[*]} -no_ign_eof \
		-CAfile '$PKI/$chain-root.pem'" >"$clog" 2>&1 || rc=$?
	fa_expect "s_client $sni $ver" 0 "$rc"
	wait_rc "$srv" 5
	fa_expect "s_server $sni $ver" 0 "$WAIT_RC"
	if ! grep -q 'Verify return code: 0 (ok)' "$clog"; then
		fa_log "make-payload-captures: s_client $sni: chain not verified:"
		grep -E 'verify|Verify|error' "$clog" | head -5 >&2
		FAILED=1
	fi
}

# 1. TLS 1.2 to connector.cloud.com, certificate from the inspection proxy's CA.
sc_tls12_intercepted() {
	tls_pair zs "$FA_SRV4:443" "$FA_SRV4:443" "$FA_CLI4:45001" connector.cloud.com -tls1_2 \
		'GET /ping HTTP/1.1' 'Host: connector.cloud.com'
}

# 2. TLS 1.2 to customer.xendesktop.net, certificate from the public CA.
sc_tls12_public() {
	tls_pair dc "$FA_SRV4:443" "$FA_SRV4:443" "$FA_CLI4:45002" customer.xendesktop.net -tls1_2 \
		'GET /ping HTTP/1.1' 'Host: customer.xendesktop.net'
}

# 3. TLS 1.3 over IPv6 to connector.cloud.com (the certificate is encrypted on the wire).
sc_tls13_cloud() {
	tls_pair zs "[$FA_SRV6]:443" "[$FA_SRV6]:443" "[$FA_CLI6]:45003" connector.cloud.com -tls1_3 \
		'GET /ping HTTP/1.1' 'Host: connector.cloud.com'
}

# 4. DTLS 1.2 over UDP 443 to customer.xendesktop.net: three records of data each way.
sc_dtls12() {
	tls_pair dc "$FA_SRV4:443" "$FA_SRV4:443" "$FA_CLI4:45004" customer.xendesktop.net -dtls1_2 \
		'edt frame one' 'edt frame two' 'edt frame three'
}

# --- ICA, CGP and the wrong protocols with netpeer ---------------------------

ICA=7f7f49434100			# 0x7f 0x7f "ICA" 0x00, sent by the server first
CGP=1a4347502f3031			# 0x1a "CGP/01"
hex() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
HTTP_GET=$(hex $'GET / HTTP/1.1\r\nHost: 198.18.3.2:2598\r\nUser-Agent: netpeer/1\r\nAccept: */*\r\n\r\n')
HTTP_OK=$(hex $'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n')
SSH_SRV=$(hex $'SSH-2.0-OpenSSH_9.2\r\n')
SSH_CLI=$(hex $'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n')

# proto ADDR PORT CPORT [server options] -- [client options]: one netpeer
# proto-server / proto-client session; both must end with status 0.
proto() {
	local addr=$1 port=$2 cport=$3 sopts=() copts=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		sopts+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	copts=("$@")
	fa_server proto-server "$addr" "$port" --timeout 5 "${sopts[@]}"
	local srv=$FA_LAST_PID
	fa_expect "proto-client :$cport -> $port" 0 \
		"$(fa_client proto-client "$addr" "$port" --bind-port "$cport" "${copts[@]}")"
	wait_rc "$srv" 6
	fa_expect "proto-server :$port (client $cport)" 0 "$WAIT_RC"
}

# 5. The right protocols: ICA (server speaks first) over IPv4 and IPv6, CGP on 2598.
sc_ica_cgp() {
	proto "$FA_SRV4" 1494 45005 --greet "$ICA" --answer +200 --answer +300 --answer +400 -- \
		--read-greet 6 --say "$ICA"+58 --say +64 --say +64
	proto "$FA_SRV6" 1494 45006 --greet "$ICA" --answer +200 --answer +300 --answer +400 -- \
		--read-greet 6 --say "$ICA"+58 --say +64 --say +64
	proto "$FA_SRV4" 2598 45007 --answer "$CGP"+25 --answer +200 --answer +300 -- \
		--say "$CGP"+25 --say +64 --say +64
}

# 6. Matrix ports carrying something else: HTTP on 2598, SSH on 1494, ICA on 1495.
sc_wrong_protocol() {
	proto "$FA_SRV4" 2598 45008 --answer "$HTTP_OK" -- --say "$HTTP_GET"
	proto "$FA_SRV4" 1494 45009 --greet "$SSH_SRV" --answer +300 --answer +200 -- \
		--read-greet 21 --say "$SSH_CLI+200" --say +64
	proto "$FA_SRV4" 1495 45010 --greet "$ICA" --answer +200 --answer +300 -- \
		--read-greet 6 --say "$ICA"+58 --say +64
}

# --- middlebox-reset: a routed path and a forger in the router ---------------

# mb_setup: client -- router -- server; tcpdump later runs in the sensor on
# span0, which gets a copy of every packet leaving the router on either side
# (tc egress mirror of rc0 and rs0): each packet once, all after the router.
mb_setup() {
	FA_NS_CLI="fa-$$-cli"
	FA_NS_SRV="fa-$$-srv"
	MB_RTR="fa-$$-rtr"
	MB_MON="fa-$$-mon"
	local ns
	for ns in "$FA_NS_CLI" "$FA_NS_SRV" "$MB_RTR" "$MB_MON"; do
		ip netns add "$ns" || fa_die "ip netns add $ns"
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 net.ipv4.icmp_ratelimit=0 \
			net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 ||
			fa_die "sysctl in $ns"
		ip netns exec "$ns" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null || true
	done
	ip netns exec "$MB_RTR" sysctl -qw net.ipv4.ip_forward=1 || fa_die "ip_forward"
	ip -n "$FA_NS_CLI" link add cli0 address "$FA_CLI_MAC" type veth \
		peer name rc0 address "$MB_RTR_CLI_MAC" netns "$MB_RTR" || fa_die "veth cli0/rc0"
	ip -n "$FA_NS_SRV" link add srv0 address "$MB_SRV_MAC" type veth \
		peer name rs0 address "$MB_RTR_SRV_MAC" netns "$MB_RTR" || fa_die "veth srv0/rs0"
	ip -n "$MB_RTR" link add mir0 type veth peer name span0 netns "$MB_MON" || fa_die "veth mir0/span0"
	local pair n i
	for pair in "$FA_NS_CLI:cli0" "$FA_NS_SRV:srv0" "$MB_RTR:rc0" "$MB_RTR:rs0" "$MB_RTR:mir0" "$MB_MON:span0"; do
		n=${pair%%:*} i=${pair#*:}
		fa_no_offloads "$n" "$i"
		ip -n "$n" link set "$i" up
	done
	ip -n "$FA_NS_CLI" addr add "$FA_CLI4/24" dev cli0
	ip -n "$MB_RTR" addr add "$MB_RTR_CLI4/24" dev rc0
	ip -n "$MB_RTR" addr add "$MB_RTR_SRV4/24" dev rs0
	ip -n "$FA_NS_SRV" addr add "$MB_SRV4/24" dev srv0
	ip -n "$FA_NS_CLI" route add default via "$MB_RTR_CLI4" || fa_die "client route"
	ip -n "$FA_NS_SRV" route add default via "$MB_RTR_SRV4" || fa_die "server route"
	ip -n "$FA_NS_CLI" neigh replace "$MB_RTR_CLI4" lladdr "$MB_RTR_CLI_MAC" dev cli0 nud permanent
	ip -n "$FA_NS_SRV" neigh replace "$MB_RTR_SRV4" lladdr "$MB_RTR_SRV_MAC" dev srv0 nud permanent
	ip -n "$MB_RTR" neigh replace "$FA_CLI4" lladdr "$FA_CLI_MAC" dev rc0 nud permanent
	ip -n "$MB_RTR" neigh replace "$MB_SRV4" lladdr "$MB_SRV_MAC" dev rs0 nud permanent
	for i in rc0 rs0; do
		tc -n "$MB_RTR" qdisc add dev "$i" clsact || fa_die "tc clsact on $i"
		tc -n "$MB_RTR" filter add dev "$i" egress protocol all u32 match u32 0 0 \
			action mirred egress mirror dev mir0 || fa_die "tc mirror of $i"
	done
	sleep 0.3
}

mb_teardown_all() {
	mb_teardown
	fa_teardown
}

# 7. An ICA session on 1494 reset by forged RSTs from the router (45011),
# then one the client itself aborts with SO_LINGER 0 (45012).
sc_middlebox_reset() {
	local ready=$FA_TMP/rstinject.ready log=$FA_TMP/rstinject.log inj srv
	fa_server proto-server "$MB_SRV4" 1494 --timeout 10 --greet "$ICA" --answer +200 --answer +300 --answer +400
	srv=$FA_LAST_PID
	rm -f "$ready"
	fa_bg "$MB_RTR" 20 "$RSTINJECT" rs0 "$MB_SRV4" 1494 --client-port 45011 --after-data 5 \
		--quiet-ms 500 --timeout 15 --ready "$ready" >"$log" 2>&1
	inj=$FA_LAST_PID
	fa_wait_file "$ready"
	# The client holds the session open after its rounds; the forged RST ends it
	# ("connection reset by peer", exit 6).
	fa_expect "forged: proto-client :45011" 6 "$(fa_client proto-client "$MB_SRV4" 1494 --bind-port 45011 \
		--read-greet 6 --say "$ICA"+58 --say +64 --say +64 --hold-ms 5000 2>>"$log")"
	wait_rc "$inj" 5
	fa_expect "forged: rstinject" 0 "$WAIT_RC"
	wait_rc "$srv" 5
	fa_expect "forged: proto-server (reset)" 6 "$WAIT_RC"
	sed 's/^/  /' "$log" >&2
	sleep 0.5
	fa_server proto-server "$MB_SRV4" 1494 --timeout 5 --greet "$ICA" --answer +200 --answer +300 --answer +400
	srv=$FA_LAST_PID
	fa_expect "genuine: proto-client :45012 --rst" 0 "$(fa_client proto-client "$MB_SRV4" 1494 --bind-port 45012 \
		--read-greet 6 --say "$ICA"+58 --say +64 --say +64 --rst)"
	wait_rc "$srv" 6
	fa_expect "genuine: proto-server (reset)" 6 "$WAIT_RC"
}

# capture_once NAME: fresh hosts, tcpdump, scenario sc_NAME, stop, remove hosts.
capture_once() {
	local name=$1
	if [ "$name" = middlebox-reset ]; then
		mb_setup
		rm -f "$FA_TMP/tcpdump.err"
		fa_bg "$MB_MON" 120 tcpdump -Z root -i span0 -n -s 0 --immediate-mode -U \
			-w "$out/$name.pcap" "$FA_CAPTURE_FILTER" 2>"$FA_TMP/tcpdump.err"
		FA_TCPDUMP_PID=$FA_LAST_PID
		fa_wait_file "$FA_TMP/tcpdump.err" 'listening on'
	else
		fa_setup
		fa_capture_start "$out/$name.pcap"
	fi
	"sc_${name//-/_}"
	fa_capture_stop
	mb_teardown_all
}

# first_fin FILE: "client" or "server", whichever sent the first FIN in FILE.
first_fin() {
	local src
	src=$(tcpdump -nr "$1" 2>/dev/null | grep -m1 'Flags \[F' | awk '{ print $3 }')
	case $src in
	"$FA_CLI4".* | "$FA_CLI6".*) echo client ;;
	*) echo server ;;
	esac
}

# capture NAME: capture_once; for the openssl TCP sessions, again (3 tries at
# most) if the server's FIN came first after all (see tls_pair).
capture() {
	local name=$1 try label=""
	for try in 1 2 3; do
		[ "$try" -gt 1 ] && label=" (try $try)"
		fa_log "== $name$label"
		capture_once "$name"
		case $name in tls12-* | tls13-*) ;; *) return 0 ;; esac
		[ "$(first_fin "$out/$name.pcap")" = client ] && return 0
		fa_log "make-payload-captures: $name: the server's FIN came first; again"
	done
	fa_log "make-payload-captures: $name: the server's FIN came first in 3 tries; kept the last"
	FAILED=1
}

# 8. Crafted: broken TLS that no real stack sends.
crafted() {
	fa_log "== tls-malformed"
	"$CRAFT" tls-malformed "$out/tls-malformed.pcap" || FAILED=1
}

ALL="tls12-intercepted tls12-public tls13-cloud dtls12 ica-cgp wrong-protocol middlebox-reset"

start=$(date +%s)
sections=${*:-$ALL tls-malformed}
for s in $sections; do
	if [ "$s" = tls-malformed ]; then
		crafted
	elif [[ " $ALL " == *" $s "* ]]; then
		[ -d "$PKI" ] || make_pki
		capture "$s"
	else
		fa_die "unknown section $s"
	fi
done
fa_log "make-payload-captures: done in $(($(date +%s) - start)) s, files in $out"
exit "$FAILED"
