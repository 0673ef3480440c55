"""The JSON API keeps its OpenAPI contract (`/schema/openapi.json`) for every kind of caller.

schemathesis generates requests for every operation from the schema itself and sends them to a
real server (uvicorn on loopback, a PostgreSQL database of its own) without a token and with the
token of each role: a citizen, an NGO member, a business member, an official and the platform
admin. Any 5xx, any status the operation does not declare, any body that does not match its
declared schema (errors included: `{"error": {...}}`) or a wrong content type fails the test.
Valid and invalid requests (as schemathesis' CLI makes them, a left-out token included); in about
half of them the path names things that exist. Examples per operation are bounded
(ASAR_CONTRACT_EXAMPLES, default 5) so that the whole run stays within a minute or so on two cores;
the generation is derandomized so that CI is repeatable.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from asar.accounts.models import ApiToken
from asar.competitions.applications.models import Application
from asar.competitions.models import Call
from asar.db import Database, utcnow
from asar.tokens import new_token, token_hash
from tests.conftest import make_settings
from tests.factories import make_user
from tests.live_server import live_server
from tests.services import Postgres

ROLES = ("anonymous", "citizen", "ngo_member", "business_member", "official", "admin")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

EXAMPLES = int(os.environ.get("ASAR_CONTRACT_EXAMPLES", "5"))  # per operation and role
ONLY = re.compile(os.environ.get("ASAR_CONTRACT_PATHS", ""))  # hunting: only the operations whose path matches


@dataclass
class Server:
    base_url: str
    tokens: dict[str, str]
    ids: dict[str, list[int]]  # path parameter -> ids that exist


async def _seed(db: Database) -> tuple[dict[str, str], dict[str, list[int]]]:
    """One person per role and a hearing in each state, built through the real service verbs."""
    from asar.hearings import commitments, minutes, polls, room, service
    from asar.hearings.forms import parse_hearing, parse_poll
    from tests.hearings.helpers import actor_of, hearing_fields, join, make_org

    async with db.sessionmaker() as s:
        # confirmed directly: this module-wide world is built before any test's mailbox records mail
        people = {role: await make_user(s, name=role.replace("_", " ").title(), confirmed=False,
                                        admin=role == "admin")
                  for role in ("citizen", "ngo_member", "business_member", "official", "admin")}
        for user in people.values():
            user.email_confirmed_at = utcnow()
        await s.commit()
        body = await make_org(s, "government", name="Akimat")
        ngo = await make_org(s, "ngo", name="NGO")
        business = await make_org(s, "business", name="Business")
        await join(s, people["official"], body, role="admin")
        await join(s, people["ngo_member"], ngo)
        await join(s, people["business_member"], business)
        chair = await actor_of(s, people["official"])
        ids: dict[str, list[int]] = {"org_id": [ngo.id, body.id, business.id], "hearing_id": [], "poll_id": [],
                                     "user_id": [u.id for u in people.values()]}
        for state in ("draft", "scheduled", "live", "closed"):
            h = await service.create_hearing(s, chair, parse_hearing(hearing_fields(title=f"{state} hearing")))
            ids["hearing_id"].append(h.id)
            if state != "draft":
                await service.schedule(s, chair, h.id)
                for role in ("citizen", "ngo_member", "business_member"):
                    await service.register(s, await actor_of(s, people[role]), h.id)
            if state in ("live", "closed"):
                await service.open_hearing(s, chair, h.id)
                poll = await polls.create_poll(s, chair, h.id, parse_poll({"question": "Agree?", "options": "Yes\nNo"}))
                await polls.open_poll(s, chair, h.id, poll.id)
                ids["poll_id"].append(poll.id)
                question, _ = await room.ask_question(s, await actor_of(s, people["citizen"]), h.id, f"q-{state}",
                                                      "Who pays?")
                ids.setdefault("question_id", []).append(question.id)
            if state == "closed":
                await service.close_hearing(s, chair, h.id)
                ids["decision_id"] = [(await minutes.add_decision(s, chair, h.id, "Plant trees")).id]
                ids["commitment_id"] = [(await commitments.add_commitment(s, chair, h.id, commitments.CommitmentInput(
                    "Plant 100 trees", ngo.id, date(2031, 6, 1)))).id]
        # a published project of the NGO and a draft, so that the projects' operations meet real ids
        from tests.projects.helpers import make_project

        ids["project_id"] = [(await make_project(s, people["ngo_member"], publish=True)).id,
                             (await make_project(s, people["ngo_member"])).id]
        # a notification for each person (the verification of the NGO), so that marking one read meets
        # real ids: the person's own, or someone else's (a 404)
        from asar.notifications.service import notify
        from asar.organizations import notices

        told = await notify(s, notices.VERIFIED.name, list(people.values()), key="contract", base_url="http://x",
                            params={"organization_id": ngo.id, "organization": notices.names_of(ngo)},
                            mail=lambda p: {"person": p.name, "organization": ngo, "sector": ngo.sector})
        ids["notification_id"] = [n.id for n in told]
        # a published project of the NGO with an offered pledge of the business and their thread
        from asar.pledges import interest
        from asar.pledges import service as pledges
        from tests.pledges.helpers import make_project

        project = await make_project(s, ngo, goal=10_000_000)
        sponsor = await actor_of(s, people["business_member"])
        pledge, _ = await pledges.pledge(s, sponsor, project.id, pledges.PledgeInput(1_000, "", {}, "contract-pledge"))
        thread, _m = await interest.express_interest(s, sponsor, project.id, "Interested.")
        ids.update(project_id=[project.id], pledge_id=[pledge.id], tranche_id=[pledge.tranches[0].id],
                   thread_id=[thread.id])
        ids.update(await _seed_competitions(s, people, ngo))
        tokens = {}
        # Large ids: a generated DELETE /api/v1/tokens/{small id} must not revoke the token under test.
        for n, (role, user) in enumerate(people.items()):
            token = new_token()
            s.add(ApiToken(id=9_000_000_000 + n, user_id=user.id, name="contract", token_hash=token_hash(token),
                           prefix=token[:8]))
            tokens[role] = token
        await s.commit()
    return tokens, ids


async def _seed_competitions(s: Any, people: dict[str, Any], ngo: Any) -> dict[str, list[int]]:
    """The Akimat's calls (the official acts for it), one per stage its routes answer differently in, built
    by the demo's builder through the competition verbs: a draft; a call in intake with the NGO member's
    draft and submitted application; one in its compliance check (the application not marked yet); one in
    scoring (the official chairs a commission with the citizen and the business member as experts, the
    NGO's application admissible, one sheet submitted); one at its decision (every sheet in, scoring
    closed); one with its results published and the NGO member's appeal open; one awarded, the agreement
    signed by the NGO's admin and the first milestone's report waiting for review. The id lists are aligned
    by index (call, lot, application, document of the same call), so a path naming two ids names a real
    pair. About a second of the module's set-up."""
    from sqlalchemy import select

    from asar.competitions import service as calls
    from asar.competitions.appeals.models import Appeal
    from asar.competitions.awards import service as awards
    from asar.competitions.awards.core import ReportInput
    from asar.competitions.awards.models import MilestoneEvidence
    from asar.competitions.evaluation import service as evaluation
    from asar.competitions.forms import MemberInput
    from asar.demo.competitions import DemoApplication, DemoCall, _build, demo_pdf
    from asar.reference.models import Area, Region
    from asar.uow import unit_of_work
    from tests.competitions.application_helpers import old_bin
    from tests.competitions.helpers import ensure_mci
    from tests.hearings.helpers import actor_of, join

    ngo.bin = old_bin()  # registered in 2015: the calls ask for 12 months at least
    ngo_admin = await make_user(s, name="NGO admin", confirmed=False)
    ngo_admin.email_confirmed_at = utcnow()
    await join(s, ngo_admin, ngo, role="admin")
    await ensure_mci(s, utcnow().year)
    await s.commit()
    by_email = {u.email: u for u in (*people.values(), ngo_admin)}

    async def actor_for(session: Any, email: str) -> Any:
        return await actor_of(session, by_email[email])

    issuer, member = people["official"].email, people["ngo_member"].email
    commission = (MemberInput(issuer, "Chair", "issuer", "chair"),
                  MemberInput(people["citizen"].email, "Expert A", "expert", "member"),
                  MemberInput(people["business_member"].email, "Expert B", "expert", "member"))
    lots = (("Lot 1", 10_000_000, 12), ("Lot 2", 10_000_000, 12))
    budget = (5_000_000, 3_000_000, 800_000)
    every_sheet = tuple((m.email, 0, "submit 8,7,4") for m in commission)

    def spec(stage: str, opened: int, apps: tuple[DemoApplication, ...] = (), title_ru: str = "",
             **more: Any) -> DemoCall:
        return DemoCall(issuer, stage, "state_grant", f"{stage} kk", title_ru or f"{stage} ru", "A call.",
                        ("youth",), ("KZ-75",), lots, opened, apps, **more)

    specs = {
        "draft": spec("draft", -3),
        "published": spec("published", 1, (DemoApplication(member, 1, "Draft", budget, state="draft"),
                                           DemoApplication(member, 2, "Submitted", budget))),
        "scoring": spec("scoring", 1, (DemoApplication(member, 1, "Scored", budget, mark="yes"),),
                        sheets=((issuer, 0, "submit 8,7,4"),), commission=commission),
        "compliance": spec("compliance", 1, (DemoApplication(member, 1, "Checked", budget),)),
        "decision": spec("scoring", 1, (DemoApplication(member, 1, "Decided", budget, mark="yes"),),
                         sheets=every_sheet, commission=commission,
                         title_ru="decision ru"),
        "appeal": spec("appeal", 1, (DemoApplication(member, 1, "Appealed", budget, mark="yes"),),
                       sheets=every_sheet, commission=commission,
                       appeal=(0, "The scores overlook our plan.")),
        "awarded": spec("results", 1, (DemoApplication(member, 1, "Awarded", budget, mark="yes"),),
                        sheets=every_sheet, commission=commission),
    }
    areas = dict((await s.execute(select(Area.code, Area.id))).all())
    regions = dict((await s.execute(select(Region.iso_code, Region.id))).all())
    made: dict[str, Any] = {}
    for name, one in specs.items():
        async with unit_of_work(s):
            await _build(s, one, actor_for, "http://x", areas, regions)
        made[name] = await calls.load_call(s, (await s.execute(select(Call.id).where(
            Call.title_ru == one.title_ru).order_by(Call.id.desc()))).scalars().first())
    async with unit_of_work(s):  # every sheet is in: scoring closes, the commission decides next
        await evaluation.close_scoring(s, await actor_of(s, people["official"]), made["decision"].id,
                                       base_url="http://x")
    # the awarded call: its appeal window over, awarded; the NGO's admin signs; the member reports
    official = await actor_of(s, people["official"])
    async with unit_of_work(s):
        call = await calls.load_call(s, made["awarded"].id, for_update=True)
        call.results_published_at = utcnow() - timedelta(days=10)
        call.appeals_close_at = await calls.appeal_deadline(s, call, call.results_published_at)
        await s.flush()
        (award,) = await awards.award_call(s, official, call.id, base_url="http://x")
        await awards.sign_agreement(s, await actor_of(s, ngo_admin), award.id, base_url="http://x")
        report = await awards.submit_report(s, await actor_of(s, people["ngo_member"]), award.id, ReportInput(
            narrative="Done.", achieved=["60", "8"], spent={"salaries": 1_000_000}),
            [(demo_pdf("Report"), "report.pdf")], base_url="http://x")
    apps = {c: (await s.execute(select(Application.id).where(Application.call_id == made[c].id)
                                .order_by(Application.lot_id))).scalars().all() for c in made}
    rows = [("published", 0, apps["published"][0]), ("published", 1, apps["published"][1]),
            ("scoring", 0, apps["scoring"][0]), ("compliance", 0, apps["compliance"][0]),
            ("decision", 0, apps["decision"][0]), ("appeal", 0, apps["appeal"][0]),
            ("awarded", 0, award.application_id), ("draft", 0, apps["published"][0])]  # a draft call has none
    await s.commit()
    return {"call_id": [made[c].id for c, _, _ in rows], "lot_id": [made[c].lots[n].id for c, n, _ in rows],
            "application_id": [a for _, _, a in rows], "document_id": [made[c].documents[0].id for c, _, _ in rows],
            "appeal_id": list((await s.execute(select(Appeal.id))).scalars()), "award_id": [award.id],
            "report_id": [report.id], "evidence_id": list((await s.execute(select(MilestoneEvidence.id))).scalars())}


