#!/bin/bash
# make-verdict-captures.sh: real-stack captures for the verdict reasons of issue 16 (resets, RST origin, pending, visibility)
#
# usage: tests/netns/make-verdict-captures.sh [OUTDIR] [SECTION ...]
#
# OUTDIR defaults to pcaps/ of this tree; SECTIONs are the names below
# (default: all, about 35 s). Needs root and `ip netns` (else prints SKIP and
# exits 77). Writes, in OUTDIR:
#
#   resets        verdict-resets.pcap         client resets after the handshake (ADC monitor probes,
#                                              HTTP client abort) and a server abort mid-response
#   rst-origin    verdict-rst-origin.pcap     routed: RSTs from the host, from the router, from a silent host
#   rotated       verdict-rotated/cap, cap1 … (tcpdump -C 1) and verdict-rotated-whole.pcap (the same traffic
#                                              by a second tcpdump): an ICA session streaming ~4.3 MB across files
#   partial-view  verdict-partial-view.pcap   only the user side is captured: the DDC and the License Server
#                                              never appear although they talk (and the VDA registers) elsewhere
#   edt-clients   verdict-edt-clients.pcap    32 clients: EDT (UDP 1494) dropped and retried, ICA (TCP 1494) ok
#   pending       verdict-pending.pcap        unanswered openings near the end: retried or not
#
# and the site files site-verdicts.yaml (resets, rst-origin, rotated,
# pending), site-partial-view.yaml and site-edt-clients.yaml. The right
# answers are tests/golden/<capture>.expect-verdicts (one line per flow) and
# the findings listed in pcaps/README.md, "The verdict captures"; they are
# checked by tests/integration/verdicts.sh.
#
# Every capture gets fresh namespaces fa-<pid>-<name>: hosts are namespaces
# joined to Linux bridges by veth pairs (eth0 in the host, p-<host> on the
# bridge); routed sites have a router namespace. Addresses only from
# 198.18.0.0/15, IPv6 off, static neighbours (no ARP on the wire), checksum
# and segmentation offloads off on every veth and bridge, ICMP rate limits
# and redirects off, the classic SYN backoff (1 s, 3 s) where the kernel has
# net.ipv4.tcp_syn_linear_timeouts, no tail loss probes. tcpdump (-s 0 -B 32768 --immediate-mode
# -U, filter 'tcp or udp or icmp') runs on a bridge, promiscuous; the script
# fails when it reports a packet dropped by the kernel. Traffic comes from
# tools/netpeer.c (every run bounded by --timeout and an alarm), clients on
# fixed source ports 46001-46606 (a port belongs to one capture). Every wait
# is bounded; the EXIT trap (lib.sh's fa_cleanup) kills only the PIDs
# started here and deletes only the namespaces created here.
#
# VERDICT_ROTATED_BYTES (default 4300000): the bytes of the stream in the
# rotated capture; about 1.06 MB of capture per MB streamed, so the default
# gives 5 files (cap .. cap4) and 10500000 gave 12 (cap10 sorting before
# cap2 in a shell glob), at ~22 MB for the two captures together.

