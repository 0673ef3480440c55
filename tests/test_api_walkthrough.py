"""The documented example sessions, run line by line against one real server, so the pages cannot rot:
docs/api.md (a newcomer's way to a vote in a live hearing) and docs/competitions-api.md (a competition
from the call to a released tranche).

Every ```sh block is read in order: `curl` commands are sent as written (method, headers, body or
multipart parts `-F`, URL after the shell's variable expansion), `NAME=$(curl … | jq -r PATH)` keeps a
field of the answer, `# ← NNN {…}` checks the status of the command before it and what it shows (every
key shown is in the answer, and every literal value shown is some object's value for that key; `…`
stands for anything; `# ← NNN text/csv: header…` checks a file's media type and how it starts; `-o FILE` keeps it), and `NAME=…`
lines are the values a person gets elsewhere (the site's address, the mailed links, the tokens, the
dates they choose), which the test supplies. `# wait: …` is time passing: the test moves the call's own
moment into the past and runs the real job, as the browser journey does. A command answered with an
error must be followed by the `# ←` line showing it. The ```python block (a WebSocket client) is then run
as it is.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from asar.db import Database, utcnow
from tests.conftest import make_settings
from tests.live_server import live_server
from tests.mailbox import delivered_to, recording
from tests.services import Postgres

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"
EMAIL = "aigerim@example.kz"


async def _seed(db: Database) -> dict[str, Any]:
    """What exists before the person arrives: a live hearing with an open poll, run by an official,
    and a verified NGO whose administrator has an API token."""
    from asar.accounts import service as accounts
    from asar.hearings import polls, service
    from asar.hearings.forms import parse_hearing, parse_poll
    from tests.factories import make_user
    from tests.hearings.helpers import actor_of, hearing_fields, join, make_org

    async with db.sessionmaker() as s:
        official = await make_user(s, name="Official")
        body = await make_org(s, "government", name="City akimat")
        await join(s, official, body, role="admin")
        chair = await actor_of(s, official)
        hearing = await service.create_hearing(s, chair, parse_hearing(hearing_fields(title="Parks")))
        await service.schedule(s, chair, hearing.id)
        await service.open_hearing(s, chair, hearing.id)
        poll = await polls.create_poll(s, chair, hearing.id, parse_poll({"question": "More parks?",
                                                                         "options": "Yes\nNo"}))
        await polls.open_poll(s, chair, hearing.id, poll.id)
        admin = await make_user(s, name="NGO admin")
        ngo = await make_org(s, "ngo", name="Green City")
        await join(s, admin, ngo, role="admin")
        _, admin_token = await accounts.create_api_token(s, await actor_of(s, admin), {"name": "admin"})
        return {"ngo": ngo.id, "admin_token": admin_token, "hearing": hearing.id, "poll": poll.id}


def _mailed(kind: str, pattern: str) -> Callable[[], str]:
    def token() -> str:
        mails = delivered_to(EMAIL, kind)
        assert mails, f"no {kind} mail was delivered to {EMAIL}"
        match = re.search(pattern, mails[-1].body_text)
        assert match, mails[-1].body_text
        return match.group(1)

    return token


def expand(line: str, env: dict[str, str]) -> str:
    """The shell's $NAME and ${NAME} expansion, outside single quotes."""
    out, quoted, i = [], False, 0
    while i < len(line):
        char = line[i]
        if char == "'":
            quoted = not quoted
        elif char == "$" and not quoted:
            m = re.match(r"\$\{(\w+)\}|\$(\w+)", line[i:])
            if m:
                name = m.group(1) or m.group(2)
                assert name in env, f"the example uses ${name} before setting it"
                out.append(env[name])
                i += m.end()
                continue
        out.append(char)
        i += 1
    return "".join(out)


def jq(value: Any, path: str) -> Any:
    """`jq -r` for the paths the pages use: .field, .field[0].field, .[0].field."""
    for field, index in re.findall(r"\.(\w+)|\[(\d+)\]", path.strip("'\"")):
        value = value[field] if field else value[int(index)]
    return value


