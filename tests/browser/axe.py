"""axe-core (vendored, pinned: tests/browser/vendor/VENDOR.json) run inside a page under test."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).resolve().parent / "vendor"
FAILING_IMPACTS = ("serious", "critical")

RUN_JS = """async (also) => {
  const rules = Object.fromEntries(also.map((id) => [id, {enabled: true}]));
  const result = await axe.run(document, {resultTypes: ["violations"], rules});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
}"""


@cache
def axe_source() -> str:
    (entry,) = json.loads((VENDOR / "VENDOR.json").read_text(encoding="utf-8"))["files"]
    return (VENDOR / entry["file"]).read_text(encoding="utf-8")


async def serious_violations(page: Any, where: str = "", *, also: tuple[str, ...] = ()) -> list[str]:
    """Every serious or critical axe violation on the page as it is now, one line each; `also` names
    rules that fail at any impact, turned on if axe leaves them off by default (e.g. "target-size",
    WCAG 2.2's 24-pixel tap targets, or "heading-order"). axe is evaluated through the DevTools protocol,
    which the page's Content-Security-Policy does not govern."""
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(axe_source())
    found = await page.evaluate(RUN_JS, list(also))
    label = where or page.url
    return [f"{label}: {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
            for v in found if v["impact"] in FAILING_IMPACTS or v["id"] in also]
