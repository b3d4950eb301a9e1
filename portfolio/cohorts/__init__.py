"""Organisations, governance groups, cohorts, memberships and invitations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "trainee": _l("trainee"),
    "trainer": _l("trainer"),
    "governance": _l("governance group"),
}


def role_label(role: object) -> str:
    """The role's name in the interface language."""
    value = getattr(role, "value", role)
    return str(ROLE_LABELS.get(str(value), value))


def role_labels() -> dict[str, str]:
    """Every role's name in the interface language, translated once for a whole page."""
    return {value: str(label) for value, label in ROLE_LABELS.items()}
