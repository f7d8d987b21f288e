#!/bin/bash
# make-captures.sh: regenerate the real-stack test captures (pcaps/*.pcap) in network namespaces
#
# usage: tests/netns/make-captures.sh [OUTDIR] [SECTION ...]
#
# OUTDIR defaults to pcaps/ of this tree; SECTIONs are the capture names
# below (default: all). Needs root and `ip netns` (else prints SKIP, exits 77).
# Each capture gets fresh namespaces (see lib.sh), so no TIME_WAIT or
# conntrack state leaks from one into the next. Every client uses a fixed
# source port, so a regenerated capture has the same flows as the committed
# one; only timestamps, ISNs and possibly ACK timing differ.
#
# Server ports and firewall (nft on the server, the same for every capture):
#   tcp 1494 open   tcp 2598 dropped   tcp 27000 closed   tcp 7279 open (resets)
#   tcp 443 open    tcp 8080 rejected (icmpx admin-prohibited)
#   udp 1812 echo   udp 2598 silent listener   udp 1494 closed   udp 443 echo (v6)
# Client ports: 40001..40012, one per scenario (see each sc_* function).

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

mkdir -p "$out" || fa_die "cannot create $out"
out=$(cd "$out" && pwd)
fa_build_tool netpeer FA_NETPEER

FAILED=0

firewall() {
	fa_srv_nft <<-'EOF'
	table inet fa_test {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport 2598 drop
			tcp dport 8080 reject with icmpx type admin-prohibited
		}
	}
	EOF
}

# 1. Completed TCP session: 64 bytes request, 2000 bytes reply, client closes first (SF).
sc_tcp_complete() {
	fa_server tcp-server "$FA_SRV4" 1494 --reply 2000 --timeout 5
	local srv=$FA_LAST_PID
	fa_expect tcp-complete 0 "$(fa_client tcp-client "$FA_SRV4" 1494 --bind-port 40001 --send 64 --expect 2000)"
	fa_wait_pid "$srv" 6
}

# 2. SYNs to a port nft drops: the client gives up after 4 s, i.e. 3 SYNs (S0).
sc_tcp_syn_dropped() {
	fa_expect tcp-syn-dropped 4 "$(fa_client tcp-client "$FA_SRV4" 2598 --bind-port 40002 --timeout 4)"
}

# 3. SYN to a closed port, answered by RST+ACK (REJ).
sc_tcp_rejected() {
	fa_expect tcp-rejected 3 "$(fa_client tcp-client "$FA_SRV4" 27000 --bind-port 40003 --timeout 3)"
}

# 4. The server (responder) aborts after 1000 of its reply bytes: RST from the responder (RSTR).
sc_tcp_reset_midway() {
	fa_server tcp-server "$FA_SRV4" 7279 --reply 1000 --rst --timeout 5
	local srv=$FA_LAST_PID
	fa_expect tcp-reset-midway 6 "$(fa_client tcp-client "$FA_SRV4" 7279 --bind-port 40004 --send 64)"
	fa_wait_pid "$srv" 6
}

# 4b. The client (originator) aborts after reading the reply: RST from the originator (RSTO).
sc_tcp_reset_orig() {
	fa_server tcp-server "$FA_SRV4" 443 --reply 1000 --timeout 5
	local srv=$FA_LAST_PID
	fa_expect tcp-reset-orig 0 "$(fa_client tcp-client "$FA_SRV4" 443 --bind-port 40005 --send 64 --expect 1000 --rst)"
	fa_wait_pid "$srv" 6
}

# 5. UDP request/reply: 2 x 100 bytes each way (SF).
sc_udp_exchange() {
	fa_server udp-server "$FA_SRV4" 1812 --echo --count 2 --timeout 5
	local srv=$FA_LAST_PID
	fa_expect udp-exchange 0 "$(fa_client udp-client "$FA_SRV4" 1812 --bind-port 40006 --count 2 --size 100 --wait-reply 2)"
	fa_wait_pid "$srv" 6
}

# 6. One-way UDP stream: 5 x 200 bytes to a listener that never answers (S0).
sc_udp_one_way() {
	fa_server udp-server "$FA_SRV4" 2598 --count 5 --timeout 5
	local srv=$FA_LAST_PID
	fa_expect udp-one-way 0 "$(fa_client udp-client "$FA_SRV4" 2598 --bind-port 40007 --count 5 --size 200 --interval-ms 100)"
	fa_wait_pid "$srv" 6
}

# 7. UDP to a closed port: 2 x 60 bytes, each answered by ICMP port unreachable.
sc_udp_port_unreachable() {
	fa_expect udp-port-unreachable 0 "$(fa_client udp-client "$FA_SRV4" 1494 --bind-port 40008 --count 2 --size 60 --interval-ms 200)"
}

