"""Unguessable tokens for links: only their hash is ever stored."""

from __future__ import annotations

import hashlib
import secrets


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256, so a database leak opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh random token and its hash."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def new_prefixed_token(prefix: str) -> tuple[str, str]:
    """A fresh random token that starts with ``prefix`` (so people and secret scanners can
    tell what it is), and the hash of the whole token."""
    token = prefix + secrets.token_urlsafe(32)
    return token, hash_token(token)