# Scenario functions are called indirectly ("sc_${name}"), which shellcheck cannot see.
# shellcheck disable=SC2317
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/pcaps}
[ $# -gt 0 ] && shift

# shellcheck source=tests/netns/lib.sh
. "$here/lib.sh"

# This script's own namespaces replace lib.sh's two-host pair; fa_cleanup
# (lib.sh's EXIT trap) calls fa_teardown, which deletes only these.
VC_NS=()
fa_teardown() {
	local n
	for n in "${VC_NS[@]}"; do
		ip netns delete "$n" 2>/dev/null
	done
	VC_NS=()
}
fa_die() {
	printf 'make-verdict-captures: %s\n' "$*" >&2
	exit 1
}

fa_require
command -v awk >/dev/null 2>&1 || fa_skip "awk not installed"

mkdir -p "$out" || fa_die "cannot create $out"
out=$(cd "$out" && pwd)
fa_build_tool netpeer FA_NETPEER

FAILED=0
ROTATED_BYTES=${VERDICT_ROTATED_BYTES:-4300000}
ICA=7f7f49434100

# --- the namespaces ---------------------------------------------------------

ns() { printf 'fa-%s-%s' "$$" "$1"; }

# vc_addns NAME: a namespace with IPv6 off and quiet, bounded defaults.
vc_addns() {
	local n
	n=$(ns "$1")
	ip netns add "$n" || fa_die "ip netns add $n"
	VC_NS+=("$n")
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 net.ipv4.icmp_ratelimit=0 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 ||
		fa_die "sysctl in $n"
	# Classic SYN backoff (1 s, 3 s, ...) where the kernel has the knob.
	ip netns exec "$n" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null || true
	# No tail loss probes: on a busy machine a late ACK would otherwise draw a spurious
	# retransmission (history letter t) in the long stream of the rotated capture.
	ip netns exec "$n" sysctl -qw net.ipv4.tcp_early_retrans=0 || fa_die "tcp_early_retrans in $n"
	ip -n "$n" link set lo up
}

# vc_bridge NAME BR: a namespace NAME holding the bridge BR.
vc_bridge() {
	vc_addns "$1"
	ip -n "$(ns "$1")" link add "$2" type bridge stp_state 0 forward_delay 0 mcast_snooping 0 ||
		fa_die "bridge $2"
	fa_no_offloads "$(ns "$1")" "$2"
	ip -n "$(ns "$1")" link set "$2" up
}

# vc_port NAME IF MAC BRNS BR: a veth IF (MAC) in NAME whose peer p-NAME is a port of BR in BRNS.
vc_port() {
	local n b
	n=$(ns "$1") b=$(ns "$4")
	ip -n "$b" link add "p-$1" type veth peer name "$2" address "$3" netns "$n" || fa_die "veth $1/$2"
	fa_no_offloads "$b" "p-$1"
	fa_no_offloads "$n" "$2"
	ip -n "$b" link set "p-$1" master "$5" up || fa_die "p-$1 on $5"
	ip -n "$n" link set "$2" up
}

# vc_host NAME BRNS BR MAC ADDR/PREFIX [GATEWAY]: a host namespace on a bridge.
vc_host() {
	vc_addns "$1"
	vc_port "$1" eth0 "$4" "$2" "$3"
	ip -n "$(ns "$1")" addr add "$5" dev eth0 || fa_die "address of $1"
	if [ -n "${6:-}" ]; then
		ip -n "$(ns "$1")" route add default via "$6" || fa_die "route of $1"
	fi
}

# vc_neigh NAME IF ADDR MAC: a static neighbour.
vc_neigh() {
	ip -n "$(ns "$1")" neigh replace "$3" lladdr "$4" dev "$2" nud permanent || fa_die "neighbour $3 in $1"
}

declare -A ADDR MAC

# flat_site "name:address:mac-suffix ...": one bridge br0 in fa-<pid>-br, every host on it
# (198.18.0.0/16, on-link), each knowing every other's MAC.
flat_site() {
	local h name a idx h2 n2 a2
	vc_bridge br br0
	for h in $1; do
		IFS=: read -r name a idx <<<"$h"
		ADDR[$name]=$a
		MAC[$name]=02:fa:00:00:06:$idx
		vc_host "$name" br br0 "${MAC[$name]}" "$a/16"
	done
	for h in $1; do
		IFS=: read -r name a idx <<<"$h"
		for h2 in $1; do
			IFS=: read -r n2 a2 _ <<<"$h2"
			[ "$n2" = "$name" ] || vc_neigh "$name" eth0 "$a2" "${MAC[$n2]}"
		done
	done
}

RTR_LAN_MAC=02:fa:00:00:06:fe
RTR_DC_MAC=02:fa:00:00:06:fd

# routed_site "lan hosts" "dc hosts": as tests/netns/live-site.sh, without the mirror.
#   user LAN: bridge br-lan in fa-<pid>-lan, 198.18.1.0/24, router lan0 198.18.1.254
#   datacenter: bridge br-dc in fa-<pid>-dc, 198.18.2.0/24 and 198.18.3.0/24,
#   router dc0 198.18.2.1 and 198.18.3.1 (traffic between the two subnets hairpins through dc0)
# Hosts are "name:address:mac-suffix"; the gateway is the router's address in the host's /24.
routed_site() {
	local h name a idx gw seg rmac peers
	vc_bridge lan br-lan
	vc_bridge dc br-dc
	vc_addns rtr
	ip netns exec "$(ns rtr)" sysctl -qw net.ipv4.ip_forward=1 || fa_die "ip_forward"
	vc_port rtr lan0 "$RTR_LAN_MAC" lan br-lan
	vc_port rtr dc0 "$RTR_DC_MAC" dc br-dc
	ip -n "$(ns rtr)" addr add 198.18.1.254/24 dev lan0
	ip -n "$(ns rtr)" addr add 198.18.2.1/24 dev dc0
	ip -n "$(ns rtr)" addr add 198.18.3.1/24 dev dc0
	for seg in lan dc; do
		if [ "$seg" = lan ]; then peers=$1 rmac=$RTR_LAN_MAC; else peers=$2 rmac=$RTR_DC_MAC; fi
		for h in $peers; do
			IFS=: read -r name a idx <<<"$h"
			ADDR[$name]=$a
			MAC[$name]=02:fa:00:00:06:$idx
			case $a in
			198.18.1.*) gw=198.18.1.254 ;;
			198.18.2.*) gw=198.18.2.1 ;;
			*) gw=198.18.3.1 ;;
			esac
			vc_host "$name" "$seg" "br-$seg" "${MAC[$name]}" "$a/24" "$gw"
			vc_neigh "$name" eth0 "$gw" "$rmac"
			vc_neigh rtr "${seg}0" "$a" "${MAC[$name]}"
		done
	done
	# Hosts of the same /24 talk directly.
	local h2 n2 a2
	for h in $1 $2; do
		IFS=: read -r name a _ <<<"$h"
		for h2 in $1 $2; do
			IFS=: read -r n2 a2 _ <<<"$h2"
			[ "$n2" != "$name" ] && [ "${a%.*}" = "${a2%.*}" ] && vc_neigh "$name" eth0 "$a2" "${MAC[$n2]}"
		done
	done
}

