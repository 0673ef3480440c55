"""The yardstick of bench/pages.py: a bare Litestar hello-world, served by uvicorn like ASAR."""

from litestar import Litestar, get


@get("/", sync_to_thread=False)
def hello() -> str:
    return "Hello, world"


app = Litestar(route_handlers=[hello], debug=False)
