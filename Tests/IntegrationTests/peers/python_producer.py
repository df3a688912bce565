#!/usr/bin/env python3
"""A Porthole display-device producer written from docs/protocol.md alone (Python stdlib only).

It exists to prove that the wire spec is enough to write a producer in another language. It:

1. connects to the device's Unix socket and sends Hello (§5.1) as a producer, reads Welcome (§7.1);
2. creates an output the size of the picture (CreateOutput §5.2 -> OutputCreated §7.4);
3. puts the picture into a memfd sealed with F_SEAL_SHRINK | F_SEAL_GROW (§11) as XRGB8888 and
   wraps it with CreateFramebuffer (§5.6, the fd as SCM_RIGHTS, §3.3) -> FramebufferCreated §7.6;
4. commits it on the output's primary plane with explicit damage and the PageFlip flag (§5.8),
   reads CommitAccepted (§7.7) and waits for the PageFlip carrying that commit's request id (§7.9);
5. prints `page flip output O sequence S` and stays connected, reading (and ignoring) events, until
   it is killed or the server closes the connection.

The picture is a binary PPM (P6, maxval 255) named on the command line.

Exit codes: 0 the server closed the connection after the page flip, 1 protocol or connection failure,
2 bad arguments or picture, 5 timeout waiting for a reply.
"""

import argparse
import fcntl
import mmap
import os
import socket
import struct
import sys

# Message types (§5, §7).
HELLO = 0x0001
CREATE_OUTPUT = 0x0010
CREATE_FRAMEBUFFER = 0x0014
COMMIT = 0x0016
WELCOME = 0x8001
ERROR = 0x8002
OUTPUT_CREATED = 0x8010
FRAMEBUFFER_CREATED = 0x8012
COMMIT_ACCEPTED = 0x8013
COMMIT_REJECTED = 0x8014
PAGE_FLIP = 0x8020

HEADER = struct.Struct("<IHBBI")  # §3.2: length, type, fd count, flags, request id
XR24 = 0x34325258  # §3.4: 'X' 'R' '2' '4'
MAX_MESSAGE = 65536  # §8

# fcntl sealing constants (Linux); Python's fcntl module names them since 3.8.
F_ADD_SEALS = getattr(fcntl, "F_ADD_SEALS", 1033)
F_SEAL_SHRINK = getattr(fcntl, "F_SEAL_SHRINK", 0x0002)
F_SEAL_GROW = getattr(fcntl, "F_SEAL_GROW", 0x0004)


class ProtocolFailure(Exception):
    pass


def log(text):
    print(f"python_producer: {text}", flush=True)


def read_ppm(path):
    """Returns (width, height, rgb bytes) of a binary P6 PPM with maxval 255."""
    with open(path, "rb") as f:
        data = f.read()
    tokens = []
    position = 0
    while len(tokens) < 4:
        while position < len(data) and data[position:position + 1].isspace():
            position += 1
        if data[position:position + 1] == b"#":
            while position < len(data) and data[position] != 0x0A:
                position += 1
            continue
        start = position
        while position < len(data) and not data[position:position + 1].isspace():
            position += 1
        if start == position:
            raise ValueError(f"{path}: truncated PPM header")
        tokens.append(data[start:position])
    position += 1  # one whitespace byte after maxval
    if tokens[0] != b"P6" or int(tokens[3]) != 255:
        raise ValueError(f"{path}: only binary P6 with maxval 255 is supported")
    width, height = int(tokens[1]), int(tokens[2])
    pixels = data[position:position + width * height * 3]
    if width <= 0 or height <= 0 or len(pixels) != width * height * 3:
        raise ValueError(f"{path}: bad size or truncated pixels")
    return width, height, pixels


