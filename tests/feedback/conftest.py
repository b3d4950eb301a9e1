"""The notification fixtures (a real SMTP server) for the feedback tests too."""

from tests.notifications.conftest import smtp  # noqa: F401
