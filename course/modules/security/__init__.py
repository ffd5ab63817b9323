"""The security event log: who signed in, failed to, reset a password, changed a role,
approved an organisation, made or revoked a token, published, revoked a certificate,
rotated or withdrew a key, or tripped an identity-check lock.

Every area records through `services.record`; only admins read it (filtered on a page,
or as CSV). The app never changes or deletes an event (a flush that tries is refused).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.security import services, views

    services.guard_append_only()
    app.register_blueprint(views.bp)
