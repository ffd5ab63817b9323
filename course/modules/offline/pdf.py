"""The pocket reference as an A6 booklet PDF, one per language. No Flask here.

fpdf2 with the same pre-subset DejaVu fonts as the certificates (every Kazakh letter,
Cyrillic, Latin and general punctuation), so the text is embedded and searchable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"


@dataclass(frozen=True)
class Booklet:
    lang: str
    course_title: str
    title: str
    edition_line: str  # "Edition 2 · the law as of 10 January 2021 · last reviewed …"
    sections: list[tuple[str, list[str]]]  # (heading, paragraphs and "- " bullets)
    footer: str  # "Training material, not legal advice …"
    page_line: str = ""  # each page's footer ("Edition 2 · the law as of …"); else edition_line


class _Pages(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-9)
        self.set_font("DejaVu", size=6)
        self.set_text_color(90, 99, 110)
        self.cell(0, 4, f"{self.footer_text} · {self.page_no()}", align="C")


def render(booklet: Booklet) -> bytes:
    pdf = _Pages(format=(105, 148), unit="mm")  # A6
    pdf.footer_text = booklet.page_line or booklet.edition_line
    pdf.set_margins(8, 8, 8)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans-subset.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold-subset.ttf"))
    pdf.set_title(booklet.title)
    pdf.set_lang(booklet.lang)
    pdf.add_page()
    pdf.set_text_color(27, 31, 36)
    pdf.set_font("DejaVu", size=7)
    pdf.multi_cell(0, 3.5, booklet.course_title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 6, booklet.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=7)
    pdf.multi_cell(0, 3.5, booklet.edition_line, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for heading, blocks in booklet.sections:
        if pdf.get_y() > pdf.h - 30:
            pdf.add_page()
        pdf.ln(1.5)
        pdf.set_font("DejaVu", "B", 8.5)
        pdf.multi_cell(0, 4.2, heading, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.5)
        pdf.set_font("DejaVu", size=7.5)
        for block in blocks:
            if block.startswith("- "):
                pdf.set_x(pdf.l_margin)
                pdf.cell(3, 3.6, "•")
                pdf.multi_cell(
                    0, 3.6, block[2:], markdown=True, align="L", new_x="LMARGIN", new_y="NEXT"
                )
            else:
                pdf.multi_cell(
                    0, 3.6, block, markdown=True, align="L", new_x="LMARGIN", new_y="NEXT"
                )
                pdf.ln(0.8)
    pdf.ln(2)
    pdf.set_font("DejaVu", size=6.5)
    pdf.set_text_color(90, 99, 110)
    pdf.multi_cell(0, 3.2, booklet.footer, align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
