#!/usr/bin/env python3
"""An example third-party consumer of a Porthole display device, written from docs/protocol.md
alone with Python's standard library: it subscribes to an output, maps the scanout buffers the
server passes as memfds, and reports each frame (writing the last one as a PPM if asked).

    python3 python_consumer.py --socket PATH [--output NAME|ID] [--frames N] [--ppm OUT.ppm]

A real encoder or recorder would read the damage rectangles of each FrameReady and encode only
those; this example prints them.
"""
import argparse
import mmap
import os
import socket
import struct
import sys

HEADER = struct.Struct("<IHBBI")         # §3.2: length, type, fd count, flags, request id
MAX_MESSAGE = 65536                       # §8
HELLO, LIST_OUTPUTS, SUBSCRIBE, FRAME_RELEASED = 0x0001, 0x0020, 0x0021, 0x0023
WELCOME, ERROR, OUTPUTS, SUBSCRIBED, SCANOUT_BUFFERS, FRAME_READY, OUTPUT_REMOVED = \
    0x8001, 0x8002, 0x8030, 0x8031, 0x8032, 0x8033, 0x8026


class Connection:
    """Framed messages (§3.2) with fds passed as SCM_RIGHTS (§3.3)."""

    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buffer, self.fds, self.next_request = b"", [], 1

    def send(self, message_type, body=b""):
        request, self.next_request = self.next_request, self.next_request + 1
        self.sock.sendall(HEADER.pack(HEADER.size + len(body), message_type, 0, 0, request) + body)
        return request

    def receive(self):
        """The next message as (type, request id, body, fds); fds come from the FIFO (§3.3)."""
        while True:
            if len(self.buffer) >= HEADER.size:
                length, message_type, fd_count, _, request = HEADER.unpack_from(self.buffer)
                if not HEADER.size <= length <= MAX_MESSAGE:
                    sys.exit(f"message length {length} out of range")
                if len(self.buffer) >= length and len(self.fds) >= fd_count:
                    body, self.buffer = self.buffer[HEADER.size:length], self.buffer[length:]
                    fds, self.fds = self.fds[:fd_count], self.fds[fd_count:]
                    if message_type == ERROR:
                        code, text_length, _ = struct.unpack_from("<HHI", body)
                        sys.exit(f"server error {code}: {body[8:8 + text_length].decode('utf-8', 'replace')}")
                    return message_type, request, body, fds
            data, fds, _, _ = socket.recv_fds(self.sock, 65536, 8, socket.MSG_CMSG_CLOEXEC)
            if not data and not fds:
                sys.exit("the server closed the connection")
            self.buffer += data
            self.fds.extend(fds)

    def reply(self, request, expected):
        while True:
            message_type, request_id, body, fds = self.receive()
            for fd in fds:
                os.close(fd)
            if request_id == request and message_type == expected:
                return body


def choose_output(body, wanted):
    """§7.16: pick the output by id or name (the first one when none is named)."""
    count, = struct.unpack_from("<H", body, 0)
    offset = 4
    for _ in range(count):
        output_id, width, height, _, x, y, flags, _, name_length, owner_length, _ = \
            struct.unpack_from("<IIIIiiBBHHH", body, offset)
        name = body[offset + 32:offset + 32 + name_length].decode("utf-8")
        if wanted is None or wanted in (name, str(output_id)):
            return output_id, name, width, height
        offset += 32 + name_length + owner_length
    sys.exit(f"no output {wanted!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", required=True)
    parser.add_argument("--output")
    parser.add_argument("--frames", type=int, default=1)
    parser.add_argument("--ppm")
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()

    connection = Connection(args.socket, args.timeout)
    name = b"python-consumer"
    hello = b"PRTH" + struct.pack("<HHBBH", 1, 0, 2, 0, len(name)) + bytes(16) + name   # §5.1, role 2
    connection.reply(connection.send(HELLO, hello), WELCOME)
    output_id, output_name, _, _ = choose_output(connection.reply(connection.send(LIST_OUTPUTS), OUTPUTS), args.output)
    connection.reply(connection.send(SUBSCRIBE, struct.pack("<I", output_id)), SUBSCRIBED)       # §6.2

    buffers, layout, seen = [], None, 0
    while seen < args.frames:
        message_type, _, body, fds = connection.receive()
        if message_type == SCANOUT_BUFFERS:                                                   # §7.18
            for old in buffers:
                old.close()
            _, fourcc, width, height, stride, size, count, _ = struct.unpack_from("<IIIIIIHH", body)
            buffers = [mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ) for fd in fds]
            for fd in fds:
                os.close(fd)   # the mapping keeps the memory
            layout = (width, height, stride)
        elif message_type == FRAME_READY and layout:                                          # §7.19
            _, sequence, index, flags, _, _, damage_count, _ = struct.unpack_from("<IQHHiiHH", body)
            rects = [struct.unpack_from("<iiII", body, 28 + 16 * i) for i in range(damage_count)]
            seen += 1
            print(f"frame {sequence} of {output_name!r} in buffer {index}: {layout[0]}x{layout[1]}, "
                  f"{damage_count} damage rect(s) {rects[:4]}", flush=True)
            if seen == args.frames and args.ppm:
                width, height, stride = layout
                pixels = bytearray()
                for y in range(height):                   # XR24: B, G, R, X bytes per pixel
                    row = buffers[index][y * stride:y * stride + width * 4]
                    for x in range(width):
                        pixels += bytes((row[4 * x + 2], row[4 * x + 1], row[4 * x]))
                with open(args.ppm, "wb") as out:
                    out.write(b"P6 %d %d 255\n" % (width, height) + pixels)
            connection.send(FRAME_RELEASED, struct.pack("<IHHQ", output_id, index, 0, sequence))   # §6.7
        elif message_type == OUTPUT_REMOVED:
            sys.exit("the output was removed")
        for fd in fds if message_type != SCANOUT_BUFFERS else ():
            os.close(fd)


if __name__ == "__main__":
    main()
