"""Checking an uploaded PDF by its content, not its name: it must open as a PDF, without a
password, with at least one page, and be no larger than the limit. No Flask."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pypdfium2

from course.core.refusals import Refusal

MAX_BYTES = 5 * 1024 * 1024  # a scanned decision of a few pages at 300 dpi fits
MAX_PAGES = 50


class DocumentError(Refusal):
    """Why an upload is refused: "empty", "too_large", "not_pdf", "encrypted",
    "unreadable" or "too_many_pages"."""


@dataclass(frozen=True)
class CheckedPdf:
    data: bytes
    sha256: str
    pages: int


def check_pdf(data: bytes) -> CheckedPdf:
    if not data:
        raise DocumentError("empty")
    if len(data) > MAX_BYTES:
        raise DocumentError("too_large")
    # A PDF may have bytes before its header (PDF 32000-1, 7.5.2 lets readers look in the
    # first 1024); anything else with a .pdf name is not one.
    if b"%PDF-" not in data[:1024]:
        raise DocumentError("not_pdf")
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as e:
        raise DocumentError("encrypted" if "password" in str(e).lower() else "unreadable") from e
    try:
        pages = len(document)
        if pages == 0:
            raise DocumentError("unreadable")
        if pages > MAX_PAGES:
            raise DocumentError("too_many_pages")
        # Rendering nothing, but loading each page finds a body cut short or garbled.
        for index in range(pages):
            document[index].close()
    except pypdfium2.PdfiumError as e:
        raise DocumentError("unreadable") from e
    finally:
        document.close()
    return CheckedPdf(data, hashlib.sha256(data).hexdigest(), pages)
