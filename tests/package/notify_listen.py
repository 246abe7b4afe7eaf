#!/usr/bin/python3
# Stands in for systemd's notification socket: binds a datagram socket at NAME (a path, or
# @ and an abstract name, as NOTIFY_SOCKET is written) and appends every message it gets to
# OUT as one line, its fields separated by spaces ("RELOADING=1 MONOTONIC_USEC=123"), until
# it is killed. Prints "ready" on stdout once bound.
import socket
import sys

name, out = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind("\0" + name[1:] if name.startswith("@") else name)
print("ready", flush=True)
with open(out, "a", encoding="utf-8") as f:
    while True:
        msg = sock.recv(4096).decode("utf-8", "replace")
        f.write(" ".join(msg.strip("\n").split("\n")) + "\n")
        f.flush()