# nft_load NAME: a ruleset (stdin) into a namespace.
nft_load() {
	ip netns exec "$(ns "$1")" nft -f - || fa_die "nft ruleset rejected in $1"
}

# --- capture, servers, clients ---------------------------------------------

# cap_start NAME IF ERRFILE tcpdump-args...: tcpdump on IF in fa-<pid>-NAME; returns once it
# listens; CAP_PID is its PID (timeout(1)'s, which passes SIGINT on).
cap_start() {
	local n=$1 ifc=$2 err=$3
	shift 3
	rm -f "$err"
	fa_bg "$(ns "$n")" 120 tcpdump -Z root -i "$ifc" -n -s 0 -B 32768 --immediate-mode -U "$@" \
		'tcp or udp or icmp' 2>"$err"
	CAP_PID=$FA_LAST_PID
	fa_wait_file "$err" 'listening on'
}

# cap_stop PID ERRFILE: stop tcpdump (SIGINT, so it flushes); fail on packets dropped by the kernel.
cap_stop() {
	kill -INT "$1" 2>/dev/null
	fa_wait_pid "$1" 5
	grep -h 'packets captured' "$2" >&2 || true
	if ! grep -q '^0 packets dropped by kernel' "$2"; then
		fa_log "make-verdict-captures: ${FA_STEP:-}: tcpdump: $(grep -h 'dropped by kernel' "$2")"
		FAILED=1
	fi
}

# srv HOST netpeer-args...: a listener in HOST, bound before this returns; SRV_PID.
srv() {
	local host=$1 ready="$FA_TMP/ready.$RANDOM"
	shift
	rm -f "$ready"
	fa_bg "$(ns "$host")" 40 "$FA_NETPEER" "$@" --ready "$ready"
	SRV_PID=$FA_LAST_PID
	fa_wait_file "$ready"
}

# srv_done NAME WANT...: wait (bounded) for the last server; its exit status must be one of WANT.
srv_done() {
	local name=$1 pid=$SRV_PID rc
	shift
	if live_wait "$pid" 15; then rc=$LIVE_RC; else rc=killed; fi
	[[ " $* " == *" $rc "* ]] || fa_expect "$name (server)" "$1" "$rc"
}

# cli HOST netpeer-args...: a client in HOST (bounded); prints its exit status.
cli() {
	local host=$1 rc=0
	shift
	fa_in "$(ns "$host")" 30 "$FA_NETPEER" "$@" >/dev/null 2>>"$FA_TMP/clients.err" || rc=$?
	echo "$rc"
}

# cli_bg HOST netpeer-args...: a client in the background (our child, so live_wait can
# take its exit status); BG_PID.
cli_bg() {
	local host=$1
	shift
	fa_bg "$(ns "$host")" 30 "$FA_NETPEER" "$@" >/dev/null 2>>"$FA_TMP/clients.err"
	BG_PID=$FA_LAST_PID
}

# bg_done NAME WANT PID [SECS]: wait (bounded) for a background client; check its exit status.
bg_done() {
	local rc
	if live_wait "$3" "${4:-10}"; then rc=$LIVE_RC; else rc=killed; fi
	fa_expect "$1" "$2" "$rc"
}

# The scenario's clock: t_start, then "at SECONDS" sleeps until that many seconds after it.
T0=0
t_start() { T0=$(date +%s.%N); }
at() {
	local d
	d=$(awk -v t0="$T0" -v s="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.3f", t0 + s - now }')
	case $d in
	-*)
		# Late by more than 0.25 s: the timing the answer relies on may not hold.
		if awk -v d="$d" 'BEGIN { exit !(d < -0.25) }'; then
			fa_log "make-verdict-captures: ${FA_STEP:-}: ${d#-} s late for t=$1"
			FAILED=1
		fi
		;;
	*) sleep "$d" ;;
	esac
}

hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

# --- the site files -----------------------------------------------------------

