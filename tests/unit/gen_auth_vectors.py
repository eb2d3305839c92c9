#!/usr/bin/env python3
"""gen_auth_vectors.py - the expected datagrams of test_auth.c, computed with
Python's hashlib and hmac (not with the code under test), from the text of
RFC 2082 3.2.1 (keyed MD5: the key zero-padded to 16 octets in the
authentication data field, MD5 over the whole datagram) and RFC 4822 2.5
(HMAC: Ko is the key zero-padded to L, or H(key) when longer than L; Apad
0x878FE1F3 in the field; HMAC over the whole datagram).  Prints C strings.

The datagram: a response with one entry 10.1.1.0/24 metric 1, key id 1,
sequence number 0x12345678.
"""
import hashlib
import hmac
import struct

HDR = bytes.fromhex('02020000')
RTE = bytes.fromhex('00020000' '0a010100' 'ffffff00' '00000000' '00000001')
SEQ = 0x12345678


def keyed(auth_len, dlen):
    entry = struct.pack('>HHHBBI', 0xffff, 3, len(HDR) + 20 + len(RTE), 1, auth_len, SEQ) + bytes(8)
    return HDR + entry + RTE + b'\xff\xff\x00\x01', dlen


def md5(key, auth_len):
    body, dlen = keyed(auth_len, 16)
    k16 = key.encode()[:16].ljust(16, b'\0')
    return body + hashlib.md5(body + k16).digest()


def rfc4822(name, key, L):
    body, _ = keyed(L, L)
    h = getattr(hashlib, name)
    k = key.encode()
    ko = h(k).digest() if len(k) > L else k.ljust(L, b'\0')
    apad = bytes.fromhex('878FE1F3') * (L // 4)
    return body + hmac.new(ko, body + apad, h).digest()


def c(name, b):
    print('static const char %s[] =' % name)
    h = b.hex()
    for i in range(0, len(h), 64):
        print('    "%s"%s' % (h[i:i + 64], ';' if i + 64 >= len(h) else ''))


c('vec_md5_16', md5('s3cret', 16))
c('vec_md5_20', md5('s3cret', 20))
c('vec_md5_long', md5('a-key-longer-than-16-octets', 16))
c('vec_sha1', rfc4822('sha1', 's3cret', 20))
c('vec_sha1_long', rfc4822('sha1', 'k' * 40, 20))
c('vec_sha256', rfc4822('sha256', 's3cret', 32))
c('vec_sha384', rfc4822('sha384', 's3cret', 48))
c('vec_sha512', rfc4822('sha512', 's3cret', 64))
