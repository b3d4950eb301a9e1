"""The e-mail preferences form: one checkbox per kind of notification."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField

from portfolio.inputs import Form
from portfolio.notifications.mails import SPECS
from portfolio.notifications.models import NotificationKind


def field_name(kind: NotificationKind) -> str:
    """The form field of a kind: ``round_opens`` for ``round-opens``."""
    return kind.value.replace("-", "_")


class EmailPreferencesForm(Form):
    """Which notifications also come by e-mail."""

    def choices(self, kinds: list[NotificationKind]) -> dict[NotificationKind, bool]:
        """Per kind of ``kinds`` (those the page showed), whether its box is ticked."""
        return {kind: bool(self[field_name(kind)].data) for kind in kinds}

    def fields_of(self, kinds: list[NotificationKind]) -> list[Any]:
        """The checkboxes of ``kinds``, in order."""
        return [self[field_name(kind)] for kind in kinds]

    def show(self, chosen: dict[NotificationKind, bool]) -> None:
        """Tick the boxes as chosen before."""
        for kind, enabled in chosen.items():
            self[field_name(kind)].data = enabled


for _kind in NotificationKind:
    setattr(EmailPreferencesForm, field_name(_kind), BooleanField(SPECS[_kind].label))
