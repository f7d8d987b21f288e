#!/usr/bin/env bash
# make-nflog-capture: pcaps/link-nflog.pcap, a real Linux NFLOG capture (link type 239)
#
# The two hosts of lib.sh; on the server, nft copies every packet of the two
# test flows to netlink log group 5 (input and output hooks, so both
# directions), and tcpdump reads the group (-i nflog:5). The frames are what
# the kernel's nfnetlink_log sends: the NFLOG header (family AF_INET or
# AF_INET6), then TLVs (packet header, hook, interface, timestamps, ...,
# NFULA_PAYLOAD with the IP packet). Only the namespaces made here are
# touched.
#
# usage: tests/netns/make-nflog-capture.sh [OUTDIR]   (default pcaps/)
set -u
. "$(dirname "$0")/lib.sh"

OUT=${1:-$(cd "$(dirname "$0")/../.." && pwd)/pcaps}
FAILED=0

fa_require
fa_build_tool netpeer FA_NETPEER
fa_setup
fa_srv_nft <<'NFT'
table inet fa_nflog {
	chain in {
		type filter hook input priority 0;
		tcp dport 1494 log group 5
		udp dport 443 log group 5
	}
	chain out {
		type filter hook output priority 0;
		tcp sport 1494 log group 5
		udp sport 443 log group 5
	}
}
NFT

rm -f "$FA_TMP/tcpdump.err"
fa_bg "$FA_NS_SRV" 60 tcpdump -Z root -i nflog:5 -n -s 0 --immediate-mode -U -w "$FA_TMP/nflog.pcap" \
	2>"$FA_TMP/tcpdump.err"
FA_TCPDUMP_PID=$FA_LAST_PID
fa_wait_file "$FA_TMP/tcpdump.err" 'listening on'

fa_server tcp-server "$FA_SRV4" 1494 --reply 500 --timeout 5
srv=$FA_LAST_PID
fa_expect tcp 0 "$(fa_client tcp-client "$FA_SRV4" 1494 --bind-port 40021 --send 64 --expect 500)"
fa_wait_pid "$srv" 6
fa_server udp-server "$FA_SRV6" 443 --echo --count 2 --timeout 5
srv=$FA_LAST_PID
fa_expect udp 0 "$(fa_client udp-client "$FA_SRV6" 443 --bind-port 40022 --count 2 --size 100 --wait-reply 2)"
fa_wait_pid "$srv" 6
fa_capture_stop

[ "$FAILED" -eq 0 ] || fa_die "a step did not go as planned: capture not written"
cp "$FA_TMP/nflog.pcap" "$OUT/link-nflog.pcap"
fa_log "wrote $OUT/link-nflog.pcap"
