"""JSON-LD for our credentials: the shipped contexts and RDF Dataset Canonicalization
(RDFC-1.0) through PyLD, for the `eddsa-rdfc-2022` proof. No Flask here.

Contexts are never fetched: a document naming any context we do not ship cannot be
canonicalised (ContextNotShipped), so neither signing nor our own verification reaches the
network. `extra` lets a caller (the tests, with the W3C vectors' example context) add one.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pyld import jsonld

FOLDER = Path(__file__).with_name("contexts")
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
SHIPPED = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OPEN_BADGES_V3: "ob-v3p0-context-3.0.3.json",
}


class ContextNotShipped(ValueError):
    """The document names a context that is not shipped with the app."""


@cache
def shipped(url: str) -> dict:
    name = SHIPPED.get(url)
    if name is None:
        raise ContextNotShipped(url)
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


def _loader(extra: dict[str, dict]):
    def load(url: str, options=None) -> dict:
        document = extra[url] if url in extra else shipped(url)
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def canonical_nquads(document: dict, extra: dict[str, dict] | None = None) -> str:
    """The document's RDFC-1.0 canonical N-Quads."""
    try:
        return jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": _loader(extra or {}),
            },
        )
    except jsonld.JsonLdError as e:
        # PyLD wraps the loader's refusal; say which context was missing when it was that.
        cause = e
        while cause is not None:
            if isinstance(cause, ContextNotShipped):
                raise cause from e
            cause = getattr(cause, "cause", None) or cause.__cause__
        raise ValueError(f"not JSON-LD we can canonicalise: {e}") from e
