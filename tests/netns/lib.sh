# lib.sh: network-namespace helpers for the flowaudit test captures (sourced, bash)
#
# Two hosts on one veth pair, each in its own namespace named fa-<pid>-*:
#
#   fa-<pid>-cli  cli0  198.18.1.1/24  2001:db8:1::1/64  02:fa:00:00:01:01
#   fa-<pid>-srv  srv0  198.18.1.2/24  2001:db8:1::2/64  02:fa:00:00:01:02
#
# Only these namespaces are touched: no command here runs ip, tc or nft
# outside them. Neighbours are static (no ARP/ND on the wire), checksum and
# segmentation offloads are off (so captures carry real checksums and
# wire-sized segments), and ICMP rate limits are off on the server so every
# error is sent. tcpdump runs inside the server namespace on srv0: it sees
# both directions, including what nft drops on input and the ICMP errors nft
# sends. Every wait is bounded; fa_cleanup (an EXIT trap) kills only the PIDs
# started here and deletes only the namespaces created here.

FA_CLI4=198.18.1.1
FA_SRV4=198.18.1.2
FA_CLI6=2001:db8:1::1
FA_SRV6=2001:db8:1::2
FA_CLI_MAC=02:fa:00:00:01:01
FA_SRV_MAC=02:fa:00:00:01:02

# Keep ARP, IPv6 ND (133-137) and MLD (130-132, 143) out of the captures
# even if the kernel sends some while the link comes up.
FA_CAPTURE_FILTER='tcp or udp or icmp or (icmp6 and ip6[40] < 130)'

FA_NS_CLI=
FA_NS_SRV=
FA_PIDS=()
FA_TMP=

fa_log() { printf '%s\n' "$*" >&2; }

fa_skip() {
	printf 'SKIP: %s\n' "$*"
	exit 77
}

fa_die() {
	printf 'make-captures: %s\n' "$*" >&2
	exit 1
}

# fa_expect WHAT WANT GOT: note an exit status other than the planned one in FAILED (the capture
# scripts exit with it); FA_STEP, when set, names the part of the script it happened in.
fa_expect() {
	if [ "$2" != "$3" ]; then
		fa_log "$(basename "$0" .sh): ${FA_STEP:+$FA_STEP: }$1: exit status $3, expected $2"
		FAILED=1
	fi
}

# fa_build_tool NAME VAR [CC-ARGS...]: build tools/NAME.c (warnings are errors) into $FA_TMP/NAME and
# set VAR to its path; stops the script when it does not build. Call after fa_require (FA_TMP).
fa_build_tool() {
	local name=$1 var=$2 src
	shift 2
	src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools" && pwd)/$name.c
	gcc -std=gnu11 -Wall -Wextra -Werror -O2 -o "$FA_TMP/$name" "$src" "$@" || fa_die "cannot build tools/$name.c"
	printf -v "$var" '%s' "$FA_TMP/$name"
}

# SKIP (exit 77) unless we are root with working namespaces and the tools.
fa_require() {
	[ "$(id -u)" -eq 0 ] || fa_skip "needs root for ip netns"
	local t
	for t in ip tcpdump nft ethtool timeout; do
		command -v "$t" >/dev/null 2>&1 || fa_skip "$t not installed"
	done
	local probe="fa-$$-probe"
	ip netns add "$probe" 2>/dev/null || fa_skip "ip netns not available here"
	ip netns delete "$probe"
	FA_TMP=$(mktemp -d /tmp/fa-netns.XXXXXX)
	trap fa_cleanup EXIT
	trap 'exit 130' INT TERM
}

# Run a command in a namespace with a time limit: fa_in NS SECONDS CMD ...
fa_in() {
	local ns=$1 secs=$2
	shift 2
	timeout -s KILL "$secs" ip netns exec "$ns" "$@"
}

# Start a background command in a namespace and remember its PID.
fa_bg() {
	local ns=$1 secs=$2
	shift 2
	timeout -s KILL "$secs" ip netns exec "$ns" "$@" &
	FA_PIDS+=("$!")
	FA_LAST_PID=$!
}

# Wait for one PID we started, at most SECONDS, then kill it.
fa_wait_pid() {
	local pid=$1 secs=$2 i
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		fa_log "make-captures: PID $pid still running after ${secs}s, killing it"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
}

# Wait until FILE exists (a --ready file, tcpdump's "listening" line), bounded.
fa_wait_file() {
	local file=$1 pattern=${2:-} i
	for ((i = 0; i < 100; i++)); do
		if [ -s "$file" ] && { [ -z "$pattern" ] || grep -q "$pattern" "$file"; }; then
			return 0
		fi
		sleep 0.05
	done
	fa_die "timed out waiting for $file"
}

# fa_no_offloads NS IF: checksum and segmentation offloads off, so captures carry real checksums and
# wire-sized segments.
fa_no_offloads() {
	ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 ||
		fa_die "ethtool -K $2 failed in $1"
}

