"""These tests change the calendar's and the MCI's tables and end by rolling back a transaction
the ORM does not see (the test's outer transaction, a case's savepoint): the process-wide caches
are forgotten after each test so that no later test reads a rolled-back calendar."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from asar.reference.mci import forget_mci
from asar.workdays.service import forget_working_calendar


@pytest.fixture(autouse=True)
def _fresh_reference_caches() -> Iterator[None]:
    yield
    forget_working_calendar()
    forget_mci()
