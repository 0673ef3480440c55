"""Temporary stubs."""

from litestar import get, post


@get("/organizations", name="organizations:directory", include_in_schema=False)
async def directory() -> str:
    return "dir"


@post("/acting-for", name="organizations:act_as", include_in_schema=False)
async def act_as() -> str:
    return "ok"


routes = [directory, act_as]
