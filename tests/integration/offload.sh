#!/usr/bin/env bash
# offload: TCP offload artefacts never change a verdict. flowaudit audits a host's
# own interface live, which hands it outgoing packets before checksum offload and
# segmentation (partial checksums, TSO/GSO super-segments far above the MTU),
# and must give the same conn_state, history, byte counts and verdicts as on the
# same traffic with the offloads off.
#
# Two hosts on a veth (tests/netns/lib.sh: fa-<pid>-cli 198.18.1.1 cli0,
# fa-<pid>-srv 198.18.1.2 srv0); roles workspace-app (client) and vda (server),
# so TCP 1494 is citrix-cvad/ws-app-to-vda-ica and UDP 1494
# citrix-cvad/ws-app-to-vda-ica-edt. Each run has fresh namespaces and:
#   flowaudit -i cli0 inside the CLIENT's namespace (and tcpdump beside it, to
#   record what the interface really showed), then
#   TCP client :P -> server 1494: 200 KB (204800 bytes) each way, client closes
#   first (SF, ShADadFf); UDP client :P+1 -> server 1494: 2 x 1000 bytes echoed
#   (SF, Dd); then SIGINT.
#   run 1 "offload on":  ethtool -K tx on tso on gso on (gro on) on both veths
#   run 2 "offload off": ethtool -K tx off rx off tso off gso off gro off
# Compared (server port, as client ports differ): proto, conn_state, history,
# orig_bytes, resp_bytes, equal between the runs and equal to the known answer
# (history without T/t, which must match the retransmissions tcpdump saw);
# verdicts ok with the rules above. Packet and IP byte counts legitimately
# differ (one super-segment is many wire segments) and are only reported.
# Run 1's capture must really have had bad checksums and IP lengths > 1500
# (else the test proves nothing); run 2's must have had neither.
# Last, offline: pcaps/offload-tso.pcap (tools/craft offload-tso) with the same
# roles gives the clean session's values and verdict ok.
# Receive buffers are raised (tcp_rmem, per namespace) so that no side
# advertises a zero window: Zeek's W/w letters would otherwise depend on timing.
# Needs root and ip netns (else SKIP, exit 77). About 10 s; every wait bounded.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib.sh
. "$SRCDIR/tests/netns/lib.sh"

T0=$(date +%s)
SIZE=204800
UDP_SIZE=1000
LIVE_RC=

note() { printf '# %s\n' "$*"; }

# lib.sh's fa_die ends the script: make that a failure with the closing line.
fa_die() {
	not_ok "$*"
	finish
	exit 1
}

# SKIP unless root with namespaces and the tools; then one cleanup trap for
# both libraries (our namespaces and PIDs, and $TMP).
ol_require() {
	[ "$(id -u)" -eq 0 ] || fa_skip "needs root for ip netns"
	local t
	for t in ip tcpdump ethtool timeout jq; do
		command -v "$t" >/dev/null 2>&1 || fa_skip "$t not installed"
	done
	local probe="fa-$$-probe"
	ip netns add "$probe" 2>/dev/null || fa_skip "ip netns not available here"
	ip netns delete "$probe"
	FA_TMP=$TMP/ns
	mkdir -p "$FA_TMP"
	trap 'fa_cleanup; rm -rf "$TMP"' EXIT
	trap 'exit 130' INT TERM
}

ol_require
[ -x "$FLOWAUDIT" ] || fa_die "no flowaudit binary at $FLOWAUDIT"
if [ -n "${NETPEER:-}" ] && [ -x "$NETPEER" ]; then
	FA_NETPEER=$NETPEER
else
	FA_NETPEER=$FA_TMP/netpeer
	gcc -std=gnu11 -O2 -o "$FA_NETPEER" "$SRCDIR/tools/netpeer.c" || fa_die "cannot build tools/netpeer.c"
fi

SITE=$TMP/site.yaml
cat >"$SITE" <<EOF
site: offload
roles:
  workspace-app: $FA_CLI4
  vda: $FA_SRV4
scope: [198.18.0.0/15]
matrices: [citrix-cvad]
EOF