write_sites() {
	cat >"$out/site-verdicts.yaml" <<-'EOF'
	# The site of the verdict captures verdict-resets, verdict-rst-origin,
	# verdict-rotated (and verdict-rotated-whole) and verdict-pending, made by
	# tests/netns/make-verdict-captures.sh (pcaps/README.md, "The verdict
	# captures"). One address plan for all four: each capture uses some of it.
	# 198.18.1.10 is a Remote PC Access VDA on the user LAN (verdict-rst-origin);
	# 198.18.3.21 a second License Server that sends nothing but one RST.
	site: verdict-captures
	roles:
	  workspace-app: 198.18.1.1
	  vda: [198.18.1.10, 198.18.2.10]
	  ddc: 198.18.3.10
	  license-server: [198.18.3.20, 198.18.3.21]
	  storefront: 198.18.3.30
	  adc-snip: 198.18.4.1
	scope: [198.18.0.0/15]
	matrices: [citrix-cvad, citrix-gateway, citrix-licensing]
	EOF
	cat >"$out/site-partial-view.yaml" <<-'EOF'
	# The site of verdict-partial-view.pcap (tests/netns/make-verdict-captures.sh,
	# section partial-view). The capture is taken on the user LAN only: it sees
	# the Workspace app and the VDA, never the DDC or the License Server (they
	# talk to each other, and the VDA registers, on the datacenter bridge), nor
	# the Cloud Connector and the Citrix Cloud (listed, never on the wire).
	site: partial-view
	roles:
	  workspace-app: 198.18.1.1
	  vda: 198.18.2.10
	  ddc: 198.18.3.10
	  license-server: 198.18.3.20
	  cloud-connector: 198.18.3.40
	  citrix-cloud: 198.19.255.1
	scope: [198.18.0.0/15]
	matrices: [citrix-cloud, citrix-cvad, citrix-licensing]
	EOF
	cat >"$out/site-edt-clients.yaml" <<-'EOF'
	# The site of verdict-edt-clients.pcap (tests/netns/make-verdict-captures.sh,
	# section edt-clients): 32 Workspace app clients, one VDA whose firewall
	# drops EDT (UDP 1494).
	site: edt-clients
	roles:
	  workspace-app: 198.18.1.0/24
	  vda: 198.18.2.10
	scope: [198.18.0.0/15]
	matrices: [citrix-cvad]
	EOF
}

# --- the captures -----------------------------------------------------------

# resets: one bridge. An ADC (SNIP 198.18.4.1) monitors the VDA's ICA port with TCP probes that
# connect and abort at once (SO_LINGER 0): the originator's RST right after the handshake.
# The Workspace app fetches a StoreFront page and aborts after the whole answer (client RST);
# then a StoreFront server aborts in the middle of an answer (server RST).
#   46001..46005 adc   -> vda 1494  SYN, SYN-ACK, ACK, RST (0.3 s apart)   -> ok/orig-reset x 5
#   46006        wsapp -> sf  80    GET -> 200 OK (67 + 600 bytes), client RST -> ok/orig-reset
#   46007        wsapp -> sf  80    GET -> header of 100000 bytes + 1000 of them, server RST
#                                                                          -> interrupted/rst-after-established
sc_resets() {
	local i vda sf get
	flat_site "wsapp:198.18.1.1:01 vda:198.18.2.10:02 sf:198.18.3.30:03 adc:198.18.4.1:04"
	vda=${ADDR[vda]} sf=${ADDR[sf]}
	get=$(hex $'GET /Citrix/StoreWeb/ HTTP/1.1\r\nHost: 198.18.3.30\r\nUser-Agent: netpeer/1\r\nAccept: */*\r\n\r\n')
	sleep 0.3
	cap_start br br0 "$FA_TMP/tcpdump.err" -w "$out/verdict-resets.pcap"
	srv vda tcp-server "$vda" 1494 --accept 5 --timeout 5
	for i in 1 2 3 4 5; do
		[ "$i" -gt 1 ] && sleep 0.3
		fa_expect "probe 4600$i" 0 "$(cli adc tcp-client "$vda" 1494 --bind-port "4600$i" --send 0 \
			--expect 0 --rst --delay-ms 0)"
	done
	# Each child reads a reset (6), or, when the RST came before accept(), an end of file (0).
	srv_done "probes" 6 0
	srv sf proto-server "$sf" 80 --timeout 5 \
		--answer "$(hex $'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 600\r\n\r\n')+600"
	fa_expect "storefront 46006" 0 "$(cli wsapp proto-client "$sf" 80 --bind-port 46006 --say "$get" --rst)"
	srv_done "storefront 46006" 6
	srv sf proto-server "$sf" 80 --timeout 5 --rst --answer \
		"$(hex $'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n')+1000"
	fa_expect "storefront 46007" 6 "$(cli wsapp proto-client "$sf" 80 --bind-port 46007 --say "$get")"
	srv_done "storefront 46007" 0
	sleep 0.3
	cap_stop "$CAP_PID" "$FA_TMP/tcpdump.err"
}

