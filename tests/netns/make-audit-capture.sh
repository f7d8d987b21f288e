#!/bin/bash
# make-audit-capture.sh: a small Citrix site in network namespaces, captured: pcaps/audit-demo.pcap
#
# usage: tests/netns/make-audit-capture.sh [OUTDIR]
#
# OUTDIR defaults to pcaps/ of this tree; the capture is OUTDIR/audit-demo.pcap.
# Needs root and `ip netns` (else prints SKIP and exits 77). Its right answer
# (with pcaps/site-demo.yaml) is tests/golden/audit-demo.verdicts and
# tests/golden/audit-demo.findings; pcaps/README.md describes the scenario.
#
# One L2 segment: a namespace fa-<pid>-br holds a Linux bridge br0; every host
# is its own namespace fa-<pid>-<host>, joined to br0 by a veth pair (eth0 in
# the host, p-<host> on the bridge). All in 198.18.0.0/16, IPv6 off, static
# neighbours (no ARP on the wire), offloads off, ICMP rate limits off.
# tcpdump runs on br0 inside fa-<pid>-br (promiscuous, so it sees every frame
# the bridge forwards between the hosts, including what a host's nft then
# drops on input).
#
#   host     address       role             listens on      nft input (policy accept)
#   wsapp    198.18.1.1    workspace-app    -               -
#   vda1     198.18.2.10   vda              tcp 1494        tcp 2598 drop, udp 1494 drop
#   vda2     198.18.2.11   vda              -  (silent)     tcp 2598 drop, udp 1494 drop
#   ddc      198.18.3.10   ddc              tcp 80          - (udp 9999 closed: port unreachable)
#   lic      198.18.3.20   license-server   tcp 27000       - (tcp 7279 closed: RST)
#   sf       198.18.3.30   storefront       tcp 80, 8080    tcp 443 reject with icmpx admin-prohibited
#   cc       198.18.3.40   cloud-connector  -  (silent)     -
#
# The Citrix Cloud (role citrix-cloud, 198.19.255.1 in site-demo.yaml) is not
# on the segment and the Cloud Connector never tries to reach it.
#
# Steps (client source ports fixed, 42001..42010; every step bounded):
#   phase A, the openings that fail, then 2.5 s of quiet:
#     42002 wsapp -> vda1 tcp 2598   SYNs dropped (client gives up after 2 s)  -> blocked/no-reply
#     42003 wsapp -> vda1 udp 1494   2 datagrams dropped                       -> blocked/no-reply
#     42006 ddc   -> lic  tcp 7279   RST from the kernel                       -> blocked/rst
#     42007 wsapp -> sf   tcp 443    ICMP 3/13 from nft                        -> blocked/icmp-admin-prohibited
#     42010 wsapp -> ddc  udp 9999   2 datagrams, 2 x ICMP 3/3                 -> unexpected/icmp-port-unreachable
#   phase B, the answered sessions (they end > 5 s after phase A's last packet):
#     42001 wsapp -> vda1 tcp 1494   ICA banner + 26, 64 -> 2000 bytes         -> ok (service ica)
#     42004 vda1  -> ddc  tcp 80     200 -> 500 bytes (VDA registration)       -> ok
#     42005 ddc   -> lic  tcp 27000  64 -> 100 bytes                           -> ok
#     42008 wsapp -> sf   tcp 80     64 bytes, then the server aborts (RST)    -> interrupted
#     42009 wsapp -> sf   tcp 8080   64 -> 300 bytes, not in the matrix        -> unexpected/answered
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/pcaps}

# shellcheck source=tests/netns/lib.sh
. "$here/lib.sh"

# This script's own namespaces replace lib.sh's two-host pair; fa_cleanup
# (lib.sh's EXIT trap) calls fa_teardown, which deletes only these.
AUDIT_NS=()
fa_teardown() {
	local ns
	for ns in "${AUDIT_NS[@]}"; do
		ip netns delete "$ns" 2>/dev/null
	done
	AUDIT_NS=()
}
fa_die() {
	printf 'make-audit-capture: %s\n' "$*" >&2
	exit 1
}

fa_require

mkdir -p "$out" || fa_die "cannot create $out"
out=$(cd "$out" && pwd)
fa_build_tool netpeer FA_NETPEER

# name index address
HOSTS="wsapp:1:198.18.1.1 vda1:2:198.18.2.10 vda2:3:198.18.2.11 ddc:4:198.18.3.10"
HOSTS="$HOSTS lic:5:198.18.3.20 sf:6:198.18.3.30 cc:7:198.18.3.40"
declare -A ADDR MAC
NS_BR="fa-$$-br"
FAILED=0

ns() { printf 'fa-%s-%s' "$$" "$1"; }

setup() {
	local h name idx a host
	ip netns add "$NS_BR" || fa_die "ip netns add $NS_BR"
	AUDIT_NS+=("$NS_BR")
	ip netns exec "$NS_BR" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || fa_die "sysctl in $NS_BR"
	ip -n "$NS_BR" link set lo up
	ip -n "$NS_BR" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 ||
		fa_die "cannot create the bridge"
	for h in $HOSTS; do
		IFS=: read -r name idx a <<<"$h"
		host=$(ns "$name")
		ADDR[$name]=$a
		MAC[$name]=$(printf '02:fa:00:00:02:%02x' "$idx")
		ip netns add "$host" || fa_die "ip netns add $host"
		AUDIT_NS+=("$host")
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
	for h in $HOSTS; do
		IFS=: read -r name idx a <<<"$h"
		for h2 in $HOSTS; do
			IFS=: read -r n2 _ a2 <<<"$h2"
			[ "$n2" = "$name" ] && continue
			ip -n "$(ns "$name")" neigh replace "$a2" lladdr "${MAC[$n2]}" dev eth0 nud permanent ||
				fa_die "neighbour $a2 in $name"
		done
	done
	sleep 0.3
}

