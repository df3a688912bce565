#!/usr/bin/env python3
"""A minimal RFB 3.8 viewer that only speaks Extended Clipboard, written against rfbproto.

No VNC client library available here implements the Extended Clipboard pseudo-encoding
(0xC0A1E5CE), so this driver does it on a raw socket: the RFB 3.8 handshake with security type
None, SetEncodings [Raw, Extended Clipboard], then only clipboard messages.

  read   Ask the server what its clipboard holds: send caps and peek; on a notify that lists
         text, send request; write the text of the provide (UTF-8, the NUL dropped, CRLF turned
         into LF) to OUT.
  write  Give the server the UTF-8 text of IN: send caps and notify(text); when the server sends
         request, answer with provide.

It never asks for framebuffer updates, so the server sends nothing but clipboard messages, caps
first. Every wait is bounded by --timeout.

Exit codes: 0 success, 1 connection or protocol failure, 2 bad arguments, 5 timeout,
6 the server's clipboard holds no text (read), 7 the server did not announce Extended Clipboard.
"""

import argparse
import socket
import struct
import sys
import time
import zlib

EXTENDED_CLIPBOARD = -1063131698  # 0xC0A1E5CE as an S32
RAW = 0

FORMAT_TEXT = 1 << 0
ACTION_CAPS = 1 << 24
ACTION_REQUEST = 1 << 25
ACTION_PEEK = 1 << 26
ACTION_NOTIFY = 1 << 27
ACTION_PROVIDE = 1 << 28
ALL_ACTIONS = ACTION_CAPS | ACTION_REQUEST | ACTION_PEEK | ACTION_NOTIFY | ACTION_PROVIDE


class Failure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class Connection:
    def __init__(self, port, timeout):
        self.deadline = time.monotonic() + timeout
        self.sent_caps = False
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def read(self, count):
        data = b""
        while len(data) < count:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise Failure(5, "timed out waiting for the server")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(count - len(data))
            except socket.timeout:
                raise Failure(5, "timed out waiting for the server")
            if not chunk:
                raise Failure(1, "the server closed the connection")
            data += chunk
        return data

    def send(self, data):
        self.sock.sendall(data)

    def handshake(self):
        version = self.read(12)
        if not version.startswith(b"RFB 003."):
            raise Failure(1, "not an RFB server: %r" % version)
        self.send(b"RFB 003.008\n")
        (count,) = struct.unpack("!B", self.read(1))
        if count == 0:
            (length,) = struct.unpack("!I", self.read(4))
            raise Failure(1, "server refused: %s" % self.read(length).decode("utf-8", "replace"))
        types = self.read(count)
        if 1 not in types:
            raise Failure(1, "server does not offer security type None (offers %s)" % list(types))
        self.send(b"\x01")
        (result,) = struct.unpack("!I", self.read(4))
        if result != 0:
            raise Failure(1, "security handshake failed")
        self.send(b"\x01")  # ClientInit: shared
        width, height = struct.unpack("!HH", self.read(4))
        self.read(16)  # pixel format
        (name_length,) = struct.unpack("!I", self.read(4))
        self.read(name_length)
        encodings = [RAW, EXTENDED_CLIPBOARD]
        self.send(struct.pack("!BxH", 2, len(encodings)) + struct.pack("!%di" % len(encodings), *encodings))
        return width, height

    def send_extended(self, flags, payload=b""):
        """An extended ClientCutText: type 6, padding, S32 -length, U32 flags, payload."""
        self.send(struct.pack("!Bxxxi", 6, -(4 + len(payload))) + struct.pack("!I", flags) + payload)

    def next_extended(self):
        """The flags and payload of the next extended ServerCutText; Bell is skipped, others refused."""
        while True:
            (kind,) = struct.unpack("!B", self.read(1))
            if kind == 2:  # Bell
                continue
            if kind != 3:
                raise Failure(1, "unexpected server message type %d" % kind)
            self.read(3)
            (length,) = struct.unpack("!i", self.read(4))
            if length >= 0:
                # Plain Latin-1 ServerCutText: legitimate while the server has not yet processed
                # our SetEncodings (another viewer's clipboard may change at just that moment).
                # Only extended messages count, so it is skipped; none may follow our caps.
                self.read(length)
                if self.sent_caps:
                    raise Failure(1, "the server sent plain ServerCutText after Extended Clipboard was agreed")
                print("extended_clipboard: skipped a plain ServerCutText sent before SetEncodings took effect",
                      file=sys.stderr)
                continue
            body = self.read(-length)
            if len(body) < 4:
                raise Failure(1, "extended ServerCutText shorter than its flags")
            (flags,) = struct.unpack("!I", body[:4])
            return flags, body[4:]

    def exchange_caps(self):
        """Waits for the server's caps (its answer to the pseudo-encoding) and sends ours."""
        flags, payload = self.next_extended()
        if not flags & ACTION_CAPS:
            raise Failure(7, "the server's first clipboard message is not caps (flags 0x%08x)" % flags)
        if not flags & FORMAT_TEXT:
            raise Failure(7, "the server's caps do not include text (flags 0x%08x)" % flags)
        self.send_extended(ALL_ACTIONS | FORMAT_TEXT, struct.pack("!I", 1 << 20))
        self.sent_caps = True


