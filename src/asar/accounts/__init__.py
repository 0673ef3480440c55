"""People: registration, sign-in, sessions, profile, API tokens."""
