"""Peer feedback: a trainee asks people (with or without an account) what they saw.

- ``models``: requests, the rater's answer (levels per indicator, narratives per
  competency) and the dialogue that follows;
- ``services``: every write, with an explicit actor (the trainee, a signed-in rater, or a
  :class:`~portfolio.policy.LinkHolder` for a rater with only a link);
- ``anonymity``: the one place where anonymous answers become group summaries;
- ``queries``: what the pages, exports and the API read, all through ``anonymity``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feedback work of ``flask notifications send-due``."""
    from portfolio.feedback.due import erase_contacts, remind_waiting
    from portfolio.notifications.due import register_due

    register_due(remind_waiting)
    register_due(erase_contacts)