# rst-origin: routed (routed_site), captured on the user LAN bridge br-lan: the hosts behind the
# router appear with TTL 63, the router's own packets with TTL 64. The router's forward chain
# rejects CGP to the VDA with a TCP reset (sent by the router in the VDA's name).
#   46101 wsapp -> vda  2598   the router's RST (TTL 64; the VDA's own packets: 63)   -> blocked/rst-from-path
#   46102 wsapp -> vda  1494   ICA, banner + 26, 64 -> 200 bytes, FIN both ways        -> ok/answered
#   46103 rpc   -> lic  27000  64 -> 100 bytes                                         -> ok/answered
#   46104 rpc   -> lic  7279   no listener: the License Server's RST (TTL 63, as its
#                              packets of 46103)                                       -> blocked/rst-from-host
#   46105 rpc   -> lic2 27000  no listener: RST (TTL 63); lic2 sends nothing else     -> blocked/rst
sc_rst_origin() {
	local vda lic lic2
	routed_site "wsapp:198.18.1.1:01 rpc:198.18.1.10:02" \
		"vda:198.18.2.10:10 lic:198.18.3.20:12 lic2:198.18.3.21:13"
	vda=${ADDR[vda]} lic=${ADDR[lic]} lic2=${ADDR[lic2]}
	nft_load rtr <<-'EOF'
	table ip fa_verdict {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ip daddr 198.18.2.10 tcp dport 2598 counter reject with tcp reset comment "CGP closed at the firewall"
		}
	}
	EOF
	sleep 0.3
	cap_start lan br-lan "$FA_TMP/tcpdump.err" -w "$out/verdict-rst-origin.pcap"
	# The Workspace app tries CGP (session reliability) first, then falls back to ICA.
	fa_expect "cgp 46101" 3 "$(cli wsapp tcp-client "$vda" 2598 --bind-port 46101 --timeout 2)"
	sleep 0.2
	srv vda proto-server "$vda" 1494 --greet "$ICA"+26 --answer +200 --timeout 5
	fa_expect "ica 46102" 0 "$(cli wsapp proto-client "$vda" 1494 --bind-port 46102 --read-greet 32 \
		--say "$ICA"+58)"
	srv_done "ica 46102" 0
	srv lic tcp-server "$lic" 27000 --reply 100 --timeout 5
	fa_expect "lmgrd 46103" 0 "$(cli rpc tcp-client "$lic" 27000 --bind-port 46103 --send 64 --expect 100)"
	srv_done "lmgrd 46103" 0
	fa_expect "vendor daemon 46104" 3 "$(cli rpc tcp-client "$lic" 7279 --bind-port 46104 --timeout 2)"
	sleep 0.2
	fa_expect "lic2 46105" 3 "$(cli rpc tcp-client "$lic2" 27000 --bind-port 46105 --timeout 2)"
	sleep 0.3
	cap_stop "$CAP_PID" "$FA_TMP/tcpdump.err"
	local drops
	drops=$(ip netns exec "$(ns rtr)" nft list chain ip fa_verdict forward | awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }')
	[ "$drops" = 1 ] || { fa_log "make-verdict-captures: rst-origin: the router rejected ${drops:-?} SYNs, expected 1"; FAILED=1; }
	# The TTLs the verdicts rest on, as the capture shows them.
	tcpdump -nn -v -r "$out/verdict-rst-origin.pcap" 2>/dev/null |
		awk '/^[0-9]/ { match($0, /ttl [0-9]+/); ttl = substr($0, RSTART + 4, RLENGTH - 4); next }
		     { match($0, /Flags \[[^]]*\]/); printf "  ttl %s  %s %s %s %s\n", ttl, $1, $2, $3, substr($0, RSTART, RLENGTH) }' |
		sed 's/,$//' >&2
}

