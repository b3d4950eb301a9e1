"""HTTP security headers for every response, and where a redirect may lead."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.wrappers import Response

# No inline scripts or styles anywhere: figures travel as JSON and static JS draws them.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only follow redirects to paths on this site.

    Browsers read a backslash as a slash (``/\\evil.example`` goes to evil.example) and
    drop tabs and newlines, so targets with either are refused before the generic check.
    """
    if not target or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def set_security_headers(response: Response) -> Response:
    """Add the headers that every page carries."""
    headers = response.headers
    csp = headers.get("Content-Security-Policy")
    if csp is None:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    elif "frame-ancestors" not in csp:
        # A view's own, stricter policy (file downloads) still may not be framed:
        # frame-ancestors is the one directive that does not fall back to default-src.
        headers["Content-Security-Policy"] = csp.rstrip("; ") + "; frame-ancestors 'none'"
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    """Install the response hook."""
    app.after_request(set_security_headers)
