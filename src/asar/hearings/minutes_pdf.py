"""The minutes of a closed hearing as an A4 PDF, in the reader's language.

`minutes_pdf(data, lang)` draws the dict of `minutes.minutes_data` (the same one the page, the JSON
API and the Markdown/CSV downloads use) with fpdf2: a title block (hearing, organizer, times in
Asia/Almaty, region, format and venue), the agenda, attendance by sector, questions and answers,
the clauses of the draft document that were discussed, poll results overall and by sector, the
moderation summary, the speakers' turns, the decisions and the follow-up commitments (in the
order of the Markdown download). Every page carries the public address of
the minutes page, the generation time and "page N of M". Tables repeat their heading row on a new
page and never split a row; long words wrap.

The text is set in DejaVu Sans (bundled in `fonts/`, a subset with Latin, Cyrillic and the Kazakh
letters); a character the font lacks prints as U+FFFD rather than as an invisible box. Optional
sections (speakers, clause citations) appear only when the data has them, and unknown keys are
ignored, so the minutes may grow without breaking the PDF.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableBordersLayout, XPos, YPos

from asar.db import utcnow
from asar.hearings.choices import (
    FORMAT_LABELS,
    MODERATION_ACTION_LABELS,
    POLL_KIND_LABELS,
    SECTOR_LABELS,
    author_label,
    label,
)
from asar.hearings.tally import SECTORS, share
from asar.i18n import format_day, format_dt, format_number, use_language
from asar.i18n import gettext as _

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
INK = (33, 37, 41)
MUTED = (84, 92, 98)
PRIMARY = (11, 85, 102)  # --primary of static/css/asar.css
TINT = (228, 241, 244)  # --primary-tint
RULE = (190, 200, 205)
MARGIN = 18.0
LINE = 5.0  # mm per line of 10 pt body text
CELL_PAD = (1.2, 1.5)  # mm above/below and left/right of a table cell's text
REPLACEMENT = "\ufffd"


@cache
def _glyphs() -> frozenset[int]:
    """Code points both bundled faces can draw."""
    regular = TTFont(FONT_DIR / "DejaVuSans.ttf").getBestCmap()
    bold = TTFont(FONT_DIR / "DejaVuSans-Bold.ttf").getBestCmap()
    return frozenset(regular) & frozenset(bold)


def clean(value: Any) -> str:
    """Text the fonts can draw: NFC, tabs as spaces, other control characters dropped, unknown
    characters as U+FFFD; line breaks kept."""
    glyphs = _glyphs()
    out = []
    for ch in unicodedata.normalize("NFC", "" if value is None else str(value)).replace("\r\n", "\n"):
        if ch == "\n":
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs"):
            continue
        elif unicodedata.category(ch) == "Zs" and ord(ch) not in glyphs:  # Babel's narrow no-break spaces
            out.append("\u00a0" if ch in "\u2007\u202f" else " ")
        else:
            out.append(ch if ord(ch) in glyphs else REPLACEMENT)
    return "".join(out)


def _dash(value: Any) -> str:
    return "–" if value in (None, "") else str(value)


def _sector(code: str | None) -> str:
    if code == "all":
        return _("All")
    return label(SECTOR_LABELS, code) if code else "–"


def _status(code: str) -> str:
    from asar.hearings.minutes import COMMITMENT_STATUS_LABELS

    return label(COMMITMENT_STATUS_LABELS, code)


def _name(value: Any) -> str:
    """A name out of a dict ({"name": …}) or a plain value."""
    if isinstance(value, dict):
        return str(value.get("name") or value.get("title") or "")
    return "" if value is None else str(value)


def _citations(item: dict[str, Any]) -> list[str]:
    """Clause numbers an item cites, from whichever key the data uses (none when absent)."""
    found: list[str] = []
    for key in ("clause", "clauses", "citations", "cites", "clause_number"):
        value = item.get(key)
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if isinstance(v, dict):
                v = v.get("number") or v.get("clause") or v.get("label") or v.get("title")
            if v not in (None, "") and str(v) not in found:
                found.append(str(v))
    return found


def _duration(seconds: Any) -> str:
    try:
        total = round(float(seconds))
    except (TypeError, ValueError):
        return "–"
    return f"{total // 60}:{total % 60:02d}"


class _Document(FPDF):
    def __init__(self, *, running_title: str, url: str, generated: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.running_title = running_title
        self.url = url
        self.generated = generated
        self.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=22)
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)
        self.set_font(FAMILY, "", 10)

    # -------------------------------------------------------- every page
    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.set_y(9)
        self.cell(0, 4, self._fit(self.running_title, self.epw), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.set_text_color(*INK)
        self.set_y(MARGIN)

    def footer(self) -> None:
        self.set_y(-16)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_y(-14.5)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*MUTED)
        page = _("Page %(page)s of %(pages)s", page=self.page_no(), pages=self.alias_nb_pages_text)
        page_w = self.get_string_width(page.replace(self.alias_nb_pages_text, "000")) + 2
        self.cell(self.epw - page_w, 4, self._fit(self.url, self.epw - page_w - 2), link=self.url
                  if self.url.startswith("http") else "")
        self.cell(page_w, 4, page, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(0, 4, clean(_("Generated on %(date)s (Almaty time)", date=self.generated)))
        self.set_text_color(*INK)

    alias_nb_pages_text = "{nb}"

    def _fit(self, text: str, width: float) -> str:
        """One line: the text, shortened with "…" when wider than `width`."""
        text = clean(text).replace("\n", " ")
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"

    # -------------------------------------------------------- building blocks
    def space(self, mm: float = 2.0) -> None:
        self.set_y(self.get_y() + mm)

    def keep(self, height: float) -> None:
        """Start a new page unless `height` mm still fit on this one (no orphaned headings)."""
        if self.will_page_break(height):
            self.add_page()

    def heading(self, text: str, *, keep: float = 12.0) -> None:
        """A section heading, moved to the next page with the first `keep` mm of what follows it."""
        self.space(4)
        self.keep(12 + keep)
        self.set_font(FAMILY, "B", 13)
        self.set_text_color(*PRIMARY)
        self.multi_cell(0, 6.5, clean(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*PRIMARY)
        self.line(self.l_margin, self.get_y() + 0.5, self.w - self.r_margin, self.get_y() + 0.5)
        self.set_draw_color(*RULE)
        self.set_text_color(*INK)
        self.space(3)

    def subheading(self, text: str) -> None:
        self.space(1.5)
        self.keep(18)
        self.set_font(FAMILY, "B", 10.5)
        self.multi_cell(0, 5.5, clean(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def para(self, text: str, *, size: float = 10, bold: bool = False, muted: bool = False,
             indent: float = 0.0) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        if muted:
            self.set_text_color(*MUTED)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, size * 0.5, clean(text), align=Align.L,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)

    def text_height(self, text: str, *, size: float = 10, bold: bool = False, indent: float = 8.0) -> float:
        self.set_font(FAMILY, "B" if bold else "", size)
        return len(self.multi_cell(self.epw - indent, size * 0.5, clean(text), dry_run=True,
                                   output="LINES")) * size * 0.5

    def numbered(self, number: Any, text: str, *, bold: bool = False) -> None:
        """A list item with a hanging number."""
        self.set_font(FAMILY, "B" if bold else "", 10)
        self.keep(LINE * 2)
        y = self.get_y()
        self.cell(8, LINE, f"{number}.")
        self.set_xy(self.l_margin + 8, y)
        self.multi_cell(self.epw - 8, LINE, clean(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def fit_headings(self, headings: Sequence[str], widths: Sequence[float], size: float) -> list[float]:
        """Column widths (in the proportions of `widths`, summing to the text width) widened where a
        word of a heading would not fit, taken from the widest column, so that no heading breaks
        inside a word in any language."""
        total = sum(widths)
        out = [w / total * self.epw for w in widths]
        self.set_font(FAMILY, "B", size)
        for j, h in enumerate(headings):
            need = max((self.get_string_width(word) for word in clean(h).split()), default=0) + 2 * CELL_PAD[1] + 0.6
            if out[j] < need:
                widest = max(range(len(out)), key=out.__getitem__)
                if widest != j:
                    out[widest] -= need - out[j]
                    out[j] = need
        return out

    def row_height(self, values: Sequence[Any], widths: Sequence[float], size: float, *, bold: bool = False) -> float:
        """The height in mm of one table row (as `table_of` draws it)."""
        self.set_font(FAMILY, "B" if bold else "", size)
        total = sum(widths)
        lines = max(len(self.multi_cell(w / total * self.epw - 2 * CELL_PAD[1], size * 0.48, clean(_dash(v)),
                                        dry_run=True, output="LINES")) for v, w in zip(values, widths, strict=False))
        return lines * size * 0.48 + 2 * CELL_PAD[0]

    def table_height(self, headings: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
                     size: float = 9, first_rows: int = 8) -> float:
        """The height of the heading row and the first rows: what must stay with a heading."""
        return (self.row_height(headings, widths, size, bold=True)
                + sum(self.row_height(r, widths, size) for r in rows[:first_rows]))

    def table_of(self, headings: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[float],
                 aligns: Sequence[str], *, title: str | None = None, bold_first: bool = False,
                 size: float = 9) -> None:
        """A ruled table (after its section heading when `title` is given) whose heading row repeats after
        a page break; a row is never split, and a short table is kept on one page."""
        rows = [list(r) for r in rows]
        widths = self.fit_headings(headings, widths, size)
        needed = min(self.table_height(headings, rows, widths, size), 90.0)
        if title is not None:
            self.heading(title, keep=needed)
        else:
            self.keep(needed)
        self.set_font(FAMILY, "", size)
        heading_style = FontFace(family=FAMILY, emphasis="BOLD", color=PRIMARY, fill_color=TINT, size_pt=size)
        first = FontFace(family=FAMILY, emphasis="BOLD", size_pt=size) if bold_first else None
        with self.table(col_widths=tuple(widths), width=self.epw, align=Align.L, text_align=tuple(aligns),
                        v_align="TOP", headings_style=heading_style,
                        borders_layout=TableBordersLayout.HORIZONTAL_LINES, line_height=size * 0.48,
                        padding=CELL_PAD, repeat_headings=1) as table:
            head = table.row()
            for h in headings:
                head.cell(clean(h))
            for values in rows:
                row = table.row()
                for j, v in enumerate(values):
                    row.cell(clean(_dash(v)), style=first if j == 0 else None)
        self.set_font(FAMILY, "", 10)
        self.space(1)

    def facts(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Label–value lines of the title block, the values wrapping beside their labels."""
        label_w = 46.0
        for name, value in pairs:
            self.set_font(FAMILY, "", 9.5)
            needed = len(self.multi_cell(self.epw - label_w, LINE, clean(value), dry_run=True,
                                         output="LINES")) * LINE
            self.keep(needed)
            y = self.get_y()
            self.set_text_color(*MUTED)
            self.multi_cell(label_w - 2, LINE, clean(name), align=Align.L)
            after_label = self.get_y()
            self.set_text_color(*INK)
            self.set_xy(self.l_margin + label_w, y)
            self.multi_cell(self.epw - label_w, LINE, clean(value), align=Align.L,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_y(max(self.get_y(), after_label) + 0.8)


# ------------------------------------------------------------------ sections
def _title_block(pdf: _Document, data: dict[str, Any]) -> None:
    h = data["hearing"]
    pdf.set_font(FAMILY, "B", 9)
    pdf.set_text_color(*PRIMARY)
    pdf.cell(0, 5, clean(_("Minutes").upper()), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "B", 18)
    pdf.multi_cell(0, 8.5, clean(h["title"]), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if h.get("topic"):
        pdf.space(0.5)
        pdf.para(h["topic"], size=11, muted=True)
    pdf.space(3)
    published = data.get("published_at")
    status = (_("Published on %(date)s", date=format_day(published)) if published
              else _("Draft: the chair may still add decisions and commitments"))
    place = label(FORMAT_LABELS, h.get("format") or "")
    if h.get("venue"):
        place = f"{place}: {h['venue']}"
    region = h.get("region")
    pairs = [
        (_("Organized by"), _name(h.get("organizer")) or "–"),
        (_("Starts (Almaty time)"), format_dt(h.get("starts_at"))),
        (_("Started"), format_dt(h.get("opened_at")) or "–"),
        (_("Ended"), format_dt(h.get("closed_at")) or "–"),
        (_("Region"), _name(region) if region else _("The whole country")),
        (_("Format"), place),
        (_("Minutes"), status),
        (_("Public page"), f"{h['url']}/minutes"),
    ]
    if "region" not in h:  # older data without the key: say nothing rather than "the whole country"
        pairs = [p for p in pairs if p[0] != _("Region")]
    pdf.facts(pairs)


def _agenda(pdf: _Document, data: dict[str, Any]) -> None:
    if not data.get("agenda"):
        pdf.heading(_("Agenda"))
        pdf.para(_("No agenda."), muted=True)
        return
    pdf.table_of(["№", _("Agenda"), _("Starts (Almaty time)"), _("Duration")],
                 ([a.get("position"), a.get("title"), format_dt(a.get("starts_at")),
                   _("%(num)s min", num=a.get("minutes"))] for a in data["agenda"]),
                 (10, 100, 40, 24), ("RIGHT", "LEFT", "LEFT", "RIGHT"), title=_("Agenda"))


def _attendance(pdf: _Document, data: dict[str, Any]) -> None:
    pdf.table_of([_("Sector"), _("Registered"), _("Took part")],
                 ([_sector(a.get("sector")), a.get("registered"), a.get("took_part")]
                  for a in data.get("attendance", [])),
                 (94, 40, 40), ("LEFT", "RIGHT", "RIGHT"), title=_("Attendance by sector"), bold_first=True)
    pdf.para(_("Took part: wrote a post, asked or upvoted a question, or voted in a poll."), size=8.5, muted=True)


def _speakers(pdf: _Document, data: dict[str, Any]) -> None:
    """The turns of the speaker queue (only when the data has the key)."""
    if "speakers" not in data:
        return
    speakers = [s for s in data["speakers"] or [] if isinstance(s, dict)]
    if not speakers:
        pdf.heading(_("Speakers"))
        pdf.para(_("Nobody took the floor."), muted=True)
        return
    rows = [[s.get("number") or n, author_label(s.get("name")), _sector(s.get("sector")), s.get("note"),
             format_dt(s.get("started_at")), _duration(s.get("seconds"))]
            for n, s in enumerate(speakers, start=1)]
    pdf.table_of(["№", _("Speaker"), _("Sector"), _("Topic"), _("Started"), _("Speaking time")], rows,
                 (9, 42, 24, 53, 26, 20), ("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"), title=_("Speakers"))


def _document(pdf: _Document, data: dict[str, Any]) -> None:
    """Which clauses of the draft document the comments and questions cited (only with a document)."""
    document = data.get("document")
    if not isinstance(document, dict):
        return
    title = _("Discussion of the document")
    if document.get("title"):
        title = f"{title}: {document['title']}"
    discussed = document.get("discussed") or []
    if not discussed:
        pdf.heading(title)
        pdf.para(_("No comment or question cited a clause of the document."), muted=True)
        return
    rows = []
    for c in discussed:
        excerpt = " ".join(str(c.get("text") or "").split())
        if len(excerpt) > 160:
            excerpt = excerpt[:159].rstrip() + "…"
        rows.append([f"{c.get('number')}\n{excerpt}" if excerpt else c.get("number"), c.get("posts", 0),
                     c.get("questions", 0)])
    pdf.table_of([_("Clause"), _("Comments"), _("Questions")], rows, (124, 25, 25), ("LEFT", "RIGHT", "RIGHT"),
                 title=title)


def _questions(pdf: _Document, data: dict[str, Any]) -> None:
    pdf.heading(_("Questions and answers"), keep=25)
    if not data.get("questions"):
        pdf.para(_("No questions were asked."), muted=True)
        return
    for n, q in enumerate(data["questions"], start=1):
        meta = [author_label(q.get("author")), _sector(q.get("sector")), _("upvotes: %(num)s", num=q.get("upvotes", 0))]
        cited = _citations(q)
        if cited:
            meta.append(_("On clause %(number)s", number=", ".join(cited)))
        answer = f"{_('Answer')}: {q['answer']}" if q.get("answer") else _("Not answered during the hearing.")
        height = (pdf.text_height(q.get("body") or "", bold=True) + pdf.text_height(" · ".join(meta), size=8.5)
                  + pdf.text_height(answer))
        pdf.keep(height if height < 90 else LINE * 4)  # a question stays with its answer when it can
        pdf.numbered(n, q.get("body") or "", bold=True)
        pdf.para(" · ".join(meta), size=8.5, muted=True, indent=8)
        pdf.para(answer, muted=not q.get("answer"), indent=8)
        pdf.space(2.5)


def _polls(pdf: _Document, data: dict[str, Any]) -> None:
    pdf.heading(_("Poll results by sector"), keep=45)
    if not data.get("polls"):
        pdf.para(_("No polls were held."), muted=True)
        return
    widths = (50, 24, *([25] * len(SECTORS)))
    headings = [_("Option"), _("All"), *(_sector(s) for s in SECTORS)]
    for p in data["polls"]:
        rows = _poll_rows(p)
        pdf.keep(16 + min(pdf.table_height(headings, rows, widths, first_rows=12), 120.0))
        pdf.subheading(f"{p.get('number')}. {p.get('question')}")
        pdf.para(f"{label(POLL_KIND_LABELS, p.get('kind') or '')} · {_('voters: %(num)s', num=p.get('voters', 0))}",
                 size=8.5, muted=True)
        pdf.space(1)
        pdf.table_of(headings, rows, widths, ("LEFT", *(["RIGHT"] * (len(SECTORS) + 1))))
        pdf.space(2)


def _poll_rows(p: dict[str, Any]) -> list[list[Any]]:
    """Option | all (share) | each sector; then the mean (scale polls) and the voters."""
    voters = p.get("voters") or 0
    rows: list[list[Any]] = []
    for o in p.get("options", []):
        by = o.get("by_sector") or {}
        rows.append([o.get("label"), f"{o.get('votes', 0)} ({share(o.get('votes', 0), voters)}%)",
                     *(by.get(s, 0) for s in SECTORS)])
    if "mean" in p:
        means = p.get("mean_by_sector") or {}
        rows.append([_("Mean"), _number(p.get("mean")), *(_number(means.get(s)) for s in SECTORS)])
    by_voters = p.get("voters_by_sector") or {}
    rows.append([_("Voters"), voters, *(by_voters.get(s, 0) for s in SECTORS)])
    return rows


def _number(value: Any) -> str:
    return "–" if value is None else format_number(value)


def _moderation(pdf: _Document, data: dict[str, Any]) -> None:
    m = data.get("moderation") or {}
    pdf.heading(_("Moderation"), keep=30)
    pdf.para(_("Moderation actions: %(num)s", num=m.get("total", 0)))
    if m.get("by_action"):
        pdf.space(1)
        pdf.table_of([_("Moderation"), _("Count")],
                     ([label(MODERATION_ACTION_LABELS, a), n] for a, n in m["by_action"].items()),
                     (134, 40), ("LEFT", "RIGHT"))
    if m.get("reasons"):
        pdf.subheading(_("Reasons"))
        pdf.table_of([_("Moderation"), _("Reasons"), _("Count")],
                     ([label(MODERATION_ACTION_LABELS, r.get("action") or ""), r.get("reason"), r.get("count")]
                      for r in m["reasons"]),
                     (40, 110, 24), ("LEFT", "LEFT", "RIGHT"))


def _decisions(pdf: _Document, data: dict[str, Any]) -> None:
    pdf.heading(_("Decisions"), keep=15)
    if not data.get("decisions"):
        pdf.para(_("No decisions were recorded."), muted=True)
        return
    for d in data["decisions"]:
        height = pdf.text_height(d.get("text") or "")
        pdf.keep(height if height < 60 else LINE * 3)
        pdf.numbered(d.get("position"), d.get("text") or "")
        cited = _citations(d)
        if cited:
            pdf.para(_("On clause %(number)s", number=", ".join(cited)), size=8.5, muted=True, indent=8)
        pdf.space(1.5)


def _commitments(pdf: _Document, data: dict[str, Any]) -> None:
    commitments = data.get("commitments") or []
    if not commitments:
        pdf.heading(_("Follow-up commitments"))
        pdf.para(_("No commitments were recorded."), muted=True)
        return
    pdf.table_of(["№", _("Commitment"), _("Responsible organization"), _("Deadline"), _("Status")],
                 ([n, c.get("text"), _name(c.get("organization")), format_day(c.get("deadline")),
                   _status(c.get("state") or c.get("status") or "")] for n, c in enumerate(commitments, start=1)),
                 (9, 77, 38, 24, 26), ("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT"), title=_("Follow-up commitments"))
    changes = [(n, ch) for n, c in enumerate(commitments, start=1) for ch in c.get("history") or []]
    if changes:
        pdf.subheading(_("Status history"))
        for n, ch in changes:
            note = f": {ch['note']}" if ch.get("note") else ""
            pdf.para(f"{n}. {format_dt(ch.get('at'))} · {_status(ch.get('to_status') or '')} "
                     f"({ch.get('by') or '–'}){note}", size=9)
            pdf.space(0.8)


# The order of the Markdown download.
SECTIONS = (_title_block, _agenda, _attendance, _questions, _document, _polls, _moderation, _speakers, _decisions,
            _commitments)


def minutes_pdf(data: dict[str, Any], lang: str, *, generated_at: datetime | None = None) -> bytes:
    """The minutes (`minutes.minutes_data`) as PDF bytes, labels and dates in `lang` (kk/ru/en)."""
    with use_language(lang):
        h = data["hearing"]
        when = format_dt(generated_at or utcnow())
        pdf = _Document(running_title=f"{_('Minutes')}: {h['title']}", url=f"{h['url']}/minutes", generated=when)
        pdf.set_title(clean(f"{_('Minutes')}: {h['title']}"))
        pdf.set_author(clean(_name(h.get("organizer"))))
        pdf.set_creator("ASAR")
        pdf.set_lang(lang)
        pdf.add_page()
        for section in SECTIONS:
            section(pdf, data)
        return bytes(pdf.output())
