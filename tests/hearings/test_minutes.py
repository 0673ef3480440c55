"""Minutes of a closed hearing: every number equals the stored rows; decisions and commitments;
status changes mailed once to every participant in their language; the page and the downloads."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from asar.audit.models import AuditEntry
from asar.errors import Conflict, Invalid, NotFound, PermissionDenied
from asar.hearings import commitments, minutes, room, service
from asar.hearings.models import CommitmentChange, PollVote
from asar.mail.models import OutboxMail
from tests.hearings.helpers import join, live_hearing, make_org, person, registered, sector_poll
from tests.hearings.test_web import api_token, sign_in

pytestmark = pytest.mark.sqlite
EN = {"accept-language": "en"}


async def closed_world(session):
    """A hearing held and closed: a question answered, a poll with votes from each sector, moderation."""
    official_user, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    await service.register(session, official, hearing.id)
    people = {}
    for sector in ("business", "ngo", "citizen"):
        people[sector] = await registered(session, hearing, sector)
    _, _idle = await registered(session, hearing, "citizen")  # registered, never took part
    q, _dup = await room.ask_question(session, people["ngo"][1], hearing.id, "q1", "Where will the trees grow?")
    await room.upvote_question(session, people["citizen"][1], hearing.id, q.id)
    await room.answer_question(session, official, hearing.id, q.id, "Along Abai avenue.")
    post, _dup = await room.post_comment(session, people["business"][1], hearing.id, "p1", "Spam spam")
    await room.moderate(session, official, hearing.id, "post", post.id, "hide", "advertising")
    poll = await sector_poll(session, official, hearing, people, "Support the plan?", "Yes\nNo")
    await service.close_hearing(session, official, hearing.id)
    return hearing, official_user, official, people, poll


async def test_closing_produces_minutes_whose_numbers_equal_the_stored_rows(session) -> None:
    hearing, _u, official, _people, poll = await closed_world(session)
    hearing, row = await minutes.closed_hearing(session, official, hearing.id)
    data = await minutes.minutes_data(session, hearing, row)
    assert data["status"] == "draft"
    att = {a["sector"]: a for a in data["attendance"]}
    assert att["all"] == {"sector": "all", "registered": 5, "took_part": 4}
    assert att["citizen"]["registered"] == 2 and att["citizen"]["took_part"] == 1
    assert att["government"]["took_part"] == 1
    [q] = data["questions"]
    assert q["answer"] == "Along Abai avenue." and q["upvotes"] == 1 and q["sector"] == "ngo"
    [p] = data["polls"]
    stored = dict((await session.execute(select(PollVote.option_id, func.count()).where(PollVote.poll_id == poll.id)
                                         .group_by(PollVote.option_id))).all())
    assert {o["id"]: o["votes"] for o in p["options"]} == stored
    assert p["voters"] == 4 and p["voters_by_sector"] == {"government": 1, "business": 1, "ngo": 1, "citizen": 1}
    assert p["options"][1]["by_sector"]["business"] == 1
    assert data["moderation"]["by_action"] == {"hide": 1}
    assert data["moderation"]["reasons"] == [{"action": "hide", "reason": "advertising", "count": 1}]
    assert [a["title"] for a in data["agenda"]] == ["Opening", "Presentation", "Questions"]


async def test_the_minutes_do_not_exist_before_closing(session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official)
    with pytest.raises(NotFound):
        await minutes.closed_hearing(session, official, hearing.id)
    with pytest.raises(Conflict):
        await minutes.add_decision(session, official, hearing.id, "Too early")


async def test_decisions_are_entered_ordered_edited_and_frozen_by_publishing(session) -> None:
    hearing, _u, official, people, _p = await closed_world(session)
    with pytest.raises(PermissionDenied):
        await minutes.add_decision(session, people["ngo"][1], hearing.id, "Not mine to decide")
    with pytest.raises(Invalid):
        await minutes.add_decision(session, official, hearing.id, "  ")
    a = await minutes.add_decision(session, official, hearing.id, "Plant 500 trees")
    b = await minutes.add_decision(session, official, hearing.id, "Publish the plan")
    c = await minutes.add_decision(session, official, hearing.id, "Meet again in spring")
    await minutes.update_decision(session, official, hearing.id, c.id, "Meet again in April", 1)
    assert [(d.text, d.position) for d in await minutes.list_decisions(session, hearing.id)] == [
        ("Meet again in April", 1), ("Plant 500 trees", 2), ("Publish the plan", 3)]
    with pytest.raises(Invalid):
        await minutes.update_decision(session, official, hearing.id, a.id, "x", 9)
    await minutes.delete_decision(session, official, hearing.id, b.id)
    assert [d.position for d in await minutes.list_decisions(session, hearing.id)] == [1, 2]
    await minutes.publish_minutes(session, official, hearing.id)
    with pytest.raises(Conflict):
        await minutes.add_decision(session, official, hearing.id, "Late")
    with pytest.raises(Conflict):
        await minutes.publish_minutes(session, official, hearing.id)
    assert (await session.execute(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.action == "hearing.minutes_published"))).scalar_one() == 1


async def test_commitment_status_changes_are_kept_audited_and_mailed_once_per_participant(session) -> None:
    hearing, _u, official, people, _p = await closed_world(session)
    ngo_user, ngo_actor = people["ngo"]
    ngo_org_id = ngo_actor.organization.id
    ngo_user.language = "kk"
    await session.commit()
    with pytest.raises(Invalid) as exc:
        commitments.parse_commitment({"text": "", "organization_id": "x", "deadline": "soon"})
    assert set(exc.value.errors) == {"text", "organization_id", "deadline"}
    c = await commitments.add_commitment(session, official, hearing.id, commitments.parse_commitment(
        {"text": "Plant the trees", "organization_id": str(ngo_org_id),
         "deadline": (date.today() + timedelta(days=30)).isoformat()}))
    # an ordinary member of the responsible organization may not; its admin may
    _member_user, member = await person(session, "ngo", org=ngo_actor.organization)
    with pytest.raises(PermissionDenied):
        await commitments.change_status(session, member, hearing.id, c.id, "in_progress", "started")
    admin_user, _ = await person(session, "citizen")
    await join(session, admin_user, ngo_actor.organization, role="admin")
    from tests.hearings.helpers import actor_of

    org_admin = await actor_of(session, admin_user)
    before = (await session.execute(select(func.count()).select_from(OutboxMail))).scalar_one()
    change = await commitments.change_status(session, org_admin, hearing.id, c.id, "in_progress", "Saplings bought")
    mails = list((await session.execute(select(OutboxMail).where(OutboxMail.kind == "hearing_commitment")
                                        .order_by(OutboxMail.id))).scalars())
    assert len(mails) == 5 == (await session.execute(select(func.count()).select_from(OutboxMail))).scalar_one() - before
    kk = next(m for m in mails if m.to_email == ngo_user.email)
    assert "Saplings bought" in kk.body_text and "Plant the trees" in kk.body_text
    assert "міндеттеме" in (kk.subject + kk.body_text).lower()  # Kazakh for the Kazakh reader
    # the job is idempotent: a second run mails nobody
    assert await commitments.notify_participants(session, change.id, "http://x") == 0
    assert (await session.execute(select(func.count()).select_from(OutboxMail))).scalar_one() - before == 5
    with pytest.raises(Invalid):
        await commitments.change_status(session, official, hearing.id, c.id, "in_progress", "")
    with pytest.raises(Invalid):
        await commitments.change_status(session, official, hearing.id, c.id, "finished", "")
    await commitments.change_status(session, official, hearing.id, c.id, "done", "All planted")
    history = list((await session.execute(select(CommitmentChange).where(CommitmentChange.commitment_id == c.id)
                                          .order_by(CommitmentChange.id))).scalars())
    assert [(h.from_status, h.to_status) for h in history] == [("open", "in_progress"), ("in_progress", "done")]
    assert (await session.execute(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.action == "hearing.commitment_status"))).scalar_one() == 2


async def test_overdue_is_derived_from_the_deadline(session) -> None:
    hearing, _u, official, _people, _p = await closed_world(session)
    org = await make_org(session, "business")
    c = await commitments.add_commitment(session, official, hearing.id, commitments.CommitmentInput(
        "Repair the road", org.id, date(2030, 1, 1)))
    assert commitments.state_of(c, date(2029, 12, 31)) == "open"
    assert commitments.state_of(c, date(2030, 1, 2)) == "overdue"
    c.status = "done"
    assert commitments.state_of(c, date(2030, 1, 2)) == "done"


async def test_exports_carry_the_same_numbers(session) -> None:
    hearing, _u, official, _people, _poll = await closed_world(session)
    await minutes.add_decision(session, official, hearing.id, "Plant 500 trees")
    hearing, row = await minutes.closed_hearing(session, official, hearing.id)
    data = await minutes.minutes_data(session, hearing, row)
    as_json = json.loads(minutes.to_json(data))
    assert as_json["polls"][0]["options"][0]["votes"] == 3
    rows = list(csv.DictReader(io.StringIO(minutes.to_csv(data))))
    assert rows[0].keys() == set(minutes.CSV_COLUMNS)
    yes = [r for r in rows if r["section"] == "poll_option" and r["number"] == "1.1"]
    assert {r["sector"]: r["count"] for r in yes} == {"all": "3", "government": "1", "business": "0", "ngo": "1",
                                                      "citizen": "1"}
    assert any(r["section"] == "decision" and r["item"] == "Plant 500 trees" for r in rows)
    md = minutes.to_markdown(data)
    assert "Plant 500 trees" in md and "| Yes | 3 | 1 | 0 | 1 | 1 |" in md


async def test_minutes_page_downloads_and_api(client, session) -> None:
    hearing, official_user, _official, people, _p = await closed_world(session)
    r = await client.get(f"/hearings/{hearing.id}/minutes", headers=EN)
    assert r.status_code == 200 and "Where will the trees grow?" in r.text and "Draft" in r.text
    assert 'action="/hearings/' not in r.text  # a visitor gets no forms
    for ext, media in (("md", "text/markdown"), ("csv", "text/csv"), ("json", "application/json")):
        r = await client.get(f"/hearings/{hearing.id}/minutes.{ext}", headers=EN)
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    csrf = await sign_in(client, session, official_user)
    r = await client.post(f"/hearings/{hearing.id}/minutes/decisions", data={"text": "", "_csrf_token": csrf},
                          headers=EN)
    assert r.status_code == 400 and 'role="alert"' in r.text and 'aria-invalid="true"' in r.text
    r = await client.post(f"/hearings/{hearing.id}/minutes/decisions",
                          data={"text": "Plant 500 trees", "_csrf_token": csrf}, headers=EN)
    assert r.status_code == 303
    org = people["business"][1].organization
    r = await client.post(f"/hearings/{hearing.id}/minutes/commitments", data={
        "text": "Sponsor the saplings", "organization_id": str(org.id), "deadline": "2031-05-01",
        "_csrf_token": csrf}, headers=EN)
    assert r.status_code == 303
    r = await client.get(f"/hearings/{hearing.id}/minutes", headers=EN)
    assert "Plant 500 trees" in r.text and "Sponsor the saplings" in r.text and "Publish the minutes" in r.text
    r = await client.get(f"/hearings/commitments/organization/{org.id}", headers=EN)
    assert r.status_code == 200 and "Sponsor the saplings" in r.text and hearing.title in r.text
    assert (await client.get("/hearings/commitments/organization/999999", headers=EN)).status_code == 404
    client.cookies.delete("asar_session")
    headers = await api_token(session, official_user)
    r = await client.get(f"/api/v1/hearings/{hearing.id}/minutes", headers=headers)
    body = r.json()
    assert r.status_code == 200 and body["decisions"][0]["text"] == "Plant 500 trees"
    cid = body["commitments"][0]["id"]
    r = await client.post(f"/api/v1/hearings/{hearing.id}/commitments/{cid}/status",
                          json={"status": "in_progress", "note": "Ordered"}, headers=headers)
    assert r.status_code == 200 and r.json()["commitments"][0]["history"][0]["note"] == "Ordered"
    r = await client.post(f"/api/v1/hearings/{hearing.id}/minutes/publish", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "published"
    r = await client.post(f"/api/v1/hearings/{hearing.id}/minutes/decisions", json={"text": "late"}, headers=headers)
    assert r.status_code == 409
    r = await client.post(f"/api/v1/hearings/{hearing.id}/minutes/decisions", json={"txt": 1}, headers=headers)
    assert r.status_code == 400



async def test_demo_hearings_are_built_once_with_minutes(session) -> None:
    from asar import demo
    from asar.hearings.models import Hearing, Registration

    await demo._load(session)
    assert await demo.load_demo_hearings(session) == 2
    assert await demo.load_demo_hearings(session) == 0
    hearings = {h.status: h for h in (await session.execute(select(Hearing))).scalars()}
    upcoming, closed = hearings["scheduled"], hearings["closed"]
    assert len(upcoming.agenda) == 4
    sectors = set((await session.execute(select(Registration.sector).where(
        Registration.hearing_id == upcoming.id))).scalars())
    assert sectors == {"government", "business", "ngo", "citizen"}
    assert closed.closed_at < closed.starts_at + timedelta(days=1) < closed.closed_at + timedelta(days=7)
    hearing, row = await minutes.closed_hearing(session, demo.Actor(), closed.id)
    data = await minutes.minutes_data(session, hearing, row)
    assert data["status"] == "published" and len(data["decisions"]) == 2
    assert all(q["answer"] for q in data["questions"])
    [poll] = data["polls"]
    assert poll["status"] == "closed" and all(poll["voters_by_sector"][s] > 0 for s in poll["voters_by_sector"])
    assert {c["state"] for c in data["commitments"]} == {"in_progress", "done"}


async def test_exports_name_the_responsible_organization_by_its_identifier(session) -> None:
    """issue 9 item 8: organizations in exports follow org-id.guide, KZ-BIN-<12 digits>."""
    hearing, _u, official, _people, _poll = await closed_world(session)
    org = await make_org(session, "business", name="Sapling Ltd")
    await commitments.add_commitment(session, official, hearing.id, commitments.CommitmentInput(
        "Give 500 saplings", org.id, date(2031, 1, 1)))
    hearing, row = await minutes.closed_hearing(session, official, hearing.id)
    data = await minutes.minutes_data(session, hearing, row)
    as_json = json.loads(minutes.to_json(data))
    assert as_json["commitments"][0]["organization"]["identifier"] == f"KZ-BIN-{org.bin}"
    rows = list(csv.DictReader(io.StringIO(minutes.to_csv(data))))
    assert [r["organization"] for r in rows if r["section"] == "commitment"] == [f"Sapling Ltd (KZ-BIN-{org.bin})"]
