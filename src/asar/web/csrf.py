"""The CSRF token as pages carry it: masked afresh in every response (against BREACH).

Litestar 2.25's CSRF middleware writes the cookie's value itself into every form and compares
what comes back with the cookie. With pages gzipped (asar.web.compression), a stable secret in
the body next to text an attacker controls can be recovered from response sizes (BREACH). A
page therefore carries `mask(token)`: random bytes followed by the token XOR those bytes, new in
every response; MaskedCSRFMiddleware unmasks what a form or the `x-csrftoken` header sends before
Litestar's own check. The cookie's plain value is still accepted (a script may send that).
"""

from __future__ import annotations

import secrets

from litestar.middleware.csrf import CSRF_SECRET_LENGTH, CSRFMiddleware
from litestar.types import HTTPSendMessage

PLAIN_LENGTH = 2 * CSRF_SECRET_LENGTH  # Litestar's token: 64 hex digits and their HMAC-SHA256 (64)


def mask(token: str) -> str:
    """A per-response form of a token (hex): random pad + token XOR pad."""
    if not token:
        return token
    try:
        raw = bytes.fromhex(token)
    except ValueError:
        return token
    pad = secrets.token_bytes(len(raw))
    return (pad + _xor(raw, pad)).hex()


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a) ^ int.from_bytes(b)).to_bytes(len(a))


def unmask(value: str, plain_length: int) -> str:
    """The token a masked value stands for; anything else is returned as it is."""
    if len(value) != 2 * plain_length:
        return value
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        return value
    half = len(raw) // 2
    return _xor(raw[half:], raw[:half]).hex()


class MaskedCSRFMiddleware(CSRFMiddleware):
    def _csrf_tokens_match(self, request_csrf_token: str, cookie_csrf_token: str) -> bool:
        request_csrf_token = unmask(request_csrf_token, len(cookie_csrf_token))
        return super()._csrf_tokens_match(request_csrf_token, cookie_csrf_token)

    def _set_cookie_if_needed(self, message: HTTPSendMessage, token: str) -> None:
        """The cookie Litestar's Cookie(...).to_header() writes, without building a SimpleCookie
        for every first-time visitor (a tenth of a directory page's own work): the token is hex,
        so nothing needs quoting. Any setting this does not write goes to Litestar's way."""
        config = self.config
        if config.cookie_domain or config.cookie_secure or not token.isalnum() or not token.isascii():
            super()._set_cookie_if_needed(message, token)
            return
        value = f"{config.cookie_name}={token}; {'HttpOnly; ' if config.cookie_httponly else ''}" \
                f"Path={config.cookie_path}; SameSite={config.cookie_samesite}"
        headers = message.get("headers")
        if not isinstance(headers, list):
            headers = message["headers"] = list(headers or ())
        headers.append((b"set-cookie", value.encode("latin-1")))
