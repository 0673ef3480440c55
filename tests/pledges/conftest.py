"""The real servers of the live, browser and two-instance tests (tests/hearings/conftest.py)."""

from tests.hearings.conftest import db, live, live_db_url  # noqa: F401
