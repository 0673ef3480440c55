"""What matching adds to other domains' tables: one index.

The service checks, on each ranking, whether projects changed since its table was built: the latest
`updated_at` in each status (`max(updated_at) ... WHERE status = :s`), each one step down this index
instead of a read of every project's row."""

from __future__ import annotations

from sqlalchemy import Index

from asar.projects.models import Project

projects_status_updated_at = Index("ix_projects_status_updated_at", Project.status, Project.updated_at)
