"""The minutes of a closed hearing: agenda, attendance by sector, questions and answers, poll results
by sector, a moderation summary, the chair's decisions and the follow-up commitments.

Closing a hearing produces its Minutes row (service.close_hearing calls produce_minutes). Every
number is read from the stored rows when the minutes are shown (poll tallies from PollVote rows
through tally.tally), so the minutes always equal the stored data. The chair adds, edits and removes
decisions and commitments until publishing the minutes; commitment statuses change afterwards too
(commitments.py).

Attendance counts, per sector: "registered" — registrations; "took part" — registered people who
wrote a post, asked a question, upvoted a question or voted in a poll (the live presence count is
not stored, so it cannot be reported afterwards).

One dict (`minutes_data`) is the source of the page, the JSON API and the three downloads.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.audit import actions as audit_actions
from asar.csvsafe import dict_rows_to_csv
from asar.db import utcnow
from asar.errors import Conflict, NotFound, invalid
from asar.hearings.choices import (
    MODERATION_ACTION_LABELS,
    POLL_KIND_LABELS,
    SECTOR_LABELS,
    author_label,
    label,
)
from asar.hearings.forms import positive_int, text
from asar.hearings.guards import may_chair_hearing, require_chair_hearing
from asar.hearings.models import (
    Decision,
    Hearing,
    Minutes,
    ModerationAction,
    Poll,
    PollVote,
    Post,
    Question,
    QuestionUpvote,
    Registration,
)
from asar.hearings.service import get_hearing, visible_hearing
from asar.hearings.speakers import speaking_time
from asar.hearings.tally import SECTORS
from asar.i18n import N_, NC_, format_day, format_dt
from asar.i18n import gettext as _
from asar.inputs import visible
from asar.organizations.models import Organization
from asar.permissions import Actor
from asar.reference.models import Region
from asar.uow import atomic

audit_actions.declare({"hearing.minutes_published": N_("Hearing minutes published")})

MAX_DECISION = 5000
PUBLIC_QUESTION_STATUSES = ("open", "answering", "answered")
CSV_COLUMNS = ("section", "number", "item", "sector", "count", "status", "date", "organization", "detail")
MINUTES_STATUS_LABELS = {"draft": N_("Draft"), "published": N_("Published")}
COMMITMENT_STATUS_LABELS = {
    "open": NC_("commitment status", "Open"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "overdue": N_("Overdue"),
}


# ---------------------------------------------------------------- producing and reading
async def produce_minutes(db: AsyncSession, hearing: Hearing) -> Minutes:
    """The Minutes row of a hearing being closed (in close_hearing's transaction); once per hearing."""
    found = await minutes_row(db, hearing.id)
    if found is not None:
        return found
    row = Minutes(hearing_id=hearing.id, produced_at=utcnow())
    db.add(row)
    await db.flush()
    return row


async def minutes_row(db: AsyncSession, hearing_id: int) -> Minutes | None:
    return (await db.execute(select(Minutes).where(Minutes.hearing_id == hearing_id)
                             .execution_options(populate_existing=True))).scalar_one_or_none()


async def closed_hearing(db: AsyncSession, actor: Actor, hearing_id: int) -> tuple[Hearing, Minutes]:
    """A hearing whose minutes exist (it is closed); NotFound otherwise."""
    hearing = await visible_hearing(db, actor, hearing_id)
    row = await minutes_row(db, hearing.id) if hearing.status == "closed" else None
    if row is None:
        raise NotFound(_("The minutes are produced when the hearing closes."))
    return hearing, row


async def _attendance(db: AsyncSession, hearing_id: int) -> list[dict[str, Any]]:
    regs = {r.user_id: r.sector for r in (await db.execute(
        select(Registration).where(Registration.hearing_id == hearing_id))).scalars()}
    active: set[int] = set()
    active.update((await db.execute(select(Post.user_id).where(Post.hearing_id == hearing_id))).scalars())
    active.update((await db.execute(select(Question.user_id).where(Question.hearing_id == hearing_id))).scalars())
    active.update((await db.execute(
        select(QuestionUpvote.user_id).join(Question, Question.id == QuestionUpvote.question_id)
        .where(Question.hearing_id == hearing_id))).scalars())
    active.update((await db.execute(
        select(PollVote.user_id).join(Poll, Poll.id == PollVote.poll_id).where(Poll.hearing_id == hearing_id)
    )).scalars())
    registered = Counter(s if s in SECTORS else "citizen" for s in regs.values())
    took_part = Counter((s if s in SECTORS else "citizen") for uid, s in regs.items() if uid in active)
    rows = [{"sector": s, "registered": registered[s], "took_part": took_part[s]} for s in SECTORS]
    rows.append({"sector": "all", "registered": sum(registered.values()), "took_part": sum(took_part.values())})
    return rows


async def _polls(db: AsyncSession, hearing_id: int) -> list[dict[str, Any]]:
    from asar.hearings.polls import compute_tally

    out = []
    rows = (await db.execute(select(Poll).where(Poll.hearing_id == hearing_id, Poll.status != "draft")
                             .order_by(Poll.id))).scalars()
    for number, poll in enumerate(rows, start=1):
        t = await compute_tally(db, poll)
        out.append({"id": poll.id, "number": number, "question": poll.question, "kind": poll.kind,
                    "status": poll.status, "opened_at": poll.opened_at, "closed_at": poll.closed_at, **t})
    return out


async def _moderation(db: AsyncSession, hearing_id: int) -> dict[str, Any]:
    rows = list((await db.execute(select(ModerationAction).where(ModerationAction.hearing_id == hearing_id)
                                  .order_by(ModerationAction.id))).scalars())
    by_action = Counter(a.action for a in rows)
    by_sector = Counter(a.actor_sector for a in rows)
    reasons = Counter((a.action, a.reason) for a in rows if a.reason)
    return {
        "total": len(rows),
        "by_action": dict(sorted(by_action.items())),
        "by_moderator_sector": {s: by_sector[s] for s in SECTORS if by_sector[s]},
        "reasons": [{"action": act, "reason": why, "count": n}
                    for (act, why), n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))],
    }


