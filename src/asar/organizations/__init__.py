"""Organizations of the three sectors, their members and verification."""
