from litestar import get


@get("/admin/mail", name="mail:outbox", include_in_schema=False)
async def outbox() -> str:
    return "mail"


routes = [outbox]