def wire_text(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8") + b"\x00"


def text_from_provide(payload):
    # A decompressor object rather than zlib.decompress: senders may end the stream (Z_FINISH) or
    # only sync-flush it (TigerVNC's ZlibOutStream does the latter), and both are valid.
    data = zlib.decompressobj().decompress(payload)
    if len(data) < 4:
        raise Failure(1, "provide holds %d bytes, less than a size field" % len(data))
    (size,) = struct.unpack("!I", data[:4])
    raw = data[4:4 + size]
    if len(raw) != size:
        raise Failure(1, "provide holds %d bytes of text, announces %d" % (len(raw), size))
    if raw.endswith(b"\x00"):
        raw = raw[:-1]
    return raw.decode("utf-8").replace("\r\n", "\n")


def read_clipboard(connection, output):
    connection.exchange_caps()
    connection.send_extended(ACTION_PEEK)
    while True:
        flags, payload = connection.next_extended()
        if flags & ACTION_NOTIFY:
            if not flags & FORMAT_TEXT:
                raise Failure(6, "the server's clipboard holds no text")
            connection.send_extended(ACTION_REQUEST | FORMAT_TEXT)
        elif flags & ACTION_PROVIDE:
            if not flags & FORMAT_TEXT:
                raise Failure(6, "the server provided no text")
            text = text_from_provide(payload)
            with open(output, "wb") as f:
                f.write(text.encode("utf-8"))
            return "read %d characters" % len(text)


def write_clipboard(connection, text):
    connection.exchange_caps()
    connection.send_extended(ACTION_NOTIFY | FORMAT_TEXT)
    while True:
        flags, _ = connection.next_extended()
        if flags & ACTION_REQUEST and flags & FORMAT_TEXT:
            data = wire_text(text)
            connection.send_extended(ACTION_PROVIDE | FORMAT_TEXT, zlib.compress(struct.pack("!I", len(data)) + data))
            return "provided %d characters" % len(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["read", "write"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--out", help="read: file for the text (UTF-8)")
    parser.add_argument("--in", dest="input", help="write: file holding the text (UTF-8)")
    args = parser.parse_args()
    if args.mode == "read" and not args.out or args.mode == "write" and not args.input:
        parser.error("read needs --out, write needs --in")
    try:
        connection = Connection(args.port, args.timeout)
        connection.handshake()
        if args.mode == "read":
            message = read_clipboard(connection, args.out)
        else:
            with open(args.input, "rb") as f:
                message = write_clipboard(connection, f.read().decode("utf-8"))
        connection.sock.close()
    except Failure as failure:
        print("extended_clipboard: %s" % failure, file=sys.stderr)
        return failure.code
    except OSError as error:
        print("extended_clipboard: %s" % error, file=sys.stderr)
        return 1
    print("extended_clipboard: %s" % message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
