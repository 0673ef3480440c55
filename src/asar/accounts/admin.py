"""`asar admin create`: create a confirmed platform administrator, or promote an existing person."""

from __future__ import annotations

from sqlalchemy import select

import asar.models  # noqa: F401  (every table, so that foreign keys resolve in a bare CLI process)
from asar.accounts import forms
from asar.accounts.models import User
from asar.accounts.passwords import hash_password
from asar.audit.service import record
from asar.db import Database, utcnow
from asar.i18n import use_language
from asar.settings import Settings
from asar.uow import unit_of_work


async def create_admin(settings: Settings, email: str, password: str, name: str = "") -> str:
    """Create (or promote) a confirmed admin with this password; ValueError on bad input."""
    with use_language("en"):
        address = forms.normalize_email(email)  # raises ValueError with the reason
        problem = forms.check_password(password)
        if problem:
            raise ValueError(problem)
        name = " ".join(name.split())
        if len(name) > forms.NAME_MAX:
            raise ValueError(f"The name may have at most {forms.NAME_MAX} characters.")
    database = Database.from_url(settings.database_url)
    try:
        async with database.sessionmaker() as db, unit_of_work(db):
            now = utcnow()
            user = (await db.execute(select(User).where(User.email == address))).scalar_one_or_none()
            created = user is None
            if user is None:
                user = User(email=address, name=name or address.split("@")[0], language="ru")
                db.add(user)
            elif name:
                user.name = name
            user.password_hash = hash_password(password)
            user.is_admin = True
            user.is_active = True
            if user.email_confirmed_at is None:
                user.email_confirmed_at = now
            await db.flush()
            record(db, None, "account.admin_granted", "user", user.id, created=created)
            verb = "Created" if created else "Promoted"
            return f"{verb} platform administrator {address} (id {user.id})."
    finally:
        await database.close()
