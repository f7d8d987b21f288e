#!/bin/bash
# live-site.sh: a routed Citrix site in network namespaces with a mirror (SPAN) port, for live audits
#
# Sourced by tests/integration/live.sh (functions ls_*); run directly it builds
# the site, runs the scenario once with tcpdump on span0 and span1, and tears it
# down:   sudo tests/netns/live-site.sh
# Needs root and `ip netns` (else SKIP, exit 77). tests/netns/README.md has the picture.
#
#   user LAN 198.18.1.0/24            router (nft forward)           datacenter: bridge br-dc
#   bridge br-lan in fa-<pid>-lan     fa-<pid>-rtr                   in fa-<pid>-dc
#     wsapp 198.18.1.1  ---+                                     +--- vda  198.18.2.10/24 (gw .2.1)
#     rpc   198.18.1.10 ---+--- lan0 198.18.1.254   dc0 ---------+--- ddc  198.18.3.10/24 (gw .3.1)
#                                                   198.18.2.1/24+--- lic  198.18.3.20/24
#                                                   198.18.3.1/24+--- sf   198.18.3.30/24
#                          mir0 ----------- span0  \
#                          mir1 ----------- span1  /  fa-<pid>-sensor (no addresses)
#
# wsapp is the Workspace app user, rpc a Remote PC Access VDA on an office
# desk (role vda, so it checks the License Server). The datacenter has two
# subnets on one bridge, both routed by dc0 (traffic between them would
# hairpin through the router; the scenario makes none).
#
# The mirror (tc clsact + u32 "match all" + mirred on the router):
#   span0  lan0 ingress + egress: one SPAN port, both directions. It is on the
#          user side of the firewall, so it also sees what the firewall drops.
#   span1  lan0 ingress + egress, and dc0 ingress + egress: two SPAN ports of
#          the same path. Every packet the router forwards appears twice
#          (TTL differing by one, MACs differing); what it drops, once.
#
# IPv4 only (IPv6 disabled in every namespace: no MLD or RS on the wire),
# static neighbours (no ARP), offloads off on every veth, ICMP rate limits
# off. Only the namespaces created here are touched; every wait is bounded;
# ls_teardown / the EXIT trap deletes exactly those and kills only our PIDs.

ls_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/netns/lib.sh
. "$ls_here/lib.sh"

LS_ID=$$
LS_NS=()
LS_TRAFFIC_ERRORS=()
LS_NETPEER=
# The namespaces, by short name; filled by ls_setup.
LS_NS_SENSOR=''
LS_NS_RTR=''

# name:segment:address/prefix:gateway:MAC-suffix
LS_HOSTS="wsapp:lan:198.18.1.1/24:198.18.1.254:01 rpc:lan:198.18.1.10/24:198.18.1.254:02
vda:dc:198.18.2.10/24:198.18.2.1:10 ddc:dc:198.18.3.10/24:198.18.3.1:11
lic:dc:198.18.3.20/24:198.18.3.1:12 sf:dc:198.18.3.30/24:198.18.3.1:13"
LS_RTR_LAN_MAC=02:fa:00:00:03:fe
LS_RTR_DC_MAC=02:fa:00:00:03:fd
LS_VDA=198.18.2.10
LS_LIC=198.18.3.20
LS_SF=198.18.3.30

fa_die() {
	printf 'live-site: %s\n' "$*" >&2
	exit 1
}

# lib.sh's fa_cleanup (the EXIT trap) calls this: delete only our namespaces.
fa_teardown() {
	local ns
	for ns in "${LS_NS[@]}"; do
		ip netns delete "$ns" 2>/dev/null
	done
	LS_NS=()
}
ls_teardown() { fa_teardown; }

ls_ns() { printf 'fa-%s-%s' "$LS_ID" "$1"; }

