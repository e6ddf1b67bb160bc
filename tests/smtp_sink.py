"""A local SMTP server for the e-mail fault drills: slow on purpose, and it can be stopped and
started again on the same port (a mail server that is down for a while).

It keeps a message as soon as its data has arrived, then takes `delay` seconds before it
answers "250": the worst case for a sender, whose process can die after the server has the
message but before it heard so.
"""

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Received:
    to: str
    subject: str
    message_id: str


class SlowSmtpServer:
    def __init__(self, *, delay: float = 0.7):
        self.delay = delay
        self.port = free_port()
        self.received: list[Received] = []
        self.in_flight: str | None = None  # the recipient whose "250" is on its way
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        with self._lock:
            for to in envelope.rcpt_tos:
                self.received.append(Received(to, message["Subject"], message["Message-ID"]))
            self.in_flight = envelope.rcpt_tos[0]
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight = None
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def count(self, to: str) -> int:
        with self._lock:
            return sum(1 for r in self.received if r.to == to)

    def recipients(self) -> list[str]:
        with self._lock:
            return [r.to for r in self.received]
