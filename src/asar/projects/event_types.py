"""The declared events of a project's stream `project:<id>` (asar.live.events): the family
`ProjectEvent` and the events the projects domain writes (asar.projects.live appends them inside the
verbs of asar.projects.service): a lifecycle step, an edit that made a new version, an update posted
by the project's organization. The money events of the same stream are the pledges domain's
(asar.pledges.event_types: `project.funding`); the stream kind that serves both is
asar.pledges.live.ProjectStream. Everything here is public: the stream is read by anyone who may read
the project."""

from __future__ import annotations

from typing import Annotated, Literal

from asar.live.events import Event, doc

ProjectStatus = Literal["published", "funded", "in_progress", "completed", "cancelled"]


class ProjectEvent(Event):
    """The events of `project:<id>`."""

    prefix = "project"
    readers = "members of the project's organization"
    source = "src/asar/projects/event_types.py and src/asar/pledges/event_types.py"


class StatusChanged(ProjectEvent, kw_only=True):
    """A lifecycle step: the project was published, became funded (its goal reached, or by its
    organization), started, was completed or was cancelled."""

    type = "project.status"

    status: Annotated[ProjectStatus, doc("the project's status now")]
    reason: Annotated[str, doc("why it was cancelled (empty otherwise)")] = ""


class ProjectUpdated(ProjectEvent, kw_only=True):
    """An edit of a published project made a new version (`GET /api/v1/projects/{id}` has its
    content; the versions page compares it with the earlier ones)."""

    type = "project.updated"

    version: Annotated[int, doc("the project's version number now")]
    changed: Annotated[list[str], doc("the fields that changed, named as in the versions' content")]
    goal: Annotated[int, doc("the sponsorship goal now, whole tenge")]


class UpdatePosted(ProjectEvent, kw_only=True):
    """The project's organization posted an update (its followers are told too)."""

    type = "project.update_posted"

    id: Annotated[int, doc("the update's id")]
    title: Annotated[str, doc("its title")]
    body: Annotated[str, doc("its text (Markdown)")]
    posted_at: Annotated[str, doc("when it was posted, ISO 8601, UTC")]
    updates: Annotated[int, doc("the project's number of updates now")]
