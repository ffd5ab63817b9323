"""HTTP-level defences every response shares: trusted hosts, proxies, security headers,
and JSON bodies that cannot crash a worker.

- Trusted hosts: a request whose `Host` is not ours gets a 400 before any view runs
  (links never come from the Host header anyway, see `course.core.links`).
- Proxies: `TRUSTED_PROXIES` (a count, default 0) applies Werkzeug's ProxyFix, so rate
  limits count the real client behind nginx; with 0, a client-sent X-Forwarded-For is
  ignored.
- Headers: a strict Content-Security-Policy (no inline script or style), nosniff,
  same-origin referrers, a Permissions-Policy that allows the camera only on the offline
  check page, and HSTS when the public address is https.
- JSON: a body nested too deep for Python's parser is "not JSON" (a 400), not a 500.
"""

from __future__ import annotations

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)
_NO_FEATURES = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
# Endpoints that may use the camera (the offline check scans QR codes with it).
CAMERA_ENDPOINTS = frozenset({"offline.check"})
HSTS = "max-age=31536000; includeSubDomains"


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body too deeply nested to parse is a ValueError.

    `request.get_json(silent=True)` only swallows ValueError; Python's parser raises
    RecursionError on `[` × 100,000, which would otherwise reach the user as a 500.
    """

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as e:
            raise ValueError("JSON nested too deeply") from e


def init_app(app: Flask) -> None:
    app.json = SafeJSONProvider(app)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    https = app.config["COURSE_BASE_URL"].startswith("https://")

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")  # for browsers without frame-ancestors
        camera = "camera=(self)" if request.endpoint in CAMERA_ENDPOINTS else "camera=()"
        headers.setdefault("Permissions-Policy", f"{camera}, {_NO_FEATURES}")
        if https:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
