"""Error pages in the page's language (JSON under /api/ and /healthz), never a stack trace."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
)

from course.core.db import db, is_lock_timeout
from course.core.i18n import _

RETRY_AFTER_SECONDS = 5
# When even the error page cannot be made (it needed the database): both languages.
PLAIN = {
    500: "500 · Қате орын алды, қайталап көріңіз. · Произошла ошибка, попробуйте ещё раз.\n",
    503: (
        "503 · Қызмет уақытша қолжетімсіз, бірнеше секундтан кейін қайталаңыз. · "
        "Сервис временно недоступен, повторите через несколько секунд.\n"
    ),
}


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please try again.")),
        401: (_("Sign-in required"), _("Please sign in to continue.")),
        403: (_("Access denied"), _("You do not have access to this page.")),
        404: (_("Page not found"), _("There is no page at this address.")),
        405: (_("Method not allowed"), _("This address does not accept that kind of request.")),
        409: (
            _("Not possible here"),
            _("This cannot be done here now. Please reload the page and try again."),
        ),
        413: (_("Request too large"), _("What you sent is too large. Please send less.")),
        429: (_("Too many requests"), _("Too many requests. Please wait and try again.")),
        500: (_("Something went wrong"), _("An error occurred on our side. Please try again.")),
        503: (
            _("Service busy"),
            _("The service is busy or unavailable. Please try again in a few seconds."),
        ),
    }


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz"))


def error_response(status: int, message: str | None = None, code: str | None = None):
    title, default_message = _messages().get(status, _messages()[500])
    message = message or default_message
    if _wants_json():
        body = {"error": {"status": status, "code": code or str(status), "message": message}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def page_without_database(status: int):
    """The error page while the database does not answer. It is made for a visitor who is
    not signed in: the signed-in user was expired by the rollback, and loading them again
    needs the database. Should the page still need it, a short answer in both languages."""
    g._login_user = current_app.login_manager.anonymous_user()
    try:
        return error_response(status)
    except SQLAlchemyError:
        db.session.rollback()
        return current_app.response_class(
            PLAIN[status], status=status, mimetype="text/plain; charset=utf-8"
        )


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_bytes():
        # No form field of ours takes a NUL, and PostgreSQL cannot store one: refuse it
        # here with a 400 rather than fail later with a 500.
        for values in (request.args, request.form):
            if any("\x00" in value for value in values.values()):
                return error_response(400)
        return None

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(
            400,
            _("The form has expired or did not come from this site. Please fill it in again."),
            "csrf",
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # The Host is not ours (TRUSTED_HOSTS): no URL can be built for this request, so
        # no page template either; a short answer in both languages.
        body = (
            "400 · Сұрау бұл сайтқа арналмаған (Host). · Запрос адресован не этому сайту (Host).\n"
        )
        return app.response_class(body, status=400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, InternalServerError):
            return internal_error(error)
        status = error.code or 500
        response = app.make_response(error_response(status))
        if isinstance(error, ServiceUnavailable) or status == 429:
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_error(error: SQLAlchemyError):
        # PoolTimeout: every connection of this worker's pool is stuck on a database that
        # does not answer; to the visitor that is the same "try again in a few seconds".
        db.session.rollback()
        if isinstance(error, OperationalError) and is_lock_timeout(error):
            app.logger.warning("database busy: %s", error)
        else:
            app.logger.exception("database unavailable")
        response = app.make_response(page_without_database(503))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def internal_error(error):
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            # A lost connection reported as another DBAPI error (psycopg's InterfaceError).
            return database_error(error)
        app.logger.exception(
            "unhandled error", exc_info=getattr(error, "original_exception", error)
        )
        db.session.rollback()
        try:
            return error_response(500)
        except SQLAlchemyError:
            return page_without_database(500)
