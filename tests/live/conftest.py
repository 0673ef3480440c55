"""The real servers of the socket tests (tests/hearings/conftest.py) for the streams of tests/live."""

from tests.hearings.conftest import db, live, live_db_url  # noqa: F401
