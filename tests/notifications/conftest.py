"""The real servers of the socket and browser tests (tests/hearings/conftest.py)."""

from tests.hearings.conftest import db, live, live_db_url  # noqa: F401
