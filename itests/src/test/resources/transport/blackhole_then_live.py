"""Starts N connects that are never answered, then, while they hang, connects to a live echo port.

Usage: blackhole_then_live.py N LIVE_HOST LIVE_PORT READY_FILE GO_FILE
The N connects go to 10.99.0.1 .. port 80 (distinct addresses), non-blocking. After a second the live connect
(20 s timeout) sends "live" and expects it echoed. Prints "live OUTCOME" and "blackholed pending=P connected=C
failed=F", creates READY_FILE, and holds the sockets until GO_FILE exists (at most 60 s).
"""
import os
import select
import socket
import sys
import time

n, live_host, live_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ready_file, go_file = sys.argv[4], sys.argv[5]

hanging = []
for i in range(n):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("10.99.%d.%d" % (i // 200, i % 200 + 1), 80))
    hanging.append(s)
time.sleep(1)

try:
    with socket.create_connection((live_host, live_port), timeout=20) as live:
        live.sendall(b"live\n")
        live.shutdown(socket.SHUT_WR)
        echoed = b""
        while True:
            chunk = live.recv(100)
            if not chunk:
                break
            echoed += chunk
        outcome = "ok" if echoed == b"live\n" else "wrong-echo %r" % echoed
except OSError as e:
    outcome = type(e).__name__
print("live", outcome, flush=True)

_, writable, _ = select.select([], hanging, [], 0)
writable = set(writable)
pending = connected = failed = 0
for s in hanging:
    if s not in writable:
        pending += 1
    elif s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
        connected += 1
    else:
        failed += 1
print("blackholed pending=%d connected=%d failed=%d" % (pending, connected, failed), flush=True)
open(ready_file, "w").close()
for _ in range(600):
    if os.path.exists(go_file):
        break
    time.sleep(0.1)
