"""What matching adds to other domains' tables: one index.

The service checks, on each ranking, whether published projects changed since its table was built
(`SELECT count(*), max(updated_at) ... WHERE status = 'published'`); this index answers that from
the index alone instead of reading every published project's row."""

from __future__ import annotations

from sqlalchemy import Index

from asar.projects.models import Project

projects_status_updated_at = Index("ix_projects_status_updated_at", Project.status, Project.updated_at)
