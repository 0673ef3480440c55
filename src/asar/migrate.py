"""Run Alembic programmatically (the CLI and the tests use the same entry points)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from asar import ROOT_DIR


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT_DIR / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> None:
    command.current(alembic_config(database_url), verbose=False)


FTS_SHADOWS = ("", "_data", "_idx", "_content", "_docsize", "_config")
# Expression indexes made by a migration on PostgreSQL only, which Alembic cannot compare with
# the models (it skips expression indexes on the models' side): the project list's sorts
# (migration 0012, asar.projects.listing).
EXPRESSION_INDEXES = frozenset({"ix_projects_newest", "ix_projects_closest"})


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What Alembic compares with the models: everything but SQLite's FTS5 tables (a `*_fts` table
    and its shadow tables), which a migration makes for one database only (asar.projects.search),
    and the EXPRESSION_INDEXES."""
    if type_ == "table" and name:
        return not any(name.endswith("_fts" + shadow) for shadow in FTS_SHADOWS)
    if type_ == "index":
        return name not in EXPRESSION_INDEXES
    return True
