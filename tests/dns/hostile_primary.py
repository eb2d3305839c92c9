#!/usr/bin/env python3
"""tests/dns/hostile_primary.py - a small "primary" that misbehaves on
purpose, for tests/dns/xfr_hostile.sh (standard library only).

    hostile_primary.py PORT LOG

Serves UDP and TCP on 127.0.0.1@PORT.  Every zone's SOA answer (UDP or TCP)
says serial 2, so a secondary holding serial 1 transfers; what the
transfer gets depends on the zone:

  endless.test.  an AXFR (or IXFR) that never ends: the SOA, then messages
                 of 400 A records each, new names every time, as fast as
                 the socket takes them;
  bigtxt.test.   the same with one 60000-byte TXT record per message (the
                 size limit, not the record count, must end it);
  chain.test.    IXFR answered with an endless chain of difference
                 sequences (serial n -> n + 1, nothing else), the server's
                 serial 2000000000 never reached; AXFR as endless.test;
  stall.test.    a first message (the SOA and a few records), then the
                 rest one byte every 0.5 s (never idle long enough for an
                 idle timeout);
  tc.test.       the UDP SOA answer has TC=1 and no records; over TCP the
                 SOA is answered properly and the AXFR is a whole small
                 zone (serial 2).

One line per TCP transfer goes to LOG when it ends:
  "xfr ZONE QTYPE messages=N records=N bytes=N seconds=S end=REASON"
where REASON is how the connection ended (reset or closed by the peer).
"""
import socket
import struct
import sys
import threading
import time

PORT = int(sys.argv[1])
LOG = open(sys.argv[2], "a", buffering=1)
T_A, T_NS, T_SOA, T_TXT, T_AXFR, T_IXFR = 1, 2, 6, 16, 252, 251


def name(text):
    out = b""
    for label in text.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def read_name(msg, off):
    labels = []
    while msg[off] != 0:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode().lower())
        off += 1 + n
    return ".".join(labels) + ".", off + 1


def soa_rd(zone, serial):
    # refresh 3600, retry 1, expire 600, minimum 60
    return name("ns1." + zone) + name("host." + zone) + struct.pack("!IIIII", serial, 3600, 1, 600, 60)


def rr(owner, rtype, rdata, ttl=300):
    return name(owner) + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def message(qid, qname, qtype, answers, flags=0x8400, question=True):
    hdr = struct.pack("!HHHHHH", qid, flags, 1 if question else 0, len(answers), 0, 0)
    q = name(qname) + struct.pack("!HH", qtype, 1) if question else b""
    return hdr + q + b"".join(answers)


def parse_query(msg):
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    qname, off = read_name(msg, 12)
    qtype, = struct.unpack("!H", msg[off:off + 2])
    return qid, qname, qtype


def serial_of(zone):
    return 2000000000 if zone == "chain.test." else 2


def udp_loop(sock):
    while True:
        data, peer = sock.recvfrom(4096)
        try:
            qid, qname, qtype = parse_query(data)
        except Exception:
            continue
        if qname == "tc.test.":
            # TC=1 and nothing else: the client must ask again over TCP.
            sock.sendto(message(qid, qname, qtype, [], flags=0x8600), peer)
            continue
        sock.sendto(message(qid, qname, qtype, [rr(qname, T_SOA, soa_rd(qname, serial_of(qname)), 3600)]), peer)


def framed(msg):
    return struct.pack("!H", len(msg)) + msg


def tcp_conn(conn):
    stats = {"messages": 0, "records": 0, "bytes": 0}
    zone, qtype, end = "?", 0, "done"
    t0 = time.monotonic()

    def send(msg, n):
        conn.sendall(framed(msg))
        stats["messages"] += 1
        stats["records"] += n
        stats["bytes"] += len(msg) + 2

    try:
        hdr = b""
        while len(hdr) < 2:
            b = conn.recv(2 - len(hdr))
            if not b:
                return
            hdr += b
        ln, = struct.unpack("!H", hdr)
        q = b""
        while len(q) < ln:
            b = conn.recv(ln - len(q))
            if not b:
                return
            q += b
        qid, zone, qtype = parse_query(q)
        soa = rr(zone, T_SOA, soa_rd(zone, serial_of(zone)), 3600)
        if qtype == T_SOA:
            send(message(qid, zone, qtype, [soa]), 1)
            time.sleep(0.5)
            return
        if zone == "tc.test.":
            recs = [soa, rr(zone, T_NS, name("ns1." + zone), 3600),
                    rr("ns1." + zone, T_A, bytes([192, 0, 2, 1])),
                    rr("www." + zone, T_A, bytes([192, 0, 2, 2])), soa]
            send(message(qid, zone, qtype, recs), len(recs))
            time.sleep(0.5)
            return
        if zone == "stall.test.":
            first = [soa, rr(zone, T_NS, name("ns1." + zone), 3600)]
            send(message(qid, zone, qtype, first), 2)
            more = [rr("w%d.%s" % (i, zone), T_A, bytes([192, 0, 2, i])) for i in range(100)]
            rest = framed(message(qid, zone, qtype, more + [soa], question=False))
            # One byte every half second (the message would take ~20 minutes).
            for i in range(len(rest) - 1):
                conn.sendall(rest[i:i + 1])
                stats["bytes"] += 1
                time.sleep(0.5)
            time.sleep(3600)
        if zone == "chain.test." and qtype == T_IXFR:
            n = 1
            send(message(qid, zone, qtype, [soa]), 1)
            while True:
                recs = []
                for _ in range(200):
                    recs.append(rr(zone, T_SOA, soa_rd(zone, n), 3600))
                    recs.append(rr(zone, T_SOA, soa_rd(zone, n + 1), 3600))
                    n += 1
                send(message(qid, zone, qtype, recs, question=False), len(recs))
        # endless.test, bigtxt.test, chain.test's AXFR: records forever.
        send(message(qid, zone, qtype, [soa, rr(zone, T_NS, name("ns1." + zone), 3600)]), 2)
        k = 0
        while True:
            if zone == "bigtxt.test.":
                txt = b"".join(bytes([250]) + b"x" * 250 for _ in range(239))
                recs = [rr("t%d.%s" % (k, zone), T_TXT, txt)]
                k += 1
            else:
                recs = []
                for _ in range(400):
                    recs.append(rr("h%d.%s" % (k, zone), T_A, struct.pack("!I", k)))
                    k += 1
            send(message(qid, zone, qtype, recs, question=False), len(recs))
    except (BrokenPipeError, ConnectionResetError):
        end = "reset"
    except OSError as e:
        end = "error %s" % e
    finally:
        LOG.write("xfr %s %s messages=%d records=%d bytes=%d seconds=%.3f end=%s\n" % (
            zone, {T_AXFR: "AXFR", T_IXFR: "IXFR", T_SOA: "SOA"}.get(qtype, str(qtype)),
            stats["messages"], stats["records"], stats["bytes"], time.monotonic() - t0, end))
        conn.close()


def main():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", PORT))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("127.0.0.1", PORT))
    t.listen(16)
    threading.Thread(target=udp_loop, args=(u,), daemon=True).start()
    LOG.write("ready\n")
    while True:
        c, _ = t.accept()
        threading.Thread(target=tcp_conn, args=(c,), daemon=True).start()


main()
