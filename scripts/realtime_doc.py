#!/usr/bin/env python3
"""Write the event references of docs/realtime.md from the declarations of every stream kind the app
serves (asar.live.events families: src/asar/hearings/event_types.py, src/asar/notifications/event_types.py).

`realtime_doc.py` writes them; `realtime_doc.py --check` prints the differences and exits 1 when the
document and the declarations differ (tests/live/test_events.py runs the same check).
"""

import sys

import asar.domains  # noqa: F401 (every domain's stream kind, with its event declarations)
from asar.live import event_docs


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv and argv[0] == "--check":
        diff = event_docs.check()
        print("\n".join(diff) if diff else "docs/realtime.md matches the event declarations")
        return 1 if diff else 0
    print("written" if event_docs.write() else "unchanged", event_docs.DOC)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
