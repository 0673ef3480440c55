"""The protocol of the commission's decision, and the public results, built once from the service's
`Board` (`protocol(board, base_url)`: the typed data the page, the JSON API and the `.json` download
share) and written as Markdown (`to_markdown`) and as an A4 PDF (`to_pdf`, fpdf2, with the hearings'
minutes document and fonts: the same library and look as the hearing minutes' PDF).

The protocol says: the call and its issuer, the lots, the criteria, the commission with each member's
attendance and the quorum, the linked public hearing and its minutes, the recusals, the ranking per
lot with the aggregate scores, the winners with their amounts and the reasons where they depart from
the ranking; the public results add every member's points per criterion (recused cells marked).
"""

from __future__ import annotations

from typing import Any

from asar.competitions.choices import role_label
from asar.competitions.decision import core
from asar.competitions.decision.schemas import (
    BoardLotOut,
    BoardOut,
    CellOut,
    DecisionApplicationOut,
    DecisionCriterionOut,
    DecisionHearingOut,
    DecisionLotOut,
    DecisionMemberOut,
    MeetingOut,
    MemberScoresOut,
    ProposalOut,
    ProtocolOrganizationOut,
    ProtocolOut,
    QuorumOut,
    RecusalOut,
)
from asar.competitions.decision.service import Board, Candidate, results_public
from asar.competitions.evaluation import core as scoring
from asar.competitions.rules import CompetitionRules
from asar.i18n import format_deadline, format_dt, format_tenge, use_language
from asar.i18n import gettext as _


def shown(value: Any) -> str | None:
    out = scoring.shown(value)
    return None if out is None else str(out)


def _rule(rules: CompetitionRules) -> str:
    return f"{rules.quorum.numerator}/{rules.quorum.denominator}"


def _quorum(q: core.Quorum | None, rules: CompetitionRules) -> QuorumOut | None:
    if q is None:
        return None
    return QuorumOut(members=q.members, present=q.present, required=q.required, met=q.met, rule=_rule(rules))


def _org(org: Any) -> ProtocolOrganizationOut:
    return ProtocolOrganizationOut(id=org.id, name=org.name, bin=getattr(org, "bin", "") or "")


def _members(board: Board) -> list[DecisionMemberOut]:
    return [DecisionMemberOut(id=m.id, name=board.member_name(m), role=m.role, source=m.source, present=board.present(m.id))
            for m in board.members]


def _hearing(board: Board, base_url: str) -> DecisionHearingOut | None:
    h = board.hearing
    if h is None:
        return None
    url = f"{base_url.rstrip('/')}/hearings/{h.id}"
    minutes = board.hearing_minutes
    published = minutes is not None and minutes.published_at is not None
    return DecisionHearingOut(id=h.id, title=h.title, starts_at=h.starts_at, status=h.status, url=url,
                      minutes_url=f"{url}/minutes" if minutes is not None else None, minutes_published=published,
                      decisions=list(board.hearing_decisions) if published else [])


def _meeting(board: Board, base_url: str, rules: CompetitionRules) -> MeetingOut | None:
    d = board.decision
    if d is None:
        return None
    quorum = _quorum(board.quorum, rules)
    assert quorum is not None
    return MeetingOut(meeting_at=d.meeting_at, minutes=d.minutes, hearing=_hearing(board, base_url), quorum=quorum,
                      confirmed_at=d.confirmed_at)


def _scores(board: Board, c: Candidate) -> list[MemberScoresOut]:
    sheets = board.sheets.get(c.application.id, {})
    out = []
    for m in board.members:
        recused = (m.id, c.application.id) in board.recusals
        sheet = None if recused else sheets.get(m.id)
        total = c.result.totals.get(m.id)
        out.append(MemberScoresOut(
            member_id=m.id, member=board.member_name(m), recused=recused, submitted=sheet is not None,
            total=shown(total) if total is not None else None,
            points=[CellOut(criterion_id=s.criterion_id, points=s.points, comment=s.comment)
                    for s in sheet.scores] if sheet is not None else []))
    return out


