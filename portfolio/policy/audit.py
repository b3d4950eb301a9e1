"""The audit log."""

from __future__ import annotations

from portfolio.policy.roles import is_admin
from portfolio.policy.viewers import Viewer


def can_read_audit_log(viewer: Viewer) -> bool:
    """The audit log is for administrators."""
    return is_admin(viewer)
