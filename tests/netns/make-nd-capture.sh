#!/bin/bash
# make-nd-capture.sh: pcaps/icmpv6-nd.pcap, IPv6 neighbour discovery, MLD and echo from real stacks
#
# usage: tests/netns/make-nd-capture.sh [OUTDIR]
#
# OUTDIR defaults to pcaps/ of this tree. Needs root and `ip netns` (else
# prints SKIP and exits 77). lib.sh's two hosts, but the client has no
# neighbour entry for the server: its ping -6 (two echoes) first solicits
# the server's address (a neighbour solicitation to the solicited-node
# multicast group, answered by a unicast advertisement). Then the client's
# interface goes down and up: the kernel reports its multicast groups
# (MLDv2 reports to ff02::16). Only IPv6 is captured. Zeek pairs ICMPv6
# types as request and reply (echo 128/129, router 133/134, neighbour
# 135/136, MLD query/report 130/131, ...) and gives one-way messages the
# code as responder port; pcaps/README.md states the flows.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/pcaps}

# shellcheck source=tests/netns/lib.sh
. "$here/lib.sh"
fa_die() {
	printf 'make-nd-capture: %s\n' "$*" >&2
	exit 1
}
fa_require
mkdir -p "$out" || fa_die "cannot create $out"
out=$(cd "$out" && pwd)

FA_CAPTURE_FILTER=ip6	# not icmp6: BPF does not see past the hop-by-hop header of MLD
fa_setup
ip -n "$FA_NS_CLI" -6 neigh del "$FA_SRV6" dev cli0 || fa_die "cannot remove the permanent neighbour entry"
fa_capture_start "$out/icmpv6-nd.pcap"
# Two echo requests from a raw ICMPv6 socket (the kernel computes the checksum; no ping(8) needed),
# each waiting for its reply.
fa_in "$FA_NS_CLI" 10 /usr/bin/python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.settimeout(2)
for seq in (1, 2):
    s.sendto(struct.pack("!BBHHH", 128, 0, 0, 0x4641, seq) + b"flowaudit-nd", (sys.argv[1], 0))
    while True:
        data, _ = s.recvfrom(2048)
        if data[0] == 129:
            break
' "$FA_SRV6" || fa_die "no echo reply"
ip -n "$FA_NS_CLI" link set cli0 down
ip -n "$FA_NS_CLI" link set cli0 up
sleep 1.5	# the kernel sends its MLD reports within a second of link-up
fa_capture_stop
fa_teardown
fa_log "icmpv6-nd.pcap: written"