def _application(board: Board, c: Candidate, rules: CompetitionRules, *, with_scores: bool) -> DecisionApplicationOut:
    r = c.result
    return DecisionApplicationOut(
        application_id=c.application.id, registration_number=c.application.registration_number or "",
        title=c.application.title, organization=_org(c.organization), requested=c.application.requested,
        rank=r.rank, aggregate=shown(r.aggregate), decided_by=r.decided_by, scorers=r.scorers,
        criterion_means={str(k): shown(v) or "" for k, v in r.criterion_means.items()},
        won=c.winner is not None, amount=c.winner.amount if c.winner else None,
        departs_reason=c.winner.departs_reason if c.winner else "", quorum=_quorum(c.quorum, rules),
        scores=_scores(board, c) if with_scores else [])


def protocol(board: Board, base_url: str, *, rules: CompetitionRules | None = None,
             with_scores: bool = True) -> ProtocolOut:
    """The protocol and the public results of a call, from its board."""
    rules = rules or board.rules
    call = board.call
    names = {m.id: board.member_name(m) for m in board.members}
    numbers = {c.application.id: c.application.registration_number or "" for lot in board.lots
               for c in lot.candidates}
    recusals = [RecusalOut(member_id=m, member=names.get(m, ""), application_id=a, registration_number=numbers[a])
                for m, a in sorted(board.recusals) if a in numbers]
    lots = [DecisionLotOut(id=lot.lot.id, number=lot.lot.position, title=lot.lot.title, budget=lot.lot.budget,
                   awarded=lot.awarded, winners=[c.application.id for c in lot.winners],
                   applications=[_application(board, c, rules, with_scores=with_scores) for c in lot.candidates])
            for lot in board.lots]
    assert board.organization is not None
    return ProtocolOut(
        call_id=call.id, title=call.title, kind=call.kind, stage=call.status,
        url=f"{base_url.rstrip('/')}/competitions/{call.id}", issuer=_org(board.organization),
        published=results_public(call), results_published_at=call.results_published_at,
        appeals_close_at=call.appeals_close_at,
        criteria=[DecisionCriterionOut(id=c.id, number=c.position, title=c.title, weight=c.weight, max_points=c.max_points)
                  for c in call.criteria],
        commission=_members(board), meeting=_meeting(board, base_url, rules), recusals=recusals, lots=lots)


def board_out(board: Board, base_url: str, *, rules: CompetitionRules | None = None) -> BoardOut:
    """The decision page's data: the ranking with the default proposal and the winners so far."""
    rules = rules or board.rules
    lots = []
    for lot in board.lots:
        rows = [ProposalOut(
            application_id=c.application.id, registration_number=c.application.registration_number or "",
            title=c.application.title, organization=c.organization.name, requested=c.application.requested,
            rank=c.result.rank, aggregate=None if c.hidden else shown(c.result.aggregate), proposed=c.proposed,
            won=c.winner is not None, amount=c.winner.amount if c.winner else None,
            departs_reason=c.winner.departs_reason if c.winner else "", quorum=_quorum(c.quorum, rules))
            for c in lot.candidates]
        lots.append(BoardLotOut(id=lot.lot.id, number=lot.lot.position, title=lot.lot.title, budget=lot.lot.budget,
                                applications=rows))
    return BoardOut(call_id=board.call.id, stage=board.call.status, commission=_members(board),
                    meeting=_meeting(board, base_url, rules), confirmed=board.confirmed, published=board.published,
                    lots=lots)


# ---------------------------------------------------------------- Markdown
def _cell(value: Any) -> str:
    text = "–" if value in (None, "") else str(value)
    return " ".join(text.replace("|", "\\|").split())


def _present(value: bool | None) -> str:
    if value is None:
        return "–"
    return _("present") if value else _("absent")


