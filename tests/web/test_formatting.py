"""Dates, numbers and tenge by locale; times in Asia/Almaty; Markdown is sanitized."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from asar.i18n import format_day, format_dt, format_tenge, pick_language, use_language
from asar.web.templating import render_markdown


def test_tenge_is_grouped_by_locale_and_integer() -> None:
    with use_language("ru"):
        assert format_tenge(1250000) == "1\xa0250\xa0000\xa0₸"
    with use_language("en"):
        assert format_tenge(1250000) == "1,250,000\xa0₸"
    with use_language("kk"):
        assert format_tenge(1250000).endswith("₸")
        assert "1" in format_tenge(1250000)
        assert "250" in format_tenge(1250000)


def test_times_are_shown_in_almaty() -> None:
    moment = datetime(2026, 3, 1, 19, 30, tzinfo=UTC)  # 00:30 next day in Almaty (UTC+5)
    with use_language("en"):
        assert format_dt(moment) == "2 March 2026, 00:30"
    with use_language("ru"):
        assert format_dt(moment) == "2 марта 2026\u202fг., 00:30"


def test_one_date_format_per_language_without_seconds() -> None:
    """Issue 7 item 16: one way to write a moment per language, never with seconds; the speaking
    countdown's "until …" reads a time, not "ti311" (the old "time" went to Babel as a pattern)."""
    moment = datetime(2026, 12, 7, 6, 16, 5, tzinfo=UTC)
    expected = {"kk": "2026\u202fж. 7 желтоқсан", "ru": "7 декабря 2026\u202fг.", "en": "7 December 2026"}
    for lang, day in expected.items():
        with use_language(lang):
            assert format_dt(moment) == f"{day}, 11:16"
            assert format_dt(moment, "time") == "11:16"
            assert format_day(moment) == day
            with pytest.raises(ValueError, match="unknown part"):
                format_dt(moment, "short")


def test_templates_and_minutes_ask_for_no_other_date_format() -> None:
    root = Path(__file__).resolve().parents[2]
    other = re.compile(r"""(\|\s*dt\(|format_dt\([^()]*(?:\([^()]*\))?[^()]*,)\s*["'](?!time["'])""")
    found = [f"{path.relative_to(root)}: {m.group(0)}"
             for folder in ("templates", "src/asar") for path in (root / folder).rglob("*")
             if path.suffix in {".html", ".txt", ".py"} for m in other.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_accept_language_picks_the_best_supported() -> None:
    assert pick_language("kk-KZ,ru;q=0.8") == "kk"
    assert pick_language("de-DE,en;q=0.5,ru;q=0.9") == "ru"
    assert pick_language("fr") == "ru"
    assert pick_language(None) == "ru"
    assert pick_language("en;q=bad,kk;q=0.1") == "kk"


def test_markdown_is_sanitized() -> None:
    html = str(render_markdown("**bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://e.kz)"))
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert "href=\"javascript" not in html
    assert 'href="https://e.kz"' in html