fa_ns_config() {
	local ns=$1 ifc=$2 a4=$3 a6=$4 peer4=$5 peer6=$6 peer_mac=$7
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.router_solicitations=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	# Kernels since 6.5 retransmit the first SYNs every second; ask for the
	# classic exponential backoff (1 s, 3 s, 7 s) where the knob exists.
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null || true
	fa_no_offloads "$ns" "$ifc"
	ip -n "$ns" addr add "$a4/24" dev "$ifc"
	ip -n "$ns" addr add "$a6/64" dev "$ifc" nodad
	ip -n "$ns" link set "$ifc" up
	ip -n "$ns" neigh replace "$peer4" lladdr "$peer_mac" dev "$ifc" nud permanent
	ip -n "$ns" neigh replace "$peer6" lladdr "$peer_mac" dev "$ifc" nud permanent
}

# Create the two hosts. Call fa_teardown (or let the EXIT trap) to remove them.
fa_setup() {
	FA_NS_CLI="fa-$$-cli"
	FA_NS_SRV="fa-$$-srv"
	ip netns add "$FA_NS_CLI" || fa_die "ip netns add $FA_NS_CLI"
	ip netns add "$FA_NS_SRV" || fa_die "ip netns add $FA_NS_SRV"
	ip -n "$FA_NS_CLI" link add cli0 address "$FA_CLI_MAC" type veth \
		peer name srv0 address "$FA_SRV_MAC" netns "$FA_NS_SRV" || fa_die "veth"
	fa_ns_config "$FA_NS_CLI" cli0 "$FA_CLI4" "$FA_CLI6" "$FA_SRV4" "$FA_SRV6" "$FA_SRV_MAC"
	fa_ns_config "$FA_NS_SRV" srv0 "$FA_SRV4" "$FA_SRV6" "$FA_CLI4" "$FA_CLI6" "$FA_CLI_MAC"
	# Let link-up chatter (MLD reports) pass before anything is captured.
	sleep 0.3
}

# Load an nft ruleset (from stdin) into the server namespace.
fa_srv_nft() {
	ip netns exec "$FA_NS_SRV" nft -f - || fa_die "nft ruleset rejected"
}

fa_teardown() {
	local ns
	for ns in "$FA_NS_CLI" "$FA_NS_SRV"; do
		[ -n "$ns" ] && ip netns delete "$ns" 2>/dev/null
	done
	FA_NS_CLI=
	FA_NS_SRV=
}

fa_cleanup() {
	local pid i alive
	# TERM first: timeout(1) passes it on to its child (KILL would orphan it).
	for pid in "${FA_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for ((i = 0; i < 20; i++)); do
		alive=0
		for pid in "${FA_PIDS[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ "$alive" -eq 0 ] && break
		sleep 0.05
	done
	for pid in "${FA_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	fa_teardown
	[ -n "$FA_TMP" ] && rm -rf "$FA_TMP"
}

# Start tcpdump on the server's veth, writing pcap to FILE; returns once it listens.
fa_capture_start() {
	local file=$1
	rm -f "$FA_TMP/tcpdump.err"
	fa_bg "$FA_NS_SRV" 120 tcpdump -Z root -i srv0 -n -s 0 --immediate-mode -U -w "$file" \
		"$FA_CAPTURE_FILTER" 2>"$FA_TMP/tcpdump.err"
	FA_TCPDUMP_PID=$FA_LAST_PID
	fa_wait_file "$FA_TMP/tcpdump.err" 'listening on'
}

# Stop tcpdump with SIGINT (so it flushes) and wait for it.
fa_capture_stop() {
	sleep 0.5
	# FA_TCPDUMP_PID is timeout(1)'s PID; it forwards SIGINT to tcpdump.
	kill -INT "$FA_TCPDUMP_PID" 2>/dev/null
	fa_wait_pid "$FA_TCPDUMP_PID" 5
	grep -h 'packets captured' "$FA_TMP/tcpdump.err" >&2 || true
}

# Start a netpeer server in the server namespace and wait until it is bound.
fa_server() {
	local ready="$FA_TMP/ready.$RANDOM"
	rm -f "$ready"
	fa_bg "$FA_NS_SRV" 30 "$FA_NETPEER" "$@" --ready "$ready"
	fa_wait_file "$ready"
}

# Run a netpeer client in the client namespace; prints its exit status.
fa_client() {
	local rc=0
	fa_in "$FA_NS_CLI" 30 "$FA_NETPEER" "$@" >/dev/null || rc=$?
	echo "$rc"
}

# live_wait PID SECS: wait (bounded) for a PID we started to end; LIVE_RC is its
# exit status, or "killed" when it had to be killed after SECS.
live_wait() {
	local pid=$1 secs=$2 i
	for ((i = 0; i < secs * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		LIVE_RC=killed
		return 1
	fi
	wait "$pid" 2>/dev/null
	LIVE_RC=$?
}
