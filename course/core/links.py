"""Absolute links for e-mails, QR codes and credentials: always from COURSE_BASE_URL.

A link built from the request's Host header would let anyone who can send a request
choose where a password-reset or invitation link points (a forged `Host` once made the
reset mail a working link to an attacker's site). So every absolute URL the app hands
out, in a request or outside one, comes from here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def base_url() -> str:
    """The public address, without a trailing slash."""
    return current_app.config["COURSE_BASE_URL"]


def absolute_url(endpoint: str, **values) -> str:
    """`url_for(endpoint, **values)` on the public address, whatever Host the request had."""
    app = current_app._get_current_object()
    parts = urlsplit(base_url())
    adapter = app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    values = dict(values)
    app.inject_url_defaults(endpoint, values)  # the page's language, as url_for would add
    # The path (with the base URL's own path in front) on the base URL's scheme and host.
    return f"{parts.scheme or 'https'}://{parts.netloc}{adapter.build(endpoint, values)}"


def local_path(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None: an open redirect helps phishing."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None  # browsers read "/\evil" as "//evil"
    return target


def same_site_referrer(referrer: str | None, host: str) -> str | None:
    """The path of a Referer that is one of our own pages (same host), else None."""
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return local_path(path)
