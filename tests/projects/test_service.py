"""Projects through their verbs: drafts, publishing by verified organizations only, the lifecycle,
versions after publishing, bad input refused with a translated message and nothing changed,
updates and following with notifications. On PostgreSQL and on SQLite."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from asar.audit.models import AuditEntry
from asar.errors import Conflict, Invalid, PermissionDenied
from asar.i18n import use_language
from asar.notifications.models import Notification
from asar.projects import service
from asar.projects.forms import parse_project, parse_update
from asar.projects.models import Project, ProjectVersion
from asar.storage.models import StoredFile
from asar.web.templating import render_markdown
from tests.factories import BASE_URL, make_user
from tests.organizations.helpers import actor_of, make_org, region
from tests.projects.helpers import make_project, project_data

pytestmark = pytest.mark.sqlite


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English here (tests/projects/test_web.py reads them in kk and ru)."""
    with use_language("en"):
        yield


async def _verified_member(session, sector: str = "ngo"):
    owner = await make_user(session)
    org = await make_org(session, owner, sector, verified=True)
    return owner, org


async def test_an_unverified_organization_drafts_but_cannot_publish(session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    project = await make_project(session, owner)
    assert (project.status, project.version, project.organization_id) == ("draft", 0, org.id)
    with pytest.raises(PermissionDenied, match="not verified"):
        await service.publish_project(session, await actor_of(session, owner), project.id)
    assert (await service.load_project(session, project.id)).status == "draft"


async def test_publishing_makes_version_one_and_edits_make_more(session) -> None:
    owner, _org = await _verified_member(session)
    project = await make_project(session, owner, publish=True)
    assert (project.status, project.version) == ("published", 1)
    actor = await actor_of(session, owner)
    data = await project_data(session, title_ru="Библиотеки для 15 сельских школ", budget=12_000_000,
                              sponsorship_goal=7_000_000)
    data["milestones"][0]["amount"] = 8_000_000
    await service.update_project(session, actor, project.id, parse_project(data))
    await service.update_project(session, actor, project.id, parse_project(data))  # nothing changed: no version
    _p, versions = await service.list_versions(session, actor, project.id)
    assert [v.number for v in versions] == [1, 2]
    changed = {c.field for c in service.compare(versions[0].snapshot, versions[1].snapshot)}
    assert changed == {"title_ru", "budget", "sponsorship_goal", "milestones"}
    # anyone may compare the versions of a published project
    _p, public = await service.list_versions(session, await actor_of(session, await make_user(session)), project.id)
    assert len(public) == 2


async def test_the_kind_follows_the_sector(session) -> None:
    owner, _org = await _verified_member(session, "business")
    with pytest.raises(Invalid) as caught:
        await make_project(session, owner)  # a business posting an "NGO initiative"
    assert caught.value.errors["kind"] == "A business posts CSR programmes."
    project = await make_project(session, owner, kind="csr_programme", social_enterprise=True)
    assert (project.kind, project.social_enterprise) == ("csr_programme", True)


def _milestones_not_adding_up(data):
    data["milestones"][1]["amount"] = 3_000_000
    return data


def _milestone_outside(data):
    data["milestones"][1]["due_on"] = "2028-02-01"
    return data


BAD = {
    "zero budget": ({"budget": 0, "own_contribution": 0, "state_funding": 0, "sponsorship_goal": 0}, "budget",
                    "at least"),
    "negative": ({"own_contribution": -1_000_000}, "own_contribution", "cannot be negative"),
    "negative text": ({"own_contribution": "-5"}, "own_contribution", "cannot be negative"),
    "fractional": ({"budget": "10000000.50"}, "budget", "whole tenge"),
    "fractional float": ({"state_funding": 4_000_000.5}, "state_funding", "whole tenge"),
    "absurd": ({"budget": 10**15}, "budget", "too large"),
    "absurd digits": ({"sponsorship_goal": "9" * 30}, "sponsorship_goal", "too large"),
    "words": ({"budget": "ten million"}, "budget", "in digits"),
    "dates out of order": ({"starts_on": "2027-12-31", "ends_on": "2027-01-01"}, "ends_on", "end before"),
    "no date": ({"starts_on": "tomorrow"}, "starts_on", "Enter a date"),
    "year 9999": ({"ends_on": "9999-01-01"}, "ends_on", "Enter a date"),
    "stack short": ({"sponsorship_goal": 4_000_000}, "sponsorship_goal", "does not add up"),
    "no title": ({"title_kk": "", "title_ru": "  "}, "title_ru", "Kazakh or in Russian"),
    "four areas": ({"areas": [1, 2, 3, 4]}, "areas", "one to three"),
    "no region": ({"regions": []}, "regions", "at least one region"),
    "bad settlement": ({"regions": [{"region_id": 1, "settlement": "suburban"}]}, "regions", "from the list"),
    "unknown group": ({"target_groups": ["aliens"]}, "target_groups", "from the list"),
    "beneficiaries": ({"beneficiaries": -3}, "beneficiaries", "whole number"),
}


@pytest.mark.parametrize("label", [*BAD, "milestones", "milestone outside", "unknown region", "unknown area"])
async def test_bad_input_is_refused_with_a_message_and_changes_nothing(session, label) -> None:
    owner, _org = await _verified_member(session)
    actor = await actor_of(session, owner)
    data = await project_data(session)
    if label in BAD:
        overrides, field, words = BAD[label]
        data.update(overrides)
    elif label == "milestones":
        data, field, words = _milestones_not_adding_up(data), "milestones", "must add up"
    elif label == "milestone outside":
        data, field, words = _milestone_outside(data), "milestones", "outside the project's dates"
    elif label == "unknown region":
        data["regions"] = [{"region_id": 987654321, "settlement": "urban"}]
        field, words = "regions", "from the list"
    else:
        data["areas"] = [987654321]
        field, words = "areas", "from the list"
    with pytest.raises(Invalid) as caught:
        await service.create_project(session, actor, parse_project(data))
    assert words in caught.value.errors[field], caught.value.errors
    assert caught.value.message == "Please correct the errors below."
    assert (await session.execute(select(func.count(Project.id)))).scalar_one() == 0


async def test_an_edit_that_breaks_the_stack_changes_nothing(session) -> None:
    owner, _org = await _verified_member(session)
    project = await make_project(session, owner, publish=True)
    data = await project_data(session, budget=11_000_000)
    with pytest.raises(Invalid):
        await service.update_project(session, await actor_of(session, owner), project.id, parse_project(data))
    session.expunge_all()
    stored = await service.load_project(session, project.id)
    assert (stored.budget, stored.version, len(stored.milestones)) == (10_000_000, 1, 2)


async def test_markdown_with_a_script_is_shown_sanitized(session) -> None:
    owner, _org = await _verified_member(session)
    project = await make_project(session, owner, description="Hello <script>alert(1)</script>"
                                 "[x](javascript:alert(2)) <img src=x onerror=alert(3)>")
    html = str(render_markdown(project.description))
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "Hello" in html


async def test_the_lifecycle(session) -> None:
    owner, _org = await _verified_member(session)
    project = await make_project(session, owner, publish=True)
    actor = await actor_of(session, owner)
    with pytest.raises(Conflict):
        await service.change_status(session, actor, project.id, "completed")
    for status in ("funded", "in_progress"):
        project = await service.change_status(session, actor, project.id, status)
    milestone = project.milestones[0]
    reported = await service.report_milestone(session, actor, project.id, milestone.id)
    assert reported.reported_on is not None and reported.on_time is not None
    project = await service.change_status(session, actor, project.id, "completed")
    assert project.completed_at is not None
    with pytest.raises(Conflict):
        await service.change_status(session, actor, project.id, "cancelled", "too late")
    actions = (await session.execute(select(AuditEntry.action).where(AuditEntry.object_type == "project")
                                     .order_by(AuditEntry.id))).scalars().all()
    assert actions == ["project.created", "project.published", "project.funded", "project.in_progress",
                       "project.milestone_reported", "project.completed"]


async def test_cancelling_needs_a_reason(session) -> None:
    owner, _org = await _verified_member(session)
    project = await make_project(session, owner, publish=True)
    actor = await actor_of(session, owner)
    with pytest.raises(Invalid) as caught:
        await service.change_status(session, actor, project.id, "cancelled", "")
    assert "reason" in caught.value.errors
    project = await service.change_status(session, actor, project.id, "cancelled", "The school closed")
    assert (project.status, project.cancel_reason) == ("cancelled", "The school closed")


async def test_followers_are_told_of_updates_and_admins_of_followers(session) -> None:
    owner, _org = await _verified_member(session)
    project = await make_project(session, owner, publish=True)
    fan = await make_user(session, name="Fan")
    fan_actor = await actor_of(session, fan)
    assert await service.follow(session, fan_actor, project.id, base_url=BASE_URL) is True
    assert await service.follow(session, fan_actor, project.id, base_url=BASE_URL) is False  # once
    await service.post_update(session, await actor_of(session, owner), project.id,
                              parse_update({"title": "Books arrived", "body": "300 **books**"}), base_url=BASE_URL)
    kinds = dict((await session.execute(select(Notification.user_id, Notification.kind))).all())
    assert kinds == {fan.id: "project_update", owner.id: "project_followed"}
    session.expunge_all()
    assert (await service.load_project(session, project.id)).followers_count == 1
    assert await service.unfollow(session, fan_actor, project.id) is True
    session.expunge_all()
    assert (await service.load_project(session, project.id)).followers_count == 0


async def test_a_draft_cannot_be_followed_or_seen_by_others(session) -> None:
    owner, _org = await _verified_member(session)
    project = await make_project(session, owner)
    stranger = await actor_of(session, await make_user(session))
    with pytest.raises(Exception, match="not published"):
        await service.follow(session, stranger, project.id, base_url=BASE_URL)


def _png(**info: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG", **info)
    return out.getvalue()


async def test_a_cover_is_re_encoded_without_metadata(session) -> None:
    owner, _org = await _verified_member(session)
    project = await make_project(session, owner)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera maker
    raw = _png(exif=exif.tobytes()) + b"MZ\x90\x00 trailing payload"
    project = await service.set_cover(session, await actor_of(session, owner), project.id, raw)
    data = (await session.execute(select(StoredFile.data).where(StoredFile.id == project.cover_file_id))).scalar_one()
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    assert b"SecretCam" not in data and b"trailing payload" not in data
    assert Image.open(io.BytesIO(data)).getexif() == {}


@pytest.mark.parametrize("raw", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200,           # a Windows executable named .png
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,                              # a PNG header and nothing valid
    b"#!/bin/sh\nrm -rf /\n",
    b"",
])
async def test_a_file_that_is_not_an_image_is_refused(session, raw) -> None:
    owner, _org = await _verified_member(session)
    project = await make_project(session, owner)
    with pytest.raises(Invalid) as caught:
        await service.set_cover(session, await actor_of(session, owner), project.id, raw)
    assert "cover" in caught.value.errors
    assert (await session.execute(select(func.count(StoredFile.id)))).scalar_one() == 0


async def test_regions_keep_their_settlement(session) -> None:
    owner, _org = await _verified_member(session)
    both = (await region(session, "KZ-75")).id
    project = await make_project(session, owner, regions=[
        {"region_id": both, "settlement": "both"}, {"region_id": (await region(session, "KZ-31")).id,
                                                     "settlement": "rural"}])
    assert {(r.region_id, r.settlement) for r in project.regions} >= {(both, "both")}
    versions = (await session.execute(select(func.count(ProjectVersion.id)))).scalar_one()
    assert versions == 0  # a draft keeps no versions


async def test_saving_a_project_keeps_its_search_terms(session) -> None:
    from asar.projects.search import ProjectSearch

    owner, _org = await _verified_member(session)
    project = await make_project(session, owner, publish=True)
    row = await session.get(ProjectSearch, project.id)
    assert row is not None and "мектеп" in row.title_terms.split()
    data = await project_data(session, title_kk="Жасыл саябақ", title_ru="Зелёный парк")
    await service.update_project(session, await actor_of(session, owner), project.id, parse_project(data))
    session.expunge_all()
    row = await session.get(ProjectSearch, project.id)
    assert "мектеп" not in row.title_terms.split() and "парк" in row.title_terms.split()


def test_an_empty_part_of_the_funding_stack_is_none_of_it() -> None:
    """The form marks only the budget required: a part of the stack left empty (no state funding) is
    zero, not "Enter an amount in tenge." (the project-form browser journey found it); an empty
    budget is still refused."""
    from asar.errors import Invalid
    from asar.projects.forms import parse_project

    data = {"kind": "ngo_initiative", "title_ru": "Шахматный кружок", "summary_ru": "Кружок в сёлах.",
            "areas": ["1"], "regions": ["1"], "settlement_1": "rural", "starts_on": "2027-03-01",
            "ends_on": "2027-12-20", "budget": "3 000 000", "own_contribution": "500 000", "state_funding": "",
            "sponsorship_goal": "2 500 000",
            "milestones": [{"title": "Доски", "deliverable": "Акт", "due_on": "2027-06-01", "amount": "3 000 000"}]}
    parsed = parse_project(data)
    assert (parsed.own_contribution, parsed.state_funding, parsed.sponsorship_goal) == (500_000, 0, 2_500_000)
    with pytest.raises(Invalid) as refused:
        parse_project({**data, "budget": " "})
    assert "budget" in refused.value.errors and "state_funding" not in refused.value.errors
