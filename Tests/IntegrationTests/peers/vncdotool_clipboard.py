#!/usr/bin/env python3
"""Exchange clipboard text with a VNC server through vncdotool (standard cut text, Latin-1).

    vncdotool_clipboard.py --port N receive [--timeout S]
        connects, prints "ready", waits for ServerCutText and prints "received: <JSON string>".
    vncdotool_clipboard.py --port N send TEXT
        connects, sends ClientCutText TEXT, and stays connected a moment so the server handles it.

Exit codes: 0 success, 1 connection failure, 5 timeout.
"""

import argparse
import json
import queue
import sys
import time

from vncdotool import api, client

received = queue.Queue()


class RecordingClient(client.VNCDoToolClient):
    def copy_text(self, text):
        received.put(text)


class RecordingFactory(client.VNCDoToolFactory):
    protocol = RecordingClient


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("mode", choices=["receive", "send"])
    parser.add_argument("text", nargs="?")
    args = parser.parse_args()
    proxy = api.connect(f"127.0.0.1::{args.port}", factory_class=RecordingFactory, timeout=args.timeout)
    try:
        # Any request waits for the handshake; a harmless one proves the connection.
        proxy.refreshScreen(incremental=True)
        if args.mode == "send":
            proxy.paste(args.text)
            time.sleep(1)
            print("sent", flush=True)
            return 0
        print("ready", flush=True)
        try:
            text = received.get(timeout=args.timeout)
        except queue.Empty:
            print("timed out waiting for server cut text", flush=True)
            return 5
        print("received: " + json.dumps(text), flush=True)
        return 0
    except Exception as error:  # noqa: BLE001 - reported to the test
        print(f"failed: {error!r}", flush=True)
        return 1
    finally:
        try:
            proxy.disconnect()
        finally:
            api.shutdown()


if __name__ == "__main__":
    sys.exit(main())