async def _document(db: AsyncSession, hearing: Hearing) -> dict[str, Any] | None:
    """The draft under discussion and which of its clauses drew most discussion: per cited clause, the
    published posts and the public questions citing it, most discussed first (None without a document)."""
    if not hearing.document_text:
        return None
    from asar.hearings.clauses import citable_clauses

    posts = Counter((await db.execute(select(Post.clause).where(
        Post.hearing_id == hearing.id, Post.status == "visible", Post.clause.is_not(None)))).scalars())
    asked = Counter((await db.execute(select(Question.clause).where(
        Question.hearing_id == hearing.id, Question.status.in_(PUBLIC_QUESTION_STATUSES),
        Question.clause.is_not(None)))).scalars())
    order = {c.number: i for i, c in enumerate(citable_clauses(hearing.document_text))}
    texts = {c.number: c.text for c in citable_clauses(hearing.document_text)}
    cited = sorted(set(posts) | set(asked), key=lambda n: (-(posts[n] + asked[n]), order.get(n, len(order)), n))
    return {
        "title": hearing.document_title,
        "clauses": len(order),
        "discussed": [{"number": n, "text": texts.get(n, ""), "posts": posts[n], "questions": asked[n],
                       "total": posts[n] + asked[n]} for n in cited],
    }


async def _speakers(db: AsyncSession, hearing_id: int) -> list[dict[str, Any]]:
    """The turns given from the speaker queue, in order: who, for which sector, on what, how long."""
    from asar.hearings.floor import spoken_turns

    out = []
    for number, r in enumerate(await spoken_turns(db, hearing_id), start=1):
        seconds = int((r.ended_at - r.started_at).total_seconds()) if r.ended_at and r.started_at else None
        out.append({"number": number, "name": r.author_name, "sector": r.sector, "note": r.note,
                    "started_at": r.started_at, "ended_at": r.ended_at,
                    "seconds": max(0, seconds) if seconds is not None else None})
    return out


async def list_decisions(db: AsyncSession, hearing_id: int) -> list[Decision]:
    return list((await db.execute(select(Decision).where(Decision.hearing_id == hearing_id)
                                  .order_by(Decision.position, Decision.id))).scalars())


async def _commitments(db: AsyncSession, hearing_id: int, today: date) -> list[dict[str, Any]]:
    from asar.hearings.commitments import commitment_data, list_commitments

    return await commitment_data(db, await list_commitments(db, hearing_id), today)


