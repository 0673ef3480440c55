"""File storage: one interface (`put`, `get`, `delete`) for whatever a domain keeps as a file
(project cover images today; report attachments later).

The bytes live in the database (`stored_files`, a BYTEA/BLOB column loaded only when served).
Why the database and not a directory or an object store: ASAR runs as any number of stateless app
instances behind a balancer with no shared disk, and the embedded default is one process on one
SQLite file. The database is the one store every instance already shares, in both setups: a file
uploaded through one instance is served by every other the moment its transaction commits, a
rollback leaves no orphan behind, a backup of the database is a backup of the files, and there is
no second service to run, secure and keep in step. The cost is database size; what is stored is
small (covers are re-encoded and capped at COVER_MAX_BYTES by asar.storage.images) and served with
long cache headers under a random token, so each is read rarely. Should large files come, a shared
object store can implement the same three functions.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.storage.models import StoredFile

# Files whose purpose starts with this are private: the public route (`storage:file`) refuses them,
# and only their domain's own guarded route serves them (application documents: the applicant
# organization and the call's issuer, never a person who merely has the link).
PRIVATE_PREFIX = "private_"


def is_private(row: StoredFile) -> bool:
    return row.purpose.startswith(PRIVATE_PREFIX)


async def put(db: AsyncSession, data: bytes, content_type: str, *, purpose: str = "",
              created_by_id: int | None = None) -> StoredFile:
    """Store data in the caller's transaction; the file is served once it commits."""
    row = StoredFile(token=secrets.token_urlsafe(24)[:32], content_type=content_type, size=len(data),
                     sha256=hashlib.sha256(data).hexdigest(), purpose=purpose, created_by_id=created_by_id,
                     data=data)
    db.add(row)
    await db.flush()
    return row


async def get(db: AsyncSession, token: str) -> tuple[StoredFile, bytes] | None:
    """The file's row and bytes by its public token (None when there is none)."""
    if not token or len(token) > 32:
        return None
    found = (await db.execute(select(StoredFile, StoredFile.data).where(StoredFile.token == token))).first()
    return None if found is None else (found[0], found[1])


async def get_by_id(db: AsyncSession, file_id: int) -> tuple[StoredFile, bytes] | None:
    """The file's row and bytes by its id (domains that serve private files through their own route)."""
    found = (await db.execute(select(StoredFile, StoredFile.data).where(StoredFile.id == file_id))).first()
    return None if found is None else (found[0], found[1])


async def delete(db: AsyncSession, file_id: int) -> None:
    await db.execute(sql_delete(StoredFile).where(StoredFile.id == file_id))
