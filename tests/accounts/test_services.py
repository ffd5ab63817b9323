"""Account services on the real database, without HTTP."""

from __future__ import annotations

import pytest

from course.core.db import db
from course.modules.accounts import services
from course.modules.accounts.models import User
from tests.support import factories


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.mark.usefixtures("ctx")
def test_register_stores_a_hash_and_the_consent():
    user = services.register("Learner@Example.KZ", "Нұрлан Әбенов", "a long password", "ru")
    db.session.commit()
    assert user.email == "learner@example.kz"
    assert user.password_hash.startswith("$argon2id$")
    assert "a long password" not in user.password_hash
    assert user.consent_version == services.CONSENT_VERSION
    assert user.consent_at is not None
    assert user.role == "learner"
    assert user.locale == "ru"


@pytest.mark.usefixtures("ctx")
def test_duplicate_email_differing_in_case_is_refused():
    factories.make_user(email="same@example.kz")
    db.session.commit()
    with pytest.raises(services.EmailTaken):
        services.register("SAME@example.kz", "Иван Петров", "a long password", "kk")
    db.session.rollback()
    assert services.count_users() == 1


@pytest.mark.usefixtures("ctx")
def test_authenticate():
    factories.make_user(email="a@example.kz")
    db.session.commit()
    assert services.authenticate("A@example.kz", factories.PASSWORD) is not None
    assert services.authenticate("a@example.kz", "wrong password") is None
    assert services.authenticate("nobody@example.kz", factories.PASSWORD) is None


@pytest.mark.usefixtures("ctx")
def test_reset_token_is_single_use():
    user = factories.make_user()
    db.session.commit()
    token = services.password_reset_token(user)
    assert services.user_for_reset_token(token) is user
    services.set_password(user, "another long password")
    db.session.commit()
    assert services.user_for_reset_token(token) is None
    assert services.user_for_reset_token(token[:-2] + "xx") is None


def test_reset_token_expires(make_app):
    app = make_app(PASSWORD_RESET_MAX_AGE=-1)
    with app.app_context():
        user = factories.make_user()
        db.session.commit()
        assert services.user_for_reset_token(services.password_reset_token(user)) is None


@pytest.mark.usefixtures("ctx")
def test_locked_name_cannot_be_changed():
    user = factories.make_user()
    services.change_name(user, "Жаңа Есім")
    assert user.full_name == "Жаңа Есім"
    services.lock_name(user)
    with pytest.raises(services.NameLocked):
        services.change_name(user, "Басқа Есім")
    assert user.full_name == "Жаңа Есім"


@pytest.mark.usefixtures("ctx")
def test_create_or_promote():
    user = services.create_or_promote(
        "t@example.kz", "Тренер Тренеров", "trainer", "a long password"
    )
    db.session.commit()
    assert user.role == "trainer"
    again = services.create_or_promote("T@example.kz", "", "admin", None)
    db.session.commit()
    assert again.id == user.id
    assert db.session.get(User, user.id).role == "admin"
    with pytest.raises(ValueError, match="root"):
        services.create_or_promote("t@example.kz", "", "root", None)
