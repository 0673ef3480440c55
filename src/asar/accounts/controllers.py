"""Temporary stubs so the shell renders; replaced by the accounts pages."""

from litestar import get, post


@get("/sign-in", name="accounts:sign_in", include_in_schema=False)
async def sign_in() -> str:
    return "sign in"


@get("/register", name="accounts:register", include_in_schema=False)
async def register() -> str:
    return "register"


@get("/profile", name="accounts:profile", include_in_schema=False)
async def profile() -> str:
    return "profile"


@post("/sign-out", name="accounts:sign_out", include_in_schema=False)
async def sign_out() -> str:
    return "out"


routes = [sign_in, register, profile, sign_out]
