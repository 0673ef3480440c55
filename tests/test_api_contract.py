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
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
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
from asar.db import Database, utcnow
from asar.tokens import new_token, token_hash
from tests.conftest import make_settings
from tests.factories import make_user
from tests.live_server import live_server
from tests.services import Postgres

ROLES = ("anonymous", "citizen", "ngo_member", "business_member", "official", "admin")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

EXAMPLES = int(os.environ.get("ASAR_CONTRACT_EXAMPLES", "5"))  # per operation and role


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
        tokens = {}
        # Large ids: a generated DELETE /api/v1/tokens/{small id} must not revoke the token under test.
        for n, (role, user) in enumerate(people.items()):
            token = new_token()
            s.add(ApiToken(id=9_000_000_000 + n, user_id=user.id, name="contract", token_hash=token_hash(token),
                           prefix=token[:8]))
            tokens[role] = token
        await s.commit()
    return tokens, ids


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
    assert operations >= 40
    assert total >= operations  # every operation was really called
    assert sum(n for status, n in calls.items() if 200 <= status < 300) > 0
    if role != "anonymous":
        assert calls[401] == calls[-401]  # the role's token was accepted wherever it was sent as given
    assert failures == [], "\n\n".join(failures)