# offloads on|off: set both veths (fa_setup left them all off).
offloads() {
	local p ns ifc
	for p in "$FA_NS_CLI:cli0" "$FA_NS_SRV:srv0"; do
		ns=${p%%:*} ifc=${p#*:}
		if [ "$1" = on ]; then
			fa_in "$ns" 5 ethtool -K "$ifc" tx on tso on gso on >/dev/null 2>&1 ||
				fa_die "ethtool -K $ifc tx on tso on gso on failed in $ns"
			fa_in "$ns" 5 ethtool -K "$ifc" rx on gro on >/dev/null 2>&1 || true
		else
			fa_in "$ns" 5 ethtool -K "$ifc" tx off rx off tso off gso off gro off >/dev/null 2>&1 ||
				fa_die "ethtool -K $ifc ... off failed in $ns"
		fi
	done
}

# feature NAME: "on" or "off", as ethtool -k shows it for cli0.
feature() {
	fa_in "$FA_NS_CLI" 5 ethtool -k cli0 2>/dev/null | awk -F': ' -v f="$1" '$1 == f { print $2 }' |
		cut -d' ' -f1
}

# wait_for FILE PATTERN PID: until FILE has PATTERN (5 s at most, or PID dies).
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# run LABEL on|off CPORT: fresh hosts, flowaudit + tcpdump on cli0, the traffic, SIGINT.
# Leaves $TMP/LABEL/{conn.json,report.json,err,cap.pcap,traffic}.
run() {
	local label=$1 mode=$2 cport=$3 d=$TMP/$1 fa_pid td_pid srv rc
	mkdir -p "$d"
	fa_setup
	# Room for the whole 200 KB in every receive buffer: no zero windows.
	for ns in "$FA_NS_CLI" "$FA_NS_SRV"; do
		fa_in "$ns" 5 sysctl -qw net.ipv4.tcp_rmem="4096 1048576 4194304" \
			net.ipv4.tcp_wmem="4096 1048576 4194304" || fa_die "sysctl tcp_rmem in $ns"
	done
	offloads "$mode"
	note "$label: cli0 tx-checksumming $(feature tx-checksumming)," \
		"tcp-segmentation-offload $(feature tcp-segmentation-offload)," \
		"generic-segmentation-offload $(feature generic-segmentation-offload)"
	if [ "$mode" = on ]; then
		check "$label: cli0 has tx checksum offload, TSO and GSO on" \
			test "$(feature tx-checksumming) $(feature tcp-segmentation-offload) $(feature generic-segmentation-offload)" = "on on on"
	else
		check "$label: cli0 has tx checksum offload, TSO and GSO off" \
			test "$(feature tx-checksumming) $(feature tcp-segmentation-offload) $(feature generic-segmentation-offload)" = "off off off"
	fi

	fa_bg "$FA_NS_CLI" 40 tcpdump -Z root -i cli0 -n -s 0 --immediate-mode -U -w "$d/cap.pcap" \
		"$FA_CAPTURE_FILTER" 2>"$d/tcpdump.err"
	td_pid=$FA_LAST_PID
	wait_for "$d/tcpdump.err" 'listening on' "$td_pid" || fa_die "$label: tcpdump did not start"

	fa_bg "$FA_NS_CLI" 40 "$FLOWAUDIT" -i cli0 --rules "$SRCDIR/rules" --site "$SITE" --fail-on none \
		--conn-log "$d/conn.json" -o "$d/report.json" --format json -q 2>"$d/err"
	fa_pid=$FA_LAST_PID
	if ! wait_for "$d/err" 'listening on cli0' "$fa_pid"; then
		not_ok "$label: flowaudit -i cli0 says 'listening on cli0' within 5 s"
		sed 's/^/#   /' "$d/err" | head -5
		kill -KILL "$fa_pid" "$td_pid" 2>/dev/null
		fa_teardown
		return 1
	fi

	: >"$d/traffic"
	fa_server tcp-server "$FA_SRV4" 1494 --reply "$SIZE" --timeout 5 --alarm 10
	srv=$FA_LAST_PID
	rc=$(fa_client tcp-client "$FA_SRV4" 1494 --bind-port "$cport" --send "$SIZE" --expect "$SIZE" \
		--timeout 5 --alarm 10)
	[ "$rc" = 0 ] || echo "tcp client exit $rc" >>"$d/traffic"
	live_wait "$srv" 8 || echo "tcp server killed" >>"$d/traffic"
	[ "$LIVE_RC" = 0 ] || echo "tcp server exit $LIVE_RC" >>"$d/traffic"
	fa_server udp-server "$FA_SRV4" 1494 --echo --count 2 --timeout 5 --alarm 10
	srv=$FA_LAST_PID
	rc=$(fa_client udp-client "$FA_SRV4" 1494 --bind-port $((cport + 1)) --count 2 --size "$UDP_SIZE" \
		--wait-reply 2 --alarm 10)
	[ "$rc" = 0 ] || echo "udp client exit $rc" >>"$d/traffic"
	live_wait "$srv" 8 || echo "udp server killed" >>"$d/traffic"
	[ "$LIVE_RC" = 0 ] || echo "udp server exit $LIVE_RC" >>"$d/traffic"
	if [ -s "$d/traffic" ]; then
		not_ok "$label: the traffic went as planned"
		sed 's/^/#   /' "$d/traffic"
	else
		ok "$label: the traffic went as planned (TCP $SIZE bytes each way, UDP 2 x $UDP_SIZE echoed)"
	fi

	sleep 0.5
	check "$label: flowaudit still running before SIGINT" kill -0 "$fa_pid"
	# fa_pid is timeout(1)'s PID; it passes SIGINT on to flowaudit.
	kill -INT "$fa_pid" "$td_pid" 2>/dev/null
	live_wait "$fa_pid" 5
	check "$label: SIGINT ends flowaudit within 5 s with exit status 0 (--fail-on none) [got $LIVE_RC]" \
		test "$LIVE_RC" = 0
	live_wait "$td_pid" 5
	if jq -e '.capture.mode == "live" and .capture.dropped == 0 and (.findings | type) == "array"' \
		"$d/report.json" >/dev/null 2>&1; then
		ok "$label: the JSON report is complete (mode live, dropped 0)"
	else
		not_ok "$label: the JSON report is complete (mode live, dropped 0)"
		head -c 400 "$d/report.json" 2>/dev/null | sed 's/^/#   /'
		echo
	fi
	note "$label: capture $(jq -c '.capture | {packets, wire_bytes, dropped, decode_ok: .decode.ok}' \
		"$d/report.json" 2>/dev/null)"
	fa_teardown
}

# Our two flows (client -> server 1494) in the compared columns, server side only.
project() {
	jq -r --arg c "$FA_CLI4" --arg s "$FA_SRV4" \
		'select(."id.orig_h" == $c and ."id.resp_h" == $s and ."id.resp_p" == 1494) |
		[.proto, ."id.resp_p", .conn_state, (.history // "-"), (.orig_bytes // "-"),
		 (.resp_bytes // "-"), .verdict, (.rule // "-")] | map(tostring) | join("\t")' "$1" 2>/dev/null |
		LC_ALL=C sort
}

# Packet and IP byte counts of our flows (reported, not compared).
counts() {
	jq -r --arg c "$FA_CLI4" 'select(."id.orig_h" == $c) | "\(.proto) :\(."id.orig_p") -> :\(."id.resp_p")" +
		" pkts \(.orig_pkts)/\(.resp_pkts) ip_bytes \(.orig_ip_bytes)/\(.resp_ip_bytes)"' "$1" 2>/dev/null
}

# What the interface really showed: packets from the client with IP total
# length > 1500 (super-segments), and TCP / UDP checksums tcpdump finds wrong.
oversized() { tcpdump -r "$1" -nn "src $FA_CLI4 and ip[2:2] > 1500" 2>/dev/null | wc -l; }
bad_tcp() { tcpdump -r "$1" -nn -v "src $FA_CLI4 and tcp" 2>/dev/null | grep -c 'cksum 0x[0-9a-f]* (incorrect'; }
bad_udp() { tcpdump -r "$1" -nn -vv "src $FA_CLI4 and udp" 2>/dev/null | grep -c 'bad udp cksum'; }
# Zeek's W/w (zero window, not in a SYN or RST): timing, not offload; should be none.
zero_windows() {
	tcpdump -r "$1" -nn 'tcp and tcp[14:2] = 0 and tcp[tcpflags] & (tcp-syn|tcp-rst) = 0' 2>/dev/null | wc -l
}
# Data segments a host sent again on the TCP flow (a sequence start below the
# highest end it had sent; tcpdump's relative numbers): the stack's own
# retransmissions, which a loaded machine can cause (a tail loss probe fires
# before the ACK is scheduled). History shows them as T (client) and t (server).
retransmits() {
	tcpdump -r "$1" -nn "tcp port 1494 and src $2" 2>/dev/null |
		awk 'match($0, /seq [0-9]+:[0-9]+/) {
			split(substr($0, RSTART + 4, RLENGTH - 4), r, ":")
			if (seen && r[1] + 0 < hi) n++
			if (!seen || r[2] + 0 > hi) hi = r[2] + 0
			seen = 1
		} END { print n + 0 }'
}
max_len() {
	tcpdump -r "$1" -nn -v "src $FA_CLI4 and tcp" 2>/dev/null |
		sed -n 's/.*proto TCP (6), length \([0-9]*\)).*/\1/p' | sort -n | tail -1
}

run on on 40201
run off off 40211

printf 'tcp\t1494\tSF\tShADadFf\t%s\t%s\tok\tcitrix-cvad/ws-app-to-vda-ica\n' "$SIZE" "$SIZE" >"$TMP/want"
printf 'udp\t1494\tSF\tDd\t%s\t%s\tok\tcitrix-cvad/ws-app-to-vda-ica-edt\n' \
	$((2 * UDP_SIZE)) $((2 * UDP_SIZE)) >>"$TMP/want"
for r in on off; do
	project "$TMP/$r/conn.json" >"$TMP/$r.got"
	counts "$TMP/$r/conn.json" | sed "s/^/$r: /;s/^/# /"
done

# The proof that run 1 saw offload artefacts and run 2 did not.
for r in on off; do
	c=$TMP/$r/cap.pcap
	o=$(oversized "$c") bt=$(bad_tcp "$c") bu=$(bad_udp "$c") m=$(max_len "$c")
	z=$(zero_windows "$c")
	note "$r: tcpdump on cli0: $o client packets with IP length > 1500 (largest TCP: ${m:-none})," \
		"$bt TCP and $bu UDP client packets with wrong checksums; $z zero-window packets (W/w)"
	if [ "$r" = on ]; then
		check "on: the capture had TSO/GSO super-segments (IP length > 1500) from the client [$o]" \
			test "$o" -gt 0
		check "on: the capture had wrong TCP checksums from the client [$bt]" test "$bt" -gt 0
		check "on: the capture had wrong UDP checksums from the client [$bu]" test "$bu" -gt 0
	else
		check "off: the capture had no packet above the MTU and no wrong checksum [$o, $bt, $bu]" \
			test "$o$bt$bu" = 000
	fi
done

compare() {
	if diff -u "$2" "$3" >"$TMP/diff"; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/#   /' "$TMP/diff"
	fi
}
# A retransmission the stack really made must be in the history (T from the
# client, t from the server) and one it did not make must not be; the runs and
# the known answer are then compared without those letters.
for r in on off; do
	rc=$(retransmits "$TMP/$r/cap.pcap" "$FA_CLI4") rs=$(retransmits "$TMP/$r/cap.pcap" "$FA_SRV4")
	h=$(awk -F '\t' '$1 == "tcp" { print $4 }' "$TMP/$r.got")
	note "$r: tcpdump on cli0: the stack retransmitted $rc client and $rs server data segments; history $h"
	hc=no hs=no wc=no ws=no
	case $h in *T*) hc=yes ;; esac
	case $h in *t*) hs=yes ;; esac
	[ "$rc" -gt 0 ] && wc=yes
	[ "$rs" -gt 0 ] && ws=yes
	check "$r: history has T and t exactly when the capture shows retransmissions" \
		test "$hc$hs" = "$wc$ws"
	awk -F '\t' -v OFS='\t' '$1 == "tcp" { gsub(/[tT]/, "", $4) } { print }' "$TMP/$r.got" >"$TMP/$r.tmp" &&
		mv "$TMP/$r.tmp" "$TMP/$r.got"
done
cut -f1-6 "$TMP/on.got" >"$TMP/on.cols"
cut -f1-6 "$TMP/off.got" >"$TMP/off.cols"
compare "proto, port, conn_state, history, orig_bytes, resp_bytes: offload on = offload off" \
	"$TMP/off.cols" "$TMP/on.cols"
compare "offload off: the known answer (SF ShADadFf $SIZE/$SIZE; SF Dd; verdicts ok)" "$TMP/want" "$TMP/off.got"
compare "offload on: the known answer (SF ShADadFf $SIZE/$SIZE; SF Dd; verdicts ok)" "$TMP/want" "$TMP/on.got"

# The crafted capture (tools/craft offload-tso: 64 KB super-segments with
# partial, zero and IP-header checksums wrong, one BIG TCP segment with IPv4
# total length 0) gets the clean session's verdict too; its conn log is
# checked against tests/golden/offload-tso.expect by golden.sh.
sed 's/198\.18\.1\./198.18.2./g' "$SITE" >"$TMP/site-crafted.yaml"
"$FLOWAUDIT" -q --fail-on none -r "$SRCDIR/pcaps/offload-tso.pcap" --rules "$SRCDIR/rules" \
	--site "$TMP/site-crafted.yaml" --conn-log "$TMP/crafted.json" >/dev/null 2>"$TMP/crafted.err"
got=$(jq -r '[.proto, ."id.resp_p", .conn_state, .history, .orig_bytes, .resp_bytes, .orig_pkts,
	.orig_ip_bytes, .verdict, .rule] |
	map(tostring) | join(" ")' "$TMP/crafted.json" 2>/dev/null)
want="tcp 1494 SF ShADadFf 204800 2000 9 205160 ok citrix-cvad/ws-app-to-vda-ica"
check "pcaps/offload-tso.pcap: $want [got ${got:-nothing: $(head -c 200 "$TMP/crafted.err")}]" \
	test "$got" = "$want"
note "took $(($(date +%s) - T0)) s"
finish