# nft HOST: load a ruleset (stdin) into the host's namespace.
nft_load() {
	ip netns exec "$(ns "$1")" nft -f - || fa_die "nft ruleset rejected in $1"
}

firewalls() {
	local v
	for v in vda1 vda2; do
		nft_load "$v" <<-'EOF'
		table inet fa_audit {
			chain input {
				type filter hook input priority 0; policy accept;
				tcp dport 1494 accept comment "ICA"
				tcp dport 2598 drop comment "CGP (session reliability): closed by mistake"
				udp dport 1494 drop comment "EDT: UDP not opened"
			}
		}
		EOF
	done
	nft_load ddc <<-'EOF'
	table inet fa_audit {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport 80 accept comment "VDA registration, XML"
		}
	}
	EOF
	nft_load lic <<-'EOF'
	table inet fa_audit {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport 27000 accept comment "lmgrd"
		}
	}
	EOF
	nft_load sf <<-'EOF'
	table inet fa_audit {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport 443 reject with icmpx type admin-prohibited comment "HTTPS store: rejected by mistake"
			tcp dport { 80, 8080 } accept
		}
	}
	EOF
	nft_load cc <<-'EOF'
	table inet fa_audit {
		chain input {
			type filter hook input priority 0; policy accept;
		}
	}
	EOF
}

capture_start() {
	local file=$1
	rm -f "$FA_TMP/tcpdump.err"
	fa_bg "$NS_BR" 120 tcpdump -Z root -i br0 -n -s 0 --immediate-mode -U -w "$file" \
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

# session NAME WANT SRVHOST CLIHOST server-args... -- client-args...
session() {
	local name=$1 want=$2 srvhost=$3 clihost=$4
	shift 4
	local sargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		sargs+=("$1")
		shift
	done
	shift
	server "$srvhost" "${sargs[@]}"
	local srv=$FA_LAST_PID
	fa_expect "$name" "$want" "$(client "$clihost" "$@")"
	fa_wait_pid "$srv" 8
}

scenario() {
	local vda=${ADDR[vda1]} ddc=${ADDR[ddc]} lic=${ADDR[lic]} sf=${ADDR[sf]}
	local rcfile="$FA_TMP/cgp.rc"

	# Phase A: the openings that fail. CGP's dropped SYNs run in the background.
	rm -f "$rcfile"
	(client wsapp tcp-client "$vda" 2598 --bind-port 42002 --timeout 2 >"$rcfile") &
	local bg=$!
	FA_PIDS+=("$bg")
	sleep 0.2
	fa_expect "edt udp 1494" 0 "$(client wsapp udp-client "$vda" 1494 --bind-port 42003 --count 2 \
		--size 100 --interval-ms 200)"
	fa_expect "vendor daemon tcp 7279" 3 "$(client ddc tcp-client "$lic" 7279 --bind-port 42006 --timeout 2)"
	fa_expect "storefront tcp 443" 5 "$(client wsapp tcp-client "$sf" 443 --bind-port 42007 --timeout 2)"
	fa_expect "ddc udp 9999" 0 "$(client wsapp udp-client "$ddc" 9999 --bind-port 42010 --count 2 \
		--size 60 --interval-ms 200)"
	fa_wait_pid "$bg" 6
	fa_expect "cgp tcp 2598" 4 "$(cat "$rcfile" 2>/dev/null)"
	# The last failed packet (CGP's second SYN, at +1 s) is now 1 s old; with
	# 2.5 s more, phase B starts 3.5 s after it and ends about 2 s later, so
	# the capture's last packet is more than 5 s after it: nothing is within
	# flowaudit's 3 s --pending-window of the end.
	sleep 2.5

	# Phase B: the answered sessions.
	# ICA is server-speaks-first: the VDA's banner 7f 7f "ICA" 00, then the session's bytes.
	session "ica tcp 1494" 0 vda1 wsapp proto-server "$vda" 1494 --greet 7f7f49434100+26 --answer +2000 \
		--timeout 5 -- proto-client "$vda" 1494 --bind-port 42001 --read-greet 32 --say +64
	session "registration tcp 80" 0 ddc vda1 tcp-server "$ddc" 80 --reply 500 --timeout 5 -- \
		tcp-client "$ddc" 80 --bind-port 42004 --send 200 --expect 500
	session "lmgrd tcp 27000" 0 lic ddc tcp-server "$lic" 27000 --reply 100 --timeout 5 -- \
		tcp-client "$lic" 27000 --bind-port 42005 --send 64 --expect 100
	session "storefront tcp 80 reset" 6 sf wsapp tcp-server "$sf" 80 --reply 0 --rst --timeout 5 -- \
		tcp-client "$sf" 80 --bind-port 42008 --send 64
	session "storefront tcp 8080" 0 sf wsapp tcp-server "$sf" 8080 --reply 300 --timeout 5 -- \
		tcp-client "$sf" 8080 --bind-port 42009 --send 64 --expect 300
}

start=$(date +%s)
fa_log "== audit-demo"
setup
firewalls
capture_start "$out/audit-demo.pcap"
scenario
fa_capture_stop
fa_teardown
fa_log "make-audit-capture: done in $(($(date +%s) - start)) s: $out/audit-demo.pcap"
exit "$FAILED"
