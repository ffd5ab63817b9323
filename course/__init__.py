"""The observer course: a bilingual (Kazakh and Russian) Flask app.

create_app(test_config=None): config → extensions → core → modules → CLI → error handlers.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from course.config import PROJECT_ROOT, build_config


def create_app(test_config: dict | None = None) -> Flask:
    config = build_config(test_config)
    app = Flask(__name__, instance_path=config["INSTANCE_PATH"])
    app.config.update(config)
    # Flask-Babel resolves a relative path against the package and then silently shows
    # untranslated text, so this must be absolute.
    app.config.setdefault("TRANSLATIONS_DIR", str(PROJECT_ROOT / "translations"))

    from course import extensions
    from course.core import access, caching, errors, i18n, security, uploads
    from course.core import db as database
    from course.core.content import published

    extensions.db.init_app(app)
    database.init_app(app)
    extensions.migrate.init_app(
        app,
        extensions.db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,
    )
    uploads.init_app(app)  # before CSRF protection, which reads the body
    extensions.csrf.init_app(app)
    extensions.login_manager.init_app(app)
    extensions.init_limiter(app)
    i18n.init_app(app)
    security.init_app(app)
    caching.init_app(app)
    access.init_app(app)
    published.init_app(app)  # loads and checks the published course

    from course.modules import register_modules

    register_modules(app)
    errors.init_app(app)
    from course.cli import CourseCliRunner

    app.test_cli_runner_class = CourseCliRunner
    return app
