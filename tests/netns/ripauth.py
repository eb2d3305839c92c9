#!/usr/bin/env python3
"""ripauth.py - helpers of t_auth.sh for RIP packets on the wire.

  ripauth.py show PCAP        one line per RIP datagram in a tcpdump capture:
                              SRC TYPE KEYID AUTHLEN SEQNO HEX (keyed: type 3;
                              simple: type 2, KEYID etc. are '-'; none: 0)
  ripauth.py send SRC DST HEX send HEX as a UDP datagram SRC:520 -> DST:520
                              through a raw socket (IP_HDRINCL): the source
                              port of a router whose ripd holds port 520.
"""
import socket
import struct
import sys


def packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    linktype = struct.unpack(endian + 'I', data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + 'IIII', data[off:off + 16])
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if linktype == 1:          # Ethernet
            ip = frame[14:]
        elif linktype == 113:      # Linux cooked (any)
            ip = frame[16:]
        else:
            ip = frame
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        src = socket.inet_ntoa(ip[12:16])
        payload = ip[ihl + 8:]
        yield src, payload


def show(path):
    for src, p in packets(path):
        typ, kid, alen, seq = 0, '-', '-', '-'
        if len(p) >= 24 and p[4:6] == b'\xff\xff':
            typ = struct.unpack('>H', p[6:8])[0]
            if typ == 3:
                kid, alen, seq = p[10], p[11], struct.unpack('>I', p[12:16])[0]
        print(src, typ, kid, alen, seq, p.hex())


def send(src, dst, hexdata):
    payload = bytes.fromhex(hexdata)
    udp = struct.pack('>HHHH', 520, 520, 8 + len(payload), 0) + payload
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0xc0, 20 + len(udp), 0, 0, 1, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    s.sendto(ip + udp, (dst, 0))


if __name__ == '__main__':
    if sys.argv[1] == 'show':
        show(sys.argv[2])
    elif sys.argv[1] == 'send':
        send(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