# rotated: one bridge, as audit-demo. Two tcpdumps on br0: one rotating every 1000000 bytes
# (-C 1 -w verdict-rotated/cap: cap, cap1, cap2, ...), one writing verdict-rotated-whole.pcap.
# An ICA session opens first and stays open; the openings that fail come next, then the answered
# sessions; 2 s after its first exchange the VDA answers a second request with ~4.3 MB (a
# paced stream: 64 KiB, 4 ms pause), which spans every file; an EDT (UDP 2598) exchange runs
# across the stream; a StoreFront session and the ICA session's close come last.
#   46201 wsapp -> vda  1494   banner, 64 -> 200, 64 -> 300 + stream, FIN both ways  -> ok/answered
#   46202 wsapp -> vda  2598   SYNs dropped by the VDA's nft (client gives up after 2 s) -> blocked/no-reply
#   46203 wsapp -> vda  udp 1494  2 datagrams dropped by the VDA's nft             -> blocked/no-reply
#   46204 vda   -> ddc  80     200 -> 500 bytes (registration)                        -> ok/answered
#   46205 ddc   -> lic  27000  64 -> 100 bytes                                        -> ok/answered
#   46206 ddc   -> lic  7279   no listener: RST (TTL 64, as lic's other packets)     -> blocked/rst-from-host
#   46207 wsapp -> vda  udp 2598  8 datagrams, each echoed (100 ms) and 200 ms apart   -> ok/answered
#   46208 wsapp -> sf   80     64 -> 300 bytes                                        -> ok/answered
sc_rotated() {
	local vda ddc lic sf dir="$out/verdict-rotated" ica udp n
	flat_site "wsapp:198.18.1.1:01 vda:198.18.2.10:02 ddc:198.18.3.10:03 lic:198.18.3.20:04 sf:198.18.3.30:05"
	vda=${ADDR[vda]} ddc=${ADDR[ddc]} lic=${ADDR[lic]} sf=${ADDR[sf]}
	nft_load vda <<-'EOF'
	table inet fa_verdict {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport 2598 drop comment "CGP closed by mistake"
			udp dport 1494 drop comment "EDT over 1494 not opened"
		}
	}
	EOF
	mkdir -p "$dir" || fa_die "cannot create $dir"
	rm -f "$dir"/cap*
	sleep 0.3
	cap_start br br0 "$FA_TMP/whole.err" -w "$out/verdict-rotated-whole.pcap"
	local whole=$CAP_PID
	cap_start br br0 "$FA_TMP/rotated.err" -C 1 -w "$dir/cap"
	local rotated=$CAP_PID
	t_start
	# The ICA session: its first request 2 s after the banner, the second (answered by the
	# stream) 2 s later, then it waits for 1 s of quiet and 2 s more before closing.
	at 0.2
	srv vda proto-server "$vda" 1494 --greet "$ICA"+26 --answer +200 --answer +300 \
		--stream "$ROTATED_BYTES" --stream-pause-ms 4 --timeout 15
	ica=$SRV_PID
	cli_bg wsapp proto-client "$vda" 1494 --bind-port 46201 --read-greet 32 --say "$ICA"+58 --say +64 \
		--delay-ms 2000 --hold-ms 1000 --timeout 10
	local icacli=$BG_PID
	at 0.5
	cli_bg wsapp tcp-client "$vda" 2598 --bind-port 46202 --timeout 2
	local cgp=$BG_PID
	at 0.7
	fa_expect "edt 46203" 0 "$(cli wsapp udp-client "$vda" 1494 --bind-port 46203 --count 2 --size 100 \
		--interval-ms 200)"
	srv ddc tcp-server "$ddc" 80 --reply 500 --timeout 5
	fa_expect "registration 46204" 0 "$(cli vda tcp-client "$ddc" 80 --bind-port 46204 --send 200 --expect 500)"
	srv_done "registration 46204" 0
	srv lic tcp-server "$lic" 27000 --reply 100 --timeout 5
	fa_expect "lmgrd 46205" 0 "$(cli ddc tcp-client "$lic" 27000 --bind-port 46205 --send 64 --expect 100)"
	srv_done "lmgrd 46205" 0
	fa_expect "vendor daemon 46206" 3 "$(cli ddc tcp-client "$lic" 7279 --bind-port 46206 --timeout 2)"
	bg_done "cgp 46202" 4 "$cgp"
	# EDT on 2598 across the stream (the second ICA request goes out at about 4.3 s).
	at 3.3
	srv vda udp-server "$vda" 2598 --echo --count 8 --timeout 5
	udp=$SRV_PID
	fa_expect "edt 46207" 0 "$(cli wsapp udp-client "$vda" 2598 --bind-port 46207 --count 8 --size 200 \
		--interval-ms 200 --wait-reply 1)"
	SRV_PID=$udp srv_done "edt 46207" 0
	at 6.2
	srv sf tcp-server "$sf" 80 --reply 300 --timeout 5
	fa_expect "storefront 46208" 0 "$(cli wsapp tcp-client "$sf" 80 --bind-port 46208 --send 64 --expect 300)"
	srv_done "storefront 46208" 0
	bg_done "ica 46201" 0 "$icacli" 15
	SRV_PID=$ica srv_done "ica 46201" 0
	sleep 0.3
	cap_stop "$rotated" "$FA_TMP/rotated.err"
	cap_stop "$whole" "$FA_TMP/whole.err"
	# Both tcpdumps must have written the same packets.
	local a b f
	a=$(tcpdump -nn -r "$out/verdict-rotated-whole.pcap" 2>/dev/null | wc -l)
	b=0
	for f in "$dir"/cap*; do
		b=$((b + $(tcpdump -nn -r "$f" 2>/dev/null | wc -l)))
	done
	n=$(find "$dir" -name 'cap*' | wc -l)
	fa_log "  rotated: $n files, $b packets; whole: $a packets"
	if [ "$a" != "$b" ] || [ "$n" -lt 4 ]; then
		fa_log "make-verdict-captures: rotated: $n files with $b packets, the whole capture $a packets"
		FAILED=1
	fi
}

