"""50 concurrent pledges racing for the last 1,000,000 ₸ of a project, through two real `asar serve`
instances on one PostgreSQL database and one Redis (issue 9, "Show"): offers are serialized on the
project's row, so exactly as many fit as the open gap allows and the rest are refused; ten of them
are sent twice at once, once to each instance, with the same Idempotency-Key, and count once. Then
the project's organization accepts every offer at once through both instances while a watcher reads
the committed total: it never exceeds the goal, and the accepted pledges add up to it exactly."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from asar.accounts.models import ApiToken
from asar.db import Database
from asar.domains import job_registry
from asar.jobs import JobQueue
from asar.pledges import service
from asar.pledges.models import Pledge
from asar.pledges.service import PledgeInput
from asar.projects.models import Project
from asar.tokens import new_token, token_hash
from tests.conftest import make_settings
from tests.factories import make_user
from tests.hearings.helpers import actor_of, join, make_org
from tests.hearings.test_scale import running_pair
from tests.pledges.helpers import make_project
from tests.services import Redis

GOAL = 5_000_000
ALREADY = 4_000_000  # accepted before the race: 1,000,000 left
SPONSORS = 50
AMOUNT = 40_000  # 25 of them fit exactly
RETRIED = 10  # requests sent twice at once, to both instances, with one key


async def _world(url: str) -> dict[str, Any]:
    database = Database.from_url(url)
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(url, Path(tmp))
        database.sessionmaker.kw.setdefault("info", {})["jobs"] = JobQueue(
            {"db": database, "settings": settings}, jobs=job_registry().jobs, inline=True)
        try:
            async with database.sessionmaker() as db:
                ngo = await make_org(db, "ngo", name="Race NGO")
                project = await make_project(db, ngo, goal=GOAL)
                owner = await make_user(db, name="NGO member")
                await join(db, owner, ngo)
                first = await make_org(db, "business", name="First sponsor")
                early = await make_user(db, name="Early sponsor")
                await join(db, early, first)
                p, _ = await service.pledge(db, await actor_of(db, early), project.id,
                                            PledgeInput(ALREADY, "", {}, "race-early-pledge"))
                await service.accept_pledge(db, await actor_of(db, owner), p.id)
                tokens = []
                for i in range(SPONSORS):
                    org = await make_org(db, "business", name=f"Sponsor {i}")
                    user = await make_user(db, name=f"Sponsor member {i}", confirmed=False)
                    await join(db, user, org)
                    tokens.append(new_token())
                    await db.execute(insert(ApiToken).values(user_id=user.id, name="race",
                                                             token_hash=token_hash(tokens[-1]), prefix=tokens[-1][:8]))
                owner_token = new_token()
                await db.execute(insert(ApiToken).values(user_id=owner.id, name="race", token_hash=token_hash(owner_token),
                                                         prefix=owner_token[:8]))
                await db.commit()
                return {"project": project.id, "tokens": tokens, "owner": owner_token}
        finally:
            await database.close()


async def _committed(url: str, project_id: int) -> tuple[int, str, int]:
    database = Database.from_url(url)
    try:
        async with database.sessionmaker() as db:
            project = await db.get(Project, project_id)
            assert project is not None
            accepted = (await db.execute(select(func.coalesce(func.sum(Pledge.amount), 0)).where(
                Pledge.project_id == project_id, Pledge.state == "accepted"))).scalar_one()
            return project.committed, project.status, int(accepted)
    finally:
        await database.close()


async def test_fifty_concurrent_pledges_through_two_instances_never_pass_the_goal(
        own_redis: Redis, live_db_url: str, tmp_path: Path) -> None:
    world = await _world(live_db_url)
    project_id = world["project"]
    async with running_pair(live_db_url, f"redis://127.0.0.1:{own_redis.port}/0", tmp_path) as (a, b):
        bases = [f"http://127.0.0.1:{a.port}", f"http://127.0.0.1:{b.port}"]
        async with httpx.AsyncClient(timeout=60) as http:

            async def offer(i: int, base: str) -> httpx.Response:
                return await http.post(f"{base}/api/v1/projects/{project_id}/pledges", json={"amount": AMOUNT},
                                       headers={"Authorization": f"Bearer {world['tokens'][i]}",
                                                "Idempotency-Key": f"race-{i:04d}-key", "accept-language": "en"})

            sends = [offer(i, bases[i % 2]) for i in range(SPONSORS)]
            sends += [offer(i, bases[(i + 1) % 2]) for i in range(RETRIED)]  # the same request, other instance
            answers = await asyncio.gather(*sends)
            statuses = [r.status_code for r in answers]
            assert set(statuses) <= {200, 201, 400}, [r.text for r in answers if r.status_code not in (200, 201, 400)]
            made = {r.json()["id"] for r in answers if r.status_code == 201}
            assert len(made) == 1_000_000 // AMOUNT == statuses.count(201)
            for r in answers:
                if r.status_code == 400:
                    assert r.json()["error"]["fields"]["amount"] in (
                        "This project needs no more pledges: its sponsorship goal is covered.",
                        f"The amount is more than the project still needs ({AMOUNT // 1000} 000\u00a0₸).")
            for i in range(RETRIED):  # the two copies of one request got one answer
                first, second = answers[i], answers[SPONSORS + i]
                assert (first.status_code == 400) == (second.status_code == 400)
                if first.status_code != 400:
                    assert first.json()["id"] == second.json()["id"]
                    assert sorted((first.status_code, second.status_code)) == [200, 201]

            seen: list[int] = []
            stop = asyncio.Event()

            async def watch() -> None:
                while not stop.is_set():
                    committed, _status, _accepted = await _committed(live_db_url, project_id)
                    seen.append(committed)
                    await asyncio.sleep(0.01)

            watcher = asyncio.create_task(watch())
            owner = {"Authorization": f"Bearer {world['owner']}", "accept-language": "en"}
            accepts = await asyncio.gather(*(http.post(f"{bases[n % 2]}/api/v1/pledges/{pid}/accept", headers=owner)
                                             for n, pid in enumerate(sorted(made))))
            stop.set()
            await watcher
    assert [r.status_code for r in accepts] == [200] * len(made)
    committed, status, accepted = await _committed(live_db_url, project_id)
    assert committed == accepted == GOAL  # accepted pledges add up exactly; the goal is reached
    assert status == "funded"
    assert seen and max(seen) <= GOAL and seen == sorted(seen)
