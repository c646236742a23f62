"""The final notice as a printable A4 PDF letter, from the same wording and figures as the email."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from chalicelib.messages.render import Draft, draft

if TYPE_CHECKING:
    from chalicelib.messages.context import MessageContext

# Font choice: fpdf2's core Helvetica, no font file. A Lambda has no system fonts and no pip package we ship
# carries a TTF, so a DejaVu file would be one more thing to vendor. fpdf2 writes core fonts with
# WinAnsiEncoding, so encoding text as cp1252 prints umlauts, ß, „“, – and the € sign correctly;
# the rare character beyond cp1252 (e.g. "ł" in a name) is transliterated rather than failing the letter.
_ENCODING = "cp1252"
_FONT = "Helvetica"
_LEFT, _RIGHT, _TOP = 25.0, 20.0, 20.0
_WIDTH = 210.0 - _LEFT - _RIGHT
_LINE = 4.5
_INFO_X = 120.0  # the information block right of the address field
# Letters NFKD cannot split into base letter plus accent; common in Polish, Croatian and Turkish names.
_UNDECOMPOSABLE = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h", "Ħ": "H"})
_MUTED = (90, 90, 90)
_BLACK = (0, 0, 0)


class _LetterPdf(FPDF):
    """An FPDF whose text always fits its core font, with the creditor's imprint on every page."""

    def __init__(self, imprint: str, page_label: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = _ENCODING
        self.imprint = imprint
        self.page_label = page_label

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(_printable(text))

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(_FONT, size=7.5)
        self.set_text_color(*_MUTED)
        self.cell(_WIDTH * 0.8, 4, self.imprint)
        self.cell(_WIDTH * 0.2, 4, f"{self.page_label} {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(*_BLACK)


def render_letter_pdf(ctx: MessageContext) -> bytes:
    """The letter a debtor may show a lawyer or an agency later: every charge on its own line, with its reason."""
    d = draft(ctx)
    pdf = _LetterPdf(
        imprint=f"{ctx.creditor_name} · {d.values['creditor_address_line']} · {ctx.creditor_email}",
        page_label=d.labels["page"],
    )
    # Fixed from the letter's own date, so the same claim on the same day gives the same bytes.
    pdf.set_creation_date(datetime.combine(ctx.today, time(), tzinfo=UTC))
    pdf.set_title(d.texts["subject"])
    pdf.set_author(ctx.creditor_name)
    pdf.set_lang(d.language)
    pdf.set_margins(_LEFT, _TOP, _RIGHT)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    _letterhead(pdf, ctx, d)
    _heading(pdf, d)
    for part in ("salutation", "opening", "partial", "breakdown_intro"):
        _paragraph(pdf, d.texts[part])
    _charges(pdf, d)
    _payment(pdf, ctx, d)
    for part in ("consequence", "dialogue", "overlap"):
        _paragraph(pdf, d.texts[part])
    if pdf.will_page_break(2 * _LINE):
        pdf.add_page()  # a greeting alone on the next page, parted from its signature, looks like a mistake
    _paragraph(pdf, f"{d.texts['closing']}\n{ctx.creditor_name}")
    return bytes(pdf.output())


def _letterhead(pdf: FPDF, ctx: MessageContext, d: Draft) -> None:
    """DIN 5008 form B: the address field starts 45 mm from the top, with the sender line in its first row."""
    pdf.set_font(_FONT, "B", 12)
    pdf.set_xy(_LEFT, _TOP)
    pdf.cell(_WIDTH, 6, ctx.creditor_name, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, size=9)
    for line in [*ctx.creditor_address.splitlines(), ctx.creditor_email]:
        pdf.cell(_WIDTH, 4.5, line.strip(), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_xy(_LEFT, 47)
    pdf.set_font(_FONT, "U", 7)
    pdf.set_text_color(*_MUTED)
    pdf.cell(85, 4, f"{ctx.creditor_name} · {d.values['creditor_address_line']}")
    pdf.set_text_color(*_BLACK)
    pdf.set_xy(_LEFT, 55)
    pdf.set_font(_FONT, size=11)
    pdf.multi_cell(85, _LINE, ctx.debtor_name)
    details = (
        (d.labels["date"], d.values["today"]),
        (d.labels["invoice"], ctx.external_id),
        (d.labels["reference"], d.values["reference"]),
        (d.labels["deadline"], d.values["deadline"]),
    )
    pdf.set_font(_FONT, size=9)
    for row, (label, value) in enumerate(details):
        pdf.set_xy(_INFO_X, 55 + row * 5)
        pdf.cell(28, 5, f"{label}:")
        pdf.cell(_LEFT + _WIDTH - _INFO_X - 28, 5, value, align="R")
    pdf.set_xy(_LEFT, 90)


def _heading(pdf: FPDF, d: Draft) -> None:
    pdf.set_font(_FONT, "B", 15)
    pdf.cell(_WIDTH, 8, d.texts["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "B", 10)
    invoice = f"{d.labels['invoice']} {d.values['external_id']}"
    description = d.values["description"]
    pdf.multi_cell(_WIDTH, _LINE, f"{invoice} – {description}" if description else invoice, align="L")
    pdf.ln(3)


def _paragraph(pdf: FPDF, text: str) -> None:
    if not text:
        return
    pdf.set_font(_FONT, size=9.5)
    pdf.multi_cell(_WIDTH, _LINE, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _charges(pdf: FPDF, d: Draft) -> None:
    pdf.set_font(_FONT, size=9.5)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(
        col_widths=(_WIDTH - 28, 28),
        width=_WIDTH,
        align="LEFT",
        text_align=("LEFT", "RIGHT"),
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        line_height=4.5,
        padding=1,
    ) as table:
        header = table.row()
        header.cell(d.labels["position"])
        header.cell(d.labels["amount"])
        for line in d.rows:
            row = table.row(style=bold if line.total else None)
            row.cell(line.label)
            row.cell(line.amount)
    pdf.ln(3)


def _payment(pdf: FPDF, ctx: MessageContext, d: Draft) -> None:
    _paragraph(pdf, d.texts["pay_online"])
    pdf.set_font(_FONT, size=9.5)
    pdf.set_text_color(29, 78, 216)
    pdf.multi_cell(_WIDTH, _LINE, ctx.pay_url, link=ctx.pay_url, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_BLACK)
    pdf.ln(2.5)
    _paragraph(pdf, d.texts["transfer"])
    pdf.set_font(_FONT, "B", 11)
    pdf.cell(_WIDTH, 6, f"{d.labels['reference']}: {d.values['reference']}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _printable(text: str) -> str:
    try:
        text.encode(_ENCODING)
    except UnicodeEncodeError:
        return "".join(_transliterate(char) for char in text.translate(_UNDECOMPOSABLE))
    return text


def _transliterate(char: str) -> str:
    try:
        return char.encode(_ENCODING).decode(_ENCODING)
    except UnicodeEncodeError:
        decomposed = unicodedata.normalize("NFKD", char)
        kept = decomposed.encode(_ENCODING, errors="ignore").decode(_ENCODING)
        return kept or "?"
