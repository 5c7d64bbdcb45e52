#!/usr/bin/env python3
"""A real SMTP server for frontdesk's notification tests (Debian's python3-aiosmtpd).

Listens on 127.0.0.1:PORT and writes every message it accepts to DIR as NNNNNN.eml (written
under a temporary name, then renamed, so a reader never sees half a message). Runs until killed.
"""

import argparse
import itertools
import os
import signal
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
        final = os.path.join(self.directory, f"{n:06}.eml")
        temporary = final + ".part"
        with open(temporary, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(temporary, final)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
