"""The certificate as a one-page A4 landscape PDF: Kazakh and Russian, the name once, a QR.

Fonts are DejaVu Sans subsets (Latin, Cyrillic with every Kazakh letter, General
Punctuation), embedded and subset again by fpdf2 with a ToUnicode map, so `pdftotext`
reads the text back. The QR is drawn as vector squares. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import segno
from fpdf import FPDF

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
PAGE_W, PAGE_H = 297, 210
QR_MODULE_MM = 0.6  # at least 0.5 mm a module, so phones read it from paper


@dataclass(frozen=True)
class Side:
    """The text of one language half of the certificate."""

    heading: str
    awarded: str
    course: str
    edition: str
    completed: str
    issuer: str
    verify: str


@dataclass(frozen=True)
class CertificateSheet:
    name: str
    code: str  # as displayed, XXXX-XXXX-XXXX-C
    qr_text: str
    kk: Side
    ru: Side
    code_label: str  # bilingual, e.g. "Код / Код"


def qr_matrix(text: str):
    qr = segno.make(text, error="q", boost_error=False)
    return qr, [list(row) for row in qr.matrix]


def _draw_qr(pdf: FPDF, text: str, x: float, y: float) -> float:
    _qr, matrix = qr_matrix(text)
    size = len(matrix)
    step = QR_MODULE_MM
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < size:
            if row[c]:
                start = c
                while c < size and row[c]:
                    c += 1
                pdf.rect(x + start * step, y + r * step, (c - start) * step, step, style="F")
            else:
                c += 1
    return size * step


def render(sheet: CertificateSheet) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{sheet.kk.heading} / {sheet.ru.heading}")
    pdf.set_creator("observer-course")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans-subset.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold-subset.ttf"))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()

    pdf.set_draw_color(11, 92, 173)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, PAGE_W - 22, PAGE_H - 22)

    def centred(
        text: str, y: float, size: float, style: str = "", width: float = 200, x: float = 18
    ):
        pdf.set_font("DejaVu", style, size)
        pdf.set_xy(x, y)
        pdf.multi_cell(width, size * 0.5, text, align="C")

    # Headings, then the holder's name once, for both languages.
    centred(sheet.kk.heading, 20, 17, "B")
    centred(sheet.ru.heading, 29, 17, "B")
    centred(f"{sheet.kk.awarded} / {sheet.ru.awarded}", 42, 11)
    centred(sheet.name, 52, 24, "B")

    pdf.set_draw_color(200, 205, 212)
    pdf.line(30, 70, 206, 70)

    y = 76
    for side, lang_y in ((sheet.kk, 0), (sheet.ru, 34)):
        centred(side.course, y + lang_y, 12, "B")
        centred(side.edition, y + lang_y + 13, 10)
        centred(side.completed, y + lang_y + 19, 10)
        centred(side.issuer, y + lang_y + 25, 9)

    # The QR and the code, on the right.
    qr_x, qr_y = 222, 34
    side = _draw_qr(pdf, sheet.qr_text, qr_x, qr_y)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_xy(qr_x - 6, qr_y + side + 3)
    pdf.multi_cell(side + 12, 4.5, sheet.code_label, align="C")
    pdf.set_font("DejaVu", "B", 13)
    pdf.set_xy(qr_x - 10, qr_y + side + 8)
    pdf.multi_cell(side + 20, 6, sheet.code, align="C")

    # How to verify, in both languages.
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_xy(18, 156)
    pdf.multi_cell(PAGE_W - 36, 4.5, sheet.kk.verify, align="C")
    pdf.set_xy(18, 166)
    pdf.multi_cell(PAGE_W - 36, 4.5, sheet.ru.verify, align="C")
    return bytes(pdf.output())
