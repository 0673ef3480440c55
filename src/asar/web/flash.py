"""Flash messages carried to the next page in a short-lived signed cookie."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

from asar.tokens import sign, unsign

FLASH_COOKIE = "asar_flash"


def flash_cookie(secret: str, messages: list[dict[str, str]]) -> Cookie:
    return Cookie(key=FLASH_COOKIE, value=sign(secret, messages), httponly=True, samesite="lax",
                  max_age=120, path="/")


def clear_cookie() -> Cookie:
    return Cookie(key=FLASH_COOKIE, value="", max_age=0, path="/", httponly=True, samesite="lax")


def incoming(request: Request[Any, Any, Any]) -> list[dict[str, str]]:
    data = unsign(request.app.state.settings.secret_key, request.cookies.get(FLASH_COOKIE))
    if not isinstance(data, list):
        return []
    return [m for m in data if isinstance(m, dict) and "text" in m][:5]
