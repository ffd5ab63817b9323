"""Real PDF files for upload tests, made by fpdf2 as a scanner's software would save one."""

from __future__ import annotations

from datetime import UTC, datetime

from fpdf import FPDF


def real_pdf(text: str = "Decision 12", pages: int = 1) -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(datetime(2026, 7, 15, tzinfo=UTC))  # the same bytes every time
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica")
        pdf.cell(text=text)
    return bytes(pdf.output())