class Connection:
    """One client connection: framed messages (§3.2) with fds as SCM_RIGHTS (§3.3)."""

    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buffer = b""
        self.fds = []  # the FIFO of received fds (§3.3)
        self.next_request = 1

    def send(self, message_type, body, fds=()):
        """Sends one whole message, with its fds, in one sendmsg; returns its request id."""
        request = self.next_request
        self.next_request += 1
        message = HEADER.pack(HEADER.size + len(body), message_type, len(fds), 0, request) + body
        if fds:
            sent = socket.send_fds(self.sock, [message], list(fds))
        else:
            sent = self.sock.send(message)
        if sent != len(message):
            self.sock.sendall(message[sent:])
        return request

    def receive(self):
        """Returns the next message as (type, request id, body, fds), or None at end of stream."""
        while True:
            if len(self.buffer) >= 4:
                (length,) = struct.unpack_from("<I", self.buffer)
                if length < HEADER.size or length > MAX_MESSAGE:
                    raise ProtocolFailure(f"message length {length} out of range")
                if len(self.buffer) >= length:
                    _, message_type, fd_count, flags, request = HEADER.unpack_from(self.buffer)
                    if len(self.fds) >= fd_count:
                        body = self.buffer[HEADER.size:length]
                        self.buffer = self.buffer[length:]
                        fds, self.fds = self.fds[:fd_count], self.fds[fd_count:]
                        return message_type, request, body, fds
            data, fds, msg_flags, _ = socket.recv_fds(self.sock, 65536, 8, socket.MSG_CMSG_CLOEXEC)
            self.fds.extend(fds)
            if msg_flags & socket.MSG_CTRUNC:
                raise ProtocolFailure("truncated control message")
            if not data:
                if self.buffer:
                    raise ProtocolFailure("stream ended inside a message")
                return None
            self.buffer += data

    def reply_to(self, request, expected_type, on_event):
        """Reads until the reply to `request`; events in between go to `on_event`."""
        while True:
            message = self.receive()
            if message is None:
                raise ProtocolFailure("the server closed the connection")
            message_type, request_id, body, fds = message
            for fd in fds:
                os.close(fd)
            if request_id == request and message_type in (ERROR, COMMIT_REJECTED):
                code, text_length, detail = struct.unpack_from("<HHI", body)
                text = body[8:8 + text_length].decode("utf-8", "replace")
                raise ProtocolFailure(f"request {request} refused: code {code} detail {detail}: {text}")
            if request_id == request and message_type == expected_type:
                return body
            if request_id == 0:
                on_event(message_type, body)
                continue
            if message_type == ERROR:
                code, text_length, detail = struct.unpack_from("<HHI", body)
                raise ProtocolFailure(f"error code {code}: {body[8:8 + text_length].decode('utf-8', 'replace')}")
            raise ProtocolFailure(f"unexpected message 0x{message_type:04x} for request {request_id}")


