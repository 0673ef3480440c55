"""Calls through their verbs: drafts by government bodies and businesses, publishing by verified issuers
only, the rule lock at the first submitted application and amendments after it (refused without a
reason; with one, published, extending the closing time, told to followers), the commission, and bad
input refused with a translated message. On PostgreSQL (each test a rolled-back transaction)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from asar.audit.models import AuditEntry
from asar.competitions import calendar, service
from asar.competitions.forms import parse_call, parse_members
from asar.competitions.models import Amendment, Call
from asar.db import utcnow
from asar.errors import Conflict, Invalid, PermissionDenied
from asar.i18n import use_language
from asar.live.models import LiveEvent
from asar.notifications.models import Notification
from tests.competitions.helpers import call_data, make_call
from tests.factories import BASE_URL, make_user
from tests.organizations.helpers import actor_of, make_official, make_org


@pytest.fixture(autouse=True)
def english():
    with use_language("en"):
        yield


async def _events(session, call_id: int) -> list[str]:
    q = select(LiveEvent.type).where(LiveEvent.stream == f"call:{call_id}").order_by(LiveEvent.seq)
    return list((await session.execute(q)).scalars())


async def test_a_draft_is_the_issuers_until_a_verified_issuer_publishes_it(session) -> None:
    official, body = await make_official(session)
    call = await make_call(session, official)
    assert (call.status, call.organization_id, [lot.position for lot in call.lots]) == ("draft", body.id, [1, 2])
    assert call.mci_year is not None and call.mci_value is not None  # the lots were checked against the MCI
    stranger = await actor_of(session, await make_user(session))
    with pytest.raises(Exception, match="does not exist"):
        await service.get_call(session, stranger, call.id)
    published = await service.publish_call(session, await actor_of(session, official), call.id)
    assert published.status == "published" and published.published_at is not None
    assert (await service.get_call(session, stranger, call.id)).id == call.id
    assert await _events(session, call.id) == ["call.published"]
    actions = (await session.execute(select(AuditEntry.action).where(AuditEntry.object_type == "call"))).scalars()
    assert list(actions) == ["call.created", "call.published"]


async def test_an_unverified_body_drafts_but_cannot_publish_and_an_ngo_cannot_issue(session) -> None:
    owner = await make_user(session)
    await make_org(session, owner, "government")
    call = await make_call(session, owner)
    with pytest.raises(PermissionDenied, match="not verified"):
        await service.publish_call(session, await actor_of(session, owner), call.id)
    ngo_owner = await make_user(session)
    await make_org(session, ngo_owner, "ngo", verified=True)
    with pytest.raises(PermissionDenied, match="government bodies and businesses"):
        await make_call(session, ngo_owner)
    business = await make_user(session)
    await make_org(session, business, "business", verified=True)
    with pytest.raises(Invalid) as caught:
        await make_call(session, business)  # a business issuing a "state grant"
    assert "business issues grant programmes" in caught.value.errors["kind"]


async def test_changing_a_locked_rule_without_an_amendment_is_refused(session) -> None:
    official, _body = await make_official(session)
    call = await make_call(session, official, publish=True)
    actor = await actor_of(session, official)
    follower = await make_user(session)
    await service.follow(session, await actor_of(session, follower), call.id)
    # before the lock an edit applies as it is
    data = await call_data(session, total_budget=31_000_000, opens_at=None)
    data["opens_at"], data["closes_at"] = (call.opens_at.isoformat(), call.closes_at.isoformat())
    assert await service.update_call(session, actor, call.id, parse_call(data)) is None
    assert (await service.load_call(session, call.id, for_update=True)).total_budget == 31_000_000

    assert await service.lock_rules(session, call.id) is True
    assert await service.lock_rules(session, call) is False  # the second submission changes nothing
    closes_before = (await service.load_call(session, call.id)).closes_at
    data["criteria"][0]["weight"], data["criteria"][1]["weight"] = 50, 50
    with pytest.raises(Conflict, match="rules are locked"):
        await service.update_call(session, actor, call.id, parse_call(data))
    fresh = await service.load_call(session, call.id, for_update=True)
    assert [c.weight for c in fresh.criteria] == [60, 40] and fresh.amendments_count == 0

    amendment = await service.update_call(session, actor, call.id, parse_call(data),
                                          reason="The commission weighs both equally.", base_url=BASE_URL)
    assert isinstance(amendment, Amendment)
    assert (amendment.number, amendment.parts, amendment.affects_applicants) == (1, ["criteria"], True)
    fresh = await service.load_call(session, call.id, for_update=True)
    assert [c.weight for c in fresh.criteria] == [50, 50]
    # five working days later than it was (by the working-day calendar)
    assert fresh.closes_at == await calendar.moved_by_working_days(session, closes_before, 5)
    assert fresh.closes_at - closes_before >= timedelta(days=5)
    assert amendment.closes_at_before == closes_before and amendment.closes_at_after == fresh.closes_at
    assert await _events(session, call.id) == ["call.published", "call.updated", "call.rules_locked",
                                               "call.amended"]
    told = (await session.execute(select(Notification.user_id).where(Notification.kind == "call_amended"))).scalars()
    assert list(told) == [follower.id]


async def test_an_amendment_of_the_text_alone_keeps_the_closing_time(session) -> None:
    official, _body = await make_official(session)
    call = await make_call(session, official, publish=True)
    await service.lock_rules(session, call.id)
    data = await call_data(session, description="A clearer description.")
    data["opens_at"], data["closes_at"] = call.opens_at.isoformat(), call.closes_at.isoformat()
    closes = call.closes_at
    row = await service.update_call(session, await actor_of(session, official), call.id, parse_call(data),
                                    reason="Typos.", base_url=BASE_URL)
    assert row is not None and (row.parts, row.affects_applicants) == (["text"], False)
    assert (await service.load_call(session, call.id, for_update=True)).closes_at == closes
    # after the lock, intake may not close earlier than announced
    data["closes_at"] = (closes - timedelta(days=1)).isoformat()
    with pytest.raises(Invalid) as caught:
        await service.update_call(session, await actor_of(session, official), call.id, parse_call(data),
                                  reason="Shorter.", base_url=BASE_URL)
    assert "cannot close earlier" in caught.value.errors["closes_at"]


def _error(data, field: str) -> str:
    with pytest.raises(Invalid) as caught:
        parse_call(data)
    return caught.value.errors[field]


async def test_bad_input_is_refused_with_a_message(session) -> None:
    data = await call_data(session)
    lots = data["lots"]
    assert "more than the call's total budget" in _error({**data, "total_budget": 17_000_000}, "lots")
    assert "at most" in _error({**data, "total_budget": 10**16}, "total_budget")
    assert "whole tenge" in _error({**data, "total_budget": "1.5"}, "total_budget")
    assert "cannot close before it opens" in _error({**data, "closes_at": data["opens_at"]}, "closes_at")
    assert "between 2000 and 2099" in _error({**data, "opens_at": "9999-01-01T00:00"}, "opens_at")
    assert "must add up to 100" in _error({**data, "criteria": [{**data["criteria"][0], "weight": 70},
                                                                 data["criteria"][1]]}, "criteria")
    assert "duration in whole months" in _error({**data, "lots": [{**lots[0], "duration_months": 10**12}]}, "lots")
    assert "Kazakh, Russian or both" in _error({**data, "languages": ["en"]}, "languages")
    assert "from 0 to 600" in _error({**data, "eligibility": [{"rule": "organization_age", "months": -1}]},
                                     "eligibility")
    assert "Unknown eligibility rule" in _error({**data, "eligibility": [{"rule": "no_such_rule"}]}, "eligibility")
    official, _body = await make_official(session)
    actor = await actor_of(session, official)
    for overrides, message in (
        ({"lots": [{**lots[0], "budget": 100_000}]}, "500 to 3000 MCI"),          # below the short class
        ({"lots": [{**lots[0], "duration_months": 18}]}, "runs 3 to 12 months"),
        ({"lots": [{**lots[0], "size_class": ""}]}, "choose its grant size class"),
    ):
        with pytest.raises(Invalid) as caught:
            await service.create_call(session, actor, parse_call(await call_data(session, **overrides)))
        assert message in caught.value.errors["lots"].replace("\u00a0", "").replace(",", ""), caught.value.errors
    short, long_ = await call_data(session), await call_data(session)
    opens = parse_call(short).opens_at
    short["closes_at"] = (opens + timedelta(days=10)).isoformat()
    long_["closes_at"] = (opens + timedelta(days=31)).isoformat()
    for data_ in (short, long_):
        with pytest.raises(Invalid) as caught:
            await service.create_call(session, actor, parse_call(data_))
        assert caught.value.errors["closes_at"] == "Intake stays open from 20 to 30 days."
    assert (await session.execute(select(func.count(Call.id)))).scalar_one() == 0


async def test_the_commission_is_odd_at_most_fifteen_and_told(session) -> None:
    official, _body = await make_official(session)
    call = await make_call(session, official)
    expert = await make_user(session)
    actor = await actor_of(session, official)
    with pytest.raises(Invalid) as caught:
        parse_members([{"email": "a@example.kz"}, {"email": "b@example.kz"}])
    assert "odd number" in caught.value.errors["members"]
    with pytest.raises(Invalid) as caught:
        parse_members([{"email": f"m{i}@example.kz"} for i in range(17)])
    assert "at most 15" in caught.value.errors["members"]
    # someone registered the new expert's address without confirming it: that proves nothing
    squatter = await make_user(session, email="new.expert@example.kz", confirmed=False)
    members = parse_members([{"email": official.email, "role": "chair"},
                             {"email": expert.email.upper(), "source": "expert"},
                             {"email": "new.expert@example.kz", "name": "Айгүл", "source": "expert"}])
    rows = await service.set_commission(session, actor, call.id, members, base_url=BASE_URL)
    assert sorted((r.email, r.user_id is not None) for r in rows) == sorted(
        [(official.email, True), (expert.email.lower(), True), ("new.expert@example.kz", False)])
    told = set((await session.execute(select(Notification.user_id)
                                      .where(Notification.kind == "call_commission_invited"))).scalars())
    assert told == {official.id, expert.id}
    with pytest.raises(PermissionDenied):  # an unconfirmed address proves nothing
        await service.claim_invitations(session, await actor_of(session, squatter))
    newcomer = squatter
    newcomer.email_confirmed_at = utcnow()
    assert await service.claim_invitations(session, await actor_of(session, newcomer)) == 1
    assert newcomer.id in (await service.load_call(session, call.id, for_update=True)).member_user_ids
    seat = next(r.id for r in rows if r.email == "new.expert@example.kz")
    claimed = (await session.execute(select(AuditEntry.actor_id, AuditEntry.object_id, AuditEntry.details)
                                     .where(AuditEntry.action == "call.commission_seat_claimed"))).all()
    assert claimed == [(newcomer.id, call.id, {"member_id": seat})]  # on the record, once
    assert await service.claim_invitations(session, await actor_of(session, newcomer)) == 0


async def test_the_call_stream_admits_readers_of_public_calls_and_snapshots_the_lock(session) -> None:
    from asar.competitions.live import CallStream
    from asar.live import NotAllowed

    official, _body = await make_official(session)
    draft = await make_call(session, official)
    call = await make_call(session, official, publish=True)
    kind = CallStream()
    visitor = await actor_of(session, await make_user(session))
    with pytest.raises(NotAllowed):
        await kind.admit(session, visitor, draft.id)
    reader, seq = await kind.admit(session, visitor, call.id)
    assert (reader.privileged, seq) == (False, 1)
    issuer, _seq = await kind.admit(session, await actor_of(session, official), call.id)
    assert issuer.privileged
    await service.lock_rules(session, call.id)
    data = await call_data(session, total_budget=40_000_000)
    data["opens_at"], data["closes_at"] = call.opens_at.isoformat(), call.closes_at.isoformat()
    await service.update_call(session, await actor_of(session, official), call.id, parse_call(data),
                              reason="More money.", base_url=BASE_URL)
    snap = await kind.snapshot(session, call.id, reader)
    assert (snap["seq"], snap["amendments"], snap["rules_locked"], snap["status"]) == (3, 1, True, "published")


async def test_the_appeal_window_counts_working_days_of_the_real_calendar(session) -> None:
    """Results on Friday 24 October 2025 at noon, one working day to appeal: 25 October (a holiday) fell
    on a Saturday, so Monday 27 October was off; the window ends when Tuesday 28 October ends."""
    from datetime import datetime

    from asar.i18n import TIMEZONE

    official, _body = await make_official(session)
    call = await make_call(session, official, appeal_days=1)
    results_at = datetime(2025, 10, 24, 12, 0, tzinfo=TIMEZONE)
    assert await service.appeal_deadline(session, call, results_at) == datetime(2025, 10, 29, 0, 0, tzinfo=TIMEZONE)
    call.appeal_days = 5  # 28, 29, 30, 31 October and 3 November
    assert await service.appeal_deadline(session, call, results_at) == datetime(2025, 11, 4, 0, 0, tzinfo=TIMEZONE)