async def minutes_data(db: AsyncSession, hearing: Hearing, row: Minutes, *, base_url: str = "",
                       today: date | None = None) -> dict[str, Any]:
    """Everything the minutes say, JSON-ready after `jsonable` (dates stay date/datetime here)."""
    today = today or utcnow().date()
    organizer = await db.get(Organization, hearing.organizer_id)
    region = await db.get(Region, hearing.region_id) if hearing.region_id else None
    questions = list((await db.execute(
        select(Question).where(Question.hearing_id == hearing.id, Question.status.in_(PUBLIC_QUESTION_STATUSES))
        .order_by(Question.upvotes.desc(), Question.id))).scalars())
    return {
        "hearing": {
            "id": hearing.id, "title": hearing.title, "topic": hearing.topic,
            "organizer": {"id": organizer.id, "name": organizer.name} if organizer else None,
            "starts_at": hearing.starts_at, "duration_minutes": hearing.duration_minutes,
            "opened_at": hearing.opened_at, "closed_at": hearing.closed_at, "format": hearing.format,
            "venue": hearing.venue, "url": f"{base_url.rstrip('/')}/hearings/{hearing.id}",
            "region": {"id": region.id, "name": region.name} if region else None,
        },
        "status": "published" if row.published_at else "draft",
        "produced_at": row.produced_at,
        "published_at": row.published_at,
        "agenda": [{"position": a.position, "title": a.title, "starts_at": a.starts_at, "minutes": a.minutes}
                   for a in hearing.agenda],
        "attendance": await _attendance(db, hearing.id),
        "questions": [{"id": q.id, "author": q.author_name, "sector": q.sector, "body": q.body,
                       "upvotes": q.upvotes, "status": q.status, "answer": q.answer, "answered_at": q.answered_at,
                       "clause": q.clause}
                      for q in questions],
        "document": await _document(db, hearing),
        "polls": await _polls(db, hearing.id),
        "moderation": await _moderation(db, hearing.id),
        "speakers": await _speakers(db, hearing.id),
        "decisions": [{"id": d.id, "position": d.position, "text": d.text}
                      for d in await list_decisions(db, hearing.id)],
        "commitments": await _commitments(db, hearing.id, today),
    }


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- the chair's verbs
async def _editable(db: AsyncSession, actor: Actor, hearing_id: int) -> tuple[Hearing, Minutes]:
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    row = await minutes_row(db, hearing.id)
    if hearing.status != "closed" or row is None:
        raise Conflict(_("Decisions are entered once the hearing is closed."))
    if row.published_at is not None:
        raise Conflict(_("The minutes are published: they can no longer be changed."))
    return hearing, row


def parse_decision(value: Any) -> str:
    body = visible(text(value))
    if not body:
        raise invalid({"text": _("Write the decision.")})
    if len(body) > MAX_DECISION:
        raise invalid({"text": _("This is too long: at most %(max)s characters.", max=MAX_DECISION)})
    return body


async def _decision(db: AsyncSession, hearing_id: int, decision_id: Any) -> Decision:
    did = positive_int(decision_id)
    decision = await db.get(Decision, did, populate_existing=True) if did else None
    if decision is None or decision.hearing_id != hearing_id:
        raise NotFound(_("There is no such decision in these minutes."))
    return decision


async def _renumber(db: AsyncSession, decisions: list[Decision]) -> None:
    for position, d in enumerate(decisions, start=1):
        d.position = position
    await db.flush()


@atomic
async def add_decision(db: AsyncSession, actor: Actor, hearing_id: int, body: Any) -> Decision:
    """The chair records a decision (appended at the end) until the minutes are published."""
    hearing, _row = await _editable(db, actor, hearing_id)
    content = parse_decision(body)
    last = (await db.execute(select(func.max(Decision.position)).where(Decision.hearing_id == hearing.id))).scalar()
    decision = Decision(hearing_id=hearing.id, position=(last or 0) + 1, text=content)
    db.add(decision)
    return decision


