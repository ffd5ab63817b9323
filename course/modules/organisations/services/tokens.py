"""API tokens: made once (only their hash kept), listed, revoked, and resolved to their
organisation."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select

from course.core.db import db, utcnow
from course.modules.organisations.models import (
    APPROVED,
    ApiToken,
    Organisation,
)
from course.modules.organisations.services.common import Refused, get, secret_hash
from course.modules.security import services as security

TOKEN_PREFIX = "oc_"  # noqa: S105 - a marker that makes leaked tokens easy to search for, not a secret


def create_token(organisation: Organisation, name: str, user_id: int) -> str:
    """The token, to show once; only its hash is kept."""
    name = name.strip()[:100]
    if not name:
        raise Refused("token_name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(
            organisation_id=organisation.id,
            name=name,
            prefix=secret[:10],
            token_hash=secret_hash(secret),
            created_by_id=user_id,
        )
    )
    security.record(
        "token_created",
        actor_id=user_id,
        subject=f"organisation:{organisation.id}",
        detail=f"{secret[:10]}… {name}",
    )
    db.session.flush()
    return secret


def tokens(organisation: Organisation) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.organisation_id == organisation.id)
            .order_by(ApiToken.id)
        )
    )


def revoke_token(organisation: Organisation, token_id: int, user_id: int | None = None) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.organisation_id != organisation.id:
        raise Refused("token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        security.record(
            "token_revoked",
            actor_id=user_id,
            subject=f"organisation:{organisation.id}",
            detail=f"{token.prefix}… {token.name}",
        )


def token_owner(secret: str, now: datetime | None = None) -> tuple[Organisation, ApiToken] | None:
    """The approved organisation a live token belongs to; records when it was last used."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == secret_hash(secret or ""))
    )
    if token is None or token.revoked_at is not None:
        return None
    organisation = get(token.organisation_id)
    if organisation is None or organisation.status != APPROVED:
        return None
    token.last_used_at = now or utcnow()
    return organisation, token


def token_key(secret: str) -> str:
    """What rate limits count per token, without keeping the token itself."""
    return "token:" + secret_hash(secret or "")[:16]