# SKIP (exit 77) unless root with working namespaces and the tools; then
# install the cleanup trap. EXTRA_TRAP (optional) runs after it on exit.
ls_require() {
	local extra=${1:-} t
	[ "$(id -u)" -eq 0 ] || fa_skip "needs root for ip netns"
	for t in ip tc nft ethtool timeout; do
		command -v "$t" >/dev/null 2>&1 || fa_skip "$t not installed"
	done
	local probe
	probe=$(ls_ns probe)
	ip netns add "$probe" 2>/dev/null || fa_skip "ip netns not available here"
	if ! ip -n "$probe" link add fa-x0 type veth peer name fa-x1 2>/dev/null ||
		! tc -n "$probe" qdisc add dev fa-x0 clsact 2>/dev/null ||
		! tc -n "$probe" filter add dev fa-x0 ingress protocol all u32 match u32 0 0 \
			action mirred egress mirror dev fa-x1 2>/dev/null; then
		ip netns delete "$probe"
		fa_skip "tc clsact, u32 or mirred not available in this kernel"
	fi
	ip netns delete "$probe"
	FA_TMP=$(mktemp -d /tmp/fa-live.XXXXXX)
	# shellcheck disable=SC2064
	trap "fa_cleanup; $extra" EXIT
	trap 'exit 130' INT TERM
}

# The traffic tool: $NETPEER (make check builds it) or a build of tools/netpeer.c.
ls_netpeer() {
	if [ -n "${NETPEER:-}" ] && [ -x "$NETPEER" ]; then
		LS_NETPEER=$NETPEER
	else
		LS_NETPEER=$FA_TMP/netpeer
		gcc -std=gnu11 -O2 -o "$LS_NETPEER" "$ls_here/../../tools/netpeer.c" ||
			fa_die "cannot build tools/netpeer.c"
	fi
	FA_NETPEER=$LS_NETPEER
}

# ls_addns NAME: a namespace with IPv6 off and quiet, bounded defaults.
ls_addns() {
	local ns
	ns=$(ls_ns "$1")
	ip netns add "$ns" || fa_die "ip netns add $ns"
	LS_NS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 net.ipv4.icmp_ratelimit=0 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 ||
		fa_die "sysctl in $ns"
	# Classic SYN backoff (1 s, 3 s, ...) where the kernel has the knob.
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null || true
	ip -n "$ns" link set lo up
}

# ls_veth NS1 IF1 MAC1 NS2 IF2 MAC2: a veth pair, offloads off, both ends up ("-" = kernel's MAC).
ls_veth() {
	local n1 n2 m1=() m2=()
	n1=$(ls_ns "$1") n2=$(ls_ns "$4")
	[ "$3" != - ] && m1=(address "$3")
	[ "$6" != - ] && m2=(address "$6")
	ip -n "$n1" link add "$2" "${m1[@]}" type veth peer name "$5" "${m2[@]}" netns "$n2" ||
		fa_die "veth $2/$5"
	fa_no_offloads "$n1" "$2"
	fa_no_offloads "$n2" "$5"
	ip -n "$n1" link set "$2" up
	ip -n "$n2" link set "$5" up
}

ls_bridge() {
	local ns
	ns=$(ls_ns "$1")
	ip -n "$ns" link add "$2" type bridge stp_state 0 forward_delay 0 mcast_snooping 0 ||
		fa_die "bridge $2"
	fa_no_offloads "$ns" "$2"
	ip -n "$ns" link set "$2" up
}

# The mirror: what goes to span0 and span1 (see the header).
ls_mirror() {
	local r=$LS_NS_RTR dir
	tc -n "$r" qdisc add dev lan0 clsact || fa_die "tc clsact on lan0"
	tc -n "$r" qdisc add dev dc0 clsact || fa_die "tc clsact on dc0"
	for dir in ingress egress; do
		tc -n "$r" filter add dev lan0 "$dir" protocol all u32 match u32 0 0 \
			action mirred egress mirror dev mir0 pipe \
			action mirred egress mirror dev mir1 pipe || fa_die "tc filter lan0 $dir"
		tc -n "$r" filter add dev dc0 "$dir" protocol all u32 match u32 0 0 \
			action mirred egress mirror dev mir1 pipe || fa_die "tc filter dc0 $dir"
	done
}

