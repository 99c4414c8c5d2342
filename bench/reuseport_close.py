#!/usr/bin/env python3
"""What closing one listening socket of a SO_REUSEPORT group does to the
connections queued on it (docs/operations.md, "Reload and upgrade without
downtime"). Two sockets share a loopback port; 400 connections are made and
left in the accept queues (the kernel hashes them across both); then one
socket is closed, as a retiring worker that owned its socket would, and the
connections are counted: accepted by the survivor, or reset.

    python3 bench/reuseport_close.py close   # the socket's only descriptor closes
    python3 bench/reuseport_close.py kept    # another process holds a copy (what
                                             # Liveline's master does)

and, to see net.ipv4.tcp_migrate_req without touching the host's setting, in a
network namespace of its own (root):

    unshare -n sh -c 'ip link set lo up; sysctl -qw net.ipv4.tcp_migrate_req=1;
                      python3 bench/reuseport_close.py close'

Measured on Linux 6.18 (2026-12-07): close: about half reset (202 and 192 of 400 in two runs); kept: 400
accepted, 0 reset; close with tcp_migrate_req=1: 400 accepted, 0 reset.
Loopback only, a bounded number of connections.
"""
import os
import socket
import sys

N = 400


def listener(port=0):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4096)
    return s


def drain(sock):
    sock.setblocking(False)
    got = []
    while True:
        try:
            got.append(sock.accept()[0])
        except BlockingIOError:
            return got


def main(mode):
    a = listener()
    port = a.getsockname()[1]
    b = listener(port)
    copy = socket.socket(fileno=os.dup(a.fileno())) if mode == "kept" else None
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(N)]
    a.close()
    accepted = drain(b) + (drain(copy) if copy else [])
    reset = 0
    for c in clients:
        c.setblocking(False)
        try:
            if c.recv(1) == b"":
                reset += 1
        except BlockingIOError:
            pass
        except ConnectionResetError:
            reset += 1
    print(f"{mode}: {N} connections queued, {len(accepted)} accepted, {reset} reset")
    for s in clients + accepted:
        s.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "close")