class Shell:
    def __init__(self, http: httpx.Client, given: dict[str, Callable[[], str]], *,
                 files: dict[str, bytes] | None = None, waits: dict[str, Callable[[], None]] | None = None) -> None:
        self.http = http
        self.given = given
        self.files = files or {}
        self.waits = waits or {}
        self.env: dict[str, str] = {}
        self.last: httpx.Response | None = None
        self.unchecked: str | None = None  # a command answered with an error, until its `# ←` line
        self.curls = 0
        self.waited: list[str] = []
        self.seen: list[tuple[str, str, int]] = []  # method, path, status of every request sent

    def curl(self, command: str) -> httpx.Response:
        self.settle()
        args = shlex.split(expand(command, self.env))
        assert args[0] == "curl", command
        method, headers, data, url, output = None, {}, None, None, None
        parts: list[tuple[str, Any]] = []
        it = iter(args[1:])
        for arg in it:
            if arg == "-X":
                method = next(it)
            elif arg == "-H":
                name, _, value = next(it).partition(":")
                headers[name.strip()] = value.strip()
            elif arg == "-d":
                data = next(it)
            elif arg == "-o":
                output = next(it)
            elif arg == "-F":
                name, _, value = next(it).partition("=")
                if value.startswith("@"):
                    filename, _, media = value[1:].partition(";type=")
                    assert filename in self.files, f"the example sends {filename}, which the test does not have"
                    parts.append((name, (filename, self.files[filename], media or "application/octet-stream")))
                else:
                    parts.append((name, (None, value.encode())))
            elif arg.startswith("http"):
                url = arg
            else:
                assert arg in ("-s", "-S", "-sS"), f"the test does not know curl's {arg}"
        assert url is not None, command
        assert not (parts and data is not None), command
        self.last = self.http.request(method or ("POST" if data is not None or parts else "GET"), url,
                                      headers=headers, content=data, files=parts or None)
        self.curls += 1
        if output is not None and self.last.status_code < 400:
            self.files[output] = self.last.content  # curl -o: the file kept
        self.seen.append((self.last.request.method, self.last.request.url.path, self.last.status_code))
        if self.last.status_code >= 400:
            self.unchecked = command
        return self.last

    def settle(self) -> None:
        """An error answer the page did not show is a broken example."""
        assert self.unchecked is None or self.last is None, (self.unchecked, self.last.status_code, self.last.text)

    def expect(self, status: int, shown: str) -> None:
        assert self.last is not None and self.last.status_code == status, (status, self.last and self.last.text)
        self.unchecked = None
        if m := re.match(r"\s*([\w/.+-]+): (.*?)…?$", shown):  # a file: its media type and how it starts
            assert self.last.headers["content-type"].startswith(m.group(1)), self.last.headers
            assert self.last.content.startswith(m.group(2).encode()), self.last.content[:300]
            return
        if not shown.strip():
            return
        answer = self.last.json()
        missing = set(re.findall(r'"(\w+)":', shown)) - keys(answer)
        assert not missing, (missing, self.last.text)  # the fields the page shows must be there
        for key, literal in re.findall(r'"(\w+)": ("[^"…]*"|-?\d+|true|false|null)(?=[,}\]])', shown):
            if key == "id" or key.endswith("_id"):
                continue  # ids in the page are examples
            value = json.loads(literal)
            assert value in values_of(answer, key), (key, value, self.last.text)

    def run(self, line: str) -> None:
        if m := re.fullmatch(r"# ← (\d{3})\b(.*)", line):
            self.expect(int(m.group(1)), m.group(2))
        elif m := re.fullmatch(r"# wait: (.*)", line):
            self.settle()
            name = next((name for name in self.waits if m.group(1).startswith(name)), None)
            assert name is not None, f"the test cannot make this time pass: {line}"
            self.waits[name]()
            self.waited.append(name)
        elif not line or line.startswith("#"):
            return
        elif m := re.fullmatch(r"(\w+)=\$\((curl .*) \| jq -r (\S+)\)", line):
            answer = self.curl(m.group(2))
            assert self.unchecked is None, (line, answer.status_code, answer.text)
            value = jq(answer.json(), m.group(3))
            assert value not in (None, ""), line
            self.env[m.group(1)] = str(value)
        elif m := re.fullmatch(r"(\w+)=\S+(\s+#.*)?", line):
            assert m.group(1) in self.given, f"the example sets {m.group(1)}, which the test cannot supply"
            self.env[m.group(1)] = self.given[m.group(1)]()
        else:
            self.curl(line)

    def walk(self, text: str) -> None:
        """Every ```sh block of the page, in order."""
        for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL):
            for line in logical_lines(block):
                self.run(line)
        self.settle()