# The router's firewall: an allow-list (policy drop). CGP (TCP and UDP 2598)
# to the VDAs is not opened: the mistake the audit must find.
ls_firewall() {
	ip netns exec "$LS_NS_RTR" nft -f - <<-'EOF' || fa_die "nft ruleset rejected in the router"
	table ip fa_live {
		chain forward {
			type filter hook forward priority 0; policy drop;
			ct state established,related accept
			ip daddr 198.18.2.0/24 tcp dport 2598 counter drop comment "cgp-tcp: not opened by mistake"
			ip daddr 198.18.2.0/24 udp dport 2598 counter drop comment "cgp-udp: not opened by mistake"
			ip saddr 198.18.1.0/24 ip daddr 198.18.2.0/24 tcp dport 1494 accept comment "ICA"
			ip saddr 198.18.1.0/24 ip daddr 198.18.2.0/24 udp dport 1494 accept comment "EDT"
			ip saddr 198.18.1.0/24 ip daddr 198.18.3.30 tcp dport { 80, 443 } accept comment "StoreFront"
			ip saddr 198.18.1.10 ip daddr 198.18.3.20 tcp dport { 7279, 27000 } accept comment "licensing"
			ip saddr 198.18.2.0/23 ip daddr 198.18.2.0/23 accept comment "inside the datacenter"
		}
	}
	EOF
}

