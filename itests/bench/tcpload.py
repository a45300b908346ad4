#!/usr/bin/env python3
"""Small TCP load tools for bench.sh (servers run on the host side, clients in the guest namespace).

  Servers listen on 127.0.0.1, or on BIND_ADDRESS when set in the environment.

  tcpload.py echo1-server PORT          accept; read 1 byte, write it back, close (the server closes first,
                                        so TIME-WAIT stays on the server side, not on the client's ports)
  tcpload.py probe HOST PORT SECONDS    retry one echo1 exchange until it works; exit 1 when it never does
  tcpload.py rate HOST PORT SECONDS     connect, 1 byte each way, wait for the close, in a loop; prints
                                        "conn_per_s N errors E"
  tcpload.py hold-server PORT           accept connections and keep them open
  tcpload.py hold HOST PORT N           open N connections, print "ready OPENED FAILED", then sleep until killed
"""
import os
import resource
import socket
import sys
import time


def listen(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((os.environ.get("BIND_ADDRESS", "127.0.0.1"), port))
    s.listen(4096)
    return s


def echo1_server(port):
    server = listen(port)
    while True:
        conn, _ = server.accept()
        try:
            b = conn.recv(1)
            if b:
                conn.sendall(b)
        except OSError:
            pass
        finally:
            conn.close()


def exchange(host, port, timeout):
    """One connection: 1 byte out, 1 byte back, then wait for the server's close."""
    with socket.create_connection((host, port), timeout=timeout) as c:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.sendall(b"x")
        if c.recv(1) != b"x":
            raise OSError("no echo")
        if c.recv(1) != b"":
            raise OSError("no close")


def probe(host, port, seconds):
    deadline = time.monotonic() + seconds
    while True:
        try:
            exchange(host, port, 2)
            return 0
        except OSError as e:
            if time.monotonic() > deadline:
                print(f"probe {host}:{port} failed: {e}", file=sys.stderr)
                return 1
            time.sleep(0.2)


def rate(host, port, seconds):
    done = errors = 0
    end = time.monotonic() + seconds
    start = time.monotonic()
    while time.monotonic() < end:
        try:
            exchange(host, port, 5)
            done += 1
        except OSError:
            errors += 1
    elapsed = time.monotonic() - start
    print(f"conn_per_s {done / elapsed:.0f} errors {errors}")
    return 0


def hold_server(port):
    server = listen(port)
    held = []
    while True:
        conn, _ = server.accept()
        held.append(conn)


def hold(host, port, n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, n + 256)), hard))
    held, failed = [], 0
    for _ in range(n):
        try:
            held.append(socket.create_connection((host, port), timeout=10))
        except OSError:
            failed += 1
    print(f"ready {len(held)} {failed}", flush=True)
    while True:
        time.sleep(3600)


def main(argv):
    mode = argv[1]
    if mode == "echo1-server":
        return echo1_server(int(argv[2]))
    if mode == "probe":
        return probe(argv[2], int(argv[3]), float(argv[4]))
    if mode == "rate":
        return rate(argv[2], int(argv[3]), float(argv[4]))
    if mode == "hold-server":
        return hold_server(int(argv[2]))
    if mode == "hold":
        return hold(argv[2], int(argv[3]), int(argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
