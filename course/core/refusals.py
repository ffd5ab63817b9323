"""The one shape of a refused input or action: an exception carrying a `reason` code,
which the view turns into a message in the page's language. Each area names its own."""

from __future__ import annotations


class Refusal(Exception):
    """Refused; `reason` says why, as a short code the area's views translate."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)
