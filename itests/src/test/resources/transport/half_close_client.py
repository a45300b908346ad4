"""Half-close client: sends a request, shuts down its writing side, then reads the response to EOF.

Usage: half_close_client.py HOST PORT REQUEST_BYTES SEED
Prints "request LENGTH SHA256" and "response LENGTH SHA256".
"""
import hashlib
import random
import socket
import sys

host, port, request_bytes, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
request = random.Random(seed).randbytes(request_bytes)
with socket.create_connection((host, port), timeout=60) as s:
    s.sendall(request)
    s.shutdown(socket.SHUT_WR)
    digest = hashlib.sha256()
    total = 0
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        digest.update(chunk)
        total += len(chunk)
print("request", len(request), hashlib.sha256(request).hexdigest())
print("response", total, digest.hexdigest())
