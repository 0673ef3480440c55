"""Dates, numbers and tenge by locale; times in Asia/Almaty; Markdown is sanitized."""

from __future__ import annotations

from datetime import UTC, datetime

from asar.i18n import format_dt, format_tenge, pick_language, use_language
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
        text = format_dt(moment, "short")
    assert "00:30" in text or "12:30" in text
    assert "3/2/26" in text or "02/03/2026" in text
    with use_language("ru"):
        assert "00:30" in format_dt(moment, "short")


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
