"""Logging keeps working after the stream it was configured with is swapped out and closed."""

from __future__ import annotations

import io
import sys

import pytest
import structlog

from asar.logging import configure_logging
from tests.conftest import make_settings


def test_log_lines_go_to_the_current_stderr_not_a_closed_one(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging(make_settings("sqlite+aiosqlite:///:memory:", tmp_path))
    first.close()  # e.g. a CLI runner's or a captured test's stream, gone
    second = io.StringIO()
    monkeypatch.setattr(sys, "stderr", second)
    structlog.get_logger("asar.test").info("still heard", n=1)
    assert "still heard" in second.getvalue()
