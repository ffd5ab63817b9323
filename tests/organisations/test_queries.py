"""What an organisation's pages cost the database: the roster and bulk verification make a
fixed number of queries whatever the number of observers or rows; the identity checks of
a batch count misses exactly as one check after another would."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from course.core.db import db
from course.modules.certificates import codes
from course.modules.certificates import services as certificates
from course.modules.certificates.models import IdentityCheck
from course.modules.organisations import services
from course.modules.organisations.models import VerificationLog
from course.modules.security.models import SecurityEvent
from tests.support import factories
from tests.support.certificates import complete_course
from tests.support.queries import queries_of
from tests.support.quizzes import read_lessons

IIN = "900101300017"
WRONG_IIN = "900101330009"  # well formed (its check digit holds), not the holder's


@pytest.fixture
def app(make_app):
    # The check for newly published editions (one small query a second) stays out.
    return make_app(EDITIONS_CHECK_SECONDS=3600)


def add_observers(app, org, count: int) -> None:
    """Confirmed observers: one with a certificate, one halfway through, the rest new."""
    from course.core.content.published import current_course

    with app.app_context():
        organisation = services.get(org["id"])
        for n in range(count):
            if n == 0:
                user_id = complete_course()
            else:
                user_id = factories.make_user().id
                if n == 1:
                    read_lessons(user_id, current_course(), "alpha")
            link = services.request_link(user_id, organisation.id)
            services.decide_link(organisation, link.id, True)
        db.session.commit()


def test_the_roster_costs_the_same_for_two_observers_or_six(app, org):
    counts = {}
    for more in (2, 4):
        add_observers(app, org, more)
        for path in ("/kk/organisation/", "/kk/organisation/roster.csv"):
            response, seen = queries_of(app, org["client"], path)
            assert response.status_code == 200
            counts.setdefault(path, []).append(seen.count)
    # people, lessons and certificates: one query each, not one per observer
    assert counts["/kk/organisation/"][0] == counts["/kk/organisation/"][1] <= 10, counts
    assert counts["/kk/organisation/roster.csv"][0] == counts["/kk/organisation/roster.csv"][1]
    assert counts["/kk/organisation/roster.csv"][0] <= 6
    rows = list(
        csv.reader(
            io.StringIO(org["client"].get("/kk/organisation/roster.csv").get_data(as_text=True)[1:])
        )
    )
    assert len(rows) == 1 + 6
    # each round added a holder (3/3), a learner halfway (2/3) and new ones (0/3)
    assert sorted(r[2] for r in rows[1:]) == ["0/3"] * 2 + ["2/3"] * 2 + ["3/3"] * 2


@pytest.mark.parametrize("output", ["html", "csv"])
def test_bulk_verification_of_fifty_codes_is_a_few_queries_not_fifty(app, org, output):
    with app.app_context():
        holder = certificates.current_certificate(complete_course())
        certificates.set_identity(holder, IIN, private_mode=False)
        db.session.commit()
        genuine = holder.code
    rows = [f"{codes.display(genuine)},{IIN}", f"{codes.display(genuine)},{WRONG_IIN}"]
    rows += [codes.display(codes.new_code()) for _ in range(46)]
    rows += ["not-a-code", f"{codes.display(codes.new_code())},{WRONG_IIN}"]
    response, seen = queries_of(
        app,
        org["client"],
        "/kk/organisation/verify",
        "POST",
        data={"codes": "\n".join(rows), "format": output},
    )
    assert response.status_code == 200
    # the user, the staff check, the certificates, the misses (two), the checks, the log
    assert seen.count <= 8, seen
    assert len(seen.on("organisation_verifications")) == 1  # one statement for 50 rows
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(VerificationLog)) == 50
        checks = db.session.scalars(select(IdentityCheck.matched)).all()
        assert sorted(checks) == [False, True]  # the unknown code's IIN is not checked


def test_a_batch_locks_a_certificate_after_five_misses_as_checks_one_by_one_would(app, org):
    with app.app_context():
        holder = certificates.current_certificate(complete_course())
        certificates.set_identity(holder, IIN, private_mode=True)
        other = certificates.current_certificate(complete_course(full_name="Айгерім Сәкенқызы"))
        certificates.set_identity(other, IIN, private_mode=True)
        db.session.commit()
        one, two = codes.display(holder.code), codes.display(other.code)
    rows = [f"{one},{WRONG_IIN}"] * 7 + [f"{one},{IIN}", f"{two},{IIN}"]
    response = org["client"].post(
        "/kk/organisation/verify", data={"codes": "\n".join(rows), "format": "csv"}
    )
    results = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["identity"] for r in results] == ["no_match"] * 5 + ["locked"] * 3 + ["match"]
    # The name is shown in full only where the IIN matched (both are in private mode).
    assert results[-1]["holder"] == "Айгерім Сәкенқызы"
    assert results[0]["holder"] != "Әсел Қайратқызы Нұрланова"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IdentityCheck)) == 5 + 1
        locked = db.session.scalars(
            select(SecurityEvent).where(SecurityEvent.kind == "identity_check_locked")
        ).all()
        assert len(locked) == 1  # when the fifth miss reached the limit, once
        assert locked[0].detail == "requester (organisation)"
