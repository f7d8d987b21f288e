#!/bin/bash
# make-pcapng-capture.sh: a real pcapng whose interfaces have different link types (pcaps/multi-link.pcapng)
#
# usage: tests/netns/make-pcapng-capture.sh [OUTDIR]
#
# What Wireshark writes when it captures on an Ethernet card and on the
# loopback at once, which libpcap refuses to read. The two hosts of lib.sh;
# two tcpdumps in the server namespace: one on its veth srv0 (Ethernet,
# microsecond time stamps), one on "any" as Linux cooked v2 with nanosecond
# time stamps, filtered to the one flow that stays inside the server (its
# own address to itself, over lo, which never reaches srv0). mergecap puts
# the two pcap files into one pcapng with two interfaces (Ethernet and
# Linux cooked v2, if_tsresol 10^-6 and 10^-9). Needs root, ip netns,
# tcpdump and mergecap (else SKIP, exit 77).
#
#   47001  cli -> srv TCP 1494, 64 -> 1000 bytes, SF        on srv0 (Ethernet)
#   47002  cli -> srv UDP 1812, 2 x 100 bytes echoed, SF    on srv0 (Ethernet)
#   47003  srv -> srv TCP 1494, 64 -> 500 bytes, SF          on lo (Linux cooked v2, from "any")
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/pcaps}

# shellcheck source=tests/netns/lib.sh
. "$here/lib.sh"
command -v mergecap >/dev/null 2>&1 || fa_skip "mergecap not installed (apt-get install tshark)"
fa_require
mkdir -p "$out" || fa_die "cannot create $out"
out=$(cd "$out" && pwd)
fa_build_tool netpeer FA_NETPEER
FAILED=0

fa_setup
# the second tcpdump: cooked v2 on "any", only the flow over lo
rm -f "$FA_TMP/lo.err"
fa_bg "$FA_NS_SRV" 120 tcpdump -Z root -i any -y LINUX_SLL2 --time-stamp-precision=nano -n -s 0 --immediate-mode \
	-U -w "$FA_TMP/lo.pcap" 'tcp port 47003' 2>"$FA_TMP/lo.err"
lo_pid=$FA_LAST_PID
fa_wait_file "$FA_TMP/lo.err" 'listening on'
fa_capture_start "$FA_TMP/eth.pcap"

fa_server tcp-server "$FA_SRV4" 1494 --reply 1000 --timeout 5
srv=$FA_LAST_PID
fa_expect tcp-eth 0 "$(fa_client tcp-client "$FA_SRV4" 1494 --bind-port 47001 --send 64 --expect 1000)"
fa_wait_pid "$srv" 6
fa_server udp-server "$FA_SRV4" 1812 --echo --count 2 --timeout 5
srv=$FA_LAST_PID
fa_expect udp-eth 0 "$(fa_client udp-client "$FA_SRV4" 1812 --bind-port 47002 --count 2 --size 100 --wait-reply 2)"
fa_wait_pid "$srv" 6
fa_server tcp-server "$FA_SRV4" 1494 --reply 500 --timeout 5
srv=$FA_LAST_PID
rc=0
fa_in "$FA_NS_SRV" 30 "$FA_NETPEER" tcp-client "$FA_SRV4" 1494 --bind-port 47003 --send 64 --expect 500 >/dev/null ||
	rc=$?
fa_expect tcp-lo 0 "$rc"
fa_wait_pid "$srv" 6

fa_capture_stop
kill -INT "$lo_pid" 2>/dev/null
fa_wait_pid "$lo_pid" 5
grep -h 'packets captured' "$FA_TMP/lo.err" >&2 || true
mergecap -F pcapng -w "$out/multi-link.pcapng" "$FA_TMP/eth.pcap" "$FA_TMP/lo.pcap" || FAILED=1
fa_log "make-pcapng-capture: $out/multi-link.pcapng"
exit "$FAILED"
