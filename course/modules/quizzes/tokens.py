"""Opaque option values: what the browser sends instead of option ids. No Flask.

Each value is an HMAC of the attempt, the question and the option under the app's
secret, so it differs in every attempt: "the answer is B" or a value copied from a
friend's page means nothing in another attempt, and the page reveals no option id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

TOKEN_LENGTH = 12


def option_token(secret: str, attempt_public_id: str, question_id: str, option_id: str) -> str:
    message = f"{attempt_public_id}\x1f{question_id}\x1f{option_id}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:TOKEN_LENGTH]
