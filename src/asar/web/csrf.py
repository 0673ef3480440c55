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
    return (pad + bytes(a ^ b for a, b in zip(raw, pad, strict=True))).hex()


def unmask(value: str, plain_length: int) -> str:
    """The token a masked value stands for; anything else is returned as it is."""
    if len(value) != 2 * plain_length:
        return value
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        return value
    half = len(raw) // 2
    return bytes(a ^ b for a, b in zip(raw[half:], raw[:half], strict=True)).hex()


class MaskedCSRFMiddleware(CSRFMiddleware):
    def _csrf_tokens_match(self, request_csrf_token: str, cookie_csrf_token: str) -> bool:
        request_csrf_token = unmask(request_csrf_token, len(cookie_csrf_token))
        return super()._csrf_tokens_match(request_csrf_token, cookie_csrf_token)