def undeclared(shell: Shell, base_url: str) -> list[tuple[str, str, int]]:
    """The answers the example got that the OpenAPI document does not declare for their operation (a
    client generated from the schema would not expect them)."""
    spec = shell.http.get(f"{base_url}/schema/openapi.json").json()
    templates = [(re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$"), ops)
                 for path, ops in spec["paths"].items()]
    out = []
    for method, path, status in shell.seen:
        ops = next((ops for pattern, ops in templates if pattern.match(path)), None)
        responses = (ops or {}).get(method.lower(), {}).get("responses", {})
        if str(status) not in responses:
            out.append((method, path, status))
    return out


def values_of(value: Any, key: str) -> list[Any]:
    """Every value of `key` in a JSON value, at any depth."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == key] + [x for v in value.values() for x in values_of(v, key)]
    if isinstance(value, list):
        return [x for v in value for x in values_of(v, key)]
    return []


def keys(value: Any) -> set[str]:
    """Every key in a JSON value, at any depth."""
    if isinstance(value, dict):
        return set(value).union(*(keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys(v) for v in value))
    return set()


def logical_lines(block: str) -> list[str]:
    """The commands of a block: a line ending in a backslash goes on on the next, and so does a command
    whose single-quoted argument (a JSON body) spans lines."""
    out: list[str] = []
    for line in block.replace("\\\n", " ").splitlines():
        if out and out[-1].count("'") % 2 and re.match(r"(\w+=\$\()?curl ", out[-1]):
            out[-1] += " " + line.strip()
        else:
            out.append(line.strip())
    return out


Served = tuple[str, dict[str, Any], str]


@pytest.fixture(scope="module")
def served(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One live server for both pages: (base URL, each page's world, database URL)."""
    async def seed(db: Database) -> dict[str, Any]:
        return {"hearings": await _seed(db), "competitions": await _seed_competition(db)}

    data_dir = tmp_path_factory.mktemp("walkthrough")
    with recording(), live_server(postgres, lambda url: make_settings(url, data_dir), seed) as running:
        yield running  # (the seed's mails are recorded here: conftest's `mailbox` is per test)


def test_the_documented_session_takes_a_newcomer_to_a_vote(served: Served, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    text = DOC.read_text(encoding="utf-8")
    shell_blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    python_blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert len(shell_blocks) >= 7 and len(python_blocks) == 1

    base_url, worlds, _ = served
    world = worlds["hearings"]
    with httpx.Client(timeout=30) as http:
        shell = Shell(http, {
            "ASAR": lambda: base_url,
            "ORG": lambda: str(world["ngo"]),
            "ADMIN_TOKEN": lambda: world["admin_token"],
            "CONFIRM_TOKEN": _mailed("confirm", r"/confirm/(\S+)"),
            "INVITE_TOKEN": _mailed("invitation", r"/invitations/(\S+)"),
        })
        shell.walk(text)
        assert undeclared(shell, base_url) == []
        assert shell.curls >= 9
        assert shell.env["HEARING"] == str(world["hearing"])

        for name in ("ASAR", "HEARING", "TOKEN"):
            monkeypatch.setenv(name, shell.env[name])
        code = compile(python_blocks[0], str(DOC), "exec")
        exec(code, {"__name__": "__main__"})  # noqa: S102 -- the documented client, as written
        printed = capsys.readouterr().out
        assert "'role': 'participant'" in printed and "'sector': 'ngo'" in printed, printed

        results = http.get(f"{base_url}/api/v1/hearings/{world['hearing']}/polls/{world['poll']}/results").json()
        assert results["voters_by_sector"]["ngo"] == 1, results  # the newcomer's vote, counted for the NGO
        me = http.get(f"{base_url}/api/v1/me", headers={"authorization": f"Bearer {shell.env['TOKEN']}"}).json()
        assert me["email"] == EMAIL and me["confirmed"] and me["acting_organization_id"] == world["ngo"]
        assert me["memberships"][0]["role"] == "member"


COMPETITIONS_DOC = DOC.with_name("competitions-api.md")
COMMISSION = {"MEMBER_A_TOKEN": "dana@example.kz", "MEMBER_B_TOKEN": "erlan@example.kz",
              "MEMBER_C_TOKEN": "gulnar@example.kz"}


async def _seed_competition(db: Database) -> dict[str, Any]:
    """What exists before the competition starts: a verified government body with its official, a verified
    NGO registered years ago with its administrator, the three people the commission will name, each with
    an API token; the MCI of this year and the next (the year intake opens)."""
    from asar.accounts import service as accounts
    from asar.organizations.models import Organization
    from tests.competitions.application_helpers import old_bin
    from tests.competitions.helpers import ensure_mci
    from tests.factories import make_user
    from tests.hearings.helpers import actor_of, join

    async with db.sessionmaker() as s:
        async def token(user: Any) -> str:
            return (await accounts.create_api_token(s, await actor_of(s, user), {"name": "client"}))[1]

        orgs = {}
        for sector, name in (("government", "Akimat of Abai District"), ("ngo", "Rural Youth")):
            org = Organization(sector=sector, name_kk=name, name_ru=name, name_en=name, bin=old_bin(),
                               legal_form="state_body" if sector == "government" else "public_association",
                               verified_at=utcnow())
            s.add(org)
            await s.commit()
            orgs[sector] = org
        official = await make_user(s, name="Official Aliya")
        await join(s, official, orgs["government"], acting=False, role="admin")
        ngo_admin = await make_user(s, name="Aigerim Bekova")
        await join(s, ngo_admin, orgs["ngo"], role="admin")
        tokens = {"OFFICIAL_TOKEN": await token(official), "NGO_TOKEN": await token(ngo_admin)}
        for name, email in COMMISSION.items():
            tokens[name] = await token(await make_user(s, email=email, name=email.split("@")[0].title()))
        for year in (utcnow().year, utcnow().year + 1):
            await ensure_mci(s, year)
        await s.commit()
        return {"body": orgs["government"].id, "ngo": orgs["ngo"].id, **tokens}


def _move(db_url: str, shell: Shell, column: str, job: Callable[[Database], Awaitable[Any]] | None = None
          ) -> Callable[[], None]:
    """Time passing: the call's own moment a second into the past, then the job that acts on it."""
    from sqlalchemy import update

    from asar.competitions.models import Call

    async def move() -> None:
        db = Database.from_url(db_url)
        try:
            async with db.sessionmaker() as s:
                await s.execute(update(Call).where(Call.id == int(shell.env["CALL"]))
                                .values({column: utcnow() - timedelta(seconds=1)}))
                await s.commit()
            if job is not None:
                await job(db)
        finally:
            await db.close()

    return lambda: asyncio.run(move())


def test_the_documented_competition_goes_from_a_call_to_a_released_tranche(
        served: Served, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from asar.competitions.compliance.jobs import open_compliance_checks
    from tests.competitions.application_helpers import real_pdf
    from tests.competitions.helpers import almaty

    text = COMPETITIONS_DOC.read_text(encoding="utf-8")
    python_blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert len(python_blocks) == 1
    opens = utcnow() - timedelta(hours=1)

    async def opened(db: Database) -> None:
        assert await open_compliance_checks({"db": db}) == 1  # the real job, as the server runs it each minute

    base_url, worlds, db_url = served
    world = worlds["competitions"]
    with httpx.Client(timeout=30) as http:
        given: dict[str, Callable[[], str]] = {
            "ASAR": lambda: base_url,
            "BODY": lambda: str(world["body"]),
            "OPENS": lambda: almaty(opens),
            "CLOSES": lambda: almaty(opens + timedelta(days=25)),
            "MEETING_AT": lambda: almaty(utcnow()),
        }
        given.update({name: (lambda name=name: world[name]) for name in ("OFFICIAL_TOKEN", "NGO_TOKEN", *COMMISSION)})
        shell = Shell(http, given, files={name: real_pdf(name) for name in ("charter.pdf", "estimate.pdf",
                                                                            "schedule.pdf")})
        shell.waits = {"intake closes": _move(db_url, shell, "closes_at", opened),
                       "the appeal window closes": _move(db_url, shell, "appeals_close_at")}
        shell.walk(text)
        assert shell.waited == ["intake closes", "the appeal window closes"]
        assert undeclared(shell, base_url) == []
        assert shell.curls >= 40, shell.curls

        monkeypatch.setenv("ASAR", base_url)
        monkeypatch.setenv("CALL", shell.env["CALL"])
        exec(compile(python_blocks[0], str(COMPETITIONS_DOC), "exec"), {"__name__": "__main__"})  # noqa: S102
        printed = capsys.readouterr().out
        for kind in ("call.published", "call.applications", "call.rules_locked", "call.compliance_progress",
                     "call.scoring_closed", "call.results_published", "call.appeals", "call.awards"):
            assert f"'{kind}'" in printed, printed
        assert printed.startswith("['call.published', 'call.rules_locked', 'call.applications', 'call.stage'"), printed
        assert printed.rstrip().endswith("'call.awards']"), printed  # the tranche released, the last change

        def status(path: str, token: str) -> int:
            return http.get(f"{base_url}/api/v1{path}", headers={"authorization": f"Bearer {world[token]}"}).status_code

        env = shell.env  # the private downloads: the commission is neither the applicant nor the issuer's staff
        assert status(f"/applications/{env['APP']}/documents/{env['DOCUMENT']}", "MEMBER_C_TOKEN") == 404
        assert status(f"/applications/{env['APP']}/scoring/documents/{env['DOCUMENT']}", "MEMBER_C_TOKEN") == 404  # recused
        assert status(f"/appeals/{env['APPEAL']}/evidence", "MEMBER_A_TOKEN") == 404
        assert status(f"/milestone-evidence/{env['EVIDENCE']}", "MEMBER_A_TOKEN") == 404
        assert status(f"/milestone-evidence/{env['EVIDENCE']}", "NGO_TOKEN") == 200  # the winner's own
        award = http.get(f"{base_url}/api/v1/awards/{shell.env['AWARD']}").json()["award"]
        assert [t["released_at"] is not None for t in award["tranches"]] == [True, False]  # the first, and only it
        assert award["organization_id"] == world["ngo"] and award["released"] == award["tranches"][0]["amount"]
