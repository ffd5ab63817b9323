"""What the access log may show of a request: paths with their secrets taken out. No Flask.

Some paths carry a secret or say who was checked: a certificate's signed QR payload or
code, a password-reset or registration-confirmation secret, an invitation secret. Anyone
who reads the log (an operator, a log shipper) must not be able to use them, so that
part of the path becomes `[redacted]`, and query strings that name a code, an IIN or a
token are dropped.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

REDACTED = "[redacted]"
_SECRET_SEGMENTS = [
    re.compile(pattern)
    for pattern in (
        r"^(/V1/)[^/?]+",
        r"^(/(?:kk|ru)/verify/)[^/?]+",
        r"^(/(?:kk|ru)/admin/certificates/)[^/?]+",
        r"^(/api/v1/certificates/)(?!verify(?:$|[/?]))[^/?]+",
        r"^(/(?:kk|ru)/password/reset/)[^/?]+",
        r"^(/(?:kk|ru)/register/confirm/)[^/?]+",
        r"^(/(?:kk|ru)/organisation/invitations/)[^/?]+",
    )
]
_SECRET_QUERY_KEYS = frozenset({"code", "iin", "token", "secret"})


def redact_path(path: str) -> str:
    for pattern in _SECRET_SEGMENTS:
        path, count = pattern.subn(lambda m: m.group(1) + REDACTED, path)
        if count:
            break
    return path


def redact_query(query: str) -> str:
    """Dropped when it names a code, an IIN or a token; a path inside it (the sign-in
    page's `next`, which may be an invitation link) is redacted like any path."""
    pairs = parse_qsl(query, keep_blank_values=True)
    if {key.lower() for key, _value in pairs} & _SECRET_QUERY_KEYS:
        return ""
    redacted = [(key, redact_path(value)) for key, value in pairs]
    if redacted == pairs:
        return query
    return urlencode(redacted, safe="/[]")


def redact_url(url: str) -> str:
    """A full URL (a Referer) with the same parts taken out."""
    parts = urlsplit(url)
    path = redact_path(parts.path)
    query = redact_query(parts.query)
    if path == parts.path and query == parts.query:
        return url
    prefix = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return prefix + path + (f"?{query}" if query else "")


def redact_environ(environ: dict) -> dict:
    """The WSGI environ as the access log should see it."""
    path = redact_path(environ.get("PATH_INFO", ""))
    query = redact_query(environ.get("QUERY_STRING", ""))
    referer = environ.get("HTTP_REFERER")
    changed = {
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "RAW_URI": path + (f"?{query}" if query else ""),
    }
    if referer:
        changed["HTTP_REFERER"] = redact_url(referer)
    return {**environ, **changed}
