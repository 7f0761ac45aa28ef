#!/usr/bin/env python3
"""Sends cairn messages over UDP with a forged source address (attack tests only; needs root).

usage: spoof-udp.py [--raw] SRC_HOST SRC_PORT DST_HOST DST_PORT < messages

stdin holds the messages, each as a 4-byte big-endian length and that many bytes (a whole
cairn frame: bare JSON, or 0x01 + session token + JSON; with --raw, a whole UDP payload such
as a transport NACK, sent as it is). Each is wrapped in the UDP transport's DATA framing (docs/protocol.md, "UDP"), one fragment per datagram of at most
60,000 payload bytes, and sent in an IPv4 packet whose header this script writes itself
(IP_HDRINCL), so the receiver sees the datagram as coming from SRC_HOST:SRC_PORT. Standard
library only. Prints the number of datagrams sent.
"""
import os
import socket
import struct
import sys

MAGIC, VERSION, TYPE_DATA = 0xCA, 1, 1
FRAGMENT = 60_000


def data_datagrams(message: bytes, msg_id: int):
    """The transport's DATA datagrams for one message: magic, version, type, 0, id, total, fragSize, index, count."""
    total = len(message)
    frag = max(total, 1) if total <= FRAGMENT else FRAGMENT
    count = max(1, -(-total // frag))
    for index in range(count):
        head = struct.pack('>BBBBIIHHH', MAGIC, VERSION, TYPE_DATA, 0, msg_id & 0xFFFFFFFF, total, frag, index, count)
        yield head + message[index * frag:(index + 1) * frag]


def ipv4_udp(src: str, sport: int, dst: str, dport: int, payload: bytes) -> bytes:
    """An IPv4 header (the kernel fills in the total length, id and checksum) and a UDP header (checksum 0: none, allowed over IPv4)."""
    udp = struct.pack('>HHHH', sport, dport, 8 + len(payload), 0)
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + 8 + len(payload), 0, 0, 64, socket.IPPROTO_UDP, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip + udp + payload


def main() -> int:
    args = sys.argv[1:]
    raw_payloads = bool(args) and args[0] == '--raw'
    if raw_payloads:
        args = args[1:]
    if len(args) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    src, sport, dst, dport = args[0], int(args[1]), args[2], int(args[3])
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    data = sys.stdin.buffer.read()
    msg_id = int.from_bytes(os.urandom(4), 'big')
    sent = 0
    at = 0
    while at + 4 <= len(data):
        (length,) = struct.unpack('>I', data[at:at + 4])
        message = data[at + 4:at + 4 + length]
        at += 4 + length
        for datagram in [message] if raw_payloads else data_datagrams(message, msg_id):
            raw.sendto(ipv4_udp(src, sport, dst, dport, datagram), (dst, 0))
            sent += 1
        msg_id += 1
    raw.close()
    print(sent)
    return 0


if __name__ == '__main__':
    sys.exit(main())
