#!/usr/bin/python3
"""tunpeer: a userspace tunnel endpoint for the tunnel captures (tests/netns/make-tunnel-captures.sh).

Reads IP packets from a TUN device and sends them encapsulated to the peer
through a real socket, so the kernel builds the outer datagram; decapsulates
what the peer sends into the TUN device. The inner packets come from the
Linux stacks of the two namespaces, the outer ones from their kernels.

  ip      IPv4 in IP (protocol 4) and IPv6 in IP (protocol 41), raw sockets (RFC 2003, RFC 4213)
  gre     GRE version 0, protocol type 0x0800 / 0x86dd, raw socket (RFC 2784)
  geneve  UDP 6081, GENEVE version 0, protocol type 0x0800 / 0x86dd (RFC 8926)
  teredo  UDP, the server on 3544: the IPv6 packet alone (RFC 4380); IPv4 packets are dropped
  ayiya   UDP, the server on 5072: AYIYA forward, identity the client's IPv6 address, SHA-1
          signature (not a real shared-secret one: nothing checks it) (draft-massar-v6ops-ayiya-02)
  gtpu    UDP 2152 both ends: GTPv1-U G-PDUs; the server (the core side) adds a PDU session
          container extension header (3GPP TS 29.281, TS 38.415) as a UPF does downlink

Only TCP, UDP and ICMP echo go through: the TUN device's own IPv6 chatter
(MLD, router solicitations) is dropped so the captures hold only the test
traffic. Bounded: --seconds and --max-packets. Standard library only.
"""

import argparse
import fcntl
import hashlib
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

PROTO_IPIP, PROTO_IPV6, PROTO_GRE = 4, 41, 47
UDP_PORTS = {"geneve": 6081, "teredo": 3544, "ayiya": 5072, "gtpu": 2152}


def tun_open(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def wanted(pkt):
    """TCP, UDP and ICMP/ICMPv6 echo only."""
    if len(pkt) < 20:
        return False
    version = pkt[0] >> 4
    if version == 4:
        proto = pkt[9]
        return proto in (6, 17) or (proto == 1 and pkt[(pkt[0] & 15) * 4] in (0, 8))
    if version == 6 and len(pkt) >= 40:
        nh = pkt[6]
        return nh in (6, 17) or (nh == 58 and len(pkt) > 40 and pkt[40] in (128, 129))
    return False


def strip_ipv4(data):
    """A raw IPv4 socket hands over the IP header too."""
    return data[(data[0] & 15) * 4:]


class Peer:
    def __init__(self, a):
        self.a = a
        self.family = socket.AF_INET6 if ":" in a.local else socket.AF_INET
        self.socks = []
        self.teid_out = 0x200 if a.role == "server" else 0x100
        self.seq = 0
        if a.mode in ("ip", "gre"):
            protos = (PROTO_IPIP, PROTO_IPV6) if a.mode == "ip" else (PROTO_GRE,)
            for p in protos:
                s = socket.socket(self.family, socket.SOCK_RAW, p)
                s.bind((a.local, 0))
                self.socks.append((s, p))
        else:
            s = socket.socket(self.family, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((a.local, a.lport))
            self.socks.append((s, 17))

    def encap(self, pkt):
        """(socket, bytes, port) for an inner packet, or None to drop it."""
        a, v = self.a, pkt[0] >> 4
        etype = 0x0800 if v == 4 else 0x86DD
        if a.mode == "ip":
            want = PROTO_IPIP if v == 4 else PROTO_IPV6
            sock = next(s for s, p in self.socks if p == want)
            return sock, pkt, 0
        sock = self.socks[0][0]
        if a.mode == "gre":
            return sock, struct.pack("!HH", 0, etype) + pkt, 0
        if a.mode == "geneve":
            return sock, struct.pack("!BBHI", 0, 0, etype, 5001 << 8) + pkt, a.pport
        if a.mode == "teredo":
            return (sock, pkt, a.pport) if v == 6 else None
        if a.mode == "ayiya":
            ident = socket.inet_pton(socket.AF_INET6, a.ident)
            hdr = struct.pack("!BBBBI", 4 << 4 | 1, 5 << 4 | 2, 2 << 4 | 1,
                              PROTO_IPIP if v == 4 else PROTO_IPV6, int(time.time()))
            sig = hashlib.sha1(hdr + ident + pkt).digest()
            return sock, hdr + ident + sig + pkt, a.pport
        # gtpu
        if a.role == "server":
            self.seq = (self.seq + 1) & 0xFFFF
            ext = struct.pack("!BBBB", 1, 0x00, 9, 0)  # 1 word: DL PDU session information, QFI 9, no next
            opt = struct.pack("!HBB", self.seq, 0, 0x85) + ext
            return sock, struct.pack("!BBHI", 0x34, 0xFF, len(opt) + len(pkt), self.teid_out) + opt + pkt, a.pport
        return sock, struct.pack("!BBHI", 0x30, 0xFF, len(pkt), self.teid_out) + pkt, a.pport

    def decap(self, proto, data):
        """The inner packet of what the socket received, or None."""
        mode = self.a.mode
        if mode in ("ip", "gre") and self.family == socket.AF_INET:
            data = strip_ipv4(data)
        if mode == "ip":
            return data
        if mode == "gre":
            if len(data) < 4 or struct.unpack("!H", data[:2])[0] != 0:
                return None
            return data[4:]
        if mode == "geneve":
            if len(data) < 8 or data[0] >> 6:
                return None
            return data[8 + (data[0] & 63) * 4:]
        if mode == "teredo":
            return data
        if mode == "ayiya":
            if len(data) < 8 or data[2] & 15 != 1:
                return None
            return data[8 + (1 << (data[0] >> 4)) + (data[1] >> 4) * 4:]
        # gtpu
        if len(data) < 8 or data[1] != 0xFF:
            return None
        at = 8
        if data[0] & 7:
            nxt = data[11] if data[0] & 4 else 0
            at = 12
            while nxt:
                n = data[at] * 4
                nxt = data[at + n - 1]
                at += n
        return data[at:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", required=True, choices=["ip", "gre"] + sorted(UDP_PORTS))
    ap.add_argument("--role", choices=["client", "server"], default="client")
    ap.add_argument("--tun", required=True)
    ap.add_argument("--local", required=True, help="underlay address of this end")
    ap.add_argument("--peer", required=True, help="underlay address of the other end")
    ap.add_argument("--lport", type=int, default=0, help="UDP port of this end")
    ap.add_argument("--pport", type=int, default=0, help="UDP port of the other end")
    ap.add_argument("--ident", default="::", help="ayiya: this end's IPv6 address, its identity")
    ap.add_argument("--ready", help="file written once the tunnel is up")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--max-packets", type=int, default=5000)
    a = ap.parse_args()

    tun = tun_open(a.tun)
    peer = Peer(a)
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("up\n")
    end = time.monotonic() + a.seconds
    count = 0
    by_fd = {s.fileno(): (s, p) for s, p in peer.socks}
    while count < a.max_packets:
        left = end - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([tun] + list(by_fd), [], [], min(left, 0.5))
        for fd in ready:
            if fd == tun:
                pkt = os.read(tun, 65535)
                if not wanted(pkt):
                    continue
                out = peer.encap(pkt)
                if out:
                    sock, data, port = out
                    sock.sendto(data, (a.peer, port))
                    count += 1
                continue
            sock, proto = by_fd[fd]
            data, src = sock.recvfrom(65535)
            if src[0] != a.peer:
                continue
            inner = peer.decap(proto, data)
            if inner and inner[0] >> 4 in (4, 6):
                os.write(tun, inner)
                count += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
