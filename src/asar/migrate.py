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


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What Alembic compares with the models: everything but SQLite's FTS5 tables (a `*_fts` table
    and its shadow tables), which a migration makes for one database only (asar.projects.search)."""
    if type_ == "table" and name:
        return not any(name.endswith("_fts" + shadow) for shadow in FTS_SHADOWS)
    return True