# ls_nft_dropped TAG: packets counted by the router's drop rule with that comment prefix.
ls_nft_dropped() {
	ip netns exec "$LS_NS_RTR" nft list chain ip fa_live forward 2>/dev/null |
		awk -v tag="\"$1:" 'index($0, tag) { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

ls_setup() {
	local h name seg cidr gw idx ns mac rmac
	ls_netpeer
	ls_addns lan
	ls_addns dc
	ls_addns rtr
	ls_addns sensor
	LS_NS_RTR=$(ls_ns rtr)
	LS_NS_SENSOR=$(ls_ns sensor)
	ls_bridge lan br-lan
	ls_bridge dc br-dc
	ip netns exec "$LS_NS_RTR" sysctl -qw net.ipv4.ip_forward=1 || fa_die "ip_forward"
	ls_veth rtr lan0 "$LS_RTR_LAN_MAC" lan p-rtr -
	ls_veth rtr dc0 "$LS_RTR_DC_MAC" dc p-rtr -
	ip -n "$(ls_ns lan)" link set p-rtr master br-lan || fa_die "p-rtr on br-lan"
	ip -n "$(ls_ns dc)" link set p-rtr master br-dc || fa_die "p-rtr on br-dc"
	ip -n "$LS_NS_RTR" addr add 198.18.1.254/24 dev lan0
	ip -n "$LS_NS_RTR" addr add 198.18.2.1/24 dev dc0
	ip -n "$LS_NS_RTR" addr add 198.18.3.1/24 dev dc0
	ls_veth rtr mir0 - sensor span0 -
	ls_veth rtr mir1 - sensor span1 -
	for h in $LS_HOSTS; do
		IFS=: read -r name seg cidr gw idx <<<"$h"
		ls_addns "$name"
		ns=$(ls_ns "$name")
		mac=02:fa:00:00:03:$idx
		ls_veth "$seg" "p-$name" - "$name" eth0 "$mac"
		ip -n "$(ls_ns "$seg")" link set "p-$name" master "br-$seg" || fa_die "p-$name on br-$seg"
		ip -n "$ns" addr add "$cidr" dev eth0 || fa_die "address of $name"
		ip -n "$ns" route add default via "$gw" || fa_die "route of $name"
		if [ "$seg" = lan ]; then rmac=$LS_RTR_LAN_MAC; else rmac=$LS_RTR_DC_MAC; fi
		ip -n "$ns" neigh replace "$gw" lladdr "$rmac" dev eth0 nud permanent ||
			fa_die "neighbour $gw in $name"
		ip -n "$LS_NS_RTR" neigh replace "${cidr%/*}" lladdr "$mac" dev "${seg}0" nud permanent ||
			fa_die "neighbour ${cidr%/*} in the router"
	done
	ls_firewall
	ls_mirror
	# Let the links settle before anything is captured.
	sleep 0.3
}

# ls_live_start ERRFILE IFACE ARGS...: flowaudit live in the sensor namespace, with the shipped
# rules and the site file $SITE (the tests' tests/golden/site-live.yaml); ip netns exec execs it,
# so LIVE_PID is flowaudit's own PID. Returns 0 once its stderr says "listening on IFACE", 1 if
# it died or took over 5 s. For the tests (lib.sh's FLOWAUDIT and SRCDIR).
ls_live_start() {
	local err=$1 iface=$2 i
	shift 2
	ip netns exec "$LS_NS_SENSOR" "$FLOWAUDIT" -i "$iface" --rules "$SRCDIR/rules" --site "$SITE" "$@" \
		2>"$err" &
	LIVE_PID=$!
	FA_PIDS+=("$LIVE_PID")
	for ((i = 0; i < 100; i++)); do
		grep -q "listening on $iface" "$err" 2>/dev/null && return 0
		kill -0 "$LIVE_PID" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

# ls_expect WHAT WANT GOT: note a client exit status other than the planned one.
ls_expect() {
	if [ "$2" != "$3" ]; then
		LS_TRAFFIC_ERRORS+=("$1: exit status $3, expected $2")
		fa_log "live-site: $1: exit status $3, expected $2"
	fi
}

# ls_server HOST netpeer-args...: a listener in HOST, bound before this returns.
ls_server() {
	local host=$1 ready="$FA_TMP/ready.$RANDOM" i
	shift
	rm -f "$ready"
	fa_bg "$(ls_ns "$host")" 30 "$LS_NETPEER" "$@" --ready "$ready"
	for ((i = 0; i < 100; i++)); do
		[ -s "$ready" ] && return 0
		sleep 0.05
	done
	fa_die "netpeer server in $host did not start"
}

# ls_client HOST netpeer-args...: a client in HOST (bounded); prints its exit status.
ls_client() {
	local host=$1 rc=0
	shift
	fa_in "$(ls_ns "$host")" 30 "$LS_NETPEER" "$@" >/dev/null 2>&1 || rc=$?
	echo "$rc"
}

# ls_session NAME WANT SRVHOST CLIHOST server-args... -- client-args...
ls_session() {
	local name=$1 want=$2 srvhost=$3 clihost=$4 sargs=()
	shift 4
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		sargs+=("$1")
		shift
	done
	shift
	ls_server "$srvhost" "${sargs[@]}"
	local srv=$FA_LAST_PID
	ls_expect "$name" "$want" "$(ls_client "$clihost" "$@")"
	fa_wait_pid "$srv" 8
}

# Client ports are LS_PORT_BASE + 1..6, fixed; a second run in the same site
# takes another base (the ICA client's port is in TIME_WAIT for 60 s).
LS_PORT_BASE=43000

# Phase A, the openings that fail (about 2 s). Client ports (LS_PORT_BASE 43000):
#   43002 wsapp -> vda tcp 2598    SYNs dropped by the router (client gives up after 2 s)
#   43003 wsapp -> vda udp 2598    2 datagrams dropped by the router
#   43004 rpc   -> lic tcp 27000   no listener: RST from the License Server's kernel
# Its last packet is the second CGP SYN, about 1 s after the start.
ls_phase_a() {
	local p=$LS_PORT_BASE rcfile="$FA_TMP/cgp.rc.$RANDOM" bg
	(ls_client wsapp tcp-client "$LS_VDA" 2598 --bind-port $((p + 2)) --timeout 2 >"$rcfile") &
	bg=$!
	FA_PIDS+=("$bg")
	sleep 0.2
	ls_expect "cgp udp 2598" 0 "$(ls_client wsapp udp-client "$LS_VDA" 2598 --bind-port $((p + 3)) \
		--count 2 --size 100 --interval-ms 200)"
	ls_expect "lmgrd tcp 27000" 3 "$(ls_client rpc tcp-client "$LS_LIC" 27000 --bind-port $((p + 4)) \
		--timeout 2)"
	fa_wait_pid "$bg" 6
	ls_expect "cgp tcp 2598" 4 "$(cat "$rcfile" 2>/dev/null)"
}

# Phase B, the answered sessions (about 1.5 s):
#   43001 wsapp -> vda tcp 1494    64 -> 2000 bytes, client closes first (FIN both ways)
#   43005 wsapp -> sf  tcp 80      64 -> 300 bytes, then the server aborts (RST)
#   43006 wsapp -> vda udp 1494    2 datagrams, each echoed
ls_phase_b() {
	local p=$LS_PORT_BASE
	ls_session "ica tcp 1494" 0 vda wsapp tcp-server "$LS_VDA" 1494 --reply 2000 --timeout 5 -- \
		tcp-client "$LS_VDA" 1494 --bind-port $((p + 1)) --send 64 --expect 2000
	ls_session "storefront tcp 80 reset" 6 sf wsapp tcp-server "$LS_SF" 80 --reply 300 --rst \
		--timeout 5 -- tcp-client "$LS_SF" 80 --bind-port $((p + 5)) --send 64
	ls_session "edt udp 1494" 0 vda wsapp udp-server "$LS_VDA" 1494 --echo --count 2 --timeout 5 -- \
		udp-client "$LS_VDA" 1494 --bind-port $((p + 6)) --count 2 --size 100 --interval-ms 100 \
		--wait-reply 1
}

# The scenario's quiet gap: phase B starts at least 3.5 s after phase A's
# last packet, so no opening that failed is within 3 s (flowaudit's default
# --pending-window) of the answered sessions or of the end of the capture.
LS_GAP=2.5

# Run directly: build the site and show the scenario on both mirror ports.
ls_main() {
	ls_require ''
	command -v tcpdump >/dev/null 2>&1 || fa_skip "tcpdump not installed"
	local start if pids=()
	start=$(date +%s)
	ls_setup
	for if in span0 span1; do
		fa_bg "$LS_NS_SENSOR" 60 tcpdump -Z root -i "$if" -n -v --immediate-mode -l \
			>"$FA_TMP/$if.txt" 2>"$FA_TMP/$if.err"
		pids+=("$FA_LAST_PID")
	done
	sleep 1
	ls_phase_a
	sleep "$LS_GAP"
	ls_phase_b
	sleep 0.5
	for if in 0 1; do
		kill -INT "${pids[$if]}" 2>/dev/null
		fa_wait_pid "${pids[$if]}" 5
	done
	for if in span0 span1; do
		printf '== %s\n' "$if"
		cat "$FA_TMP/$if.txt"
		grep -h 'packets' "$FA_TMP/$if.err"
	done
	printf '== router nft drops: cgp-tcp %s, cgp-udp %s\n' "$(ls_nft_dropped cgp-tcp)" \
		"$(ls_nft_dropped cgp-udp)"
	printf '== %d traffic errors; %s s\n' "${#LS_TRAFFIC_ERRORS[@]}" "$(($(date +%s) - start))"
	[ "${#LS_TRAFFIC_ERRORS[@]}" -eq 0 ]
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	ls_main "$@"
fi
