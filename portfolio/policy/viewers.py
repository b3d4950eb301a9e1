"""Who is asking: a signed-in person, an anonymous visitor, or someone holding a link."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from portfolio.accounts.models import User


class LinkPurpose(enum.StrEnum):
    """What a link without an account was made for: one value per feature that hands out links."""

    #: Peer feedback: a rater without an account answers one feedback request
    #: (:func:`portfolio.policy.can_answer_feedback`).
    FEEDBACK_RESPONSE = "feedback-response"


@dataclass(frozen=True)
class LinkHolder:
    """Someone holding an unguessable, single-purpose link, with no account.

    The link was looked up by its token's hash; what it grants is carried here: one
    ``purpose`` on one object (``target_id``). Every policy function refuses a link holder
    everything except what a feature explicitly grants for its own purpose.
    """

    link_id: int
    purpose: LinkPurpose
    target_id: int

    # Flask-Login's vocabulary, so a link holder reads like an anonymous visitor to code and
    # templates that only ask whether someone signed in.
    is_authenticated = False
    is_anonymous = True
    is_active = False

    def grants(self, purpose: LinkPurpose, target_id: int) -> bool:
        """The link was made for ``purpose`` on the object ``target_id``."""
        return self.purpose == purpose and self.target_id == target_id


class Anonymous(Protocol):
    """A visitor who has not signed in: Flask-Login's ``AnonymousUserMixin`` (``current_user``
    before sign-in) answers ``is_authenticated`` with False."""

    @property
    def is_authenticated(self) -> bool:
        """False: nobody signed in."""
        ...


#: Whoever a policy function is asked about. ``current_user`` is a :class:`User` once signed
#: in and Flask-Login's anonymous user before; a :class:`LinkHolder` comes from a link.
Viewer: TypeAlias = User | LinkHolder | Anonymous


def signed_in(viewer: Viewer | None) -> User | None:
    """The account behind ``viewer``, or None for anonymous visitors and link holders."""
    if isinstance(viewer, User) and viewer.is_authenticated:
        return viewer
    return None


#: No account has this id: list queries for someone without an account select nothing.
NOBODY = -1


def user_id(viewer: Viewer | None) -> int:
    """The account id behind ``viewer``, or :data:`NOBODY`."""
    user = signed_in(viewer)
    return user.id if user is not None else NOBODY
