"""Signals of the certificates area."""

from blinker import Namespace

_signals = Namespace()

certificate_issued = _signals.signal("certificate-issued")
"""A certificate was issued. sender: the learner's user id; keyword `certificate`."""
