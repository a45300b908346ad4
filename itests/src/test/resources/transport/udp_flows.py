"""Drives UDP NAT flows against an echo server, one local socket (so one flow) per index.

Usage: udp_flows.py HOST PORT SEQUENCE KEEP STOP_FILE
SEQUENCE: comma-separated socket indexes; each step sends one datagram from that socket and waits for its echo.
Then prints "PORTS i=port ..." and, until STOP_FILE exists, keeps the flows of KEEP (comma-separated indexes)
alive with an echo every 0.4 s. Prints "stopped" at the end.
"""
import os
import socket
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
sequence = [int(i) for i in sys.argv[3].split(",")]
keep = [int(i) for i in sys.argv[4].split(",")]
stop_file = sys.argv[5]
sockets = {}


def exchange(i):
    s = sockets.get(i)
    if s is None:
        s = sockets[i] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 0))
        s.settimeout(5)
    message = b"flow %d at %f" % (i, time.time())
    s.sendto(message, (host, port))
    echoed, _ = s.recvfrom(2048)
    if echoed != message:
        sys.exit("flow %d: wrong echo %r" % (i, echoed))


for i in sequence:
    exchange(i)
print("PORTS", " ".join("%d=%d" % (i, sockets[i].getsockname()[1]) for i in sorted(sockets)), flush=True)
deadline = time.time() + 90
while not os.path.exists(stop_file) and time.time() < deadline:
    for i in keep:
        exchange(i)
    time.sleep(0.4)
print("stopped", flush=True)
