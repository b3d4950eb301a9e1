"""Fixtures for cohort tests: a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask

from tests.factories import extra_app


@dataclass
class Mailbox:
    """What the SMTP server received: envelopes, and their messages parsed."""

    port: int
    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content or e.content, policy=email.policy.default)
            for e in self.envelopes
        ]

    def only_message(self) -> tuple[Any, EmailMessage]:
        """The single envelope received and its message; fails when there are more or none."""
        assert len(self.envelopes) == 1, f"expected one message, got {len(self.envelopes)}"
        return self.envelopes[0], self.messages[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """An aiosmtpd server on 127.0.0.1 that keeps every message it receives."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox(port=_free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def mail_app(app: Flask, database_url: str, smtp: Mailbox) -> Iterator[Flask]:
    """The application with e-mail going to :func:`smtp` (same database as ``app``)."""
    with extra_app(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port) as second:
        yield second


def link_in(message: EmailMessage) -> str:
    """The path of the one http(s) link in a plain-text message."""
    body = message.get_content()
    links = re.findall(r"https?://[^\s]+", body)
    assert len(links) == 1, f"expected one link in the message, found {links}"
    return re.sub(r"^https?://[^/]+", "", links[0])
