"""One Settings object, read from ASAR_* environment variables and an optional .env file."""

from __future__ import annotations

import ipaddress
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_FILE = ".asar-secret"


def _split(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Runtime configuration; the defaults are the embedded single-machine setup."""

    model_config = SettingsConfigDict(env_prefix="ASAR_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite+aiosqlite:///./asar.db"
    redis_url: str | None = None
    secret_key: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost", "testserver"]
    )
    ws_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # peers whose X-Forwarded-For/-Proto are believed (addresses or networks); none by default
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: bool = True
    mail_from: str = "ASAR <no-reply@asar.kz>"
    log_json: bool = False
    log_level: str = "INFO"
    session_days: int = 14
    # days the shared live log (live_events) keeps an event: older ones are pruned (asar.live.jobs);
    # a reader further behind gets a snapshot. 0 keeps every event.
    live_retention_days: int = Field(default=30, ge=0, le=36500)
    # days a pledge offer holds its part of a project's gap unanswered; then it lapses (asar.pledges.jobs)
    pledge_offer_days: int = Field(default=14, ge=1, le=365)
    demo_credentials: bool | None = None
    # the OCDS publisher prefix of ocids (asar.competitions.opendata): a real publisher registers its own
    # with the Open Contracting Partnership and sets it here; the default is a placeholder
    ocds_prefix: str = Field(default="ocds-asarkz", pattern=r"^ocds-[a-z0-9]{6}$")
    # the 360Giving prefix of grant ids (asar.competitions.opendata.giving): a real publisher registers its own
    # with 360Giving; the default is a placeholder
    giving_prefix: str = Field(default="360G-asarkz", pattern=r"^360G-[A-Za-z0-9]{2,40}$")
    data_dir: Path = Path(".")

    @model_validator(mode="before")
    @classmethod
    def _lists(cls, data: dict) -> dict:
        for key in ("allowed_hosts", "ws_origins", "trusted_proxies", "ASAR_ALLOWED_HOSTS", "ASAR_WS_ORIGINS",
                    "ASAR_TRUSTED_PROXIES"):
            if key in data:
                data[key] = _split(data[key])
        return data

    @model_validator(mode="after")
    def _proxies(self) -> Settings:
        for entry in self.trusted_proxies:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"ASAR_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
        return self

    @model_validator(mode="after")
    def _secret(self) -> Settings:
        if not self.secret_key:
            if self.env == "production":
                raise ValueError("ASAR_SECRET_KEY is required when ASAR_ENV=production")
            path = self.data_dir / SECRET_FILE
            if path.exists():
                self.secret_key = path.read_text().strip()
            else:
                self.secret_key = secrets.token_urlsafe(48)
                path.write_text(self.secret_key)
                path.chmod(0o600)
        return self

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry Secure when the site is served over https."""
        return self.base_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def embedded(self) -> bool:
        """The one-command setup: SQLite and no Redis."""
        return self.is_sqlite and not self.redis_url

    @property
    def show_demo_credentials(self) -> bool:
        if self.demo_credentials is not None:
            return self.demo_credentials
        return self.embedded and self.env != "production"

    @cached_property
    def allowed_origins(self) -> list[str]:
        """Origins a WebSocket may come from: configured ones, else the base URL's."""
        return self.ws_origins or [self.base_url.rstrip("/")]