def quorum_text(q: QuorumOut) -> str:
    return (_("Quorum: %(present)s of %(members)s members present, %(required)s needed (%(rule)s): met.",
              present=q.present, members=q.members, required=q.required, rule=q.rule) if q.met else
            _("Quorum: %(present)s of %(members)s members present, %(required)s needed (%(rule)s): not met.",
              present=q.present, members=q.members, required=q.required, rule=q.rule))


def to_markdown(p: ProtocolOut) -> str:
    # Labels are plain _() calls (the extractor does not look inside f-strings).
    issuer, bin_label, call_page = _("Issuer"), _("BIN"), _("Call page")
    lines = ["# " + _("Protocol of the commission: %(call)s", call=p.title), ""]
    lines.append(f"- {issuer}: {p.issuer.name} ({bin_label} {p.issuer.bin})")
    lines.append(f"- {call_page}: {p.url}")
    if p.published:
        lines.append("- " + _("Results published on %(time)s. Appeals until %(deadline)s.",
                              time=format_dt(p.results_published_at), deadline=format_deadline(p.appeals_close_at)))
    else:
        lines.append("- " + _("Draft: the results are not published yet."))
    lines += ["", "## " + _("Meeting"), ""]
    if p.meeting is None:
        lines.append(_("The meeting is not recorded yet."))
    else:
        lines.append("- " + _("Held on %(time)s.", time=format_dt(p.meeting.meeting_at)))
        lines.append("- " + quorum_text(p.meeting.quorum))
        if p.meeting.confirmed_at:
            lines.append("- " + _("Winners confirmed on %(time)s.", time=format_dt(p.meeting.confirmed_at)))
        h = p.meeting.hearing
        if h is not None:
            held, minutes_label = _("Held as the public hearing:"), _("minutes of the hearing")
            line = f"- {held} [{h.title}]({h.url})"
            if h.minutes_url:
                line += f" — {minutes_label}: {h.minutes_url}"
            lines.append(line)
            for n, text in enumerate(h.decisions, start=1):
                lines.append(f"  {n}. {text}")
        if p.meeting.minutes:
            lines += ["", p.meeting.minutes]
    member, role, attendance = _("Commission member"), _("Role"), _("Attendance")
    lines += ["", "## " + _("Commission"), "", f"| {member} | {role} | {attendance} |", "|---|---|---|"]
    lines += [f"| {_cell(m.name)} | {role_label(m.role)} | {_present(m.present)} |" for m in p.commission]
    lines += ["", "## " + _("Recusals"), ""]
    lines += ([f"- {_cell(r.member)}: " + _("application No. %(number)s", number=r.registration_number)
               for r in p.recusals] or [_("No member was recused.")])
    criterion, weight, max_points = _("Criterion"), _("Weight"), _("Maximum points")
    lines += ["", "## " + _("Criteria"), "", f"| № | {criterion} | {weight} | {max_points} |", "|---|---|---|---|"]
    lines += [f"| {c.number} | {_cell(c.title)} | {c.weight}% | {c.max_points} |" for c in p.criteria]
    heads = [_("Place"), _("Application"), _("Applicant"), _("Requested"), _("Average score"), _("Decision"),
             _("Reason")]
    for lot in p.lots:
        lines += ["", "## " + _("Lot %(number)s: %(title)s", number=lot.number, title=lot.title), "",
                  _("Budget: %(amount)s", amount=format_tenge(lot.budget)) + " · "
                  + _("Granted: %(amount)s", amount=format_tenge(lot.awarded)), ""]
        if lot.applications:
            lines += ["| " + " | ".join(heads) + " |", "|---|---|---|---|---|---|---|"]
        for a in lot.applications:
            decision = _("won: %(amount)s", amount=format_tenge(a.amount or 0)) if a.won else _("not won")
            lines.append(f"| {a.rank or '–'} | {_cell(a.registration_number)} {_cell(a.title)} | "
                         f"{_cell(a.organization.name)} | {format_tenge(a.requested)} | {_cell(a.aggregate)} | "
                         f"{decision} | {_cell(a.departs_reason)} |")
        if not lot.applications:
            lines.append(_("No application was scored in this lot."))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- PDF
