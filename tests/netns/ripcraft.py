#!/usr/bin/env python3
"""ripcraft.py - what a hostile host x sends to the router r1 (10.66.0.1:520)
on their shared link 10.66.0.0/16 (x is 10.66.0.66).  Used by
tests/netns/t_hostile.sh and bench/hostile.sh, run inside x's namespace.

  ripcraft.py routes FIRST N TTL SECONDS
        N /32 routes 10.64.0.0+FIRST.. (metric 1) from port 520, 25 a
        datagram, spread over SECONDS (0: as fast as it goes)
  ripcraft.py requests N SOURCES PORT
        N whole-table requests (RFC 2453 3.9.1) from forged on-link sources
        10.66.1.0.. (SOURCES of them) and UDP port PORT, TTL 255 (a raw
        socket: the source is ours to choose)
  ripcraft.py listen
        print the TTL of the first datagram to 224.0.0.9 (12 s at most)
"""
import socket
import struct
import sys
import time

R1 = "10.66.0.1"


def hdr(cmd):
    return struct.pack("!BBH", cmd, 2, 0)


def rte(addr, metric):
    return struct.pack("!HHII4sI", 2, 0, addr, 0xffffffff, bytes(4), metric)


def routes(first, n, ttl, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    s.bind(("0.0.0.0", 520))
    base = (10 << 24) | (64 << 16)
    start, sent = time.monotonic(), 0
    for i in range(0, n, 25):
        k = min(25, n - i)
        s.sendto(hdr(2) + b"".join(rte(base + first + i + j, 1) for j in range(k)), (R1, 520))
        sent += 1
        if sent % 100 == 0:
            ahead = start + secs * i / n - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    print("%d routes in %d datagrams in %.2f s" % (n, sent, time.monotonic() - start))


def requests(n, nsrc, port):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    # One entry, family 0, metric 16: the whole table (RFC 2453 3.9.1).
    payload = hdr(1) + struct.pack("!HHII4sI", 0, 0, 0, 0, bytes(4), 16)
    dst = socket.inet_aton(R1)
    start = time.monotonic()
    for i in range(n):
        src = struct.pack("!I", (10 << 24) | (66 << 16) | (1 << 8) + i % nsrc)
        udp = struct.pack("!HHHH", port, 520, 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xffff, 0, 255, 17, 0, src, dst)
        raw.sendto(ip + udp, (R1, 0))
    print("%d requests from %d sources in %.2f s" % (n, nsrc, time.monotonic() - start))


def listen():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("224.0.0.9", 520))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton("224.0.0.9") + socket.inet_aton("10.66.0.66"))
    s.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL (not in Python's socket module)
    s.settimeout(12)
    data, anc, flags, src = s.recvmsg(600, 64)
    ttl = [struct.unpack("i", d[:4])[0] for (l, t, d) in anc if l == socket.IPPROTO_IP and t == socket.IP_TTL]
    print("ttl=%s from %s" % (ttl[0] if ttl else "?", src[0]))


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    if mode == "routes" and len(argv) == 6:
        routes(int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5]))
    elif mode == "requests" and len(argv) == 5:
        requests(int(argv[2]), int(argv[3]), int(argv[4]))
    elif mode == "listen" and len(argv) == 2:
        listen()
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
