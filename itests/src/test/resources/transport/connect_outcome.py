"""Connects once and prints the outcome: "connected" or the exception's class name (e.g. ConnectionRefusedError).

Usage: connect_outcome.py HOST PORT TIMEOUT_SECONDS
"""
import socket
import sys

host, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket()
s.settimeout(timeout)
try:
    s.connect((host, port))
    print("connected")
except OSError as e:
    print(type(e).__name__, e.errno)
finally:
    s.close()
