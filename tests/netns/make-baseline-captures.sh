#!/bin/bash
# make-baseline-captures.sh: a small Citrix site before and after a network change, captured:
# pcaps/baseline-before.pcap and pcaps/baseline-after.pcap
#
# usage: tests/netns/make-baseline-captures.sh [OUTDIR]
#
# OUTDIR defaults to pcaps/ of this tree. Needs root and `ip netns` (else
# prints SKIP and exits 77). The site files are pcaps/site-baseline.yaml
# (before) and pcaps/site-baseline-after.yaml (after); the right answers of
# `flowaudit baseline diff` between the two captures are
# tests/golden/baseline-role.changes and tests/golden/baseline-host.changes;
# pcaps/README.md ("The baseline scenario") describes it.
#
# The site is built twice, in fresh namespaces each time (so no TCP state,
# e.g. TIME_WAIT on the fixed client ports, carries over), with the same
# topology as make-audit-capture.sh: one L2 segment, a namespace fa-<pid>-br
# holding a Linux bridge br0, every host its own namespace fa-<pid>-<host>
# joined to br0 by a veth pair; 198.18.0.0/16, IPv6 off, static neighbours,
# offloads off, ICMP rate limits off; tcpdump on br0 inside fa-<pid>-br.
#
#   host   address                 role             listens on (both runs)
#   wsapp  198.18.1.1              workspace-app    -  (client)
#   vda    198.18.2.10             vda              tcp 1494, tcp 2598, udp 1494 (echo)
#   ddc    198.18.3.10             ddc              tcp 80
#   lic    198.18.3.20 -> .21      license-server   tcp 27000, tcp 7279
#   sf     198.18.3.30             storefront       tcp 443
#
# Every server host has an nft table (inet fa_baseline, input hook, policy
# drop; established/related and lo accepted) that accepts only its ports:
#
#   host   ruleset A (before)            ruleset B (after)
#   vda    tcp dport { 1494, 2598 }      tcp dport 1494, udp dport 1494
#   ddc    tcp dport 80                  same
#   lic    tcp dport { 27000, 7279 }     same
#   sf     tcp dport 443                 same
#
# The change, exactly three things: (a) TCP 2598 to the vda newly dropped,
# (b) UDP 1494 (EDT) to the vda newly allowed, (c) the license server moved
# from 198.18.3.20 to 198.18.3.21 (the ddc's licensing sessions follow it).
#
# The same steps run in both (client source ports fixed, 43001..43008; every
# step bounded). The exit status each client should have in each run is
# checked; any other makes this script exit 1.
#   phase A, the openings the change affects (0-1.4 s), then quiet until the
#   listener that got nothing has given up (3 s) and 1.5 s more:
#     43002 wsapp -> vda tcp 2598  64 -> 500 bytes   before: ok       after: 2 SYNs (0, +1 s) dropped
#     43003 wsapp -> vda udp 1494  2 x 100 bytes     before: dropped  after: both echoed
#   (the UDP client waits 1 s for each reply, so before, its second
#   datagram goes out at about +1.4 s)
#   phase B, the sessions that work in both (about 4.6-7.5 s):
#     43001 wsapp -> vda tcp 1494   64 -> 2000 bytes (ICA)
#     43004 vda   -> ddc tcp 80     200 -> 500 bytes (VDA registration)
#     43005 ddc   -> lic tcp 27000  64 -> 100 bytes (lmgrd)
#     43006 ddc   -> lic tcp 7279   64 -> 200 bytes (vendor daemon)
#     43007 wsapp -> sf  tcp 443    64 -> 1000 bytes (store)
#     43008 sf    -> ddc tcp 80     100 -> 300 bytes (XML)
# The last unanswered packet of a run (the second dropped datagram at about
# +1.4 s, or the second dropped SYN at +1 s) is about 6 s before the
# capture's last packet (about 7.4 s): nothing is within flowaudit's 3 s
# --pending-window. Each capture lasts about 7.4 s; the script about 19 s.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/pcaps}

# shellcheck source=tests/netns/lib.sh
. "$here/lib.sh"

# This script's own namespaces replace lib.sh's two-host pair; fa_cleanup
# (lib.sh's EXIT trap) calls fa_teardown, which deletes only these.
BL_NS=()
fa_teardown() {
	local ns
	for ns in "${BL_NS[@]}"; do
		ip netns delete "$ns" 2>/dev/null
	done
	BL_NS=()
}
fa_die() {
	printf 'make-baseline-captures: %s\n' "$*" >&2
	exit 1
}
fa_require

mkdir -p "$out" || fa_die "cannot create $out"
out=$(cd "$out" && pwd)
fa_build_tool netpeer FA_NETPEER

LIC_BEFORE=198.18.3.20
LIC_AFTER=198.18.3.21
declare -A ADDR MAC
NS_BR="fa-$$-br"
FAILED=0
FA_STEP=

