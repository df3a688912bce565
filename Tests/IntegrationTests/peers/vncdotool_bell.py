#!/usr/bin/env python3
"""Print the RFB Bell messages a VNC server sends to vncdotool.

The driver connects with vncdotool as a library, takes one full update (so the session is set
up), prints "connected", then stays connected for --seconds and prints "bell N" as the Nth Bell
message (RFC 6143 §7.6.3) arrives. At the end it prints "bells N".

Exit codes: 0 success, 1 connection or protocol failure.
"""

import argparse
import sys

from twisted.internet import reactor
from twisted.python.failure import Failure

from vncdotool import client

outcome = {"code": 0, "message": "", "done": False}


def say(line):
    print(line, flush=True)


class BellCountingClient(client.VNCDoToolClient):
    """vncdotool's client, counting the bells it hears."""

    bells = 0

    def bell(self):
        BellCountingClient.bells += 1
        say(f"bell {BellCountingClient.bells}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("screen", help="PNG file to write the first update's screen to")
    args = parser.parse_args()

    factory = client.VNCDoToolFactory()
    factory.protocol = BellCountingClient

    def stop(code, message):
        if not outcome["done"]:
            outcome.update(code=code, message=message, done=True)
        if reactor.running:
            reactor.stop()

    def connected(protocol):
        d = protocol.captureScreen(args.screen)
        d.addCallback(lambda _: say("connected"))
        d.addErrback(failed)

    def failed(reason):
        message = reason.getErrorMessage() if isinstance(reason, Failure) else str(reason)
        stop(1, f"connection failed: {message}")

    def lost(reason):
        stop(1, f"connection lost: {reason.getErrorMessage()}")

    factory.deferred.addCallbacks(connected, failed)
    factory._disconnect_callbacks.append(lost)
    client.factory_connect(factory, args.host, args.port, client.socket.AF_INET)
    reactor.callLater(args.seconds, stop, 0, "")
    reactor.run()

    if outcome["code"] != 0:
        print(outcome["message"], file=sys.stderr)
        return outcome["code"]
    say(f"bells {BellCountingClient.bells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