# 8. IPv6: a TCP session (64 -> 1500 bytes, SF) and a UDP exchange (2 x 120 bytes, SF).
sc_ipv6_tcp_udp() {
	fa_server tcp-server "$FA_SRV6" 443 --reply 1500 --timeout 5
	local srv=$FA_LAST_PID
	fa_expect ipv6-tcp 0 "$(fa_client tcp-client "$FA_SRV6" 443 --bind-port 40009 --send 64 --expect 1500)"
	fa_wait_pid "$srv" 6
	fa_server udp-server "$FA_SRV6" 443 --echo --count 2 --timeout 5
	srv=$FA_LAST_PID
	fa_expect ipv6-udp 0 "$(fa_client udp-client "$FA_SRV6" 443 --bind-port 40010 --count 2 --size 120 --wait-reply 2)"
	fa_wait_pid "$srv" 6
}

# 9. TCP SYN rejected by nft with ICMP admin-prohibited: IPv4 (3/13) and IPv6 (1/1).
sc_icmp_admin_prohibited() {
	fa_expect admin-prohibited-v4 5 "$(fa_client tcp-client "$FA_SRV4" 8080 --bind-port 40011 --timeout 3)"
	fa_expect admin-prohibited-v6 5 "$(fa_client tcp-client "$FA_SRV6" 8080 --bind-port 40012 --timeout 3)"
}

# 9b. ICMP echo: 3 requests/replies over IPv4, 2 over IPv6 (id 0x4641, 56 bytes of data).
sc_icmp_echo() {
	fa_expect icmp-echo-v4 0 "$(fa_client icmp-echo "$FA_SRV4" --count 3 --size 56 --interval-ms 200 --timeout 2)"
	fa_expect icmp-echo-v6 0 "$(fa_client icmp-echo "$FA_SRV6" --count 2 --size 56 --interval-ms 200 --timeout 2)"
}

# 10. Everything above in one capture. The dropped SYNs run in the background
# from the start; the answered sessions come last, more than 3 s after the
# last unanswered packet, so no flow is within flowaudit's --pending-window
# of the end of the capture.
sc_mixed() {
	local rcfile="$FA_TMP/syn-dropped.rc"
	rm -f "$rcfile"
	(fa_client tcp-client "$FA_SRV4" 2598 --bind-port 40002 --timeout 4 >"$rcfile") &
	local bg=$!
	FA_PIDS+=("$bg")
	sleep 0.2	# so the first SYNs of the two first flows do not share a timestamp
	sc_tcp_rejected
	sc_udp_port_unreachable
	sc_icmp_admin_prohibited
	sc_udp_one_way
	sc_tcp_reset_midway
	sc_tcp_reset_orig
	fa_wait_pid "$bg" 10
	fa_expect tcp-syn-dropped 4 "$(cat "$rcfile" 2>/dev/null)"
	sleep 2
	sc_tcp_complete
	sc_udp_exchange
	sc_ipv6_tcp_udp
	sc_icmp_echo
}

# capture NAME: fresh hosts + firewall, tcpdump, scenario sc_NAME, stop, remove hosts.
capture() {
	local name=$1
	fa_log "== $name"
	fa_setup
	firewall
	fa_capture_start "$out/$name.pcap"
	"sc_${name//-/_}"
	fa_capture_stop
	fa_teardown
}

# 11. Files derived from a real capture: pcapng, and a pcap cut inside a record.
derived() {
	fa_log "== derived files"
	if command -v tshark >/dev/null 2>&1; then
		tshark -r "$out/tcp-complete.pcap" -F pcapng -w "$out/tcp-complete-ng.pcapng" ||
			FAILED=1
	else
		fa_log "make-captures: tshark not installed, tcp-complete-ng.pcapng not made"
	fi
	# 24-byte file header + the first 5 records (16-byte record headers) +
	# 100 bytes of the 6th record's data: a file that ends inside a record.
	local off=24 i caplen
	for ((i = 0; i < 5; i++)); do
		caplen=$(od -An -tu4 -j $((off + 8)) -N4 "$out/tcp-complete.pcap" | tr -d ' ')
		off=$((off + 16 + caplen))
	done
	local cut=$((off + 16 + 100))
	head -c "$cut" "$out/tcp-complete.pcap" >"$out/truncated-file.pcap"
}

ALL="tcp-complete tcp-syn-dropped tcp-rejected tcp-reset-midway tcp-reset-orig udp-exchange"
ALL="$ALL udp-one-way udp-port-unreachable ipv6-tcp-udp icmp-admin-prohibited icmp-echo mixed"

start=$(date +%s)
sections=${*:-$ALL derived}
for s in $sections; do
	if [ "$s" = derived ]; then
		derived
	elif [[ " $ALL " == *" $s "* ]]; then
		capture "$s"
	else
		fa_die "unknown section $s"
	fi
done
fa_log "make-captures: done in $(($(date +%s) - start)) s, files in $out"
exit "$FAILED"
