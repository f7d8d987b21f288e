#!/bin/bash
# make-tunnel-captures.sh: real-stack captures of the tunnels decode opens (issue 18)
#
# usage: tests/netns/make-tunnel-captures.sh [OUTDIR] [SECTION ...]
#
# OUTDIR defaults to pcaps/ of this tree; SECTIONs are the names below
# (default: all, about 25 s). Needs root, `ip netns`, /dev/net/tun and
# /usr/bin/python3 (else prints SKIP and exits 77). Writes, in OUTDIR:
#
#   ipip         tunnel-ipip.pcap        IPv4 underlay: TCP over IPv4 in IP (4), UDP over IPv6 in IP (41)
#   ip6ip        tunnel-ip6ip.pcap       IPv6 underlay: TCP over IPv6 in IPv6 (41), UDP over IPv4 in IPv6 (4)
#   gre          tunnel-gre.pcap         GRE 0x0800 carrying TCP/IPv4, 0x86dd carrying UDP/IPv6
#   geneve       tunnel-geneve.pcap      GENEVE (UDP 6081), TCP/IPv4 and UDP/IPv6 inside
#   teredo       tunnel-teredo.pcap      Teredo (UDP 3544 server), TCP/IPv6 and UDP/IPv6 inside
#   ayiya        tunnel-ayiya.pcap       AYIYA (UDP 5072 server), TCP/IPv6 and UDP/IPv4 inside
#   gtpu         tunnel-gtpu.pcap        GTP-U (UDP 2152), TCP/IPv4 and UDP/IPv6 inside; downlink G-PDUs
#                                         carry a PDU session container extension header
#   vxlan-linux  tunnel-vxlan-linux.pcap the kernel's own VXLAN (ip link type vxlan, VNI 5001): TCP and UDP
#
# This kernel has no ipip/sit/gre/geneve modules, so every tunnel but VXLAN
# is a userspace endpoint, tools/tunpeer.py, in each of the two namespaces
# of lib.sh (fa-<pid>-cli, fa-<pid>-srv, veth cli0/srv0, 198.18.1.1/.2,
# 2001:db8:1::1/::2): it reads the inner packets from a TUN device tun0
# (198.18.100.1/.2, 2001:db8:100::1/::2, MTU 1400) and sends them through
# a raw IP socket (protocols 4, 41, 47) or a UDP socket, so the outer
# datagrams are the kernel's; the peer decapsulates into its tun0. The
# inner TCP and UDP come from the namespaces' own stacks (tools/netpeer.c):
# a TCP session (64 bytes up, 1000 down, client closes) and a UDP echo (2 x
# 100 bytes), clients on fixed ports 41001.. (two per capture). tcpdump runs
# on srv0, the underlay, with offloads off on every veth and TUN device.
# Every wait is bounded; the EXIT trap (lib.sh's fa_cleanup) kills only the
# PIDs started here and deletes only the namespaces created here. The right
# answers are tests/golden/tunnel-*.expect (checked by tests/integration/golden.sh).

