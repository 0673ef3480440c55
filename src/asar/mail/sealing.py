"""Seal the secret parts of a queued mail under a key derived from ASAR_SECRET_KEY (see asar.mail)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MARK = "⟦hidden:{name}⟧"
MARK_RE = re.compile(r"⟦hidden:(\w+)⟧")
MASK = "••••••"

__all__ = ["MARK_RE", "MASK", "InvalidToken", "hide", "reveal", "seal", "unseal"]


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"asar outbox secrets v1").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, hidden: Mapping[str, str]) -> str:
    return _fernet(secret_key).encrypt(json.dumps(dict(hidden)).encode()).decode()


def unseal(secret_key: str, sealed: str) -> dict[str, str]:
    """The hidden parts; InvalidToken when the key is not the one they were sealed with."""
    return json.loads(_fernet(secret_key).decrypt(sealed.encode()))


def hide(name: str, value: str) -> tuple[str, str]:
    """(what the stored body shows, the hidden part): a link keeps its address up to the last
    slash and hides its last segment (the token); any other secret is hidden whole."""
    shown, hidden = "", value
    if value.startswith(("http://", "https://")) and value.count("/") > 3:
        head, _, hidden = value.rpartition("/")
        shown = head + "/"
    return shown + MARK.format(name=name), hidden


def reveal(body: str, hidden: Mapping[str, str]) -> str:
    """The body with each marker replaced by its hidden part (unknown markers stay masked)."""
    return MARK_RE.sub(lambda m: hidden.get(m.group(1), MASK), body)
