"""Demo data for the embedded default (`asar demo`); safe to run again."""

from __future__ import annotations

from asar.settings import Settings

DEMO_PASSWORD = "asar-demo-2026"
# (e-mail, who they are) — shown on the sign-in page only in the embedded default.
DEMO_PEOPLE: list[tuple[str, str]] = []


async def load_demo(settings: Settings) -> str:
    raise NotImplementedError("filled in by the demo data work")
