"""docs/api.md's example session, run line by line against a real server, so the page cannot rot.

Every ```sh block is read in order: `curl` commands are sent as written (method, headers, body, URL
after the shell's variable expansion), `NAME=$(curl … | jq -r PATH)` keeps a field of the answer,
`# ← NNN` checks the status of the command before it, and `NAME=…` lines are the values a person
gets elsewhere (the site's address, the mailed links, the NGO and its administrator's token), which
this test supplies. The ```python block (the WebSocket client) is then run as it is.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from asar.db import Database
from tests.conftest import make_settings
from tests.live_server import live_server
from tests.mailbox import delivered_to
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
    """`jq -r` for the paths the page uses: .field, .field[0].field."""
    for field, index in re.findall(r"\.(\w+)|\[(\d+)\]", path.strip("'\"")):
        value = value[field] if field else value[int(index)]
    return value


class Shell:
    def __init__(self, http: httpx.Client, given: dict[str, Callable[[], str]]) -> None:
        self.http = http
        self.given = given
        self.env: dict[str, str] = {}
        self.last: httpx.Response | None = None
        self.curls = 0

    def curl(self, command: str) -> httpx.Response:
        args = shlex.split(expand(command, self.env))
        assert args[0] == "curl", command
        method, headers, data, url = None, {}, None, None
        it = iter(args[1:])
        for arg in it:
            if arg == "-X":
                method = next(it)
            elif arg == "-H":
                name, _, value = next(it).partition(":")
                headers[name.strip()] = value.strip()
            elif arg == "-d":
                data = next(it)
            elif arg.startswith("http"):
                url = arg
            else:
                assert arg in ("-s", "-S", "-sS"), f"the test does not know curl's {arg}"
        assert url is not None, command
        self.last = self.http.request(method or ("POST" if data is not None else "GET"), url, headers=headers,
                                      content=data)
        self.curls += 1
        assert self.last.status_code < 400, (command, self.last.status_code, self.last.text)
        return self.last

    def run(self, line: str) -> None:
        if m := re.fullmatch(r"# ← (\d{3})\b(.*)", line):
            assert self.last is not None and self.last.status_code == int(m.group(1)), (line, self.last)
            shown = set(re.findall(r'"(\w+)":', m.group(2)))  # the fields the page shows must be there
            assert shown <= keys(self.last.json()), (line, self.last.text)
        elif not line or line.startswith("#"):
            return
        elif m := re.fullmatch(r"(\w+)=\$\((curl .*) \| jq -r (\S+)\)", line):
            value = jq(self.curl(m.group(2)).json(), m.group(3))
            assert value not in (None, ""), line
            self.env[m.group(1)] = str(value)
        elif m := re.fullmatch(r"(\w+)=\S+(\s+#.*)?", line):
            assert m.group(1) in self.given, f"the example sets {m.group(1)}, which the test cannot supply"
            self.env[m.group(1)] = self.given[m.group(1)]()
        else:
            self.curl(line)


def keys(value: Any) -> set[str]:
    """Every key in a JSON value, at any depth."""
    if isinstance(value, dict):
        return set(value).union(*(keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys(v) for v in value))
    return set()


def logical_lines(block: str) -> list[str]:
    return [line.strip() for line in block.replace("\\\n", " ").splitlines()]


def test_the_documented_session_takes_a_newcomer_to_a_vote(postgres: Postgres, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    text = DOC.read_text(encoding="utf-8")
    shell_blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    python_blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert len(shell_blocks) >= 7 and len(python_blocks) == 1

    with live_server(postgres, lambda url: make_settings(url, tmp_path), _seed) as (base_url, world, _), \
            httpx.Client(timeout=30) as http:
        shell = Shell(http, {
            "ASAR": lambda: base_url,
            "ORG": lambda: str(world["ngo"]),
            "ADMIN_TOKEN": lambda: world["admin_token"],
            "CONFIRM_TOKEN": _mailed("confirm", r"/confirm/(\S+)"),
            "INVITE_TOKEN": _mailed("invitation", r"/invitations/(\S+)"),
        })
        for block in shell_blocks:
            for line in logical_lines(block):
                shell.run(line)
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
