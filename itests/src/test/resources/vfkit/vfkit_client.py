#!/usr/bin/env python3
"""A vfkit stand-in: binds CLIENT_PATH, sends the VFKT handshake and an ARP request for the gateway to
SERVER_PATH (one datagram each), and prints "arp-reply" when the gateway's answer comes back within 10 s.

  vfkit_client.py SERVER_PATH CLIENT_PATH
"""
import os
import socket
import struct
import sys
import time

MAC = bytes.fromhex("5a94efe40cee")


def arp_request():
    ethernet = b"\xff" * 6 + MAC + struct.pack("!H", 0x0806)
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + MAC + bytes([192, 168, 127, 2]) + b"\x00" * 6 \
        + bytes([192, 168, 127, 1])
    return ethernet + arp


def main(server_path, client_path):
    if os.path.exists(client_path):
        os.unlink(client_path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(client_path)
    s.sendto(b"VFKT\x00\x00\x00\x01", server_path)
    s.sendto(arp_request(), server_path)
    s.settimeout(1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            frame = s.recv(65536)
        except socket.timeout:
            continue
        if len(frame) >= 42 and frame[12:14] == b"\x08\x06" and frame[20:22] == b"\x00\x02" and frame[0:6] == MAC:
            print("arp-reply")
            return 0
    print("no arp reply", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
