"""A new certificate's place in the status list: one lookup of a random place (not a read
of every place in use), the unique constraint as the guarantee, retries on a collision."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from course.core.db import db
from course.modules.certificates import codes, services, statuslist
from course.modules.certificates.models import Certificate
from course.modules.certificates.services import issuing
from tests.support.certificates import complete_course
from tests.support.queries import counting_queries


class Draws:
    """A stand-in for the random source: these places first, then the real thing."""

    def __init__(self, *first: int):
        self.first = list(first)
        self.real = issuing.secrets.SystemRandom()

    def randrange(self, n: int) -> int:
        return self.first.pop(0) if self.first else self.real.randrange(n)

    def choice(self, seq):
        return self.real.choice(seq)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def test_a_free_place_costs_one_lookup_and_a_taken_one_is_drawn_again(ctx):
    taken = services.current_certificate(complete_course()).status_index
    free = (taken + 1) % statuslist.LIST_SIZE
    with counting_queries(ctx) as seen:
        assert issuing.free_status_index(Draws(free)) == free
    assert seen.count == 1, seen
    assert "WHERE certificates.status_index" in seen[0]  # never every place in use
    with counting_queries(ctx) as seen:
        assert issuing.free_status_index(Draws(taken, taken, free)) == free
    assert seen.count == 3


def test_when_random_draws_keep_missing_a_free_place_is_still_found(ctx, monkeypatch):
    taken = services.current_certificate(complete_course()).status_index
    monkeypatch.setattr(issuing, "STATUS_INDEX_TRIES", 2)
    found = issuing.free_status_index(Draws(taken, taken, taken))
    assert found != taken
    assert 0 <= found < statuslist.LIST_SIZE


def test_a_full_status_list_refuses_to_issue(ctx, monkeypatch):
    complete_course()
    db.session.execute(update(Certificate).values(status_index=0))
    monkeypatch.setattr(statuslist, "LIST_SIZE", 1)
    with pytest.raises(issuing.StatusListFull):
        issuing.free_status_index()


def test_the_database_refuses_two_certificates_in_one_place(ctx):
    first = services.current_certificate(complete_course())
    second = services.current_certificate(complete_course())
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            update(Certificate)
            .where(Certificate.id == second.id)
            .values(status_index=first.status_index)
        )


def test_a_collision_of_code_and_place_is_issued_again_with_new_ones(ctx, monkeypatch):
    existing = services.current_certificate(complete_course())
    made = iter([existing.code])
    real_new_code = codes.new_code
    monkeypatch.setattr(codes, "new_code", lambda: next(made, None) or real_new_code())
    # The first draw takes the existing certificate's place too: only the database's unique
    # constraints see the collision, and the issue is made again with a new code and place.
    monkeypatch.setattr(issuing, "_index_taken", lambda index: False)
    draws = Draws(existing.status_index)
    monkeypatch.setattr(issuing.secrets, "SystemRandom", lambda: draws)
    user_id = complete_course()
    issued = services.current_certificate(user_id)
    assert issued is not None
    assert issued.code != existing.code
    assert issued.status_index != existing.status_index
    codes_now = db.session.scalars(select(Certificate.code)).all()
    assert len(codes_now) == len(set(codes_now)) == 2
