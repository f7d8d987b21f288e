#!/bin/bash
# make-loss-capture.sh: pcaps/capture-loss.pcap, a real TCP session of which the capture missed segments
#
# usage: tests/netns/make-loss-capture.sh [OUTDIR]
#
# OUTDIR defaults to pcaps/ of this tree. Needs root, `ip netns` and editcap
# (from tshark) (else prints SKIP and exits 77). A real Linux TCP session in
# lib.sh's two namespaces: the client (198.18.1.1, port 47001) sends 64
# bytes, the server (198.18.1.2:1494) answers 20000 bytes, the client closes;
# tcpdump captures it all on srv0. The capture loss is then simulated, not
# real: editcap removes from the file the client's one data segment and the
# server's 3rd and 6th data segments. Both hosts saw and acknowledged them,
# so each is a content gap that Zeek counts in missed_bytes. The numbers
# (the removed segments' lengths, their sum) are printed, and written up in
# pcaps/README.md; tests/integration/missed.sh checks them.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/pcaps}

# shellcheck source=tests/netns/lib.sh
. "$here/lib.sh"
fa_die() {
	printf 'make-loss-capture: %s\n' "$*" >&2
	exit 1
}
fa_require
for t in editcap tshark; do
	command -v "$t" >/dev/null 2>&1 || fa_skip "$t not installed"
done

mkdir -p "$out" || fa_die "cannot create $out"
out=$(cd "$out" && pwd)
fa_build_tool netpeer FA_NETPEER

FAILED=0
full="$FA_TMP/full.pcap"

fa_setup
fa_capture_start "$full"
fa_server tcp-server "$FA_SRV4" 1494 --reply 20000 --timeout 5
fa_expect capture-loss 0 "$(fa_client tcp-client "$FA_SRV4" 1494 --bind-port 47001 --send 64 --expect 20000)"
fa_capture_stop
fa_teardown
[ "$FAILED" -eq 0 ] || fa_die "the session did not go as planned"

# Frame numbers and payload lengths of each side's data segments.
data() {
	tshark -r "$full" -Y "tcp.len > 0 && ip.src == $1" -T fields -e frame.number -e tcp.len
}
cli=$(data "$FA_CLI4")
srv=$(data "$FA_SRV4")
[ "$(printf '%s\n' "$cli" | wc -l)" -eq 1 ] || fa_die "expected one client data segment: $cli"
[ "$(printf '%s\n' "$srv" | wc -l)" -ge 7 ] || fa_die "expected at least 7 server data segments: $srv"
drop=$(printf '%s\n' "$cli" "$(printf '%s\n' "$srv" | sed -n '3p;6p')")
frames=$(printf '%s\n' "$drop" | awk '{ print $1 }' | tr '\n' ' ')
# shellcheck disable=SC2086 # one frame number per word
editcap "$full" "$out/capture-loss.pcap" $frames || fa_die "editcap failed"
fa_log "capture-loss.pcap: removed frames $frames(lengths $(printf '%s\n' "$drop" | awk '{ print $2 }' | tr '\n' ' '))"
fa_log "missed_bytes: orig $(printf '%s\n' "$cli" | awk '{ s += $2 } END { print s }')," \
	"resp $(printf '%s\n' "$srv" | sed -n '3p;6p' | awk '{ s += $2 } END { print s }')," \
	"total $(printf '%s\n' "$drop" | awk '{ s += $2 } END { print s }')"
