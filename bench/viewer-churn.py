#!/usr/bin/env python3
"""Connects COUNT viewers to a VNC server one after another, each through the RFB 3.8 handshake
(no authentication) to ServerInit; every other one also asks for a whole ZRLE update and reads
what arrives first. Prints the server's resident memory and open descriptors before and after,
so a leak per connection shows as growth (docs/benchmarks.md, "Viewers coming and going").

    bench/viewer-churn.py PORT COUNT SERVER_PID
"""
import os
import socket
import struct
import sys
import time


def read_exactly(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the server closed the connection")
        data += chunk
    return data


def one_viewer(port, take_update):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        read_exactly(sock, 12)                       # ProtocolVersion (RFC 6143 §7.1.1)
        sock.sendall(b"RFB 003.008\n")
        types = read_exactly(sock, read_exactly(sock, 1)[0])
        if 1 not in types:
            raise SystemExit("the server asks for authentication; run it without --password-file")
        sock.sendall(b"\x01")                        # security type None
        read_exactly(sock, 4)                        # SecurityResult
        sock.sendall(b"\x01")                        # ClientInit, shared
        header = read_exactly(sock, 24)              # ServerInit (§7.3.2)
        width, height = struct.unpack(">HH", header[:4])
        read_exactly(sock, struct.unpack(">I", header[20:24])[0])
        if take_update:
            sock.sendall(struct.pack(">BBHi", 2, 0, 1, 16))                       # SetEncodings: ZRLE
            sock.sendall(struct.pack(">BBHHHH", 3, 0, 0, 0, width, height))       # whole update
            sock.recv(65536)


def resources(pid):
    with open(f"/proc/{pid}/status") as status:
        rss = next(line.split()[1] for line in status if line.startswith("VmRSS"))
    return int(rss), len(os.listdir(f"/proc/{pid}/fd"))


def main():
    port, count, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rss, fds = resources(pid)
    print(f"before: {rss} kB resident, {fds} descriptors")
    for index in range(count):
        one_viewer(port, index % 2 == 0)
    time.sleep(2)
    rss, fds = resources(pid)
    print(f"after {count} viewers: {rss} kB resident, {fds} descriptors")


if __name__ == "__main__":
    main()
