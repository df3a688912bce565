#!/usr/bin/env python3
"""Capture a VNC server's full screen with vncdotool, in a chosen encoding and pixel format.

The integration tests use vncdotool as a library (not its command line) because the command line
always asks for Raw and the server's native pixel format. This driver:

* offers exactly one pixel encoding (raw, rre, hextile or zrle) plus vncdotool's usual pseudo
  encodings, and records the encoding of every rectangle the server sends. It fails when a pixel
  rectangle arrives in any other encoding, because a capture that silently fell back to Raw would
  prove nothing about the encoder under test;
* picks the pixel format: bgrx (32 bpp, shifts 16/8/0: Porthole's native format), rgbx (32 bpp,
  shifts 0/8/16) or bgr16 (RGB565 little-endian). For bgrx it sends no SetPixelFormat when the
  server's native format already is bgrx, so the server's no-conversion path is exercised;
* saves the captured picture as PNG and prints one summary line, or exits non-zero with a message.

Exit codes: 0 success, 1 connection or protocol failure, 2 bad arguments, 3 wrong encoding received,
4 authentication failure, 5 timeout.
"""

import argparse
import sys

from twisted.internet import reactor
from twisted.python.failure import Failure

from vncdotool import client, rfb
from vncdotool.const import Encoding

ENCODINGS = {
    "raw": Encoding.RAW,
    "rre": Encoding.RRE,
    "hextile": Encoding.HEXTILE,
    "zrle": Encoding.ZRLE,
}

PIXEL_FORMATS = {
    "bgrx": rfb.PixelFormat(32, 24, False, True, 255, 255, 255, 16, 8, 0),
    "rgbx": client.RGB32,
    "bgr16": client.BGR16,
}

PSEUDO_ENCODINGS = {
    Encoding.PSEUDO_CURSOR,
    Encoding.PSEUDO_DESKTOP_SIZE,
    Encoding.PSEUDO_LAST_RECT,
    Encoding.PSEUDO_QEMU_EXTENDED_KEY_EVENT,
}

outcome = {"code": 1, "message": "no result"}


def finish(code, message):
    if outcome.get("done"):
        return
    outcome.update(code=code, message=message, done=True)
    if reactor.running:
        reactor.stop()


def make_client_class(encoding, pixel_format):
    class RecordingClient(client.VNCDoToolClient):
        """vncdotool's client with a fixed encoding and pixel format, recording what it receives."""

        def setImageMode(self):
            if self.pixel_format != pixel_format:
                self.setPixelFormat(pixel_format)
                self.sent_pixel_format = True
            else:
                self.sent_pixel_format = False
            self._image_mode = client.PF2IM[pixel_format]

        def _handleRectangle(self, block):
            (_, _, _, _, rect_encoding) = rfb.unpack("!HHHHi", block)
            rect_encoding = Encoding.s32(rect_encoding)
            if rect_encoding not in PSEUDO_ENCODINGS:
                counts = self.factory.received_encodings
                counts[rect_encoding] = counts.get(rect_encoding, 0) + 1
            super()._handleRectangle(block)

    RecordingClient.encoding = encoding
    return RecordingClient


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--encoding", choices=sorted(ENCODINGS), required=True)
    parser.add_argument("--pixel-format", choices=sorted(PIXEL_FORMATS), required=True)
    parser.add_argument("--password")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("out", help="PNG file to write")
    args = parser.parse_args()

    if args.encoding == "zrle" and args.pixel_format == "bgr16":
        # vncdotool's ZRLE decoder reads every CPIXEL as 3 bytes, which is only right for 32 bpp
        # formats (RFC 6143 7.7.6); with a 16 bpp format it would misdecode a correct stream.
        print("vncdotool cannot decode ZRLE at 16 bpp (its CPIXEL is always 3 bytes)", file=sys.stderr)
        return 2

    wanted = ENCODINGS[args.encoding]
    factory = client.VNCDoToolFactory()
    factory.protocol = make_client_class(wanted, PIXEL_FORMATS[args.pixel_format])
    factory.password = args.password
    factory.received_encodings = {}

    def connected(protocol):
        d = protocol.captureScreen(args.out)
        d.addCallback(captured, protocol)
        d.addErrback(failed)

    def captured(_, protocol):
        received = factory.received_encodings
        names = ", ".join(f"{Encoding.lookup(e)!r}={n}" for e, n in sorted(received.items()))
        wrong = [e for e in received if e != wanted]
        if not received:
            finish(3, "no pixel rectangles were received")
        elif wrong:
            finish(3, f"asked for {args.encoding} only, but received rectangles: {names}")
        else:
            size = protocol.screen.size if protocol.screen else None
            finish(0, f"captured {size} with {names}; "
                      f"SetPixelFormat sent: {protocol.sent_pixel_format}")

    def failed(reason):
        if isinstance(reason, Failure):
            if reason.check(client.AuthenticationError):
                finish(4, f"authentication failed: {reason.getErrorMessage()}")
                return
            message = reason.getErrorMessage()
        else:
            message = str(reason)
        finish(1, f"connection failed: {message}")

    def lost(reason):
        finish(1, f"connection lost before the capture finished: {reason.getErrorMessage()}")

    factory.deferred.addCallbacks(connected, failed)
    factory._disconnect_callbacks.append(lost)
    client.factory_connect(factory, args.host, args.port, client.socket.AF_INET)
    reactor.callLater(args.timeout, finish, 5, f"timed out after {args.timeout} s")
    reactor.run()

    stream = sys.stdout if outcome["code"] == 0 else sys.stderr
    print(outcome["message"], file=stream)
    return outcome["code"]


if __name__ == "__main__":
    sys.exit(main())
