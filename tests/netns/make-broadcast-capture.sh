#!/bin/bash
# make-broadcast-capture.sh: pcaps/broadcast.pcap, datagrams to everyone and to a group from a real stack
#
# usage: tests/netns/make-broadcast-capture.sh [OUTDIR]
#
# OUTDIR defaults to pcaps/ of this tree. Needs root and `ip netns` (else
# prints SKIP and exits 77). From lib.sh's client (198.18.1.1), with Linux's
# own sockets: two datagrams to the subnet's broadcast 198.18.1.255:137 (as
# NetBIOS name queries go; only the Ethernet destination ff:ff:ff:ff:ff:ff
# says it is a broadcast), one to the limited broadcast 255.255.255.255:67,
# one to the mDNS group 224.0.0.251:5353, and, to show that judging still
# works, one to the server's 198.18.1.2:2598 where nothing listens (the
# server answers port unreachable). Source ports 48001-48004.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/pcaps}

# shellcheck source=tests/netns/lib.sh
. "$here/lib.sh"
fa_die() {
	printf 'make-broadcast-capture: %s\n' "$*" >&2
	exit 1
}
fa_require
mkdir -p "$out" || fa_die "cannot create $out"
out=$(cd "$out" && pwd)

fa_setup
fa_capture_start "$out/broadcast.pcap"
fa_in "$FA_NS_CLI" 10 /usr/bin/python3 -c '
import socket, time
def send(port, dst, data, count=1, bcast=False, dev=None, mcast=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if bcast:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    if dev:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
    if mcast:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("198.18.1.1"))
    s.bind(("198.18.1.1", port))
    for _ in range(count):
        s.sendto(data, dst)
        time.sleep(0.2)
    s.close()
send(48001, ("198.18.1.255", 137), b"\x12\x34\x01\x10\x00\x01" + b"\x00" * 44, count=2, bcast=True)
send(48002, ("255.255.255.255", 67), b"\x01\x01\x06\x00" + b"\x00" * 236, bcast=True, dev="cli0")
send(48003, ("224.0.0.251", 5353), b"\x00\x00\x00\x00\x00\x01" + b"\x00" * 6, mcast=True)
send(48004, ("198.18.1.2", 2598), b"flowaudit" * 4)
' || fa_die "a datagram could not be sent"
fa_capture_stop
fa_teardown
fa_log "broadcast.pcap: written"