def make_framebuffer_memory(width, height, rgb):
    """A sealed memfd holding the picture as XRGB8888 (bytes B, G, R, X); returns (fd, stride)."""
    stride = width * 4
    size = stride * height
    fd = os.memfd_create("python-producer-fb", os.MFD_ALLOW_SEALING | os.MFD_CLOEXEC)
    os.ftruncate(fd, size)
    with mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE) as memory:
        xrgb = bytearray(size)
        xrgb[0::4] = rgb[2::3]  # blue
        xrgb[1::4] = rgb[1::3]  # green
        xrgb[2::4] = rgb[0::3]  # red
        memory[:] = bytes(xrgb)
    fcntl.fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW)
    return fd, stride


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--socket", required=True, help="the display device's socket path")
    parser.add_argument("--name", default="Python-1", help="output name")
    parser.add_argument("--refresh", type=int, default=60000, help="refresh rate in millihertz")
    parser.add_argument("--timeout", type=float, default=20, help="seconds to wait for any reply")
    parser.add_argument("picture", help="binary PPM (P6, maxval 255) to show")
    arguments = parser.parse_args()

    try:
        width, height, rgb = read_ppm(arguments.picture)
    except (OSError, ValueError) as error:
        print(f"python_producer: {error}", file=sys.stderr)
        return 2

    flips = []

    def on_event(message_type, body):
        if message_type == PAGE_FLIP:
            flips.append(struct.unpack_from("<IQQI", body))

    try:
        connection = Connection(arguments.socket, arguments.timeout)

        # §5.1 Hello: magic, major 1, minor 0, role 1 (producer), flags 0, name, no lease token.
        name = b"python_producer"
        hello = b"PRTH" + struct.pack("<HHBBH", 1, 0, 1, 0, len(name)) + bytes(16) + name
        request = connection.send(HELLO, hello)
        welcome = connection.reply_to(request, WELCOME, on_event)
        major, minor, client_id = struct.unpack_from("<HHI", welcome)
        maximum_message, maximum_framebuffers, maximum_damage = struct.unpack_from("<III", welcome, 24)
        log(f"welcome: version {major}.{minor}, client {client_id}, limits {maximum_message} "
            f"{maximum_framebuffers} {maximum_damage}")

        # §5.2 CreateOutput: mode, preferred mode, position, physical size, name.
        output_name = arguments.name.encode("utf-8")
        create_output = struct.pack("<IIIIIIiiIIHH", width, height, arguments.refresh, width, height,
                                    arguments.refresh, 0, 0, 0, 0, len(output_name), 0) + output_name
        request = connection.send(CREATE_OUTPUT, create_output)
        output_id, primary_plane, cursor_plane = struct.unpack(
            "<III", connection.reply_to(request, OUTPUT_CREATED, on_event))
        log(f"output {output_id} primary plane {primary_plane} cursor plane {cursor_plane}")

        # §5.6 CreateFramebuffer with the memfd as its one fd (§11).
        fd, stride = make_framebuffer_memory(width, height, rgb)
        create_framebuffer = struct.pack("<IQIIIIB3x", XR24, 0, width, height, stride, 0, 1)
        request = connection.send(CREATE_FRAMEBUFFER, create_framebuffer, fds=[fd])
        os.close(fd)  # §3.3: the sender may close its copy once sendmsg returned
        (framebuffer_id,) = struct.unpack("<I", connection.reply_to(request, FRAMEBUFFER_CREATED, on_event))
        log(f"framebuffer {framebuffer_id} {width}x{height} stride {stride}")

        # §5.8 Commit: want PageFlip (bit 1), no output states, one plane state showing the whole
        # framebuffer 1:1 on the primary plane, opaque, damage = two rects covering the picture.
        top = height // 2
        damage = [(0, 0, width, top), (0, top, width, height - top)] if top > 0 else [(0, 0, width, height)]
        plane_state = struct.pack("<II", primary_plane, framebuffer_id)
        plane_state += struct.pack("<IIII", 0, 0, width << 16, height << 16)  # source, 16.16
        plane_state += struct.pack("<iiII", 0, 0, width, height)  # destination
        plane_state += struct.pack("<HHHH", 0, 0xFFFF, len(damage), 0)  # zpos, alpha, damage count
        for rect in damage:
            plane_state += struct.pack("<iiII", *rect)
        commit = struct.pack("<IHH", 0b10, 0, 1) + plane_state
        commit_request = connection.send(COMMIT, commit)
        connection.reply_to(commit_request, COMMIT_ACCEPTED, on_event)

        # §7.9 PageFlip with our commit's request id.
        while not any(flip[3] == commit_request for flip in flips):
            message = connection.receive()
            if message is None:
                raise ProtocolFailure("the server closed the connection before the page flip")
            message_type, request_id, body, fds = message
            for received in fds:
                os.close(received)
            if request_id == 0:
                on_event(message_type, body)
        flip = next(flip for flip in flips if flip[3] == commit_request)
        log(f"page flip output {flip[0]} sequence {flip[1]} commit {flip[3]}")

        # Stay connected (the output would otherwise enter its grace period) and keep reading, so
        # the server's queue to us never fills (§12).
        connection.sock.settimeout(None)
        while True:
            message = connection.receive()
            if message is None:
                log("the server closed the connection")
                return 0
            for received in message[3]:
                os.close(received)
    except socket.timeout:
        print("python_producer: timed out waiting for the server", file=sys.stderr)
        return 5
    except (OSError, ProtocolFailure, struct.error) as error:
        print(f"python_producer: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