def to_pdf(p: ProtocolOut, lang: str, generated: str) -> bytes:
    """The protocol as an A4 PDF in `lang` (the hearing minutes' document: fonts, header, footer, tables)."""
    from asar.hearings.minutes_pdf import _Document

    with use_language(lang):
        pdf = _Document(running_title=_("Protocol of the commission: %(call)s", call=p.title), url=p.url,
                        generated=generated)
        pdf.set_title(_("Protocol of the commission: %(call)s", call=p.title))
        pdf.add_page()
        pdf.para(_("Protocol of the commission").upper(), size=9, bold=True)
        pdf.para(p.title, size=16, bold=True)
        pdf.space(2)
        bin_label = _("BIN")
        pairs = [(_("Issuer"), f"{p.issuer.name} ({bin_label} {p.issuer.bin})"), (_("Call page"), p.url)]
        if p.published:
            pairs += [(_("Results published"), format_dt(p.results_published_at)),
                      (_("Appeals until"), format_deadline(p.appeals_close_at))]
        else:
            pairs.append((_("Status"), _("Draft: the results are not published yet.")))
        if p.meeting is not None:
            pairs.append((_("Held on"), format_dt(p.meeting.meeting_at)))
            if p.meeting.hearing is not None:
                pairs.append((_("Held as the public hearing"), f"{p.meeting.hearing.title} — {p.meeting.hearing.url}"))
        pdf.facts(pairs)
        pdf.heading(_("Meeting"))
        if p.meeting is None:
            pdf.para(_("The meeting is not recorded yet."), muted=True)
        else:
            pdf.para(quorum_text(p.meeting.quorum))
            h = p.meeting.hearing
            if h is not None and h.decisions:
                pdf.subheading(_("Decisions of the public hearing"))
                for n, text in enumerate(h.decisions, start=1):
                    pdf.numbered(n, text)
            if p.meeting.minutes:
                pdf.space(1)
                pdf.para(p.meeting.minutes)
        pdf.table_of([_("Commission member"), _("Role"), _("Attendance")],
                     ([m.name, role_label(m.role), _present(m.present)] for m in p.commission),
                     (90, 45, 40), ("LEFT", "LEFT", "LEFT"), title=_("Commission"))
        if p.recusals:
            pdf.table_of([_("Commission member"), _("Application")],
                         ([r.member, r.registration_number] for r in p.recusals),
                         (100, 75), ("LEFT", "LEFT"), title=_("Recusals"))
        else:
            pdf.heading(_("Recusals"))
            pdf.para(_("No member was recused."), muted=True)
        pdf.table_of(["№", _("Criterion"), _("Weight"), _("Maximum points")],
                     ([c.number, c.title, f"{c.weight}%", c.max_points] for c in p.criteria),
                     (10, 115, 25, 25), ("RIGHT", "LEFT", "RIGHT", "RIGHT"), title=_("Criteria"))
        for lot in p.lots:
            title = _("Lot %(number)s: %(title)s", number=lot.number, title=lot.title)
            rows = [[a.rank or "–", f"{a.registration_number}\n{a.title}\n{a.organization.name}",
                     format_tenge(a.requested), a.aggregate or "–",
                     _("won: %(amount)s", amount=format_tenge(a.amount or 0)) if a.won else _("not won"),
                     a.departs_reason or "–"] for a in lot.applications]
            if rows:
                pdf.table_of([_("Place"), _("Application"), _("Requested"), _("Average score"), _("Decision"),
                              _("Reason")], rows, (12, 62, 28, 20, 28, 40),
                             ("RIGHT", "LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT"), title=title)
            else:
                pdf.heading(title)
                pdf.para(_("No application was scored in this lot."), muted=True)
            pdf.para(_("Budget: %(amount)s", amount=format_tenge(lot.budget)) + " · "
                     + _("Granted: %(amount)s", amount=format_tenge(lot.awarded)),
                     size=9, muted=True)
        return bytes(pdf.output())
