"""Fixtures for account tests: the real SMTP server of the cohort tests."""

from tests.cohorts.conftest import Mailbox, link_in, mail_app, smtp

__all__ = ["Mailbox", "link_in", "mail_app", "smtp"]
