"""Random tokens whose SHA-256 alone is stored, and HMAC signing for small cookies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign(secret: str, payload: Any) -> str:
    raw = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
    mac = hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{raw}.{mac}"


def unsign(secret: str, value: str | None) -> Any:
    if not value or "." not in value:
        return None
    raw, mac = value.rsplit(".", 1)
    good = hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(mac, good):
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(raw.encode()))
    except ValueError:
        return None
