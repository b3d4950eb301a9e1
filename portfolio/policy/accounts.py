"""Accounts: listing, closing and reopening them, reset links."""

from __future__ import annotations

from portfolio.accounts.models import User
from portfolio.policy.roles import is_admin
from portfolio.policy.viewers import Viewer, user_id


def can_manage_accounts(viewer: Viewer) -> bool:
    """Listing accounts, closing and reopening them, reset links: administrators."""
    return is_admin(viewer)


def can_deactivate(viewer: Viewer, user: User) -> bool:
    """Administrators close other accounts, never their own (nobody would be left to undo it)."""
    return is_admin(viewer) and user_id(viewer) != user.id


def can_issue_reset_link(viewer: Viewer, user: User) -> bool:
    """Administrators make reset links for other open accounts (their own: change password)."""
    return is_admin(viewer) and user_id(viewer) != user.id and bool(user.active)


def can_watch_jobs(viewer: Viewer) -> bool:
    """The background work (what waits, what failed) and retrying it: administrators."""
    return is_admin(viewer)


def can_download_personal_data(viewer: Viewer, user: User) -> bool:
    """Everything the application holds about a person (GDPR access and portability): the
    person themself, while their account is open. Nobody downloads another's."""
    return user_id(viewer) is not None and user_id(viewer) == user.id and bool(user.active)