# Scenario functions are called indirectly ("sc_${name}"), which shellcheck cannot see.
# shellcheck disable=SC2317
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/pcaps}
[ $# -gt 0 ] && shift

# shellcheck source=tests/netns/lib.sh
. "$here/lib.sh"
fa_require
[ -c /dev/net/tun ] || fa_skip "no /dev/net/tun"
[ -x /usr/bin/python3 ] || fa_skip "no /usr/bin/python3"

mkdir -p "$out" || fa_die "cannot create $out"
out=$(cd "$out" && pwd)
fa_build_tool netpeer FA_NETPEER
TUNPEER=$top/tools/tunpeer.py

# The outer datagrams are IP protocols 4, 41 and 47 as well as UDP; keep out IPv6 ND and MLD (behind a hop-by-hop header).
FA_CAPTURE_FILTER='ip or (ip6 and not icmp6 and not ip6 proto 0) or (icmp6 and ip6[40] < 130)'

IN_CLI4=198.18.100.1
IN_SRV4=198.18.100.2
IN_CLI6=2001:db8:100::1
IN_SRV6=2001:db8:100::2

FAILED=0

# tun_dev NS A4 PEER4 A6 PEER6: a persistent TUN device tun0 with the inner addresses.
tun_dev() {
	local ns=$1
	ip -n "$ns" tuntap add dev tun0 mode tun || fa_die "tuntap in $ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.tun0.accept_ra=0 net.ipv6.conf.tun0.router_solicitations=0
	ip -n "$ns" link set tun0 mtu 1400 up
	ip netns exec "$ns" ethtool -K tun0 tx off >/dev/null 2>&1 || true	# TUN offers no offloads to turn off
	ip -n "$ns" addr add "$2/32" peer "$3/32" dev tun0
	ip -n "$ns" addr add "$4/128" dev tun0 nodad
	ip -n "$ns" route add "$5/128" dev tun0
}

# tunnel MODE UNDERLAY(4|6) [CLIENT-ARGS -- SERVER-ARGS]: a tunpeer in each namespace, up before it returns.
tunnel() {
	local mode=$1 fam=$2 cli srv ready
	shift 2
	if [ "$fam" = 4 ]; then cli=$FA_CLI4 srv=$FA_SRV4; else cli=$FA_CLI6 srv=$FA_SRV6; fi
	local cargs=() sargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do cargs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	sargs=("$@")
	for side in cli srv; do
		ready="$FA_TMP/tun-$side.ready"
		rm -f "$ready"
		if [ "$side" = cli ]; then
			fa_bg "$FA_NS_CLI" 30 /usr/bin/python3 "$TUNPEER" --mode "$mode" --role client --tun tun0 \
				--local "$cli" --peer "$srv" --seconds 25 --ready "$ready" "${cargs[@]}"
		else
			fa_bg "$FA_NS_SRV" 30 /usr/bin/python3 "$TUNPEER" --mode "$mode" --role server --tun tun0 \
				--local "$srv" --peer "$cli" --seconds 25 --ready "$ready" "${sargs[@]}"
		fi
		fa_wait_file "$ready"
	done
}

# traffic TCP-ADDR UDP-ADDR PORT: a TCP session to TCP-ADDR, then a UDP echo with UDP-ADDR, clients on PORT, PORT+1.
traffic() {
	local tcp=$1 udp=$2 port=$3 srv
	fa_server tcp-server "$tcp" 1494 --reply 1000 --timeout 5
	srv=$FA_LAST_PID
	fa_expect "tcp $tcp" 0 "$(fa_client tcp-client "$tcp" 1494 --bind-port "$port" --send 64 --expect 1000)"
	fa_wait_pid "$srv" 6
	fa_server udp-server "$udp" 2598 --echo --count 2 --timeout 5
	srv=$FA_LAST_PID
	fa_expect "udp $udp" 0 "$(fa_client udp-client "$udp" 2598 --bind-port $((port + 1)) --count 2 --size 100 \
		--wait-reply 2)"
	fa_wait_pid "$srv" 6
}

sc_ipip() {
	tunnel ip 4
	traffic "$IN_SRV4" "$IN_SRV6" 41001
}

sc_ip6ip() {
	tunnel ip 6
	traffic "$IN_SRV6" "$IN_SRV4" 41003
}

sc_gre() {
	tunnel gre 4
	traffic "$IN_SRV4" "$IN_SRV6" 41005
}

sc_geneve() {
	tunnel geneve 4 --lport 6081 --pport 6081 -- --lport 6081 --pport 6081
	traffic "$IN_SRV4" "$IN_SRV6" 41007
}

# The client's NAT-side port is fixed (50544), the server's is Teredo's.
sc_teredo() {
	tunnel teredo 4 --lport 50544 --pport 3544 -- --lport 3544 --pport 50544
	traffic "$IN_SRV6" "$IN_SRV6" 41009
}

sc_ayiya() {
	tunnel ayiya 4 --lport 50572 --pport 5072 --ident "$IN_CLI6" -- --lport 5072 --pport 50572 --ident "$IN_SRV6"
	traffic "$IN_SRV6" "$IN_SRV4" 41011
}

sc_gtpu() {
	tunnel gtpu 4 --lport 2152 --pport 2152 -- --lport 2152 --pport 2152
	traffic "$IN_SRV4" "$IN_SRV6" 41013
}

# The kernel's VXLAN: vxlan0 over the veth, static forwarding entry and neighbours (no flooding, no ARP).
vxlan_dev() {
	local ns=$1 local=$2 remote=$3 mac=$4 a4=$5 peer_mac=$6 peer4=$7
	ip -n "$ns" link add vxlan0 address "$mac" type vxlan id 5001 dstport 4789 local "$local" nolearning ||
		fa_die "vxlan in $ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.vxlan0.disable_ipv6=1
	ip -n "$ns" link set vxlan0 mtu 1400 up
	fa_no_offloads "$ns" vxlan0
	ip -n "$ns" addr add "$a4/24" dev vxlan0
	ip netns exec "$ns" bridge fdb append "$peer_mac" dev vxlan0 dst "$remote"
	ip -n "$ns" neigh replace "$peer4" lladdr "$peer_mac" dev vxlan0 nud permanent
}

sc_vxlan_linux() {
	vxlan_dev "$FA_NS_CLI" "$FA_CLI4" "$FA_SRV4" 02:fa:00:00:65:01 198.18.101.1 02:fa:00:00:65:02 198.18.101.2
	vxlan_dev "$FA_NS_SRV" "$FA_SRV4" "$FA_CLI4" 02:fa:00:00:65:02 198.18.101.2 02:fa:00:00:65:01 198.18.101.1
	sleep 0.3
	traffic 198.18.101.2 198.18.101.2 41015
}

# capture NAME: fresh hosts (TUN devices but for vxlan-linux), tcpdump on the underlay, scenario, stop.
capture() {
	local name=$1
	fa_log "== $name"
	fa_setup
	if [ "$name" != vxlan-linux ]; then
		tun_dev "$FA_NS_CLI" "$IN_CLI4" "$IN_SRV4" "$IN_CLI6" "$IN_SRV6"
		tun_dev "$FA_NS_SRV" "$IN_SRV4" "$IN_CLI4" "$IN_SRV6" "$IN_CLI6"
		sleep 0.3	# the TUN devices' link-up chatter goes nowhere until tunpeer reads it; let it pass
	fi
	fa_capture_start "$out/tunnel-$name.pcap"
	"sc_${name//-/_}"
	fa_capture_stop
	fa_cleanup_pids
	fa_teardown
}

# Stop this capture's tunpeers (and anything else still running from it) before the next capture.
fa_cleanup_pids() {
	local pid
	for pid in "${FA_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${FA_PIDS[@]}"; do
		fa_wait_pid "$pid" 2
	done
	FA_PIDS=()
}

ALL="ipip ip6ip gre geneve teredo ayiya gtpu vxlan-linux"

start=$(date +%s)
# shellcheck disable=SC2086  # word splitting wanted: the section names
[ $# -gt 0 ] || set -- $ALL
for s in "$@"; do
	[[ " $ALL " == *" $s "* ]] || fa_die "unknown section $s"
	capture "$s"
done
fa_log "make-tunnel-captures: done in $(($(date +%s) - start)) s"
exit "$FAILED"