@atomic
async def update_decision(db: AsyncSession, actor: Actor, hearing_id: int, decision_id: Any, body: Any,
                          position: Any = None) -> Decision:
    """Change a decision's text and, when given, its place (1 = first)."""
    hearing, _row = await _editable(db, actor, hearing_id)
    decision = await _decision(db, hearing.id, decision_id)
    content = parse_decision(body)
    decisions = None
    if position not in (None, ""):  # checked before anything changes
        wanted = positive_int(position)
        decisions = await list_decisions(db, hearing.id)
        if wanted is None or wanted > len(decisions):
            raise invalid({"position": _("Choose a place from 1 to %(max)s.", max=len(decisions))})
    decision.text = content
    if decisions is not None:
        decisions.remove(decision)
        decisions.insert(wanted - 1, decision)
        await _renumber(db, decisions)
    return decision


@atomic
async def delete_decision(db: AsyncSession, actor: Actor, hearing_id: int, decision_id: Any) -> None:
    hearing, _row = await _editable(db, actor, hearing_id)
    decision = await _decision(db, hearing.id, decision_id)
    await db.delete(decision)
    await db.flush()
    await _renumber(db, await list_decisions(db, hearing.id))


@atomic
async def publish_minutes(db: AsyncSession, actor: Actor, hearing_id: int) -> Minutes:
    """The chair publishes the minutes: decisions and commitments are final (statuses still change)."""
    hearing, row = await _editable(db, actor, hearing_id)
    assert actor.user is not None
    row.published_at = utcnow()
    row.published_by_id = actor.user.id
    from asar.audit import service as audit

    audit.record(db, actor, "hearing.minutes_published", "hearing", hearing.id)
    return row


def may_edit_minutes(actor: Actor, hearing: Hearing, row: Minutes) -> bool:
    return row.published_at is None and may_chair_hearing(actor, hearing)


# ---------------------------------------------------------------- downloads
def _sector(code: str) -> str:
    return _("All") if code == "all" else label(SECTOR_LABELS, code)


def _status(code: str) -> str:
    return label(COMMITMENT_STATUS_LABELS, code)


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(jsonable(data), ensure_ascii=False, indent=2) + "\n"


