"""Links that leave the application: in e-mails, on pages to copy, in the console.

Every such link is built on the configured ``BASE_URL``, never on the request's ``Host``
header: a forged Host would otherwise put the attacker's site, with a valid token, into an
invitation or password-reset link.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from flask import current_app


class BaseUrlError(RuntimeError):
    """BASE_URL is not an absolute http(s) address."""


def base_url_parts() -> tuple[str, str, str]:
    """Scheme, host (with port) and path prefix of BASE_URL."""
    base = str(current_app.config.get("BASE_URL") or "")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise BaseUrlError(
            f"PORTFOLIO_BASE_URL must be the public address of the application, such as "
            f"https://portfolio.example.org, not {base!r}."
        )
    return parts.scheme, parts.netloc, parts.path.rstrip("/")


def absolute_url(endpoint: str, **values: Any) -> str:
    """The full address of ``endpoint`` on BASE_URL, with or without a request going on."""
    scheme, host, prefix = base_url_parts()
    adapter = current_app.url_map.bind(host, script_name=prefix or "/", url_scheme=scheme)
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)
    url = adapter.build(endpoint, values, force_external=True)
    if anchor:
        url += "#" + quote(str(anchor), safe="%!#$&'()*+,/:;=?@")
    return url