ns() { printf 'fa-%s-%s' "$$" "$1"; }

# setup LIC-ADDRESS: the bridge and the five hosts, the license server at LIC-ADDRESS.
setup() {
	local hosts="wsapp:1:198.18.1.1 vda:2:198.18.2.10 ddc:3:198.18.3.10 lic:4:$1 sf:5:198.18.3.30"
	local h name idx a host
	ip netns add "$NS_BR" || fa_die "ip netns add $NS_BR"
	BL_NS+=("$NS_BR")
	ip netns exec "$NS_BR" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || fa_die "sysctl in $NS_BR"
	ip -n "$NS_BR" link set lo up
	ip -n "$NS_BR" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 ||
		fa_die "cannot create the bridge"
	for h in $hosts; do
		IFS=: read -r name idx a <<<"$h"
		host=$(ns "$name")
		ADDR[$name]=$a
		MAC[$name]=$(printf '02:fa:00:00:03:%02x' "$idx")
		ip netns add "$host" || fa_die "ip netns add $host"
		BL_NS+=("$host")
		ip netns exec "$host" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 \
			net.ipv4.icmp_ratelimit=0 || fa_die "sysctl in $host"
		# Classic SYN backoff (1 s, 3 s, ...) where the kernel has the knob.
		ip netns exec "$host" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null || true
		ip -n "$NS_BR" link add "p-$name" type veth peer name eth0 address "${MAC[$name]}" \
			netns "$host" || fa_die "veth for $name"
		fa_no_offloads "$NS_BR" "p-$name"
		fa_no_offloads "$host" eth0
		ip -n "$NS_BR" link set "p-$name" master br0 up
		ip -n "$host" link set lo up
		ip -n "$host" addr add "$a/16" dev eth0
		ip -n "$host" link set eth0 up
	done
	ip -n "$NS_BR" link set br0 up
	fa_no_offloads "$NS_BR" br0
	# Static neighbours: every host knows every other host's MAC.
	local h2 n2 a2
	for h in $hosts; do
		IFS=: read -r name idx a <<<"$h"
		for h2 in $hosts; do
			IFS=: read -r n2 _ a2 <<<"$h2"
			[ "$n2" = "$name" ] && continue
			ip -n "$(ns "$name")" neigh replace "$a2" lladdr "${MAC[$n2]}" dev eth0 nud permanent ||
				fa_die "neighbour $a2 in $name"
		done
	done
	sleep 0.3
}

# firewall HOST ACCEPT-RULES...: the host's nft table, policy drop, accepting only these.
firewall() {
	local host=$1 rule
	shift
	{
		printf 'table inet fa_baseline {\n\tchain input {\n'
		printf '\t\ttype filter hook input priority 0; policy drop;\n'
		printf '\t\tct state established,related accept\n\t\tiif lo accept\n'
		for rule in "$@"; do
			printf '\t\t%s accept\n' "$rule"
		done
		printf '\t}\n}\n'
	} | ip netns exec "$(ns "$host")" nft -f - || fa_die "nft ruleset rejected in $host"
}

# firewalls A|B: ruleset A (before) or B (after); they differ only on the vda.
firewalls() {
	if [ "$1" = A ]; then
		firewall vda 'tcp dport { 1494, 2598 }'
	else
		firewall vda 'tcp dport 1494' 'udp dport 1494'
	fi
	firewall ddc 'tcp dport 80'
	firewall lic 'tcp dport { 27000, 7279 }'
	firewall sf 'tcp dport 443'
}

capture_start() {
	local file=$1
	rm -f "$FA_TMP/tcpdump.err"
	fa_bg "$NS_BR" 60 tcpdump -Z root -i br0 -n -s 0 --immediate-mode -U -w "$file" \
		'tcp or udp or icmp' 2>"$FA_TMP/tcpdump.err"
	FA_TCPDUMP_PID=$FA_LAST_PID
	fa_wait_file "$FA_TMP/tcpdump.err" 'listening on'
}

# server HOST netpeer-args...: start a listener in HOST, wait until it is bound.
server() {
	local host=$1 ready="$FA_TMP/ready.$RANDOM"
	shift
	rm -f "$ready"
	fa_bg "$(ns "$host")" 30 "$FA_NETPEER" "$@" --ready "$ready"
	fa_wait_file "$ready"
}

# client HOST netpeer-args...: run a client in HOST (bounded); prints its exit status.
client() {
	local host=$1 rc=0
	shift
	fa_in "$(ns "$host")" 30 "$FA_NETPEER" "$@" >/dev/null || rc=$?
	echo "$rc"
}

