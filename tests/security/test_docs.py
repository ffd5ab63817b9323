"""docs/security.md cites tests as evidence: every test it names must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_the_security_document_names_exists():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    defined = {
        match
        for path in (ROOT / "tests").rglob("test_*.py")
        for match in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
    }
    files = {str(p.relative_to(ROOT / "tests")) for p in (ROOT / "tests").rglob("test_*.py")}
    named = set(re.findall(r"::(test_\w+)", text))
    assert named, "the document names no test"
    assert not named - defined, f"named but not defined: {sorted(named - defined)}"
    cited_files = set(re.findall(r"`((?:\w+/)+test_\w+\.py)", text))
    assert not cited_files - files, f"no such test file: {sorted(cited_files - files)}"
