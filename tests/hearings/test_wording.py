"""One English word, two meanings: each screen shows its own wording in kk and ru (message contexts)."""

from __future__ import annotations

import re

import pytest

from asar.hearings import floor, minutes, service
from tests.hearings.helpers import live_hearing, person, registered
from tests.hearings.test_web import sign_in

pytestmark = pytest.mark.sqlite

SPEAKING_TIME = {"kk": "Минут", "ru": "Минуты"}
DELETE_DECISION = {"kk": "Жою", "ru": "Удалить"}
LABEL = re.compile(r'<label for="floor-minutes">([^<]*)</label>')
DELETE = re.compile(r'decisions/\d+/delete"><input[^>]*><button class="btn-link" type="submit">([^<]*)</button>')


@pytest.mark.parametrize("lang", ["kk", "ru"])
async def test_speaking_time_box_and_decision_delete_button_in_their_own_words(client, session, lang) -> None:
    official_user, official = await person(session, "government")
    official_user.language = lang
    hearing = await live_hearing(session, official)
    _, citizen = await registered(session, hearing)
    await floor.raise_hand(session, citizen, hearing.id)
    await sign_in(client, session, official_user)

    r = await client.get(f"/hearings/{hearing.id}/room")
    label = LABEL.search(r.text)
    assert label, r.text[:500]
    assert label.group(1) == SPEAKING_TIME[lang]  # was the minutes' name: Хаттама / Протокол

    await service.close_hearing(session, official, hearing.id)
    await minutes.add_decision(session, official, hearing.id, "Plant 500 trees")
    r = await client.get(f"/hearings/{hearing.id}/minutes")
    button = DELETE.search(r.text)
    assert button, r.text[:500]
    assert button.group(1) == DELETE_DECISION[lang]  # was a member's removal: Шығару / Исключить
