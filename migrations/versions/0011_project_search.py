"""project_search: the search terms of each project (asar.projects.search), with a GIN index on
PostgreSQL and an FTS5 table kept in step by triggers on SQLite

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# asar.projects.search.PG_DOCUMENT when this was written (a migration never imports code that may change)
PG_DOCUMENT = ("(setweight(array_to_tsvector(string_to_array(title_terms, ' ')), 'A') || "
               "setweight(array_to_tsvector(string_to_array(body_terms, ' ')), 'B'))")

SQLITE_FTS = [
    ("CREATE VIRTUAL TABLE project_search_fts USING fts5(title_terms, body_terms, content='project_search', "
     "content_rowid='project_id', tokenize='unicode61 remove_diacritics 0', prefix='2 3 4')"),
    ("CREATE TRIGGER project_search_ai AFTER INSERT ON project_search BEGIN "
     "INSERT INTO project_search_fts(rowid, title_terms, body_terms) "
     "VALUES (new.project_id, new.title_terms, new.body_terms); END"),
    ("CREATE TRIGGER project_search_ad AFTER DELETE ON project_search BEGIN "
     "INSERT INTO project_search_fts(project_search_fts, rowid, title_terms, body_terms) "
     "VALUES ('delete', old.project_id, old.title_terms, old.body_terms); END"),
    ("CREATE TRIGGER project_search_au AFTER UPDATE ON project_search BEGIN "
     "INSERT INTO project_search_fts(project_search_fts, rowid, title_terms, body_terms) "
     "VALUES ('delete', old.project_id, old.title_terms, old.body_terms); "
     "INSERT INTO project_search_fts(rowid, title_terms, body_terms) "
     "VALUES (new.project_id, new.title_terms, new.body_terms); END"),
]


def upgrade() -> None:
    op.create_table(
        "project_search",
        sa.Column("project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("title_terms", sa.Text(), nullable=False),
        sa.Column("body_terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_project_search_project_id_projects"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_search")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_project_search_document ON project_search USING gin ({PG_DOCUMENT})")
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_project_search_document")
    else:
        for name in ("project_search_au", "project_search_ad", "project_search_ai"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE project_search_fts")
    op.drop_table("project_search")
