"""The observer's packet as one PDF: the organisation's referral letter to the precinct
election commission, in Kazakh and then in Russian (with the accreditation, the
certificate's code and the checklist of what to carry), followed by the training
certificate itself (its QR and code), the accreditation decision, the Charter extract and
the document on the head's powers, as uploaded. No Flask: the texts come in translated.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF, XPos, YPos
from pypdf import PdfReader, PdfWriter

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"


@dataclass(frozen=True)
class Letter:
    """One language's page: a heading, the addressee, the body, labelled facts, the
    checklist and the signature line, all translated already."""

    heading: str
    addressee: str
    body: str
    facts: list[tuple[str, str]]
    checklist_heading: str
    checklist: list[str]
    signature: str


def render_letters(letters: list[Letter], title: str) -> bytes:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("observer-course")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans-subset.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold-subset.ttf"))
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, 18)
    width = 170

    def write(text: str, size: float, style: str = "", height: float = 5.5, align="L"):
        # Each block starts at the left margin, below the one before.
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(width, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    for letter in letters:
        pdf.add_page()
        write(letter.addressee, 10, align="R", height=5)
        pdf.ln(6)
        write(letter.heading, 14, "B", height=7, align="C")
        pdf.ln(4)
        write(letter.body, 11, height=6)
        pdf.ln(3)
        for label, value in letter.facts:
            write(label, 10, "B")
            write(value or "—", 10)
        pdf.ln(4)
        write(letter.checklist_heading, 11, "B", height=6)
        for item in letter.checklist:
            write(f"[  ] {item}", 10)
        pdf.ln(10)
        write(letter.signature, 10)
    return bytes(pdf.output())


def assemble(parts: list[bytes]) -> bytes:
    """The parts one after the other, as one PDF (each was checked when it was stored)."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
