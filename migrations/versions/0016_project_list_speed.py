"""project list speed: project_search.document (a stored tsvector written by a trigger, GIN index)
instead of the expression index of 0011; project_search.facets (regions with settlement, areas,
target groups; GIN index) for the list's filters; the indexes the newest and closest-to-funded
sorts walk

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# asar.projects.search.PG_DOCUMENT_SQL when this was written, for the trigger's row
DOCUMENT = ("setweight(array_to_tsvector(string_to_array(NEW.title_terms, ' ')), 'A') || "
            "setweight(array_to_tsvector(string_to_array(NEW.body_terms, ' ')), 'B')")
OLD_INDEX = ("(setweight(array_to_tsvector(string_to_array(title_terms, ' ')), 'A') || "
             "setweight(array_to_tsvector(string_to_array(body_terms, ' ')), 'B'))")
# asar.projects.search.facets in SQL, for the rows already stored
FACETS = """
UPDATE project_search s SET facets = ARRAY(
  SELECT f FROM (
    SELECT 'r' || r.region_id AS f, 1 AS k FROM project_regions r WHERE r.project_id = s.project_id
    UNION SELECT 'r' || r.region_id || ':' || x, 2 FROM project_regions r,
      unnest(CASE r.settlement WHEN 'both' THEN ARRAY['urban', 'rural', 'both'] ELSE ARRAY[r.settlement] END) x
      WHERE r.project_id = s.project_id
    UNION SELECT 's:' || x, 3 FROM project_regions r,
      unnest(CASE r.settlement WHEN 'both' THEN ARRAY['urban', 'rural', 'both'] ELSE ARRAY[r.settlement] END) x
      WHERE r.project_id = s.project_id
    UNION SELECT 'a' || a.area_id, 4 FROM project_areas a WHERE a.project_id = s.project_id
    UNION SELECT 't:' || t.code, 5 FROM project_target_groups t WHERE t.project_id = s.project_id
  ) all_facets ORDER BY k, f)
"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("project_search", sa.Column(
        "document", postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=True))
    op.add_column("project_search", sa.Column(
        "facets", postgresql.ARRAY(sa.Text()).with_variant(sa.JSON(), "sqlite"), nullable=True))
    if postgres:
        op.execute("DROP INDEX ix_project_search_document")
        op.execute(f"""CREATE FUNCTION project_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN NEW.document := {DOCUMENT}; RETURN NEW; END $$""")
        op.execute("CREATE TRIGGER project_search_document BEFORE INSERT OR UPDATE OF title_terms, body_terms "
                   "ON project_search FOR EACH ROW EXECUTE FUNCTION project_search_document()")
        op.execute("UPDATE project_search SET title_terms = title_terms")  # fills document
        op.execute(FACETS)
        op.execute("CREATE INDEX ix_projects_newest ON projects (published_at DESC NULLS LAST, id DESC NULLS LAST)")
        op.execute("CREATE INDEX ix_projects_closest ON projects ((sponsorship_goal > committed) DESC NULLS LAST, "
                   "(CAST(committed AS FLOAT) / NULLIF(sponsorship_goal, 0)) DESC NULLS LAST, id)")
    op.create_index("ix_project_search_document", "project_search", ["document"], postgresql_using="gin")
    op.create_index("ix_project_search_facets", "project_search", ["facets"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_project_search_facets", table_name="project_search")
    op.drop_index("ix_project_search_document", table_name="project_search")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_projects_closest")
        op.execute("DROP INDEX ix_projects_newest")
        op.execute("DROP TRIGGER project_search_document ON project_search")
        op.execute("DROP FUNCTION project_search_document()")
        op.execute(f"CREATE INDEX ix_project_search_document ON project_search USING gin ({OLD_INDEX})")
        op.drop_column("project_search", "facets")
        op.drop_column("project_search", "document")
    else:  # not through a batch copy of the table, which would lose the FTS5 triggers of 0011
        op.execute("ALTER TABLE project_search DROP COLUMN facets")
        op.execute("ALTER TABLE project_search DROP COLUMN document")
