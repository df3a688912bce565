#!/usr/bin/env python3
"""Print the cursor shape a VNC server sends to vncdotool through the Cursor pseudo-encoding.

The driver connects with vncdotool as a library, offers Raw plus the Cursor pseudo-encoding
(rfbproto "Cursor Pseudo-encoding", -239), captures the screen once (the first full update), and
prints the last cursor shape received by then as one JSON object:

    {"hotspot": [x, y], "size": [w, h], "pixels": ["rrggbb", ...], "mask": [0 or 1, ...]}

pixels and mask are row-major, one entry per cursor pixel; the mask is vncdotool's own decoding of
the bitmask (rows padded to whole bytes, most significant bit first). Without any cursor shape the
object is {"size": [0, 0]}.

Exit codes: 0 success, 1 connection or protocol failure, 5 timeout.
"""

import argparse
import json
import sys

from twisted.internet import reactor
from twisted.python.failure import Failure

from vncdotool import client
from vncdotool.const import Encoding

outcome = {"code": 1, "message": "no result"}


def finish(code, message):
    if outcome.get("done"):
        return
    outcome.update(code=code, message=message, done=True)
    if reactor.running:
        reactor.stop()


class CursorRecordingClient(client.VNCDoToolClient):
    """vncdotool's client asking for Raw, keeping the cursor shapes it is sent."""

    encoding = Encoding.RAW
    shape = None

    def updateCursor(self, x, y, width, height, image, mask):
        if not width or not height:
            CursorRecordingClient.shape = {"size": [0, 0]}
            return
        super().updateCursor(x, y, width, height, image, mask)
        rgb = self.cursor.convert("RGB")
        bits = self.cmask.convert("L")
        CursorRecordingClient.shape = {
            "hotspot": [x, y],
            "size": [width, height],
            "pixels": ["%02x%02x%02x" % rgb.getpixel((i % width, i // width)) for i in range(width * height)],
            "mask": [1 if bits.getpixel((i % width, i // width)) else 0 for i in range(width * height)],
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("screen", help="PNG file to write the captured screen to")
    args = parser.parse_args()

    factory = client.VNCDoToolFactory()
    factory.protocol = CursorRecordingClient
    factory.pseudocursor = True

    def connected(protocol):
        d = protocol.captureScreen(args.screen)
        d.addCallback(lambda _: finish(0, json.dumps(CursorRecordingClient.shape or {"size": [0, 0]})))
        d.addErrback(failed)

    def failed(reason):
        message = reason.getErrorMessage() if isinstance(reason, Failure) else str(reason)
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
