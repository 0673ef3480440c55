#!/usr/bin/env python3
"""Translation catalogs: `extract [DOMAIN]`, `todo DOMAIN LANG`, `fill DOMAIN LANG FILE.json`, `check`.

kk has 2 plural forms in our catalogs (nplurals=2), ru 3, en 2: give plural forms as a list.
A message with a context (pgettext) is keyed "context\\u0004msgid" in the JSON. `check` also reads
docs/glossary.md: use its terms (see that file for how rows and exceptions are written).
"""

import json
import sys

from asar import i18n_tools as t


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    cmd, args = argv[0], argv[1:]
    if cmd == "extract":
        for d in args or t.domains():
            print(d, t.update(d))
    elif cmd == "todo":
        print(t.todo(args[0], args[1]))
    elif cmd == "fill":
        with open(args[2], encoding="utf-8") as fh:
            data = json.load(fh)
        print("filled", t.fill(args[0], args[1], {k: (v["forms"] if isinstance(v, dict) else v) for k, v in data.items()}))
    elif cmd == "check":
        problems = t.check()
        for p in problems:
            print(p)
        print(f"{len(problems)} problem(s)")
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