# partial-view: routed (routed_site); the capture is the user LAN bridge br-lan only. The VDA
# registers with the DDC and the DDC checks out licenses, all on the datacenter bridge (VDA ->
# DDC hairpins through the router's dc0): never on br-lan. The capture sees the ICA session and
# the EDT exchange between the Workspace app and the VDA, nothing else.
#   46301 ddc   -> lic 27000     64 -> 100    (not captured)
#   46302 ddc   -> lic 7279      64 -> 200    (not captured)
#   46303 vda   -> ddc 80        200 -> 500   (not captured: the registration)
#   46304 wsapp -> vda 1494      ICA banner + 26, 64 -> 2000, FIN both ways   -> ok/answered
#   46305 wsapp -> vda udp 1494  2 datagrams, each echoed                     -> ok/answered
sc_partial_view() {
	local vda ddc lic
	routed_site "wsapp:198.18.1.1:01" "vda:198.18.2.10:10 ddc:198.18.3.10:11 lic:198.18.3.20:12"
	vda=${ADDR[vda]} ddc=${ADDR[ddc]} lic=${ADDR[lic]}
	sleep 0.3
	cap_start lan br-lan "$FA_TMP/tcpdump.err" -w "$out/verdict-partial-view.pcap"
	local lancap=$CAP_PID
	# A second tcpdump on the datacenter bridge shows that the hidden traffic happened.
	cap_start dc br-dc "$FA_TMP/dc.err" -w "$FA_TMP/dc.pcap"
	local dccap=$CAP_PID
	srv lic tcp-server "$lic" 27000 --reply 100 --timeout 5
	fa_expect "lmgrd 46301" 0 "$(cli ddc tcp-client "$lic" 27000 --bind-port 46301 --send 64 --expect 100)"
	srv_done "lmgrd 46301" 0
	srv lic tcp-server "$lic" 7279 --reply 200 --timeout 5
	fa_expect "vendor daemon 46302" 0 "$(cli ddc tcp-client "$lic" 7279 --bind-port 46302 --send 64 --expect 200)"
	srv_done "vendor daemon 46302" 0
	srv ddc tcp-server "$ddc" 80 --reply 500 --timeout 5
	fa_expect "registration 46303" 0 "$(cli vda tcp-client "$ddc" 80 --bind-port 46303 --send 200 --expect 500)"
	srv_done "registration 46303" 0
	srv vda proto-server "$vda" 1494 --greet "$ICA"+26 --answer +2000 --timeout 5
	fa_expect "ica 46304" 0 "$(cli wsapp proto-client "$vda" 1494 --bind-port 46304 --read-greet 32 \
		--say "$ICA"+58)"
	srv_done "ica 46304" 0
	srv vda udp-server "$vda" 1494 --echo --count 2 --timeout 5
	fa_expect "edt 46305" 0 "$(cli wsapp udp-client "$vda" 1494 --bind-port 46305 --count 2 --size 100 \
		--interval-ms 100 --wait-reply 1)"
	srv_done "edt 46305" 0
	sleep 0.3
	cap_stop "$lancap" "$FA_TMP/tcpdump.err"
	cap_stop "$dccap" "$FA_TMP/dc.err"
	local seen hidden
	seen=$(tcpdump -nn -r "$out/verdict-partial-view.pcap" 2>/dev/null | grep -c -E '198\.18\.3\.(10|20)' || true)
	hidden=$(tcpdump -nn -r "$FA_TMP/dc.pcap" 2>/dev/null | grep -c -E '198\.18\.3\.(10|20)' || true)
	fa_log "  partial-view: packets of the DDC or the License Server: $seen captured, $hidden on the datacenter bridge"
	if [ "$seen" != 0 ] || [ "$hidden" -lt 20 ]; then
		fa_log "make-verdict-captures: partial-view: the DDC/License Server traffic is not where it should be"
		FAILED=1
	fi
}

# edt-clients: one bridge; the namespace cl holds the 32 client addresses 198.18.1.1..32 (each
# client binds its own), the VDA drops UDP 1494 (nft) and serves ICA on TCP 1494.
#   phase 1 (0-1 s): each client sends 3 datagrams of 100 bytes, 250 ms apart, to UDP 1494 (dropped)
#   phase 2: each opens ICA (banner + 26, 64 -> 300 bytes) and keeps it 5.5 s, then closes (FIN)
#   46500+i  198.18.1.i -> vda udp 1494   -> blocked/no-reply (3 datagrams, > 5 s before the end)
#   46400+i  198.18.1.i -> vda tcp 1494   -> ok/answered
sc_edt_clients() {
	local vda=198.18.2.10 i pids=() p
	vc_bridge br br0
	vc_host cl br br0 02:fa:00:00:06:01 198.18.1.1/16
	for ((i = 2; i <= 32; i++)); do
		ip -n "$(ns cl)" addr add "198.18.1.$i/16" dev eth0 || fa_die "address 198.18.1.$i"
	done
	vc_host vda br br0 02:fa:00:00:06:02 "$vda/16"
	vc_neigh cl eth0 "$vda" 02:fa:00:00:06:02
	for ((i = 1; i <= 32; i++)); do
		vc_neigh vda eth0 "198.18.1.$i" 02:fa:00:00:06:01
	done
	nft_load vda <<-'EOF'
	table inet fa_verdict {
		chain input {
			type filter hook input priority 0; policy accept;
			udp dport 1494 drop comment "EDT not opened"
		}
	}
	EOF
	sleep 0.3
	cap_start br br0 "$FA_TMP/tcpdump.err" -w "$out/verdict-edt-clients.pcap"
	srv vda proto-server "$vda" 1494 --accept 32 --greet "$ICA"+26 --answer +300 --timeout 15
	for ((i = 1; i <= 32; i++)); do
		cli_bg cl udp-client "$vda" 1494 --bind-addr "198.18.1.$i" --bind-port $((46500 + i)) --count 3 \
			--size 100 --interval-ms 250
		pids+=("$BG_PID")
	done
	i=0
	for p in "${pids[@]}"; do
		i=$((i + 1))
		bg_done "edt $((46500 + i))" 0 "$p"
	done
	pids=()
	for ((i = 1; i <= 32; i++)); do
		cli_bg cl proto-client "$vda" 1494 --bind-addr "198.18.1.$i" --bind-port $((46400 + i)) \
			--read-greet 32 --say "$ICA"+58 --hold-ms 5500
		pids+=("$BG_PID")
	done
	i=0
	for p in "${pids[@]}"; do
		i=$((i + 1))
		bg_done "ica $((46400 + i))" 0 "$p" 20
	done
	srv_done "ica server (32 connections)" 0
	sleep 0.3
	cap_stop "$CAP_PID" "$FA_TMP/tcpdump.err"
}