# server_wait PID SECS: wait (bounded) for a listener we started; SERVER_RC is
# its exit status, or "killed" when it had to be killed after SECS.
server_wait() {
	local pid=$1 secs=$2 i
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		SERVER_RC=killed
		return
	fi
	SERVER_RC=0
	wait "$pid" 2>/dev/null || SERVER_RC=$?
}

# session NAME SRVHOST CLIHOST server-args... -- client-args...: a session that works (exit 0).
session() {
	local name=$1 srvhost=$2 clihost=$3
	shift 3
	local sargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		sargs+=("$1")
		shift
	done
	shift
	server "$srvhost" "${sargs[@]}"
	local srv=$FA_LAST_PID
	fa_expect "$name" 0 "$(client "$clihost" "$@")"
	server_wait "$srv" 8
	fa_expect "$name (server)" 0 "$SERVER_RC"
}

# scenario A|B: the same steps; what differs is which of phase A's openings are answered.
scenario() {
	local ruleset=$1
	local vda=${ADDR[vda]} ddc=${ADDR[ddc]} lic=${ADDR[lic]} sf=${ADDR[sf]}
	local rcfile="$FA_TMP/cgp.rc" cgp_srv edt_srv bg
	local cgp_want=0 edt_want=4
	[ "$ruleset" = B ] && cgp_want=4 edt_want=0

	# Phase A. The listeners give up 3 s after their last wait began when
	# nothing reaches them (exit 4), as the one behind the dropped port does.
	server vda tcp-server "$vda" 2598 --reply 500 --timeout 3
	cgp_srv=$FA_LAST_PID
	server vda udp-server "$vda" 1494 --echo --count 2 --timeout 3
	edt_srv=$FA_LAST_PID
	rm -f "$rcfile"
	(client wsapp tcp-client "$vda" 2598 --bind-port 43002 --send 64 --expect 500 \
		--timeout 2 >"$rcfile") &
	bg=$!
	FA_PIDS+=("$bg")
	sleep 0.2
	fa_expect "edt udp 1494" "$edt_want" "$(client wsapp udp-client "$vda" 1494 --bind-port 43003 \
		--count 2 --size 100 --interval-ms 200 --wait-reply 1)"
	fa_wait_pid "$bg" 6
	fa_expect "cgp tcp 2598" "$cgp_want" "$(cat "$rcfile" 2>/dev/null)"
	server_wait "$cgp_srv" 6
	fa_expect "cgp tcp 2598 (server)" "$cgp_want" "$SERVER_RC"
	server_wait "$edt_srv" 6
	fa_expect "edt udp 1494 (server)" "$edt_want" "$SERVER_RC"
	# The last unanswered packet is now about 1.6 s old; with 1.5 s more,
	# and phase B taking about 3 s, the capture ends about 6 s after it.
	sleep 1.5

	# Phase B: the sessions the change does not touch.
	session "ica tcp 1494" vda wsapp tcp-server "$vda" 1494 --reply 2000 --timeout 5 -- \
		tcp-client "$vda" 1494 --bind-port 43001 --send 64 --expect 2000
	session "registration tcp 80" ddc vda tcp-server "$ddc" 80 --reply 500 --timeout 5 -- \
		tcp-client "$ddc" 80 --bind-port 43004 --send 200 --expect 500
	session "lmgrd tcp 27000" lic ddc tcp-server "$lic" 27000 --reply 100 --timeout 5 -- \
		tcp-client "$lic" 27000 --bind-port 43005 --send 64 --expect 100
	session "vendor daemon tcp 7279" lic ddc tcp-server "$lic" 7279 --reply 200 --timeout 5 -- \
		tcp-client "$lic" 7279 --bind-port 43006 --send 64 --expect 200
	session "store tcp 443" sf wsapp tcp-server "$sf" 443 --reply 1000 --timeout 5 -- \
		tcp-client "$sf" 443 --bind-port 43007 --send 64 --expect 1000
	session "xml tcp 80" ddc sf tcp-server "$ddc" 80 --reply 300 --timeout 5 -- \
		tcp-client "$ddc" 80 --bind-port 43008 --send 100 --expect 300
}

# run NAME LIC-ADDRESS RULESET: build the site, capture the scenario into OUTDIR/NAME.pcap, tear down.
run() {
	local name=$1 lic=$2 ruleset=$3 t0
	FA_STEP=$name
	t0=$(date +%s.%N)
	fa_log "== $name (license server $lic, ruleset $ruleset)"
	setup "$lic"
	firewalls "$ruleset"
	capture_start "$out/$name.pcap"
	scenario "$ruleset"
	fa_capture_stop
	fa_teardown
	fa_log "make-baseline-captures: $name: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
}

start=$(date +%s)
run baseline-before "$LIC_BEFORE" A
run baseline-after "$LIC_AFTER" B
fa_log "make-baseline-captures: done in $(($(date +%s) - start)) s: $out/baseline-before.pcap $out/baseline-after.pcap"
exit "$FAILED"