def csv_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The flat layout of the CSV download: one row per fact, `section` says which part of the minutes.

    hearing (item = field, detail = value) · agenda (number = position, item = title, count = minutes,
    date = start) · attendance (item = registered|took_part, sector, count) · question (number, item =
    question, sector, count = upvotes, status, detail = answer) · poll (number, item = question,
    count = voters, detail = mean on a scale) · question_clause (number = question, item = the clause
    it cites) · clause (number = clause, item = posts|questions, count, detail = the clause's text) · poll_option (number = poll.option, item = label, sector
    or "all", count = votes) · moderation (item = action, count) · moderation_reason (item = action,
    count, detail = reason) · speaker (number = turn, item = name, sector, count = seconds spoken,
    date = start, detail = topic) · decision (number, item = text) · commitment (number, item = text,
    status, date = deadline, organization) · commitment_change (number = commitment, status = new
    status, date = when, detail = note).
    """
    out: list[dict[str, Any]] = []

    def row(section: str, **values: Any) -> None:
        out.append({c: ("" if values.get(c) is None else values.get(c)) for c in CSV_COLUMNS} | {"section": section})

    h = data["hearing"]
    for key in ("id", "title", "topic", "starts_at", "duration_minutes", "opened_at", "closed_at", "url"):
        row("hearing", item=key, detail=jsonable(h[key]))
    row("hearing", item="organizer", detail=h["organizer"]["name"] if h["organizer"] else "")
    row("hearing", item="minutes_status", detail=data["status"])
    for a in data["agenda"]:
        row("agenda", number=a["position"], item=a["title"], count=a["minutes"], date=jsonable(a["starts_at"]))
    for a in data["attendance"]:
        row("attendance", item="registered", sector=a["sector"], count=a["registered"])
        row("attendance", item="took_part", sector=a["sector"], count=a["took_part"])
    for n, q in enumerate(data["questions"], start=1):
        row("question", number=n, item=q["body"], sector=q["sector"], count=q["upvotes"], status=q["status"],
            detail=q["answer"])
        if q.get("clause"):
            row("question_clause", number=n, item=q["clause"])
    for c in (data.get("document") or {}).get("discussed", []):
        row("clause", number=c["number"], item="posts", count=c["posts"], detail=c["text"][:200])
        row("clause", number=c["number"], item="questions", count=c["questions"], detail=c["text"][:200])
    for p in data["polls"]:
        row("poll", number=p["number"], item=p["question"], count=p["voters"], status=p["kind"],
            detail=p.get("mean"))
        for s in SECTORS:
            row("poll_voters", number=p["number"], sector=s, count=p["voters_by_sector"][s])
        for j, o in enumerate(p["options"], start=1):
            row("poll_option", number=f"{p['number']}.{j}", item=o["label"], sector="all", count=o["votes"])
            for s in SECTORS:
                row("poll_option", number=f"{p['number']}.{j}", item=o["label"], sector=s, count=o["by_sector"][s])
    m = data["moderation"]
    for action, n in m["by_action"].items():
        row("moderation", item=action, count=n)
    for r in m["reasons"]:
        row("moderation_reason", item=r["action"], count=r["count"], detail=r["reason"])
    for sp in data.get("speakers", []):
        row("speaker", number=sp["number"], item=sp["name"], sector=sp["sector"], count=sp["seconds"],
            date=jsonable(sp["started_at"]), detail=sp["note"])
    for d in data["decisions"]:
        row("decision", number=d["position"], item=d["text"])
    for n, c in enumerate(data["commitments"], start=1):
        row("commitment", number=n, item=c["text"], status=c["state"], date=jsonable(c["deadline"]),
            # the name and the org-id.guide identifier (KZ-BIN-<12 digits>) that other datasets join on
            organization=f'{c["organization"]["name"]} ({c["organization"]["identifier"]})' if c["organization"] else "")
        for ch in c["history"]:
            row("commitment_change", number=n, status=ch["to_status"], date=jsonable(ch["at"]), detail=ch["note"])
    return out


def to_csv(data: dict[str, Any]) -> str:
    return dict_rows_to_csv(CSV_COLUMNS, csv_rows(data))


def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


# The Markdown's labels are looked up inside f-strings, which the extractor does not read: listed here.
MARKDOWN_LABELS = (N_("Minutes"), N_("Organized by"), N_("Started"), N_("Ended"), N_("Agenda"),
                   N_("%(num)s min"), N_("Attendance by sector"), N_("Sector"), N_("Registered"), N_("Took part"),
                   N_("Questions and answers"), N_("upvotes: %(num)s"), N_("Answer"), N_("Poll results by sector"),
                   N_("voters: %(num)s"), N_("Moderation"), N_("Reasons"), N_("Decisions"),
                   N_("Follow-up commitments"), N_("Deadline"), N_("Status"), N_("Clause"),
                   N_("Discussion of the document"), N_("Comments"), N_("Questions"))


SPEAKER_LABELS = (N_("Speakers"),)  # the speaker queue's section (f-string above the extractor's reach)


def to_markdown(data: dict[str, Any]) -> str:
    """The minutes as Markdown, in the current language."""
    h = data["hearing"]
    lines = [f"# {_('Minutes')}: {h['title']}", ""]
    if h["organizer"]:
        lines.append(f"- {_('Organized by')}: {h['organizer']['name']}")
    lines.append(f"- {_('Started')}: {format_dt(h['opened_at'] or h['starts_at'])}")
    lines.append(f"- {_('Ended')}: {format_dt(h['closed_at'])}")
    status = _("Published on %(date)s", date=format_day(data["published_at"])) if data["published_at"] \
        else _("Draft: the chair may still add decisions and commitments")
    lines += [f"- {_('Minutes')}: {status}", f"- {h['url']}", ""]

    lines += [f"## {_('Agenda')}", ""]
    lines += [f"{a['position']}. {a['title']} ({format_dt(a['starts_at'])}, "
              f"{_('%(num)s min', num=a['minutes'])})" for a in data["agenda"]] or [_("No agenda.")]
    lines += ["", f"## {_('Attendance by sector')}", "",
              f"| {_('Sector')} | {_('Registered')} | {_('Took part')} |", "|---|---:|---:|"]
    lines += [f"| {_sector(a['sector'])} | {a['registered']} | {a['took_part']} |" for a in data["attendance"]]
    lines += ["", _("Took part: wrote a post, asked or upvoted a question, or voted in a poll."), ""]

    lines += [f"## {_('Questions and answers')}", ""]
    if not data["questions"]:
        lines.append(_("No questions were asked."))
    for n, q in enumerate(data["questions"], start=1):
        lines.append(f"{n}. **{q['body']}** — {author_label(q['author'])} ({_sector(q['sector'])}, "
                     f"{_('upvotes: %(num)s', num=q['upvotes'])})")
        if q.get("clause"):
            lines.append(f"   {_('On clause %(number)s', number=q['clause'])}")
        answer = q["answer"] or _("Not answered during the hearing.")
        lines.append(f"   {_('Answer')}: {answer}")
    lines.append("")

    document = data.get("document")
    if document:
        lines += [f"## {_('Discussion of the document')}: {document['title']}", ""]
        if document["discussed"]:
            lines += [f"| {_('Clause')} | {_('Comments')} | {_('Questions')} |", "|---|---:|---:|"]
            lines += [f"| {_md_cell(c['number'])} | {c['posts']} | {c['questions']} |" for c in document["discussed"]]
        else:
            lines.append(_("No comment or question cited a clause of the document."))
        lines.append("")

    lines += [f"## {_('Poll results by sector')}", ""]
    if not data["polls"]:
        lines.append(_("No polls were held."))
    for p in data["polls"]:
        lines += [f"### {p['number']}. {p['question']}", "",
                  f"{label(POLL_KIND_LABELS, p['kind'])} · {_('voters: %(num)s', num=p['voters'])}", ""]
        lines.append("| " + " | ".join([_("Option"), _("All"), *(_sector(s) for s in SECTORS)]) + " |")
        lines.append("|---|" + "---:|" * (len(SECTORS) + 1))
        lines.append("| " + " | ".join([_("Voters"), str(p["voters"]),
                                        *(str(p["voters_by_sector"][s]) for s in SECTORS)]) + " |")
        for o in p["options"]:
            lines.append("| " + " | ".join([_md_cell(o["label"]), str(o["votes"]),
                                            *(str(o["by_sector"][s]) for s in SECTORS)]) + " |")
        if "mean" in p:
            means = ["–" if p["mean_by_sector"][s] is None else str(p["mean_by_sector"][s]) for s in SECTORS]
            lines.append("| " + " | ".join([_("Mean"), "–" if p["mean"] is None else str(p["mean"]), *means]) + " |")
        lines.append("")

    m = data["moderation"]
    lines += [f"## {_('Moderation')}", "", _("Moderation actions: %(num)s", num=m["total"])]
    lines += [f"- {label(MODERATION_ACTION_LABELS, a)}: {n}" for a, n in m["by_action"].items()]
    if m["reasons"]:
        lines += ["", f"{_('Reasons')}:"]
        lines += [f"- {label(MODERATION_ACTION_LABELS, r['action'])}: {r['reason']} ({r['count']})" for r in m["reasons"]]
    lines.append("")

    speakers = data.get("speakers", [])
    lines += [f"## {_('Speakers')}", ""]
    lines += [f"{sp['number']}. {author_label(sp['name'])} ({_sector(sp['sector'])}, {speaking_time(sp['seconds'])})"
              + (f" — {sp['note']}" if sp["note"] else "") for sp in speakers] or [_("Nobody took the floor.")]
    lines.append("")

    lines += [f"## {_('Decisions')}", ""]
    lines += [f"{d['position']}. {d['text']}" for d in data["decisions"]] or [_("No decisions were recorded.")]
    lines += ["", f"## {_('Follow-up commitments')}", ""]
    if not data["commitments"]:
        lines.append(_("No commitments were recorded."))
    for n, c in enumerate(data["commitments"], start=1):
        org = c["organization"]["name"] if c["organization"] else "–"
        lines.append(f"{n}. {c['text']} — {org}; {_('Deadline')}: {format_day(c['deadline'])}; "
                     f"{_('Status')}: {_status(c['state'])}")
        for ch in c["history"]:
            note = f": {ch['note']}" if ch["note"] else ""
            lines.append(f"   - {format_dt(ch['at'])} {_status(ch['to_status'])} ({ch['by'] or '–'}){note}")
    return "\n".join(lines).rstrip() + "\n"