# pending: one bridge; the VDA drops TCP 2598 and UDP 1494 (nft). Times from the start of the
# scenario (t = 0), tcpdump stopped at t = 6; the capture's last packets are those of t = 5.
#   46601 t=0.2  wsapp -> vda 1494      ICA banner + 26, 64 -> 2000, FIN       -> ok/answered
#   46602 t=1.0  wsapp -> vda 2598      1 SYN (client gives up after 0.6 s)    -> blocked/no-reply (4 s before the end)
#   46603 t=1.0  wsapp -> vda udp 1494  1 datagram                              -> blocked/no-reply (4 s before the end)
#   46604 t=3.5  wsapp -> vda 2598      SYN, again at t=4.5 (gives up at 5.5)  -> blocked/no-reply (retransmitted)
#   46605 t=5.0  wsapp -> vda 2598      1 SYN (client gives up after 0.6 s)    -> pending/no-reply
#   46606 t=5.0  wsapp -> vda udp 1494  1 datagram                              -> pending/no-reply
sc_pending() {
	local vda p2 p4 p5
	flat_site "wsapp:198.18.1.1:01 vda:198.18.2.10:02"
	vda=${ADDR[vda]}
	nft_load vda <<-'EOF'
	table inet fa_verdict {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport 2598 drop comment "CGP closed"
			udp dport 1494 drop comment "EDT not opened"
		}
	}
	EOF
	sleep 0.3
	cap_start br br0 "$FA_TMP/tcpdump.err" -w "$out/verdict-pending.pcap"
	t_start
	at 0.2
	srv vda proto-server "$vda" 1494 --greet "$ICA"+26 --answer +2000 --timeout 5
	fa_expect "ica 46601" 0 "$(cli wsapp proto-client "$vda" 1494 --bind-port 46601 --read-greet 32 \
		--say "$ICA"+58)"
	srv_done "ica 46601" 0
	at 1.0
	cli_bg wsapp tcp-client "$vda" 2598 --bind-port 46602 --connect-ms 600
	p2=$BG_PID
	fa_expect "edt 46603" 0 "$(cli wsapp udp-client "$vda" 1494 --bind-port 46603 --count 1 --size 100)"
	bg_done "cgp 46602" 4 "$p2"
	at 3.5
	cli_bg wsapp tcp-client "$vda" 2598 --bind-port 46604 --timeout 2
	p4=$BG_PID
	at 5.0
	cli_bg wsapp tcp-client "$vda" 2598 --bind-port 46605 --connect-ms 600
	p5=$BG_PID
	fa_expect "edt 46606" 0 "$(cli wsapp udp-client "$vda" 1494 --bind-port 46606 --count 1 --size 100)"
	bg_done "cgp 46605" 4 "$p5"
	bg_done "cgp 46604" 4 "$p4"
	at 6.0
	cap_stop "$CAP_PID" "$FA_TMP/tcpdump.err"
}

# capture NAME: one section in fresh namespaces, with a summary of what was written.
capture() {
	local t
	t=$(date +%s)
	FA_STEP=$1
	fa_log "== $1"
	"sc_${1//-/_}"
	fa_teardown
	fa_log "  $1: $(($(date +%s) - t)) s"
	FA_STEP=
}

ALL="resets rst-origin rotated partial-view edt-clients pending"
start=$(date +%s)
write_sites
sections=${*:-$ALL}
for s in $sections; do
	[[ " $ALL " == *" $s "* ]] || fa_die "unknown section $s (sections: $ALL)"
	capture "$s"
done
fa_log "make-verdict-captures: done in $(($(date +%s) - start)) s, files in $out"
exit "$FAILED"