@pytest.fixture(scope="module")
def server(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("contract")
    with live_server(postgres, lambda url: make_settings(url, tmp), _seed) as (base_url, (tokens, ids), _):
        yield Server(base_url, tokens, ids)


@pytest.fixture(scope="module")
def schema(server: Server) -> Any:
    return schemathesis.openapi.from_url(f"{server.base_url}/schema/openapi.json")


def cases(operation: Any) -> st.SearchStrategy[Any]:
    """Valid requests and, where the operation has input to spoil, invalid ones (as schemathesis' CLI)."""
    if not (operation.path_parameters or operation.query or operation.body):
        return operation.as_strategy()
    return st.one_of(operation.as_strategy(), operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))


def run_operations(schema: Any, base_url: str, headers: dict[str, str],
                   ids: dict[str, list[int]]) -> tuple[int, Counter[int], list[str]]:
    """(operations, calls by status, failures) after EXAMPLES generated requests per operation; in
    about half of them the path names things that exist (else nearly every answer would be a 404)."""
    operations = 0
    calls: Counter[int] = Counter()
    failures: list[str] = []
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        if not ONLY.search(operation.path):
            continue
        operations += 1

        @given(case=cases(operation), real=st.booleans(), pick=st.integers(0, 7))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case: Any, real: bool, pick: int) -> None:
            for name in case.path_parameters or {}:
                if real and name in ids:
                    case.path_parameters[name] = ids[name][pick % len(ids[name])]
            response = case.call(base_url=base_url, headers=headers, session=session)
            calls[response.status_code] += 1
            if response.status_code == 401 and response.request.headers.get("authorization") != headers.get(
                    "authorization"):
                calls[-401] += 1  # a negative case that left out or spoiled the token on purpose
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            check()
        except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis groups its failures
            failures.append(f"{operation.label}: {exc}")
    return operations, calls, failures


@pytest.mark.parametrize("role", ROLES)
def test_api_keeps_its_contract(role: str, server: Server, schema: Any) -> None:
    headers = {"accept-language": "en"}
    if role != "anonymous":
        headers["authorization"] = f"Bearer {server.tokens[role]}"
        me = requests.get(f"{server.base_url}/api/v1/me", headers=headers, timeout=10)
        assert me.status_code == 200, me.text  # the token really signs the role in
    started = time.monotonic()
    operations, calls, failures = run_operations(schema, server.base_url, headers, server.ids)
    total = sum(n for status, n in calls.items() if status > 0)
    print(f"{role}: {operations} operations, {total} calls in {time.monotonic() - started:.1f} s, "
          f"by status {sorted(calls.items())}")
    assert operations >= (40 if not ONLY.pattern else 1)
    assert total >= operations  # every operation was really called
    assert sum(n for status, n in calls.items() if 200 <= status < 300) > 0
    if role != "anonymous":
        assert calls[401] == calls[-401]  # the role's token was accepted wherever it was sent as given
    assert failures == [], "\n\n".join(failures)
