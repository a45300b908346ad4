"""Reads a stream to EOF, but stops reading for a while after the first PAUSE_AFTER bytes (the window closes).

Usage: slow_reader.py HOST PORT PAUSE_AFTER PAUSE_SECONDS
Prints "paused" when the pause starts, then "LENGTH SHA256" at the end.
"""
import hashlib
import socket
import sys
import time

host, port, pause_after, pause_seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
digest = hashlib.sha256()
total = 0
paused = False
with socket.create_connection((host, port), timeout=120) as s:
    while True:
        want = 1 << 16 if paused else min(1 << 16, pause_after - total)
        chunk = s.recv(want)
        if not chunk:
            break
        digest.update(chunk)
        total += len(chunk)
        if not paused and total >= pause_after:
            print("paused", flush=True)
            time.sleep(pause_seconds)
            paused = True
print(total, digest.hexdigest())
