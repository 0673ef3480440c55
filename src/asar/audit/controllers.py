from litestar import get


@get("/admin/audit", name="audit:log", include_in_schema=False)
async def audit_log() -> str:
    return "audit"


routes = [audit_log]
