"""Signals of the authoring area: what other areas hear of a trainer's work."""

from blinker import Namespace

_signals = Namespace()

edition_published = _signals.signal("edition-published")
"""A trainer published a new edition.

sender: the publisher's user id (None from a command); keyword `record`: its
EditionRecord (number, `supersedes_earlier`, `changed_modules`); keyword `course`: the
new edition's Course. Sent inside the publishing transaction, before the caller commits:
receivers add to it (mail after commit), so a publish that fails to commit tells no one.
"""
